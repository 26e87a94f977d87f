"""The paths people use, over HTTP, each beside a minimal implementation of it.

Run through ``run.py`` (it prints figures; it asserts nothing). The application runs as one
uvicorn web process (``inspection.app:app_from_environment``), the minimal implementation
(``minimal_app.py``: plain Litestar and Piccolo, the same templates, no authentication) as
another, started the same way, on the same database. The paths:

- ``checklist``: the inspection page where answers are recorded, as the inspector leading it
  (inspections under way);
- ``inbox``: ``/actions``, the unit heads' list of their actions not yet closed, each head
  signed in with a session of their own, as a browser is (session and CSRF cookies);
- ``action``: ``/actions/{id}``, those heads opening their actions;
- ``dashboard``: ``/dashboard`` as a leader, and ``dashboard ×1`` the same one request at a
  time (its p95 is the figure a leader waits for);
- ``api list``: ``GET /api/actions?limit=100&created_from=…`` with a leader's API token; the
  day cycles through 2,500 days before any action, so every request is new to any cache
  (the rows are the same); ``api action``: ``GET /api/actions/{id}`` for those actions.

Every path keeps 8 keep-alive connections busy (``--connections``) from this process's
raw HTTP client, except ``dashboard ×1``. The paths and the two implementations take turns
in rounds, so that the machine's drift (it is shared) falls on all of them alike; each
round is printed, then the medians of the rounds' rates and CPU times and the percentiles
over all rounds' requests. CPU per request is the web process's (from ``/proc``), and on
PostgreSQL also the database backends'. The ratio is the application's rate as a share of
the minimal one's, per round, then the median.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generate_province import generate, head_username
from support import (
    DatabaseCPU,
    Load,
    Who,
    build,
    fetch,
    free_port,
    inspection,
    load,
    machine_load,
    percentile,
    process,
    sign_in,
    uvicorn,
)

APPS = ("real", "minimal")
HEADS = 8  # unit heads signed in at once
ACTIONS_EACH = 10  # actions each head opens
UNDER_WAY = 8  # inspections under way whose checklist page is opened


@dataclass
class Route:
    """One path: the same requests for both implementations, and what was measured."""

    name: str
    real: list[bytes]
    minimal: list[bytes]
    connections: int = 8
    loads: dict[str, list[Load]] = field(default_factory=lambda: {app: [] for app in APPS})


async def _json(port: int, path: str, who: Who) -> Any:
    return json.loads((await fetch(port, build("GET", path, who.real))).check().body)


def _route(name: str, requests: list[tuple[str, Who]], connections: int = 8) -> Route:
    return Route(
        name,
        [build("GET", path, who.real) for path, who in requests],
        [build("GET", path, who.minimal) for path, who in requests],
        connections,
    )


async def routes(port: int) -> list[Route]:
    """The requests of every path, for the users the data has (found through the API)."""
    leader = await sign_in(port, "lanhdao", token=True)
    browsing_leader = await sign_in(port, "lanhdao")
    inspector = await sign_in(port, "kiemtra")
    under_way = await _json(port, "/api/inspections?status=in_progress&limit=500", inspector)
    led = [row["id"] for row in under_way if row["lead_id"] == inspector.me["id"]][:UNDER_WAY]
    units = {row["id"]: row["code"] for row in await _json(port, "/api/units", leader)}
    open_actions = await _json(port, "/api/actions?open=true&limit=500", leader)
    busiest = Counter(row["unit_id"] for row in open_actions).most_common(HEADS)
    heads = [await sign_in(port, head_username(units[unit_id])) for unit_id, _ in busiest]
    opened = [
        (f"/actions/{row['id']}", head)
        for head in heads
        for row in await _json(port, f"/api/actions?open=true&limit={ACTIONS_EACH}", head)
    ]
    listed = [row["id"] for row in await _json(port, "/api/actions?limit=100", leader)]
    days = [dt.date(1990, 1, 1) + dt.timedelta(days=n) for n in range(2500)]
    return [
        _route("checklist", [(f"/inspections/{id_}", inspector) for id_ in led]),
        _route("inbox", [("/actions", head) for head in heads]),
        _route("action", opened),
        _route("dashboard", [("/dashboard", browsing_leader)]),
        _route("dashboard ×1", [("/dashboard", browsing_leader)], connections=1),
        _route("api list", [(f"/api/actions?limit=100&created_from={day}", leader) for day in days]),
        _route("api action", [(f"/api/actions/{id_}", leader) for id_ in listed]),
    ]


def _ms(value: float | None) -> str:
    return "     -" if value is None else f"{value:6.2f}"


def _line(load: Load) -> str:
    return (
        f"{load.per_second:7.1f}/s p50 {load.percentile(0.5):6.1f} p99 {load.percentile(0.99):6.1f} ms"
        f" CPU {_ms(load.cpu_ms)}{'' if load.db_cpu_ms is None else ' +db ' + _ms(load.db_cpu_ms)}"
    )


async def measure(
    paths: list[Route],
    servers: dict[str, tuple[int, int]],
    seconds: float,
    rounds: int,
    database_cpu: DatabaseCPU | None,
) -> None:
    for path in paths:  # warm: templates compiled, connections opened, definitions decoded
        for app in APPS:
            port, pid = servers[app]
            await load(port, pid, path.real if app == "real" else path.minimal, 0.5, path.connections)
    for n in range(rounds):
        print(f"round {n + 1} ({machine_load()})")
        for path in paths:
            # Which implementation goes first alternates, so neither always follows the other.
            for app in APPS if n % 2 == 0 else APPS[::-1]:
                port, pid = servers[app]
                requests = path.real if app == "real" else path.minimal
                path.loads[app].append(
                    await load(port, pid, requests, seconds, path.connections, database_cpu)
                )
            real, minimal = path.loads["real"][-1], path.loads["minimal"][-1]
            print(
                f"  {path.name:<13} real {_line(real)} | minimal {_line(minimal)}"
                f" | {100 * real.per_second / minimal.per_second:4.0f} %"
            )


def report(paths: list[Route], title: str) -> None:
    print(f"\n{title}: medians of the rounds; percentiles over all their requests; CPU ms per request")
    print(
        f"  {'path':<13} {'':4} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'CPU':>6} {'db CPU':>6}"
        f"   rate as % of minimal (CPU ratio)"
    )
    for path in paths:
        for app in APPS:
            loads = path.loads[app]
            latencies = sorted(value for each in loads for value in each.latencies)
            db = [each.db_cpu_ms for each in loads if each.db_cpu_ms is not None]
            print(
                f"  {path.name if app == 'real' else '':<13} {app[:4]:4} {_median(loads, 'per_second'):7.1f}"
                f" {percentile(latencies, 0.5):6.1f} {percentile(latencies, 0.95):6.1f}"
                f" {percentile(latencies, 0.99):6.1f} {_median(loads, 'cpu_ms'):6.2f}"
                f" {_ms(statistics.median(db)) if db else _ms(None)}",
                end="",
            )
            if app == "real":
                pairs = list(zip(path.loads["real"], path.loads["minimal"], strict=True))
                rate = statistics.median(r.per_second / m.per_second for r, m in pairs)
                cpu = statistics.median(
                    (m.cpu_ms + (m.db_cpu_ms or 0)) / (r.cpu_ms + (r.db_cpu_ms or 0)) for r, m in pairs
                )
                print(f"   {100 * rate:5.0f} % ({100 * cpu:3.0f} %)", end="")
            print()


def _median(loads: list[Load], name: str) -> float:
    return float(statistics.median(getattr(each, name) for each in loads))


async def _prepare(url: str, data: str, folder: Path) -> None:
    if data == "demo":
        inspection(["demo"], {"INSPECTION_DATABASE_URL": url, "INSPECTION_DATA_DIR": str(folder)})
    else:
        counts = await generate(url)
        print("province:", ", ".join(f"{value} {name}" for name, value in counts.items()))


async def _sizes(paths: list[Route], servers: dict[str, tuple[int, int]]) -> None:
    """Each path's first response from both, so that a reader sees they answer alike."""
    for path in paths:
        real = (await fetch(servers["real"][0], path.real[0])).check()
        minimal = (await fetch(servers["minimal"][0], path.minimal[0])).check()
        print(
            f"  {path.name:<13} {len(path.real):5d} requests; first response {len(real.body):7d} bytes,"
            f" minimal {len(minimal.body):7d} bytes"
        )


