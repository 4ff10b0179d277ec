"""The Flask application factory."""

from __future__ import annotations

import logging

from flask import Flask, request
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import BadRequest

from wms.api import init_api
from wms.api.errors import domain_error_response, is_api_request, unexpected_error_response
from wms.bootstrap import EXTENSION, wire
from wms.cli import wms_cli
from wms.domain.errors import DomainError
from wms.settings import Settings, load_settings
from wms.web import init_web

DEV_SECRET = Settings().secret_key
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def create_app(
    settings: Settings | None = None, *, session_factory: sessionmaker[Session] | None = None
) -> Flask:
    """Build the app for `settings` (loaded from config/ and WMS_* when not given)."""
    settings = settings or load_settings()
    if settings.env == "production" and settings.secret_key == DEV_SECRET:
        raise RuntimeError("Set WMS_SECRET_KEY: production cannot run on the development key.")
    app = Flask(__name__, template_folder="web/templates", static_folder="web/static")
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TESTING=settings.testing,
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_NAME="wms_session",
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Thai stays readable in JSON
    app.extensions[EXTENSION] = wire(settings, session_factory)
    init_api(app)
    init_web(app)
    _register_error_handlers(app)
    app.cli.add_command(wms_cli)
    if not app.debug and not settings.testing:
        logging.basicConfig(level=logging.INFO)
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    return app


def _register_error_handlers(app: Flask) -> None:
    from wms.web.errors import render_domain_error, render_unexpected_error

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> object:
        if is_api_request():
            return domain_error_response(error)
        return render_domain_error(error)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> object:
        if isinstance(error, RecursionError) and request.is_json:
            # The JSON parser gives up on a body nested thousands deep: that is bad input.
            return app.handle_http_exception(BadRequest("The JSON body is nested too deeply."))
        if is_api_request():
            return unexpected_error_response(error)
        return render_unexpected_error(error)
