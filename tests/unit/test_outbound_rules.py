"""Outbound rules in plain Python: FEFO reservations, reserved quantities, cartons, cut-offs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from types import SimpleNamespace

import pytest

from wms.domain.allocation import StockOption, plan_reservations
from wms.domain.errors import Conflict, InsufficientStock, InvalidInput
from wms.domain.orders import NewOrder, NewOrderLine, OrderStatus, check_cancel
from wms.domain.packing import CARTON_SIZES, carton, check_weight, suggest_carton
from wms.domain.stock import Quantities
from wms.domain.waves import CartLimits, PickPace
from wms.services.carriers import due_cutoff, next_cutoff

SHIP = date(2026, 11, 27)


def option(code: str, expiry: date | None, available: int, *, pickable: bool = True, seq: int = 1):
    return StockOption(
        balance_id=hash(code) % 10_000,
        location_code=code,
        lot_number=code,
        expiry_date=expiry,
        available=available,
        pickable=pickable,
        pick_sequence=seq,
    )


def test_first_expiry_first_out_across_bins():
    options = [
        option("late", date(2027, 6, 1), 10),
        option("early", date(2027, 1, 1), 3),
        option("middle", date(2027, 3, 1), 4),
    ]
    plan = plan_reservations(options, 6, SHIP, 30)
    assert [(r.option.location_code, r.quantity) for r in plan] == [("early", 3), ("middle", 3)]


def test_lots_without_enough_shelf_life_left_are_skipped():
    options = [option("too-soon", date(2026, 12, 20), 50), option("fine", date(2027, 2, 1), 5)]
    plan = plan_reservations(options, 8, SHIP, 30)
    # 2026-12-20 is 23 days after shipping: under the 30-day minimum, so only 5 are reserved.
    assert [(r.option.location_code, r.quantity) for r in plan] == [("fine", 5)]
    assert plan_reservations(options, 8, SHIP, 20)[0].option.location_code == "too-soon"


def test_equal_expiry_prefers_pick_faces_then_walking_order_and_undated_stock_comes_last():
    same = date(2027, 5, 1)
    options = [
        option("undated", None, 100),
        option("reserve", same, 10, pickable=False, seq=1),
        option("face-far", same, 10, seq=9),
        option("face-near", same, 10, seq=2),
    ]
    plan = plan_reservations(options, 35, SHIP, 0)
    assert [r.option.location_code for r in plan] == ["face-near", "face-far", "reserve", "undated"]
    assert sum(r.quantity for r in plan) == 35


def test_reserved_units_move_and_leave_only_as_reserved():
    stock = Quantities(on_hand=10, reserved=0).reserve(4)
    assert (stock.on_hand, stock.reserved, stock.available) == (10, 4, 6)
    with pytest.raises(InsufficientStock):
        stock.reserve(7)
    with pytest.raises(InsufficientStock):
        stock.take(7)  # free units only
    picked = stock.take_reserved(4)
    assert (picked.on_hand, picked.reserved) == (6, 0)
    landed = Quantities().put_reserved(4)
    assert (landed.on_hand, landed.reserved) == (4, 4)
    with pytest.raises(InsufficientStock):
        Quantities(5, 1).release(2)


def test_orders_cannot_be_cancelled_once_shipped():
    check_cancel(OrderStatus.PACKED)
    with pytest.raises(Conflict):
        check_cancel(OrderStatus.SHIPPED)


def _new_order(**changes):
    base = {
        "fc_id": 1,
        "carrier_id": 1,
        "external_id": "SHP-1",
        "ship_by": datetime(2026, 11, 27, 8, tzinfo=UTC),
        "recipient_name": "Nguyễn Thị Hoa",
        "recipient_phone": "+84 90 123 4567",
        "address": "12 Lê Lợi",
        "city": "Hồ Chí Minh",
        "postcode": "700000",
        "country": "VN",
        "lines": (NewOrderLine("A", 1),),
    }
    return NewOrder(**{**base, **changes})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"recipient_phone": "call me"}, "recipient_phone"),
        ({"lines": ()}, "lines"),
        ({"lines": (NewOrderLine("A", 1), NewOrderLine("A", 2))}, "lines.1.sku_code"),
        ({"lines": (NewOrderLine("A", 0),)}, "lines.0.quantity"),
        ({"ship_by": datetime(2026, 11, 27, 8)}, "ship_by"),  # noqa: DTZ001 - the fault tested
        ({"cod_amount": Decimal("-1")}, "cod_amount"),
        ({"channel": "ebay"}, "channel"),
        ({"address": "  "}, "address"),
    ],
)
def test_an_order_with_a_bad_field_is_refused_naming_it(changes, field):
    _new_order().check()
    with pytest.raises(InvalidInput) as refused:
        _new_order(**changes).check()
    assert refused.value.field == field


def test_the_smallest_carton_that_holds_the_items_is_suggested():
    assert suggest_carton(500, 150).code == "S"
    assert suggest_carton(500, 250).code == "M"  # too long for S
    assert suggest_carton(10_000, 200).code == "L"
    assert suggest_carton(10_000_000, 200) is CARTON_SIZES[-1]
    with pytest.raises(InvalidInput):
        carton("XXL")


def test_a_parcel_must_weigh_at_least_its_contents():
    check_weight(1000, 1000)
    for weight in (0, 500, 40_000):
        with pytest.raises(InvalidInput) as refused:
            check_weight(weight, 1000)
        assert refused.value.field == "weight_g"


def test_cart_limits_and_trip_time_estimates():
    with pytest.raises(InvalidInput):
        CartLimits(max_orders=0)
    pace = PickPace(walk_m_per_s=1.0, seconds_per_stop=10, seconds_per_unit=2, seconds_per_trip=60)
    assert pace.minutes(120, 6, 10) == round((60 + 120 + 60 + 20) / 60, 1)


def test_an_orders_deadline_is_its_carriers_last_cutoff_before_ship_by():
    carrier = SimpleNamespace(cutoff_local=time(16, 0))
    kl = "Asia/Kuala_Lumpur"  # UTC+8
    # Ship by 20:00 local on the 27th: the 16:00 collection that day.
    ship_by = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert due_cutoff(carrier, kl, ship_by) == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    # Ship by 10:00 local: the previous day's collection.
    early = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    assert due_cutoff(carrier, kl, early) == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    assert next_cutoff(carrier, kl, early) == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    assert next_cutoff(carrier, kl, ship_by) == datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
