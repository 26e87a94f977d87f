"""The SMTP mailer against a real server (aiosmtpd in this process).

Messages arrive whole and decodable on a kept connection; a refusal raises ``MailError``
and the connection serves the next message; a connection the server dropped is replaced.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from inspection.mail.render import Rendered, build_message, render
from inspection.mail.sender import FileMailer, MailError, SmtpMailer, message_id
from inspection.queue.jobs import ActionView
from tests.queue.conftest import free_port

MAIL_FROM = "Kiểm tra CCHC <kiemtra@caolanh.example>"
TEXT = "first line\n.a line that starts with a dot\n.\n..two dots\nlast\n"


@dataclass
class Server:
    """An SMTP server's handler that refuses at the stage named in ``refuse``."""

    refuse: str = ""
    # (envelope sender, envelope recipients, the message as parsed, the client's address and port)
    received: list[tuple[str, list[str], EmailMessage, Any]] = field(default_factory=list)

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.refuse == "MAIL":
            return "550 5.7.1 sender refused"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.refuse == "RCPT":
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message = email.message_from_bytes(envelope.original_content or b"", policy=email.policy.default)
        self.received.append((str(envelope.mail_from), list(envelope.rcpt_tos), message, session.peer))
        if self.refuse == "DATA":
            return "554 5.6.0 message refused"
        return "250 accepted"

    def texts(self) -> list[str]:
        """The plain text part of each message received, its lines ended as Python writes them."""
        return [_text(message) for _, _, message, _ in self.received]

    def connections(self) -> int:
        return len({peer for _, _, _, peer in self.received})


def _text(message: EmailMessage) -> str:
    # A message's lines end with CRLF on the wire, which mail readers show as line breaks.
    return str(message.get_body(("plain",)).get_content()).replace("\r\n", "\n")  # type: ignore[union-attr]


def _start(handler: Server, port: int) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=port, server_hostname="smtp.test")
    controller.start()
    return controller


@pytest.fixture
def server() -> Iterator[tuple[Server, int]]:
    handler = Server()
    controller = _start(handler, free_port())
    yield handler, controller.port
    controller.stop()


def _message(text: str = TEXT, to_address: str = "to@example.test") -> Message:
    return build_message(
        Rendered(subject="Nhắc việc", text=text, html=f"<p>{text}</p>"),
        mail_from=MAIL_FROM,
        to_name="Võ Văn Ba",
        to_address=to_address,
        message_id="<m@caolanh.example>",
    )


async def test_messages_arrive_whole_on_one_kept_connection(server: tuple[Server, int]) -> None:
    handler, port = server
    mailer = SmtpMailer(f"smtp://127.0.0.1:{port}", connections=1)
    try:
        for number in range(3):
            await mailer.send(_message(f"message {number}\n{TEXT}"))
    finally:
        await mailer.close()
    # A line's leading dot arrives as it was written, and a lone "." did not end a message early.
    assert handler.texts() == [f"message {number}\n{TEXT}" for number in range(3)]
    assert [(sender, to) for sender, to, _, _ in handler.received] == [
        ("kiemtra@caolanh.example", ["to@example.test"])
    ] * 3
    assert handler.connections() == 1


async def test_a_worker_opens_at_most_its_connections(server: tuple[Server, int]) -> None:
    handler, port = server
    mailer = SmtpMailer(f"smtp://127.0.0.1:{port}", connections=2)
    try:
        await asyncio.gather(*(mailer.send(_message(f"message {number}\n")) for number in range(8)))
    finally:
        await mailer.close()
    assert sorted(handler.texts()) == [f"message {number}\n" for number in range(8)]
    assert handler.connections() <= 2


