"""Wave planning: split the orders due at a cut-off into picker trips, preview, release."""

from __future__ import annotations

import json
import time as timer
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload, selectinload

from routing import batching
from wms.db.base import utcnow
from wms.db.models import Allocation, BatchOrder, FulfillmentCenter, Order, PickBatch, Wave
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from wms.domain.orders import WAVEABLE, AllocationStatus, OrderStatus
from wms.domain.waves import (
    BatchStatus,
    CartLimits,
    PickPace,
    WaveStatus,
    check_discard,
    check_release,
)
from wms.services.carriers import carrier_of, due_cutoff
from wms.services.facilities import visible_fc
from wms.services.floor_plan import floor_plan
from wms.services.idempotency import run_once
from wms.services.order_status import set_status
from wms.services.picking import batch_reference
from wms.services.views import iso

PACE = PickPace()
MAX_WAVE_ORDERS = 10_000


@dataclass(frozen=True)
class WaveRequest:
    """What the manager asks for: orders due by a cut-off (or all waiting), cart and pickers."""

    fc_id: int
    cutoff: datetime | None = None
    carrier_id: int | None = None
    cart: CartLimits = field(default_factory=CartLimits)
    pickers: int = 4
    time_limit_s: float = 10.0

    def check(self) -> None:
        if self.cutoff is not None:
            if self.cutoff.tzinfo is None:
                raise InvalidInput("Give the cut-off with a timezone offset.", "cutoff")
            if abs(self.cutoff - utcnow()) > timedelta(days=366):
                raise InvalidInput("Give a cut-off within a year of today.", "cutoff")
        if not 1 <= self.pickers <= 200:
            raise InvalidInput("Between 1 and 200 pickers.", "pickers")
        if not 0.5 <= self.time_limit_s <= 120:
            raise InvalidInput("Between 0.5 and 120 seconds.", "time_limit_s")


def _managed(uow: UnitOfWork, actor: Actor, fc_id: int) -> FulfillmentCenter:
    fc = visible_fc(uow, actor, fc_id)
    if not actor.manages(fc.id):
        raise PermissionDenied("Managers plan and release waves.")
    return fc


def _due_orders(uow: UnitOfWork, request: WaveRequest, fc: FulfillmentCenter) -> list[Order]:
    query = (
        select(Order)
        .options(
            selectinload(Order.allocations).joinedload(Allocation.location),
            selectinload(Order.allocations).joinedload(Allocation.sku),
            joinedload(Order.carrier),
        )
        .where(Order.fc_id == fc.id, Order.status.in_(WAVEABLE), Order.wave_id.is_(None))
        .order_by(Order.ship_by, Order.id)
    )
    if request.carrier_id is not None:
        carrier_of(uow, fc, request.carrier_id)
        query = query.where(Order.carrier_id == request.carrier_id)
    if request.cutoff is not None:
        # An order is due at the last collection before its ship-by; one day's margin in SQL.
        query = query.where(Order.ship_by < request.cutoff + timedelta(days=1))
    orders = list(uow.session.scalars(query))
    if request.cutoff is not None:
        orders = [
            order
            for order in orders
            if due_cutoff(order.carrier, fc.timezone, order.ship_by) <= request.cutoff
        ]
    return orders[:MAX_WAVE_ORDERS]


def _wave_orders(
    orders: list[Order],
) -> tuple[list[batching.WaveOrder], dict[tuple[str, int], Allocation]]:
    """Each order's reserved picks, split by temperature (chilled and ambient go apart)."""
    wave_orders: list[batching.WaveOrder] = []
    picks: dict[tuple[str, int], Allocation] = {}
    for order in orders:
        by_group: dict[str, list[Allocation]] = defaultdict(list)
        for item in order.allocations:
            if item.status is AllocationStatus.RESERVED:
                by_group[str(item.sku.temperature_class)].append(item)
        for group, items in sorted(by_group.items()):
            wave_id = f"{order.id}/{group}"
            lines = []
            for index, item in enumerate(items):
                sku = item.sku
                lines.append(
                    batching.PickLine(
                        key=item.location.code,
                        quantity=item.quantity,
                        volume_l=sku.length_mm * sku.width_mm * sku.height_mm / 1_000_000,
                        weight_kg=sku.weight_g / 1000,
                    )
                )
                picks[(wave_id, index)] = item
            wave_orders.append(batching.WaveOrder(id=wave_id, lines=tuple(lines), group=group))
    return wave_orders, picks


