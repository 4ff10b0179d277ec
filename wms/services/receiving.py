"""Receiving on the dock: open a receipt, scan cartons and items, close it into stock.

Every scan is keyed (a resent scan changes nothing). Closing posts the counted units to the
FC's receiving bin (damaged and expired ones to quarantine) through the ledger, records the
discrepancies against the ASN, and creates the putaway tasks — all in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from wms.db.base import utcnow
from wms.db.models import (
    Carton,
    Consignment,
    Discrepancy,
    FulfillmentCenter,
    Location,
    Lot,
    Merchant,
    MoveTask,
    Receipt,
    ReceiptCount,
    ScanEvent,
    Sku,
    Zone,
)
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.catalogue import LocationStatus, ZonePurpose
from wms.domain.consignments import RECEIVABLE, ConsignmentStatus
from wms.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from wms.domain.identifiers import gtin_forms, validate_gtin, validate_sscc
from wms.domain.receiving import (
    Condition,
    Counted,
    Expected,
    ReceiptStatus,
    find_discrepancies,
    goes_to_quarantine,
)
from wms.domain.stock import MovementReason
from wms.domain.tasks import TaskKind
from wms.services.clock import fc_today
from wms.services.consignments import next_sscc, set_status_by_receiving, visible_consignment
from wms.services.facilities import visible_fc
from wms.services.idempotency import run_once
from wms.services.outbox import emit
from wms.services.putaway import suggest_bins
from wms.services.stock import lock_sku, lot_for_gain, post_gain
from wms.services.views import discrepancy_view, receipt_view, task_view

MAX_UNITS_PER_SCAN = 10_000
WORKFLOW = "receiving"


@dataclass(frozen=True)
class ItemCount:
    """One item scan: a GTIN (with lot and expiry when the barcode carries them) and units."""

    gtin: str
    quantity: int = 1
    lot_number: str | None = None
    expiry_date: date | None = None
    damaged: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "gtin": self.gtin,
            "quantity": self.quantity,
            "lot_number": self.lot_number,
            "expiry_date": self.expiry_date.isoformat() if self.expiry_date else None,
            "damaged": self.damaged,
        }


def _require_floor_role(actor: Actor) -> None:
    if not actor.handles_stock:
        raise PermissionDenied("Warehouse staff receive goods; merchants follow the status.")


def zone_bin(uow: UnitOfWork, fc: FulfillmentCenter, purpose: ZonePurpose) -> Location:
    """The first active bin of a zone purpose (receiving, quarantine, dispatch) at the FC."""
    location = uow.session.scalar(
        select(Location)
        .join(Zone, Zone.id == Location.zone_id)
        .where(
            Location.fc_id == fc.id,
            Zone.purpose == purpose,
            Location.status == LocationStatus.ACTIVE,
        )
        .order_by(Location.code)
        .limit(1)
    )
    if location is None:
        raise Conflict(f"{fc.code} has no active {purpose} bin; a manager sets one up.", "fc_id")
    return location


def visible_receipt(uow: UnitOfWork, actor: Actor, receipt_id: int) -> Receipt:
    receipt = uow.session.get(Receipt, receipt_id)
    if receipt is None or not actor.works_in(receipt.fc_id):
        raise NotFound("No such receipt.", "receipt_id")
    return receipt


def _open_receipt(uow: UnitOfWork, actor: Actor, receipt_id: int) -> Receipt:
    _require_floor_role(actor)
    receipt = visible_receipt(uow, actor, receipt_id)
    locked = uow.session.scalar(select(Receipt).where(Receipt.id == receipt.id).with_for_update())
    assert locked is not None
    if locked.status is not ReceiptStatus.OPEN:
        raise Conflict("This receipt is closed; nothing more is counted on it.", "receipt_id")
    return locked


def _log_scan(
    uow: UnitOfWork, actor: Actor, receipt: Receipt, raw: str, key: str, outcome: str
) -> None:
    uow.session.add(
        ScanEvent(
            user_id=actor.user_id,
            fc_id=receipt.fc_id,
            workflow=WORKFLOW,
            subject_id=receipt.id,
            raw=raw[:200],
            idempotency_key=key,
            outcome=outcome,
            created_at=utcnow(),
        )
    )


# --- progress ------------------------------------------------------------------------------


def _expected(receipt: Receipt) -> list[Expected]:
    if receipt.consignment is None:
        return []
    return [
        Expected(line.sku_id, line.lot_number, line.quantity) for line in receipt.consignment.lines
    ]


def _counted(receipt: Receipt) -> list[Counted]:
    return [
        Counted(count.sku_id, count.lot_number, count.expiry_date, count.quantity, count.condition)
        for count in receipt.counts
    ]


def progress(uow: UnitOfWork, receipt: Receipt) -> list[dict[str, Any]]:
    """Expected and counted units per SKU and lot, announced lines first."""
    rows: dict[tuple[int, str | None], dict[str, Any]] = {}

    def row(sku: Sku, lot_number: str | None) -> dict[str, Any]:
        key = (sku.id, lot_number)
        if key not in rows:
            rows[key] = {
                "sku_id": sku.id,
                "sku_code": sku.code,
                "sku_name_en": sku.name_en,
                "sku_name_th": sku.name_th,
                "gtin": sku.gtin,
                "lot_number": lot_number,
                "expected": 0,
                "good": 0,
                "damaged": 0,
            }
        return rows[key]

    if receipt.consignment is not None:
        for line in receipt.consignment.lines:
            row(line.sku, line.lot_number)["expected"] += line.quantity
    for count in receipt.counts:
        bucket = "damaged" if count.condition is Condition.DAMAGED else "good"
        row(count.sku, count.lot_number)[bucket] += count.quantity
    for item in rows.values():
        item["counted"] = item["good"] + item["damaged"]
        item["remaining"] = max(item["expected"] - item["counted"], 0)
    return list(rows.values())


def _view(uow: UnitOfWork, receipt: Receipt) -> dict[str, Any]:
    uow.session.flush()
    uow.session.refresh(receipt)
    return receipt_view(receipt, progress(uow, receipt))


# --- opening -------------------------------------------------------------------------------


def _new_receipt(
    uow: UnitOfWork,
    actor: Actor,
    fc: FulfillmentCenter,
    merchant_id: int,
    *,
    consignment_id: int | None = None,
    carton_id: int | None = None,
) -> Receipt:
    """An open receipt posting to the FC's receiving bin, and to quarantine for unfit units."""
    receipt = Receipt(
        fc_id=fc.id,
        merchant_id=merchant_id,
        consignment_id=consignment_id,
        status=ReceiptStatus.OPEN,
        receiving_location_id=zone_bin(uow, fc, ZonePurpose.RECEIVING).id,
        quarantine_location_id=zone_bin(uow, fc, ZonePurpose.QUARANTINE).id,
        current_carton_id=carton_id,
        started_by=actor.user_id,
        started_at=utcnow(),
    )
    uow.session.add(receipt)
    return receipt


