"""The inbound pages through Flask's test client: the merchant's consignments (form, CSV, status),
stock per FC, and the manager's arrivals, receipts, discrepancy queue and re-slotting."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.api import (
    ADMIN,
    CHABATEA,
    MANAGER_KUL1,
    SIAMFRUIT,
    STAFF_KUL1,
    Api,
    fc_ids,
    new_key,
    sku_by_code,
)
from tests.conftest import settings_for
from tests.integration.test_web_pages import (
    all_rows,
    api_for,
    csrf_token,
    log_in,
    number,
    table_rows,
)
from wms.app import create_app
from wms.bootstrap import EXTENSION
from wms.domain.identifiers import with_check_digit


@pytest.fixture
def web_app(demo_database_url: str) -> Iterator[Flask]:
    """The whole app on its own demo database (its work commits), with CSRF protection on."""
    app = create_app(settings_for(demo_database_url))
    yield app
    engine = app.extensions[EXTENSION].engine
    if engine is not None:
        engine.dispose()


FIELD_ERROR = re.compile(r'<p class="field-error" id="([^"]+)-error">([^<]*)</p>')
EXPIRY = datetime.now(UTC).date() + timedelta(days=200)


def field_errors(page: TestResponse) -> dict[str, str]:
    """The messages shown next to fields, by the field's id."""
    found = FIELD_ERROR.findall(page.get_data(as_text=True))
    return {name: html.unescape(message) for name, message in found}


def gs1_item(gtin: str, expiry: date, lot: str) -> str:
    """What a scanner sends for a GS1-128 item label: GTIN-14, expiry, then the lot."""
    return f"]C101{gtin.zfill(14)}17{expiry:%y%m%d}10{lot}"


def header_form(fc_id: int, **changes: str) -> dict[str, Any]:
    form: dict[str, Any] = {
        "fc_id": str(fc_id),
        "mode": "road",
        "eta": (datetime.now(UTC).date() + timedelta(days=3)).isoformat(),
        "carrier": "Kerry Cross-Border",
        "tracking_number": "KCB000111TH",
        "form_d_reference": "TH-FD-2026-00991",
        "customs_declaration_number": "",
        "origin_name": "Siam Fruit Co., Ltd.",
        "origin_address": "88 Moo 3, Sadao, Songkhla 90120",
        "note": "",
        "rows": "5",
    }
    form.update(changes)
    return form


def my_consignments(api: Api) -> list[dict[str, Any]]:
    return api.items("/consignments")


