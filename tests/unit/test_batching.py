"""Wave planning: carts within their limits, groups and single items apart, every order and line
picked once, walking as a picker would measure it, and less of it than first-come-first-served
batching."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path

import pytest

from routing import batching
from routing.aisle_graph import DEPOT, GridLayout
from routing.batching import Cart, PickLine, WaveOrder

# A copy of ../shared/bench-data/picking/batch/batch-s11-o200-a20-k2-b25.json (CI has no
# ../shared; see tests/data/picking/README.md).
BATCH = Path(__file__).resolve().parents[1] / "data" / "picking" / "batch"
# One block of 6 aisles, 3 m apart, 20 bays of 1 m; the depot at the front of aisle 0. A bay b
# stands 1 + b + 0.5 m up its aisle (half the 2 m cross aisle, then b bays and half a bay).
LAYOUT = GridLayout.from_json(
    {
        "aisles": 6,
        "blocks": 1,
        "bays_per_block": 20,
        "bay_m": 1.0,
        "aisle_pitch_m": 3.0,
        "cross_aisle_m": 2.0,
        "depot": {"x_m": 0.0},
    }
)
GRAPH = LAYOUT.graph()


def spot(aisle: int, bay: int) -> str:
    return LAYOUT.slot_key({"aisle": aisle, "block": 0, "bay": bay, "side": "L"})


def order(
    name: str, *picks: tuple[int, int, int], group: str = "", volume: float = 1.0, kg: float = 0.5
) -> WaveOrder:
    """An order with a line of `units` at each (aisle, bay, units)."""
    return WaveOrder(
        name,
        tuple(PickLine(spot(aisle, bay), units, volume, kg) for aisle, bay, units in picks),
        group,
    )


def covered(plan: batching.WavePlan, orders: list[WaveOrder]) -> None:
    """Every order in exactly one trip, every line of it exactly once in that trip's walk."""
    seen = Counter(order_id for trip in plan.trips for order_id in trip.order_ids)
    assert seen == Counter(o.id for o in orders)
    for trip in plan.trips:
        wanted = Counter(
            (o.id, index) for o in orders if o.id in trip.order_ids for index in range(len(o.lines))
        )
        assert Counter(trip.sequence) == wanted


def walked(trip: batching.Trip, orders: list[WaveOrder]) -> float:
    """Metres from the depot through the trip's lines in its order and back."""
    by_id = {o.id: o for o in orders}
    stops = [DEPOT, *(by_id[o].lines[n].key for o, n in trip.sequence), DEPOT]
    return sum(GRAPH.distance(a, b) for a, b in itertools.pairwise(stops))


def test_orders_at_the_same_bins_share_a_cart_and_far_ones_do_not():
    orders = [
        order("near-1", (0, 2, 2), (0, 3, 1)),
        order("far-1", (5, 18, 2), (5, 19, 1)),
        order("near-2", (0, 2, 1), (0, 4, 2)),
        order("far-2", (5, 18, 1), (5, 17, 2)),
    ]
    plan = batching.plan_wave(GRAPH, orders, Cart(max_orders=2, max_volume_l=100))
    covered(plan, orders)
    trips = {trip.order_ids: trip for trip in plan.trips}
    assert sorted(trips) == [("far-1", "far-2"), ("near-1", "near-2")]
    # Near: up aisle 0 to bay 4 (5.5 m) and back. Far: 15 m along the front to aisle 5, up to
    # bay 19 (20.5 m) and back the same way.
    assert trips["near-1", "near-2"].length_m == pytest.approx(11.0)
    assert trips["far-1", "far-2"].length_m == pytest.approx(71.0)
    assert plan.total_m == pytest.approx(82.0)
    for trip in plan.trips:
        assert walked(trip, orders) == pytest.approx(trip.length_m)
    fcfs = batching.first_come_first_served(GRAPH, orders, Cart(2, 100))
    assert [trip.order_ids for trip in fcfs.trips] == [("near-1", "far-1"), ("near-2", "far-2")]
    # Each of its trips goes up aisle 0, along the back (22 m up), down aisle 5 and back along
    # the front: 22 + 15 + 22 + 15 m.
    assert [trip.length_m for trip in fcfs.trips] == pytest.approx([74.0, 74.0])


