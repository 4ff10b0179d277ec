"""Consignments: announce them with their ASN, follow and change their status, look them up.

An ASN (lines and cartons) is checked as a whole: every bad line or carton is reported with its
row, and nothing is written unless all of it is good.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import selectinload

from labels import gs1
from wms.db.base import utcnow
from wms.db.models import (
    Carton,
    CartonContent,
    Consignment,
    ConsignmentEvent,
    ConsignmentLine,
    Discrepancy,
    ExchangeRate,
    FulfillmentCenter,
    Lot,
    Merchant,
    Receipt,
    ReceiptCount,
    Sku,
)
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor, Role
from wms.domain.consignments import (
    EDITABLE,
    ROAD_CROSSING,
    AsnLine,
    CartonPlan,
    ConsignmentHeader,
    ConsignmentStatus,
    ShipmentMode,
    check_hs_code,
    check_may_set,
    check_transition,
)
from wms.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from wms.domain.identifiers import validate_sscc
from wms.domain.receiving import Condition
from wms.domain.stock import MAX_UNITS_PER_BALANCE
from wms.services.clock import fc_today
from wms.services.facilities import destination_fc, visible_fc
from wms.services.outbox import emit
from wms.services.paging import PageRequest, paginate
from wms.services.views import consignment_view, iso

STATUS_TOPIC = "consignment.status_changed"
DUPLICATE_SSCC = "An SSCC is already used by another carton."


@dataclass(frozen=True)
class RowError:
    """One reason an ASN row was refused: row 1 is the first line (or carton)."""

    section: str
    row: int
    field: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "row": self.row,
            "field": self.field,
            "message": self.message,
        }


class AsnRejected(InvalidInput):
    """The ASN has bad rows; none of it was written."""

    def __init__(self, errors: list[RowError]) -> None:
        fields: dict[str, list[str]] = defaultdict(list)
        for error in errors:
            fields[f"{error.section}.{error.row}.{error.field or 'row'}"].append(error.message)
        first = errors[0]
        super().__init__(
            f"{len(errors)} problem(s) in the ASN; nothing was saved. First: {first.section} "
            f"row {first.row}: {first.message}",
            f"{first.section}.{first.row}.{first.field or 'row'}",
            dict(fields),
        )
        self.errors = errors


# --- who sees what -------------------------------------------------------------------------


def visible_consignment(
    uow: UnitOfWork, actor: Actor, consignment_id: int, field: str = "consignment_id"
) -> Consignment:
    """Merchants see their own consignments; warehouse people those bound for their FCs."""
    consignment = uow.session.get(Consignment, consignment_id)
    if consignment is None or not _may_see(actor, consignment):
        raise NotFound("No such consignment.", field)
    return consignment


def _may_see(actor: Actor, consignment: Consignment) -> bool:
    if actor.is_merchant:
        return consignment.merchant_id == actor.merchant_id
    return actor.works_in(consignment.fc_id)


def _scope(query: Select[Any], actor: Actor) -> Select[Any]:
    if actor.is_merchant:
        return query.where(Consignment.merchant_id == actor.merchant_id)
    if not actor.is_admin:
        return query.where(Consignment.fc_id.in_(actor.fc_ids))
    return query


def _announcing_merchant(uow: UnitOfWork, actor: Actor, merchant_id: int | None) -> Merchant:
    """Merchants announce their own goods; managers and admins may do it on a merchant's behalf."""
    if actor.is_merchant:
        if merchant_id is not None and merchant_id != actor.merchant_id:
            raise NotFound("No such merchant.", "merchant_id")
        merchant_id = actor.merchant_id
    elif not actor.may_edit_catalogue_of(merchant_id or 0):
        raise PermissionDenied("Merchants, managers and admins announce consignments.")
    elif merchant_id is None:
        raise InvalidInput("Name the merchant whose goods these are.", "merchant_id")
    merchant = uow.session.get(Merchant, merchant_id)
    if merchant is None:
        raise NotFound("No such merchant.", "merchant_id")
    return merchant


