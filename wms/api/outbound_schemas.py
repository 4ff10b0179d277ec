"""Schemas of the outbound API: orders, carriers, waves and trips, picks, parcels, manifests."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate

from wms.api.schemas import (
    MAX_UNITS,
    Choice,
    IdField,
    IsoDateTime,
    PageArgs,
    PageSchema,
    QueryId,
    Text,
    WmsSchema,
)
from wms.domain.orders import CHANNELS, MAX_LINES, NewOrder, NewOrderLine, OrderStatus
from wms.domain.packing import CARTON_SIZES, ManifestStatus
from wms.domain.waves import ExceptionResolution, ExceptionStatus, WaveStatus

Money = fields.Decimal(
    places=2,
    as_string=True,
    load_default=Decimal("0"),
    validate=validate.Range(min=Decimal(0), max=Decimal("999999999999")),
)


class AwareDateTime(fields.DateTime):
    """An ISO 8601 date-time that must carry its UTC offset."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        result: datetime = super()._deserialize(value, attr, data, **kwargs)
        if result.tzinfo is None:
            raise ValidationError(
                "Give the time with its UTC offset, e.g. 2026-11-27T15:00:00+08:00."
            )
        return result


class LocalTime(fields.String):
    """A time of day as HH:MM (FC local time)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> time:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            hours, minutes = text.split(":")
            if len(hours) != 2 or len(minutes) != 2 or not (hours + minutes).isdigit():
                raise ValueError
            return time(int(hours), int(minutes))
        except ValueError:
            raise ValidationError("Give a time of day as HH:MM, e.g. 16:00.") from None


def Latitude(**kwargs: Any) -> fields.Float:
    """Degrees north (WGS 84), -90 to 90."""
    return fields.Float(allow_none=True, validate=validate.Range(-90, 90), **kwargs)


def Longitude(**kwargs: Any) -> fields.Float:
    """Degrees east (WGS 84), -180 to 180."""
    return fields.Float(allow_none=True, validate=validate.Range(-180, 180), **kwargs)


# --- carriers and rules ----------------------------------------------------------------------


class CarrierSchema(WmsSchema):
    id = fields.Integer(dump_only=True)
    fc_id = IdField(required=True)
    code = Text(16)
    name = Text(120)
    cutoff_local = LocalTime(required=True, metadata={"example": "16:00"})
    own_fleet = fields.Boolean(load_default=False)
    tracking_prefix = Text(6, min_length=2)


class FcArgs(WmsSchema):
    fc_id = QueryId(required=True)


class ShelfLifeRuleSchema(WmsSchema):
    id = fields.Integer(dump_only=True)
    fc_id = IdField(required=True)
    channel = fields.String(
        load_default="*",
        validate=validate.OneOf([*CHANNELS, "*"]),
        metadata={"enum": [*CHANNELS, "*"]},
    )
    country = fields.String(load_default="*", validate=validate.Regexp(r"^([A-Z]{2}|\*)$"))
    min_remaining_days = fields.Integer(
        strict=True, required=True, validate=validate.Range(0, 3650)
    )
    created_at = IsoDateTime(dump_only=True)


# --- orders ---------------------------------------------------------------------------------


class OrderLineInSchema(WmsSchema):
    sku_code = Text(64)
    quantity = fields.Integer(strict=True, required=True, validate=validate.Range(1, 100_000))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> NewOrderLine:
        return NewOrderLine(**data)


class NewOrderSchema(WmsSchema):
    merchant_id = IdField(required=False, load_default=None, allow_none=True)
    fc_id = IdField(required=True)
    carrier_id = IdField(required=True)
    channel = fields.String(
        load_default="api", validate=validate.OneOf(CHANNELS), metadata={"enum": list(CHANNELS)}
    )
    external_id = Text(64)
    ship_by = AwareDateTime(required=True)
    recipient_name = Text(200)
    recipient_phone = Text(32)
    address = Text(1000)
    city = Text(120)
    postcode = Text(12, required=False, min_length=0, load_default="")
    country = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    cod_amount = Money
    lines = fields.List(
        fields.Nested(OrderLineInSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_LINES),
    )
    delivery_latitude = Latitude(
        load_default=None, metadata={"description": "Where to deliver, for own-fleet routes."}
    )
    delivery_longitude = Longitude(load_default=None)
    delivery_window_open = LocalTime(
        load_default=None,
        allow_none=True,
        metadata={"example": "09:00", "description": "The recipient's slot, FC local time."},
    )
    delivery_window_close = LocalTime(
        load_default=None, allow_none=True, metadata={"example": "12:00"}
    )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> NewOrder:
        return NewOrder(**{**data, "lines": tuple(data["lines"])})


class OrderLineSchema(WmsSchema):
    line_number = fields.Integer()
    sku_id = fields.Integer()
    sku_code = fields.String()
    sku_name_en = fields.String()
    sku_name_th = fields.String()
    quantity = fields.Integer()
    allocated = fields.Integer()
    picked = fields.Integer()


class AllocationSchema(WmsSchema):
    id = fields.Integer()
    line_number = fields.Integer()
    sku_code = fields.String()
    location_id = fields.Integer()
    location_code = fields.String()
    lot_number = fields.String(allow_none=True)
    expiry_date = fields.String(allow_none=True)
    quantity = fields.Integer()
    status = fields.String()
    batch_id = fields.Integer(allow_none=True)
    pick_sequence = fields.Integer(allow_none=True)


class OrderSchema(WmsSchema):
    id = fields.Integer()
    reference = fields.String()
    merchant_id = fields.Integer()
    merchant_code = fields.String()
    fc_id = fields.Integer()
    fc_code = fields.String()
    channel = fields.String()
    external_id = fields.String()
    status = fields.String(metadata={"enum": [s.value for s in OrderStatus]})
    carrier_id = fields.Integer()
    carrier_code = fields.String()
    ship_by = IsoDateTime()
    cutoff = IsoDateTime()
    late = fields.Boolean()
    recipient_name = fields.String()
    recipient_phone = fields.String()
    address = fields.String()
    city = fields.String()
    postcode = fields.String()
    country = fields.String()
    cod_amount = fields.String()
    currency = fields.String()
    delivery_latitude = fields.Float(allow_none=True)
    delivery_longitude = fields.Float(allow_none=True)
    delivery_window_open = fields.String(allow_none=True)
    delivery_window_close = fields.String(allow_none=True)
    min_remaining_days = fields.Integer()
    wave_id = fields.Integer(allow_none=True)
    lines = fields.List(fields.Nested(OrderLineSchema))
    allocations = fields.List(fields.Nested(AllocationSchema))
    restock_tasks = fields.List(fields.Integer())
    created_at = IsoDateTime()
    cancelled_at = IsoDateTime(allow_none=True)
    shipped_at = IsoDateTime(allow_none=True)


class OrderPageSchema(PageSchema):
    items = fields.List(fields.Nested(OrderSchema))


class OrderArgs(PageArgs):
    fc_id = QueryId()
    status = Choice(OrderStatus)
    external_id = fields.String(validate=validate.Length(min=1, max=64))


class FcBodySchema(WmsSchema):
    fc_id = IdField(required=True)


class BackorderResultSchema(WmsSchema):
    orders = fields.Integer()
    completed = fields.Integer()


class BacklogGroupSchema(WmsSchema):
    cutoff = IsoDateTime()
    cutoff_local = fields.String()
    carrier_id = fields.Integer()
    carrier_code = fields.String()
    carrier_name = fields.String()
    late = fields.Boolean()
    minutes_left = fields.Integer()
    orders = fields.Integer()
    units = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())


# --- waves ----------------------------------------------------------------------------------


class PlanWaveSchema(WmsSchema):
    fc_id = IdField(required=True)
    cutoff = AwareDateTime(
        load_default=None,
        allow_none=True,
        metadata={"description": "Orders due at or before this cut-off; leave out for all."},
    )
    carrier_id = IdField(required=False, load_default=None, allow_none=True)
    max_orders = fields.Integer(strict=True, load_default=8, validate=validate.Range(1, 48))
    max_volume_l = fields.Float(load_default=60.0, validate=validate.Range(0.1, 5000))
    max_weight_kg = fields.Float(load_default=40.0, validate=validate.Range(0.1, 2000))
    pickers = fields.Integer(strict=True, load_default=4, validate=validate.Range(1, 200))
    time_limit_s = fields.Float(load_default=10.0, validate=validate.Range(0.5, 120))


class BatchSummarySchema(WmsSchema):
    id = fields.Integer()
    number = fields.Integer()
    reference = fields.String()
    temperature_class = fields.String()
    single_items = fields.Boolean()
    status = fields.String()
    walking_m = fields.Float()
    estimated_minutes = fields.Float()
    volume_l = fields.Float()
    weight_kg = fields.Float()
    orders = fields.Integer()
    order_references = fields.List(fields.String())
    picks = fields.Integer()
    picks_done = fields.Integer()
    units = fields.Integer()
    stops = fields.Integer()
    picker_id = fields.Integer(allow_none=True)
    started_at = IsoDateTime(allow_none=True)
    finished_at = IsoDateTime(allow_none=True)


class WaveSchema(WmsSchema):
    id = fields.Integer()
    reference = fields.String()
    fc_id = fields.Integer()
    status = fields.String(metadata={"enum": [s.value for s in WaveStatus]})
    cutoff = IsoDateTime(allow_none=True)
    carrier_id = fields.Integer(allow_none=True)
    cart = fields.Dict(keys=fields.String(), values=fields.Float())
    orders = fields.Integer()
    trips = fields.Integer()
    walking_m = fields.Float()
    fcfs_walking_m = fields.Float()
    saving_vs_fcfs = fields.Float()
    planning_ms = fields.Integer()
    estimated_minutes = fields.Float()
    pickers = fields.Integer()
    earliest_cutoff = IsoDateTime(allow_none=True)
    earliest_cutoff_local = fields.String(allow_none=True)
    estimated_finish = IsoDateTime()
    estimated_finish_local = fields.String()
    meets_cutoff = fields.Boolean()
    created_at = IsoDateTime()
    released_at = IsoDateTime(allow_none=True)
    batches = fields.List(fields.Nested(BatchSummarySchema))


class WaveArgs(WmsSchema):
    fc_id = QueryId(required=True)
    status = Choice(WaveStatus)


# --- trips and picks ------------------------------------------------------------------------


class PickSchema(WmsSchema):
    id = fields.Integer()
    sequence = fields.Integer(allow_none=True)
    status = fields.String()
    location_code = fields.String()
    location_check_code = fields.String()
    sku_id = fields.Integer()
    sku_code = fields.String()
    gtin = fields.String()
    sku_name_en = fields.String()
    sku_name_th = fields.String()
    lot_number = fields.String(allow_none=True)
    expiry_date = fields.String(allow_none=True)
    quantity = fields.Integer()
    order_id = fields.Integer()
    order_reference = fields.String()
    slot = fields.Integer(allow_none=True)
    tote_code = fields.String(allow_none=True)


class ToteSchema(WmsSchema):
    slot = fields.Integer()
    order_id = fields.Integer()
    order_reference = fields.String()
    tote_code = fields.String(allow_none=True)


class PickResultSchema(WmsSchema):
    picked = fields.Integer()
    damaged = fields.Integer()
    short = fields.Integer()
    reallocated = fields.Integer()
    exceptions = fields.List(fields.Integer())


class TripSchema(WmsSchema):
    id = fields.Integer()
    reference = fields.String()
    wave_id = fields.Integer()
    wave_reference = fields.String()
    fc_id = fields.Integer()
    number = fields.Integer()
    status = fields.String()
    temperature_class = fields.String()
    single_items = fields.Boolean()
    walking_m = fields.Float()
    estimated_minutes = fields.Float()
    picker_id = fields.Integer(allow_none=True)
    started_at = IsoDateTime(allow_none=True)
    finished_at = IsoDateTime(allow_none=True)
    route = fields.List(fields.String())
    totes = fields.List(fields.Nested(ToteSchema))
    totes_ready = fields.Boolean()
    picks = fields.List(fields.Nested(PickSchema))
    next_pick = fields.Nested(PickSchema, allow_none=True)
    picks_done = fields.Integer()
    picks_total = fields.Integer()
    result = fields.Nested(PickResultSchema)


class TripListItemSchema(WmsSchema):
    id = fields.Integer()
    reference = fields.String()
    status = fields.String()
    temperature_class = fields.String()
    single_items = fields.Boolean()
    orders = fields.Integer()
    walking_m = fields.Float()
    estimated_minutes = fields.Float()
    picker_id = fields.Integer(allow_none=True)


class FloorPlanSchema(WmsSchema):
    reference = fields.String()
    walking_m = fields.Float()
    bounds = fields.List(fields.Float())
    segments = fields.List(fields.Dict())
    racks = fields.List(fields.Dict())
    depot = fields.List(fields.Float())
    stops = fields.List(fields.Dict())
    path = fields.List(
        fields.List(fields.Float()),
        metadata={"description": "The walk along the aisles, as (x, y) points in metres."},
    )


class ToteAssignmentSchema(WmsSchema):
    slot = fields.Integer(strict=True, required=True, validate=validate.Range(1, 48))
    tote = Text(20)


class PickConfirmationSchema(WmsSchema):
    location_code = Text(40, metadata={"description": "The bin scanned (its code or check code)."})
    gtin = fields.String(required=True, validate=validate.Regexp(r"^[0-9]{8,14}$"))
    lot_number = Text(40, required=False, allow_none=True, load_default=None)
    quantity = fields.Integer(strict=True, required=True, validate=validate.Range(0, MAX_UNITS))
    damaged = fields.Integer(strict=True, load_default=0, validate=validate.Range(0, MAX_UNITS))
    tote = Text(20, required=False, load_default="", min_length=0)


class ExceptionSchema(WmsSchema):
    id = fields.Integer()
    fc_id = fields.Integer()
    kind = fields.String()
    status = fields.String()
    order_id = fields.Integer()
    order_reference = fields.String()
    order_status = fields.String()
    location_code = fields.String()
    sku_code = fields.String()
    sku_name_en = fields.String()
    lot_number = fields.String(allow_none=True)
    quantity = fields.Integer()
    reallocated = fields.Integer()
    unfilled = fields.Integer()
    note = fields.String()
    created_at = IsoDateTime()
    resolved_at = IsoDateTime(allow_none=True)
    resolution = fields.String()


class ExceptionArgs(WmsSchema):
    fc_id = QueryId(required=True)
    status = Choice(ExceptionStatus, load_default=ExceptionStatus.OPEN.value)


class ResolveExceptionSchema(WmsSchema):
    action = Choice(ExceptionResolution, required=True)
    note = Text(500, required=False, load_default="", min_length=0)


# --- packing and shipping -------------------------------------------------------------------


class StartPackingSchema(WmsSchema):
    fc_id = IdField(required=True)
    tote = Text(20)


class VerifyItemSchema(WmsSchema):
    gtin = fields.String(required=True, validate=validate.Regexp(r"^[0-9]{8,14}$"))
    lot_number = Text(40, required=False, allow_none=True, load_default=None)


class ClosePackageSchema(WmsSchema):
    carton = fields.String(
        required=True,
        validate=validate.OneOf([size.code for size in CARTON_SIZES]),
        metadata={"enum": [size.code for size in CARTON_SIZES]},
    )
    weight_g = fields.Integer(strict=True, required=True, validate=validate.Range(1, 1_000_000))


class PackageItemSchema(WmsSchema):
    sku_id = fields.Integer()
    sku_code = fields.String()
    gtin = fields.String()
    sku_name_en = fields.String()
    sku_name_th = fields.String()
    lot_id = fields.Integer(allow_none=True)
    lot_number = fields.String(allow_none=True)
    expected = fields.Integer()
    verified = fields.Integer()


class PackageSchema(WmsSchema):
    id = fields.Integer()
    fc_id = fields.Integer()
    status = fields.String()
    order_id = fields.Integer()
    order_reference = fields.String()
    external_id = fields.String()
    carrier_id = fields.Integer()
    carrier_code = fields.String()
    carrier_name = fields.String()
    items = fields.List(fields.Nested(PackageItemSchema))
    last_item = fields.Nested(
        PackageItemSchema, metadata={"description": "The row the last scanned unit went to."}
    )
    complete = fields.Boolean()
    suggested_carton = fields.String()
    content_weight_g = fields.Integer()
    carton = fields.String(allow_none=True)
    weight_g = fields.Integer(allow_none=True)
    sscc = fields.String(allow_none=True)
    tracking_number = fields.String(allow_none=True)
    manifest_id = fields.Integer(allow_none=True)
    packed_at = IsoDateTime(allow_none=True)
    shipped_at = IsoDateTime(allow_none=True)


class OpenManifestSchema(WmsSchema):
    fc_id = IdField(required=True)
    carrier_id = IdField(required=True)


class ParcelScanSchema(WmsSchema):
    parcel = Text(40, metadata={"description": "The parcel's tracking number or SSCC."})


class ParcelSchema(WmsSchema):
    id = fields.Integer()
    tracking_number = fields.String(allow_none=True)
    sscc = fields.String(allow_none=True)
    order_reference = fields.String()
    weight_g = fields.Integer()
    status = fields.String()


class ManifestSchema(WmsSchema):
    id = fields.Integer()
    reference = fields.String()
    fc_id = fields.Integer()
    carrier_id = fields.Integer()
    carrier_code = fields.String()
    carrier_name = fields.String()
    status = fields.String(metadata={"enum": [s.value for s in ManifestStatus]})
    parcels = fields.List(fields.Nested(ParcelSchema))
    weight_g = fields.Integer()
    created_at = IsoDateTime()
    closed_at = IsoDateTime(allow_none=True)


class ManifestArgs(WmsSchema):
    fc_id = QueryId(required=True)
    status = Choice(ManifestStatus)