def _start(uow: UnitOfWork, actor: Actor, consignment: Consignment) -> Receipt:
    if consignment.status not in RECEIVABLE:
        raise Conflict(
            f"{consignment.reference} is {consignment.status}; goods are received once the "
            "consignment has arrived.",
            "consignment_id",
        )
    existing = uow.session.scalar(
        select(Receipt).where(
            Receipt.consignment_id == consignment.id, Receipt.status == ReceiptStatus.OPEN
        )
    )
    if existing is not None:
        return existing
    if consignment.status is not ConsignmentStatus.ARRIVED:
        raise Conflict(f"{consignment.reference} was already received.", "consignment_id")
    fc = consignment.fc
    receipt = _new_receipt(uow, actor, fc, consignment.merchant_id, consignment_id=consignment.id)
    set_status_by_receiving(uow, actor, consignment, ConsignmentStatus.RECEIVING)
    uow.session.flush()
    return receipt


def start_receipt(
    uow: UnitOfWork, actor: Actor, consignment_id: int, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Open (or continue) the receipt of an arrived consignment."""
    _require_floor_role(actor)

    def perform() -> dict[str, Any]:
        consignment = visible_consignment(uow, actor, consignment_id)
        return _view(uow, _start(uow, actor, consignment))

    return run_once(uow, actor, key, "receiving.start", {"consignment_id": consignment_id}, perform)


def start_receipt_by_scan(
    uow: UnitOfWork, actor: Actor, reference: str | None, sscc: str | None, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Open the receipt from a scanned consignment reference or a carton's SSCC."""
    _require_floor_role(actor)

    def perform() -> dict[str, Any]:
        if sscc is not None:
            carton = _carton_by_sscc(uow, actor, sscc)
            if carton.consignment is None:
                raise Conflict(f"Carton {sscc} was received blind already.", "scan")
            receipt = _start(uow, actor, carton.consignment)
            _set_carton(receipt, carton)
        else:
            consignment = uow.session.scalar(
                select(Consignment).where(Consignment.reference == (reference or "").upper())
            )
            if consignment is None or not actor.works_in(consignment.fc_id):
                raise NotFound(f"No consignment {reference} is expected here.", "scan")
            receipt = _start(uow, actor, consignment)
        return _view(uow, receipt)

    payload = {"reference": reference, "sscc": sscc}
    return run_once(uow, actor, key, "receiving.start_by_scan", payload, perform)


def start_blind_receipt(
    uow: UnitOfWork,
    actor: Actor,
    fc_id: int,
    merchant_id: int,
    sscc: str | None,
    key: str | None,
) -> tuple[dict[str, Any], bool]:
    """Receive a carton that came with no ASN: its SSCC (or a new one) and its merchant."""
    _require_floor_role(actor)

    def perform() -> dict[str, Any]:
        fc = visible_fc(uow, actor, fc_id)
        merchant = uow.session.get(Merchant, merchant_id)
        if merchant is None:
            raise NotFound("No such merchant.", "merchant_id")
        if sscc is not None:
            code = validate_sscc(sscc)
            known = uow.session.scalar(select(Carton).where(Carton.sscc == code))
            if known is not None:
                where = known.consignment.reference if known.consignment else "a blind receipt"
                raise Conflict(f"Carton {code} is announced on {where}; receive it there.", "sscc")
        else:
            code = next_sscc(uow, fc)
        carton = Carton(merchant_id=merchant.id, sscc=code, generated=sscc is None)
        uow.session.add(carton)
        uow.flush_unique("This SSCC was just used by another carton.", "sscc")
        receipt = _new_receipt(uow, actor, fc, merchant.id, carton_id=carton.id)
        return _view(uow, receipt)

    payload = {"fc_id": fc_id, "merchant_id": merchant_id, "sscc": sscc}
    return run_once(uow, actor, key, "receiving.start_blind", payload, perform)


# --- scanning ------------------------------------------------------------------------------


def _carton_by_sscc(uow: UnitOfWork, actor: Actor, sscc: str) -> Carton:
    code = validate_sscc(sscc, "scan")
    carton = uow.session.scalar(select(Carton).where(Carton.sscc == code))
    if carton is None or (
        carton.consignment is not None and not actor.works_in(carton.consignment.fc_id)
    ):
        raise NotFound(
            f"No carton with SSCC {code} is announced; receive it as a blind receipt.", "scan"
        )
    return carton


def _set_carton(receipt: Receipt, carton: Carton) -> None:
    if carton.consignment_id != receipt.consignment_id or (
        receipt.consignment_id is None and receipt.current_carton_id != carton.id
    ):
        owner = carton.consignment.reference if carton.consignment else "another receipt"
        raise Conflict(f"Carton {carton.sscc} belongs to {owner}, not to this receipt.", "scan")
    if carton.received_at is not None:
        raise Conflict(f"Carton {carton.sscc} was already received.", "scan")
    receipt.current_carton_id = carton.id
    receipt.current_carton = carton


def scan_carton(
    uow: UnitOfWork, actor: Actor, receipt_id: int, sscc: str, raw: str, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Make a carton of the receipt the one being counted."""

    def perform() -> dict[str, Any]:
        receipt = _open_receipt(uow, actor, receipt_id)
        carton = _carton_by_sscc(uow, actor, sscc)
        _set_carton(receipt, carton)
        _log_scan(uow, actor, receipt, raw, key or "", f"carton {carton.sscc}")
        return _view(uow, receipt)

    return run_once(
        uow, actor, key, "receiving.carton", {"receipt_id": receipt_id, "sscc": sscc}, perform
    )


def _sku_by_gtin(uow: UnitOfWork, merchant_id: int, gtin: str) -> Sku:
    code = validate_gtin(gtin, "scan")
    sku = uow.session.scalar(
        select(Sku).where(Sku.merchant_id == merchant_id, Sku.gtin.in_(gtin_forms(code)))
    )
    if sku is None:
        raise NotFound(f"No SKU of this merchant has GTIN {code}.", "scan")
    return sku


def _lot_and_expiry(
    uow: UnitOfWork, receipt: Receipt, sku: Sku, item: ItemCount
) -> tuple[str | None, date | None]:
    lot_number = (item.lot_number or "").strip() or None
    if not sku.lot_tracked:
        return None, None
    if lot_number is None:
        raise InvalidInput(
            f"{sku.code} is lot-tracked: scan the GS1 barcode with the lot, or type the lot.",
            "lot_number",
        )
    if len(lot_number) > 20:
        raise InvalidInput("A GS1 lot has at most 20 characters.", "lot_number")
    expiry = item.expiry_date
    known = uow.session.scalar(
        select(Lot).where(Lot.sku_id == sku.id, Lot.lot_number == lot_number)
    )
    if known is not None and known.expiry_date is not None:
        if expiry is not None and expiry != known.expiry_date:
            raise InvalidInput(
                f"Lot {lot_number} is recorded as expiring {known.expiry_date.isoformat()}, "
                f"the scan says {expiry.isoformat()}; set the units aside for a manager.",
                "expiry_date",
            )
        expiry = known.expiry_date
    for count in receipt.counts:
        if count.sku_id == sku.id and count.lot_number == lot_number and count.expiry_date:
            if expiry is not None and expiry != count.expiry_date:
                raise InvalidInput(
                    f"Lot {lot_number} was counted with expiry {count.expiry_date.isoformat()} "
                    "on this receipt.",
                    "expiry_date",
                )
            expiry = count.expiry_date
    if expiry is None and receipt.consignment is not None:
        for line in receipt.consignment.lines:
            if line.sku_id == sku.id and line.lot_number == lot_number:
                expiry = line.expiry_date
    if sku.expiry_tracked and expiry is None:
        raise InvalidInput(
            f"{sku.code} lot {lot_number} is new: scan the GS1 barcode with the expiry date, "
            "or type it.",
            "expiry_date",
        )
    return lot_number, expiry if sku.expiry_tracked else None


def count_item(
    uow: UnitOfWork, actor: Actor, receipt_id: int, item: ItemCount, raw: str, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Count units of an item on the receipt (in the current carton, if cartons are scanned)."""
    if not 1 <= item.quantity <= MAX_UNITS_PER_SCAN:
        raise InvalidInput(f"Between 1 and {MAX_UNITS_PER_SCAN} units per scan.", "quantity")

    def perform() -> dict[str, Any]:
        receipt = _open_receipt(uow, actor, receipt_id)
        if (
            receipt.consignment is not None
            and receipt.consignment.cartons
            and (receipt.current_carton_id is None)
        ):
            raise Conflict("Scan the carton's SSCC label before its items.", "scan")
        sku = _sku_by_gtin(uow, receipt.merchant_id, item.gtin)
        lot_number, expiry = _lot_and_expiry(uow, receipt, sku, item)
        condition = Condition.DAMAGED if item.damaged else Condition.GOOD
        receipt.counts.append(
            ReceiptCount(
                carton_id=receipt.current_carton_id,
                sku_id=sku.id,
                sku=sku,
                lot_number=lot_number,
                expiry_date=expiry,
                quantity=item.quantity,
                condition=condition,
                counted_by=actor.user_id,
                created_at=utcnow(),
            )
        )
        _log_scan(
            uow,
            actor,
            receipt,
            raw,
            key or "",
            f"{item.quantity} x {sku.code} {lot_number or ''} {condition}".strip(),
        )
        view = _view(uow, receipt)
        view["last_count"] = {
            "sku_code": sku.code,
            "lot_number": lot_number,
            "expiry_date": expiry.isoformat() if expiry else None,
            "quantity": item.quantity,
            "condition": str(condition),
        }
        return view

    payload = {"receipt_id": receipt_id, **item.payload()}
    return run_once(uow, actor, key, "receiving.count", payload, perform)


# --- closing -------------------------------------------------------------------------------


def close_receipt(
    uow: UnitOfWork, actor: Actor, receipt_id: int, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Post what was counted into stock, record discrepancies, create putaway tasks."""

    def perform() -> dict[str, Any]:
        receipt = _open_receipt(uow, actor, receipt_id)
        if not receipt.counts:
            raise Conflict("Nothing was counted on this receipt yet.", "receipt_id")
        fc = uow.session.get(FulfillmentCenter, receipt.fc_id)
        assert fc is not None
        today = fc_today(fc)
        counted = _counted(receipt)
        findings = find_discrepancies(
            _expected(receipt),
            counted,
            today=today,
            minimum_shelf_life_days=fc.min_remaining_shelf_life_days,
            blind=receipt.consignment is None,
        )
        reference = (
            receipt.consignment.reference if receipt.consignment else f"RCPT-{receipt.id:06d}"
        )
        skus = {count.sku_id: count.sku for count in receipt.counts}
        for sku_id in sorted(skus):
            lock_sku(uow, skus[sku_id])
        postings: dict[tuple[int, str | None, bool], tuple[date | None, int]] = defaultdict(
            lambda: (None, 0)
        )
        for count in counted:
            key_ = (count.sku_id, count.lot_number, goes_to_quarantine(count, today))
            expiry, units = postings[key_]
            postings[key_] = (count.expiry_date or expiry, units + count.quantity)
        tasks: list[MoveTask] = []
        for (sku_id, lot_number, quarantine), (expiry, units) in sorted(
            postings.items(), key=lambda item: (item[0][0], item[0][1] or "", item[0][2])
        ):
            sku = skus[sku_id]
            lot = lot_for_gain(uow, sku, lot_number, expiry)
            location = receipt.quarantine_location if quarantine else receipt.receiving_location
            post_gain(
                uow,
                actor,
                sku=sku,
                lot=lot,
                location=location,
                quantity=units,
                reason=MovementReason.RECEIVED,
                reference=reference,
                note="damaged or expired: quarantine" if quarantine else "",
                key=key,
            )
            if not quarantine:
                task = MoveTask(
                    fc_id=fc.id,
                    kind=TaskKind.PUTAWAY,
                    merchant_id=receipt.merchant_id,
                    sku_id=sku.id,
                    sku=sku,
                    lot_id=lot.id if lot else None,
                    lot=lot,
                    quantity=units,
                    from_location_id=location.id,
                    from_location=location,
                    receipt_id=receipt.id,
                    created_at=utcnow(),
                )
                uow.session.add(task)
                tasks.append(task)
        uow.session.flush()
        suggest_bins(uow, fc, tasks)
        discrepancies = [
            Discrepancy(
                receipt_id=receipt.id,
                fc_id=fc.id,
                merchant_id=receipt.merchant_id,
                consignment_id=receipt.consignment_id,
                kind=finding.kind,
                sku_id=finding.sku_id,
                lot_number=finding.lot_number,
                expected=finding.expected,
                received=finding.received,
                created_at=utcnow(),
            )
            for finding in findings
        ]
        uow.session.add_all(discrepancies)
        now = utcnow()
        carton_ids = {count.carton_id for count in receipt.counts if count.carton_id}
        for carton in uow.session.scalars(select(Carton).where(Carton.id.in_(carton_ids))):
            carton.received_at = now
        receipt.status = ReceiptStatus.CLOSED
        receipt.closed_by = actor.user_id
        receipt.closed_at = now
        receipt.current_carton_id = None
        if receipt.consignment is not None:
            set_status_by_receiving(uow, actor, receipt.consignment, ConsignmentStatus.RECEIVED)
        elif discrepancies:
            emit(
                uow,
                "receipt.discrepancies",
                receipt.merchant_id,
                {"receipt_id": receipt.id, "count": len(discrepancies)},
            )
        uow.session.flush()
        view = _view(uow, receipt)
        view["discrepancies"] = [discrepancy_view(item) for item in discrepancies]
        view["putaway_tasks"] = [task_view(task) for task in tasks]
        return view

    return run_once(uow, actor, key, "receiving.close", {"receipt_id": receipt_id}, perform)


def get_receipt(uow: UnitOfWork, actor: Actor, receipt_id: int) -> dict[str, Any]:
    _require_floor_role(actor)
    with uow:
        return _view(uow, visible_receipt(uow, actor, receipt_id))


def open_receipts(uow: UnitOfWork, actor: Actor, fc_id: int) -> list[dict[str, Any]]:
    """Receipts in progress at an FC, oldest first."""
    _require_floor_role(actor)
    with uow:
        fc = visible_fc(uow, actor, fc_id)
        receipts = uow.session.scalars(
            select(Receipt)
            .where(Receipt.fc_id == fc.id, Receipt.status == ReceiptStatus.OPEN)
            .order_by(Receipt.started_at)
        )
        return [receipt_view(receipt, progress(uow, receipt)) for receipt in receipts]
