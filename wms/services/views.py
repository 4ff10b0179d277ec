"""Plain, JSON-ready dictionaries of the records the use cases return."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from wms.db.models import (
    Carton,
    Consignment,
    ConsignmentLine,
    Discrepancy,
    FulfillmentCenter,
    Location,
    Lot,
    Merchant,
    MoveTask,
    Receipt,
    Sku,
    StockBalance,
    StockMovement,
    User,
    Zone,
)
from wms.domain.consignments import convert
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
        "latitude": fc.latitude,
        "longitude": fc.longitude,
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
        "hazardous": sku.hazardous,
        "high_value": sku.high_value,
        "velocity_class": str(sku.velocity_class),
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


Received = dict[tuple[int, str | None], dict[str, int]]


def asn_line_view(
    line: ConsignmentLine, rate: Any, received: Received | None = None
) -> dict[str, Any]:
    total = line.unit_value_thb * line.quantity
    view = {
        "line_number": line.line_number,
        "sku_id": line.sku_id,
        "sku_code": line.sku.code,
        "sku_name_en": line.sku.name_en,
        "sku_name_th": line.sku.name_th,
        "gtin": line.sku.gtin,
        "quantity": line.quantity,
        "lot_number": line.lot_number,
        "expiry_date": iso(line.expiry_date),
        "hs_code": line.hs_code,
        "unit_value_thb": str(line.unit_value_thb),
        "value_thb": str(total),
        "value_fc": str(convert(total, rate)),
    }
    if received is not None:
        counts = received.get((line.sku_id, line.lot_number), {"good": 0, "damaged": 0})
        view["received_good"] = counts["good"]
        view["received_damaged"] = counts["damaged"]
    return view


def carton_view(carton: Carton) -> dict[str, Any]:
    return {
        "id": carton.id,
        "sscc": carton.sscc,
        "generated": carton.generated,
        "gross_weight_g": carton.gross_weight_g,
        "dimensions_mm": [carton.length_mm, carton.width_mm, carton.height_mm]
        if carton.length_mm and carton.width_mm and carton.height_mm
        else None,
        "received_at": iso(carton.received_at),
        "contents": [
            {
                "line_number": item.line.line_number,
                "sku_code": item.line.sku.code,
                "lot_number": item.line.lot_number,
                "quantity": item.quantity,
            }
            for item in carton.contents
        ],
    }


def discrepancy_view(discrepancy: Discrepancy) -> dict[str, Any]:
    return {
        "id": discrepancy.id,
        "receipt_id": discrepancy.receipt_id,
        "consignment_id": discrepancy.consignment_id,
        "consignment_reference": (
            discrepancy.consignment.reference if discrepancy.consignment else None
        ),
        "fc_id": discrepancy.fc_id,
        "merchant_id": discrepancy.merchant_id,
        "kind": str(discrepancy.kind),
        "sku_id": discrepancy.sku_id,
        "sku_code": discrepancy.sku.code,
        "sku_name_en": discrepancy.sku.name_en,
        "sku_name_th": discrepancy.sku.name_th,
        "lot_number": discrepancy.lot_number,
        "expected": discrepancy.expected,
        "received": discrepancy.received,
        "resolution": discrepancy.resolution,
        "resolution_note": discrepancy.resolution_note,
        "resolved_at": iso(discrepancy.resolved_at),
        "created_at": iso(discrepancy.created_at),
    }


def consignment_view(
    consignment: Consignment,
    *,
    received: Received | None = None,
    discrepancies: list[Discrepancy] | None = None,
    detail: bool = False,
) -> dict[str, Any]:
    lines = consignment.lines
    value_thb = sum((line.unit_value_thb * line.quantity for line in lines), Decimal(0))
    view: dict[str, Any] = {
        "id": consignment.id,
        "reference": consignment.reference,
        "merchant_id": consignment.merchant_id,
        "fc_id": consignment.fc_id,
        "status": str(consignment.status),
        "mode": str(consignment.mode),
        "border_crossing": consignment.border_crossing,
        "origin_name": consignment.origin_name,
        "origin_address": consignment.origin_address,
        "origin_country": consignment.origin_country,
        "carrier": consignment.carrier,
        "tracking_number": consignment.tracking_number,
        "eta": iso(consignment.eta),
        "form_d_reference": consignment.form_d_reference,
        "customs_declaration_number": consignment.customs_declaration_number,
        "fc_currency": consignment.fc_currency,
        "exchange_rate": str(consignment.exchange_rate.normalize()),
        "exchange_rate_date": iso(consignment.exchange_rate_date),
        "declared_value_thb": str(value_thb),
        "declared_value_fc": str(convert(value_thb, consignment.exchange_rate)),
        "units": sum(line.quantity for line in lines),
        "line_count": len(lines),
        "carton_count": len(consignment.cartons),
        "note": consignment.note,
        "created_at": iso(consignment.created_at),
        "updated_at": iso(consignment.updated_at),
    }
    if detail:
        view["lines"] = [
            asn_line_view(line, consignment.exchange_rate, received or {}) for line in lines
        ]
        view["cartons"] = [carton_view(carton) for carton in consignment.cartons]
        view["timeline"] = [
            {
                "from_status": str(event.from_status) if event.from_status else None,
                "status": str(event.to_status),
                "by": event.actor.name if event.actor else "system",
                "note": event.note,
                "at": iso(event.created_at),
            }
            for event in consignment.events
        ]
        view["discrepancies"] = [discrepancy_view(item) for item in discrepancies or []]
    return view


def receipt_view(receipt: Receipt, progress: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": receipt.id,
        "fc_id": receipt.fc_id,
        "merchant_id": receipt.merchant_id,
        "consignment_id": receipt.consignment_id,
        "consignment_reference": receipt.consignment.reference if receipt.consignment else None,
        "status": str(receipt.status),
        "blind": receipt.consignment_id is None,
        "expects_cartons": bool(receipt.consignment and receipt.consignment.cartons),
        "current_carton": receipt.current_carton.sscc if receipt.current_carton else None,
        "receiving_location_code": receipt.receiving_location.code,
        "started_at": iso(receipt.started_at),
        "closed_at": iso(receipt.closed_at),
        "progress": progress,
    }


def task_view(task: MoveTask) -> dict[str, Any]:
    return {
        "id": task.id,
        "fc_id": task.fc_id,
        "kind": str(task.kind),
        "status": str(task.status),
        "merchant_id": task.merchant_id,
        "sku_id": task.sku_id,
        "sku_code": task.sku.code,
        "sku_name_en": task.sku.name_en,
        "sku_name_th": task.sku.name_th,
        "gtin": task.sku.gtin,
        "lot_number": task.lot.lot_number if task.lot else None,
        "expiry_date": iso(task.lot.expiry_date) if task.lot else None,
        "quantity": task.quantity,
        "from_location_code": task.from_location.code,
        "suggested_location_code": (
            task.suggested_location.code if task.suggested_location else None
        ),
        "to_location_code": task.to_location.code if task.to_location else None,
        "override_reason": task.override_reason,
        "receipt_id": task.receipt_id,
        "plan_id": task.plan_id,
        "created_at": iso(task.created_at),
        "done_at": iso(task.done_at),
    }
