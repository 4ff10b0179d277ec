"""Announcing consignments: CSV ASNs with row errors, tenancy, customs papers, blind receipts,
shelf life on the dock, and re-slotting plans."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pypdfium2

from tests.api import (
    CHABATEA,
    MANAGER_KUL1,
    SIAMFRUIT,
    STAFF_CGK1,
    STAFF_KUL1,
    error_fields,
    fc_ids,
    new_key,
    sku_by_code,
)
from wms.domain.identifiers import with_check_digit
from wms.services.ledger import audit_ledger

TODAY = datetime.now(ZoneInfo("Asia/Kuala_Lumpur")).date()


def draft(api, fc_id, lines=(), **extra):
    body = {
        "fc_id": fc_id,
        "mode": "sea",
        "origin_name": "Chaba Tea",
        "eta": "2030-03-01",
        "origin_address": "1 Rama IV Road, Bangkok",
        "lines": list(lines),
        **extra,
    }
    response = api.post("/consignments", body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def upload(api, cid, text):
    return api.post(
        f"/consignments/{cid}/asn.csv", data=text.encode(), headers={"Content-Type": "text/csv"}
    )


def test_a_csv_asn_with_bad_rows_is_reported_row_by_row_and_nothing_is_saved(api_as):
    merchant = api_as(CHABATEA)
    fc = fc_ids(api_as(MANAGER_KUL1))["KUL1"]
    tea = merchant.items("/skus")[0]
    cid = draft(merchant, fc)["id"]
    bad = (
        "sku_code,quantity,lot_number,expiry_date,sscc\n"
        f"{tea['code']},10,T1,2030-01-01,{with_check_digit('0' * 8 + '123456789')}\n"
        "NO-SUCH-SKU,5,T1,2030-01-01," + with_check_digit("0" * 8 + "123456788") + "\n"
        f"{tea['code']},-3,T2,2030-01-01," + with_check_digit("0" * 8 + "123456787") + "\n"
        f"{tea['code']},4,T3,31/12/2030," + "1" * 18 + "\n"
    )
    response = upload(merchant, cid, bad)
    assert response.status_code == 422
    report = response.get_json()
    assert report["applied"] is False
    problems = {(e["row"], e["field"]) for e in report["errors"]}
    assert (3, "quantity") in problems or (4, "quantity") in problems
    assert (5, "expiry_date") in problems
    # Once the cells read well, the use case's own checks point back at CSV rows too.
    fixable = (
        "sku_code,quantity,lot_number,expiry_date,sscc\n"
        f"{tea['code']},10,T1,2030-01-01,{with_check_digit('0' * 8 + '123456789')}\n"
        "NO-SUCH-SKU,5,T1,2030-01-01," + with_check_digit("0" * 8 + "123456788") + "\n"
        f"{tea['code']},4,T3,2030-01-01,111111111111111111\n"
    )
    report = upload(merchant, cid, fixable).get_json()
    assert {(e["row"], e["field"]) for e in report["errors"]} == {(3, "sku_code"), (4, "sscc")}
    assert merchant.get(f"/consignments/{cid}").get_json()["lines"] == []

    good = (
        "sku_code,quantity,lot_number,expiry_date,sscc,carton_gross_weight_g,carton_length_mm,"
        "carton_width_mm,carton_height_mm\n"
        f"{tea['code']},10,T1,2030-01-01,{with_check_digit('0' * 8 + '223456789')},9000,600,400,300\n"
        f"{tea['code']},6,T1,2030-01-01,{with_check_digit('0' * 8 + '223456788')},5000,400,300,300\n"
    )
    applied = upload(merchant, cid, good)
    assert applied.status_code == 200, applied.get_json()
    consignment = applied.get_json()["consignment"]
    assert [(line["quantity"], line["lot_number"]) for line in consignment["lines"]] == [(16, "T1")]
    assert [c["contents"][0]["quantity"] for c in consignment["cartons"]] == [10, 6]

    # Customs papers for the announced consignment.
    for paper in ("commercial-invoice", "packing-list"):
        pdf = merchant.get(f"/consignments/{cid}/{paper}.pdf")
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        document = pypdfium2.PdfDocument(pdf.data)
        text = "".join(page.get_textpage().get_text_range() for page in document)
        assert consignment["reference"] in text
        if paper == "packing-list":
            assert all(c["sscc"] in text for c in consignment["cartons"])
        else:
            assert consignment["lines"][0]["hs_code"][:4] in text.replace(".", "")


def test_other_merchants_and_other_fcs_see_nothing(api_as):
    siam, chaba = api_as(SIAMFRUIT), api_as(CHABATEA)
    mine = siam.items("/consignments")
    assert mine and all(c["merchant_id"] == mine[0]["merchant_id"] for c in mine)
    other = chaba.get(f"/consignments/{mine[0]['id']}")
    assert other.status_code == 404
    assert (
        chaba.post(f"/consignments/{mine[0]['id']}/status", {"status": "cancelled"}).status_code
        == 404
    )
    assert chaba.get(f"/consignments/{mine[0]['id']}/packing-list.pdf").status_code == 404
    cgk_staff = api_as(STAFF_CGK1)
    assert all(c["fc_id"] != mine[0]["fc_id"] for c in cgk_staff.items("/consignments"))
    assert cgk_staff.get(f"/consignments/{mine[0]['id']}").status_code == 404


def test_the_dock_schedule_lists_arrivals_by_day(api_as):
    manager = api_as(MANAGER_KUL1)
    fc = fc_ids(manager)["KUL1"]
    days = manager.get("/consignments/arrivals", fc_id=fc, days=7).get_json()
    assert len(days) == 7 and days[0]["date"] == TODAY.isoformat()
    statuses = {c["status"] for day in days for c in day["consignments"]}
    assert "arrived" in statuses and "draft" not in statuses
    assert manager.get("/consignments/arrivals", fc_id=fc, days=99).status_code == 422


def test_a_blind_carton_and_a_lot_near_expiry(api_as, uow):
    staff = api_as(STAFF_KUL1)
    fc = fc_ids(api_as(MANAGER_KUL1))["KUL1"]
    merchant = api_as(SIAMFRUIT)
    mango = sku_by_code(merchant, "SF-MANGO-200")
    opened = staff.post(
        "/receipts/blind", {"fc_id": fc, "merchant_id": mango["merchant_id"]}, key=new_key()
    )
    assert opened.status_code == 201, opened.get_json()
    receipt = opened.get_json()
    assert receipt["blind"] and receipt["current_carton"].startswith("09551234")
    rid = receipt["id"]
    near = TODAY + timedelta(days=12)
    raw = f"]C101{mango['gtin'].zfill(14)}17{near:%y%m%d}10BLIND1"
    assert (
        staff.post(
            f"/receipts/{rid}/scans", {"scan": raw, "quantity": 5}, key=new_key()
        ).status_code
        == 200
    )
    closed = staff.post(f"/receipts/{rid}/close", key=new_key()).get_json()
    assert [d["kind"] for d in closed["discrepancies"]] == ["near_expiry"]
    assert closed["putaway_tasks"][0]["quantity"] == 5
    again = staff.post(f"/receipts/{rid}/scans", {"scan": raw}, key=new_key())
    assert again.status_code == 409
    # The merchant is told about it too.
    mine = merchant.items("/discrepancies")
    assert any(d["receipt_id"] == rid for d in mine)
    assert audit_ledger(uow) == []


def test_an_announced_carton_cannot_be_received_blind(api_as):
    staff, manager = api_as(STAFF_KUL1), api_as(MANAGER_KUL1)
    fc = fc_ids(manager)["KUL1"]
    arrived = manager.items("/consignments", fc_id=fc, status="arrived")[0]
    detail = manager.get(f"/consignments/{arrived['id']}").get_json()
    response = staff.post(
        "/receipts/blind",
        {"fc_id": fc, "merchant_id": arrived["merchant_id"], "sscc": detail["cartons"][0]["sscc"]},
        key=new_key(),
    )
    assert response.status_code == 409
    assert arrived["reference"] in response.get_json()["error"]["message"]


def test_merchants_cannot_receive_and_staff_cannot_resolve(api_as):
    merchant = api_as(SIAMFRUIT)
    arrived = merchant.items("/consignments", status="arrived")[0]
    assert (
        merchant.post("/receipts", {"consignment_id": arrived["id"]}, key=new_key()).status_code
        == 403
    )
    assert (
        api_as(STAFF_KUL1).post("/discrepancies/1/resolve", {"resolution": "accepted"}).status_code
        == 403
    )


def test_a_reslotting_plan_is_reviewed_and_released_as_move_tasks(api_as):
    manager = api_as(MANAGER_KUL1)
    fc = fc_ids(manager)["KUL1"]
    fast = sku_by_code(manager, "SF-MANGO-200")
    assert manager.patch(f"/skus/{fast['id']}", {"velocity_class": "A"}).status_code == 200
    proposed = manager.post("/slotting-plans", {"fc_id": fc, "time_limit_s": 2})
    assert proposed.status_code == 201, proposed.get_json()
    plan = proposed.get_json()
    assert plan["status"] == "proposed"
    assert plan["planned_walking_m"] <= plan["current_walking_m"]
    assert plan["saving_m"] == round(plan["current_walking_m"] - plan["planned_walking_m"], 1)
    assert api_as(STAFF_KUL1).post(f"/slotting-plans/{plan['id']}/release").status_code == 403
    released = manager.post(f"/slotting-plans/{plan['id']}/release").get_json()
    assert released["status"] == "released"
    tasks = manager.get("/tasks", fc_id=fc, kind="reslot").get_json()
    assert {t["plan_id"] for t in tasks} <= {plan["id"]}
    assert len(tasks) == len(released["task_ids"])
    moved = {m["sku_code"] for m in plan["moves"]}
    assert {t["sku_code"] for t in tasks} <= moved
    assert manager.post(f"/slotting-plans/{plan['id']}/release").status_code == 409
    assert error_fields(manager.post("/slotting-plans", {"fc_id": fc, "time_limit_s": 500}))


def test_unreadable_csv_files_are_refused_not_crashed(api_as):
    merchant = api_as(CHABATEA)
    cid = draft(merchant, fc_ids(api_as(MANAGER_KUL1))["KUL1"])["id"]
    huge_cell = "sku_code,quantity\n" + "x" * 200_000 + ",1\n"
    for text in (huge_cell, "sku_code,quantity\nA\x00B,1\n"):
        response = upload(merchant, cid, text)
        assert response.status_code == 422
        assert "file" in error_fields(response)
    response = merchant.post(
        "/skus/import", data=huge_cell.encode(), headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 422
