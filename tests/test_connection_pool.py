"""The PostgreSQL connection pool: bounded, shared in turn, and never handing on a connection
left in an unknown state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from inspection.db.engine import postgres_config
from inspection.db.pool import ConnectionPool


@pytest.fixture
async def pool(postgres_url: str) -> AsyncIterator[ConnectionPool]:
    pool = ConnectionPool(postgres_config(postgres_url), size=2)
    await pool.start()
    yield pool
    await pool.close()


async def test_more_users_than_connections_take_turns(pool: ConnectionPool) -> None:
    rows = await asyncio.gather(
        *(pool.fetch("SELECT pg_backend_pid() AS pid, pg_sleep(0.01)") for _ in range(20))
    )
    assert len({row[0]["pid"] for row in rows}) <= 2
    async with pool.acquire() as connection:
        assert await connection.fetchval("SELECT 1") == 1


async def test_a_refused_statement_leaves_the_connection_usable(pool: ConnectionPool) -> None:
    pid = (await pool.fetch("SELECT pg_backend_pid() AS pid"))[0]["pid"]
    with pytest.raises(asyncpg.DivisionByZeroError):
        await pool.fetch("SELECT 1 / 0")
    assert (await pool.fetch("SELECT pg_backend_pid() AS pid"))[0]["pid"] == pid


async def test_a_statement_cancelled_midway_does_not_reach_the_next_user(pool: ConnectionPool) -> None:
    sleeping = [asyncio.create_task(pool.fetch("SELECT pg_sleep(30)")) for _ in range(2)]
    waiting = asyncio.create_task(pool.fetch("SELECT 'third'"))  # waits for a connection
    await asyncio.sleep(0.3)
    for task in sleeping:
        task.cancel()
    # The cancelled statements' connections are closed, not handed on mid-statement.
    assert (await asyncio.wait_for(waiting, 5))[0][0] == "third"
    assert [row[0][0] for row in await asyncio.gather(*(pool.fetch("SELECT 2") for _ in range(4)))] == [2] * 4


async def test_a_wait_given_up_takes_nothing(pool: ConnectionPool) -> None:
    held = [await pool.acquire(), await pool.acquire()]
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(pool.fetch("SELECT 1"), 0.2)
    for connection in held:
        await pool.release(connection)
    assert [row[0][0] for row in await asyncio.gather(*(pool.fetch("SELECT 3") for _ in range(3)))] == [3] * 3


async def test_a_connection_left_in_a_transaction_is_not_handed_on(pool: ConnectionPool) -> None:
    connection = await pool.acquire()
    await connection.execute("BEGIN")
    await connection.execute("CREATE TEMPORARY TABLE leftover (n int)")
    await pool.release(connection)
    assert connection.is_closed()
    async with pool.acquire() as fresh:
        assert not fresh.is_in_transaction()
        assert await fresh.fetchval("SELECT to_regclass('pg_temp.leftover')") is None


async def test_a_connection_the_server_dropped_is_replaced(pool: ConnectionPool, postgres_url: str) -> None:
    pid = (await pool.fetch("SELECT pg_backend_pid() AS pid"))[0]["pid"]
    admin = await asyncpg.connect(postgres_url.replace("postgresql://", "postgres://", 1))
    try:
        await admin.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()
    await asyncio.sleep(0.2)
    outcomes = []
    for _ in range(3):
        try:
            outcomes.append((await pool.fetch("SELECT pg_backend_pid() AS pid"))[0]["pid"])
        except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError):
            outcomes.append(None)
    assert outcomes[-1] is not None and outcomes[-1] != pid