def test_one_order_per_trip_walks_each_order_alone():
    orders = [order("a", (0, 2, 1)), order("b", (2, 9, 1), (2, 3, 2))]
    plan = batching.one_order_per_trip(GRAPH, orders, Cart(8, 100))
    assert [trip.order_ids for trip in plan.trips] == [("a",), ("b",)]
    # a: 3.5 m up aisle 0 and back; b: 6 m to aisle 2, 10.5 m up it and all the way back.
    assert [trip.length_m for trip in plan.trips] == pytest.approx([7.0, 33.0])


def test_first_come_first_served_fills_each_cart_until_the_next_order_does_not_fit():
    orders = [
        order("a", (0, 1, 3), volume=10.0),  # 30 l
        order("b", (0, 2, 1), volume=25.0),
        order("c", (5, 1, 1), volume=20.0, group="chilled"),
        order("d", (0, 3, 1), volume=10.0),  # 65 l with a and b: a new cart
        order("e", (5, 2, 1), volume=30.0, group="chilled"),
        order("f", (1, 1, 1), volume=5.0),
    ]
    plan = batching.first_come_first_served(GRAPH, orders, Cart(max_orders=3, max_volume_l=60))
    covered(plan, orders)
    # Trips are listed group by group (in order of first appearance), earliest order first.
    assert [trip.order_ids for trip in plan.trips] == [("a", "b"), ("d", "f"), ("c", "e")]
    assert [trip.volume_l for trip in plan.trips] == pytest.approx([55.0, 15.0, 50.0])
    assert [trip.group for trip in plan.trips] == ["", "", "chilled"]


def test_carts_never_exceed_their_totes_litres_or_kilograms():
    orders = [
        order(f"o{i}", (i % 6, 1 + i % 19, 1 + i % 3), volume=4.0, kg=0.4 + 0.1 * (i % 4))
        for i in range(30)
    ]
    cart = Cart(max_orders=4, max_volume_l=20.0, max_weight_kg=3.0)
    plan = batching.plan_wave(GRAPH, orders, cart)
    covered(plan, orders)
    by_id = {o.id: o for o in orders}
    for trip in plan.trips:
        litres = sum(ln.quantity * ln.volume_l for i in trip.order_ids for ln in by_id[i].lines)
        kilos = sum(ln.quantity * ln.weight_kg for i in trip.order_ids for ln in by_id[i].lines)
        assert len(trip.order_ids) <= 4
        assert litres <= 20.0 + 1e-9 and kilos <= 3.0 + 1e-9
        assert trip.volume_l == pytest.approx(litres) and trip.weight_kg == pytest.approx(kilos)
        assert not trip.oversize


def test_the_weight_limit_alone_splits_carts():
    # Two orders at one bin: together 10 l of 100 but 12 kg of 10.
    orders = [order("a", (3, 5, 2), volume=2.5, kg=3.0), order("b", (3, 5, 2), volume=2.5, kg=3.0)]
    assert len(batching.plan_wave(GRAPH, orders, Cart(8, 100)).trips) == 1
    heavy = batching.plan_wave(GRAPH, orders, Cart(8, 100, max_weight_kg=10.0))
    assert sorted(trip.order_ids for trip in heavy.trips) == [("a",), ("b",)]


