"""Putaway: which bins may take received stock, and which of them is best.

Rules a bin must pass (`check_bin`), in the order they are tried; the first broken one is the
reason given:

1. The bin is active (not blocked or inactive).
2. The bin is in a storage, high-value or hazmat zone; receiving, quarantine, staging and
   dispatch zones are not putaway destinations.
3. Hazardous stock goes to hazmat zones only, and hazmat zones take hazardous stock only.
   Hazard outranks value: hazardous high-value stock goes to a hazmat zone.
4. High-value stock goes to the high-value cage only, and the cage takes high-value stock only.
5. The bin's temperature class is the stock's (no ambient goods in a chiller either).
6. The FC's mixing policy: without `mix_merchants` a bin holds one merchant's stock; without
   `mix_lots` it holds one lot of a SKU (other SKUs of the same merchant may share it).
7. The bin has room, by volume and by weight after what it holds now, for the whole quantity.
   A task is put away into one bin, so a bin with room for part of it is refused; a quantity
   no bin can take has to be split before it is put away.

How the bins that pass are ranked (`rank_bins`), best first; every point comes with a reason:

* consolidation: +100 when the same SKU and lot is already there, +40 for the same SKU in
  another lot (possible only when lots may mix);
* an empty bin: +20, so that an empty bin beats one holding other stock when mixing is allowed;
* velocity, to keep the prime spots (pick faces at waist height, near dispatch) for fast movers.
  A movers: +25 in a pick face, +15 at waist height (levels 1 and 2, `WAIST_LEVELS`), up to +20
  for nearness to dispatch. C movers: the mirror image, +25 in a reserve bin, +15 above waist
  height, up to +20 for distance from dispatch. B movers: +10 in a pick face, nothing else.
  Nearness is `NEAR_DISPATCH_M / (NEAR_DISPATCH_M + distance)`: 1 at the dispatch point, 0.5 at
  `NEAR_DISPATCH_M`.

Equal scores are ordered by bin code, then location id, so the ranking is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from wms.domain.catalogue import TemperatureClass, VelocityClass, ZonePurpose
from wms.domain.errors import InvalidInput
from wms.domain.stock import MAX_UNITS_PER_BALANCE

__all__ = [
    "NEAR_DISPATCH_M",
    "PUTAWAY_PURPOSES",
    "WAIST_LEVELS",
    "BinContent",
    "CandidateBin",
    "MixingPolicy",
    "RankedBin",
    "Refusal",
    "StockToStore",
    "VelocityClass",
    "check_bin",
    "rank_bins",
    "room_for_units",
]

PUTAWAY_PURPOSES = frozenset({ZonePurpose.STORAGE, ZonePurpose.HIGH_VALUE, ZonePurpose.HAZMAT})
"""Zones whose bins take putaway."""
WAIST_LEVELS = frozenset({1, 2})
"""Rack levels at waist height: the lowest two, 0 to 1 m with our 0.5 m levels."""
NEAR_DISPATCH_M = 25.0
"""Walking distance (m) at which a bin counts as half-near to dispatch."""

SAME_SKU_AND_LOT = 100.0
SAME_SKU_OTHER_LOT = 40.0
EMPTY_BIN = 20.0
PRIME_FACE = 25.0
PRIME_LEVEL = 15.0
PRIME_DISTANCE = 20.0
B_PICK_FACE = 10.0

_ZONE_NAMES = {
    ZonePurpose.STORAGE: "storage zone",
    ZonePurpose.HIGH_VALUE: "high-value cage",
    ZonePurpose.HAZMAT: "hazmat zone",
    ZonePurpose.RECEIVING: "receiving zone",
    ZonePurpose.QUARANTINE: "quarantine zone",
    ZonePurpose.STAGING: "staging zone",
    ZonePurpose.DISPATCH: "dispatch zone",
}


@dataclass(frozen=True)
class MixingPolicy:
    """What an FC lets share a bin: several lots of one SKU, several merchants' stock."""

    mix_lots: bool
    mix_merchants: bool


