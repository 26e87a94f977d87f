"""JSON bodies are strict: a boolean is true or false, a number is a number; and no text holds NUL.

Litestar reads every parameter, the body included, with msgspec's lax rules, which a query
string or a form needs (there everything is text: ``?open=true``), so ``{"active": 0}`` or
``{"active": "false"}`` were taken as false. A JSON body says what it means: before the handler
runs, :func:`strict_json_body` decodes it as the type the handler declares, by msgspec's strict
rules, and refuses what fits only by coercion, in Litestar's own error shape, naming the field.

Nor does any text a request sends hold the character NUL (U+0000, ``\u0000`` in JSON, ``%00``
in a query): PostgreSQL's text cannot store it, so it is refused as bad input naming the field
(a path that holds it names nothing: 404), before anything is read or written.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import BodyKwarg

# Where msgspec says the error is ("... - at `$.member_ids[0]`"), and the field an object lacks.
_AT = re.compile(r" - at `\$\.(?P<path>.+)`$")
_MISSING = re.compile(r"^Object missing required field `(?P<field>[^`]+)`")


async def strict_json_body(request: Request[Any, Any, Any]) -> None:
    """Refuse a JSON body that only fits the handler's declared type by coercion, and NUL in any
    text of the path, the query or a JSON body (a before-request hook)."""
    if "\x00" in request.url.path:
        raise NotFoundException()
    for name, value in request.query_params.multi_items():
        if "\x00" in name + value:
            _refuse(request, {"message": _NUL, "key": name, "source": "query"})
    data = request.route_handler.parsed_fn_signature.parameters.get("data")
    if (
        data is None
        or not isinstance(data.kwarg_definition, BodyKwarg)
        or data.kwarg_definition.media_type != RequestEncodingType.JSON
    ):
        return
    body = await request.body()
    try:
        msgspec.json.decode(body, type=data.annotation)
    except msgspec.ValidationError as exc:
        _refuse(request, _error(str(exc)))
    except msgspec.DecodeError:
        return  # not JSON at all (or empty): Litestar refuses it as it reads it
    if b"\\u0000" in body and (key := _nul_at(msgspec.json.decode(body))) is not None:
        _refuse(request, {"message": _NUL, "key": key or "data", "source": "body"})


_NUL = "Text cannot hold the character NUL (U+0000)"


def _refuse(request: Request[Any, Any, Any], error: dict[str, str]) -> None:
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    raise ValidationException(detail=f"Validation failed for {request.method} {path}", extra=[error])


def _nul_at(value: Any, at: str = "") -> str | None:
    """Where in a decoded JSON value a text holds NUL (``member_ids.0``, ``note``), or None."""
    if isinstance(value, str):
        return at if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if "\x00" in str(key):
            return at or "data"
        found = _nul_at(item, f"{at}.{key}" if at else str(key))
        if found is not None:
            return found
    return None


def _error(text: str) -> dict[str, str]:
    """msgspec's message as Litestar reports a body's error: the message, the field, "body"."""
    at = _AT.search(text)
    message = text[: at.start()] if at else text
    missing = _MISSING.match(message)
    key = ".".join(part for part in (at["path"] if at else "", missing["field"] if missing else "") if part)
    return {"message": message, "key": key or "data", "source": "body"}
