"""A worker process rides out a Redis restart: it says why it lost Redis, connects again, sends on.

``inspection worker`` runs in a child process, configured through its environment like a
deployed one, against a Redis server of the test's own. The test stops that server, and the
worker must log a warning and keep running; a notice falls due while Redis is away, the
server starts again on the same port, empty, and the notice must arrive. ``inspection serve``
runs its worker the same way, in the web app's lifespan.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import msgspec
import pytest

from inspection.db.engine import write_transaction
from inspection.db.tables import Notification
from inspection.embedded_redis import EmbeddedRedis
from inspection.queue import outbox
from inspection.settings import Settings
from tests.factories import make_action, make_unit, make_user
from tests.queue.conftest import Clock, Inbox, free_port
from tests.queue.test_killed_worker import _worker_environment

TIME = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}"
WORKER = "inspection.queue.worker"
REDIS_LOST = ("WARNING", WORKER, "connection failed.*redis")


def _lines(log: Path, level: str, logger: str, words: str) -> list[str]:
    """The log's lines of ``logger`` at ``level`` containing ``words``, each with its timestamp."""
    pattern = re.compile(
        rf"^{level} - {TIME} - {re.escape(logger)} - .*{words}", re.MULTILINE | re.IGNORECASE
    )
    return pattern.findall(log.read_text())


async def _within(seconds: float, condition: Callable[[], bool], log: Path) -> None:
    """Wait until ``condition`` holds; fail with the child's log if it does not within ``seconds``."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"not within {seconds} s; the child's log:\n{log.read_text()}")  # noqa: ASYNC240
        await asyncio.sleep(0.1)


async def _notice_due(settings: Settings, code: str) -> None:
    """A new action of a new unit: its assignment notice to the unit's head falls due now."""
    inspector = await make_user("inspector")
    unit = await make_unit(code)
    await make_user("unit_head", unit, username=f"head-{code.lower()}")
    action = await make_action(unit, inspector, dt.date(2026, 12, 15))
    async with write_transaction():
        await outbox.reconcile(action.id, settings)


@asynccontextmanager
async def _running(
    command: list[str], settings: Settings, clock_: Clock, tmp_path: Path
) -> AsyncIterator[tuple[asyncio.subprocess.Process, EmbeddedRedis, Path]]:
    """``inspection <command>`` in a child process on a Redis server of its own, logging at INFO.

    Yields the child, the Redis server and the log file; the child is killed if still running.
    """
    clock_file = tmp_path / "clock"
    clock_file.write_text(clock_.at.isoformat())
    redis = EmbeddedRedis(tmp_path / "redis", persist=False)
    redis.start()
    settings = msgspec.structs.replace(settings, redis_url=redis.url)
    environment = _worker_environment(settings, clock_file) | {"INSPECTION_LOG_LEVEL": "INFO"}
    log = tmp_path / "worker.log"
    try:
        with log.open("wb") as output:
            child = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "inspection.cli",
                *command,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            try:
                yield child, redis, log
            finally:
                if child.returncode is None:
                    child.kill()
                    await child.wait()
    finally:
        redis.stop()


async def _stop(child: asyncio.subprocess.Process) -> int:
    child.send_signal(signal.SIGTERM)
    async with asyncio.timeout(30):
        return await child.wait()