# --- exchange rates --------------------------------------------------------------------------


def rate_for(uow: UnitOfWork, currency: str, on: date) -> tuple[Decimal, date]:
    """The THB→`currency` rate in force on `on`, and the day it took effect."""
    if currency == "THB":
        return Decimal(1), on
    rate = uow.session.scalar(
        select(ExchangeRate)
        .where(
            ExchangeRate.base_currency == "THB",
            ExchangeRate.quote_currency == currency,
            ExchangeRate.valid_from <= on,
        )
        .order_by(ExchangeRate.valid_from.desc())
        .limit(1)
    )
    if rate is None:
        raise InvalidInput(
            f"No THB→{currency} exchange rate is recorded for {on.isoformat()}; "
            "an admin or manager records one first.",
            "fc_id",
        )
    return rate.rate, rate.valid_from


def record_exchange_rate(
    uow: UnitOfWork, actor: Actor, currency: str, rate: Decimal, valid_from: date
) -> dict[str, Any]:
    """Record how many units of `currency` one THB buys from `valid_from` on."""
    if actor.role not in (Role.ADMIN, Role.MANAGER):
        raise PermissionDenied("Admins and managers record exchange rates.")
    if len(currency) != 3 or not currency.isalpha() or not currency.isupper():
        raise InvalidInput("An ISO 4217 code of three capital letters.", "currency")
    if currency == "THB":
        raise InvalidInput("Rates are from THB to another currency.", "currency")
    if rate <= 0:
        raise InvalidInput("Must be greater than zero.", "rate")
    with uow:
        row = ExchangeRate(
            base_currency="THB",
            quote_currency=currency,
            rate=rate,
            valid_from=valid_from,
            created_by=actor.user_id,
        )
        uow.session.add(row)
        uow.flush_unique(f"A THB→{currency} rate already starts on that day.", "valid_from")
        uow.commit()
        return {
            "id": row.id,
            "base_currency": "THB",
            "quote_currency": currency,
            "rate": str(rate),
            "valid_from": iso(valid_from),
        }


# --- announcing ------------------------------------------------------------------------------


def _check_header(header: ConsignmentHeader) -> None:
    if not header.origin_name.strip():
        raise InvalidInput("Who sends the goods: a name is required.", "origin_name")
    if not header.origin_address.strip():
        raise InvalidInput("The pick-up address in Thailand is required.", "origin_address")


def _sku_index(uow: UnitOfWork, merchant_id: int, codes: set[str]) -> dict[str, Sku]:
    if not codes:
        return {}
    skus = uow.session.scalars(
        select(Sku).where(Sku.merchant_id == merchant_id, Sku.code.in_(codes))
    )
    return {sku.code: sku for sku in skus}