@dataclass(frozen=True)
class StockToStore:
    """Received stock of one SKU and lot, waiting for a bin."""

    sku_id: int
    merchant_id: int
    lot_id: int | None
    quantity: int
    unit_volume_cm3: float
    unit_weight_g: float
    temperature: TemperatureClass
    hazardous: bool
    high_value: bool
    velocity: VelocityClass
    sku_code: str | None = None
    """Shown in refusal reasons when given ("SKU TH-COCO-1L"); otherwise "this SKU"."""

    def __post_init__(self) -> None:
        if not 1 <= self.quantity <= MAX_UNITS_PER_BALANCE:
            raise InvalidInput(
                f"Put away between 1 and {MAX_UNITS_PER_BALANCE} units, not {self.quantity}.",
                "quantity",
            )
        for name in ("unit_volume_cm3", "unit_weight_g"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise InvalidInput(f"A unit's size cannot be {value}.", name)


@dataclass(frozen=True)
class BinContent:
    """Stock a bin holds now: one SKU and lot of one merchant."""

    sku_id: int
    lot_id: int | None
    merchant_id: int
    quantity: int
    unit_volume_cm3: float
    unit_weight_g: float


@dataclass(frozen=True)
class CandidateBin:
    """A bin that might take the stock, with its place, capacity and what it holds."""

    location_id: int
    code: str
    zone_purpose: ZonePurpose
    temperature: TemperatureClass
    volume_cm3: float
    max_weight_g: float
    pickable: bool
    distance_to_dispatch_m: float
    level: int
    contents: tuple[BinContent, ...]
    active: bool = True


@dataclass(frozen=True)
class Refusal:
    """A bin that may not take the stock, and the rule it breaks in words a worker reads."""

    location_id: int
    code: str
    reason: str


@dataclass(frozen=True)
class RankedBin:
    """A bin that may take the stock, its score, its room in units and why it ranks so."""

    bin: CandidateBin
    score: float
    fits_units: int
    """How many units of this stock the bin has room for (at least the quantity to store)."""
    reasons: tuple[str, ...]


def check_bin(item: StockToStore, bin: CandidateBin, policy: MixingPolicy) -> Refusal | None:
    """None if the bin may take the whole quantity; otherwise the first rule it breaks."""
    reason = _broken_rule(item, bin, policy)
    if reason is None:
        reason = _capacity_problem(item, bin)
    return None if reason is None else Refusal(bin.location_id, bin.code, reason)


def rank_bins(
    item: StockToStore, bins: Iterable[CandidateBin], policy: MixingPolicy, *, limit: int = 5
) -> tuple[list[RankedBin], list[Refusal]]:
    """The best `limit` bins that may take the whole quantity, best first, and every refused
    bin with its reason, in code order."""
    if limit < 1:
        raise InvalidInput("Ask for at least one bin.", "limit")
    ranked: list[RankedBin] = []
    refusals: list[Refusal] = []
    for candidate in bins:
        refusal = check_bin(item, candidate, policy)
        if refusal is not None:
            refusals.append(refusal)
            continue
        score, reasons = _score(item, candidate)
        ranked.append(RankedBin(candidate, score, room_for_units(item, candidate), reasons))
    ranked.sort(key=lambda option: (-option.score, option.bin.code, option.bin.location_id))
    refusals.sort(key=lambda refusal: (refusal.code, refusal.location_id))
    return ranked[:limit], refusals


def room_for_units(item: StockToStore, bin: CandidateBin) -> int:
    """How many units of the stock fit in what is left of the bin's volume and weight."""
    room = MAX_UNITS_PER_BALANCE
    for free, per_unit in _free_and_needed(item, bin):
        if per_unit > 0:
            room = min(room, max(0, math.floor(free / per_unit + 1e-9)))
    return room


# --- rules -----------------------------------------------------------------------------------


def _broken_rule(item: StockToStore, bin: CandidateBin, policy: MixingPolicy) -> str | None:
    """The first placement rule (1 to 6 of the module docstring) the bin breaks, in words."""
    sku = f"SKU {item.sku_code}" if item.sku_code else "this SKU"
    where = f"Bin {bin.code} is in the {_ZONE_NAMES[bin.zone_purpose]}"
    if not bin.active:
        return f"Bin {bin.code} is blocked or inactive; choose another bin."
    if bin.zone_purpose not in PUTAWAY_PURPOSES:
        return f"{where}; stock is put away to storage, high-value or hazmat bins."
    if item.hazardous and bin.zone_purpose != ZonePurpose.HAZMAT:
        return f"{where}; {sku} is hazardous and is stored in a hazmat zone only."
    if not item.hazardous and bin.zone_purpose == ZonePurpose.HAZMAT:
        return f"{where}, which holds hazardous goods only; {sku} is not hazardous."
    if not item.hazardous:
        if item.high_value and bin.zone_purpose != ZonePurpose.HIGH_VALUE:
            return f"{where}; {sku} is high value and is stored in the high-value cage only."
        if not item.high_value and bin.zone_purpose == ZonePurpose.HIGH_VALUE:
            return f"{where}, which is kept for high-value goods; {sku} is not high value."
    if bin.temperature != item.temperature:
        return f"Bin {bin.code} is {bin.temperature}; {sku} is stored {item.temperature}."
    held = [content for content in bin.contents if content.quantity > 0]
    if not policy.mix_merchants and any(c.merchant_id != item.merchant_id for c in held):
        return (
            f"Bin {bin.code} holds another merchant's stock, and this FC does not mix "
            "merchants in a bin."
        )
    if not policy.mix_lots and any(
        c.sku_id == item.sku_id and c.lot_id != item.lot_id for c in held
    ):
        return f"Bin {bin.code} holds another lot of {sku}, and this FC does not mix lots in a bin."
    return None


def _free_and_needed(item: StockToStore, bin: CandidateBin) -> tuple[tuple[float, float], ...]:
    """(free, needed per unit) for the bin's volume and its weight."""
    held = [content for content in bin.contents if content.quantity > 0]
    used_volume = sum(content.quantity * content.unit_volume_cm3 for content in held)
    used_weight = sum(content.quantity * content.unit_weight_g for content in held)
    return (
        (bin.volume_cm3 - used_volume, item.unit_volume_cm3),
        (bin.max_weight_g - used_weight, item.unit_weight_g),
    )


def _capacity_problem(item: StockToStore, bin: CandidateBin) -> str | None:
    """Why the bin cannot take the whole quantity, or None if it can."""
    room = room_for_units(item, bin)
    if room >= item.quantity:
        return None
    (free_volume, unit_volume), (free_weight, unit_weight) = _free_and_needed(item, bin)
    volume_room = math.inf if unit_volume <= 0 else free_volume / unit_volume
    weight_room = math.inf if unit_weight <= 0 else free_weight / unit_weight
    if volume_room <= weight_room:
        detail = f"{_cm3(max(free_volume, 0))} free, {_cm3(unit_volume * item.quantity)} needed"
    else:
        detail = (
            f"{_kg(max(free_weight, 0))} of weight left, {_kg(unit_weight * item.quantity)} needed"
        )
    units = "unit" if item.quantity == 1 else "units"
    if room == 0:
        return f"Bin {bin.code} has no room for this stock ({detail})."
    return f"Bin {bin.code} has room for {room} of the {item.quantity} {units} ({detail})."


def _cm3(volume: float) -> str:
    return f"{volume:,.0f} cm³"


def _kg(grams: float) -> str:
    return f"{grams / 1000:,.1f} kg"


# --- ranking ---------------------------------------------------------------------------------


def _score(item: StockToStore, bin: CandidateBin) -> tuple[float, tuple[str, ...]]:
    """The bin's score for this stock, with a reason for every part of it."""
    held = [content for content in bin.contents if content.quantity > 0]
    score = 0.0
    reasons: list[str] = []
    if any(c.sku_id == item.sku_id and c.lot_id == item.lot_id for c in held):
        score += SAME_SKU_AND_LOT
        reasons.append("same SKU and lot already here")
    elif any(c.sku_id == item.sku_id for c in held):
        score += SAME_SKU_OTHER_LOT
        reasons.append("same SKU already here (another lot)")
    elif not held:
        score += EMPTY_BIN
        reasons.append("empty bin")
    else:
        reasons.append("holds other stock")

    waist = bin.level in WAIST_LEVELS
    distance = max(bin.distance_to_dispatch_m, 0.0)
    nearness = NEAR_DISPATCH_M / (NEAR_DISPATCH_M + distance)
    distance_reason = (
        f"near dispatch ({distance:.0f} m)"
        if nearness >= 0.5
        else f"far from dispatch ({distance:.0f} m)"
    )
    if item.velocity == VelocityClass.A:
        if bin.pickable:
            score += PRIME_FACE
            reasons.append("pick face for a fast mover")
        if waist:
            score += PRIME_LEVEL
            reasons.append("waist height")
        score += PRIME_DISTANCE * nearness
        reasons.append(distance_reason)
    elif item.velocity == VelocityClass.C:
        if not bin.pickable:
            score += PRIME_FACE
            reasons.append("reserve bin for a slow mover")
        if not waist:
            score += PRIME_LEVEL
            reasons.append("above waist height, keeps prime spots free")
        score += PRIME_DISTANCE * (1 - nearness)
        reasons.append(distance_reason)
    elif bin.pickable:
        score += B_PICK_FACE
        reasons.append("pick face")
    return round(score, 3), tuple(reasons)
