"""Hand-written SQL for the hottest paths, with the least overhead each database allows.

Queries use PostgreSQL's numbered placeholders (``$1``, ``$2`` …), which become SQLite's
``?1``, ``?2`` …. Inside :func:`inspection.db.engine.write_transaction` a query runs in
that transaction. On SQLite queries run on the event loop itself, so keep them to short
indexed statements; Piccolo's queries, on a reader thread, suit long reads.

:func:`generation` is what :class:`inspection.db.cache.ReadCache` keys on: it changes
whenever any process commits a change to the tables asked about.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any, cast

from inspection.db.engine import ListeningPostgresEngine, PooledSQLiteEngine, current_engine

Row = Mapping[str, Any]

_NUMBERED = re.compile(r"\$(\d+)")


@functools.lru_cache(maxsize=512)
def _for_sqlite(query: str) -> str:
    return _NUMBERED.sub(r"?\1", query)


async def fetch(query: str, *args: Any) -> Sequence[Row]:
    engine = current_engine()
    if isinstance(engine, PooledSQLiteEngine):
        engine.note(query)
        return cast("Sequence[Row]", engine.inline().execute(_for_sqlite(query), args).fetchall())
    assert isinstance(engine, ListeningPostgresEngine)
    transaction = engine.current_transaction.get()
    if transaction is not None:
        engine.note(query)
        return cast("Sequence[Row]", await transaction.connection.fetch(query, *args))
    return cast("Sequence[Row]", await engine.fetch_alone(query, args))


async def commit_one(query: str, *args: Any) -> Sequence[Row]:
    """Run one write statement as a transaction of its own (outside any write transaction)."""
    engine = current_engine()
    if isinstance(engine, PooledSQLiteEngine):
        return await engine.commit_one(_for_sqlite(query), args)
    return await fetch(query, *args)


async def call(query: str, *args: Any, writes: tuple[str, ...]) -> Sequence[Row]:
    """PostgreSQL only: run ``query``, which calls a function that writes the tables
    ``writes``, counting the change for this process's caches as a write statement's is."""
    engine = current_engine()
    assert isinstance(engine, ListeningPostgresEngine)
    return cast("Sequence[Row]", await engine.fetch_writing(query, args, writes))


async def fetchrow(query: str, *args: Any) -> Row | None:
    rows = await fetch(query, *args)
    return rows[0] if rows else None


Generation = tuple[int, ...]


def database() -> int:
    """A number that tells apart the databases a process opened (tests open many)."""
    engine = current_engine()
    assert isinstance(engine, PooledSQLiteEngine | ListeningPostgresEngine)
    return engine.serial


def numbered(query: str) -> str:
    """``query`` with its ``{}`` slots (Piccolo's ``raw`` style) as ``$1``, ``$2`` …."""
    parts = query.split("{}")
    return parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))


def generation(tables: tuple[str, ...]) -> Generation | None:
    """Changes whenever any process commits a change to ``tables``; None while changes
    cannot be followed. The first number tells apart the engines a process opened (tests
    open many)."""
    engine = current_engine()
    if isinstance(engine, PooledSQLiteEngine):
        return database(), *engine.change_counts(tables)
    if isinstance(engine, ListeningPostgresEngine):
        counts = engine.changes.change_counts(tables)
        return None if counts is None else (database(), *counts)
    return None
