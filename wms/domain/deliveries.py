"""Own-fleet last-mile delivery: the fleet's vehicles and drivers, where and when parcels may be
delivered, and the life of a delivery plan from draft to dispatched."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from wms.domain.errors import Conflict, InvalidInput
from wms.domain.orders import check_phone

MAX_DAYS_AHEAD = 14
"""How far ahead a day's deliveries may be planned."""

MIN_TIME_LIMIT_S = 1.0
MAX_TIME_LIMIT_S = 300.0
MAX_PLAN_VEHICLES = 200

CAPACITY_DIMENSIONS = ("kg", "litres", "parcels")
"""What a vehicle's load is measured in, in the order the planner gets them."""


class DeliveryPlanStatus(enum.StrEnum):
    """A delivery plan: a draft to review and adjust, dispatched to the drivers, or dropped."""

    DRAFT = "draft"
    DISPATCHED = "dispatched"
    DISCARDED = "discarded"


class PlanObjective(enum.StrEnum):
    """What the planner minimises first."""

    VEHICLES = "vehicles"
    """Fewest vehicles, then the least cost."""
    DISTANCE = "distance"
    """The least cost: each vehicle's cost per day and per kilometre."""


class LeftOutReason(enum.StrEnum):
    """Why a parcel is not on any route of a plan."""

    OVER_CAPACITY = "over_capacity"
    """It is heavier, bulkier or more parcels than any chosen vehicle takes."""
    OUT_OF_HOURS = "out_of_hours"
    """No chosen vehicle reaches it within its time window and is back within its shift."""
    TOO_FAR = "too_far"
    """There and back takes longer than any chosen vehicle's longest route."""
    FLEET_FULL = "fleet_full"
    """The chosen vehicles have no room or time left for it."""
    NO_LOCATION = "no_location"
    """The order has no delivery coordinates."""
    NO_ROAD = "no_road"
    """The road network has no route to or from its coordinates."""
    REMOVED = "removed"
    """A manager took it off the plan."""


def check_draft(status: DeliveryPlanStatus, action: str) -> None:
    """Only a draft plan is changed, dispatched or discarded."""
    if status is not DeliveryPlanStatus.DRAFT:
        raise Conflict(f"Only a draft plan can be {action}; this one is {status}.", "status")


def check_delivery_date(delivery_date: date, today: date) -> None:
    """Deliveries are planned for today (in the FC's calendar) or up to two weeks ahead."""
    if delivery_date < today:
        raise InvalidInput("Plan deliveries for today or a later day.", "delivery_date")
    if (delivery_date - today).days > MAX_DAYS_AHEAD:
        raise InvalidInput(f"Plan deliveries at most {MAX_DAYS_AHEAD} days ahead.", "delivery_date")


def check_dispatch_date(delivery_date: date, today: date) -> None:
    """A plan for a day that has passed is not sent to the drivers."""
    if delivery_date < today:
        raise Conflict("This plan is for a day that has passed; plan the day again.", "status")


def check_time_limit(seconds: float) -> float:
    if not (math.isfinite(seconds) and MIN_TIME_LIMIT_S <= seconds <= MAX_TIME_LIMIT_S):
        raise InvalidInput(
            f"Between {MIN_TIME_LIMIT_S:g} and {MAX_TIME_LIMIT_S:g} seconds.", "time_limit_s"
        )
    return float(seconds)


def seconds_of_day(moment: time) -> int:
    """A time of day as seconds since midnight."""
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def _text(value: str, field: str, max_length: int) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput("Must not be blank.", field)
    if len(text) > max_length:
        raise InvalidInput(f"At most {max_length} characters.", field)
    if any(not character.isprintable() for character in text):
        raise InvalidInput("Contains a control character.", field)
    return text


def _positive(value: float, field: str, high: float) -> float:
    if isinstance(value, bool) or not math.isfinite(value) or not 0 < value <= high:
        raise InvalidInput(f"A number above 0 and at most {high:g}.", field)
    return float(value)


