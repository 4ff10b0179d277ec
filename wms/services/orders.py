"""Order use cases: take orders in, reserve their stock, cancel them, show the backlog."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from wms.db.base import utcnow
from wms.db.models import (
    Allocation,
    Merchant,
    MoveTask,
    Order,
    OrderLine,
    Package,
    PickBatch,
    Sku,
)
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.errors import Conflict, NotFound, PermissionDenied
from wms.domain.orders import (
    ALLOCATABLE,
    OPEN_ORDERS,
    AllocationStatus,
    NewOrder,
    OrderStatus,
    check_cancel,
)
from wms.domain.packing import PackageStatus
from wms.domain.tasks import TaskKind
from wms.domain.waves import BatchStatus
from wms.services import allocation
from wms.services.carriers import carrier_of, due_cutoff, min_remaining_days
from wms.services.facilities import destination_fc, visible_fc
from wms.services.idempotency import run_once
from wms.services.order_status import set_status
from wms.services.outbox import emit
from wms.services.paging import PageRequest, paginate
from wms.services.putaway import suggest_bins
from wms.services.trip_progress import finish_if_done
from wms.services.views import iso


def ship_date(order: Order) -> Any:
    """The day the parcel leaves, in the FC's timezone (shelf life is counted from it)."""
    return order.ship_by.astimezone(ZoneInfo(order.fc.timezone)).date()


def _merchant_for(uow: UnitOfWork, actor: Actor, merchant_id: int | None) -> Merchant:
    if actor.is_merchant:
        if merchant_id is not None and merchant_id != actor.merchant_id:
            raise NotFound("No such merchant.", "merchant_id")
        merchant_id = actor.merchant_id
    elif not actor.handles_stock:
        raise PermissionDenied("Only merchants and warehouse managers enter orders.")
    if merchant_id is None:
        raise NotFound("Name the merchant whose order this is.", "merchant_id")
    merchant = uow.session.get(Merchant, merchant_id)
    if merchant is None:
        raise NotFound("No such merchant.", "merchant_id")
    return merchant


def visible_order(uow: UnitOfWork, actor: Actor, order_id: int, field: str = "order_id") -> Order:
    order = uow.session.get(Order, order_id)
    if order is None:
        raise NotFound("No such order.", field)
    if actor.is_merchant:
        if order.merchant_id != actor.merchant_id:
            raise NotFound("No such order.", field)
    elif not actor.works_in(order.fc_id):
        raise NotFound("No such order.", field)
    return order


def _local_time(moment: time | None) -> str | None:
    return moment.strftime("%H:%M") if moment is not None else None


def order_view(order: Order) -> dict[str, Any]:
    cutoff = due_cutoff(order.carrier, order.fc.timezone, order.ship_by)
    lines = []
    for line in order.lines:
        mine = [a for a in order.allocations if a.order_line_id == line.id]
        lines.append(
            {
                "line_number": line.line_number,
                "sku_id": line.sku_id,
                "sku_code": line.sku.code,
                "sku_name_en": line.sku.name_en,
                "sku_name_th": line.sku.name_th,
                "quantity": line.quantity,
                "allocated": allocation.held_for(line, mine),
                "picked": sum(a.quantity for a in mine if a.status in ("picked", "shipped")),
            }
        )
    return {
        "id": order.id,
        "reference": order.reference,
        "merchant_id": order.merchant_id,
        "merchant_code": order.merchant.code,
        "fc_id": order.fc_id,
        "fc_code": order.fc.code,
        "channel": order.channel,
        "external_id": order.external_id,
        "status": str(order.status),
        "carrier_id": order.carrier_id,
        "carrier_code": order.carrier.code,
        "ship_by": iso(order.ship_by),
        "cutoff": iso(cutoff),
        "late": cutoff < utcnow()
        and order.status not in (OrderStatus.SHIPPED, OrderStatus.CANCELLED),
        "recipient_name": order.recipient_name,
        "recipient_phone": order.recipient_phone,
        "address": order.address,
        "city": order.city,
        "postcode": order.postcode,
        "country": order.country,
        "cod_amount": str(order.cod_amount),
        "currency": order.currency,
        "delivery_latitude": order.delivery_latitude,
        "delivery_longitude": order.delivery_longitude,
        "delivery_window_open": _local_time(order.delivery_window_open),
        "delivery_window_close": _local_time(order.delivery_window_close),
        "min_remaining_days": order.min_remaining_days,
        "wave_id": order.wave_id,
        "lines": lines,
        "allocations": [allocation_view(a) for a in order.allocations],
        "created_at": iso(order.created_at),
        "cancelled_at": iso(order.cancelled_at),
        "shipped_at": iso(order.shipped_at),
    }


