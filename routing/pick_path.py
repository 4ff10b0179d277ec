"""Pick paths: the walking order of the picks of one trip, from the depot and back.

`plan_route` orders the picks on an `AisleGraph`; `route_from_matrix` does the same on a
symmetric distance matrix. Picks at the same spot are visited together (they cost no walking).
`Route.method` says which method found a route, `Route.timed_out` whether the time limit cut a
search short.

Methods (`method=`):

* "auto" (the default):
  - on the graph of a `GridLayout` (`graph.layout` set, the benchmark's layouts): the proved
    optimum of every route, by a dynamic programme over the layout's aisles (Ratliff &
    Rosenthal 1983, generalised to several blocks as Roodbergen & de Koster 2001 do), a few
    milliseconds whatever the number of picks;
  - on other graphs (the app's FCs, made by `build_graph`) and for `route_from_matrix`: up to
    `EXACT_MAX_POINTS` distinct spots the proved optimum by dynamic programming over subsets
    (Held–Karp); above, "local_search", then OR-Tools' routing solver started from its tour
    (guided local search for at most `ORTOOLS_SOLUTIONS` solutions and at most `ORTOOLS_SHARE`
    of `time_limit_s`, within what the local search left of it), keeping the shorter of the
    two tours (method "local_search+ortools").
* "local_search": iterated local search. A nearest-neighbour tour is improved by 2-opt and
  Or-opt moves (segments of 1 to 3 picks, either way round) to a local optimum; then, up to
  `LOCAL_SEARCH_KICKS` times, a double-bridge kick from a seeded random generator and local
  search again, keeping the new tour when it is no longer; it stops early after
  `LOCAL_SEARCH_STALL` kicks in a row without a shorter tour.
* "ortools": OR-Tools' routing solver alone, path-cheapest-arc then guided local search until
  `time_limit_s` (a baseline; the bench, bench/picking.py, compares it with the above). Should
  the time run out before its first tour, the route is "nearest"'s.
* "nearest": nearest neighbour from the depot, no improvement (a baseline).

The same input gives the same route unless a time limit cuts a search short (`timed_out`): the
local search's kicks, or the OR-Tools step of "auto", which is time-bounded; "ortools" alone
always runs until its time limit. OR-Tools runs on one thread, with integer arc costs in
millimetres.

`s_shape` and `largest_gap` are the classic single-block rules most warehouse systems use
(Ratliff & Rosenthal 1983; Hall 1993; Roodbergen & de Koster 2001), kept as baselines.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from routing.aisle_graph import DEPOT, AisleGraph, GridLayout

Method = Literal["auto", "local_search", "ortools", "nearest"]

EXACT_MAX_POINTS = 13
"""Up to this many distinct spots (besides the depot) "auto" proves the route optimal."""

LOCAL_SEARCH_KICKS = 50
"""Kicks of the iterated local search (each followed by a local search to a local optimum)."""

LOCAL_SEARCH_STALL = 20
"""The iterated local search also stops after this many kicks in a row without a shorter tour."""

ORTOOLS_SOLUTIONS = 10
"""Solutions (the local search's tour included) after which "auto"'s OR-Tools step stops."""

ORTOOLS_SHARE = 0.4
"""The largest share of `time_limit_s` that "auto"'s OR-Tools step may take."""

_SEED = 20_240_601  # the local search's random generator: fixed, for the same route every time
_UNITS_PER_M = 1000  # integer arc costs for OR-Tools: millimetres
_ORTOOLS_MIN_S = 0.005  # with less time left, "auto" skips the OR-Tools step
_EPS = 1e-9


@dataclass(frozen=True)
class Route:
    """A trip's visiting order and its walking length (metres), from the depot and back.

    `order` lists indexes into what was routed, each exactly once: positions in `keys` for
    `plan_route`, matrix indexes 1..n for `route_from_matrix`. `optimal` is True when the order is
    proved shortest. `method` says what found it: "exact" (proved shortest), "local_search",
    "local_search+ortools" (local search, then OR-Tools from its tour; the shorter of the two),
    "ortools" or "nearest". `timed_out` is True when a time limit stopped a search before its own
    stopping rule, so that another run may give another route.
    """

    order: tuple[int, ...]
    length_m: float
    optimal: bool
    method: str = "exact"
    timed_out: bool = False


def tour_length(matrix: np.ndarray, order: Sequence[int]) -> float:
    """Metres of the tour depot (matrix index 0) → order[0] → … → order[-1] → depot."""
    if len(order) == 0:
        return 0.0
    stops = np.concatenate(([0], np.asarray(order, dtype=np.int64), [0]))
    return float(np.asarray(matrix, dtype=np.float64)[stops[:-1], stops[1:]].sum())


def plan_route(
    graph: AisleGraph, keys: Sequence[str], time_limit_s: float = 0.1, *, method: Method = "auto"
) -> Route:
    """The walking order of the picks at `keys` (keys may repeat; `order` indexes `keys`).

    On a graph of a `GridLayout`, "auto" routes exactly whatever the number of picks; on other
    graphs it works as `route_from_matrix`. `time_limit_s` caps the search of the heuristics.
    """
    if len(keys) == 0:
        return Route((), 0.0, True)
    matrix = graph.matrix([DEPOT, *keys])
    layout = graph.layout
    if method == "auto" and layout is not None:
        spots = list(dict.fromkeys(key for key in keys if key != DEPOT))
        if len(spots) > 1:
            by_spot: dict[str, list[int]] = {spot: [] for spot in spots}
            order = [i for i, key in enumerate(keys) if key == DEPOT]
            for i, key in enumerate(keys):
                if key != DEPOT:
                    by_spot[key].append(i)
            for position in _grid_route(layout, spots):
                order.extend(by_spot[spots[position]])
            return Route(tuple(order), tour_length(matrix, [i + 1 for i in order]), True)
    route = route_from_matrix(matrix, time_limit_s, method=method)
    return dataclasses.replace(route, order=tuple(i - 1 for i in route.order))


def route_from_matrix(
    matrix: np.ndarray, time_limit_s: float = 0.1, *, method: Method = "auto"
) -> Route:
    """The shortest tour found from the depot (row/column 0) through every other index and back.

    `matrix` is symmetric, in metres. `order` holds matrix indexes 1..n. Indexes at the same spot
    (identical rows) are visited one after the other. `time_limit_s` caps the search (the whole
    of it: local search and OR-Tools together for "auto").
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
        raise ValueError("the matrix must be square, with the depot at row and column 0")
    if not np.isfinite(matrix).all():
        raise ValueError("the matrix must hold finite distances")
    if not np.allclose(matrix, matrix.T, rtol=1e-9, atol=1e-9):
        raise ValueError("the matrix must be symmetric (walking is the same both ways)")
    if method not in ("auto", "local_search", "ortools", "nearest"):
        raise ValueError(f"unknown method {method!r}")
    size = matrix.shape[0]
    if size == 1:
        return Route((), 0.0, True)
    # Spots: indexes with identical rows stand at the same place; the depot's spot first.
    _, first_of_spot, spot_of = np.unique(matrix, axis=0, return_index=True, return_inverse=True)
    spot_of = spot_of.ravel()
    depot_spot = int(spot_of[0])
    spots = [int(s) for s in np.argsort(first_of_spot, kind="stable") if s != depot_spot]
    members: dict[int, list[int]] = {s: [] for s in spots}
    at_depot: list[int] = []
    for index in range(1, size):
        spot = int(spot_of[index])
        (at_depot if spot == depot_spot else members[spot]).append(index)
    if not spots:
        return Route(tuple(at_depot), 0.0, True)
    chosen = [0] + [members[s][0] for s in spots]
    small = matrix[np.ix_(chosen, chosen)]
    time_limit_s = max(time_limit_s, 0.0)
    deadline = time.perf_counter() + time_limit_s
    timed_out = False
    if len(spots) == 1:
        tour, used = [1], "exact"
    elif method == "auto" and len(spots) <= EXACT_MAX_POINTS:
        tour, used = _held_karp(small), "exact"
    elif method == "nearest":
        tour, used = _nearest_neighbour(small).tolist()[1:], "nearest"
    elif method == "ortools":
        found = _ortools(small, time_limit_s)
        timed_out = True
        if found is None:  # no first tour within the time limit (a loaded machine)
            tour, used = _nearest_neighbour(small).tolist()[1:], "nearest"
        else:
            tour, used = found, "ortools"
    else:
        tour, timed_out = _iterated_local_search(small, deadline)
        used = "local_search"
        budget = min(deadline - time.perf_counter(), ORTOOLS_SHARE * time_limit_s)
        if method == "auto" and budget < _ORTOOLS_MIN_S:
            timed_out = True  # no time left for the OR-Tools step
        elif method == "auto":
            improved, cut = _ortools_from(small, tour, budget)
            used, timed_out = "local_search+ortools", timed_out or cut
            if tour_length(small, improved) < tour_length(small, tour) - _EPS:
                tour = improved
    order = list(at_depot)
    for position in tour:
        order.extend(members[spots[position - 1]])
    return Route(tuple(order), tour_length(matrix, order), used == "exact", used, timed_out)


def _held_karp(matrix: np.ndarray) -> list[int]:
    """The shortest tour through indexes 1..n of the matrix from 0 and back (exact)."""
    n = matrix.shape[0] - 1
    full = (1 << n) - 1
    cost = np.full((1 << n, n), np.inf)
    came_from = np.full((1 << n, n), -1, dtype=np.int8)
    bits = 1 << np.arange(n)
    cost[bits, np.arange(n)] = matrix[0, 1:]
    masks = np.arange(1 << n)
    counts = np.zeros(1 << n, dtype=np.int64)
    for b in range(n):
        counts += (masks >> b) & 1
    # into[0, j, i]: from i to j, so that cost[previous] + into sums over the last axis.
    into = matrix[1:, 1:].T[None, :, :]
    for size in range(2, n + 1):
        layer = masks[counts == size]
        previous = layer[:, None] ^ bits[None, :]
        options = cost[previous] + into
        best = options.argmin(axis=2)
        value = np.take_along_axis(options, best[:, :, None], axis=2)[:, :, 0]
        inside = (layer[:, None] & bits[None, :]) != 0
        cost[layer] = np.where(inside, value, np.inf)
        came_from[layer] = np.where(inside, best, -1)
    last = int(np.argmin(cost[full] + matrix[1:, 0]))
    tour: list[int] = []
    mask = full
    while last >= 0:
        tour.append(last + 1)
        before = int(came_from[mask, last])
        mask ^= 1 << last
        last = before
    tour.reverse()
    return tour


def _nearest_neighbour(matrix: np.ndarray) -> np.ndarray:
    """A tour (as a cycle starting at 0) that always walks to the nearest unvisited index."""
    size = matrix.shape[0]
    tour = np.zeros(size, dtype=np.int64)
    free = np.ones(size, dtype=bool)
    free[0] = False
    for step in range(1, size):
        nearest = int(np.argmin(np.where(free, matrix[tour[step - 1]], np.inf)))
        tour[step] = nearest
        free[nearest] = False
    return tour


def _iterated_local_search(matrix: np.ndarray, deadline: float) -> tuple[list[int], bool]:
    """A short tour through indexes 1..n from 0 and back, by iterated 2-opt/Or-opt search, and
    whether the deadline stopped it early."""
    search = _LocalSearch(matrix)
    tour = search.descend(_nearest_neighbour(matrix))
    best = search.length(tour)
    size = len(tour)
    random = np.random.default_rng(_SEED)
    timed_out = False
    if size >= 8:
        since_better = 0
        for _ in range(LOCAL_SEARCH_KICKS):
            if since_better >= LOCAL_SEARCH_STALL:
                break
            if time.perf_counter() > deadline:
                timed_out = True
                break
            since_better += 1
            cuts = np.sort(random.choice(np.arange(1, size), 3, replace=False))
            a, b, c = (int(cut) for cut in cuts)
            kicked = np.concatenate((tour[:a], tour[c:], tour[b:c], tour[a:b]))
            kicked = search.descend(kicked)
            length = search.length(kicked)
            if length < best - _EPS:
                since_better = 0
            if length <= best + _EPS:
                tour, best = kicked, length
    start = int(np.flatnonzero(tour == 0)[0])
    return np.roll(tour, -start)[1:].tolist(), timed_out


class _LocalSearch:
    """2-opt and Or-opt on a cyclic tour, every move of a kind priced at once with numpy."""

    def __init__(self, matrix: np.ndarray) -> None:
        self.matrix = matrix
        size = matrix.shape[0]
        self.size = size
        index = np.arange(size)
        self.index = index
        # Positions 0..size-1 and then the first three again, to read shifted views.
        self.wrap = np.concatenate((index, index[:3]))
        # 2-opt reverses positions i+1..j: i < j - 1, and not the pair of edges (0, size-1).
        allowed = np.triu(np.ones((size, size), dtype=bool), 2)
        allowed[0, size - 1] = False
        self.two_opt_mask = np.where(allowed, 0.0, np.inf)
        # Or-opt moves the segment at positions i..i+k-1 to between positions j and j+1.
        ahead = (index[None, :] - index[:, None]) % size
        self.lengths = [k for k in (1, 2, 3) if k < size - 2]
        self.or_opt_mask = {
            k: np.where((ahead <= k - 1) | (ahead == size - 1), np.inf, 0.0) for k in self.lengths
        }

    def length(self, tour: np.ndarray) -> float:
        return float(self.matrix[tour, np.roll(tour, -1)].sum())

    def descend(self, tour: np.ndarray) -> np.ndarray:
        """Apply the best improving move until none is left (a local optimum)."""
        size = self.size
        if size < 4:
            return tour
        index = self.index
        while True:
            wrapped = tour[self.wrap]
            # shifted[a:a+size, b:b+size][i, j] = distance from tour[i+a] to tour[j+b].
            shifted = self.matrix[np.ix_(wrapped, wrapped)]
            here = shifted[:size, :size]
            edge = shifted[index, index + 1]  # edge[i]: tour[i] -> tour[i+1]
            two_opt = (
                here + shifted[1 : size + 1, 1 : size + 1] - edge[:, None] - edge[None, :]
            ) + self.two_opt_mask
            flat = int(np.argmin(two_opt))
            best, move = float(two_opt.flat[flat]), (0, flat, False)
            edge_before = np.roll(edge, 1)
            before = tour[(index - 1) % size]
            for k in self.lengths:
                after = tour[(index + k) % size]
                saving = edge_before + edge[(index + k - 1) % size] - self.matrix[before, after]
                base = self.or_opt_mask[k] - saving[:, None] - edge[None, :]
                last = shifted[k - 1 : k - 1 + size]
                for reverse, cost in (
                    (False, here + last[:, 1 : size + 1] + base),
                    (True, last[:, :size] + shifted[:size, 1 : size + 1] + base),
                ):
                    flat = int(np.argmin(cost))
                    if cost.flat[flat] < best:
                        best, move = float(cost.flat[flat]), (k, flat, reverse)
            if best >= -_EPS:
                return tour
            tour = self._apply(tour, *move)

    def _apply(self, tour: np.ndarray, k: int, flat: int, reverse: bool) -> np.ndarray:
        i, j = divmod(flat, self.size)
        if k == 0:
            return np.concatenate((tour[: i + 1], tour[i + 1 : j + 1][::-1], tour[j + 1 :]))
        positions = (i + np.arange(k)) % self.size
        segment = tour[positions][::-1] if reverse else tour[positions]
        target = tour[j]
        rest = np.delete(tour, positions)
        at = int(np.flatnonzero(rest == target)[0])
        return np.concatenate((rest[: at + 1], segment, rest[at + 1 :]))


def _routing_model(
    matrix: np.ndarray,
) -> tuple[pywrapcp.RoutingIndexManager, pywrapcp.RoutingModel, Any]:
    """OR-Tools' routing model of one tour from index 0 (arc costs in mm), and its parameters:
    guided local search, one thread."""
    manager = pywrapcp.RoutingIndexManager(matrix.shape[0], 1, 0)
    model = pywrapcp.RoutingModel(manager)
    costs = np.rint(matrix * _UNITS_PER_M).astype(np.int64).tolist()
    transit = model.RegisterTransitMatrix(costs)
    model.SetArcCostEvaluatorOfAllVehicles(transit)
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    return manager, model, parameters


def _ortools(matrix: np.ndarray, time_limit_s: float) -> list[int] | None:
    """A short tour through indexes 1..n from 0 and back, by OR-Tools' routing solver; None if it
    finds none within the time limit."""
    manager, model, parameters = _routing_model(matrix)
    parameters.time_limit.FromMilliseconds(max(1, round(time_limit_s * 1000)))
    solution = model.SolveWithParameters(parameters)
    if solution is None:
        return None
    return _tour_of(manager, model, solution)


def _ortools_from(
    matrix: np.ndarray, tour: list[int], time_limit_s: float
) -> tuple[list[int], bool]:
    """The best tour OR-Tools' guided local search finds from `tour` (indexes 1..n) within
    `ORTOOLS_SOLUTIONS` solutions and `time_limit_s` (the time to build the model included), and
    whether the time limit stopped it first. `tour` itself if the solver gives nothing back."""
    started = time.perf_counter()
    manager, model, parameters = _routing_model(matrix)
    parameters.solution_limit = ORTOOLS_SOLUTIONS
    model.CloseModelWithParameters(parameters)
    initial = model.ReadAssignmentFromRoutes([[manager.NodeToIndex(i) for i in tour]], True)
    left = time_limit_s - (time.perf_counter() - started)
    if initial is None or left <= 0:
        return tour, True
    parameters.time_limit.FromMicroseconds(max(1, round(left * 1e6)))
    solution = model.SolveFromAssignmentWithParameters(initial, parameters)
    if solution is None:
        return tour, True
    return _tour_of(manager, model, solution), model.solver().Solutions() < ORTOOLS_SOLUTIONS


def _tour_of(
    manager: pywrapcp.RoutingIndexManager, model: pywrapcp.RoutingModel, solution: Any
) -> list[int]:
    """The visits of the solver's solution, as matrix indexes."""
    tour: list[int] = []
    index = model.Start(0)
    while True:
        index = solution.Value(model.NextVar(index))
        if model.IsEnd(index):
            break
        tour.append(manager.IndexToNode(index))
    return tour


def s_shape(layout: GridLayout, keys: Sequence[str]) -> float:
    """Length (m) of the S-shape (traversal) route through the picks; single-block layouts only.

    From the depot the picker walks along the front cross aisle to the leftmost aisle with picks
    and traverses every aisle with picks entirely, left to right, alternating front to back and
    back to front; aisles without picks are skipped. When the number of aisles with picks is
    odd, the last (rightmost) one is entered from the front up to its farthest pick and left the
    same way. Then back along the front cross aisle to the depot. (This variant reproduces the
    benchmark's reference values.)
    """
    by_aisle = _picks_by_aisle(layout, keys)
    if not by_aisle:
        return 0.0
    depth = layout.block_m
    xs = sorted(by_aisle)
    vertical = depth * (len(xs) - len(xs) % 2)
    if len(xs) % 2:
        vertical += 2 * max(by_aisle[xs[-1]])
    return vertical + _cross_walk(layout, xs)


def largest_gap(layout: GridLayout, keys: Sequence[str]) -> float:
    """Length (m) of the largest-gap route through the picks; single-block layouts only.

    The picker walks along the front to the leftmost aisle with picks and traverses it; along the
    back cross aisle enters every other aisle with picks up to its largest gap (between
    neighbouring picks, or between a cross aisle and the nearest pick) and comes back; traverses
    the rightmost aisle with picks to the front; and on the way back to the depot enters each
    aisle from the front for the picks before the gap. With one aisle of picks: in from the
    front to the farthest pick and back.
    """
    by_aisle = _picks_by_aisle(layout, keys)
    if not by_aisle:
        return 0.0
    depth = layout.block_m
    xs = sorted(by_aisle)
    if len(xs) == 1:
        return 2 * max(by_aisle[xs[0]]) + _cross_walk(layout, xs)
    vertical = 2 * depth
    for x in xs[1:-1]:
        spots = sorted(by_aisle[x])
        gaps = np.diff([0.0, *spots, depth])
        vertical += 2 * (depth - float(gaps.max()))
    return vertical + _cross_walk(layout, xs)


def _picks_by_aisle(layout: GridLayout, keys: Sequence[str]) -> dict[float, list[float]]:
    """Pick depths (m from the front cross aisle) by aisle x, for a single-block layout."""
    if layout.blocks != 1:
        raise ValueError("the S-shape and largest-gap rules here are for single-block layouts")
    graph = layout.graph()
    by_aisle: dict[float, list[float]] = {}
    for key in keys:
        if key == DEPOT:
            continue
        x, y = graph.point(key)
        by_aisle.setdefault(x, []).append(y)
    return by_aisle


def _cross_walk(layout: GridLayout, xs: Sequence[float]) -> float:
    """Walking along cross aisles: from the depot to the outer aisles with picks, and back."""
    left, right = xs[0], xs[-1]
    depot = layout.depot_x_m
    outside = max(left - depot, 0.0) + max(depot - right, 0.0)
    return 2 * (right - left) + 2 * outside


# --- exact routes on the rectangular layout --------------------------------------------------
#
# Ratliff & Rosenthal's dynamic programme (1983), generalised to any number of blocks (in the
# spirit of Roodbergen & de Koster 2001): a shortest tour is an Euler tour of a connected
# multigraph on the layout's lines in which the depot and every pick have an edge and every
# node an even degree, each line piece walked 0, 1 or 2 times. Columns (the aisles, and the
# depot's x when it stands between aisles) are added left to right. The state after a column is,
# for each of its cross-aisle nodes, whether the partial graph reaches it, the parity of its
# degree, and which of them the partial graph already connects. An aisle piece between two cross
# aisles is walked in one of six ways (not at all, through once, through twice, in and out from
# the front, from the back, or from both sides up to its largest gap); each cross-aisle piece
# to the next column 0, 1 or 2 times, as parity allows. No component may be left behind.

_Option = tuple[str, float, bool, bool, int, int, bool, int]
# (name, metres, reaches bottom node, reaches top node, parity at bottom, parity at top,
#  joins bottom and top, split: picks below the largest gap for "gap")


def _segment_options(offsets: list[float], length: float, walkable: bool) -> list[_Option]:
    """The ways to walk one aisle piece of `length` with picks at `offsets` from its bottom."""
    if not walkable:
        return [("none", 0.0, False, False, 0, 0, False, 0)]
    options: list[_Option] = [
        ("once", length, True, True, 1, 1, True, 0),
        ("twice", 2 * length, True, True, 0, 0, True, 0),
    ]
    if not offsets:
        return [("none", 0.0, False, False, 0, 0, False, 0), *options]
    options.append(("bottom", 2 * offsets[-1], True, False, 0, 0, False, 0))
    options.append(("top", 2 * (length - offsets[0]), False, True, 0, 0, False, 0))
    if len(offsets) >= 2:
        gaps = np.diff(offsets)
        split = int(np.argmax(gaps)) + 1
        options.append(
            ("gap", 2 * (length - float(gaps[split - 1])), True, True, 0, 0, False, split)
        )
    return options


def _normalise(state: list[int]) -> tuple[int, ...]:
    """Relabel components by first appearance (node value: 0 unreached, else 2 * label + parity)."""
    labels: dict[int, int] = {}
    out = []
    for value in state:
        if value:
            label = labels.setdefault(value >> 1, len(labels) + 1)
            value = (label << 1) | (value & 1)
        out.append(value)
    return tuple(out)


@functools.lru_cache(maxsize=65_536)
def _walk_segment(
    state: tuple[int, ...], k: int, effect: tuple[bool, bool, int, int, bool]
) -> tuple[int, ...]:
    """The state after walking aisle piece k (between nodes k and k + 1) in the given way."""
    nodes = list(state)
    fresh = max((v >> 1 for v in nodes), default=0) + 1
    to_bottom, to_top, parity_bottom, parity_top, joins = effect
    for node, reached, parity in ((k, to_bottom, parity_bottom), (k + 1, to_top, parity_top)):
        if reached:
            if nodes[node] == 0:
                nodes[node] = fresh << 1
                fresh += 1
            nodes[node] ^= parity
    if joins:
        keep, drop = nodes[k] >> 1, nodes[k + 1] >> 1
        nodes = [((keep << 1) | (v & 1)) if v and v >> 1 == drop else v for v in nodes]
    return _normalise(nodes)


@functools.lru_cache(maxsize=16_384)
def _cross_to_next(
    state: tuple[int, ...], depot_here: bool
) -> tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]:
    """Every (times each cross-aisle piece to the next column is walked, state there)."""
    moves = []
    choices = [(1,) if value & 1 else (0, 2) for value in state]
    labels = {value >> 1 for value in state if value}
    for counts in itertools.product(*choices):
        if depot_here and state[0] == 0 and counts[0] == 0:
            continue  # the depot must be on the tour
        going_on = {value >> 1 for value, n in zip(state, counts, strict=True) if value and n}
        if labels - going_on:
            continue  # a component would be left behind for good
        fresh = max(labels, default=0) + 1
        nodes = []
        for value, count in zip(state, counts, strict=True):
            if count == 0:
                nodes.append(0)
            elif value:
                nodes.append(((value >> 1) << 1) | (count & 1))
            else:
                nodes.append((fresh << 1) | (count & 1))
                fresh += 1
        moves.append((counts, _normalise(nodes)))
    return tuple(moves)


