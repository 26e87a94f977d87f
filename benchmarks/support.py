"""What the benchmarks share: a database to run on, server processes, the ``inspection``
command, a load client that is not the bottleneck, and CPU time per request.

Everything here reaches the application from outside, as its users and operators do:
HTTP, the ``inspection`` command and a process's ``/proc`` entry.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

BENCHMARKS = Path(__file__).resolve().parent
ROOT = BENCHMARKS.parent
# The console script next to this interpreter: its process is Python itself (no wrapper),
# so its /proc entry counts the command's own CPU time.
INSPECTION = str(Path(sys.executable).with_name("inspection"))
# The demo users' password (``inspection demo`` prints it), and the generated province's.
PASSWORD = "demo12345"  # noqa: S105


def inspection(args: Sequence[str], env: Mapping[str, str]) -> str:
    """Run the ``inspection`` command; its output, or an error with what it printed."""
    done = subprocess.run(
        [INSPECTION, *args], env={**os.environ, **env}, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"inspection {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


async def _execute(server_url: str, statement: str) -> None:
    connection = await asyncpg.connect(server_url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def database(backend: str, postgres_server: str, folder: Path) -> Iterator[str]:
    """The URL of a new, empty database: a SQLite file in ``folder``, or a scratch database
    made on the PostgreSQL server of ``postgres_server`` and dropped afterwards (the
    database that URL names is never touched)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder}/bench.sqlite3"
        return
    name = f"inspection_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_execute(postgres_server, f'CREATE DATABASE "{name}"'))
    try:
        yield urlunsplit(urlsplit(postgres_server)._replace(path="/" + name))
    finally:
        asyncio.run(_execute(postgres_server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) the process ``pid`` has used so far.

    A server's CPU time per request moves less than its rate when other work shares the
    machine, so the benchmarks print both.
    """
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class DatabaseCPU:
    """The CPU time of the PostgreSQL server processes serving one database.

    With PostgreSQL part of each request's work runs in the server's backends, not in the
    web process: counted here, per backend, from ``/proc`` (the server runs on this
    machine). SQLite's work is inside the web process already.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.connection: asyncpg.Connection | None = None

    async def __aenter__(self) -> DatabaseCPU:
        self.connection = await asyncpg.connect(self.url)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.connection is not None:
            await self.connection.close()

    async def sample(self) -> dict[int, float]:
        """Each backend of the database (but this one) and its CPU seconds so far."""
        assert self.connection is not None
        rows = await self.connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        used = {}
        for row in rows:
            try:
                used[row["pid"]] = cpu_seconds(row["pid"])
            except OSError:  # ended meanwhile
                continue
        return used


def cpu_between(before: Mapping[int, float], after: Mapping[int, float]) -> float:
    """CPU seconds that the backends used between two samples (a new backend: all of it)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def process(args: Sequence[str], env: Mapping[str, str], port: int | None = None) -> Iterator[int]:
    """Run ``args`` as a child process (waiting until it listens on ``port``), its pid; stop it after."""
    child = subprocess.Popen(list(args), env={**os.environ, **env}, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while port is not None:
            if child.poll() is not None:
                raise RuntimeError(f"{' '.join(args)} ended with status {child.returncode}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{' '.join(args)} did not listen on port {port}")
            time.sleep(0.05)
        yield child.pid
    finally:
        child.terminate()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def uvicorn(target: str, port: int, *, factory: bool = False) -> list[str]:
    """One uvicorn web process serving ``target``, with the same options for every app measured."""
    args = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port)]
    args += ["--no-access-log", "--log-level", "warning", "--app-dir", str(BENCHMARKS)]
    return [*args, "--factory"] if factory else args


@dataclass(frozen=True)
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key == name.lower()]

    def check(self, *expected: int) -> Response:
        """This response, or an error showing it when its status is not one of ``expected``."""
        if self.status not in (expected or (200,)):
            raise RuntimeError(f"HTTP {self.status}: {self.body[:800].decode(errors='replace')}")
        return self


class Connection:
    """One keep-alive HTTP/1.1 connection that reads responses by Content-Length.

    A few lines of asyncio rather than an HTTP client library: the client shares the
    machine with the servers it measures, and a heavier one became the bottleneck.
    """

    def __init__(self, port: int) -> None:
        self.port = port

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def request(self, raw: bytes) -> Response:
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = []
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers.append((name.strip().lower(), value.strip()))
        length = int(next((value for name, value in headers if name == "content-length"), "0"))
        if any(name == "transfer-encoding" for name, _ in headers):
            raise RuntimeError("chunked responses are not read by this client")
        body = await self.reader.readexactly(length) if length else b""
        return Response(int(lines[0][9:12]), headers, body)

    def close(self) -> None:
        self.writer.close()


def build(
    method: str,
    path: str,
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
    content_type: str = "application/json",
) -> bytes:
    """A raw HTTP/1.1 request."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method in ("POST", "PUT", "PATCH"):
        lines += [f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def fetch(port: int, raw: bytes) -> Response:
    """One request on a connection of its own."""
    connection = Connection(port)
    await connection.open()
    try:
        return await connection.request(raw)
    finally:
        connection.close()


@dataclass(frozen=True)
class Load:
    """What one stretch of load measured."""

    requests: int
    per_second: float
    latencies: list[float]  # seconds, sorted
    cpu_ms: float  # the server's CPU time per request
    db_cpu_ms: float | None  # PostgreSQL's backends' CPU time per request

    def percentile(self, share: float) -> float:
        return percentile(self.latencies, share)


def percentile(ordered: Sequence[float], share: float) -> float:
    """The value below which ``share`` of the sorted ``ordered`` lie (nearest rank), in ms."""
    if not ordered:
        return float("nan")
    return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def load(
    port: int,
    pid: int,
    requests: Sequence[bytes],
    seconds: float,
    connections: int = 8,
    database_cpu: DatabaseCPU | None = None,
) -> Load:
    """Send ``requests`` over ``connections`` keep-alive connections for ``seconds``, each
    connection cycling through them from its own starting point; any status but 200 stops it."""
    latencies: list[float] = []
    opened = [Connection(port) for _ in range(connections)]
    await asyncio.gather(*(connection.open() for connection in opened))
    stop = time.perf_counter() + seconds

    async def run(index: int, connection: Connection) -> None:
        i = index * len(requests) // connections
        while time.perf_counter() < stop:
            began = time.perf_counter()
            (await connection.request(requests[i % len(requests)])).check()
            latencies.append(time.perf_counter() - began)
            i += 1

    db_before = await database_cpu.sample() if database_cpu else {}
    cpu, began = cpu_seconds(pid), time.perf_counter()
    try:
        await asyncio.gather(*(run(n, connection) for n, connection in enumerate(opened)))
    finally:
        for connection in opened:
            connection.close()
    elapsed, cpu = time.perf_counter() - began, cpu_seconds(pid) - cpu
    db_cpu = cpu_between(db_before, await database_cpu.sample()) if database_cpu else None
    latencies.sort()
    count = max(len(latencies), 1)
    return Load(
        requests=len(latencies),
        per_second=len(latencies) / elapsed,
        latencies=latencies,
        cpu_ms=1000 * cpu / count,
        db_cpu_ms=None if db_cpu is None else 1000 * db_cpu / count,
    )


def machine_load() -> str:
    """The load averages, to print beside figures measured on a shared machine."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


@dataclass
class Who:
    """A signed-in user: the headers the application wants, and those the minimal one does."""

    real: dict[str, str]
    minimal: dict[str, str]
    me: dict[str, Any]


def _cookie(headers: list[str]) -> dict[str, str]:
    pairs = (header.split(";", 1)[0].split("=", 1) for header in headers)
    return {name: value for name, value in pairs}


async def sign_in(port: int, username: str, *, token: bool = False) -> Who:
    """Sign ``username`` in as a browser does (a session, then a page for the CSRF cookie),
    or as a script does (an API token)."""
    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    signed = (await fetch(port, build("POST", "/api/auth/login", body=body))).check()
    cookies = _cookie(signed.header("set-cookie"))
    jar = {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}
    page = (await fetch(port, build("GET", "/login", jar))).check(200, 303)
    cookies |= _cookie(page.header("set-cookie"))
    jar = {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}
    me = (await fetch(port, build("GET", "/api/auth/me", jar))).check()
    headers = jar
    if token:
        made = await fetch(port, build("POST", "/api/tokens", jar, json.dumps({"name": "bench"}).encode()))
        headers = {"Authorization": f"Bearer {json.loads(made.check(201).body)['token']}"}
    # Header values are Latin-1: the names' Vietnamese letters travel as JSON escapes.
    return Who(real=headers, minimal={"X-Me": json.dumps(json.loads(me.body))}, me=json.loads(me.body))
