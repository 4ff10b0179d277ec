"""The compiled route searches on hand-made integer instances: route minimisation and ruin and
recreate keep every rule, reach what is reachable, and repeat themselves given a seed."""

from __future__ import annotations

import math

import numpy as np

from routing.fleet_reduction import larger_vehicles, reduce_routes, route_lower_bound
from routing.route_state import SearchInstance
from routing.ruin_recreate import improve_routes


def line_instance(
    positions: list[int],
    closes: list[int] | None = None,
    capacity: list[int] | None = None,
    horizon: int = 1000,
) -> SearchInstance:
    """Stops on a line (node 0 the depot at positions[0]), unit demand, one vehicle per stop."""
    points = np.array(positions, dtype=np.int64)
    travel = np.abs(points[:, None] - points[None, :])
    size = len(positions)
    vehicles = size - 1
    return SearchInstance(
        travel=travel,
        opens=np.zeros(size, dtype=np.int64),
        closes=np.array(closes if closes else [horizon] * size, dtype=np.int64),
        demand=np.ones((size, 1), dtype=np.int64),
        shift_open=np.zeros(vehicles, dtype=np.int64),
        shift_close=np.full(vehicles, horizon, dtype=np.int64),
        max_duration=np.full(vehicles, 1 << 50, dtype=np.int64),
        capacity=np.array(
            [[c] for c in (capacity if capacity else [vehicles] * vehicles)], dtype=np.int64
        ),
        arc_cost=travel[None].copy(),
        cost_class=np.zeros(vehicles, dtype=np.int64),
        fixed_cost=np.zeros(vehicles, dtype=np.int64),
        penalty=np.full(size, 10**9, dtype=np.int64),
    )


def feasible(instance: SearchInstance, routes: list[list[int]]) -> bool:
    """Every route within its vehicle's capacity, windows and shift (plain Python)."""
    for k, route in enumerate(routes):
        if not route:
            continue
        if instance.demand[route].sum(axis=0).max() > instance.capacity[k].max():
            return False
        clock = int(instance.shift_open[k])
        here = 0
        for node in route:
            clock = max(clock + int(instance.travel[here, node]), int(instance.opens[node]))
            if clock > instance.closes[node]:
                return False
            here = node
        if clock + instance.travel[here, 0] > instance.shift_close[k]:
            return False
    return True


def test_route_minimisation_merges_singletons_down_to_the_capacity_bound():
    instance = line_instance([0, 3, 5, 8, 13, 21, 34], capacity=[3] * 6)
    start = [[node] for node in range(1, 7)]
    result = reduce_routes(instance, start, deadline=math.inf, seed=1, max_steps=500)
    assert result.started_with == 6
    assert result.vehicles == route_lower_bound(instance, np.arange(1, 7)) == 2
    assert feasible(instance, result.routes)
    assert sorted(node for route in result.routes for node in route) == list(range(1, 7))


def test_route_minimisation_keeps_routes_that_windows_keep_apart():
    # Stops at 10 and -10 must both be served by time 10: no vehicle can do both.
    instance = line_instance([0, 10, -10, 5], closes=[100, 10, 10, 100])
    result = reduce_routes(instance, [[1], [2], [3]], deadline=math.inf, max_steps=500)
    assert result.vehicles == 2
    assert feasible(instance, result.routes)


def test_route_minimisation_repeats_itself_for_a_seed_and_step_limit():
    rng = np.random.default_rng(3)
    positions = [0, *(int(x) for x in rng.integers(-100, 100, 30))]
    instance = line_instance(positions, capacity=[5] * 30)
    start = [[node] for node in range(1, 31)]
    first = reduce_routes(instance, start, deadline=math.inf, seed=9, max_steps=300)
    second = reduce_routes(instance, start, deadline=math.inf, seed=9, max_steps=300)
    assert first.routes == second.routes
    assert feasible(instance, first.routes)


def test_busy_routes_move_to_larger_idle_vehicles():
    instance = line_instance([0, 1, 2, 3], capacity=[1, 1, 3])
    assert larger_vehicles(instance, [[1], [2], []]) == [[], [2], [1]]


def test_ruin_and_recreate_finds_the_shortest_tour_on_a_line():
    rng = np.random.default_rng(4)
    positions = [0, *(int(x) for x in rng.permutation(np.arange(1, 41)) * 3)]
    instance = line_instance(positions, horizon=10**6)
    usable = np.zeros(instance.vehicles, dtype=np.bool_)
    usable[0] = True
    start = [list(range(1, 41))] + [[] for _ in range(instance.vehicles - 1)]
    result = improve_routes(instance, start, usable, deadline=math.inf, seed=2, max_iterations=4000)
    # One vehicle out to the farthest stop (120) and back.
    assert result.cost == 240
    assert result.absent == []
    assert feasible(instance, result.routes)


def test_ruin_and_recreate_leaves_out_what_fits_nowhere_at_its_penalty():
    instance = line_instance([0, 10, -10, 5], closes=[100, 10, 10, 100])
    instance.penalty[:] = [0, 1000, 15, 1000]
    usable = np.zeros(instance.vehicles, dtype=np.bool_)
    usable[0] = True
    result = improve_routes(
        instance, [[1, 3], [], []], usable, deadline=math.inf, max_iterations=500
    )
    # The one usable vehicle serves 1 and 3 (20); reaching 2 in time would cost more than 15.
    assert result.absent == [2]
    assert result.cost == 20 + 15
