"""A test server: the demo data on a fresh database, served by uvicorn.

Run as ``python -m tests.browser.server DATA_DIR REDIS_URL PORT [DATABASE_URL]``, in a process of
its own, so nothing it caches (decoded checklists, the clock) leaks into the other tests; the
database is a SQLite file under DATA_DIR unless DATABASE_URL names an empty, migrated or new one.
:func:`running` starts it and waits until it answers (the browser tests, the API fuzz test).
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from inspection.app import create_app
from inspection.checklists.loader import load_checklists
from inspection.db.engine import close_database, migrate, open_database
from inspection.demo import load_demo
from inspection.paths import CHECKLISTS
from inspection.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


async def prepare(settings: Settings) -> None:
    engine = await open_database(settings.effective_database_url)
    try:
        await migrate()
        await load_checklists(CHECKLISTS)
        await load_demo(settings)
    finally:
        await close_database(engine)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(data_dir: Path, redis_url: str, database_url: str = "") -> Iterator[str]:
    """The base URL of the server on a free 127.0.0.1 port, stopped when the block ends."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.browser.server", str(data_dir), redis_url, str(port), database_url],
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def served_settings(data_dir: str, redis_url: str, database_url: str = "", **more: str) -> Settings:
    """The server's settings (its worker's too, with ``more``: where to send e-mail)."""
    return Settings(
        data_dir=data_dir,
        redis_url=redis_url,
        database_url=database_url,
        secret_key="browser-test-secret-0123456789abcdef",
        **more,
    )


def main(data_dir: str, redis_url: str, port: str, database_url: str = "") -> None:
    settings = served_settings(data_dir, redis_url, database_url)
    asyncio.run(prepare(settings))
    uvicorn.run(create_app(settings), host="127.0.0.1", port=int(port), log_level="warning")


if __name__ == "__main__":
    main(*sys.argv[1:5])
