"""What the benchmarks share: a scratch PostgreSQL database, a load client that is not the
bottleneck, and a process's CPU time."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit, urlunsplit

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
        yield urlunsplit(urlsplit(server_url)._replace(path="/" + name))
    finally:
        asyncio.run(_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) the process ``pid`` has used so far.

    A server's CPU time per request moves less than its rate when other work shares the
    machine, so the benchmarks print both.
    """
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Connection:
    """One keep-alive HTTP/1.1 connection that reads responses by Content-Length.

    A few lines of asyncio rather than an HTTP client library: the client shares the
    machine with the servers it measures, and a heavier one became the bottleneck.
    """

    def __init__(self, port: int) -> None:
        self.port = port

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        body = await self.reader.readexactly(length) if length else b""
        return int(head[9:12]), body

    def close(self) -> None:
        self.writer.close()


def build(method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"") -> bytes:
    """A raw HTTP/1.1 request."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def fetch(port: int, raw: bytes) -> bytes:
    """One response's body; an error status raises."""
    connection = Connection(port)
    await connection.open()
    try:
        status, body = await connection.request(raw)
    finally:
        connection.close()
    if status >= 400:
        raise RuntimeError(f"HTTP {status}: {body[:500].decode(errors='replace')}")
    return body


class Load(NamedTuple):
    per_second: float
    median_ms: float
    cpu_ms: float  # the server's CPU time per request


def load(
    server: subprocess.Popen[bytes], port: int, requests: list[bytes], seconds: float, connections: int = 8
) -> Load:
    """Run ``requests`` (each connection cycling through them) against ``server`` for ``seconds``."""
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    async def run(offset: int) -> None:
        connection = Connection(port)
        await connection.open()
        i = offset
        while time.perf_counter() < stop:
            began = time.perf_counter()
            status, body = await connection.request(requests[i % len(requests)])
            if status >= 400:
                raise RuntimeError(f"HTTP {status}: {body[:500].decode(errors='replace')}")
            latencies.append(time.perf_counter() - began)
            i += 1
        connection.close()

    async def all_connections() -> None:
        await asyncio.gather(*(run(n) for n in range(connections)))

    cpu, began = cpu_seconds(server.pid), time.perf_counter()
    asyncio.run(all_connections())
    elapsed, cpu = time.perf_counter() - began, cpu_seconds(server.pid) - cpu
    latencies.sort()
    return Load(len(latencies) / elapsed, 1000 * latencies[len(latencies) // 2], 1000 * cpu / len(latencies))
