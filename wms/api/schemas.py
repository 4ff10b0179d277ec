"""Marshmallow schemas: what the API accepts (turned into commands) and what it returns."""

from __future__ import annotations

from typing import Any

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from wms.domain.catalogue import LocationStatus, TemperatureClass, VelocityClass, ZonePurpose
from wms.domain.commands import AdjustStock, MoveStock
from wms.domain.layout import RackLayout
from wms.domain.stock import ADJUSTMENT_REASONS, MovementReason
from wms.services.catalogue import details_from_mapping
from wms.services.idempotency import KEY_PATTERN, KEY_RULE

MAX_ID = 2**31 - 1
MAX_UNITS = 1_000_000


def _nul_fields(data: Any, path: str = "") -> list[str]:
    if isinstance(data, str):
        return [path or "body"] if "\x00" in data else []
    if isinstance(data, dict):
        return [name for key, value in data.items() for name in _nul_fields(value, str(key))]
    if isinstance(data, list):
        return [name for item in data for name in _nul_fields(item, path)]
    return []


class WmsSchema(Schema):
    """Base of every schema: text with NUL characters is refused (databases cannot store it)."""

    @pre_load
    def refuse_nul_characters(self, data: Any, **_: Any) -> Any:
        bad = _nul_fields(data) if isinstance(data, dict) else []
        if bad:
            raise ValidationError({name: ["Contains a NUL character."] for name in bad})
        return data


def IdField(**kwargs: Any) -> fields.Integer:
    """A database id in a JSON body: a whole number from 1 to 2³¹−1."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class QueryInteger(fields.Integer):
    """A whole number given as text in a query string: ASCII digits only."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, str) and not (value.isascii() and value.lstrip("-").isdigit()):
            raise self.make_error("invalid")
        result: int = super()._deserialize(value, attr, data, **kwargs)
        return result


def QueryId(**kwargs: Any) -> fields.Integer:
    """A database id in a query string."""
    return QueryInteger(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def Text(
    max_length: int, *, required: bool = True, min_length: int = 1, **kwargs: Any
) -> fields.String:
    return fields.String(
        required=required, validate=validate.Length(min=min_length, max=max_length), **kwargs
    )


def IsoDateTime(**kwargs: Any) -> fields.String:
    return fields.String(metadata={"format": "date-time"}, **kwargs)


def Choice(kind: type[Any], **kwargs: Any) -> fields.String:
    values = [member.value for member in kind]
    return fields.String(validate=validate.OneOf(values), metadata={"enum": values}, **kwargs)


# --- shared -------------------------------------------------------------------------------


class PageArgs(WmsSchema):
    page = QueryInteger(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    page_size = QueryInteger(load_default=50, validate=validate.Range(min=1, max=500))


class PageSchema(WmsSchema):
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


class IdempotencyHeader(WmsSchema):
    class Meta:
        unknown = EXCLUDE

    key = fields.String(
        data_key="Idempotency-Key",
        required=True,
        validate=validate.Regexp(KEY_PATTERN, error=KEY_RULE),
        metadata={
            "description": "A unique key per intended change; replays return the first answer."
        },
    )


# --- auth ---------------------------------------------------------------------------------


class LoginSchema(WmsSchema):
    email = fields.Email(required=True)
    password = Text(200)
    label = Text(100, required=False, load_default="api")


class UserSchema(WmsSchema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.String()
    merchant_id = fields.Integer(allow_none=True)
    fc_ids = fields.List(fields.Integer())
    locale = fields.String()


class TokenSchema(WmsSchema):
    token = fields.String(metadata={"description": "Shown once; send as 'Authorization: Bearer'."})
    expires_at = IsoDateTime()
    user = fields.Nested(UserSchema)


# --- facilities ---------------------------------------------------------------------------


class FcSchema(WmsSchema):
    id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9]{3,8}$"))
    name = Text(200)
    city = Text(120)
    country = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z]{2}$"))
    currency = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z]{3}$"))
    timezone = Text(64)
    latitude = fields.Float(dump_only=True, allow_none=True)
    longitude = fields.Float(dump_only=True, allow_none=True)


class ZoneSchema(WmsSchema):
    id = fields.Integer(dump_only=True)
    fc_id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9-]{1,16}$"))
    name = Text(120)
    temperature_class = Choice(TemperatureClass, required=True)
    purpose = Choice(ZonePurpose, required=True)


class LocationSchema(WmsSchema):
    id = fields.Integer()
    fc_id = fields.Integer()
    zone_id = fields.Integer()
    code = fields.String()
    check_code = fields.String(metadata={"description": "Two digits for manual or voice entry."})
    aisle = fields.String()
    bay = fields.Integer()
    level = fields.Integer()
    position = fields.String(allow_none=True)
    x = fields.Float()
    y = fields.Float()
    z = fields.Float()
    volume_cm3 = fields.Integer()
    max_weight_g = fields.Integer()
    pickable = fields.Boolean()
    pick_sequence = fields.Integer()
    status = fields.String()


