"""Shorter routes by ruin and recreate (after SISR, Christiaens & Vanden Berghe 2020), compiled.

Starting from feasible routes, each iteration removes a few strings of consecutive stops from
routes close to a random stop and inserts them again where they cost least (with "blinks":
each position is skipped with a small probability, so the same choices are not made every
time). A candidate is kept by simulated annealing: always if it costs less, otherwise with a
probability that falls with the cost increase and with the temperature, which cools from
`temperatures[0]` to `temperatures[1]` (fractions of the mean arc cost) over the run.

Only vehicles marked usable take routes; an unused vehicle may be opened (at its fixed cost)
when that is cheaper. A stop may be left out at its penalty (a must-serve stop's penalty is
larger than any solution's cost, so it is left out only if it fits nowhere).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from routing import search_kernels as kernels
from routing.route_state import RouteState, SearchInstance, tiny_instance, vehicle_kinds

CHUNK = 64
"""Iterations per call into the compiled loop (the clock is read between calls)."""

ADJACENCY = 100
"""Nearest stops considered when choosing the routes to ruin around a stop."""


@dataclass(frozen=True)
class RecreateSettings:
    """The search's knobs (defaults measured in bench/vrp.py)."""

    average_removed: float = 10.0
    max_string: int = 10
    blink: float = 0.01
    temperatures: tuple[float, float] = (0.3, 0.01)


@dataclass(frozen=True)
class RecreateResult:
    """The best routes found (node lists by vehicle), the nodes left out, and the effort."""

    routes: list[list[int]]
    absent: list[int]
    cost: int
    iterations: int
    accepted: int
    seconds: float


def improve_routes(
    instance: SearchInstance,
    routes: list[list[int]],
    usable: np.ndarray,
    deadline: float,
    seed: int = 0,
    max_iterations: int | None = None,
    settings: RecreateSettings | None = None,
) -> RecreateResult:
    """The cheapest routes the search finds from `routes` before the deadline (or within
    `max_iterations`, which makes the result the same on every run with the same seed)."""
    settings = settings or RecreateSettings()
    began = time.perf_counter()
    state = RouteState.build(instance, routes, seed)
    size = instance.size
    vehicles = instance.vehicles
    served = np.zeros(size, dtype=np.bool_)
    for route in routes:
        served[route] = True
    absent = ~served
    absent[0] = False
    route_cost = np.array(
        [
            kernels.route_arc_cost(
                k,
                instance.arc_cost,
                instance.cost_class,
                instance.fixed_cost,
                state.route_nodes,
                state.route_length,
            )
            for k in range(vehicles)
        ],
        dtype=np.int64,
    )
    total = int(route_cost.sum() + instance.penalty[absent].sum())
    totals = np.array([total, total], dtype=np.int64)
    best_nodes = state.route_nodes.copy()
    best_length = state.route_length.copy()
    best_absent = absent.copy()
    travel = instance.travel
    order = np.argsort(travel + travel.T, axis=1, kind="stable")
    width = min(ADJACENCY, max(size - 2, 1))
    adjacency = np.zeros((size, width), dtype=np.int64)
    for node in range(size):
        row = [int(other) for other in order[node] if other != node and other != 0]
        adjacency[node] = (row + [row[0] if row else 0] * width)[:width]
    scale = np.maximum(instance.capacity.max(axis=0), 1).astype(np.float64)
    size_key = (instance.demand / scale).sum(axis=1).astype(np.float64)
    depot_key = (travel[0] + travel[:, 0]).astype(np.float64)
    vehicle_kind = vehicle_kinds(instance)
    mean_arc = float(np.mean(instance.arc_cost)) or 1.0
    hot = settings.temperatures[0] * mean_arc
    cold = max(settings.temperatures[1] * mean_arc, 1e-9)
    iterations = 0
    accepted = 0
    while True:
        now = time.perf_counter()
        if max_iterations is not None:
            if iterations >= max_iterations:
                break
            chunk = min(CHUNK, max_iterations - iterations)
            progress_from = iterations / max_iterations
            progress_to = (iterations + chunk) / max_iterations
            if now >= deadline:
                break
        else:
            if now >= deadline:
                break
            chunk = CHUNK
            span = max(deadline - began, 1e-9)
            progress_from = min((now - began) / span, 1.0)
            progress_to = progress_from
        accepted += kernels.ruin_recreate_steps(
            chunk,
            progress_from,
            progress_to,
            hot,
            cold,
            settings.average_removed,
            settings.max_string,
            settings.blink,
            state.net(),
            instance.arc_cost,
            instance.cost_class,
            instance.fixed_cost,
            instance.penalty,
            usable,
            vehicle_kind,
            adjacency,
            size_key,
            depot_key,
            state.sol(),
            route_cost,
            absent,
            totals,
            best_nodes,
            best_length,
            best_absent,
        )
        iterations += chunk
    best_routes = [
        [int(node) for node in best_nodes[k, : best_length[k]]] for k in range(vehicles)
    ]
    return RecreateResult(
        routes=best_routes,
        absent=[int(node) for node in np.flatnonzero(best_absent) if node != 0],
        cost=int(totals[1]),
        iterations=iterations,
        accepted=accepted,
        seconds=time.perf_counter() - began,
    )


def warm_up() -> None:
    """Compile the search (or load it from numba's cache) on a three-stop instance."""
    instance = tiny_instance()
    improve_routes(
        instance,
        [[1], [2], [3]],
        usable=np.ones(instance.vehicles, dtype=np.bool_),
        deadline=math.inf,
        max_iterations=CHUNK,
    )
