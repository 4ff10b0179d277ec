"""Orders to shipped parcels through the API: allocation, a planned wave, picking with a short
pick, packing and a closed manifest, with stock and the ledger checked at every step."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api import (
    CHABATEA,
    MANAGER_KUL1,
    SIAMFRUIT,
    STAFF_CGK1,
    STAFF_KUL1,
    Api,
    error_fields,
    fc_ids,
    new_key,
    sku_by_code,
)
from wms.services.ledger import audit_ledger


def _order(api: Api, fc: int, carrier: int, lines: dict[str, int], **extra: Any) -> dict[str, Any]:
    body = {
        "fc_id": fc,
        "carrier_id": carrier,
        "external_id": extra.pop("external_id", new_key()[:30]),
        "ship_by": (datetime.now(UTC) + timedelta(hours=20)).isoformat(),
        "recipient_name": "นายสมชาย ใจดี / Siti Nurhaliza",
        "recipient_phone": "+60 12-345 6789",
        "address": "No. 8, Jalan Bukit Bintang",
        "city": "Kuala Lumpur",
        "postcode": "55100",
        "country": "MY",
        "cod_amount": "45.90",
        "lines": [{"sku_code": code, "quantity": units} for code, units in lines.items()],
        **extra,
    }
    response = api.post("/orders", body, key=new_key())
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _stock(api: Api, fc: int, sku_id: int) -> tuple[int, int]:
    rows = api.items("/stock", fc_id=fc, sku_id=sku_id)
    return sum(r["on_hand"] for r in rows), sum(r["reserved"] for r in rows)


def _carriers(api: Api, fc: int) -> dict[str, int]:
    return {c["code"]: c["id"] for c in api.get("/carriers", fc_id=fc).get_json()}


def test_orders_go_from_allocation_through_a_wave_to_a_closed_manifest(api_as, uow):
    merchant, tea_merchant = api_as(SIAMFRUIT), api_as(CHABATEA)
    manager, staff = api_as(MANAGER_KUL1), api_as(STAFF_KUL1)
    fc = fc_ids(manager)["KUL1"]
    carriers = _carriers(merchant, fc)
    mango = sku_by_code(merchant, "SF-MANGO-200")
    durian = sku_by_code(merchant, "SF-DURIAN-100")
    milk_tea = sku_by_code(tea_merchant, "CB-MILKTEA-RTD")
    skus = {s["id"]: s for s in (mango, durian, milk_tea)}
    # Clear the demo's waiting orders so the wave holds this test's orders only.
    for waiting in manager.items("/orders", fc_id=fc):
        if waiting["status"] not in ("shipped", "cancelled"):
            response = manager.post(f"/orders/{waiting['id']}/cancel", key=new_key())
            assert response.status_code == 200, response.get_json()
    assert all(
        group["orders"] == 0 for group in manager.get("/orders/backlog", fc_id=fc).get_json()
    )
    before = {sku_id: _stock(manager, fc, sku_id) for sku_id in skus}

    # The chilled milk tea has weeks of shelf life left: ship it under a 5-day rule for MY.
    rule = manager.client.put(
        "/api/v1/shelf-life-rules",
        json={"fc_id": fc, "channel": "api", "country": "MY", "min_remaining_days": 5},
        headers={"Authorization": f"Bearer {manager.token}"},
    )
    assert rule.status_code == 200, rule.get_json()

    # --- orders and allocation --------------------------------------------------------------
    first = _order(merchant, fc, carriers["JNT"], {"SF-MANGO-200": 3, "SF-DURIAN-100": 2})
    single = _order(merchant, fc, carriers["JNT"], {"SF-MANGO-200": 1})
    ninja = _order(merchant, fc, carriers["NINJA"], {"SF-DURIAN-100": 1})
    chilled = _order(tea_merchant, fc, carriers["JNT"], {"CB-MILKTEA-RTD": 2})
    orders = [first, single, ninja, chilled]
    assert [o["status"] for o in orders] == ["allocated"] * 4
    # FEFO: the first order's mango comes from the lot that expires first.
    mango_lots = sorted(
        (r["expiry_date"], r["lot_number"])
        for r in manager.items("/stock", fc_id=fc, sku_id=mango["id"])
    )
    assert first["allocations"][0]["lot_number"] == mango_lots[0][1]
    assert _stock(manager, fc, mango["id"]) == (before[mango["id"]][0], before[mango["id"]][1] + 4)
    assert audit_ledger(uow) == []

    # A replayed order key returns the first answer; the same external id again is refused.
    again = merchant.post(
        "/orders",
        {**_body_of(first), "external_id": first["external_id"]},
        key=new_key(),
    )
    assert again.status_code == 409 and "external_id" in error_fields(again)
    # Bad input names the field and creates nothing.
    bad = merchant.post(
        "/orders",
        {**_body_of(first), "external_id": "x-2", "ship_by": "2026-11-27T10:00:00"},
        key=new_key(),
    )
    assert bad.status_code == 422 and "ship_by" in error_fields(bad)
    assert merchant.items("/orders", external_id="x-2") == []

    # Cancelling before shipping releases every reservation.
    cancelled = _order(merchant, fc, carriers["JNT"], {"SF-DURIAN-100": 4})
    reserved_with = _stock(manager, fc, durian["id"])[1]
    response = merchant.post(f"/orders/{cancelled['id']}/cancel", key=new_key())
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert _stock(manager, fc, durian["id"])[1] == reserved_with - 4
    assert audit_ledger(uow) == []

    backlog = manager.get("/orders/backlog", fc_id=fc).get_json()
    assert sum(group["orders"] for group in backlog) >= 4
    assert {group["carrier_code"] for group in backlog} >= {"JNT", "NINJA"}

    # --- the wave ---------------------------------------------------------------------------
    assert staff.post("/waves", {"fc_id": fc}, key=new_key()).status_code == 403
    planned = manager.post(
        "/waves", {"fc_id": fc, "max_orders": 4, "time_limit_s": 2}, key=new_key()
    )
    assert planned.status_code == 201, planned.get_json()
    wave = planned.get_json()
    assert wave["status"] == "planned" and wave["orders"] == 4
    assert wave["walking_m"] <= wave["fcfs_walking_m"] + 1e-6
    trips = wave["batches"]
    assert {t["temperature_class"] for t in trips} == {"ambient", "chilled"}
    for trip in trips:
        assert trip["orders"] <= 4
    # The single-unit order is picked apart from multi-unit orders.
    single_trip = [t for t in trips if single["reference"] in t["order_references"]]
    assert single_trip and single_trip[0]["single_items"]
    assert staff.get("/trips", fc_id=fc).get_json() == []  # nothing released yet
    released = manager.post(f"/waves/{wave['id']}/release", key=new_key())
    assert released.status_code == 200 and released.get_json()["status"] == "released"
    assert audit_ledger(uow) == []

    # --- picking ----------------------------------------------------------------------------
    shorted = False
    for listed in staff.get("/trips", fc_id=fc).get_json():
        trip = staff.post(f"/trips/{listed['id']}/start", key=new_key()).get_json()
        assert trip["status"] == "picking"
        for tote in trip["totes"]:
            response = staff.post(
                f"/trips/{trip['id']}/totes",
                {"slot": tote["slot"], "tote": f"T{trip['id']:03d}{tote['slot']:02d}"},
                key=new_key(),
            )
            assert response.status_code == 200, response.get_json()
            trip = response.get_json()
        while trip["next_pick"] is not None:
            pick = trip["next_pick"]
            scan = {
                "location_code": pick["location_code"],
                "gtin": pick["gtin"],
                "lot_number": pick["lot_number"],
                "quantity": pick["quantity"],
                "tote": pick["tote_code"],
            }
            # Wrong bin, wrong tote and wrong lot are refused and change nothing.
            for field, wrong in (
                ("location_code", "KUL1-H-08-04"),
                ("tote", "T99999"),
                ("lot_number", "NOT-THIS-LOT"),
            ):
                refused = staff.post(
                    f"/picks/{pick['id']}/confirm", {**scan, field: wrong}, key=new_key()
                )
                assert refused.status_code == 422 or refused.status_code == 400, refused.get_json()
                assert field in error_fields(refused) or (
                    field == "tote" and "tote" in error_fields(refused)
                )
            if not shorted and pick["sku_code"] == "SF-DURIAN-100" and pick["quantity"] >= 2:
                # The bin holds one fewer than the system thought: a short pick.
                on_hand_before = _stock(manager, fc, durian["id"])[0]
                key = new_key()
                response = staff.post(
                    f"/picks/{pick['id']}/confirm",
                    {**scan, "quantity": pick["quantity"] - 1},
                    key=key,
                )
                assert response.status_code == 200, response.get_json()
                result = response.get_json()["result"]
                assert result == {
                    "picked": pick["quantity"] - 1,
                    "damaged": 0,
                    "short": 1,
                    "reallocated": 1,
                    "exceptions": result["exceptions"],
                }
                # The re-allocated unit comes from another bin, in this same trip.
                extra = [
                    p
                    for p in response.get_json()["picks"]
                    if p["status"] == "reserved"
                    and p["sku_code"] == "SF-DURIAN-100"
                    and p["order_id"] == pick["order_id"]
                ]
                assert extra and all(p["location_code"] != pick["location_code"] for p in extra)
                assert _stock(manager, fc, durian["id"])[0] == on_hand_before - 1
                # A replay of the same key picks nothing twice.
                replay = staff.post(
                    f"/picks/{pick['id']}/confirm",
                    {**scan, "quantity": pick["quantity"] - 1},
                    key=key,
                )
                assert replay.headers["Idempotent-Replayed"] == "true"
                assert _stock(manager, fc, durian["id"])[0] == on_hand_before - 1
                trip = response.get_json()
                shorted = True
                assert audit_ledger(uow) == []
                continue
            response = staff.post(f"/picks/{pick['id']}/confirm", scan, key=new_key())
            assert response.status_code == 200, response.get_json()
            trip = response.get_json()
        assert trip["status"] == "picked"
        # Done picks still name the bin they were picked from, not the dispatch bench.
        route_bins = set(trip["route"])
        assert {p["location_code"] for p in trip["picks"]} <= route_bins
    assert shorted
    assert audit_ledger(uow) == []
    for order in orders:
        assert (
            merchant_or_tea(merchant, tea_merchant, order)
            .get(f"/orders/{order['id']}")
            .get_json()["status"]
            == "picked"
        )

    exceptions = manager.get("/pick-exceptions", fc_id=fc).get_json()
    assert [(e["kind"], e["quantity"], e["reallocated"]) for e in exceptions] == [("short", 1, 1)]
    resolved = manager.post(
        f"/pick-exceptions/{exceptions[0]['id']}/resolve",
        {"action": "acknowledge", "note": "bin counted"},
        key=new_key(),
    )
    assert resolved.status_code == 200 and resolved.get_json()["status"] == "resolved"

    # --- packing ----------------------------------------------------------------------------
    totes = {}
    for wave_trip in manager.get(f"/waves/{wave['id']}").get_json()["batches"]:
        for tote in staff.get(f"/trips/{wave_trip['id']}").get_json()["totes"]:
            totes.setdefault(tote["order_id"], []).append(tote["tote_code"])
    parcels = {}
    for order in orders:
        package = staff.post(
            "/packages", {"fc_id": fc, "tote": totes[order["id"]][0]}, key=new_key()
        )
        assert package.status_code == 201, package.get_json()
        package = package.get_json()
        # An item that is not in the order is refused.
        stranger = sku_by_code(tea_merchant, "CB-THAITEA-400")
        wrong = staff.post(
            f"/packages/{package['id']}/items", {"gtin": stranger["gtin"]}, key=new_key()
        )
        assert wrong.status_code == 422 and "gtin" in error_fields(wrong)
        closing_early = staff.post(
            f"/packages/{package['id']}/close", {"carton": "S", "weight_g": 900}, key=new_key()
        )
        assert closing_early.status_code == 409
        for item in package["items"]:
            for _ in range(item["expected"]):
                response = staff.post(
                    f"/packages/{package['id']}/items",
                    {"gtin": item["gtin"], "lot_number": item["lot_number"]},
                    key=new_key(),
                )
                assert response.status_code == 200, response.get_json()
                package = response.get_json()
                # The answer names the row the unit went to.
                assert package["last_item"]["sku_code"] == item["sku_code"]
                assert package["last_item"]["lot_number"] == item["lot_number"]
        assert package["complete"]
        weight = package["content_weight_g"] + 200
        closed = staff.post(
            f"/packages/{package['id']}/close",
            {"carton": package["suggested_carton"], "weight_g": weight},
            key=new_key(),
        )
        assert closed.status_code == 200, closed.get_json()
        package = closed.get_json()
        assert package["status"] == "packed" and package["tracking_number"]
        label = staff.client.get(
            f"/api/v1/packages/{package['id']}/label.pdf",
            headers={"Authorization": f"Bearer {staff.token}"},
        )
        assert label.status_code == 200 and label.data.startswith(b"%PDF")
        parcels[order["id"]] = package
    assert audit_ledger(uow) == []

    # --- shipping ---------------------------------------------------------------------------
    manifest = staff.post(
        "/manifests", {"fc_id": fc, "carrier_id": carriers["JNT"]}, key=new_key()
    ).get_json()
    wrong_carrier = staff.post(
        f"/manifests/{manifest['id']}/parcels",
        {"parcel": parcels[ninja["id"]]["tracking_number"]},
        key=new_key(),
    )
    assert wrong_carrier.status_code == 409 and "parcel" in error_fields(wrong_carrier)
    for order in (first, single, chilled):
        response = staff.post(
            f"/manifests/{manifest['id']}/parcels",
            {"parcel": parcels[order["id"]]["tracking_number"]},
            key=new_key(),
        )
        assert response.status_code == 200, response.get_json()
    on_hand_before_ship = {sku_id: _stock(manager, fc, sku_id)[0] for sku_id in skus}
    closed = staff.post(f"/manifests/{manifest['id']}/close", key=new_key())
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    assert len(closed.get_json()["parcels"]) == 3
    shipped_units: Counter[int] = Counter()
    for order in (first, single, chilled):
        view = (
            merchant_or_tea(merchant, tea_merchant, order).get(f"/orders/{order['id']}").get_json()
        )
        assert view["status"] == "shipped"
        for line in view["lines"]:
            shipped_units[line["sku_id"]] += line["quantity"]
    for sku_id in skus:
        assert _stock(manager, fc, sku_id)[0] == on_hand_before_ship[sku_id] - shipped_units[sku_id]
    # The Ninja Van order waits packed for its own carrier; its units are still reserved.
    assert merchant.get(f"/orders/{ninja['id']}").get_json()["status"] == "packed"
    assert audit_ledger(uow) == []
    # Overall: what left the FC is what shipped plus the one unit written off as short.
    for sku_id, (on_hand, reserved) in before.items():
        now_on_hand, now_reserved = _stock(manager, fc, sku_id)
        lost = 1 if sku_id == durian["id"] else 0
        assert now_on_hand == on_hand - shipped_units[sku_id] - lost
        assert now_reserved == reserved + (1 if sku_id == durian["id"] else 0)  # the Ninja parcel
    # Another FC's staff cannot see the manifest.
    assert api_as(STAFF_CGK1).get(f"/manifests/{manifest['id']}").status_code == 404


def merchant_or_tea(merchant: Api, tea: Api, order: dict[str, Any]) -> Api:
    return tea if order["merchant_code"] == "CHABATEA" else merchant


def _body_of(order: dict[str, Any]) -> dict[str, Any]:
    return {
        "fc_id": order["fc_id"],
        "carrier_id": order["carrier_id"],
        "external_id": order["external_id"],
        "ship_by": order["ship_by"],
        "recipient_name": order["recipient_name"],
        "recipient_phone": order["recipient_phone"],
        "address": order["address"],
        "city": order["city"],
        "postcode": order["postcode"],
        "country": order["country"],
        "lines": [
            {"sku_code": line["sku_code"], "quantity": line["quantity"]} for line in order["lines"]
        ],
    }


@pytest.mark.parametrize("units", [1])
def test_partial_allocation_backorders_the_rest_and_retries_when_stock_arrives(api_as, uow, units):
    merchant, manager = api_as(SIAMFRUIT), api_as(MANAGER_KUL1)
    fc = fc_ids(manager)["KUL1"]
    carriers = _carriers(merchant, fc)
    tamarind = sku_by_code(merchant, "SF-TAMARIND-250")
    on_hand, reserved = _stock(manager, fc, tamarind["id"])
    free = on_hand - reserved
    order = _order(merchant, fc, carriers["JNT"], {"SF-TAMARIND-250": free + units})
    assert order["status"] == "backordered"
    assert order["lines"][0]["allocated"] == free
    assert _stock(manager, fc, tamarind["id"]) == (on_hand, on_hand)
    # Nothing more to reserve yet: the order stays backordered.
    retry = manager.post(f"/orders/{order['id']}/allocate", key=new_key()).get_json()
    assert retry["status"] == "backordered"
    # Stock is found in a bin; the retry completes the order.
    bin_code = order["allocations"][0]["location_code"]
    location = next(b for b in manager.items(f"/fcs/{fc}/locations") if b["code"] == bin_code)
    found = manager.post(
        "/stock/adjustments",
        {
            "location_id": location["id"],
            "sku_id": tamarind["id"],
            "reason": "found",
            "delta": units,
            "lot_number": order["allocations"][0]["lot_number"],
        },
        key=new_key(),
    )
    assert found.status_code == 201, found.get_json()
    result = manager.post("/orders/allocate-backorders", {"fc_id": fc}, key=new_key()).get_json()
    assert result["completed"] >= 1
    assert merchant.get(f"/orders/{order['id']}").get_json()["status"] == "allocated"
    assert audit_ledger(uow) == []


def test_cancelling_an_order_mid_trip_voids_its_picks_and_the_trip_still_finishes(api_as, uow):
    merchant, manager, staff = api_as(SIAMFRUIT), api_as(MANAGER_KUL1), api_as(STAFF_KUL1)
    fc = fc_ids(manager)["KUL1"]
    for waiting in manager.items("/orders", fc_id=fc):
        if waiting["status"] not in ("shipped", "cancelled"):
            manager.post(f"/orders/{waiting['id']}/cancel", key=new_key())
    carriers = _carriers(merchant, fc)
    kept = _order(merchant, fc, carriers["JNT"], {"SF-MANGO-200": 2})
    dropped = _order(merchant, fc, carriers["JNT"], {"SF-DURIAN-100": 2})
    wave = manager.post("/waves", {"fc_id": fc, "time_limit_s": 1}, key=new_key()).get_json()
    assert wave["trips"] == 1
    manager.post(f"/waves/{wave['id']}/release", key=new_key())
    trip = staff.post(f"/trips/{wave['batches'][0]['id']}/start", key=new_key()).get_json()
    for tote in trip["totes"]:
        trip = staff.post(
            f"/trips/{trip['id']}/totes",
            {"slot": tote["slot"], "tote": f"T9{tote['slot']:02d}{trip['id']:04d}"},
            key=new_key(),
        ).get_json()
    for pick in [p for p in trip["picks"] if p["order_id"] == kept["id"]]:
        scan = {
            "location_code": pick["location_code"],
            "gtin": pick["gtin"],
            "lot_number": pick["lot_number"],
            "quantity": pick["quantity"],
            "tote": pick["tote_code"],
        }
        response = staff.post(f"/picks/{pick['id']}/confirm", scan, key=new_key())
        assert response.status_code == 200, response.get_json()
    assert staff.get(f"/trips/{trip['id']}").get_json()["status"] == "picking"
    cancelled = merchant.post(f"/orders/{dropped['id']}/cancel", key=new_key())
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    after = staff.get(f"/trips/{trip['id']}").get_json()
    assert after["status"] == "picked" and after["next_pick"] is None
    assert merchant.get(f"/orders/{kept['id']}").get_json()["status"] == "picked"
    assert manager.get(f"/waves/{wave['id']}").get_json()["status"] == "done"
    assert audit_ledger(uow) == []