def _check_line(uow: UnitOfWork, sku: Sku, line: AsnLine) -> tuple[str, Decimal, date | None]:
    """The line's HS code, unit value and expiry, after the SKU's rules; raises InvalidInput."""
    if not 1 <= line.quantity <= MAX_UNITS_PER_BALANCE:
        raise InvalidInput("Must be a whole number greater than zero.", "quantity")
    expiry = line.expiry_date
    if sku.lot_tracked and not line.lot_number:
        raise InvalidInput(f"SKU {sku.code} is lot-tracked: give the lot.", "lot_number")
    if not sku.lot_tracked and line.lot_number:
        raise InvalidInput(f"SKU {sku.code} is not lot-tracked: give no lot.", "lot_number")
    if line.lot_number:
        known = uow.session.scalar(
            select(Lot).where(Lot.sku_id == sku.id, Lot.lot_number == line.lot_number)
        )
        if known is not None and known.expiry_date is not None:
            if expiry is not None and expiry != known.expiry_date:
                raise InvalidInput(
                    f"Lot {line.lot_number} is known to expire on {known.expiry_date.isoformat()}.",
                    "expiry_date",
                )
            expiry = known.expiry_date
    if sku.expiry_tracked and expiry is None:
        raise InvalidInput(
            f"SKU {sku.code} is expiry-tracked: give the expiry date.", "expiry_date"
        )
    if not sku.expiry_tracked and line.expiry_date is not None:
        raise InvalidInput(f"SKU {sku.code} does not track expiry: give none.", "expiry_date")
    hs_code = line.hs_code if line.hs_code else sku.hs_code
    if not hs_code:
        raise InvalidInput(f"Give the HS code (SKU {sku.code} has none recorded).", "hs_code")
    hs_code = check_hs_code(hs_code)
    if line.unit_value_thb is not None:
        value = line.unit_value_thb
    elif sku.declared_currency == "THB":
        value = sku.declared_value
    else:
        raise InvalidInput("Give the unit value in THB.", "unit_value_thb")
    if not 0 <= value < Decimal("1e12") or value != value.quantize(Decimal("0.01")):
        raise InvalidInput("A THB amount ≥ 0 with at most 2 decimals.", "unit_value_thb")
    return hs_code, value, expiry


def _build_lines(
    uow: UnitOfWork, merchant: Merchant, lines: list[AsnLine], errors: list[RowError]
) -> list[ConsignmentLine]:
    skus = _sku_index(uow, merchant.id, {line.sku_code for line in lines})
    built: list[ConsignmentLine] = []
    seen: dict[tuple[int, str | None], int] = {}
    for row, line in enumerate(lines, start=1):
        sku = skus.get(line.sku_code)
        if sku is None:
            errors.append(
                RowError(
                    "lines",
                    row,
                    "sku_code",
                    f"No SKU '{line.sku_code}' in {merchant.code}'s catalogue.",
                )
            )
            continue
        try:
            hs_code, value, expiry = _check_line(uow, sku, line)
        except InvalidInput as error:
            errors.append(RowError("lines", row, error.field, error.message))
            continue
        key = (sku.id, line.lot_number)
        if key in seen:
            errors.append(
                RowError(
                    "lines",
                    row,
                    "lot_number",
                    f"Same SKU and lot as line {seen[key]}; add the units there.",
                )
            )
            continue
        seen[key] = row
        built.append(
            ConsignmentLine(
                line_number=row,
                sku_id=sku.id,
                sku=sku,
                quantity=line.quantity,
                lot_number=line.lot_number or None,
                expiry_date=expiry,
                hs_code=hs_code,
                unit_value_thb=value,
            )
        )
    return built


def next_sscc(uow: UnitOfWork, fc: FulfillmentCenter, field: str = "sscc") -> str:
    """A new SSCC under the FC's GS1 company prefix; serials are never reused."""
    if not fc.gs1_company_prefix:
        raise InvalidInput(
            f"{fc.code} has no GS1 company prefix configured to generate SSCCs; give the SSCC.",
            field,
        )
    # One atomic increment in the database, like a sequence: concurrent callers queue on the
    # row and each gets the next number. (Reading the counter through the session could see a
    # value the identity map loaded before another transaction moved it on.)
    row = uow.session.execute(
        update(FulfillmentCenter)
        .where(FulfillmentCenter.id == fc.id)
        .values(last_sscc_serial=FulfillmentCenter.last_sscc_serial + 1)
        .returning(
            FulfillmentCenter.last_sscc_serial,
            FulfillmentCenter.sscc_extension_digit,
            FulfillmentCenter.gs1_company_prefix,
        )
        .execution_options(synchronize_session=False)
    ).one()
    serial, extension_digit, prefix = row
    if not prefix:
        raise InvalidInput(f"{fc.code} has no GS1 company prefix configured.", field)
    try:
        return gs1.make_sscc(extension_digit, prefix, serial)
    except gs1.GS1Error as error:  # the prefix has run out of serials, or is set up wrong
        raise InvalidInput(str(error), field) from None


