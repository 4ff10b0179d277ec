"""Outbound pages: the FC's backlog against carrier cut-offs, wave planning and release, pick
trips with their route on the floor plan, the pick-exception queue, and orders (the managers'
view per FC and the merchant's own)."""

from __future__ import annotations

import itertools
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from wms.api.errors import status_of
from wms.bootstrap import new_uow
from wms.domain.actors import Actor, Role
from wms.domain.errors import DomainError, InvalidInput, NotFound
from wms.domain.orders import CANCELLABLE, OPEN_ORDERS, OrderStatus
from wms.domain.waves import CartLimits, ExceptionResolution, ExceptionStatus, WaveStatus
from wms.services import carriers, catalogue, facilities, orders, picking, waves
from wms.services.idempotency import KEY_PATTERN
from wms.services.paging import PageRequest
from wms.web.inbound import DEFAULT_TIME_LIMIT_S, EVERYONE, MANAGERS, Form, fcs_by_id
from wms.web.messages import message_of, order_status_label, wave_status_label
from wms.web.security import WAREHOUSE_ROLES, actor_of_request, roles_required

blueprint = Blueprint("outbound", __name__)

KEY_FIELD = "idempotency_key"
ORDERS_PAGE_SIZE = 50
DEFAULT_PICKERS = 4
ALL_WAITING = "all"
BACKLOG_STATUSES = tuple(str(s) for s in OrderStatus if s in OPEN_ORDERS)
RESOLUTIONS = tuple(ExceptionResolution)
# Record ids in addresses: the app's bounded "id" converter (larger numbers match no page).
ID = "id"


# --- translated names of codes ----------------------------------------------------------------


# The labels the use cases' messages use too (wms/web/messages.py), as filters of the templates.
blueprint.add_app_template_filter(order_status_label)
blueprint.add_app_template_filter(wave_status_label)


@blueprint.app_template_filter()
def trip_status_label(status: str) -> str:
    labels = {
        "planned": _("Planned"),
        "released": _("Released"),
        "picking": _("Being picked"),
        "picked": _("Picked"),
        "discarded": _("Discarded"),
    }
    return labels.get(str(status), str(status))


@blueprint.app_template_filter()
def pick_status_label(status: str) -> str:
    labels = {
        "reserved": _("Reserved"),
        "picked": _("Picked"),
        "shipped": _("Shipped"),
        "short": _("Short"),
        "cancelled": _("Cancelled"),
    }
    return labels.get(str(status), str(status))


@blueprint.app_template_filter()
def exception_kind_label(kind: str) -> str:
    labels = {"short": _("Short pick"), "damaged": _("Damaged at pick")}
    return labels.get(str(kind), str(kind))


@blueprint.app_template_filter()
def exception_action_label(action: str) -> str:
    labels = {
        "ship_short": _("Ship short"),
        "cancel_order": _("Cancel the order"),
        "acknowledge": _("Acknowledge"),
    }
    return labels.get(str(action), str(action))


@blueprint.app_template_filter()
def exception_resolution_label(resolution: str | None) -> str:
    """A stored resolution ('action: note') with the action's name translated."""
    if not resolution:
        return "–"
    action, _sep, note = resolution.partition(": ")
    label = exception_action_label(action)
    return f"{label} · {note}" if note else label


@blueprint.app_template_filter()
def minutes_label(minutes: int | float) -> str:
    """A span of minutes for people: '45 min', '2 h 05 min'."""
    whole = round(abs(minutes))
    hours, rest = divmod(whole, 60)
    if hours:
        return _("%(hours)s h %(minutes)s min", hours=hours, minutes=f"{rest:02d}")
    return _("%(minutes)s min", minutes=rest)


# --- forms ------------------------------------------------------------------------------------


class OutboundForm(Form):
    """A submitted form of these pages: the inbound form's parsers, and decimals."""

    def number(self, name: str, high: float, default: float) -> float:
        """A decimal number above 0 and at most `high`; `default` when left empty."""
        value = self.raw(name).replace(",", ".")
        if not value:
            return default
        try:
            number = float(value) if value.isascii() else math.nan
        except ValueError:
            number = math.nan
        if not (math.isfinite(number) and 0 < number <= high):
            self.refuse(name, _("A number above 0 and at most %(high)s.", high=high))
            return default
        return number

    def key(self) -> str:
        """The form's idempotency key (every form the pages show has a fresh one); a form
        without a well-formed key is a bad request that changes nothing."""
        key = self.raw(KEY_FIELD)
        if not KEY_PATTERN.match(key):
            abort(400)
        return key


