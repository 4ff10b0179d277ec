"""Stock rules: quantities on hand and reserved, and the reasons stock changes."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from wms.domain.errors import InsufficientStock, InvalidInput


class MovementReason(enum.StrEnum):
    """Why a StockMovement happened; every change of stock carries one."""

    MOVE = "move"
    COUNT_CORRECTION = "count_correction"
    DAMAGED = "damaged"
    EXPIRED = "expired"
    FOUND = "found"
    LOST = "lost"
    OPENING_BALANCE = "opening_balance"
    RECEIVED = "received"
    PUTAWAY = "putaway"
    PICKED = "picked"
    SHIPPED = "shipped"
    SHORT_PICK = "short_pick"


ADJUSTMENT_REASONS = frozenset(
    {
        MovementReason.COUNT_CORRECTION,
        MovementReason.DAMAGED,
        MovementReason.EXPIRED,
        MovementReason.FOUND,
        MovementReason.LOST,
        MovementReason.OPENING_BALANCE,
    }
)
GAIN_ONLY = frozenset({MovementReason.FOUND, MovementReason.OPENING_BALANCE})
LOSS_ONLY = frozenset({MovementReason.DAMAGED, MovementReason.EXPIRED, MovementReason.LOST})


MAX_UNITS_PER_BALANCE = 1_000_000_000


@dataclass(frozen=True)
class Quantities:
    """What a bin holds of one SKU and lot: on hand, and how much of that is reserved."""

    on_hand: int = 0
    reserved: int = 0

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    def take(self, quantity: int, field: str = "quantity") -> Quantities:
        """Remove unreserved units; refuse to go negative or below what is reserved."""
        require_positive(quantity, field)
        if quantity > self.available:
            raise InsufficientStock(
                f"Only {self.available} unreserved unit(s) here "
                f"({self.on_hand} on hand, {self.reserved} reserved); {quantity} asked.",
                field,
            )
        return Quantities(self.on_hand - quantity, self.reserved)

    def reserve(self, quantity: int, field: str = "quantity") -> Quantities:
        """Set unreserved units aside for an order."""
        require_positive(quantity, field)
        if quantity > self.available:
            raise InsufficientStock(
                f"Only {self.available} unreserved unit(s) here; {quantity} asked.", field
            )
        return Quantities(self.on_hand, self.reserved + quantity)

    def release(self, quantity: int, field: str = "quantity") -> Quantities:
        """Give reserved units back to the free stock."""
        require_positive(quantity, field)
        if quantity > self.reserved:
            raise InsufficientStock(
                f"Only {self.reserved} unit(s) here are reserved; {quantity} to release.", field
            )
        return Quantities(self.on_hand, self.reserved - quantity)

    def take_reserved(self, quantity: int, field: str = "quantity") -> Quantities:
        """Remove units that were reserved (picked or shipped for their order)."""
        return self.release(quantity, field).take(quantity, field)

    def put_reserved(self, quantity: int, field: str = "quantity") -> Quantities:
        """Add units that stay reserved for the order they were picked for."""
        return self.put(quantity, field).reserve(quantity, field)

    def put(self, quantity: int, field: str = "quantity") -> Quantities:
        require_positive(quantity, field)
        if self.on_hand + quantity > MAX_UNITS_PER_BALANCE:
            raise InvalidInput(
                f"A bin holds at most {MAX_UNITS_PER_BALANCE} units of one SKU and lot.", field
            )
        return Quantities(self.on_hand + quantity, self.reserved)


def require_positive(quantity: int, field: str = "quantity") -> None:
    if quantity <= 0:
        raise InvalidInput("Must be a whole number greater than zero.", field)


def adjustment_delta(
    current: Quantities,
    reason: MovementReason,
    *,
    counted_quantity: int | None = None,
    delta: int | None = None,
) -> int:
    """The signed change an adjustment makes, checked against the reason and the reserved units."""
    if reason not in ADJUSTMENT_REASONS:
        raise InvalidInput(f"'{reason}' is not an adjustment reason.", "reason")
    if (counted_quantity is None) == (delta is None):
        raise InvalidInput("Give exactly one of counted_quantity or delta.", "counted_quantity")
    if counted_quantity is not None:
        if counted_quantity < 0:
            raise InvalidInput("A counted quantity cannot be negative.", "counted_quantity")
        change = counted_quantity - current.on_hand
        field = "counted_quantity"
    else:
        assert delta is not None
        change = delta
        field = "delta"
    if change == 0:
        raise InvalidInput("The adjustment changes nothing: the quantity is already right.", field)
    if reason in GAIN_ONLY and change < 0:
        raise InvalidInput(f"A '{reason}' adjustment can only add stock.", field)
    if reason in LOSS_ONLY and change > 0:
        raise InvalidInput(f"A '{reason}' adjustment can only remove stock.", field)
    if current.on_hand + change < current.reserved:
        raise InsufficientStock(
            f"{current.reserved} unit(s) here are reserved; on hand cannot fall to "
            f"{current.on_hand + change}.",
            field,
        )
    return change
