"""Re-slotting: propose better pick faces for SKUs (CP-SAT), review, release as move tasks."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from routing.slotting import PickFace, SlottedSku, plan_slotting
from wms.db.base import utcnow
from wms.db.models import Location, MoveTask, Sku, SlottingPlan, StockBalance, Zone
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.catalogue import LocationStatus, VelocityClass, ZonePurpose
from wms.domain.errors import Conflict, InvalidInput, NotFound
from wms.domain.tasks import PlanStatus, TaskKind
from wms.services.facilities import managed_fc
from wms.services.putaway import STORAGE_PURPOSES, dispatch_point, unit_volume_cm3
from wms.services.views import iso

# Expected picks per day by velocity class, until order history is there to measure it.
PICKS_PER_DAY = {VelocityClass.A: 40.0, VelocityClass.B: 10.0, VelocityClass.C: 2.0}
GOLDEN_LEVELS = (1, 2)


def _faces(uow: UnitOfWork, fc_id: int) -> tuple[list[Location], list[PickFace]]:
    locations = list(
        uow.session.scalars(
            select(Location)
            .join(Zone, Zone.id == Location.zone_id)
            .options(joinedload(Location.zone))
            .where(
                Location.fc_id == fc_id,
                Location.pickable.is_(True),
                Location.status == LocationStatus.ACTIVE,
                Zone.purpose.in_(STORAGE_PURPOSES),
            )
            .order_by(Location.code)
        )
    )
    dispatch_x, dispatch_y = dispatch_point(uow, fc_id)
    faces = [
        PickFace(
            id=location.id,
            distance_m=abs(location.x - dispatch_x) + abs(location.y - dispatch_y),
            temperature=location.zone.temperature_class.value,
            volume_cm3=location.volume_cm3,
            max_weight_g=location.max_weight_g,
            golden_zone=location.level in GOLDEN_LEVELS,
            hazmat=location.zone.purpose is ZonePurpose.HAZMAT,
        )
        for location in locations
    ]
    return locations, faces


def _slotted(uow: UnitOfWork, face_ids: set[int]) -> list[SlottedSku]:
    """SKUs in pick faces: each in the face where most of its units are, sized by its stock."""
    units: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    skus: dict[int, Sku] = {}
    rows = uow.session.execute(
        select(StockBalance, Sku)
        .join(Sku, Sku.id == StockBalance.sku_id)
        .where(StockBalance.location_id.in_(face_ids))
    )
    for balance, sku in rows:
        units[sku.id][balance.location_id] += balance.on_hand
        skus[sku.id] = sku
    occupied: set[int] = set()
    result: list[SlottedSku] = []
    for sku_id in sorted(units, key=lambda s: -PICKS_PER_DAY[skus[s].velocity_class]):
        sku = skus[sku_id]
        face, count = max(units[sku_id].items(), key=lambda item: (item[1], -item[0]))
        current = face if face not in occupied else None
        occupied.add(face)
        result.append(
            SlottedSku(
                id=sku.id,
                picks_per_day=PICKS_PER_DAY[sku.velocity_class],
                temperature=sku.temperature_class.value,
                volume_cm3=int(unit_volume_cm3(sku) * count) + 1,
                weight_g=sku.weight_g * count,
                current_face=current,
                hazardous=sku.hazardous,
            )
        )
    return result


def plan_view(plan: SlottingPlan) -> dict[str, Any]:
    saving = plan.current_walking_m - plan.planned_walking_m
    return {
        "id": plan.id,
        "fc_id": plan.fc_id,
        "status": str(plan.status),
        "current_walking_m": round(plan.current_walking_m, 1),
        "planned_walking_m": round(plan.planned_walking_m, 1),
        "saving_m": round(saving, 1),
        "saving_ratio": round(saving / plan.current_walking_m, 4)
        if plan.current_walking_m
        else 0.0,
        "solver_status": plan.solver_status,
        "solve_seconds": round(plan.solve_seconds, 2),
        "moves": json.loads(plan.moves),
        "created_at": iso(plan.created_at),
        "released_at": iso(plan.released_at),
        "task_ids": [task.id for task in plan.tasks],
    }


def propose_plan(
    uow: UnitOfWork,
    actor: Actor,
    fc_id: int,
    *,
    time_limit_s: float = 10.0,
    max_moves: int | None = None,
) -> dict[str, Any]:
    """A re-slotting plan for the FC's pick faces, with its predicted saving; not yet released."""
    if not 0.5 <= time_limit_s <= 120:
        raise InvalidInput("Between 0.5 and 120 seconds.", "time_limit_s")
    if max_moves is not None and not 1 <= max_moves <= 10_000:
        raise InvalidInput("Between 1 and 10,000 moves.", "max_moves")
    with uow:
        fc = managed_fc(uow, actor, fc_id)
        locations, faces = _faces(uow, fc.id)
        skus = _slotted(uow, {face.id for face in faces})
        if not skus:
            raise Conflict("No SKU is in a pick face of this FC; nothing to re-slot.", "fc_id")
        try:
            result = plan_slotting(
                skus, faces, time_limit_s=time_limit_s, max_moves=max_moves, workers=1, seed=0
            )
        except ValueError as error:
            raise Conflict(f"The pick faces cannot hold these SKUs: {error}", "fc_id") from error
        code_of = {location.id: location.code for location in locations}
        sku_codes = {
            sku.id: sku.code
            for sku in uow.session.scalars(
                select(Sku).where(Sku.id.in_([item.sku_id for item in result.moves]))
            )
        }
        moves = [
            {
                "sku_id": move.sku_id,
                "sku_code": sku_codes[move.sku_id],
                "from_location_code": code_of.get(move.from_face) if move.from_face else None,
                "to_location_code": code_of[move.to_face],
                "from_location_id": move.from_face,
                "to_location_id": move.to_face,
            }
            for move in result.moves
        ]
        plan = SlottingPlan(
            fc_id=fc.id,
            status=PlanStatus.PROPOSED,
            current_walking_m=result.current_walking_m,
            planned_walking_m=result.planned_walking_m,
            solver_status=result.status,
            solve_seconds=result.solve_seconds,
            moves=json.dumps(moves),
            created_by=actor.user_id,
            created_at=utcnow(),
        )
        uow.session.add(plan)
        uow.session.flush()
        view = plan_view(plan)
        uow.commit()
        return view


