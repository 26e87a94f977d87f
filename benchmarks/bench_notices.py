"""A burst of due notices: how long one ``inspection worker`` takes to hand them all to SMTP.

Run through ``run.py`` (it prints figures; it asserts nothing). On a new database (migrated,
checklists loaded and an administrator made with the ``inspection`` command) the web
application is used as people use it: the administrator adds a commune, its head and an
inspector; the inspector plans an inspection, records 2,000 findings (``--notices``) and
submits the conclusion, which opens 2,000 corrective actions, each with an assignment
notice due at once. Then one ``inspection worker`` process starts, with a mail server
beside it: an aiosmtpd sink in a process of its own that counts the messages it accepts
and offers PIPELINING, as production servers do. The notices of one conclusion go to the
unit's head in one message, so the burst is their 2,000 rows, each with its send job:
printed are the time from the worker's start until the queue report counts every notice
sent (target: under 30 s for 2,000), the messages that carried them, the notices per
second from the first message on, and the worker's CPU time per notice; then the report.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import multiprocessing
import time
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
from aiosmtpd.controller import Controller
from support import (
    INSPECTION,
    PASSWORD,
    Connection,
    Who,
    build,
    cpu_seconds,
    fetch,
    free_port,
    inspection,
    machine_load,
    process,
    sign_in,
    uvicorn,
)

CONNECTIONS = 8
TIMEOUT_SECONDS = 600


class Sink:
    """An SMTP server's handler that accepts and counts, offering PIPELINING."""

    def __init__(self, received: Any) -> None:
        self.received = received

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.received.get_lock():
            self.received.value += 1
        return "250 OK"


def serve_sink(port: int, received: Any, ready: Any, stop: Any) -> None:
    """The SMTP sink's own process, as a real mail server would be: in the benchmark's process
    its thread would wait for the GIL at every reply, and that wait would be measured."""
    controller = Controller(Sink(received), hostname="127.0.0.1", port=port, server_hostname="sink.test")
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


async def _post(port: int, who: Who, path: str, body: dict[str, Any], status: int = 201) -> Any:
    answer = await fetch(port, build("POST", path, who.real, json.dumps(body).encode()))
    return json.loads(answer.check(status).body)


async def _findings(port: int, who: Who, inspection_id: int, count: int) -> None:
    """``count`` findings recorded over several connections, as a team would."""
    path = f"/api/inspections/{inspection_id}/findings"

    async def record(numbers: range) -> None:
        connection = Connection(port)
        await connection.open()
        try:
            for n in numbers:
                body = json.dumps({"title": f"Tồn tại số {n + 1}", "severity": "major"}).encode()
                (await connection.request(build("POST", path, who.real, body))).check(201)
        finally:
            connection.close()

    await asyncio.gather(*(record(range(k, count, CONNECTIONS)) for k in range(CONNECTIONS)))


async def prepare(port: int, count: int) -> Who:
    """``count`` actions, each with its assignment notice due; the administrator, signed in."""
    admin = await sign_in(port, "admin")
    unit = await _post(port, admin, "/api/units", {"code": "X-BURST", "name_vi": "Xã Thử", "kind": "commune"})
    people = (
        ("truong.x-burst", "Chủ tịch UBND xã Thử", "unit_head", unit["id"]),
        ("kiemtra", "Nguyễn Văn Thành", "inspector", None),
    )
    for username, full_name, role, unit_id in people:
        user: dict[str, Any] = {"username": username, "full_name": full_name, "role": role}
        user |= {"email": f"{username}@example.test", "unit_id": unit_id, "password": PASSWORD}
        await _post(port, admin, "/api/users", user)
    inspector = await sign_in(port, "kiemtra")
    planned = await _post(
        port,
        inspector,
        "/api/inspections",
        {
            "unit_id": unit["id"],
            "checklist_code": "commune-one-stop",
            "title": "Kiểm tra đột xuất",
            "planned_date": dt.date.today().isoformat(),
        },
    )
    began = time.perf_counter()
    await _findings(port, inspector, planned["id"], count)
    print(f"  {count} findings recorded in {time.perf_counter() - began:.1f} s", end="")
    began = time.perf_counter()
    await _post(port, inspector, f"/api/inspections/{planned['id']}/submit", {"conclusion": "Kết luận"}, 200)
    print(f"; submitted (opening {count} actions) in {time.perf_counter() - began:.1f} s")
    return admin


async def _report(port: int, admin: Who) -> dict[str, int]:
    answer = await fetch(port, build("GET", "/api/notifications/report", admin.real))
    report: dict[str, int] = json.loads(answer.check().body)
    return report


async def _empty(redis_url: str) -> None:
    # Job ids are derived from notification ids, which a new database numbers from 1 again:
    # an earlier run's keys would make arq refuse the jobs.
    client = aioredis.Redis.from_url(redis_url)
    try:
        await client.flushdb()
    finally:
        await client.aclose()


def run(url: str, backend: str, folder: Path, redis_url: str, count: int) -> None:
    print(f"== {backend}, a burst of {count} due notices")
    env = {
        "INSPECTION_DATABASE_URL": url,
        "INSPECTION_REDIS_URL": redis_url,
        "INSPECTION_DATA_DIR": str(folder),
        "INSPECTION_SECRET_KEY": "bench-" + "k" * 32,
        "INSPECTION_LOG_LEVEL": "WARNING",
    }
    asyncio.run(_empty(redis_url))
    inspection(["migrate"], env)
    inspection(["checklists", "load"], env)
    admin = ["--username", "admin", "--full-name", "Quản trị", "--role", "admin", "--password", PASSWORD]
    inspection(["users", "create", *admin], env)
    port = free_port()
    with process(uvicorn("inspection.app:app_from_environment", port, factory=True), env, port):
        signed_in = asyncio.run(prepare(port, count))
        print(f"  notices before the worker starts: {asyncio.run(_report(port, signed_in))}")
        context = multiprocessing.get_context("spawn")
        received, ready, stop = context.Value("i", 0), context.Event(), context.Event()
        smtp_port = free_port()
        sink = context.Process(target=serve_sink, args=(smtp_port, received, ready, stop), daemon=True)
        sink.start()
        ready.wait(30)
        try:
            print(f"  worker starts ({machine_load()})")
            worker_env = {**env, "INSPECTION_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}"}
            with process([INSPECTION, "worker"], worker_env) as pid:
                began = time.perf_counter()
                first = first_cpu = 0.0
                sent = 0
                while sent < count and time.perf_counter() - began < TIMEOUT_SECONDS:
                    if not first and received.value:
                        first, first_cpu = time.perf_counter() - began, cpu_seconds(pid)
                    if received.value:
                        sent = asyncio.run(_report(port, signed_in)).get("sent", 0)
                    time.sleep(0.05)
                last, cpu = time.perf_counter() - began, cpu_seconds(pid)
        finally:
            stop.set()
            sink.join(10)
        span = max(last - first, 1e-9)
        print(
            f"  {sent} of {count} notices sent, in {received.value} messages, {last:.2f} s after the worker"
            f" started (target < 30 s); first message after {first:.2f} s;"
            f" {(sent - 1) / span:.0f} notices/s from first to last;"
            f" worker CPU {1000 * (cpu - first_cpu) / max(sent - 1, 1):.2f} ms per notice"
            f" ({cpu:.1f} s in all, with start-up)"
        )
        print(f"  notices after: {asyncio.run(_report(port, signed_in))}")
        print(f"  ({machine_load()})")
