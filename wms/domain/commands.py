"""Commands: what an edge (API, scanner, CLI) asks a use case to do."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from wms.domain.catalogue import TemperatureClass, VelocityClass
from wms.domain.stock import MovementReason


@dataclass(frozen=True)
class MoveStock:
    """Move units of one SKU (and lot) from one bin to another in the same FC."""

    sku_id: int
    from_location_id: int
    to_location_id: int
    quantity: int
    lot_number: str | None = None
    reference: str = ""
    note: str = ""

    def payload(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AdjustStock:
    """Correct the quantity of a SKU (and lot) in a bin, with a reason."""

    location_id: int
    sku_id: int
    reason: MovementReason
    counted_quantity: int | None = None
    delta: int | None = None
    lot_number: str | None = None
    expiry_date: date | None = None
    reference: str = ""
    note: str = ""

    def payload(self) -> dict[str, Any]:
        data = asdict(self)
        data["reason"] = str(self.reason)
        data["expiry_date"] = self.expiry_date.isoformat() if self.expiry_date else None
        return data


@dataclass(frozen=True)
class SkuDetails:
    """The fields of a SKU, as given on create (all) or update (those that change)."""

    code: str
    gtin: str
    name_en: str
    name_th: str
    length_mm: int
    width_mm: int
    height_mm: int
    weight_g: int
    temperature_class: TemperatureClass = TemperatureClass.AMBIENT
    shelf_life_days: int | None = None
    lot_tracked: bool = False
    expiry_tracked: bool = False
    hs_code: str = ""
    declared_value: Decimal = Decimal("0")
    declared_currency: str = "THB"
    hazardous: bool = False
    high_value: bool = False
    velocity_class: VelocityClass = VelocityClass.C
    merchant_id: int | None = None
