"""Re-slotting plans: propose (CP-SAT), review, release as move tasks, or discard."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import fields, validate

from wms.api.schemas import IdField, IsoDateTime, WmsSchema
from wms.api.security import BEARER, authenticated, current_actor
from wms.bootstrap import new_uow
from wms.services import slotting

PREFIX = "/slotting-plans"
blp = Blueprint("slotting", __name__, description="Re-slotting SKUs to better pick faces.")


class ProposeSchema(WmsSchema):
    fc_id = IdField(required=True)
    time_limit_s = fields.Float(load_default=10.0, validate=validate.Range(0.5, 120))
    max_moves = fields.Integer(
        strict=True, load_default=None, allow_none=True, validate=validate.Range(1, 10_000)
    )


class SlotMoveSchema(WmsSchema):
    sku_id = fields.Integer()
    sku_code = fields.String()
    from_location_code = fields.String(allow_none=True)
    to_location_code = fields.String()
    from_location_id = fields.Integer(allow_none=True)
    to_location_id = fields.Integer()


class PlanSchema(WmsSchema):
    id = fields.Integer()
    fc_id = fields.Integer()
    status = fields.String()
    current_walking_m = fields.Float(metadata={"description": "Expected walking per day now."})
    planned_walking_m = fields.Float()
    saving_m = fields.Float()
    saving_ratio = fields.Float()
    solver_status = fields.String()
    solve_seconds = fields.Float()
    moves = fields.List(fields.Nested(SlotMoveSchema))
    created_at = IsoDateTime()
    released_at = IsoDateTime(allow_none=True)
    task_ids = fields.List(fields.Integer())


@blp.route("", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(ProposeSchema)
@blp.response(201, PlanSchema)
@authenticated
def propose(data: dict[str, Any]) -> dict[str, Any]:
    """Propose a re-slotting of the FC's pick faces with its predicted walking saving."""
    return slotting.propose_plan(
        new_uow(),
        current_actor(),
        data["fc_id"],
        time_limit_s=data["time_limit_s"],
        max_moves=data["max_moves"],
    )


@blp.route("/<id:plan_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, PlanSchema)
@authenticated
def get_plan(plan_id: int) -> dict[str, Any]:
    """A plan with its moves."""
    return slotting.get_plan(new_uow(), current_actor(), plan_id)


@blp.route("/<id:plan_id>/release", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(200, PlanSchema)
@authenticated
def release(plan_id: int) -> dict[str, Any]:
    """Release the reviewed plan as move tasks for the floor."""
    return slotting.release_plan(new_uow(), current_actor(), plan_id)


@blp.route("/<id:plan_id>/discard", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(200, PlanSchema)
@authenticated
def discard(plan_id: int) -> dict[str, Any]:
    """Drop a plan without moving anything."""
    return slotting.discard_plan(new_uow(), current_actor(), plan_id)
