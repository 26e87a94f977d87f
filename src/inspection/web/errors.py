"""Errors as pages: the status the API would answer, with a page (or, for htmx, a message).

No page shows a bare framework message: Litestar's own errors (no such path, a method the
address does not take, a body too large, a crash) get the project's error page, in the
user's language and with the menu.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import (
    HTTPException,
    InternalServerException,
    NotAuthorizedException,
    NotFoundException,
)
from litestar.exceptions.responses import create_exception_response
from litestar.response import Redirect
from litestar.types import Scope

from inspection.auth.sessions import COOKIE
from inspection.errors import ServiceError
from inspection.web.auth import safe_next
from inspection.web.labels import message_values
from inspection.web.render import current_user, is_htmx, language_of, render

# htmx puts an error's message in the page's message area instead of the form's target.
_HTMX_MESSAGE = {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}


def error_page(
    request: Request[Any, Any, Any],
    status_code: int,
    message: str,
    values: dict[str, Any] | None = None,
    sign_in: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    """``message`` is translated, then filled with ``values`` (a service error's template);
    an empty one leaves the status's own words (``_partials/messages.html``) alone."""
    return render(
        request,
        "error.html",
        partial="_partials/messages.html",
        status_code=status_code,
        headers={**(headers or {}), **(_HTMX_MESSAGE if is_htmx(request) else {})},
        status=status_code,
        message=message,
        values=values or {},
        sign_in=sign_in,
    )


def service_error(request: Request[Any, Any, Any], exc: ServiceError) -> Response[Any]:
    # A state, a day or a number named in a message reads in the page's language too.
    values = message_values(exc.values, language_of(request))
    return error_page(request, exc.status_code, exc.template, values, headers=exc.headers)


def came_from(request: Request[Any, Any, Any]) -> str:
    """The page the user was on when the request was made.

    A GET's own address; for a form sent from a page, that page (htmx names it in
    ``HX-Current-URL``, a browser in ``Referer``). Signing in then returns to a page, never
    to an address that only takes POST (which would answer 405).
    """
    if request.method == "GET":
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    page = urlsplit(request.headers.get("hx-current-url") or request.headers.get("referer") or "/")
    if page.netloc and page.netloc != request.headers.get("host"):
        return "/"
    return safe_next(page.path + (f"?{page.query}" if page.query else ""))


def sign_in_first(request: Request[Any, Any, Any], exc: NotAuthorizedException) -> Response[Any]:
    """Anonymous visitors go to the login form, and come back to the page they were on.

    An htmx request (a session that ended while a page was open) stays on its page: going to
    the login form would throw away what the form holds. It answers 401 with a message and a
    sign-in link instead; the checklist's script keeps unsent answers queued and sends them
    once signed in again (``static/js/field.js``).
    """
    location = "/login?" + urlencode({"next": came_from(request)})
    if is_htmx(request):
        return error_page(request, 401, "", sign_in=location)
    return Redirect(location, status_code=303)


def _wants_page(request: Request[Any, Any, Any]) -> bool:
    """A browser's request for a page; the API and anything asking for JSON keep JSON errors."""
    if request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "") or is_htmx(request)


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """A page for browsers, with the status's own words: Litestar's details ("Method Not
    Allowed", "CSRF token verification failed") are English for developers."""
    if not _wants_page(request):
        return create_exception_response(request, exc)
    if exc.status_code == 401 and current_user(request) is None:
        return sign_in_first(request, NotAuthorizedException())
    return error_page(request, exc.status_code, "")


def bad_request(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """A 400 as :func:`http_error` answers it, except that a path parameter refused by its type
    (an id no row can have, schemas.PathId) names nothing that exists: 404, as an unknown
    path is, whatever else the request got wrong."""
    errors = exc.extra if isinstance(exc.extra, list) else []
    if any(isinstance(error, dict) and error.get("source") == "path" for error in errors):
        return http_error(request, NotFoundException())
    return http_error(request, exc)


def server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Any other exception (a bug, a lost database): logged by Litestar, a page for browsers."""
    if not _wants_page(request):
        return create_exception_response(request, InternalServerException())
    return error_page(request, 500, "")


async def recognise_user(exc: Exception, scope: Scope) -> None:
    """Read the session for errors raised before authentication ran.

    Litestar finds no route (404) or no handler for the method (405) before any middleware
    runs, so the request has no user yet, and its error page would lose the menu and the
    user's language. This ``after_exception`` hook (called before the exception handler)
    reads the session cookie as the authentication middleware would.
    """
    if scope["type"] != ScopeType.HTTP or "user" in scope or scope["path"].startswith("/api/"):
        return
    connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
    token = connection.cookies.get(COOKIE)
    if token:
        scope["user"] = await connection.app.state.sessions.get(token)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ServiceError: service_error,
    NotAuthorizedException: sign_in_first,
    HTTPException: http_error,
}
