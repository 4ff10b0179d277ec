"""Delivery plans through the use cases on the demo (40 own-fleet parcels shipped at each FC):
plan, adjust, assign drivers, dispatch, discard. Every stored plan is timed again from its own
data with routing.vrp_check and must break no rule: capacity, windows, shifts, route hours."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from routing.road_network import GreatCircleNetwork, OsrmNetwork, Point
from tests import deliveries as d
from tests import outbound
from tests.api import ADMIN, MANAGER_CGK1, MANAGER_KUL1, SIAMFRUIT, STAFF_KUL1
from tests.fake_osrm import FakeOsrm, closed_port
from wms.db.models import DeliveryStop, Order, OutboxEvent, Package
from wms.db.unit_of_work import UnitOfWork
from wms.domain.deliveries import DriverDetails, PlanObjective, VehicleDetails
from wms.domain.errors import Conflict, ExternalFailure, InvalidInput, NotFound, PermissionDenied
from wms.services import deliveries, fleet
from wms.services.deliveries import DriverAssignment, StopMove
from wms.services.delivery_dispatch import assign_drivers, discard_plan, dispatch_plan, move_stop
from wms.services.delivery_problem import RoadSetup

KUL = ZoneInfo("Asia/Kuala_Lumpur")


@pytest.fixture
def manager(uow: UnitOfWork):
    return outbound.actor(uow, MANAGER_KUL1)


def local(moment: str) -> datetime:
    return datetime.fromisoformat(moment).astimezone(KUL)


def add_vehicle(uow, manager, name, **changes) -> int:
    details = VehicleDetails(
        name=name,
        plate=name.upper().replace(" ", "")[:16],
        capacity_kg=1000,
        capacity_litres=6000,
        capacity_parcels=120,
        fixed_cost=Decimal("100"),
        cost_per_km=Decimal("0.5"),
        shift_start=time(8),
        shift_end=time(18),
        max_route_hours=10,
    )
    details = VehicleDetails(**{**details.__dict__, **changes})
    return fleet.create_vehicle(uow, manager, d.fc_id(uow), details)["id"]


def assert_feasible(uow, manager, plan_id: int) -> None:
    evaluation = d.check(uow, manager, plan_id)
    assert evaluation.violations == ()


def assert_times_as_stored(made: dict[str, Any]) -> None:
    """What the plan shows keeps every route's rules, read as a manager reads the page."""
    for route in d.used_routes(made):
        assert local(route["leave_at"]).strftime("%H:%M") >= route["shift_start"]
        assert local(route["back_at"]).strftime("%H:%M") <= route["shift_end"]
        assert route["duration_s"] <= route["max_route_hours"] * 3600 + 1
        for name in ("kg", "litres", "parcels"):
            assert route["load"][name] <= route["capacity"][name] + 1e-6
        previous = local(route["leave_at"])
        left = route["load"]["parcels"]
        for number, stop in enumerate(route["stops"], start=1):
            assert stop["sequence"] == number
            start = local(stop["start_at"])
            assert local(stop["arrival_at"]) >= previous
            if stop["window_open"]:
                assert stop["window_open"] <= start.strftime("%H:%M:%S")
                assert start.strftime("%H:%M") <= stop["window_close"]
            left -= stop["parcels"]
            assert stop["load_after"]["parcels"] == left
            previous = local(stop["departure_at"])
        assert left == 0


# --- planning -----------------------------------------------------------------------------------


