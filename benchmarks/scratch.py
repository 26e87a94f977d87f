"""A scratch PostgreSQL database for a benchmark run, dropped when the run ends."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg


async def _execute(server_url: str, statement: str) -> None:
    connection = await asyncpg.connect(server_url.replace("postgresql://", "postgres://", 1))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """The URL of a new, empty database on the server of ``server_url``."""
    name = f"inspection_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_execute(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.rsplit("/", 1)[0] + "/" + name
    finally:
        asyncio.run(_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