def _build_cartons(
    uow: UnitOfWork,
    fc: FulfillmentCenter,
    merchant: Merchant,
    cartons: list[CartonPlan],
    lines: list[ConsignmentLine],
    line_count: int,
    errors: list[RowError],
) -> list[Carton]:
    by_number = {line.line_number: line for line in lines}
    packed: dict[int, int] = defaultdict(int)
    seen: dict[str, int] = {}
    built: list[Carton] = []
    for row, plan in enumerate(cartons, start=1):
        sscc = None
        if plan.sscc:
            try:
                sscc = validate_sscc(plan.sscc)
            except InvalidInput as error:
                errors.append(RowError("cartons", row, "sscc", error.message))
                continue
            if sscc in seen:
                errors.append(
                    RowError("cartons", row, "sscc", f"Same SSCC as carton {seen[sscc]}.")
                )
                continue
            if uow.session.scalar(select(Carton.id).where(Carton.sscc == sscc)) is not None:
                errors.append(RowError("cartons", row, "sscc", DUPLICATE_SSCC))
                continue
            seen[sscc] = row
        if plan.gross_weight_g is not None and not 0 < plan.gross_weight_g <= 1_000_000:
            errors.append(
                RowError(
                    "cartons",
                    row,
                    "gross_weight_g",
                    "Grams, greater than zero and at most 1,000,000.",
                )
            )
            continue
        if plan.dimensions_mm is not None and not all(
            0 < size <= 5000 for size in plan.dimensions_mm
        ):
            errors.append(
                RowError("cartons", row, "dimensions_mm", "Millimetres, each from 1 to 5,000.")
            )
            continue
        length, width, height = plan.dimensions_mm or (None, None, None)
        carton = Carton(
            merchant_id=merchant.id,
            sscc=sscc or "",
            generated=sscc is None,
            gross_weight_g=plan.gross_weight_g,
            length_mm=length,
            width_mm=width,
            height_mm=height,
        )
        good = True
        for line_number, quantity in plan.contents:
            line = by_number.get(line_number)
            if line is None:
                if not 1 <= line_number <= line_count:
                    errors.append(
                        RowError("cartons", row, "contents", f"There is no ASN line {line_number}.")
                    )
                good = False
                continue
            if quantity <= 0:
                errors.append(RowError("cartons", row, "contents", "Units must be above zero."))
                good = False
                continue
            packed[line_number] += quantity
            carton.contents.append(CartonContent(line=line, quantity=quantity))
        if good:
            built.append(carton)
    refused = len(built) < len(cartons)
    if any(plan.contents for plan in cartons) and not refused:
        for line in lines:
            if packed[line.line_number] != line.quantity:
                errors.append(
                    RowError(
                        "lines",
                        line.line_number,
                        "quantity",
                        f"The cartons hold {packed[line.line_number]} unit(s) of this line; "
                        f"the line announces {line.quantity}.",
                    )
                )
    if not errors:
        for carton in built:
            if carton.generated:
                carton.sscc = next_sscc(uow, fc, "cartons")
    return built


def _replace_asn(
    uow: UnitOfWork,
    consignment: Consignment,
    merchant: Merchant,
    fc: FulfillmentCenter,
    lines: list[AsnLine],
    cartons: list[CartonPlan],
) -> None:
    """Swap the consignment's ASN for a new one, or raise AsnRejected and change nothing."""
    errors: list[RowError] = []
    if len(lines) > 5000 or len(cartons) > 5000:
        raise InvalidInput("At most 5,000 lines and 5,000 cartons per consignment.", "lines")
    built_lines = _build_lines(uow, merchant, lines, errors)
    built_cartons = _build_cartons(uow, fc, merchant, cartons, built_lines, len(lines), errors)
    if errors:
        raise AsnRejected(sorted(errors, key=lambda e: (e.section != "lines", e.row)))
    for carton in list(consignment.cartons):
        uow.session.delete(carton)
    for line in list(consignment.lines):
        uow.session.delete(line)
    uow.session.flush()
    consignment.lines = built_lines
    consignment.cartons = built_cartons
    uow.flush_unique(DUPLICATE_SSCC, "cartons")


