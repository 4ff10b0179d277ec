"""Wave planning: split a wave's orders into picker trips for carts, to cut total walking.

A cart holds at most `max_orders` orders (one tote each) within a volume limit (Σ quantity ×
volume_l of their lines) and, when set, a weight limit. Orders of different `group`s (chilled,
ambient, ...) never share a trip; single-item orders (one line of quantity 1) are batched apart
from the others unless asked not to. An order that alone exceeds the cart's volume or weight
makes a trip of its own, flagged `oversize`. Each trip is walked from the depot and back; the
cost of a plan is the total walking of its trips, each routed by `pick_path.plan_route`.

How `plan_wave` searches, for each group and kind of order on one distance matrix over the
wave's bins (every tour below is kept short by 2-opt and moving single bins):

1. Carts are filled one at a time, from the free order reaching farthest from the depot, with
   the order that lengthens the tour least (cheapest insertion) while it fits.
2. Moves and swaps: an order goes to one of its nearest carts, or trades places with an order
   there, when that shortens the two tours. Insertion estimates pick the candidates; the tours
   decide.
3. Doing without a cart: the least loaded carts are emptied into the others when that shortens
   the total (fewer trips is usually less walking; the volume limit often binds).
4. Re-splitting two neighbouring carts: every way to share their orders (or, for large carts,
   every exchange of up to two orders each way) is estimated by walking one tour through both
   carts' bins with only each part's bins; the best estimates are checked on real tours.
5. A fixed number of rounds: a random cart and its two nearest carts are emptied but for one
   seed order each (in half the rounds the least loaded of them entirely) and their orders
   dealt out again by regret insertion; then moves, swaps and re-splits around them. Simulated
   annealing keeps or undoes each round; the best plan seen wins.

Last, every trip is routed by `plan_route`. `one_order_per_trip` and `first_come_first_served`
are the baselines, routed the same way. `load_batch_instance`, `solve_batch_instance` and
`batch_cost` read, solve and check the picking benchmark's batch instances and solutions
(`bench-data/picking/FORMAT.md`).
"""

from __future__ import annotations

import itertools
import math
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from routing.aisle_graph import DEPOT, AisleGraph, GridLayout
from routing.pick_path import plan_route

# The search's effort, in rounds: `_ROUNDS_PER_ORDER` per order of the wave up to
# `_FULL_EFFORT_ORDERS` orders, fewer above (the total falls as 1/orders: each round costs more
# on a larger wave, and its carts have more orders to choose from), shared by the classes by
# their number of bins to visit. Fixed, so that the same input gives the same plan; the time
# limit only cuts it short.
_ROUNDS_PER_ORDER = 3.0
_FULL_EFFORT_ORDERS = 175
# A round empties this many neighbouring carts and deals their orders out again; in this share
# of the rounds into one cart fewer.
_CARTS_PER_ROUND = 3
_MERGE_SHARE = 0.5
# Rounds are kept by simulated annealing: the temperature starts at this share of an average
# trip's length and cools geometrically to `_COOLING` times that.
_START_TEMPERATURE_SHARE = 0.03
_COOLING = 0.01
# Moves and swaps: an order may go to its `_NEAR_CARTS` nearest carts (by insertion estimate);
# at most `_CANDIDATES` moves are checked on the tours, and only those whose estimate lengthens
# the tours by less than `_SCREEN_SHARE` of an average trip (estimates overstate orders with
# several bins).
_NEAR_CARTS = 16
_CANDIDATES = 6
_SCREEN_SHARE = 0.08
# Re-splitting two carts: each cart with its `_SPLIT_NEIGHBOURS` nearest carts; every split
# when they hold at most `_SPLIT_ALL_UP_TO` orders, else the exchanges of at most two (or one)
# orders each way, so that at most `_MAX_SPLITS` splits are estimated; the best
# `_SPLITS_CHECKED` estimates within `_SPLIT_CUT` times the current length are checked.
_SPLIT_NEIGHBOURS = 3
_SPLIT_ALL_UP_TO = 13
_MAX_SPLITS = 4096
_SPLITS_CHECKED = 3
_SPLIT_CUT = 1.1
# Wall time assumed per routed trip, to keep the time limit with the routing included.
_ROUTE_S = 0.004
_EPS = 1e-6
_SEED = 20240611


@dataclass(frozen=True)
class PickLine:
    """One line of an order: `quantity` units from the bin `key` (a key of the graph), each of
    `volume_l` litres and `weight_kg` kilograms."""

    key: str
    quantity: int
    volume_l: float
    weight_kg: float = 0.0


@dataclass(frozen=True)
class WaveOrder:
    """An order of the wave; `group` keeps orders that must be picked apart (chilled, ambient)
    on separate trips."""

    id: str
    lines: tuple[PickLine, ...]
    group: str = ""


@dataclass(frozen=True)
class Cart:
    """What one picker trip can carry: orders (one tote each), litres and, if set, kilograms."""

    max_orders: int
    max_volume_l: float
    max_weight_kg: float | None = None


@dataclass(frozen=True)
class Trip:
    """One picker trip: its orders, and its lines in walking order as (order id, line index).

    `length_m` is the walking from the depot through the picks and back. `oversize` marks a
    trip of one order that alone exceeds the cart's volume or weight.
    """

    group: str
    order_ids: tuple[str, ...]
    sequence: tuple[tuple[str, int], ...]
    length_m: float
    volume_l: float
    weight_kg: float
    oversize: bool = False


@dataclass(frozen=True)
class WavePlan:
    """The trips of a wave, their total walking (metres) and the wall time of the planning."""

    trips: tuple[Trip, ...]
    total_m: float
    planning_s: float


def is_single_item(order: WaveOrder) -> bool:
    """Whether the order is one unit: a single line of quantity 1."""
    return len(order.lines) == 1 and order.lines[0].quantity == 1


