"""The receiving workflow on a handheld: what a scan means at each step, and what comes next.

Steps: find the consignment (scan its reference or any carton's SSCC) → for each carton, scan
its SSCC, then its items (a GTIN, or a GS1 string with lot and expiry; one scan per unit or a
typed quantity) → close. A scan that does not fit the step is refused and changes nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Any

from scanners.scan_parser import Scan, ScanError, ScanKind, parse_scan
from wms.bootstrap import new_uow, wiring
from wms.domain.actors import Actor
from wms.domain.errors import InvalidInput
from wms.services import receiving


class Step(enum.StrEnum):
    """Where the worker is in receiving one consignment."""

    FIND_CONSIGNMENT = "find_consignment"
    SCAN_CARTON = "scan_carton"
    COUNT_ITEMS = "count_items"
    CLOSED = "closed"


@dataclass(frozen=True)
class ItemEntry:
    """What the worker typed beside the scan: units, damage, and a lot or expiry if asked."""

    quantity: int = 1
    damaged: bool = False
    lot_number: str | None = None
    expiry_date: date | None = None


def read_scan(raw: str) -> Scan:
    """The parsed scan, or a 422 naming the scan and what is wrong with it."""
    try:
        return parse_scan(raw, separators=tuple(wiring().settings.scan_separators))
    except ScanError as error:
        raise InvalidInput(str(error), "scan") from error


def step_of(receipt: dict[str, Any]) -> Step:
    """The step a receipt (as the use cases return it) is at."""
    if receipt["status"] == "closed":
        return Step.CLOSED
    if receipt["expects_cartons"] and receipt["current_carton"] is None:
        return Step.SCAN_CARTON
    return Step.COUNT_ITEMS


def start(actor: Actor, raw: str, key: str | None) -> tuple[dict[str, Any], bool]:
    """The first scan: a consignment reference or one of its cartons opens its receipt."""
    scan = read_scan(raw)
    if scan.kind is ScanKind.SSCC:
        return receiving.start_receipt_by_scan(new_uow(), actor, None, scan.sscc, key)
    if scan.kind is ScanKind.TEXT and scan.text:
        return receiving.start_receipt_by_scan(new_uow(), actor, scan.text, None, key)
    raise InvalidInput(
        "Scan the consignment's reference (CN-…) or a carton's SSCC label to start.", "scan"
    )


def scan(
    actor: Actor, receipt_id: int, raw: str, entry: ItemEntry, key: str | None
) -> tuple[dict[str, Any], bool]:
    """A scan while receiving: a carton label switches carton; an item label counts units."""
    parsed = read_scan(raw)
    if parsed.kind is ScanKind.SSCC and parsed.sscc:
        return receiving.scan_carton(new_uow(), actor, receipt_id, parsed.sscc, raw, key)
    if parsed.kind is ScanKind.ITEM and parsed.gtin:
        if parsed.lot and entry.lot_number and parsed.lot != entry.lot_number:
            raise InvalidInput(
                f"The barcode says lot {parsed.lot}, the typed lot is {entry.lot_number}.",
                "lot_number",
            )
        item = receiving.ItemCount(
            gtin=parsed.gtin,
            quantity=parsed.count if parsed.count else entry.quantity,
            lot_number=parsed.lot or entry.lot_number,
            expiry_date=parsed.expiry or entry.expiry_date,
            damaged=entry.damaged,
        )
        return receiving.count_item(new_uow(), actor, receipt_id, item, raw, key)
    what = "a bin label" if parsed.kind is ScanKind.LOCATION else f"'{raw.strip()[:40]}'"
    raise InvalidInput(
        f"That is {what}; while receiving, scan a carton's SSCC or an item's barcode.", "scan"
    )


def prompt(receipt: dict[str, Any]) -> str:
    """What the handheld asks for next (English; the page translates its own copy)."""
    step = step_of(receipt)
    if step is Step.CLOSED:
        return "Receipt closed."
    if step is Step.SCAN_CARTON:
        return "Scan a carton's SSCC label."
    carton = receipt["current_carton"]
    where = f" of carton {carton}" if carton else ""
    return f"Scan items{where}, the next carton, or close the receipt."


def bin_code(raw: str) -> str:
    """The bin code in a scan of a bin label (typed codes are accepted as they are)."""
    parsed = read_scan(raw)
    if parsed.kind is ScanKind.LOCATION and parsed.location_code:
        return parsed.location_code
    if parsed.kind is ScanKind.TEXT and parsed.text:
        return parsed.text
    raise InvalidInput("That is not a bin label; scan the bin's barcode.", "scan")
