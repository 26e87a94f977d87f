"""Requests per second of two API calls, as a ratio to a bare Litestar JSON endpoint.

Run by hand (it prints figures; it asserts nothing). Besides the rates it prints each
server's CPU time per request, which a busy machine disturbs less than it does rates:

    uv run python benchmarks/bench_api.py                       # SQLite
    uv run python benchmarks/bench_api.py --postgres-url postgresql://postgres@127.0.0.1:5432/test

Measured side by side in one run, each server a single uvicorn process started the same
way: "list the open actions of a unit" (50 rows, as its unit head), "record one answer"
(as an inspector), and a bare Litestar endpoint returning a JSON body of the same size as
the list. The load comes from a small keep-alive HTTP/1.1 client with a few connections,
in this process. The three loads take turns over several rounds (``--rounds``); the
figures are the rounds' medians, each round's ratios printed too.
Targets (issue 2): list ≥ 50 % of the bare endpoint, record ≥ 30 %.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from support import Load, build, fetch, load, scratch_database

from inspection.auth.middleware import principal_from_user
from inspection.checklists.loader import load_checklists
from inspection.checklists.validate import load_checklist_file
from inspection.db.engine import close_database, migrate, open_database
from inspection.db.tables import User
from inspection.domain.scoring import AnswerError, score_answer
from inspection.embedded_redis import EmbeddedRedis
from inspection.paths import CHECKLISTS
from inspection.schemas import FindingIn, InspectionIn, SubmitIn, TokenOut, UnitIn, UserIn
from inspection.services import directory, inspections
from inspection.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
BARE_APP = """
import json, os
from litestar import Litestar, get
from litestar.response import Response
BODY = json.loads(os.environ["BENCH_BARE_BODY"])

@get("/bare")
async def bare() -> Response[list]:
    return Response(BODY)

