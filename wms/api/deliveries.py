"""Own-fleet deliveries: the FC's vehicles, drivers and location; delivery plans (plan,
adjust, assign drivers, dispatch, discard) and each route's sheet for its driver."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from wms.api.consignments import PDF_RESPONSE
from wms.api.delivery_schemas import (
    AssignDriversSchema,
    DeliveryPlanSchema,
    DeliveryPlanSummarySchema,
    DriverChangesSchema,
    DriverSchema,
    FcLocationSchema,
    FleetArgs,
    MoveStopSchema,
    NewDriverSchema,
    NewVehicleSchema,
    PlanArgs,
    PlanDeliveriesSchema,
    VehicleChangesSchema,
    VehicleSchema,
    WaitingDeliveriesSchema,
)
from wms.api.schemas import FcSchema, IdempotencyHeader
from wms.api.security import BEARER, authenticated, current_actor
from wms.api.stock import replayable
from wms.bootstrap import new_uow, roads, wiring
from wms.domain.deliveries import DriverDetails, PlanObjective, VehicleDetails
from wms.services import deliveries, delivery_dispatch, facilities, fleet, route_sheets
from wms.services.deliveries import StopMove

PREFIX = ""
blp = Blueprint(
    "delivery",
    __name__,
    description="Own-fleet last-mile delivery: vehicles, drivers, delivery plans, route sheets.",
)


# --- the FC's location and fleet ----------------------------------------------------------------


@blp.route("/fcs/<id:fc_id>/location", methods=["PUT"])
@blp.doc(security=BEARER)
@blp.arguments(FcLocationSchema)
@blp.response(200, FcSchema)
@authenticated
def set_location(data: dict[str, Any], fc_id: int) -> dict[str, Any]:
    """Where the FC is: the depot its own-fleet routes start and end at (managers, admins)."""
    return facilities.set_location(
        new_uow(), current_actor(), fc_id, data["latitude"], data["longitude"]
    )


@blp.route("/fcs/<id:fc_id>/vehicles", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(FleetArgs, location="query")
@blp.response(200, VehicleSchema(many=True))
@authenticated
def list_vehicles(args: dict[str, Any], fc_id: int) -> list[dict[str, Any]]:
    """The FC's vehicles (in service only, unless include_inactive)."""
    return fleet.list_vehicles(
        new_uow(), current_actor(), fc_id, include_inactive=args["include_inactive"]
    )


