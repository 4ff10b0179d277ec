"""Label pages: a consignment's carton labels, an FC's bin labels and shelf strips, and the SKU
pages (the catalogue and one SKU with its lots) with their item labels. Each label set is
downloaded as PDF or ZPL on a chosen media and resolution, or printed on a printer of the FC
(rendered for that printer); the page then says what became of the print job."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from labels.media import LABEL_MEDIA
from wms.api.errors import status_of
from wms.bootstrap import new_uow
from wms.domain.actors import Actor
from wms.domain.errors import DomainError, ExternalFailure, InvalidInput, NotFound
from wms.services import catalogue, facilities, labels
from wms.services.labels import DEFAULT_MEDIA, FORMATS, MAX_COPIES, RESOLUTIONS, Document, Kind
from wms.services.paging import PageRequest
from wms.web import inbound
from wms.web.inbound import EVERYONE, N_, Form, fcs_by_id
from wms.web.messages import message_of
from wms.web.outbound import ID, KEY_FIELD, OutboundForm, fc_context, new_form_key
from wms.web.printing import print_job_status_label
from wms.web.security import WAREHOUSE_ROLES, actor_of_request, roles_required

blueprint = Blueprint("label_pages", __name__)

SKU_PAGE_SIZE = 25
MAX_SEARCH = 100
MAX_ID = 2**31 - 1
BIN_KINDS = ("labels", "strips")

# Messages of the label use cases that reach these pages as they are.
KNOWN_MESSAGES = (
    N_("No such printer."),
    N_("No such printer at this FC."),
    N_("No such SKU."),
    N_("No such carton."),
    N_("There is no label to print."),
    N_("There are no bins to label here."),
    N_("This consignment announces no cartons; they are labelled at receiving."),
    N_("Warehouse staff print labels and documents."),
)


# Messages of the label use cases that carry values: the pattern they follow and their template.
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^\S+ has no bin (?P<codes>.+) in zone (?P<zone>\S+)\.$"),
        N_("There is no bin %(codes)s in zone %(zone)s."),
    ),
    (
        re.compile(r"^\S+ has no bin (?P<codes>.+)\.$"),
        N_("There is no bin %(codes)s at this FC."),
    ),
    (
        re.compile(r"^Printer (?P<printer>.+) is not in use; choose another\.$"),
        N_("Printer %(printer)s is not in use; choose another."),
    ),
    (
        re.compile(r"^(?P<code>\S+) is too long for a barcode on this label\.$"),
        N_("%(code)s is too long for a barcode on this label."),
    ),
)


def label_message(error: DomainError) -> str:
    """A label use case's message in the user's language when the catalogs know it."""
    for pattern, template in PATTERNS:
        found = pattern.match(error.message)
        if found is not None:
            return _(template, **found.groupdict())
    return message_of(error)


@blueprint.app_template_filter()
def label_format_name(language: str) -> str:
    """A download format as the forms offer it."""
    names = {"pdf": _("PDF"), "zpl": _("ZPL, for label printers")}
    return names.get(str(language), str(language))


@blueprint.app_template_filter()
def bin_kind_label(kind: str) -> str:
    names = {"labels": _("A label per bin"), "strips": _("Shelf strips on A4 sheets")}
    return names.get(str(kind), str(kind))


@blueprint.app_template_global()
def print_form_key() -> dict[str, str]:
    """The name and a fresh value of a print form's request key (a resent form prints once)."""
    return {"name": KEY_FIELD, "value": new_form_key()}


# --- forms ------------------------------------------------------------------------------------


def _output(form: Form, kind: Kind) -> labels.Output | None:
    """How the labels are rendered (format, media, resolution), or None with the refused fields
    in `form.errors`."""
    language = form.raw("format") or FORMATS[0]
    if language not in FORMATS:
        form.refuse("format", _("Choose PDF or ZPL."))
    media = form.raw("media") or DEFAULT_MEDIA[kind]
    if media not in LABEL_MEDIA:
        form.refuse(
            "media", _("Choose one of the label sizes: %(media)s.", media=", ".join(LABEL_MEDIA))
        )
    dpi = form.raw("dpi") or str(RESOLUTIONS[0])
    if dpi not in {str(value) for value in RESOLUTIONS}:
        form.refuse("dpi", _("Printers print at 203 or 300 dpi."))
    if form.errors:
        return None
    return labels.Output(format=language, media=media, dpi=int(dpi))