def test_a_plan_puts_every_waiting_parcel_on_a_route_within_its_rules(uow, manager):
    waiting = deliveries.waiting_deliveries(uow, manager, d.fc_id(uow))
    assert waiting["orders"] == waiting["parcels"] == 40
    assert waiting["without_location"] == 0
    made = d.plan(uow, manager)
    assert made["status"] == "draft"
    assert made["reference"].startswith("DP-KUL1-")
    assert made["stops"] + made["left_out"] == 40
    assert made["left_out"] == 0
    assert made["routes_used"] == len(d.used_routes(made)) >= 1
    assert len(made["routes"]) == 5  # every active vehicle was offered
    assert made["parcels"] == 40
    cod = sum(Decimal(s["cod_amount"]) for s in d.stops(made))
    assert cod > 0 and Decimal(made["cod_total"]) == cod
    assert made["distance_m"] == pytest.approx(sum(r["distance_m"] for r in made["routes"]))
    assert Decimal(made["cost"]) == sum(Decimal(r["cost"]) for r in made["routes"])
    assert made["road_network"] == "great-circle distance x 1.3 at 30 km/h"
    assert set(made["timings_ms"]) == {"gather", "road_matrices", "solve", "store"}
    assert any(s["window_open"] for s in d.stops(made))
    assert_times_as_stored(made)
    assert_feasible(uow, manager, made["id"])
    # A draft takes no parcel: they still wait.
    assert deliveries.waiting_deliveries(uow, manager, d.fc_id(uow))["parcels"] == 40


def test_fewest_vehicles_uses_no_more_vehicles_than_the_cheapest_plan(uow, manager):
    fewest = d.plan(uow, manager, objective=PlanObjective.VEHICLES)
    cheapest = d.plan(uow, manager, objective=PlanObjective.DISTANCE)
    assert fewest["objective"] == "vehicles" and cheapest["objective"] == "distance"
    assert fewest["routes_used"] <= cheapest["routes_used"]
    for made in (fewest, cheapest):
        assert made["left_out"] == 0
        assert_feasible(uow, manager, made["id"])


def test_what_no_chosen_vehicle_can_take_is_left_out_with_the_reason(uow, manager):
    tiny = add_vehicle(uow, manager, "Scooter", capacity_kg=0.3, capacity_litres=500)
    brief = add_vehicle(uow, manager, "Morning van", shift_end=time(8, 20), max_route_hours=1)
    made = d.plan(uow, manager, vehicle_ids=[tiny, brief])
    reasons = {stop["left_out_reason"] for stop in made["left_out_stops"]}
    assert made["stops"] + made["left_out"] == 40
    assert reasons <= {"over_capacity", "out_of_hours", "too_far", "fleet_full"}
    assert "out_of_hours" in reasons
    for stop in made["left_out_stops"]:
        assert stop["sequence"] is None and stop["arrival_at"] is None
    assert_times_as_stored(made)
    assert_feasible(uow, manager, made["id"])
    # With only the scooter, parcels above 300 g are too heavy for the fleet, and it says so.
    only = d.plan(uow, manager, vehicle_ids=[tiny])
    heavy = [s for s in only["left_out_stops"] if s["weight_kg"] > 0.3]
    assert heavy and {s["left_out_reason"] for s in heavy} == {"over_capacity"}
    assert {s["left_out_detail"] for s in heavy} == {"kg"}


def test_an_order_without_coordinates_is_left_out_and_stays_off_the_routes(uow, manager):
    with uow:
        order_id = uow.session.scalar(
            select(Package.order_id).where(Package.tracking_number.like("PVK%")).limit(1)
        )
        uow.session.execute(
            update(Order)
            .where(Order.id == order_id)
            .values(delivery_latitude=None, delivery_longitude=None)
        )
        uow.commit()
    assert deliveries.waiting_deliveries(uow, manager, d.fc_id(uow))["without_location"] == 1
    made = d.plan(uow, manager)
    (missing,) = [s for s in made["left_out_stops"] if s["order_id"] == order_id]
    assert missing["left_out_reason"] == "no_location"
    assert made["stops"] == 39
    route = d.used_routes(made)[0]
    with pytest.raises(Conflict, match="no delivery coordinates"):
        move_stop(
            uow,
            manager,
            made["id"],
            StopMove(missing["id"], route["id"], 1),
            d.ROADS,
            outbound.key(),
        )


