"""Own-fleet delivery plans: plan a day's deliveries from an FC, adjust the routes by hand,
assign drivers, dispatch them or discard the draft.

Planning reads what there is to deliver in one short transaction, asks the road network and
the solver with no transaction open, and stores the draft in a second one. A change to a plan
is timed again by `routing.vrp_check` on the data the plan was made from (its depot, each
vehicle's limits, each delivery's point, window and demand); a change that breaks a rule (a
vehicle's capacity, a delivery window, a shift, a route's maximum hours) is refused, naming it,
so every stored plan is one its vehicles can drive.
"""

from __future__ import annotations

import json
import math
import time as timer
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from routing.vrp import Plan, Problem, ProblemError, Route, Unserved, UnservedReason
from routing.vrp_solver import NoSolution, SolveOptions, solve
from routing.vrp_solver import Objective as SolverObjective
from wms.db.base import utcnow
from wms.db.models import (
    Carrier,
    DeliveryPlan,
    DeliveryRoute,
    DeliveryStop,
    Driver,
    FulfillmentCenter,
    Order,
    Package,
    Vehicle,
)
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.deliveries import (
    MAX_PLAN_VEHICLES,
    DeliveryPlanStatus,
    LeftOutReason,
    PlanObjective,
    check_delivery_date,
    check_time_limit,
    parcel_demand,
    seconds_of_day,
)
from wms.domain.errors import Conflict, InvalidInput, NotFound
from wms.domain.orders import OrderStatus
from wms.domain.packing import PackageStatus
from wms.services.delivery_problem import (
    DayClock,
    DeliveryPoint,
    FleetVehicle,
    RoadSetup,
    build_problem,
    road_matrices,
    timed,
)
from wms.services.fleet import delivery_fc
from wms.services.idempotency import earlier_answer, run_once
from wms.services.views import iso

MAX_PLAN_STOPS = 2000
"""The most deliveries one plan takes (the earliest shipped first; the rest wait)."""
START_STEP_S = 300
"""Today's routes leave no earlier than now, rounded up to this many seconds."""
SEQUENCE_OFFSET = 1_000_000
"""Stops are renumbered through this offset so no two share a place in between."""
CENT = Decimal("0.01")


# --- what the manager asks for ------------------------------------------------------------------


@dataclass(frozen=True)
class ChosenVehicle:
    """A vehicle the manager sends out, and the driver chosen for it (if yet)."""

    vehicle_id: int
    driver_id: int | None = None


@dataclass(frozen=True)
class PlanRequest:
    """A day's deliveries to plan from an FC, with which vehicles, minimising what."""

    fc_id: int
    delivery_date: date
    vehicles: tuple[ChosenVehicle, ...] = ()
    """Empty: every active vehicle of the FC, no drivers yet."""
    objective: PlanObjective = PlanObjective.VEHICLES
    time_limit_s: float = 10.0

    def check(self) -> None:
        check_time_limit(self.time_limit_s)
        if len(self.vehicles) > MAX_PLAN_VEHICLES:
            raise InvalidInput(f"At most {MAX_PLAN_VEHICLES} vehicles.", "vehicles")
        seen_vehicles: set[int] = set()
        seen_drivers: set[int] = set()
        for index, chosen in enumerate(self.vehicles):
            if chosen.vehicle_id in seen_vehicles:
                raise InvalidInput("This vehicle is chosen twice.", f"vehicles.{index}.vehicle_id")
            seen_vehicles.add(chosen.vehicle_id)
            if chosen.driver_id is not None:
                if chosen.driver_id in seen_drivers:
                    raise InvalidInput(
                        "This driver is chosen for two vehicles.", f"vehicles.{index}.driver_id"
                    )
                seen_drivers.add(chosen.driver_id)

    def payload(self) -> dict[str, Any]:
        return {
            "fc_id": self.fc_id,
            "delivery_date": self.delivery_date.isoformat(),
            "vehicles": [[c.vehicle_id, c.driver_id] for c in self.vehicles],
            "objective": str(self.objective),
            "time_limit_s": self.time_limit_s,
        }