def announce(merchant: Api, fc_id: int, lines: list[dict[str, Any]]) -> dict[str, Any]:
    """A draft consignment of `lines` through the API (no cartons)."""
    response = merchant.post(
        "/consignments",
        {
            "fc_id": fc_id,
            "mode": "road",
            "origin_name": "Siam Fruit Co., Ltd.",
            "origin_address": "88 Moo 3, Sadao, Songkhla 90120",
            "eta": datetime.now(UTC).date().isoformat(),
            "lines": lines,
        },
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def arrived(client: FlaskClient, lines: list[tuple[str, int, str]]) -> tuple[int, dict[str, Any]]:
    """A SIAMFRUIT consignment of (SKU code, units, lot) lines at KUL1's dock; its id and SKUs."""
    merchant, manager = api_for(client, SIAMFRUIT), api_for(client, MANAGER_KUL1)
    skus = {code: sku_by_code(merchant, code) for code, _units, _lot in lines}
    body = [
        {"sku_code": code, "quantity": units, "lot_number": lot, "expiry_date": EXPIRY.isoformat()}
        for code, units, lot in lines
    ]
    cid = announce(merchant, fc_ids(manager)["KUL1"], body)["id"]
    for status in ("submitted", "in_transit", "at_customs"):
        assert merchant.post(f"/consignments/{cid}/status", {"status": status}).status_code == 200
    assert manager.post(f"/consignments/{cid}/status", {"status": "arrived"}).status_code == 200
    return cid, skus


def count(
    staff: Api, receipt_id: int, sku: dict[str, Any], lot: str, units: int, damaged: bool = False
) -> None:
    answer = staff.post(
        f"/receipts/{receipt_id}/scans",
        {"scan": gs1_item(sku["gtin"], EXPIRY, lot), "quantity": units, "damaged": damaged},
        key=new_key(),
    )
    assert answer.status_code == 200, answer.get_json()


def received_with_discrepancies(client: FlaskClient) -> int:
    """A received consignment: mango 10 expected, 8 good + 1 damaged; tamarind 6 expected, 7."""
    cid, skus = arrived(client, [("SF-MANGO-200", 10, "LM01"), ("SF-TAMARIND-250", 6, "LT01")])
    staff = api_for(client, STAFF_KUL1)
    opened = staff.post("/receipts", {"consignment_id": cid}, key=new_key())
    assert opened.status_code == 201, opened.get_json()
    rid = opened.get_json()["id"]
    count(staff, rid, skus["SF-MANGO-200"], "LM01", 8)
    count(staff, rid, skus["SF-MANGO-200"], "LM01", 1, damaged=True)
    count(staff, rid, skus["SF-TAMARIND-250"], "LT01", 7)
    closed = staff.post(f"/receipts/{rid}/close", key=new_key())
    assert closed.status_code == 200, closed.get_json()
    return cid


def english(client: FlaskClient) -> FlaskClient:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


# --- the merchant's consignments ---------------------------------------------------------------


def test_merchant_announces_a_consignment_with_the_form_then_submits_it(web_app):
    client = web_app.test_client()
    log_in(client, SIAMFRUIT)  # reads Thai
    api = api_for(client, SIAMFRUIT)
    kul1 = fc_ids(api)["KUL1"]

    form = client.get("/consignments/new")
    assert form.status_code == 200
    text = form.get_data(as_text=True)
    assert "<h1>แจ้งการส่งสินค้า</h1>" in text
    assert 'name="line-5-sku_code"' in text and 'name="line-6-sku_code"' not in text
    assert 'option value="SF-MANGO-200"' in text and "CB-THAITEA-400" not in text

    more = client.post(
        "/consignments/new",
        data={
            **header_form(kul1),
            "line-1-sku_code": "SF-MANGO-200",
            "action": "more_rows",
            "csrf_token": csrf_token(form),
        },
    )
    assert more.status_code == 200
    assert 'name="line-10-sku_code"' in more.get_data(as_text=True)
    assert 'value="SF-MANGO-200"' in more.get_data(as_text=True)  # what was typed is kept

    sent = client.post(
        "/consignments/new",
        data={
            **header_form(kul1),
            "line-1-sku_code": "SF-MANGO-200",
            "line-1-quantity": "120",
            "line-1-lot_number": "LX01",
            "line-1-expiry_date": EXPIRY.isoformat(),
            "line-1-unit_value_thb": "55.50",
            "line-3-sku_code": "SF-TAMARIND-250",
            "line-3-quantity": "48",
            "line-3-lot_number": "LX02",
            "line-3-expiry_date": EXPIRY.isoformat(),
            "csrf_token": csrf_token(form),
        },
    )
    assert sent.status_code == 302, field_errors(sent)
    page = client.get(sent.headers["Location"])
    text = page.get_data(as_text=True)
    reference = re.search(r"CN-KUL1-\d{6}", text).group(0)
    assert f"{reference} ถูกบันทึกเป็นฉบับร่าง" in text
    assert 'data-status="draft"' in text and "ฉบับร่าง" in text
    lines = table_rows(page, "sku")
    assert lines["SF-MANGO-200"].figures["expected"] == "120"
    assert lines["SF-TAMARIND-250"].figures["expected"] == "48"

    saved = api.get(f"/consignments/{sent.headers['Location'].rsplit('/', 1)[1]}").get_json()
    assert saved["reference"] == reference and saved["status"] == "draft"
    assert [
        (line["sku_code"], line["quantity"], line["lot_number"]) for line in saved["lines"]
    ] == [("SF-MANGO-200", 120, "LX01"), ("SF-TAMARIND-250", 48, "LX02")]
    assert saved["lines"][0]["unit_value_thb"] == "55.50"
    assert saved["lines"][0]["expiry_date"] == EXPIRY.isoformat()
    assert saved["tracking_number"] == "KCB000111TH"

    submitted = client.post(
        f"/consignments/{saved['id']}/status",
        data={
            "status": "submitted",
            "status_note": "รถออกจากสงขลาแล้ว",
            "csrf_token": csrf_token(page),
        },
        follow_redirects=True,
    )
    text = submitted.get_data(as_text=True)
    assert submitted.status_code == 200
    assert re.findall(r'<li data-status="(\w+)"', text) == ["draft", "submitted"]
    assert "รถออกจากสงขลาแล้ว" in text and "Somchai Jaidee" in text
    assert api.get(f"/consignments/{saved['id']}").get_json()["status"] == "submitted"

    listed = client.get("/consignments")
    assert reference in listed.get_data(as_text=True)
    assert table_rows(listed, "consignment")[reference].cells[1] == "ส่งแล้ว"


def test_form_errors_are_shown_next_to_each_field_in_thai_and_nothing_is_saved(web_app):
    client = web_app.test_client()
    log_in(client, SIAMFRUIT)
    api = api_for(client, SIAMFRUIT)
    kul1 = fc_ids(api)["KUL1"]
    before = len(my_consignments(api))
    token = csrf_token(client.get("/consignments/new"))

    bad = client.post(
        "/consignments/new",
        data={
            **header_form(kul1, eta="31/12/2026", origin_address="", mode="boat"),
            "line-1-sku_code": "SF-MANGO-200",
            "line-1-quantity": "สิบ",
            "line-2-sku_code": "SF-MANGO-200",
            "line-2-quantity": "5",
            "line-2-unit_value_thb": "1.234",
            "csrf_token": token,
        },
    )
    assert bad.status_code == 422
    errors = field_errors(bad)
    assert errors == {
        "mode": "เลือกหนึ่งในตัวเลือก",
        "eta": "วันที่ เช่น 2026-12-31",
        "origin_address": "จำเป็นต้องกรอก",
        "line-1-quantity": "ตัวเลขจำนวนเต็ม",
        "line-2-unit_value_thb": "จำนวนเงินบาท เช่น 125.50",
    }, errors
    text = bad.get_data(as_text=True)
    assert 'id="eta" name="eta" type="date" value="31/12/2026" required aria-invalid="true"' in text
    assert "ไม่มีการบันทึกใด ๆ" in text

    # The header is good now; the use case refuses the lines, each next to its row.
    refused = client.post(
        "/consignments/new",
        data={
            **header_form(kul1),
            "line-1-sku_code": "NO-SUCH-SKU",
            "line-1-quantity": "3",
            "line-4-sku_code": "SF-MANGO-200",
            "line-4-quantity": "5",
            "line-4-expiry_date": EXPIRY.isoformat(),
            "csrf_token": token,
        },
    )
    assert refused.status_code == 422
    errors = field_errors(refused)
    assert errors == {
        "line-1-sku_code": "ไม่มี SKU NO-SUCH-SKU ในแคตตาล็อกของคุณ",
        "line-4-lot_number": "SKU SF-MANGO-200 ติดตามตามล็อต: กรอกหมายเลขล็อต",
    }, errors

    nothing = client.post("/consignments/new", data={**header_form(kul1), "csrf_token": token})
    assert nothing.status_code == 422
    assert "lines" in field_errors(nothing)
    assert len(my_consignments(api)) == before


def test_csv_upload_reports_bad_rows_one_by_one_and_creates_nothing(web_app):
    client = english(web_app.test_client())
    log_in(client, SIAMFRUIT)
    api = api_for(client, SIAMFRUIT)
    switched = client.post(
        "/language",
        data={
            "locale": "en",
            "next": "/consignments/new",
            "csrf_token": csrf_token(client.get("/consignments/new")),
        },
        follow_redirects=True,
    )
    token = csrf_token(switched)
    kul1 = fc_ids(api)["KUL1"]
    before = len(my_consignments(api))

    def upload(csv: str, **form: str) -> TestResponse:
        data = {
            **header_form(kul1),
            **form,
            "csrf_token": token,
            "asn_file": (io.BytesIO(csv.encode()), "asn.csv"),
        }
        return client.post("/consignments/new", data=data, content_type="multipart/form-data")

    expiry = EXPIRY.isoformat()
    # Rows 3 and 4 are bad cells: both reported, row by row (row 1 is the header).
    bad_cells = upload(
        "sku_code,quantity,lot_number,expiry_date\n"
        f"SF-MANGO-200,10,LC01,{expiry}\n"
        f"SF-TAMARIND-250,ten,LC02,{expiry}\n"
        "SF-BANANA-150,5,LC03,31.12.2027\n"
    )
    assert bad_cells.status_code == 422
    rows = all_rows(bad_cells, "csv-row")
    assert [(row.cells[0], row.cells[1], row.cells[2]) for row in rows] == [
        ("3", "quantity", "A whole number."),
        ("4", "expiry_date", "A date as YYYY-MM-DD."),
    ]
    assert "2 problems in the file; nothing was saved." in bad_cells.get_data(as_text=True)

    # Every cell reads well, but the catalogue refuses row 3 (and row 4 lacks its lot).
    bad_rows = upload(
        "sku_code,quantity,lot_number,expiry_date\n"
        f"SF-MANGO-200,10,LC01,{expiry}\n"
        f"CB-THAITEA-400,4,LC02,{expiry}\n"
        f"SF-BANANA-150,5,,{expiry}\n"
    )
    assert bad_rows.status_code == 422
    rows = all_rows(bad_rows, "csv-row")
    assert [(row.cells[0], row.cells[1]) for row in rows] == [
        ("3", "sku_code"),
        ("4", "lot_number"),
    ]
    assert rows[0].cells[2] == "There is no SKU CB-THAITEA-400 in your catalogue."

    # Typed lines and a file at once, a file that is not UTF-8, a header that is wrong.
    both = upload(
        "sku_code,quantity\nSF-MANGO-200,1\n",
        **{"line-1-sku_code": "SF-MANGO-200", "line-1-quantity": "1"},
    )
    assert both.status_code == 422 and "asn_file" in field_errors(both)
    latin = client.post(
        "/consignments/new",
        content_type="multipart/form-data",
        data={
            **header_form(kul1),
            "csrf_token": token,
            "asn_file": (
                io.BytesIO("sku_code,quantity\nSF-MANGO-200,1\n".encode("utf-16")),
                "a.csv",
            ),
        },
    )
    assert latin.status_code == 422
    assert field_errors(latin)["asn_file"] == "Save the file as CSV in UTF-8 and upload it again."
    huge_cell = upload("sku_code,quantity\n" + "A" * 200_000 + ",1\n")
    assert huge_cell.status_code == 422
    assert field_errors(huge_cell)["asn_file"] == "The file could not be read as CSV."
    wrong_header = upload("sku,qty\nSF-MANGO-200,1\n")
    assert wrong_header.status_code == 422
    assert "missing: sku_code, quantity" in field_errors(wrong_header)["asn_file"]
    assert len(my_consignments(api)) == before

    # A good file: rows of one SSCC make one carton.
    sscc = with_check_digit("08851234" + "000000777")
    good = upload(
        "sku_code,quantity,lot_number,expiry_date,sscc,carton_gross_weight_g\n"
        f"SF-MANGO-200,10,LC01,{expiry},{sscc},6000\n"
        f"SF-MANGO-200,2,LC01,{expiry},{sscc},\n"
        f"SF-TAMARIND-250,4,LC02,{expiry},{sscc},\n"
    )
    assert good.status_code == 302, [r.cells for r in all_rows(good, "csv-row")]
    page = client.get(good.headers["Location"])
    assert table_rows(page, "sku")["SF-MANGO-200"].figures["expected"] == "12"
    assert list(table_rows(page, "sscc")) == [sscc]
    assert len(my_consignments(api)) == before + 1
    template = client.get("/consignments/asn-template.csv")
    assert template.mimetype == "text/csv"
    assert template.get_data(as_text=True).startswith("sku_code,quantity,lot_number")


def test_another_merchants_consignment_is_not_found(web_app):
    admin = api_for(web_app.test_client(), ADMIN)
    mine = api_for(web_app.test_client(), SIAMFRUIT).get("/auth/me").get_json()["merchant_id"]
    everyone = admin.items("/consignments")
    chaba = next(
        c for c in everyone if c["merchant_id"] != mine and c["fc_id"] == everyone[0]["fc_id"]
    )
    cgk1 = next(c for c in everyone if c["reference"].startswith("CN-CGK1"))

    merchant = web_app.test_client()
    log_in(merchant, SIAMFRUIT)
    for path in (f"/consignments/{chaba['id']}", "/consignments/999999"):
        refused = merchant.get(path)
        assert refused.status_code == 404, path
        assert chaba["reference"] not in refused.get_data(as_text=True)
    token = csrf_token(merchant.get("/consignments"))
    cancel = merchant.post(
        f"/consignments/{chaba['id']}/status", data={"status": "cancelled", "csrf_token": token}
    )
    assert cancel.status_code == 404
    assert admin.get(f"/consignments/{chaba['id']}").get_json()["status"] != "cancelled"
    listed = merchant.get("/consignments").get_data(as_text=True)
    assert chaba["reference"] not in listed and cgk1["reference"] not in listed

    manager = english(web_app.test_client())
    log_in(manager, MANAGER_KUL1)
    assert manager.get(f"/consignments/{cgk1['id']}").status_code == 404
    assert manager.get(f"/fcs/{cgk1['fc_id']}/arrivals").status_code == 404
    assert manager.get("/consignments/new").status_code == 403
    assert merchant.get(f"/fcs/{cgk1['fc_id']}/discrepancies").status_code == 403


def test_merchant_cancels_a_draft_but_cannot_record_the_arrival(web_app):
    client = web_app.test_client()
    log_in(client, SIAMFRUIT)
    api = api_for(client, SIAMFRUIT)
    draft = announce(
        api,
        fc_ids(api)["KUL1"],
        [
            {
                "sku_code": "SF-MANGO-200",
                "quantity": 5,
                "lot_number": "LQ1",
                "expiry_date": EXPIRY.isoformat(),
            }
        ],
    )
    page = client.get(f"/consignments/{draft['id']}")
    text = page.get_data(as_text=True)
    buttons = re.findall(r'<button type="submit" name="status" value="(\w+)"', text)
    assert buttons == ["submitted", "cancelled"]

    refused = client.post(
        f"/consignments/{draft['id']}/status",
        data={"status": "arrived", "csrf_token": csrf_token(page)},
    )
    assert refused.status_code == 403
    assert field_errors(refused)["status"] == "คุณไม่สามารถตั้งสถานะ มาถึงแล้ว ได้"
    nonsense = client.post(
        f"/consignments/{draft['id']}/status",
        data={"status": "lost", "csrf_token": csrf_token(page)},
    )
    assert nonsense.status_code == 422
    cancelled = client.post(
        f"/consignments/{draft['id']}/status",
        data={"status": "cancelled", "csrf_token": csrf_token(page)},
        follow_redirects=True,
    )
    assert cancelled.status_code == 200
    assert 'data-status="cancelled"' in cancelled.get_data(as_text=True)
    assert "status-form" not in cancelled.get_data(as_text=True)  # nothing follows a cancel
    again = client.post(
        f"/consignments/{draft['id']}/status",
        data={"status": "submitted", "csrf_token": csrf_token(page)},
    )
    assert again.status_code == 409
    assert api.get(f"/consignments/{draft['id']}").get_json()["status"] == "cancelled"


def test_consignment_page_shows_expected_against_received_and_the_discrepancies(web_app):
    client = web_app.test_client()
    cid = received_with_discrepancies(client)
    log_in(client, SIAMFRUIT)
    page = client.get(f"/consignments/{cid}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert re.findall(r'<li data-status="(\w+)"', text) == [
        "draft",
        "submitted",
        "in_transit",
        "at_customs",
        "arrived",
        "receiving",
        "received",
    ]
    assert 'data-status="received">รับเข้าแล้ว</span>' in text
    lines = table_rows(page, "sku")
    mango, tamarind = lines["SF-MANGO-200"], lines["SF-TAMARIND-250"]
    assert mango.figures == {
        "expected": "10",
        "received_good": "8",
        "received_damaged": "1",
        "difference": "-1 ขาด",
    }
    assert mango.attrs["class"] == "diff-short"
    assert tamarind.figures["difference"] == "+1 เกิน" and tamarind.attrs["class"] == "diff-over"
    kinds = sorted(row.attrs["data-kind"] for row in all_rows(page, "discrepancy"))
    assert kinds == ["damaged", "over", "short"]
    assert "status-form" not in text  # the merchant has nothing to do at this stage


# --- the manager's pages -----------------------------------------------------------------------


def test_arrivals_are_grouped_by_day_with_late_ones_flagged_today(web_app):
    client = english(web_app.test_client())
    home = log_in(client, MANAGER_KUL1)
    assert "Inbound" in home.get_data(as_text=True)
    api = api_for(client, MANAGER_KUL1)
    kul1 = fc_ids(api)["KUL1"]
    inbound = {
        c["reference"]: c
        for c in api.items("/consignments", fc_id=kul1)
        if c["status"] in ("submitted", "in_transit", "at_customs", "held", "arrived")
    }
    late = next(c for c in inbound.values() if c["status"] == "in_transit")
    today = date.fromisoformat(api.get("/consignments/arrivals", fc_id=kul1).get_json()[0]["date"])
    moved = api.patch(
        f"/consignments/{late['id']}", {"eta": (today - timedelta(days=3)).isoformat()}
    )
    assert moved.status_code == 200, moved.get_json()

    assert client.get("/fcs/inbound").headers["Location"] == f"/fcs/{kul1}/arrivals"
    page = client.get(f"/fcs/{kul1}/arrivals")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    days = re.findall(r'<section class="dock-day[^"]*"[^>]*data-day="([-\d]+)"', text)
    assert days == [(today + timedelta(days=n)).isoformat() for n in range(7)]
    shown = table_rows(page, "consignment")
    assert set(shown) == {
        ref
        for ref, c in inbound.items()
        if date.fromisoformat(c["eta"]) <= today + timedelta(days=6)
    } | {late["reference"]}
    assert shown[late["reference"]].attrs["class"] == "late"
    assert "Overdue by 3 days" in shown[late["reference"]].cells[4]
    today_section = text.split(f'data-day="{today.isoformat()}"')[1].split("<section")[0]
    assert late["reference"] in today_section
    for ref, row in shown.items():
        if ref != late["reference"]:
            assert "late" not in str(row.attrs.get("class"))
    wider = client.get(f"/fcs/{kul1}/arrivals?days=14")
    assert len(re.findall(r'data-day="', wider.get_data(as_text=True))) == 14
    assert client.get(f"/fcs/{kul1}/arrivals?days=abc").status_code == 200


def test_receipts_in_progress_show_counted_against_expected(web_app):
    client = english(web_app.test_client())
    cid, skus = arrived(client, [("SF-MANGO-200", 10, "LR01"), ("SF-TAMARIND-250", 6, "LR02")])
    staff = api_for(client, STAFF_KUL1)
    rid = staff.post("/receipts", {"consignment_id": cid}, key=new_key()).get_json()["id"]
    count(staff, rid, skus["SF-MANGO-200"], "LR01", 4)
    count(staff, rid, skus["SF-MANGO-200"], "LR01", 1, damaged=True)

    log_in(client, MANAGER_KUL1)
    kul1 = fc_ids(staff)["KUL1"]
    page = client.get(f"/fcs/{kul1}/receipts")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    section = text.split(f'data-receipt="{rid}"')[1].split("</section>")[0]
    assert "5 of 16 units counted" in section
    assert "SIAMFRUIT" in section or "Siam Fruit" in section
    rows = {row.attrs["data-sku"]: row.figures for row in all_rows(page, "sku")}
    assert rows["SF-MANGO-200"] == {
        "expected": "10",
        "good": "4",
        "damaged": "1",
        "counted": "5",
        "remaining": "5",
    }
    assert rows["SF-TAMARIND-250"]["counted"] == "0"


def test_manager_resolves_discrepancies_in_the_queue_and_then_closes(web_app):
    client = english(web_app.test_client())
    cid = received_with_discrepancies(client)
    log_in(client, MANAGER_KUL1)
    kul1 = fc_ids(api_for(client, MANAGER_KUL1))["KUL1"]
    queue = client.get(f"/fcs/{kul1}/discrepancies")
    assert queue.status_code == 200
    rows = all_rows(queue, "discrepancy")
    assert sorted(row.attrs["data-kind"] for row in rows) == ["damaged", "over", "short"]
    short = next(row.attrs["data-discrepancy"] for row in rows if row.attrs["data-kind"] == "short")
    token = csrf_token(queue)

    # Closing with open discrepancies is refused on the consignment page, with the reason.
    detail = client.get(f"/consignments/{cid}")
    assert re.findall(r'name="status" value="(\w+)"', detail.get_data(as_text=True)) == ["closed"]
    early = client.post(
        f"/consignments/{cid}/status", data={"status": "closed", "csrf_token": token}
    )
    assert early.status_code == 409
    assert (
        field_errors(early)["status"]
        == "Resolve the consignment's discrepancies before closing it."
    )

    resolve = f"/fcs/{kul1}/discrepancies/{short}/resolve"
    unchosen = client.post(resolve, data={"resolution": "", "note": "x", "csrf_token": token})
    assert unchosen.status_code == 422
    assert field_errors(unchosen) == {f"resolution-{short}": "Choose one of the options."}
    assert 'value="x"' in unchosen.get_data(as_text=True)  # the note typed is kept
    too_long = client.post(
        resolve, data={"resolution": "accepted", "note": "n" * 1001, "csrf_token": token}
    )
    assert too_long.status_code == 422
    assert field_errors(too_long) == {f"note-{short}": "At most 1000 characters."}

    done = client.post(
        resolve,
        data={"resolution": "claim_raised", "note": "Carrier claim KCB-77", "csrf_token": token},
    )
    assert done.status_code == 302
    assert done.headers["Location"] == f"/fcs/{kul1}/discrepancies"
    after = client.get(done.headers["Location"])
    assert "Short of SF-MANGO-200 on CN-KUL1-" in after.get_data(as_text=True)
    assert len(all_rows(after, "discrepancy")) == 2
    twice = client.post(resolve, data={"resolution": "accepted", "csrf_token": token})
    assert twice.status_code == 409
    assert "Already resolved." in twice.get_data(as_text=True)
    everything = client.get(f"/fcs/{kul1}/discrepancies?show=all")
    resolved = table_rows(everything, "discrepancy")[short]
    assert "Claim raised · Carrier claim KCB-77" in resolved.cells[-1]

    for row in all_rows(after, "discrepancy"):
        answer = client.post(
            f"/fcs/{kul1}/discrepancies/{row.attrs['data-discrepancy']}/resolve",
            data={"resolution": "accepted", "csrf_token": token},
        )
        assert answer.status_code == 302
    closed = client.post(
        f"/consignments/{cid}/status",
        data={"status": "closed", "csrf_token": token},
        follow_redirects=True,
    )
    assert 'data-status="closed"' in closed.get_data(as_text=True)
    assert "The consignment is now Closed." in closed.get_data(as_text=True)

    # Staff see the queue but do not resolve; a merchant's view of the same is their own.
    staff = english(web_app.test_client())
    log_in(staff, STAFF_KUL1)
    assert staff.get(f"/fcs/{kul1}/discrepancies?show=all").status_code == 200
    assert "resolve-form" not in staff.get(f"/fcs/{kul1}/discrepancies").get_data(as_text=True)
    staff_token = csrf_token(staff.get(f"/fcs/{kul1}/discrepancies"))
    assert (
        staff.post(resolve, data={"resolution": "accepted", "csrf_token": staff_token}).status_code
        == 403
    )


def test_manager_sets_held_and_arrived_from_the_consignment_page(web_app):
    client = english(web_app.test_client())
    log_in(client, MANAGER_KUL1)
    api = api_for(client, MANAGER_KUL1)
    at_customs = next(c for c in api.items("/consignments") if c["status"] == "at_customs")
    page = client.get(f"/consignments/{at_customs['id']}")
    buttons = re.findall(r'name="status" value="(\w+)"', page.get_data(as_text=True))
    assert buttons == ["held", "arrived", "cancelled"]
    held = client.post(
        f"/consignments/{at_customs['id']}/status",
        follow_redirects=True,
        data={"status": "held", "status_note": "Permit check", "csrf_token": csrf_token(page)},
    )
    text = held.get_data(as_text=True)
    assert 'data-status="held"' in text and "Permit check" in text and "Aisyah Rahman" in text
    arrived_page = client.post(
        f"/consignments/{at_customs['id']}/status",
        follow_redirects=True,
        data={"status": "arrived", "csrf_token": csrf_token(page)},
    )
    assert re.findall(r'<li data-status="(\w+)"', arrived_page.get_data(as_text=True))[-2:] == [
        "held",
        "arrived",
    ]
    assert api.get(f"/consignments/{at_customs['id']}").get_json()["status"] == "arrived"


def test_merchant_sees_available_stock_per_fc(web_app):
    client = web_app.test_client()
    log_in(client, CHABATEA)
    api = api_for(client, CHABATEA)
    page = client.get("/stock/by-fc")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<h1>สต็อกตาม FC</h1>" in text
    balances = api.items("/stock")
    fcs = {fc["id"]: fc["code"] for fc in api.get("/fcs").get_json()}
    for fc_id, code in fcs.items():
        section = (
            text.split(f'data-fc="{code}"')[1].split("</section>")[0]
            if (f'data-fc="{code}"' in text)
            else ""
        )
        mine = [b for b in balances if b["fc_id"] == fc_id]
        if not mine:
            assert not section
            continue
        for sku in {b["sku_code"] for b in mine}:
            of_sku = [b for b in mine if b["sku_code"] == sku]
            row = re.search(rf'<tr data-sku="{re.escape(sku)}">(.*?)</tr>', section, re.S).group(1)
            figures = dict(re.findall(r'data-figure="(\w+)">([^<]*)<', row))
            held = sum(
                b["on_hand"]
                for b in of_sku
                if "-QUA-" in b["location_code"] or "-RCV-" in b["location_code"]
            )
            on_hand = sum(b["on_hand"] for b in of_sku)
            reserved = sum(b["reserved"] for b in of_sku)
            assert {k: number(v) for k, v in figures.items()} == {
                "on_hand": on_hand,
                "reserved": reserved,
                "held": held,
                "available": on_hand - reserved - held,
            }
    assert "SF-MANGO-200" not in text


def test_manager_proposes_reviews_and_releases_or_discards_a_reslotting_plan(web_app):
    client = english(web_app.test_client())
    log_in(client, MANAGER_KUL1)
    api = api_for(client, MANAGER_KUL1)
    fcs = fc_ids(api_for(client, ADMIN))
    kul1 = fcs["KUL1"]
    form = client.get(f"/fcs/{kul1}/slotting")
    assert form.status_code == 200
    token = csrf_token(form)

    bad = client.post(
        f"/fcs/{kul1}/slotting",
        data={"time_limit_s": "soon", "max_moves": "0", "csrf_token": token},
    )
    assert bad.status_code == 422
    assert field_errors(bad) == {
        "time_limit_s": "From 0.5 to 120 seconds.",
        "max_moves": "From 1 to 10000.",
    }

    proposed = client.post(
        f"/fcs/{kul1}/slotting", data={"time_limit_s": "1", "max_moves": "25", "csrf_token": token}
    )
    assert proposed.status_code == 302, field_errors(proposed)
    plan_path = proposed.headers["Location"]
    plan_id = int(plan_path.rsplit("/", 1)[1])
    plan = api.get(f"/slotting-plans/{plan_id}").get_json()
    page = client.get(plan_path)
    text = page.get_data(as_text=True)
    assert 'data-status="proposed"' in text
    assert re.search(r'data-figure="moves">(\d+)<', text).group(1) == str(len(plan["moves"]))
    assert len(plan["moves"]) <= 25
    assert {row.attrs["data-sku"] for row in all_rows(page, "sku")} == {
        move["sku_code"] for move in plan["moves"]
    }
    assert f"{plan['current_walking_m']:,.1f}" in text

    released = client.post(
        f"{plan_path}/release", data={"csrf_token": token}, follow_redirects=True
    )
    assert released.status_code == 200
    assert "The plan is released" in released.get_data(as_text=True)
    assert api.get(f"/slotting-plans/{plan_id}").get_json()["status"] == "released"
    again = client.post(f"{plan_path}/discard", data={"csrf_token": token})
    assert again.status_code == 409 and "This plan is already Released." in again.get_data(
        as_text=True
    )

    second = client.post(f"/fcs/{kul1}/slotting", data={"time_limit_s": "0.5", "csrf_token": token})
    discarded = client.post(
        f"{second.headers['Location']}/discard", data={"csrf_token": token}, follow_redirects=True
    )
    assert 'data-status="discarded"' in discarded.get_data(as_text=True)

    # The plan is seen under its own FC only; staff and merchants do not re-slot.
    admin = english(web_app.test_client())
    log_in(admin, ADMIN)
    assert admin.get(f"/fcs/{fcs['CGK1']}/slotting/{plan_id}").status_code == 404
    staff = web_app.test_client()
    log_in(staff, STAFF_KUL1)
    assert staff.get(f"/fcs/{kul1}/slotting").status_code == 403
    assert client.post(f"/fcs/{kul1}/slotting", data={"time_limit_s": "1"}).status_code == 400