def test_a_replayed_plan_request_answers_the_first_plan(uow, manager):
    request = deliveries.PlanRequest(
        fc_id=d.fc_id(uow), delivery_date=d.tomorrow(), time_limit_s=1.0
    )
    key = outbound.key()
    first, replayed = deliveries.plan_deliveries(uow, manager, request, d.ROADS, key)
    again, replayed_again = deliveries.plan_deliveries(uow, manager, request, d.ROADS, key)
    assert (replayed, replayed_again) == (False, True)
    assert again["id"] == first["id"]
    listed = deliveries.list_plans(uow, manager, d.fc_id(uow), d.tomorrow())
    assert [p["id"] for p in listed] == [first["id"]]
    with pytest.raises(Conflict, match="different request"):
        other = deliveries.PlanRequest(
            fc_id=d.fc_id(uow), delivery_date=d.tomorrow(), time_limit_s=2.0
        )
        deliveries.plan_deliveries(uow, manager, other, d.ROADS, key)


def test_planning_refuses_what_cannot_be_planned_naming_the_field(uow, manager):
    fc_id = d.fc_id(uow)
    for day, field in (
        (d.tomorrow() - timedelta(days=2), "delivery_date"),
        (d.tomorrow() + timedelta(days=30), "delivery_date"),
    ):
        with pytest.raises(InvalidInput) as refused:
            d.plan(uow, manager, day=day)
        assert refused.value.field == field
    cgk_van = next(iter(d.vehicles(uow, outbound.actor(uow, ADMIN), "CGK1").values()))
    with pytest.raises(NotFound) as refused:
        d.plan(uow, manager, vehicle_ids=[cgk_van])
    assert refused.value.field == "vehicles.0.vehicle_id"
    van = d.vehicles(uow, manager)["Van 1 · Toyota Hiace"]
    fleet.deactivate_vehicle(uow, manager, van)
    with pytest.raises(Conflict, match="out of service") as refused:
        d.plan(uow, manager, vehicle_ids=[van])
    assert refused.value.field == "vehicles.0.vehicle_id"
    assert deliveries.list_plans(uow, manager, fc_id) == []


def test_todays_routes_leave_no_earlier_than_now(uow, manager):
    today = d.tomorrow() - timedelta(days=1)
    now = datetime.now(UTC)
    try:
        made = d.plan(uow, manager, day=today)
    except Conflict as error:
        # Late in the evening every shift is over; the planner says so rather than plan the past.
        assert "shift is over for the day" in error.message
        assert now.astimezone(KUL).time() >= time(16, 55)
        return
    for route in d.used_routes(made):
        assert datetime.fromisoformat(route["leave_at"]) >= now - timedelta(seconds=1)
    assert_feasible(uow, manager, made["id"])


# --- road networks ------------------------------------------------------------------------------


def test_an_osrm_server_that_does_not_answer_is_an_outside_failure_naming_it(uow, manager):
    url = f"http://127.0.0.1:{closed_port()}"
    roads = RoadSetup(OsrmNetwork(url, timeout_s=2), f"OSRM {url}")
    with pytest.raises(ExternalFailure) as failed:
        d.plan(uow, manager, roads=roads)
    assert url in failed.value.message and failed.value.field == "road_network"
    assert deliveries.list_plans(uow, manager, d.fc_id(uow)) == []


def test_deliveries_the_road_network_cannot_reach_are_left_out_and_the_rest_planned(uow, manager):
    with uow:
        island = uow.session.execute(
            select(Order.id, Order.delivery_latitude, Order.delivery_longitude)
            .join(Package, Package.order_id == Order.id)
            .where(Package.tracking_number.like("PVK%"))
            .order_by(Order.id)
            .limit(1)
        ).one()
    with FakeOsrm() as osrm:
        osrm.islands.add((island.delivery_longitude, island.delivery_latitude))
        roads = RoadSetup(OsrmNetwork(osrm.base_url), f"OSRM {osrm.base_url}")
        made = d.plan(uow, manager, roads=roads)
        assert osrm.requests
    (cut_off,) = made["left_out_stops"]
    assert cut_off["order_id"] == island.id and cut_off["left_out_reason"] == "no_road"
    assert made["stops"] == 39
    assert made["road_network"] == f"OSRM {osrm.base_url}"


# --- adjusting ----------------------------------------------------------------------------------


