"""PostgreSQL connections for a process: asyncpg connections kept on a stack.

asyncpg's own pool shields every release in a task of its own, sets a timer per use and
waits with timeouts: about 0.1 ms of CPU per statement, more than the statement itself
costs on the hot paths (recording an answer, a send job's three statements). This pool
hands out a kept connection with no task, timer or lock. It serves Piccolo, which asks
for ``acquire()`` (awaited, or as ``async with``) and ``release()``, and
:mod:`inspection.db.sql`, which asks for ``fetch()``.

Nothing is ever left on a connection between uses (no session settings, listeners or
open transactions), so giving one back needs no reset round trip. A connection whose use
ended uncertainly (cancelled or broken mid-statement, or still in a transaction) is
closed rather than handed to the next user; a new one is opened when needed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import Any

import asyncpg


class ConnectionPool:
    """At most ``size`` connections made with ``asyncpg.connect(**config)``; callers wait in turn."""

    def __init__(self, config: dict[str, Any], size: int) -> None:
        self._config = config
        self._size = size
        self._open = 0  # connections made and not yet closed, idle or in use
        self._idle: list[asyncpg.Connection] = []
        self._waiting: deque[asyncio.Future[asyncpg.Connection | None]] = deque()
        self._closed = False

    async def start(self, min_size: int = 1) -> None:
        """Open ``min_size`` connections now, so a wrong address fails at start-up."""
        taken = [await self._take() for _ in range(min(min_size, self._size))]
        for connection in taken:
            self._give(connection)

    async def _take(self) -> asyncpg.Connection:
        while True:
            if self._closed:
                raise asyncpg.InterfaceError("the connection pool is closed")
            while self._idle:
                connection = self._idle.pop()
                if not connection.is_closed():
                    return connection
                self._open -= 1
            if self._open < self._size:
                self._open += 1
                try:
                    return await asyncpg.connect(**self._config)
                except BaseException:
                    self._open -= 1
                    self._wake()
                    raise
            waiter: asyncio.Future[asyncpg.Connection | None] = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            try:
                handed = await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled() and waiter.result() is not None:
                    self._give(waiter.result())  # handed over just as the wait was cancelled
                else:
                    with contextlib.suppress(ValueError):
                        self._waiting.remove(waiter)
                raise
            if handed is not None:
                return handed
            # Woken with no connection: one was closed, so there is room to open another.

    def _give(self, connection: asyncpg.Connection) -> None:
        """Hand a connection in a known state to the next waiter, or keep it idle."""
        if self._closed or connection.is_closed():
            self._discard(connection)
            return
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        self._idle.append(connection)

    def _discard(self, connection: asyncpg.Connection) -> None:
        """Close a connection whose state is unknown; a waiter may open a new one."""
        connection.terminate()
        self._open -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        """Run one statement on a connection of the pool (its own transaction)."""
        connection = await self._take()
        try:
            rows: list[asyncpg.Record] = await connection.fetch(query, *args)
        except asyncpg.PostgresError:
            self._give(connection)  # the server refused the statement; the connection is ready
            raise
        except BaseException:
            self._discard(connection)  # cancelled or broken mid-statement
            raise
        self._give(connection)
        return rows

    def acquire(self) -> _Acquired:
        """A connection, as ``await pool.acquire()`` (then :meth:`release`) or ``async with``."""
        return _Acquired(self)

    async def release(self, connection: asyncpg.Connection) -> None:
        if connection.is_closed() or connection.is_in_transaction() or connection._protocol._is_cancelling():
            self._discard(connection)
        else:
            self._give(connection)

    async def close(self) -> None:
        """Close the idle connections now, and each one in use when it comes back."""
        self._closed = True
        idle, self._idle = self._idle, []
        self._open -= len(idle)
        for connection in idle:
            with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                await connection.close(timeout=5)
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_exception(asyncpg.InterfaceError("the connection pool is closed"))


class _Acquired:
    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool
        self._connection: asyncpg.Connection | None = None

    def __await__(self) -> Any:
        return self._pool._take().__await__()

    async def __aenter__(self) -> asyncpg.Connection:
        self._connection = await self._pool._take()
        return self._connection

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _tb: Any
    ) -> None:
        assert self._connection is not None
        connection, self._connection = self._connection, None
        if kind is None or isinstance(error, asyncpg.PostgresError):
            await self._pool.release(connection)
        else:
            self._pool._discard(connection)
