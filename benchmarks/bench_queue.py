"""Queue throughput, run by hand: ``uv run python benchmarks/bench_queue.py [database-url]``.

Writes 10,000 open actions (``BENCH_ACTIONS`` to change), each with a due notification,
then prints: the time the sweep takes to claim and enqueue them; send jobs per second
through a local SMTP sink (aiosmtpd, in a process of its own as a real server would be,
offering PIPELINING as production servers do; ``BENCH_SMTP_PIPELINING=0`` to withhold it);
and bare arq no-op jobs per second on the same Redis in the same run, with the ratio.
Sends and no-op jobs take turns in ``BENCH_ROUNDS`` rounds (default 5), each a slice of
the queue; the figures are the rounds' medians.
Targets: sweep under 10 s; sends at least 40% of the no-op rate. The CPU time per job is
printed too: on a shared machine it varies less than the rates do.
Redis is ``INSPECTION_REDIS_URL`` (default: an embedded server); the database is a fresh
SQLite file, or a scratch database on the PostgreSQL server named, dropped at the end.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import uvloop
from aiosmtpd.controller import Controller
from arq import func
from arq.connections import RedisSettings, create_pool
from arq.worker import Worker
from support import scratch_database

from inspection import clock
from inspection.db.engine import close_database, migrate, open_database
from inspection.db.tables import (
    Checklist,
    ChecklistVersion,
    CorrectiveAction,
    Finding,
    Inspection,
    Notification,
    Unit,
    User,
)
from inspection.embedded_redis import EmbeddedRedis
from inspection.queue.sweep import sweep
from inspection.queue.worker import build_worker
from inspection.settings import Settings

ACTIONS = int(os.environ.get("BENCH_ACTIONS", "10000"))
PIPELINING = os.environ.get("BENCH_SMTP_PIPELINING", "1") != "0"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))


class Sink:
    """An SMTP server's handler that accepts and counts.

    It offers PIPELINING, as production servers (Postfix, Exim, the big providers) do;
    ``BENCH_SMTP_PIPELINING=0`` measures a server without it.
    """

    def __init__(self, received: Any) -> None:
        self.received = received

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        if PIPELINING:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.received.get_lock():
            self.received.value += 1
        return "250 OK"


def serve_sink(port: int, received: Any, ready: Any, stop: Any) -> None:
    """The SMTP sink's own process, as a real mail server would be.

    In the benchmark's process its thread would wait for the GIL at every SMTP reply (up to
    the interpreter's 5 ms switch interval each), and that wait, not the queue, would be
    what is measured.
    """
    controller = Controller(Sink(received), hostname="127.0.0.1", port=port, server_hostname="sink.test")
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


async def seed() -> None:
    now = clock.now()
    unit = Unit(code="B", name_vi="Xã B", kind="commune")
    await unit.save()
    head = User(
        username="h",
        full_name="H",
        email="h@example.test",
        role="unit_head",
        password_hash="x",  # noqa: S106 - never signs in
        created_at=now,
    )
    await head.save()
    checklist = Checklist(code="B", title_vi="B")
    await checklist.save()
    version = ChecklistVersion(
        checklist=checklist.id, number=1, sha256="0" * 64, definition={}, max_points=1.0, loaded_at=now
    )
    await version.save()
    inspection = Inspection(
        unit=unit.id,
        checklist_version=version.id,
        title="B",
        lead=head.id,
        planned_date=now.date(),
        status="submitted",
        created_by=head.id,
        created_at=now,
    )
    await inspection.save()
    for start in range(0, ACTIONS, 1000):
        findings = [
            Finding(
                inspection=inspection.id,
                title=f"F{n}",
                severity="minor",
                created_by=head.id,
                created_at=now,
                item_code=f"{n}",
            )
            for n in range(start, start + 1000)
        ]
        ids = await Finding.insert(*findings).returning(Finding.id)
        actions = [
            CorrectiveAction(
                finding=row["id"],
                inspection=inspection.id,
                unit=unit.id,
                assignee=head.id,
                opened_by=head.id,
                title="A",
                severity="minor",
                status="open",
                due_date=now.date() + dt.timedelta(days=30),
                original_due_date=now.date() + dt.timedelta(days=30),
                created_at=now,
            )
            for row in ids
        ]
        action_ids = await CorrectiveAction.insert(*actions).returning(CorrectiveAction.id)
        await Notification.insert(
            *[
                Notification(
                    kind="assigned",
                    action=row["id"],
                    recipient=head.id,
                    due_at=now,
                    status="pending",
                    idempotency_key=f"a{row['id']}:assigned:u{head.id}",
                    created_at=now,
                    data={},
                )
                for row in action_ids
            ]
        )


async def noop(ctx: dict[str, Any], n: int) -> None:
    return None


async def noop_rate(redis_url: str, jobs: int) -> tuple[float, float]:
    """Bare arq jobs per second, and the process's CPU milliseconds per job."""
    pool = await create_pool(RedisSettings.from_dsn(redis_url), default_queue_name="bench-noop")
    for start in range(0, jobs, 200):
        await asyncio.gather(*(pool.enqueue_job("noop", n) for n in range(start, min(jobs, start + 200))))
    worker = Worker(
        functions=[func(noop, name="noop", keep_result=0)],
        redis_pool=pool,
        queue_name="bench-noop",
        burst=True,
        handle_signals=False,
        max_jobs=20,
        poll_delay=0.05,
        keep_result=0,
    )
    began, cpu = time.perf_counter(), time.process_time()
    await worker.async_run()
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    await pool.aclose()
    return jobs / elapsed, 1000 * cpu / jobs