def run(url: str, backend: str, data: str, folder: Path, redis_url: str, seconds: float, rounds: int) -> None:
    """Prepare ``data`` in the empty database at ``url``, serve both implementations, measure."""
    began = time.perf_counter()
    asyncio.run(_prepare(url, data, folder))
    print(f"== {backend}, {data} data (prepared in {time.perf_counter() - began:.0f} s)")
    ports = {app: free_port() for app in APPS}
    app_env = {
        "INSPECTION_DATABASE_URL": url,
        "INSPECTION_REDIS_URL": redis_url,
        "INSPECTION_DATA_DIR": str(folder),
        "INSPECTION_SECRET_KEY": "bench-" + "k" * 32,
        "INSPECTION_LOG_LEVEL": "WARNING",
    }
    minimal_env = {"INSPECTION_DATABASE_URL": url, "PICCOLO_CONF": "minimal_app"}
    with (
        process(
            uvicorn("inspection.app:app_from_environment", ports["real"], factory=True),
            app_env,
            ports["real"],
        ) as real_pid,
        process(uvicorn("minimal_app:app", ports["minimal"]), minimal_env, ports["minimal"]) as minimal_pid,
    ):
        servers = {"real": (ports["real"], real_pid), "minimal": (ports["minimal"], minimal_pid)}
        asyncio.run(_measure(url, backend, servers, seconds, rounds, f"{backend}, {data} data"))


async def _measure(
    url: str, backend: str, servers: dict[str, tuple[int, int]], seconds: float, rounds: int, title: str
) -> None:
    paths = await routes(servers["real"][0])
    await _sizes(paths, servers)
    if backend == "postgres":
        async with DatabaseCPU(url) as database_cpu:
            await measure(paths, servers, seconds, rounds, database_cpu)
    else:
        await measure(paths, servers, seconds, rounds, None)
    report(paths, title)
