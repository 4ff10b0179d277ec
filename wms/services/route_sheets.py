"""A delivery route's sheet for its driver: the route as `labels.route_sheet` draws it."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from labels import route_sheet as sheets
from labels.errors import InvalidLabelData
from labels.route_sheet import RouteSheet, SheetParcel, SheetStop
from wms.db.models import DeliveryRoute, DeliveryStop, Package
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.errors import Conflict, NotFound
from wms.domain.packing import PackageStatus
from wms.services.deliveries import visible_plan
from wms.services.delivery_problem import DayClock


def _route(uow: UnitOfWork, actor: Actor, route_id: int) -> DeliveryRoute:
    route = uow.session.get(DeliveryRoute, route_id)
    if route is None:
        raise NotFound("No such delivery route.", "route_id")
    visible_plan(uow, actor, route.plan_id, field="route_id")
    return route


def route_sheet(uow: UnitOfWork, route: DeliveryRoute) -> RouteSheet:
    """What the driver's sheet of a route with stops says, in the FC's local time."""
    plan = route.plan
    fc = plan.fc
    clock = DayClock(plan.delivery_date, fc.timezone)
    zone = clock.midnight.tzinfo
    stops = list(
        uow.session.scalars(
            select(DeliveryStop)
            .where(DeliveryStop.route_id == route.id)
            .order_by(DeliveryStop.sequence)
        )
    )
    if not stops or route.leave_at is None or route.back_at is None:
        raise Conflict("This route has no stops; there is no sheet to print.", "route_id")
    parcels: dict[int, list[Package]] = {stop.order_id: [] for stop in stops}
    for package in uow.session.scalars(
        select(Package)
        .where(
            Package.order_id.in_(list(parcels)),
            Package.status.in_((PackageStatus.SHIPPED, PackageStatus.OUT_FOR_DELIVERY)),
        )
        .order_by(Package.id)
    ):
        parcels[package.order_id].append(package)
    sheet_stops = []
    for stop in stops:
        order = stop.order
        assert stop.sequence is not None and stop.arrival_at is not None
        sheet_stops.append(
            SheetStop(
                number=stop.sequence,
                order_reference=order.reference,
                recipient_name=order.recipient_name,
                phone=order.recipient_phone,
                address=f"{order.address}\n{order.postcode} {order.city}".strip(),
                arrival=stop.arrival_at.astimezone(zone).time(),
                parcels=tuple(
                    SheetParcel(p.tracking_number, p.weight_g / 1000)
                    for p in parcels[stop.order_id]
                    if p.tracking_number
                ),
                window=stop.window,
                cod_amount=Decimal(stop.cod_amount),
            )
        )
    driver = route.driver
    return RouteSheet(
        fc_name=fc.name,
        fc_code=fc.code,
        delivery_date=plan.delivery_date,
        plan_reference=plan.reference,
        route_number=route.number,
        vehicle_name=route.vehicle.name,
        vehicle_plate=route.vehicle.plate,
        driver_name=driver.name if driver else None,
        driver_phone=driver.phone if driver else None,
        leave=route.leave_at.astimezone(zone).time(),
        back=route.back_at.astimezone(zone).time(),
        distance_km=route.distance_m / 1000,
        currency=fc.currency,
        stops=tuple(sheet_stops),
    )


def route_sheet_pdf(uow: UnitOfWork, actor: Actor, route_id: int) -> tuple[str, bytes]:
    """The route's sheet as an A4 PDF; (file name, PDF bytes)."""
    with uow:
        route = _route(uow, actor, route_id)
        try:
            sheet = route_sheet(uow, route)
        except InvalidLabelData as error:
            raise Conflict(str(error), "route_id") from None
    try:
        pdf = sheets.route_sheet_pdf(sheet)
    except InvalidLabelData as error:
        raise Conflict(str(error), "route_id") from None
    return f"route-sheet-{sheet.plan_reference}-{sheet.route_number}.pdf", pdf
