"""What a receipt found against what was announced: the discrepancies, and where goods go."""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass
from datetime import date


class DiscrepancyKind(enum.StrEnum):
    """Ways a receipt differs from the ASN, or goods are unfit to stock."""

    SHORT = "short"
    OVER = "over"
    DAMAGED = "damaged"
    UNEXPECTED_SKU = "unexpected_sku"
    WRONG_LOT = "wrong_lot"
    EXPIRED = "expired"
    NEAR_EXPIRY = "near_expiry"


class Condition(enum.StrEnum):
    """The state a counted unit arrived in."""

    GOOD = "good"
    DAMAGED = "damaged"


class ReceiptStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Expected:
    """Announced units of one SKU and lot."""

    sku_id: int
    lot_number: str | None
    quantity: int


@dataclass(frozen=True)
class Counted:
    """Units counted on the dock of one SKU and lot, in one condition."""

    sku_id: int
    lot_number: str | None
    expiry_date: date | None
    quantity: int
    condition: Condition


@dataclass(frozen=True)
class Finding:
    """A discrepancy found at close: what was expected and what was received."""

    kind: DiscrepancyKind
    sku_id: int
    lot_number: str | None
    expected: int
    received: int


def shelf_life_finding(counted: Counted, today: date, minimum_days: int) -> DiscrepancyKind | None:
    """EXPIRED or NEAR_EXPIRY when a lot has less remaining shelf life than the FC accepts."""
    if counted.expiry_date is None:
        return None
    if counted.expiry_date < today:
        return DiscrepancyKind.EXPIRED
    if (counted.expiry_date - today).days < minimum_days:
        return DiscrepancyKind.NEAR_EXPIRY
    return None


def goes_to_quarantine(counted: Counted, today: date) -> bool:
    """Damaged and expired units are kept apart from sellable stock."""
    return counted.condition is Condition.DAMAGED or (
        counted.expiry_date is not None and counted.expiry_date < today
    )


def find_discrepancies(
    expected: list[Expected],
    counted: list[Counted],
    *,
    today: date,
    minimum_shelf_life_days: int,
    blind: bool = False,
) -> list[Finding]:
    """Every discrepancy of a receipt; a blind receipt (no ASN) has no short, over or lot ones."""
    findings: list[Finding] = []
    wanted: dict[tuple[int, str | None], int] = defaultdict(int)
    for line in expected:
        wanted[(line.sku_id, line.lot_number)] += line.quantity
    got: dict[tuple[int, str | None], int] = defaultdict(int)
    damaged: dict[tuple[int, str | None], int] = defaultdict(int)
    for count in counted:
        key = (count.sku_id, count.lot_number)
        got[key] += count.quantity
        if count.condition is Condition.DAMAGED:
            damaged[key] += count.quantity
    announced_skus = {sku_id for sku_id, _ in wanted}
    if not blind:
        for key, quantity in sorted(wanted.items(), key=_order):
            received = got.get(key, 0)
            if received < quantity:
                findings.append(Finding(DiscrepancyKind.SHORT, *key, quantity, received))
            elif received > quantity:
                findings.append(Finding(DiscrepancyKind.OVER, *key, quantity, received))
        for key, received in sorted(got.items(), key=_order):
            if key in wanted:
                continue
            kind = (
                DiscrepancyKind.WRONG_LOT
                if key[0] in announced_skus
                else DiscrepancyKind.UNEXPECTED_SKU
            )
            findings.append(Finding(kind, *key, 0, received))
    for key, quantity in sorted(damaged.items(), key=_order):
        findings.append(Finding(DiscrepancyKind.DAMAGED, *key, 0, quantity))
    seen: set[tuple[DiscrepancyKind, int, str | None]] = set()
    for count in counted:
        kind = shelf_life_finding(count, today, minimum_shelf_life_days)
        if kind is None or (kind, count.sku_id, count.lot_number) in seen:
            continue
        seen.add((kind, count.sku_id, count.lot_number))
        received = got[(count.sku_id, count.lot_number)]
        findings.append(Finding(kind, count.sku_id, count.lot_number, 0, received))
    return findings


def _order(item: tuple[tuple[int, str | None], int]) -> tuple[int, str]:
    (sku_id, lot), _ = item
    return sku_id, lot or ""
