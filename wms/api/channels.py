"""Marketplace channels: merchants' shops and the listings that push their stock."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask_smorest import Blueprint

from wms.api.catalogue import csv_text, readable_csv
from wms.api.channel_schemas import (
    ListingArgs,
    ListingChangesSchema,
    ListingImportReportSchema,
    ListingSchema,
    NewListingSchema,
    ProductImportReportSchema,
    ProductImportSchema,
    ShopArgs,
    ShopConnectionSchema,
    ShopSchema,
)
from wms.api.security import BEARER, authenticated, current_actor
from wms.bootstrap import channels, new_uow
from wms.domain.channels import ListingIds, StockPolicy
from wms.domain.errors import InvalidInput
from wms.services import channel_shops, listings
from wms.services.channel_shops import ShopConnection

PREFIX = ""
blp = Blueprint(
    "channels",
    __name__,
    description="Marketplace shops (Shopee, Lazada, TikTok Shop) and their listings.",
)

CSV_COLUMNS = ("sku_code", "fc_code", "item_id", "model_id", "seller_sku", "warehouse_id", "policy")
REQUIRED_COLUMNS = ("sku_code", "fc_code", "item_id", "policy")


# --- shops ---------------------------------------------------------------------------------


@blp.route("/shops", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(ShopArgs, location="query")
@blp.response(200, ShopSchema(many=True))
@authenticated
def list_shops(args: dict[str, Any]) -> list[dict[str, Any]]:
    """Shops you may see, with their status, last sync, last error and listing counts."""
    return channel_shops.list_shops(
        new_uow(), current_actor(), merchant_id=args.get("merchant_id"), status=args.get("status")
    )


@blp.route("/shops", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(ShopConnectionSchema)
@blp.response(201, ShopSchema)
@authenticated
def connect_shop(details: ShopConnection) -> dict[str, Any]:
    """Connect a shop with the tokens its marketplace's authorisation gave (stored
    encrypted); connecting it again replaces them."""
    return channel_shops.connect_shop(new_uow(), current_actor(), channels(), details)


@blp.route("/shops/<id:shop_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, ShopSchema)
@authenticated
def get_shop(shop_id: int) -> dict[str, Any]:
    return channel_shops.get_shop(new_uow(), current_actor(), shop_id)


@blp.route("/shops/<id:shop_id>/disconnect", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(200, ShopSchema)
@authenticated
def disconnect_shop(shop_id: int) -> dict[str, Any]:
    """Stop pushing to a shop and erase its tokens."""
    return channel_shops.disconnect_shop(new_uow(), current_actor(), channels(), shop_id)


# --- listings ------------------------------------------------------------------------------


@blp.route("/listings", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(ListingArgs, location="query")
@blp.response(200, ListingSchema(many=True))
@authenticated
def list_listings(args: dict[str, Any]) -> list[dict[str, Any]]:
    """Listings with their stock: desired and pushed quantities, status, last error."""
    return listings.list_listings(new_uow(), current_actor(), **args)


@blp.route("/shops/<id:shop_id>/listings", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(NewListingSchema)
@blp.response(201, ListingSchema)
@authenticated
def create_listing(data: dict[str, Any], shop_id: int) -> dict[str, Any]:
    """Sell a SKU from an FC as one of the shop's listings."""
    details = listings.ListingDetails(
        sku_id=data["sku_id"],
        fc_id=data["fc_id"],
        ids=ListingIds(data["item_id"], data["model_id"], data["seller_sku"], data["warehouse_id"]),
        policy=StockPolicy.of(data["share_percent"], data["buffer_units"]),
    )
    return listings.create_listing(new_uow(), current_actor(), channels(), shop_id, details)


