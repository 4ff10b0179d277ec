"""Schemas of the channels API: marketplace shops and their listings."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from wms.api.outbound_schemas import AwareDateTime
from wms.api.schemas import Choice, IdField, IsoDateTime, QueryId, Text, WmsSchema
from wms.channels.marketplace import ListingRef, Marketplace, ProductListing
from wms.domain.channels import MAX_BUFFER_UNITS, ListingStockStatus, ShopStatus
from wms.services.channel_shops import MAX_TOKEN, ShopConnection

POLICY_HELP = (
    "Give one of share_percent (show this percentage of the available units) or buffer_units "
    "(show all available units but this many)."
)


def _share(**kwargs: Any) -> fields.Integer:
    return fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=100),
        metadata={"description": POLICY_HELP},
        **kwargs,
    )


def _buffer(**kwargs: Any) -> fields.Integer:
    return fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=MAX_BUFFER_UNITS),
        metadata={"description": POLICY_HELP},
        **kwargs,
    )


def _one_policy(data: dict[str, Any], *, required: bool) -> None:
    given = [name for name in ("share_percent", "buffer_units") if data.get(name) is not None]
    if len(given) > 1:
        raise ValidationError("Give share_percent or buffer_units, not both.", "share_percent")
    if required and not given:
        raise ValidationError(POLICY_HELP, "share_percent")


# --- shops ---------------------------------------------------------------------------------


class ShopConnectionSchema(WmsSchema):
    """What the marketplace's authorisation gives for a shop (its OAuth callback)."""

    marketplace = Choice(Marketplace, required=True)
    country = Text(2, min_length=2, metadata={"description": "MY, ID, VN, TH, ..."})
    shop_id = Text(64, metadata={"description": "Shopee shop_id, Lazada seller_id, TikTok id."})
    shop_cipher = Text(128, required=False, load_default="", min_length=0)
    base_url = Text(500, metadata={"description": "The API host for the shop."})
    access_token = Text(MAX_TOKEN, load_only=True)
    refresh_token = Text(MAX_TOKEN, load_only=True)
    access_expires_at = AwareDateTime(required=True)
    refresh_expires_at = AwareDateTime(load_default=None, allow_none=True)
    name = Text(80, required=False, load_default="", min_length=0)
    merchant_id = IdField(load_default=None, allow_none=True)

    @post_load
    def to_connection(self, data: dict[str, Any], **_: Any) -> ShopConnection:
        return ShopConnection(**{**data, "marketplace": Marketplace(data["marketplace"])})


class ShopArgs(WmsSchema):
    merchant_id = QueryId()
    status = Choice(ShopStatus)


class ShopSchema(WmsSchema):
    id = fields.Integer()
    merchant_id = fields.Integer()
    marketplace = fields.String()
    country = fields.String()
    name = fields.String()
    shop_id = fields.String()
    base_url = fields.String()
    status = fields.String(metadata={"enum": [s.value for s in ShopStatus]})
    access_expires_at = IsoDateTime()
    refresh_expires_at = IsoDateTime(allow_none=True)
    last_sync_at = IsoDateTime(allow_none=True)
    last_error = fields.String()
    last_error_at = IsoDateTime(allow_none=True)
    connected_at = IsoDateTime()
    listings = fields.Integer()
    listings_pending = fields.Integer()
    listings_synced = fields.Integer()
    listings_parked = fields.Integer()


# --- listings ------------------------------------------------------------------------------


class NewListingSchema(WmsSchema):
    sku_id = IdField(required=True)
    fc_id = IdField(required=True)
    item_id = Text(
        64, metadata={"description": "Shopee item_id, Lazada ItemId, TikTok product_id."}
    )
    model_id = Text(64, required=False, load_default="", min_length=0)
    seller_sku = Text(200, required=False, load_default="", min_length=0)
    warehouse_id = Text(64, required=False, load_default="", min_length=0)
    share_percent = _share(load_default=None, allow_none=True)
    buffer_units = _buffer(load_default=None, allow_none=True)

    @validates_schema
    def one_policy(self, data: dict[str, Any], **_: Any) -> None:
        _one_policy(data, required=True)


