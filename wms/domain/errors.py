"""Errors raised by the warehouse rules and use cases; they carry no HTTP knowledge."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused a request; `field` names the input at fault, when there is one."""

    code = "domain_error"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    """The input breaks a rule of its own (a bad check digit, an empty name, ...)."""

    code = "invalid_input"

    def __init__(
        self, message: str, field: str | None = None, fields: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(message, field)
        self.fields = fields or ({field: [message]} if field else {})


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it does."""

    code = "not_found"


class PermissionDenied(DomainError):
    """The caller's role may not do this."""

    code = "forbidden"


class Conflict(DomainError):
    """The request clashes with the current state (a duplicate code, a reused key)."""

    code = "conflict"


class InsufficientStock(Conflict):
    """Stock would go negative, or below what is reserved."""

    code = "insufficient_stock"


class ExternalFailure(DomainError):
    """A device or system outside the WMS (a printer, a marketplace) did not do its part; the
    message names it and says why."""

    code = "external_failure"


class AuthenticationFailed(DomainError):
    """No valid credentials were given."""

    code = "unauthenticated"
