"""Carrier and marketplace waybills: PDF shipping documents received for an order, kept
byte for byte as received, downloaded and printed at the packing bench.

A waybill comes from a carrier (its code, e.g. NINJA) or a marketplace (e.g. shopee) with
its tracking number. Storing the same document again for the same order changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from sqlalchemy import select

from labels.errors import InvalidLabelData
from labels.raster import pdf_page_count
from wms.db.base import utcnow
from wms.db.models import Package, Waybill
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.errors import InvalidInput, NotFound
from wms.domain.printing import MAX_WAYBILL_BYTES, PDF_MAGIC
from wms.services import printing
from wms.services.idempotency import run_once
from wms.services.orders import visible_order
from wms.services.views import iso

SOURCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
TRACKING_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")
WAYBILL_LIST_LIMIT = 50


def waybill_view(waybill: Waybill) -> dict[str, Any]:
    return {
        "id": waybill.id,
        "order_id": waybill.order_id,
        "order_reference": waybill.order.reference,
        "fc_id": waybill.order.fc_id,
        "package_id": waybill.package_id,
        "source": waybill.source,
        "tracking_number": waybill.tracking_number,
        "sha256": waybill.sha256,
        "size_bytes": waybill.size_bytes,
        "page_count": waybill.page_count,
        "received_at": iso(waybill.received_at),
        "received_by": waybill.received_by,
    }


def checked_document(pdf: bytes) -> int:
    """The number of pages of a waybill PDF, or InvalidInput ("document") saying why the
    bytes are refused: empty, larger than 5 MiB, not a PDF, or a PDF that cannot be read."""
    if not pdf:
        raise InvalidInput("The document is empty; send the waybill PDF.", "document")
    if len(pdf) > MAX_WAYBILL_BYTES:
        raise InvalidInput(
            f"The document has {len(pdf):,} bytes; a waybill may have at most "
            f"{MAX_WAYBILL_BYTES:,} (5 MiB).",
            "document",
        )
    if not pdf.startswith(PDF_MAGIC):
        raise InvalidInput("Not a PDF: a waybill PDF starts with %PDF-.", "document")
    try:
        return pdf_page_count(pdf)
    except InvalidLabelData as error:
        raise InvalidInput(str(error), "document") from None


def _checked_source(source: str) -> str:
    value = source.strip()
    if not SOURCE.match(value):
        raise InvalidInput(
            "The carrier code or marketplace name: 1 to 32 letters, digits, '.', '_' or '-'.",
            "source",
        )
    return value


def _checked_tracking_number(tracking_number: str) -> str:
    value = tracking_number.strip().upper()
    if not TRACKING_NUMBER.match(value):
        raise InvalidInput(
            "A tracking number is 1 to 64 letters, digits or '-'.", "tracking_number"
        )
    return value


def store_waybill(
    uow: UnitOfWork,
    actor: Actor,
    order_id: int,
    *,
    source: str,
    tracking_number: str,
    pdf: bytes,
    key: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Keep a carrier's or marketplace's waybill PDF for an order, exactly as received;
    (view, replayed). The same bytes again for the same order answer with the stored row."""
    source = _checked_source(source)
    tracking_number = _checked_tracking_number(tracking_number)
    pages = checked_document(pdf)
    digest = hashlib.sha256(pdf).hexdigest()

    def perform() -> tuple[dict[str, Any], bool]:
        order = visible_order(uow, actor, order_id)
        stored = uow.session.scalar(
            select(Waybill).where(Waybill.order_id == order.id, Waybill.sha256 == digest)
        )
        if stored is not None:
            return waybill_view(stored), True
        package_id = uow.session.scalar(
            select(Package.id).where(
                Package.order_id == order.id, Package.tracking_number == tracking_number
            )
        )
        waybill = Waybill(
            order_id=order.id,
            order=order,
            package_id=package_id,
            source=source,
            tracking_number=tracking_number,
            document=pdf,
            sha256=digest,
            size_bytes=len(pdf),
            page_count=pages,
            received_at=utcnow(),
            received_by=actor.user_id,
        )
        uow.session.add(waybill)
        uow.flush_unique("This document is being stored for the order already.", "document")
        return waybill_view(waybill), False

    if key is None:
        with uow:
            view, stored_before = perform()
            uow.commit()
        return view, stored_before
    payload = {"order_id": order_id, "source": source, "tracking": tracking_number}
    payload["sha256"] = digest
    result, replayed = run_once(
        uow, actor, key, "waybills.store", payload, lambda: _flagged(perform())
    )
    return {k: v for k, v in result.items() if k != "_stored_before"}, (
        replayed or result["_stored_before"]
    )


