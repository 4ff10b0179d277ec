"""Delivery pages for managers: the FC's day of own-fleet deliveries (what waits, the plans,
the form to plan), and a plan (its map, its routes stop by stop, what is left out and why),
where stops are moved, drivers chosen, and the plan dispatched or discarded; and each route's
sheet for its driver."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.datastructures import MultiDict

from wms.api.errors import status_of
from wms.bootstrap import new_uow, roads, wiring
from wms.domain.deliveries import (
    MAX_TIME_LIMIT_S,
    MIN_TIME_LIMIT_S,
    DeliveryPlanStatus,
    PlanObjective,
)
from wms.domain.errors import DomainError, InvalidInput, NotFound
from wms.services import deliveries, delivery_dispatch, fleet, route_sheets
from wms.services.deliveries import ChosenVehicle, DriverAssignment, PlanRequest, StopMove
from wms.web.delivery_map import delivery_map, route_colour
from wms.web.inbound import MANAGERS, fcs_by_id
from wms.web.messages import delivery_plan_status_label, message_of
from wms.web.outbound import OutboundForm, fc_context, form_keys
from wms.web.security import actor_of_request, roles_required

blueprint = Blueprint("deliveries", __name__)
blueprint.context_processor(form_keys)
blueprint.add_app_template_filter(route_colour)

ID = "id"
OFF_THE_PLAN = "off"
PLAN_FIELDS = ("delivery_date", "vehicles", "objective", "time_limit_s")
MORNING_ENDS = 12
"""Before noon the form offers today's deliveries; from noon, tomorrow's."""


# --- translated names of codes ------------------------------------------------------------------


blueprint.add_app_template_filter(delivery_plan_status_label)


@blueprint.app_template_filter()
def objective_label(objective: str) -> str:
    labels = {"vehicles": _("Fewest vehicles"), "distance": _("Shortest distance (least cost)")}
    return labels.get(str(objective), str(objective))


@blueprint.app_template_filter()
def left_out_label(reason: str | None) -> str:
    labels = {
        "over_capacity": _("Too heavy, bulky or many parcels for any chosen vehicle"),
        "out_of_hours": _("No vehicle reaches it in its time window and is back within its shift"),
        "too_far": _("Too far: there and back is longer than any vehicle's longest route"),
        "fleet_full": _("The chosen vehicles have no room or time left for it"),
        "no_location": _("The order has no delivery coordinates"),
        "no_road": _("The road network has no route to its coordinates"),
        "removed": _("Taken off the plan by a manager"),
    }
    return labels.get(str(reason), str(reason))


@blueprint.app_template_filter()
def fc_clock(moment: str | None, timezone: str = "UTC") -> str:
    """An ISO timestamp as the FC's time of day, 'HH:MM'."""
    if not moment:
        return "–"
    return datetime.fromisoformat(moment).astimezone(ZoneInfo(timezone)).strftime("%H:%M")


# --- the FC's deliveries -------------------------------------------------------------------------


def _fc_today(timezone: str) -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(timezone)).date()


def _default_day(timezone: str) -> date:
    now = datetime.now(UTC).astimezone(ZoneInfo(timezone))
    return now.date() if now.hour < MORNING_ENDS else now.date() + timedelta(days=1)


