"""Every API error is JSON: ``{"status_code", "detail", "extra": [{"key", "message"}]}``.

The shape is Litestar's own validation error, so a client reads one format for all of them.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from inspection.errors import ServiceError


def service_error_to_json(request: Request[Any, Any, Any], exc: ServiceError) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {"status_code": exc.status_code, "detail": exc.message}
    if exc.field:
        body["extra"] = [{"key": exc.field, "message": exc.message}]
    return Response(content=body, status_code=exc.status_code, headers=exc.headers)
