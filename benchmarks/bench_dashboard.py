"""Time the leaders' dashboard, run by hand: ``uv run python benchmarks/bench_dashboard.py
[--postgres-url postgresql://postgres@127.0.0.1:5432/postgres] [--runs 21]``.

For each database (a fresh SQLite file, and PostgreSQL when ``--postgres-url`` names a
server, in a scratch database created and dropped here) and each data set (the demo data,
and a district generated with 5 years of inspections by ``generate_district.py``), prints
the median and worst time of ``dashboard()`` over the default period (12 months) and over
the whole 5 years. Target: under 150 ms at the generated district.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from inspection.auth.principal import Principal
from inspection.checklists.loader import load_checklists
from inspection.clock import today
from inspection.db.engine import close_database, migrate, open_database
from inspection.demo import load_demo
from inspection.paths import CHECKLISTS
from inspection.services.dashboard import DashboardFilters, dashboard
from inspection.settings import Settings

sys.path.insert(0, str(Path(__file__).parent))
from generate_district import generate

LEADER = Principal(id=0, username="bench", full_name="Bench", role="leader", unit_id=None)


async def _demo(url: str) -> None:
    engine = await open_database(url)
    try:
        await migrate()
        await load_checklists(CHECKLISTS)
        await load_demo(Settings(database_url=url, data_dir=tempfile.mkdtemp()))
    finally:
        await close_database(engine)


async def _district(url: str) -> None:
    await generate(url, years=5, per_year=4, seed=2021)


async def _time(url: str, runs: int) -> list[tuple[str, float, float, int]]:
    """(period, median ms, worst ms, units shown) of the dashboard on the database at ``url``."""
    settings = Settings(database_url=url)
    engine = await open_database(url)
    try:
        on = today(settings)
        periods = {
            "12 months": DashboardFilters(),
            "5 years": DashboardFilters(period_from=on.replace(year=on.year - 5, day=1)),
        }
        results = []
        for name, filters in periods.items():
            board = await dashboard(LEADER, settings, filters)  # warm: checklist versions decoded once
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                await dashboard(LEADER, settings, filters)
                times.append((time.perf_counter() - started) * 1000)
            results.append((name, statistics.median(times), max(times), len(board.units)))
        return results
    finally:
        await close_database(engine)


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql://", "postgres://", 1)


async def _on_postgres(
    server: str, fill: Callable[[str], Awaitable[None]], runs: int
) -> list[tuple[str, float, float, int]]:
    name = f"bench_dashboard_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(_asyncpg_dsn(server))
    await connection.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(server)._replace(path="/" + name))
    try:
        await fill(url)
        return await _time(url, runs)
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


def _report(database: str, data_name: str, results: list[tuple[str, float, float, int]]) -> None:
    for period, median, worst, units in results:
        print(
            f"  {database:<11} {data_name:<13} {period:<10} {median:7.1f} ms"
            f"  (worst {worst:6.1f})  {units} units"
        )


async def main(postgres_url: str, runs: int) -> None:
    data_sets: dict[str, Callable[[str], Awaitable[None]]] = {"demo": _demo, "district 5 y": _district}
    print(f"dashboard(), median and worst of {runs} runs")
    for data_name, fill in data_sets.items():
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.sqlite3"
            await fill(url)
            _report("sqlite", data_name, await _time(url, runs))
        if postgres_url:
            _report("postgresql", data_name, await _on_postgres(postgres_url, fill, runs))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Time the leaders' dashboard.")
    parser.add_argument(
        "--postgres-url", default="", help="a PostgreSQL server to make a scratch database on"
    )
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    asyncio.run(main(args.postgres_url, args.runs))
