"""The arq worker: its settings built from :class:`Settings`, and the loop that keeps one running.

``inspection worker`` runs :func:`run_worker`; ``inspection serve`` runs :func:`worker_beside` in
the web app's lifespan, sharing the database the app opened. Both run arq ``Worker``\\ s under
:func:`supervise`, which starts a new one when Redis goes away and comes back.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import uvloop
from arq import cron, func
from arq.connections import RedisSettings, create_pool
from arq.worker import Worker
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from inspection.db.engine import close_database, open_database
from inspection.logs import configure_logging
from inspection.mail.sender import make_mailer
from inspection.queue.jobs import send_notification
from inspection.queue.sweep import SEND_JOB, sweep

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from inspection.mail.sender import Mailer
    from inspection.settings import Settings

log = logging.getLogger(__name__)

QUEUE_NAME = "inspection"
# What a lost Redis raises (a lost database too, at a worker's first sweep): the worker is
# started again. OSError covers the socket errors and the built-in TimeoutError.
CONNECTION_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
# Seconds between a worker's end and the next one's start (see Backoff).
FIRST_DELAY_SECONDS = 1
LONGEST_DELAY_SECONDS = 30


def redis_settings(settings: Settings) -> RedisSettings:
    """arq's connection settings for ``INSPECTION_REDIS_URL``.

    arq would try to connect five more times, a warning each; :func:`supervise` tries again
    itself, with a growing delay.
    """
    if not settings.redis_url:
        raise ValueError("the worker needs INSPECTION_REDIS_URL (inspection serve starts an embedded Redis)")
    return replace(RedisSettings.from_dsn(settings.redis_url), conn_retries=0)


def worker_settings(settings: Settings, *, mailer: Mailer | None = None) -> dict[str, Any]:
    """The keyword arguments of an arq ``Worker``: plain data, as arq's ``WorkerSettings`` is.

    The database must be open already (the worker process, the web app in ``inspection serve``,
    or a test opened it). ``mailer`` is the caller's, who closes it; without one, each worker
    makes and closes its own from settings.
    """

    async def on_startup(ctx: dict[str, Any]) -> None:
        ctx["mailer"] = mailer or make_mailer(settings)
        # Catch up at once on whatever fell due while no worker ran.
        await sweep(ctx)

    async def on_shutdown(ctx: dict[str, Any]) -> None:
        if mailer is None and "mailer" in ctx:
            await ctx["mailer"].close()

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
        "redis_settings": redis_settings(settings),
        "queue_name": QUEUE_NAME,
        "ctx": {"settings": settings},
        "keep_result": 0,
        # A send job mostly waits (for SMTP replies, for a free SMTP connection). Once max_jobs
        # run, arq stops taking jobs until its next poll, poll_delay later: jobs lasting 10 ms
        # ran at 570/s with 20 and 1,800/s with 100 (bare arq, poll_delay 0.05), and 20 held
        # the old queue benchmark to some 400 sends/s whatever the CPU left.
        "max_jobs": 100,
        "poll_delay": 0.2,
    }


def build_worker(settings: Settings, **overrides: Any) -> Worker:
    """An arq ``Worker``; ``overrides`` adds or replaces Worker arguments (``burst=True`` in tests)."""
    options = worker_settings(settings, mailer=overrides.pop("mailer", None))
    options.update(overrides)
    return Worker(**options)


@dataclass
class Backoff:
    """The wait before the next worker: 1 s, 2 s, 4 s ... up to 30 s while each fails at once."""

    failures: int = 0

    def next_delay(self, ran_seconds: float) -> int:
        """The wait after a worker that ran ``ran_seconds``; one that ran 30 s or more was healthy."""
        if ran_seconds >= LONGEST_DELAY_SECONDS:
            self.failures = 0
        doubled: int = FIRST_DELAY_SECONDS * 2**self.failures
        self.failures += 1
        return min(doubled, LONGEST_DELAY_SECONDS)


async def supervise(settings: Settings, stop: asyncio.Event, *, own_database: bool = True) -> None:
    """Keep a worker running until ``stop`` is set, through Redis going away and coming back.

    A worker that loses its connection ends; the reason is logged, and after a :class:`Backoff`
    delay a new worker connects and sweeps, which re-queues whatever Redis lost. The database
    (``own_database``: opened here, else by the caller) and the SMTP connections stay open
    across workers. Any other error ends the process, for its supervisor (systemd) to restart.
    """
    engine = await open_database(settings.effective_database_url) if own_database else None
    mailer = make_mailer(settings)
    stopping: asyncio.Future[Any] = asyncio.ensure_future(stop.wait())
    backoff = Backoff()
    try:
        while not stopping.done():
            delay = await _run_one(settings, mailer, stopping, backoff)
            if delay is None:
                break
            await asyncio.wait([stopping], timeout=delay)
    finally:
        stopping.cancel()
        await mailer.close()
        if engine is not None:
            await close_database(engine)
    log.info("queue worker stopped")


async def _run_one(
    settings: Settings, mailer: Mailer, stopping: asyncio.Future[Any], backoff: Backoff
) -> int | None:
    """Connect and run one arq ``Worker``: None once ``stopping`` is done, else the wait before the next."""
    began = asyncio.get_running_loop().time()

    def lost(error: BaseException) -> int:
        delay = backoff.next_delay(asyncio.get_running_loop().time() - began)
        log.warning(
            "queue worker connection failed (%s.%s: %s); trying again in %d s",
            type(error).__module__,
            type(error).__qualname__,
            error,
            delay,
        )
        return delay

    try:
        pool = await create_pool(redis_settings(settings), default_queue_name=QUEUE_NAME)
    except CONNECTION_ERRORS as exc:
        return lost(exc)
    # Signals are the caller's: a worker of our own would only cancel its main task on SIGTERM,
    # which the loop could not tell from a failure.
    worker = build_worker(settings, mailer=mailer, redis_pool=pool, handle_signals=False)
    running = asyncio.ensure_future(worker.async_run())
    try:
        log.info(
            "queue worker connected to Redis at %s, queue %s; sends and sweeps time out after %d s",
            _redis_address(settings),
            QUEUE_NAME,
            settings.send_timeout_seconds,
        )
        await asyncio.wait([running, stopping], return_when=asyncio.FIRST_COMPLETED)
        if stopping.done():
            return None
        try:
            running.result()  # what ended the worker: an error other than a connection's ends the process
        except CONNECTION_ERRORS as exc:
            delay = lost(exc)
        else:
            return None  # only a burst worker ends by itself
        if worker.tasks:
            # A send under way needs the database and SMTP, not Redis: let it end and be recorded
            # rather than cut it in the middle of the SMTP conversation (which leaves it in doubt).
            finished = asyncio.gather(*worker.tasks.values(), return_exceptions=True)
            await asyncio.wait(
                [finished, stopping],
                timeout=settings.send_timeout_seconds,
                return_when=asyncio.FIRST_COMPLETED,
            )
        return delay
    finally:
        await _close(worker)
        await asyncio.wait([running])
        await pool.aclose()


def _redis_address(settings: Settings) -> str:
    """Where the worker's Redis is, without the password the URL may hold."""
    where = redis_settings(settings)
    place = where.unix_socket_path or f"{where.host}:{where.port}"
    return f"{place} db {where.database}"


