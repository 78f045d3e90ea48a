"""One error hierarchy: every failure a user can cause carries a message and an HTTP status."""

from __future__ import annotations


class ManyiError(Exception):
    """Base of manyi's own errors; `message` is safe to show, `status_code` maps it to HTTP."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(ManyiError):
    """The object does not exist (or the caller may not know that it does)."""

    status_code = 404


class AuthenticationError(ManyiError):
    """No valid credentials were presented."""

    status_code = 401


class PermissionDeniedError(ManyiError):
    """The caller is known but their role does not allow the action."""

    status_code = 403


class ConflictError(ManyiError):
    """The action conflicts with existing state (e.g. a duplicate user name)."""

    status_code = 409


class RateLimitedError(ManyiError):
    """Too many attempts in a short time."""

    status_code = 429


class InputError(ManyiError):
    """Input is malformed; the message names the row, field and reason where it can."""

    status_code = 422
