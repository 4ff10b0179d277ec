"""Waves and picker trips: plan, preview, release; pick by trip; the exception queue."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from wms.api.outbound_schemas import (
    ExceptionArgs,
    ExceptionSchema,
    FcArgs,
    FloorPlanSchema,
    PickConfirmationSchema,
    PlanWaveSchema,
    ResolveExceptionSchema,
    ToteAssignmentSchema,
    TripListItemSchema,
    TripSchema,
    WaveArgs,
    WaveSchema,
)
from wms.api.schemas import IdempotencyHeader
from wms.api.security import BEARER, authenticated, current_actor
from wms.api.stock import replayable
from wms.bootstrap import new_uow
from wms.domain.waves import CartLimits
from wms.services import picking, waves

PREFIX = "/waves"
blp = Blueprint("waves", __name__, description="Pick waves for a cut-off, split into trips.")
trips_blp = Blueprint(
    "trips", __name__, description="Picker trips: totes and picks in route order."
)
picks_blp = Blueprint("picks", __name__, description="Confirming single picks.")
exceptions_blp = Blueprint(
    "pick_exceptions", __name__, description="Short and damaged picks, until a manager decides."
)
TRIPS_PREFIX = "/trips"
PICKS_PREFIX = "/picks"
EXCEPTIONS_PREFIX = "/pick-exceptions"


@blp.route("", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.arguments(PlanWaveSchema)
@blp.response(201, WaveSchema)
@authenticated
def plan(header: dict[str, Any], data: dict[str, Any]) -> Any:
    """Plan a wave (a preview until released): trips for carts with the least walking."""
    request = waves.WaveRequest(
        fc_id=data["fc_id"],
        cutoff=data["cutoff"],
        carrier_id=data["carrier_id"],
        cart=CartLimits(data["max_orders"], data["max_volume_l"], data["max_weight_kg"]),
        pickers=data["pickers"],
        time_limit_s=data["time_limit_s"],
    )
    return replayable(waves.plan_wave(new_uow(), current_actor(), request, header["key"]), 201)


@blp.route("", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(WaveArgs, location="query")
@blp.response(200, WaveSchema(many=True))
@authenticated
def list_waves(args: dict[str, Any]) -> list[dict[str, Any]]:
    """The FC's waves, newest first."""
    return waves.list_waves(new_uow(), current_actor(), args["fc_id"], args.get("status"))


@blp.route("/<id:wave_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, WaveSchema)
@authenticated
def get_wave(wave_id: int) -> dict[str, Any]:
    """A wave with its trips, walking against first-come-first-served, and timing."""
    return waves.get_wave(new_uow(), current_actor(), wave_id)


@blp.route("/<id:wave_id>/release", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.response(200, WaveSchema)
@authenticated
def release(header: dict[str, Any], wave_id: int) -> Any:
    """Hand a planned wave's trips to the pickers."""
    return replayable(waves.release_wave(new_uow(), current_actor(), wave_id, header["key"]))


@blp.route("/<id:wave_id>/discard", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.response(200, WaveSchema)
@authenticated
def discard(header: dict[str, Any], wave_id: int) -> Any:
    """Drop a planned wave; its orders wait for the next plan."""
    return replayable(waves.discard_wave(new_uow(), current_actor(), wave_id, header["key"]))


@trips_blp.route("", methods=["GET"])
@trips_blp.doc(security=BEARER)
@trips_blp.arguments(FcArgs, location="query")
@trips_blp.response(200, TripListItemSchema(many=True))
@authenticated
def list_trips(args: dict[str, Any]) -> list[dict[str, Any]]:
    """Released trips and trips being picked at an FC."""
    return picking.list_batches(new_uow(), current_actor(), args["fc_id"])


@trips_blp.route("/<id:batch_id>", methods=["GET"])
@trips_blp.doc(security=BEARER)
@trips_blp.response(200, TripSchema)
@authenticated
def get_trip(batch_id: int) -> dict[str, Any]:
    """A trip with its totes and picks in walking order."""
    return picking.get_batch(new_uow(), current_actor(), batch_id)


@trips_blp.route("/<id:batch_id>/floor-plan", methods=["GET"])
@trips_blp.doc(security=BEARER)
@trips_blp.response(200, FloorPlanSchema)
@authenticated
def floor_plan(batch_id: int) -> dict[str, Any]:
    """The floor plan and the trip's route, as lines and points in metres."""
    return picking.batch_drawing(new_uow(), current_actor(), batch_id)


@trips_blp.route("/<id:batch_id>/start", methods=["POST"])
@trips_blp.doc(security=BEARER)
@trips_blp.arguments(IdempotencyHeader, location="headers")
@trips_blp.response(200, TripSchema)
@authenticated
def start(header: dict[str, Any], batch_id: int) -> Any:
    """Take a released trip (or resume one's own)."""
    return replayable(picking.start_batch(new_uow(), current_actor(), batch_id, header["key"]))


@trips_blp.route("/<id:batch_id>/totes", methods=["POST"])
@trips_blp.doc(security=BEARER)
@trips_blp.arguments(IdempotencyHeader, location="headers")
@trips_blp.arguments(ToteAssignmentSchema)
@trips_blp.response(200, TripSchema)
@authenticated
def assign_tote(header: dict[str, Any], data: dict[str, Any], batch_id: int) -> Any:
    """Put a scanned tote on the cart for the order in a slot."""
    return replayable(
        picking.assign_tote(
            new_uow(), current_actor(), batch_id, data["slot"], data["tote"], header["key"]
        )
    )


@picks_blp.route("/<id:pick_id>/confirm", methods=["POST"])
@picks_blp.doc(security=BEARER)
@picks_blp.arguments(IdempotencyHeader, location="headers")
@picks_blp.arguments(PickConfirmationSchema)
@picks_blp.response(200, TripSchema)
@authenticated
def confirm(header: dict[str, Any], data: dict[str, Any], pick_id: int) -> Any:
    """Confirm a pick: bin, item, lot, units and tote as scanned; fewer units is a short pick."""
    scan = picking.PickConfirmation(
        location_code=data["location_code"],
        gtin=data["gtin"],
        quantity=data["quantity"],
        tote_code=data["tote"],
        lot_number=data["lot_number"],
        damaged=data["damaged"],
    )
    return replayable(
        picking.confirm_pick(new_uow(), current_actor(), pick_id, scan, header["key"])
    )


@exceptions_blp.route("", methods=["GET"])
@exceptions_blp.doc(security=BEARER)
@exceptions_blp.arguments(ExceptionArgs, location="query")
@exceptions_blp.response(200, ExceptionSchema(many=True))
@authenticated
def list_exceptions(args: dict[str, Any]) -> list[dict[str, Any]]:
    """Short and damaged picks at an FC (open ones unless asked)."""
    return picking.list_exceptions(new_uow(), current_actor(), args["fc_id"], args["status"])


@exceptions_blp.route("/<id:exception_id>/resolve", methods=["POST"])
@exceptions_blp.doc(security=BEARER)
@exceptions_blp.arguments(IdempotencyHeader, location="headers")
@exceptions_blp.arguments(ResolveExceptionSchema)
@exceptions_blp.response(200, ExceptionSchema)
@authenticated
def resolve(header: dict[str, Any], data: dict[str, Any], exception_id: int) -> Any:
    """Ship the order short, cancel it, or acknowledge a covered exception."""
    return replayable(
        picking.resolve_exception(
            new_uow(), current_actor(), exception_id, data["action"], data["note"], header["key"]
        )
    )