def allocation_view(item: Allocation) -> dict[str, Any]:
    return {
        "id": item.id,
        "line_number": item.line.line_number,
        "sku_code": item.sku.code,
        "location_id": item.location_id,
        "location_code": item.location.code,
        "lot_number": item.lot.lot_number if item.lot else None,
        "expiry_date": iso(item.lot.expiry_date) if item.lot else None,
        "quantity": item.quantity,
        "status": str(item.status),
        "batch_id": item.batch_id,
        "pick_sequence": item.pick_sequence,
    }


def create_order(
    uow: UnitOfWork, actor: Actor, new: NewOrder, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Take an order in and reserve its stock FEFO; what cannot be reserved is backordered.
    The same external id from the same merchant and channel is refused as a duplicate."""
    new.check()
    payload = {"order": repr(new)}
    return run_once(
        uow, actor, key, "orders.create", payload, lambda: order_view(place_order(uow, actor, new))
    )


def place_order(uow: UnitOfWork, actor: Actor, new: NewOrder) -> Order:
    """Write a checked order and reserve its stock, inside the caller's transaction (the API's
    `create_order` and the marketplace intake both come here). An actor with user id 0 is the
    channel worker: the order records no user."""
    new.check()
    merchant = _merchant_for(uow, actor, new.merchant_id)
    fc = destination_fc(uow, actor, new.fc_id)
    carrier = carrier_of(uow, fc, new.carrier_id)
    duplicate = uow.session.scalar(
        select(Order.reference).where(
            Order.merchant_id == merchant.id,
            Order.channel == new.channel,
            Order.external_id == new.external_id.strip(),
        )
    )
    if duplicate is not None:
        raise Conflict(
            f"Order {new.external_id} from {new.channel} is already here as {duplicate}.",
            "external_id",
        )
    codes = {line.sku_code for line in new.lines}
    skus = {
        sku.code: sku
        for sku in uow.session.scalars(
            select(Sku).where(Sku.merchant_id == merchant.id, Sku.code.in_(codes))
        )
    }
    for index, line in enumerate(new.lines):
        if line.sku_code not in skus:
            raise NotFound(
                f"{merchant.code} has no SKU {line.sku_code}.", f"lines.{index}.sku_code"
            )
    order = Order(
        reference=f"NEW-{uuid.uuid4().hex[:20]}",
        merchant_id=merchant.id,
        merchant=merchant,
        fc_id=fc.id,
        fc=fc,
        channel=new.channel,
        external_id=new.external_id.strip(),
        status=OrderStatus.RECEIVED,
        carrier_id=carrier.id,
        carrier=carrier,
        ship_by=new.ship_by,
        recipient_name=new.recipient_name.strip(),
        recipient_phone=new.recipient_phone.strip(),
        address=new.address.strip(),
        city=new.city.strip(),
        postcode=new.postcode.strip(),
        country=new.country.strip().upper(),
        cod_amount=new.cod_amount,
        currency=fc.currency,
        delivery_latitude=new.delivery_latitude,
        delivery_longitude=new.delivery_longitude,
        delivery_window_open=new.delivery_window_open,
        delivery_window_close=new.delivery_window_close,
        min_remaining_days=min_remaining_days(uow, fc, new.channel, new.country.strip().upper()),
        created_by=actor.user_id or None,
    )
    uow.session.add(order)
    uow.session.flush()
    order.reference = f"SO-{fc.code}-{order.id:07d}"
    for number, line in enumerate(new.lines, start=1):
        uow.session.add(
            OrderLine(
                order_id=order.id,
                line_number=number,
                sku_id=skus[line.sku_code].id,
                sku=skus[line.sku_code],
                quantity=line.quantity,
            )
        )
    uow.session.flush()
    uow.session.refresh(order, ["lines"])
    allocation.allocate(uow, order, ship_date(order))
    emit(
        uow,
        "order.status",
        order.merchant_id,
        {
            "order": order.reference,
            "external_id": order.external_id,
            "status": str(order.status),
        },
    )
    uow.session.flush()
    uow.session.refresh(order, ["allocations"])
    return order


def get_order(uow: UnitOfWork, actor: Actor, order_id: int) -> dict[str, Any]:
    with uow:
        return order_view(visible_order(uow, actor, order_id))


def _order_query(actor: Actor) -> Select[Any]:
    query = select(Order).options(
        selectinload(Order.lines).joinedload(OrderLine.sku),
        selectinload(Order.allocations),
    )
    if actor.is_merchant:
        return query.where(Order.merchant_id == actor.merchant_id)
    if not actor.is_admin:
        return query.where(Order.fc_id.in_(actor.fc_ids or {-1}))
    return query


def list_orders(
    uow: UnitOfWork,
    actor: Actor,
    page: PageRequest,
    *,
    fc_id: int | None = None,
    status: OrderStatus | None = None,
    external_id: str | None = None,
) -> dict[str, Any]:
    with uow:
        query = _order_query(actor)
        if fc_id is not None:
            query = query.where(Order.fc_id == fc_id)
        if status is not None:
            query = query.where(Order.status == status)
        if external_id:
            query = query.where(Order.external_id == external_id)
        return paginate(uow.session, query.order_by(Order.ship_by, Order.id), page, order_view)


def allocate_order(
    uow: UnitOfWork, actor: Actor, order_id: int, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Try again to reserve what a backordered order still misses."""

    def perform() -> dict[str, Any]:
        order = visible_order(uow, actor, order_id)
        if not actor.manages(order.fc_id):
            raise PermissionDenied("The FC's managers re-allocate backorders.")
        if order.status not in ALLOCATABLE:
            raise Conflict(f"The order is {order.status}; nothing to allocate.", "order_id")
        before = order.status
        allocation.allocate(uow, order, ship_date(order))
        after = order.status
        order.status = before
        set_status(uow, order, after)
        uow.session.flush()
        uow.session.refresh(order, ["allocations"])
        return order_view(order)

    return run_once(uow, actor, key, "orders.allocate", {"order_id": order_id}, perform)


