"""Unique keys: what the database's refusal of a duplicate means to the person who sent it.

A rule of the form "only one" (one unit per code, one pending extension request per action)
is a unique key, held by the database whatever the timing: a check made before the insert
can be passed by two requests at once. :func:`conflict_for` recognises the refusal as either
database reports it and turns it into a :class:`~inspection.errors.Conflict` naming the key's
field; :func:`inspection.db.engine.write_transaction` applies it to every write.
"""

from __future__ import annotations

import re
import sqlite3

from asyncpg.exceptions import UniqueViolationError

from inspection.errors import Conflict

# (table, columns) of a key → the request field it concerns (None: no field of the request)
# and what a duplicate means. Keys not listed here are never written from a request's values.
DUPLICATES: dict[tuple[str, tuple[str, ...]], tuple[str | None, str]] = {
    ("unit", ("code",)): ("code", "A unit with this code exists already"),
    ("app_user", ("username",)): ("username", "This username is taken"),
    # extension_request_pending, a partial index: only over the requests still pending.
    ("extension_request", ("action",)): (
        None,
        "An extension request for this action is already waiting for a decision",
    ),
}

# PostgreSQL's detail names the key's columns: 'Key (inspection, "user")=(3, 7) already exists.'
_POSTGRES_KEY = re.compile(r"Key \((?P<columns>.+?)\)=\(")
# SQLite's names them with their table: 'UNIQUE constraint failed: answer.inspection, answer.item_code'.
_SQLITE_KEY = re.compile(r"UNIQUE constraint failed: (?P<columns>.+)$")


def violated_key(exc: BaseException) -> tuple[str, tuple[str, ...]] | None:
    """The (table, columns) of the unique key ``exc`` reports violated; None for anything else."""
    if isinstance(exc, UniqueViolationError):
        match = _POSTGRES_KEY.match(exc.detail or "")
        columns = match["columns"].split(", ") if match else []
        return exc.table_name, tuple(column.strip('"') for column in columns)
    if isinstance(exc, sqlite3.IntegrityError) and (match := _SQLITE_KEY.match(str(exc))):
        qualified = [column.split(".", 1) for column in match["columns"].split(", ")]
        return qualified[0][0], tuple(column for _, column in qualified)
    return None


def conflict_for(exc: BaseException) -> Conflict | None:
    """The 409 to answer for a duplicate that ``exc`` reports; None if it reports something else."""
    key = violated_key(exc)
    if key is None:
        return None
    if key in DUPLICATES:
        field, message = DUPLICATES[key]
        return Conflict(message, field=field)
    columns = key[1]
    return Conflict("Another record has the same %(columns)s", field=columns[-1], columns=", ".join(columns))
