"""Check a delivery plan against its problem in floating point, and time its routes.

`evaluate` takes the stop ids each vehicle serves, in order, and works out every route from the
problem alone: when the vehicle leaves, arrives, waits, serves and is back, what it carries,
how far it drives and what that costs. It lists every rule the routes break (a stop served late,
a vehicle back after its shift, a route over its maximum duration or over capacity, a stop
missing, unknown or served twice) instead of stopping at the first. The solver builds its plans
with it, and the command line's `check` uses it to verify a solution file independently.

Schedules: a vehicle serves each stop as early as it can, so it is back as early as it can be;
it leaves the depot as late as it can without coming back later (its route is then as short as
it can be). Service starts within the stop's window; a window's close is the latest start.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from routing.vrp import Plan, Problem, Route, Unserved, UnservedReason, Vehicle, Visit

TOLERANCE = 1e-6
"""Relative slack allowed on times, loads and durations (rounding of floating point sums)."""


@dataclass(frozen=True)
class Evaluation:
    """A plan's routes, worked out from the problem, and the rules they break (if any)."""

    plan: Plan
    violations: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        """True when the routes break no rule."""
        return not self.violations


def evaluate(
    problem: Problem,
    sequences: Mapping[str, Sequence[str]],
    unserved: Sequence[Unserved] = (),
) -> Evaluation:
    """The plan serving `sequences` (stop ids in order, by vehicle id), checked.

    Stops in neither `sequences` nor `unserved` are left out as well, with reason
    `FLEET_FULL`; leaving out a stop without a penalty is a violation.
    """
    violations: list[str] = []
    seen: dict[str, str] = {}
    routes: list[Route] = []
    for vehicle_id, stop_ids in sequences.items():
        try:
            vehicle = problem.vehicle(vehicle_id)
        except KeyError:
            violations.append(f"vehicle {vehicle_id!r} is not in the fleet")
            continue
        known: list[str] = []
        for stop_id in stop_ids:
            if stop_id in seen:
                violations.append(
                    f"stop {stop_id!r} is served twice (vehicles {seen[stop_id]!r} and "
                    f"{vehicle_id!r})"
                )
                continue
            try:
                problem.stop(stop_id)
            except KeyError:
                violations.append(f"stop {stop_id!r} (vehicle {vehicle_id!r}) is not a stop")
                continue
            seen[stop_id] = vehicle_id
            known.append(stop_id)
        if known:
            route, broken = time_route(problem, vehicle, known)
            routes.append(route)
            violations.extend(broken)
    left_out = {item.stop_id: item for item in unserved if item.stop_id not in seen}
    for stop in problem.stops:
        if stop.id in seen:
            continue
        if stop.id not in left_out:
            left_out[stop.id] = Unserved(stop.id, UnservedReason.FLEET_FULL)
        if stop.penalty is None:
            violations.append(f"stop {stop.id!r} must be served but is not")
    penalty = math.fsum(
        problem.stop(stop_id).penalty or 0.0 for stop_id in left_out if stop_id not in seen
    )
    order = {stop.id: index for index, stop in enumerate(problem.stops)}
    plan = Plan(
        routes=tuple(routes),
        unserved=tuple(sorted(left_out.values(), key=lambda item: order[item.stop_id])),
        penalty=penalty,
    )
    return Evaluation(plan, tuple(violations))


def time_route(
    problem: Problem, vehicle: Vehicle, stop_ids: Sequence[str]
) -> tuple[Route, list[str]]:
    """The route of `vehicle` through the stops in that order, and the rules it breaks."""
    stops = [problem.stop(stop_id) for stop_id in stop_ids]
    durations = problem.duration_matrix
    distances = problem.distance_matrix
    depot = problem.depot
    opens = vehicle.shift.open if vehicle.shift else 0.0
    closes = vehicle.shift.close if vehicle.shift else math.inf
    places = [depot, *(stop.location for stop in stops), depot]

    # Serve each stop as early as possible, leaving when the shift opens.
    starts: list[float] = []
    waits: list[float] = []
    clock = opens
    for previous, stop in zip(places, stops, strict=False):
        arrival = clock + float(durations[previous, stop.location])
        start = max(arrival, stop.window.open) if stop.window else arrival
        starts.append(start)
        waits.append(start - arrival)
        clock = start + stop.service_time
    # Leave later by as much as waiting absorbs without a later return or a missed window.
    delay = math.fsum(waits)
    waited = 0.0
    for stop, start, wait in zip(stops, starts, waits, strict=True):
        waited += wait
        if stop.window is not None:
            delay = min(delay, stop.window.close - start + waited)
    delay = max(delay, 0.0)
    leave = opens + delay

    violations: list[str] = []
    visits: list[Visit] = []
    load = [math.fsum(values) for values in zip(*(stop.demand for stop in stops), strict=True)]
    if not load:
        load = [0.0] * len(problem.dimensions)
    on_board = list(load)
    clock = leave
    distance = 0.0
    where = f"vehicle {vehicle.id!r}"
    for previous, stop in zip(places, stops, strict=False):
        arrival = clock + float(durations[previous, stop.location])
        distance += float(distances[previous, stop.location])
        start = max(arrival, stop.window.open) if stop.window else arrival
        if stop.window is not None and _above(start, stop.window.close):
            violations.append(
                f"{where}: stop {stop.id!r} starts at {start:g}, after its window closes "
                f"({stop.window.close:g})"
            )
        on_board = [left - taken for left, taken in zip(on_board, stop.demand, strict=True)]
        clock = start + stop.service_time
        visits.append(Visit(stop.id, arrival, start, clock, tuple(max(v, 0.0) for v in on_board)))
    back = clock + float(durations[places[-2], depot])
    distance += float(distances[places[-2], depot])
    if _above(back, closes):
        violations.append(f"{where}: back at {back:g}, after its shift ends ({closes:g})")
    if vehicle.max_duration is not None and _above(back - leave, vehicle.max_duration):
        violations.append(
            f"{where}: the route lasts {back - leave:g}, over its maximum {vehicle.max_duration:g}"
        )
    for name, carried, capacity in zip(
        problem.dimensions or (), load, vehicle.capacity, strict=True
    ):
        if _above(carried, capacity):
            violations.append(
                f"{where}: carries {carried:g} {name}, over its capacity {capacity:g}"
            )
    cost = vehicle.fixed_cost + vehicle.cost_per_distance * distance
    route = Route(
        vehicle_id=vehicle.id,
        visits=tuple(visits),
        leave=leave,
        back=back,
        distance=distance,
        load=tuple(load),
        cost=cost,
    )
    return route, violations


def _above(value: float, limit: float) -> bool:
    return value > limit + TOLERANCE * max(1.0, abs(limit))
