"""The printer pages and the order page's waybills through Flask's test client: managers add
and edit printers, failed print jobs are sent again, waybills are uploaded, downloaded byte
for byte and printed on a printer of the FC, and bad input is refused naming the field."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from reportlab.pdfgen.canvas import Canvas

from tests import outbound
from tests.api import CHABATEA, MANAGER_CGK1, MANAGER_KUL1, SIAMFRUIT, STAFF_KUL1
from tests.conftest import settings_for
from tests.fake_printers import FakeIppPrinter, FakeRawPrinter, closed_port
from tests.integration.test_outbound_pages import field_errors, h1_text, hidden_fields, submit
from tests.integration.test_web_pages import log_in, switch_language, table_rows
from wms.app import create_app
from wms.bootstrap import EXTENSION
from wms.db.unit_of_work import UnitOfWork
from wms.services import printing, waybills


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
def kul1(uow: UnitOfWork) -> int:
    with uow:
        from wms.db.models import FulfillmentCenter

        fc = uow.session.query(FulfillmentCenter).filter_by(code="KUL1").one()
        return fc.id


def text_of(row: Any) -> str:
    """A table row's text, cell after cell."""
    return " ".join(row.cells)


def user(web_app: Flask, email: str) -> FlaskClient:
    client = web_app.test_client()
    assert log_in(client, email).status_code == 200
    return client


def waybill_pdf(text: str = "NINJA VAN NVMY0000000042") -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(283, 425))
    canvas.drawString(20, 380, text)
    canvas.rect(20, 100, 240, 120, fill=1)
    canvas.save()
    return buffer.getvalue()


def printer_form(**fields: str) -> dict[str, str]:
    return {
        "name": "Zebra dock",
        "workstation": "RECV-DOCK",
        "protocol": "raw",
        "address": "127.0.0.1",
        "port": "9100",
        "dpi": "203",
        "media": "100x150",
        **fields,
    }


# --- printers ---------------------------------------------------------------------------------


def test_a_manager_adds_and_edits_a_printer_from_the_fc_pages(web_app, kul1):
    client = user(web_app, MANAGER_KUL1)
    orders_page = client.get(f"/fcs/{kul1}/orders")
    assert f'href="/fcs/{kul1}/printers"' in orders_page.get_data(as_text=True)
    page = client.get(f"/fcs/{kul1}/printers")
    assert page.status_code == 200 and h1_text(page) == "Printers at KUL1"
    rows = table_rows(page, "workstation")
    assert {"PACK-1", "OFFICE"} <= set(rows)
    assert "127.0.0.1:9100" in text_of(rows["PACK-1"])

    added = submit(client, page, f"/fcs/{kul1}/printers", **printer_form())
    assert added.status_code == 302
    page = client.get(added.headers["Location"])
    assert "Printer Zebra dock is set up." in page.get_data(as_text=True)
    row = table_rows(page, "workstation")["RECV-DOCK"]
    assert "Zebra dock" in text_of(row) and "100x150" in text_of(row)
    printer_id = row.attrs["data-printer"]

    # Edit: the form comes filled in; the manager moves it to IPP and takes it out of use.
    editing = client.get(f"/fcs/{kul1}/printers?edit={printer_id}")
    text = editing.get_data(as_text=True)
    assert "Edit printer Zebra dock" in text and 'value="RECV-DOCK"' in text
    saved = submit(
        client,
        editing,
        f"/printers/{printer_id}",
        **printer_form(protocol="ipp", address="ipp://10.0.0.9/ipp/print", inactive="on"),
    )
    assert saved.status_code == 302
    row = table_rows(client.get(f"/fcs/{kul1}/printers"), "printer")[printer_id]
    assert "ipp://10.0.0.9/ipp/print" in text_of(row) and "Not in use" in text_of(row)


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"address": "ipp://10.0.0.1/ipp/print"}, "address", "host name or IP"),
        ({"protocol": "ipp", "address": "10.0.0.1"}, "address", "URI"),
        ({"port": "70000"}, "port", "From 1 to 65535."),
        ({"name": ""}, "name", "Required."),
        ({"media": "A3"}, "media", "A3"),
        ({"dpi": "250"}, "dpi", "203 or 300"),
        ({"name": "Zebra ZD421 packing"}, "name", "already has a printer"),
    ],
)
def test_a_printer_form_that_cannot_work_is_refused_naming_the_field(
    web_app, kul1, fields, field, reason
):
    client = user(web_app, MANAGER_KUL1)
    page = client.get(f"/fcs/{kul1}/printers")
    before = set(table_rows(page, "printer"))
    refused = submit(client, page, f"/fcs/{kul1}/printers", **printer_form(**fields))
    assert refused.status_code in (400, 409)
    assert reason in field_errors(refused)[field], field_errors(refused)
    assert set(table_rows(client.get(f"/fcs/{kul1}/printers"), "printer")) == before