def new_form_key() -> str:
    return f"web-{uuid.uuid4().hex}"


@blueprint.context_processor
def form_keys() -> dict[str, Any]:
    return {"new_form_key": new_form_key, "key_field": KEY_FIELD}


# --- the floor-plan drawing -------------------------------------------------------------------

SVG_SCALE = 10.0  # SVG units per metre
SVG_MARGIN_M = 2.0
RACK_DEPTH_SHARE = 0.3  # of the distance between neighbouring aisles, on each side
WALKWAY_SHARE = 0.2


Point = tuple[float, float]


@dataclass(frozen=True)
class RouteFigure:
    """The trip's floor plan in SVG units (y flipped: the front of the FC at the bottom), and
    the walk from the dispatch point through the stops and back along the walkways."""

    width: float
    height: float
    segments: list[dict[str, Any]]
    racks: list[dict[str, Any]]
    depot: Point
    stops: list[dict[str, Any]]
    path: str
    path_m: float


def route_figure(drawing: dict[str, Any]) -> RouteFigure:
    """Scale the floor-plan data of `picking.batch_drawing` to an SVG viewBox."""
    min_x, min_y, max_x, max_y = drawing["bounds"]
    aisle_xs = sorted({rack["x"] for rack in drawing["racks"]})
    gaps = [b - a for a, b in itertools.pairwise(aisle_xs) if b - a > 0.01]
    pitch = min(gaps) if gaps else 3.0
    depth, walkway = pitch * RACK_DEPTH_SHARE, pitch * WALKWAY_SHARE
    reach = walkway + depth
    min_x = min([min_x, *(x - reach for x in aisle_xs)])
    max_x = max([max_x, *(x + reach for x in aisle_xs)])
    left, top = min_x - SVG_MARGIN_M, max_y + SVG_MARGIN_M

    def point(x: float, y: float) -> Point:
        return round((x - left) * SVG_SCALE, 1), round((top - y) * SVG_SCALE, 1)

    segments = []
    for segment in drawing["segments"]:
        x1, y1 = point(*segment["start"])
        x2, y2 = point(*segment["end"])
        segments.append({"x1": x1, "y1": y1, "x2": x2, "y2": y2, "kind": segment["kind"]})
    racks = []
    for rack in drawing["racks"]:
        for side in (-1, 1):
            near = rack["x"] + side * walkway
            far = rack["x"] + side * reach
            x, y = point(min(near, far), rack["y_end"])
            racks.append(
                {
                    "key": rack["key"],
                    "x": x,
                    "y": y,
                    "width": round(depth * SVG_SCALE, 1),
                    "height": round((rack["y_end"] - rack["y_start"]) * SVG_SCALE, 1),
                }
            )
    depot: Point = (drawing["depot"][0], drawing["depot"][1])
    stops = [
        {"number": number, "code": stop["code"], "x": x, "y": y}
        for number, stop in enumerate(drawing["stops"], start=1)
        for x, y in [point(stop["x"], stop["y"])]
    ]
    corners = [(x, y) for x, y in drawing["path"]]
    metres = sum(math.dist(a, b) for a, b in itertools.pairwise(corners))
    return RouteFigure(
        width=round((max_x + SVG_MARGIN_M - left) * SVG_SCALE, 1),
        height=round((top - (min_y - SVG_MARGIN_M)) * SVG_SCALE, 1),
        segments=segments,
        racks=racks,
        depot=point(*depot),
        stops=stops,
        path=" ".join(f"{x},{y}" for x, y in (point(*corner) for corner in corners)),
        path_m=round(metres, 1),
    )


# --- page context -----------------------------------------------------------------------------


def fc_context(actor: Actor, fc_id: int) -> dict[str, Any]:
    """The FC of a manager page, the user's other FCs for the tabs, and whether they manage it."""
    fcs = fcs_by_id(actor)
    if fc_id not in fcs or actor.is_merchant:
        raise NotFound("No such fulfillment center.", "fc_id")
    return {"fc": fcs[fc_id], "fcs": list(fcs.values()), "manages": actor.manages(fc_id)}


def _pickers() -> int:
    value = request.args.get("pickers", "")
    if value.isascii() and value.isdigit() and 1 <= int(value) <= 200:
        return int(value)
    return DEFAULT_PICKERS


