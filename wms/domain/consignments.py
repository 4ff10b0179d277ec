"""Consignments from Thailand: how they travel, their status and who may change it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from wms.domain.actors import Actor, Role
from wms.domain.errors import Conflict, InvalidInput, PermissionDenied


class ShipmentMode(enum.StrEnum):
    """How a consignment crosses from Thailand."""

    ROAD = "road"
    SEA = "sea"
    AIR = "air"


ROAD_CROSSING = "Sadao–Bukit Kayu Hitam"


class ConsignmentStatus(enum.StrEnum):
    """Where a consignment is on its way from the merchant to the FC's bins."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_TRANSIT = "in_transit"
    AT_CUSTOMS = "at_customs"
    HELD = "held"
    ARRIVED = "arrived"
    RECEIVING = "receiving"
    RECEIVED = "received"
    CLOSED = "closed"
    CANCELLED = "cancelled"


S = ConsignmentStatus
NEXT_STATUSES: dict[ConsignmentStatus, frozenset[ConsignmentStatus]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.CANCELLED}),
    S.SUBMITTED: frozenset({S.IN_TRANSIT, S.CANCELLED}),
    S.IN_TRANSIT: frozenset({S.AT_CUSTOMS, S.CANCELLED}),
    S.AT_CUSTOMS: frozenset({S.HELD, S.ARRIVED, S.CANCELLED}),
    S.HELD: frozenset({S.AT_CUSTOMS, S.ARRIVED, S.CANCELLED}),
    S.ARRIVED: frozenset({S.RECEIVING}),
    S.RECEIVING: frozenset({S.RECEIVED}),
    S.RECEIVED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}

# Statuses the merchant reports (its forwarder and broker tell it), and those the FC sets.
MERCHANT_SETS = frozenset({S.SUBMITTED, S.IN_TRANSIT, S.AT_CUSTOMS, S.CANCELLED})
WAREHOUSE_SETS = frozenset({S.IN_TRANSIT, S.AT_CUSTOMS, S.HELD, S.ARRIVED, S.CANCELLED, S.CLOSED})
# Receiving moves these two on its own: opening the first receipt, closing the last.
SET_BY_RECEIVING = frozenset({S.RECEIVING, S.RECEIVED})
# Goods on their way can still be announced differently; after that the ASN is what was sent.
EDITABLE = frozenset({S.DRAFT})
RECEIVABLE = frozenset({S.ARRIVED, S.RECEIVING})


def check_transition(current: ConsignmentStatus, target: ConsignmentStatus) -> None:
    """Refuse a status change the state machine does not allow (409)."""
    if target not in NEXT_STATUSES[current]:
        allowed = ", ".join(sorted(NEXT_STATUSES[current])) or "none (it is final)"
        raise Conflict(
            f"A consignment cannot go from {current} to {target}; from {current} it can go to: "
            f"{allowed}.",
            "status",
        )


def check_may_set(actor: Actor, target: ConsignmentStatus) -> None:
    """Merchants report the journey; the FC records customs holds, arrival and closing."""
    if target in SET_BY_RECEIVING:
        raise Conflict(f"Status {target} is set by receiving on the dock, not by hand.", "status")
    allowed = MERCHANT_SETS if actor.role is Role.MERCHANT else WAREHOUSE_SETS
    if target not in allowed:
        who = "merchants" if actor.role is Role.MERCHANT else "the warehouse"
        raise PermissionDenied(f"Status {target} is not set by {who}.", "status")


def settable_statuses(actor: Actor, current: ConsignmentStatus) -> list[ConsignmentStatus]:
    """The statuses this actor may move a consignment to from `current`, in journey order."""
    may_set = MERCHANT_SETS if actor.role is Role.MERCHANT else WAREHOUSE_SETS
    following = NEXT_STATUSES[current] & may_set
    return [status for status in ConsignmentStatus if status in following]


def convert(amount_thb: Decimal, rate: Decimal) -> Decimal:
    """A THB amount in the FC's currency at a recorded rate, rounded half up to 2 places."""
    return (amount_thb * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class AsnLine:
    """One announced line: so many units of a SKU, of one lot."""

    sku_code: str
    quantity: int
    lot_number: str | None
    expiry_date: date | None
    hs_code: str | None
    unit_value_thb: Decimal | None


HS_CODE_DIGITS = (6, 8, 10, 12)


def check_hs_code(value: str, field: str = "hs_code") -> str:
    """An HS code: 6 to 12 digits (dots allowed between groups); returned as digits only."""
    digits = value.replace(".", "").strip()
    if not digits.isdigit() or not digits.isascii() or len(digits) not in HS_CODE_DIGITS:
        raise InvalidInput("An HS code has 6, 8, 10 or 12 digits, e.g. 0810.90.", field)
    return digits


@dataclass(frozen=True)
class CartonPlan:
    """An announced carton: its SSCC (or None to have one generated) and its contents."""

    sscc: str | None
    gross_weight_g: int | None
    contents: tuple[tuple[int, int], ...]  # (ASN line number, units)
    dimensions_mm: tuple[int, int, int] | None = None  # outer length, width, height


@dataclass(frozen=True)
class ConsignmentHeader:
    """What a merchant tells about a consignment before it leaves Thailand."""

    fc_id: int
    mode: ShipmentMode
    origin_name: str
    origin_address: str
    eta: date
    carrier: str = ""
    tracking_number: str = ""
    border_crossing: str | None = None
    form_d_reference: str = ""
    customs_declaration_number: str = ""
    note: str = ""
    merchant_id: int | None = None
