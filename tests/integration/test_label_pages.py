"""The label pages through Flask's test client: a consignment's carton labels, an FC's bin labels
and shelf strips, and the SKU pages with their item labels; downloaded as PDF or ZPL and printed
on fake network printers, with bad input refused naming the field and tenancy kept."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.api import (
    ADMIN,
    CHABATEA,
    MANAGER_CGK1,
    MANAGER_KUL1,
    SIAMFRUIT,
    STAFF_CGK1,
    STAFF_KUL1,
    Api,
    bins,
    fc_ids,
    sku_by_code,
    zone_ids,
)
from tests.conftest import settings_for
from tests.fake_printers import FakeRawPrinter, closed_port
from tests.integration.test_outbound_pages import field_errors, h1_text, submit
from tests.integration.test_web_pages import api_for, log_in, table_rows
from tests.labels import add_printer, page_count
from wms.app import create_app
from wms.bootstrap import EXTENSION
from wms.db.unit_of_work import UnitOfWork

ALERT = re.compile(r'<p class="alert alert-(success|error)" role="status">([^<]*)</p>')


@pytest.fixture
def web_app(demo_database_url: str) -> Iterator[Flask]:
    """The whole app on its own demo database (its work commits), with CSRF protection on."""
    app = create_app(settings_for(demo_database_url))
    yield app
    engine = app.extensions[EXTENSION].engine
    if engine is not None:
        engine.dispose()


@pytest.fixture
def uow(web_app: Flask) -> UnitOfWork:
    return web_app.extensions[EXTENSION].uow()


@pytest.fixture
def admin_api(web_app: Flask) -> Api:
    return api_for(web_app.test_client(), ADMIN)


@pytest.fixture
def fcs(admin_api: Api) -> dict[str, int]:
    return fc_ids(admin_api)


def user(web_app: Flask, email: str) -> FlaskClient:
    client = web_app.test_client()
    assert log_in(client, email).status_code == 200
    return client


def english(web_app: Flask, email: str) -> FlaskClient:
    """A logged-in user whose pages are in English (the demo's merchants read Thai)."""
    client = user(web_app, email)
    page = client.get("/skus")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert token
    client.post("/language", data={"csrf_token": token.group(1), "locale": "en", "next": "/skus"})
    return client


def alerts(page: TestResponse) -> list[tuple[str, str]]:
    """The notices at the top of the page: (success or error, text)."""
    return [
        (kind, html.unescape(text)) for kind, text in ALERT.findall(page.get_data(as_text=True))
    ]


def arrived_consignment(merchant: Api) -> dict[str, Any]:
    """The demo's arrived consignment with announced cartons, bound for KUL1."""
    listed = merchant.items("/consignments")
    found = next(item for item in listed if item["status"] == "arrived")
    body: dict[str, Any] = merchant.get(f"/consignments/{found['id']}").get_json()
    assert len(body["cartons"]) >= 2
    return body


def zpl_labels(response: TestResponse) -> int:
    assert response.status_code == 200
    assert response.mimetype == "application/zpl"
    return response.get_data(as_text=True).count("^XA")


def pdf_pages(response: TestResponse) -> int:
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return page_count(response.data)


# --- the consignment's carton labels ------------------------------------------------------------


def test_a_merchant_downloads_a_consignments_carton_labels_but_cannot_print(web_app):
    merchant = english(web_app, SIAMFRUIT)
    consignment = arrived_consignment(api_for(merchant, SIAMFRUIT))
    cartons = consignment["cartons"]
    path = f"/consignments/{consignment['id']}"
    page = merchant.get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Carton labels" in text and 'id="carton-labels-download"' in text
    assert 'id="carton-labels-print"' not in text  # merchants have no printer at the FC
    assert '<option value="100x150" selected>' in text  # the carton's usual media

    assert pdf_pages(merchant.get(f"{path}/carton-labels?media=A6&dpi=300")) == len(cartons)
    assert zpl_labels(merchant.get(f"{path}/carton-labels?format=zpl")) == len(cartons)
    # Each carton's own label from the cartons table.
    assert "Label (PDF)" in table_rows(page, "sscc")[cartons[0]["sscc"]].cells
    assert f'href="/cartons/{cartons[0]["id"]}/label"' in text
    assert pdf_pages(merchant.get(f"/cartons/{cartons[0]['id']}/label")) == 1

    printed = merchant.post(f"{path}/carton-labels/print", data={"printer_id": "1"})
    assert printed.status_code in (400, 403)  # no CSRF token, and not their role anyway


def test_another_merchant_gets_no_carton_labels(web_app):
    consignment = arrived_consignment(api_for(web_app.test_client(), SIAMFRUIT))
    other = user(web_app, CHABATEA)
    assert other.get(f"/consignments/{consignment['id']}/carton-labels").status_code == 404
    assert other.get(f"/cartons/{consignment['cartons'][0]['id']}/label").status_code == 404


@pytest.mark.parametrize(
    ("query", "field", "reason"),
    [
        ("media=A3", "carton-media", "Choose one of the label sizes"),
        ("format=eps", "carton-format", "Choose PDF or ZPL."),
        ("dpi=600", "carton-dpi", "203 or 300"),
    ],
)
def test_a_bad_carton_label_choice_is_refused_on_the_page(web_app, query, field, reason):
    merchant = english(web_app, SIAMFRUIT)
    consignment = arrived_consignment(api_for(merchant, SIAMFRUIT))
    refused = merchant.get(f"/consignments/{consignment['id']}/carton-labels?{query}")
    assert refused.status_code == 400
    assert refused.mimetype == "text/html"
    assert reason in field_errors(refused)[field]


def test_a_manager_prints_carton_labels_and_sees_the_job_sent(web_app, uow, fcs):
    manager = user(web_app, MANAGER_KUL1)
    consignment = arrived_consignment(api_for(manager, SIAMFRUIT))
    path = f"/consignments/{consignment['id']}"
    with FakeRawPrinter() as device:
        printer = add_printer(uow, fcs["KUL1"], "Dock Zebra", "raw", device.host, device.port)
        page = manager.get(path)
        assert 'id="carton-labels-print"' in page.get_data(as_text=True)
        assert f'<option value="{printer["id"]}"' in page.get_data(as_text=True)
        answer = submit(manager, page, f"{path}/carton-labels/print", printer_id=str(printer["id"]))
        assert answer.status_code == 302
        (job,) = device.wait_for_jobs(1)
    assert job.count(b"^XA") == len(consignment["cartons"])
    shown = manager.get(answer.headers["Location"])
    ((kind, notice),) = alerts(shown)
    assert kind == "success" and re.fullmatch(r"Print job \d+ on Dock Zebra: Sent\.", notice)


def test_a_printer_that_is_down_gives_a_readable_notice_not_an_error(web_app, uow, fcs):
    manager = user(web_app, MANAGER_KUL1)
    consignment = arrived_consignment(api_for(manager, SIAMFRUIT))
    path = f"/consignments/{consignment['id']}"
    printer = add_printer(uow, fcs["KUL1"], "Dead Zebra", "raw", "127.0.0.1", closed_port())
    page = manager.get(path)
    answer = submit(manager, page, f"{path}/carton-labels/print", printer_id=str(printer["id"]))
    assert answer.status_code == 302
    shown = manager.get(answer.headers["Location"])
    assert shown.status_code == 200
    ((kind, notice),) = alerts(shown)
    assert kind == "error"
    assert notice.startswith("Nothing printed: print job ") and "Dead Zebra" in notice
    assert "refused" in notice.lower() or "connect" in notice.lower()


def test_a_printer_of_another_fc_is_refused_naming_the_printer(web_app, uow, fcs):
    manager = user(web_app, MANAGER_KUL1)
    consignment = arrived_consignment(api_for(manager, SIAMFRUIT))
    path = f"/consignments/{consignment['id']}"
    elsewhere = add_printer(
        uow, fcs["CGK1"], "Jakarta Zebra", "raw", "127.0.0.1", 9100, email=MANAGER_CGK1
    )
    page = manager.get(path)
    refused = submit(manager, page, f"{path}/carton-labels/print", printer_id=str(elsewhere["id"]))
    assert refused.status_code == 400
    assert field_errors(refused)["printer_id"] == "No such printer."
    empty = submit(manager, page, f"{path}/carton-labels/print", printer_id="")
    assert empty.status_code == 400 and field_errors(empty)["printer_id"] == "Required."
    # An admin sees every FC's printers, but labels print at the consignment's FC only.
    admin = user(web_app, ADMIN)
    page = admin.get(path)
    refused = submit(admin, page, f"{path}/carton-labels/print", printer_id=str(elsewhere["id"]))
    assert refused.status_code == 400
    assert field_errors(refused)["printer_id"] == "No such printer at this FC."


# --- an FC's bin labels -----------------------------------------------------------------------


def test_the_bin_labels_page_counts_the_bins_of_a_zone_and_downloads_them(web_app, fcs):
    manager = user(web_app, MANAGER_KUL1)
    kul1 = fcs["KUL1"]
    api = api_for(manager, MANAGER_KUL1)
    quarantine = bins(api, kul1, zone_ids(api, kul1)["QUA"])
    orders = manager.get(f"/fcs/{kul1}/orders").get_data(as_text=True)
    assert f'href="/fcs/{kul1}/bin-labels"' in orders  # a tab of the FC's pages

    page = manager.get(f"/fcs/{kul1}/bin-labels")
    assert page.status_code == 200 and h1_text(page) == "Bin labels at KUL1"
    every = int(re.search(r'data-bins="(\d+)"', page.get_data(as_text=True)).group(1))
    assert every > len(quarantine)

    page = manager.get(f"/fcs/{kul1}/bin-labels?zone=QUA")
    assert f'data-bins="{len(quarantine)}"' in page.get_data(as_text=True)
    assert f"{len(quarantine)} bins match." in page.get_data(as_text=True)
    download = f"/fcs/{kul1}/bin-labels/download?zone=QUA"
    assert pdf_pages(manager.get(download)) == len(quarantine)
    assert zpl_labels(manager.get(f"{download}&format=zpl&dpi=300")) == len(quarantine)
    # Listed codes: only those bins, as labels or as shelf strips.
    ambient = bins(api, kul1, zone_ids(api, kul1)["AMB"])
    three = ", ".join(item["code"] for item in ambient[:3])
    page = manager.get(f"/fcs/{kul1}/bin-labels", query_string={"codes": three})
    assert 'data-bins="3"' in page.get_data(as_text=True)
    download = f"/fcs/{kul1}/bin-labels/download"
    assert pdf_pages(manager.get(download, query_string={"codes": three})) == 3
    strips = manager.get(download, query_string={"codes": three, "kind": "strips"})
    assert pdf_pages(strips) == 1 and "shelf-strips" in strips.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("query", "field", "reason"),
    [
        ({"zone": "ZZ"}, "zone", "Choose one of the FC's zones."),
        ({"codes": "KUL1-NOPE-1"}, "codes", "There is no bin KUL1-NOPE-1 at this FC."),
        ({"zone": "QUA", "codes": "KUL1-A-01-01-A"}, "codes", "no bin KUL1-A-01-01-A in zone QUA"),
        ({"zone": "QUA", "media": "A3"}, "media", "Choose one of the label sizes"),
        ({"zone": "QUA", "kind": "poster"}, "kind", "Choose labels or shelf strips."),
    ],
)
def test_a_bad_bin_label_choice_is_refused_on_the_page(web_app, fcs, query, field, reason):
    manager = user(web_app, MANAGER_KUL1)
    refused = manager.get(f"/fcs/{fcs['KUL1']}/bin-labels/download", query_string=query)
    assert refused.status_code == 400
    assert reason in field_errors(refused)[field]


