"""The browser tests' server: the demo data on a fresh SQLite file, served by uvicorn.

Run as ``python -m tests.browser.server DATA_DIR REDIS_URL PORT``, in a process of its own,
so nothing it caches (decoded checklists, the clock) leaks into the other tests.
"""

from __future__ import annotations

import asyncio
import sys

import uvicorn

from inspection.app import create_app
from inspection.checklists.loader import load_checklists
from inspection.db.engine import close_database, migrate, open_database
from inspection.demo import load_demo
from inspection.paths import CHECKLISTS
from inspection.settings import Settings


async def prepare(settings: Settings) -> None:
    engine = await open_database(settings.effective_database_url)
    try:
        await migrate()
        await load_checklists(CHECKLISTS)
        await load_demo(settings)
    finally:
        await close_database(engine)


def main(data_dir: str, redis_url: str, port: str) -> None:
    settings = Settings(
        data_dir=data_dir, redis_url=redis_url, secret_key="browser-test-secret-0123456789abcdef"
    )
    asyncio.run(prepare(settings))
    uvicorn.run(create_app(settings), host="127.0.0.1", port=int(port), log_level="warning")


if __name__ == "__main__":
    main(*sys.argv[1:4])
