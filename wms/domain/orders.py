"""Orders to ship: their life from received to shipped, and what the order's fields must hold."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from wms.domain.delivery_points import check_coordinates, check_window
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


# Orders still to ship: in the backlog, and cancellable until their parcel leaves.
OPEN_ORDERS = frozenset(
    {
        OrderStatus.RECEIVED,
        OrderStatus.BACKORDERED,
        OrderStatus.ALLOCATED,
        OrderStatus.WAVED,
        OrderStatus.PICKED,
        OrderStatus.PACKED,
    }
)
CANCELLABLE = OPEN_ORDERS
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
MASKED_PHONE = re.compile(r"^[(+]{0,2}[0-9][0-9*+ ()-]{5,24}$")
"""A phone as a marketplace shows it to the seller, digits partly hidden: (+60)1*****89."""
MAX_LINES = 200
MAX_UNITS_PER_LINE = 100_000


def check_cancel(status: OrderStatus) -> None:
    """Refuse to cancel an order that has shipped or is cancelled already."""
    if status not in CANCELLABLE:
        raise Conflict(f"An order that is {status} cannot be cancelled.", "status")


def check_phone(phone: str, field: str = "recipient_phone", *, masked: bool = False) -> str:
    """A phone number: digits with an optional leading +, spaces and dashes; with `masked`,
    also one whose digits the marketplace partly hid with '*' (it prints its own waybill)."""
    cleaned = phone.strip()
    if masked and "*" in cleaned and MASKED_PHONE.match(cleaned):
        return cleaned
    if not PHONE.match(cleaned):
        raise InvalidInput(
            "Give a phone number of digits, with an optional leading + and spaces or dashes.",
            field,
        )
    return cleaned


def order_status_after_allocation(ordered: int, allocated: int) -> OrderStatus:
    """A fully reserved order is ready for a wave; a partly reserved one waits for stock."""
    return OrderStatus.ALLOCATED if allocated >= ordered else OrderStatus.BACKORDERED


@dataclass(frozen=True)
class NewOrderLine:
    sku_code: str
    quantity: int


@dataclass(frozen=True)
class NewOrder:
    """An order as a merchant or a channel sends it."""

    fc_id: int
    carrier_id: int
    external_id: str
    ship_by: datetime
    recipient_name: str
    recipient_phone: str
    address: str
    city: str
    postcode: str
    country: str
    lines: tuple[NewOrderLine, ...]
    channel: str = "api"
    cod_amount: Decimal = Decimal("0")
    merchant_id: int | None = None
    delivery_latitude: float | None = None
    delivery_longitude: float | None = None
    delivery_window_open: time | None = None
    delivery_window_close: time | None = None

    def check(self) -> None:
        """Refuse an order whose own fields break a rule, naming the field."""
        if self.channel not in CHANNELS:
            raise InvalidInput(f"Choose one of {', '.join(CHANNELS)}.", "channel")
        if not self.external_id.strip():
            raise InvalidInput("Give the order's id in your system.", "external_id")
        if self.ship_by.tzinfo is None:
            raise InvalidInput("Give ship_by with a timezone offset.", "ship_by")
        for field in ("recipient_name", "address", "city"):
            if not str(getattr(self, field)).strip():
                raise InvalidInput("Must not be blank.", field)
        check_phone(self.recipient_phone, masked=self.channel != "api")
        if not self.lines:
            raise InvalidInput("An order needs at least one line.", "lines")
        if len(self.lines) > MAX_LINES:
            raise InvalidInput(f"At most {MAX_LINES} lines per order.", "lines")
        seen: set[str] = set()
        for index, line in enumerate(self.lines):
            if not 1 <= line.quantity <= MAX_UNITS_PER_LINE:
                raise InvalidInput(
                    f"Between 1 and {MAX_UNITS_PER_LINE} units.", f"lines.{index}.quantity"
                )
            if line.sku_code in seen:
                raise InvalidInput(
                    f"SKU {line.sku_code} is on two lines; put it on one.",
                    f"lines.{index}.sku_code",
                )
            seen.add(line.sku_code)
        if self.cod_amount < 0 or self.cod_amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise InvalidInput("A non-negative amount with at most 2 decimals.", "cod_amount")
        check_coordinates(self.delivery_latitude, self.delivery_longitude, "delivery_")
        check_window(self.delivery_window_open, self.delivery_window_close)