def test_chilled_and_ambient_never_share_a_trip_and_single_items_go_apart():
    orders = [
        order("amb-multi", (1, 5, 2)),
        order("amb-single", (1, 5, 1)),
        order("chl-multi", (1, 6, 3), group="chilled"),
        order("chl-single", (1, 6, 1), group="chilled"),
        order("amb-single-2", (1, 7, 1)),
    ]
    plan = batching.plan_wave(GRAPH, orders, Cart(8, 100))
    covered(plan, orders)
    groups = {o.id: o.group for o in orders}
    for trip in plan.trips:
        assert {groups[i] for i in trip.order_ids} == {trip.group}
        assert len({batching.is_single_item(o) for o in orders if o.id in trip.order_ids}) == 1
    assert sorted(trip.order_ids for trip in plan.trips) == [
        ("amb-multi",),
        ("amb-single", "amb-single-2"),
        ("chl-multi",),
        ("chl-single",),
    ]
    mixed = batching.plan_wave(GRAPH, orders, Cart(8, 100), separate_single_items=False)
    covered(mixed, orders)
    assert sorted(trip.order_ids for trip in mixed.trips) == [
        ("amb-multi", "amb-single", "amb-single-2"),
        ("chl-multi", "chl-single"),
    ]


def test_an_order_too_big_for_the_cart_goes_alone_and_is_flagged():
    # 10 units of 3 l: 30 l alone, over the 25 l cart (quantity times volume).
    orders = [order("huge", (2, 2, 10), volume=3.0), order("small", (2, 3, 1))]
    orders.append(order("small-2", (2, 4, 1)))
    plan = batching.plan_wave(GRAPH, orders, Cart(8, 25))
    covered(plan, orders)
    (huge,) = [t for t in plan.trips if "huge" in t.order_ids]
    assert huge.order_ids == ("huge",) and huge.oversize and huge.volume_l == pytest.approx(30)
    assert [t.oversize for t in plan.trips if t is not huge] == [False]
    fcfs = batching.first_come_first_served(GRAPH, orders, Cart(8, 25))
    assert [(t.order_ids, t.oversize) for t in fcfs.trips] == [
        (("huge",), True),
        (("small", "small-2"), False),
    ]


def test_the_same_wave_gives_the_same_trips():
    orders = [
        order(f"o{i}", (i % 6, 1 + (7 * i) % 19, 1), (5 - i % 6, 2 + i % 17, 2)) for i in range(40)
    ]
    first = batching.plan_wave(GRAPH, orders, Cart(5, 100))
    second = batching.plan_wave(GRAPH, orders, Cart(5, 100))
    covered(first, orders)
    assert first.trips == second.trips


def test_an_empty_wave_has_no_trips():
    plan = batching.plan_wave(GRAPH, [], Cart(8, 60))
    assert plan.trips == () and plan.total_m == 0.0
    assert batching.first_come_first_served(GRAPH, [], Cart(8, 60)).trips == ()


@pytest.mark.parametrize(
    ("orders", "cart", "message"),
    [
        ([order("a", (0, 1, 1)), order("a", (0, 2, 1))], Cart(2, 10), "'a' appears more than"),
        ([WaveOrder("empty", ())], Cart(2, 10), "'empty' has no lines"),
        ([order("zero", (0, 1, 0))], Cart(2, 10), "quantity must be positive"),
        ([WaveOrder("x", (PickLine("no-such-bin", 1, 1.0),))], Cart(2, 10), "'no-such-bin'"),
        ([WaveOrder("x", (PickLine(DEPOT, 1, 1.0),))], Cart(2, 10), "not a bin"),
        ([order("a", (0, 1, 1), volume=-1.0)], Cart(2, 10), "volume_l must be zero or more"),
        ([order("a", (0, 1, 1))], Cart(0, 10), "max_orders must be positive"),
        ([order("a", (0, 1, 1))], Cart(2, -1), "max_volume_l must be positive"),
        ([order("a", (0, 1, 1))], Cart(2, 10, max_weight_kg=0), "max_weight_kg must be positive"),
    ],
)
def test_bad_waves_are_refused_with_the_reason(orders, cart, message):
    with pytest.raises(ValueError, match=message):
        batching.plan_wave(GRAPH, orders, cart)
    with pytest.raises(ValueError, match=message):
        batching.first_come_first_served(GRAPH, orders, cart)


