"""Reading HTML forms into the services' input Structs.

An HTML form sends every field as text and an empty input as ``""``; here an empty value
means "not given" (or, for a field that may be cleared, one whose default is ``UNSET``,
"cleared"), checkboxes and multi-selects become lists, a date is read as dd/mm/yyyy (or ISO),
a refused value is a message naming its field (never msgspec's English), and anything the Struct does not
declare (the CSRF token, a field slipped in by hand) is dropped before decoding, so the
services see exactly what the API would accept.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec
from litestar import Request
from litestar.datastructures import UploadFile

from inspection.errors import Invalid, ServiceError
from inspection.schemas import clearable
from inspection.web.labels import message_values

T = TypeVar("T", bound=msgspec.Struct)


def _is_list(field_type: msgspec.inspect.Type) -> bool:
    if isinstance(field_type, msgspec.inspect.UnionType):
        return any(_is_list(t) for t in field_type.types)
    return isinstance(field_type, msgspec.inspect.ListType)


def _is_bool(field_type: msgspec.inspect.Type) -> bool:
    if isinstance(field_type, msgspec.inspect.UnionType):
        return any(_is_bool(t) for t in field_type.types)
    return isinstance(field_type, msgspec.inspect.BoolType)


def _is_date(field_type: msgspec.inspect.Type) -> bool:
    if isinstance(field_type, msgspec.inspect.UnionType):
        return any(_is_date(t) for t in field_type.types)
    return isinstance(field_type, msgspec.inspect.DateType)


_DAY_FIRST = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(text: str) -> dt.date | None:
    """A day as typed in a date field: dd/mm/yyyy, as Vietnamese write it (5/3/2026 too), or
    ISO yyyy-mm-dd (what a browser's own date picker sends); None for anything else."""
    try:
        if match := _DAY_FIRST.fullmatch(text):
            day, month, year = (int(part) for part in match.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text) if _ISO_DAY.fullmatch(text) else None
    except ValueError:  # 31/02/2026
        return None


def _refusal(exc: msgspec.ValidationError) -> Invalid:
    """msgspec's message (English, for developers) as a message for the user, naming the field."""
    text = str(exc)
    if missing := re.search(r"missing required field `(\w+)`", text):
        return Invalid("%(name)s: this field is required", field=missing[1], name=missing[1])
    where = text.rsplit("$.", 1)[-1].strip("`[]0123456789") if "$." in text else ""
    return Invalid("%(name)s: this value is not accepted", field=where or None, name=where)


async def form_data(request: Request[Any, Any, Any]) -> dict[str, list[Any]]:
    """Every field of the posted form, each with all its values; text holding NUL is refused
    (PostgreSQL cannot store it)."""
    form = await request.form()
    fields = {key: form.getall(key) for key in form}
    for key, values in fields.items():
        if any(isinstance(value, str) and "\x00" in value for value in values) or "\x00" in key:
            raise Invalid("%(name)s: text cannot hold the character NUL", field=key, name=key)
    return fields


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
        elif _is_date(field.type) and values:
            day = parse_day(str(values[-1]))
            if day is None:
                raise Invalid("%(name)s: enter a date as dd/mm/yyyy", field=field.name, name=field.name)
            raw[field.name] = day
        elif values:
            raw[field.name] = values[-1]
    raw.update(extra)
    try:
        return msgspec.convert(raw, schema, strict=False)
    except msgspec.ValidationError as exc:
        raise _refusal(exc) from None


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
    form = await form_data(request)
    upload = next(iter(form.get("file", [])), None)
    if not isinstance(upload, UploadFile):
        return Upload(filename="", content_type="", data=b"", note=_last(form, "note"))
    return Upload(
        filename=upload.filename or "",
        content_type=upload.content_type or "",
        data=await upload.read(),
        note=_last(form, "note"),
    )


def _last(form: dict[str, list[Any]], name: str) -> str:
    return str((form.get(name) or [""])[-1] or "")


@dataclass(frozen=True)
class FormError:
    """A refused form, to show again: which form (a page may hold several), the field the
    message belongs beside (None: the form as a whole, such as a version conflict), the
    message (a template and its values, already in the page's language), what was typed, so
    nothing is lost, and the page's status (``templates/_partials/fields.html``)."""

    form: str
    field: str | None
    message: str
    values: dict[str, Any]
    typed: dict[str, list[str]]
    status: int = 400

    def at(self, form: str, field: str) -> bool:
        """Whether the message belongs beside ``form``'s ``field``."""
        return self.form == form and self.field == field

    def above(self, form: str, shown: Collection[str]) -> bool:
        """Whether the message is ``form``'s but beside none of the fields it ``shown``
        (the form as a whole, or a hidden field such as its version)."""
        return self.form == form and self.field not in shown

    def typed_in(self, form: str, field: str, otherwise: str) -> str:
        """What was typed into ``form``'s ``field``, else ``otherwise`` (another form's field)."""
        values = self.typed.get(field) if self.form == form else None
        return values[-1] if values else otherwise

    def typed_all(self, field: str) -> list[str]:
        """Every value typed into ``field`` (the boxes ticked of a group)."""
        return self.typed.get(field, [])


def refused(
    form: str, exc: ServiceError, fields: dict[str, list[Any]], language: str, *, whole_form: bool = False
) -> FormError:
    """``form``'s refusal by ``exc``, with every field as it was typed.

    An error about no field in particular is raised again (the error handler shows it in
    the page's message area, web/errors.py), unless the form shows such an error itself
    (``whole_form``: a version conflict above the form, what was typed kept)."""
    if exc.field is None and not whole_form:
        raise exc
    typed = {name: [str(v) for v in values] for name, values in fields.items() if name != "_csrf_token"}
    values = message_values(exc.values, language)
    return FormError(form, exc.field, exc.template, values, typed, exc.status_code)
