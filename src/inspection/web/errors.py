"""Errors as pages: the status the API would answer, with a page (or, for htmx, a message)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException
from litestar.exceptions.responses import create_exception_response
from litestar.response import Redirect

from inspection.errors import ServiceError
from inspection.web.i18n import translations
from inspection.web.labels import STATUSES
from inspection.web.render import current_user, is_htmx, language_of, render

# htmx puts an error's message in the page's message area instead of the form's target.
_HTMX_MESSAGE = {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}


def error_page(
    request: Request[Any, Any, Any],
    status_code: int,
    message: str,
    values: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    """``message`` is translated, then filled with ``values`` (a service error's template)."""
    return render(
        request,
        "error.html",
        partial="_partials/messages.html",
        status_code=status_code,
        headers={**(headers or {}), **(_HTMX_MESSAGE if is_htmx(request) else {})},
        status=status_code,
        message=message,
        values=values or {},
    )


def service_error(request: Request[Any, Any, Any], exc: ServiceError) -> Response[Any]:
    # A state named in a message reads in the page's language too.
    catalog = translations(language_of(request))
    values = {
        name: catalog.gettext(STATUSES[value]) if isinstance(value, str) and value in STATUSES else value
        for name, value in exc.values.items()
    }
    return error_page(request, exc.status_code, exc.template, values, exc.headers)


def sign_in_first(request: Request[Any, Any, Any], exc: NotAuthorizedException) -> Response[Any]:
    """Anonymous visitors go to the login form, and come back where they were going."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = "/login?" + urlencode({"next": target})
    if is_htmx(request):
        return Response(None, status_code=401, headers={"HX-Redirect": location})
    return Redirect(location, status_code=303)


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """A page for browsers; the API (and anything asking for JSON) keeps Litestar's JSON body."""
    wants_html = "text/html" in request.headers.get("accept", "") or is_htmx(request)
    if request.url.path.startswith("/api/") or not wants_html:
        return create_exception_response(request, exc)
    if exc.status_code == 401 and current_user(request) is None:
        return sign_in_first(request, NotAuthorizedException())
    return error_page(request, exc.status_code, exc.detail)


def bad_request(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """A 400 as :func:`http_error` answers it, except that a path parameter refused by its type
    (an id no row can have, schemas.PathId) names nothing that exists: 404, as an unknown
    path is, whatever else the request got wrong."""
    errors = exc.extra if isinstance(exc.extra, list) else []
    if any(isinstance(error, dict) and error.get("source") == "path" for error in errors):
        return http_error(request, NotFoundException())
    return http_error(request, exc)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ServiceError: service_error,
    NotAuthorizedException: sign_in_first,
    HTTPException: http_error,
}