def test_the_200_order_wave_walks_less_than_first_come_first_served_and_checks_out():
    data = json.loads((BATCH / "batch-s11-o200-a20-k2-b25.json").read_text())
    graph, orders, cart = batching.load_batch_instance(data)
    plan = batching.plan_wave(graph, orders, cart, time_limit_s=30)
    fcfs = batching.first_come_first_served(graph, orders, cart)
    covered(plan, orders)
    planned_m = batching.batch_cost(data, batching.plan_to_solution(plan))  # every rule checked
    assert planned_m == pytest.approx(plan.total_m)
    assert planned_m <= 0.8 * batching.batch_cost(data, batching.plan_to_solution(fcfs))
    assert planned_m <= fcfs.total_m


def test_solve_batch_instance_gives_a_solution_the_checker_accepts():
    data = json.loads((BATCH / "batch-s11-o200-a20-k2-b25.json").read_text())
    data["orders"] = data["orders"][:40]
    solution = batching.solve_batch_instance(data, time_limit_s=10)
    walking = batching.batch_cost(data, solution)
    graph, orders, cart = batching.load_batch_instance(data)
    fcfs = batching.first_come_first_served(graph, orders, cart)
    assert 0 < walking < fcfs.total_m
    assert sorted(o for batch in solution["batches"] for o in batch["orders"]) == sorted(
        o.id for o in orders
    )


def test_the_checker_refuses_solutions_that_break_the_rules():
    data = json.loads((BATCH / "batch-s11-o200-a20-k2-b25.json").read_text())
    data["orders"] = data["orders"][:6]
    by_id = {o["id"]: o for o in data["orders"]}
    first, second, third, *rest = by_id

    def batch(*ids: str) -> dict[str, list[str]]:
        lines = [f"{i}:{n}" for i in ids for n in range(len(by_id[i]["lines"]))]
        return {"orders": list(ids), "sequence": lines}

    good = {"batches": [batch(first, second, third), *(batch(i) for i in rest)]}
    # o1 is one unit in aisle 6 (x = 18 m), block 1, bay 14 (y = 27 + 1 + 14.5 m): alone, 18 m
    # along the front, 42.5 m up the aisle, and back.
    only_first = {**data, "orders": [by_id[first]]}
    assert batching.batch_cost(only_first, {"batches": [batch(first)]}) == pytest.approx(121.0)
    # The checker walks each sequence as given: the routed one is never longer than file order.
    graph, orders, cart = batching.load_batch_instance(data)
    routed = batching.one_order_per_trip(graph, orders, cart)
    in_file_order = {"batches": [batch(i) for i in by_id]}
    assert batching.batch_cost(data, batching.plan_to_solution(routed)) == pytest.approx(
        routed.total_m
    )
    assert routed.total_m < batching.batch_cost(data, in_file_order)
    missing = batch(first, second, third)
    missing["sequence"] = missing["sequence"][1:]
    twice = batch(first, second, third)
    twice["sequence"] = [*twice["sequence"], twice["sequence"][0]]
    unknown = batch(first, second, third)
    unknown["sequence"] = [*unknown["sequence"], f"{rest[0]}:0"]
    cases = [
        (data, {"batches": good["batches"][1:]}, "is in no batch"),
        (data, {"batches": [*good["batches"], batch(first)]}, "more than one batch"),
        (data, {"batches": [missing, *good["batches"][1:]]}, "is not in the sequence"),
        (data, {"batches": [twice, *good["batches"][1:]]}, "appears twice"),
        (data, {"batches": [unknown, *good["batches"][1:]]}, "is not a line of the batch"),
        ({**data, "cart": {"max_orders": 2, "max_volume_l": 60}}, good, "holds 3 orders, over 2"),
        ({**data, "cart": {"max_orders": 8, "max_volume_l": 2.0}}, good, "l, over 2"),
    ]
    for instance, solution, message in cases:
        with pytest.raises(ValueError, match=message):
            batching.batch_cost(instance, solution)
