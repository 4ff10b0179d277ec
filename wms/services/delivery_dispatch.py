"""What a dispatcher does with a draft delivery plan: move stops between routes or take them
off, choose the drivers, then dispatch the routes to the drivers or discard the plan.

A move is timed again on the plan's own data with `routing.vrp_check`, with no transaction
open while the road network answers, and stored only if the plan did not change meanwhile.
Dispatching puts the parcels out for delivery; an order, a vehicle and a driver go out on at
most one route a day, which the database's unique indexes hold even against a race.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from routing.vrp import Problem, Route
from routing.vrp_check import TOLERANCE, Evaluation, evaluate
from wms.db.base import utcnow
from wms.db.models import DeliveryPlan, DeliveryRoute, DeliveryStop, Driver, Package, Vehicle
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.deliveries import (
    CAPACITY_DIMENSIONS,
    DeliveryPlanStatus,
    LeftOutReason,
    check_dispatch_date,
    check_draft,
    check_position,
)
from wms.domain.errors import Conflict, InvalidInput, NotFound
from wms.domain.packing import PackageStatus
from wms.services.deliveries import (
    SEQUENCE_OFFSET,
    DriverAssignment,
    StopMove,
    active_driver,
    fc_today,
    leave_out,
    place_route,
    plan_snapshot,
    plan_view,
    total_plan,
    visible_plan,
)
from wms.services.delivery_problem import DayClock, RoadSetup
from wms.services.idempotency import earlier_answer, run_once
from wms.services.outbox import emit
from wms.services.views import iso

UNITS = {"kg": "kg", "litres": "litres", "parcels": "parcels"}


def _above(value: float, limit: float) -> bool:
    return value > limit + TOLERANCE * max(1.0, abs(limit))


def _clock(clock: DayClock, seconds: float) -> str:
    return clock.at(seconds).astimezone(clock.midnight.tzinfo).strftime("%H:%M")


def _hours(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def first_breach(
    problem: Problem,
    evaluation: Evaluation,
    clock: DayClock,
    vehicle_names: dict[str, str],
    stop_names: dict[str, str],
) -> str:
    """The first rule the evaluated routes break, in the dispatcher's words."""
    for route in evaluation.plan.routes:
        vehicle = problem.vehicle(route.vehicle_id)
        name = vehicle_names[route.vehicle_id]
        for dimension, carried, capacity in zip(
            CAPACITY_DIMENSIONS, route.load, vehicle.capacity, strict=True
        ):
            if _above(carried, capacity):
                return (
                    f"{name} would carry {carried:.4g} {UNITS[dimension]}, over its capacity "
                    f"of {capacity:.4g} {UNITS[dimension]}."
                )
        for visit in route.visits:
            window = problem.stop(visit.stop_id).window
            if window is not None and _above(visit.start, window.close):
                return (
                    f"The delivery to {stop_names[visit.stop_id]} would start at "
                    f"{_clock(clock, visit.start)}, after its window closes at "
                    f"{_clock(clock, window.close)}."
                )
        if vehicle.shift is not None and _above(route.back, vehicle.shift.close):
            return (
                f"{name} would be back at {_clock(clock, route.back)}, after its shift ends at "
                f"{_clock(clock, vehicle.shift.close)}."
            )
        if vehicle.max_duration is not None and _above(route.duration, vehicle.max_duration):
            return (
                f"{name}'s route would last {_hours(route.duration)} h, over its maximum of "
                f"{_hours(vehicle.max_duration)} h."
            )
    return "The routes would break a rule: " + "; ".join(evaluation.violations)


# --- moving a stop ------------------------------------------------------------------------------


def _planned_routes(
    uow: UnitOfWork, plan: DeliveryPlan, move: StopMove
) -> tuple[DeliveryStop, list[DeliveryRoute], DeliveryRoute | None]:
    """The stop, the routes the move touches (where it is, where it goes) and its target."""
    stop = uow.session.get(DeliveryStop, move.stop_id)
    if stop is None or stop.plan_id != plan.id:
        raise NotFound("This plan has no such stop.", "stop_id")
    target = None
    if move.route_id is not None:
        target = uow.session.get(DeliveryRoute, move.route_id)
        if target is None or target.plan_id != plan.id:
            raise NotFound("This plan has no such route.", "route_id")
        if stop.latitude is None:
            raise Conflict(
                "This order has no delivery coordinates; it cannot go on a route.", "stop_id"
            )
    elif stop.route_id is None:
        raise Conflict("This stop is not on a route.", "route_id")
    touched = {route.id: route for route in (stop.route, target) if route is not None}
    return stop, list(touched.values()), target


