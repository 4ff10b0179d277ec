"""Merchants, SKUs (with CSV import) and lots."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import request
from flask_smorest import Blueprint
from marshmallow import ValidationError

from wms.api.schemas import (
    ImportArgs,
    ImportReportSchema,
    LotSchema,
    MerchantSchema,
    SkuArgs,
    SkuPageSchema,
    SkuPatchSchema,
    SkuSchema,
)
from wms.api.security import BEARER, authenticated, current_actor
from wms.bootstrap import new_uow
from wms.domain.commands import SkuDetails
from wms.domain.errors import InvalidInput
from wms.services import catalogue
from wms.services.paging import PageRequest

PREFIX = ""
blp = Blueprint("catalogue", __name__, description="Merchants, SKUs and lots.")

CSV_COLUMNS = [
    name
    for name in SkuSchema().fields
    if name not in ("id", "merchant_id", "created_at", "updated_at")
]


@blp.route("/merchants", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, MerchantSchema(many=True))
@authenticated
def list_merchants() -> list[dict[str, Any]]:
    return catalogue.list_merchants(new_uow(), current_actor())


@blp.route("/skus", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(SkuArgs, location="query")
@blp.response(200, SkuPageSchema)
@authenticated
def list_skus(args: dict[str, Any]) -> dict[str, Any]:
    """SKUs you may see; search by code, GTIN or name (Thai or English)."""
    return catalogue.list_skus(
        new_uow(),
        current_actor(),
        PageRequest(args["page"], args["page_size"]),
        search=args.get("search"),
        merchant_id=args.get("merchant_id"),
    )


@blp.route("/skus", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(SkuSchema)
@blp.response(201, SkuSchema)
@authenticated
def create_sku(details: SkuDetails) -> dict[str, Any]:
    """Create a SKU; the GTIN's check digit must be right."""
    return catalogue.create_sku(new_uow(), current_actor(), details)


@blp.route("/skus/<id:sku_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, SkuSchema)
@authenticated
def get_sku(sku_id: int) -> dict[str, Any]:
    return catalogue.get_sku(new_uow(), current_actor(), sku_id)


@blp.route("/skus/<id:sku_id>", methods=["PATCH"])
@blp.doc(security=BEARER)
@blp.arguments(SkuPatchSchema(partial=True))
@blp.response(200, SkuSchema)
@authenticated
def update_sku(changes: dict[str, Any], sku_id: int) -> dict[str, Any]:
    """Change some fields of a SKU."""
    if not changes:
        raise InvalidInput("Send at least one field to change.", "body")
    return catalogue.update_sku(new_uow(), current_actor(), sku_id, changes)


@blp.route("/skus/<id:sku_id>/lots", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, LotSchema(many=True))
@authenticated
def list_lots(sku_id: int) -> list[dict[str, Any]]:
    """The SKU's lots, soonest expiry first."""
    return catalogue.list_lots(new_uow(), current_actor(), sku_id)


def csv_text() -> str:
    upload = request.files.get("file")
    raw = upload.read() if upload is not None else request.get_data()
    if not raw:
        raise InvalidInput("Send the CSV as the body (text/csv) or as a 'file' upload.", "file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput("The CSV must be UTF-8.", "file") from error
    if "\x00" in text:
        raise InvalidInput("The CSV contains a NUL character.", "file")
    return text


@contextmanager
def readable_csv() -> Iterator[None]:
    """Turn the csv module's own errors (a cell too large, a stray quote) into a 422."""
    try:
        yield
    except csv.Error as error:
        raise InvalidInput(f"The CSV cannot be read: {error}.", "file") from error


def read_sku_rows(
    text: str, merchant_id: int | None
) -> tuple[list[tuple[int, SkuDetails]], list[dict[str, Any]]]:
    """Each CSV line read through SkuSchema: the good rows, and the reasons for the bad ones."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [name for name in ("code", "gtin", "name_en", "name_th") if name not in header]
    if missing:
        raise InvalidInput(f"The header lacks column(s): {', '.join(missing)}.", "file")
    unknown = [name for name in header if name not in CSV_COLUMNS]
    if unknown:
        raise InvalidInput(
            f"Unknown column(s): {', '.join(unknown)}. Columns: {', '.join(CSV_COLUMNS)}.", "file"
        )
    schema = SkuSchema()
    good: list[tuple[int, SkuDetails]] = []
    bad: list[dict[str, Any]] = []
    for line in reader:
        row_number = reader.line_num
        values = {key: value for key, value in line.items() if key is not None and value != ""}
        if None in line:
            bad.append({"row": row_number, "field": None, "message": "More cells than columns."})
            continue
        if merchant_id is not None:
            values["merchant_id"] = merchant_id
        try:
            good.append((row_number, schema.load(values)))
        except ValidationError as error:
            messages = error.normalized_messages()
            for name, reasons in sorted(messages.items()):
                reason = reasons[0] if isinstance(reasons, list) else str(reasons)
                bad.append({"row": row_number, "field": name, "message": reason})
    if not good and not bad:
        raise InvalidInput("The CSV has a header but no rows.", "file")
    return good, bad


@blp.route("/skus/import", methods=["POST"])
@blp.doc(
    security=BEARER,
    description="CSV with columns " + ", ".join(CSV_COLUMNS) + ". Rows update SKUs by code. "
    "Any row in error means nothing is written; the report names each row and field.",
)
@blp.arguments(ImportArgs, location="query")
@blp.response(200, ImportReportSchema)
@blp.alt_response(422, schema=ImportReportSchema, description="Rows in error; nothing written.")
@authenticated
def import_skus(args: dict[str, Any]) -> Any:
    """Create or update many SKUs from a CSV file, all or nothing."""
    with readable_csv():
        rows, rejected = read_sku_rows(csv_text(), args.get("merchant_id"))
    report = catalogue.import_skus(
        new_uow(), current_actor(), rows, rejected, dry_run=args["dry_run"]
    )
    return report, (422 if report["errors"] else 200)
