"""Pick waves: orders released together for a cut-off, split into picker trips for carts."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from wms.domain.errors import Conflict, InvalidInput


class WaveStatus(enum.StrEnum):
    PLANNED = "planned"
    RELEASED = "released"
    DONE = "done"
    DISCARDED = "discarded"


class BatchStatus(enum.StrEnum):
    """A pick batch: one picker trip with a cart of totes."""

    PLANNED = "planned"
    RELEASED = "released"
    PICKING = "picking"
    PICKED = "picked"
    DISCARDED = "discarded"


class ExceptionKind(enum.StrEnum):
    """What went wrong on the floor and needs a manager's eye."""

    SHORT = "short"
    DAMAGED = "damaged"


class ExceptionStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class ExceptionResolution(enum.StrEnum):
    """What a manager decides on a short or damaged pick."""

    SHIP_SHORT = "ship_short"
    CANCEL_ORDER = "cancel_order"
    ACKNOWLEDGE = "acknowledge"


@dataclass(frozen=True)
class CartLimits:
    """What one picker cart takes: totes (one order each), litres and kilograms."""

    max_orders: int = 8
    max_volume_l: float = 60.0
    max_weight_kg: float = 40.0

    def __post_init__(self) -> None:
        if not 1 <= self.max_orders <= 48:
            raise InvalidInput("A cart holds 1 to 48 totes.", "max_orders")
        if not 0 < self.max_volume_l <= 5000:
            raise InvalidInput("Give the cart's volume in litres, above 0.", "max_volume_l")
        if not 0 < self.max_weight_kg <= 2000:
            raise InvalidInput("Give the cart's weight limit in kg, above 0.", "max_weight_kg")


@dataclass(frozen=True)
class PickPace:
    """How fast a picker goes: walking speed and handling time, to estimate a trip's minutes."""

    walk_m_per_s: float = 1.0
    seconds_per_stop: float = 15.0
    seconds_per_unit: float = 3.0
    seconds_per_trip: float = 120.0

    def minutes(self, walking_m: float, stops: int, units: int) -> float:
        seconds = (
            self.seconds_per_trip
            + walking_m / self.walk_m_per_s
            + stops * self.seconds_per_stop
            + units * self.seconds_per_unit
        )
        return round(seconds / 60.0, 1)


def check_release(status: WaveStatus) -> None:
    if status is not WaveStatus.PLANNED:
        raise Conflict(f"Only a planned wave can be released; this one is {status}.", "status")


def check_discard(status: WaveStatus) -> None:
    if status is not WaveStatus.PLANNED:
        raise Conflict(f"Only a planned wave can be discarded; this one is {status}.", "status")
