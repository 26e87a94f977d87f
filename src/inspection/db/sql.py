"""Hand-written SQL for the hottest paths, with the least overhead each database allows.

Queries use PostgreSQL's numbered placeholders (``$1``, ``$2`` …), which become SQLite's
``?1``, ``?2`` …. Inside :func:`inspection.db.engine.write_transaction` a query runs in
that transaction. On SQLite queries run on the event loop itself, so keep them to short
indexed statements; Piccolo's queries, on a reader thread, suit long reads.

:func:`generation` is what :class:`inspection.db.cache.ReadCache` keys on: it changes
whenever any process commits a change to the tables asked about.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from inspection.db.engine import ListeningPostgresEngine, PooledSQLiteEngine, current_engine, written_table

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


class Shared:
    """A statement that the callers asking for it at about the same time run together.

    ``query`` picks rows by a key, written ``{key}`` after the key's column (``WHERE id
    {key}``), and returns the key as its first column; ``$2``, when ``stamp`` is given,
    is ``stamp()`` at the time the statement runs. On PostgreSQL it runs once for all the
    callers waiting (``{key}`` becomes ``= ANY($1)``, their keys). Callers who ask while a
    run is under way wait for it to end and go together in the next: under load N callers
    cost one round trip (and one commit) instead of N, and a caller alone waits for
    nothing. A key is in a run at most once, so each caller gets exactly the rows it would
    have got running alone: a claim (``UPDATE … WHERE id {key} AND status = 'queued'
    RETURNING id``) is still won once. A caller cancelled before its run is left out of it;
    an error fails every caller of its run (one statement served them all).

    On SQLite, where a statement costs no round trip, it runs for each caller alone
    (``{key}`` becomes ``= $1``), committing on its own if it writes. Outside transactions only.
    """

    def __init__(self, query: str, stamp: Callable[[], Any] | None = None) -> None:
        self.one, self.many = query.replace("{key}", "= $1"), query.replace("{key}", "= ANY($1)")
        self.stamp = stamp
        self._waiting: dict[int, list[tuple[int, asyncio.Future[list[Row]]]]] = {}
        self._runs: dict[int, asyncio.Task[None]] = {}

    def _args(self, key: Any) -> tuple[Any, ...]:
        return (key,) if self.stamp is None else (key, self.stamp())

    async def __call__(self, key: int) -> list[Row]:
        engine = current_engine()
        if isinstance(engine, PooledSQLiteEngine):
            alone = commit_one if written_table(self.one) else fetch
            return list(await alone(self.one, *self._args(key)))
        assert isinstance(engine, ListeningPostgresEngine)
        assert engine.current_transaction.get() is None, "a shared statement runs outside transactions"
        future: asyncio.Future[list[Row]] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(engine.serial, []).append((key, future))
        run = self._runs.get(engine.serial)
        if run is None or run.done():  # done: cancelled before it began
            self._runs[engine.serial] = asyncio.create_task(self._run(engine))
        return await future

    async def _run(self, engine: ListeningPostgresEngine) -> None:
        callers: dict[int, asyncio.Future[list[Row]]] = {}
        try:
            while self._waiting.get(engine.serial):
                callers = self._next_callers(engine.serial)
                if callers:
                    await self._run_once(engine, callers)
        finally:
            # Ended with no caller waiting, or cancelled: then no caller is left hanging.
            del self._runs[engine.serial]
            for future in callers.values():
                future.cancel()
            for _, future in self._waiting.pop(engine.serial, []):
                future.cancel()

    def _next_callers(self, serial: int) -> dict[int, asyncio.Future[list[Row]]]:
        """The waiting callers of the next run, one per key; the others wait for the one after."""
        callers: dict[int, asyncio.Future[list[Row]]] = {}
        later = []
        for key, future in self._waiting.pop(serial):
            if future.done():  # cancelled while it waited
                continue
            if key in callers:
                later.append((key, future))
            else:
                callers[key] = future
        if later:
            self._waiting[serial] = later
        return callers

    async def _run_once(
        self, engine: ListeningPostgresEngine, callers: dict[int, asyncio.Future[list[Row]]]
    ) -> None:
        try:
            rows = await engine.fetch_alone(self.many, self._args(list(callers)))
        except Exception as exc:  # the one statement of them all failed
            for future in callers.values():
                if not future.done():
                    future.set_exception(exc)
            return
        found: dict[int, list[Row]] = {key: [] for key in callers}
        for row in rows:
            found[row[0]].append(row)
        for key, future in callers.items():
            if not future.done():
                future.set_result(found[key])


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
