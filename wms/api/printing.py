"""Printers at the FCs' workstations, print jobs, and carrier and marketplace waybills."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_smorest import Blueprint

from wms.api.consignments import PDF_RESPONSE
from wms.api.printing_schemas import (
    NewPrinterSchema,
    NewWaybillSchema,
    PrinterArgs,
    PrinterChangesSchema,
    PrinterSchema,
    PrintJobArgs,
    PrintJobSchema,
    PrintWaybillSchema,
    WaybillSchema,
)
from wms.api.schemas import IdempotencyHeader
from wms.api.security import BEARER, authenticated, current_actor
from wms.api.stock import replayable
from wms.bootstrap import new_uow
from wms.services import printing, waybills

PREFIX = ""
blp = Blueprint(
    "printers", __name__, description="Printers per FC workstation, and the jobs sent to them."
)
waybills_blp = Blueprint(
    "waybills", __name__, description="Carrier and marketplace waybills (PDF) of orders."
)
WAYBILLS_PREFIX = ""


# --- printers ---------------------------------------------------------------------------------


@blp.route("/fcs/<id:fc_id>/printers", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(PrinterArgs, location="query")
@blp.response(200, PrinterSchema(many=True))
@authenticated
def list_printers(args: dict[str, Any], fc_id: int) -> list[dict[str, Any]]:
    """The FC's printers by workstation (in use only, unless include_inactive)."""
    return printing.list_printers(
        new_uow(), current_actor(), fc_id, include_inactive=args["include_inactive"]
    )


@blp.route("/fcs/<id:fc_id>/printers", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(NewPrinterSchema)
@blp.response(201, PrinterSchema)
@authenticated
def create_printer(details: printing.PrinterDetails, fc_id: int) -> dict[str, Any]:
    """Set up a printer at a workstation (the FC's managers and admins): raw port 9100 for ZPL
    thermal printers, IPP for PDF."""
    return printing.create_printer(new_uow(), current_actor(), fc_id, details)


@blp.route("/printers/<id:printer_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, PrinterSchema)
@authenticated
def get_printer(printer_id: int) -> dict[str, Any]:
    """A printer's set-up."""
    return printing.get_printer(new_uow(), current_actor(), printer_id)


@blp.route("/printers/<id:printer_id>", methods=["PATCH"])
@blp.doc(security=BEARER)
@blp.arguments(PrinterChangesSchema)
@blp.response(200, PrinterSchema)
@authenticated
def update_printer(changes: dict[str, Any], printer_id: int) -> dict[str, Any]:
    """Change some of a printer's settings; the whole set-up is checked again."""
    return printing.update_printer(new_uow(), current_actor(), printer_id, changes)


@blp.route("/printers/<id:printer_id>", methods=["DELETE"])
@blp.doc(security=BEARER)
@blp.response(200, PrinterSchema)
@authenticated
def deactivate_printer(printer_id: int) -> dict[str, Any]:
    """Take a printer out of use (its jobs stay on record)."""
    return printing.deactivate_printer(new_uow(), current_actor(), printer_id)


# --- print jobs -------------------------------------------------------------------------------


@blp.route("/fcs/<id:fc_id>/print-jobs", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(PrintJobArgs, location="query")
@blp.response(200, PrintJobSchema(many=True))
@authenticated
def list_jobs(args: dict[str, Any], fc_id: int) -> list[dict[str, Any]]:
    """The FC's latest print jobs, newest first."""
    return printing.list_jobs(new_uow(), current_actor(), fc_id, args.get("status"))


@blp.route("/print-jobs/<id:job_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, PrintJobSchema)
@authenticated
def get_job(job_id: int) -> dict[str, Any]:
    """A print job: where it went, whether it was sent, the printer's error."""
    return printing.get_job(new_uow(), current_actor(), job_id)


@blp.route("/print-jobs/<id:job_id>/retry", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.response(200, PrintJobSchema)
@authenticated
def retry_job(header: dict[str, Any], job_id: int) -> Any:
    """Send the job's stored document to its printer again; a printer that does not take it
    is a 502 naming the printer and why."""
    return replayable(printing.retry_job(new_uow(), current_actor(), job_id, header["key"]))


# --- waybills ---------------------------------------------------------------------------------


@waybills_blp.route("/orders/<id:order_id>/waybills", methods=["POST"])
@waybills_blp.doc(security=BEARER)
@waybills_blp.arguments(IdempotencyHeader, location="headers")
@waybills_blp.arguments(NewWaybillSchema)
@waybills_blp.response(201, WaybillSchema)
@authenticated
def store_waybill(header: dict[str, Any], data: dict[str, Any], order_id: int) -> Any:
    """Keep a carrier's or marketplace's waybill PDF (base64) for the order, as received; the
    same document again answers with the stored one."""
    return replayable(
        waybills.store_waybill(
            new_uow(),
            current_actor(),
            order_id,
            source=data["source"],
            tracking_number=data["tracking_number"],
            pdf=data["document"],
            key=header["key"],
        ),
        201,
    )


@waybills_blp.route("/orders/<id:order_id>/waybills", methods=["GET"])
@waybills_blp.doc(security=BEARER)
@waybills_blp.response(200, WaybillSchema(many=True))
@authenticated
def list_waybills(order_id: int) -> list[dict[str, Any]]:
    """The order's waybills, latest first."""
    return waybills.list_waybills(new_uow(), current_actor(), order_id)


@waybills_blp.route("/waybills/<id:waybill_id>", methods=["GET"])
@waybills_blp.doc(security=BEARER)
@waybills_blp.response(200, WaybillSchema)
@authenticated
def get_waybill(waybill_id: int) -> dict[str, Any]:
    """A waybill's details (the document is at document.pdf)."""
    return waybills.get_waybill(new_uow(), current_actor(), waybill_id)


@waybills_blp.route("/waybills/<id:waybill_id>/document.pdf", methods=["GET"])
@waybills_blp.doc(security=BEARER, responses=PDF_RESPONSE)
@authenticated
def waybill_document(waybill_id: int) -> Response:
    """The waybill PDF exactly as received; its ETag is its SHA-256."""
    name, digest, pdf = waybills.waybill_document(new_uow(), current_actor(), waybill_id)
    response = Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
    response.set_etag(digest)
    return response.make_conditional(request)


@waybills_blp.route("/waybills/<id:waybill_id>/print", methods=["POST"])
@waybills_blp.doc(security=BEARER)
@waybills_blp.arguments(IdempotencyHeader, location="headers")
@waybills_blp.arguments(PrintWaybillSchema)
@waybills_blp.response(201, PrintJobSchema)
@authenticated
def print_waybill(header: dict[str, Any], data: dict[str, Any], waybill_id: int) -> Any:
    """Print the waybill on a printer of its FC (PDF as it is, or as ZPL for thermal
    printers); a printer that does not take it is a 502 naming the printer and why."""
    return replayable(
        waybills.print_waybill(
            new_uow(), current_actor(), waybill_id, data["printer_id"], header["key"]
        ),
        201,
    )