def _printer_id(form: Form) -> int | None:
    return form.whole("printer_id", 1, MAX_ID, required=True)


def _download(document: Document) -> Response:
    return Response(
        document.content,
        mimetype=document.content_type,
        headers={"Content-Disposition": f'attachment; filename="{document.filename}"'},
    )


def _refuse(form: Form, error: DomainError, fields: tuple[str, ...], default: str) -> int:
    """Show a use case's refusal next to its field (or `default`); the page's status: 400 for
    what the form sent (a value refused, a printer not found), else the error's own."""
    form.refuse(error.field if error.field in fields else default, label_message(error))
    if isinstance(error, InvalidInput | NotFound):
        return 400
    return status_of(error)


def _printed(job: dict[str, Any]) -> None:
    """The print job's state as a notice for the next page."""
    flash(
        _(
            "Print job %(id)s on %(printer)s: %(status)s.",
            id=job["id"],
            printer=job["printer_name"],
            status=print_job_status_label(job["status"]),
        ),
        "success",
    )


def _not_printed(error: ExternalFailure) -> None:
    """Why the printer did not print, in its own words, as a notice for the next page."""
    job: dict[str, Any] = getattr(error, "job", {}) or {}
    if job:
        flash(
            _(
                "Nothing printed: print job %(id)s on %(printer)s failed: %(reason)s "
                "The job is kept; send it again from the printers page when the printer is back.",
                id=job["id"],
                printer=job["printer_name"],
                reason=job.get("error") or "",
            ),
            "error",
        )
    else:
        flash(_("Nothing printed: %(reason)s", reason=error.message), "error")


def _print_choices(actor: Actor, fc_ids: list[int]) -> list[dict[str, Any]]:
    """The active printers of these FCs (none for merchants), with their FC's code."""
    if actor.is_merchant:
        return []
    fcs = fcs_by_id(actor)
    found: list[dict[str, Any]] = []
    for fc_id in fc_ids:
        if fc_id in fcs and actor.works_in(fc_id):
            for printer in labels.printers_of(new_uow(), actor, fc_id):
                found.append({**printer, "fc_code": fcs[fc_id]["code"]})
    return found


def _label_options(kind: Kind) -> dict[str, Any]:
    return {
        "formats": FORMATS,
        "media": LABEL_MEDIA,
        "default_media": DEFAULT_MEDIA[kind],
        "resolutions": RESOLUTIONS,
    }


# --- a consignment's carton labels ------------------------------------------------------------


@blueprint.app_template_global()
def carton_label_panel(consignment: dict[str, Any], form: Form | None = None) -> dict[str, Any]:
    """What the consignment page shows of its carton labels: the download choices, and the
    printers of the destination FC for the people who work there."""
    actor = actor_of_request()
    return {
        "form": form if isinstance(form, Form) else Form(MultiDict()),
        "printers": _print_choices(actor, [consignment["fc_id"]]),
        **_label_options(Kind.CARTON),
    }


def _consignment_page(consignment_id: int, form: Form, status: int) -> tuple[str, int]:
    return inbound._detail_page(consignment_id, status=status, label_form=form)


@blueprint.get("/consignments/<id:consignment_id>/carton-labels")
@roles_required(*EVERYONE)
def consignment_carton_labels(consignment_id: int) -> Response | tuple[str, int]:
    """Every carton label of the consignment as one PDF or ZPL document."""
    actor = actor_of_request()
    form = Form(request.args)
    output = _output(form, Kind.CARTON)
    if output is None:
        return _consignment_page(consignment_id, form, 400)
    try:
        document = labels.consignment_carton_labels(new_uow(), actor, consignment_id, output)
    except NotFound:
        raise
    except DomainError as error:
        status = _refuse(form, error, ("format", "media", "dpi"), "labels")
        return _consignment_page(consignment_id, form, status)
    return _download(document)


