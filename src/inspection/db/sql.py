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
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Any, Generic, TypeVar, cast

from inspection.db.engine import ListeningPostgresEngine, PooledSQLiteEngine, current_engine, written_table

Row = Mapping[str, Any]
T = TypeVar("T")
R = TypeVar("R")

_NUMBERED = re.compile(r"\$(\d+)")


@functools.lru_cache(maxsize=512)
def _for_sqlite(query: str) -> str:
    return _NUMBERED.sub(r"?\1", query)


async def fetch(query: str, *args: Any) -> Sequence[Row]:
    engine = current_engine()
    if isinstance(engine, PooledSQLiteEngine):
        if not engine.in_transaction() and written_table(query) is not None:
            return await engine.commit_one(_for_sqlite(query), args)  # counts as this process's own
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


class Together(Generic[T, R]):
    """Callers who ask at about the same time are served by one run.

    ``run`` serves a list of the callers' items at once (with one statement, or in one
    transaction) and gives back, in the same order, each item's result or the error it
    met. Callers who ask while a run is under way, or in the same turn of the event loop,
    go together in the next run: under load N callers cost one round trip, or one commit,
    instead of N, and a caller alone waits for nothing. Items with the same ``key`` are
    never in one run, so each caller can be served exactly as if it had asked alone. A
    caller cancelled before its run is left out of it; an error of the whole run fails
    each of its callers. Outside transactions only.
    """

    def __init__(
        self,
        run: Callable[[list[T]], Awaitable[Sequence[R | Exception]]],
        key: Callable[[T], Hashable] = id,
    ) -> None:
        self.run, self.key = run, key
        self._waiting: dict[int, list[tuple[T, asyncio.Future[R]]]] = {}
        self._runs: dict[int, asyncio.Task[None]] = {}

    async def __call__(self, item: T) -> R:
        engine = current_engine()
        assert isinstance(engine, PooledSQLiteEngine | ListeningPostgresEngine)
        assert not engine.in_transaction(), "callers run together outside transactions"
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(engine.serial, []).append((item, future))
        run = self._runs.get(engine.serial)
        if run is None or run.done():  # done: cancelled before it began
            self._runs[engine.serial] = asyncio.create_task(self._serve(engine.serial))
        return await future

    async def _serve(self, serial: int) -> None:
        callers: list[tuple[T, asyncio.Future[R]]] = []
        try:
            while self._waiting.get(serial):
                callers = self._next_callers(serial)
                if callers:
                    await self._run_once(callers)
        finally:
            # Ended with no caller waiting, or cancelled: then no caller is left hanging.
            del self._runs[serial]
            for _, future in callers:
                future.cancel()
            for _, future in self._waiting.pop(serial, []):
                future.cancel()

    def _next_callers(self, serial: int) -> list[tuple[T, asyncio.Future[R]]]:
        """The waiting callers of the next run, one per key; the others wait for the one after."""
        callers: list[tuple[T, asyncio.Future[R]]] = []
        later: list[tuple[T, asyncio.Future[R]]] = []
        keys: set[Hashable] = set()
        for item, future in self._waiting.pop(serial):
            if future.done():  # cancelled while it waited
                continue
            key = self.key(item)
            (later if key in keys else callers).append((item, future))
            keys.add(key)
        if later:
            self._waiting[serial] = later
        return callers

    async def _run_once(self, callers: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            outcomes: Sequence[R | Exception] = await self.run([item for item, _ in callers])
        except Exception as exc:  # the run of them all failed
            outcomes = [exc] * len(callers)
        for (_, future), outcome in zip(callers, outcomes, strict=True):
            if future.done():
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)


class Shared:
    """A statement by key that the callers asking for it at about the same time share.

    ``query`` picks rows by a key, written ``{key}`` after the key's column (``WHERE id
    {key}``), and returns the key as its first column; ``$2``, when ``stamp`` is given,
    is ``stamp()`` at the time the statement runs. On PostgreSQL the callers waiting run it
    together (:class:`Together`; ``{key}`` becomes ``= ANY($1)``, their keys), each getting
    exactly the rows it would have got alone: a claim (``UPDATE … WHERE id {key} AND
    status = 'queued' RETURNING id``) is still won once. On SQLite, where a statement costs
    no round trip, it runs for each caller alone (``{key}`` becomes ``= $1``), committing on
    its own if it writes. Outside transactions only.
    """

    def __init__(self, query: str, stamp: Callable[[], Any] | None = None) -> None:
        self.one, self.many = query.replace("{key}", "= $1"), query.replace("{key}", "= ANY($1)")
        self.stamp = stamp
        self._together: Together[int, Sequence[Row]] = Together(self._run, key=lambda key: key)

    def _args(self, key: Any) -> tuple[Any, ...]:
        return (key,) if self.stamp is None else (key, self.stamp())

    async def __call__(self, key: int) -> Sequence[Row]:
        engine = current_engine()
        if isinstance(engine, PooledSQLiteEngine):
            return await fetch(self.one, *self._args(key))  # a write commits on its own
        return await self._together(key)

    async def _run(self, keys: list[int]) -> list[Sequence[Row] | Exception]:
        engine = current_engine()
        assert isinstance(engine, ListeningPostgresEngine)
        found: dict[int, list[Row]] = {key: [] for key in keys}
        for row in await engine.fetch_alone(self.many, self._args(keys)):
            found[row[0]].append(row)
        return [found[key] for key in keys]


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
