"""Measure the paths people use, run by hand; it prints figures and asserts nothing.

    uv run python benchmarks/run.py --paths pages notices --db sqlite postgres --data demo province \\
        --redis-url redis://127.0.0.1:6379/13 --postgres-url postgresql://postgres@127.0.0.1:5432/test

- ``pages`` (``bench_pages.py``): the checklist page, the inbox, an action's page, the
  dashboard and the action API, each beside a minimal implementation (``minimal_app.py``),
  on the ``--data`` sets: the Cao Lãnh demo data, and a generated province
  (``generate_province.py``: 120 units, ten years, ≈ 100,000 actions).
- ``notices`` (``bench_notices.py``): a burst of 2,000 due notices sent by one
  ``inspection worker`` to an SMTP sink.

Each database is new: a SQLite file in a temporary folder, or a scratch database made on
the PostgreSQL server that ``--postgres-url`` names and dropped at the end. Redis is the
database ``--redis-url`` names (default ``INSPECTION_REDIS_URL``); ``notices`` empties it.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import bench_notices
import bench_pages
from support import database, machine_load


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--paths", nargs="+", choices=("pages", "notices"), default=["pages", "notices"])
    parser.add_argument("--db", nargs="+", choices=("sqlite", "postgres"), default=["sqlite"])
    parser.add_argument("--data", nargs="+", choices=("demo", "province"), default=["demo"])
    parser.add_argument(
        "--seconds", type=float, default=2.0, help="of load per path and implementation, per round"
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--notices", type=int, default=2000, help="due notices in the burst")
    parser.add_argument("--redis-url", default=os.environ.get("INSPECTION_REDIS_URL", ""))
    parser.add_argument(
        "--postgres-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server; a scratch database is made there and dropped",
    )
    args = parser.parse_args()
    if not args.redis_url:
        parser.error("--redis-url (or INSPECTION_REDIS_URL): a Redis database the benchmark may use")
    print(f"start: {machine_load()}")
    for backend in args.db:
        for paths in args.paths:
            for data in args.data if paths == "pages" else ["own"]:
                with (
                    tempfile.TemporaryDirectory(prefix="inspection-bench-") as folder,
                    database(backend, args.postgres_url, Path(folder)) as url,
                ):
                    if paths == "pages":
                        bench_pages.run(
                            url, backend, data, Path(folder), args.redis_url, args.seconds, args.rounds
                        )
                    else:
                        bench_notices.run(url, backend, Path(folder), args.redis_url, args.notices)
                print(f"end of run: {machine_load()}\n")


if __name__ == "__main__":
    main()
