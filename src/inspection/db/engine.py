"""Opening the database: the one place an engine is made, bound to the tables and closed.

SQLite runs in WAL mode and every write transaction is IMMEDIATE, so two writers queue
instead of failing half-way; PostgreSQL runs on an asyncpg pool opened here.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlsplit

import asyncpg
from piccolo.columns import OnDelete
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, dict_factory
from piccolo.querystring import QueryString
from piccolo.table import Table

from inspection.db.pool import ConnectionPool
from inspection.db.tables import TABLES

PICCOLO_CONF = "inspection.db.piccolo_conf"
SQLITE_BUSY_TIMEOUT_SECONDS = 30.0
_SERIALS = itertools.count(1)
log = logging.getLogger(__name__)


class _NotesWrites:
    """Notes the tables the statements of a write transaction write, so the process can
    count its own changes when the transaction commits (see :func:`written_table`)."""

    _written: ContextVar[set[str] | None]

    def note(self, query: str) -> None:
        written = self._written.get()
        if written is not None:
            table = written_table(query)
            if table is not None:
                written.add(table)


class PooledSQLiteEngine(_NotesWrites, SQLiteEngine):
    """SQLite on kept connections, with the least thread-hopping each kind of statement allows.

    Piccolo opens a new connection, with a thread of its own, for every statement outside a
    transaction, and aiosqlite crosses threads several times per statement; both cost more
    than most statements. Here:

    - a write transaction (:func:`write_transaction`) runs on one kept writer connection,
      statement by statement on the event loop, since each takes microseconds once the
      IMMEDIATE lock is held; only waiting for that lock, when another process holds it,
      moves to a thread. One transaction at a time per process (an asyncio lock), as SQLite
      allows one writer anyway. WAL with ``synchronous=NORMAL``: a commit survives a crash of
      any process; on power loss the last commits may roll back, the database stays whole;
      PostgreSQL is the production database.
    - other Piccolo statements run on one reader thread with a kept connection: one thread,
      not several, as SQLite reads are CPU work under the GIL (benchmarks/bench_api.py: 318
      list requests/s with one thread, 166 with four), and long reads (the dashboard) do not
      block the event loop;
    - the short indexed reads of :mod:`inspection.db.sql` run on the event loop itself.
    """

    def __init__(self, path: str, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        self.serial = next(_SERIALS)
        self._reader: sqlite3.Connection | None = None
        self._inline: sqlite3.Connection | None = None
        self._writer: sqlite3.Connection | None = None
        self._version_cursor: sqlite3.Cursor
        self._counts: dict[str, int] = {}
        self._counted_version: int | None = None
        self._version_this_turn: int | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-reader")
        self._write_lock = asyncio.Lock()
        self._writing: ContextVar[sqlite3.Connection | None] = ContextVar("writing", default=None)
        self._written = ContextVar("written", default=None)

    def _connect(self) -> sqlite3.Connection:
        kwargs = {**self.connection_kwargs, "isolation_level": None, "check_same_thread": False}
        connection: sqlite3.Connection = sqlite3.connect(**kwargs)
        connection.row_factory = dict_factory
        connection.execute("PRAGMA foreign_keys = 1")
        connection.execute("PRAGMA synchronous = NORMAL")
        return connection

    def _read(self, query: str, args: list[Any]) -> list[dict[str, Any]]:
        if self._reader is None:
            self._reader = self._connect()
        rows: list[dict[str, Any]] = self._reader.execute(query, args).fetchall()
        return rows

    def inline(self) -> sqlite3.Connection:
        """The connection for short reads on the event loop (``inspection.db.sql``)."""
        writing = self._writing.get()
        return writing if writing is not None else self._inline_connection()

    def _inline_connection(self) -> sqlite3.Connection:
        if self._inline is None:
            self._inline = self._connect()
        return self._inline

    def _writer_connection(self) -> sqlite3.Connection:
        if self._writer is None:
            self._writer = self._connect()
            self._writer.execute("PRAGMA busy_timeout = 0")
            # Asked on most requests: plain tuples, not Piccolo's dict rows.
            self._version_cursor = self._writer.cursor()
            self._version_cursor.row_factory = None
        return self._writer

    def change_counts(self, tables: tuple[str, ...]) -> tuple[int, ...]:
        """Numbers that grow whenever a commit, of any process, changes ``tables``.

        The triggers of migrations 0004, 0007 and 0010 count the changes of the tables kept
        reads come from (``inspection.db.cache.ANNOUNCED``); the counts are read on the
        inline connection, which never holds a transaction, so as of the latest commit.
        They are read again only when the writer connection's ``PRAGMA data_version``
        says another connection committed: this process's own commits count the tables
        they wrote as they commit (:meth:`write`, :meth:`commit_one`), with no read.

        ``PRAGMA data_version`` is asked once per turn of the event loop (a busy process
        serves several requests per turn). That loses no commit a request could depend
        on: whatever tells a request of another process's commit (the request itself, or
        a reply it awaited) reaches this process by I/O, and I/O is handed on in a later
        turn than the one it was read in, after the version is forgotten.
        """
        self._writer_connection()
        version = self._version_this_turn
        if version is None:
            version = self._version_cursor.execute("PRAGMA data_version").fetchone()[0]
            self._remember_this_turn(version)
        if version != self._counted_version:
            rows = self._inline_connection().execute("SELECT tbl, n FROM change_count").fetchall()
            self._counts = {row["tbl"]: row["n"] for row in rows}
            self._counted_version = version
        return tuple(self._counts[table] for table in tables)

    def _remember_this_turn(self, version: int) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on an event loop: ask every time
            return
        self._version_this_turn = version
        loop.call_soon(self._forget_version)

    def _forget_version(self) -> None:
        self._version_this_turn = None

    def _count_own(self, written: set[str]) -> None:
        if "*" in written:
            self._counted_version = None  # read them all again
            return
        for table in reached(written):
            if table in self._counts:
                self._counts[table] += 1

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        writing = self._writing.get()
        if writing is not None:
            self.note(query)
            return writing.execute(query, args or []).fetchall()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._read, query, args or [])

    @asynccontextmanager
    async def write(self) -> AsyncIterator[None]:
        """An IMMEDIATE transaction on the writer connection; a nested one joins it."""
        if self._writing.get() is not None:
            yield
            return
        async with self._write_lock:
            writer = self._writer_connection()
            try:
                writer.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                # Another process holds the write lock: wait for it off the event loop.
                await asyncio.get_running_loop().run_in_executor(None, _begin_waiting, writer)
            written: set[str] = set()
            token, notes = self._writing.set(writer), self._written.set(written)
            try:
                yield
                writer.execute("COMMIT")
            except BaseException:
                if writer.in_transaction:
                    writer.execute("ROLLBACK")
                raise
            finally:
                self._writing.reset(token)
                self._written.reset(notes)
            self._count_own(written)

    def in_transaction(self) -> bool:
        return self._writing.get() is not None

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Inside a write transaction: what the block writes is undone if it raises.

        (The tables it wrote still count as changed when the transaction commits.)
        """
        writer = self._writing.get()
        assert writer is not None, "a savepoint needs a write transaction"
        writer.execute("SAVEPOINT block")
        try:
            yield
        except BaseException:
            writer.execute("ROLLBACK TO block")
            raise
        finally:
            writer.execute("RELEASE block")

    async def commit_one(self, query: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
        """Run one write statement as a transaction of its own.

        When no write transaction of this process is open, the writer connection runs it
        at once in SQLite's autocommit mode: half the statements of a :meth:`write`
        transaction, none of its bookkeeping. If another process holds the write lock it
        fails at once, having written nothing, and runs as a :meth:`write` transaction,
        which waits for the lock off the event loop.
        """
        if self._writing.get() is None and not self._write_lock.locked():
            try:
                rows: list[dict[str, Any]] = self._writer_connection().execute(query, args).fetchall()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):
                    raise
            else:
                table = written_table(query)
                if table is not None:
                    self._count_own({table})
                return rows
        async with self.write():
            self.note(query)
            writer = self._writing.get()
            assert writer is not None
            done: list[dict[str, Any]] = writer.execute(query, args).fetchall()
        return done

    def _close(self) -> None:
        for connection in (self._reader, self._inline, self._writer):
            if connection is not None:
                connection.close()
        self._reader = self._inline = self._writer = None
        self._counted_version = self._version_this_turn = None

    async def close_idle(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._executor, self._close)
        self._executor.shutdown(wait=True)