async def _close(worker: Worker) -> None:
    """Stop ``worker``'s jobs and run its shutdown; without Redis, arq's close stops half-way."""
    try:
        await worker.close()
    except CONNECTION_ERRORS:
        # Its cancelled jobs end by failing to record their end in Redis: wait for that, so
        # none is left to be reported as an exception never retrieved.
        await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
    except asyncio.CancelledError:
        # arq's close cancels the jobs under way, then gathers them: a job's cancellation can
        # come back here (seen when stopping during a burst). Only this task's own
        # cancellation is to go on up; the jobs' ends are awaited like the case above.
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise
        await asyncio.gather(*worker.tasks.values(), return_exceptions=True)


@asynccontextmanager
async def worker_beside(settings: Settings) -> AsyncIterator[None]:
    """A supervised worker running while the block runs, on the database already open there.

    ``inspection serve`` runs it in the web app's lifespan, so the worker stops before the app
    closes the database, and before uvicorn ends the process on SIGTERM.
    """
    stop = asyncio.Event()
    running = asyncio.create_task(supervise(settings, stop, own_database=False))
    try:
        yield
    finally:
        stop.set()
        await running


def run_worker(settings: Settings) -> None:
    """Run a supervised worker until SIGINT or SIGTERM: the ``inspection worker`` command.

    On uvloop, as uvicorn runs the web processes: a worker's time goes mostly to socket
    writes (Redis, SMTP, PostgreSQL), which uvloop makes cheaper.
    """
    configure_logging(settings)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(_until_signalled(settings))


async def _until_signalled(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, _stop, stop, signum)
    await supervise(settings, stop)


def _stop(stop: asyncio.Event, signum: signal.Signals) -> None:
    log.info("%s received: the queue worker stops", signum.name)
    stop.set()
