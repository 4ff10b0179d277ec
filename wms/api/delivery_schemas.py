"""Schemas of the delivery API: the own fleet (vehicles, drivers), the FC's location, delivery
plans with their routes and stops, and the changes a dispatcher makes to a draft."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import fields, post_load, validate

from wms.api.outbound_schemas import Latitude, LocalTime, Longitude
from wms.api.schemas import Choice, IdField, IsoDateTime, QueryId, Text, WmsSchema
from wms.domain.deliveries import (
    MAX_PLAN_VEHICLES,
    MAX_TIME_LIMIT_S,
    MIN_TIME_LIMIT_S,
    DeliveryPlanStatus,
    DriverDetails,
    LeftOutReason,
    PlanObjective,
    VehicleDetails,
)
from wms.services.deliveries import ChosenVehicle, DriverAssignment, StopMove


def _amount(places: int, **kwargs: Any) -> fields.Decimal:
    return fields.Decimal(
        places=places,
        as_string=True,
        validate=validate.Range(min=Decimal(0), max=Decimal("9999999999")),
        **kwargs,
    )


def _above_zero(high: float, **kwargs: Any) -> fields.Float:
    return fields.Float(validate=validate.Range(min=0, max=high, min_inclusive=False), **kwargs)


# --- the fleet ----------------------------------------------------------------------------------


class NewVehicleSchema(WmsSchema):
    name = Text(80, metadata={"example": "Van 1 · Toyota Hiace"})
    plate = Text(16, metadata={"example": "BNM 4512"})
    capacity_kg = _above_zero(40_000, required=True)
    capacity_litres = _above_zero(100_000, required=True)
    capacity_parcels = fields.Integer(
        strict=True, required=True, validate=validate.Range(1, 10_000)
    )
    fixed_cost = _amount(
        2, required=True, metadata={"description": "A day's cost when it goes out (FC currency)."}
    )
    cost_per_km = _amount(4, required=True, metadata={"description": "FC currency per km."})
    shift_start = LocalTime(required=True, metadata={"example": "08:00"})
    shift_end = LocalTime(required=True, metadata={"example": "18:00"})
    max_route_hours = _above_zero(24, required=True)
    active = fields.Boolean(load_default=True)

    @post_load
    def to_details(self, data: dict[str, Any], **_: Any) -> VehicleDetails:
        return VehicleDetails(**data)


class VehicleChangesSchema(WmsSchema):
    name = Text(80, required=False)
    plate = Text(16, required=False)
    capacity_kg = _above_zero(40_000)
    capacity_litres = _above_zero(100_000)
    capacity_parcels = fields.Integer(strict=True, validate=validate.Range(1, 10_000))
    fixed_cost = _amount(2)
    cost_per_km = _amount(4)
    shift_start = LocalTime()
    shift_end = LocalTime()
    max_route_hours = _above_zero(24)
    active = fields.Boolean()


class VehicleSchema(WmsSchema):
    id = fields.Integer()
    fc_id = fields.Integer()
    name = fields.String()
    plate = fields.String()
    capacity_kg = fields.Float()
    capacity_litres = fields.Float()
    capacity_parcels = fields.Integer()
    fixed_cost = fields.String()
    cost_per_km = fields.String()
    shift_start = fields.String()
    shift_end = fields.String()
    max_route_hours = fields.Float()
    active = fields.Boolean()
    created_at = IsoDateTime()


class NewDriverSchema(WmsSchema):
    name = Text(200)
    phone = Text(32, metadata={"example": "+60 12-318 4470"})
    active = fields.Boolean(load_default=True)

    @post_load
    def to_details(self, data: dict[str, Any], **_: Any) -> DriverDetails:
        return DriverDetails(**data)


class DriverChangesSchema(WmsSchema):
    name = Text(200, required=False)
    phone = Text(32, required=False)
    active = fields.Boolean()


class DriverSchema(WmsSchema):
    id = fields.Integer()
    fc_id = fields.Integer()
    name = fields.String()
    phone = fields.String()
    active = fields.Boolean()
    created_at = IsoDateTime()


class FleetArgs(WmsSchema):
    include_inactive = fields.Boolean(load_default=False)


class FcLocationSchema(WmsSchema):
    latitude = Latitude(required=True)
    longitude = Longitude(required=True)


# --- plans --------------------------------------------------------------------------------------


class ChosenVehicleSchema(WmsSchema):
    vehicle_id = IdField(required=True)
    driver_id = IdField(load_default=None, allow_none=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> ChosenVehicle:
        return ChosenVehicle(**data)


class PlanDeliveriesSchema(WmsSchema):
    fc_id = IdField(required=True)
    delivery_date = fields.Date(
        required=True, metadata={"description": "The day to deliver (the FC's calendar)."}
    )
    vehicles = fields.List(
        fields.Nested(ChosenVehicleSchema),
        load_default=list,
        validate=validate.Length(max=MAX_PLAN_VEHICLES),
        metadata={"description": "The vehicles to send (and drivers); empty for every one."},
    )
    # vehicles: fewest vehicles first; distance: least cost.
    objective = Choice(PlanObjective, load_default=str(PlanObjective.VEHICLES))
    time_limit_s = fields.Float(
        load_default=None,
        allow_none=True,
        validate=validate.Range(MIN_TIME_LIMIT_S, MAX_TIME_LIMIT_S),
        metadata={"description": "How long the planner searches (the app's default if null)."},
    )


class LoadSchema(WmsSchema):
    kg = fields.Float(allow_none=True)
    litres = fields.Float(allow_none=True)
    parcels = fields.Integer(allow_none=True)


class DeliveryStopSchema(WmsSchema):
    id = fields.Integer()
    route_id = fields.Integer(allow_none=True)
    sequence = fields.Integer(allow_none=True)
    order_id = fields.Integer()
    order_reference = fields.String()
    recipient_name = fields.String()
    recipient_phone = fields.String()
    address = fields.String()
    city = fields.String()
    postcode = fields.String()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    window_open = fields.String(allow_none=True, metadata={"description": "FC local time."})
    window_close = fields.String(allow_none=True)
    arrival_at = IsoDateTime(allow_none=True)
    start_at = IsoDateTime(allow_none=True)
    departure_at = IsoDateTime(allow_none=True)
    weight_kg = fields.Float()
    volume_l = fields.Float()
    parcels = fields.Integer()
    load_after = fields.Nested(LoadSchema)
    cod_amount = fields.String()
    left_out_reason = fields.String(
        allow_none=True, metadata={"enum": [reason.value for reason in LeftOutReason]}
    )
    left_out_detail = fields.String()
    tracking_numbers = fields.List(fields.String())


class PersonSchema(WmsSchema):
    id = fields.Integer()
    name = fields.String()
    phone = fields.String()


class RouteVehicleSchema(WmsSchema):
    id = fields.Integer()
    name = fields.String()
    plate = fields.String()


class DeliveryRouteSchema(WmsSchema):
    id = fields.Integer()
    number = fields.Integer()
    vehicle = fields.Nested(RouteVehicleSchema)
    driver = fields.Nested(PersonSchema, allow_none=True)
    dispatched = fields.Boolean()
    distance_m = fields.Float()
    duration_s = fields.Float()
    leave_at = IsoDateTime(allow_none=True)
    back_at = IsoDateTime(allow_none=True)
    load = fields.Nested(LoadSchema)
    capacity = fields.Nested(LoadSchema)
    shift_start = fields.String()
    shift_end = fields.String()
    max_route_hours = fields.Float()
    cost = fields.String()
    cod_total = fields.String()
    stops = fields.List(fields.Nested(DeliveryStopSchema))


class DeliveryPlanSummarySchema(WmsSchema):
    id = fields.Integer()
    reference = fields.String()
    fc_id = fields.Integer()
    delivery_date = fields.String(metadata={"format": "date"})
    status = fields.String(metadata={"enum": [s.value for s in DeliveryPlanStatus]})
    objective = fields.String(metadata={"enum": [o.value for o in PlanObjective]})
    time_limit_s = fields.Float()
    road_network = fields.String()
    routes_used = fields.Integer()
    stops = fields.Integer()
    left_out = fields.Integer()
    distance_m = fields.Float()
    duration_s = fields.Float()
    cost = fields.String()
    created_at = IsoDateTime()
    dispatched_at = IsoDateTime(allow_none=True)
    discarded_at = IsoDateTime(allow_none=True)


class DeliveryPlanSchema(DeliveryPlanSummarySchema):
    fc_code = fields.String()
    currency = fields.String()
    timezone = fields.String()
    depot = fields.Dict(keys=fields.String(), values=fields.Float())
    version = fields.Integer()
    parcels = fields.Integer()
    cod_total = fields.String()
    timings_ms = fields.Dict(keys=fields.String(), values=fields.Integer())
    solver_stats = fields.Dict()
    routes = fields.List(fields.Nested(DeliveryRouteSchema))
    left_out_stops = fields.List(fields.Nested(DeliveryStopSchema))


class PlanArgs(WmsSchema):
    fc_id = QueryId(required=True)
    delivery_date = fields.Date()
    status = Choice(DeliveryPlanStatus)


class MoveStopSchema(WmsSchema):
    stop_id = IdField(required=True)
    route_id = IdField(
        required=True,
        allow_none=True,
        metadata={"description": "The route to move it to; null takes it off the plan."},
    )
    position = fields.Integer(
        strict=True,
        load_default=None,
        allow_none=True,
        validate=validate.Range(1, 100_000),
        metadata={"description": "Its place on the route, 1 first; null for last."},
    )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> StopMove:
        return StopMove(**data)


class DriverAssignmentSchema(WmsSchema):
    route_id = IdField(required=True)
    driver_id = IdField(required=True, allow_none=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> DriverAssignment:
        return DriverAssignment(**data)


class AssignDriversSchema(WmsSchema):
    assignments = fields.List(
        fields.Nested(DriverAssignmentSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_PLAN_VEHICLES),
    )


class WaitingDeliveriesSchema(WmsSchema):
    fc_id = fields.Integer()
    today = fields.String(metadata={"format": "date"})
    orders = fields.Integer()
    parcels = fields.Integer()
    without_location = fields.Integer()
    has_location = fields.Boolean()
