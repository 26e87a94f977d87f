"""Opening the database: the one place an engine is made, bound to the tables and closed.

Both databases run on Piccolo's own engines. PostgreSQL uses Piccolo's connection pool
(asyncpg's), opened here. SQLite runs in WAL mode, so readers never wait for the writer,
with a busy timeout, and every write transaction is IMMEDIATE (it takes the write lock
when it begins), so two writers queue instead of failing half-way.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import parse_qs, unquote, urlsplit

from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table

from inspection.db import piccolo_conf
from inspection.db.keys import conflict_for
from inspection.db.tables import TABLES
from inspection.paths import MIGRATIONS

PICCOLO_CONF = "inspection.db.piccolo_conf"
# PostgreSQL binds at most 32,767 values to one statement.
MAX_BOUND_VALUES = 32_767
SQLITE_BUSY_TIMEOUT_SECONDS = 30.0
RowT = TypeVar("RowT", bound=Table)


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
        # ``timeout`` is sqlite3's busy timeout: how long a writer waits for the lock.
        return SQLiteEngine(path=path or "inspection.sqlite3", timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    if parts.scheme in ("postgresql", "postgres"):
        return PostgresEngine(config=postgres_config(url))
    raise ValueError(f"unsupported database URL scheme {parts.scheme!r}")


def bind(engine: Engine[Any]) -> None:
    """Make ``engine`` the one every table and Piccolo's migration runner use."""
    os.environ["PICCOLO_CONF"] = PICCOLO_CONF
    piccolo_conf.DB = engine
    tables: tuple[type[Table], ...] = (*TABLES, Migration)
    for table in tables:
        table._meta.db = engine


def insert_batches(rows: Sequence[RowT]) -> Iterator[Sequence[RowT]]:
    """``rows`` (of one table) in batches small enough for one INSERT each: a conclusion
    with 2,000 findings writes some 10,000 notices."""
    if not rows:
        return
    per_statement = max(1, MAX_BOUND_VALUES // len(type(rows[0])._meta.columns))
    for start in range(0, len(rows), per_statement):
        yield rows[start : start + per_statement]


def is_sqlite(engine: Engine[Any]) -> bool:
    return engine.engine_type == "sqlite"


async def open_database(url: str, *, pool_size: int = 10) -> Engine[Any]:
    """Make, bind and start the engine for ``url``: on PostgreSQL, its connection pool."""
    engine = make_engine(url)
    if isinstance(engine, SQLiteEngine):
        Path(engine.path).parent.mkdir(parents=True, exist_ok=True)
        # WAL is a property of the file: set once, it holds for every later connection.
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    bind(engine)
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=pool_size)
    return engine


async def close_database(engine: Engine[Any]) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()


def current_engine() -> Engine[Any]:
    return TABLES[0]._meta.db


@asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """A write transaction: IMMEDIATE on SQLite, so it holds the write lock from the start.

    A transaction opened inside another joins it. A unique key's violation leaves it as the
    :class:`~inspection.errors.Conflict` that names the key's field (:mod:`inspection.db.keys`):
    a duplicate is a race lost or a value taken, never a server error.
    """
    engine = current_engine()
    transaction = (
        engine.transaction(TransactionType.immediate)
        if isinstance(engine, SQLiteEngine)
        else engine.transaction()
    )
    try:
        async with transaction:
            yield
    except Exception as exc:
        conflict = conflict_for(exc)
        if conflict is None:
            raise
        raise conflict from exc


def read_transaction() -> AbstractAsyncContextManager[Any, None]:
    """Several reads that make one page, on one connection.

    Piccolo's SQLite engine opens a connection, with a thread of its own, for each
    statement outside a transaction: a page of five reads paid for five. A deferred
    transaction takes no write lock, and on PostgreSQL holds one pooled connection.
    """
    return cast("AbstractAsyncContextManager[Any, None]", current_engine().transaction())


def for_update(table: str) -> str:
    """The clause that locks a raw query's rows of ``table`` (its name or alias there) until
    the transaction ends: ``FOR UPDATE OF`` on PostgreSQL; nothing on SQLite, where an
    IMMEDIATE transaction holds the whole database."""
    return "" if is_sqlite(current_engine()) else f" FOR UPDATE OF {table}"


class UnknownMigrations(RuntimeError):
    """The database was migrated by a version whose migrations this one no longer has."""


async def migrate() -> None:
    """Apply every migration not yet applied to the bound database.

    The migrations were squashed once (2026-12); a database migrated before that lists
    migrations that no longer exist, and applying the new ones over it would fail half-way:
    it is refused with a message that says what to do.
    """
    from piccolo.apps.migrations.commands.base import BaseMigrationManager
    from piccolo.apps.migrations.commands.forwards import run_forwards

    os.environ["PICCOLO_CONF"] = PICCOLO_CONF
    if await Migration.table_exists():
        shipped = BaseMigrationManager().get_migration_modules(str(MIGRATIONS))
        applied = await Migration.get_migrations_which_ran(app_name="inspection")
        unknown = [name for name in applied if name not in shipped]
        if unknown:
            raise UnknownMigrations(
                "This database was created by an older version of inspection (its migrations "
                f"{', '.join(unknown)} are no longer shipped) and cannot be upgraded in place. "
                "Export what you need, then start from an empty database; for the embedded "
                "set-up, remove the SQLite file under INSPECTION_DATA_DIR (var/ by default) "
                "and run `inspection serve --demo` again."
            )
    result = await run_forwards(app_name="inspection", migration_id="all", fake=False)
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}")