def plan_wave(
    graph: AisleGraph,
    orders: Sequence[WaveOrder],
    cart: Cart,
    *,
    time_limit_s: float = 60.0,
    separate_single_items: bool = True,
    route_time_limit_s: float = 0.05,
) -> WavePlan:
    """Picker trips that cover every order once, within the cart, with short total walking.

    Orders of different groups never share a trip; with `separate_single_items`, single-item
    orders share trips only with each other. An empty wave gives an empty plan. The search
    does a fixed amount of work, so the same input gives the same trips, unless `time_limit_s`
    (the whole planning, routing included) runs out first and stops it early; the first carts
    and the routes are made whatever the limit. `route_time_limit_s` caps the routing of a trip
    where the router searches rather than solves (graphs without a grid layout, trips with more
    than `pick_path.EXACT_MAX_POINTS` distinct bins).
    """
    start = time.perf_counter()
    _check_positive("time_limit_s", time_limit_s)
    _check_positive("route_time_limit_s", route_time_limit_s)
    wave = _Wave(graph, orders, cart)
    batches: list[list[int]] = [[i] for i in wave.oversize]
    classes = wave.classes(separate_single_items)
    total = sum(len(members) for members in classes)
    rounds = _ROUNDS_PER_ORDER * min(total, _FULL_EFFORT_ORDERS**2 / max(total, 1))
    weights = [sum(len(wave.nodes[i]) for i in members) for members in classes]
    searches = [
        _ClassSearch(wave, members, round(rounds * w / max(sum(weights), 1)), _SEED + number)
        for number, (members, w) in enumerate(zip(classes, weights, strict=True))
    ]
    for search in searches:
        search.construct()
    # What routing will take, with a margin; the rest of the time limit is the search's, shared
    # between the classes as the rounds are.
    trips = len(batches) + sum(search.trip_count() for search in searches)
    exact = getattr(graph, "layout", None) is not None  # grid routes are exact and quick
    routing_s = 1.5 * trips * (_ROUTE_S + (0.0 if exact else route_time_limit_s)) + 0.1
    end = start + time_limit_s - routing_s
    left = sum(weights)
    for search, weight in zip(searches, weights, strict=True):
        now = time.perf_counter()
        search.improve(now + max(end - now, 0.0) * weight / max(left, 1))
        left -= weight
        batches.extend(search.batches())
    return wave.plan(batches, route_time_limit_s, start)


def one_order_per_trip(
    graph: AisleGraph,
    orders: Sequence[WaveOrder],
    cart: Cart,
    *,
    route_time_limit_s: float = 0.05,
) -> WavePlan:
    """Baseline: every order is a trip of its own."""
    start = time.perf_counter()
    _check_positive("route_time_limit_s", route_time_limit_s)
    wave = _Wave(graph, orders, cart)
    return wave.plan([[i] for i in range(len(wave.orders))], route_time_limit_s, start)


def first_come_first_served(
    graph: AisleGraph,
    orders: Sequence[WaveOrder],
    cart: Cart,
    *,
    route_time_limit_s: float = 0.05,
    separate_single_items: bool = False,
) -> WavePlan:
    """Baseline: orders in the given order, each group filling its own cart until the next
    order does not fit; then that cart leaves and a new one starts. An order that alone
    exceeds the cart goes alone. With `separate_single_items` (the rule `plan_wave` follows by
    default; FORMAT.md's baseline does not), single-item orders fill carts of their own."""
    start = time.perf_counter()
    _check_positive("route_time_limit_s", route_time_limit_s)
    wave = _Wave(graph, orders, cart)
    batches: list[list[int]] = []
    open_carts: dict[tuple[str, bool], list[int]] = {}
    for i, order in enumerate(wave.orders):
        if i in wave.oversize:
            batches.append([i])
            continue
        kind = (order.group, separate_single_items and is_single_item(order))
        current = open_carts.get(kind)
        if current is not None and not wave.fits([*current, i]):
            batches.append(current)
            current = None
        if current is None:
            current = open_carts[kind] = []
        current.append(i)
    batches.extend(open_carts.values())
    return wave.plan(batches, route_time_limit_s, start)


# --- the benchmark's batch instances ----------------------------------------------------------


def load_batch_instance(data: Mapping[str, Any]) -> tuple[AisleGraph, list[WaveOrder], Cart]:
    """The graph, orders and cart of a FORMAT.md batch instance; ValueError naming the field.

    Lines may carry `weight_kg` and the cart `max_weight_kg` (neither is in FORMAT.md's
    instances); orders may carry a `group`.
    """
    if not isinstance(data, Mapping):
        raise ValueError("a batch instance must be an object")
    layout = GridLayout.from_json(data.get("layout"))  # type: ignore[arg-type]
    cart_data = data.get("cart")
    if not isinstance(cart_data, Mapping):
        raise ValueError("cart must be an object")
    try:
        max_weight = cart_data.get("max_weight_kg")
        cart = Cart(
            max_orders=cart_data["max_orders"],
            max_volume_l=float(cart_data["max_volume_l"]),
            max_weight_kg=None if max_weight is None else float(max_weight),
        )
    except KeyError as missing:
        raise ValueError(f"cart.{missing.args[0]} is missing") from None
    except (TypeError, ValueError):
        raise ValueError("cart limits must be numbers") from None
    raw_orders = data.get("orders")
    if not isinstance(raw_orders, list):
        raise ValueError("orders must be a list")
    orders: list[WaveOrder] = []
    for n, raw in enumerate(raw_orders):
        if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
            raise ValueError(f"orders[{n}] must be an object with a string id")
        raw_lines = raw.get("lines")
        if not isinstance(raw_lines, list):
            raise ValueError(f"order {raw['id']}: lines must be a list")
        lines = []
        for m, line in enumerate(raw_lines):
            where = f"order {raw['id']} line {m}"
            if not isinstance(line, Mapping):
                raise ValueError(f"{where} must be an object")
            try:
                key = layout.slot_key(line.get("location"))  # type: ignore[arg-type]
            except ValueError as error:
                raise ValueError(f"{where}: {error}") from None
            quantity = line.get("qty")
            if isinstance(quantity, bool) or not isinstance(quantity, int):
                raise ValueError(f"{where}: qty must be a whole number, not {quantity!r}")
            volume, weight = line.get("volume_l"), line.get("weight_kg", 0.0)
            for name, value in (("volume_l", volume), ("weight_kg", weight)):
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ValueError(f"{where}: {name} must be a number, not {value!r}")
            lines.append(PickLine(key, quantity, float(volume), float(weight)))  # type: ignore[arg-type]
        orders.append(WaveOrder(raw["id"], tuple(lines), str(raw.get("group", ""))))
    return layout.graph(), orders, cart