def _grid_route(layout: GridLayout, keys: Sequence[str]) -> list[int]:
    """A shortest tour through distinct slot keys of the layout (indexes into `keys`), exact."""
    length = layout.block_m
    blocks = layout.blocks
    picks: dict[tuple[int, int], list[tuple[float, int]]] = {}
    for index, key in enumerate(keys):
        aisle, block, bay = layout.parse_key(key)
        offset = layout.cross_aisle_m / 2 + (bay + 0.5) * layout.bay_m
        picks.setdefault((aisle, block), []).append((offset, index))
    for spots in picks.values():
        spots.sort()
    depot_x = layout.depot_x_m
    pick_xs = [layout.aisle_x(aisle) for aisle, _ in picks]
    low, high = min(*pick_xs, depot_x), max(*pick_xs, depot_x)
    # Columns: (x, aisle or None for the depot's own column between aisles).
    columns: list[tuple[float, int | None]] = [
        (layout.aisle_x(a), a) for a in range(layout.aisles) if low <= layout.aisle_x(a) <= high
    ]
    at_depot = [i for i, (x, _) in enumerate(columns) if abs(x - depot_x) < 1e-9]
    if not at_depot:
        columns.append((depot_x, None))
        columns.sort(key=lambda column: column[0])
        at_depot = [i for i, (x, _) in enumerate(columns) if abs(x - depot_x) < 1e-9]
    depot_column = at_depot[0]

    # stages[s]: state -> (metres, state before, choice); steps[s]: ("v", column, block) for an
    # aisle piece, ("h", column, 0) for the cross-aisle pieces from a column to the next.
    Table = dict[tuple[int, ...], tuple[float, tuple[int, ...], Any]]
    stages: list[Table] = []
    steps: list[tuple[str, int, int]] = []
    current: Table = {(0,) * (blocks + 1): (0.0, (), None)}
    for c, (x, aisle) in enumerate(columns):
        for k in range(blocks):
            offsets = [o for o, _ in picks.get((aisle, k), [])] if aisle is not None else []
            options = _segment_options(offsets, length, aisle is not None)
            following: Table = {}
            for state, (metres, _, _) in current.items():
                for option in options:
                    nxt = _walk_segment(state, k, option[2:7])
                    total = metres + option[1]
                    if nxt not in following or total < following[nxt][0] - _EPS:
                        following[nxt] = (total, state, option)
            stages.append(following)
            steps.append(("v", c, k))
            current = following
        if c == len(columns) - 1:
            break
        width = columns[c + 1][0] - x
        following = {}
        for state, (metres, _, _) in current.items():
            for counts, nxt in _cross_to_next(state, c == depot_column):
                total = metres + width * sum(counts)
                if nxt not in following or total < following[nxt][0] - _EPS:
                    following[nxt] = (total, state, counts)
        stages.append(following)
        steps.append(("h", c, 0))
        current = following

    last = len(columns) - 1
    finals = [
        (metres, state)
        for state, (metres, _, _) in current.items()
        if all(value & 1 == 0 for value in state)
        and len({value >> 1 for value in state if value}) == 1
        and (depot_column < last or state[0])
    ]
    _, state = min(finals)

    # Walk back through the choices and build the multigraph they make.
    Node = tuple[int, int, int]  # (0, column, cross aisle) or (1, key index, 0)
    edges: list[tuple[Node, Node]] = []
    for (kind, c, k), stage in zip(reversed(steps), reversed(stages), strict=True):
        _, before, choice = stage[state]
        state = before
        if kind == "h":
            for j, count in enumerate(choice):
                edges.extend([((0, c, j), (0, c + 1, j))] * count)
            continue
        aisle = columns[c][1]
        spots: list[Node] = [(1, index, 0) for _, index in picks.get((aisle, k), [])]
        bottom: Node = (0, c, k)
        top: Node = (0, c, k + 1)
        name, split = choice[0], choice[7]
        paths: list[tuple[list[Node], int]] = []
        if name in ("once", "twice"):
            paths.append(([bottom, *spots, top], 1 if name == "once" else 2))
        elif name == "bottom":
            paths.append(([bottom, *spots], 2))
        elif name == "top":
            paths.append(([*spots, top], 2))
        elif name == "gap":
            paths.extend([([bottom, *spots[:split]], 2), ([*spots[split:], top], 2)])
        for path, count in paths:
            edges.extend(list(itertools.pairwise(path)) * count)
    return _euler_visits(edges, (0, depot_column, 0))


def _euler_visits(
    edges: Sequence[tuple[tuple[int, int, int], tuple[int, int, int]]],
    start: tuple[int, int, int],
) -> list[int]:
    """The picks (nodes (1, index, 0)) in the order an Euler tour from `start` first meets them."""
    around: dict[tuple[int, int, int], list[tuple[tuple[int, int, int], int]]] = {}
    for number, (a, b) in enumerate(edges):
        around.setdefault(a, []).append((b, number))
        around.setdefault(b, []).append((a, number))
    used = [False] * len(edges)
    cursor: dict[tuple[int, int, int], int] = dict.fromkeys(around, 0)
    stack = [start]
    circuit: list[tuple[int, int, int]] = []
    while stack:
        node = stack[-1]
        exits = around.get(node, [])
        while cursor.get(node, 0) < len(exits) and used[exits[cursor[node]][1]]:
            cursor[node] += 1
        if cursor.get(node, 0) == len(exits):
            circuit.append(stack.pop())
        else:
            neighbour, number = exits[cursor[node]]
            used[number] = True
            stack.append(neighbour)
    order: list[int] = []
    seen: set[int] = set()
    for kind, index, _ in circuit:
        if kind == 1 and index not in seen:
            seen.add(index)
            order.append(index)
    return order
