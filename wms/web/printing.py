"""Printer pages: the FC's printers per workstation (managers add and edit them), the latest
print jobs with failed ones sent again, and an order's carrier waybills (download, print,
upload)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from labels.printing import PrintProtocol
from wms.api.errors import status_of
from wms.bootstrap import new_uow
from wms.domain.actors import Role
from wms.domain.errors import DomainError, ExternalFailure, InvalidInput, NotFound
from wms.domain.printing import MAX_WAYBILL_BYTES
from wms.services import printing, waybills
from wms.web.inbound import MANAGERS
from wms.web.messages import message_of
from wms.web.outbound import ID, OutboundForm, fc_context, form_keys, order_page
from wms.web.security import WAREHOUSE_ROLES, actor_of_request, roles_required

blueprint = Blueprint("printing", __name__)
# The forms' request keys, as on the outbound pages (the order page is rendered here too).
blueprint.context_processor(form_keys)

PRINTER_FIELDS = ("name", "workstation", "protocol", "address", "port", "dpi", "media")


@blueprint.app_template_filter()
def print_job_status_label(status: str) -> str:
    labels = {
        "queued": _("Being sent"),
        "sent": _("Sent"),
        "failed": _("Failed"),
    }
    return labels.get(str(status), str(status))


@blueprint.app_template_filter()
def protocol_label(protocol: str) -> str:
    labels = {
        "raw": _("Raw TCP (port 9100), ZPL"),
        "ipp": _("IPP, PDF"),
    }
    return labels.get(str(protocol), str(protocol))


# --- printers ---------------------------------------------------------------------------------


def _printers_page(
    fc_id: int,
    form: OutboundForm | None = None,
    editing: dict[str, Any] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    actor = actor_of_request()
    context = fc_context(actor, fc_id)
    found = printing.list_printers(new_uow(), actor, fc_id, include_inactive=True)
    if editing is None and form is None:
        wanted = request.args.get("edit", "")
        editing = next((p for p in found if str(p["id"]) == wanted), None)
    if form is None:
        values = {name: str(editing[name]) for name in PRINTER_FIELDS} if editing else {}
        if editing and not editing["active"]:
            values["inactive"] = "on"
        form = OutboundForm(MultiDict(values))
    page = render_template(
        "printing/printers.html",
        printers=found,
        jobs=printing.list_jobs(new_uow(), actor, fc_id),
        form=form,
        editing=editing,
        protocols=list(PrintProtocol),
        resolutions=printing.RESOLUTIONS,
        media=printing.media_names(),
        **context,
    )
    return page, status


@blueprint.get(f"/fcs/<{ID}:fc_id>/printers")
@roles_required(*WAREHOUSE_ROLES)
def printers(fc_id: int) -> tuple[str, int]:
    """The FC's printers by workstation, the latest print jobs, and (for managers) the form to
    add a printer or edit one (`?edit=<id>`)."""
    return _printers_page(fc_id)


def _details(form: OutboundForm) -> printing.PrinterDetails | None:
    """The printer's details from the form, or None with the refused fields in `form.errors`."""
    name = form.text("name", 80, required=True)
    workstation = form.text("workstation", 32, required=True)
    protocol = form.raw("protocol")
    if protocol not in set(PrintProtocol):
        form.refuse("protocol", _("Choose one of the options."))
    address = form.text("address", 500, required=True)
    port = form.whole("port", 1, 65535)
    dpi = form.whole("dpi", 203, 300) or 203
    media = form.raw("media") or "4x6"
    if form.errors:
        return None
    return printing.PrinterDetails(
        name=name,
        workstation=workstation,
        protocol=protocol,
        address=address,
        port=port,
        dpi=dpi,
        media=media,
        active=not form.raw("inactive"),
    )


def _refused(form: OutboundForm, error: DomainError) -> int:
    name = error.field if error.field in PRINTER_FIELDS else "name"
    if error.field == "language":
        name = "protocol"
    form.refuse(name, message_of(error))
    return 400 if isinstance(error, InvalidInput) else 409


@blueprint.post(f"/fcs/<{ID}:fc_id>/printers")
@roles_required(*MANAGERS)
def add_printer(fc_id: int) -> Response | tuple[str, int]:
    """Set up a printer at one of the FC's workstations."""
    actor = actor_of_request()
    fc_context(actor, fc_id)
    form = OutboundForm(request.form)
    details = _details(form)
    if details is None:
        return _printers_page(fc_id, form, status=400)
    try:
        added = printing.create_printer(new_uow(), actor, fc_id, details)
    except NotFound:
        raise
    except DomainError as error:
        status = _refused(form, error)
        return _printers_page(fc_id, form, status=status)
    flash(_("Printer %(name)s is set up.", name=added["name"]), "success")
    return redirect(url_for("printing.printers", fc_id=fc_id))


@blueprint.post(f"/printers/<{ID}:printer_id>")
@roles_required(*MANAGERS)
def edit_printer(printer_id: int) -> Response | tuple[str, int]:
    """Save a printer's changed details (or take it out of use)."""
    actor = actor_of_request()
    current = printing.get_printer(new_uow(), actor, printer_id)
    fc_id = current["fc_id"]
    form = OutboundForm(request.form, target=printer_id)
    details = _details(form)
    if details is None:
        return _printers_page(fc_id, form, current, 400)
    changes = {name: getattr(details, name) for name in (*PRINTER_FIELDS, "active")}
    if details.protocol == str(PrintProtocol.IPP):
        changes.pop("port")
    changes["language"] = None
    try:
        saved = printing.update_printer(new_uow(), actor, printer_id, changes)
    except NotFound:
        raise
    except DomainError as error:
        status = _refused(form, error)
        return _printers_page(fc_id, form, current, status)
    flash(_("Printer %(name)s is saved.", name=saved["name"]), "success")
    return redirect(url_for("printing.printers", fc_id=fc_id))


