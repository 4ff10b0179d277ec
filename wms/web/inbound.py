"""Inbound pages: the merchant's consignments (announce, follow, submit, cancel), stock per FC,
and the FC's arrivals, receipts in progress, discrepancy queue and re-slotting plans."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.wrappers import Response

from wms.api.errors import status_of
from wms.bootstrap import new_uow
from wms.domain.actors import Actor, Role
from wms.domain.asn_csv import CSV_COLUMNS, AsnSheet, read_asn_csv
from wms.domain.consignments import (
    AsnLine,
    CartonPlan,
    ConsignmentHeader,
    ConsignmentStatus,
    ShipmentMode,
    settable_statuses,
)
from wms.domain.errors import DomainError, InvalidInput, NotFound
from wms.services import (
    catalogue,
    consignments,
    customs,
    discrepancies,
    facilities,
    receiving,
    slotting,
    stock,
)
from wms.services.consignments import AsnRejected
from wms.services.customs import Paper
from wms.services.discrepancies import Resolution
from wms.services.paging import MAX_PAGE_SIZE, PageRequest
from wms.web.security import WAREHOUSE_ROLES, actor_of_request, roles_required

blueprint = Blueprint("inbound", __name__)

EVERYONE = (*WAREHOUSE_ROLES, Role.MERCHANT)
MANAGERS = (Role.ADMIN, Role.MANAGER)
LIST_PAGE_SIZE = 20
QUEUE_PAGE_SIZE = 50
FORM_ROWS = 5
MAX_FORM_ROWS = 200
SCHEDULE_DAYS = 7
MAX_SCHEDULE_DAYS = 31
# Counted figures mean something once the goods are on the dock.
COUNTING_STARTED = frozenset(
    {
        ConsignmentStatus.ARRIVED,
        ConsignmentStatus.RECEIVING,
        ConsignmentStatus.RECEIVED,
        ConsignmentStatus.CLOSED,
    }
)
# The stock-per-FC page adds up the merchant's balances page by page up to this many.
TEXT_LIMITS = {
    "origin_name": 200,
    "origin_address": 1000,
    "carrier": 80,
    "tracking_number": 80,
    "form_d_reference": 40,
    "customs_declaration_number": 40,
    "note": 2000,
}
LINE_FIELDS = ("sku_code", "quantity", "lot_number", "expiry_date", "hs_code", "unit_value_thb")


def N_(message: str) -> str:
    """Mark a message of the use cases for the catalogs; it is translated where it is shown."""
    return message


# --- translated names of codes ----------------------------------------------------------------


@blueprint.app_template_filter()
def status_label(status: str) -> str:
    labels = {
        "draft": _("Draft"),
        "submitted": _("Submitted"),
        "in_transit": _("In transit"),
        "at_customs": _("At customs"),
        "held": _("Held by customs"),
        "arrived": _("Arrived"),
        "receiving": _("Receiving"),
        "received": _("Received"),
        "closed": _("Closed"),
        "cancelled": _("Cancelled"),
    }
    return labels.get(str(status), str(status))


@blueprint.app_template_filter()
def status_action(status: str) -> str:
    """What the button that sets a status says."""
    labels = {
        "submitted": _("Submit"),
        "in_transit": _("Mark in transit"),
        "at_customs": _("Mark at customs"),
        "held": _("Mark held by customs"),
        "arrived": _("Mark arrived"),
        "closed": _("Close the consignment"),
        "cancelled": _("Cancel the consignment"),
    }
    return labels.get(str(status), status_label(status))


@blueprint.app_template_filter()
def mode_label(mode: str) -> str:
    labels = {"road": _("Road"), "sea": _("Sea"), "air": _("Air")}
    return labels.get(str(mode), str(mode))


@blueprint.app_template_filter()
def discrepancy_label(kind: str) -> str:
    labels = {
        "short": _("Short"),
        "over": _("Over"),
        "damaged": _("Damaged"),
        "unexpected_sku": _("Unexpected SKU"),
        "wrong_lot": _("Wrong lot"),
        "expired": _("Expired"),
        "near_expiry": _("Too close to expiry"),
    }
    return labels.get(str(kind), str(kind))


@blueprint.app_template_filter()
def resolution_label(resolution: str) -> str:
    labels = {
        "accepted": _("Count accepted"),
        "claim_raised": _("Claim raised"),
        "return_to_merchant": _("Return to merchant"),
        "written_off": _("Written off"),
    }
    return labels.get(str(resolution), str(resolution))


@blueprint.app_template_filter()
def plan_status_label(status: str) -> str:
    labels = {
        "proposed": _("Proposed"),
        "released": _("Released"),
        "discarded": _("Discarded"),
    }
    return labels.get(str(status), str(status))


@blueprint.app_template_filter()
def solver_label(status: str) -> str:
    labels = {
        "optimal": _("the best plan possible"),
        "feasible": _("a good plan, not proven the best"),
        "unchanged": _("no move needed"),
    }
    return labels.get(str(status).lower(), str(status))


@blueprint.app_template_filter()
def fc_time(moment: str | None, timezone: str = "UTC") -> str:
    """An ISO timestamp as the FC's wall-clock time, 'YYYY-MM-DD HH:MM'."""
    if not moment:
        return "–"
    parsed = datetime.fromisoformat(moment)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


