"""Fewer routes: ejection-pool route minimisation (Nagata & Bräysy 2009), compiled with numba.

OR-Tools' local search moves visits between routes but seldom empties one, so the fewest
vehicles are found here first and the distance afterwards. The method, as the paper describes
it: take a route out of a feasible solution and put its stops in an ejection pool; then, one
stop at a time from the pool,

1. insert it at a random feasible position, if there is one;
2. otherwise "squeeze" it in: insert it where the solution breaks the rules least (time warp,
   overload, overtime), then move stops between routes (relocate, exchange, 2-opt*) while that
   lowers the breach, until the solution is feasible again or no move helps (then undo);
3. otherwise raise the stop's failure count, insert it by ejecting up to `max_ejected` stops of
   one route, choosing the ejection whose failure counts sum least (stops that failed often
   are hard to place, so they stay), and put the ejected stops in the pool;
4. and shake the solution with random feasible moves so the next attempt meets other routes.

When the pool is empty the solution has one route fewer, and the next route is taken out.

Everything here is in the solver's integer units (times already scaled, service times folded
into the travel times), so a solution feasible here is feasible in the OR-Tools model. Time
windows are checked with the segment concatenation of Vidal et al. (2013): every route keeps
the duration, time warp and earliest/latest start of each prefix and suffix, so a move is
checked in constant time.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from routing import search_kernels as kernels
from routing.route_state import RouteState, SearchInstance, tiny_instance

CHUNK = 25
"""Most pool steps per call into the compiled loop (the clock is read between calls)."""

CHUNK_SECONDS = 0.02
"""Calls are made shorter while one takes longer than this."""


@dataclass(frozen=True)
class FleetResult:
    """Routes (node lists by vehicle index; empty for unused vehicles) and how the search went."""

    routes: list[list[int]]
    vehicles: int
    started_with: int
    pool_steps: int
    seconds: float


def warm_up() -> None:
    """Compile the search (or load it from numba's cache) on a three-stop instance."""
    reduce_routes(tiny_instance(), [[1], [2], [3]], deadline=math.inf, max_steps=CHUNK)


def larger_vehicles(instance: SearchInstance, routes: list[list[int]]) -> list[list[int]]:
    """The same routes, each moved to an unused vehicle that can do everything its own can
    (capacity, shift, duration) with more room, busiest routes first; so a fleet of unlike
    vehicles keeps its largest ones in use while routes are taken out."""
    moved = [list(route) for route in routes]
    room = instance.capacity / np.maximum(instance.capacity.max(axis=0), 1)
    size = room.sum(axis=1)
    order = sorted(
        (k for k, route in enumerate(moved) if route),
        key=lambda k: -float(instance.demand[moved[k]].sum()),
    )
    for k in order:
        best = k
        for other, route in enumerate(moved):
            if route or not _covers(instance, other, k) or size[other] <= size[best]:
                continue
            best = other
        if best != k:
            moved[best], moved[k] = moved[k], []
    return moved


def _covers(instance: SearchInstance, other: int, k: int) -> bool:
    return bool(
        np.all(instance.capacity[other] >= instance.capacity[k])
        and instance.shift_open[other] <= instance.shift_open[k]
        and instance.shift_close[other] >= instance.shift_close[k]
        and instance.max_duration[other] >= instance.max_duration[k]
    )


def route_lower_bound(instance: SearchInstance, nodes: np.ndarray) -> int:
    """The fewest vehicles the capacities allow for the demand of `nodes` (largest first)."""
    bound = 1 if len(nodes) else 0
    for dimension in range(instance.demand.shape[1]):
        total = int(instance.demand[nodes, dimension].sum())
        capacities = np.sort(instance.capacity[:, dimension])[::-1]
        carried = np.cumsum(capacities)
        needed = int(np.searchsorted(carried, total)) + 1
        bound = max(bound, min(needed, len(capacities)))
    return bound


def reduce_routes(
    instance: SearchInstance,
    routes: list[list[int]],
    deadline: float,
    seed: int = 0,
    max_steps: int | None = None,
    max_ejected: int = 3,
) -> FleetResult:
    """Feasible routes using as few vehicles as the search finds before `deadline`.

    `routes` (one node list per vehicle, feasible) is where it starts; `max_steps` caps the
    pool steps, which makes the result the same on every run with the same seed.
    """
    began = time.perf_counter()
    routes = larger_vehicles(instance, routes)
    state = RouteState.build(instance, routes, seed)
    started_with = state.vehicles()
    served = np.array([node for route in routes for node in route], dtype=np.int64)
    floor = route_lower_bound(instance, served)
    best = state.snapshot()
    steps = 0
    size = 1
    while state.vehicles() > floor:
        if max_steps is not None and steps >= max_steps:
            break
        if time.perf_counter() >= deadline:
            break
        kernels.start_deletion(
            state.net(), state.sol(), state.alive, state.pool, state.pool_size, state.failures
        )
        while state.pool_size[0] > 0:
            if time.perf_counter() >= deadline:
                break
            if max_steps is not None and steps >= max_steps:
                break
            chunk = size if max_steps is None else min(size, max_steps - steps)
            called = time.perf_counter()
            kernels.pool_steps(
                chunk,
                max_ejected,
                state.net(),
                state.instance.arc_cost[0],
                state.weights,
                state.neighbours,
                state.sol(),
                state.alive,
                state.pool,
                state.pool_size,
                state.failures,
            )
            steps += chunk
            took = time.perf_counter() - called
            size = max(1, size // 2) if took > CHUNK_SECONDS else min(CHUNK, size * 2)
        if state.pool_size[0] > 0:
            state.restore(best)
            break
        upgraded = larger_vehicles(instance, state.routes())
        if upgraded != state.routes():
            state = RouteState.build(instance, upgraded, seed + steps)
        best = state.snapshot()
    return FleetResult(
        routes=state.routes(),
        vehicles=state.vehicles(),
        started_with=started_with,
        pool_steps=steps,
        seconds=time.perf_counter() - began,
    )
