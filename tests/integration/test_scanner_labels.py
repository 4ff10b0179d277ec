"""Label buttons on the scanner pages: the blind carton's new SSCC, the putaway bin and the
packed parcel, downloaded as PDFs and printed on a fake printer of the FC."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient

from tests.api import MANAGER_CGK1, STAFF_KUL1, Api, fc_ids, new_key
from tests.fake_printers import FakeRawPrinter
from tests.integration.test_scanner_pages import Scanner, error_of
from tests.labels import add_printer, barcodes, packed_parcel, page_count
from wms.db.unit_of_work import UnitOfWork


def test_a_blind_cartons_label_downloads_and_prints_from_the_receive_page(
    client: FlaskClient, uow: UnitOfWork, api_as: Callable[[str], Api]
):
    staff = Scanner(client, STAFF_KUL1)
    fc_id = fc_ids(api_as(STAFF_KUL1))["KUL1"]
    api = api_as(STAFF_KUL1)
    merchant_id = api.get("/merchants").get_json()[0]["id"]
    receipt = api.post(
        "/receipts/blind", {"fc_id": fc_id, "merchant_id": merchant_id}, key=new_key()
    ).get_json()
    with FakeRawPrinter() as zebra:
        printer = add_printer(uow, fc_id, "Dock Zebra", "raw", "127.0.0.1", zebra.port)
        page = staff.page(f"/scan/receive/{receipt['id']}")
        assert 'id="carton-label"' in page and "Dock Zebra" in page
        download = re.search(r'id="carton-label-download" href="([^"]+)"', page)
        assert download
        pdf = client.get(download.group(1))
        assert pdf.status_code == 200 and page_count(pdf.data) == 1
        assert ("]C1", "00" + receipt["current_carton"]) in barcodes(pdf.data)
        url = f"/scan/receive/{receipt['id']}/carton-label/print"
        done = staff.post(url, {"printer_id": printer["id"]}, key=new_key())
        assert done.status_code == 200, done.get_json()
        assert done.get_json()["message"] == "Sent to printer Dock Zebra."
        (sent,) = zebra.wait_for_jobs(1)
        assert receipt["current_carton"].encode() in sent
        assert error_of(staff.post(url, {"printer_id": "x"}, key=new_key()), 422)["field"] == (
            "printer_id"
        )
        other = add_printer(
            uow,
            fc_ids(api_as(MANAGER_CGK1))["CGK1"],
            "CGK",
            "raw",
            "127.0.0.1",
            zebra.port,
            email=MANAGER_CGK1,
        )
        assert (
            error_of(staff.post(url, {"printer_id": other["id"]}, key=new_key()), 404)["field"]
            == "printer_id"
        )


def test_the_packed_parcels_label_downloads_and_prints_from_the_pack_page(
    client: FlaskClient, uow: UnitOfWork
):
    parcel = packed_parcel(uow)
    staff = Scanner(client, STAFF_KUL1, home="/scan/pack")
    with FakeRawPrinter() as zebra:
        printer = add_printer(uow, parcel["fc_id"], "Pack Zebra", "raw", "127.0.0.1", zebra.port)
        page = staff.page(f"/scan/pack/{parcel['id']}")
        assert 'id="parcel-label"' in page and "Pack Zebra" in page
        assert 'data-printer-key="pavilion.printer.pack.' in page
        pdf = client.get(f"/scan/pack/{parcel['id']}/label.pdf")
        assert pdf.status_code == 200
        assert ("]C0", parcel["tracking_number"]) in barcodes(pdf.data)
        done = staff.post(
            f"/scan/pack/{parcel['id']}/label/print", {"printer_id": printer["id"]}, key=new_key()
        )
        assert done.status_code == 200, done.get_json()
        assert parcel["tracking_number"].encode() in zebra.wait_for_jobs(1)[0]
    assert error_of(staff.post("/scan/pack/999999/label/print", {"printer_id": 1}), 404)