def test_bin_labels_print_on_a_printer_of_the_fc(web_app, uow, fcs):
    staff = user(web_app, STAFF_KUL1)
    kul1 = fcs["KUL1"]
    with FakeRawPrinter() as device:
        printer = add_printer(uow, kul1, "Bin Zebra", "raw", device.host, device.port)
        page = staff.get(f"/fcs/{kul1}/bin-labels?zone=DSP")
        count = int(re.search(r'data-bins="(\d+)"', page.get_data(as_text=True)).group(1))
        answer = submit(staff, page, f"/fcs/{kul1}/bin-labels/print", printer_id=str(printer["id"]))
        assert answer.status_code == 302
        (job,) = device.wait_for_jobs(1)
    assert job.count(b"^XA") == count
    shown = staff.get(answer.headers["Location"])
    assert f'data-bins="{count}"' in shown.get_data(as_text=True)  # the same bins again
    ((kind, notice),) = alerts(shown)
    assert kind == "success" and "Bin Zebra: Sent." in notice


def test_the_bin_labels_page_is_for_the_fcs_own_people(web_app, fcs):
    assert user(web_app, STAFF_CGK1).get(f"/fcs/{fcs['KUL1']}/bin-labels").status_code == 404
    assert user(web_app, SIAMFRUIT).get(f"/fcs/{fcs['KUL1']}/bin-labels").status_code == 403


