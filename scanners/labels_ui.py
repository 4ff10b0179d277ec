"""Labels on the scanner pages: the carton being received, the bin a putaway goes to and the
packed parcel, each downloaded as a PDF or printed on a printer of the FC (the page remembers
the printer chosen). The print endpoints take JSON {printer_id} with an Idempotency-Key."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_babel import gettext as _

from scanners.ui import (
    blueprint,
    idempotency_key,
    json_answer,
    json_body,
    json_roles_required,
    record_id,
)
from wms.api.schemas import MAX_ID
from wms.bootstrap import new_uow
from wms.domain.actors import Actor
from wms.domain.errors import InvalidInput
from wms.services import labels, putaway
from wms.services.labels import Document, Output
from wms.web.security import WAREHOUSE_ROLES, actor_of_request, roles_required


def printer_choices(actor: Actor, fc_id: int | None) -> list[dict[str, Any]]:
    """The FC's printers for a page's print form."""
    return labels.printers_of(new_uow(), actor, fc_id)


def printer_id_of(body: dict[str, Any]) -> int:
    """The printer chosen on the page: a record id."""
    value = body.get("printer_id")
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise InvalidInput(_("Choose a printer."), "printer_id")
    return value


def download(document: Document) -> Response:
    response = Response(document.content, mimetype=document.content_type)
    response.headers["Content-Disposition"] = f'inline; filename="{document.filename}"'
    return response


def printed(job: dict[str, Any]) -> tuple[Response, int]:
    """The answer to a print: the job and a message for the page."""
    message = _("Sent to printer %(printer)s.", printer=job["printer_name"])
    return json_answer({"job": job, "message": message}, False)


# --- receiving: the current carton --------------------------------------------------------------


@blueprint.get("/receive/<int:subject_id>/carton-label.pdf")
@roles_required(*WAREHOUSE_ROLES)
def carton_label(subject_id: int) -> Response:
    """The label of the carton being counted (a blind carton's new SSCC, a torn label)."""
    receipt_id = record_id(subject_id, "receipt_id")
    return download(
        labels.receipt_carton_label(new_uow(), actor_of_request(), receipt_id, Output())
    )


@blueprint.post("/receive/<int:subject_id>/carton-label/print")
@json_roles_required
def print_carton_label(subject_id: int) -> tuple[Response, int]:
    """Print the current carton's label: {printer_id}."""
    printer_id = printer_id_of(json_body())
    job = labels.print_receipt_carton_label(
        new_uow(),
        actor_of_request(),
        record_id(subject_id, "receipt_id"),
        printer_id,
        idempotency_key(),
    )
    return printed(job)


# --- putaway: the bin a task goes to -------------------------------------------------------------


def _task_bin(task_id: int) -> tuple[int, str]:
    task = putaway.putaway_options(
        new_uow(), actor_of_request(), record_id(task_id, "task_id"), limit=1
    )
    code = task.get("to_location_code") or task.get("suggested_location_code")
    if not code:
        raise InvalidInput(
            _("No bin is suggested: scan a storage bin that can take it."), "task_id"
        )
    return int(task["fc_id"]), str(code)


@blueprint.get("/putaway/<int:subject_id>/bin-label.pdf")
@roles_required(*WAREHOUSE_ROLES)
def bin_label(subject_id: int) -> Response:
    """The label of the task's bin, to replace a worn or missing one."""
    fc_id, code = _task_bin(subject_id)
    return download(labels.bin_labels(new_uow(), actor_of_request(), fc_id, Output(), codes=[code]))


@blueprint.post("/putaway/<int:subject_id>/bin-label/print")
@json_roles_required
def print_bin_label(subject_id: int) -> tuple[Response, int]:
    """Print the label of the task's bin: {printer_id}."""
    printer_id = printer_id_of(json_body())
    fc_id, code = _task_bin(subject_id)
    job = labels.print_bin_labels(
        new_uow(), actor_of_request(), fc_id, printer_id, codes=[code], key=idempotency_key()
    )
    return printed(job)


# --- packing: the parcel's label (or the carrier's waybill) ------------------------------------


@blueprint.post("/pack/<int:subject_id>/label/print")
@json_roles_required
def print_parcel_label(subject_id: int) -> tuple[Response, int]:
    """Print the closed parcel's label (or its waybill): {printer_id}."""
    printer_id = printer_id_of(json_body())
    job = labels.print_package_label(
        new_uow(),
        actor_of_request(),
        record_id(subject_id, "package_id"),
        printer_id,
        idempotency_key(),
    )
    return printed(job)
