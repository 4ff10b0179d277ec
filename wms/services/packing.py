"""Packing: scan a tote, verify every item by scan, choose a carton, weigh, print the label."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from labels.content import ShippingLabel
from labels.errors import InvalidLabelData
from labels.media import MEDIA
from labels.pdf import label_pdf as render_label_pdf
from wms.db.base import utcnow
from wms.db.models import (
    Allocation,
    BatchOrder,
    Carrier,
    FulfillmentCenter,
    Order,
    Package,
    PackageItem,
    PickBatch,
)
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from wms.domain.identifiers import gtin_forms
from wms.domain.orders import AllocationStatus, OrderStatus
from wms.domain.packing import PackageStatus, carton, check_weight, suggest_carton
from wms.services.carriers import due_cutoff
from wms.services.consignments import next_sscc
from wms.services.facilities import visible_fc
from wms.services.idempotency import run_once
from wms.services.order_status import set_status
from wms.services.picking import TOTE_CODE, short_orders
from wms.services.views import iso


def _floor_role(actor: Actor) -> None:
    if not actor.handles_stock:
        raise PermissionDenied("Warehouse staff pack.")


def visible_package(uow: UnitOfWork, actor: Actor, package_id: int) -> Package:
    package = uow.session.get(Package, package_id)
    if package is None:
        raise NotFound("No such parcel.", "package_id")
    if actor.is_merchant:
        if package.order.merchant_id != actor.merchant_id:
            raise NotFound("No such parcel.", "package_id")
    elif not actor.works_in(package.fc_id):
        raise NotFound("No such parcel.", "package_id")
    return package


def _picked(uow: UnitOfWork, order: Order) -> list[Allocation]:
    return list(
        uow.session.scalars(
            select(Allocation)
            .options(joinedload(Allocation.sku), joinedload(Allocation.lot))
            .where(Allocation.order_id == order.id, Allocation.status == AllocationStatus.PICKED)
            .order_by(Allocation.id)
        )
    )


def _expected(uow: UnitOfWork, package: Package) -> list[dict[str, Any]]:
    """What should go in the parcel (the order's picked units) against what was scanned in."""
    wanted: dict[tuple[int, int | None], dict[str, Any]] = {}
    for item in _picked(uow, package.order):
        key = (item.sku_id, item.lot_id)
        entry = wanted.setdefault(
            key,
            {
                "sku_id": item.sku_id,
                "sku_code": item.sku.code,
                "gtin": item.sku.gtin,
                "sku_name_en": item.sku.name_en,
                "sku_name_th": item.sku.name_th,
                "lot_id": item.lot_id,
                "lot_number": item.lot.lot_number if item.lot else None,
                "expected": 0,
                "verified": 0,
                "_sku": item.sku,
            },
        )
        entry["expected"] += item.quantity
    for packed in package.items:
        key = (packed.sku_id, packed.lot_id)
        if key in wanted:
            wanted[key]["verified"] += packed.quantity
    return list(wanted.values())


def package_view(uow: UnitOfWork, package: Package) -> dict[str, Any]:
    expected = _expected(uow, package)
    volume = sum(
        entry["_sku"].length_mm
        * entry["_sku"].width_mm
        * entry["_sku"].height_mm
        / 1000
        * entry["expected"]
        for entry in expected
    )
    longest = max(
        (max(e["_sku"].length_mm, e["_sku"].width_mm, e["_sku"].height_mm) for e in expected),
        default=0,
    )
    content_g = sum(entry["_sku"].weight_g * entry["expected"] for entry in expected)
    order = package.order
    return {
        "id": package.id,
        "fc_id": package.fc_id,
        "status": str(package.status),
        "order_id": order.id,
        "order_reference": order.reference,
        "external_id": order.external_id,
        "carrier_id": package.carrier_id,
        "carrier_code": package.carrier.code,
        "carrier_name": package.carrier.name,
        "items": [{k: v for k, v in entry.items() if k != "_sku"} for entry in expected],
        "complete": all(entry["verified"] >= entry["expected"] for entry in expected),
        "suggested_carton": suggest_carton(volume, longest).code,
        "content_weight_g": content_g,
        "carton": package.carton_code or None,
        "weight_g": package.weight_g or None,
        "sscc": package.sscc,
        "tracking_number": package.tracking_number,
        "manifest_id": package.manifest_id,
        "packed_at": iso(package.packed_at),
        "shipped_at": iso(package.shipped_at),
    }


def start_packing(
    uow: UnitOfWork, actor: Actor, fc_id: int | None, tote_code: str, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Open (or resume) the parcel of the order in a tote, at one FC or (None) at any FC the
    packer works in."""
    code = tote_code.strip().upper()
    if not TOTE_CODE.match(code):
        raise InvalidInput("A tote code is T followed by 2 to 19 letters, digits or '-'.", "tote")

    def perform() -> dict[str, Any]:
        _floor_role(actor)
        if fc_id is not None and not actor.works_in(fc_id):
            raise NotFound("No such fulfillment center.", "fc_id")
        query = (
            select(BatchOrder, Order)
            .join(Order, Order.id == BatchOrder.order_id)
            .join(PickBatch, PickBatch.id == BatchOrder.batch_id)
            .where(
                BatchOrder.tote_code == code,
                Order.status.in_((OrderStatus.WAVED, OrderStatus.PICKED)),
            )
            .order_by(BatchOrder.id.desc())
        )
        if fc_id is not None:
            query = query.where(PickBatch.fc_id == fc_id)
        elif not actor.is_admin:
            query = query.where(PickBatch.fc_id.in_(actor.fc_ids or {-1}))
        found = uow.session.execute(query).first()
        if found is None:
            raise NotFound(f"Tote {code} holds no order waiting to be packed.", "tote")
        order = found[1]
        if order.status is not OrderStatus.PICKED:
            raise Conflict(
                f"Order {order.reference} is still being picked (another tote or trip).", "tote"
            )
        if short_orders(uow, [order.id]):
            raise Conflict(
                f"Order {order.reference} is short; a manager decides to ship it short or "
                "cancel it.",
                "tote",
            )
        package = uow.session.scalar(
            select(Package).where(
                Package.order_id == order.id, Package.status == PackageStatus.OPEN
            )
        )
        if package is None:
            package = Package(
                fc_id=order.fc_id,
                order_id=order.id,
                order=order,
                carrier_id=order.carrier_id,
                carrier=order.carrier,
                status=PackageStatus.OPEN,
                created_at=utcnow(),
            )
            uow.session.add(package)
            uow.session.flush()
        return package_view(uow, package)

    return run_once(uow, actor, key, "packing.start", {"fc_id": fc_id, "tote": code}, perform)


def totes_to_pack(uow: UnitOfWork, actor: Actor, fc_id: int) -> list[dict[str, Any]]:
    """Totes at the packing bench: picked orders ready to pack (none waiting on a manager's
    decision about a short pick), earliest ship-by first."""
    _floor_role(actor)
    with uow:
        fc = visible_fc(uow, actor, fc_id)
        rows = uow.session.execute(
            select(BatchOrder.tote_code, Order)
            .options(selectinload(Order.lines), joinedload(Order.carrier))
            .join(Order, Order.id == BatchOrder.order_id)
            .join(PickBatch, PickBatch.id == BatchOrder.batch_id)
            .where(
                PickBatch.fc_id == fc.id,
                BatchOrder.tote_code.is_not(None),
                Order.status == OrderStatus.PICKED,
            )
            .order_by(Order.ship_by, Order.id)
            .limit(200)
        ).all()
        short = short_orders(uow, [order.id for _, order in rows])
        waiting = []
        for tote_code, order in rows:
            if order.id in short:
                continue
            cutoff = due_cutoff(order.carrier, fc.timezone, order.ship_by)
            waiting.append(
                {
                    "tote_code": tote_code,
                    "order_reference": order.reference,
                    "carrier_code": order.carrier.code,
                    "cutoff": iso(cutoff),
                    "cutoff_local": cutoff.astimezone(ZoneInfo(fc.timezone)).strftime("%H:%M"),
                    "units": sum(line.quantity for line in order.lines),
                }
            )
        return waiting


def _open_package(uow: UnitOfWork, actor: Actor, package_id: int) -> Package:
    _floor_role(actor)
    package = visible_package(uow, actor, package_id)
    if package.status is not PackageStatus.OPEN:
        raise Conflict(f"This parcel is {package.status}.", "package_id")
    return package


def verify_item(
    uow: UnitOfWork,
    actor: Actor,
    package_id: int,
    gtin: str,
    lot_number: str | None,
    key: str | None,
) -> tuple[dict[str, Any], bool]:
    """One scanned unit into the parcel; an item that is not (or no longer) due is refused.
    The view's `last_item` is the row the unit went to."""

    def perform() -> dict[str, Any]:
        package = _open_package(uow, actor, package_id)
        forms = {form.zfill(14) for form in gtin_forms(gtin.strip())}
        candidates = [
            entry
            for entry in _expected(uow, package)
            if entry["gtin"].zfill(14) in forms
            and (not lot_number or entry["lot_number"] in (None, lot_number))
        ]
        if not candidates:
            raise InvalidInput(
                f"This item is not in order {package.order.reference}; put it aside.", "gtin"
            )
        due = [entry for entry in candidates if entry["verified"] < entry["expected"]]
        if not due:
            raise Conflict("All units of this item are in the parcel already.", "gtin")
        entry = due[0]
        existing = next(
            (
                item
                for item in package.items
                if item.sku_id == entry["sku_id"] and item.lot_id == entry["lot_id"]
            ),
            None,
        )
        if existing is None:
            package.items.append(
                PackageItem(sku_id=entry["sku_id"], lot_id=entry["lot_id"], quantity=1)
            )
        else:
            existing.quantity += 1
        uow.session.flush()
        view = package_view(uow, package)
        view["last_item"] = next(
            item
            for item in view["items"]
            if item["sku_id"] == entry["sku_id"] and item["lot_id"] == entry["lot_id"]
        )
        return view

    payload = {"package_id": package_id, "gtin": gtin, "lot": lot_number}
    return run_once(uow, actor, key, "packing.verify", payload, perform)


def _tracking_number(uow: UnitOfWork, carrier: Carrier) -> str:
    locked = uow.session.scalar(select(Carrier).where(Carrier.id == carrier.id).with_for_update())
    assert locked is not None
    locked.last_tracking_serial += 1
    return f"{locked.tracking_prefix}{locked.last_tracking_serial:010d}"


def close_package(
    uow: UnitOfWork,
    actor: Actor,
    package_id: int,
    carton_code: str,
    weight_g: int,
    key: str | None,
) -> tuple[dict[str, Any], bool]:
    """Seal the parcel: every unit verified, carton chosen, weight checked; it gets its
    tracking number (and an SSCC where the FC has a GS1 prefix) and its label prints."""
    size = carton(carton_code.strip().upper())

    def perform() -> dict[str, Any]:
        package = _open_package(uow, actor, package_id)
        view = package_view(uow, package)
        if not view["complete"]:
            missing = [i["sku_code"] for i in view["items"] if i["verified"] < i["expected"]]
            raise Conflict(f"Scan every unit first; missing: {', '.join(missing)}.", "items")
        check_weight(weight_g, int(view["content_weight_g"]) + size.tare_g)
        fc = uow.session.get(FulfillmentCenter, package.fc_id)
        assert fc is not None
        package.carton_code = size.code
        package.length_mm, package.width_mm, package.height_mm = (
            size.length_mm,
            size.width_mm,
            size.height_mm,
        )
        package.weight_g = weight_g
        package.tracking_number = _tracking_number(uow, package.carrier)
        package.sscc = next_sscc(uow, fc) if fc.gs1_company_prefix else None
        package.status = PackageStatus.PACKED
        package.packed_by = actor.user_id
        package.packed_at = utcnow()
        set_status(uow, package.order, OrderStatus.PACKED)
        uow.session.flush()
        return package_view(uow, package)

    payload = {"package_id": package_id, "carton": size.code, "weight_g": weight_g}
    return run_once(uow, actor, key, "packing.close", payload, perform)


def get_package(uow: UnitOfWork, actor: Actor, package_id: int) -> dict[str, Any]:
    with uow:
        return package_view(uow, visible_package(uow, actor, package_id))


def shipping_label(uow: UnitOfWork, package: Package) -> ShippingLabel:
    """Our own shipping label of a closed parcel: sender FC, recipient, order and marketplace
    references, tracking number, COD and weight (route and stop codes come with own-fleet
    routes)."""
    if package.tracking_number is None or not package.weight_g:
        raise Conflict("The parcel gets its label when it is closed.", "package_id")
    order = package.order
    fc = uow.session.get(FulfillmentCenter, package.fc_id)
    assert fc is not None
    address = getattr(fc, "address", "") or f"{fc.city}, {fc.country}"
    return ShippingLabel(
        tracking_number=package.tracking_number,
        carrier_name=package.carrier.name,
        sender_name=f"{order.merchant.name_en} c/o {fc.name}",
        sender_address=address,
        recipient_name=order.recipient_name,
        recipient_phone=order.recipient_phone,
        recipient_address=f"{order.address}\n{order.postcode} {order.city}, {order.country}",
        order_reference=order.reference,
        weight_g=package.weight_g,
        cod_amount=Decimal(order.cod_amount),
        currency=order.currency,
        marketplace_reference=order.external_id,
        channel=order.channel,
        sscc=package.sscc,
    )


def label_pdf(uow: UnitOfWork, actor: Actor, package_id: int) -> tuple[str, bytes]:
    """The parcel's shipping label on 100 × 150 mm stock; (file name, PDF bytes)."""
    with uow:
        package = visible_package(uow, actor, package_id)
        label = shipping_label(uow, package)
    try:
        pdf = render_label_pdf([label], MEDIA["100x150"])
    except InvalidLabelData as error:
        raise InvalidInput(str(error), error.field) from None
    return f"label-{label.tracking_number}.pdf", pdf
