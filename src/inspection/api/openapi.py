"""What the published schema says of every API operation: the errors it can answer, and how to sign in.

Each operation's error answers are derived from what the operation is, by the rules that
produce them, so a new route is documented without anyone remembering to:

- **401**: every API path but signing in and out (the authentication middleware's rule);
- **400**: every operation that reads anything from the request (a query, a body, a path);
- **403**: every operation behind a role guard, and every change (``POST`` is refused to a
  cookie without JSON, and the services refuse a role what it may not do);
- **404**: every path that names something (``/api/units/{unit_id}``).

An answer that only the service behind an operation knows it gives (a state conflict, a
duplicate, a throttled sign-in, a unit named in a query that does not exist) is declared on
the route handler with :func:`may_answer`. Every error has the one body :class:`ErrorOut`.
The fuzz test (``tests/test_fuzz_api.py``) fails on any status an operation answers that its
schema does not list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Components, SecurityRequirement, SecurityScheme
from litestar.routes import HTTPRoute

from inspection.auth.middleware import OPEN_API_PATHS
from inspection.auth.sessions import COOKIE
from inspection.dependencies import DEPENDENCIES


class ErrorField(msgspec.Struct, kw_only=True):
    """What is wrong with one field: ``key`` names it (``member_ids.0``, ``unit_id``)."""

    key: str
    message: str
    # Where the field was read: "body", "query", "path" (absent when a service names it).
    source: str = ""


class ErrorOut(msgspec.Struct, kw_only=True):
    """Every error the API answers: the status, a message, and the fields at fault if any."""

    status_code: int
    detail: str
    extra: list[ErrorField] | None = None


_ERRORS = "errors"

DESCRIPTIONS = {
    400: "Bad input: nothing was written; `extra` names each field at fault and why.",
    401: "Not signed in: sign in with `POST /api/auth/login` (session cookie) or send "
    "`Authorization: Bearer <token>`.",
    403: "Signed in, but this role may not do this here (or a cookie-authenticated POST sent "
    "neither as JSON nor with `X-Requested-With`).",
    404: "No such thing, or one you may not see; an id outside 1..2147483647 names nothing.",
    409: "The state forbids this now (the reason is in `detail`), someone changed it first "
    "(`version`), or it duplicates something unique (`extra` names the field).",
    429: "Too many failed sign-ins for this username from this address: wait the seconds "
    "the `Retry-After` header says.",
}

# Values handlers receive that read nothing a client sends (the principal, the settings...).
_FROM_SERVER = frozenset(DEPENDENCIES) - {"filters"}

BEARER = "bearer"
SESSION = "session"
SECURITY_SCHEMES: dict[str, SecurityScheme] = {
    BEARER: SecurityScheme(
        type="http",
        scheme="bearer",
        description="A token made with `POST /api/tokens`, sent as `Authorization: Bearer <token>`.",
    ),
    SESSION: SecurityScheme(
        type="apiKey",
        name=COOKIE,
        security_scheme_in="cookie",
        description="The session cookie `POST /api/auth/login` sets. A POST with it must be JSON "
        "or carry `X-Requested-With`.",
    ),
}
COMPONENTS = Components(security_schemes=dict(SECURITY_SCHEMES))
SIGNED_IN: list[SecurityRequirement] = [{BEARER: []}, {SESSION: []}]


def may_answer(*statuses: int) -> dict[str, Any]:
    """A route handler's ``opt`` declaring error statuses its service gives beyond the derived ones."""
    unknown = set(statuses) - set(DESCRIPTIONS)
    if unknown:
        raise ValueError(f"no description for status {sorted(unknown)}")
    return {_ERRORS: frozenset(statuses)}


def error_statuses(route: HTTPRoute, handler: HTTPRouteHandler) -> set[int]:
    """The error statuses ``handler`` on ``route`` can answer (see the module's rules)."""
    statuses: set[int] = set(handler.opt.get(_ERRORS, ()))
    if route.path not in OPEN_API_PATHS:
        statuses.add(401)
    if set(handler.parsed_fn_signature.parameters) - _FROM_SERVER - {"request", "self"}:
        statuses.add(400)
    if handler.resolve_guards() or handler.http_methods - {"GET", "HEAD"}:
        statuses.add(403)
    if route.path_parameters:
        statuses.add(404)
    return statuses


def _responses(statuses: Iterable[int]) -> dict[int, ResponseSpec]:
    return {
        status: ResponseSpec(ErrorOut, description=DESCRIPTIONS[status], generate_examples=False)
        for status in sorted(statuses)
    }


def document_api(app: Litestar) -> None:
    """Give every API operation its error answers and its security requirements.

    Called once the app's routes are registered and before the schema is first built, which
    Litestar does on the first request for it.
    """
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/"):
            continue
        for handler in route.route_handlers:
            handler.responses = {**_responses(error_statuses(route, handler)), **(handler.responses or {})}
            if route.path not in OPEN_API_PATHS:
                handler.security = SIGNED_IN