def test_a_stop_moved_to_another_route_is_timed_again_there(uow, manager):
    made = d.plan(uow, manager)
    source = max(d.used_routes(made), key=lambda r: len(r["stops"]))
    target = (
        next(r for r in made["routes"] if r["id"] != source["id"] and not r["stops"])
        if any(not r["stops"] for r in made["routes"])
        else next(r for r in d.used_routes(made) if r["id"] != source["id"])
    )
    moving = next(s for s in source["stops"] if not s["window_open"])
    moved, replayed = move_stop(
        uow, manager, made["id"], StopMove(moving["id"], target["id"], 1), d.ROADS, outbound.key()
    )
    assert not replayed
    after_target = next(r for r in moved["routes"] if r["id"] == target["id"])
    after_source = next(r for r in moved["routes"] if r["id"] == source["id"])
    assert after_target["stops"][0]["id"] == moving["id"]
    assert moving["id"] not in [s["id"] for s in after_source["stops"]]
    assert len(after_source["stops"]) == len(source["stops"]) - 1
    assert moved["version"] == made["version"] + 1
    # The first stop is reached straight from the FC: the leg is the road time, no more.
    leave = datetime.fromisoformat(after_target["leave_at"])
    first = after_target["stops"][0]
    network = GreatCircleNetwork(1.3, 30.0)
    _, seconds = network.matrices(
        [
            Point(made["depot"]["latitude"], made["depot"]["longitude"]),
            Point(first["latitude"], first["longitude"]),
        ]
    )
    arrival = datetime.fromisoformat(first["arrival_at"])
    assert abs((arrival - leave).total_seconds() - seconds[0][1]) <= 1
    assert_times_as_stored(moved)
    assert_feasible(uow, manager, made["id"])


def test_a_stop_moved_within_its_route_takes_its_new_place(uow, manager):
    with uow:  # no windows today: a new order of the stops can only cost time
        uow.session.execute(
            update(Order).values(delivery_window_open=None, delivery_window_close=None)
        )
        uow.commit()
    made = d.plan(uow, manager)
    route = max(d.used_routes(made), key=lambda r: len(r["stops"]))
    first = route["stops"][0]
    moved, _ = move_stop(
        uow, manager, made["id"], StopMove(first["id"], route["id"], 3), d.ROADS, outbound.key()
    )
    after = next(r for r in moved["routes"] if r["id"] == route["id"])["stops"]
    assert [s["id"] for s in after] == [
        route["stops"][1]["id"],
        route["stops"][2]["id"],
        first["id"],
        *(s["id"] for s in route["stops"][3:]),
    ]
    assert [s["sequence"] for s in after] == list(range(1, len(after) + 1))
    assert after[0]["arrival_at"] != route["stops"][0]["arrival_at"]
    assert_times_as_stored(moved)
    assert_feasible(uow, manager, made["id"])


def test_a_move_over_a_vehicles_capacity_is_refused_naming_it_and_changes_nothing(uow, manager):
    bike = d.vehicles(uow, manager)["Bike 1 · Honda Wave 125"]
    van = d.vehicles(uow, manager)["Van 1 · Toyota Hiace"]
    made = d.plan(uow, manager, vehicle_ids=[van, bike])
    bike_route = d.route_named(made, "Bike 1 · Honda Wave 125")
    on_van = [
        s for s in d.route_named(made, "Van 1 · Toyota Hiace")["stops"] if not s["window_open"]
    ]
    refused = None
    for stop in on_van:
        try:
            made, _ = move_stop(
                uow,
                manager,
                made["id"],
                StopMove(stop["id"], bike_route["id"]),
                d.ROADS,
                outbound.key(),
            )
        except Conflict as error:
            refused = error
            break
    assert refused is not None and refused.field == "route_id"
    assert "Bike 1 · Honda Wave 125 would carry" in refused.message
    assert "over its capacity of" in refused.message
    assert len(d.route_named(made, "Bike 1 · Honda Wave 125")["stops"]) <= 15
    unchanged = deliveries.get_plan(uow, manager, made["id"])
    assert unchanged["version"] == made["version"]
    assert_feasible(uow, manager, made["id"])