def plan_to_solution(plan: WavePlan) -> dict[str, list[dict[str, list[str]]]]:
    """A plan as a FORMAT.md batch solution: {"batches": [{"orders", "sequence"}, ...]}."""
    return {
        "batches": [
            {
                "orders": list(trip.order_ids),
                "sequence": [f"{order}:{line}" for order, line in trip.sequence],
            }
            for trip in plan.trips
        ]
    }


def solve_batch_instance(
    data: Mapping[str, Any], time_limit_s: float = 60.0
) -> dict[str, list[dict[str, list[str]]]]:
    """A FORMAT.md solution of a FORMAT.md batch instance, planned by `plan_wave`."""
    graph, orders, cart = load_batch_instance(data)
    return plan_to_solution(plan_wave(graph, orders, cart, time_limit_s=time_limit_s))


def batch_cost(data: Mapping[str, Any], solution: Mapping[str, Any]) -> float:
    """The total walking (metres) of a FORMAT.md batch solution, each trip walked in the order
    of its sequence from the depot and back; ValueError saying what is wrong with it.

    Checks that every order is in exactly one batch, that each batch is within the cart (a
    batch of one order that alone exceeds the cart is allowed), that groups are not mixed, and
    that each batch's sequence names every line of its orders exactly once.
    """
    graph, orders, cart = load_batch_instance(data)
    by_id = {order.id: order for order in orders}
    if len(by_id) != len(orders):
        raise ValueError("the instance has duplicate order ids")
    batches = solution.get("batches") if isinstance(solution, Mapping) else None
    if not isinstance(batches, list):
        raise ValueError("the solution must have a list of batches")
    seen: set[str] = set()
    total = 0.0
    for n, batch in enumerate(batches):
        if not isinstance(batch, Mapping):
            raise ValueError(f"batch {n} must be an object")
        ids, sequence = batch.get("orders"), batch.get("sequence")
        if not isinstance(ids, list) or not isinstance(sequence, list) or not ids:
            raise ValueError(f"batch {n} needs a non-empty list of orders and a sequence")
        for order_id in ids:
            if order_id not in by_id:
                raise ValueError(f"batch {n}: order {order_id!r} is not in the instance")
            if order_id in seen:
                raise ValueError(f"order {order_id!r} is in more than one batch")
            seen.add(order_id)
        members = [by_id[order_id] for order_id in ids]
        if len({order.group for order in members}) > 1:
            raise ValueError(f"batch {n} mixes groups")
        if len(members) > 1:
            if len(members) > cart.max_orders:
                raise ValueError(f"batch {n} holds {len(members)} orders, over {cart.max_orders}")
            volume = sum(_volume(order) for order in members)
            if volume > cart.max_volume_l + 1e-9:
                raise ValueError(f"batch {n} holds {volume:g} l, over {cart.max_volume_l:g}")
            weight = sum(_weight(order) for order in members)
            if cart.max_weight_kg is not None and weight > cart.max_weight_kg + 1e-9:
                raise ValueError(f"batch {n} weighs {weight:g} kg, over {cart.max_weight_kg:g}")
        expected = {(order.id, i) for order in members for i in range(len(order.lines))}
        keys = []
        named: set[tuple[str, int]] = set()
        for entry in sequence:
            order_id, _, line = str(entry).rpartition(":")
            if not line.isdigit() or (order_id, int(line)) not in expected:
                raise ValueError(f"batch {n}: {entry!r} is not a line of the batch's orders")
            if (order_id, int(line)) in named:
                raise ValueError(f"batch {n}: {entry!r} appears twice")
            named.add((order_id, int(line)))
            keys.append(by_id[order_id].lines[int(line)].key)
        if named != expected:
            missing = sorted(expected - named)[0]
            raise ValueError(f"batch {n}: line {missing[0]}:{missing[1]} is not in the sequence")
        stops = [DEPOT, *keys, DEPOT]
        matrix = graph.matrix(stops)
        total += float(sum(matrix[i, i + 1] for i in range(len(stops) - 1)))
    missing_orders = [order.id for order in orders if order.id not in seen]
    if missing_orders:
        raise ValueError(f"order {missing_orders[0]!r} is in no batch")
    return total


# --- the wave: validated orders on one distance matrix ---------------------------------------


def _check_positive(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"{name} must be a positive number, not {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, not {value!r}")


def _volume(order: WaveOrder) -> float:
    return sum(line.quantity * line.volume_l for line in order.lines)


def _weight(order: WaveOrder) -> float:
    return sum(line.quantity * line.weight_kg for line in order.lines)