class LocationPageSchema(PageSchema):
    items = fields.List(fields.Nested(LocationSchema))


class LocationArgs(PageArgs):
    zone_id = QueryId()
    code_prefix = fields.String(validate=validate.Length(max=40))


class LocationStatusSchema(WmsSchema):
    status = Choice(LocationStatus, required=True)


class LayoutSchema(WmsSchema):
    """A block of racking to create: aisles × bays × levels (× positions) in one zone."""

    zone_id = IdField(required=True)
    aisles = fields.List(
        fields.String(
            validate=validate.Regexp(r"^[A-Z0-9]{1,4}$", error="1 to 4 capitals/digits.")
        ),
        required=True,
        validate=validate.Length(min=1, max=100),
    )
    bays = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=99))
    levels = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=99))
    positions = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=26))
    origin_x = fields.Float(load_default=0.0, validate=validate.Range(min=-10_000, max=10_000))
    origin_y = fields.Float(load_default=0.0, validate=validate.Range(min=-10_000, max=10_000))
    aisle_spacing_m = fields.Float(load_default=3.0, validate=validate.Range(min=0.5, max=50))
    bay_width_m = fields.Float(load_default=1.2, validate=validate.Range(min=0.2, max=20))
    level_height_m = fields.Float(load_default=0.5, validate=validate.Range(min=0.1, max=5))
    volume_cm3 = fields.Integer(load_default=288_000, validate=validate.Range(min=1, max=MAX_ID))
    max_weight_g = fields.Integer(load_default=150_000, validate=validate.Range(min=1, max=MAX_ID))
    pickable_levels = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=99)), load_default=list
    )

    @post_load
    def to_layout(self, data: dict[str, Any], **_: Any) -> tuple[int, RackLayout]:
        zone_id = data.pop("zone_id")
        data["aisles"] = tuple(data["aisles"])
        data["pickable_levels"] = tuple(data["pickable_levels"])
        return zone_id, RackLayout(**data)


class LayoutResultSchema(WmsSchema):
    created = fields.Integer()
    first_code = fields.String()
    last_code = fields.String()


# --- catalogue ----------------------------------------------------------------------------


class MerchantSchema(WmsSchema):
    id = fields.Integer()
    code = fields.String()
    name_en = fields.String()
    name_th = fields.String()


class SkuSchema(WmsSchema):
    """A SKU. On create, merchants may omit merchant_id; staff roles must give it."""

    id = fields.Integer(dump_only=True)
    merchant_id = IdField()
    code = Text(64)
    gtin = fields.String(
        required=True, validate=validate.Regexp(r"^[0-9]{8,14}$", error="8 to 14 digits.")
    )
    name_en = Text(200)
    name_th = Text(200)
    length_mm = fields.Integer(required=True, validate=validate.Range(min=1, max=10_000))
    width_mm = fields.Integer(required=True, validate=validate.Range(min=1, max=10_000))
    height_mm = fields.Integer(required=True, validate=validate.Range(min=1, max=10_000))
    weight_g = fields.Integer(required=True, validate=validate.Range(min=1, max=1_000_000))
    temperature_class = Choice(TemperatureClass, load_default=TemperatureClass.AMBIENT.value)
    shelf_life_days = fields.Integer(
        allow_none=True, load_default=None, validate=validate.Range(min=1, max=36_500)
    )
    lot_tracked = fields.Boolean(load_default=False)
    expiry_tracked = fields.Boolean(load_default=False)
    hs_code = fields.String(load_default="", validate=validate.Regexp(r"^[0-9]{0,12}$"))
    declared_value = fields.Decimal(
        load_default="0",
        places=2,
        as_string=True,
        validate=validate.Range(min=0, max=999_999_999_999),
    )
    declared_currency = fields.String(
        load_default="THB", validate=validate.Regexp(r"^[A-Z]{3}$", error="ISO 4217 code.")
    )
    hazardous = fields.Boolean(load_default=False)
    high_value = fields.Boolean(load_default=False)
    velocity_class = Choice(VelocityClass, load_default=VelocityClass.C.value)
    created_at = IsoDateTime(dump_only=True)
    updated_at = IsoDateTime(dump_only=True)

    @post_load
    def to_details(self, data: dict[str, Any], partial: bool | Any = False, **_: Any) -> Any:
        if "temperature_class" in data:
            data["temperature_class"] = TemperatureClass(data["temperature_class"])
        if "velocity_class" in data:
            data["velocity_class"] = VelocityClass(data["velocity_class"])
        if partial:
            return data
        return details_from_mapping(data)


class SkuPatchSchema(SkuSchema):
    class Meta:
        exclude = ("merchant_id",)


