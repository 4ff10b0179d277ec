"""Orders to ship: their life from received to shipped, and what the order's fields must hold."""

from __future__ import annotations

import enum
import re

from wms.domain.errors import Conflict, InvalidInput


class OrderStatus(enum.StrEnum):
    """Where an order stands on its way out of the FC."""

    RECEIVED = "received"
    BACKORDERED = "backordered"
    ALLOCATED = "allocated"
    WAVED = "waved"
    PICKED = "picked"
    PACKED = "packed"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


# An order can be cancelled until its parcel leaves with a carrier.
CANCELLABLE = frozenset(
    {
        OrderStatus.RECEIVED,
        OrderStatus.BACKORDERED,
        OrderStatus.ALLOCATED,
        OrderStatus.WAVED,
        OrderStatus.PICKED,
        OrderStatus.PACKED,
    }
)
# Orders whose lines may still get stock reserved.
ALLOCATABLE = frozenset({OrderStatus.RECEIVED, OrderStatus.BACKORDERED})
# Orders that are waiting to be planned into a wave.
WAVEABLE = frozenset({OrderStatus.ALLOCATED})


class AllocationStatus(enum.StrEnum):
    """A reservation of stock for an order line, and what became of it."""

    RESERVED = "reserved"
    PICKED = "picked"
    SHIPPED = "shipped"
    SHORT = "short"
    CANCELLED = "cancelled"


OPEN_ALLOCATIONS = frozenset({AllocationStatus.RESERVED, AllocationStatus.PICKED})

CHANNELS = ("api", "shopee", "lazada", "tiktok")
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,24}$")
MAX_LINES = 200
MAX_UNITS_PER_LINE = 100_000


def check_cancel(status: OrderStatus) -> None:
    """Refuse to cancel an order that has shipped or is cancelled already."""
    if status not in CANCELLABLE:
        raise Conflict(f"An order that is {status} cannot be cancelled.", "status")


def check_phone(phone: str) -> str:
    """A recipient phone number: digits with an optional leading +, spaces and dashes."""
    cleaned = phone.strip()
    if not PHONE.match(cleaned):
        raise InvalidInput(
            "Give a phone number of digits, with an optional leading + and spaces or dashes.",
            "recipient_phone",
        )
    return cleaned


def order_status_after_allocation(ordered: int, allocated: int) -> OrderStatus:
    """A fully reserved order is ready for a wave; a partly reserved one waits for stock."""
    return OrderStatus.ALLOCATED if allocated >= ordered else OrderStatus.BACKORDERED
