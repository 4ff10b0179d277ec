"""Who is logged in to the pages, which role sees which page, and where each role starts."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, g, redirect, request, session, url_for
from werkzeug.wrappers import Response

from wms.bootstrap import new_uow
from wms.domain.actors import Actor, Role
from wms.services.auth import actor_for_user

F = TypeVar("F", bound=Callable[..., Any])
SESSION_USER = "user_id"

WAREHOUSE_ROLES = (Role.ADMIN, Role.MANAGER, Role.STAFF)
HOME_ENDPOINT = {
    Role.ADMIN: "web.fc_home",
    Role.MANAGER: "web.fc_home",
    Role.STAFF: "scanner.home",
    Role.MERCHANT: "web.stock",
}


def current_actor() -> Actor | None:
    """The actor of the logged-in session (loaded once per request), or None."""
    if "actor" not in g:
        user_id = session.get(SESSION_USER)
        actor = actor_for_user(new_uow(), user_id) if isinstance(user_id, int) else None
        if actor is None and SESSION_USER in session:
            # The account was removed or disabled since the login.
            session.pop(SESSION_USER)
        g.actor = actor
    found: Actor | None = g.actor
    return found


def log_in(actor: Actor) -> None:
    """Start a fresh session for the actor (nothing of the anonymous session is kept)."""
    session.clear()
    session[SESSION_USER] = actor.user_id
    g.actor = actor


def log_out() -> None:
    session.clear()
    g.actor = None


def home_url(actor: Actor) -> str:
    return url_for(HOME_ENDPOINT[actor.role])


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site (never another host), else None."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def this_page() -> str:
    """The page to come back to after a form: this one, or the home page after a POST."""
    if request.method not in ("GET", "HEAD"):
        return url_for("web.index")
    return request.full_path.rstrip("?") if request.query_string else request.path


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Let only these roles see the page: others get 403, anonymous visitors the login page."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            actor = current_actor()
            if actor is None:
                return redirect(url_for("web.login", next=this_page()))
            if actor.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def actor_of_request() -> Actor:
    """The logged-in actor, in a view guarded by `roles_required`."""
    actor = current_actor()
    if actor is None:
        abort(401)
    return actor


def redirect_home(actor: Actor) -> Response:
    return redirect(home_url(actor))
