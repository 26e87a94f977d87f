"""Mail delivery: SMTP through aiosmtplib, or ``.eml`` files when no SMTP server is configured."""

from __future__ import annotations

import asyncio
import hashlib
import re
import socket
import time
from dataclasses import dataclass
from email.utils import parseaddr
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib
from aiosmtplib.protocol import (
    COMMAND_INJECTION_REGEX,
    PERIOD_REGEX,
    SMTPProtocol,
    normalize_message_line_endings,
)
from aiosmtplib.response import SMTPResponse
from aiosmtplib.typing import SMTPStatus

if TYPE_CHECKING:
    from pathlib import Path

    from inspection.mail.render import Mail
    from inspection.settings import Settings


class MailError(Exception):
    """The message was not accepted; it may be tried again."""


class Mailer(Protocol):
    """Something that delivers a finished message or raises :class:`MailError`."""

    async def send(self, mail: Mail) -> None: ...

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
        self._local_hostname: str | None = None

    async def _connect(self) -> aiosmtplib.SMTP:
        if self._local_hostname is None:
            # Looked up once per process: aiosmtplib would otherwise resolve it for every connection.
            self._local_hostname = await asyncio.to_thread(socket.getfqdn)
        client = aiosmtplib.SMTP(
            hostname=self.hostname,
            port=self.port,
            use_tls=self.implicit_tls,
            # STARTTLS when the server offers it, but a plain local server is fine too.
            start_tls=None,
            username=self.username,
            password=self.password,
            timeout=self.timeout,
            local_hostname=self._local_hostname,
        )
        await client.connect()
        if client.is_ehlo_or_helo_needed:
            # The transaction below sends its commands directly: greet the server now if
            # connecting did not, or had to forget the greeting after STARTTLS.
            await client.ehlo()
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

    async def send(self, mail: Mail) -> None:
        try:
            sender, recipient = _mailbox(mail.sender), _mailbox(mail.recipient)
        except UnicodeEncodeError as exc:
            raise MailError(f"address not sendable without SMTPUTF8: {exc}") from exc
        async with self._slots:
            try:
                client = await self._take()
                try:
                    # One deadline for the whole transaction: a timer per command cost more.
                    async with asyncio.timeout(self.timeout):
                        await _transaction(client, sender, recipient, mail.data)
                except aiosmtplib.SMTPResponseException:
                    # Refused: the connection stays usable once its envelope is reset.
                    await self._reset(client)
                    raise
                except BaseException:
                    client.close()
                    raise
            except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
                raise MailError(f"{type(exc).__name__}: {exc}") from exc
            self._idle.append(_Connection(client, time.monotonic()))

    async def _reset(self, client: aiosmtplib.SMTP) -> None:
        try:
            await client.rset()
        except (TimeoutError, aiosmtplib.SMTPException, OSError):
            client.close()
        else:
            self._idle.append(_Connection(client, time.monotonic()))

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await _quit(connection.client)


def _mailbox(address: str) -> bytes:
    """An envelope address as MAIL and RCPT take it; the message's addresses are already bare."""
    return b"<" + address.encode("ascii") + b">"


async def _transaction(client: aiosmtplib.SMTP, sender: bytes, recipient: bytes, data: bytes) -> None:
    """MAIL, RCPT and DATA for one message and one recipient, as aiosmtplib's ``sendmail`` sends them
    (without a timer each: the caller sets one deadline).

    ``sendmail`` parses each address twice with the ``email`` package and scans the message
    twice more to measure it: a quarter of the CPU a message costs here. The commands are
    the same; they are checked for line breaks and the data is dot-stuffed as aiosmtplib
    does. When the server offers PIPELINING (RFC 2920; Postfix, Exim and the big providers
    do), the three commands go out in one write and their replies come back together.
    """
    options = [b"SIZE=%d" % len(data)] if client.supports_extension("size") else []
    if client.supports_extension("pipelining") and client.protocol is not None:
        await _pipelined(client.protocol, b" ".join((b"MAIL", b"FROM:" + sender, *options)), recipient, data)
        return
    response = await client.execute_command(b"MAIL", b"FROM:" + sender, *options, timeout=None)
    if response.code != SMTPStatus.completed:
        raise aiosmtplib.SMTPSenderRefused(response.code, response.message, sender.decode())
    response = await client.execute_command(b"RCPT", b"TO:" + recipient, timeout=None)
    if response.code not in (SMTPStatus.completed, SMTPStatus.will_forward):
        raise aiosmtplib.SMTPRecipientRefused(response.code, response.message, recipient.decode())
    await client.data(data, timeout=None)