@dataclass(frozen=True)
class StopMove:
    """Move a stop to a place on a route (1 is first; None is last), or with no route, take it
    off the plan."""

    stop_id: int
    route_id: int | None
    position: int | None = None


@dataclass(frozen=True)
class DriverAssignment:
    route_id: int
    driver_id: int | None


# --- snapshots the planner works from -----------------------------------------------------------


@dataclass(frozen=True)
class _Delivery:
    """An order's shipped own-fleet parcels as one delivery, read for planning."""

    order_id: int
    latitude: float | None
    longitude: float | None
    window: tuple[time, time] | None
    weight_kg: float
    volume_l: float
    parcels: int
    service_s: float
    cod_amount: Decimal

    def point(self, clock: DayClock) -> DeliveryPoint:
        assert self.latitude is not None and self.longitude is not None
        return DeliveryPoint(
            key=str(self.order_id),
            latitude=self.latitude,
            longitude=self.longitude,
            window=(clock.seconds(self.window[0]), clock.seconds(self.window[1]))
            if self.window
            else None,
            service_s=self.service_s,
            demand=(self.weight_kg, self.volume_l, float(self.parcels)),
        )


@dataclass(frozen=True)
class _Limits:
    """A vehicle's limits for one plan (its shift starts no earlier than the planning, today)."""

    vehicle_id: int
    driver_id: int | None
    capacity_kg: float
    capacity_litres: float
    capacity_parcels: int
    fixed_cost: Decimal
    cost_per_km: Decimal
    shift_start: time
    shift_end: time
    max_route_hours: float

    def fleet_vehicle(self, clock: DayClock) -> FleetVehicle:
        return FleetVehicle(
            key=str(self.vehicle_id),
            capacity=(self.capacity_kg, self.capacity_litres, float(self.capacity_parcels)),
            shift=(clock.seconds(self.shift_start), clock.seconds(self.shift_end)),
            max_duration_s=self.max_route_hours * 3600,
            fixed_cost=float(self.fixed_cost),
            cost_per_km=float(self.cost_per_km),
        )


@dataclass(frozen=True)
class _Gathered:
    fc_code: str
    depot: tuple[float, float]
    clock: DayClock
    deliveries: tuple[_Delivery, ...]
    fleet: tuple[_Limits, ...]


# --- reading ------------------------------------------------------------------------------------


def fc_today(fc: FulfillmentCenter) -> date:
    return utcnow().astimezone(ZoneInfo(fc.timezone)).date()


def waiting_parcels(fc_id: int) -> Select[tuple[Package]]:
    """Shipped parcels of the FC's own fleet: handed to dispatch, not yet out for delivery."""
    return (
        select(Package)
        .join(Carrier, Carrier.id == Package.carrier_id)
        .where(
            Package.fc_id == fc_id,
            Package.status == PackageStatus.SHIPPED,
            Carrier.own_fleet.is_(True),
        )
    )


def _gather_deliveries(
    uow: UnitOfWork, fc: FulfillmentCenter, setup: RoadSetup
) -> tuple[_Delivery, ...]:
    parcels = list(
        uow.session.scalars(
            waiting_parcels(fc.id)
            .options(joinedload(Package.order))
            .order_by(Package.shipped_at, Package.id)
        )
    )
    by_order: dict[int, list[Package]] = defaultdict(list)
    for package in parcels:
        if package.order.status is OrderStatus.SHIPPED:
            by_order[package.order_id].append(package)
    deliveries = []
    for packages in list(by_order.values())[:MAX_PLAN_STOPS]:
        order = packages[0].order
        demand = parcel_demand(
            [(p.weight_g, p.length_mm, p.width_mm, p.height_mm) for p in packages]
        )
        deliveries.append(
            _Delivery(
                order_id=order.id,
                latitude=order.delivery_latitude,
                longitude=order.delivery_longitude,
                window=order.delivery_window,
                weight_kg=demand.kg,
                volume_l=demand.litres,
                parcels=demand.parcels,
                service_s=setup.service_seconds(demand.parcels),
                cod_amount=Decimal(order.cod_amount),
            )
        )
    return tuple(deliveries)