def _plan(uow: UnitOfWork, actor: Actor, plan_id: int) -> SlottingPlan:
    plan = uow.session.get(SlottingPlan, plan_id)
    if plan is None or not actor.works_in(plan.fc_id):
        raise NotFound("No such slotting plan.", "plan_id")
    managed_fc(uow, actor, plan.fc_id)
    return plan


def get_plan(uow: UnitOfWork, actor: Actor, plan_id: int) -> dict[str, Any]:
    with uow:
        return plan_view(_plan(uow, actor, plan_id))


def release_plan(uow: UnitOfWork, actor: Actor, plan_id: int) -> dict[str, Any]:
    """Turn a reviewed plan into move tasks: one per lot of each SKU that changes face."""
    with uow:
        plan = _plan(uow, actor, plan_id)
        if plan.status is not PlanStatus.PROPOSED:
            raise Conflict(f"The plan is {plan.status}.", "plan_id")
        for move in json.loads(plan.moves):
            if move["from_location_id"] is None:
                continue
            balances = uow.session.scalars(
                select(StockBalance).where(
                    StockBalance.location_id == move["from_location_id"],
                    StockBalance.sku_id == move["sku_id"],
                )
            )
            for balance in balances:
                if balance.on_hand - balance.reserved <= 0:
                    continue
                plan.tasks.append(
                    MoveTask(
                        fc_id=plan.fc_id,
                        kind=TaskKind.RESLOT,
                        merchant_id=balance.sku.merchant_id,
                        sku_id=balance.sku_id,
                        lot_id=balance.lot_id,
                        quantity=balance.on_hand - balance.reserved,
                        from_location_id=move["from_location_id"],
                        suggested_location_id=move["to_location_id"],
                        created_at=utcnow(),
                    )
                )
        plan.status = PlanStatus.RELEASED
        plan.released_by = actor.user_id
        plan.released_at = utcnow()
        uow.session.flush()
        view = plan_view(plan)
        uow.commit()
        return view


def discard_plan(uow: UnitOfWork, actor: Actor, plan_id: int) -> dict[str, Any]:
    with uow:
        plan = _plan(uow, actor, plan_id)
        if plan.status is not PlanStatus.PROPOSED:
            raise Conflict(f"The plan is {plan.status}.", "plan_id")
        plan.status = PlanStatus.DISCARDED
        view = plan_view(plan)
        uow.commit()
        return view
