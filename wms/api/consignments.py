"""Consignments and their ASNs: announce, upload lines as CSV, follow and change status."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import fields, validate

from wms.api.catalogue import csv_text, readable_csv
from wms.api.inbound_schemas import (
    AsnImportReportSchema,
    AsnSchema,
    ConsignmentArgs,
    ConsignmentDetailSchema,
    ConsignmentPageSchema,
    DockDaySchema,
    DockScheduleArgs,
    ExchangeRateOutSchema,
    ExchangeRateSchema,
    NewConsignmentSchema,
    StatusChangeSchema,
    TransportSchema,
)
from wms.api.schemas import QueryId, WmsSchema
from wms.api.security import BEARER, authenticated, current_actor
from wms.bootstrap import new_uow
from wms.domain.consignments import AsnLine, CartonPlan, ConsignmentStatus
from wms.domain.errors import InvalidInput
from wms.services import consignments, customs, outbox
from wms.services.consignments import AsnRejected
from wms.services.customs import Paper
from wms.services.paging import PageRequest

PREFIX = "/consignments"
blp = Blueprint(
    "consignments", __name__, description="Consignments from Thailand, their ASN and status."
)
rates_blp = Blueprint("exchange_rates", __name__, description="THB exchange rates per currency.")
RATES_PREFIX = "/exchange-rates"


webhooks_blp = Blueprint(
    "webhooks", __name__, description="Where a merchant hears of its consignments' changes."
)
WEBHOOKS_PREFIX = "/webhook"


class WebhookSchema(WmsSchema):
    url = fields.String(required=True, allow_none=True, validate=validate.Length(max=500))


class WebhookOutSchema(WmsSchema):
    url = fields.String(allow_none=True)
    secret = fields.String(
        allow_none=True,
        metadata={
            "description": "HMAC-SHA256 key: shown once. Verify X-Pavilion-Signature = "
            "'sha256=' + hex(HMAC(secret, X-Pavilion-Timestamp + '.' + body))."
        },
    )


@webhooks_blp.route("", methods=["PUT"])
@webhooks_blp.doc(security=BEARER)
@webhooks_blp.arguments(WebhookSchema)
@webhooks_blp.response(200, WebhookOutSchema)
@authenticated
def set_webhook(data: dict[str, Any]) -> dict[str, Any]:
    """Set (or, with null, remove) your webhook URL; each call issues a new signing secret."""
    return outbox.configure_webhook(new_uow(), current_actor(), data["url"])


class ArrivalsArgs(DockScheduleArgs):
    fc_id = QueryId(required=True)


CSV_COLUMNS = (
    "sku_code",
    "quantity",
    "lot_number",
    "expiry_date",
    "hs_code",
    "unit_value_thb",
    "sscc",
    "carton_gross_weight_g",
    "carton_length_mm",
    "carton_width_mm",
    "carton_height_mm",
)
DIMENSIONS = ("carton_length_mm", "carton_width_mm", "carton_height_mm")


@blp.route("", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(ConsignmentArgs, location="query")
@blp.response(200, ConsignmentPageSchema)
@authenticated
def list_consignments(args: dict[str, Any]) -> dict[str, Any]:
    """Consignments you may see (merchants: their own; staff: their FCs'), soonest ETA first."""
    page = PageRequest(args.pop("page"), args.pop("page_size"))
    if "status" in args:
        args["status"] = ConsignmentStatus(args["status"])
    return consignments.list_consignments(new_uow(), current_actor(), page, **args)


@blp.route("", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(NewConsignmentSchema)
@blp.response(201, ConsignmentDetailSchema)
@authenticated
def create_consignment(data: dict[str, Any]) -> dict[str, Any]:
    """Announce a consignment as a draft, with its ASN lines and cartons (all or nothing)."""
    return consignments.create_consignment(
        new_uow(), current_actor(), data["header"], data["lines"], data["cartons"]
    )


@blp.route("/arrivals", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(ArrivalsArgs, location="query")
@blp.response(200, DockDaySchema(many=True))
@authenticated
def arrivals(args: dict[str, Any]) -> list[dict[str, Any]]:
    """The dock schedule: consignments still to receive, by ETA day (overdue ones first)."""
    actor = current_actor()
    start = args["start"] or consignments.fc_local_date(new_uow(), actor, args["fc_id"])
    return consignments.dock_schedule(new_uow(), actor, args["fc_id"], start, args["days"])


def _pdf(consignment_id: int, paper: Paper) -> Response:
    pdf, name = customs.customs_pdf(new_uow(), current_actor(), consignment_id, paper)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


PDF_RESPONSE = {"200": {"description": "The PDF.", "content": {"application/pdf": {}}}}


@blp.route("/<id:consignment_id>/commercial-invoice.pdf", methods=["GET"])
@blp.doc(security=BEARER, responses=PDF_RESPONSE)
@authenticated
def commercial_invoice(consignment_id: int) -> Response:
    """The consignment's commercial invoice (lines, HS codes, values in THB and FC currency)."""
    return _pdf(consignment_id, Paper.COMMERCIAL_INVOICE)


@blp.route("/<id:consignment_id>/packing-list.pdf", methods=["GET"])
@blp.doc(security=BEARER, responses=PDF_RESPONSE)
@authenticated
def packing_list(consignment_id: int) -> Response:
    """The consignment's packing list (cartons by SSCC, contents, weights, dimensions)."""
    return _pdf(consignment_id, Paper.PACKING_LIST)


@rates_blp.route("", methods=["POST"])
@rates_blp.doc(security=BEARER)
@rates_blp.arguments(ExchangeRateSchema)
@rates_blp.response(201, ExchangeRateOutSchema)
@authenticated
def record_rate(data: dict[str, Any]) -> dict[str, Any]:
    """Record how many units of a currency one THB buys from a day on (admins, managers)."""
    return consignments.record_exchange_rate(
        new_uow(), current_actor(), data["currency"], data["rate"], data["valid_from"]
    )


@blp.route("/<id:consignment_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, ConsignmentDetailSchema)
@authenticated
def get_consignment(consignment_id: int) -> dict[str, Any]:
    """A consignment with its lines (expected and received), cartons, timeline, discrepancies."""
    return consignments.get_consignment(new_uow(), current_actor(), consignment_id)


@blp.route("/<id:consignment_id>", methods=["PATCH"])
@blp.doc(security=BEARER)
@blp.arguments(TransportSchema)
@blp.response(200, ConsignmentDetailSchema)
@authenticated
def update_transport(changes: dict[str, Any], consignment_id: int) -> dict[str, Any]:
    """Correct carrier, tracking, ETA or customs references until the goods arrive."""
    return consignments.update_transport(new_uow(), current_actor(), consignment_id, changes)


@blp.route("/<id:consignment_id>/asn", methods=["PUT"])
@blp.doc(security=BEARER)
@blp.arguments(AsnSchema)
@blp.response(200, ConsignmentDetailSchema)
@authenticated
def replace_asn(data: dict[str, Any], consignment_id: int) -> dict[str, Any]:
    """Replace a draft's ASN lines and cartons as JSON, all or nothing."""
    return consignments.replace_asn(
        new_uow(), current_actor(), consignment_id, data["lines"], data["cartons"]
    )


@blp.route("/<id:consignment_id>/asn.csv", methods=["POST"])
@blp.doc(
    security=BEARER,
    description="CSV with columns "
    + ", ".join(CSV_COLUMNS)
    + ". One row per SKU, lot and carton: rows of the same SKU and lot make one ASN line, rows "
    "with the same SSCC one carton. Any row in error means nothing is written; the report "
    "names each row (the header is row 1) and field.",
)
@blp.response(200, AsnImportReportSchema)
@blp.alt_response(422, schema=AsnImportReportSchema, description="Rows in error; nothing written.")
@authenticated
def upload_asn(consignment_id: int) -> Any:
    """Replace a draft's ASN from a CSV file."""
    with readable_csv():
        sheet = read_asn_csv(csv_text())
    report: dict[str, Any] = {
        "applied": False,
        "rows": sheet.rows,
        "errors": sheet.errors,
        "consignment": None,
    }
    if sheet.errors:
        return report, 422
    try:
        report["consignment"] = consignments.replace_asn(
            new_uow(), current_actor(), consignment_id, sheet.lines, sheet.cartons
        )
    except AsnRejected as rejected:
        report["errors"] = [sheet.translate(error.as_dict()) for error in rejected.errors]
        return report, 422
    report["applied"] = True
    return report


@blp.route("/<id:consignment_id>/status", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(StatusChangeSchema)
@blp.response(200, ConsignmentDetailSchema)
@blp.alt_response(409, description="The status machine does not allow this step.")
@authenticated
def change_status(data: dict[str, Any], consignment_id: int) -> dict[str, Any]:
    """Move the consignment to its next status; who and when go on its timeline."""
    return consignments.change_status(
        new_uow(), current_actor(), consignment_id, ConsignmentStatus(data["status"]), data["note"]
    )


# --- the CSV sheet -------------------------------------------------------------------------


@dataclass
class AsnSheet:
    """An ASN read from CSV rows, remembering which row made each line and carton."""

    rows: int = 0
    lines: list[AsnLine] = field(default_factory=list)
    cartons: list[CartonPlan] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    line_rows: list[int] = field(default_factory=list)
    carton_rows: list[int] = field(default_factory=list)

    def error(self, row: int, name: str | None, message: str) -> None:
        self.errors.append({"section": "csv", "row": row, "field": name, "message": message})

    def translate(self, error: dict[str, Any]) -> dict[str, Any]:
        """A line or carton error of the use case, pointed back at its CSV row."""
        rows = self.line_rows if error["section"] == "lines" else self.carton_rows
        index = error["row"] - 1
        row = rows[index] if 0 <= index < len(rows) else error["row"]
        return {**error, "section": "csv", "row": row}


def _cell_int(value: str, name: str) -> int:
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        raise InvalidInput("A whole number.", name)
    return int(value)


def read_asn_csv(text: str) -> AsnSheet:
    """Read the ASN CSV; bad cells are reported by row, good rows merged into lines/cartons."""
    sheet = AsnSheet()
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [name for name in ("sku_code", "quantity") if name not in header]
    if missing:
        raise InvalidInput(f"The header lacks column(s): {', '.join(missing)}.", "file")
    unknown = [name for name in header if name not in CSV_COLUMNS]
    if unknown:
        raise InvalidInput(
            f"Unknown column(s): {', '.join(unknown)}. Columns: {', '.join(CSV_COLUMNS)}.", "file"
        )
    merged: dict[tuple[str, str | None], dict[str, Any]] = {}
    cartons: dict[str, dict[str, Any]] = {}
    with_sscc = without_sscc = 0
    for record in reader:
        row = reader.line_num
        sheet.rows += 1
        if None in record:
            sheet.error(row, None, "More cells than columns.")
            continue
        cells = {key: (value or "").strip() for key, value in record.items()}
        try:
            values = _read_row(cells)
        except InvalidInput as error:
            sheet.error(row, error.field, error.message)
            continue
        key = (values["sku_code"], values["lot_number"])
        line = merged.get(key)
        if line is None:
            line = merged[key] = {**values, "row": row, "number": len(merged) + 1}
        else:
            for name in ("expiry_date", "hs_code", "unit_value_thb"):
                if values[name] is not None and values[name] != line[name]:
                    sheet.error(row, name, f"Differs from row {line['row']} (same SKU and lot).")
            line["quantity"] += values["quantity"]
        sscc = cells.get("sscc", "")
        if sscc:
            with_sscc += 1
            carton = cartons.setdefault(
                sscc, {"row": row, "weight": None, "dimensions": None, "contents": {}}
            )
            sizes = [cells.get(name, "") for name in DIMENSIONS]
            if any(sizes):
                try:
                    carton["dimensions"] = tuple(
                        _cell_int(size, name) for size, name in zip(sizes, DIMENSIONS, strict=True)
                    )
                except InvalidInput as error:
                    sheet.error(row, error.field, error.message)
            weight = cells.get("carton_gross_weight_g", "")
            if weight:
                try:
                    carton["weight"] = _cell_int(weight, "carton_gross_weight_g")
                except InvalidInput as error:
                    sheet.error(row, error.field, error.message)
            contents = carton["contents"]
            contents[line["number"]] = contents.get(line["number"], 0) + values["quantity"]
        else:
            without_sscc += 1
    if with_sscc and without_sscc:
        sheet.error(1, "sscc", "Give an SSCC on every row, or on none.")
    if sheet.rows == 0:
        raise InvalidInput("The CSV has a header but no rows.", "file")
    for line in sorted(merged.values(), key=lambda item: item["number"]):
        sheet.lines.append(
            AsnLine(
                sku_code=line["sku_code"],
                quantity=line["quantity"],
                lot_number=line["lot_number"],
                expiry_date=line["expiry_date"],
                hs_code=line["hs_code"],
                unit_value_thb=line["unit_value_thb"],
            )
        )
        sheet.line_rows.append(line["row"])
    for sscc, carton in cartons.items():
        sheet.cartons.append(
            CartonPlan(
                sscc=sscc,
                gross_weight_g=carton["weight"],
                dimensions_mm=carton["dimensions"],
                contents=tuple(sorted(carton["contents"].items())),
            )
        )
        sheet.carton_rows.append(carton["row"])
    return sheet


def _read_row(cells: dict[str, str]) -> dict[str, Any]:
    code = cells.get("sku_code", "")
    if not code or len(code) > 64:
        raise InvalidInput("A SKU code of 1 to 64 characters.", "sku_code")
    quantity = _cell_int(cells.get("quantity", ""), "quantity")
    if not 1 <= quantity <= 1_000_000:
        raise InvalidInput("Between 1 and 1,000,000.", "quantity")
    lot = cells.get("lot_number") or None
    if lot is not None and len(lot) > 40:
        raise InvalidInput("At most 40 characters.", "lot_number")
    expiry = None
    if cells.get("expiry_date"):
        try:
            expiry = date.fromisoformat(cells["expiry_date"])
        except ValueError as error:
            raise InvalidInput("A date as YYYY-MM-DD.", "expiry_date") from error
    hs_code = cells.get("hs_code") or None
    if hs_code is not None and len(hs_code) > 16:
        raise InvalidInput("At most 16 characters.", "hs_code")
    value = None
    if cells.get("unit_value_thb"):
        try:
            value = Decimal(cells["unit_value_thb"])
        except InvalidOperation as error:
            raise InvalidInput("An amount in THB, like 125.50.", "unit_value_thb") from error
        if (
            not value.is_finite()
            or not 0 <= value < Decimal("1e12")
            or value != value.quantize(Decimal("0.01"))
        ):
            raise InvalidInput("An amount in THB ≥ 0 with at most 2 decimals.", "unit_value_thb")
    return {
        "sku_code": code,
        "quantity": quantity,
        "lot_number": lot,
        "expiry_date": expiry,
        "hs_code": hs_code,
        "unit_value_thb": value,
    }
