"""Schemas of the inbound API: consignments and ASNs, receipts, putaway tasks, discrepancies."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import fields, post_load, validate

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
from wms.domain.consignments import (
    AsnLine,
    CartonPlan,
    ConsignmentHeader,
    ConsignmentStatus,
    ShipmentMode,
)
from wms.domain.tasks import TaskKind, TaskStatus
from wms.services.discrepancies import Resolution

Money = fields.Decimal(
    places=2, as_string=True, validate=validate.Range(min=Decimal(0), max=Decimal("999999999999"))
)


class AsnLineSchema(WmsSchema):
    sku_code = Text(64)
    quantity = fields.Integer(strict=True, required=True, validate=validate.Range(1, MAX_UNITS))
    lot_number = Text(40, required=False, allow_none=True, load_default=None)
    expiry_date = fields.Date(required=False, allow_none=True, load_default=None)
    hs_code = Text(16, required=False, allow_none=True, load_default=None)
    unit_value_thb = fields.Decimal(
        places=2,
        required=False,
        allow_none=True,
        load_default=None,
        validate=validate.Range(min=Decimal(0), max=Decimal("999999999999")),
    )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> AsnLine:
        return AsnLine(**data)


class CartonContentSchema(WmsSchema):
    line_number = fields.Integer(strict=True, required=True, validate=validate.Range(1, 5000))
    quantity = fields.Integer(strict=True, required=True, validate=validate.Range(1, MAX_UNITS))


class CartonPlanSchema(WmsSchema):
    sscc = fields.String(
        required=False,
        allow_none=True,
        load_default=None,
        metadata={"description": "SSCC-18 on the carton's label; leave out to have one made."},
    )
    gross_weight_g = fields.Integer(strict=True, allow_none=True, load_default=None)
    dimensions_mm = fields.List(
        fields.Integer(strict=True, validate=validate.Range(1, 5000)),
        validate=validate.Length(equal=3),
        load_default=None,
        allow_none=True,
        metadata={"description": "Outer length, width and height in mm."},
    )
    contents = fields.List(fields.Nested(CartonContentSchema), load_default=list)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> CartonPlan:
        return CartonPlan(
            sscc=data["sscc"],
            gross_weight_g=data["gross_weight_g"],
            contents=tuple((item["line_number"], item["quantity"]) for item in data["contents"]),
            dimensions_mm=tuple(data["dimensions_mm"]) if data["dimensions_mm"] else None,  # type: ignore[arg-type]
        )


class AsnSchema(WmsSchema):
    lines = fields.List(
        fields.Nested(AsnLineSchema), load_default=list, validate=validate.Length(max=5000)
    )
    cartons = fields.List(
        fields.Nested(CartonPlanSchema), load_default=list, validate=validate.Length(max=5000)
    )


class NewConsignmentSchema(AsnSchema):
    merchant_id = IdField(load_default=None, allow_none=True)
    fc_id = IdField(required=True)
    mode = Choice(ShipmentMode, required=True)
    origin_name = Text(200)
    origin_address = Text(1000)
    eta = fields.Date(required=True)
    carrier = Text(80, required=False, min_length=0, load_default="")
    tracking_number = Text(80, required=False, min_length=0, load_default="")
    border_crossing = Text(80, required=False, min_length=0, load_default=None, allow_none=True)
    form_d_reference = Text(40, required=False, min_length=0, load_default="")
    customs_declaration_number = Text(40, required=False, min_length=0, load_default="")
    note = Text(2000, required=False, min_length=0, load_default="")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        lines = data.pop("lines")
        cartons = data.pop("cartons")
        data["mode"] = ShipmentMode(data["mode"])
        return {"header": ConsignmentHeader(**data), "lines": lines, "cartons": cartons}


class TransportSchema(WmsSchema):
    carrier = Text(80, required=False, min_length=0)
    tracking_number = Text(80, required=False, min_length=0)
    eta = fields.Date(required=False)
    form_d_reference = Text(40, required=False, min_length=0)
    customs_declaration_number = Text(40, required=False, min_length=0)


class StatusChangeSchema(WmsSchema):
    status = Choice(ConsignmentStatus, required=True)
    note = Text(1000, required=False, min_length=0, load_default="")


class ConsignmentArgs(PageArgs):
    fc_id = QueryId()
    merchant_id = QueryId()
    status = Choice(ConsignmentStatus)
    eta_from = fields.Date()
    eta_to = fields.Date()


class AsnLineOutSchema(WmsSchema):
    line_number = fields.Integer()
    sku_id = fields.Integer()
    sku_code = fields.String()
    sku_name_en = fields.String()
    sku_name_th = fields.String()
    gtin = fields.String()
    quantity = fields.Integer()
    lot_number = fields.String(allow_none=True)
    expiry_date = fields.String(allow_none=True)
    hs_code = fields.String()
    unit_value_thb = fields.String()
    value_thb = fields.String()
    value_fc = fields.String()
    received_good = fields.Integer()
    received_damaged = fields.Integer()


class CartonOutSchema(WmsSchema):
    id = fields.Integer()
    sscc = fields.String()
    generated = fields.Boolean()
    gross_weight_g = fields.Integer(allow_none=True)
    dimensions_mm = fields.List(fields.Integer(), allow_none=True)
    received_at = IsoDateTime(allow_none=True)
    contents = fields.List(fields.Dict())


class TimelineSchema(WmsSchema):
    from_status = fields.String(allow_none=True)
    status = fields.String()
    by = fields.String()
    note = fields.String()
    at = IsoDateTime()


class DiscrepancySchema(WmsSchema):
    id = fields.Integer()
    receipt_id = fields.Integer()
    consignment_id = fields.Integer(allow_none=True)
    consignment_reference = fields.String(allow_none=True)
    fc_id = fields.Integer()
    merchant_id = fields.Integer()
    kind = fields.String()
    sku_id = fields.Integer()
    sku_code = fields.String()
    sku_name_en = fields.String()
    sku_name_th = fields.String()
    lot_number = fields.String(allow_none=True)
    expected = fields.Integer()
    received = fields.Integer()
    resolution = fields.String(allow_none=True)
    resolution_note = fields.String()
    resolved_at = IsoDateTime(allow_none=True)
    created_at = IsoDateTime()


class ConsignmentSchema(WmsSchema):
    id = fields.Integer()
    reference = fields.String()
    merchant_id = fields.Integer()
    fc_id = fields.Integer()
    status = fields.String()
    mode = fields.String()
    border_crossing = fields.String()
    origin_name = fields.String()
    origin_address = fields.String()
    origin_country = fields.String()
    carrier = fields.String()
    tracking_number = fields.String()
    eta = fields.String()
    form_d_reference = fields.String()
    customs_declaration_number = fields.String()
    fc_currency = fields.String()
    exchange_rate = fields.String()
    exchange_rate_date = fields.String()
    declared_value_thb = fields.String()
    declared_value_fc = fields.String()
    units = fields.Integer()
    line_count = fields.Integer()
    carton_count = fields.Integer()
    note = fields.String()
    created_at = IsoDateTime()
    updated_at = IsoDateTime()


class ConsignmentDetailSchema(ConsignmentSchema):
    lines = fields.List(fields.Nested(AsnLineOutSchema))
    cartons = fields.List(fields.Nested(CartonOutSchema))
    timeline = fields.List(fields.Nested(TimelineSchema))
    discrepancies = fields.List(fields.Nested(DiscrepancySchema))


class ConsignmentPageSchema(PageSchema):
    items = fields.List(fields.Nested(ConsignmentSchema))


class AsnImportErrorSchema(WmsSchema):
    section = fields.String()
    row = fields.Integer()
    field = fields.String(allow_none=True)
    message = fields.String()


class AsnImportReportSchema(WmsSchema):
    applied = fields.Boolean()
    rows = fields.Integer()
    errors = fields.List(fields.Nested(AsnImportErrorSchema))
    consignment = fields.Nested(ConsignmentDetailSchema, allow_none=True)


class DockScheduleArgs(WmsSchema):
    start = fields.Date(required=False, load_default=None)
    days = fields.Integer(load_default=7, validate=validate.Range(1, 62))


class DockDaySchema(WmsSchema):
    date = fields.String()
    consignments = fields.List(fields.Nested(ConsignmentSchema))


class ExchangeRateSchema(WmsSchema):
    currency = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{3}$"), load_only=True)
    rate = fields.Decimal(
        required=True,
        places=8,
        as_string=True,
        validate=validate.Range(min=Decimal("0.00000001"), max=Decimal("1000000000")),
    )
    valid_from = fields.Date(required=True)


class ExchangeRateOutSchema(WmsSchema):
    id = fields.Integer()
    base_currency = fields.String()
    quote_currency = fields.String()
    rate = fields.String()
    valid_from = fields.String()


# --- receiving -----------------------------------------------------------------------------


class StartReceiptSchema(WmsSchema):
    consignment_id = IdField(required=True)


class BlindReceiptSchema(WmsSchema):
    fc_id = IdField(required=True)
    merchant_id = IdField(required=True)
    sscc = fields.String(load_default=None, allow_none=True)


class ScanSchema(WmsSchema):
    scan = Text(200, metadata={"description": "What the scanner sent, AIM prefix and all."})
    quantity = fields.Integer(strict=True, load_default=1, validate=validate.Range(1, 10_000))
    damaged = fields.Boolean(load_default=False)
    lot_number = Text(20, required=False, load_default=None, allow_none=True)
    expiry_date = fields.Date(required=False, load_default=None, allow_none=True)


class ProgressSchema(WmsSchema):
    sku_id = fields.Integer()
    sku_code = fields.String()
    sku_name_en = fields.String()
    sku_name_th = fields.String()
    gtin = fields.String()
    lot_number = fields.String(allow_none=True)
    expected = fields.Integer()
    good = fields.Integer()
    damaged = fields.Integer()
    counted = fields.Integer()
    remaining = fields.Integer()


class TaskSchema(WmsSchema):
    id = fields.Integer()
    fc_id = fields.Integer()
    kind = fields.String()
    status = fields.String()
    merchant_id = fields.Integer()
    sku_id = fields.Integer()
    sku_code = fields.String()
    sku_name_en = fields.String()
    sku_name_th = fields.String()
    gtin = fields.String()
    lot_number = fields.String(allow_none=True)
    expiry_date = fields.String(allow_none=True)
    quantity = fields.Integer()
    from_location_code = fields.String()
    suggested_location_code = fields.String(allow_none=True)
    to_location_code = fields.String(allow_none=True)
    override_reason = fields.String()
    receipt_id = fields.Integer(allow_none=True)
    plan_id = fields.Integer(allow_none=True)
    created_at = IsoDateTime()
    done_at = IsoDateTime(allow_none=True)


class BinOptionSchema(WmsSchema):
    location_id = fields.Integer()
    code = fields.String()
    score = fields.Float()
    fits_units = fields.Integer()
    reasons = fields.List(fields.String())


class TaskOptionsSchema(TaskSchema):
    options = fields.List(fields.Nested(BinOptionSchema))
    refused_bins = fields.Integer()


class ReceiptSchema(WmsSchema):
    id = fields.Integer()
    fc_id = fields.Integer()
    merchant_id = fields.Integer()
    consignment_id = fields.Integer(allow_none=True)
    consignment_reference = fields.String(allow_none=True)
    status = fields.String()
    blind = fields.Boolean()
    expects_cartons = fields.Boolean()
    step = fields.String()
    prompt = fields.String()
    current_carton = fields.String(allow_none=True)
    receiving_location_code = fields.String()
    started_at = IsoDateTime()
    closed_at = IsoDateTime(allow_none=True)
    progress = fields.List(fields.Nested(ProgressSchema))
    last_count = fields.Dict()
    message = fields.String()
    discrepancies = fields.List(fields.Nested(DiscrepancySchema))
    putaway_tasks = fields.List(fields.Nested(TaskSchema))


class ReceiptArgs(WmsSchema):
    fc_id = QueryId()


class TaskArgs(WmsSchema):
    fc_id = QueryId()
    kind = Choice(TaskKind)
    status = Choice(TaskStatus, load_default=TaskStatus.OPEN.value)


class CompleteTaskSchema(WmsSchema):
    scan = Text(200, metadata={"description": "The bin's code as scanned."})
    override_reason = Text(500, required=False, load_default=None, allow_none=True)


class DiscrepancyArgs(PageArgs):
    fc_id = QueryId()
    consignment_id = QueryId()
    open_only = fields.Boolean(load_default=True)


class DiscrepancyPageSchema(PageSchema):
    items = fields.List(fields.Nested(DiscrepancySchema))


class ResolveSchema(WmsSchema):
    resolution = Choice(Resolution, required=True)
    note = Text(1000, required=False, min_length=0, load_default="")
