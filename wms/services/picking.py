"""Picking: a picker walks a trip in route order, scanning bin, item, quantity and tote.

A confirmed pick moves the reserved units from the bin to the FC's dispatch bin (they stay
reserved for the order). Fewer units than asked is a short pick: the missing units are written
off the bin, an exception goes to the managers' queue, and the line is re-allocated from other
bins into the same trip when stock allows. Damaged units go to quarantine the same way.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from routing.pick_path import plan_route
from wms.db.base import utcnow
from wms.db.models import (
    Allocation,
    BatchOrder,
    FulfillmentCenter,
    Order,
    PickBatch,
    PickException,
    Wave,
)
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.catalogue import ZonePurpose
from wms.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from wms.domain.identifiers import gtin_forms, location_check_code
from wms.domain.orders import AllocationStatus, OrderStatus
from wms.domain.stock import MovementReason
from wms.domain.waves import BatchStatus, ExceptionKind, ExceptionResolution, ExceptionStatus
from wms.services import allocation, stock
from wms.services.facilities import visible_fc
from wms.services.floor_plan import drawing, floor_plan
from wms.services.idempotency import run_once
from wms.services.orders import cancel, ship_date
from wms.services.receiving import zone_bin
from wms.services.trip_progress import finish_if_done
from wms.services.views import iso

TOTE_CODE = re.compile(r"^T[A-Z0-9-]{2,19}$")
PACKED_OR_DONE = (OrderStatus.PACKED, OrderStatus.SHIPPED, OrderStatus.CANCELLED)


@dataclass(frozen=True)
class PickConfirmation:
    """What the picker scanned and counted at one pick."""

    location_code: str
    gtin: str
    quantity: int
    tote_code: str
    lot_number: str | None = None
    damaged: int = 0


def _floor_role(actor: Actor) -> None:
    if not actor.handles_stock:
        raise PermissionDenied("Warehouse staff pick.")


def visible_batch(uow: UnitOfWork, actor: Actor, batch_id: int) -> PickBatch:
    _floor_role(actor)
    batch = uow.session.get(PickBatch, batch_id)
    if batch is None or not actor.works_in(batch.fc_id):
        raise NotFound("No such pick trip.", "batch_id")
    return batch


def batch_reference(batch: PickBatch) -> str:
    return f"{batch.wave.reference}-{batch.number:03d}"


def pick_view(item: Allocation, tote: BatchOrder | None) -> dict[str, Any]:
    """A pick as the picker sees it: the bin it is (or was) picked from."""
    bin_ = item.picked_from or item.location
    return {
        "id": item.id,
        "sequence": item.pick_sequence,
        "status": str(item.status),
        "location_code": bin_.code,
        "location_check_code": location_check_code(bin_.code),
        "sku_id": item.sku_id,
        "sku_code": item.sku.code,
        "gtin": item.sku.gtin,
        "sku_name_en": item.sku.name_en,
        "sku_name_th": item.sku.name_th,
        "lot_number": item.lot.lot_number if item.lot else None,
        "expiry_date": iso(item.lot.expiry_date) if item.lot else None,
        "quantity": item.quantity,
        "order_id": item.order_id,
        "order_reference": item.order.reference,
        "slot": tote.slot if tote else None,
        "tote_code": tote.tote_code if tote else None,
    }


def batch_view(uow: UnitOfWork, batch: PickBatch) -> dict[str, Any]:
    """A trip with its totes and its picks in walking order (open picks first in route order)."""
    totes = {tote.order_id: tote for tote in batch.totes}
    picks = list(
        uow.session.scalars(
            select(Allocation)
            .options(
                joinedload(Allocation.location),
                joinedload(Allocation.sku),
                joinedload(Allocation.lot),
                joinedload(Allocation.order),
            )
            .where(Allocation.batch_id == batch.id)
            .order_by(Allocation.pick_sequence, Allocation.id)
        )
    )
    views = [pick_view(item, totes.get(item.order_id)) for item in picks]
    open_picks = [view for view in views if view["status"] == AllocationStatus.RESERVED]
    return {
        "id": batch.id,
        "reference": batch_reference(batch),
        "wave_id": batch.wave_id,
        "wave_reference": batch.wave.reference,
        "fc_id": batch.fc_id,
        "number": batch.number,
        "status": str(batch.status),
        "temperature_class": str(batch.temperature_class),
        "single_items": batch.single_items,
        "walking_m": batch.walking_m,
        "estimated_minutes": batch.estimated_minutes,
        "picker_id": batch.picker_id,
        "started_at": iso(batch.started_at),
        "finished_at": iso(batch.finished_at),
        "route": json.loads(batch.route),
        "totes": [
            {
                "slot": tote.slot,
                "order_id": tote.order_id,
                "order_reference": tote.order.reference,
                "tote_code": tote.tote_code,
            }
            for tote in batch.totes
        ],
        "totes_ready": all(tote.tote_code for tote in batch.totes),
        "picks": views,
        "next_pick": open_picks[0] if open_picks else None,
        "picks_done": len(views) - len(open_picks),
        "picks_total": len(views),
    }


def get_batch(uow: UnitOfWork, actor: Actor, batch_id: int) -> dict[str, Any]:
    with uow:
        return batch_view(uow, visible_batch(uow, actor, batch_id))


def batch_drawing(uow: UnitOfWork, actor: Actor, batch_id: int) -> dict[str, Any]:
    """The floor plan with the trip's route, as plain data for an SVG."""
    with uow:
        batch = visible_batch(uow, actor, batch_id)
        data = drawing(floor_plan(uow, batch.fc_id), json.loads(batch.route))
        data["reference"] = batch_reference(batch)
        data["walking_m"] = batch.walking_m
        return data