class SkuPageSchema(PageSchema):
    items = fields.List(fields.Nested(SkuSchema))


class SkuArgs(PageArgs):
    search = fields.String(validate=validate.Length(max=100))
    merchant_id = QueryId()


class ImportArgs(WmsSchema):
    merchant_id = QueryId()
    dry_run = fields.Boolean(load_default=False)


class ImportErrorSchema(WmsSchema):
    row = fields.Integer(metadata={"description": "CSV line number (the header is line 1)."})
    field = fields.String(allow_none=True)
    message = fields.String()


class ImportReportSchema(WmsSchema):
    applied = fields.Boolean()
    dry_run = fields.Boolean()
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    errors = fields.List(fields.Nested(ImportErrorSchema))


class LotSchema(WmsSchema):
    id = fields.Integer()
    sku_id = fields.Integer()
    lot_number = fields.String()
    expiry_date = fields.String(allow_none=True, metadata={"format": "date"})


# --- stock --------------------------------------------------------------------------------


class BalanceSchema(WmsSchema):
    id = fields.Integer()
    fc_id = fields.Integer()
    location_id = fields.Integer()
    location_code = fields.String()
    zone_id = fields.Integer()
    sku_id = fields.Integer()
    sku_code = fields.String()
    sku_name_en = fields.String()
    sku_name_th = fields.String()
    merchant_id = fields.Integer()
    lot_id = fields.Integer(allow_none=True)
    lot_number = fields.String(allow_none=True)
    expiry_date = fields.String(allow_none=True, metadata={"format": "date"})
    on_hand = fields.Integer()
    reserved = fields.Integer()
    available = fields.Integer()


class BalancePageSchema(PageSchema):
    items = fields.List(fields.Nested(BalanceSchema))


class StockArgs(PageArgs):
    fc_id = QueryId()
    sku_id = QueryId()
    location_id = QueryId()
    zone_id = QueryId()
    merchant_id = QueryId()
    lot_number = fields.String(validate=validate.Length(min=1, max=40))


class MovementArgs(PageArgs):
    fc_id = QueryId()
    sku_id = QueryId()
    location_id = QueryId()


class MovementSchema(WmsSchema):
    id = fields.Integer()
    fc_id = fields.Integer()
    sku_id = fields.Integer()
    lot_id = fields.Integer(allow_none=True)
    lot_number = fields.String(allow_none=True)
    from_location_id = fields.Integer(allow_none=True)
    from_location_code = fields.String(allow_none=True)
    to_location_id = fields.Integer(allow_none=True)
    to_location_code = fields.String(allow_none=True)
    quantity = fields.Integer()
    reason = fields.String()
    note = fields.String()
    reference = fields.String()
    actor_id = fields.Integer(allow_none=True)
    created_at = IsoDateTime()


class MovementPageSchema(PageSchema):
    items = fields.List(fields.Nested(MovementSchema))


class MoveSchema(WmsSchema):
    sku_id = IdField(required=True)
    from_location_id = IdField(required=True)
    to_location_id = IdField(required=True)
    quantity = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=MAX_UNITS)
    )
    lot_number = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    reference = fields.String(load_default="", validate=validate.Length(max=100))
    note = fields.String(load_default="", validate=validate.Length(max=1000))

    @post_load
    def to_command(self, data: dict[str, Any], **_: Any) -> MoveStock:
        return MoveStock(**data)


class AdjustmentSchema(WmsSchema):
    """Give counted_quantity (what the count found) or delta (a signed change), not both."""

    location_id = IdField(required=True)
    sku_id = IdField(required=True)
    reason = fields.String(
        required=True,
        validate=validate.OneOf(sorted(str(r) for r in ADJUSTMENT_REASONS)),
        metadata={"enum": sorted(str(r) for r in ADJUSTMENT_REASONS)},
    )
    counted_quantity = fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_UNITS))
    delta = fields.Integer(strict=True, validate=validate.Range(min=-MAX_UNITS, max=MAX_UNITS))
    lot_number = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    expiry_date = fields.Date(load_default=None)
    reference = fields.String(load_default="", validate=validate.Length(max=100))
    note = fields.String(load_default="", validate=validate.Length(max=1000))

    @validates_schema
    def one_quantity(self, data: dict[str, Any], **_: Any) -> None:
        given = [name for name in ("counted_quantity", "delta") if data.get(name) is not None]
        if len(given) != 1:
            raise ValidationError(
                "Give exactly one of counted_quantity or delta.", "counted_quantity"
            )
        if data.get("delta") == 0:
            raise ValidationError("A delta of zero changes nothing.", "delta")

    @post_load
    def to_command(self, data: dict[str, Any], **_: Any) -> AdjustStock:
        data["reason"] = MovementReason(data["reason"])
        return AdjustStock(**data)