async def _rides_out_a_redis_restart(
    command: list[str], settings: Settings, inbox: Inbox, clock_: Clock, tmp_path: Path
) -> tuple[int, Path]:
    """Run ``inspection <command>`` through a Redis restart; its exit code after SIGTERM, and its log."""
    await _notice_due(settings, "X-FIRST")
    async with _running(command, settings, clock_, tmp_path) as (child, redis, log):
        await _within(60, lambda: len(inbox.messages) == 1, log)

        redis.stop()
        await _within(30, lambda: bool(_lines(log, *REDIS_LOST)), log)
        assert child.returncode is None, log.read_text()
        await _notice_due(settings, "X-SECOND")  # while Redis is away
        redis.start()  # on the same port, with none of the jobs it held
        await _within(60, lambda: len(inbox.messages) == 2, log)
        assert child.returncode is None, log.read_text()

        code = await _stop(child)
    assert [to for to, _ in inbox.summary()] == ["head-x-first@example.test", "head-x-second@example.test"]
    # One line when the worker connected, one when it connected again, each stamped with its time.
    assert len(_lines(log, "INFO", WORKER, "connected to Redis")) >= 2, log.read_text()
    assert _lines(log, "INFO", WORKER, "queue worker stopped"), log.read_text()
    assert "Traceback" not in log.read_text()
    return code, log


async def test_the_worker_rides_out_a_redis_restart(
    db: object, inbox: Inbox, fake_clock: Clock, queue_settings: Settings, tmp_path: Path
) -> None:
    code, log = await _rides_out_a_redis_restart(["worker"], queue_settings, inbox, fake_clock, tmp_path)
    assert code == 0, log.read_text()
    assert _lines(log, "INFO", WORKER, "SIGTERM received"), log.read_text()


# serve is the embedded set-up, on SQLite; it migrates and loads the checklists first.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_worker_of_serve_rides_out_a_redis_restart(
    db: object, inbox: Inbox, fake_clock: Clock, queue_settings: Settings, tmp_path: Path
) -> None:
    command = ["serve", "--port", str(free_port())]
    code, log = await _rides_out_a_redis_restart(command, queue_settings, inbox, fake_clock, tmp_path)
    # uvicorn, once shut down, raises the signal it caught again: the worker stopped before that.
    assert code == -signal.SIGTERM, log.read_text()


async def test_a_send_under_way_when_redis_goes_is_finished_and_recorded(
    db: object, inbox: Inbox, fake_clock: Clock, queue_settings: Settings, tmp_path: Path
) -> None:
    await _notice_due(queue_settings, "X-FIRST")
    inbox.hold = True  # the server takes the message in and keeps its reply back
    async with _running(["worker"], queue_settings, fake_clock, tmp_path) as (child, redis, log):
        assert await asyncio.to_thread(inbox.holding.wait, 60), log.read_text()
        redis.stop()
        await _within(30, lambda: bool(_lines(log, *REDIS_LOST)), log)
        inbox.release.set()
        # Recorded as sent although Redis is still away: not cut off, so not in doubt.
        rows = Notification.select(Notification.status, Notification.in_doubt).where(
            Notification.kind == "assigned"
        )
        deadline = asyncio.get_running_loop().time() + 30
        while (got := await rows) != [{"status": "sent", "in_doubt": 0}]:
            assert asyncio.get_running_loop().time() < deadline, (got, log.read_text())
            await asyncio.sleep(0.1)
        assert await _stop(child) == 0, log.read_text()
    assert len(inbox.messages) == 1


async def test_a_worker_stopped_while_it_sends_ends_quietly(
    db: object, inbox: Inbox, fake_clock: Clock, queue_settings: Settings, tmp_path: Path
) -> None:
    """SIGTERM while a message is with the SMTP server: the send is cut off (its row stays
    for the next worker, counted in doubt if it was handed over), and the worker ends with
    exit code 0 and no traceback in its log. The jobs waiting for the one SMTP connection
    are cut off too."""
    for n in range(5):
        await _notice_due(queue_settings, f"X-{n}")
    settings = msgspec.structs.replace(queue_settings, smtp_connections=1)
    inbox.hold = True
    async with _running(["worker"], settings, fake_clock, tmp_path) as (child, _, log):
        assert await asyncio.to_thread(inbox.holding.wait, 60), log.read_text()
        code = await _stop(child)
        inbox.release.set()
    assert code == 0, log.read_text()
    assert "Traceback" not in log.read_text()
    assert _lines(log, "INFO", WORKER, "queue worker stopped"), log.read_text()
