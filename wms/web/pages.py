"""The pages: login and logout, the language switch, the FC overview and the merchant's stock."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from wms.bootstrap import new_uow, wiring
from wms.domain.actors import Role
from wms.domain.errors import AuthenticationFailed, InvalidInput
from wms.services import auth, facilities, overview, stock
from wms.services.paging import PageRequest
from wms.web.i18n import SESSION_LOCALE
from wms.web.security import (
    WAREHOUSE_ROLES,
    actor_of_request,
    current_actor,
    log_in,
    log_out,
    redirect_home,
    roles_required,
    safe_next,
)

blueprint = Blueprint("web", __name__)

STOCK_PAGE_SIZE = 20
NEAR_EXPIRY_DAYS = 30


@blueprint.get("/")
def index() -> Response:
    """Each role's home page; the login page for visitors."""
    actor = current_actor()
    if actor is None:
        return redirect(url_for("web.login"))
    return redirect_home(actor)


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int]:
    """The login form; a wrong email or password is refused with 401 and changes nothing."""
    next_page = safe_next(request.values.get("next"))
    if request.method == "GET":
        actor = current_actor()
        if actor is not None:
            return redirect(next_page or url_for("web.index"))
        return render_template("login.html", email="", error=None, next_page=next_page), 200
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    if not email or not password:
        error = _("Enter your email and password.")
        return render_template("login.html", email=email, error=error, next_page=next_page), 400
    try:
        actor, _user = auth.authenticate(new_uow(), email, password)
    except AuthenticationFailed:
        error = _("Wrong email or password.")
        return render_template("login.html", email=email, error=error, next_page=next_page), 401
    log_in(actor)
    return redirect(next_page or url_for("web.index"))


@blueprint.post("/logout")
def logout() -> Response:
    log_out()
    return redirect(url_for("web.login"))


@blueprint.post("/language")
def choose_language() -> Response:
    """Switch the pages' language; a logged-in user keeps the choice for the next login."""
    allowed = wiring().settings.locales
    locale = request.form.get("locale", "")
    if locale not in allowed:
        raise InvalidInput(_("Choose one of the languages offered."), "locale")
    actor = current_actor()
    if actor is not None:
        auth.set_locale(new_uow(), actor, locale, allowed)
    session[SESSION_LOCALE] = locale
    return redirect(safe_next(request.form.get("next")) or url_for("web.index"))


@blueprint.get("/fcs")
@roles_required(*WAREHOUSE_ROLES)
def fc_home() -> Response | str:
    """The overview of the first FC the user works in."""
    fcs = facilities.list_fcs(new_uow(), actor_of_request())
    if not fcs:
        return render_template("overview.html", overview=None, fcs=[])
    return redirect(url_for("web.fc_overview", fc_id=fcs[0]["id"]))


@blueprint.get("/fcs/<id:fc_id>")
@roles_required(*WAREHOUSE_ROLES)
def fc_overview(fc_id: int) -> str:
    """Bins, units and SKUs per zone of one FC; another FC's id is not found."""
    actor = actor_of_request()
    summary = overview.fc_overview(new_uow(), actor, fc_id)
    fcs = facilities.list_fcs(new_uow(), actor)
    return render_template("overview.html", overview=summary, fcs=fcs)


@blueprint.get("/stock", endpoint="stock")
@roles_required(Role.MERCHANT)
def stock_page() -> str:
    """The merchant's stock by SKU, lot and expiry, page by page, optionally in one FC."""
    actor = actor_of_request()
    fcs = {fc["id"]: fc for fc in facilities.list_fcs(new_uow(), actor)}
    fc_id = request.args.get("fc_id", type=int)
    if fc_id not in fcs:
        fc_id = None
    page_number = max(request.args.get("page", 1, type=int) or 1, 1)
    found = stock.query_stock(
        new_uow(), actor, PageRequest(page_number, STOCK_PAGE_SIZE), fc_id=fc_id
    )
    today = {fc_key: _today_in(fc["timezone"]) for fc_key, fc in fcs.items()}
    rows = [_stock_row(item, fcs, today) for item in found["items"]]
    return render_template(
        "stock.html",
        rows=rows,
        result=found,
        fcs=list(fcs.values()),
        fc_id=fc_id,
        near_expiry_days=NEAR_EXPIRY_DAYS,
    )


def _today_in(timezone: str) -> date:
    return datetime.now(ZoneInfo(timezone)).date()


def _stock_row(
    item: dict[str, Any], fcs: dict[int, dict[str, Any]], today: dict[int, date]
) -> dict[str, Any]:
    """A balance with its FC's code and how close its lot is to expiry (in the FC's calendar)."""
    row = dict(item)
    fc = fcs.get(item["fc_id"])
    row["fc_code"] = fc["code"] if fc else str(item["fc_id"])
    row["days_left"] = None
    row["expiry_state"] = None
    if item["expiry_date"]:
        expiry = date.fromisoformat(item["expiry_date"])
        days_left = (expiry - today.get(item["fc_id"], _today_in("UTC"))).days
        row["days_left"] = days_left
        if days_left < 0:
            row["expiry_state"] = "expired"
        elif days_left <= NEAR_EXPIRY_DAYS:
            row["expiry_state"] = "near"
    return row
