"""The scanner pages: the home screen, receiving and putaway, as a handheld shows them (the
outbound pages, pick, pack and ship, are in scanners/outbound_ui.py, on the same blueprint).

Pages are rendered on the server; the scan fields post JSON to the endpoints below (session
login, CSRF token in an `X-CSRFToken` header, an `Idempotency-Key` header on every change), which
call the same receiving workflow and use cases as the JSON API. Every endpoint answers bad
input with a 4xx JSON error: {"error": {"status", "code", "message", "field", "fields"}}.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, UnsupportedMediaType

from scanners import receiving_flow
from scanners.receiving_flow import Step
from scanners.scan_parser import ScanKind
from wms.api.errors import CODE_OF_STATUS, error_body, status_of
from wms.api.schemas import MAX_ID
from wms.bootstrap import new_uow
from wms.domain.actors import Actor
from wms.domain.errors import DomainError, InvalidInput, NotFound
from wms.domain.tasks import TaskKind, TaskStatus
from wms.services import labels, putaway, receiving
from wms.services.facilities import list_fcs
from wms.web.errors import render_domain_error, render_http_error, render_unexpected_error
from wms.web.messages import message_of
from wms.web.security import WAREHOUSE_ROLES, actor_of_request, current_actor, roles_required

log = logging.getLogger(__name__)

blueprint = Blueprint(
    "scanner",
    __name__,
    url_prefix="/scan",
    template_folder="templates",
    static_folder="static",
)

F = TypeVar("F", bound=Callable[..., Any])

MAX_SCAN_LENGTH = 200
MAX_UNITS = receiving.MAX_UNITS_PER_SCAN
MAX_LOT_LENGTH = 20
MAX_REASON_LENGTH = putaway.MAX_OVERRIDE_REASON
KEY_HEADER = "Idempotency-Key"
TASKS_WITH_PAGES = {
    "receive": "scanner.receive",
    "putaway": "scanner.putaway_tasks",
    "pick": "scanner.pick_trips",
    "pack": "scanner.pack",
    "ship": "scanner.ship",
}


def tasks() -> list[tuple[str, str]]:
    """(key, label) of the floor tasks, in the order of the flow of goods."""
    return [
        ("receive", _("Receive")),
        ("putaway", _("Put away")),
        ("pick", _("Pick")),
        ("pack", _("Pack")),
        ("ship", _("Ship")),
        ("move", _("Move")),
        ("count", _("Count")),
    ]


def task_links() -> dict[str, str]:
    """The URL of each floor task that has its pages already."""
    return {key: url_for(endpoint) for key, endpoint in TASKS_WITH_PAGES.items()}


def printable(raw: str) -> str:
    """The scan without control characters (a wedge may send them), trimmed to a sane length."""
    return "".join(char for char in raw if char.isprintable()).strip()[:MAX_SCAN_LENGTH]


# --- errors as JSON for the endpoints, as pages for the pages --------------------------------


def _wants_json() -> bool:
    """Every POST of the scanner pages is a JSON endpoint; GETs are pages."""
    return request.method == "POST"


def json_error(
    status: int,
    message: str,
    field: str | None = None,
    *,
    code: str | None = None,
    fields: dict[str, Any] | None = None,
) -> tuple[Response, int]:
    """The error answer of the scanner endpoints (the API's shape, plus the one `field`)."""
    body = error_body(
        status,
        code or CODE_OF_STATUS.get(status, "error"),
        message,
        fields or ({field: [message]} if field else {}),
    )
    body["error"]["field"] = field
    return jsonify(body), status


@blueprint.errorhandler(DomainError)
def _domain_error(error: DomainError) -> Any:
    if not _wants_json():
        return render_domain_error(error)
    # The use case's message in the user's language: the manager pages' translation path.
    message = message_of(error)
    fields = getattr(error, "fields", None) or None
    return json_error(status_of(error), message, error.field, code=error.code, fields=fields)


@blueprint.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Any:
    if not _wants_json():
        return render_http_error(error)
    status = error.code or 500
    if isinstance(error, CSRFError):
        message = _(
            "This page has expired or did not come from this site. Reload it and scan again."
        )
        return json_error(status, message, "X-CSRFToken", code="csrf_failed")
    if status == 413:
        return json_error(status, _("The request is too large."))
    return json_error(status, error.description or error.name, getattr(error, "field", None))


@blueprint.errorhandler(Exception)
def _unexpected_error(error: Exception) -> Any:
    if not _wants_json():
        return render_unexpected_error(error)
    log.exception("unexpected error on %s %s", request.method, request.path, exc_info=error)
    return json_error(500, _("Something went wrong on our side. Please try again."))


def json_roles_required(view: F) -> F:
    """Let only warehouse roles call a JSON endpoint: 401 without a session, 403 for others."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        actor = current_actor()
        if actor is None:
            return json_error(401, _("Your session has ended. Log in again."))
        if actor.role not in WAREHOUSE_ROLES:
            return json_error(403, _("Your role does not give you access to this page."))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


# --- reading the JSON bodies ------------------------------------------------------------------


def json_body() -> dict[str, Any]:
    """The request's JSON object ({} for an empty body); 415/400 for anything else."""
    if not request.is_json:
        if request.mimetype or request.content_length:
            raise _UnsupportedBody(_("Send JSON (Content-Type: application/json)."))
        return {}
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # arrays nested thousands deep
        data = None
    if data is None:
        raise DomainError(_("The body is not valid JSON."), "body")
    if not isinstance(data, dict):
        raise DomainError(_("Send a JSON object."), "body")
    return data


class _UnsupportedBody(UnsupportedMediaType):
    """A body that is not JSON (a form, text): 415 naming the body."""

    field = "body"


def scan_of(body: dict[str, Any]) -> str:
    """The raw scan: a non-empty string of at most 200 characters, passed on as typed."""
    scan = body.get("scan")
    if not isinstance(scan, str) or not scan.strip():
        raise InvalidInput(_("Scan a barcode (or type it and press Enter)."), "scan")
    if len(scan) > MAX_SCAN_LENGTH:
        raise InvalidInput(_("A scan has at most %(n)d characters.", n=MAX_SCAN_LENGTH), "scan")
    return scan


def _quantity_of(body: dict[str, Any]) -> int:
    quantity = body.get("quantity", 1)
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise InvalidInput(_("The quantity is a whole number."), "quantity")
    if not 1 <= quantity <= MAX_UNITS:
        raise InvalidInput(_("Between 1 and %(n)d units per scan.", n=MAX_UNITS), "quantity")
    return quantity


def flag_of(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise InvalidInput(_("Say true or false."), name)
    return value


def optional_text(body: dict[str, Any], name: str, max_length: int) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(_("Type text here."), name)
    value = value.strip()
    if len(value) > max_length:
        raise InvalidInput(_("At most %(n)d characters.", n=max_length), name)
    if any(not char.isprintable() for char in value):
        raise InvalidInput(_("Only printable characters, please."), name)
    return value or None


def _optional_date(body: dict[str, Any], name: str) -> date | None:
    value = optional_text(body, name, 10)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise InvalidInput(_("A date as YYYY-MM-DD."), name) from error


def record_id(value: int, field: str) -> int:
    """A record id from the URL; ids out of range are simply not found (as in the API)."""
    if not 1 <= value <= MAX_ID:
        raise NotFound(_("Not found."), field)
    return value


def idempotency_key() -> str | None:
    """The client's idempotency key (checked by the use case; absent or malformed is a 422)."""
    return request.headers.get(KEY_HEADER)


# --- what the pages show ------------------------------------------------------------------


def _locale() -> str:
    return str(get_locale() or "en")


def sku_name(row: dict[str, Any]) -> str:
    name_th, name_en = row.get("sku_name_th"), row.get("sku_name_en")
    return str((name_th if _locale() == "th" else name_en) or name_en or name_th or "")


def receipt_prompt(receipt: dict[str, Any]) -> str:
    """What the handheld asks for next, in the user's language."""
    step = receiving_flow.step_of(receipt)
    if step is Step.CLOSED:
        return _("Receipt closed.")
    if step is Step.SCAN_CARTON:
        return _("Scan a carton's SSCC label.")
    if receipt["current_carton"]:
        return _(
            "Scan the items of carton %(sscc)s, the next carton, or close the receipt.",
            sscc=receipt["current_carton"],
        )
    return _("Scan the items, or close the receipt.")


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
    return labels.get(kind, kind)


def _count_message(receipt: dict[str, Any]) -> str:
    count = receipt.get("last_count")
    if not count:
        return ""
    text = _("+%(quantity)d × %(sku)s", quantity=int(count["quantity"]), sku=str(count["sku_code"]))
    if count.get("lot_number"):
        text += " · " + _("lot %(lot)s", lot=str(count["lot_number"]))
    if count.get("condition") == "damaged":
        text += " · " + _("damaged")
    return text


def receipt_for_page(
    receipt: dict[str, Any], *, message: str = "", replayed: bool = False
) -> dict[str, Any]:
    """The receipt as the receiving page shows it (and the scan endpoints answer it)."""
    view = dict(receipt)
    view["step"] = str(receiving_flow.step_of(receipt))
    view["prompt"] = receipt_prompt(receipt)
    view["message"] = message
    view["replayed"] = replayed
    view["url"] = url_for("scanner.receipt", receipt_id=receipt["id"])
    view["progress"] = [{**row, "sku_name": sku_name(row)} for row in receipt["progress"]]
    if "discrepancies" in receipt:
        view["discrepancies"] = [
            {**item, "kind_label": discrepancy_label(item["kind"]), "sku_name": sku_name(item)}
            for item in receipt["discrepancies"]
        ]
    if "putaway_tasks" in receipt:
        view["putaway_tasks"] = [task_for_page(task) for task in receipt["putaway_tasks"]]
    return view


def task_for_page(task: dict[str, Any]) -> dict[str, Any]:
    """A putaway task as the pages show it, with the URL of its screen."""
    return {
        **task,
        "sku_name": sku_name(task),
        "url": url_for("scanner.putaway_task", task_id=task["id"]),
    }


def json_answer(body: dict[str, Any], replayed: bool, status: int = 200) -> tuple[Response, int]:
    response = jsonify(body)
    response.headers["Idempotent-Replayed"] = str(replayed).lower()
    return response, status


# --- home ---------------------------------------------------------------------------------


@blueprint.get("")
@roles_required(*WAREHOUSE_ROLES)
def home() -> str:
    """The user's FC(s), the task buttons and the scan field; shows the last scan, nothing more."""
    fcs = list_fcs(new_uow(), actor_of_request())
    scanned = printable(request.args.get("code", ""))
    return render_template(
        "scanner_home.html", fcs=fcs, tasks=tasks(), links=task_links(), scanned=scanned
    )


# --- receiving ------------------------------------------------------------------------------


def fc_ids(actor: Actor) -> list[int]:
    """The FCs the user works in; the scanner's lists cover all of them."""
    return [int(fc["id"]) for fc in list_fcs(new_uow(), actor)]


def _open_receipts(actor: Actor) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for fc_id in fc_ids(actor):
        for receipt in receiving.open_receipts(new_uow(), actor, fc_id):
            found.append(receipt_for_page(receipt))
    return found


@blueprint.get("/receive")
@roles_required(*WAREHOUSE_ROLES)
def receive() -> str:
    """The first scan of receiving: a consignment reference or a carton's SSCC; and the
    receipts already in progress, to continue one."""
    receipts = _open_receipts(actor_of_request())
    return render_template("scanner_receive.html", receipt=None, open_receipts=receipts)


@blueprint.post("/receive/start")
@json_roles_required
def start_receipt() -> tuple[Response, int]:
    """Open (or continue) the receipt of the scanned consignment or carton: {scan}."""
    scan = scan_of(json_body())
    receipt, replayed = receiving_flow.start(actor_of_request(), scan, idempotency_key())
    message = _(
        "Receiving %(reference)s.",
        reference=receipt["consignment_reference"] or receipt["current_carton"] or "",
    )
    return json_answer(receipt_for_page(receipt, message=message, replayed=replayed), replayed, 201)


@blueprint.get("/receive/<int:receipt_id>")
@roles_required(*WAREHOUSE_ROLES)
def receipt(receipt_id: int) -> str:
    """One receipt: what to scan next, the current carton, expected and counted units."""
    found = receiving.get_receipt(
        new_uow(), actor_of_request(), record_id(receipt_id, "receipt_id")
    )
    printers = labels.printers_of(new_uow(), actor_of_request(), int(found["fc_id"]))
    return render_template(
        "scanner_receive.html",
        receipt=receipt_for_page(found),
        open_receipts=[],
        printers=printers,
    )


@blueprint.post("/receive/<int:receipt_id>/scans")
@json_roles_required
def receipt_scan(receipt_id: int) -> tuple[Response, int]:
    """One scan on a receipt: {scan, quantity (1), damaged (false), lot_number, expiry_date}."""
    body = json_body()
    scan = scan_of(body)
    entry = receiving_flow.ItemEntry(
        quantity=_quantity_of(body),
        damaged=flag_of(body, "damaged"),
        lot_number=optional_text(body, "lot_number", MAX_LOT_LENGTH),
        expiry_date=_optional_date(body, "expiry_date"),
    )
    found, replayed = receiving_flow.scan(
        actor_of_request(), record_id(receipt_id, "receipt_id"), scan, entry, idempotency_key()
    )
    if found.get("last_count"):
        message = _count_message(found)
    else:
        message = _("Carton %(sscc)s.", sscc=found["current_carton"] or "")
    if replayed:
        message = _("Already recorded: %(what)s", what=message)
    return json_answer(receipt_for_page(found, message=message, replayed=replayed), replayed)


@blueprint.post("/receive/<int:receipt_id>/close")
@json_roles_required
def close_receipt(receipt_id: int) -> tuple[Response, int]:
    """Close the receipt: stock is posted; the answer lists discrepancies and putaway tasks."""
    json_body()
    found, replayed = receiving.close_receipt(
        new_uow(), actor_of_request(), record_id(receipt_id, "receipt_id"), idempotency_key()
    )
    message = _("Receipt closed.")
    return json_answer(receipt_for_page(found, message=message, replayed=replayed), replayed)


# --- putaway ----------------------------------------------------------------------------------


def _open_putaway_tasks(actor: Actor) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for fc_id in fc_ids(actor):
        found.extend(
            task_for_page(task)
            for task in putaway.list_tasks(
                new_uow(), actor, fc_id, TaskKind.PUTAWAY, TaskStatus.OPEN
            )
        )
    return found


@blueprint.get("/putaway")
@roles_required(*WAREHOUSE_ROLES)
def putaway_tasks() -> str:
    """Open putaway tasks in the user's FCs; scan an item (or choose a task) to start one."""
    found = _open_putaway_tasks(actor_of_request())
    return render_template("scanner_putaway.html", task=None, tasks=found)


@blueprint.post("/putaway/find")
@json_roles_required
def find_putaway_task() -> tuple[Response, int]:
    """The open putaway task of the scanned item: {scan}; a GS1 lot picks among its lots."""
    actor = actor_of_request()
    scan = scan_of(json_body())
    parsed = receiving_flow.read_scan(scan)
    if parsed.kind is not ScanKind.ITEM or not parsed.gtin:
        raise InvalidInput(_("Scan the item's barcode to find its putaway task."), "scan")
    matches = [
        task
        for task in _open_putaway_tasks(actor)
        if str(task.get("gtin") or "").zfill(14) == parsed.gtin
    ]
    if matches and parsed.lot:
        matches = [task for task in matches if task["lot_number"] == parsed.lot]
        if not matches:
            raise NotFound(_("No open putaway task for lot %(lot)s.", lot=parsed.lot), "scan")
    if not matches:
        raise NotFound(
            _("No open putaway task for the item %(gtin)s.", gtin=parsed.gtin.lstrip("0")),
            "scan",
        )
    task = matches[0]
    body = {"task": task, "url": task["url"], "others": len(matches) - 1}
    return json_answer(body, False)


@blueprint.get("/putaway/<int:task_id>")
@roles_required(*WAREHOUSE_ROLES)
def putaway_task(task_id: int) -> str:
    """One task: the item, lot and quantity, the suggested bin in big letters and why."""
    found = putaway.putaway_options(new_uow(), actor_of_request(), record_id(task_id, "task_id"))
    task = task_for_page(found)
    suggested = task.get("suggested_location_code")
    options = [
        {**option, "reasons": [_(reason) for reason in option["reasons"]]}
        for option in found.get("options", [])
    ]
    best = next((option for option in options if option["code"] == suggested), None)
    alternatives = [option for option in options if option["code"] != suggested][:3]
    printers = labels.printers_of(new_uow(), actor_of_request(), int(task["fc_id"]))
    return render_template(
        "scanner_putaway.html",
        task=task,
        best=best,
        alternatives=alternatives,
        tasks=[],
        printers=printers,
    )


@blueprint.post("/putaway/<int:task_id>/complete")
@json_roles_required
def complete_putaway(task_id: int) -> tuple[Response, int]:
    """Confirm the bin by scanning it: {scan, override_reason}; another bin than the
    suggested one needs the reason, a bin that cannot take the stock is refused."""
    body = json_body()
    scan = scan_of(body)
    reason = optional_text(body, "override_reason", MAX_REASON_LENGTH)
    code = receiving_flow.bin_code(scan)
    task, replayed = putaway.complete_task(
        new_uow(),
        actor_of_request(),
        record_id(task_id, "task_id"),
        code,
        reason,
        idempotency_key(),
    )
    message = _(
        "Put away %(quantity)d × %(sku)s in %(bin)s.",
        quantity=int(task["quantity"]),
        sku=str(task["sku_code"]),
        bin=str(task["to_location_code"]),
    )
    answer = {"task": task_for_page(task), "message": message, "replayed": replayed}
    answer["next_url"] = url_for("scanner.putaway_tasks")
    return json_answer(answer, replayed)


# The outbound pages register their routes on this blueprint.
from scanners import labels_ui, outbound_ui  # noqa: E402, F401
