"""The delivery rules as plain Python: vehicles and drivers as a manager enters them, delivery
points and windows, the plan's life, the day and the time limit, what a delivery weighs."""

from dataclasses import replace
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from wms.domain.deliveries import (
    MAX_DAYS_AHEAD,
    DeliveryPlanStatus,
    DriverDetails,
    VehicleDetails,
    check_delivery_date,
    check_dispatch_date,
    check_draft,
    check_position,
    check_time_limit,
    parcel_demand,
    stop_service_seconds,
)
from wms.domain.delivery_points import check_coordinates, check_window
from wms.domain.errors import Conflict, InvalidInput
from wms.domain.orders import NewOrder, NewOrderLine
from wms.services.deliveries import ChosenVehicle, PlanRequest

VAN = VehicleDetails(
    name="  Van 1 · Toyota Hiace ",
    plate="bnm 4512",
    capacity_kg=1000,
    capacity_litres=6000,
    capacity_parcels=120,
    fixed_cost=Decimal("180.00"),
    cost_per_km=Decimal("0.85"),
    shift_start=time(8, 0, 30),
    shift_end=time(18),
    max_route_hours=9,
)


def test_a_vehicle_is_trimmed_and_its_plate_upper_case():
    checked = VAN.checked()
    assert checked.name == "Van 1 · Toyota Hiace"
    assert checked.plate == "BNM 4512"
    assert checked.shift_start == time(8, 0)
    assert checked.capacity_kg == 1000.0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "   "}, "name"),
        ({"plate": "X" * 17}, "plate"),
        ({"plate": "AB\x07C"}, "plate"),
        ({"capacity_kg": 0}, "capacity_kg"),
        ({"capacity_kg": float("nan")}, "capacity_kg"),
        ({"capacity_litres": -1}, "capacity_litres"),
        ({"capacity_parcels": 0}, "capacity_parcels"),
        ({"capacity_parcels": True}, "capacity_parcels"),
        ({"fixed_cost": Decimal("-1")}, "fixed_cost"),
        ({"fixed_cost": Decimal("1.234")}, "fixed_cost"),
        ({"cost_per_km": Decimal("NaN")}, "cost_per_km"),
        ({"cost_per_km": Decimal("0.12345")}, "cost_per_km"),
        ({"shift_end": time(8)}, "shift_end"),
        ({"max_route_hours": 25}, "max_route_hours"),
        ({"max_route_hours": 0}, "max_route_hours"),
    ],
)
def test_a_vehicle_that_cannot_work_is_refused_naming_the_field(change, field):
    with pytest.raises(InvalidInput) as refused:
        replace(VAN, **change).checked()
    assert refused.value.field == field


def test_a_driver_needs_a_name_and_a_phone_number():
    assert DriverDetails(" Lim Chee Keong ", " +60 16-512 9083").checked() == DriverDetails(
        "Lim Chee Keong", "+60 16-512 9083"
    )
    with pytest.raises(InvalidInput) as refused:
        DriverDetails("Lim", "call me").checked()
    assert refused.value.field == "phone"
    with pytest.raises(InvalidInput) as refused:
        DriverDetails("", "+60 16-512 9083").checked()
    assert refused.value.field == "name"


