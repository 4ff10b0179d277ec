from __future__ import annotations

import csv
import itertools
import json
import random
from pathlib import Path

import numpy as np
import pytest

from routing.aisle_graph import DEPOT, GridLayout, RackAisle, build_graph
from routing.pick_path import (
    EXACT_MAX_POINTS,
    Route,
    _ortools_from,
    largest_gap,
    plan_route,
    route_from_matrix,
    s_shape,
    tour_length,
)

ROUTE_DIR = Path(__file__).resolve().parents[1] / "data" / "picking" / "route"


def reference_rows():
    with (ROUTE_DIR / "reference.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def load(name):
    data = json.loads((ROUTE_DIR / f"{name}.json").read_text())
    layout = GridLayout.from_json(data["layout"])
    return layout, [layout.slot_key(pick) for pick in data["picks"]]


def assert_is_permutation(route, count):
    assert sorted(route.order) == list(range(count))


def minimum_spanning_tree(matrix):
    """Length of a minimum spanning tree: a lower bound on any tour through the points."""
    size = matrix.shape[0]
    inside = np.zeros(size, dtype=bool)
    inside[0] = True
    nearest = matrix[0].copy()
    total = 0.0
    for _ in range(size - 1):
        j = int(np.argmin(np.where(inside, np.inf, nearest)))
        total += nearest[j]
        inside[j] = True
        nearest = np.minimum(nearest, matrix[j])
    return total


WITH_OPTIMUM = [row for row in reference_rows() if row["optimum_m"]]
SINGLE_BLOCK = [row for row in reference_rows() if row["sshape_m"]]
LARGE = [row["instance"] for row in reference_rows() if int(row["picks"]) >= 30]


def test_the_reference_has_what_these_tests_need():
    assert len(WITH_OPTIMUM) >= 30
    assert len(SINGLE_BLOCK) >= 30
    assert len(LARGE) >= 20


@pytest.mark.parametrize("row", WITH_OPTIMUM, ids=lambda row: row["instance"])
def test_exact_routes_reproduce_the_reference_optimum(row):
    layout, keys = load(row["instance"])
    route = plan_route(layout.graph(), keys)
    assert route.optimal
    assert route.length_m == pytest.approx(float(row["optimum_m"]), abs=1e-6)
    assert_is_permutation(route, len(keys))
    matrix = layout.graph().matrix([DEPOT, *keys])
    assert tour_length(matrix, [i + 1 for i in route.order]) == pytest.approx(route.length_m)


@pytest.mark.parametrize("row", SINGLE_BLOCK, ids=lambda row: row["instance"])
def test_s_shape_and_largest_gap_reproduce_the_reference(row):
    layout, keys = load(row["instance"])
    assert s_shape(layout, keys) == pytest.approx(float(row["sshape_m"]))
    assert largest_gap(layout, keys) == pytest.approx(float(row["largest_gap_m"]))


@pytest.mark.parametrize("name", LARGE)
def test_large_routes_are_exact_and_beat_the_baselines(name):
    layout, keys = load(name)
    graph = layout.graph()
    route = plan_route(graph, keys)
    assert route.optimal
    assert_is_permutation(route, len(keys))
    matrix = graph.matrix([DEPOT, *keys])
    assert route.length_m == pytest.approx(tour_length(matrix, [i + 1 for i in route.order]))
    nearest = plan_route(graph, keys, method="nearest")
    assert route.length_m <= nearest.length_m
    if layout.blocks == 1:
        assert route.length_m <= s_shape(layout, keys)
        assert route.length_m <= largest_gap(layout, keys)
    # Any tour is at least a spanning tree; the shortest one within 1.5 times it here.
    distinct = graph.matrix([DEPOT, *sorted(set(keys))])
    assert route.length_m <= 1.5 * minimum_spanning_tree(distinct)


@pytest.mark.parametrize("name", LARGE[::2])
def test_the_matrix_router_comes_within_one_percent_of_the_exact_route(name):
    # Graphs of other layouts (the app's) route by local search on the distance matrix.
    layout, keys = load(name)
    graph = layout.graph()
    exact = plan_route(graph, keys).length_m
    route = route_from_matrix(graph.matrix([DEPOT, *keys]))
    assert not route.optimal
    assert sorted(route.order) == list(range(1, len(keys) + 1))
    assert exact - 1e-6 <= route.length_m <= 1.01 * exact


def test_the_layout_route_agrees_with_brute_force_on_random_layouts():
    rng = random.Random(11)
    for _ in range(40):
        aisles, blocks = rng.randint(1, 5), rng.randint(1, 3)
        depot_x = rng.choice([0.0, 1.5, -2.0, 3.0 * aisles])
        layout = GridLayout(aisles, blocks, rng.randint(1, 5), 1.0, 3.0, 2.0, depot_x)
        slots = [key for key in layout.graph() if key != DEPOT]
        keys = rng.sample(slots, min(len(slots), rng.randint(2, 8)))
        exact = plan_route(layout.graph(), keys)
        matrix = layout.graph().matrix([DEPOT, *keys])
        best = min(
            tour_length(matrix, order) for order in itertools.permutations(range(1, len(keys) + 1))
        )
        assert exact.optimal
        assert exact.length_m == pytest.approx(best), (layout, keys)


def test_the_same_picks_give_the_same_route():
    layout, keys = load("route-s3060-n60-a20-k2-b25")
    graph = layout.graph()
    assert plan_route(graph, keys) == plan_route(graph, keys)
    matrix = graph.matrix([DEPOT, *keys])
    assert route_from_matrix(matrix, time_limit_s=5.0) == route_from_matrix(matrix, 5.0)


def test_other_methods_give_valid_but_not_proved_routes():
    layout, keys = load("route-s1030-n30-a10-k1-b30")
    exact = plan_route(layout.graph(), keys)
    for method in ("local_search", "ortools", "nearest"):
        route = plan_route(layout.graph(), keys, time_limit_s=0.05, method=method)
        assert_is_permutation(route, len(keys))
        assert not route.optimal
        assert route.length_m >= exact.length_m - 1e-6


def test_ortools_method_gives_a_valid_route():
    layout, keys = load("route-s1030-n30-a10-k1-b30")
    route = plan_route(layout.graph(), keys, time_limit_s=0.05, method="ortools")
    assert_is_permutation(route, len(keys))
    assert route.length_m <= s_shape(layout, keys)


def test_exact_method_agrees_with_brute_force_on_random_points():
    rng = random.Random(4)
    for _ in range(5):
        points = np.array([(rng.uniform(0, 50), rng.uniform(0, 30)) for _ in range(8)])
        matrix = np.abs(points[:, None, :] - points[None, :, :]).sum(axis=2)
        best = min(tour_length(matrix, order) for order in itertools.permutations(range(1, 8)))
        route = route_from_matrix(matrix)
        assert route.optimal
        assert route.length_m == pytest.approx(best)


def test_local_search_finds_the_optimum_of_points_on_a_line():
    # Depot at 0 and picks along a line: the best tour goes out to the end and back.
    positions = np.array([0.0, *random.Random(1).sample(range(1, 200), 40)])
    matrix = np.abs(positions[:, None] - positions[None, :])
    route = route_from_matrix(matrix)
    assert route.length_m == pytest.approx(2 * positions.max())
    assert_is_permutation(Route(tuple(i - 1 for i in route.order), 0.0, False), 40)


def test_repeated_keys_are_picked_together_at_no_extra_walking():
    layout = GridLayout(6, 1, 10, 1.0, 3.0, 2.0, 0.0)
    graph = layout.graph()
    distinct = ["a1-k0-b2", "a4-k0-b9", "a2-k0-b5", "a5-k0-b0"]
    keys = [*distinct, "a4-k0-b9", "a1-k0-b2", "a4-k0-b9"]
    route = plan_route(graph, keys)
    assert_is_permutation(route, len(keys))
    assert route.length_m == pytest.approx(plan_route(graph, distinct).length_m)
    visited = [keys[i] for i in route.order]
    # Each bin is visited in one stop: its lines come one after the other.
    stops = [key for key, _ in itertools.groupby(visited)]
    assert len(stops) == len(set(stops)) == len(distinct)


def test_many_repeated_keys_above_the_exact_limit_still_route_exactly():
    layout = GridLayout(10, 1, 30, 1.0, 3.0, 2.0, 0.0)
    distinct = [
        f"a{a}-k0-b{b}" for a, b in zip(range(10), (3, 8, 1, 20, 12, 5, 29, 0, 17, 9), strict=True)
    ]
    keys = distinct * 3
    assert len(keys) > EXACT_MAX_POINTS
    route = plan_route(layout.graph(), keys)
    assert route.optimal
    assert_is_permutation(route, len(keys))


def test_no_picks_and_picks_at_the_depot_walk_nothing():
    graph = GridLayout(3, 1, 4, 1.0, 3.0, 2.0, 0.0).graph()
    assert plan_route(graph, []) == Route((), 0.0, True)
    route = plan_route(graph, [DEPOT, DEPOT])
    assert route.length_m == 0.0
    assert sorted(route.order) == [0, 1]
    single = plan_route(graph, ["a2-k0-b3"])
    assert single == Route((0,), 2 * (6.0 + 4.5), True)


def test_bad_matrices_are_refused():
    with pytest.raises(ValueError, match="square"):
        route_from_matrix(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="finite"):
        route_from_matrix(np.array([[0.0, np.inf], [np.inf, 0.0]]))


def test_s_shape_and_largest_gap_by_hand():
    # 4 aisles 3 m apart, 10 bays: aisles are 12 m from cross aisle to cross aisle.
    layout = GridLayout(4, 1, 10, 1.0, 3.0, 2.0, 0.0)
    keys = ["a1-k0-b0", "a1-k0-b9", "a2-k0-b4", "a3-k0-b2"]
    # S-shape: three aisles with picks; aisles 1 and 2 traversed (2 x 12), the last one (3) in
    # and out to its pick at 3.5 m; 9 m along the cross aisles each way.
    assert s_shape(layout, keys) == pytest.approx(24 + 7 + 18)
    # Largest gap: aisles 1 and 3 traversed (24); aisle 2 (pick at 5.5 m) by the front, its
    # largest gap being the 6.5 m behind the pick: 2 x 5.5; 9 m each way along cross aisles.
    assert largest_gap(layout, keys) == pytest.approx(24 + 11 + 18)
    assert s_shape(layout, []) == 0.0
    with pytest.raises(ValueError, match="single-block"):
        s_shape(GridLayout(4, 2, 10, 1.0, 3.0, 2.0, 0.0), keys)


def app_like_fc():
    """An FC as the app builds it: three blocks of different depths, a bin every metre."""
    aisles = [RackAisle(f"L{x}", float(x), 2.0, 22.0) for x in range(0, 18, 3)]
    aisles += [RackAisle(f"M{x}", float(x), 6.0, 36.0) for x in range(24, 39, 3)]
    aisles += [RackAisle(f"R{x}", float(x), 2.0, 22.0) for x in range(45, 60, 3)]
    bins = {
        f"{a.key}-{y}": (a.key, float(y))
        for a in aisles
        for y in range(int(a.y_start), int(a.y_end) + 1)
    }
    return build_graph(aisles, bins, depot=(30.0, -3.0))


def test_auto_polishes_the_local_search_with_ortools_on_app_graphs():
    graph = app_like_fc()
    assert graph.layout is None
    rng = random.Random(30)
    keys = rng.sample([key for key in graph if key != DEPOT], 30)
    alone = plan_route(graph, keys, time_limit_s=1.0, method="local_search")
    route = plan_route(graph, keys, time_limit_s=1.0)
    assert route.method == "local_search+ortools"
    assert alone.method == "local_search"
    assert not route.optimal
    assert not route.timed_out  # stopped by its solution limit, well within the time
    assert_is_permutation(route, len(keys))
    assert route.length_m <= alone.length_m + 1e-9
    matrix = graph.matrix([DEPOT, *keys])
    assert route.length_m == pytest.approx(tour_length(matrix, [i + 1 for i in route.order]))
    # Not cut by time, the OR-Tools step gives the same route every time.
    assert plan_route(graph, keys, time_limit_s=1.0) == route


def test_auto_skips_ortools_when_no_time_is_left_and_says_so():
    graph = app_like_fc()
    keys = random.Random(31).sample([key for key in graph if key != DEPOT], 20)
    route = plan_route(graph, keys, time_limit_s=0.001)
    assert route.method == "local_search"
    assert route.timed_out
    assert_is_permutation(route, len(keys))


def test_routes_say_which_method_found_them():
    layout, keys = load("route-s1030-n30-a10-k1-b30")
    graph = layout.graph()
    assert plan_route(graph, keys).method == "exact"
    assert plan_route(graph, keys[:EXACT_MAX_POINTS], method="auto").method == "exact"
    matrix = graph.matrix([DEPOT, *keys[:EXACT_MAX_POINTS]])
    assert route_from_matrix(matrix).method == "exact"
    assert route_from_matrix(matrix).optimal
    for method in ("local_search", "nearest"):
        route = plan_route(graph, keys, time_limit_s=5.0, method=method)  # ample: not cut
        assert route.method == method
        assert not route.timed_out
    # OR-Tools alone searches until its time limit (ample here for its first tour).
    route = plan_route(graph, keys, time_limit_s=0.2, method="ortools")
    assert (route.method, route.timed_out) == ("ortools", True)


def test_ortools_without_a_tour_in_time_falls_back_to_nearest_neighbour(monkeypatch):
    layout, keys = load("route-s1030-n30-a10-k1-b30")
    nearest = plan_route(layout.graph(), keys, method="nearest")
    monkeypatch.setattr("routing.pick_path._ortools", lambda matrix, time_limit_s: None)
    route = plan_route(layout.graph(), keys, time_limit_s=0.05, method="ortools")
    assert (route.order, route.length_m, route.method) == (
        nearest.order,
        nearest.length_m,
        "nearest",
    )
    assert route.timed_out


def test_the_ortools_step_starts_from_the_tour_it_is_given_and_shortens_a_poor_one():
    graph = app_like_fc()
    keys = random.Random(32).sample([key for key in graph if key != DEPOT], 30)
    matrix = graph.matrix([DEPOT, *keys])
    poor = list(range(1, 31))
    random.Random(33).shuffle(poor)
    improved, cut = _ortools_from(matrix, poor, 1.0)
    assert not cut
    assert sorted(improved) == list(range(1, 31))
    assert tour_length(matrix, improved) < 0.8 * tour_length(matrix, poor)
