"""Set-ups and readers for label tests: a packed parcel through the use cases, printers on
fake devices, and PDFs read back as pages and barcodes."""

from __future__ import annotations

from typing import Any

import pypdfium2 as pdfium
import zxingcpp

from labels.raster import rasterise_pdf
from tests import outbound
from tests.api import MANAGER_KUL1, SIAMFRUIT, STAFF_KUL1
from tests.integration.test_scanner_outbound import clear_waiting_orders
from wms.db.unit_of_work import UnitOfWork
from wms.services import packing, picking, printing


def packed_parcel(uow: UnitOfWork, lines: dict[str, int] | None = None) -> dict[str, Any]:
    """An order of the demo fruit merchant at KUL1 picked and packed into a closed parcel."""
    manager = outbound.actor(uow, MANAGER_KUL1)
    merchant = outbound.actor(uow, SIAMFRUIT)
    staff = outbound.actor(uow, STAFF_KUL1)
    fc_id, _, _ = outbound.ids(uow, "KUL1", "JNT", "SIAMFRUIT")
    clear_waiting_orders(uow, manager, fc_id)
    order = outbound.place_order(uow, merchant, lines or {"SF-MANGO-200": 2})
    wave = outbound.planned_wave(uow, manager)
    (trip,) = wave["batches"]
    batch, _ = picking.start_batch(uow, staff, trip["id"], outbound.key())
    tote = "T-LBL-01"
    for place in batch["totes"]:
        batch, _ = picking.assign_tote(uow, staff, batch["id"], place["slot"], tote, outbound.key())
    for pick in batch["picks"]:
        scan = picking.PickConfirmation(
            location_code=pick["location_code"],
            gtin=pick["gtin"],
            quantity=pick["quantity"],
            tote_code=tote,
            lot_number=pick["lot_number"],
        )
        picking.confirm_pick(uow, staff, pick["id"], scan, outbound.key())
    parcel, _ = packing.start_packing(uow, staff, fc_id, tote, outbound.key())
    for item in parcel["items"]:
        for _unit in range(item["expected"]):
            parcel, _ = packing.verify_item(
                uow, staff, parcel["id"], item["gtin"], item["lot_number"], outbound.key()
            )
    weight = parcel["content_weight_g"] + 150
    parcel, _ = packing.close_package(
        uow, staff, parcel["id"], parcel["suggested_carton"], weight, outbound.key()
    )
    return {**parcel, "order": order, "fc_id": fc_id}


def add_printer(
    uow: UnitOfWork,
    fc_id: int,
    name: str,
    protocol: str,
    address: str,
    port: int | None = None,
    *,
    email: str = MANAGER_KUL1,
) -> dict[str, Any]:
    """A printer at the FC's packing bench, set up by its manager."""
    details = printing.PrinterDetails(
        name=name, workstation="PACK-1", protocol=protocol, address=address, port=port
    )
    return printing.create_printer(uow, outbound.actor(uow, email), fc_id, details)


def page_count(pdf: bytes) -> int:
    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def barcodes(pdf: bytes, page: int = 0) -> list[tuple[str, str]]:
    """(symbology identifier, text) of every barcode on a page as a scanner sends it (GS1
    element strings with ASCII 29 between variable-length elements)."""
    image = rasterise_pdf(pdf, 203, pages=page + 1)[page].convert("L")
    found = zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain)
    return [(symbol.symbology_identifier, symbol.text) for symbol in found]