class _Wave:
    """The validated orders of a wave, their bins as indexes of one distance matrix (0 is the
    depot), and how to turn lists of order indexes into routed trips."""

    def __init__(self, graph: AisleGraph, orders: Sequence[WaveOrder], cart: Cart) -> None:
        _validate_cart(cart)
        self.graph = graph
        self.orders = list(orders)
        self.cart = cart
        self.max_weight = math.inf if cart.max_weight_kg is None else float(cart.max_weight_kg)
        index: dict[str, int] = {}
        seen: set[str] = set()
        self.nodes: list[np.ndarray] = []
        for order in self.orders:
            _validate_order(order, graph, seen)
            for line in order.lines:
                index.setdefault(line.key, len(index) + 1)
            self.nodes.append(np.array(sorted({index[line.key] for line in order.lines})))
        self.keys = [DEPOT, *index]
        self.matrix = graph.matrix(self.keys) if self.orders else np.zeros((1, 1))
        self.volume = np.array([_volume(order) for order in self.orders], dtype=np.float64)
        self.weight = np.array([_weight(order) for order in self.orders], dtype=np.float64)
        self.oversize = {
            i
            for i in range(len(self.orders))
            if self.volume[i] > cart.max_volume_l + 1e-9 or self.weight[i] > self.max_weight + 1e-9
        }

    def fits(self, members: Sequence[int]) -> bool:
        """Whether these orders fit one cart together."""
        return (
            len(members) <= self.cart.max_orders
            and self.volume[list(members)].sum() <= self.cart.max_volume_l + 1e-9
            and self.weight[list(members)].sum() <= self.max_weight + 1e-9
        )

    def classes(self, separate_single_items: bool) -> list[list[int]]:
        """The orders (not oversize) that may share trips: by group, then single-item or not."""
        by_class: dict[tuple[str, bool], list[int]] = {}
        for i, order in enumerate(self.orders):
            if i in self.oversize:
                continue
            single = separate_single_items and is_single_item(order)
            by_class.setdefault((order.group, single), []).append(i)
        return list(by_class.values())

    def plan(
        self, batches: Sequence[Sequence[int]], route_time_limit_s: float, start: float
    ) -> WavePlan:
        """The routed trips of these batches, in group order, earliest order first."""
        group_rank: dict[str, int] = {}
        for order in self.orders:
            group_rank.setdefault(order.group, len(group_rank))
        ordered = sorted(
            (sorted(batch) for batch in batches if batch),
            key=lambda b: (group_rank[self.orders[b[0]].group], b[0]),
        )
        trips = tuple(self._trip(batch, route_time_limit_s) for batch in ordered)
        return WavePlan(
            trips=trips,
            total_m=float(sum(trip.length_m for trip in trips)),
            planning_s=time.perf_counter() - start,
        )

    def _trip(self, batch: Sequence[int], route_time_limit_s: float) -> Trip:
        lines_at: dict[str, list[tuple[str, int]]] = {}
        for i in batch:
            order = self.orders[i]
            for n, line in enumerate(order.lines):
                lines_at.setdefault(line.key, []).append((order.id, n))
        keys = list(lines_at)
        route = plan_route(self.graph, keys, route_time_limit_s)
        sequence = tuple(entry for k in route.order for entry in lines_at[keys[k]])
        return Trip(
            group=self.orders[batch[0]].group,
            order_ids=tuple(self.orders[i].id for i in batch),
            sequence=sequence,
            length_m=route.length_m,
            volume_l=float(self.volume[list(batch)].sum()),
            weight_kg=float(self.weight[list(batch)].sum()),
            oversize=len(batch) == 1 and batch[0] in self.oversize,
        )


def _validate_cart(cart: Cart) -> None:
    if isinstance(cart.max_orders, bool) or not isinstance(cart.max_orders, int):
        raise ValueError(f"cart max_orders must be a whole number, not {cart.max_orders!r}")
    if cart.max_orders < 1:
        raise ValueError(f"cart max_orders must be positive, not {cart.max_orders}")
    limits = [("max_volume_l", cart.max_volume_l)]
    if cart.max_weight_kg is not None:
        limits.append(("max_weight_kg", cart.max_weight_kg))
    for name, value in limits:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"cart {name} must be a number, not {value!r}")
        if not (value > 0 and math.isfinite(value)):
            raise ValueError(f"cart {name} must be positive and finite, not {value!r}")