def _money(value: Decimal, field: str, places: int) -> Decimal:
    if (
        not isinstance(value, Decimal)
        or not value.is_finite()
        or value < 0
        or value >= Decimal("1e10")
        or value.as_tuple().exponent < -places  # type: ignore[operator]
    ):
        raise InvalidInput(f"An amount of at least 0 with at most {places} decimals.", field)
    return value


@dataclass(frozen=True)
class VehicleDetails:
    """A vehicle of an FC's own fleet as the manager enters it.

    Capacities are what it may carry on one route; costs are in the FC's currency (a day's
    cost when it goes out at all, and a cost per kilometre driven); the shift is the local time
    it may leave the FC and must be back by, and a route lasts at most `max_route_hours`.
    """

    name: str
    plate: str
    capacity_kg: float
    capacity_litres: float
    capacity_parcels: int
    fixed_cost: Decimal
    cost_per_km: Decimal
    shift_start: time
    shift_end: time
    max_route_hours: float
    active: bool = True

    def checked(self) -> VehicleDetails:
        """The details trimmed, or InvalidInput naming the field that cannot be."""
        plate = _text(self.plate, "plate", 16).upper()
        capacity_parcels = self.capacity_parcels
        if isinstance(capacity_parcels, bool) or not 1 <= capacity_parcels <= 10_000:
            raise InvalidInput("From 1 to 10000 parcels.", "capacity_parcels")
        if self.shift_end <= self.shift_start:
            raise InvalidInput("The shift must end after it starts (same day).", "shift_end")
        return VehicleDetails(
            name=_text(self.name, "name", 80),
            plate=plate,
            capacity_kg=_positive(self.capacity_kg, "capacity_kg", 40_000),
            capacity_litres=_positive(self.capacity_litres, "capacity_litres", 100_000),
            capacity_parcels=capacity_parcels,
            fixed_cost=_money(self.fixed_cost, "fixed_cost", 2),
            cost_per_km=_money(self.cost_per_km, "cost_per_km", 4),
            shift_start=self.shift_start.replace(second=0, microsecond=0, tzinfo=None),
            shift_end=self.shift_end.replace(second=0, microsecond=0, tzinfo=None),
            max_route_hours=_positive(self.max_route_hours, "max_route_hours", 24),
            active=bool(self.active),
        )


VEHICLE_FIELDS = tuple(VehicleDetails.__dataclass_fields__)


@dataclass(frozen=True)
class DriverDetails:
    """A driver of an FC's own fleet."""

    name: str
    phone: str
    active: bool = True

    def checked(self) -> DriverDetails:
        return DriverDetails(
            name=_text(self.name, "name", 200),
            phone=check_phone(self.phone, "phone"),
            active=bool(self.active),
        )


DRIVER_FIELDS = tuple(DriverDetails.__dataclass_fields__)


@dataclass(frozen=True)
class ParcelDemand:
    """What one delivery takes of a vehicle: weight, volume and parcels."""

    kg: float
    litres: float
    parcels: int

    def as_tuple(self) -> tuple[float, float, float]:
        """In the order of CAPACITY_DIMENSIONS."""
        return (self.kg, self.litres, float(self.parcels))


def parcel_demand(parcels: list[tuple[int, int, int, int]]) -> ParcelDemand:
    """The demand of a delivery's parcels, each (weight g, length, width, height mm)."""
    grams = sum(weight for weight, *_ in parcels)
    cubic_mm = sum(length * width * height for _, length, width, height in parcels)
    return ParcelDemand(kg=grams / 1000, litres=cubic_mm / 1_000_000, parcels=len(parcels))


def stop_service_seconds(base_s: float, per_parcel_s: float, parcels: int) -> float:
    """Time at a door: finding it and the signature, plus handing over each parcel after the
    first."""
    return base_s + per_parcel_s * max(parcels - 1, 0)


def check_position(position: int | None, length: int) -> int:
    """A 1-based place in a route of `length` stops (the end when None)."""
    if position is None:
        return length + 1
    if isinstance(position, bool) or not 1 <= position <= length + 1:
        raise InvalidInput(f"A place from 1 to {length + 1}.", "position")
    return position