def test_a_move_that_would_miss_a_window_is_refused_naming_it(uow, manager):
    van = d.vehicles(uow, manager)["Van 1 · Toyota Hiace"]
    made = d.plan(uow, manager, vehicle_ids=[van])
    route = d.used_routes(made)[0]
    last = local(route["stops"][-1]["departure_at"])
    assert last.hour >= 12, "one van for the day is out past noon"
    morning = next(
        s for s in route["stops"] if s["window_close"] == "12:00" and s is not route["stops"][-1]
    )
    with pytest.raises(Conflict) as refused:
        move_stop(
            uow, manager, made["id"], StopMove(morning["id"], route["id"]), d.ROADS, outbound.key()
        )
    assert refused.value.message.startswith(f"The delivery to {morning['recipient_name']} (")
    assert "after its window closes at 12:00." in refused.value.message


def test_a_move_past_a_shift_is_refused_naming_it(uow, manager):
    short = add_vehicle(uow, manager, "Short shift van", shift_end=time(10), max_route_hours=2)
    made = d.plan(uow, manager, vehicle_ids=[short])
    assert made["left_out"] > 0 and made["stops"] > 0
    route = d.used_routes(made)[0]
    extra = next(s for s in made["left_out_stops"] if not s["window_open"])
    with pytest.raises(Conflict) as refused:
        move_stop(
            uow, manager, made["id"], StopMove(extra["id"], route["id"]), d.ROADS, outbound.key()
        )
    message = refused.value.message
    assert message.startswith("Short shift van would be back at") or "route would last" in message
    assert_feasible(uow, manager, made["id"])


def test_a_stop_taken_off_the_plan_is_left_out_and_can_go_back(uow, manager):
    made = d.plan(uow, manager)
    route = d.used_routes(made)[0]
    stop = route["stops"][0]
    off, _ = move_stop(
        uow, manager, made["id"], StopMove(stop["id"], None), d.ROADS, outbound.key()
    )
    (left,) = off["left_out_stops"]
    assert left["id"] == stop["id"] and left["left_out_reason"] == "removed"
    assert off["stops"] == made["stops"] - 1
    assert_feasible(uow, manager, made["id"])
    back, _ = move_stop(
        uow, manager, made["id"], StopMove(stop["id"], route["id"], 1), d.ROADS, outbound.key()
    )
    assert back["left_out_stops"] == []
    assert next(r for r in back["routes"] if r["id"] == route["id"])["stops"][0]["id"] == stop["id"]
    with pytest.raises(InvalidInput) as refused:
        move_stop(
            uow, manager, made["id"], StopMove(stop["id"], route["id"], 99), d.ROADS, outbound.key()
        )
    assert refused.value.field == "position"


class _ChangedMeanwhile:
    """A road network that lets another manager change the plan while it works out distances."""

    def __init__(self, change) -> None:  # type: ignore[no-untyped-def]
        self.change = change
        self.network = GreatCircleNetwork(1.3, 30.0)

    def matrices(self, points):  # type: ignore[no-untyped-def]
        if self.change is not None:
            change, self.change = self.change, None
            change()
        return self.network.matrices(points)


def test_a_move_made_on_a_plan_that_changed_meanwhile_is_refused(uow, manager):
    made = d.plan(uow, manager)
    route = d.used_routes(made)[0]
    driver = next(iter(d.drivers(uow, manager).values()))
    other = outbound.actor(uow, ADMIN)

    def assign() -> None:
        assign_drivers(
            uow, other, made["id"], [DriverAssignment(route["id"], driver)], outbound.key()
        )

    roads = RoadSetup(_ChangedMeanwhile(assign), "great-circle")  # type: ignore[arg-type]
    with pytest.raises(Conflict, match="changed meanwhile"):
        move_stop(
            uow, manager, made["id"], StopMove(route["stops"][0]["id"], None), roads, outbound.key()
        )
    after = deliveries.get_plan(uow, manager, made["id"])
    assert after["left_out"] == 0
    assert next(r for r in after["routes"] if r["id"] == route["id"])["driver"]["id"] == driver


