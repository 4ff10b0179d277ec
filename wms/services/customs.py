"""Customs paperwork for a consignment: the commercial invoice and the packing list (PDF)."""

from __future__ import annotations

import enum

from labels import customs_documents as documents
from wms.db.models import Consignment
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.consignments import ROAD_CROSSING, ShipmentMode, convert
from wms.domain.errors import Conflict
from wms.services.clock import fc_today
from wms.services.consignments import visible_consignment

ROUTES = {
    ShipmentMode.ROAD: ROAD_CROSSING,
    ShipmentMode.SEA: "Port of Laem Chabang → port of discharge",
    ShipmentMode.AIR: "Suvarnabhumi Airport (BKK) → airport of destination",
}


class Paper(enum.StrEnum):
    COMMERCIAL_INVOICE = "commercial-invoice"
    PACKING_LIST = "packing-list"


def _document(consignment: Consignment) -> documents.CustomsDocument:
    merchant, fc = consignment.merchant, consignment.fc
    rate = consignment.exchange_rate
    lines = tuple(
        documents.InvoiceLine(
            sku_code=line.sku.code,
            description_en=line.sku.name_en,
            description_th=line.sku.name_th,
            hs_code=line.hs_code,
            quantity=line.quantity,
            unit="PCS",
            unit_value_thb=line.unit_value_thb,
            total_thb=line.unit_value_thb * line.quantity,
            total_fc=convert(line.unit_value_thb * line.quantity, rate),
            net_weight_g=line.sku.weight_g * line.quantity,
            lot=line.lot_number,
            expiry=line.expiry_date,
        )
        for line in consignment.lines
    )
    cartons = []
    for carton in consignment.cartons:
        sizes = (carton.length_mm, carton.width_mm, carton.height_mm)
        if carton.gross_weight_g is None or None in sizes:
            raise Conflict(
                f"Carton {carton.sscc} has no gross weight or dimensions; add them to the ASN.",
                "cartons",
            )
        length, width, height = (int(size or 0) for size in sizes)
        cartons.append(
            documents.Carton(
                sscc=carton.sscc,
                contents=tuple(
                    documents.CartonItem(item.line.sku.code, item.line.lot_number, item.quantity)
                    for item in carton.contents
                ),
                gross_weight_g=carton.gross_weight_g,
                length_mm=length,
                width_mm=width,
                height_mm=height,
            )
        )
    return documents.CustomsDocument(
        reference=consignment.reference,
        issued_on=fc_today(fc),
        exporter=documents.Exporter(
            name_th=merchant.name_th,
            name_en=merchant.name_en,
            address=consignment.origin_address,
            tax_id="",
        ),
        consignee=documents.Consignee(
            name=fc.name, address=f"{fc.name}, {fc.city}", country=fc.country
        ),
        mode=documents.ShipmentMode(consignment.mode.value),
        route=consignment.border_crossing or ROUTES[consignment.mode],
        carrier=consignment.carrier,
        tracking_number=consignment.tracking_number,
        eta=consignment.eta,
        exchange_rate=documents.ExchangeRate(
            currency=consignment.fc_currency,
            rate=rate,
            recorded_on=consignment.exchange_rate_date,
        ),
        lines=lines,
        cartons=tuple(cartons),
        form_d_reference=consignment.form_d_reference or None,
        customs_declaration_number=consignment.customs_declaration_number or None,
    )


def customs_pdf(
    uow: UnitOfWork, actor: Actor, consignment_id: int, paper: Paper
) -> tuple[bytes, str]:
    """The PDF and its file name; refused (409) while the ASN lacks what customs needs."""
    with uow:
        consignment = visible_consignment(uow, actor, consignment_id)
        if not consignment.lines or not consignment.cartons:
            raise Conflict("Announce the ASN lines and cartons first.", "cartons")
        try:
            document = _document(consignment)
        except documents.InvalidCustomsData as error:
            raise Conflict(str(error), "consignment_id") from error
        render = (
            documents.commercial_invoice_pdf
            if paper is Paper.COMMERCIAL_INVOICE
            else documents.packing_list_pdf
        )
        return render(document), f"{consignment.reference}-{paper.value}.pdf"
