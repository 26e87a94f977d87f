"""JSON bodies are strict: a boolean is true or false, a number is a number.

Litestar reads every parameter, the body included, with msgspec's lax rules, which a query
string or a form needs (there everything is text: ``?open=true``), so ``{"active": 0}`` or
``{"active": "false"}`` were taken as false. A JSON body says what it means: before the handler
runs, :func:`strict_json_body` decodes it as the type the handler declares, by msgspec's strict
rules, and refuses what fits only by coercion, in Litestar's own error shape, naming the field.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import ValidationException
from litestar.params import BodyKwarg

# Where msgspec says the error is ("... - at `$.member_ids[0]`"), and the field an object lacks.
_AT = re.compile(r" - at `\$\.(?P<path>.+)`$")
_MISSING = re.compile(r"^Object missing required field `(?P<field>[^`]+)`")


async def strict_json_body(request: Request[Any, Any, Any]) -> None:
    """Refuse a JSON body that only fits the handler's declared type by coercion (a before-request hook)."""
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
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise ValidationException(
            detail=f"Validation failed for {request.method} {path}", extra=[_error(str(exc))]
        ) from None
    except msgspec.DecodeError:
        return  # not JSON at all (or empty): Litestar refuses it as it reads it


def _error(text: str) -> dict[str, str]:
    """msgspec's message as Litestar reports a body's error: the message, the field, "body"."""
    at = _AT.search(text)
    message = text[: at.start()] if at else text
    missing = _MISSING.match(message)
    key = ".".join(part for part in (at["path"] if at else "", missing["field"] if missing else "") if part)
    return {"message": message, "key": key or "data", "source": "body"}
