"""A consignment from draft to put away, through the API and the scanner endpoints."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.api import (
    MANAGER_KUL1,
    SIAMFRUIT,
    STAFF_KUL1,
    error_fields,
    fc_ids,
    new_key,
    sku_by_code,
)
from wms.domain.identifiers import with_check_digit
from wms.services.ledger import audit_ledger

TODAY = datetime.now(ZoneInfo("Asia/Kuala_Lumpur")).date()
GIVEN_SSCC = with_check_digit("08851234" + "000000321")


def gs1_item(gtin: str, expiry: date, lot: str) -> str:
    """What a scanner sends for a GS1-128 label: AIM prefix, GTIN-14, expiry, then the lot."""
    return f"]C101{gtin.zfill(14)}17{expiry:%y%m%d}10{lot}"


def announce(merchant, fc_id, mango, tea, expiry):
    body = {
        "fc_id": fc_id,
        "mode": "road",
        "origin_name": "Siam Fruit Co., Ltd.",
        "origin_address": "88 Moo 3, Sadao, Songkhla 90120",
        "eta": (TODAY + timedelta(days=2)).isoformat(),
        "carrier": "Kerry Cross-Border",
        "tracking_number": "KCB123456789TH",
        "form_d_reference": "TH-FD-2026-00077",
        "lines": [
            {
                "sku_code": mango["code"],
                "quantity": 10,
                "lot_number": "LM01",
                "expiry_date": expiry.isoformat(),
                "unit_value_thb": "55.00",
            },
            {
                "sku_code": tea["code"],
                "quantity": 6,
                "lot_number": "LT01",
                "expiry_date": expiry.isoformat(),
            },
        ],
        "cartons": [
            {
                "sscc": GIVEN_SSCC,
                "gross_weight_g": 5200,
                "contents": [{"line_number": 1, "quantity": 10}],
            },
            {"contents": [{"line_number": 2, "quantity": 6}]},
        ],
    }
    response = merchant.post("/consignments", body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_consignment_goes_from_draft_to_put_away(api_as, uow):
    merchant, manager, staff = api_as(SIAMFRUIT), api_as(MANAGER_KUL1), api_as(STAFF_KUL1)
    fc_id = fc_ids(manager)["KUL1"]
    mango, tea = sku_by_code(merchant, "SF-MANGO-200"), sku_by_code(merchant, "SF-TAMARIND-250")
    expiry = TODAY + timedelta(days=200)

    consignment = announce(merchant, fc_id, mango, tea, expiry)
    cid = consignment["id"]
    assert consignment["status"] == "draft"
    assert consignment["reference"] == f"CN-KUL1-{cid:06d}"
    assert consignment["border_crossing"] == "Sadao–Bukit Kayu Hitam"
    ssccs = [carton["sscc"] for carton in consignment["cartons"]]
    assert ssccs[0] == GIVEN_SSCC
    assert ssccs[1].startswith("09551234") and len(ssccs[1]) == 18  # generated under KUL1's prefix
    assert with_check_digit(ssccs[1][:17]) == ssccs[1]
    assert consignment["lines"][0]["value_thb"] == "550.00"
    assert consignment["lines"][0]["value_fc"] == "71.50"  # 550 THB at the demo's 0.13 MYR

    # The journey: merchants report dispatch and customs, the FC records the arrival.
    for status in ("submitted", "in_transit", "at_customs"):
        response = merchant.post(f"/consignments/{cid}/status", {"status": status})
        assert response.status_code == 200, response.get_json()
    refused = merchant.post(f"/consignments/{cid}/status", {"status": "arrived"})
    assert refused.status_code == 403
    illegal = manager.post(f"/consignments/{cid}/status", {"status": "closed"})
    assert illegal.status_code == 409
    assert "at_customs" in illegal.get_json()["error"]["message"]
    assert manager.post(f"/consignments/{cid}/status", {"status": "arrived"}).status_code == 200

    # Receiving: scan a carton to open the receipt, then its items.
    opened = staff.post("/receipts/by-scan", {"scan": f"]C100{GIVEN_SSCC}"}, key=new_key())
    assert opened.status_code == 201, opened.get_json()
    receipt = opened.get_json()
    rid = receipt["id"]
    assert receipt["current_carton"] == GIVEN_SSCC
    assert merchant.get(f"/consignments/{cid}").get_json()["status"] == "receiving"

    def scan(raw, key=None, **entry):
        return staff.post(f"/receipts/{rid}/scans", {"scan": raw, **entry}, key=key or new_key())

    mango_scan = gs1_item(mango["gtin"], expiry, "LM01")
    assert scan(mango_scan, quantity=7).status_code == 200
    key = new_key()
    first = scan(mango_scan, key=key)
    replay = scan(mango_scan, key=key)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json()["progress"] == first.get_json()["progress"]
    damaged = scan(mango_scan, damaged=True)
    row = next(r for r in damaged.get_json()["progress"] if r["sku_code"] == mango["code"])
    assert (row["expected"], row["good"], row["damaged"]) == (10, 8, 1)

    # Bad scans change nothing and say why.
    for bad, status in (
        ("]C101" + "1" * 14, 422),
        ("]C100" + with_check_digit("0" * 17), 404),
        ("KUL1-A-01-01", 422),
    ):
        response = scan(bad)
        assert response.status_code == status, (bad, response.get_json())
        assert "scan" in error_fields(response)
    after = staff.get(f"/receipts/{rid}").get_json()
    assert after["progress"] == damaged.get_json()["progress"]

    # The second carton, with the separator typed as '~' by a keyboard wedge.
    assert scan(f"]C100{ssccs[1]}").get_json()["current_carton"] == ssccs[1]
    tea_scan = f"]C101{tea['gtin'].zfill(14)}10LT01~17{expiry:%y%m%d}"
    counted = scan(tea_scan, quantity=7)
    assert counted.status_code == 200, counted.get_json()

    closed = staff.post(f"/receipts/{rid}/close", key=new_key())
    assert closed.status_code == 200, closed.get_json()
    body = closed.get_json()
    found = {
        (d["kind"], d["sku_code"], d["expected"], d["received"]) for d in body["discrepancies"]
    }
    assert found == {
        ("short", mango["code"], 10, 9),
        ("damaged", mango["code"], 0, 1),
        ("over", tea["code"], 6, 7),
    }
    stock = {
        (b["sku_code"], b["location_code"][:8]): b["on_hand"]
        for b in staff.items("/stock", fc_id=fc_id)
        if b["lot_number"] in ("LM01", "LT01")
    }
    assert stock == {
        (mango["code"], "KUL1-RCV"): 8,
        (mango["code"], "KUL1-QUA"): 1,
        (tea["code"], "KUL1-RCV"): 7,
    }

    # The merchant sees the status, what arrived per lot, and the discrepancies.
    seen = merchant.get(f"/consignments/{cid}").get_json()
    assert seen["status"] == "received"
    assert [step["status"] for step in seen["timeline"]] == [
        "draft",
        "submitted",
        "in_transit",
        "at_customs",
        "arrived",
        "receiving",
        "received",
    ]
    lines = {
        line["sku_code"]: (line["received_good"], line["received_damaged"])
        for line in seen["lines"]
    }
    assert lines == {mango["code"]: (8, 1), tea["code"]: (7, 0)}
    assert len(seen["discrepancies"]) == 3

    # Putaway: the suggested bin is accepted; a chilled bin is refused with the reason; another
    # good bin needs a reason.
    tasks = {t["sku_code"]: t for t in body["putaway_tasks"]}
    task = tasks[mango["code"]]
    assert task["suggested_location_code"], task
    options = staff.get(f"/tasks/{task['id']}").get_json()["options"]
    assert options[0]["code"] == task["suggested_location_code"]
    chilled = staff.post(f"/tasks/{task['id']}/complete", {"scan": "KUL1-R-01-01"}, key=new_key())
    assert chilled.status_code == 422
    assert "chilled" in chilled.get_json()["error"]["message"]
    other = options[1]["code"]
    no_reason = staff.post(f"/tasks/{task['id']}/complete", {"scan": other}, key=new_key())
    assert "override_reason" in error_fields(no_reason)
    done = staff.post(
        f"/tasks/{task['id']}/complete", {"scan": task["suggested_location_code"]}, key=new_key()
    )
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "done"
    overridden = staff.post(
        f"/tasks/{tasks[tea['code']]['id']}/complete",
        {
            "scan": other_bin_for(staff, tasks[tea["code"]]),
            "override_reason": "suggested bin blocked by a pallet",
        },
        key=new_key(),
    )
    assert overridden.status_code == 200, overridden.get_json()
    assert overridden.get_json()["override_reason"] == "suggested bin blocked by a pallet"
    in_bins = {
        b["location_code"]: b["on_hand"]
        for b in staff.items("/stock", fc_id=fc_id)
        if b["lot_number"] == "LM01"
    }
    assert in_bins == {task["suggested_location_code"]: 8, "KUL1-QUA-01-01": 1}

    # The manager resolves the discrepancies, then closes the consignment.
    early = manager.post(f"/consignments/{cid}/status", {"status": "closed"})
    assert early.status_code == 409
    for item in manager.items("/discrepancies", consignment_id=cid):
        resolved = manager.post(
            f"/discrepancies/{item['id']}/resolve",
            {"resolution": "accepted", "note": "checked with merchant"},
        )
        assert resolved.status_code == 200
    assert manager.post(f"/consignments/{cid}/status", {"status": "closed"}).status_code == 200
    assert merchant.get(f"/consignments/{cid}").get_json()["status"] == "closed"
    assert audit_ledger(uow) == []


def other_bin_for(staff, task):
    options = staff.get(f"/tasks/{task['id']}").get_json()["options"]
    return next(o["code"] for o in options if o["code"] != task["suggested_location_code"])


def test_stock_waiting_on_the_dock_or_in_quarantine_is_not_available_to_sell(api_as, uow):
    from wms.domain.actors import Actor, Role
    from wms.services.stock import available_by_fc

    merchant, staff = api_as(SIAMFRUIT), api_as(STAFF_KUL1)
    fc_id = fc_ids(api_as(MANAGER_KUL1))["KUL1"]
    mango = sku_by_code(merchant, "SF-MANGO-200")
    me = merchant.get("/auth/me").get_json()
    actor = Actor(me["id"], Role.MERCHANT, merchant_id=me["merchant_id"])

    def mango_in_kul1():
        return next(
            r
            for r in available_by_fc(uow, actor)
            if r["fc_id"] == fc_id and r["sku_code"] == mango["code"]
        )

    before = mango_in_kul1()
    rid = staff.post(
        "/receipts/blind", {"fc_id": fc_id, "merchant_id": mango["merchant_id"]}, key=new_key()
    ).get_json()["id"]
    raw = gs1_item(mango["gtin"], TODAY + timedelta(days=300), "AVAIL1")
    staff.post(f"/receipts/{rid}/scans", {"scan": raw, "quantity": 4}, key=new_key())
    staff.post(f"/receipts/{rid}/scans", {"scan": raw, "damaged": True}, key=new_key())
    assert staff.post(f"/receipts/{rid}/close", key=new_key()).status_code == 200
    after = mango_in_kul1()
    assert after["on_hand"] == before["on_hand"] + 5
    assert after["held"] == before["held"] + 5
    assert after["available"] == before["available"]