def _begin_waiting(connection: sqlite3.Connection) -> None:
    connection.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_SECONDS * 1000)}")
    try:
        connection.execute("BEGIN IMMEDIATE")
    finally:
        connection.execute("PRAGMA busy_timeout = 0")


class ChangeFeed:
    """Follows the commits to PostgreSQL of every process: how often each table changed.

    Migrations 0004 and 0007 make the tables kept reads come from
    (``inspection.db.cache.ANNOUNCED``) ``NOTIFY`` their names on one channel, which
    PostgreSQL delivers on commit. This process's own commits count at once, for the
    tables their statements wrote, so it reads its own writes without waiting for the
    notices. While the listening connection is down there are no counts, and nothing may
    be cached from them; it is opened again every few seconds, and every table counts as
    changed then, since notices were missed meanwhile.
    """

    CHANNEL = "inspection_changed"
    RETRY_SECONDS = 2.0

    def __init__(self) -> None:
        self._connection: asyncpg.Connection | None = None
        self._counts: dict[str, int] = {}
        self._config: dict[str, Any] = {}
        self._reopening: asyncio.Task[None] | None = None

    async def start(self, config: dict[str, Any]) -> None:
        self._config = config
        await self._open()

    async def _open(self) -> None:
        connection = await asyncpg.connect(**self._config)
        await connection.add_listener(self.CHANNEL, self._changed)
        connection.add_termination_listener(self._lost)
        self.committed(("*",))
        self._connection = connection

    def _lost(self, _connection: Any) -> None:
        if self._config and self._reopening is None:
            self._reopening = asyncio.get_running_loop().create_task(self._reopen())

    async def _reopen(self) -> None:
        try:
            while True:
                await asyncio.sleep(self.RETRY_SECONDS)
                try:
                    await self._open()
                    return
                except (OSError, asyncpg.PostgresError) as exc:
                    log.warning("Change feed still down (%s); nothing is kept meanwhile", exc)
        finally:
            self._reopening = None

    def _changed(self, _connection: Any, _pid: int, _channel: str, table: str) -> None:
        self.committed((table,))

    def committed(self, tables: Iterable[str]) -> None:
        for table in tables:
            self._counts[table] = self._counts.get(table, 0) + 1

    def change_counts(self, tables: tuple[str, ...]) -> tuple[int, ...] | None:
        if self._connection is None or self._connection.is_closed():
            return None
        every = self._counts.get("*", 0)
        return tuple(every + self._counts.get(table, 0) for table in tables)

    async def stop(self) -> None:
        self._config = {}
        if self._reopening is not None:
            self._reopening.cancel()
        if self._connection is not None:
            await self._connection.close()
            self._connection = None


