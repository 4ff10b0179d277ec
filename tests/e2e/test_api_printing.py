"""Printers, print jobs and waybills through the API, with fake network printers listening on
local ports: what arrives at the printer is what was rendered, a printer that is down gives a
clean error and a failed job that can be sent again, waybills come back byte for byte."""

from __future__ import annotations

import base64
import hashlib
import io
from typing import Any

import pytest
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from labels.content import BinLabel
from labels.raster import pdf_page_count
from tests.api import (
    ADMIN,
    CHABATEA,
    MANAGER_CGK1,
    MANAGER_KUL1,
    SIAMFRUIT,
    STAFF_KUL1,
    Api,
    error_fields,
    fc_ids,
    new_key,
)
from tests.fake_printers import FakeIppPrinter, FakeRawPrinter, closed_port
from tests.outbound import actor, place_order
from wms.db.models import PrintJob, Waybill
from wms.domain.errors import Conflict, NotFound, PermissionDenied
from wms.services import printing


def _printer(api: Api, fc: int, **details: Any) -> dict[str, Any]:
    body = {"name": f"P-{new_key()[-8:]}", "workstation": "PACK-1", **details}
    response = api.post(f"/fcs/{fc}/printers", body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _raw(api: Api, fc: int, port: int, **details: Any) -> dict[str, Any]:
    return _printer(api, fc, protocol="raw", address="127.0.0.1", port=port, **details)


def _ipp(api: Api, fc: int, uri: str, **details: Any) -> dict[str, Any]:
    return _printer(api, fc, protocol="ipp", address=uri, **details)


def _waybill_pdf(tracking: str = "NVMY0012345678", pages: int = 1) -> bytes:
    """A carrier waybill as a carrier would send it: 100 × 150 mm pages."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(100 * mm, 150 * mm))
    for page in range(pages):
        canvas.setFont("Helvetica-Bold", 18)
        canvas.drawString(8 * mm, 135 * mm, "NINJA VAN")
        canvas.drawString(8 * mm, 120 * mm, f"{tracking} ({page + 1}/{pages})")
        canvas.rect(8 * mm, 60 * mm, 84 * mm, 40 * mm, fill=1)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _upload(api: Api, order_id: int, pdf: bytes, **body: Any) -> Any:
    payload = {
        "source": "NINJA",
        "tracking_number": "NVMY0012345678",
        "document": base64.b64encode(pdf).decode(),
        **body,
    }
    return api.post(f"/orders/{order_id}/waybills", payload, key=new_key())


def _stored_document(uow, job_id: int) -> bytes:
    with uow:
        job = uow.session.get(PrintJob, job_id)
        assert job is not None
        return job.document


def _bins() -> list[BinLabel]:
    return [
        BinLabel(code="KUL1-A-01-01-A", check_code="42", zone="AMB", arrow="up"),
        BinLabel(code="KUL1-A-01-02-A", check_code="17", zone="AMB", arrow="down"),
    ]


# --- printers ---------------------------------------------------------------------------------


def test_managers_set_up_printers_and_staff_list_them(api_as):
    manager, staff = api_as(MANAGER_KUL1), api_as(STAFF_KUL1)
    fc = fc_ids(api_as(ADMIN))["KUL1"]
    raw = _raw(manager, fc, 9100, name="Zebra bench 2", workstation="pack-2", dpi=300)
    assert raw["language"] == "zpl" and raw["location"] == "127.0.0.1:9100"
    assert raw["workstation"] == "PACK-2" and raw["dpi"] == 300 and raw["media"] == "4x6"
    ipp = _ipp(manager, fc, "ipp://10.1.2.3/ipp/print", name="Dock laser", media="A4")
    assert ipp["language"] == "pdf" and ipp["port"] == 631
    listed = {p["name"] for p in staff.get(f"/fcs/{fc}/printers").get_json()}
    assert {"Zebra bench 2", "Dock laser", "Zebra ZD421 packing", "Office laser"} <= listed

    # The same name twice at one FC is refused; staff may not set printers up.
    again = manager.post(
        f"/fcs/{fc}/printers",
        {"name": "Zebra bench 2", "workstation": "X", "protocol": "raw", "address": "h"},
    )
    assert again.status_code == 409 and "name" in error_fields(again)
    refused = staff.post(
        f"/fcs/{fc}/printers",
        {"name": "Mine", "workstation": "X", "protocol": "raw", "address": "h"},
    )
    assert refused.status_code == 403

    # Edit and deactivate: an inactive printer drops out of the list unless asked for.
    changed = manager.patch(f"/printers/{raw['id']}", {"port": 9101, "media": "100x150"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["location"] == "127.0.0.1:9101"
    gone = manager.delete(f"/printers/{raw['id']}")
    assert gone.status_code == 200 and gone.get_json()["active"] is False
    assert raw["id"] not in {p["id"] for p in staff.get(f"/fcs/{fc}/printers").get_json()}
    everything = staff.get(f"/fcs/{fc}/printers", include_inactive="true").get_json()
    assert raw["id"] in {p["id"] for p in everything}

    # Another FC's manager and merchants see nothing of it.
    assert api_as(MANAGER_CGK1).get(f"/printers/{raw['id']}").status_code == 404
    assert api_as(MANAGER_CGK1).get(f"/fcs/{fc}/printers").status_code == 404
    assert api_as(SIAMFRUIT).get(f"/fcs/{fc}/printers").status_code == 404


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ({"protocol": "raw", "address": "ipp://10.0.0.1/ipp/print"}, "address"),
        ({"protocol": "raw", "address": "10.0.0.1", "language": "pdf"}, "language"),
        ({"protocol": "ipp", "address": "10.0.0.1"}, "address"),
        ({"protocol": "ipp", "address": "ipp://h/ipp/print", "language": "zpl"}, "language"),
        ({"protocol": "raw", "address": "h", "dpi": 600}, "dpi"),
        ({"protocol": "raw", "address": "h", "media": "A3"}, "media"),
        ({"protocol": "raw", "address": "h", "port": 70000}, "port"),
        ({"protocol": "lpd", "address": "h"}, "protocol"),
        ({"protocol": "raw", "address": "h", "workstation": "   "}, "workstation"),
    ],
)
def test_a_printer_that_cannot_work_is_refused_naming_the_field(api_as, details, field):
    manager = api_as(MANAGER_KUL1)
    fc = fc_ids(manager)["KUL1"]
    before = manager.get(f"/fcs/{fc}/printers", include_inactive="true").get_json()
    body = {"name": "Bad one", "workstation": "PACK-9", **details}
    response = manager.post(f"/fcs/{fc}/printers", body)
    assert response.status_code in (400, 422), response.get_json()
    assert field in error_fields(response), response.get_json()
    assert manager.get(f"/fcs/{fc}/printers", include_inactive="true").get_json() == before


# --- printing labels --------------------------------------------------------------------------


def test_labels_arrive_at_a_raw_zpl_printer_and_an_ipp_pdf_printer_as_rendered(api_as, uow):
    manager = api_as(MANAGER_KUL1)
    fc = fc_ids(manager)["KUL1"]
    packer = actor(uow, STAFF_KUL1)
    with FakeRawPrinter() as zebra, FakeIppPrinter() as laser:
        raw = _raw(manager, fc, zebra.port)
        ipp = _ipp(manager, fc, laser.uri, media="100x150")
        sent = printing.print_labels(uow, packer, raw["id"], _bins(), reference="bins A-01")
        (arrived,) = zebra.wait_for_jobs(1)
        assert sent["status"] == "sent" and sent["content_type"] == "application/zpl"
        assert arrived == _stored_document(uow, sent["id"]) and sent["size_bytes"] == len(arrived)
        assert arrived.startswith(b"^XA") and arrived.count(b"^XZ") == 2
        assert b"KUL1-A-01-01-A" in arrived

        on_paper = printing.print_labels(uow, packer, ipp["id"], _bins(), reference="bins A-01")
        (job,) = laser.jobs
        assert on_paper["status"] == "sent" and on_paper["receipt"].startswith("IPP job 17")
        assert job.document == _stored_document(uow, on_paper["id"])
        assert job.attributes["document-format"] == "application/pdf"
        assert job.attributes["job-name"] == "bins A-01"
        assert pdf_page_count(job.document) == 2

    jobs = manager.get(f"/fcs/{fc}/print-jobs").get_json()
    assert [j["id"] for j in jobs[:2]] == [on_paper["id"], sent["id"]]
    assert jobs[1]["printer_location"] == f"127.0.0.1:{raw['port']}"


def test_a_printer_that_is_down_gives_a_clean_error_and_the_job_can_be_sent_again(api_as, uow):
    manager, staff = api_as(MANAGER_KUL1), api_as(STAFF_KUL1)
    fc = fc_ids(manager)["KUL1"]
    packer = actor(uow, STAFF_KUL1)
    down = _raw(manager, fc, closed_port(), name="Zebra bench 3")
    with pytest.raises(printing.PrintFailed) as failure:
        printing.print_labels(uow, packer, down["id"], _bins(), reference="bins A-01")
    assert "Zebra bench 3" in failure.value.message
    assert "connection refused" in failure.value.message
    failed = failure.value.job
    assert failed["status"] == "failed" and "connection refused" in failed["error"]
    listed = staff.get(f"/fcs/{fc}/print-jobs", status="failed").get_json()
    assert failed["id"] in {job["id"] for job in listed}

    # Retrying while it is still down: a 502 that names the printer and why; nothing lost.
    response = staff.post(f"/print-jobs/{failed['id']}/retry", key=new_key())
    assert response.status_code == 502
    body = response.get_json()["error"]
    assert body["code"] == "external_failure" and "printer_id" in body["fields"]
    assert "Zebra bench 3" in body["message"] and "connection refused" in body["message"]
    assert staff.get(f"/print-jobs/{failed['id']}").get_json()["attempts"] == 2

    # The printer comes back (here on a new port): the stored bytes go out unchanged.
    with FakeRawPrinter() as zebra:
        assert manager.patch(f"/printers/{down['id']}", {"port": zebra.port}).status_code == 200
        key = new_key()
        response = staff.post(f"/print-jobs/{failed['id']}/retry", key=key)
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["status"] == "sent"
        (arrived,) = zebra.wait_for_jobs(1)
        assert arrived == _stored_document(uow, failed["id"])
        # A replayed key answers the same and prints nothing more.
        replay = staff.post(f"/print-jobs/{failed['id']}/retry", key=key)
        assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
        assert len(zebra.jobs) == 1


def test_an_ipp_printer_that_refuses_fails_the_job_until_it_accepts(api_as, uow):
    manager, staff = api_as(MANAGER_KUL1), api_as(STAFF_KUL1)
    fc = fc_ids(manager)["KUL1"]
    packer = actor(uow, STAFF_KUL1)
    with FakeIppPrinter(busy=True) as laser:
        ipp = _ipp(manager, fc, laser.uri, name="Busy laser")
        with pytest.raises(printing.PrintFailed) as failure:
            printing.print_labels(uow, packer, ipp["id"], _bins(), reference="bins")
        assert "server-error-busy" in failure.value.message
        laser.busy = False
        response = staff.post(f"/print-jobs/{failure.value.job['id']}/retry", key=new_key())
        assert response.status_code == 200 and response.get_json()["status"] == "sent"
        (job,) = laser.jobs
        assert job.document == _stored_document(uow, failure.value.job["id"])


def test_an_inactive_or_foreign_printer_is_not_used(api_as, uow):
    manager = api_as(MANAGER_KUL1)
    fc = fc_ids(manager)["KUL1"]
    cgk = fc_ids(api_as(ADMIN))["CGK1"]
    cgk_printer = api_as(MANAGER_CGK1).get(f"/fcs/{cgk}/printers").get_json()[0]
    packer = actor(uow, STAFF_KUL1)
    with pytest.raises(NotFound):
        printing.print_labels(uow, packer, cgk_printer["id"], _bins(), reference="x")
    raw = _raw(manager, fc, 9100)
    manager.delete(f"/printers/{raw['id']}")
    with pytest.raises(Conflict):
        printing.print_labels(uow, packer, raw["id"], _bins(), reference="x")
    with pytest.raises(PermissionDenied):
        printing.print_labels(uow, actor(uow, SIAMFRUIT), raw["id"], _bins(), reference="x")


# --- waybills ---------------------------------------------------------------------------------


def test_a_waybill_is_stored_and_downloaded_byte_for_byte(api_as, uow):
    merchant, manager = api_as(SIAMFRUIT), api_as(MANAGER_KUL1)
    order = place_order(uow, actor(uow, SIAMFRUIT), {"SF-MANGO-200": 1}, carrier_code="NINJA")
    pdf = _waybill_pdf(pages=2)
    response = _upload(merchant, order["id"], pdf)
    assert response.status_code == 201, response.get_json()
    waybill = response.get_json()
    assert waybill["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert (waybill["page_count"], waybill["size_bytes"]) == (2, len(pdf))
    assert waybill["tracking_number"] == "NVMY0012345678" and waybill["source"] == "NINJA"

    download = manager.get(f"/waybills/{waybill['id']}/document.pdf")
    assert download.status_code == 200 and download.content_type == "application/pdf"
    assert download.data == pdf
    assert download.headers["ETag"] == f'"{waybill["sha256"]}"'
    unchanged = manager.client.get(
        f"/api/v1/waybills/{waybill['id']}/document.pdf",
        headers={
            "Authorization": f"Bearer {manager.token}",
            "If-None-Match": download.headers["ETag"],
        },
    )
    assert unchanged.status_code == 304

    # The same bytes again (from the marketplace, say) are the same waybill.
    again = _upload(manager, order["id"], pdf, source="shopee")
    assert again.status_code == 201 and again.get_json()["id"] == waybill["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    newer = _upload(
        manager, order["id"], _waybill_pdf("NVMY0099999999"), tracking_number="NVMY0099999999"
    )
    listed = merchant.get(f"/orders/{order['id']}/waybills").get_json()
    assert [w["id"] for w in listed] == [newer.get_json()["id"], waybill["id"]]

    # Another merchant, and another FC's manager, see nothing of it.
    for other in (api_as(CHABATEA), api_as(MANAGER_CGK1)):
        assert other.get(f"/waybills/{waybill['id']}/document.pdf").status_code == 404
        assert other.get(f"/waybills/{waybill['id']}").status_code == 404
        assert other.get(f"/orders/{order['id']}/waybills").status_code == 404
        assert _upload(other, order["id"], _waybill_pdf("X1")).status_code == 404


def _count_waybills(uow) -> int:
    with uow:
        return len(uow.session.query(Waybill.id).all())


@pytest.mark.parametrize(
    "document",
    [
        "bm90IGEgcGRm",  # "not a pdf"
        "JVBERi0xLjQKZ2FyYmFnZQ==",  # "%PDF-1.4\ngarbage": the header, but no PDF
        "",
        "***not base64***",
        "JVBERi0",  # cut short
    ],
)
def test_a_document_that_is_not_a_pdf_is_refused_and_nothing_is_stored(api_as, uow, document):
    merchant = api_as(SIAMFRUIT)
    order = place_order(uow, actor(uow, SIAMFRUIT), {"SF-MANGO-200": 1})
    before = _count_waybills(uow)
    response = merchant.post(
        f"/orders/{order['id']}/waybills",
        {"source": "shopee", "tracking_number": "SPXMY01", "document": document},
        key=new_key(),
    )
    assert response.status_code in (400, 422)
    assert "document" in error_fields(response), response.get_json()
    assert _count_waybills(uow) == before


def test_an_oversized_waybill_is_refused(api_as, uow):
    merchant = api_as(SIAMFRUIT)
    order = place_order(uow, actor(uow, SIAMFRUIT), {"SF-MANGO-200": 1})
    pdf = _waybill_pdf()
    padded = pdf + b"%" + b"x" * (5 * 1024 * 1024 - len(pdf))
    response = _upload(merchant, order["id"], padded)
    assert response.status_code == 422
    assert "5 MiB" in error_fields(response)["document"][0]
    assert merchant.get(f"/orders/{order['id']}/waybills").get_json() == []


def test_a_waybill_prints_as_pdf_on_ipp_and_as_zpl_graphics_on_a_thermal_printer(api_as, uow):
    manager, staff, merchant = api_as(MANAGER_KUL1), api_as(STAFF_KUL1), api_as(SIAMFRUIT)
    fc = fc_ids(manager)["KUL1"]
    order = place_order(uow, actor(uow, SIAMFRUIT), {"SF-MANGO-200": 1}, carrier_code="NINJA")
    pdf = _waybill_pdf()
    waybill = _upload(manager, order["id"], pdf).get_json()
    with FakeRawPrinter() as zebra, FakeIppPrinter() as laser:
        raw = _raw(manager, fc, zebra.port)
        ipp = _ipp(manager, fc, laser.uri)
        response = staff.post(
            f"/waybills/{waybill['id']}/print", {"printer_id": ipp["id"]}, key=new_key()
        )
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["status"] == "sent"
        assert laser.jobs[0].document == pdf

        response = staff.post(
            f"/waybills/{waybill['id']}/print", {"printer_id": raw["id"]}, key=new_key()
        )
        assert response.status_code == 201, response.get_json()
        job = response.get_json()
        (zpl,) = zebra.wait_for_jobs(1)
        assert zpl.startswith(b"^XA") and b"^GF" in zpl and zpl.rstrip().endswith(b"^XZ")
        assert job["content_type"] == "application/zpl" and job["size_bytes"] == len(zpl)
        assert "NVMY0012345678" in job["reference"]

    # Merchants do not print; another FC's printer is not this order's.
    refused = merchant.post(
        f"/waybills/{waybill['id']}/print", {"printer_id": ipp["id"]}, key=new_key()
    )
    assert refused.status_code == 404
    cgk = fc_ids(api_as(ADMIN))["CGK1"]
    cgk_printer = api_as(ADMIN).get(f"/fcs/{cgk}/printers").get_json()[0]
    foreign = api_as(ADMIN).post(
        f"/waybills/{waybill['id']}/print", {"printer_id": cgk_printer["id"]}, key=new_key()
    )
    assert foreign.status_code == 404 and "printer_id" in error_fields(foreign)


def test_printing_a_waybill_on_a_printer_that_is_down_is_a_502(api_as, uow):
    manager, staff = api_as(MANAGER_KUL1), api_as(STAFF_KUL1)
    fc = fc_ids(manager)["KUL1"]
    order = place_order(uow, actor(uow, SIAMFRUIT), {"SF-MANGO-200": 1})
    waybill = _upload(manager, order["id"], _waybill_pdf()).get_json()
    laser = _ipp(manager, fc, f"ipp://127.0.0.1:{closed_port()}/ipp/print", name="Gone laser")
    key = new_key()
    response = staff.post(f"/waybills/{waybill['id']}/print", {"printer_id": laser["id"]}, key=key)
    assert response.status_code == 502
    assert "Gone laser" in response.get_json()["error"]["message"]
    # The same key again answers the same, without sending again.
    again = staff.post(f"/waybills/{waybill['id']}/print", {"printer_id": laser["id"]}, key=key)
    assert again.status_code == 502
    (job,) = [
        j for j in staff.get(f"/fcs/{fc}/print-jobs").get_json() if j["printer_id"] == laser["id"]
    ]
    assert job["status"] == "failed" and job["attempts"] == 1