class ListingChangesSchema(WmsSchema):
    item_id = Text(64, required=False)
    model_id = Text(64, required=False, min_length=0)
    seller_sku = Text(200, required=False, min_length=0)
    warehouse_id = Text(64, required=False, min_length=0)
    share_percent = _share()
    buffer_units = _buffer()

    @validates_schema
    def one_policy(self, data: dict[str, Any], **_: Any) -> None:
        _one_policy(data, required=False)


class ListingArgs(WmsSchema):
    shop_id = QueryId()
    fc_id = QueryId()
    sku_id = QueryId()
    status = Choice(ListingStockStatus)


class ListingStockSchema(WmsSchema):
    desired_quantity = fields.Integer()
    desired_version = fields.Integer()
    pushed_quantity = fields.Integer(allow_none=True)
    pushed_version = fields.Integer()
    status = fields.String(metadata={"enum": [s.value for s in ListingStockStatus]})
    attempts = fields.Integer()
    next_attempt_at = IsoDateTime()
    last_error = fields.String()
    last_error_kind = fields.String(allow_none=True)
    last_error_at = IsoDateTime(allow_none=True)
    last_pushed_at = IsoDateTime(allow_none=True)


class ListingSchema(WmsSchema):
    id = fields.Integer()
    shop_id = fields.Integer()
    shop_name = fields.String()
    marketplace = fields.String()
    merchant_id = fields.Integer()
    sku_id = fields.Integer()
    sku_code = fields.String()
    fc_id = fields.Integer()
    fc_code = fields.String()
    item_id = fields.String()
    model_id = fields.String()
    seller_sku = fields.String()
    warehouse_id = fields.String()
    share_percent = fields.Integer(allow_none=True)
    buffer_units = fields.Integer(allow_none=True)
    stock = fields.Nested(ListingStockSchema, allow_none=True)


class ListingImportErrorSchema(WmsSchema):
    line = fields.Integer(metadata={"description": "CSV line number (the header is line 1)."})
    field = fields.String(allow_none=True)
    message = fields.String()


class ListingImportReportSchema(WmsSchema):
    applied = fields.Boolean()
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    errors = fields.List(fields.Nested(ListingImportErrorSchema))


class ProductSchema(WmsSchema):
    """One variant of the shop's product list, as the marketplace connector reads it."""

    item_id = Text(64)
    model_id = Text(64, required=False, load_default="", min_length=0)
    seller_sku = Text(200, required=False, load_default="", min_length=0)
    warehouse_id = Text(64, required=False, load_default="", min_length=0)
    title = Text(500, required=False, load_default="", min_length=0)
    quantity = fields.Integer(strict=True, load_default=None, allow_none=True)

    @post_load
    def to_product(self, data: dict[str, Any], **_: Any) -> ProductListing:
        ref = ListingRef(
            data["item_id"], data["model_id"], data["seller_sku"], data["warehouse_id"]
        )
        return ProductListing(ref, data["title"], data["quantity"])


class ProductImportSchema(WmsSchema):
    fc_id = IdField(required=True)
    products = fields.List(
        fields.Nested(ProductSchema), required=True, validate=validate.Length(min=1, max=10_000)
    )
    share_percent = _share(load_default=None, allow_none=True)
    buffer_units = _buffer(load_default=None, allow_none=True)

    @validates_schema
    def one_policy(self, data: dict[str, Any], **_: Any) -> None:
        _one_policy(data, required=False)


class SkippedProductSchema(WmsSchema):
    item_id = fields.String()
    model_id = fields.String()
    seller_sku = fields.String()
    title = fields.String()
    reason = fields.String()


class ProductImportReportSchema(WmsSchema):
    created = fields.Integer()
    already_listed = fields.Integer()
    skipped = fields.List(fields.Nested(SkippedProductSchema))
    listing_ids = fields.List(fields.Integer())
