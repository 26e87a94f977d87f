"""Opening the database: the one place an engine is made, bound to the tables and closed.

SQLite runs in WAL mode and every write transaction is IMMEDIATE, so two writers queue
instead of failing half-way; PostgreSQL runs on an asyncpg pool opened here.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from inspection.db.tables import TABLES

PICCOLO_CONF = "inspection.db.piccolo_conf"
SQLITE_BUSY_TIMEOUT_SECONDS = 30.0


def make_engine(url: str) -> Engine[Any]:
    """An engine for ``sqlite:///path`` or ``postgresql://user@host:port/db``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if parts.netloc:
            path = parts.netloc + "/" + path
        return SQLiteEngine(path=path or "inspection.sqlite3", timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
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