# --- drivers, dispatch, discard -----------------------------------------------------------------


def _drive_all(uow, manager, made) -> dict[str, Any]:
    ids = list(d.drivers(uow, manager).values())
    assignments = [
        DriverAssignment(route["id"], ids[index]) for index, route in enumerate(d.used_routes(made))
    ]
    done, _ = assign_drivers(uow, manager, made["id"], assignments, outbound.key())
    return done


def test_each_route_gets_its_own_driver(uow, manager):
    made = d.plan(uow, manager)
    # Two routes with stops first (a route with no stops stays home), then any other.
    used = d.used_routes(made)[:2]
    routes = [*used, *(route for route in made["routes"] if route not in used)]
    names = d.drivers(uow, manager)
    first, second = list(names.values())[:2]
    done, _ = assign_drivers(
        uow,
        manager,
        made["id"],
        [DriverAssignment(routes[0]["id"], first), DriverAssignment(routes[1]["id"], second)],
        outbound.key(),
    )
    by_id = {route["id"]: route for route in done["routes"]}
    assert [by_id[r["id"]]["driver"]["id"] for r in routes[:2]] == [first, second]
    swapped, _ = assign_drivers(
        uow,
        manager,
        made["id"],
        [DriverAssignment(routes[0]["id"], second), DriverAssignment(routes[1]["id"], first)],
        outbound.key(),
    )
    by_id = {route["id"]: route for route in swapped["routes"]}
    assert [by_id[r["id"]]["driver"]["id"] for r in routes[:2]] == [second, first]
    with pytest.raises(InvalidInput) as refused:
        assign_drivers(
            uow, manager, made["id"], [DriverAssignment(routes[2]["id"], first)], outbound.key()
        )
    assert refused.value.field == "assignments.0.driver_id"
    cgk_driver = next(iter(d.drivers(uow, outbound.actor(uow, ADMIN), "CGK1").values()))
    with pytest.raises(NotFound) as refused:
        assign_drivers(
            uow,
            manager,
            made["id"],
            [DriverAssignment(routes[2]["id"], cgk_driver)],
            outbound.key(),
        )
    assert refused.value.field == "assignments.0.driver_id"


def test_a_route_left_with_no_stops_gives_its_driver_up_to_a_route_that_has_some(uow, manager):
    made = d.plan(uow, manager)
    emptied, other = d.used_routes(made)[:2]
    driver = next(iter(d.drivers(uow, manager).values()))
    assign_drivers(
        uow, manager, made["id"], [DriverAssignment(emptied["id"], driver)], outbound.key()
    )
    for stop in emptied["stops"]:
        made, _ = move_stop(
            uow, manager, made["id"], StopMove(stop["id"], None), d.ROADS, outbound.key()
        )
    # The page lists only routes with stops: the driver can go to one of them.
    done, _ = assign_drivers(
        uow, manager, made["id"], [DriverAssignment(other["id"], driver)], outbound.key()
    )
    by_id = {route["id"]: route for route in done["routes"]}
    assert by_id[other["id"]]["driver"]["id"] == driver
    assert by_id[emptied["id"]]["driver"] is None