def _page_number() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isascii() and value.isdigit() and 0 < int(value) < 10**6 else 1


def _flash_error(error: DomainError) -> None:
    flash(message_of(error), "error")


# --- backlog ----------------------------------------------------------------------------------


@blueprint.get("/fcs/outbound")
@roles_required(*WAREHOUSE_ROLES)
def home() -> Response:
    """The backlog of the first FC the user works in."""
    fcs = list(fcs_by_id(actor_of_request()))
    if not fcs:
        abort(404)
    return redirect(url_for("outbound.backlog", fc_id=fcs[0]))


@blueprint.get(f"/fcs/<{ID}:fc_id>/outbound")
@roles_required(*WAREHOUSE_ROLES)
def backlog(fc_id: int) -> str:
    """Open orders by carrier and due cut-off, with counts by status; late groups flagged."""
    actor = actor_of_request()
    context = fc_context(actor, fc_id)
    groups = orders.backlog(new_uow(), actor, fc_id)
    totals = {
        status: sum(g["by_status"].get(status, 0) for g in groups) for status in BACKLOG_STATUSES
    }
    return render_template(
        "outbound/backlog.html",
        groups=groups,
        statuses=BACKLOG_STATUSES,
        totals=totals,
        open_orders=sum(group["orders"] for group in groups),
        late_groups=sum(1 for group in groups if group["late"]),
        **context,
    )


@blueprint.post(f"/fcs/<{ID}:fc_id>/outbound/allocate")
@roles_required(*MANAGERS)
def allocate(fc_id: int) -> Response:
    """Try again to reserve stock for the FC's backordered orders, earliest ship-by first."""
    actor = actor_of_request()
    fc_context(actor, fc_id)
    form = OutboundForm(request.form)
    try:
        result, _replayed = orders.allocate_backorders(new_uow(), actor, fc_id, form.key())
    except NotFound:
        raise
    except DomainError as error:
        _flash_error(error)
        return redirect(url_for("outbound.backlog", fc_id=fc_id))
    flash(
        ngettext(
            "Allocation re-run for %(num)s order; %(completed)s now fully allocated.",
            "Allocation re-run for %(num)s orders; %(completed)s now fully allocated.",
            result["orders"],
            completed=result["completed"],
        ),
        "success",
    )
    return redirect(url_for("outbound.backlog", fc_id=fc_id))


# --- planning a wave --------------------------------------------------------------------------


CUTOFF_RANGE = timedelta(days=366)


def aware_moment(value: str) -> datetime | None:
    """An ISO timestamp with its offset within a year of now, in UTC; else None."""
    try:
        moment = datetime.fromisoformat(value).astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    if datetime.fromisoformat(value).tzinfo is None:
        return None
    return moment if abs(moment - datetime.now(UTC)) <= CUTOFF_RANGE else None


def _cutoff_options(
    actor: Actor, fc: dict[str, Any], carrier_list: list[dict[str, Any]], chosen: str
) -> list[dict[str, Any]]:
    """The cut-offs to plan for: each carrier's next one, and those orders wait for; the
    chosen one (or else the first) is selected."""
    options: dict[datetime, dict[str, Any]] = {}

    def add(moment: datetime, carrier_name: str | None = None, waiting: int = 0) -> None:
        option = options.setdefault(
            moment.astimezone(UTC), {"carriers": [], "waiting": 0, "late": False}
        )
        if carrier_name and carrier_name not in option["carriers"]:
            option["carriers"].append(carrier_name)
        option["waiting"] += waiting

    now = datetime.now(UTC)
    for upcoming in carriers.upcoming_cutoffs(new_uow(), actor, fc["id"]):
        add(upcoming["cutoff"], upcoming["carrier"]["name"])
    for group in orders.backlog(new_uow(), actor, fc["id"]):
        waiting = group["by_status"].get("allocated", 0)
        if waiting:
            moment = datetime.fromisoformat(group["cutoff"])
            add(moment, group["carrier_name"], waiting)
            options[moment.astimezone(UTC)]["late"] = moment < now
    wanted = aware_moment(chosen)
    if wanted is not None:
        add(wanted)
    found = [
        {"value": moment.isoformat(), "selected": moment == wanted, **option}
        for moment, option in sorted(options.items(), key=lambda item: item[0])
    ]
    if found and not chosen:
        found[0]["selected"] = True
    return found