def _chosen_day(value: str, timezone: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return _default_day(timezone)


@blueprint.get("/fcs/deliveries")
@roles_required(*MANAGERS)
def home() -> Response:
    """The deliveries of the first FC the manager runs."""
    actor = actor_of_request()
    managed = [fc_id for fc_id in fcs_by_id(actor) if actor.manages(fc_id)]
    if not managed:
        abort(404)
    return redirect(url_for("deliveries.day", fc_id=managed[0]))


def _day_page(fc_id: int, form: OutboundForm | None = None, status: int = 200) -> tuple[str, int]:
    actor = actor_of_request()
    context = fc_context(actor, fc_id)
    timezone = context["fc"]["timezone"]
    form = form or OutboundForm(MultiDict(request.args))
    day = _chosen_day(form.raw("delivery_date") or request.args.get("date", ""), timezone)
    vehicles = fleet.list_vehicles(new_uow(), actor, fc_id)
    drivers = fleet.list_drivers(new_uow(), actor, fc_id)
    chosen = set(form.data.getlist("vehicles")) if form.data.getlist("vehicles") else None
    page = render_template(
        "deliveries/day.html",
        form=form,
        day=day,
        today=_fc_today(timezone),
        waiting=deliveries.waiting_deliveries(new_uow(), actor, fc_id),
        plans=deliveries.list_plans(new_uow(), actor, fc_id, day),
        vehicles=vehicles,
        drivers=drivers,
        chosen=chosen,
        objectives=list(PlanObjective),
        default_time_limit=wiring().settings.delivery_time_limit_s,
        time_limits=(MIN_TIME_LIMIT_S, MAX_TIME_LIMIT_S),
        road_network=roads().name,
        **context,
    )
    return page, status


@blueprint.get(f"/fcs/<{ID}:fc_id>/deliveries")
@roles_required(*MANAGERS)
def day(fc_id: int) -> tuple[str, int]:
    """What waits for the own fleet, the day's plans, and the form to plan the day."""
    return _day_page(fc_id)


def _plan_request(form: OutboundForm, fc_id: int) -> PlanRequest | None:
    """The plan asked for, or None with the refused fields in `form.errors`."""
    day = None
    try:
        day = date.fromisoformat(form.raw("delivery_date"))
    except ValueError:
        form.refuse("delivery_date", _("A date such as 2026-12-31."))
    chosen: list[ChosenVehicle] = []
    for value in form.data.getlist("vehicles"):
        vehicle_id = value if value.isascii() and value.isdigit() and len(value) < 10 else None
        if vehicle_id is None:
            form.refuse("vehicles", _("Choose one of the options."))
            continue
        driver_id = form.whole(f"driver-{vehicle_id}", 1, 2**31 - 1)
        chosen.append(ChosenVehicle(int(vehicle_id), driver_id))
    if not chosen and "vehicles" not in form.errors:
        form.refuse("vehicles", _("Choose at least one vehicle."))
    objective = form.choice("objective", PlanObjective)
    time_limit = form.seconds(
        "time_limit_s",
        int(MIN_TIME_LIMIT_S),
        int(MAX_TIME_LIMIT_S),
        wiring().settings.delivery_time_limit_s,
    )
    if form.errors or day is None or objective is None:
        return None
    return PlanRequest(
        fc_id=fc_id,
        delivery_date=day,
        vehicles=tuple(chosen),
        objective=objective,
        time_limit_s=time_limit,
    )


@blueprint.post(f"/fcs/<{ID}:fc_id>/deliveries")
@roles_required(*MANAGERS)
def plan(fc_id: int) -> Response | tuple[str, int]:
    """Plan the day and show the preview; nothing goes out before it is dispatched."""
    actor = actor_of_request()
    fc_context(actor, fc_id)
    form = OutboundForm(request.form)
    wanted = _plan_request(form, fc_id)
    if wanted is None:
        return _day_page(fc_id, form, 400)
    try:
        planned, _replayed = deliveries.plan_deliveries(
            new_uow(), actor, wanted, roads(), form.key()
        )
    except DomainError as error:
        if isinstance(error, NotFound) and error.field == "fc_id":
            raise
        field = (error.field or "").split(".")[0]
        form.refuse(field if field in PLAN_FIELDS else "delivery_date", message_of(error))
        status = 400 if isinstance(error, InvalidInput | NotFound) else status_of(error)
        return _day_page(fc_id, form, status)
    flash(
        ngettext(
            "Planned %(num)s stop on %(routes)s route; look it over, then dispatch.",
            "Planned %(num)s stops on %(routes)s routes; look it over, then dispatch.",
            planned["stops"],
            routes=planned["routes_used"],
        ),
        "success",
    )
    return redirect(url_for("deliveries.plan_page", plan_id=planned["id"]))


# --- a plan --------------------------------------------------------------------------------------


def _plan_page(
    plan_id: int,
    error: str | None = None,
    status: int = 200,
    form: OutboundForm | None = None,
) -> tuple[str, int]:
    actor = actor_of_request()
    plan = deliveries.get_plan(new_uow(), actor, plan_id)
    context = fc_context(actor, plan["fc_id"])
    used = [route for route in plan["routes"] if route["stops"]]
    drivers = fleet.list_drivers(new_uow(), actor, plan["fc_id"])
    page = render_template(
        "deliveries/plan.html",
        plan=plan,
        used=used,
        idle=[route for route in plan["routes"] if not route["stops"]],
        figure=delivery_map(plan),
        drivers=drivers,
        draft=plan["status"] == DeliveryPlanStatus.DRAFT,
        cod_total=Decimal(plan["cod_total"]),
        off_the_plan=OFF_THE_PLAN,
        error=error,
        form=form or OutboundForm(MultiDict()),
        **context,
    )
    return page, status


@blueprint.get(f"/delivery-plans/<{ID}:plan_id>")
@roles_required(*MANAGERS)
def plan_page(plan_id: int) -> tuple[str, int]:
    """A plan: the map, each route's stops with arrival times, loads and cash, what is left
    out and why; a draft can be changed, then dispatched or discarded."""
    return _plan_page(plan_id)


def _fail(plan_id: int, error: DomainError, form: OutboundForm) -> tuple[str, int]:
    if isinstance(error, NotFound) and error.field == "plan_id":
        raise error
    status = 400 if isinstance(error, InvalidInput) else status_of(error)
    return _plan_page(plan_id, message_of(error), status, form)


@blueprint.post(f"/delivery-plans/<{ID}:plan_id>/moves")
@roles_required(*MANAGERS)
def move(plan_id: int) -> Response | tuple[str, int]:
    """Move a stop to a place on a route, or take it off the plan."""
    actor = actor_of_request()
    form = OutboundForm(request.form, target=None)
    stop_id = form.whole("stop_id", 1, 2**31 - 1, required=True)
    form.target = stop_id
    target = form.raw("route_id")
    route_id = None
    if target != OFF_THE_PLAN:
        route_id = form.whole("route_id", 1, 2**31 - 1, required=True)
    position = form.whole("position", 1, 100_000)
    if form.errors or stop_id is None:
        message = next(iter(form.errors.values()))
        return _plan_page(plan_id, message, 400, form)
    change = StopMove(stop_id=stop_id, route_id=route_id, position=position)
    try:
        delivery_dispatch.move_stop(new_uow(), actor, plan_id, change, roads(), form.key())
    except DomainError as error:
        return _fail(plan_id, error, form)
    flash(_("The stop is moved and the routes are timed again."), "success")
    anchor = f"route-{route_id}" if route_id else "left-out"
    return redirect(url_for("deliveries.plan_page", plan_id=plan_id, _anchor=anchor))


@blueprint.post(f"/delivery-plans/<{ID}:plan_id>/drivers")
@roles_required(*MANAGERS)
def drivers(plan_id: int) -> Response | tuple[str, int]:
    """Choose the driver of each route."""
    actor = actor_of_request()
    form = OutboundForm(request.form)
    assignments = []
    for name in form.data:
        if not name.startswith("driver-"):
            continue
        route_text = name.removeprefix("driver-")
        if not (route_text.isascii() and route_text.isdigit() and len(route_text) < 10):
            form.refuse(name, _("Choose one of the options."))
            continue
        route_id = int(route_text)
        driver_id = form.whole(name, 1, 2**31 - 1)
        assignments.append(DriverAssignment(route_id=route_id, driver_id=driver_id))
    if form.errors or not assignments:
        return _plan_page(plan_id, _("Choose one of the options."), 400, form)
    try:
        delivery_dispatch.assign_drivers(new_uow(), actor, plan_id, assignments, form.key())
    except DomainError as error:
        return _fail(plan_id, error, form)
    flash(_("The drivers are saved."), "success")
    return redirect(url_for("deliveries.plan_page", plan_id=plan_id))


@blueprint.post(f"/delivery-plans/<{ID}:plan_id>/<any(dispatch, discard):decision>")
@roles_required(*MANAGERS)
def decide(plan_id: int, decision: str) -> Response | tuple[str, int]:
    """Dispatch the routes to the drivers, or discard the draft."""
    actor = actor_of_request()
    form = OutboundForm(request.form)
    act = (
        delivery_dispatch.dispatch_plan
        if decision == "dispatch"
        else delivery_dispatch.discard_plan
    )
    try:
        decided, _replayed = act(new_uow(), actor, plan_id, form.key())
    except DomainError as error:
        return _fail(plan_id, error, form)
    if decision == "dispatch":
        message = ngettext(
            "Plan %(reference)s is dispatched: %(num)s route is out for delivery.",
            "Plan %(reference)s is dispatched: %(num)s routes are out for delivery.",
            decided["routes_used"],
            reference=decided["reference"],
        )
    else:
        message = _(
            "Plan %(reference)s is discarded; its parcels wait for the next plan.",
            reference=decided["reference"],
        )
    flash(message, "success")
    return redirect(url_for("deliveries.plan_page", plan_id=plan_id))


@blueprint.get(f"/delivery-routes/<{ID}:route_id>/route-sheet.pdf")
@roles_required(*MANAGERS)
def route_sheet(route_id: int) -> Response:
    """The driver's route sheet of one route, as a PDF download."""
    name, pdf = route_sheets.route_sheet_pdf(new_uow(), actor_of_request(), route_id)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