# --- SKUs -------------------------------------------------------------------------------------


def test_a_merchant_sees_its_own_skus_in_thai_and_searches_them(web_app):
    merchant = user(web_app, SIAMFRUIT)
    page = merchant.get("/skus")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'lang="th"' in text
    assert "ค้นหา" in text and "รหัส ชื่อ หรือ GTIN" in text  # in Thai until they switch
    assert 'href="/skus"' in text  # the main navigation's link
    codes = set(table_rows(page, "sku"))
    assert "SF-MANGO-200" in codes and not any(code.startswith("CB-") for code in codes)
    found = merchant.get("/skus?q=mango")
    assert set(table_rows(found, "sku")) == {"SF-MANGO-200"}
    mango = sku_by_code(api_for(merchant, SIAMFRUIT), "SF-MANGO-200")
    assert set(table_rows(merchant.get(f"/skus?q={mango['gtin']}"), "sku")) == {"SF-MANGO-200"}
    assert merchant.get("/skus?q=" + "x" * 101).status_code == 400


def test_the_sku_page_shows_the_product_and_its_lots_and_downloads_labels(web_app):
    merchant = english(web_app, SIAMFRUIT)
    api = api_for(merchant, SIAMFRUIT)
    mango = sku_by_code(api, "SF-MANGO-200")
    lots = api.get(f"/skus/{mango['id']}/lots").get_json()
    assert lots
    page = merchant.get(f"/skus/{mango['id']}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and mango["gtin"] in text and mango["name_th"] in text
    assert set(table_rows(page, "lot")) == {lot["lot_number"] for lot in lots}
    assert 'id="sku-labels-print"' not in text  # merchants download only

    path = f"/skus/{mango['id']}/labels"
    lot = lots[0]["lot_number"]
    three = merchant.get(path, query_string={"lot": lot, "copies": "3", "media": "100x75"})
    assert pdf_pages(three) == 3
    assert zpl_labels(merchant.get(path, query_string={"format": "zpl"})) == 1


@pytest.mark.parametrize(
    ("query", "field", "reason"),
    [
        ({"copies": "0"}, "copies", "From 1 to 500."),
        ({"copies": "501"}, "copies", "From 1 to 500."),
        ({"copies": "two"}, "copies", "A whole number."),
        ({"media": "A3"}, "media", "Choose one of the label sizes"),
        ({"lot": "NO-SUCH-LOT"}, "lot", "Choose one of the SKU's lots, or none."),
    ],
)
def test_a_bad_sku_label_choice_is_refused_on_the_page(web_app, query, field, reason):
    merchant = english(web_app, SIAMFRUIT)
    mango = sku_by_code(api_for(merchant, SIAMFRUIT), "SF-MANGO-200")
    refused = merchant.get(f"/skus/{mango['id']}/labels", query_string=query)
    assert refused.status_code == 400
    assert reason in field_errors(refused)[field]


def test_a_merchant_cannot_open_another_merchants_sku(web_app):
    tea = sku_by_code(api_for(web_app.test_client(), CHABATEA), "CB-MILKTEA-RTD")
    merchant = user(web_app, SIAMFRUIT)
    assert merchant.get(f"/skus/{tea['id']}").status_code == 404
    assert merchant.get(f"/skus/{tea['id']}/labels").status_code == 404
    assert merchant.get("/skus/99999999").status_code == 404


def test_a_manager_prints_sku_labels_with_a_lot_on_a_printer_of_the_fc(web_app, uow, fcs):
    manager = user(web_app, MANAGER_KUL1)
    everything = set(table_rows(manager.get("/skus"), "sku"))
    assert "SF-MANGO-200" in everything and "CB-MILKTEA-RTD" in everything
    mango = sku_by_code(api_for(manager, SIAMFRUIT), "SF-MANGO-200")
    lot = api_for(manager, SIAMFRUIT).get(f"/skus/{mango['id']}/lots").get_json()[0]
    path = f"/skus/{mango['id']}"
    elsewhere = add_printer(
        uow, fcs["CGK1"], "Jakarta Zebra", "raw", "127.0.0.1", 9100, email=MANAGER_CGK1
    )
    with FakeRawPrinter() as device:
        printer = add_printer(uow, fcs["KUL1"], "Item Zebra", "raw", device.host, device.port)
        page = manager.get(path)
        assert 'id="sku-labels-print"' in page.get_data(as_text=True)
        fields = {"lot": lot["lot_number"], "copies": "2", "printer_id": str(printer["id"])}
        answer = submit(manager, page, f"{path}/labels/print", **fields)
        assert answer.status_code == 302
        (job,) = device.wait_for_jobs(1)
    assert job.count(b"^XA") == 2 and lot["lot_number"].encode() in job
    ((kind, notice),) = alerts(manager.get(answer.headers["Location"]))
    assert kind == "success" and "Item Zebra: Sent." in notice

    page = manager.get(path)
    bad = {"copies": "0", "printer_id": str(printer["id"])}
    refused = submit(manager, page, f"{path}/labels/print", **bad)
    assert refused.status_code == 400 and field_errors(refused)["print-copies"] == "From 1 to 500."
    other = {"copies": "1", "printer_id": str(elsewhere["id"])}
    refused = submit(manager, page, f"{path}/labels/print", **other)
    assert refused.status_code == 400 and field_errors(refused)["printer_id"] == "No such printer."
