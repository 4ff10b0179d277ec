"""Plain, JSON-ready dictionaries of the records the use cases return."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from wms.db.models import (
    FulfillmentCenter,
    Location,
    Lot,
    Merchant,
    Sku,
    StockBalance,
    StockMovement,
    User,
    Zone,
)
from wms.domain.identifiers import location_check_code


def iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def fc_view(fc: FulfillmentCenter) -> dict[str, Any]:
    return {
        "id": fc.id,
        "code": fc.code,
        "name": fc.name,
        "city": fc.city,
        "country": fc.country,
        "currency": fc.currency,
        "timezone": fc.timezone,
    }


def zone_view(zone: Zone) -> dict[str, Any]:
    return {
        "id": zone.id,
        "fc_id": zone.fc_id,
        "code": zone.code,
        "name": zone.name,
        "temperature_class": str(zone.temperature_class),
        "purpose": str(zone.purpose),
    }


def location_view(location: Location) -> dict[str, Any]:
    return {
        "id": location.id,
        "fc_id": location.fc_id,
        "zone_id": location.zone_id,
        "code": location.code,
        "check_code": location_check_code(location.code),
        "aisle": location.aisle,
        "bay": location.bay,
        "level": location.level,
        "position": location.position,
        "x": location.x,
        "y": location.y,
        "z": location.z,
        "volume_cm3": location.volume_cm3,
        "max_weight_g": location.max_weight_g,
        "pickable": location.pickable,
        "pick_sequence": location.pick_sequence,
        "status": str(location.status),
    }


def merchant_view(merchant: Merchant) -> dict[str, Any]:
    return {
        "id": merchant.id,
        "code": merchant.code,
        "name_en": merchant.name_en,
        "name_th": merchant.name_th,
    }


def sku_view(sku: Sku) -> dict[str, Any]:
    return {
        "id": sku.id,
        "merchant_id": sku.merchant_id,
        "code": sku.code,
        "gtin": sku.gtin,
        "name_en": sku.name_en,
        "name_th": sku.name_th,
        "length_mm": sku.length_mm,
        "width_mm": sku.width_mm,
        "height_mm": sku.height_mm,
        "weight_g": sku.weight_g,
        "temperature_class": str(sku.temperature_class),
        "shelf_life_days": sku.shelf_life_days,
        "lot_tracked": sku.lot_tracked,
        "expiry_tracked": sku.expiry_tracked,
        "hs_code": sku.hs_code,
        "declared_value": str(sku.declared_value),
        "declared_currency": sku.declared_currency,
        "created_at": iso(sku.created_at),
        "updated_at": iso(sku.updated_at),
    }


def lot_view(lot: Lot) -> dict[str, Any]:
    return {
        "id": lot.id,
        "sku_id": lot.sku_id,
        "lot_number": lot.lot_number,
        "expiry_date": iso(lot.expiry_date),
    }


def balance_view(balance: StockBalance) -> dict[str, Any]:
    return {
        "id": balance.id,
        "fc_id": balance.fc_id,
        "location_id": balance.location_id,
        "location_code": balance.location.code,
        "zone_id": balance.location.zone_id,
        "sku_id": balance.sku_id,
        "sku_code": balance.sku.code,
        "sku_name_en": balance.sku.name_en,
        "sku_name_th": balance.sku.name_th,
        "merchant_id": balance.sku.merchant_id,
        "lot_id": balance.lot_id,
        "lot_number": balance.lot.lot_number if balance.lot else None,
        "expiry_date": iso(balance.lot.expiry_date) if balance.lot else None,
        "on_hand": balance.on_hand,
        "reserved": balance.reserved,
        "available": balance.on_hand - balance.reserved,
    }


def movement_view(movement: StockMovement) -> dict[str, Any]:
    return {
        "id": movement.id,
        "fc_id": movement.fc_id,
        "sku_id": movement.sku_id,
        "lot_id": movement.lot_id,
        "lot_number": movement.lot.lot_number if movement.lot else None,
        "from_location_id": movement.from_location_id,
        "from_location_code": movement.from_location.code if movement.from_location else None,
        "to_location_id": movement.to_location_id,
        "to_location_code": movement.to_location.code if movement.to_location else None,
        "quantity": movement.quantity,
        "reason": str(movement.reason),
        "note": movement.note,
        "reference": movement.reference,
        "actor_id": movement.actor_id,
        "created_at": iso(movement.created_at),
    }


def user_view(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": str(user.role),
        "merchant_id": user.merchant_id,
        "fc_ids": sorted(fc.id for fc in user.fcs),
        "locale": user.locale,
    }