def test_dispatch_needs_a_driver_then_sends_the_parcels_out_and_tells_the_merchants(uow, manager):
    made = d.plan(uow, manager)
    with pytest.raises(Conflict, match="has no driver; choose one first"):
        dispatch_plan(uow, manager, made["id"], outbound.key())
    _drive_all(uow, manager, made)
    with uow:
        events_before = uow.session.scalar(
            select(func.count(OutboxEvent.id)).where(OutboxEvent.topic == "order.out_for_delivery")
        )
    key = outbound.key()
    sent, replayed = dispatch_plan(uow, manager, made["id"], key)
    assert not replayed and sent["status"] == "dispatched" and sent["dispatched_at"]
    assert all(r["dispatched"] for r in d.used_routes(sent))
    assert not any(r["dispatched"] for r in sent["routes"] if not r["stops"])
    again, replayed = dispatch_plan(uow, manager, made["id"], key)
    assert replayed and again == sent
    with uow:
        statuses = {
            status
            for (status,) in uow.session.execute(
                select(Package.status).where(Package.tracking_number.like("PVK%"))
            )
        }
        events = list(
            uow.session.scalars(
                select(OutboxEvent.payload).where(OutboxEvent.topic == "order.out_for_delivery")
            )
        )
    assert statuses == {"out_for_delivery"}
    assert len(events) - events_before == 40  # once per order, not again on the replay
    payload = json.loads(events[-1])["data"]
    assert payload["delivery_date"] == d.tomorrow().isoformat()
    assert payload["tracking_numbers"][0].startswith("PVK")
    assert deliveries.waiting_deliveries(uow, manager, d.fc_id(uow))["parcels"] == 0
    with pytest.raises(Conflict, match="No own-fleet parcels are waiting"):
        d.plan(uow, manager)
    with pytest.raises(Conflict, match="Only a draft plan can be changed"):
        move_stop(
            uow,
            manager,
            made["id"],
            StopMove(d.stops(sent)[0]["id"], None),
            d.ROADS,
            outbound.key(),
        )
    with pytest.raises(Conflict, match="Only a draft plan can be discarded"):
        discard_plan(uow, manager, made["id"], outbound.key())
    assert_feasible(uow, manager, made["id"])


def test_two_drafts_share_the_parcels_but_only_the_first_dispatched_takes_them(uow, manager):
    vans = d.vehicles(uow, manager)
    names = list(d.drivers(uow, manager).values())
    first = d.plan(
        uow,
        manager,
        vehicle_ids=[vans["Van 1 · Toyota Hiace"], vans["Van 2 · Nissan NV350"]],
        driver_ids=names[:2],
    )
    second = d.plan(
        uow,
        manager,
        vehicle_ids=[
            vans["Van 3 · Daihatsu Gran Max"],
            vans["Bike 1 · Honda Wave 125"],
            vans["Bike 2 · Yamaha LC135"],
        ],
        driver_ids=names[2:5],
    )
    shared = {s["order_id"] for s in d.stops(first)} & {s["order_id"] for s in d.stops(second)}
    assert shared
    dispatch_plan(uow, manager, first["id"], outbound.key())
    with pytest.raises(Conflict, match="no longer waiting at dispatch"):
        dispatch_plan(uow, manager, second["id"], outbound.key())
    assert deliveries.get_plan(uow, manager, second["id"])["status"] == "draft"