# --- use-case messages in the user's language -------------------------------------------------

# Messages of the use cases that reach these pages as they are.
KNOWN_MESSAGES = (
    N_("No such consignment."),
    N_("No such discrepancy."),
    N_("No such slotting plan."),
    N_("Who sends the goods: a name is required."),
    N_("The pick-up address in Thailand is required."),
    N_("Must be a whole number greater than zero."),
    N_("Give the unit value in THB."),
    N_("A THB amount ≥ 0 with at most 2 decimals."),
    N_("An HS code has 6, 8, 10 or 12 digits, e.g. 0810.90."),
    N_("At most 5,000 lines and 5,000 cartons per consignment."),
    N_("Grams, greater than zero and at most 1,000,000."),
    N_("Millimetres, each from 1 to 5,000."),
    N_("Units must be above zero."),
    N_("An SSCC is already used by another carton."),
    N_("An SSCC has exactly 18 digits."),
    N_("An ASN with no lines cannot be submitted."),
    N_("Resolve the consignment's discrepancies before closing it."),
    N_("Managers resolve discrepancies."),
    N_("At most 1,000 characters."),
    N_("Between 0.5 and 120 seconds."),
    N_("Between 1 and 10,000 moves."),
    N_("No SKU is in a pick face of this FC; nothing to re-slot."),
    N_("Only the FC's managers and admins change its set-up."),
    N_("Warehouse staff receive goods; merchants follow the status."),
    N_("More cells than columns."),
    N_("A whole number."),
    N_("A SKU code of 1 to 64 characters."),
    N_("Between 1 and 1,000,000."),
    N_("At most 40 characters."),
    N_("A date as YYYY-MM-DD."),
    N_("At most 16 characters."),
    N_("An amount in THB, like 125.50."),
    N_("An amount in THB ≥ 0 with at most 2 decimals."),
    N_("Give an SSCC on every row, or on none."),
    N_("The CSV has a header but no rows."),
    N_("announced"),
)

