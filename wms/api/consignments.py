"""Consignments and their ASNs: announce, upload lines as CSV, follow and change status."""

from __future__ import annotations

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
from wms.domain.asn_csv import CSV_COLUMNS, read_asn_csv
from wms.domain.consignments import ConsignmentStatus
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