async def _pipelined(protocol: SMTPProtocol, mail: bytes, recipient: bytes, data: bytes) -> None:
    """MAIL, RCPT and DATA as one group (RFC 2920), then the message once DATA is accepted.

    aiosmtplib has no pipelining of its own, and its protocol object reads one reply per
    command written: this uses its reply parser directly (aiosmtplib 5.x, pinned in uv.lock;
    tests/queue/test_smtp.py checks both ways against a real server). A refusal raises what
    aiosmtplib's own commands raise, so the caller resets the envelope alike.
    """
    rcpt = b"RCPT TO:" + recipient
    if COMMAND_INJECTION_REGEX.search(mail) or COMMAND_INJECTION_REGEX.search(rcpt):
        raise ValueError("Command arg contains a prohibited control character")
    if protocol._command_lock is None:
        raise aiosmtplib.SMTPServerDisconnected("Server not connected")
    async with protocol._command_lock:
        protocol._response_pending = True
        protocol.write(b"%s\r\n%s\r\nDATA\r\n" % (mail, rcpt))
        mail_reply = await _reply(protocol)
        rcpt_reply = await _reply(protocol)
        data_reply = await _reply(protocol)
        refusal: aiosmtplib.SMTPResponseException | None = None
        if mail_reply.code != SMTPStatus.completed:
            refusal = aiosmtplib.SMTPSenderRefused(mail_reply.code, mail_reply.message, mail.decode())
        elif rcpt_reply.code not in (SMTPStatus.completed, SMTPStatus.will_forward):
            refusal = aiosmtplib.SMTPRecipientRefused(rcpt_reply.code, rcpt_reply.message, recipient.decode())
        if data_reply.code != SMTPStatus.start_input:
            raise refusal or aiosmtplib.SMTPDataError(data_reply.code, data_reply.message)
        if refusal is not None:
            # The server took DATA though the envelope was refused: end it with an empty
            # message, as RFC 2920 says, and report the refusal.
            protocol.write(b".\r\n")
            await _reply(protocol)
            raise refusal
        protocol.write(_as_data(data) + b".\r\n")
        reply = await _reply(protocol)
        if reply.code != SMTPStatus.completed:
            raise aiosmtplib.SMTPDataError(reply.code, reply.message)


def _as_data(message: bytes) -> bytes:
    """The message as DATA carries it (RFC 5321 4.5.2): CRLF line endings, a CRLF at the end,
    and a dot doubled where a line starts with one, as aiosmtplib's ``data`` does it.

    A message from :func:`inspection.mail.render.build_message` needs none of it (its
    header lines start with a name or a space, its parts are base64): finding that out
    takes a few scans in C, a tenth of what rewriting it with regular expressions costs.
    """
    lines = message.count(b"\r\n")
    if (
        lines == message.count(b"\n") == message.count(b"\r")
        and message.endswith(b"\r\n")
        and not message.startswith(b".")
        and b"\n." not in message
    ):
        return message
    return PERIOD_REGEX.sub(b"..", normalize_message_line_endings(message))


async def _reply(protocol: SMTPProtocol) -> SMTPResponse:
    """The next reply of a pipelined group: one that arrived with an earlier one, else the next to come.

    aiosmtplib's protocol parses only the first reply of the data it receives and keeps the
    rest; ``read_response`` would wait for more data that is not coming. Data that arrives
    while a parsed reply waits to be picked up is dropped by aiosmtplib; the event loop
    (asyncio's or uvloop's) resumes the waiting task before it reads the socket again, and
    if a reply were ever lost the message was not yet sent: the deadline ends the attempt.
    """
    protocol._response_pending = True
    reply = protocol._read_response_from_buffer()
    if reply is not None:
        return reply
    return await protocol.read_response(timeout=None)


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

    async def send(self, mail: Mail) -> None:
        name = re.sub(r"[^A-Za-z0-9._-]", "_", mail.message_id.strip("<>")) + ".eml"
        await asyncio.to_thread(self._write, self.directory / name, mail.data)

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
