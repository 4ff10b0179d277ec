"""One JSON error shape for every API failure, and the table of domain errors to statuses."""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, jsonify, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from wms.domain.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    ExternalFailure,
    InvalidInput,
    NotFound,
    PermissionDenied,
)

log = logging.getLogger(__name__)

STATUS_OF: list[tuple[type[DomainError], int]] = [
    (AuthenticationFailed, 401),
    (PermissionDenied, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidInput, 422),
    (ExternalFailure, 502),
    (DomainError, 400),
]

CODE_OF_STATUS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_error",
    502: "bad_gateway",
}


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def error_body(
    status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The error shape: {"error": {"status", "code", "message", "fields": {name: [reasons]}}}."""
    return {"error": {"status": status, "code": code, "message": message, "fields": fields or {}}}


def _flatten(messages: dict[str, Any]) -> dict[str, Any]:
    """Webargs groups field errors by location (json, query, headers); callers want the names."""
    fields: dict[str, Any] = {}
    for location, errors in messages.items():
        if isinstance(errors, dict):
            for name, reasons in errors.items():
                fields["body" if name == "_schema" else name] = reasons
        else:
            fields[location] = errors
    return fields


def status_of(error: DomainError) -> int:
    """The HTTP status of a domain error, for the API and the pages alike."""
    return next(code for kind, code in STATUS_OF if isinstance(error, kind))


def domain_error_response(error: DomainError) -> tuple[Response, int]:
    status = status_of(error)
    fields = getattr(error, "fields", None) or (
        {error.field: [error.message]} if error.field else {}
    )
    response = jsonify(error_body(status, error.code, error.message, fields))
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="wms"'
    return response, status


class WmsApi(Api):
    """flask-smorest's Api with our error shape for /api/ paths."""

    def handle_http_exception(self, error: HTTPException) -> Any:
        if not is_api_request():
            from wms.web.errors import render_http_error

            return render_http_error(error)
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        fields = _flatten(data["messages"]) if "messages" in data else data.get("errors", {})
        if status == 422:
            message = "The request has invalid fields: " + ", ".join(sorted(fields)) + "."
        else:
            message = data.get("message") or error.description or error.name
        body = error_body(status, CODE_OF_STATUS.get(status, "error"), message, fields)
        headers = data.get("headers", {})
        return jsonify(body), status, headers


def unexpected_error_response(error: Exception) -> tuple[Response, int]:
    log.exception("unexpected error on %s %s", request.method, request.path, exc_info=error)
    return jsonify(error_body(500, "internal_error", "Something went wrong on our side.")), 500