@blp.route("/listings/<id:listing_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, ListingSchema)
@authenticated
def get_listing(listing_id: int) -> dict[str, Any]:
    return listings.get_listing(new_uow(), current_actor(), listing_id)


@blp.route("/listings/<id:listing_id>", methods=["PATCH"])
@blp.doc(security=BEARER)
@blp.arguments(ListingChangesSchema)
@blp.response(200, ListingSchema)
@authenticated
def update_listing(changes: dict[str, Any], listing_id: int) -> dict[str, Any]:
    """Change a listing's marketplace ids or its stock policy."""
    if not changes:
        raise InvalidInput("Send at least one field to change.", "body")
    return listings.update_listing(new_uow(), current_actor(), channels(), listing_id, changes)


@blp.route("/listings/<id:listing_id>", methods=["DELETE"])
@blp.doc(security=BEARER)
@blp.response(200, ListingSchema)
@authenticated
def delete_listing(listing_id: int) -> dict[str, Any]:
    """Stop selling the SKU from the FC on the shop."""
    return listings.delete_listing(new_uow(), current_actor(), channels(), listing_id)


@blp.route("/listings/<id:listing_id>/retry", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(200, ListingSchema)
@authenticated
def retry_listing(listing_id: int) -> dict[str, Any]:
    """Push a parked listing's latest quantity again."""
    return listings.retry_listing(new_uow(), current_actor(), listing_id)


def read_listing_rows(
    text: str,
) -> tuple[list[listings.ListingRow], list[dict[str, Any]]]:
    """Each CSV line as a listing row; lines that cannot be read are reported by line."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise InvalidInput(f"The header lacks column(s): {', '.join(missing)}.", "file")
    unknown = [name for name in header if name not in CSV_COLUMNS]
    if unknown:
        raise InvalidInput(
            f"Unknown column(s): {', '.join(unknown)}. Columns: {', '.join(CSV_COLUMNS)}.", "file"
        )
    good: list[listings.ListingRow] = []
    bad: list[dict[str, Any]] = []
    for line in reader:
        number = reader.line_num
        if None in line:
            bad.append({"line": number, "field": None, "message": "More cells than columns."})
            continue
        values = {name: (line.get(name) or "").strip() for name in CSV_COLUMNS}
        empty = [name for name in REQUIRED_COLUMNS if not values[name]]
        for name in empty:
            bad.append(
                {"line": number, "field": name, "message": "Missing data for required field."}
            )
        if empty:
            continue
        good.append(
            listings.ListingRow(
                line=number,
                sku_code=values["sku_code"],
                fc_code=values["fc_code"],
                ids=ListingIds(
                    values["item_id"],
                    values["model_id"],
                    values["seller_sku"],
                    values["warehouse_id"],
                ),
                policy=values["policy"],
            )
        )
    if not good and not bad:
        raise InvalidInput("The CSV has a header but no rows.", "file")
    return good, bad


@blp.route("/shops/<id:shop_id>/listings/import", methods=["POST"])
@blp.doc(
    security=BEARER,
    description="CSV with columns " + ", ".join(CSV_COLUMNS) + "; policy is share:60, 60% or "
    "buffer:5. Rows update the shop's listings by SKU and FC. Any row in error means nothing "
    "is written; the report names each line and field.",
)
@blp.response(200, ListingImportReportSchema)
@blp.alt_response(422, schema=ListingImportReportSchema, description="Rows in error.")
@authenticated
def import_listings(shop_id: int) -> Any:
    """Create or update the shop's listings from a CSV file, all or nothing."""
    with readable_csv():
        rows, rejected = read_listing_rows(csv_text())
    report = listings.import_listings(
        new_uow(), current_actor(), channels(), shop_id, rows, rejected
    )
    return report, (422 if report["errors"] else 200)


@blp.route("/shops/<id:shop_id>/listings/import-products", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(ProductImportSchema)
@blp.response(200, ProductImportReportSchema)
@authenticated
def import_products(data: dict[str, Any], shop_id: int) -> dict[str, Any]:
    """List the shop's products (its product list as the marketplace gives it) from an FC,
    matching each product's seller SKU to a SKU code; unmatched products are reported. The
    policy defaults to showing all available units (buffer_units 0)."""
    share, buffer = data.get("share_percent"), data.get("buffer_units")
    policy = StockPolicy.of(share, buffer if share is not None or buffer is not None else 0)
    return listings.import_products(
        new_uow(), current_actor(), channels(), shop_id, data["fc_id"], data["products"], policy
    )
