"""The browser tests' queue worker: one burst beside the test server, as ``tests/queue`` runs it.

Run as ``python -m tests.browser.worker DATA_DIR REDIS_URL SMTP_PORT`` once the pages have done
what causes the notices: it sweeps the server's outbox (its SQLite file and Redis), sends
everything due to the SMTP server on ``127.0.0.1:SMTP_PORT`` until nothing is left due, and
stops; in a process of its own like the server, so nothing it binds or caches stays in the
test process.
"""

from __future__ import annotations

import asyncio
import sys

from inspection.db.engine import close_database, open_database
from tests.browser.server import served_settings
from tests.queue.conftest import run_worker

MOST_BURSTS = 5


async def send_due(data_dir: str, redis_url: str, smtp_port: str) -> None:
    settings = served_settings(
        data_dir,
        redis_url,
        smtp_url=f"smtp://127.0.0.1:{smtp_port}",
        mail_from="Kiểm tra CCHC <kiemtra@caolanh.example>",
    )
    engine = await open_database(settings.effective_database_url)
    try:
        # A send may write the next notice of its action's chase, which the next minute's sweep
        # sends: the bursts go on, as the minutes would, until one finds nothing to do.
        for _ in range(MOST_BURSTS):
            if not await run_worker(settings):
                return
        raise RuntimeError(f"notices still due after {MOST_BURSTS} bursts of the worker")
    finally:
        await close_database(engine)


if __name__ == "__main__":
    asyncio.run(send_due(*sys.argv[1:4]))
