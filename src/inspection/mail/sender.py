"""Mail delivery: SMTP through aiosmtplib, or ``.eml`` files when no SMTP server is configured."""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parseaddr
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

if TYPE_CHECKING:
    from email.message import Message
    from pathlib import Path

    from inspection.settings import Settings


class MailError(Exception):
    """The message was not accepted; it may be tried again."""


Claim = Callable[[], Awaitable[bool]]
"""Called once the message can be handed over at once; False: it is not to be sent after all."""


class Mailer(Protocol):
    """Something that delivers a finished message or raises :class:`MailError`.

    ``send`` returns whether the message was handed over: with a ``claim``, it first waits
    for a ready connection, then asks the claim, and sends nothing if it says no. The send
    job claims its row there, so a row counts as handed to SMTP (and in doubt, should the
    process die) only from that moment, never while it waits for a connection.
    """

    async def send(self, message: Message, claim: Claim | None = None) -> bool: ...

    async def close(self) -> None: ...


def message_id(idempotency_key: str, mail_from: str) -> str:
    """A Message-ID fixed by the notification's key, so a repeated send carries the same one."""
    domain = _domain(mail_from)
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


@lru_cache(maxsize=8)
def _domain(mail_from: str) -> str:
    return parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"


@dataclass
class _Connection:
    client: aiosmtplib.SMTP
    last_used: float


class SmtpMailer:
    """Sends over SMTP on at most ``connections`` open connections, each kept for the next message.

    A worker sends many messages in a row: a connection per message would pay for the TCP
    handshake, the greeting, EHLO (and STARTTLS, AUTH) every time. A connection idle longer
    than ``idle_check_seconds`` is checked with NOOP before use, so one the server dropped
    meanwhile is replaced instead of failing a message.
    """

    def __init__(
        self,
        url: str,
        *,
        connections: int = 1,
        timeout: float = 30.0,
        idle_check_seconds: float = 30.0,
    ) -> None:
        parts = urlsplit(url)
        self.hostname = parts.hostname or "127.0.0.1"
        self.implicit_tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout
        self.idle_check_seconds = idle_check_seconds
        self._slots = asyncio.Semaphore(connections)
        self._idle: list[_Connection] = []

    async def _connect(self) -> aiosmtplib.SMTP:
        client = aiosmtplib.SMTP(
            hostname=self.hostname,
            port=self.port,
            use_tls=self.implicit_tls,
            # STARTTLS when the server offers it, but a plain local server is fine too.
            start_tls=None,
            username=self.username,
            password=self.password,
            timeout=self.timeout,
        )
        await client.connect()
        return client

    async def _take(self) -> aiosmtplib.SMTP:
        while self._idle:
            connection = self._idle.pop()
            if not connection.client.is_connected:
                continue
            if time.monotonic() - connection.last_used < self.idle_check_seconds:
                return connection.client
            try:
                await connection.client.noop()
            except (TimeoutError, aiosmtplib.SMTPException, OSError):
                connection.client.close()
                continue
            return connection.client
        return await self._connect()

    def _keep(self, client: aiosmtplib.SMTP) -> None:
        self._idle.append(_Connection(client, time.monotonic()))

    async def send(self, message: Message, claim: Claim | None = None) -> bool:
        """Send ``message`` to the addresses of its To header, from the address of its From header."""
        async with self._slots:
            try:
                client = await self._take()
                try:
                    if claim is not None and not await claim():
                        self._keep(client)
                        return False
                    await client.send_message(message)
                except (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused):
                    # Refused: aiosmtplib has reset the envelope (RSET), so the connection
                    # serves the next message, unless the server hung up meanwhile.
                    if client.is_connected:
                        self._keep(client)
                    raise
                except BaseException:
                    client.close()
                    raise
            except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
                raise MailError(f"{type(exc).__name__}: {exc}") from exc
            self._keep(client)
            return True

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await _quit(connection.client)


async def _quit(client: aiosmtplib.SMTP) -> None:
    try:
        await client.quit()
    except (aiosmtplib.SMTPException, OSError):
        client.close()


class FileMailer:
    """Writes each message as ``<dir>/<message-id>.eml``: the embedded set-up's outbox to read by hand.

    The file is named by the Message-ID, so sending the same notification again rewrites the
    same file rather than adding a copy.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, message: Message, claim: Claim | None = None) -> bool:
        if claim is not None and not await claim():
            return False
        name = re.sub(r"[^A-Za-z0-9._-]", "_", str(message["Message-ID"]).strip("<>")) + ".eml"
        await asyncio.to_thread(self._write, self.directory / name, message.as_bytes())
        return True

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(path)

    async def close(self) -> None:
        return None


def make_mailer(settings: Settings) -> Mailer:
    """SMTP at ``INSPECTION_SMTP_URL``, else ``.eml`` files under ``<data_dir>/mail/``."""
    if settings.smtp_url:
        return SmtpMailer(settings.smtp_url, connections=settings.smtp_connections)
    return FileMailer(settings.data_path / "mail")