def list_batches(
    uow: UnitOfWork, actor: Actor, fc_id: int, statuses: tuple[BatchStatus, ...] | None = None
) -> list[dict[str, Any]]:
    """Trips at an FC that pickers can take or are on, earliest wave first."""
    with uow:
        fc = visible_fc(uow, actor, fc_id)
        _floor_role(actor)
        wanted = statuses or (BatchStatus.RELEASED, BatchStatus.PICKING)
        batches = uow.session.scalars(
            select(PickBatch)
            .options(selectinload(PickBatch.totes), joinedload(PickBatch.wave))
            .join(Wave, Wave.id == PickBatch.wave_id)
            .where(PickBatch.fc_id == fc.id, PickBatch.status.in_(wanted))
            .order_by(Wave.released_at, Wave.id, PickBatch.number)
            .limit(200)
        )
        return [
            {
                "id": batch.id,
                "reference": batch_reference(batch),
                "status": str(batch.status),
                "temperature_class": str(batch.temperature_class),
                "single_items": batch.single_items,
                "orders": len(batch.totes),
                "walking_m": batch.walking_m,
                "estimated_minutes": batch.estimated_minutes,
                "picker_id": batch.picker_id,
            }
            for batch in batches
        ]


def start_batch(
    uow: UnitOfWork, actor: Actor, batch_id: int, key: str | None
) -> tuple[dict[str, Any], bool]:
    """A picker takes a released trip (or resumes their own)."""

    def perform() -> dict[str, Any]:
        batch = visible_batch(uow, actor, batch_id)
        if batch.status is BatchStatus.PICKING:
            if batch.picker_id != actor.user_id:
                raise Conflict("Another picker is on this trip.", "batch_id")
        elif batch.status is BatchStatus.RELEASED:
            batch.status = BatchStatus.PICKING
            batch.picker_id = actor.user_id
            batch.started_at = utcnow()
        else:
            raise Conflict(f"This trip is {batch.status}; it cannot be picked.", "batch_id")
        uow.session.flush()
        return batch_view(uow, batch)

    return run_once(uow, actor, key, "picking.start", {"batch_id": batch_id}, perform)


