"""Bearer-token authentication for API endpoints."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, request

from wms.bootstrap import new_uow
from wms.domain.actors import Actor
from wms.domain.errors import AuthenticationFailed
from wms.services.auth import actor_for_token

F = TypeVar("F", bound=Callable[..., Any])
BEARER = [{"bearerAuth": []}]


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed("Send 'Authorization: Bearer <token>'; log in at /auth/tokens.")
    return token.strip()


def authenticated(view: F) -> F:
    """Require a valid bearer token; the caller is then `current_actor()`."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.actor = actor_for_token(new_uow(), bearer_token())
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def current_actor() -> Actor:
    actor: Actor = g.actor
    return actor
