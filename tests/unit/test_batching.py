"""Wave planning: carts within their limits, groups and single items apart, every order and line
picked once, and less walking than first-come-first-served batching."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from routing import batching
from routing.aisle_graph import GridLayout
from routing.batching import Cart, PickLine, WaveOrder

BATCH = Path(__file__).resolve().parents[1] / "data" / "picking" / "batch"
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
    name: str, *picks: tuple[int, int, int], group: str = "", volume: float = 1.0
) -> WaveOrder:
    return WaveOrder(
        name,
        tuple(PickLine(spot(aisle, bay), units, volume, 0.5) for aisle, bay, units in picks),
        group,
    )


def covered(plan: batching.WavePlan, orders: list[WaveOrder]) -> None:
    """Every order in one trip, every line of it once in that trip's walking order."""
    seen = Counter(order_id for trip in plan.trips for order_id in trip.order_ids)
    assert seen == Counter(o.id for o in orders)
    for trip in plan.trips:
        lines = Counter(trip.sequence)
        wanted = Counter(
            (o.id, index) for o in orders if o.id in trip.order_ids for index in range(len(o.lines))
        )
        assert lines == wanted


def test_orders_at_the_same_bins_share_a_cart_and_far_ones_do_not():
    orders = [
        order("near-1", (0, 2, 2), (0, 3, 1)),
        order("far-1", (5, 18, 2), (5, 19, 1)),
        order("near-2", (0, 2, 1), (0, 4, 2)),
        order("far-2", (5, 18, 1), (5, 17, 2)),
    ]
    plan = batching.plan_wave(GRAPH, orders, Cart(max_orders=2, max_volume_l=100), time_limit_s=5)
    covered(plan, orders)
    assert sorted(sorted(trip.order_ids) for trip in plan.trips) == [
        ["far-1", "far-2"],
        ["near-1", "near-2"],
    ]
    fcfs = batching.first_come_first_served(GRAPH, orders, Cart(2, 100))
    assert plan.total_m < fcfs.total_m


def test_carts_never_exceed_their_totes_litres_or_kilograms():
    orders = [order(f"o{i}", (i % 6, 1 + i % 19, 1 + i % 3), volume=4.0) for i in range(30)]
    cart = Cart(max_orders=4, max_volume_l=20.0, max_weight_kg=3.0)
    plan = batching.plan_wave(GRAPH, orders, cart, time_limit_s=5)
    covered(plan, orders)
    by_id = {o.id: o for o in orders}
    for trip in plan.trips:
        assert len(trip.order_ids) <= 4
        litres = sum(ln.quantity * ln.volume_l for i in trip.order_ids for ln in by_id[i].lines)
        kilos = sum(ln.quantity * ln.weight_kg for i in trip.order_ids for ln in by_id[i].lines)
        assert litres <= 20.0 + 1e-9 and kilos <= 3.0 + 1e-9
        assert trip.volume_l == pytest.approx(litres)


def test_chilled_and_ambient_never_share_a_trip_and_single_items_go_apart():
    orders = [
        order("amb-multi", (1, 5, 2)),
        order("amb-single", (1, 5, 1)),
        order("chl-multi", (1, 6, 3), group="chilled"),
        order("chl-single", (1, 6, 1), group="chilled"),
        order("amb-single-2", (1, 7, 1)),
    ]
    plan = batching.plan_wave(GRAPH, orders, Cart(8, 100), time_limit_s=5)
    covered(plan, orders)
    groups = {o.id: o.group for o in orders}
    for trip in plan.trips:
        assert {groups[i] for i in trip.order_ids} == {trip.group}
        kinds = {batching.is_single_item(o) for o in orders if o.id in trip.order_ids}
        assert len(kinds) == 1
    mixed = batching.plan_wave(
        GRAPH, orders, Cart(8, 100), time_limit_s=5, separate_single_items=False
    )
    assert len(mixed.trips) == 2  # one per temperature


def test_an_order_too_big_for_the_cart_goes_alone_and_is_flagged():
    orders = [order("huge", (2, 2, 10), volume=30.0), order("small", (2, 3, 1))]
    plan = batching.plan_wave(GRAPH, orders, Cart(8, 100), time_limit_s=5)
    covered(plan, orders)
    (huge,) = [t for t in plan.trips if "huge" in t.order_ids]
    assert huge.order_ids == ("huge",) and huge.oversize


def test_the_same_wave_gives_the_same_trips():
    orders = [
        order(f"o{i}", (i % 6, 1 + (7 * i) % 19, 1), (5 - i % 6, 2 + i % 17, 2)) for i in range(40)
    ]
    first = batching.plan_wave(GRAPH, orders, Cart(5, 100), time_limit_s=30)
    second = batching.plan_wave(GRAPH, orders, Cart(5, 100), time_limit_s=30)
    assert first.trips == second.trips


@pytest.mark.parametrize(
    ("orders", "cart"),
    [
        ([order("a", (0, 1, 1)), order("a", (0, 2, 1))], Cart(2, 10)),
        ([WaveOrder("empty", ())], Cart(2, 10)),
        ([order("zero", (0, 1, 0))], Cart(2, 10)),
        ([WaveOrder("nowhere", (PickLine("no-such-bin", 1, 1.0),))], Cart(2, 10)),
        ([order("a", (0, 1, 1))], Cart(0, 10)),
        ([order("a", (0, 1, 1))], Cart(2, -1)),
    ],
)
def test_bad_waves_are_refused(orders, cart):
    with pytest.raises((ValueError, KeyError)):
        batching.plan_wave(GRAPH, orders, cart, time_limit_s=1)


def test_the_200_order_wave_walks_a_quarter_less_than_first_come_first_served():
    data = json.loads((BATCH / "batch-s11-o200-a20-k2-b25.json").read_text())
    solution = batching.solve_batch_instance(data, time_limit_s=20)
    graph, orders, cart = batching.load_batch_instance(data)
    fcfs = batching.plan_to_solution(batching.first_come_first_served(graph, orders, cart))
    planned_m = batching.batch_cost(data, solution)  # checks every rule of FORMAT.md
    fcfs_m = batching.batch_cost(data, fcfs)
    assert planned_m <= 0.8 * fcfs_m
    broken = {"batches": solution["batches"][1:]}
    with pytest.raises(ValueError):
        batching.batch_cost(data, broken)  # an order left out
