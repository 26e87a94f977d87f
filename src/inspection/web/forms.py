"""Reading HTML forms into the services' input Structs.

An HTML form sends every field as text and an empty input as ``""``; here an empty value
means "not given" (or, for a field that may be cleared, one whose default is ``UNSET``,
"cleared"), checkboxes and multi-selects become lists, and anything the Struct does not
declare (the CSRF token, a field slipped in by hand) is dropped before decoding, so the
services see exactly what the API would accept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec
from litestar import Request
from litestar.datastructures import UploadFile

from inspection.errors import Invalid
from inspection.schemas import clearable

T = TypeVar("T", bound=msgspec.Struct)


def _is_list(field_type: msgspec.inspect.Type) -> bool:
    if isinstance(field_type, msgspec.inspect.UnionType):
        return any(_is_list(t) for t in field_type.types)
    return isinstance(field_type, msgspec.inspect.ListType)


def _is_bool(field_type: msgspec.inspect.Type) -> bool:
    if isinstance(field_type, msgspec.inspect.UnionType):
        return any(_is_bool(t) for t in field_type.types)
    return isinstance(field_type, msgspec.inspect.BoolType)


async def form_data(request: Request[Any, Any, Any]) -> dict[str, list[Any]]:
    """Every field of the posted form, each with all its values."""
    form = await request.form()
    return {key: form.getall(key) for key in form}


def decode(schema: type[T], fields: dict[str, list[Any]], **extra: Any) -> T:
    """``fields`` as ``schema``; ``extra`` values (from the URL) win over posted ones."""
    info = msgspec.inspect.type_info(schema)
    assert isinstance(info, msgspec.inspect.StructType)
    takes_null = clearable(schema)
    raw: dict[str, Any] = {}
    for field in info.fields:
        posted = [v.strip() if isinstance(v, str) else v for v in fields.get(field.name, [])]
        values = [v for v in posted if v != ""]
        if posted and not values and field.name in takes_null:
            raw[field.name] = None  # emptied on purpose
        elif _is_list(field.type):
            raw[field.name] = values
        elif _is_bool(field.type) and values:
            raw[field.name] = values[-1] in ("1", "true", "on", "yes")
        elif values:
            raw[field.name] = values[-1]
    raw.update(extra)
    try:
        return msgspec.convert(raw, schema, strict=False)
    except msgspec.ValidationError as exc:
        text = str(exc)
        # "... - at `$.title`", or "Object missing required field `title`" (an empty input).
        at = text.rsplit("$.", 1)[-1] if "$." in text else text.partition("required field ")[2]
        where = at.strip("`[]0123456789") or None
        raise Invalid(str(exc), field=where) from None


async def read(request: Request[Any, Any, Any], schema: type[T], **extra: Any) -> T:
    """The posted form as ``schema`` (see :func:`decode`)."""
    return decode(schema, await form_data(request), **extra)


@dataclass(frozen=True)
class Upload:
    """One file posted in a multipart form, read into memory (the app caps the body size)."""

    filename: str
    content_type: str
    data: bytes
    note: str


async def read_upload(request: Request[Any, Any, Any]) -> Upload:
    """The ``file`` field and the optional ``note`` of a multipart form; no file reads as empty."""
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return Upload(filename="", content_type="", data=b"", note=str(form.get("note") or ""))
    return Upload(
        filename=upload.filename or "",
        content_type=upload.content_type or "",
        data=await upload.read(),
        note=str(form.get("note") or ""),
    )
