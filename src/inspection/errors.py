"""Errors a service raises for the caller to see; each knows its HTTP status.

They carry a message a user can act on and, for bad input, the field it concerns. A
message with values is a ``%(name)s`` template and its values, kept apart so the pages
can translate the template (:mod:`inspection.web.messages` lists them); ``message`` is
the English text the API answers.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    status_code = 400

    def __init__(self, template: str, *, field: str | None = None, **values: Any) -> None:
        message = template % values if values else template
        super().__init__(message)
        self.message = message
        self.template = template
        self.values = values
        self.field = field
        # HTTP headers the answer carries (a 429's Retry-After).
        self.headers: dict[str, str] = {}


class Invalid(ServiceError):
    """The input is well-formed but not acceptable (400)."""

    status_code = 400


class Forbidden(ServiceError):
    """The user may see the thing but not do this to it (403)."""

    status_code = 403


class NotFound(ServiceError):
    """No such thing, or the user may not see it (404)."""

    status_code = 404


class Conflict(ServiceError):
    """The thing's state does not allow this now, or someone changed it first (409)."""

    status_code = 409


class TooManyRequests(ServiceError):
    """Too many tries too quickly (429); ``retry_after`` says in how many seconds to try again."""

    status_code = 429

    def __init__(self, template: str, *, retry_after: int, **values: Any) -> None:
        super().__init__(template, **values)
        self.headers = {"Retry-After": str(retry_after)}