def _new_wave_page(
    fc_id: int, form: OutboundForm | None = None, status: int = 200
) -> tuple[str, int]:
    actor = actor_of_request()
    context = fc_context(actor, fc_id)
    form = form or OutboundForm(MultiDict(request.args))
    carrier_list = carriers.list_carriers(new_uow(), actor, fc_id)
    page = render_template(
        "outbound/new_wave.html",
        form=form,
        carriers=carrier_list,
        cutoffs=_cutoff_options(actor, context["fc"], carrier_list, form.raw("cutoff")),
        all_waiting=ALL_WAITING,
        defaults=CartLimits(),
        default_pickers=DEFAULT_PICKERS,
        default_time_limit=DEFAULT_TIME_LIMIT_S,
        **context,
    )
    return page, status


@blueprint.get(f"/fcs/<{ID}:fc_id>/waves/new")
@roles_required(*MANAGERS)
def new_wave(fc_id: int) -> tuple[str, int]:
    """The form to plan a wave: the cut-off, a carrier, the cart's limits, pickers."""
    return _new_wave_page(fc_id)


def _wave_request(form: OutboundForm, fc_id: int) -> waves.WaveRequest | None:
    """The wave asked for, or None with the refused fields in `form.errors`."""
    cutoff_value = form.raw("cutoff")
    cutoff: datetime | None = None
    if not cutoff_value:
        form.refuse("cutoff", _("Required."))
    elif cutoff_value != ALL_WAITING:
        cutoff = aware_moment(cutoff_value)
        if cutoff is None:
            form.refuse("cutoff", _("Choose one of the options."))
    carrier_id = form.whole("carrier_id", 1, 2**31 - 1)
    max_orders = form.whole("max_orders", 1, 48) or CartLimits.max_orders
    max_volume = form.number("max_volume_l", 5000, CartLimits.max_volume_l)
    max_weight = form.number("max_weight_kg", 2000, CartLimits.max_weight_kg)
    pickers = form.whole("pickers", 1, 200) or DEFAULT_PICKERS
    time_limit = form.seconds("time_limit_s", 0.5, 120, DEFAULT_TIME_LIMIT_S)
    if form.errors:
        return None
    try:
        cart = CartLimits(max_orders, max_volume, max_weight)
    except InvalidInput as error:
        form.refuse(error.field or "max_orders", message_of(error))
        return None
    return waves.WaveRequest(
        fc_id=fc_id,
        cutoff=cutoff,
        carrier_id=carrier_id,
        cart=cart,
        pickers=pickers,
        time_limit_s=time_limit,
    )


WAVE_FIELDS = ("cutoff", "carrier_id", "pickers", "time_limit_s")


@blueprint.post(f"/fcs/<{ID}:fc_id>/waves/new")
@roles_required(*MANAGERS)
def plan_wave(fc_id: int) -> Response | tuple[str, int]:
    """Plan the wave and show its preview; nothing goes to the floor before it is released."""
    actor = actor_of_request()
    fc_context(actor, fc_id)
    form = OutboundForm(request.form)
    wanted = _wave_request(form, fc_id)
    if wanted is None:
        return _new_wave_page(fc_id, form, 400)
    try:
        wave, _replayed = waves.plan_wave(new_uow(), actor, wanted, form.key())
    except DomainError as error:
        if isinstance(error, NotFound) and error.field != "carrier_id":
            raise
        name = error.field if error.field in WAVE_FIELDS else "cutoff"
        form.refuse(name, message_of(error))
        status = 400 if isinstance(error, InvalidInput | NotFound) else status_of(error)
        return _new_wave_page(fc_id, form, status)
    return redirect(url_for("outbound.wave", wave_id=wave["id"], pickers=wanted.pickers))


# --- waves ------------------------------------------------------------------------------------


@blueprint.get(f"/fcs/<{ID}:fc_id>/waves")
@roles_required(*WAREHOUSE_ROLES)
def wave_list(fc_id: int) -> str:
    """The FC's latest waves, newest first, optionally of one status."""
    actor = actor_of_request()
    context = fc_context(actor, fc_id)
    value = request.args.get("status", "")
    status = WaveStatus(value) if value in set(WaveStatus) else None
    found = waves.list_waves(new_uow(), actor, fc_id, status)
    return render_template(
        "outbound/waves.html", waves=found, status=status, statuses=list(WaveStatus), **context
    )