def test_a_vehicle_and_a_driver_go_out_on_one_route_a_day(uow, manager):
    vans = d.vehicles(uow, manager)
    names = list(d.drivers(uow, manager).values())
    van1 = vans["Van 1 · Toyota Hiace"]
    first = d.plan(uow, manager, vehicle_ids=[van1], driver_ids=[names[0]])
    # Half the parcels stay home for a second run.
    route = d.used_routes(first)[0]
    for stop in route["stops"][len(route["stops"]) // 2 :]:
        first, _ = move_stop(
            uow, manager, first["id"], StopMove(stop["id"], None), d.ROADS, outbound.key()
        )
    dispatch_plan(uow, manager, first["id"], outbound.key())
    again = d.plan(uow, manager, vehicle_ids=[van1], driver_ids=[names[1]])
    with pytest.raises(Conflict, match="Van 1 · Toyota Hiace is already out on plan"):
        dispatch_plan(uow, manager, again["id"], outbound.key())
    same_driver = d.plan(
        uow, manager, vehicle_ids=[vans["Van 2 · Nissan NV350"]], driver_ids=[names[0]]
    )
    with pytest.raises(Conflict, match="is already out on plan"):
        dispatch_plan(uow, manager, same_driver["id"], outbound.key())
    other = d.plan(uow, manager, vehicle_ids=[vans["Van 2 · Nissan NV350"]], driver_ids=[names[1]])
    sent, _ = dispatch_plan(uow, manager, other["id"], outbound.key())
    assert sent["status"] == "dispatched"
    assert {s["order_id"] for s in d.stops(sent)}.isdisjoint(
        {s["order_id"] for s in d.stops(first)}
    )


def test_a_discarded_draft_leaves_its_parcels_waiting(uow, manager):
    made = d.plan(uow, manager)
    gone, _ = discard_plan(uow, manager, made["id"], outbound.key())
    assert gone["status"] == "discarded" and gone["discarded_at"]
    with pytest.raises(Conflict, match="Only a draft plan can be dispatched"):
        dispatch_plan(uow, manager, made["id"], outbound.key())
    assert deliveries.waiting_deliveries(uow, manager, d.fc_id(uow))["parcels"] == 40
    listed = deliveries.list_plans(uow, manager, d.fc_id(uow), status="discarded")
    assert [p["id"] for p in listed] == [made["id"]]


# --- who may --------------------------------------------------------------------------------------


def test_managers_plan_their_fcs_admins_all_staff_and_merchants_never(uow, manager):
    made = d.plan(uow, manager)
    admin = outbound.actor(uow, ADMIN)
    assert deliveries.get_plan(uow, admin, made["id"])["id"] == made["id"]
    with pytest.raises(NotFound):
        deliveries.get_plan(uow, outbound.actor(uow, MANAGER_CGK1), made["id"])
    with pytest.raises(PermissionDenied):
        deliveries.get_plan(uow, outbound.actor(uow, STAFF_KUL1), made["id"])
    with pytest.raises(NotFound):
        deliveries.get_plan(uow, outbound.actor(uow, SIAMFRUIT), made["id"])
    with pytest.raises(NotFound):
        d.plan(uow, outbound.actor(uow, MANAGER_CGK1))
    with pytest.raises(PermissionDenied):
        fleet.list_vehicles(uow, outbound.actor(uow, STAFF_KUL1), d.fc_id(uow))
    with pytest.raises(NotFound):
        discard_plan(uow, outbound.actor(uow, MANAGER_CGK1), made["id"], outbound.key())
    assert deliveries.get_plan(uow, manager, made["id"])["status"] == "draft"


def test_the_fleet_is_kept_by_the_fcs_managers(uow, manager):
    fc_id = d.fc_id(uow)
    van = add_vehicle(uow, manager, "Van 9")
    with pytest.raises(Conflict) as taken:
        add_vehicle(uow, manager, "Van 9")
    assert taken.value.field == "name"
    changed = fleet.update_vehicle(
        uow, manager, van, {"capacity_parcels": 90, "shift_end": time(17)}
    )
    assert (changed["capacity_parcels"], changed["shift_end"], changed["name"]) == (
        90,
        "17:00",
        "Van 9",
    )
    with pytest.raises(InvalidInput) as refused:
        fleet.update_vehicle(uow, manager, van, {"shift_end": time(7)})
    assert refused.value.field == "shift_end"
    fleet.deactivate_vehicle(uow, manager, van)
    assert van not in {v["id"] for v in fleet.list_vehicles(uow, manager, fc_id)}
    assert van in {v["id"] for v in fleet.list_vehicles(uow, manager, fc_id, include_inactive=True)}
    with pytest.raises(NotFound):
        fleet.get_vehicle(uow, outbound.actor(uow, MANAGER_CGK1), van)
    driver = fleet.create_driver(
        uow, manager, fc_id, DriverDetails("Hafizah binti Omar", "+60 12-000 1111")
    )
    with pytest.raises(Conflict) as taken:
        fleet.create_driver(uow, manager, fc_id, DriverDetails("Someone", "+60 12-000 1111"))
    assert taken.value.field == "phone"
    off = fleet.deactivate_driver(uow, manager, driver["id"])
    assert off["active"] is False
    made = d.plan(uow, manager)
    with pytest.raises(Conflict, match="no longer on the roster"):
        assign_drivers(
            uow,
            manager,
            made["id"],
            [DriverAssignment(made["routes"][0]["id"], driver["id"])],
            outbound.key(),
        )
    with uow:
        assert uow.session.scalar(select(func.count(DeliveryStop.id))) == 40
