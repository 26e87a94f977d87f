"""However ``inspection serve`` is stopped, the embedded Redis server it started stops with it.

``serve`` runs in a child process on embedded defaults (SQLite and a ``redis-server`` of its
own under a temporary data folder, a free port), as a person starts it. The test finds its
``redis-server`` child through ``/proc``, stops ``serve`` one way or another, and the Redis
server must be gone within a few seconds: no process, nothing listening on its port.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.queue.conftest import free_port

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")

STARTED_WITHIN = 60.0
GONE_WITHIN = 20.0


def _stat(pid: int) -> tuple[str, str, int] | None:
    """A process's name, state and parent id, or None when there is no such process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    name = text[text.index("(") + 1 : text.rindex(")")]
    state, parent = text[text.rindex(")") + 2 :].split()[:2]
    return name, state, int(parent)


def _alive(pid: int) -> bool:
    """Running: it exists and is not a zombie waiting for a parent to reap it."""
    stat = _stat(pid)
    return stat is not None and stat[1] != "Z"


def _redis_child(parent: int) -> int | None:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            name, state, ppid = stat
            if ppid == parent and name.startswith("redis-server") and state != "Z":
                return int(entry.name)
    return None


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _until(condition: Callable[[], bool], seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not within {seconds} s; serve's output:\n{log.read_text()}")
        time.sleep(0.1)


@contextmanager
def _serve(
    tmp_path: Path, *, through: list[str] | None = None
) -> Iterator[tuple[subprocess.Popen[bytes], int, int]]:
    """``inspection serve`` on a free port, answering; yields the process started (``serve`` or
    the ``through`` command that starts it), serve's pid, and the pid of its redis-server.

    Whatever is left running at the end is killed.
    """
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("INSPECTION_")}
    environment |= {"INSPECTION_DATA_DIR": str(tmp_path / "var"), "INSPECTION_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "inspection.cli", "serve", "--port", str(port)]
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*(through or []), *command], cwd=tmp_path, env=environment, stdout=output, stderr=output
        )
    left: list[int] = [process.pid]
    try:
        _until(lambda: _listening(port) or process.poll() is not None, STARTED_WITHIN, "serve answering", log)
        assert process.poll() is None, log.read_text()
        serve = process.pid
        if through:
            [serve] = [
                int(entry.name)
                for entry in Path("/proc").iterdir()
                if entry.name.isdigit() and (stat := _stat(int(entry.name))) and stat[2] == process.pid
            ]
        redis = _redis_child(serve)
        assert redis is not None, (
            f"serve (pid {serve}) has no redis-server child; its output:\n{log.read_text()}"
        )
        left += [serve, redis]
        yield process, serve, redis
    finally:
        for pid in reversed(left):
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        process.wait()


def _redis_port(tmp_path: Path) -> int:
    match = re.search(
        rb"Embedded Redis at redis://127\.0\.0\.1:(\d+)/0", (tmp_path / "serve.log").read_bytes()
    )
    assert match, (tmp_path / "serve.log").read_text()
    return int(match[1])


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: s.name)
def test_a_signal_to_serve_stops_it_and_its_redis(tmp_path: Path, stop: signal.Signals) -> None:
    with _serve(tmp_path) as (process, serve, redis):
        redis_port = _redis_port(tmp_path)
        os.kill(serve, stop)
        _until(lambda: process.poll() is not None, GONE_WITHIN, "serve ending", tmp_path / "serve.log")
        _until(lambda: not _alive(redis), GONE_WITHIN, "redis-server ending", tmp_path / "serve.log")
        assert not _listening(redis_port)
        output = (tmp_path / "serve.log").read_text()
        assert "Traceback" not in output, output
        # It ends as the signal asked, after cleaning up (a shell shows 128 + its number); a
        # hang-up stops serve as SIGTERM does.
        assert process.returncode == -(signal.SIGTERM if stop == signal.SIGHUP else stop), output


def test_serve_killed_outright_takes_its_redis_with_it(tmp_path: Path) -> None:
    """SIGKILL (or the OOM killer, or a crash) leaves serve no chance to clean up: the kernel
    tells the redis-server that its parent died."""
    with _serve(tmp_path) as (_, serve, redis):
        os.kill(serve, signal.SIGKILL)
        _until(lambda: not _alive(redis), GONE_WITHIN, "redis-server ending", tmp_path / "serve.log")
        assert not _listening(_redis_port(tmp_path))


def test_serve_started_from_a_process_that_is_killed_stops_with_its_redis(tmp_path: Path) -> None:
    """A launcher (an IDE, ``uv run``, a script) that dies by SIGKILL cannot pass anything on:
    serve sees that its parent is gone and stops, and its Redis with it."""
    launcher = ["/bin/sh", "-c", '"$@"; exit $?', "launcher"]
    with _serve(tmp_path, through=launcher) as (process, serve, redis):
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        _until(lambda: not _alive(serve), GONE_WITHIN, "serve ending", tmp_path / "serve.log")
        _until(lambda: not _alive(redis), GONE_WITHIN, "redis-server ending", tmp_path / "serve.log")