def _earliest_start(fc: FulfillmentCenter, delivery_date: date) -> float:
    """Seconds after local midnight before which no route leaves: now, for today's plan."""
    if delivery_date != fc_today(fc):
        return 0.0
    clock = DayClock(delivery_date, fc.timezone)
    now = clock.since_midnight(utcnow())
    return math.ceil(now / START_STEP_S) * START_STEP_S


def _gather_fleet(
    uow: UnitOfWork, actor: Actor, fc: FulfillmentCenter, request: PlanRequest
) -> tuple[_Limits, ...]:
    chosen = list(request.vehicles)
    if not chosen:
        chosen = [
            ChosenVehicle(vehicle.id)
            for vehicle in uow.session.scalars(
                select(Vehicle)
                .where(Vehicle.fc_id == fc.id, Vehicle.active.is_(True))
                .order_by(Vehicle.name, Vehicle.id)
            )
        ]
        if not chosen:
            raise Conflict(f"{fc.code} has no active vehicles; add the fleet first.", "vehicles")
    earliest = _earliest_start(fc, request.delivery_date)
    fleet = []
    for index, pick in enumerate(chosen):
        field = f"vehicles.{index}.vehicle_id"
        vehicle = uow.session.get(Vehicle, pick.vehicle_id)
        if vehicle is None or vehicle.fc_id != fc.id:
            raise NotFound(f"{fc.code} has no such vehicle.", field)
        if not vehicle.active:
            raise Conflict(f"{vehicle.name} is out of service.", field)
        if pick.driver_id is not None:
            active_driver(uow, fc, pick.driver_id, f"vehicles.{index}.driver_id")
        start = max(seconds_of_day(vehicle.shift_start), earliest)
        if start >= seconds_of_day(vehicle.shift_end):
            raise Conflict(f"{vehicle.name}'s shift is over for the day.", field)
        fleet.append(
            _Limits(
                vehicle_id=vehicle.id,
                driver_id=pick.driver_id,
                capacity_kg=vehicle.capacity_kg,
                capacity_litres=vehicle.capacity_litres,
                capacity_parcels=vehicle.capacity_parcels,
                fixed_cost=Decimal(vehicle.fixed_cost),
                cost_per_km=Decimal(vehicle.cost_per_km),
                shift_start=time(int(start // 3600), int(start % 3600 // 60)),
                shift_end=vehicle.shift_end,
                max_route_hours=vehicle.max_route_hours,
            )
        )
    return tuple(fleet)


def active_driver(uow: UnitOfWork, fc: FulfillmentCenter, driver_id: int, field: str) -> Driver:
    driver = uow.session.get(Driver, driver_id)
    if driver is None or driver.fc_id != fc.id:
        raise NotFound(f"{fc.code} has no such driver.", field)
    if not driver.active:
        raise Conflict(f"{driver.name} is no longer on the roster.", field)
    return driver


def _gather(uow: UnitOfWork, actor: Actor, request: PlanRequest, setup: RoadSetup) -> _Gathered:
    with uow:
        fc = delivery_fc(uow, actor, request.fc_id)
        check_delivery_date(request.delivery_date, fc_today(fc))
        if fc.latitude is None or fc.longitude is None:
            raise Conflict(
                f"Set {fc.code}'s location (latitude and longitude) before planning deliveries.",
                "fc_id",
            )
        fleet = _gather_fleet(uow, actor, fc, request)
        deliveries = _gather_deliveries(uow, fc, setup)
        if not deliveries:
            raise Conflict(
                f"No own-fleet parcels are waiting for delivery at {fc.code}.", "delivery_date"
            )
        return _Gathered(
            fc_code=fc.code,
            depot=(fc.latitude, fc.longitude),
            clock=DayClock(request.delivery_date, fc.timezone),
            deliveries=deliveries,
            fleet=fleet,
        )


# --- planning -----------------------------------------------------------------------------------


def _solve(problem: Problem, objective: PlanObjective, time_limit_s: float) -> Plan:
    options = SolveOptions(objective=SolverObjective(str(objective)), time_limit_s=time_limit_s)
    try:
        return solve(problem, options)
    except (NoSolution, ProblemError) as error:
        raise Conflict(f"The planner cannot use this data: {error}", "vehicles") from None


def plan_deliveries(
    uow: UnitOfWork, actor: Actor, request: PlanRequest, setup: RoadSetup, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Plan a day's deliveries from the FC: every shipped own-fleet parcel not yet out for
    delivery, on the chosen vehicles, minimising vehicles or cost. The plan is a draft until
    dispatched; deliveries no vehicle can take are left out with the reason."""
    request.check()
    payload = request.payload()
    replay = earlier_answer(uow, actor, key, "deliveries.plan", payload)
    if replay is not None:
        return replay, True
    began = timer.perf_counter()
    gathered = _gather(uow, actor, request, setup)
    gather_ms = timed(began)

    began = timer.perf_counter()
    located = [d for d in gathered.deliveries if d.latitude is not None]
    points = [delivery.point(gathered.clock) for delivery in located]
    matrices = road_matrices(setup, gathered.depot, points)
    matrix_ms = timed(began)

    began = timer.perf_counter()
    unreachable = set(matrices.unreachable)
    routable = [point for point in points if point.key not in unreachable]
    fleet = [limits.fleet_vehicle(gathered.clock) for limits in gathered.fleet]
    name = f"{gathered.fc_code} {gathered.clock.day.isoformat()}"
    problem = build_problem(name, matrices, routable, fleet)
    solved = _solve(problem, request.objective, request.time_limit_s)
    solve_ms = timed(began)

    def store() -> dict[str, Any]:
        began = timer.perf_counter()
        plan = _store_plan(
            uow,
            actor,
            request,
            setup,
            gathered,
            solved,
            unreachable,
            (gather_ms, matrix_ms, solve_ms),
        )
        plan.store_ms = timed(began)
        uow.session.flush()
        return plan_view(uow, plan)

    return run_once(uow, actor, key, "deliveries.plan", payload, store)


def _store_plan(
    uow: UnitOfWork,
    actor: Actor,
    request: PlanRequest,
    setup: RoadSetup,
    gathered: _Gathered,
    solved: Plan,
    unreachable: set[str],
    timings: tuple[int, int, int],
) -> DeliveryPlan:
    fc = delivery_fc(uow, actor, request.fc_id)
    clock = gathered.clock
    plan = DeliveryPlan(
        reference=f"NEW-{timer.time_ns()}-{actor.user_id}",
        fc_id=fc.id,
        delivery_date=clock.day,
        status=DeliveryPlanStatus.DRAFT,
        objective=request.objective,
        time_limit_s=request.time_limit_s,
        road_network=setup.name[:200],
        depot_latitude=gathered.depot[0],
        depot_longitude=gathered.depot[1],
        gather_ms=timings[0],
        matrix_ms=timings[1],
        solve_ms=timings[2],
        solver_stats=json.dumps(solved.stats, sort_keys=True, default=str),
        created_by=actor.user_id,
    )
    uow.session.add(plan)
    uow.session.flush()
    plan.reference = f"DP-{fc.code}-{plan.id:06d}"
    routes: dict[str, DeliveryRoute] = {}
    for number, limits in enumerate(gathered.fleet, start=1):
        route = DeliveryRoute(
            plan_id=plan.id,
            number=number,
            delivery_date=clock.day,
            dispatched=False,
            **asdict(limits),
        )
        uow.session.add(route)
        routes[str(limits.vehicle_id)] = route
    uow.session.flush()
    stops: dict[str, DeliveryStop] = {}
    for delivery in gathered.deliveries:
        stop = DeliveryStop(
            plan_id=plan.id,
            order_id=delivery.order_id,
            latitude=delivery.latitude,
            longitude=delivery.longitude,
            window_open=delivery.window[0] if delivery.window else None,
            window_close=delivery.window[1] if delivery.window else None,
            service_s=delivery.service_s,
            weight_kg=delivery.weight_kg,
            volume_l=delivery.volume_l,
            parcels=delivery.parcels,
            cod_amount=delivery.cod_amount,
            dispatched=False,
        )
        key = str(delivery.order_id)
        if delivery.latitude is None:
            leave_out(stop, LeftOutReason.NO_LOCATION)
        elif key in unreachable:
            leave_out(stop, LeftOutReason.NO_ROAD)
        stops[key] = stop
    for item in solved.unserved:
        leave_out(stops[item.stop_id], LeftOutReason(str(item.reason)), item.detail)
    for solved_route in solved.routes:
        place_route(routes[solved_route.vehicle_id], solved_route, stops, clock)
    used = {solved_route.vehicle_id for solved_route in solved.routes}
    for key, route in routes.items():
        if key not in used:
            place_route(route, None, stops, clock)
    uow.session.add_all(stops.values())
    total_plan(plan, list(routes.values()))
    uow.session.flush()
    return plan


def leave_out(stop: DeliveryStop, reason: LeftOutReason, detail: str = "") -> None:
    stop.route_id = None
    stop.route = None
    stop.sequence = None
    stop.left_out_reason = reason
    stop.left_out_detail = detail[:200]
    stop.arrival_at = stop.start_at = stop.departure_at = None
    stop.load_kg_after = stop.load_litres_after = None
    stop.load_parcels_after = None


def place_route(
    route: DeliveryRoute,
    timed_route: Route | None,
    stops: dict[str, DeliveryStop],
    clock: DayClock,
) -> None:
    """Set a route's figures and its stops' places and times from the route as timed."""
    if timed_route is None or not timed_route.visits:
        route.distance_m = 0.0
        route.leave_at = route.back_at = None
        route.load_kg = route.load_litres = 0.0
        route.load_parcels = 0
        route.cost = Decimal("0.00")
        return
    route.distance_m = round(timed_route.distance, 1)
    route.leave_at = clock.at(timed_route.leave)
    route.back_at = clock.at(timed_route.back)
    route.load_kg = round(timed_route.load[0], 3)
    route.load_litres = round(timed_route.load[1], 3)
    route.load_parcels = round(timed_route.load[2])
    route.cost = Decimal(str(timed_route.cost)).quantize(CENT, rounding=ROUND_HALF_UP)
    for sequence, visit in enumerate(timed_route.visits, start=1):
        stop = stops[visit.stop_id]
        stop.route = route
        stop.route_id = route.id
        stop.sequence = sequence
        stop.left_out_reason = None
        stop.left_out_detail = ""
        stop.arrival_at = clock.at(visit.arrival)
        stop.start_at = clock.at(visit.start)
        stop.departure_at = clock.at(visit.departure)
        stop.load_kg_after = round(visit.load_after[0], 3)
        stop.load_litres_after = round(visit.load_after[1], 3)
        stop.load_parcels_after = round(visit.load_after[2])


def total_plan(plan: DeliveryPlan, routes: Sequence[DeliveryRoute]) -> None:
    plan.distance_m = round(sum(route.distance_m for route in routes), 1)
    plan.duration_s = sum(
        (route.back_at - route.leave_at).total_seconds()
        for route in routes
        if route.back_at is not None and route.leave_at is not None
    )
    plan.cost = sum((Decimal(route.cost) for route in routes), Decimal("0.00"))


# --- the plan as data ---------------------------------------------------------------------------


def visible_plan(
    uow: UnitOfWork, actor: Actor, plan_id: int, *, lock: bool = False, field: str = "plan_id"
) -> DeliveryPlan:
    """A plan of an FC whose deliveries the actor plans (locked for a change, if asked)."""
    query = select(DeliveryPlan).where(DeliveryPlan.id == plan_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    plan = uow.session.scalar(query)
    if plan is None or not actor.works_in(plan.fc_id):
        raise NotFound("No such delivery plan." if field == "plan_id" else "No such route.", field)
    delivery_fc(uow, actor, plan.fc_id)
    return plan


def _plan_rows(
    uow: UnitOfWork, plan: DeliveryPlan
) -> tuple[list[DeliveryRoute], list[DeliveryStop], dict[int, list[Package]]]:
    routes = list(
        uow.session.scalars(
            select(DeliveryRoute)
            .options(joinedload(DeliveryRoute.vehicle), joinedload(DeliveryRoute.driver))
            .where(DeliveryRoute.plan_id == plan.id)
            .order_by(DeliveryRoute.number)
        )
    )
    stops = list(
        uow.session.scalars(
            select(DeliveryStop)
            .options(joinedload(DeliveryStop.order))
            .where(DeliveryStop.plan_id == plan.id)
            .order_by(DeliveryStop.route_id, DeliveryStop.sequence, DeliveryStop.id)
        )
    )
    parcels: dict[int, list[Package]] = defaultdict(list)
    order_ids = [stop.order_id for stop in stops]
    for start in range(0, len(order_ids), 500):
        for package in uow.session.scalars(
            select(Package)
            .where(
                Package.order_id.in_(order_ids[start : start + 500]),
                Package.status.in_((PackageStatus.SHIPPED, PackageStatus.OUT_FOR_DELIVERY)),
            )
            .order_by(Package.id)
        ):
            parcels[package.order_id].append(package)
    return routes, stops, parcels


def _clock_time(moment: time | None) -> str | None:
    return moment.strftime("%H:%M") if moment is not None else None


def _stop_view(stop: DeliveryStop, parcels: list[Package]) -> dict[str, Any]:
    order = stop.order
    return {
        "id": stop.id,
        "route_id": stop.route_id,
        "sequence": stop.sequence,
        "order_id": order.id,
        "order_reference": order.reference,
        "recipient_name": order.recipient_name,
        "recipient_phone": order.recipient_phone,
        "address": order.address,
        "city": order.city,
        "postcode": order.postcode,
        "latitude": stop.latitude,
        "longitude": stop.longitude,
        "window_open": _clock_time(stop.window_open),
        "window_close": _clock_time(stop.window_close),
        "arrival_at": iso(stop.arrival_at),
        "start_at": iso(stop.start_at),
        "departure_at": iso(stop.departure_at),
        "weight_kg": round(stop.weight_kg, 3),
        "volume_l": round(stop.volume_l, 3),
        "parcels": stop.parcels,
        "load_after": {
            "kg": stop.load_kg_after,
            "litres": stop.load_litres_after,
            "parcels": stop.load_parcels_after,
        },
        "cod_amount": str(stop.cod_amount),
        "left_out_reason": str(stop.left_out_reason) if stop.left_out_reason else None,
        "left_out_detail": stop.left_out_detail,
        "tracking_numbers": [p.tracking_number for p in parcels if p.tracking_number],
    }


def _route_view(
    route: DeliveryRoute, stops: list[DeliveryStop], parcels: dict[int, list[Package]]
) -> dict[str, Any]:
    driver = route.driver
    duration = (
        (route.back_at - route.leave_at).total_seconds()
        if route.back_at is not None and route.leave_at is not None
        else 0.0
    )
    return {
        "id": route.id,
        "number": route.number,
        "vehicle": {
            "id": route.vehicle.id,
            "name": route.vehicle.name,
            "plate": route.vehicle.plate,
        },
        "driver": (
            {"id": driver.id, "name": driver.name, "phone": driver.phone} if driver else None
        ),
        "dispatched": route.dispatched,
        "distance_m": route.distance_m,
        "duration_s": duration,
        "leave_at": iso(route.leave_at),
        "back_at": iso(route.back_at),
        "load": {"kg": route.load_kg, "litres": route.load_litres, "parcels": route.load_parcels},
        "capacity": {
            "kg": route.capacity_kg,
            "litres": route.capacity_litres,
            "parcels": route.capacity_parcels,
        },
        "shift_start": _clock_time(route.shift_start),
        "shift_end": _clock_time(route.shift_end),
        "max_route_hours": route.max_route_hours,
        "cost": str(route.cost),
        "cod_total": str(sum((Decimal(s.cod_amount) for s in stops), Decimal("0.00"))),
        "stops": [_stop_view(stop, parcels.get(stop.order_id, [])) for stop in stops],
    }


def _summary(plan: DeliveryPlan, routes: int, stops: int, left_out: int) -> dict[str, Any]:
    return {
        "id": plan.id,
        "reference": plan.reference,
        "fc_id": plan.fc_id,
        "delivery_date": plan.delivery_date.isoformat(),
        "status": str(plan.status),
        "objective": str(plan.objective),
        "time_limit_s": plan.time_limit_s,
        "road_network": plan.road_network,
        "routes_used": routes,
        "stops": stops,
        "left_out": left_out,
        "distance_m": plan.distance_m,
        "duration_s": plan.duration_s,
        "cost": str(plan.cost),
        "created_at": iso(plan.created_at),
        "dispatched_at": iso(plan.dispatched_at),
        "discarded_at": iso(plan.discarded_at),
    }


def plan_view(uow: UnitOfWork, plan: DeliveryPlan) -> dict[str, Any]:
    """The plan with its routes (stops in order, times, loads) and the deliveries left out."""
    routes, stops, parcels = _plan_rows(uow, plan)
    by_route: dict[int, list[DeliveryStop]] = defaultdict(list)
    left_out = []
    for stop in stops:
        if stop.route_id is None:
            left_out.append(stop)
        else:
            by_route[stop.route_id].append(stop)
    fc = plan.fc
    used = [route for route in routes if by_route.get(route.id)]
    return {
        **_summary(plan, len(used), sum(len(s) for s in by_route.values()), len(left_out)),
        "fc_code": fc.code,
        "currency": fc.currency,
        "timezone": fc.timezone,
        "depot": {"latitude": plan.depot_latitude, "longitude": plan.depot_longitude},
        "version": plan.version,
        "parcels": sum(stop.parcels for s in by_route.values() for stop in s),
        "cod_total": str(
            sum((Decimal(stop.cod_amount) for s in by_route.values() for stop in s), CENT * 0)
        ),
        "timings_ms": {
            "gather": plan.gather_ms,
            "road_matrices": plan.matrix_ms,
            "solve": plan.solve_ms,
            "store": plan.store_ms,
        },
        "solver_stats": json.loads(plan.solver_stats or "{}"),
        "routes": [_route_view(route, by_route.get(route.id, []), parcels) for route in routes],
        "left_out_stops": [_stop_view(stop, parcels.get(stop.order_id, [])) for stop in left_out],
    }


def get_plan(uow: UnitOfWork, actor: Actor, plan_id: int) -> dict[str, Any]:
    with uow:
        return plan_view(uow, visible_plan(uow, actor, plan_id))


def list_plans(
    uow: UnitOfWork,
    actor: Actor,
    fc_id: int,
    delivery_date: date | None = None,
    status: DeliveryPlanStatus | None = None,
) -> list[dict[str, Any]]:
    """The FC's plans, newest first (of one day, or the latest hundred)."""
    with uow:
        fc = delivery_fc(uow, actor, fc_id)
        query = select(DeliveryPlan).where(DeliveryPlan.fc_id == fc.id)
        if delivery_date is not None:
            query = query.where(DeliveryPlan.delivery_date == delivery_date)
        if status is not None:
            query = query.where(DeliveryPlan.status == status)
        plans = list(uow.session.scalars(query.order_by(DeliveryPlan.id.desc()).limit(100)))
        ids = [plan.id for plan in plans]
        counts: dict[int, dict[str, int]] = defaultdict(lambda: {"stops": 0, "left_out": 0})
        used: dict[int, set[int]] = defaultdict(set)
        for plan_id, route_id, count in uow.session.execute(
            select(DeliveryStop.plan_id, DeliveryStop.route_id, func.count(DeliveryStop.id))
            .where(DeliveryStop.plan_id.in_(ids))
            .group_by(DeliveryStop.plan_id, DeliveryStop.route_id)
        ):
            if route_id is None:
                counts[plan_id]["left_out"] += count
            else:
                counts[plan_id]["stops"] += count
                used[plan_id].add(route_id)
        return [
            _summary(
                plan, len(used[plan.id]), counts[plan.id]["stops"], counts[plan.id]["left_out"]
            )
            for plan in plans
        ]


def waiting_deliveries(uow: UnitOfWork, actor: Actor, fc_id: int) -> dict[str, Any]:
    """What waits to go out with the own fleet: orders and parcels, and how many orders have
    no delivery coordinates."""
    with uow:
        fc = delivery_fc(uow, actor, fc_id)
        rows = uow.session.execute(
            waiting_parcels(fc.id)
            .join(Order, Order.id == Package.order_id)
            .with_only_columns(Package.order_id, Order.delivery_latitude)
        ).all()
        orders = {order_id: latitude for order_id, latitude in rows}
        return {
            "fc_id": fc.id,
            "today": fc_today(fc).isoformat(),
            "orders": len(orders),
            "parcels": len(rows),
            "without_location": sum(1 for latitude in orders.values() if latitude is None),
            "has_location": fc.latitude is not None,
        }


# --- the plan as a routing problem --------------------------------------------------------------


def _route_limits(route: DeliveryRoute) -> _Limits:
    """The limits a route was planned with."""
    return _Limits(**{name: getattr(route, name) for name in _Limits.__dataclass_fields__})


def _stop_delivery(stop: DeliveryStop) -> _Delivery:
    return _Delivery(
        order_id=stop.order_id,
        latitude=stop.latitude,
        longitude=stop.longitude,
        window=stop.window,
        weight_kg=stop.weight_kg,
        volume_l=stop.volume_l,
        parcels=stop.parcels,
        service_s=stop.service_s,
        cod_amount=Decimal(stop.cod_amount),
    )


@dataclass(frozen=True)
class PlanSnapshot:
    """What a plan was made from, for some of its routes: enough to time them again."""

    plan_id: int
    version: int
    clock: DayClock
    depot: tuple[float, float]
    fleet: tuple[_Limits, ...]
    deliveries: tuple[_Delivery, ...]
    sequences: dict[str, list[str]]
    """Order ids (as text) in route order, by vehicle id (as text)."""

    def problem(self, setup: RoadSetup) -> Problem:
        """The routing problem of these routes and deliveries (road distances asked now)."""
        points = [delivery.point(self.clock) for delivery in self.deliveries]
        matrices = road_matrices(setup, self.depot, points)
        if matrices.unreachable:
            raise Conflict(
                "The road network no longer reaches some of these deliveries.", "stop_id"
            )
        fleet = [limits.fleet_vehicle(self.clock) for limits in self.fleet]
        return build_problem(str(self.plan_id), matrices, points, fleet)


def plan_snapshot(
    uow: UnitOfWork,
    plan: DeliveryPlan,
    routes: Sequence[DeliveryRoute],
    extra: Sequence[DeliveryStop] = (),
) -> PlanSnapshot:
    route_ids = [route.id for route in routes]
    stops = list(
        uow.session.scalars(
            select(DeliveryStop)
            .where(DeliveryStop.route_id.in_(route_ids))
            .order_by(DeliveryStop.route_id, DeliveryStop.sequence)
        )
    )
    sequences = {str(route.vehicle_id): [] for route in routes}
    vehicle_of = {route.id: str(route.vehicle_id) for route in routes}
    for stop in stops:
        assert stop.route_id is not None
        sequences[vehicle_of[stop.route_id]].append(str(stop.order_id))
    deliveries = {stop.order_id: _stop_delivery(stop) for stop in [*stops, *extra]}
    return PlanSnapshot(
        plan_id=plan.id,
        version=plan.version,
        clock=DayClock(plan.delivery_date, plan.fc.timezone),
        depot=(plan.depot_latitude, plan.depot_longitude),
        fleet=tuple(_route_limits(route) for route in routes),
        deliveries=tuple(deliveries.values()),
        sequences=sequences,
    )


def plan_problem(
    uow: UnitOfWork, actor: Actor, plan_id: int, setup: RoadSetup
) -> tuple[Problem, dict[str, list[str]], list[Unserved]]:
    """A stored plan as the routing problem it solves, its routes (order ids by vehicle id) and
    its left-out deliveries, for checking it with `routing.vrp_check.evaluate`."""
    with uow:
        plan = visible_plan(uow, actor, plan_id)
        located = [s for s in plan.stops if s.route_id is None and s.latitude is not None]
        snapshot = plan_snapshot(uow, plan, list(plan.routes), located)
        unserved = [
            Unserved(str(stop.order_id), _unserved_reason(stop.left_out_reason)) for stop in located
        ]
    problem = snapshot.problem(setup)
    return problem, snapshot.sequences, unserved


def _unserved_reason(reason: LeftOutReason | None) -> UnservedReason:
    try:
        return UnservedReason(str(reason))
    except ValueError:
        return UnservedReason.FLEET_FULL