def _record_status(
    uow: UnitOfWork,
    actor: Actor | None,
    consignment: Consignment,
    target: ConsignmentStatus,
    note: str = "",
) -> None:
    """Append the status change to the timeline and to the outbox, in this transaction."""
    previous = None if target is ConsignmentStatus.DRAFT else consignment.status
    consignment.status = target
    consignment.updated_at = utcnow()
    event = ConsignmentEvent(
        from_status=previous,
        to_status=target,
        actor_id=actor.user_id if actor else None,
        note=note,
        created_at=utcnow(),
    )
    consignment.events.append(event)
    emit(
        uow,
        STATUS_TOPIC,
        consignment.merchant_id,
        {
            "consignment_id": consignment.id,
            "reference": consignment.reference,
            "from_status": str(previous) if previous else None,
            "status": str(target),
            "changed_by": actor.name if actor else "system",
            "note": note,
        },
    )


def create_consignment(
    uow: UnitOfWork,
    actor: Actor,
    header: ConsignmentHeader,
    lines: list[AsnLine],
    cartons: list[CartonPlan],
) -> dict[str, Any]:
    """A new draft consignment with its ASN; the THB rate in force today is recorded on it."""
    _check_header(header)
    with uow:
        merchant = _announcing_merchant(uow, actor, header.merchant_id)
        fc = destination_fc(uow, actor, header.fc_id)
        rate, rate_date = rate_for(uow, fc.currency, fc_today(fc))
        crossing = header.border_crossing
        if crossing is None:
            crossing = ROAD_CROSSING if header.mode is ShipmentMode.ROAD else ""
        consignment = Consignment(
            reference=f"NEW-{uuid.uuid4().hex[:20]}",
            merchant_id=merchant.id,
            fc_id=fc.id,
            status=ConsignmentStatus.DRAFT,
            mode=header.mode,
            border_crossing=crossing.strip(),
            origin_name=header.origin_name.strip(),
            origin_address=header.origin_address.strip(),
            carrier=header.carrier.strip(),
            tracking_number=header.tracking_number.strip(),
            eta=header.eta,
            form_d_reference=header.form_d_reference.strip(),
            customs_declaration_number=header.customs_declaration_number.strip(),
            fc_currency=fc.currency,
            exchange_rate=rate,
            exchange_rate_date=rate_date,
            note=header.note.strip(),
            created_by=actor.user_id,
        )
        uow.session.add(consignment)
        uow.session.flush()
        consignment.reference = f"CN-{fc.code}-{consignment.id:06d}"
        _replace_asn(uow, consignment, merchant, fc, lines, cartons)
        _record_status(uow, actor, consignment, ConsignmentStatus.DRAFT, "announced")
        uow.session.flush()
        result = _detail(uow, consignment)
        uow.commit()
        return result


def replace_asn(
    uow: UnitOfWork,
    actor: Actor,
    consignment_id: int,
    lines: list[AsnLine],
    cartons: list[CartonPlan],
) -> dict[str, Any]:
    """Replace a draft consignment's ASN lines and cartons, all or nothing."""
    with uow:
        consignment = _editable(uow, actor, consignment_id)
        _replace_asn(uow, consignment, consignment.merchant, consignment.fc, lines, cartons)
        consignment.updated_at = utcnow()
        uow.session.flush()
        result = _detail(uow, consignment)
        uow.commit()
        return result


def _editable(uow: UnitOfWork, actor: Actor, consignment_id: int) -> Consignment:
    consignment = visible_consignment(uow, actor, consignment_id)
    if not actor.is_merchant and not actor.may_edit_catalogue_of(consignment.merchant_id):
        raise PermissionDenied("Merchants, managers and admins change an ASN.")
    if consignment.status not in EDITABLE:
        raise Conflict(
            f"The ASN of a {consignment.status} consignment is what was sent; only drafts change.",
            "status",
        )
    return consignment