# Messages of the use cases that carry values: the pattern they follow and their translation.
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^No SKU '(?P<code>.*)' in .*'s catalogue\.$"),
        N_("There is no SKU %(code)s in your catalogue."),
    ),
    (
        re.compile(r"^SKU (?P<code>.*) is lot-tracked: give the lot\.$"),
        N_("SKU %(code)s is tracked by lot: enter the lot."),
    ),
    (
        re.compile(r"^SKU (?P<code>.*) is not lot-tracked: give no lot\.$"),
        N_("SKU %(code)s is not tracked by lot: leave the lot empty."),
    ),
    (
        re.compile(r"^SKU (?P<code>.*) is expiry-tracked: give the expiry date\.$"),
        N_("SKU %(code)s is tracked by expiry date: enter the expiry date."),
    ),
    (
        re.compile(r"^SKU (?P<code>.*) does not track expiry: give none\.$"),
        N_("SKU %(code)s has no expiry date: leave it empty."),
    ),
    (
        re.compile(r"^Lot (?P<lot>.*) is known to expire on (?P<date>[-\d]+)\.$"),
        N_("Lot %(lot)s is known to expire on %(date)s."),
    ),
    (
        re.compile(r"^Give the HS code \(SKU (?P<code>.*) has none recorded\)\.$"),
        N_("Enter the HS code (SKU %(code)s has none recorded)."),
    ),
    (
        re.compile(r"^Same SKU and lot as line (?P<line>\d+); add the units there\.$"),
        N_("Same SKU and lot as line %(line)s: add the units there."),
    ),
    (
        re.compile(r"^Differs from row (?P<row>\d+) \(same SKU and lot\)\.$"),
        N_("Differs from row %(row)s, which has the same SKU and lot."),
    ),
    (
        re.compile(
            r"^The cartons hold (?P<packed>\d+) unit\(s\) of this line; "
            r"the line announces (?P<announced>\d+)\.$"
        ),
        N_("The cartons hold %(packed)s units of this line; the line announces %(announced)s."),
    ),
    (re.compile(r"^Same SSCC as carton (?P<carton>\d+)\.$"), N_("Same SSCC as carton %(carton)s.")),
    (re.compile(r"^There is no ASN line (?P<line>\d+)\.$"), N_("There is no ASN line %(line)s.")),
    (
        re.compile(r"^Check digit (?P<given>\d) is wrong; the SSCC's check digit should be "),
        N_("The SSCC's check digit %(given)s is wrong."),
    ),
    (
        re.compile(r"^No THB→(?P<currency>\w+) exchange rate is recorded for (?P<date>[-\d]+);"),
        N_(
            "No THB to %(currency)s exchange rate is recorded for %(date)s yet; "
            "the fulfillment center records one first."
        ),
    ),
    (
        re.compile(r"^The header lacks column\(s\): (?P<columns>.*)\.$"),
        N_("The first row must name the columns; missing: %(columns)s."),
    ),
    (
        re.compile(r"^Unknown column\(s\): (?P<columns>.*?)\. Columns: "),
        N_("Unknown columns: %(columns)s."),
    ),
    (
        re.compile(r"^A consignment cannot go from (?P<current>\w+) to (?P<target>\w+);"),
        N_("This consignment is %(current)s: it cannot be set to %(target)s now."),
    ),
    (
        re.compile(r"^Status (?P<target>\w+) is (set by receiving|not set by)"),
        N_("You cannot set the status %(target)s."),
    ),
    (re.compile(r"^Already resolved as (?P<resolution>\w+)\.$"), N_("Already resolved.")),
    (re.compile(r"^The plan is (?P<status>\w+)\.$"), N_("This plan is already %(status)s.")),
    (
        re.compile(r"^The pick faces cannot hold these SKUs"),
        N_("The pick faces of this FC cannot hold these SKUs."),
    ),
)
STATUS_VALUES = ("current", "target", "status")


@blueprint.app_template_filter("use_case_message")
def translate(message: str) -> str:
    """A use case's message in the user's language when the catalogs know it, else as it is."""
    for pattern, template in PATTERNS:
        found = pattern.match(message)
        if found is not None:
            values = found.groupdict()
            for name in STATUS_VALUES:
                if name in values:
                    values[name] = (
                        plan_status_label(values[name])
                        if "plan" in template
                        else status_label(values[name])
                    )
            return _(template, **values)
    return _(message)


# --- parsing what a form sent -----------------------------------------------------------------