def _wave_page(wave_id: int, error: str | None = None, status: int = 200) -> tuple[str, int]:
    actor = actor_of_request()
    pickers = _pickers()
    wave = waves.get_wave(new_uow(), actor, wave_id, pickers)
    context = fc_context(actor, wave["fc_id"])
    carrier = None
    if wave["carrier_id"] is not None:
        carrier = next(
            (
                item
                for item in carriers.list_carriers(new_uow(), actor, wave["fc_id"])
                if item["id"] == wave["carrier_id"]
            ),
            None,
        )
    totals = {
        "orders": sum(batch["orders"] for batch in wave["batches"]),
        "picks": sum(batch["picks"] for batch in wave["batches"]),
        "picks_done": sum(batch["picks_done"] for batch in wave["batches"]),
        "units": sum(batch["units"] for batch in wave["batches"]),
    }
    page = render_template(
        "outbound/wave.html",
        wave=wave,
        carrier=carrier,
        totals=totals,
        pickers=pickers,
        error=error,
        **context,
    )
    return page, status


@blueprint.get(f"/waves/<{ID}:wave_id>")
@roles_required(*WAREHOUSE_ROLES)
def wave(wave_id: int) -> tuple[str, int]:
    """A wave: its trips, walking against first-come-first-served, the finish against the
    earliest cut-off; released trips show their progress."""
    return _wave_page(wave_id)


@blueprint.post(f"/waves/<{ID}:wave_id>/<any(release, discard):decision>")
@roles_required(*MANAGERS)
def decide_wave(wave_id: int, decision: str) -> Response | tuple[str, int]:
    """Release the planned trips to the pickers, or discard the plan."""
    actor = actor_of_request()
    form = OutboundForm(request.form)
    act = waves.release_wave if decision == "release" else waves.discard_wave
    try:
        decided, _replayed = act(new_uow(), actor, wave_id, form.key())
    except NotFound:
        raise
    except DomainError as error:
        return _wave_page(wave_id, message_of(error), status_of(error))
    if decision == "release":
        message = ngettext(
            "Wave %(reference)s is released: %(num)s trip for the pickers.",
            "Wave %(reference)s is released: %(num)s trips for the pickers.",
            decided["trips"],
            reference=decided["reference"],
        )
    else:
        message = _(
            "Wave %(reference)s is discarded; its orders wait for the next plan.",
            reference=decided["reference"],
        )
    flash(message, "success")
    return redirect(url_for("outbound.wave", wave_id=wave_id, pickers=_pickers()))


# --- trips ------------------------------------------------------------------------------------


@blueprint.get(f"/trips/<{ID}:batch_id>")
@roles_required(*WAREHOUSE_ROLES)
def trip(batch_id: int) -> str:
    """A picker trip: its picks in walking order and its route drawn on the floor plan."""
    actor = actor_of_request()
    batch = picking.get_batch(new_uow(), actor, batch_id)
    context = fc_context(actor, batch["fc_id"])
    figure = route_figure(picking.batch_drawing(new_uow(), actor, batch_id))
    return render_template("outbound/trip.html", batch=batch, figure=figure, **context)


# --- exceptions -------------------------------------------------------------------------------


def _exceptions_page(
    fc_id: int, form: OutboundForm | None = None, status: int = 200
) -> tuple[str, int]:
    actor = actor_of_request()
    context = fc_context(actor, fc_id)
    show_all = request.values.get("show") == "all"
    found = picking.list_exceptions(
        new_uow(), actor, fc_id, None if show_all else ExceptionStatus.OPEN
    )
    page = render_template(
        "outbound/exceptions.html",
        exceptions=found,
        show_all=show_all,
        actions=RESOLUTIONS,
        form=form or OutboundForm(MultiDict()),
        **context,
    )
    return page, status


@blueprint.get(f"/fcs/<{ID}:fc_id>/exceptions")
@roles_required(*WAREHOUSE_ROLES)
def exceptions(fc_id: int) -> tuple[str, int]:
    """Short and damaged picks waiting for a manager, newest first."""
    return _exceptions_page(fc_id)