def _picking_batch(uow: UnitOfWork, actor: Actor, batch_id: int) -> PickBatch:
    batch = visible_batch(uow, actor, batch_id)
    if batch.status is not BatchStatus.PICKING:
        raise Conflict("Start the trip first.", "batch_id")
    if batch.picker_id != actor.user_id:
        raise Conflict("Another picker is on this trip.", "batch_id")
    return batch


def assign_tote(
    uow: UnitOfWork, actor: Actor, batch_id: int, slot: int, tote_code: str, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Put a tote on the cart for the order in `slot`; a tote holds one order at a time."""
    code = tote_code.strip().upper()
    if not TOTE_CODE.match(code):
        raise InvalidInput("A tote code is T followed by 2 to 19 letters, digits or '-'.", "tote")

    def perform() -> dict[str, Any]:
        batch = _picking_batch(uow, actor, batch_id)
        place = next((tote for tote in batch.totes if tote.slot == slot), None)
        if place is None:
            raise NotFound(f"This trip has no slot {slot}.", "slot")
        busy = uow.session.execute(
            select(BatchOrder, Order)
            .join(Order, Order.id == BatchOrder.order_id)
            .join(PickBatch, PickBatch.id == BatchOrder.batch_id)
            .where(
                BatchOrder.tote_code == code,
                PickBatch.fc_id == batch.fc_id,
                Order.status.not_in(PACKED_OR_DONE),
                BatchOrder.id != place.id,
            )
        ).first()
        if busy is not None:
            raise Conflict(f"Tote {code} still holds order {busy[1].reference}.", "tote")
        picked = any(
            item.status is not AllocationStatus.RESERVED
            for item in batch.picks
            if item.order_id == place.order_id
        )
        if place.tote_code and place.tote_code != code and picked:
            raise Conflict(
                f"Slot {slot} already has tote {place.tote_code} with picked units in it.", "tote"
            )
        place.tote_code = code
        uow.session.flush()
        return batch_view(uow, batch)

    return run_once(
        uow,
        actor,
        key,
        "picking.tote",
        {"batch_id": batch_id, "slot": slot, "tote": code},
        perform,
    )


def _check_scans(item: Allocation, scan: PickConfirmation, tote: BatchOrder | None) -> None:
    location = item.location
    given = scan.location_code.strip().upper()
    if given not in (location.code, location_check_code(location.code)):
        raise InvalidInput(f"Wrong bin: this pick is at {location.code}.", "location_code")
    if item.sku.gtin.zfill(14) not in {form.zfill(14) for form in gtin_forms(scan.gtin.strip())}:
        raise InvalidInput(f"Wrong item: this pick is {item.sku.code} ({item.sku.gtin}).", "gtin")
    if item.lot is not None and scan.lot_number and scan.lot_number != item.lot.lot_number:
        raise InvalidInput(
            f"Wrong lot: pick lot {item.lot.lot_number} (it expires first).", "lot_number"
        )
    if scan.quantity < 0 or scan.damaged < 0:
        raise InvalidInput("Quantities cannot be negative.", "quantity")
    if scan.quantity + scan.damaged > item.quantity:
        raise InvalidInput(
            f"This pick is for {item.quantity} unit(s); put the rest back.", "quantity"
        )
    if scan.quantity > 0:
        if tote is None or not tote.tote_code:
            raise Conflict("Scan a tote for this order's slot first.", "tote")
        if scan.tote_code.strip().upper() != tote.tote_code:
            raise InvalidInput(
                f"Wrong tote: this order goes in {tote.tote_code} (slot {tote.slot}).", "tote"
            )


def _resequence(uow: UnitOfWork, batch: PickBatch, after: int) -> None:
    """Put the trip's open picks back in walking order (after a re-allocation added some)."""
    open_picks = list(
        uow.session.scalars(
            select(Allocation)
            .options(joinedload(Allocation.location))
            .where(Allocation.batch_id == batch.id, Allocation.status == AllocationStatus.RESERVED)
        )
    )
    if not open_picks:
        return
    graph = floor_plan(uow, batch.fc_id).graph
    route = plan_route(graph, [item.location.code for item in open_picks], time_limit_s=0.05)
    codes: list[str] = []
    for position, index in enumerate(route.order, start=1):
        item = open_picks[index]
        item.pick_sequence = after + position
        if not codes or codes[-1] != item.location.code:
            codes.append(item.location.code)
    done = json.loads(batch.route)
    batch.route = json.dumps(done + [code for code in codes if code not in done])


def confirm_pick(
    uow: UnitOfWork, actor: Actor, pick_id: int, scan: PickConfirmation, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Record one pick: good units to the tote (dispatch), damaged to quarantine, missing ones
    written off; a shortfall is re-allocated from other bins into this trip."""

    def perform() -> dict[str, Any]:
        item = uow.session.get(Allocation, pick_id)
        if item is None or item.batch_id is None:
            raise NotFound("No such pick.", "pick_id")
        batch = _picking_batch(uow, actor, item.batch_id)
        allocation.lock_skus(uow, [item.sku])
        uow.session.refresh(item)
        if item.status is not AllocationStatus.RESERVED:
            raise Conflict(f"This pick is {item.status} already.", "pick_id")
        tote = next((t for t in batch.totes if t.order_id == item.order_id), None)
        _check_scans(item, scan, tote)
        fc = uow.session.get(FulfillmentCenter, batch.fc_id)
        assert fc is not None
        order = item.order
        reference = f"{order.reference} {batch_reference(batch)}"
        source = item.location
        asked = item.quantity
        missing = asked - scan.quantity - scan.damaged
        result: dict[str, Any] = {
            "picked": scan.quantity,
            "damaged": scan.damaged,
            "short": missing,
            "reallocated": 0,
            "exceptions": [],
        }
        if scan.damaged:
            stock.release(uow, source, item.sku, item.lot, scan.damaged)
            stock.transfer(
                uow,
                actor,
                sku=item.sku,
                lot=item.lot,
                source=source,
                destination=zone_bin(uow, fc, ZonePurpose.QUARANTINE),
                quantity=scan.damaged,
                reason=MovementReason.DAMAGED,
                reference=reference,
                note="damaged at picking",
                key=key,
            )
        if missing:
            stock.move_reserved(
                uow,
                actor,
                sku=item.sku,
                lot=item.lot,
                source=source,
                destination=None,
                quantity=missing,
                reason=MovementReason.SHORT_PICK,
                reference=reference,
                note="not found at picking",
                key=key,
            )
        if scan.quantity:
            dispatch = zone_bin(uow, fc, ZonePurpose.DISPATCH)
            stock.move_reserved(
                uow,
                actor,
                sku=item.sku,
                lot=item.lot,
                source=source,
                destination=dispatch,
                quantity=scan.quantity,
                reason=MovementReason.PICKED,
                reference=reference,
                key=key,
            )
            item.picked_from_id = source.id
            item.picked_from = source
            item.quantity = scan.quantity
            item.picked_quantity = scan.quantity
            item.location_id = dispatch.id
            item.location = dispatch
            item.status = AllocationStatus.PICKED
        else:
            item.picked_from_id = source.id
            item.status = AllocationStatus.SHORT
        item.picked_by = actor.user_id
        item.picked_at = utcnow()
        shortfall = missing + scan.damaged
        if shortfall:
            new = allocation.reserve_line(
                uow, order, item.line, shortfall, ship_date(order), excluded_locations=[source.id]
            )
            for made in new:
                made.batch_id = batch.id
            result["reallocated"] = sum(made.quantity for made in new)
            _resequence(uow, batch, item.pick_sequence or 0)
            left = result["reallocated"]
            for kind, units in (
                (ExceptionKind.DAMAGED, scan.damaged),
                (ExceptionKind.SHORT, missing),
            ):
                if not units:
                    continue
                covered = min(units, left)
                left -= covered
                exception = PickException(
                    fc_id=fc.id,
                    kind=kind,
                    order_id=order.id,
                    batch_id=batch.id,
                    location_id=source.id,
                    sku_id=item.sku_id,
                    lot_id=item.lot_id,
                    quantity=units,
                    reallocated=covered,
                    reported_by=actor.user_id,
                    created_at=utcnow(),
                )
                uow.session.add(exception)
                uow.session.flush()
                result["exceptions"].append(exception.id)
        finish_if_done(uow, batch)
        uow.session.flush()
        view = batch_view(uow, batch)
        view["result"] = result
        return view

    payload = {"pick_id": pick_id, "scan": repr(scan)}
    return run_once(uow, actor, key, "picking.confirm", payload, perform)


# --- exceptions -------------------------------------------------------------------------------


def exception_view(exception: PickException) -> dict[str, Any]:
    missing = exception.quantity - exception.reallocated
    return {
        "id": exception.id,
        "fc_id": exception.fc_id,
        "kind": str(exception.kind),
        "status": str(exception.status),
        "order_id": exception.order_id,
        "order_reference": exception.order.reference,
        "order_status": str(exception.order.status),
        "location_code": exception.location.code,
        "sku_code": exception.sku.code,
        "sku_name_en": exception.sku.name_en,
        "lot_number": exception.lot.lot_number if exception.lot else None,
        "quantity": exception.quantity,
        "reallocated": exception.reallocated,
        "unfilled": missing,
        "note": exception.note,
        "created_at": iso(exception.created_at),
        "resolved_at": iso(exception.resolved_at),
        "resolution": exception.resolution,
    }


def list_exceptions(
    uow: UnitOfWork, actor: Actor, fc_id: int, status: ExceptionStatus | None = ExceptionStatus.OPEN
) -> list[dict[str, Any]]:
    with uow:
        fc = visible_fc(uow, actor, fc_id)
        query = (
            select(PickException)
            .where(PickException.fc_id == fc.id)
            .order_by(PickException.id.desc())
            .limit(500)
        )
        if status is not None:
            query = query.where(PickException.status == status)
        return [exception_view(item) for item in uow.session.scalars(query)]


def short_orders(uow: UnitOfWork, order_ids: list[int]) -> set[int]:
    """Those of the orders with an open exception whose units could not all be re-allocated:
    they wait for a manager to ship them short or cancel them."""
    if not order_ids:
        return set()
    return set(
        uow.session.scalars(
            select(PickException.order_id).where(
                PickException.order_id.in_(order_ids),
                PickException.status == ExceptionStatus.OPEN,
                PickException.quantity > PickException.reallocated,
            )
        )
    )


def resolve_exception(
    uow: UnitOfWork, actor: Actor, exception_id: int, action: str, note: str, key: str | None
) -> tuple[dict[str, Any], bool]:
    """A manager closes an exception: ship the order short, cancel it, or acknowledge (the
    re-allocation covered it, or the bin was counted)."""
    if action not in set(ExceptionResolution):
        raise InvalidInput(f"Choose one of {', '.join(ExceptionResolution)}.", "action")

    def perform() -> dict[str, Any]:
        exception = uow.session.get(PickException, exception_id)
        if exception is None or not actor.works_in(exception.fc_id):
            raise NotFound("No such exception.", "exception_id")
        if not actor.manages(exception.fc_id):
            raise PermissionDenied("Managers resolve exceptions.")
        if exception.status is ExceptionStatus.RESOLVED:
            raise Conflict("This exception is resolved already.", "exception_id")
        unfilled = exception.quantity - exception.reallocated
        if action == ExceptionResolution.ACKNOWLEDGE and unfilled:
            raise Conflict(
                f"{unfilled} unit(s) are still missing: ship the order short or cancel it.",
                "action",
            )
        if action == ExceptionResolution.CANCEL_ORDER:
            cancel(uow, actor, exception.order)
        exception.status = ExceptionStatus.RESOLVED
        exception.resolved_by = actor.user_id
        exception.resolved_at = utcnow()
        exception.resolution = action + (f": {note.strip()}" if note.strip() else "")
        uow.session.flush()
        return exception_view(exception)

    payload = {"exception_id": exception_id, "action": action, "note": note}
    return run_once(uow, actor, key, "picking.resolve", payload, perform)
