"""Labels through the API: carton (SSCC), bin, shelf-strip, parcel and SKU labels downloaded
as PDF or ZPL and read back as a scanner would, and printed on fake network printers; with
tenancy and bad input."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from tests.api import (
    CHABATEA,
    MANAGER_CGK1,
    MANAGER_KUL1,
    SIAMFRUIT,
    STAFF_KUL1,
    Api,
    error_fields,
    fc_ids,
    new_key,
    sku_by_code,
)
from tests.fake_printers import FakeIppPrinter, FakeRawPrinter, closed_port
from tests.labels import add_printer, barcodes, packed_parcel, page_count
from wms.db.models import Carton
from wms.db.unit_of_work import UnitOfWork
from wms.domain.identifiers import location_check_code


def _pdf(response: Any) -> bytes:
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/pdf"
    return bytes(response.data)


def _consignment(api: Api, status: str = "arrived") -> dict[str, Any]:
    listed = api.items("/consignments")
    found = next(item for item in listed if item["status"] == status)
    body: dict[str, Any] = api.get(f"/consignments/{found['id']}").get_json()
    return body


# --- cartons ------------------------------------------------------------------------------------


def test_carton_labels_carry_each_cartons_sscc_and_contents(api_as: Callable[[str], Api]):
    merchant, staff = api_as(SIAMFRUIT), api_as(STAFF_KUL1)
    consignment = _consignment(merchant)
    cartons = consignment["cartons"]
    assert len(cartons) >= 2
    pdf = _pdf(merchant.get(f"/consignments/{consignment['id']}/carton-labels"))
    assert page_count(pdf) == len(cartons)
    for page, carton in enumerate(cartons):
        read = barcodes(pdf, page)
        assert ("]C1", "00" + carton["sscc"]) in read, read
        (line,) = [
            line
            for line in consignment["lines"]
            if line["line_number"] == carton["contents"][0]["line_number"]
        ]
        sku = sku_by_code(merchant, line["sku_code"])
        expiry = line["expiry_date"].replace("-", "")[2:]
        gs1 = "\x1d".join(text for aim, text in read if aim == "]C1")
        assert f"02{sku['gtin'].zfill(14)}17{expiry}" in gs1, read
        assert f"37{carton['contents'][0]['quantity']}" in gs1, read
        assert f"10{line['lot_number']}" in gs1, read
        assert f"3303{carton['gross_weight_g']:06d}" in gs1, read
    # Staff of the FC get the same labels; one carton alone; at 300 dpi.
    one = _pdf(staff.get(f"/cartons/{cartons[1]['id']}/label", dpi=300, media="A6"))
    assert page_count(one) == 1
    assert ("]C1", "00" + cartons[1]["sscc"]) in barcodes(one)


def test_a_blind_cartons_generated_sscc_prints(api_as: Callable[[str], Api], uow: UnitOfWork):
    staff, merchant = api_as(STAFF_KUL1), api_as(SIAMFRUIT)
    fc_id = fc_ids(staff)["KUL1"]
    mango = sku_by_code(merchant, "SF-MANGO-200")
    receipt = staff.post(
        "/receipts/blind", {"fc_id": fc_id, "merchant_id": mango["merchant_id"]}, key=new_key()
    ).get_json()
    sscc = receipt["current_carton"]
    with uow:
        carton_id = uow.session.scalar(select(Carton.id).where(Carton.sscc == sscc))
    pdf = _pdf(staff.get(f"/cartons/{carton_id}/label"))
    assert ("]C1", "00" + sscc) in barcodes(pdf)
    # Another FC's staff and another merchant do not see it.
    assert api_as(MANAGER_CGK1).get(f"/cartons/{carton_id}/label").status_code == 404
    assert api_as(CHABATEA).get(f"/cartons/{carton_id}/label").status_code == 404
    assert merchant.get(f"/cartons/{carton_id}/label").status_code == 200


def test_carton_labels_of_another_merchant_are_not_found(api_as: Callable[[str], Api]):
    consignment = _consignment(api_as(SIAMFRUIT))
    tea = api_as(CHABATEA)
    response = tea.get(f"/consignments/{consignment['id']}/carton-labels")
    assert response.status_code == 404 and "consignment_id" in error_fields(response)
    carton_id = consignment["cartons"][0]["id"]
    assert tea.get(f"/cartons/{carton_id}/label").status_code == 404
    assert api_as(MANAGER_CGK1).get(f"/cartons/{carton_id}/label").status_code == 404


# --- bins ---------------------------------------------------------------------------------------


def test_bin_labels_of_a_zone_and_of_listed_codes(api_as: Callable[[str], Api]):
    manager = api_as(MANAGER_KUL1)
    fc_id = fc_ids(manager)["KUL1"]
    zones = {zone["code"]: zone for zone in manager.get(f"/fcs/{fc_id}/zones").get_json()}
    zone_code = sorted(zones)[0]
    in_zone = manager.items(f"/fcs/{fc_id}/locations", zone_id=zones[zone_code]["id"])
    pdf = _pdf(manager.get(f"/fcs/{fc_id}/bin-labels", zone=zone_code.lower()))
    assert page_count(pdf) == len(in_zone)
    first = sorted(item["code"] for item in in_zone)[0]
    assert ("]C0", first) in barcodes(pdf, 0)

    codes = sorted(item["code"] for item in in_zone)[:3]
    listed = _pdf(manager.get(f"/fcs/{fc_id}/bin-labels", codes=", ".join(codes)))
    assert page_count(listed) == 3
    assert [text for _aim, text in barcodes(listed, 2)] == [codes[2]]
    assert location_check_code(codes[2]).isdigit()

    strips = _pdf(manager.get(f"/fcs/{fc_id}/shelf-strips", zone=zone_code))
    assert page_count(strips) >= 1
    read = {text for _aim, text in barcodes(strips, 0)}
    assert first in read

    one = manager.get(f"/locations/{in_zone[0]['id']}/label", format="zpl")
    assert one.status_code == 200 and one.data.lstrip().startswith(b"^XA")
    assert in_zone[0]["code"].encode() in one.data


def test_bin_labels_refuse_unknown_zones_codes_and_other_fcs(api_as: Callable[[str], Api]):
    manager = api_as(MANAGER_KUL1)
    fc_ids_ = fc_ids(api_as("admin@pavilion.test"))
    response = manager.get(f"/fcs/{fc_ids_['KUL1']}/bin-labels", zone="NOPE")
    assert response.status_code == 422 and "zone" in error_fields(response)
    response = manager.get(f"/fcs/{fc_ids_['KUL1']}/bin-labels", codes="KUL1-Z-99-99")
    assert response.status_code == 422 and "KUL1-Z-99-99" in error_fields(response)["codes"][0]
    assert manager.get(f"/fcs/{fc_ids_['CGK1']}/bin-labels").status_code == 404
    assert api_as(SIAMFRUIT).get(f"/fcs/{fc_ids_['KUL1']}/bin-labels").status_code == 404


# --- parcels ------------------------------------------------------------------------------------


def test_a_parcels_shipping_label_reads_back_its_tracking_number(
    api_as: Callable[[str], Api], uow: UnitOfWork
):
    parcel = packed_parcel(uow)
    staff = api_as(STAFF_KUL1)
    pdf = _pdf(staff.get(f"/packages/{parcel['id']}/label"))
    assert page_count(pdf) == 1
    read = barcodes(pdf)
    assert ("]C0", parcel["tracking_number"]) in read, read
    assert any(aim.startswith("]Q") and parcel["order_reference"] in text for aim, text in read)
    # The old address still answers, and a merchant sees their own parcel's label.
    old = _pdf(staff.get(f"/packages/{parcel['id']}/label.pdf"))
    assert ("]C0", parcel["tracking_number"]) in barcodes(old)
    assert api_as(SIAMFRUIT).get(f"/packages/{parcel['id']}/label").status_code == 200
    assert api_as(CHABATEA).get(f"/packages/{parcel['id']}/label").status_code == 404
    zpl = staff.get(f"/packages/{parcel['id']}/label", format="zpl", dpi=300, media="4x6")
    assert zpl.status_code == 200 and parcel["tracking_number"].encode() in zpl.data


# --- SKUs ---------------------------------------------------------------------------------------


def test_sku_labels_with_a_lot_and_copies(api_as: Callable[[str], Api]):
    merchant = api_as(SIAMFRUIT)
    mango = sku_by_code(merchant, "SF-MANGO-200")
    lots = merchant.get(f"/skus/{mango['id']}/lots").get_json()
    lot = lots[0]
    pdf = _pdf(
        merchant.get(f"/skus/{mango['id']}/labels", lot=lot["lot_number"], copies=3, media="100x75")
    )
    assert page_count(pdf) == 3
    read = barcodes(pdf, 2)
    assert ("]E0", mango["gtin"][-13:]) in read, read
    gs1 = [text for aim, text in read if aim == "]C1"]
    expiry = lot["expiry_date"].replace("-", "")[2:]
    assert gs1 == [f"01{mango['gtin'].zfill(14)}17{expiry}10{lot['lot_number']}"], read


def test_sku_labels_refuse_bad_input_naming_the_field(api_as: Callable[[str], Api]):
    merchant = api_as(SIAMFRUIT)
    mango = sku_by_code(merchant, "SF-MANGO-200")
    path = f"/skus/{mango['id']}/labels"
    for params, field in (
        ({"media": "A3"}, "media"),
        ({"media": "A4"}, "media"),
        ({"dpi": 600}, "dpi"),
        ({"dpi": "x"}, "dpi"),
        ({"format": "png"}, "format"),
        ({"copies": 0}, "copies"),
        ({"copies": 501}, "copies"),
        ({"lot": "NO-SUCH-LOT"}, "lot"),
    ):
        response = merchant.get(path, **params)
        assert response.status_code == 422, (params, response.get_json())
        assert field in error_fields(response), (params, response.get_json())
    assert api_as(CHABATEA).get(path).status_code == 404


# --- printing -----------------------------------------------------------------------------------


def test_labels_print_on_the_fcs_printers(api_as: Callable[[str], Api], uow: UnitOfWork):
    manager, staff = api_as(MANAGER_KUL1), api_as(STAFF_KUL1)
    fc_id = fc_ids(manager)["KUL1"]
    mango = sku_by_code(api_as(SIAMFRUIT), "SF-MANGO-200")
    with FakeRawPrinter() as zebra, FakeIppPrinter() as office:
        thermal = add_printer(uow, fc_id, "Zebra 1", "raw", "127.0.0.1", zebra.port)
        sheets = add_printer(uow, fc_id, "Office", "ipp", office.uri)
        job = staff.post(
            f"/skus/{mango['id']}/labels/print",
            {"printer_id": thermal["id"], "copies": 2},
            key=new_key(),
        )
        assert job.status_code == 200, job.get_json()
        assert job.get_json()["status"] == "sent"
        (sent,) = zebra.wait_for_jobs(1)
        assert sent.count(b"^XA") == 2 and mango["code"].encode() in sent

        consignment = _consignment(api_as(SIAMFRUIT))
        job = staff.post(
            f"/consignments/{consignment['id']}/carton-labels/print",
            {"printer_id": thermal["id"]},
        )
        assert job.status_code == 200, job.get_json()
        jobs = zebra.wait_for_jobs(2)
        assert jobs[1].count(b"^XA") == len(consignment["cartons"])

        zone = sorted(z["code"] for z in manager.get(f"/fcs/{fc_id}/zones").get_json())[0]
        job = manager.post(
            f"/fcs/{fc_id}/shelf-strips/print", {"printer_id": sheets["id"], "zone": zone}
        )
        assert job.status_code == 200, job.get_json()
        assert len(office.jobs) == 1 and office.jobs[0].document.startswith(b"%PDF")

        parcel = packed_parcel(uow)
        job = staff.post(f"/packages/{parcel['id']}/label/print", {"printer_id": thermal["id"]})
        assert job.status_code == 200, job.get_json()
        assert parcel["tracking_number"].encode() in zebra.wait_for_jobs(3)[2]


def test_printing_refuses_foreign_printers_other_tenants_and_down_printers(
    api_as: Callable[[str], Api], uow: UnitOfWork
):
    admin = api_as("admin@pavilion.test")
    ids = fc_ids(admin)
    merchant = api_as(SIAMFRUIT)
    mango = sku_by_code(merchant, "SF-MANGO-200")
    tea = sku_by_code(api_as(CHABATEA), "CB-MILKTEA-RTD")
    jakarta = add_printer(
        uow, ids["CGK1"], "CGK Zebra", "raw", "127.0.0.1", closed_port(), email=MANAGER_CGK1
    )
    down = add_printer(uow, ids["KUL1"], "KUL Zebra down", "raw", "127.0.0.1", closed_port())
    staff = api_as(STAFF_KUL1)
    path = f"/skus/{mango['id']}/labels/print"
    foreign = staff.post(path, {"printer_id": jakarta["id"]})
    assert foreign.status_code == 404 and "printer_id" in error_fields(foreign)
    for body, field in (
        ({"printer_id": down["id"], "copies": 0}, "copies"),
        ({"printer_id": down["id"], "copies": 501}, "copies"),
        ({"copies": 1}, "printer_id"),
        ({"printer_id": "x"}, "printer_id"),
    ):
        response = staff.post(path, body)
        assert response.status_code == 422 and field in error_fields(response), body
    # A merchant cannot print another merchant's SKU labels (not found), nor print at all.
    other = merchant.post(f"/skus/{tea['id']}/labels/print", {"printer_id": down["id"]})
    assert other.status_code == 404 and "sku_id" in error_fields(other)
    own = merchant.post(path, {"printer_id": down["id"]})
    assert own.status_code in (403, 404)
    # A printer that does not answer is a clean error naming it.
    failed = staff.post(path, {"printer_id": down["id"]})
    assert failed.status_code == 502, failed.get_json()
    assert "KUL Zebra down" in failed.get_json()["error"]["message"]


@pytest.mark.parametrize("path", ["/packages/999999/label", "/cartons/999999/label"])
def test_unknown_ids_are_not_found(api_as: Callable[[str], Api], path: str):
    assert api_as(STAFF_KUL1).get(path).status_code == 404


def test_a_parcel_with_a_stored_waybill_prints_the_waybill(
    api_as: Callable[[str], Api], uow: UnitOfWork
):
    parcel = packed_parcel(uow)
    staff = api_as(STAFF_KUL1)
    waybill_pdf = _pdf(staff.get(f"/skus/{sku_by_code(staff, 'SF-MANGO-200')['id']}/labels"))
    stored = staff.post(
        f"/orders/{parcel['order_id']}/waybills",
        {
            "source": "JNT",
            "tracking_number": "JT0000012345",
            "document": base64.b64encode(waybill_pdf).decode(),
        },
        key=new_key(),
    )
    assert stored.status_code == 201, stored.get_json()
    download = staff.get(f"/packages/{parcel['id']}/label")
    assert _pdf(download) == waybill_pdf
    zpl = staff.get(f"/packages/{parcel['id']}/label", format="zpl")
    assert zpl.status_code == 409 and "format" in error_fields(zpl)
    with FakeIppPrinter() as office:
        printer = add_printer(uow, parcel["fc_id"], "Pack bench A4", "ipp", office.uri)
        job = staff.post(f"/packages/{parcel['id']}/label/print", {"printer_id": printer["id"]})
        assert job.status_code == 200, job.get_json()
        assert office.jobs[0].document == waybill_pdf