async def send_rate(settings: Settings, jobs: int, received: Any) -> tuple[float, float]:
    """Send jobs per second through the SMTP sink for the next ``jobs`` queued (-1: all), CPU ms per job."""
    before = received.value
    worker = build_worker(settings, burst=True, handle_signals=False, poll_delay=0.05, max_burst_jobs=jobs)
    began, cpu = time.perf_counter(), time.process_time()
    await worker.async_run()
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    await worker.close()
    sent = received.value - before
    return sent / elapsed, 1000 * cpu / max(sent, 1)


async def main(database_url: str, redis_url: str, work: Path, port: int, received: Any) -> None:
    settings = Settings(
        data_dir=str(work),
        database_url=database_url,
        redis_url=redis_url,
        smtp_url=f"smtp://127.0.0.1:{port}",
    )
    engine = await open_database(database_url, pool_size=25)
    await migrate()
    await seed()
    pool = await create_pool(RedisSettings.from_dsn(redis_url), default_queue_name="inspection")
    await pool.flushdb()
    began = time.perf_counter()
    enqueued = await sweep({"settings": settings, "redis": pool})
    sweep_seconds = time.perf_counter() - began
    print(f"sweep: claimed and enqueued {enqueued} notifications in {sweep_seconds:.2f} s (target < 10 s)")
    # Sends and no-op jobs take turns, a slice of the queue at a time, so that a change in
    # the machine's speed during the run (it shares its cores) falls on both alike.
    rounds: list[tuple[float, float, float, float]] = []
    size = -(-enqueued // ROUNDS)
    for n in range(ROUNDS):
        sends, send_cpu = await send_rate(settings, size if n < ROUNDS - 1 else -1, received)
        noops, noop_cpu = await noop_rate(redis_url, size)
        rounds.append((sends, send_cpu, noops, noop_cpu))
        print(
            f"  round: sends {sends:5.0f}/s ({send_cpu:.2f} ms CPU each),"
            f" no-op jobs {noops:5.0f}/s ({noop_cpu:.2f} ms CPU each): {100 * sends / noops:3.0f}%"
        )
    sent = await Notification.count().where(Notification.status == "sent")
    sends, send_cpu, noops, noop_cpu = (statistics.median(r[i] for r in rounds) for i in range(4))
    ratio = statistics.median(r[0] / r[2] for r in rounds)
    print(
        f"sends: {received.value} e-mails ({sent} rows marked sent), median {sends:.0f}/s,"
        f" {send_cpu:.2f} ms CPU each (SMTP sink {'with' if PIPELINING else 'without'} PIPELINING)"
    )
    print(
        f"arq no-op jobs: median {noops:.0f}/s, {noop_cpu:.2f} ms CPU each;"
        f" sends are {100 * ratio:.0f}% of the rate, median of {ROUNDS} rounds (target >= 40%)"
    )
    await pool.aclose()
    await close_database(engine)


def run(url: str, redis_url: str, work: Path) -> None:
    """Start the SMTP sink in its own process, run the benchmark, stop the sink."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    context = multiprocessing.get_context("spawn")
    received, ready, stop = context.Value("i", 0), context.Event(), context.Event()
    sink = context.Process(target=serve_sink, args=(port, received, ready, stop), daemon=True)
    sink.start()
    ready.wait(30)
    try:
        # On uvloop, as `inspection worker` runs.
        uvloop.run(main(url, redis_url, work, port, received))
    finally:
        stop.set()
        sink.join(10)


def with_redis(url: str, work: Path) -> None:
    redis_url = os.environ.get("INSPECTION_REDIS_URL", "")
    if redis_url:
        run(url, redis_url, work)
    else:
        with EmbeddedRedis(work / "redis", persist=False) as server:
            run(url, server.url, work)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        if len(sys.argv) > 1:
            with scratch_database(sys.argv[1]) as scratch:
                with_redis(scratch, Path(tmp))
        else:
            with_redis(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", Path(tmp))
