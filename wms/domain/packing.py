"""Packing and shipping: carton sizes, parcels and carrier manifests."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from wms.domain.errors import InvalidInput


class PackageStatus(enum.StrEnum):
    """A parcel: being packed, packed and labelled, on a manifest, handed to the carrier (or,
    for the FC's own fleet, waiting at dispatch), and out on an own-fleet delivery route."""

    OPEN = "open"
    PACKED = "packed"
    MANIFESTED = "manifested"
    SHIPPED = "shipped"
    OUT_FOR_DELIVERY = "out_for_delivery"
    CANCELLED = "cancelled"


class ManifestStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class CartonSize:
    """A shipping carton the packing bench stocks (inside dimensions)."""

    code: str
    length_mm: int
    width_mm: int
    height_mm: int
    tare_g: int

    @property
    def volume_cm3(self) -> float:
        return self.length_mm * self.width_mm * self.height_mm / 1000.0


CARTON_SIZES: tuple[CartonSize, ...] = (
    CartonSize("S", 200, 150, 100, 90),
    CartonSize("M", 300, 220, 150, 160),
    CartonSize("L", 400, 300, 200, 280),
    CartonSize("XL", 600, 400, 400, 600),
)
# Items fill at most this share of a carton's volume (the rest is void fill).
FILL_RATIO = 0.8
MAX_PARCEL_WEIGHT_G = 30_000


def carton(code: str) -> CartonSize:
    for size in CARTON_SIZES:
        if size.code == code:
            return size
    codes = ", ".join(size.code for size in CARTON_SIZES)
    raise InvalidInput(f"Unknown carton size '{code}'; choose one of {codes}.", "carton")


def suggest_carton(item_volume_cm3: float, longest_item_mm: int) -> CartonSize:
    """The smallest carton the items fit in, leaving room for void fill."""
    for size in CARTON_SIZES:
        if item_volume_cm3 <= size.volume_cm3 * FILL_RATIO and longest_item_mm <= size.length_mm:
            return size
    return CARTON_SIZES[-1]


def check_weight(weight_g: int, content_weight_g: int) -> None:
    """A parcel weighs at least what is in it and at most what a carrier takes."""
    if weight_g <= 0:
        raise InvalidInput("Weigh the parcel: give its weight in grams, above 0.", "weight_g")
    if weight_g > MAX_PARCEL_WEIGHT_G:
        raise InvalidInput(
            f"Parcels weigh at most {MAX_PARCEL_WEIGHT_G} g; split this one.", "weight_g"
        )
    if weight_g < content_weight_g * 0.9:
        raise InvalidInput(
            f"The parcel weighs {weight_g} g but its items weigh {content_weight_g} g; "
            "weigh it again or check the items.",
            "weight_g",
        )