class ListeningPostgresEngine(_NotesWrites, PostgresEngine):
    """Piccolo's PostgreSQL engine with a :class:`ChangeFeed` (started when asked for).

    A write transaction notes the tables its statements write, for the feed.
    """

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config=config)
        self.serial = next(_SERIALS)
        self.changes = ChangeFeed()
        self._written = ContextVar("written", default=None)

    async def run_querystring(self, querystring: QueryString, in_pool: bool = True) -> Any:
        if self._written.get() is not None:
            self.note(querystring.compile_string(engine_type=self.engine_type)[0])
        return await super().run_querystring(querystring, in_pool=in_pool)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[None]:
        if self._written.get() is not None:
            yield
            return
        written: set[str] = set()
        token = self._written.set(written)
        try:
            async with self.transaction():
                yield
        finally:
            self._written.reset(token)
        self.changes.committed(reached(written))

    async def start_connection_pool(self, min_size: int = 1, max_size: int = 10, **_: Any) -> None:
        """A :class:`~inspection.db.pool.ConnectionPool` in place of asyncpg's (see there why)."""
        pool = ConnectionPool(self.config, max_size)
        await pool.start(min_size)
        self.pool = cast("Any", pool)

    async def _run_in_pool(self, query: str, args: Sequence[Any] | None = None) -> Any:
        return await self.fetch_alone(query, tuple(args or ()))

    async def fetch_alone(self, query: str, args: tuple[Any, ...]) -> list[Any]:
        """Run a statement outside any transaction. One that writes committed on its own:
        it counts at once, as a write transaction's tables do when it commits."""
        assert self.pool is not None
        rows = await self.pool.fetch(query, *args)
        table = written_table(query)
        if table is not None:
            self.changes.committed(reached({table}))
        return cast("list[Any]", rows)

    def in_transaction(self) -> bool:
        return self.current_transaction.get() is not None

    async def fetch_writing(self, query: str, args: tuple[Any, ...], tables: Iterable[str]) -> list[Any]:
        """Run a statement that writes ``tables`` though its text does not say so (it calls
        a function): in the current transaction, or as a transaction of its own."""
        transaction = self.current_transaction.get()
        if transaction is not None:
            written = self._written.get()
            if written is not None:
                written.update(tables)
            return cast("list[Any]", await transaction.connection.fetch(query, *args))
        rows = await self.fetch_alone(query, args)
        self.changes.committed(reached(set(tables)))
        return rows


_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
_READ = re.compile(r"\s*SELECT\b", re.IGNORECASE)