@blueprint.post("/consignments/<id:consignment_id>/carton-labels/print")
@roles_required(*WAREHOUSE_ROLES)
def print_consignment_carton_labels(consignment_id: int) -> Response | tuple[str, int]:
    """Print the consignment's carton labels on a printer of its FC."""
    actor = actor_of_request()
    form = OutboundForm(request.form)
    printer_id = _printer_id(form)
    if printer_id is None:
        return _consignment_page(consignment_id, form, 400)
    try:
        job = labels.print_consignment_carton_labels(
            new_uow(), actor, consignment_id, printer_id, form.key()
        )
    except ExternalFailure as failure:
        _not_printed(failure)
    except NotFound as error:
        if error.field != "printer_id":
            raise
        return _consignment_page(consignment_id, form, _refuse(form, error, (), "printer_id"))
    except DomainError as error:
        status = _refuse(form, error, ("printer_id",), "printer_id")
        return _consignment_page(consignment_id, form, status)
    else:
        _printed(job)
    return redirect(url_for("inbound.consignment", consignment_id=consignment_id) + "#labels")


@blueprint.get("/cartons/<id:carton_id>/label")
@roles_required(*EVERYONE)
def carton_label(carton_id: int) -> Response:
    """One carton's label (PDF on its usual media unless asked otherwise)."""
    form = Form(request.args)
    output = _output(form, Kind.CARTON)
    if output is None:
        raise InvalidInput(next(iter(form.errors.values())), next(iter(form.errors)))
    return _download(labels.carton_label(new_uow(), actor_of_request(), carton_id, output))


# --- an FC's bin labels and shelf strips ------------------------------------------------------


def _bin_selection(form: Form, zones: list[dict[str, Any]]) -> tuple[str | None, list[str]]:
    """The zone code (one of the FC's, or none for every zone) and the bin codes listed."""
    zone = form.raw("zone").upper() or None
    if zone is not None and zone not in {item["code"] for item in zones}:
        form.refuse("zone", _("Choose one of the FC's zones."))
        zone = None
    text = form.text("codes", 40 * labels.MAX_CODES)
    codes = labels.parse_codes(text)
    if len(codes) > labels.MAX_CODES:
        form.refuse("codes", _("At most %(num)s bin codes at a time.", num=labels.MAX_CODES))
    return zone, codes


def _bin_page(fc_id: int, form: Form | None = None, status: int = 200) -> tuple[str, int]:
    actor = actor_of_request()
    context = fc_context(actor, fc_id)
    zones = facilities.list_zones(new_uow(), actor, fc_id)
    form = form or Form(request.args)
    zone, codes = _bin_selection(form, zones)
    count: int | None = None
    if "zone" not in form.errors and "codes" not in form.errors:
        try:
            count = labels.count_bins(new_uow(), actor, fc_id, zone=zone, codes=codes)
        except NotFound:
            raise
        except DomainError as error:
            status = max(status, _refuse(form, error, ("zone", "codes"), "codes"))
    if form.errors and status == 200:
        status = 400
    page = render_template(
        "labels/bin_labels.html",
        form=form,
        zones=zones,
        zone=zone,
        codes=codes,
        count=count,
        printers=_print_choices(actor, [fc_id]),
        kinds=BIN_KINDS,
        **_label_options(Kind.BIN),
        **context,
    )
    return page, status


@blueprint.get(f"/fcs/<{ID}:fc_id>/bin-labels")
@roles_required(*WAREHOUSE_ROLES)
def bin_labels(fc_id: int) -> tuple[str, int]:
    """Bin labels of the FC: choose a zone (or list bin codes), see how many bins match, then
    download labels or shelf strips, or print them."""
    return _bin_page(fc_id)


