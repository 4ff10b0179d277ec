"""Layout descriptions of aisles × bays × levels, expanded into bin specifications."""

from __future__ import annotations

import string
from dataclasses import dataclass

from wms.domain.errors import InvalidInput
from wms.domain.identifiers import LOCATION_PART, location_code

MAX_BINS_PER_LAYOUT = 20_000


@dataclass(frozen=True)
class RackLayout:
    """A block of racking: aisles side by side, each with bays along it and levels up."""

    aisles: tuple[str, ...]
    bays: int
    levels: int
    positions: int = 0
    origin_x: float = 0.0
    origin_y: float = 0.0
    aisle_spacing_m: float = 3.0
    bay_width_m: float = 1.2
    level_height_m: float = 0.5
    volume_cm3: int = 288_000
    max_weight_g: int = 150_000
    pickable_levels: tuple[int, ...] = ()


@dataclass(frozen=True)
class BinSpec:
    """One bin to create: its code, place in the rack and coordinates in metres."""

    code: str
    aisle: str
    bay: int
    level: int
    position: str | None
    x: float
    y: float
    z: float
    volume_cm3: int
    max_weight_g: int
    pickable: bool
    pick_sequence: int


def expand(fc_code: str, layout: RackLayout) -> list[BinSpec]:
    """Every bin of the layout, numbered in a serpentine walking order (odd aisles go back)."""
    if not layout.aisles:
        raise InvalidInput("Give at least one aisle.", "aisles")
    for aisle in layout.aisles:
        if not LOCATION_PART.match(aisle):
            raise InvalidInput(
                f"Aisle '{aisle}' must be 1 to 4 capital letters or digits.", "aisles"
            )
    if len(set(layout.aisles)) != len(layout.aisles):
        raise InvalidInput("Aisles repeat.", "aisles")
    if not 1 <= layout.bays <= 99:
        raise InvalidInput("Bays must be between 1 and 99.", "bays")
    if not 1 <= layout.levels <= 99:
        raise InvalidInput("Levels must be between 1 and 99.", "levels")
    if not 0 <= layout.positions <= 26:
        raise InvalidInput("Positions must be between 0 and 26.", "positions")
    count = len(layout.aisles) * layout.bays * layout.levels * max(layout.positions, 1)
    if count > MAX_BINS_PER_LAYOUT:
        raise InvalidInput(
            f"The layout makes {count} bins; at most {MAX_BINS_PER_LAYOUT} at once.", "aisles"
        )
    position_letters: list[str | None] = (
        list(string.ascii_uppercase[: layout.positions]) if layout.positions else [None]
    )
    specs: list[BinSpec] = []
    sequence = 0
    for aisle_index, aisle in enumerate(layout.aisles):
        bays = range(1, layout.bays + 1)
        walk = bays if aisle_index % 2 == 0 else reversed(bays)
        for bay in walk:
            for level in range(1, layout.levels + 1):
                for slot, position in enumerate(position_letters):
                    sequence += 1
                    specs.append(
                        BinSpec(
                            code=location_code(fc_code, aisle, bay, level, position),
                            aisle=aisle,
                            bay=bay,
                            level=level,
                            position=position,
                            x=round(layout.origin_x + aisle_index * layout.aisle_spacing_m, 3),
                            y=round(
                                layout.origin_y
                                + (bay - 1) * layout.bay_width_m
                                + slot * layout.bay_width_m / max(len(position_letters), 1),
                                3,
                            ),
                            z=round((level - 1) * layout.level_height_m, 3),
                            volume_cm3=layout.volume_cm3,
                            max_weight_g=layout.max_weight_g,
                            pickable=(
                                level in layout.pickable_levels if layout.pickable_levels else True
                            ),
                            pick_sequence=sequence,
                        )
                    )
    return specs