def _flagged(outcome: tuple[dict[str, Any], bool]) -> dict[str, Any]:
    view, stored_before = outcome
    return {**view, "_stored_before": stored_before}


def visible_waybill(uow: UnitOfWork, actor: Actor, waybill_id: int) -> Waybill:
    """A waybill of an order the actor may see (merchants: their own orders)."""
    waybill = uow.session.get(Waybill, waybill_id)
    if waybill is None:
        raise NotFound("No such waybill.", "waybill_id")
    try:
        visible_order(uow, actor, waybill.order_id)
    except NotFound:
        raise NotFound("No such waybill.", "waybill_id") from None
    return waybill


def list_waybills(uow: UnitOfWork, actor: Actor, order_id: int) -> list[dict[str, Any]]:
    """The order's waybills, latest first."""
    with uow:
        order = visible_order(uow, actor, order_id)
        found = uow.session.scalars(
            select(Waybill)
            .where(Waybill.order_id == order.id)
            .order_by(Waybill.received_at.desc(), Waybill.id.desc())
            .limit(WAYBILL_LIST_LIMIT)
        )
        return [waybill_view(waybill) for waybill in found]


def waybill_for_order(uow: UnitOfWork, actor: Actor, order_id: int) -> dict[str, Any] | None:
    """The order's latest waybill, if one was received."""
    found = list_waybills(uow, actor, order_id)
    return found[0] if found else None


def get_waybill(uow: UnitOfWork, actor: Actor, waybill_id: int) -> dict[str, Any]:
    with uow:
        return waybill_view(visible_waybill(uow, actor, waybill_id))


def waybill_document(uow: UnitOfWork, actor: Actor, waybill_id: int) -> tuple[str, str, bytes]:
    """(file name, SHA-256, the PDF exactly as received)."""
    with uow:
        waybill = visible_waybill(uow, actor, waybill_id)
        name = f"waybill-{waybill.source}-{waybill.tracking_number}.pdf"
        return name, waybill.sha256, waybill.document


def print_waybill(
    uow: UnitOfWork, actor: Actor, waybill_id: int, printer_id: int, key: str | None = None
) -> tuple[dict[str, Any], bool]:
    """Send the waybill to one of its FC's printers (as PDF, or as ZPL graphics for a thermal
    printer); (print job view, replayed)."""
    with uow:
        waybill = visible_waybill(uow, actor, waybill_id)
        if actor.is_merchant or not actor.works_in(waybill.order.fc_id):
            raise NotFound("No such waybill.", "waybill_id")
        pdf = waybill.document
        reference = (
            f"waybill {waybill.source} {waybill.tracking_number} "
            f"for order {waybill.order.reference}"
        )
        fc_id = waybill.order.fc_id
    with uow:
        printer = printing.visible_printer(uow, actor, printer_id)
        if printer.fc_id != fc_id:
            raise NotFound("No such printer at this order's FC.", "printer_id")
    return printing.submit_pdf(
        uow,
        actor,
        printer_id,
        pdf,
        reference=reference,
        key=key,
        operation="waybills.print",
        payload={"waybill_id": waybill_id, "printer_id": printer_id},
    )