@blp.route("/fcs/<id:fc_id>/vehicles", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(NewVehicleSchema)
@blp.response(201, VehicleSchema)
@authenticated
def create_vehicle(details: VehicleDetails, fc_id: int) -> dict[str, Any]:
    """Add a vehicle: capacity (kg, litres, parcels), costs, shift and longest route."""
    return fleet.create_vehicle(new_uow(), current_actor(), fc_id, details)


@blp.route("/vehicles/<id:vehicle_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, VehicleSchema)
@authenticated
def get_vehicle(vehicle_id: int) -> dict[str, Any]:
    """A vehicle of the fleet."""
    return fleet.get_vehicle(new_uow(), current_actor(), vehicle_id)


@blp.route("/vehicles/<id:vehicle_id>", methods=["PATCH"])
@blp.doc(security=BEARER)
@blp.arguments(VehicleChangesSchema)
@blp.response(200, VehicleSchema)
@authenticated
def update_vehicle(changes: dict[str, Any], vehicle_id: int) -> dict[str, Any]:
    """Change some of a vehicle's details (plans already made keep theirs)."""
    return fleet.update_vehicle(new_uow(), current_actor(), vehicle_id, changes)


@blp.route("/vehicles/<id:vehicle_id>", methods=["DELETE"])
@blp.doc(security=BEARER)
@blp.response(200, VehicleSchema)
@authenticated
def deactivate_vehicle(vehicle_id: int) -> dict[str, Any]:
    """Take a vehicle out of service (its routes stay on record)."""
    return fleet.deactivate_vehicle(new_uow(), current_actor(), vehicle_id)


@blp.route("/fcs/<id:fc_id>/drivers", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(FleetArgs, location="query")
@blp.response(200, DriverSchema(many=True))
@authenticated
def list_drivers(args: dict[str, Any], fc_id: int) -> list[dict[str, Any]]:
    """The FC's drivers (on the roster only, unless include_inactive)."""
    return fleet.list_drivers(
        new_uow(), current_actor(), fc_id, include_inactive=args["include_inactive"]
    )


@blp.route("/fcs/<id:fc_id>/drivers", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(NewDriverSchema)
@blp.response(201, DriverSchema)
@authenticated
def create_driver(details: DriverDetails, fc_id: int) -> dict[str, Any]:
    """Add a driver (name and phone)."""
    return fleet.create_driver(new_uow(), current_actor(), fc_id, details)


@blp.route("/drivers/<id:driver_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, DriverSchema)
@authenticated
def get_driver(driver_id: int) -> dict[str, Any]:
    """A driver of the fleet."""
    return fleet.get_driver(new_uow(), current_actor(), driver_id)


@blp.route("/drivers/<id:driver_id>", methods=["PATCH"])
@blp.doc(security=BEARER)
@blp.arguments(DriverChangesSchema)
@blp.response(200, DriverSchema)
@authenticated
def update_driver(changes: dict[str, Any], driver_id: int) -> dict[str, Any]:
    """Change a driver's name, phone or whether they are on the roster."""
    return fleet.update_driver(new_uow(), current_actor(), driver_id, changes)


@blp.route("/drivers/<id:driver_id>", methods=["DELETE"])
@blp.doc(security=BEARER)
@blp.response(200, DriverSchema)
@authenticated
def deactivate_driver(driver_id: int) -> dict[str, Any]:
    """Take a driver off the roster (their routes stay on record)."""
    return fleet.deactivate_driver(new_uow(), current_actor(), driver_id)


@blp.route("/fcs/<id:fc_id>/waiting-deliveries", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, WaitingDeliveriesSchema)
@authenticated
def waiting(fc_id: int) -> dict[str, Any]:
    """Own-fleet orders and parcels waiting at dispatch, and how many have no coordinates."""
    return deliveries.waiting_deliveries(new_uow(), current_actor(), fc_id)


# --- delivery plans -----------------------------------------------------------------------------


@blp.route("/delivery-plans", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.arguments(PlanDeliveriesSchema)
@blp.response(201, DeliveryPlanSchema)
@authenticated
def plan(header: dict[str, Any], data: dict[str, Any]) -> Any:
    """Plan a day's deliveries from an FC (a draft until dispatched): every shipped own-fleet
    parcel on the chosen vehicles, fewest vehicles or least cost; what no vehicle can take is
    left out with the reason. A road network that fails is a 502 naming it."""
    request = deliveries.PlanRequest(
        fc_id=data["fc_id"],
        delivery_date=data["delivery_date"],
        vehicles=tuple(data["vehicles"]),
        objective=PlanObjective(data["objective"]),
        time_limit_s=data["time_limit_s"] or wiring().settings.delivery_time_limit_s,
    )
    return replayable(
        deliveries.plan_deliveries(new_uow(), current_actor(), request, roads(), header["key"]),
        201,
    )


@blp.route("/delivery-plans", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(PlanArgs, location="query")
@blp.response(200, DeliveryPlanSummarySchema(many=True))
@authenticated
def list_plans(args: dict[str, Any]) -> list[dict[str, Any]]:
    """An FC's delivery plans, newest first (of one day, or of one status)."""
    return deliveries.list_plans(
        new_uow(), current_actor(), args["fc_id"], args.get("delivery_date"), args.get("status")
    )


@blp.route("/delivery-plans/<id:delivery_plan_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, DeliveryPlanSchema)
@authenticated
def get_plan(delivery_plan_id: int) -> dict[str, Any]:
    """A plan: its routes with stops in order, arrival times and loads, and what is left out."""
    return deliveries.get_plan(new_uow(), current_actor(), delivery_plan_id)


@blp.route("/delivery-plans/<id:delivery_plan_id>/moves", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.arguments(MoveStopSchema)
@blp.response(200, DeliveryPlanSchema)
@authenticated
def move(header: dict[str, Any], data: StopMove, delivery_plan_id: int) -> Any:
    """Move a stop of a draft to a place on a route, or take it off the plan (route_id null).
    A move that breaks a capacity, a window, a shift or a route's hours is a 409 naming it."""
    return replayable(
        delivery_dispatch.move_stop(
            new_uow(), current_actor(), delivery_plan_id, data, roads(), header["key"]
        )
    )


@blp.route("/delivery-plans/<id:delivery_plan_id>/drivers", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.arguments(AssignDriversSchema)
@blp.response(200, DeliveryPlanSchema)
@authenticated
def assign_drivers(header: dict[str, Any], data: dict[str, Any], delivery_plan_id: int) -> Any:
    """Choose drivers for routes of a draft (driver_id null: none yet)."""
    return replayable(
        delivery_dispatch.assign_drivers(
            new_uow(), current_actor(), delivery_plan_id, data["assignments"], header["key"]
        )
    )


@blp.route("/delivery-plans/<id:delivery_plan_id>/dispatch", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.response(200, DeliveryPlanSchema)
@authenticated
def dispatch(header: dict[str, Any], delivery_plan_id: int) -> Any:
    """Send the draft's routes out: parcels out for delivery, merchants told. Every route with
    stops needs a driver; a parcel, vehicle or driver already out that day is a 409."""
    return replayable(
        delivery_dispatch.dispatch_plan(new_uow(), current_actor(), delivery_plan_id, header["key"])
    )


@blp.route("/delivery-plans/<id:delivery_plan_id>/discard", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.response(200, DeliveryPlanSchema)
@authenticated
def discard(header: dict[str, Any], delivery_plan_id: int) -> Any:
    """Drop a draft; its parcels wait for the next plan."""
    return replayable(
        delivery_dispatch.discard_plan(new_uow(), current_actor(), delivery_plan_id, header["key"])
    )


@blp.route("/delivery-routes/<id:route_id>/route-sheet.pdf", methods=["GET"])
@blp.doc(security=BEARER, responses=PDF_RESPONSE)
@authenticated
def route_sheet(route_id: int) -> Response:
    """The driver's route sheet (A4 PDF): stops in order, addresses, windows, planned arrival,
    cash to collect and each parcel's barcode."""
    name, pdf = route_sheets.route_sheet_pdf(new_uow(), current_actor(), route_id)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
