"""Web UI: the manager UI and the merchant portal (server-rendered Jinja pages)."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, request
from flask_babel import Babel, get_locale
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response

from wms.bootstrap import EXTENSION, wiring
from wms.web.i18n import TRANSLATIONS_DIR, compile_catalogs, offered_languages, select_locale
from wms.web.labels import purpose_label, role_label, temperature_label
from wms.web.security import current_actor, this_page

# Paths served without pages' sessions, CSRF checks or page headers: the JSON API (bearer
# tokens, no cookies) and static files.
API_PATH = "/api/"
STATIC_PATH = "/static/"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
)


def init_web(app: Flask) -> None:
    """Register the web pages, translations and CSRF protection."""
    from scanners.ui import blueprint as scanner_blueprint
    from wms.web.channels import blueprint as channels_blueprint
    from wms.web.deliveries import blueprint as deliveries_blueprint
    from wms.web.inbound import blueprint as inbound_blueprint
    from wms.web.labels_pages import blueprint as labels_blueprint
    from wms.web.outbound import blueprint as outbound_blueprint
    from wms.web.pages import blueprint as pages_blueprint
    from wms.web.printing import blueprint as printing_blueprint

    settings = app.extensions[EXTENSION].settings
    compile_catalogs()
    app.config.update(
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        BABEL_TRANSLATION_DIRECTORIES=str(TRANSLATIONS_DIR),
        # Forms are checked by `_check_csrf` below, which leaves the bearer-token API alone.
        WTF_CSRF_CHECK_DEFAULT=False,
    )
    # A page left open for a shift (a scanner) keeps working: tokens live as long as the session.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    Babel(app, locale_selector=select_locale)
    csrf = CSRFProtect(app)

    @app.before_request
    def _load_actor() -> None:
        if not _is_api_or_static():
            current_actor()

    @app.before_request
    def _check_csrf() -> None:
        if not app.config.get("WTF_CSRF_ENABLED", True) or _is_api_or_static():
            return
        if request.method in app.config.get("WTF_CSRF_METHODS", ("POST", "PUT", "PATCH", "DELETE")):
            csrf.protect()

    @app.after_request
    def _page_headers(response: Response) -> Response:
        if _is_api_or_static():
            return response
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if g.get("actor") is not None:
            # Pages of a logged-in user are not kept by the browser after logout.
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.context_processor
    def _page_context() -> dict[str, Any]:
        if _is_api_or_static():
            return {}
        return {
            "actor": g.get("actor"),
            "languages": offered_languages(),
            "current_locale": str(get_locale() or wiring().settings.default_locale),
            "this_page": this_page(),
        }

    app.add_template_filter(role_label)
    app.add_template_filter(purpose_label)
    app.add_template_filter(temperature_label)
    app.register_blueprint(pages_blueprint)
    app.register_blueprint(inbound_blueprint)
    app.register_blueprint(outbound_blueprint)
    app.register_blueprint(printing_blueprint)
    app.register_blueprint(labels_blueprint)
    app.register_blueprint(deliveries_blueprint)
    app.register_blueprint(channels_blueprint)
    app.register_blueprint(scanner_blueprint)


def _is_api_or_static() -> bool:
    return request.path.startswith((API_PATH, STATIC_PATH))
