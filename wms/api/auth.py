"""Logging in and out of the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_smorest import Blueprint

from wms.api.schemas import LoginSchema, TokenSchema, UserSchema
from wms.api.security import BEARER, authenticated, bearer_token, current_actor
from wms.bootstrap import new_uow, wiring
from wms.services import auth

PREFIX = "/auth"
blp = Blueprint("auth", __name__, description="Log in for a bearer token; log out.")


@blp.route("/tokens", methods=["POST"])
@blp.arguments(LoginSchema)
@blp.response(201, TokenSchema)
def login(data: dict[str, Any]) -> dict[str, Any]:
    """Exchange email and password for a bearer token."""
    ttl = timedelta(hours=wiring().settings.token_ttl_hours)
    return auth.issue_token(new_uow(), data["email"], data["password"], data["label"], ttl)


@blp.route("/tokens/current", methods=["DELETE"])
@blp.doc(security=BEARER)
@blp.response(204)
@authenticated
def logout() -> None:
    """Revoke the token used for this request."""
    auth.revoke_token(new_uow(), bearer_token())


@blp.route("/me", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, UserSchema)
@authenticated
def me() -> dict[str, Any]:
    """Who the token belongs to: role, merchant and FCs."""
    return auth.describe_user(new_uow(), current_actor())
