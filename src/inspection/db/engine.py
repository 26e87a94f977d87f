"""Opening the database: the one place an engine is made, bound to the tables and closed.

SQLite runs in WAL mode and every write transaction is IMMEDIATE, so two writers queue
instead of failing half-way; PostgreSQL runs on an asyncpg pool opened here.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType, dict_factory
from piccolo.table import Table

from inspection.db.tables import TABLES

PICCOLO_CONF = "inspection.db.piccolo_conf"
SQLITE_BUSY_TIMEOUT_SECONDS = 30.0


class PooledSQLiteEngine(SQLiteEngine):
    """SQLite whose statements outside transactions run on one thread that keeps its connection.

    Piccolo opens a new connection, with a thread of its own, for every such statement, and
    aiosqlite crosses threads several times per statement; both cost more than most reads.
    Here a statement is one hop to a reader thread with an open connection. One thread, not
    several: SQLite reads are CPU work under the GIL, and more threads only contend for it
    (benchmarks/bench_api.py: 318 list requests/s with one thread, 166 with four).
    Transactions keep Piccolo's own connection each (IMMEDIATE, see :func:`write_transaction`).
    """

    def __init__(self, path: str, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        self._connection: sqlite3.Connection | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-reader")

    def _run(self, query: str, args: list[Any]) -> list[dict[str, Any]]:
        if self._connection is None:
            self._connection = sqlite3.connect(**self.connection_kwargs, check_same_thread=False)
            self._connection.row_factory = dict_factory
            self._connection.execute("PRAGMA foreign_keys = 1")
        rows: list[dict[str, Any]] = self._connection.execute(query, args).fetchall()
        return rows

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._run, query, args or [])

    async def close_idle(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._executor, self._close)
        self._executor.shutdown(wait=True)


def make_engine(url: str) -> Engine[Any]:
    """An engine for ``sqlite:///path`` or ``postgresql://user@host:port/db``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if parts.netloc:
            path = parts.netloc + "/" + path
        return PooledSQLiteEngine(path=path or "inspection.sqlite3", timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    if parts.scheme in ("postgresql", "postgres"):
        config: dict[str, Any] = {
            "host": parts.hostname or "127.0.0.1",
            "port": parts.port or 5432,
            "database": unquote(parts.path.lstrip("/")) or "postgres",
            "user": unquote(parts.username or "postgres"),
        }
        if parts.password:
            config["password"] = unquote(parts.password)
        return PostgresEngine(config=config)
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


async def open_database(url: str, *, pool_size: int = 10) -> Engine[Any]:
    """Make, bind and start the engine for ``url``."""
    engine = make_engine(url)
    if isinstance(engine, SQLiteEngine):
        Path(engine.path).parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(engine.path) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
    bind(engine)
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=pool_size)
    return engine


async def close_database(engine: Engine[Any]) -> None:
    if isinstance(engine, PostgresEngine):
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
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


async def migrate() -> None:
    """Apply every migration not yet applied to the bound database."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    os.environ["PICCOLO_CONF"] = PICCOLO_CONF
    result = await run_forwards(app_name="inspection", migration_id="all", fake=False)
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}")