@pytest.mark.parametrize(
    ("language", "subject", "greeting"),
    [
        ("vi", "[Giao nhiệm vụ khắc phục] UBND xã Tân Nghĩa · 4.1 · hạn 20/12/2026", "Kính gửi Võ Văn Ba,"),
        ("en", "[New corrective action] UBND xã Tân Nghĩa · 4.1 · deadline 20/12/2026", "Dear Võ Văn Ba,"),
    ],
)
async def test_a_message_with_diacritics_arrives_decodable(
    server: tuple[Server, int], language: str, subject: str, greeting: str
) -> None:
    handler, port = server
    action = ActionView(
        unit="UBND xã Tân Nghĩa",
        item="4.1",
        title="Sổ theo dõi <thiếu>",
        severity="major",
        due="20/12/2026",
        url="https://kiemtra.example/actions/7",
    )
    rendered = render("assigned", language, {"recipient_name": "Võ Văn Ba", "action": action})
    key = message_id("assigned:7:1", MAIL_FROM)
    mailer = SmtpMailer(f"smtp://127.0.0.1:{port}", connections=1)
    try:
        await mailer.send(
            build_message(
                rendered,
                mail_from=MAIL_FROM,
                to_name="Võ Văn Ba",
                to_address="chutich@example.test",
                message_id=key,
            )
        )
    finally:
        await mailer.close()

    [(_, recipients, message, _)] = handler.received
    assert recipients == ["chutich@example.test"]
    assert message["Subject"] == subject
    assert message["Message-ID"] == key
    assert message["From"].addresses[0].display_name == "Kiểm tra CCHC"
    assert message["To"].addresses[0].display_name == "Võ Văn Ba"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    text = _text(message)
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert text.startswith(f"{greeting}\n")
    assert "20/12/2026" in text
    assert f"<p>{greeting}</p>" in html
    assert "Sổ theo dõi &lt;thiếu&gt;" in html
    assert ("Mức độ: nghiêm trọng" if language == "vi" else "Severity: major") in text


@pytest.mark.parametrize(
    ("stage", "error"),
    [("MAIL", "SMTPSenderRefused"), ("RCPT", "SMTPRecipientsRefused"), ("DATA", "SMTPDataError")],
)
async def test_a_refusal_raises_and_the_connection_serves_the_next_message(
    server: tuple[Server, int], stage: str, error: str
) -> None:
    handler, port = server
    handler.refuse = stage
    mailer = SmtpMailer(f"smtp://127.0.0.1:{port}", connections=1)
    try:
        with pytest.raises(MailError, match=f"^{error}: "):
            await mailer.send(_message())
        handler.refuse = ""
        await mailer.send(_message("the next one\n"))
    finally:
        await mailer.close()
    # Only DATA's refusal comes after the server has read the message.
    assert handler.texts() == ([TEXT] if stage == "DATA" else []) + ["the next one\n"]
    assert handler.connections() == 1


async def test_a_connection_the_server_dropped_is_replaced() -> None:
    handler, port = Server(), free_port()
    controller = _start(handler, port)
    mailer = SmtpMailer(f"smtp://127.0.0.1:{port}", connections=1, idle_check_seconds=0)
    try:
        await mailer.send(_message("before\n"))
        controller.stop()  # the server restarts: the kept connection is gone
        controller = _start(handler, port)
        await mailer.send(_message("after\n"))
    finally:
        await mailer.close()
        controller.stop()
    assert handler.texts() == ["before\n", "after\n"]
    assert handler.connections() == 2


async def test_a_line_break_in_an_address_is_never_sent(server: tuple[Server, int]) -> None:
    handler, port = server
    mailer = SmtpMailer(f"smtp://127.0.0.1:{port}", connections=1)
    try:
        with pytest.raises((MailError, ValueError)):
            await mailer.send(_message(to_address="to@example.test>\r\nRCPT TO:<other@example.test"))
    finally:
        await mailer.close()
    assert handler.received == []


async def test_without_smtp_a_message_is_written_as_an_eml_file(tmp_path: Path) -> None:
    await FileMailer(tmp_path).send(_message())
    path = tmp_path / "m_caolanh.example.eml"  # named by its Message-ID
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "Nhắc việc"
    assert _text(message) == TEXT
