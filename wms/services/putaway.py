"""Putaway: rank the bins for received stock, and confirm the bin the worker scans.

Also completes re-slotting moves, which are move tasks of the same shape.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from wms.db.base import utcnow
from wms.db.models import FulfillmentCenter, Location, MoveTask, Sku, StockBalance, Zone
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.catalogue import LocationStatus, ZonePurpose
from wms.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from wms.domain.putaway import (
    BinContent,
    CandidateBin,
    MixingPolicy,
    StockToStore,
    check_bin,
    rank_bins,
)
from wms.domain.stock import MovementReason
from wms.domain.tasks import TaskKind, TaskStatus
from wms.services.idempotency import run_once
from wms.services.stock import lock_sku, transfer
from wms.services.views import task_view

STORAGE_PURPOSES = (ZonePurpose.STORAGE, ZonePurpose.HIGH_VALUE, ZonePurpose.HAZMAT)
MAX_OVERRIDE_REASON = 500


def unit_volume_cm3(sku: Sku) -> float:
    return sku.length_mm * sku.width_mm * sku.height_mm / 1000


def stock_to_store(task: MoveTask) -> StockToStore:
    sku = task.sku
    return StockToStore(
        sku_id=sku.id,
        merchant_id=sku.merchant_id,
        lot_id=task.lot_id,
        quantity=task.quantity,
        unit_volume_cm3=unit_volume_cm3(sku),
        unit_weight_g=sku.weight_g,
        temperature=sku.temperature_class,
        hazardous=sku.hazardous,
        high_value=sku.high_value,
        velocity=sku.velocity_class,
        sku_code=sku.code,
    )


def dispatch_point(uow: UnitOfWork, fc_id: int) -> tuple[float, float]:
    """Where outbound goods leave: the centre of the FC's dispatch bins (or the origin)."""
    points = uow.session.execute(
        select(Location.x, Location.y)
        .join(Zone, Zone.id == Location.zone_id)
        .where(Location.fc_id == fc_id, Zone.purpose == ZonePurpose.DISPATCH)
    ).all()
    if not points:
        return 0.0, 0.0
    return sum(x for x, _ in points) / len(points), sum(y for _, y in points) / len(points)


def candidate_bins(
    uow: UnitOfWork, fc_id: int, location_ids: list[int] | None = None
) -> list[CandidateBin]:
    """The FC's storage bins with what each holds now."""
    query = (
        select(Location)
        .join(Zone, Zone.id == Location.zone_id)
        .options(joinedload(Location.zone))
        .where(Location.fc_id == fc_id, Zone.purpose.in_(STORAGE_PURPOSES))
        .order_by(Location.code)
    )
    if location_ids is not None:
        query = query.where(Location.id.in_(location_ids))
    locations = list(uow.session.scalars(query))
    contents: dict[int, list[BinContent]] = defaultdict(list)
    if locations:
        rows = uow.session.execute(
            select(StockBalance, Sku)
            .join(Sku, Sku.id == StockBalance.sku_id)
            .where(StockBalance.location_id.in_([location.id for location in locations]))
        )
        for balance, sku in rows:
            contents[balance.location_id].append(
                BinContent(
                    sku_id=sku.id,
                    lot_id=balance.lot_id,
                    merchant_id=sku.merchant_id,
                    quantity=balance.on_hand,
                    unit_volume_cm3=unit_volume_cm3(sku),
                    unit_weight_g=sku.weight_g,
                )
            )
    dispatch_x, dispatch_y = dispatch_point(uow, fc_id)
    return [
        CandidateBin(
            location_id=location.id,
            code=location.code,
            zone_purpose=location.zone.purpose,
            temperature=location.zone.temperature_class,
            volume_cm3=location.volume_cm3,
            max_weight_g=location.max_weight_g,
            pickable=location.pickable,
            distance_to_dispatch_m=abs(location.x - dispatch_x) + abs(location.y - dispatch_y),
            level=location.level,
            contents=tuple(contents[location.id]),
            active=location.status is LocationStatus.ACTIVE,
        )
        for location in locations
    ]


def _policy(fc: FulfillmentCenter) -> MixingPolicy:
    return MixingPolicy(mix_lots=fc.mix_lots, mix_merchants=fc.mix_merchants)


def suggest_bins(uow: UnitOfWork, fc: FulfillmentCenter, tasks: list[MoveTask]) -> None:
    """Set each task's suggested bin (None when no bin can take its stock), reading the FC's
    bins and their contents once for all the tasks."""
    bins = candidate_bins(uow, fc.id)
    for task in tasks:
        ranked, _ = rank_bins(stock_to_store(task), bins, _policy(fc), limit=1)
        best = uow.session.get(Location, ranked[0].bin.location_id) if ranked else None
        task.suggested_location_id = best.id if best else None
        task.suggested_location = best