@blueprint.post(f"/fcs/<{ID}:fc_id>/exceptions/<{ID}:exception_id>/resolve")
@roles_required(*MANAGERS)
def resolve_exception(fc_id: int, exception_id: int) -> Response | tuple[str, int]:
    """Ship the order short, cancel it, or acknowledge the exception, with an optional note."""
    actor = actor_of_request()
    fc_context(actor, fc_id)
    form = OutboundForm(request.form, target=exception_id)
    action = form.raw("action")
    if action not in RESOLUTIONS:
        form.refuse("action", _("Choose one of the options."))
    note = form.text("note", 1000)
    if form.errors:
        return _exceptions_page(fc_id, form, 400)
    try:
        resolved, _replayed = picking.resolve_exception(
            new_uow(), actor, exception_id, action, note, form.key()
        )
    except NotFound:
        raise
    except DomainError as error:
        form.refuse("note" if error.field == "note" else "action", message_of(error))
        status = 400 if isinstance(error, InvalidInput) else status_of(error)
        return _exceptions_page(fc_id, form, status)
    flash(
        _(
            "%(kind)s of %(sku)s for %(order)s: %(action)s.",
            kind=exception_kind_label(resolved["kind"]),
            sku=resolved["sku_code"],
            order=resolved["order_reference"],
            action=exception_action_label(action),
        ),
        "success",
    )
    show = "all" if request.form.get("show") == "all" else None
    return redirect(url_for("outbound.exceptions", fc_id=fc_id, show=show))


# --- orders -----------------------------------------------------------------------------------


def _status_filter() -> OrderStatus | None:
    value = request.args.get("status", "")
    return OrderStatus(value) if value in set(OrderStatus) else None


@blueprint.get(f"/fcs/<{ID}:fc_id>/orders")
@roles_required(*WAREHOUSE_ROLES)
def fc_orders(fc_id: int) -> str:
    """The FC's orders, earliest ship-by first, optionally of one status."""
    actor = actor_of_request()
    context = fc_context(actor, fc_id)
    status = _status_filter()
    found = orders.list_orders(
        new_uow(), actor, PageRequest(_page_number(), ORDERS_PAGE_SIZE), fc_id=fc_id, status=status
    )
    merchants = {item["id"]: item for item in catalogue.list_merchants(new_uow(), actor)}
    return render_template(
        "outbound/orders.html",
        result=found,
        status=status,
        statuses=list(OrderStatus),
        merchants=merchants,
        timezones={context["fc"]["id"]: context["fc"]["timezone"]},
        **context,
    )


@blueprint.get("/orders")
@roles_required(Role.MERCHANT)
def my_orders() -> str:
    """The merchant's own orders in every FC, earliest ship-by first."""
    actor = actor_of_request()
    status = _status_filter()
    found = orders.list_orders(
        new_uow(), actor, PageRequest(_page_number(), ORDERS_PAGE_SIZE), status=status
    )
    fcs = fcs_by_id(actor)
    return render_template(
        "outbound/orders.html",
        result=found,
        status=status,
        statuses=list(OrderStatus),
        merchants={},
        timezones={fc_id: fc["timezone"] for fc_id, fc in fcs.items()},
        fc=None,
    )


def order_page(order_id: int, error: str | None = None, status: int = 200) -> tuple[str, int]:
    actor = actor_of_request()
    order = orders.get_order(new_uow(), actor, order_id)
    fc = facilities.get_fc(new_uow(), actor, order["fc_id"])
    context = {"fc": fc}
    if not actor.is_merchant:
        context = fc_context(actor, order["fc_id"])
    may_cancel = order["status"] in CANCELLABLE and (
        actor.is_merchant or actor.manages(order["fc_id"])
    )
    page = render_template(
        "outbound/order.html",
        order=order,
        may_cancel=may_cancel,
        error=error,
        **context,
    )
    return page, status


@blueprint.get(f"/orders/<{ID}:order_id>")
@roles_required(*EVERYONE)
def order(order_id: int) -> tuple[str, int]:
    """An order: its lines, the stock reserved for them (bin, lot, expiry) and its status."""
    return order_page(order_id)


@blueprint.post(f"/orders/<{ID}:order_id>/cancel")
@roles_required(Role.ADMIN, Role.MANAGER, Role.MERCHANT)
def cancel_order(order_id: int) -> Response | tuple[str, int]:
    """Cancel an order that has not shipped: its reservations are released."""
    actor = actor_of_request()
    form = OutboundForm(request.form)
    try:
        cancelled, _replayed = orders.cancel_order(new_uow(), actor, order_id, form.key())
    except NotFound:
        raise
    except DomainError as error:
        return order_page(order_id, message_of(error), status_of(error))
    flash(_("Order %(reference)s is cancelled.", reference=cancelled["reference"]), "success")
    return redirect(url_for("outbound.order", order_id=order_id))
