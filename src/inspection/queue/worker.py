"""The arq worker: its settings built from :class:`Settings`, its resources opened in ``on_startup``.

``inspection worker`` runs :func:`run_worker`; ``inspection serve`` runs :func:`build_worker`'s
worker inside the web process's event loop, sharing the database the app opened.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import uvloop
from arq import cron, func
from arq.connections import RedisSettings
from arq.worker import Worker

from inspection.db.engine import close_database, open_database
from inspection.logs import configure_logging
from inspection.mail.sender import make_mailer
from inspection.queue.jobs import send_notification
from inspection.queue.sweep import SEND_JOB, sweep

if TYPE_CHECKING:
    from inspection.mail.sender import Mailer
    from inspection.settings import Settings

QUEUE_NAME = "inspection"


def worker_settings(
    settings: Settings, *, own_database: bool = True, mailer: Mailer | None = None
) -> dict[str, Any]:
    """The keyword arguments of an arq ``Worker``: plain data, as arq's ``WorkerSettings`` is.

    ``own_database=False`` when the process has already opened the database (the web app
    in ``inspection serve``, or a test); ``mailer`` replaces the one built from settings.
    """
    if not settings.redis_url:
        raise ValueError("the worker needs INSPECTION_REDIS_URL (inspection serve starts an embedded Redis)")

    async def on_startup(ctx: dict[str, Any]) -> None:
        if own_database:
            ctx["engine"] = await open_database(settings.effective_database_url)
        ctx["mailer"] = mailer or make_mailer(settings)
        # Catch up at once on whatever fell due while no worker ran.
        await sweep(ctx)

    async def on_shutdown(ctx: dict[str, Any]) -> None:
        if "mailer" in ctx:
            await ctx["mailer"].close()
        if "engine" in ctx:
            await close_database(ctx.pop("engine"))

    return {
        "functions": [
            func(
                send_notification,
                name=SEND_JOB,
                # No result kept, so a row claimed again later can be enqueued under the same id.
                keep_result=0,
                max_tries=len(settings.mail_retry_seconds) + 1,
                timeout=settings.send_timeout_seconds,
            )
        ],
        # arq marks every job in progress for the longest timeout of them all (+ 10 s): the
        # sweep's bound is the send job's, so a dead worker's send blocks its id as briefly.
        "cron_jobs": [
            cron(sweep, name="sweep", second=0, unique=True, timeout=settings.send_timeout_seconds)
        ],
        "on_startup": on_startup,
        "on_shutdown": on_shutdown,
        "redis_settings": RedisSettings.from_dsn(settings.redis_url),
        "queue_name": QUEUE_NAME,
        "ctx": {"settings": settings},
        "keep_result": 0,
        # A send job mostly waits (for SMTP replies, for a free SMTP connection). Once max_jobs
        # run, arq stops taking jobs until its next poll, poll_delay later: jobs lasting 10 ms
        # ran at 570/s with 20 and 1,800/s with 100 (bare arq, poll_delay 0.05), and 20 held
        # benchmarks/bench_queue.py to some 400 sends/s whatever the CPU left.
        "max_jobs": 100,
        "poll_delay": 0.2,
    }


def build_worker(settings: Settings, **overrides: Any) -> Worker:
    """An arq ``Worker``; ``overrides`` adds or replaces Worker arguments (``burst=True`` in tests)."""
    own_database = overrides.pop("own_database", True)
    mailer = overrides.pop("mailer", None)
    options = worker_settings(settings, own_database=own_database, mailer=mailer)
    options.update(overrides)
    return Worker(**options)


def run_worker(settings: Settings) -> None:
    """Run a worker until SIGINT/SIGTERM: the ``inspection worker`` command.

    On uvloop, as uvicorn runs the web processes: a worker's time goes mostly to socket
    writes (Redis, SMTP, PostgreSQL), which uvloop makes cheaper.
    """
    configure_logging(settings)
    asyncio.set_event_loop(uvloop.new_event_loop())
    build_worker(settings).run()
