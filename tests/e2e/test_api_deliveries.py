"""The delivery API as a dispatcher's program uses it: the fleet, a day's plan, moves, drivers,
dispatch with an Idempotency-Key, route sheets; bad input is a 4xx naming the field, an OSRM
server that fails is a 502 naming it, and other tenants' ids are not found."""

from __future__ import annotations

from datetime import timedelta

import pypdfium2 as pdfium

from tests.api import (
    ADMIN,
    MANAGER_CGK1,
    MANAGER_KUL1,
    SIAMFRUIT,
    STAFF_KUL1,
    error_fields,
    fc_ids,
    new_key,
)
from tests.deliveries import tomorrow
from tests.fake_osrm import closed_port

VAN = {
    "name": "Van 7 · Isuzu N-Series",
    "plate": "wxa 7007",
    "capacity_kg": 2500,
    "capacity_litres": 12000,
    "capacity_parcels": 200,
    "fixed_cost": "260.00",
    "cost_per_km": "1.10",
    "shift_start": "07:30",
    "shift_end": "17:30",
    "max_route_hours": 9.5,
}


def _plan(api, fc: int, **changes):  # type: ignore[no-untyped-def]
    body = {"fc_id": fc, "delivery_date": tomorrow().isoformat(), "time_limit_s": 1, **changes}
    return api.post("/delivery-plans", body, key=new_key())


