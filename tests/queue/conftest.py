"""Fixtures of the queue tests: a real SMTP server in this process, a movable clock, a worker run."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from inspection import clock
from inspection.queue.worker import build_worker
from inspection.settings import Settings

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def local(year: int, month: int, day: int, hour: int = 8, minute: int = 0) -> dt.datetime:
    """A moment in the district's zone, the way people there say it."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=ZONE)


@dataclass
class Inbox:
    """What the SMTP server accepted; ``down`` makes it refuse every message with a 451.

    With ``hold`` set, each message is taken in (and counted as delivered) but its 250
    reply waits until ``release`` is set: the sender cannot know it went out. ``holding``
    is set when the first such message arrives.
    """

    messages: list[EmailMessage] = field(default_factory=list)
    down: bool = False
    hold: bool = False
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.down:
            return "451 4.3.0 mail server temporarily unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.down:
            return "451 4.3.0 mail server temporarily unavailable"
        raw = envelope.original_content or b""
        self.messages.append(email.message_from_bytes(raw, policy=email.policy.default))  # type: ignore[arg-type]
        if self.hold:
            self.holding.set()
            while not self.release.is_set():  # noqa: ASYNC110 - the release comes from another thread
                await asyncio.sleep(0.01)
        return "250 Message accepted for delivery"

    def summary(self) -> list[tuple[str, str]]:
        """(recipient address, subject) of each message, in arrival order."""
        return [(str(m["To"].addresses[0].addr_spec), str(m["Subject"])) for m in self.messages]

    def take(self) -> list[tuple[str, str]]:
        """The summary of what arrived since the last take, then forget it."""
        got = self.summary()
        self.messages.clear()
        return got


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1, in a thread of its own, collecting what it accepts."""
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port(), server_hostname="smtp.test")
    controller.start()
    box.port = controller.port  # type: ignore[attr-defined]
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as box:
        yield box


@dataclass
class Clock:
    """The application clock, held still and moved by the test."""

    at: dt.datetime

    def set(self, moment: dt.datetime) -> None:
        self.at = moment.astimezone(dt.UTC)

    def advance(self, **delta: float) -> None:
        self.at += dt.timedelta(**delta)


@pytest.fixture
def fake_clock() -> Iterator[Clock]:
    held = Clock(local(2026, 12, 1, 9).astimezone(dt.UTC))
    clock.set_clock(lambda: held.at)
    yield held
    clock.set_clock(None)


@pytest.fixture
def queue_settings(settings: Settings, inbox: Inbox) -> Settings:
    """Settings pointing at the in-process SMTP server, with one-second retry delays."""
    return msgspec.structs.replace(
        settings,
        smtp_url=f"smtp://127.0.0.1:{inbox.port}",  # type: ignore[attr-defined]
        mail_from="Kiểm tra CCHC <kiemtra@caolanh.example>",
        base_url="https://kiemtra.example",
        mail_retry_delays="1,1,1",
    )


async def run_worker(settings: Settings, **overrides: Any) -> int:
    """Start a worker, let it sweep and send everything due, stop it: one 'tick' of the queue."""
    worker = build_worker(settings, burst=True, handle_signals=False, poll_delay=0.05, **overrides)
    try:
        await worker.async_run()
    finally:
        await worker.close()
    return int(worker.jobs_complete)


@pytest.fixture
async def quiet_redis(redis: Any) -> AsyncIterator[Any]:
    """The flushed Redis, flushed again afterwards so no job leaks into the next test."""
    yield redis
    await redis.flushdb()
    await asyncio.sleep(0)
