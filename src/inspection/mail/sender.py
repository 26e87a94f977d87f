"""Mail delivery: SMTP through aiosmtplib, or ``.eml`` files when no SMTP server is configured."""

from __future__ import annotations

import asyncio
import hashlib
import re
from email.utils import parseaddr
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

if TYPE_CHECKING:
    from email.message import EmailMessage
    from pathlib import Path

    from inspection.settings import Settings


class MailError(Exception):
    """The message was not accepted; it may be tried again."""


class Mailer(Protocol):
    """Something that delivers a finished message or raises :class:`MailError`."""

    async def send(self, message: EmailMessage) -> None: ...

    async def close(self) -> None: ...


def message_id(idempotency_key: str, mail_from: str) -> str:
    """A Message-ID fixed by the notification's key, so a repeated send carries the same one."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


class SmtpMailer:
    """Sends over SMTP, keeping a few open connections so each mail does not pay for a handshake."""

    def __init__(self, url: str, *, timeout: float = 30.0, max_idle: int = 10) -> None:
        parts = urlsplit(url)
        self.hostname = parts.hostname or "127.0.0.1"
        self.implicit_tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout
        self.max_idle = max_idle
        self._idle: list[aiosmtplib.SMTP] = []

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

    async def send(self, message: EmailMessage) -> None:
        try:
            client = self._idle.pop() if self._idle else await self._connect()
            try:
                await client.send_message(message)
            except BaseException:
                client.close()
                raise
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            raise MailError(f"{type(exc).__name__}: {exc}") from exc
        if len(self._idle) < self.max_idle and client.is_connected:
            self._idle.append(client)
        else:
            await _quit(client)

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for client in idle:
            await _quit(client)


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

    async def send(self, message: EmailMessage) -> None:
        name = re.sub(r"[^A-Za-z0-9._-]", "_", str(message["Message-ID"]).strip("<>")) + ".eml"
        data = message.as_bytes()
        await asyncio.to_thread(self._write, self.directory / name, data)

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
        return SmtpMailer(settings.smtp_url)
    return FileMailer(settings.data_path / "mail")