def plan_wave(
    uow: UnitOfWork, actor: Actor, request: WaveRequest, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Plan a wave: trips that keep carts within limits, chilled apart from ambient, single-item
    orders apart, with the least total walking. The wave stays a preview until released."""
    request.check()

    def perform() -> dict[str, Any]:
        fc = _managed(uow, actor, request.fc_id)
        orders = _due_orders(uow, request, fc)
        if not orders:
            raise Conflict("No allocated orders are waiting for this cut-off.", "cutoff")
        wave_orders, picks = _wave_orders(orders)
        plan = floor_plan(uow, fc.id)
        cart = batching.Cart(
            max_orders=request.cart.max_orders,
            max_volume_l=request.cart.max_volume_l,
            max_weight_kg=request.cart.max_weight_kg,
        )
        started = timer.perf_counter()
        result = batching.plan_wave(
            plan.graph, wave_orders, cart, time_limit_s=request.time_limit_s
        )
        planning_ms = int((timer.perf_counter() - started) * 1000)
        # The baseline keeps the same rules: temperatures apart and single-item orders apart.
        baseline = batching.first_come_first_served(
            plan.graph, wave_orders, cart, separate_single_items=True
        )
        wave = Wave(
            reference=f"NEW-{timer.time_ns()}",
            fc_id=fc.id,
            status=WaveStatus.PLANNED,
            cutoff=request.cutoff,
            carrier_id=request.carrier_id,
            max_orders=request.cart.max_orders,
            max_volume_l=request.cart.max_volume_l,
            max_weight_kg=request.cart.max_weight_kg,
            walking_m=round(result.total_m, 1),
            fcfs_walking_m=round(baseline.total_m, 1),
            planning_ms=planning_ms,
            planned_by=actor.user_id,
        )
        uow.session.add(wave)
        uow.session.flush()
        wave.reference = f"WV-{fc.code}-{wave.id:06d}"
        orders_by_id = {order.id: order for order in orders}
        for number, trip in enumerate(result.trips, start=1):
            trip_orders = [orders_by_id[int(part.split("/")[0])] for part in trip.order_ids]
            route: list[str] = []
            units = 0
            for sequence, (wave_order_id, line_index) in enumerate(trip.sequence, start=1):
                item = picks[(wave_order_id, line_index)]
                item.pick_sequence = sequence
                units += item.quantity
                if not route or route[-1] != item.location.code:
                    route.append(item.location.code)
            batch = PickBatch(
                wave_id=wave.id,
                fc_id=fc.id,
                number=number,
                temperature_class=trip.group,
                single_items=all(
                    batching.is_single_item(wo) for wo in wave_orders if wo.id in trip.order_ids
                ),
                status=BatchStatus.PLANNED,
                walking_m=round(trip.length_m, 1),
                estimated_minutes=PACE.minutes(trip.length_m, len(route), units),
                volume_l=round(trip.volume_l, 2),
                weight_kg=round(trip.weight_kg, 2),
                route=json.dumps(route),
            )
            uow.session.add(batch)
            uow.session.flush()
            for slot, order in enumerate(trip_orders, start=1):
                uow.session.add(BatchOrder(batch_id=batch.id, order_id=order.id, slot=slot))
            for wave_order_id, line_index in trip.sequence:
                picks[(wave_order_id, line_index)].batch_id = batch.id
        for order in orders:
            order.wave_id = wave.id
            set_status(uow, order, OrderStatus.WAVED)
        uow.session.flush()
        return _wave_detail(uow, wave, request.pickers)

    payload = {
        "fc_id": request.fc_id,
        "cutoff": iso(request.cutoff),
        "carrier_id": request.carrier_id,
        "cart": repr(request.cart),
        "pickers": request.pickers,
    }
    return run_once(uow, actor, key, "waves.plan", payload, perform)


def _batch_summary(batch: PickBatch) -> dict[str, Any]:
    picks = list(batch.picks)
    done = sum(1 for item in picks if item.status is not AllocationStatus.RESERVED)
    return {
        "id": batch.id,
        "number": batch.number,
        "reference": batch_reference(batch),
        "temperature_class": str(batch.temperature_class),
        "single_items": batch.single_items,
        "status": str(batch.status),
        "walking_m": batch.walking_m,
        "estimated_minutes": batch.estimated_minutes,
        "volume_l": batch.volume_l,
        "weight_kg": batch.weight_kg,
        "orders": len(batch.totes),
        "order_references": [tote.order.reference for tote in batch.totes],
        "picks": len(picks),
        "picks_done": done,
        "units": sum(item.quantity for item in picks),
        "stops": len(json.loads(batch.route)),
        "picker_id": batch.picker_id,
        "started_at": iso(batch.started_at),
        "finished_at": iso(batch.finished_at),
    }


def _wave_summary(wave: Wave, orders: int, trips: int) -> dict[str, Any]:
    """What a list of waves shows: counts and walking, without the trips."""
    return {
        "id": wave.id,
        "reference": wave.reference,
        "fc_id": wave.fc_id,
        "status": str(wave.status),
        "cutoff": iso(wave.cutoff),
        "carrier_id": wave.carrier_id,
        "cart": {
            "max_orders": wave.max_orders,
            "max_volume_l": wave.max_volume_l,
            "max_weight_kg": wave.max_weight_kg,
        },
        "orders": orders,
        "trips": trips,
        "walking_m": wave.walking_m,
        "fcfs_walking_m": wave.fcfs_walking_m,
        "saving_vs_fcfs": (
            round(1 - wave.walking_m / wave.fcfs_walking_m, 3) if wave.fcfs_walking_m else 0.0
        ),
        "planning_ms": wave.planning_ms,
        "created_at": iso(wave.created_at),
        "released_at": iso(wave.released_at),
    }


def _wave_detail(uow: UnitOfWork, wave: Wave, pickers: int = 4) -> dict[str, Any]:
    uow.session.flush()
    batches = list(
        uow.session.scalars(
            select(PickBatch)
            .options(
                selectinload(PickBatch.picks),
                selectinload(PickBatch.totes).joinedload(BatchOrder.order),
            )
            .where(PickBatch.wave_id == wave.id, PickBatch.status != BatchStatus.DISCARDED)
            .order_by(PickBatch.number)
        )
    )
    orders = list(
        uow.session.scalars(
            select(Order).options(joinedload(Order.carrier)).where(Order.wave_id == wave.id)
        )
    )
    timezone = wave.fc.timezone
    cutoffs = [due_cutoff(order.carrier, timezone, order.ship_by) for order in orders]
    earliest = min(cutoffs) if cutoffs else None
    remaining = sum(
        batch.estimated_minutes
        for batch in batches
        if batch.status in (BatchStatus.PLANNED, BatchStatus.RELEASED)
    )
    finish = utcnow() + timedelta(minutes=remaining / max(pickers, 1))
    return {
        **_wave_summary(wave, len(orders), len(batches)),
        "estimated_minutes": round(sum(batch.estimated_minutes for batch in batches), 1),
        "pickers": pickers,
        "earliest_cutoff": iso(earliest),
        "earliest_cutoff_local": (
            earliest.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M") if earliest else None
        ),
        "estimated_finish": iso(finish),
        "estimated_finish_local": finish.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M"),
        "meets_cutoff": earliest is None or finish <= earliest,
        "batches": [_batch_summary(batch) for batch in batches],
    }


def _visible_wave(uow: UnitOfWork, actor: Actor, wave_id: int) -> Wave:
    wave = uow.session.get(Wave, wave_id)
    if wave is None or not actor.works_in(wave.fc_id):
        raise NotFound("No such wave.", "wave_id")
    return wave


def get_wave(uow: UnitOfWork, actor: Actor, wave_id: int, pickers: int = 4) -> dict[str, Any]:
    with uow:
        return _wave_detail(uow, _visible_wave(uow, actor, wave_id), pickers)


def list_waves(
    uow: UnitOfWork, actor: Actor, fc_id: int, status: WaveStatus | None = None
) -> list[dict[str, Any]]:
    with uow:
        fc = visible_fc(uow, actor, fc_id)
        query = select(Wave).where(Wave.fc_id == fc.id).order_by(Wave.id.desc()).limit(100)
        if status is not None:
            query = query.where(Wave.status == status)
        found = list(uow.session.scalars(query))
        ids = [wave.id for wave in found]
        orders = dict(
            uow.session.execute(
                select(Order.wave_id, func.count(Order.id))
                .where(Order.wave_id.in_(ids))
                .group_by(Order.wave_id)
            ).all()
        )
        trips = dict(
            uow.session.execute(
                select(PickBatch.wave_id, func.count(PickBatch.id))
                .where(PickBatch.wave_id.in_(ids), PickBatch.status != BatchStatus.DISCARDED)
                .group_by(PickBatch.wave_id)
            ).all()
        )
        return [
            _wave_summary(wave, orders.get(wave.id, 0), trips.get(wave.id, 0)) for wave in found
        ]


def release_wave(
    uow: UnitOfWork, actor: Actor, wave_id: int, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Hand the planned trips to the pickers."""

    def perform() -> dict[str, Any]:
        wave = _visible_wave(uow, actor, wave_id)
        _managed(uow, actor, wave.fc_id)
        check_release(wave.status)
        wave.status = WaveStatus.RELEASED
        wave.released_at = utcnow()
        for batch in wave.batches:
            batch.status = BatchStatus.RELEASED
        uow.session.flush()
        return _wave_detail(uow, wave)

    return run_once(uow, actor, key, "waves.release", {"wave_id": wave_id}, perform)


def discard_wave(
    uow: UnitOfWork, actor: Actor, wave_id: int, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Drop a planned wave: its orders wait for the next plan, their reservations unchanged."""

    def perform() -> dict[str, Any]:
        wave = _visible_wave(uow, actor, wave_id)
        _managed(uow, actor, wave.fc_id)
        check_discard(wave.status)
        batch_ids = [batch.id for batch in wave.batches]
        for item in uow.session.scalars(
            select(Allocation).where(Allocation.batch_id.in_(batch_ids))
        ):
            item.batch_id = None
            item.pick_sequence = None
        uow.session.execute(delete(BatchOrder).where(BatchOrder.batch_id.in_(batch_ids)))
        for batch in wave.batches:
            batch.status = BatchStatus.DISCARDED
        for order in uow.session.scalars(select(Order).where(Order.wave_id == wave.id)):
            order.wave_id = None
            if order.status is OrderStatus.WAVED:
                set_status(uow, order, OrderStatus.ALLOCATED)
        wave.status = WaveStatus.DISCARDED
        uow.session.flush()
        return _wave_detail(uow, wave)

    return run_once(uow, actor, key, "waves.discard", {"wave_id": wave_id}, perform)