@functools.lru_cache(maxsize=1024)
def written_table(query: str) -> str | None:
    """The table a statement writes; None for a read, "*" (every table) for one it cannot tell."""
    match = _WRITE.match(query)
    if match:
        return match.group(1)
    return None if _READ.match(query) else "*"


@functools.cache
def _reached() -> dict[str, frozenset[str]]:
    """Per table, the tables a change to it may change too: those whose foreign keys to it
    cascade or set null on delete, and theirs in turn."""
    children: dict[str, set[str]] = {}
    for table in TABLES:
        for column in table._meta.foreign_key_columns:
            meta = column._foreign_key_meta
            if meta.on_delete in (OnDelete.cascade, OnDelete.set_null):
                children.setdefault(meta.resolved_references._meta.tablename, set()).add(
                    table._meta.tablename
                )

    def closure(name: str) -> frozenset[str]:
        found, todo = {name}, [name]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return frozenset(found)

    return {table._meta.tablename: closure(table._meta.tablename) for table in TABLES}


def reached(written: set[str]) -> set[str]:
    """``written`` with the tables their deletes may cascade to."""
    tables = _reached()
    return {name for table in written for name in tables.get(table, {table})}


def postgres_config(url: str) -> dict[str, Any]:
    """asyncpg's connection arguments for ``postgresql://user:password@host:port/db``; a Unix
    socket's directory may come as libpq's ``?host=/var/run/postgresql``."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    config: dict[str, Any] = {
        "host": query.get("host", [""])[0] or parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "database": unquote(parts.path.lstrip("/")) or "postgres",
        "user": unquote(parts.username or "postgres"),
    }
    if parts.password:
        config["password"] = unquote(parts.password)
    return config


def make_engine(url: str) -> Engine[Any]:
    """An engine for ``sqlite:///path`` or ``postgresql://user@host:port/db``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if parts.netloc:
            path = parts.netloc + "/" + path
        return PooledSQLiteEngine(path=path or "inspection.sqlite3", timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    if parts.scheme in ("postgresql", "postgres"):
        return ListeningPostgresEngine(config=postgres_config(url))
    raise ValueError(f"unsupported database URL scheme {parts.scheme!r}")


def bind(engine: Engine[Any]) -> None:
    """Make ``engine`` the one every table and Piccolo's migration runner use."""
    os.environ["PICCOLO_CONF"] = PICCOLO_CONF
    from inspection.db import piccolo_conf

    piccolo_conf.DB = engine
    for table in TABLES:
        table._meta.db = engine
    from piccolo.apps.migrations.tables import Migration

    Migration._meta.db = engine


def is_sqlite(engine: Engine[Any]) -> bool:
    return engine.engine_type == "sqlite"


async def open_database(url: str, *, pool_size: int = 10, follow_changes: bool = False) -> Engine[Any]:
    """Make, bind and start the engine for ``url``.

    ``follow_changes`` starts PostgreSQL's :class:`ChangeFeed`, for a process that caches
    reads (the web app); SQLite follows changes without it.
    """
    engine = make_engine(url)
    if isinstance(engine, SQLiteEngine):
        Path(engine.path).parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(engine.path) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
    bind(engine)
    if isinstance(engine, ListeningPostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=pool_size)
        if follow_changes:
            await engine.changes.start(engine.config)
    return engine


async def close_database(engine: Engine[Any]) -> None:
    if isinstance(engine, ListeningPostgresEngine):
        await engine.changes.stop()
        await engine.close_connection_pool()
    elif isinstance(engine, PooledSQLiteEngine):
        await engine.close_idle()


async def lock_for_update(table: type[Table], row_id: int) -> None:
    """Hold ``row_id`` until the transaction ends, so writers of one row take turns.

    On PostgreSQL a ``SELECT … FOR UPDATE``; on SQLite the IMMEDIATE transaction already
    holds the whole database.
    """
    engine = current_engine()
    if not isinstance(engine, SQLiteEngine):
        await table.select(table._meta.primary_key).where(table._meta.primary_key == row_id).lock_rows()


def current_engine() -> Engine[Any]:
    return TABLES[0]._meta.db


def write_transaction() -> Any:
    """A write transaction: IMMEDIATE on SQLite, so it holds the write lock from the start."""
    engine = current_engine()
    if isinstance(engine, PooledSQLiteEngine | ListeningPostgresEngine):
        return engine.write()
    return engine.transaction()


async def migrate() -> None:
    """Apply every migration not yet applied to the bound database."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    os.environ["PICCOLO_CONF"] = PICCOLO_CONF
    result = await run_forwards(app_name="inspection", migration_id="all", fake=False)
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}")