TRANSPORT_FIELDS = (
    "carrier",
    "tracking_number",
    "eta",
    "form_d_reference",
    "customs_declaration_number",
)
BEFORE_ARRIVAL = frozenset(
    {
        ConsignmentStatus.DRAFT,
        ConsignmentStatus.SUBMITTED,
        ConsignmentStatus.IN_TRANSIT,
        ConsignmentStatus.AT_CUSTOMS,
        ConsignmentStatus.HELD,
    }
)


def update_transport(
    uow: UnitOfWork, actor: Actor, consignment_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """Correct carrier, tracking, ETA and customs references until the goods arrive."""
    unknown = set(changes) - set(TRANSPORT_FIELDS)
    if unknown:
        raise InvalidInput(f"Only {', '.join(TRANSPORT_FIELDS)} change here.", sorted(unknown)[0])
    with uow:
        consignment = visible_consignment(uow, actor, consignment_id)
        if consignment.status not in BEFORE_ARRIVAL:
            raise Conflict(
                f"A {consignment.status} consignment has arrived; its transport details are final.",
                "status",
            )
        for name, value in changes.items():
            setattr(consignment, name, value.strip() if isinstance(value, str) else value)
        consignment.updated_at = utcnow()
        result = _detail(uow, consignment)
        uow.commit()
        return result


def change_status(
    uow: UnitOfWork,
    actor: Actor,
    consignment_id: int,
    target: ConsignmentStatus,
    note: str = "",
) -> dict[str, Any]:
    """Move a consignment along its journey; an illegal step is a 409 and changes nothing."""
    with uow:
        consignment = visible_consignment(uow, actor, consignment_id)
        locked = uow.session.scalar(
            select(Consignment).where(Consignment.id == consignment.id).with_for_update()
        )
        assert locked is not None
        check_may_set(actor, target)
        check_transition(locked.status, target)
        if target is ConsignmentStatus.SUBMITTED and not locked.lines:
            raise Conflict("An ASN with no lines cannot be submitted.", "lines")
        if target is ConsignmentStatus.CLOSED:
            open_count = uow.session.scalar(
                select(Discrepancy.id)
                .where(Discrepancy.consignment_id == locked.id, Discrepancy.resolved_at.is_(None))
                .limit(1)
            )
            if open_count is not None:
                raise Conflict(
                    "Resolve the consignment's discrepancies before closing it.", "status"
                )
        _record_status(uow, actor, locked, target, note.strip())
        uow.session.flush()
        result = _detail(uow, locked)
        uow.commit()
        return result


def set_status_by_receiving(
    uow: UnitOfWork, actor: Actor, consignment: Consignment, target: ConsignmentStatus
) -> None:
    """Receiving moves arrived → receiving → received itself, inside its own transaction."""
    check_transition(consignment.status, target)
    _record_status(uow, actor, consignment, target)


# --- looking up ------------------------------------------------------------------------------


def received_by_line(
    uow: UnitOfWork, consignment: Consignment
) -> dict[tuple[int, str | None], dict[str, int]]:
    """Units counted so far per SKU and lot on the consignment's receipts, good and damaged."""
    rows = uow.session.execute(
        select(
            ReceiptCount.sku_id,
            ReceiptCount.lot_number,
            ReceiptCount.condition,
            ReceiptCount.quantity,
        )
        .join(Receipt, Receipt.id == ReceiptCount.receipt_id)
        .where(Receipt.consignment_id == consignment.id)
    )
    totals: dict[tuple[int, str | None], dict[str, int]] = defaultdict(
        lambda: {"good": 0, "damaged": 0}
    )
    for sku_id, lot_number, condition, quantity in rows:
        bucket = "damaged" if condition is Condition.DAMAGED else "good"
        totals[(sku_id, lot_number)][bucket] += quantity
    return totals


def _detail(uow: UnitOfWork, consignment: Consignment) -> dict[str, Any]:
    discrepancies = list(
        uow.session.scalars(
            select(Discrepancy)
            .where(Discrepancy.consignment_id == consignment.id)
            .order_by(Discrepancy.id)
        )
    )
    return consignment_view(
        consignment,
        received=received_by_line(uow, consignment),
        discrepancies=discrepancies,
        detail=True,
    )


def get_consignment(uow: UnitOfWork, actor: Actor, consignment_id: int) -> dict[str, Any]:
    with uow:
        return _detail(uow, visible_consignment(uow, actor, consignment_id))


def find_by_reference(uow: UnitOfWork, actor: Actor, reference: str) -> dict[str, Any]:
    with uow:
        consignment = uow.session.scalar(
            select(Consignment).where(Consignment.reference == reference.strip().upper())
        )
        if consignment is None or not _may_see(actor, consignment):
            raise NotFound(f"No consignment {reference.strip()}.", "reference")
        return _detail(uow, consignment)


def list_consignments(
    uow: UnitOfWork,
    actor: Actor,
    page: PageRequest,
    *,
    fc_id: int | None = None,
    status: ConsignmentStatus | None = None,
    merchant_id: int | None = None,
    eta_from: date | None = None,
    eta_to: date | None = None,
) -> dict[str, Any]:
    """Consignments the actor may see, soonest ETA first."""
    with uow:
        query = _scope(
            select(Consignment)
            .options(selectinload(Consignment.lines), selectinload(Consignment.cartons))
            .order_by(Consignment.eta, Consignment.id),
            actor,
        )
        if fc_id is not None:
            query = query.where(Consignment.fc_id == fc_id)
        if status is not None:
            query = query.where(Consignment.status == status)
        if merchant_id is not None:
            query = query.where(Consignment.merchant_id == merchant_id)
        if eta_from is not None:
            query = query.where(Consignment.eta >= eta_from)
        if eta_to is not None:
            query = query.where(Consignment.eta <= eta_to)
        return paginate(uow.session, query, page, consignment_view)


INBOUND = (
    ConsignmentStatus.SUBMITTED,
    ConsignmentStatus.IN_TRANSIT,
    ConsignmentStatus.AT_CUSTOMS,
    ConsignmentStatus.HELD,
    ConsignmentStatus.ARRIVED,
    ConsignmentStatus.RECEIVING,
)


def fc_local_date(uow: UnitOfWork, actor: Actor, fc_id: int) -> date:
    """Today at the FC."""
    with uow:
        return fc_today(visible_fc(uow, actor, fc_id))


def dock_schedule(
    uow: UnitOfWork, actor: Actor, fc_id: int, start: date, days: int
) -> list[dict[str, Any]]:
    """Consignments still to be received at an FC, by ETA day (overdue ones on the first day)."""
    if not 1 <= days <= 62:
        raise InvalidInput("Between 1 and 62 days.", "days")
    with uow:
        fc = visible_fc(uow, actor, fc_id)
        end = date.fromordinal(start.toordinal() + days - 1)
        rows = uow.session.scalars(
            select(Consignment)
            .options(
                selectinload(Consignment.lines),
                selectinload(Consignment.cartons),
                selectinload(Consignment.merchant),
            )
            .where(
                Consignment.fc_id == fc.id, Consignment.status.in_(INBOUND), Consignment.eta <= end
            )
            .order_by(Consignment.eta, Consignment.reference)
        )
        by_day: dict[date, list[dict[str, Any]]] = defaultdict(list)
        for consignment in rows:
            day = max(consignment.eta, start)
            by_day[day].append(consignment_view(consignment))
        return [
            {"date": iso(day), "consignments": by_day.get(day, [])}
            for day in (date.fromordinal(start.toordinal() + offset) for offset in range(days))
        ]