def test_staff_see_printers_but_only_managers_change_them(web_app, kul1):
    staff = user(web_app, STAFF_KUL1)
    page = staff.get(f"/fcs/{kul1}/printers")
    assert page.status_code == 200 and "PACK-1" in table_rows(page, "workstation")
    assert 'id="printer-form"' not in page.get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert token is not None
    refused = staff.post(
        f"/fcs/{kul1}/printers", data={**printer_form(), "csrf_token": token.group(1)}
    )
    assert refused.status_code == 403
    assert user(web_app, MANAGER_CGK1).get(f"/fcs/{kul1}/printers").status_code == 404
    assert user(web_app, SIAMFRUIT).get(f"/fcs/{kul1}/printers").status_code == 403


def test_a_failed_job_is_listed_and_sent_again_from_the_page(web_app, kul1, uow):
    client = user(web_app, MANAGER_KUL1)
    manager = outbound.actor(uow, MANAGER_KUL1)
    down = printing.create_printer(
        uow, manager, kul1, printing.PrinterDetails(**_details(closed_port()))
    )
    with pytest.raises(printing.PrintFailed):
        printing.print_pdf(uow, manager, down["id"], waybill_pdf(), reference="test page")
    page = client.get(f"/fcs/{kul1}/printers")
    (job_id,) = [key for key, row in table_rows(page, "job").items() if "test page" in text_of(row)]
    row = table_rows(page, "job")[job_id]
    assert row.attrs["data-status"] == "failed" and "connection refused" in text_of(row)

    # Still down: the page says which printer and why, with a 502.
    again = submit(client, page, f"/print-jobs/{job_id}/retry")
    assert again.status_code == 502
    assert "Zebra bench" in again.get_data(as_text=True)
    with FakeRawPrinter() as zebra:
        printing.update_printer(uow, manager, down["id"], {"port": zebra.port})
        page = client.get(f"/fcs/{kul1}/printers")
        sent = submit(client, page, f"/print-jobs/{job_id}/retry")
        assert sent.status_code == 302
        assert len(zebra.wait_for_jobs(1)) == 1
    page = client.get(sent.headers["Location"])
    assert table_rows(page, "job")[job_id].attrs["data-status"] == "sent"
    assert f"Print job {job_id} is sent to Zebra bench" in page.get_data(as_text=True)


def _details(port: int) -> dict[str, Any]:
    return {
        "name": "Zebra bench",
        "workstation": "PACK-2",
        "protocol": "raw",
        "address": "127.0.0.1",
        "port": port,
    }


# --- waybills on the order page ---------------------------------------------------------------


def _upload(client: FlaskClient, order_id: int, pdf: bytes | None, **fields: str):
    page = client.get(f"/orders/{order_id}")
    data: dict[str, Any] = {
        **hidden_fields(page, f"/orders/{order_id}/waybills"),
        "source": "NINJA",
        "tracking_number": "NVMY0000000042",
        **fields,
    }
    if pdf is not None:
        data["document"] = (io.BytesIO(pdf), "waybill.pdf")
    return client.post(
        f"/orders/{order_id}/waybills", data=data, content_type="multipart/form-data"
    )