@blueprint.post(f"/print-jobs/<{ID}:job_id>/retry")
@roles_required(*WAREHOUSE_ROLES)
def retry_job(job_id: int) -> Response | tuple[str, int]:
    """Send a print job's stored document to its printer again."""
    actor = actor_of_request()
    job = printing.get_job(new_uow(), actor, job_id)
    form = OutboundForm(request.form)
    try:
        printing.retry_job(new_uow(), actor, job_id, form.key())
    except NotFound:
        raise
    except DomainError as error:
        flash(_print_problem(error), "error")
        return _printers_page(job["fc_id"], status=status_of(error))
    flash(
        _("Print job %(id)s is sent to %(printer)s.", id=job_id, printer=job["printer_name"]),
        "success",
    )
    return redirect(url_for("printing.printers", fc_id=job["fc_id"]))


def _print_problem(error: DomainError) -> str:
    """Why nothing printed: the printer's own words when it failed, else the use case's."""
    if isinstance(error, ExternalFailure):
        return _("Nothing printed: %(reason)s", reason=error.message)
    return message_of(error)


# --- waybills ---------------------------------------------------------------------------------


@blueprint.app_template_global()
def order_waybills(order: dict[str, Any]) -> dict[str, Any]:
    """What the order page shows of the order's waybills: the list, the printers to choose
    from (warehouse roles) and whether the user may upload one (managers)."""
    actor = actor_of_request()
    found = waybills.list_waybills(new_uow(), actor, order["id"])
    choices: list[dict[str, Any]] = []
    if not actor.is_merchant:
        choices = printing.list_printers(new_uow(), actor, order["fc_id"])
    return {
        "waybills": found,
        "waybill_printers": choices,
        "may_upload_waybill": actor.manages(order["fc_id"]),
        "max_waybill_mb": MAX_WAYBILL_BYTES // (1024 * 1024),
    }


@blueprint.get(f"/waybills/<{ID}:waybill_id>/document.pdf")
@roles_required(*WAREHOUSE_ROLES, Role.MERCHANT)
def waybill_document(waybill_id: int) -> Response:
    """The waybill PDF exactly as received."""
    name, digest, pdf = waybills.waybill_document(new_uow(), actor_of_request(), waybill_id)
    response = Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
    response.set_etag(digest)
    return response.make_conditional(request)


@blueprint.post(f"/waybills/<{ID}:waybill_id>/print")
@roles_required(*WAREHOUSE_ROLES)
def print_waybill(waybill_id: int) -> Response | tuple[str, int]:
    """Print the waybill on the chosen printer of the order's FC."""
    actor = actor_of_request()
    waybill = waybills.get_waybill(new_uow(), actor, waybill_id)
    order_id = waybill["order_id"]
    form = OutboundForm(request.form)
    printer_id = form.whole("printer_id", 1, 2**31 - 1, required=True)
    if printer_id is None:
        return order_page(order_id, _("Choose a printer."), 400)
    try:
        job, _replayed = waybills.print_waybill(
            new_uow(), actor, waybill_id, printer_id, form.key()
        )
    except DomainError as error:
        status = 400 if isinstance(error, InvalidInput | NotFound) else status_of(error)
        return order_page(order_id, _print_problem(error), status)
    flash(
        _(
            "Waybill %(tracking)s is sent to %(printer)s.",
            tracking=waybill["tracking_number"],
            printer=job["printer_name"],
        ),
        "success",
    )
    return redirect(url_for("outbound.order", order_id=order_id))


@blueprint.post(f"/orders/<{ID}:order_id>/waybills")
@roles_required(*MANAGERS)
def upload_waybill(order_id: int) -> Response | tuple[str, int]:
    """Keep a carrier's or marketplace's waybill PDF for the order."""
    actor = actor_of_request()
    form = OutboundForm(request.form)
    source = form.text("source", 32, required=True)
    tracking = form.text("tracking_number", 64, required=True)
    upload = request.files.get("document")
    if upload is None or not upload.filename:
        form.refuse("document", _("Choose the waybill's PDF file."))
    if form.errors:
        (name, message), *_others = form.errors.items()
        return _waybill_refused(order_id, name, message, 400)
    assert upload is not None
    pdf = upload.read(MAX_WAYBILL_BYTES + 1)
    try:
        stored, replayed = waybills.store_waybill(
            new_uow(),
            actor,
            order_id,
            source=source,
            tracking_number=tracking,
            pdf=pdf,
            key=form.key(),
        )
    except NotFound:
        raise
    except DomainError as error:
        status = 400 if isinstance(error, InvalidInput) else status_of(error)
        return _waybill_refused(order_id, error.field or "document", message_of(error), status)
    if replayed:
        flash(_("This waybill was stored already."), "success")
    else:
        flash(_("Waybill %(tracking)s is stored.", tracking=stored["tracking_number"]), "success")
    return redirect(url_for("outbound.order", order_id=order_id))


WAYBILL_FIELDS = {
    "source": _l("Carrier or marketplace"),
    "tracking_number": _l("Tracking number"),
    "document": _l("PDF file"),
}


def _waybill_refused(order_id: int, field: str, message: str, status: int) -> tuple[str, int]:
    """The order page again, saying which field of the upload was refused and why."""
    label = WAYBILL_FIELDS.get(field, WAYBILL_FIELDS["document"])
    reason = _("The waybill was not stored: %(field)s: %(reason)s", field=label, reason=message)
    return order_page(order_id, reason, status)