def allocate_backorders(
    uow: UnitOfWork, actor: Actor, fc_id: int, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Re-run allocation for the FC's backordered orders, earliest ship-by first."""

    def perform() -> dict[str, Any]:
        fc = visible_fc(uow, actor, fc_id)
        if not actor.manages(fc.id):
            raise PermissionDenied("The FC's managers re-allocate backorders.")
        orders = list(
            uow.session.scalars(
                select(Order)
                .where(Order.fc_id == fc.id, Order.status.in_(ALLOCATABLE))
                .order_by(Order.ship_by, Order.id)
            )
        )
        completed = 0
        for order in orders:
            before = order.status
            allocation.allocate(uow, order, ship_date(order))
            after = order.status
            order.status = before
            set_status(uow, order, after)
            completed += after is OrderStatus.ALLOCATED
        return {"orders": len(orders), "completed": completed}

    return run_once(uow, actor, key, "orders.allocate_backorders", {"fc_id": fc_id}, perform)


def cancel(uow: UnitOfWork, actor: Actor, order: Order) -> list[MoveTask]:
    """Cancel an order that has not shipped: release every reservation; picked units waiting
    at dispatch get putaway tasks back to storage (returned); open parcels are voided."""
    check_cancel(order.status)
    trips = {
        item.batch_id
        for item in order.allocations
        if item.batch_id is not None and item.status is AllocationStatus.RESERVED
    }
    picked = allocation.release_all(uow, order)
    tasks: list[MoveTask] = []
    for item in picked:
        task = MoveTask(
            fc_id=order.fc_id,
            kind=TaskKind.PUTAWAY,
            merchant_id=order.merchant_id,
            sku_id=item.sku_id,
            sku=item.sku,
            lot_id=item.lot_id,
            lot=item.lot,
            quantity=item.quantity,
            from_location_id=item.location_id,
            from_location=item.location,
            created_at=utcnow(),
        )
        uow.session.add(task)
        tasks.append(task)
    if tasks:
        uow.session.flush()
        suggest_bins(uow, order.fc, tasks)
    for package in uow.session.scalars(
        select(Package).where(Package.order_id == order.id, Package.status != PackageStatus.SHIPPED)
    ):
        package.status = PackageStatus.CANCELLED
        package.manifest_id = None
    order.cancelled_at = utcnow()
    set_status(uow, order, OrderStatus.CANCELLED)
    # Its open picks are void: a trip left with nothing to pick is done.
    for batch_id in sorted(trips):
        batch = uow.session.get(PickBatch, batch_id)
        if batch is not None and batch.status in (BatchStatus.RELEASED, BatchStatus.PICKING):
            finish_if_done(uow, batch)
    uow.session.flush()
    return tasks


def cancel_order(
    uow: UnitOfWork, actor: Actor, order_id: int, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Cancel before shipping; the view lists the putaway tasks that return picked units."""

    def perform() -> dict[str, Any]:
        order = visible_order(uow, actor, order_id)
        if not actor.is_merchant and not actor.manages(order.fc_id):
            raise PermissionDenied("Merchants cancel their orders; at the FC, managers do.")
        tasks = cancel(uow, actor, order)
        uow.session.refresh(order, ["allocations"])
        view = order_view(order)
        view["restock_tasks"] = [task.id for task in tasks]
        return view

    return run_once(uow, actor, key, "orders.cancel", {"order_id": order_id}, perform)


def backlog(uow: UnitOfWork, actor: Actor, fc_id: int) -> list[dict[str, Any]]:
    """Open orders grouped by carrier and due cut-off, earliest first, with counts by status."""
    with uow:
        fc = visible_fc(uow, actor, fc_id)
        orders = uow.session.scalars(
            select(Order)
            .options(selectinload(Order.lines))
            .where(Order.fc_id == fc.id, Order.status.in_(OPEN_ORDERS))
        )
        groups: dict[tuple[datetime, int], dict[str, Any]] = {}
        now = utcnow()
        for order in orders:
            cutoff = due_cutoff(order.carrier, fc.timezone, order.ship_by)
            key = (cutoff, order.carrier_id)
            group = groups.get(key)
            if group is None:
                group = groups[key] = {
                    "cutoff": iso(cutoff),
                    "cutoff_local": cutoff.astimezone(ZoneInfo(fc.timezone)).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                    "carrier_id": order.carrier_id,
                    "carrier_code": order.carrier.code,
                    "carrier_name": order.carrier.name,
                    "late": cutoff < now,
                    "minutes_left": int((cutoff - now) / timedelta(minutes=1)),
                    "orders": 0,
                    "units": 0,
                    "by_status": defaultdict(int),
                }
            group["orders"] += 1
            group["units"] += sum(line.quantity for line in order.lines)
            group["by_status"][str(order.status)] += 1
        result = []
        for key in sorted(groups):
            group = groups[key]
            group["by_status"] = dict(group["by_status"])
            result.append(group)
        return result