def test_a_manager_uploads_downloads_and_prints_a_waybill_from_the_order_page(web_app, kul1, uow):
    client = user(web_app, MANAGER_KUL1)
    order = outbound.place_order(
        uow, outbound.actor(uow, SIAMFRUIT), {"SF-MANGO-200": 1}, carrier_code="NINJA"
    )
    page = client.get(f"/orders/{order['id']}")
    assert "No waybill has been received for this order." in page.get_data(as_text=True)
    pdf = waybill_pdf()
    stored = _upload(client, order["id"], pdf)
    assert stored.status_code == 302
    page = client.get(f"/orders/{order['id']}")
    assert "Waybill NVMY0000000042 is stored." in page.get_data(as_text=True)
    (waybill_id, row) = next(iter(table_rows(page, "waybill").items()))
    assert "NVMY0000000042" in text_of(row) and "NINJA" in text_of(row)

    download = client.get(f"/waybills/{waybill_id}/document.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data == pdf

    # The same file again is the same waybill.
    again = _upload(client, order["id"], pdf)
    assert "This waybill was stored already." in client.get(again.headers["Location"]).get_data(
        as_text=True
    )

    with FakeIppPrinter() as laser, FakeRawPrinter() as zebra:
        manager = outbound.actor(uow, MANAGER_KUL1)
        ipp = printing.create_printer(
            uow,
            manager,
            kul1,
            printing.PrinterDetails("Laser", "PACK-3", "ipp", laser.uri),
        )
        raw = printing.create_printer(
            uow,
            manager,
            kul1,
            printing.PrinterDetails("Zebra", "PACK-3", "raw", "127.0.0.1", zebra.port),
        )
        page = client.get(f"/orders/{order['id']}")
        printed = submit(client, page, f"/waybills/{waybill_id}/print", printer_id=str(ipp["id"]))
        assert printed.status_code == 302
        assert laser.jobs[0].document == pdf
        page = client.get(printed.headers["Location"])
        assert "Waybill NVMY0000000042 is sent to Laser." in page.get_data(as_text=True)
        printed = submit(client, page, f"/waybills/{waybill_id}/print", printer_id=str(raw["id"]))
        assert printed.status_code == 302
        (zpl,) = zebra.wait_for_jobs(1)
        assert zpl.startswith(b"^XA") and b"^GF" in zpl


@pytest.mark.parametrize(
    ("pdf", "fields", "reason"),
    [
        (b"GIF89a not a pdf", {}, "Not a PDF"),
        (b"%PDF-1.4 but broken", {}, "Not a readable PDF"),
        (b"", {}, "PDF file"),
        (None, {}, "Choose the waybill"),
        (waybill_pdf(), {"tracking_number": "no spaces allowed"}, "Tracking number"),
    ],
)
def test_a_bad_waybill_upload_is_refused_and_nothing_is_stored(
    web_app, kul1, uow, pdf, fields, reason
):
    client = user(web_app, MANAGER_KUL1)
    order = outbound.place_order(uow, outbound.actor(uow, SIAMFRUIT), {"SF-MANGO-200": 1})
    refused = _upload(client, order["id"], pdf, **fields)
    assert refused.status_code == 400
    assert reason in refused.get_data(as_text=True)
    assert waybills.list_waybills(uow, outbound.actor(uow, MANAGER_KUL1), order["id"]) == []


def test_merchants_see_their_own_waybills_only_and_staff_cannot_upload(web_app, kul1, uow):
    order = outbound.place_order(uow, outbound.actor(uow, SIAMFRUIT), {"SF-MANGO-200": 1})
    stored, _replayed = waybills.store_waybill(
        uow,
        outbound.actor(uow, MANAGER_KUL1),
        order["id"],
        source="shopee",
        tracking_number="SPXMY0001",
        pdf=waybill_pdf(),
    )
    merchant = user(web_app, SIAMFRUIT)
    page = merchant.get(f"/orders/{order['id']}")
    text = page.get_data(as_text=True)
    assert "SPXMY0001" in text and 'id="waybill-form"' not in text and "print-form" not in text
    assert merchant.get(f"/waybills/{stored['id']}/document.pdf").status_code == 200
    other = user(web_app, CHABATEA)
    assert other.get(f"/waybills/{stored['id']}/document.pdf").status_code == 404
    staff = user(web_app, STAFF_KUL1)
    staff_page = staff.get(f"/orders/{order['id']}").get_data(as_text=True)
    assert "print-form" in staff_page and 'id="waybill-form"' not in staff_page


def test_the_printer_and_waybill_pages_render_in_thai(web_app, kul1, uow):
    client = user(web_app, MANAGER_KUL1)
    order = outbound.place_order(uow, outbound.actor(uow, SIAMFRUIT), {"SF-MANGO-200": 1})
    page = switch_language(client, client.get(f"/fcs/{kul1}/printers"), "th")
    assert page.status_code == 200
    assert "เครื่องพิมพ์" in page.get_data(as_text=True)
    page = client.get(f"/orders/{order['id']}")
    assert page.status_code == 200 and "ใบนำส่ง" in page.get_data(as_text=True)
