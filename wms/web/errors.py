"""Error pages for the web UI, in the user's language (the API answers in JSON instead)."""

from __future__ import annotations

import logging

from flask import render_template, request
from flask_babel import gettext, lazy_gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from wms.api.errors import status_of
from wms.domain.errors import DomainError

log = logging.getLogger(__name__)

TITLES = {
    400: lazy_gettext("The request could not be understood"),
    401: lazy_gettext("Please log in"),
    403: lazy_gettext("You do not have access to this page"),
    404: lazy_gettext("Not found"),
    405: lazy_gettext("This action is not allowed here"),
    409: lazy_gettext("This clashes with the current state"),
    413: lazy_gettext("The upload is too large"),
    422: lazy_gettext("Please check what you entered"),
    500: lazy_gettext("Something went wrong"),
}

MESSAGES = {
    400: lazy_gettext("The request was incomplete or malformed."),
    401: lazy_gettext("Log in to see this page."),
    403: lazy_gettext("Your role does not give you access to this page."),
    404: lazy_gettext("There is nothing at this address, or it is not yours to see."),
    405: lazy_gettext("This page does not accept this kind of request."),
    413: lazy_gettext("Send a smaller file."),
    500: lazy_gettext("Something went wrong on our side. Please try again."),
}

# Messages of the use cases that reach the pages; listed here so the catalogs translate them.
DOMAIN_MESSAGES = (lazy_gettext("No such fulfillment center."),)


def _title(status: int) -> str:
    return str(TITLES.get(status, TITLES[400] if status < 500 else TITLES[500]))


def render_http_error(error: HTTPException) -> tuple[str, int, dict[str, str]]:
    status = error.code or 500
    if isinstance(error, CSRFError):
        message = gettext(
            "This form has expired or did not come from this site. "
            "Go back, reload the page and try again."
        )
    else:
        message = str(MESSAGES.get(status, error.description or ""))
    headers = {name: value for name, value in error.get_headers() if name == "Allow"}
    page = render_template("error.html", status=status, title=_title(status), message=message)
    return page, status, headers


def render_domain_error(error: DomainError) -> tuple[str, int]:
    status = status_of(error)
    # A use case's message is translated when the catalogs know it, else shown as it is.
    message = gettext(error.message)
    page = render_template("error.html", status=status, title=_title(status), message=message)
    return page, status


def render_unexpected_error(error: Exception) -> tuple[str, int]:
    log.exception("unexpected error on %s %s", request.method, request.path, exc_info=error)
    message = str(MESSAGES[500])
    return render_template("error.html", status=500, title=_title(500), message=message), 500