def move_stop(
    uow: UnitOfWork, actor: Actor, plan_id: int, move: StopMove, setup: RoadSetup, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Move a stop of a draft plan to a place on a route (or take it off the plan). The routes
    are timed again; a move that breaks a vehicle's capacity, a window, a shift or a route's
    maximum hours is refused, naming the rule."""
    payload = {
        "plan_id": plan_id,
        "stop_id": move.stop_id,
        "route_id": move.route_id,
        "position": move.position,
    }
    replay = earlier_answer(uow, actor, key, "deliveries.move", payload)
    if replay is not None:
        return replay, True
    with uow:
        plan = visible_plan(uow, actor, plan_id)
        check_draft(plan.status, "changed")
        stop, routes, target = _planned_routes(uow, plan, move)
        snapshot = plan_snapshot(uow, plan, routes, [stop])
        route_ids = [route.id for route in routes]
        vehicle_names = {str(route.vehicle_id): route.vehicle.name for route in routes}
        stop_names = {
            str(other.order_id): f"{other.order.recipient_name} ({other.order.reference})"
            for other in [stop, *(s for route in routes for s in route.stops)]
        }
        moved = str(stop.order_id)
        into_vehicle = str(target.vehicle_id) if target is not None else None
    sequences = {
        vehicle: [i for i in ids if i != moved] for vehicle, ids in snapshot.sequences.items()
    }
    if into_vehicle is not None:
        into = sequences[into_vehicle]
        into.insert(check_position(move.position, len(into)) - 1, moved)
    problem = snapshot.problem(setup)
    evaluation = evaluate(problem, sequences)
    if not evaluation.feasible:
        raise Conflict(
            first_breach(problem, evaluation, snapshot.clock, vehicle_names, stop_names),
            "route_id",
        )
    timed = {route.vehicle_id: route for route in evaluation.plan.routes}

    def store() -> dict[str, Any]:
        locked = visible_plan(uow, actor, plan_id, lock=True)
        check_draft(locked.status, "changed")
        if locked.version != snapshot.version:
            raise Conflict("The plan changed meanwhile; look at it again and retry.", "plan_id")
        touched = [uow.session.get(DeliveryRoute, route_id) for route_id in route_ids]
        _retime(uow, locked, [r for r in touched if r is not None], timed, snapshot.clock, move)
        return plan_view(uow, locked)

    return run_once(uow, actor, key, "deliveries.move", payload, store)


def _retime(
    uow: UnitOfWork,
    plan: DeliveryPlan,
    routes: Sequence[DeliveryRoute],
    timed: dict[str, Route],
    clock: DayClock,
    move: StopMove,
) -> None:
    """Store the routes as timed: stops renumbered (through an offset, so no two stops share
    a place on the way), the moved stop taken off if it goes nowhere, totals again."""
    stops = {
        str(stop.order_id): stop
        for stop in uow.session.scalars(
            select(DeliveryStop).where(
                (DeliveryStop.route_id.in_([route.id for route in routes]))
                | (DeliveryStop.id == move.stop_id)
            )
        )
    }
    for stop in stops.values():
        if stop.sequence is not None:
            stop.sequence += SEQUENCE_OFFSET
    uow.session.flush()
    if move.route_id is None:
        moved = next(stop for stop in stops.values() if stop.id == move.stop_id)
        leave_out(moved, LeftOutReason.REMOVED, "")
    for route in routes:
        place_route(route, timed.get(str(route.vehicle_id)), stops, clock)
    uow.session.flush()
    total_plan(plan, list(plan.routes))
    plan.version += 1
    plan.updated_at = utcnow()
    uow.session.flush()


# --- drivers ------------------------------------------------------------------------------------


def assign_drivers(
    uow: UnitOfWork,
    actor: Actor,
    plan_id: int,
    assignments: Sequence[DriverAssignment],
    key: str | None,
) -> tuple[dict[str, Any], bool]:
    """Choose the driver of each listed route of a draft plan (None: no driver yet). A driver
    drives one route of a plan; one chosen here leaves an unlisted route with no stops."""
    payload = {
        "plan_id": plan_id,
        "assignments": [[item.route_id, item.driver_id] for item in assignments],
    }

    def perform() -> dict[str, Any]:
        plan = visible_plan(uow, actor, plan_id, lock=True)
        check_draft(plan.status, "changed")
        routes = {route.id: route for route in plan.routes}
        wanted = {route.id: route.driver_id for route in plan.routes}
        for index, item in enumerate(assignments):
            if item.route_id not in routes:
                raise NotFound("This plan has no such route.", f"assignments.{index}.route_id")
            if item.driver_id is not None:
                active_driver(uow, plan.fc, item.driver_id, f"assignments.{index}.driver_id")
            wanted[item.route_id] = item.driver_id
        # A route with no stops stays home: its driver is free for a route that was listed.
        listed = {item.route_id for item in assignments}
        chosen = {item.driver_id for item in assignments if item.driver_id is not None}
        for route in plan.routes:
            if route.id not in listed and not route.stops and wanted[route.id] in chosen:
                wanted[route.id] = None
        drivers = [driver for driver in wanted.values() if driver is not None]
        for index, item in enumerate(assignments):
            if item.driver_id is not None and drivers.count(item.driver_id) > 1:
                raise InvalidInput(
                    "This driver already drives another route of the plan.",
                    f"assignments.{index}.driver_id",
                )
        changed = [route for route in plan.routes if route.driver_id != wanted[route.id]]
        for route in changed:
            route.driver_id = None
        uow.session.flush()
        for route in changed:
            route.driver_id = wanted[route.id]
        if changed:
            plan.version += 1
            plan.updated_at = utcnow()
        uow.session.flush()
        for route in plan.routes:
            uow.session.refresh(route, ["driver"])
        return plan_view(uow, plan)

    return run_once(uow, actor, key, "deliveries.drivers", payload, perform)


# --- dispatch and discard -----------------------------------------------------------------------


def _locked(uow: UnitOfWork, model: type[Vehicle] | type[Driver], ids: list[int]) -> dict[int, Any]:
    """The rows of these ids, locked in id order (two dispatches lock them in the same order)."""
    query = (
        select(model)
        .where(model.id.in_(ids))
        .order_by(model.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {row.id: row for row in uow.session.scalars(query)}


def _check_fleet_free(uow: UnitOfWork, plan: DeliveryPlan, routes: Sequence[DeliveryRoute]) -> None:
    """The routes' vehicles and drivers are in service and not out on another route that day."""
    vehicle_ids = sorted(route.vehicle_id for route in routes)
    driver_ids = sorted(route.driver_id for route in routes if route.driver_id is not None)
    vehicles = _locked(uow, Vehicle, vehicle_ids)
    drivers = _locked(uow, Driver, driver_ids)
    for route in routes:
        vehicle = vehicles[route.vehicle_id]
        if route.driver_id is None:
            raise Conflict(
                f"Route {route.number} ({vehicle.name}) has no driver; choose one first.",
                "driver_id",
            )
        if not vehicle.active:
            raise Conflict(f"{vehicle.name} is out of service.", "vehicle_id")
        driver = drivers[route.driver_id]
        if not driver.active:
            raise Conflict(f"{driver.name} is no longer on the roster.", "driver_id")
    out = uow.session.execute(
        select(DeliveryRoute.vehicle_id, DeliveryRoute.driver_id, DeliveryPlan.reference)
        .join(DeliveryPlan, DeliveryPlan.id == DeliveryRoute.plan_id)
        .where(
            DeliveryRoute.dispatched.is_(True),
            DeliveryRoute.delivery_date == plan.delivery_date,
            (DeliveryRoute.vehicle_id.in_(vehicle_ids)) | (DeliveryRoute.driver_id.in_(driver_ids)),
        )
    ).first()
    if out is not None:
        vehicle_id, driver_id, reference = out
        name = vehicles[vehicle_id].name if vehicle_id in vehicles else drivers[driver_id].name
        raise Conflict(f"{name} is already out on plan {reference} that day.", "vehicle_id")


def _check_parcels_waiting(
    uow: UnitOfWork, stops: Sequence[DeliveryStop]
) -> dict[int, list[Package]]:
    """Each stop's parcels, locked, still waiting at dispatch (not out with another plan)."""
    order_ids = sorted(stop.order_id for stop in stops)
    parcels: dict[int, list[Package]] = defaultdict(list)
    for start in range(0, len(order_ids), 500):
        for package in uow.session.scalars(
            select(Package)
            .where(
                Package.order_id.in_(order_ids[start : start + 500]),
                Package.status.in_((PackageStatus.SHIPPED, PackageStatus.OUT_FOR_DELIVERY)),
            )
            .order_by(Package.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ):
            parcels[package.order_id].append(package)
    for stop in stops:
        found = parcels.get(stop.order_id, [])
        gone = [p for p in found if p.status is not PackageStatus.SHIPPED]
        if gone or not found:
            reference = stop.order.reference
            raise Conflict(
                f"The parcels of {reference} are no longer waiting at dispatch (out with "
                "another plan?); take the stop off or plan again.",
                "stop_id",
            )
    return parcels


def dispatch_plan(
    uow: UnitOfWork, actor: Actor, plan_id: int, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Send the draft's routes out: every used route needs a driver; its parcels go out for
    delivery and each merchant hears of its orders (outbox). Routes with no stops stay home."""

    def perform() -> dict[str, Any]:
        plan = visible_plan(uow, actor, plan_id, lock=True)
        check_draft(plan.status, "dispatched")
        check_dispatch_date(plan.delivery_date, fc_today(plan.fc))
        stops = [stop for stop in plan.stops if stop.route_id is not None]
        if not stops:
            raise Conflict("No route of this plan has a stop; there is nothing to send.", "status")
        used_ids = {stop.route_id for stop in stops}
        used = [route for route in plan.routes if route.id in used_ids]
        _check_fleet_free(uow, plan, used)
        parcels = _check_parcels_waiting(uow, stops)
        now = utcnow()
        for route in used:
            route.dispatched = True
        for stop in stops:
            stop.dispatched = True
            for package in parcels[stop.order_id]:
                package.status = PackageStatus.OUT_FOR_DELIVERY
            order = stop.order
            emit(
                uow,
                "order.out_for_delivery",
                order.merchant_id,
                {
                    "order": order.reference,
                    "external_id": order.external_id,
                    "delivery_date": plan.delivery_date.isoformat(),
                    "planned_arrival": iso(stop.arrival_at),
                    "tracking_numbers": [p.tracking_number for p in parcels[stop.order_id]],
                },
            )
        plan.status = DeliveryPlanStatus.DISPATCHED
        plan.dispatched_by = actor.user_id
        plan.dispatched_at = now
        plan.version += 1
        try:
            uow.session.flush()
        except IntegrityError:
            uow.session.rollback()
            raise Conflict(
                "Another plan took one of these parcels, vehicles or drivers out that day; "
                "look at the plan again.",
                "status",
            ) from None
        return plan_view(uow, plan)

    return run_once(uow, actor, key, "deliveries.dispatch", {"plan_id": plan_id}, perform)


def discard_plan(
    uow: UnitOfWork, actor: Actor, plan_id: int, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Drop a draft plan; its parcels wait for the next one."""

    def perform() -> dict[str, Any]:
        plan = visible_plan(uow, actor, plan_id, lock=True)
        check_draft(plan.status, "discarded")
        plan.status = DeliveryPlanStatus.DISCARDED
        plan.discarded_by = actor.user_id
        plan.discarded_at = utcnow()
        plan.version += 1
        uow.session.flush()
        return plan_view(uow, plan)

    return run_once(uow, actor, key, "deliveries.discard", {"plan_id": plan_id}, perform)