def test_a_manager_keeps_the_fcs_fleet(api_as):
    api = api_as(MANAGER_KUL1)
    fc = fc_ids(api_as(ADMIN))["KUL1"]
    created = api.post(f"/fcs/{fc}/vehicles", VAN)
    assert created.status_code == 201, created.get_json()
    van = created.get_json()
    assert (van["plate"], van["shift_start"], van["fixed_cost"]) == ("WXA 7007", "07:30", "260.00")
    assert van["id"] in {v["id"] for v in api.get(f"/fcs/{fc}/vehicles").get_json()}
    again = api.post(f"/fcs/{fc}/vehicles", VAN)
    assert again.status_code == 409 and error_fields(again) == {
        "name": ["This FC already has a vehicle with this name or plate."]
    }
    changed = api.patch(f"/vehicles/{van['id']}", {"capacity_parcels": 180, "active": False})
    assert changed.status_code == 200
    assert (changed.get_json()["capacity_parcels"], changed.get_json()["active"]) == (180, False)
    listed = api.get(f"/fcs/{fc}/vehicles", include_inactive="true").get_json()
    assert van["id"] in {v["id"] for v in listed}
    assert van["id"] not in {v["id"] for v in api.get(f"/fcs/{fc}/vehicles").get_json()}
    driver = api.post(
        f"/fcs/{fc}/drivers", {"name": "Hafizah binti Omar", "phone": "+60 12-000 1111"}
    )
    assert driver.status_code == 201
    assert api.delete(f"/drivers/{driver.get_json()['id']}").get_json()["active"] is False
    located = api.client.put(
        f"/api/v1/fcs/{fc}/location",
        json={"latitude": 3.06, "longitude": 101.52},
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert located.status_code == 200
    assert (located.get_json()["latitude"], located.get_json()["longitude"]) == (3.06, 101.52)


def test_a_vehicle_or_driver_that_cannot_work_is_refused_naming_the_field(api_as):
    api = api_as(MANAGER_KUL1)
    fc = fc_ids(api_as(ADMIN))["KUL1"]
    cases = [
        ({"capacity_kg": 0}, "capacity_kg", 422),
        ({"capacity_parcels": 2.5}, "capacity_parcels", 422),
        ({"fixed_cost": "-5"}, "fixed_cost", 422),
        ({"shift_start": "25:00"}, "shift_start", 422),
        ({"shift_end": "07:00"}, "shift_end", 422),
        ({"max_route_hours": 30}, "max_route_hours", 422),
        ({"plate": ""}, "plate", 422),
        ({"colour": "red"}, "colour", 422),
    ]
    before = len(api.get(f"/fcs/{fc}/vehicles").get_json())
    for change, field, status in cases:
        response = api.post(f"/fcs/{fc}/vehicles", {**VAN, **change})
        assert response.status_code == status, (change, response.get_json())
        assert field in error_fields(response), (change, response.get_json())
    assert len(api.get(f"/fcs/{fc}/vehicles").get_json()) == before
    phone = api.post(f"/fcs/{fc}/drivers", {"name": "X", "phone": "not a phone"})
    assert phone.status_code == 422 and "phone" in error_fields(phone)
    location = api.client.put(
        f"/api/v1/fcs/{fc}/location",
        json={"latitude": 95, "longitude": 101.5},
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert location.status_code == 422 and "latitude" in error_fields(location)


def test_a_day_is_planned_adjusted_given_drivers_and_dispatched_once(api_as):
    api = api_as(MANAGER_KUL1)
    fc = fc_ids(api_as(ADMIN))["KUL1"]
    waiting = api.get(f"/fcs/{fc}/waiting-deliveries").get_json()
    assert waiting["parcels"] == 40 and waiting["has_location"] is True
    created = _plan(api, fc, objective="distance")
    assert created.status_code == 201, created.get_json()
    plan = created.get_json()
    assert plan["objective"] == "distance" and plan["status"] == "draft"
    assert plan["stops"] + plan["left_out"] == 40
    assert api.get(f"/delivery-plans/{plan['id']}").get_json()["reference"] == plan["reference"]
    listed = api.get("/delivery-plans", fc_id=fc, delivery_date=tomorrow().isoformat())
    assert [p["id"] for p in listed.get_json()] == [plan["id"]]
    used = [route for route in plan["routes"] if route["stops"]]
    route, stop = used[0], used[0]["stops"][-1]
    moved = api.post(
        f"/delivery-plans/{plan['id']}/moves",
        {"stop_id": stop["id"], "route_id": None},
        key=new_key(),
    )
    assert moved.status_code == 200
    assert moved.get_json()["left_out_stops"][0]["left_out_reason"] == "removed"
    back = api.post(
        f"/delivery-plans/{plan['id']}/moves",
        {"stop_id": stop["id"], "route_id": route["id"], "position": len(route["stops"])},
        key=new_key(),
    )
    assert back.status_code == 200, back.get_json()
    again = next(r for r in back.get_json()["routes"] if r["id"] == route["id"])["stops"]
    assert [s["id"] for s in again] == [s["id"] for s in route["stops"]]
    assert again[-1]["arrival_at"] == stop["arrival_at"]
    early = api.post(f"/delivery-plans/{plan['id']}/dispatch", key=new_key())
    assert early.status_code == 409 and "has no driver" in early.get_json()["error"]["message"]
    drivers = api.get(f"/fcs/{fc}/drivers").get_json()
    assignments = [{"route_id": r["id"], "driver_id": drivers[i]["id"]} for i, r in enumerate(used)]
    assigned = api.post(
        f"/delivery-plans/{plan['id']}/drivers", {"assignments": assignments}, key=new_key()
    )
    assert assigned.status_code == 200
    assert all(r["driver"] for r in assigned.get_json()["routes"] if r["stops"])
    key = new_key()
    sent = api.post(f"/delivery-plans/{plan['id']}/dispatch", key=key)
    assert sent.status_code == 200 and sent.get_json()["status"] == "dispatched"
    assert sent.headers["Idempotent-Replayed"] == "false"
    replay = api.post(f"/delivery-plans/{plan['id']}/dispatch", key=key)
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json() == sent.get_json()
    assert api.get(f"/fcs/{fc}/waiting-deliveries").get_json()["parcels"] == 0
    sheet = api.get(f"/delivery-routes/{route['id']}/route-sheet.pdf")
    assert sheet.status_code == 200 and sheet.mimetype == "application/pdf"
    assert "attachment" in sheet.headers["Content-Disposition"]
    document = pdfium.PdfDocument(sheet.data)
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    document.close()
    assert plan["reference"] in text and stop["order_reference"] in text
    assert drivers[0]["name"] in text


def test_a_move_that_breaks_a_rule_is_a_409_naming_it_and_changes_nothing(api_as):
    api = api_as(MANAGER_KUL1)
    fc = fc_ids(api_as(ADMIN))["KUL1"]
    vans = {v["name"]: v["id"] for v in api.get(f"/fcs/{fc}/vehicles").get_json()}
    plan = _plan(
        api,
        fc,
        vehicles=[
            {"vehicle_id": vans["Van 1 · Toyota Hiace"]},
            {"vehicle_id": vans["Bike 1 · Honda Wave 125"]},
        ],
    ).get_json()
    bike = next(r for r in plan["routes"] if r["vehicle"]["name"].startswith("Bike 1"))
    van = next(r for r in plan["routes"] if r["vehicle"]["name"].startswith("Van 1"))
    refused = None
    for stop in [s for s in van["stops"] if not s["window_open"]]:
        response = api.post(
            f"/delivery-plans/{plan['id']}/moves",
            {"stop_id": stop["id"], "route_id": bike["id"]},
            key=new_key(),
        )
        if response.status_code != 200:
            refused = response
            break
    assert refused is not None and refused.status_code == 409
    assert "over its capacity of" in refused.get_json()["error"]["message"]
    assert list(error_fields(refused)) == ["route_id"]
    stop = van["stops"][0]
    for body, field, status in [
        ({"stop_id": stop["id"]}, "route_id", 422),
        ({"stop_id": stop["id"], "route_id": van["id"], "position": 0}, "position", 422),
        ({"stop_id": stop["id"], "route_id": van["id"], "position": 500}, "position", 422),
        ({"stop_id": 2**31 - 1, "route_id": van["id"]}, "stop_id", 404),
        ({"stop_id": stop["id"], "route_id": 2**31 - 1}, "route_id", 404),
    ]:
        response = api.post(f"/delivery-plans/{plan['id']}/moves", body, key=new_key())
        assert response.status_code == status, (body, response.get_json())
        assert field in error_fields(response)
    no_key = api.post(
        f"/delivery-plans/{plan['id']}/moves", {"stop_id": stop["id"], "route_id": None}
    )
    assert no_key.status_code == 422 and "Idempotency-Key" in error_fields(no_key)


def test_bad_plan_requests_are_refused_naming_the_field_and_plan_nothing(api_as):
    api = api_as(MANAGER_KUL1)
    fc = fc_ids(api_as(ADMIN))["KUL1"]
    cases = [
        ({"delivery_date": "tomorrow"}, "delivery_date", 422),
        ({"delivery_date": (tomorrow() - timedelta(days=3)).isoformat()}, "delivery_date", 422),
        ({"delivery_date": (tomorrow() + timedelta(days=60)).isoformat()}, "delivery_date", 422),
        ({"objective": "cheapest"}, "objective", 422),
        ({"time_limit_s": 0.2}, "time_limit_s", 422),
        ({"time_limit_s": 9999}, "time_limit_s", 422),
        ({"vehicles": [{"vehicle_id": 2**31 - 1}]}, "vehicles.0.vehicle_id", 404),
        ({"vehicles": [{"vehicle_id": 1}, {"vehicle_id": 1}]}, "vehicles.1.vehicle_id", 422),
        ({"vehicles": [{"driver_id": 1}]}, "vehicles", 422),
        ({"fc_id": fc_ids(api_as(ADMIN))["CGK1"]}, "fc_id", 404),
    ]
    for change, field, status in cases:
        response = _plan(api, fc, **change)
        assert response.status_code == status, (change, response.get_json())
        assert field in error_fields(response), (change, response.get_json())
    assert api.get("/delivery-plans", fc_id=fc).get_json() == []


def test_an_osrm_server_that_is_down_is_a_502_naming_it(client, app, api_as):
    from wms.bootstrap import EXTENSION, road_setup

    url = f"http://127.0.0.1:{closed_port()}"
    wiring = app.extensions[EXTENSION]
    wiring.roads = road_setup(
        wiring.settings.replace(road_network="osrm", osrm_url=url, osrm_timeout_s=2.0)
    )
    api = api_as(MANAGER_KUL1)
    response = _plan(api, fc_ids(api_as(ADMIN))["KUL1"])
    assert response.status_code == 502
    error = response.get_json()["error"]
    assert error["code"] == "external_failure"
    assert url in error["message"] and "road_network" in error["fields"]


def test_other_fcs_and_other_roles_get_nothing(api_as):
    api = api_as(MANAGER_KUL1)
    fc = fc_ids(api_as(ADMIN))["KUL1"]
    plan = _plan(api, fc).get_json()
    route = next(r for r in plan["routes"] if r["stops"])
    for email, status in ((MANAGER_CGK1, 404), (SIAMFRUIT, 404), (STAFF_KUL1, 403)):
        other = api_as(email)
        assert other.get(f"/delivery-plans/{plan['id']}").status_code == status, email
        assert other.get(f"/delivery-routes/{route['id']}/route-sheet.pdf").status_code == status
        assert (
            other.post(f"/delivery-plans/{plan['id']}/discard", key=new_key()).status_code == status
        )
        assert other.get(f"/fcs/{fc}/vehicles").status_code == status
        assert other.get("/delivery-plans", fc_id=fc).status_code == status
    assert api.get(f"/delivery-plans/{plan['id']}").get_json()["status"] == "draft"
    assert api_as(ADMIN).get(f"/delivery-plans/{plan['id']}").status_code == 200


def test_an_order_carries_its_delivery_point_and_window_or_is_refused_naming_the_field(api_as):
    merchant = api_as(SIAMFRUIT)
    fc = fc_ids(api_as(ADMIN))["KUL1"]
    own = next(c for c in merchant.get("/carriers", fc_id=fc).get_json() if c["own_fleet"])
    body = {
        "fc_id": fc,
        "carrier_id": own["id"],
        "external_id": "SHOPEE-7781",
        "ship_by": "2030-01-01T10:00:00+08:00",
        "recipient_name": "Tan Wei Ming",
        "recipient_phone": "+60 16-229 8830",
        "address": "8 Jalan SS2/24",
        "city": "Petaling Jaya",
        "country": "MY",
        "lines": [{"sku_code": "SF-MANGO-200", "quantity": 1}],
        "delivery_latitude": 3.119,
        "delivery_longitude": 101.623,
        "delivery_window_open": "09:00",
        "delivery_window_close": "12:00",
    }
    created = merchant.post("/orders", body, key=new_key())
    assert created.status_code == 201, created.get_json()
    order = created.get_json()
    assert (order["delivery_latitude"], order["delivery_longitude"]) == (3.119, 101.623)
    assert (order["delivery_window_open"], order["delivery_window_close"]) == ("09:00", "12:00")
    for change, field in [
        ({"delivery_longitude": None}, "delivery_longitude"),
        ({"delivery_latitude": 91}, "delivery_latitude"),
        ({"delivery_window_close": "08:00"}, "delivery_window_close"),
        ({"delivery_window_open": "9am"}, "delivery_window_open"),
    ]:
        refused = merchant.post(
            "/orders", {**body, **change, "external_id": new_key()[:30]}, key=new_key()
        )
        assert refused.status_code == 422, (change, refused.get_json())
        assert field in error_fields(refused), (change, refused.get_json())