def _bin_kind(form: Form) -> str:
    kind = form.raw("kind") or BIN_KINDS[0]
    if kind not in BIN_KINDS:
        form.refuse("kind", _("Choose labels or shelf strips."))
    return kind


@blueprint.get(f"/fcs/<{ID}:fc_id>/bin-labels/download")
@roles_required(*WAREHOUSE_ROLES)
def download_bin_labels(fc_id: int) -> Response | tuple[str, int]:
    """The chosen bins as labels (PDF or ZPL) or as shelf strips on A4 sheets (PDF)."""
    actor = actor_of_request()
    fc_context(actor, fc_id)
    form = Form(request.args)
    zones = facilities.list_zones(new_uow(), actor, fc_id)
    zone, codes = _bin_selection(form, zones)
    kind = _bin_kind(form)
    output = _output(form, Kind.BIN)
    if form.errors or output is None:
        return _bin_page(fc_id, form, 400)
    try:
        if kind == "strips":
            document = labels.shelf_strip_sheets(
                new_uow(), actor, fc_id, zone=zone, codes=codes, dpi=output.dpi
            )
        else:
            document = labels.bin_labels(new_uow(), actor, fc_id, output, zone=zone, codes=codes)
    except NotFound:
        raise
    except DomainError as error:
        status = _refuse(form, error, ("zone", "codes", "format", "media", "dpi"), "codes")
        return _bin_page(fc_id, form, status)
    return _download(document)


@blueprint.post(f"/fcs/<{ID}:fc_id>/bin-labels/print")
@roles_required(*WAREHOUSE_ROLES)
def print_bin_labels(fc_id: int) -> Response | tuple[str, int]:
    """Print the chosen bins' labels (or shelf strips) on a printer of the FC."""
    actor = actor_of_request()
    fc_context(actor, fc_id)
    form = OutboundForm(request.form)
    zones = facilities.list_zones(new_uow(), actor, fc_id)
    zone, codes = _bin_selection(form, zones)
    kind = _bin_kind(form)
    printer_id = _printer_id(form)
    if form.errors or printer_id is None:
        return _bin_page(fc_id, form, 400)
    act = labels.print_shelf_strips if kind == "strips" else labels.print_bin_labels
    try:
        job = act(new_uow(), actor, fc_id, printer_id, zone=zone, codes=codes, key=form.key())
    except ExternalFailure as failure:
        _not_printed(failure)
    except NotFound as error:
        if error.field != "printer_id":
            raise
        return _bin_page(fc_id, form, _refuse(form, error, (), "printer_id"))
    except DomainError as error:
        status = _refuse(form, error, ("zone", "codes", "printer_id"), "printer_id")
        return _bin_page(fc_id, form, status)
    else:
        _printed(job)
    codes_text = " ".join(codes) or None
    return redirect(
        url_for("label_pages.bin_labels", fc_id=fc_id, zone=zone, codes=codes_text, kind=kind)
    )


# --- SKUs -------------------------------------------------------------------------------------


def _page_number() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isascii() and value.isdigit() and 0 < int(value) < 10**6 else 1


@blueprint.get("/skus")
@roles_required(*EVERYONE)
def skus() -> tuple[str, int]:
    """The SKUs the user may see (a merchant's own; every merchant's for the FCs), searched by
    code, name or GTIN, a page at a time."""
    actor = actor_of_request()
    form = Form(request.args)
    search = form.text("q", MAX_SEARCH)
    status = 200
    if form.errors:
        search, status = "", 400
    found = catalogue.list_skus(
        new_uow(), actor, PageRequest(_page_number(), SKU_PAGE_SIZE), search=search or None
    )
    merchants: dict[int, dict[str, Any]] = {}
    if not actor.is_merchant:
        merchants = {item["id"]: item for item in catalogue.list_merchants(new_uow(), actor)}
    page = render_template(
        "labels/skus.html", result=found, search=search, form=form, merchants=merchants
    )
    return page, status