def _visible_task(uow: UnitOfWork, actor: Actor, task_id: int) -> MoveTask:
    if not actor.handles_stock:
        raise PermissionDenied("Warehouse staff move stock.")
    task = uow.session.get(MoveTask, task_id)
    if task is None or not actor.works_in(task.fc_id):
        raise NotFound("No such task.", "task_id")
    return task


def putaway_options(uow: UnitOfWork, actor: Actor, task_id: int, limit: int = 5) -> dict[str, Any]:
    """The task with its best bins and why they rank so."""
    with uow:
        task = _visible_task(uow, actor, task_id)
        fc = uow.session.get(FulfillmentCenter, task.fc_id)
        assert fc is not None
        ranked, refusals = rank_bins(
            stock_to_store(task), candidate_bins(uow, fc.id), _policy(fc), limit=limit
        )
        view = task_view(task)
        view["options"] = [
            {
                "location_id": item.bin.location_id,
                "code": item.bin.code,
                "score": round(item.score, 3),
                "fits_units": item.fits_units,
                "reasons": list(item.reasons),
            }
            for item in ranked
        ]
        view["refused_bins"] = len(refusals)
        return view


def list_tasks(
    uow: UnitOfWork,
    actor: Actor,
    fc_id: int,
    kind: TaskKind | None = None,
    status: TaskStatus = TaskStatus.OPEN,
) -> list[dict[str, Any]]:
    """An FC's move tasks, oldest first."""
    if not actor.handles_stock:
        raise PermissionDenied("Warehouse staff move stock.")
    with uow:
        if not actor.works_in(fc_id):
            raise NotFound("No such fulfillment center.", "fc_id")
        query = (
            select(MoveTask)
            .where(MoveTask.fc_id == fc_id, MoveTask.status == status)
            .order_by(MoveTask.id)
            .limit(500)
        )
        if kind is not None:
            query = query.where(MoveTask.kind == kind)
        return [task_view(task) for task in uow.session.scalars(query)]


def complete_task(
    uow: UnitOfWork,
    actor: Actor,
    task_id: int,
    location_code: str,
    override_reason: str | None,
    key: str | None,
) -> tuple[dict[str, Any], bool]:
    """Move the task's stock to the scanned bin; a bin other than the suggested one needs a
    reason, and a bin that cannot take the stock is refused with the rule it breaks."""
    reason_text = (override_reason or "").strip()
    if len(reason_text) > MAX_OVERRIDE_REASON:
        raise InvalidInput(f"At most {MAX_OVERRIDE_REASON} characters.", "override_reason")

    def perform() -> dict[str, Any]:
        task = _visible_task(uow, actor, task_id)
        lock_sku(uow, task.sku)
        locked = uow.session.scalar(
            select(MoveTask).where(MoveTask.id == task.id).with_for_update()
        )
        assert locked is not None
        if locked.status is not TaskStatus.OPEN:
            raise Conflict(f"Task {locked.id} is {locked.status}.", "task_id")
        code = location_code.strip().upper()
        location = uow.session.scalar(
            select(Location).where(Location.fc_id == locked.fc_id, Location.code == code)
        )
        if location is None:
            raise NotFound(f"There is no bin {code} in this FC.", "scan")
        if location.id == locked.from_location_id:
            raise InvalidInput(f"The stock is already in {code}; scan the bin it goes to.", "scan")
        fc = uow.session.get(FulfillmentCenter, locked.fc_id)
        assert fc is not None
        candidates = candidate_bins(uow, fc.id, [location.id])
        if not candidates:
            raise InvalidInput(
                f"Bin {code} is in a {location.zone.purpose} zone; stock is put away to storage.",
                "scan",
            )
        refusal = check_bin(stock_to_store(locked), candidates[0], _policy(fc))
        if refusal is not None:
            raise InvalidInput(refusal.reason, "scan")
        suggested = locked.suggested_location
        if suggested is not None and suggested.id != location.id and not reason_text:
            raise InvalidInput(
                f"The suggested bin is {suggested.code}. To use {code} instead, give a reason.",
                "override_reason",
            )
        transfer(
            uow,
            actor,
            sku=locked.sku,
            lot=locked.lot,
            source=locked.from_location,
            destination=location,
            quantity=locked.quantity,
            reason=MovementReason.PUTAWAY
            if locked.kind is TaskKind.PUTAWAY
            else MovementReason.MOVE,
            reference=f"TASK-{locked.id:06d}",
            note=f"override: {reason_text}" if reason_text else "",
            key=key,
        )
        locked.to_location_id = location.id
        locked.to_location = location
        if suggested is not None and suggested.id != location.id:
            locked.override_reason = reason_text
        locked.status = TaskStatus.DONE
        locked.done_by = actor.user_id
        locked.done_at = utcnow()
        uow.session.flush()
        return task_view(locked)

    payload = {"task_id": task_id, "location_code": location_code, "reason": reason_text}
    return run_once(uow, actor, key, "putaway.complete", payload, perform)