def test_a_delivery_point_has_both_coordinates_in_range_or_none():
    assert check_coordinates(None, None) is None
    assert check_coordinates(3.0553, 101.5265) == (3.0553, 101.5265)
    for latitude, longitude, field in [
        (3.0, None, "delivery_longitude"),
        (None, 101.5, "delivery_latitude"),
        (91.0, 101.5, "delivery_latitude"),
        (3.0, -180.5, "delivery_longitude"),
        (float("inf"), 101.5, "delivery_latitude"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            check_coordinates(latitude, longitude, "delivery_")
        assert refused.value.field == field


def test_a_window_closes_after_it_opens_and_comes_whole():
    assert check_window(None, None) is None
    assert check_window(time(9), time(12)) == (time(9), time(12))
    with pytest.raises(InvalidInput) as refused:
        check_window(time(12), time(9))
    assert refused.value.field == "delivery_window_close"
    with pytest.raises(InvalidInput) as refused:
        check_window(None, time(9))
    assert refused.value.field == "delivery_window_open"


def test_an_order_is_refused_with_half_a_delivery_point_or_a_backward_window():
    order = NewOrder(
        fc_id=1,
        carrier_id=1,
        external_id="X-1",
        ship_by=datetime(2026, 12, 5, tzinfo=UTC),
        recipient_name="Tan Wei Ming",
        recipient_phone="+60 16-229 8830",
        address="8 Jalan SS2/24",
        city="Petaling Jaya",
        postcode="47300",
        country="MY",
        lines=(NewOrderLine("SF-MANGO-200", 1),),
    )
    order.check()
    with pytest.raises(InvalidInput) as refused:
        replace(order, delivery_latitude=3.1).check()
    assert refused.value.field == "delivery_longitude"
    with pytest.raises(InvalidInput) as refused:
        replace(order, delivery_window_open=time(14), delivery_window_close=time(13)).check()
    assert refused.value.field == "delivery_window_close"


def test_only_a_draft_changes_and_a_finished_plan_says_what_it_is():
    check_draft(DeliveryPlanStatus.DRAFT, "dispatched")
    for status in (DeliveryPlanStatus.DISPATCHED, DeliveryPlanStatus.DISCARDED):
        with pytest.raises(Conflict, match=f"this one is {status}"):
            check_draft(status, "dispatched")


def test_deliveries_are_planned_from_today_up_to_two_weeks_ahead():
    today = date(2026, 12, 4)
    check_delivery_date(today, today)
    check_delivery_date(date(2026, 12, 18), today)
    with pytest.raises(InvalidInput, match="today or a later day"):
        check_delivery_date(date(2026, 12, 3), today)
    with pytest.raises(InvalidInput, match=f"{MAX_DAYS_AHEAD} days ahead"):
        check_delivery_date(date(2026, 12, 19), today)
    check_dispatch_date(today, today)
    with pytest.raises(Conflict, match="passed"):
        check_dispatch_date(date(2026, 12, 3), today)


def test_the_planner_gets_between_one_second_and_five_minutes():
    assert check_time_limit(1) == 1.0
    for bad in (0.5, 301, float("nan")):
        with pytest.raises(InvalidInput) as refused:
            check_time_limit(bad)
        assert refused.value.field == "time_limit_s"


def test_a_delivery_weighs_its_parcels_and_takes_longer_with_more_of_them():
    demand = parcel_demand([(1200, 300, 220, 150), (400, 200, 150, 100)])
    assert demand.kg == 1.6
    assert demand.litres == pytest.approx(9.9 + 3.0)
    assert demand.parcels == 2
    assert demand.as_tuple() == (1.6, pytest.approx(12.9), 2.0)
    assert stop_service_seconds(180, 30, 1) == 180
    assert stop_service_seconds(180, 30, 3) == 240


def test_a_place_on_a_route_is_within_it_or_right_after_it():
    assert check_position(None, 4) == 5
    assert check_position(1, 4) == 1
    assert check_position(5, 4) == 5
    for bad in (0, 6, True):
        with pytest.raises(InvalidInput) as refused:
            check_position(bad, 4)
        assert refused.value.field == "position"


def test_a_plan_request_chooses_each_vehicle_and_driver_once():
    request = PlanRequest(
        fc_id=1,
        delivery_date=date(2026, 12, 5),
        vehicles=(ChosenVehicle(1, 7), ChosenVehicle(2, None), ChosenVehicle(3, None)),
    )
    request.check()
    with pytest.raises(InvalidInput) as refused:
        replace(request, vehicles=(ChosenVehicle(1), ChosenVehicle(1))).check()
    assert refused.value.field == "vehicles.1.vehicle_id"
    with pytest.raises(InvalidInput) as refused:
        replace(request, vehicles=(ChosenVehicle(1, 7), ChosenVehicle(2, 7))).check()
    assert refused.value.field == "vehicles.1.driver_id"
    with pytest.raises(InvalidInput) as refused:
        replace(request, time_limit_s=0).check()
    assert refused.value.field == "time_limit_s"