def _sku_page(
    sku_id: int, form: Form | None = None, status: int = 200, failed: str | None = None
) -> tuple[str, int]:
    actor = actor_of_request()
    sku = catalogue.get_sku(new_uow(), actor, sku_id)
    lots = catalogue.list_lots(new_uow(), actor, sku_id)
    merchant = None
    if not actor.is_merchant:
        merchants = {item["id"]: item for item in catalogue.list_merchants(new_uow(), actor)}
        merchant = merchants.get(sku["merchant_id"])
    page = render_template(
        "labels/sku.html",
        sku=sku,
        lots=lots,
        merchant=merchant,
        form=form or Form(MultiDict()),
        blank_form=Form(MultiDict()),
        failed=failed,
        printers=_print_choices(actor, sorted(fcs_by_id(actor))),
        max_copies=MAX_COPIES,
        **_label_options(Kind.SKU),
    )
    return page, status


@blueprint.get(f"/skus/<{ID}:sku_id>")
@roles_required(*EVERYONE)
def sku(sku_id: int) -> tuple[str, int]:
    """A SKU: code, names in Thai and English, GTIN, dimensions, its lots with their expiry,
    and the form for its item labels; another merchant's is not found."""
    return _sku_page(sku_id)


def _sku_label_choice(form: Form, sku_id: int) -> tuple[str | None, int | None]:
    """The lot chosen (one of the SKU's, or none) and the number of copies (1 to 500)."""
    lot = form.raw("lot") or None
    if lot is not None:
        lots = catalogue.list_lots(new_uow(), actor_of_request(), sku_id)
        if lot not in {item["lot_number"] for item in lots}:
            form.refuse("lot", _("Choose one of the SKU's lots, or none."))
    copies = form.whole("copies", 1, MAX_COPIES)
    if copies is None and not form.raw("copies"):
        copies = 1
    return lot, copies


@blueprint.get(f"/skus/<{ID}:sku_id>/labels")
@roles_required(*EVERYONE)
def download_sku_labels(sku_id: int) -> Response | tuple[str, int]:
    """Copies of the SKU's item label, with a lot and its expiry if chosen, as PDF or ZPL."""
    actor = actor_of_request()
    catalogue.get_sku(new_uow(), actor, sku_id)
    form = Form(request.args)
    lot, copies = _sku_label_choice(form, sku_id)
    output = _output(form, Kind.SKU)
    if form.errors or output is None or copies is None:
        return _sku_page(sku_id, form, 400)
    try:
        document = labels.sku_labels(new_uow(), actor, sku_id, output, lot=lot, copies=copies)
    except NotFound:
        raise
    except DomainError as error:
        status = _refuse(form, error, ("lot", "copies", "format", "media", "dpi"), "copies")
        return _sku_page(sku_id, form, status)
    return _download(document)


@blueprint.post(f"/skus/<{ID}:sku_id>/labels/print")
@roles_required(*WAREHOUSE_ROLES)
def print_sku_labels(sku_id: int) -> Response | tuple[str, int]:
    """Print copies of the SKU's item label on a printer of an FC the user works in."""
    actor = actor_of_request()
    catalogue.get_sku(new_uow(), actor, sku_id)
    form = OutboundForm(request.form)
    lot, copies = _sku_label_choice(form, sku_id)
    printer_id = _printer_id(form)
    if form.errors or printer_id is None or copies is None:
        return _sku_page(sku_id, form, 400, "print")
    try:
        job = labels.print_sku_labels(
            new_uow(), actor, sku_id, printer_id, lot=lot, copies=copies, key=form.key()
        )
    except ExternalFailure as failure:
        _not_printed(failure)
    except NotFound as error:
        if error.field != "printer_id":
            raise
        return _sku_page(sku_id, form, _refuse(form, error, (), "printer_id"), "print")
    except DomainError as error:
        status = _refuse(form, error, ("lot", "copies", "printer_id"), "printer_id")
        return _sku_page(sku_id, form, status, "print")
    else:
        _printed(job)
    return redirect(url_for("label_pages.sku", sku_id=sku_id) + "#labels")