@dataclass
class Form:
    """The raw values of a submitted form and the reason each bad one was refused."""

    data: MultiDict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    target: int | None = None  # which of the page's records the form was about

    def raw(self, name: str) -> str:
        return (self.data.get(name) or "").strip()

    def refuse(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def text(self, name: str, max_length: int, *, required: bool = False) -> str:
        value = self.raw(name)
        if "\x00" in value:
            self.refuse(name, _("Contains a character that cannot be stored."))
        elif required and not value:
            self.refuse(name, _("Required."))
        elif len(value) > max_length:
            self.refuse(name, _("At most %(num)s characters.", num=max_length))
        return value

    def day(self, name: str, *, required: bool = False) -> date | None:
        value = self.raw(name)
        if not value:
            if required:
                self.refuse(name, _("Required."))
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.refuse(name, _("A date such as 2026-12-31."))
            return None

    def whole(self, name: str, low: int, high: int, *, required: bool = False) -> int | None:
        value = self.raw(name)
        if not value:
            if required:
                self.refuse(name, _("Required."))
            return None
        if not value.isascii() or not value.isdigit() or len(value) > 12:
            self.refuse(name, _("A whole number."))
            return None
        number = int(value)
        if not low <= number <= high:
            self.refuse(name, _("From %(low)s to %(high)s.", low=low, high=high))
            return None
        return number

    def amount(self, name: str) -> Decimal | None:
        value = self.raw(name)
        if not value:
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation:
            amount = Decimal("NaN")
        if (
            not value.isascii()
            or not amount.is_finite()
            or not 0 <= amount < Decimal("1e12")
            or amount != amount.quantize(Decimal("0.01"))
        ):
            self.refuse(name, _("An amount in THB such as 125.50."))
            return None
        return amount

    def seconds(self, name: str, low: float, high: float, default: float) -> float:
        value = self.raw(name)
        if not value:
            return default
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not low <= number <= high:
            self.refuse(name, _("From %(low)s to %(high)s seconds.", low=low, high=high))
            return default
        return number

    def choice(self, name: str, allowed: type[Any]) -> Any:
        value = self.raw(name)
        try:
            return allowed(value)
        except ValueError:
            self.refuse(name, _("Choose one of the options."))
            return None


def line_name(row: int, name: str) -> str:
    return f"line-{row}-{name}"


def _row_count(form: Form) -> int:
    count = form.whole("rows", 1, MAX_FORM_ROWS) or FORM_ROWS
    form.errors.pop("rows", None)
    return count


def _form_lines(form: Form, rows: int) -> tuple[list[AsnLine], list[int]]:
    """The filled-in rows of the lines table, and which form row each came from."""
    lines: list[AsnLine] = []
    numbers: list[int] = []
    for row in range(1, rows + 1):
        if not any(form.raw(line_name(row, name)) for name in LINE_FIELDS):
            continue
        sku_code = form.text(line_name(row, "sku_code"), 64, required=True)
        quantity = form.whole(line_name(row, "quantity"), 1, 1_000_000, required=True)
        lot_number = form.text(line_name(row, "lot_number"), 40)
        expiry = form.day(line_name(row, "expiry_date"))
        hs_code = form.text(line_name(row, "hs_code"), 16)
        value = form.amount(line_name(row, "unit_value_thb"))
        lines.append(
            AsnLine(
                sku_code=sku_code,
                quantity=quantity or 0,
                lot_number=lot_number or None,
                expiry_date=expiry,
                hs_code=hs_code or None,
                unit_value_thb=value,
            )
        )
        numbers.append(row)
    return lines, numbers


def _header(form: Form, fc_ids: set[int]) -> ConsignmentHeader | None:
    fc_id = form.whole("fc_id", 1, 2**31 - 1, required=True)
    if fc_id is not None and fc_id not in fc_ids:
        form.refuse("fc_id", _("Choose one of the options."))
    mode = form.choice("mode", ShipmentMode)
    eta = form.day("eta", required=True)
    texts = {
        name: form.text(name, limit, required=name in ("origin_name", "origin_address"))
        for name, limit in TEXT_LIMITS.items()
    }
    if form.errors or fc_id is None or mode is None or eta is None:
        return None
    return ConsignmentHeader(fc_id=fc_id, mode=mode, eta=eta, **texts)


def _read_upload(form: Form, upload: FileStorage) -> str | None:
    raw = upload.read()
    if not raw:
        form.refuse("asn_file", _("The file is empty."))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        form.refuse("asn_file", _("Save the file as CSV in UTF-8 and upload it again."))
        return None
    if "\x00" in text:
        form.refuse("asn_file", _("Save the file as CSV in UTF-8 and upload it again."))
        return None
    return text


def _csv_rows(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Row errors of the CSV in row order, in the user's language."""
    return [
        {**error, "message": translate(str(error["message"]))}
        for error in sorted(errors, key=lambda item: (item["row"], item["field"] or ""))
    ]


# --- the merchant's consignments --------------------------------------------------------------


def fcs_by_id(actor: Actor) -> dict[int, dict[str, Any]]:
    """The FCs the user sees, by id."""
    return {fc["id"]: fc for fc in facilities.list_fcs(new_uow(), actor)}


def _page_number() -> int:
    return max(min(request.args.get("page", 1, type=int) or 1, 1_000_000), 1)


@blueprint.get("/consignments")
@roles_required(*EVERYONE)
def consignments_list() -> str:
    """Consignments the user may see, soonest ETA first, optionally of one status or FC."""
    actor = actor_of_request()
    fcs = fcs_by_id(actor)
    status_value = request.args.get("status", "")
    status = status_value if status_value in set(ConsignmentStatus) else None
    fc_id = request.args.get("fc_id", type=int)
    if fc_id not in fcs:
        fc_id = None
    found = consignments.list_consignments(
        new_uow(),
        actor,
        PageRequest(_page_number(), LIST_PAGE_SIZE),
        fc_id=fc_id,
        status=ConsignmentStatus(status) if status else None,
    )
    return render_template(
        "inbound/consignments.html",
        result=found,
        fcs=fcs,
        fc_id=fc_id,
        status=status,
        statuses=list(ConsignmentStatus),
    )


def _new_form_page(form: Form, rows: int, status: int = 200, **extra: Any) -> tuple[str, int]:
    actor = actor_of_request()
    skus = catalogue.list_skus(new_uow(), actor, PageRequest(1, MAX_PAGE_SIZE))["items"]
    page = render_template(
        "inbound/new_consignment.html",
        form=form,
        rows=rows,
        fcs=list(fcs_by_id(actor).values()),
        modes=list(ShipmentMode),
        skus=skus,
        csv_columns=CSV_COLUMNS,
        csv_errors=extra.get("csv_errors", []),
        line_name=line_name,
        line_fields=LINE_FIELDS,
    )
    return page, status


@blueprint.get("/consignments/new")
@roles_required(Role.MERCHANT)
def new_consignment() -> tuple[str, int]:
    """The form to announce a consignment: header, lines typed in or a CSV of the lines."""
    return _new_form_page(Form(MultiDict()), FORM_ROWS)


@blueprint.post("/consignments/new")
@roles_required(Role.MERCHANT)
def create_consignment() -> Response | tuple[str, int]:
    """Save the announced consignment as a draft, or show every problem and save nothing."""
    actor = actor_of_request()
    form = Form(request.form)
    rows = _row_count(form)
    if request.form.get("action") == "more_rows":
        return _new_form_page(form, min(rows + FORM_ROWS, MAX_FORM_ROWS))
    header = _header(form, set(fcs_by_id(actor)))
    lines, form_rows = _form_lines(form, rows)
    upload = request.files.get("asn_file")
    sheet: AsnSheet | None = None
    if upload is not None and upload.filename:
        if lines:
            form.refuse("asn_file", _("Type the lines in or upload a CSV, not both."))
        else:
            text = _read_upload(form, upload)
            if text is not None:
                try:
                    sheet = read_asn_csv(text)
                except InvalidInput as error:
                    form.refuse("asn_file", translate(error.message))
                except csv.Error:
                    form.refuse("asn_file", _("The file could not be read as CSV."))
    elif not lines:
        form.refuse("lines", _("Enter at least one line, or upload a CSV of the lines."))
    if sheet is not None and sheet.errors:
        return _new_form_page(form, rows, 422, csv_errors=_csv_rows(sheet.errors))
    if form.errors or header is None:
        return _new_form_page(form, rows, 422)
    cartons: list[CartonPlan] = []
    if sheet is not None:
        lines, cartons = sheet.lines, sheet.cartons
    try:
        created = consignments.create_consignment(new_uow(), actor, header, lines, cartons)
    except AsnRejected as rejected:
        if sheet is not None:
            found = [sheet.translate(error.as_dict()) for error in rejected.errors]
            return _new_form_page(form, rows, 422, csv_errors=_csv_rows(found))
        for error in rejected.errors:
            target = form_rows[error.row - 1] if 0 < error.row <= len(form_rows) else None
            name = line_name(target, error.field or "sku_code") if target else "lines"
            form.refuse(name, translate(error.message))
        return _new_form_page(form, rows, 422)
    except (InvalidInput, NotFound) as error:
        form.refuse(_field_on_form(error.field), translate(error.message))
        return _new_form_page(form, rows, 422)
    flash(
        _(
            "Consignment %(reference)s is saved as a draft. Submit it when the goods are ready "
            "to leave.",
            reference=created["reference"],
        ),
        "success",
    )
    return redirect(url_for("inbound.consignment", consignment_id=created["id"]))


def _field_on_form(name: str | None) -> str:
    known = {"fc_id", "mode", "eta", *TEXT_LIMITS}
    return name if name in known else "lines"


@blueprint.get("/consignments/asn-template.csv")
@roles_required(Role.MERCHANT)
def asn_template() -> Response:
    """An empty ASN sheet with its column names and one example row."""
    example = {
        "sku_code": "SF-MANGO-200",
        "quantity": "48",
        "lot_number": "L261101",
        "expiry_date": (datetime.now(UTC).date() + timedelta(days=300)).isoformat(),
        "unit_value_thb": "55.00",
    }
    body = ",".join(CSV_COLUMNS) + "\r\n"
    body += ",".join(example.get(name, "") for name in CSV_COLUMNS) + "\r\n"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=asn-lines.csv"},
    )


def allowed_statuses(actor: Actor, current: str) -> list[ConsignmentStatus]:
    """The statuses the user may move the consignment to from `current`, in journey order."""
    return settable_statuses(actor, ConsignmentStatus(current))


def _detail_page(
    consignment_id: int, form: Form | None = None, status: int = 200, **extra: Any
) -> tuple[str, int]:
    """The consignment page; `extra` goes to the template (the carton-label form of
    wms/web/labels_pages.py with its refused fields)."""
    actor = actor_of_request()
    found = consignments.get_consignment(new_uow(), actor, consignment_id)
    fc = facilities.get_fc(new_uow(), actor, found["fc_id"])
    counting = ConsignmentStatus(found["status"]) in COUNTING_STARTED
    page = render_template(
        "inbound/consignment.html",
        c=found,
        fc=fc,
        lines=[_line_row(line, counting) for line in found["lines"]],
        counting=counting,
        open_discrepancies=[d for d in found["discrepancies"] if not d["resolved_at"]],
        next_statuses=allowed_statuses(actor, found["status"]),
        form=form or Form(MultiDict()),
        **extra,
    )
    return page, status


def _line_row(line: dict[str, Any], counting: bool) -> dict[str, Any]:
    """An ASN line with what arrived of it and how it differs, once counting has started."""
    row = dict(line)
    received = line["received_good"] + line["received_damaged"]
    row["received"] = received
    row["difference"] = received - line["quantity"]
    state = None
    if counting and row["difference"] < 0:
        state = "short"
    elif counting and row["difference"] > 0:
        state = "over"
    elif line["received_damaged"]:
        state = "damaged"
    row["state"] = state
    return row


@blueprint.get("/consignments/<id:consignment_id>")
@roles_required(*EVERYONE)
def consignment(consignment_id: int) -> tuple[str, int]:
    """A consignment: its timeline, expected against received per SKU and lot, cartons and
    discrepancies; another merchant's is not found."""
    return _detail_page(consignment_id)


@blueprint.get("/consignments/<id:consignment_id>/<any(invoice, packing):paper>.pdf")
@roles_required(*EVERYONE)
def customs_paper(consignment_id: int, paper: str) -> Response:
    """The commercial invoice or the packing list, as a PDF download."""
    kind = Paper.COMMERCIAL_INVOICE if paper == "invoice" else Paper.PACKING_LIST
    pdf, name = customs.customs_pdf(new_uow(), actor_of_request(), consignment_id, kind)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@blueprint.post("/consignments/<id:consignment_id>/status")
@roles_required(*EVERYONE)
def change_status(consignment_id: int) -> Response | tuple[str, int]:
    """Move the consignment to its next status, with an optional note for the timeline."""
    actor = actor_of_request()
    form = Form(request.form)
    target = form.choice("status", ConsignmentStatus)
    note = form.text("status_note", 1000)
    if form.errors:
        return _detail_page(consignment_id, form, 422)
    try:
        changed = consignments.change_status(new_uow(), actor, consignment_id, target, note)
    except NotFound:
        raise
    except DomainError as error:
        form.refuse("status", translate(error.message))
        return _detail_page(consignment_id, form, status_of(error))
    flash(
        _("The consignment is now %(status)s.", status=status_label(changed["status"])), "success"
    )
    return redirect(url_for("inbound.consignment", consignment_id=consignment_id))


# --- the merchant's stock per FC --------------------------------------------------------------


@blueprint.get("/stock/by-fc")
@roles_required(Role.MERCHANT)
def stock_by_fc() -> str:
    """Units on hand, reserved, held back and available of each SKU in each FC."""
    actor = actor_of_request()
    by_fc: dict[int, list[dict[str, Any]]] = {}
    for row in stock.available_by_fc(new_uow(), actor):
        by_fc.setdefault(row["fc_id"], []).append(row)
    return render_template("inbound/stock_by_fc.html", by_fc=by_fc, fcs=fcs_by_id(actor))


# --- the FC's inbound pages -------------------------------------------------------------------


def _fc_page_context(actor: Actor, fc_id: int) -> dict[str, Any]:
    fcs = fcs_by_id(actor)
    if fc_id not in fcs:
        raise NotFound("No such fulfillment center.", "fc_id")
    merchants = {item["id"]: item for item in catalogue.list_merchants(new_uow(), actor)}
    return {
        "fc": fcs[fc_id],
        "fcs": list(fcs.values()),
        "manages": actor.manages(fc_id),
        "merchants": merchants,
    }


@blueprint.get("/fcs/inbound")
@roles_required(*WAREHOUSE_ROLES)
def fc_inbound_home() -> Response | str:
    """The arrivals of the first FC the user works in."""
    fcs = list(fcs_by_id(actor_of_request()))
    if not fcs:
        abort(404)
    return redirect(url_for("inbound.arrivals", fc_id=fcs[0]))


@blueprint.get("/fcs/<id:fc_id>/arrivals")
@roles_required(*WAREHOUSE_ROLES)
def arrivals(fc_id: int) -> str:
    """The dock schedule: consignments still to receive, day by day; late ones flagged."""
    actor = actor_of_request()
    context = _fc_page_context(actor, fc_id)
    days = request.args.get("days", SCHEDULE_DAYS, type=int) or SCHEDULE_DAYS
    days = min(max(days, 1), MAX_SCHEDULE_DAYS)
    today = consignments.fc_local_date(new_uow(), actor, fc_id)
    schedule = consignments.dock_schedule(new_uow(), actor, fc_id, today, days)
    for day in schedule:
        day["label"] = format_date(date.fromisoformat(day["date"]), "full")
        day["is_today"] = day["date"] == today.isoformat()
        for item in day["consignments"]:
            late = (today - date.fromisoformat(item["eta"])).days
            item["days_late"] = max(late, 0)
    return render_template(
        "inbound/arrivals.html", schedule=schedule, today=today, days=days, **context
    )


@blueprint.get("/fcs/<id:fc_id>/receipts")
@roles_required(*WAREHOUSE_ROLES)
def receipts(fc_id: int) -> str:
    """Receipts being counted on the dock, with counted against expected units."""
    actor = actor_of_request()
    context = _fc_page_context(actor, fc_id)
    found = receiving.open_receipts(new_uow(), actor, fc_id)
    for receipt in found:
        receipt["expected"] = sum(row["expected"] for row in receipt["progress"])
        receipt["counted"] = sum(row["counted"] for row in receipt["progress"])
    return render_template("inbound/receipts.html", receipts=found, **context)


def _queue_page(fc_id: int, form: Form | None = None, status: int = 200) -> tuple[str, int]:
    actor = actor_of_request()
    context = _fc_page_context(actor, fc_id)
    show_all = request.values.get("show") == "all"
    found = discrepancies.list_discrepancies(
        new_uow(),
        actor,
        PageRequest(_queue_page_number(), QUEUE_PAGE_SIZE),
        fc_id=fc_id,
        open_only=not show_all,
    )
    page = render_template(
        "inbound/discrepancies.html",
        result=found,
        show_all=show_all,
        resolutions=list(Resolution),
        form=form or Form(MultiDict()),
        may_resolve=actor.role in MANAGERS,
        **context,
    )
    return page, status


def _queue_page_number() -> int:
    value = request.values.get("page", "1")
    return int(value) if value.isascii() and value.isdigit() and 0 < int(value) < 10**6 else 1


@blueprint.get("/fcs/<id:fc_id>/discrepancies")
@roles_required(*WAREHOUSE_ROLES)
def discrepancy_queue(fc_id: int) -> tuple[str, int]:
    """What receiving found, oldest first, until a manager resolves it."""
    return _queue_page(fc_id)


@blueprint.post("/fcs/<id:fc_id>/discrepancies/<id:discrepancy_id>/resolve")
@roles_required(*MANAGERS)
def resolve(fc_id: int, discrepancy_id: int) -> Response | tuple[str, int]:
    """Settle a discrepancy with a resolution and a note, then back to the queue."""
    actor = actor_of_request()
    _fc_page_context(actor, fc_id)
    form = Form(request.form, target=discrepancy_id)
    resolution = form.choice("resolution", Resolution)
    note = form.text("note", 1000)
    if form.errors:
        return _queue_page(fc_id, form, 422)
    try:
        resolved = discrepancies.resolve_discrepancy(
            new_uow(), actor, discrepancy_id, resolution, note
        )
    except NotFound:
        raise
    except DomainError as error:
        form.refuse("note" if error.field == "note" else "resolution", translate(error.message))
        return _queue_page(fc_id, form, status_of(error))
    flash(
        _(
            "%(kind)s of %(sku)s on %(reference)s: %(resolution)s.",
            kind=discrepancy_label(resolved["kind"]),
            sku=resolved["sku_code"],
            reference=resolved["consignment_reference"] or "–",
            resolution=resolution_label(resolved["resolution"]),
        ),
        "success",
    )
    return redirect(
        url_for(
            "inbound.discrepancy_queue",
            fc_id=fc_id,
            show="all" if request.form.get("show") == "all" else None,
            page=_queue_page_number() if _queue_page_number() > 1 else None,
        )
    )


# --- re-slotting ------------------------------------------------------------------------------

DEFAULT_TIME_LIMIT_S = 5.0


def _slotting_page(fc_id: int, form: Form | None = None, status: int = 200) -> tuple[str, int]:
    context = _fc_page_context(actor_of_request(), fc_id)
    page = render_template(
        "inbound/slotting.html",
        form=form or Form(MultiDict()),
        default_time_limit=DEFAULT_TIME_LIMIT_S,
        **context,
    )
    return page, status


@blueprint.get("/fcs/<id:fc_id>/slotting")
@roles_required(*MANAGERS)
def slotting_home(fc_id: int) -> tuple[str, int]:
    """The form to propose a re-slotting plan for the FC's pick faces."""
    return _slotting_page(fc_id)


@blueprint.post("/fcs/<id:fc_id>/slotting")
@roles_required(*MANAGERS)
def slotting_propose(fc_id: int) -> Response | tuple[str, int]:
    """Let the solver propose a plan within the time limit, then show it for review."""
    actor = actor_of_request()
    _fc_page_context(actor, fc_id)
    form = Form(request.form)
    time_limit = form.seconds("time_limit_s", 0.5, 120, DEFAULT_TIME_LIMIT_S)
    max_moves = form.whole("max_moves", 1, 10_000)
    if form.errors:
        return _slotting_page(fc_id, form, 422)
    try:
        plan = slotting.propose_plan(
            new_uow(), actor, fc_id, time_limit_s=time_limit, max_moves=max_moves
        )
    except NotFound:
        raise
    except DomainError as error:
        name = error.field if error.field in ("time_limit_s", "max_moves") else "plan"
        form.refuse(name, translate(error.message))
        return _slotting_page(fc_id, form, status_of(error))
    return redirect(url_for("inbound.slotting_plan", fc_id=fc_id, plan_id=plan["id"]))


def _fc_plan(actor: Actor, fc_id: int, plan_id: int) -> dict[str, Any]:
    plan = slotting.get_plan(new_uow(), actor, plan_id)
    if plan["fc_id"] != fc_id:
        raise NotFound("No such slotting plan.", "plan_id")
    return plan


def _plan_page(
    fc_id: int, plan_id: int, error: str | None = None, status: int = 200
) -> tuple[str, int]:
    actor = actor_of_request()
    context = _fc_page_context(actor, fc_id)
    plan = _fc_plan(actor, fc_id, plan_id)
    page = render_template("inbound/slotting_plan.html", plan=plan, error=error, **context)
    return page, status


@blueprint.get("/fcs/<id:fc_id>/slotting/<id:plan_id>")
@roles_required(*MANAGERS)
def slotting_plan(fc_id: int, plan_id: int) -> tuple[str, int]:
    """A proposed plan: its moves and predicted walking saving, to release or discard."""
    return _plan_page(fc_id, plan_id)


@blueprint.post("/fcs/<id:fc_id>/slotting/<id:plan_id>/<any(release, discard):decision>")
@roles_required(*MANAGERS)
def slotting_decide(fc_id: int, plan_id: int, decision: str) -> Response | tuple[str, int]:
    """Release the plan as move tasks, or discard it."""
    actor = actor_of_request()
    _fc_page_context(actor, fc_id)
    _fc_plan(actor, fc_id, plan_id)
    act = slotting.release_plan if decision == "release" else slotting.discard_plan
    try:
        plan = act(new_uow(), actor, plan_id)
    except NotFound:
        raise
    except DomainError as error:
        return _plan_page(fc_id, plan_id, translate(error.message), status_of(error))
    if decision == "release":
        message = ngettext(
            "The plan is released: %(num)s move task was created.",
            "The plan is released: %(num)s move tasks were created.",
            len(plan["task_ids"]),
        )
    else:
        message = _("The plan is discarded.")
    flash(message, "success")
    return redirect(url_for("inbound.slotting_plan", fc_id=fc_id, plan_id=plan_id))