app = Litestar([bare])
"""


def answer_cycle() -> list[tuple[str, object]]:
    """A passing and a falling-short answer to every item of the one-stop checklist, in an
    order that spreads the connections over the items, as a team filling the checklist
    does (the falling-short ones propose findings, the passing ones withdraw them)."""
    checklist = load_checklist_file(CHECKLISTS / "commune_one_stop.toml")
    passing: list[tuple[str, object]] = []
    failing: list[tuple[str, object]] = []
    for _, _, item in checklist.items():
        scored = []
        for value in ("yes", "partial", "no", item.max_points, 0.0, "ghi chú"):
            try:
                scored.append((value, score_answer(item, value)))
            except AnswerError:
                continue
        passing += [(item.code, value) for value, s in scored if s.passed is not False][:1]
        failing += [(item.code, value) for value, s in scored if s.passed is False][:1]
    return passing + failing


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def prepare(url: str) -> tuple[str, str, int]:
    """A unit with 50 open actions; tokens for its head and for an inspector; an inspection to answer."""
    engine = await open_database(url)
    try:
        await migrate()
        await load_checklists(CHECKLISTS)
        settings = Settings(database_url=url)
        unit = await directory.create_unit(UnitIn(code="X-BENCH", name_vi="Xã Thử", kind="commune"))
        head = await directory.create_user(
            UserIn(
                username="head", full_name="Chủ tịch", role="unit_head", unit_id=unit.id, password="p" * 12
            ),
            settings,
        )
        inspector = await directory.create_user(
            UserIn(username="insp", full_name="Kiểm tra", role="inspector", password="p" * 12), settings
        )
        tokens: list[TokenOut] = []
        principals = {}
        for user in (head, inspector):
            row = await User.objects().where(User.id == user.id).first()
            assert row is not None
            principal = await principal_from_user(row)
            principals[user.username] = principal
            tokens.append(await directory.create_token(principal, "bench"))
        who = principals["insp"]
        planned = await inspections.create(
            who,
            InspectionIn(
                unit_id=unit.id,
                checklist_code="commune-one-stop",
                title="Bench",
                planned_date=dt.date.today(),
            ),
        )
        for n in range(50):
            await inspections.add_finding(
                who, planned.id, FindingIn(title=f"Tồn tại số {n + 1}", severity="major"), settings
            )
        await inspections.submit(who, planned.id, SubmitIn(conclusion="Kết luận"), settings)
        answering = await inspections.create(
            who,
            InspectionIn(
                unit_id=unit.id,
                checklist_code="commune-one-stop",
                title="Bench 2",
                planned_date=dt.date.today(),
            ),
        )
        assert tokens[0].token and tokens[1].token
        return tokens[0].token, tokens[1].token, answering.id
    finally:
        await close_database(engine)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def start_server(target: str, port: int, env: dict[str, str], factory: bool) -> subprocess.Popen[bytes]:
    args = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    if factory:
        args.append("--factory")
    process = subprocess.Popen(args, env={**os.environ, **env}, cwd=ROOT)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{target} did not start")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres-url", help="a PostgreSQL server URL; a scratch database is made on it")
    parser.add_argument("--seconds", type=float, default=15.0, help="of load per endpoint, over all rounds")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-api-"))
    if args.postgres_url:
        with scratch_database(args.postgres_url) as url:
            run(url, workdir, args.seconds, args.rounds, "PostgreSQL")
    else:
        run(f"sqlite:///{workdir}/db.sqlite3", workdir, args.seconds, args.rounds, "SQLite")


def run(url: str, workdir: Path, seconds: float, rounds: int, backend: str) -> None:
    head_token, inspector_token, inspection_id = asyncio.run(prepare(url))
    with EmbeddedRedis(workdir / "redis", persist=False) as redis:
        bare_rates: list[Load] = []
        list_rates: list[Load] = []
        record_rates: list[Load] = []
        env = {
            "INSPECTION_DATABASE_URL": url,
            "INSPECTION_REDIS_URL": redis.url,
            "INSPECTION_DATA_DIR": str(workdir),
            "INSPECTION_SECRET_KEY": "bench",
            "INSPECTION_LOG_LEVEL": "WARNING",
        }
        app_port, bare_port = free_port(), free_port()
        app = start_server("inspection.app:app_from_environment", app_port, env, factory=True)
        try:
            list_request = build("GET", "/api/actions?open=true&limit=50", bearer(head_token))
            body = asyncio.run(fetch(app_port, list_request)).decode()
            bare_file = workdir / "bare_app.py"
            bare_file.write_text(BARE_APP)
            bare = start_server(
                "bare_app:app", bare_port, {"BENCH_BARE_BODY": body, "PYTHONPATH": str(workdir)}, False
            )
            try:
                answers = [
                    build(
                        "PUT",
                        f"/api/inspections/{inspection_id}/answers/{code}",
                        bearer(inspector_token),
                        json.dumps({"value": value}).encode(),
                    )
                    for code, value in answer_cycle()
                ]
                # The three loads take turns, round after round, so that a change in the
                # machine's speed during the run falls on all of them alike.
                for _ in range(rounds):
                    bare_rates.append(load(bare, bare_port, [build("GET", "/bare")], seconds / rounds))
                    list_rates.append(load(app, app_port, [list_request], seconds / rounds))
                    record_rates.append(load(app, app_port, answers, seconds / rounds))
            finally:
                bare.terminate()
        finally:
            app.terminate()
    rows = len(json.loads(body))
    print(f"backend: {backend}; list returns {rows} rows, {len(body)} bytes; medians of {rounds} rounds")
    for n, (b, li, r) in enumerate(zip(bare_rates, list_rates, record_rates, strict=True), 1):
        print(
            f"  round {n}: bare {b.per_second:6.0f}/s, list {li.per_second:6.0f}/s"
            f" = {100 * li.per_second / b.per_second:5.1f} %, record {r.per_second:6.0f}/s"
            f" = {100 * r.per_second / b.per_second:5.1f} %"
        )
    bare_rate, bare_cpu = median_rate(bare_rates), median_cpu(bare_rates)
    print(f"{'bare Litestar endpoint (same body):':<36}{bare_rate:8.0f} req/s", end="")
    print(f"{'':27}server CPU {bare_cpu:.3f} ms/request")
    for name, rates, target in (
        ("list open actions of a unit", list_rates, 50),
        ("record one answer", record_rates, 30),
    ):
        pairs = zip(rates, bare_rates, strict=True)
        share = 100 * statistics.median(r.per_second / b.per_second for r, b in pairs)
        cpu = median_cpu(rates)
        print(
            f"{name + ':':<36}{median_rate(rates):8.0f} req/s  = {share:5.1f} % (target {target} %);"
            f"  server CPU {cpu:.3f} ms/request = {100 * bare_cpu / cpu:5.1f} %"
            " of the bare one's rate"
        )


def median_rate(rates: list[Load]) -> float:
    return statistics.median(rate.per_second for rate in rates)


def median_cpu(rates: list[Load]) -> float:
    return statistics.median(rate.cpu_ms for rate in rates)


if __name__ == "__main__":
    main()