def _validate_order(order: WaveOrder, graph: AisleGraph, seen: set[str]) -> None:
    if order.id in seen:
        raise ValueError(f"order id {order.id!r} appears more than once")
    seen.add(order.id)
    if not order.lines:
        raise ValueError(f"order {order.id!r} has no lines")
    for n, line in enumerate(order.lines):
        where = f"order {order.id!r} line {n}"
        if line.key == DEPOT or line.key not in graph:
            raise ValueError(f"{where}: {line.key!r} is not a bin of the layout")
        if isinstance(line.quantity, bool) or not isinstance(line.quantity, int):
            raise ValueError(f"{where}: quantity must be a whole number, not {line.quantity!r}")
        if line.quantity <= 0:
            raise ValueError(f"{where}: quantity must be positive, not {line.quantity}")
        for name in ("volume_l", "weight_kg"):
            value = getattr(line, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{where}: {name} must be a number, not {value!r}")
            if not (value >= 0 and math.isfinite(value)):
                raise ValueError(f"{where}: {name} must be zero or more, not {value!r}")


# --- the search, for one class of orders -------------------------------------------------------

_NO_TWO_OPT: dict[int, np.ndarray] = {}
_SPLITS: dict[tuple[int, int], np.ndarray] = {}


def _no_two_opt(size: int) -> np.ndarray:
    """Pairs of edges (i, j) that 2-opt does not try: j <= i + 1."""
    mask = _NO_TWO_OPT.get(size)
    if mask is None:
        steps = np.arange(size)
        mask = _NO_TWO_OPT[size] = steps[None, :] <= steps[:, None] + 1
    return mask


def _splits(first: int, second: int) -> np.ndarray:
    """Ways to split the orders of two carts (`first` orders, then `second`) in two again, one
    row per split, True for the orders in the first cart: every split of few orders, else the
    exchanges of at most two orders each way (one, if two make too many splits)."""
    key = (first, second)
    splits = _SPLITS.get(key)
    if splits is not None:
        return splits
    size = first + second
    if size <= _SPLIT_ALL_UP_TO:
        codes = np.arange(1 << (size - 1))
        splits = ((codes[:, None] >> np.arange(size)[None, :]) & 1).astype(bool)
        splits[:, size - 1] = True
    else:
        most = 2
        while most > 1 and (
            sum(math.comb(first, k) for k in range(most + 1))
            * sum(math.comb(second, k) for k in range(most + 1))
            > _MAX_SPLITS
        ):
            most -= 1
        rows = []
        for out in range(min(first, most) + 1):
            for leaving in itertools.combinations(range(first), out):
                for back in range(min(second, most) + 1):
                    for coming in itertools.combinations(range(first, size), back):
                        row = [True] * first + [False] * second
                        for i in leaving:
                            row[i] = False
                        for i in coming:
                            row[i] = True
                        rows.append(row)
        splits = np.array(rows, dtype=bool)
    _SPLITS[key] = splits
    return splits


def _shortcuts(between: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """Lengths of a tour walked through only some of its stops, one row of `kept` per variant.

    `between` holds the distances between the tour's stops (the depot first and last, kept in
    every variant); each variant walks its kept stops in the tour's order.
    """
    size = kept.shape[1]
    index = np.where(kept, np.arange(size, dtype=np.int16), np.int16(-1))
    last_kept = np.maximum.accumulate(index, axis=1)[:, :-1].astype(np.int32)
    legs = between.ravel().take(last_kept * size + np.arange(1, size, dtype=np.int32))
    return (legs * kept[:, 1:]).sum(axis=1)


class _ClassSearch:
    """Batches of the orders of one class (same group, single-item or not).

    Works on the class's own distance matrix (0 is the depot). For every cart it keeps the tour,
    its length and the cost of adding each bin to it; for every order the estimated cost of
    adding it to each cart (`ins`, the sum over its bins) and the exact saving of taking it out
    of its own (`rem`). Carts without orders are spare; one is always kept.
    """

    def __init__(self, wave: _Wave, members: Sequence[int], rounds: int, seed: int) -> None:
        self.global_ids = list(members)
        used = sorted({int(v) for i in members for v in wave.nodes[i]})
        local = np.array([0, *used], dtype=np.int64)
        self.D = np.ascontiguousarray(wave.matrix[np.ix_(local, local)])
        position = {node: n for n, node in enumerate(local.tolist())}
        self.nodes = [
            np.array([position[int(v)] for v in wave.nodes[i]], dtype=np.int64) for i in members
        ]
        self.n = len(members)
        self.volume = wave.volume[list(members)]
        self.weight = wave.weight[list(members)]
        self.max_orders = wave.cart.max_orders
        self.max_volume = wave.cart.max_volume_l + 1e-9
        self.max_weight = wave.max_weight + 1e-9
        self.flat = np.concatenate(self.nodes)
        self.offsets = np.cumsum([0] + [len(nodes) for nodes in self.nodes[:-1]])
        self.far = np.array([self.D[0, nodes].max() for nodes in self.nodes])
        self.rng = np.random.default_rng(seed)
        self.rounds = rounds
        self.journal: dict[int, tuple[list[int], list[int]]] | None = None
        self.tried: set[tuple[frozenset[int], frozenset[int]]] = set()

    # tours

    def _cost(self, tour: Sequence[int]) -> float:
        if not tour:
            return 0.0
        stops = np.array([0, *tour, 0], dtype=np.int64)
        return float(self.D[stops[:-1], stops[1:]].sum())

    def _insert(self, tour: Sequence[int], nodes: np.ndarray) -> list[int]:
        """The tour with each of the nodes it lacks put where it lengthens the tour least."""
        stops = [0, *tour, 0]
        present = set(stops)
        for v in nodes.tolist():
            if v in present:
                continue
            present.add(v)
            array = np.array(stops, dtype=np.int64)
            row = self.D[v]
            added = row[array[:-1]] + row[array[1:]] - self.D[array[:-1], array[1:]]
            stops.insert(int(added.argmin()) + 1, v)
        return stops[1:-1]

    def _shorten(self, tour: Sequence[int]) -> list[int]:
        """The tour after 2-opt and single-bin relocation, best move first, until none helps."""
        if len(tour) < 3:
            return list(tour)
        D = self.D
        stops = np.array([0, *tour, 0], dtype=np.int64)
        for _ in range(4 * len(tour)):
            a, b = stops[:-1], stops[1:]
            size = len(a)
            edge = D[a, b]
            gain = D[a[:, None], a[None, :]] + D[b[:, None], b[None, :]]
            gain -= edge[:, None] + edge[None, :]
            gain[_no_two_opt(size)] = 0.0
            best = int(gain.argmin())
            i, j = divmod(best, size)
            if gain[i, j] < -_EPS:
                stops[i + 1 : j + 1] = stops[i + 1 : j + 1][::-1].copy()
                continue
            inner = stops[1:-1]
            saved = D[stops[:-2], inner] + D[inner, stops[2:]] - D[stops[:-2], stops[2:]]
            move = D[inner[:, None], a[None, :]] + D[inner[:, None], b[None, :]]
            move -= edge[None, :] + saved[:, None]
            rows = np.arange(len(inner))
            move[rows, rows] = 0.0
            move[rows, rows + 1] = 0.0
            best = int(move.argmin())
            p, q = divmod(best, size)
            if move[p, q] < -_EPS:
                node = int(inner[p])
                rest = inner.tolist()
                del rest[p]
                rest.insert(q if q < p else q - 1, node)
                stops = np.array([0, *rest, 0], dtype=np.int64)
                continue
            break
        return stops[1:-1].tolist()

    def _insertion_vector(self, tour: Sequence[int]) -> np.ndarray:
        """What adding each bin to the tour costs (0 for its own bins)."""
        stops = np.array([0, *tour, 0], dtype=np.int64)
        a, b = stops[:-1], stops[1:]
        vector = (self.D[a] + self.D[b] - self.D[a, b][:, None]).min(axis=0)
        vector[stops] = 0.0
        return vector

    # construction

    def construct(self) -> None:
        """Carts filled one at a time: from the free order reaching farthest from the depot,
        adding the order that lengthens the tour least while it fits."""
        free = np.ones(self.n, dtype=bool)
        members: list[list[int]] = []
        tours: list[list[int]] = []
        while free.any():
            candidates = np.flatnonzero(free)
            seed = int(candidates[np.argmax(self.far[candidates])])
            free[seed] = False
            batch, tour = [seed], self._insert([], self.nodes[seed])
            volume, weight = self.volume[seed], self.weight[seed]
            while len(batch) < self.max_orders:
                fit = (
                    free
                    & (self.volume + volume <= self.max_volume)
                    & (self.weight + weight <= self.max_weight)
                )
                if not fit.any():
                    break
                cost = np.add.reduceat(self._insertion_vector(tour)[self.flat], self.offsets)
                o = int(np.argmin(np.where(fit, cost, np.inf)))
                free[o] = False
                batch.append(o)
                volume += self.volume[o]
                weight += self.weight[o]
                tour = self._insert(tour, self.nodes[o])
            members.append(batch)
            tours.append(self._shorten(tour))
        self._load(members, tours)

    def trip_count(self) -> int:
        """The carts in use."""
        return int((self.count > 0).sum())

    def batches(self) -> list[list[int]]:
        """The carts' orders, as indexes of the wave."""
        return [[self.global_ids[o] for o in batch] for batch in self.member if batch]

    # what is kept about the carts

    def _load(self, members: list[list[int]], tours: list[list[int]]) -> None:
        self.member = [*members, []]
        self.tour = [*tours, []]
        size = len(self.member)
        self.where = np.zeros(self.n, dtype=np.int64)
        self.cost = np.zeros(size)
        self.bvol = np.zeros(size)
        self.bwt = np.zeros(size)
        self.count = np.zeros(size, dtype=np.int64)
        self.C = np.zeros((size, len(self.D)))
        self.ins = np.zeros((self.n, size))
        self.rem = np.zeros(self.n)
        self.mult: list[Counter[int]] = [Counter() for _ in range(size)]
        for b in range(size):
            self._refresh(b)

    def _refresh(self, b: int, removal: bool = True) -> None:
        """Recompute what is kept about cart b after its orders or tour changed (the removal
        savings of its orders too, unless told otherwise)."""
        batch = self.member[b]
        if not batch:
            self.tour[b] = []
        tour = self.tour[b]
        self.where[batch] = b
        self.cost[b] = self._cost(tour)
        self.bvol[b] = self.volume[batch].sum()
        self.bwt[b] = self.weight[batch].sum()
        self.count[b] = len(batch)
        self.C[b] = self._insertion_vector(tour)
        self.ins[:, b] = np.add.reduceat(self.C[b, self.flat], self.offsets)
        counts = self.mult[b] = Counter(v for o in batch for v in self.nodes[o].tolist())
        if not removal or not batch:
            return
        stops = np.array([0, *tour, 0], dtype=np.int64)
        position = {v: i for i, v in enumerate(tour, start=1)}
        kept = np.ones((len(batch), len(stops)), dtype=bool)
        for row, o in enumerate(batch):
            for v in self.nodes[o].tolist():
                if counts[v] == 1:
                    kept[row, position[v]] = False
        between = self.D[stops[:, None], stops[None, :]]
        self.rem[batch] = self.cost[b] - _shortcuts(between, kept)

    def _keep_spare(self) -> None:
        """Keep one empty cart: a new trip an order may move to."""
        if (self.count == 0).any():
            return
        size = len(self.member)
        self.member.append([])
        self.tour.append([])
        self.mult.append(Counter())
        self.cost = np.append(self.cost, 0.0)
        self.bvol = np.append(self.bvol, 0.0)
        self.bwt = np.append(self.bwt, 0.0)
        self.count = np.append(self.count, 0)
        self.C = np.vstack([self.C, np.zeros((1, self.C.shape[1]))])
        self.ins = np.hstack([self.ins, np.zeros((self.n, 1))])
        self._refresh(size)

    def _touch(self, b: int) -> None:
        """Note cart b's orders and tour before they change, to undo the change."""
        if self.journal is not None and b not in self.journal:
            self.journal[b] = (list(self.member[b]), list(self.tour[b]))

    def _undo(self) -> None:
        assert self.journal is not None
        for b, (batch, tour) in self.journal.items():
            self.member[b], self.tour[b] = batch, tour
        for b in self.journal:
            self._refresh(b)

    def _snapshot(self) -> tuple[list[list[int]], list[list[int]]]:
        return [list(batch) for batch in self.member], [list(tour) for tour in self.tour]

    def _restore(self, state: tuple[list[list[int]], list[list[int]]]) -> None:
        pairs = [(batch, tour) for batch, tour in zip(*state, strict=True) if batch]
        self._load([batch for batch, _ in pairs], [tour for _, tour in pairs])

    def _nearest(self, a: int, count: int) -> list[int]:
        """The carts in use nearest cart a: those its orders would lengthen least."""
        closeness = self.ins[self.member[a]].sum(axis=0)
        closeness[self.count == 0] = np.inf
        closeness[a] = np.inf
        near = np.argsort(closeness, kind="stable")[:count].tolist()
        return [b for b in near if np.isfinite(closeness[b])]

    # moves and swaps

    def _without(self, b: int, o: int) -> list[int]:
        """Cart b's tour without the bins only order o needs."""
        counts = self.mult[b]
        alone = {v for v in self.nodes[o].tolist() if counts[v] == 1}
        return [v for v in self.tour[b] if v not in alone]

    def _apply(self, a: int, b: int, tour_a: list[int], tour_b: list[int]) -> None:
        """Carts a and b now hold their (changed) orders with these tours, shortened here."""
        self.tour[a], self.tour[b] = self._shorten(tour_a), self._shorten(tour_b)
        self._refresh(a)
        self._refresh(b)
        self._keep_spare()

    def _try(self, o: int, threshold: float) -> tuple[int, int] | None:
        """Move order o to one of its nearest carts, or swap it with an order there, if that
        shortens the two tours; the two carts changed, or None."""
        a = int(self.where[o])
        row = self.ins[o]
        k = min(_NEAR_CARTS, len(row) - 1)
        near = [b for b in np.argpartition(row, k)[: k + 1].tolist() if b != a]
        spare = int(np.flatnonzero(self.count == 0)[0])
        targets = np.array([b for b in near if self.count[b] > 0] + [spare], dtype=np.int64)
        fits = (
            (self.count[targets] < self.max_orders)
            & (self.bvol[targets] + self.volume[o] <= self.max_volume)
            & (self.bwt[targets] + self.weight[o] <= self.max_weight)
        )
        estimates = [row[targets][fits] - self.rem[o]]
        carts = [targets[fits]]
        partners = [np.full(int(fits.sum()), -1, dtype=np.int64)]
        others = [q for b in targets[:-1].tolist() for q in self.member[b]]
        if others:
            p = np.array(others, dtype=np.int64)
            c = self.where[p]
            fits = (
                (self.bvol[c] - self.volume[p] + self.volume[o] <= self.max_volume)
                & (self.bvol[a] - self.volume[o] + self.volume[p] <= self.max_volume)
                & (self.bwt[c] - self.weight[p] + self.weight[o] <= self.max_weight)
                & (self.bwt[a] - self.weight[o] + self.weight[p] <= self.max_weight)
            )
            swaps = row[c] - self.rem[o] + self.ins[p, a] - self.rem[p]
            estimates.append(swaps[fits])
            carts.append(c[fits])
            partners.append(p[fits])
        estimate = np.concatenate(estimates)
        promising = np.flatnonzero(estimate < threshold)
        if len(promising) == 0:
            return None
        promising = promising[np.argsort(estimate[promising], kind="stable")[:_CANDIDATES]]
        cart = np.concatenate(carts)
        partner = np.concatenate(partners)
        for i in promising.tolist():
            b, p = int(cart[i]), int(partner[i])
            tour_a = self._without(a, o)
            tour_b = self.tour[b]
            if p >= 0:
                tour_a = self._insert(tour_a, self.nodes[p])
                tour_b = self._without(b, p)
            tour_b = self._insert(tour_b, self.nodes[o])
            if self._cost(tour_a) + self._cost(tour_b) < self.cost[a] + self.cost[b] - _EPS:
                self._touch(a)
                self._touch(b)
                self.member[a].remove(o)
                self.member[b].append(o)
                if p >= 0:
                    self.member[b].remove(p)
                    self.member[a].append(p)
                self._apply(a, b, tour_a, tour_b)
                return a, b
        return None

    def _descend(self, queue: Iterable[int], deadline: float) -> None:
        """Moves and swaps until no order of the queue, nor of a cart changed on the way, has
        one that shortens the tours."""
        used = max(1, int((self.count > 0).sum()))
        threshold = _SCREEN_SHARE * float(self.cost.sum()) / used
        pending = list(dict.fromkeys(queue))
        queued = set(pending)
        n = 0
        while n < len(pending):
            if time.perf_counter() >= deadline:
                return
            o = pending[n]
            n += 1
            queued.discard(o)
            changed = self._try(o, threshold)
            if changed is None:
                continue
            for b in changed:
                for q in self.member[b]:
                    if q not in queued:
                        queued.add(q)
                        pending.append(q)

    # re-splitting two carts

    def _resplit(self, a: int, b: int) -> bool:
        """Split the orders of carts a and b in two again, the best way found; whether that
        shortened their tours.

        Each split that fits is estimated by walking a tour through both carts' bins with only
        each part's bins; the best few estimates are checked on shortened tours.
        """
        key = (frozenset(self.member[a]), frozenset(self.member[b]))
        if key in self.tried:
            return False
        self.tried.add(key)
        both = self.member[a] + self.member[b]
        size = len(both)
        extra = np.unique(np.concatenate([self.nodes[o] for o in self.member[b]]))
        union = self._insert(self.tour[a], extra)
        position = {v: i for i, v in enumerate(union, start=1)}
        need = np.zeros((size, len(union) + 2), dtype=np.float32)
        for row, o in enumerate(both):
            need[row, [position[v] for v in self.nodes[o].tolist()]] = 1
        splits = _splits(len(self.member[a]), len(self.member[b]))
        volume, weight = self.volume[both], self.weight[both]
        volume_in, weight_in = splits @ volume, splits @ weight
        count_in = splits.sum(axis=1)
        fits = (
            (count_in <= self.max_orders)
            & (size - count_in <= self.max_orders)
            & (volume_in <= self.max_volume)
            & (volume.sum() - volume_in <= self.max_volume)
            & (weight_in <= self.max_weight)
            & (weight.sum() - weight_in <= self.max_weight)
        )
        if not fits.any():
            return False
        chosen = splits[fits]
        inside = chosen.astype(np.float32) @ need
        first = inside > 0.5
        second = inside < need.sum(axis=0) - 0.5
        first[:, 0] = first[:, -1] = second[:, 0] = second[:, -1] = True
        stops = np.array([0, *union, 0], dtype=np.int64)
        between = self.D[stops[:, None], stops[None, :]]
        estimate = _shortcuts(between, first) + _shortcuts(between, second)
        before = self.cost[a] + self.cost[b]
        for k in np.argsort(estimate, kind="stable")[:_SPLITS_CHECKED].tolist():
            if estimate[k] > _SPLIT_CUT * before:
                break
            tour_a = [union[i] for i in np.flatnonzero(first[k, 1:-1]).tolist()]
            tour_b = [union[i] for i in np.flatnonzero(second[k, 1:-1]).tolist()]
            if estimate[k] >= before - _EPS:
                tour_a, tour_b = self._shorten(tour_a), self._shorten(tour_b)
                if self._cost(tour_a) + self._cost(tour_b) >= before - _EPS:
                    continue
            self._touch(a)
            self._touch(b)
            self.member[a] = [o for o, x in zip(both, chosen[k].tolist(), strict=True) if x]
            self.member[b] = [o for o, x in zip(both, chosen[k].tolist(), strict=True) if not x]
            self._apply(a, b, tour_a, tour_b)
            return True
        return False

    def _resplit_around(self, carts: Iterable[int] | None, deadline: float) -> None:
        """Re-split each of these carts (every cart when None) with its nearest carts, again
        for carts that changed, until no re-split shortens the tours."""
        pending = list(range(len(self.member))) if carts is None else list(dict.fromkeys(carts))
        queued = set(pending)
        n = 0
        while n < len(pending):
            if time.perf_counter() >= deadline:
                return
            a = pending[n]
            n += 1
            queued.discard(a)
            if not self.member[a]:
                continue
            for b in self._nearest(a, _SPLIT_NEIGHBOURS):
                if self.member[a] and self.member[b] and self._resplit(a, b):
                    for c in (a, b):
                        if c not in queued:
                            queued.add(c)
                            pending.append(c)
                    break

    # doing without a cart

    def _deal_out(self, orders: list[int], carts: list[int], seeded: bool) -> bool:
        """Put these orders into these carts, the order with the most to lose by waiting first
        (regret insertion), within the cart's limits; whether they all found room. When
        `seeded`, a cart with no room for any of them may be opened (a spare cart)."""
        left = list(orders)
        while left:
            candidates = np.array(left, dtype=np.int64)
            targets = np.array(carts, dtype=np.int64)
            cost = self.ins[np.ix_(candidates, targets)]
            fits = (
                (self.count[targets][None, :] < self.max_orders)
                & (
                    self.bvol[targets][None, :] + self.volume[candidates][:, None]
                    <= self.max_volume
                )
                & (self.bwt[targets][None, :] + self.weight[candidates][:, None] <= self.max_weight)
            )
            if not fits.any() if seeded else not fits.any(axis=1).all():
                if not seeded:
                    return False
                # A new cart, for the order reaching farthest.
                self._keep_spare()
                b = int(np.flatnonzero(self.count == 0)[0])
                o = left[int(np.argmax(self.far[candidates]))]
                self._touch(b)
                carts.append(b)
            else:
                cost = np.where(fits, cost, np.inf)
                ranked = np.sort(cost, axis=1)
                best = ranked[:, 0]
                placed = np.isfinite(best)
                best = np.where(placed, best, 0.0)
                runner_up = ranked[:, 1] if len(carts) > 1 else np.full(len(left), np.inf)
                regret = np.where(np.isfinite(runner_up), runner_up, best + 1e6) - best
                regret = np.where(placed, regret, -np.inf)
                if seeded:
                    regret *= self.rng.uniform(1.0, 1.2, len(left))
                i = int(np.argmax(regret))
                o, b = left[i], carts[int(np.argmin(cost[i]))]
            left.remove(o)
            self._touch(b)
            self.member[b].append(o)
            self.tour[b] = self._insert(self.tour[b], self.nodes[o])
            self._refresh(b, removal=False)
        return True

    def _eliminate(self, deadline: float) -> None:
        """Try to do without each cart, least loaded first: deal its orders out to the others,
        then moves and swaps; kept when the tours get shorter."""
        tried: set[int] = set()
        while time.perf_counter() < deadline:
            used = [b for b in range(len(self.member)) if self.member[b] and b not in tried]
            if len(used) <= 1:
                return
            b = min(used, key=lambda c: (self._load_share(c), c))
            tried.add(b)
            before = float(self.cost.sum())
            self.journal = {}
            self._touch(b)
            orders, self.member[b] = self.member[b], []
            self._refresh(b)
            others = [c for c in range(len(self.member)) if self.member[c]]
            placed = self._deal_out(orders, others, seeded=False)
            if placed:
                for c in self.journal:
                    self.tour[c] = self._shorten(self.tour[c])
                    self._refresh(c)
                self._keep_spare()
                self._descend([q for c in self.journal for q in self.member[c]], deadline)
            if placed and float(self.cost.sum()) < before - _EPS and not self.member[b]:
                tried.clear()
            else:
                self._undo()
            self.journal = None

    def _load_share(self, b: int) -> float:
        return self.bvol[b] / self.max_volume + self.count[b] / self.max_orders

    # rounds

    def _rebatch(self) -> list[int]:
        """Empty a random cart and its nearest carts but for one seed order each (the one
        reaching farthest, with noise), or sometimes the least loaded of them entirely, and deal
        their orders out again; the orders dealt out."""
        a = int(self.where[int(self.rng.integers(self.n))])
        carts = [a, *self._nearest(a, _CARTS_PER_ROUND - 1)]
        merge = len(carts) > 1 and self.rng.random() < _MERGE_SHARE
        if merge:
            carts.sort(key=lambda b: (self._load_share(b), b))
        pool: list[int] = []
        for n, b in enumerate(carts):
            self._touch(b)
            batch = self.member[b]
            pool.extend(batch)
            if merge and n == 0:
                self.member[b] = []
            else:
                reach = self.far[batch] * self.rng.uniform(0.8, 1.0, len(batch))
                self.member[b] = [batch[int(np.argmax(reach))]]
            self.tour[b] = self._insert([], self.nodes[self.member[b][0]]) if self.member[b] else []
            self._refresh(b, removal=False)
        if merge:
            carts = carts[1:]
        seeds = {self.member[b][0] for b in carts}
        self._deal_out([o for o in sorted(pool) if o not in seeds], carts, seeded=True)
        for b in self.journal or ():
            self.tour[b] = self._shorten(self.tour[b])
            self._refresh(b)
        self._keep_spare()
        return pool

    def improve(self, deadline: float) -> None:
        """Moves and swaps; doing without carts; re-splits; then rounds of re-batching a few
        neighbouring carts followed by moves, swaps and re-splits around them, each round kept
        or undone by simulated annealing. Ends with the best plan seen."""
        self._descend(range(self.n), deadline)
        self._eliminate(deadline)
        self._resplit_around(None, deadline)
        self._descend(range(self.n), deadline)
        if self.n <= 1 or self.rounds == 0:
            return
        current = best = float(self.cost.sum())
        best_state = self._snapshot()
        hot = _START_TEMPERATURE_SHARE * current / max(1, int((self.count > 0).sum()))
        began = time.perf_counter()
        span = max(deadline - began, 1e-9)
        for r in range(self.rounds):
            now = time.perf_counter()
            if now >= deadline:
                break
            temperature = hot * _COOLING ** max(r / self.rounds, (now - began) / span)
            self.journal = {}
            moved = self._rebatch()
            self._descend(moved, deadline)
            self._resplit_around(sorted(b for b in self.journal if self.member[b]), deadline)
            after = float(self.cost.sum())
            if after < current - temperature * math.log(1.0 - self.rng.random()):
                current = after
                if after < best - _EPS:
                    best, best_state = after, self._snapshot()
            else:
                self._undo()
            self.journal = None
        if float(self.cost.sum()) > best + _EPS:
            self._restore(best_state)
