"""The SMTP mailer against a real server, with and without PIPELINING (RFC 2920).

With PIPELINING, MAIL, RCPT and DATA go out in one write and their replies come back
together; without it, one command at a time. Either way a refusal raises ``MailError``,
the kept connection stays usable for the next message, and what arrives is the message
as written, dot-stuffing undone by the server.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from inspection.mail.render import Mail
from inspection.mail.sender import MailError, SmtpMailer
from tests.queue.conftest import OffersPipelining, free_port

BODY = b"Subject: test\r\n\r\nfirst line\r\n.a line that starts with a dot\r\n..two dots\r\nlast\r\n"


@dataclass
class Server(OffersPipelining):
    """An SMTP server's handler that refuses at the stage named in ``refuse``."""

    pipelining: bool
    refuse: str = ""
    # The server refuses the recipient but still takes DATA (RFC 2920 lets a client meet this).
    data_despite_refusal: bool = False
    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        self.commands.append("MAIL")
        if self.refuse == "MAIL":
            return "550 5.7.1 sender refused"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        self.commands.append("RCPT")
        if self.refuse == "RCPT":
            if self.data_despite_refusal:
                envelope.rcpt_tos.append(address)
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.commands.append("DATA")
        self.received.append(
            (str(envelope.mail_from), list(envelope.rcpt_tos), envelope.original_content or b"")
        )
        if self.refuse == "DATA":
            return "554 5.6.0 message refused"
        return "250 accepted"


@pytest.fixture(params=[True, False], ids=["pipelining", "one-by-one"])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[Server, int]]:
    handler = Server(pipelining=request.param)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), server_hostname="smtp.test")
    controller.start()
    yield handler, controller.port
    controller.stop()


def _mail(recipient: str = "to@example.test") -> Mail:
    return Mail(sender="from@example.test", recipient=recipient, message_id="<m@example.test>", data=BODY)


async def test_messages_arrive_whole_on_one_kept_connection(server: tuple[Server, int]) -> None:
    handler, port = server
    mailer = SmtpMailer(f"smtp://127.0.0.1:{port}", connections=1)
    try:
        for _ in range(3):
            await mailer.send(_mail())
        assert len(mailer._idle) == 1
        assert mailer._idle[0].client.supports_extension("pipelining") is handler.pipelining
    finally:
        await mailer.close()
    assert handler.received == [("from@example.test", ["to@example.test"], BODY)] * 3


@pytest.mark.parametrize(
    ("data", "arrives"),
    [
        (
            b".a dot first\nbare line feeds\rand a bare return",
            b".a dot first\r\nbare line feeds\r\nand a bare return\r\n",
        ),
        (b"Subject: x\r\n\r\nno line break at the end", b"Subject: x\r\n\r\nno line break at the end\r\n"),
        (b"Subject: x\r\n\r\n.\r\n", b"Subject: x\r\n\r\n.\r\n"),
    ],
)
async def test_a_message_arrives_with_crlf_line_endings_and_its_dots(
    server: tuple[Server, int], data: bytes, arrives: bytes
) -> None:
    handler, port = server
    mailer = SmtpMailer(f"smtp://127.0.0.1:{port}", connections=1)
    try:
        await mailer.send(
            Mail(sender="from@example.test", recipient="to@example.test", message_id="<m@x>", data=data)
        )
        await mailer.send(_mail())  # a lone "." line did not end the message early
    finally:
        await mailer.close()
    # The server undoes the dot-stuffing, so a line's leading dot arrives as it was written.
    assert [message for _, _, message in handler.received] == [arrives, BODY]


@pytest.mark.parametrize(
    ("stage", "error"),
    [("MAIL", "SMTPSenderRefused"), ("RCPT", "SMTPRecipientRefused"), ("DATA", "SMTPDataError")],
)
async def test_a_refusal_raises_and_the_connection_serves_the_next_message(
    server: tuple[Server, int], stage: str, error: str
) -> None:
    handler, port = server
    handler.refuse = stage
    mailer = SmtpMailer(f"smtp://127.0.0.1:{port}", connections=1)
    try:
        with pytest.raises(MailError, match=f"^{error}: "):
            await mailer.send(_mail())
        assert handler.received == (
            [("from@example.test", ["to@example.test"], BODY)] if stage == "DATA" else []
        )
        handler.refuse = ""
        handler.received.clear()
        await mailer.send(_mail())
        assert len(mailer._idle) == 1
    finally:
        await mailer.close()
    assert handler.received == [("from@example.test", ["to@example.test"], BODY)]


async def test_data_taken_despite_a_refused_recipient_gets_an_empty_message(
    server: tuple[Server, int],
) -> None:
    handler, port = server
    handler.refuse, handler.data_despite_refusal = "RCPT", True
    mailer = SmtpMailer(f"smtp://127.0.0.1:{port}", connections=1)
    try:
        with pytest.raises(MailError, match="no such user"):
            await mailer.send(_mail())
    finally:
        await mailer.close()
    if handler.pipelining:
        # DATA was already on its way: the message is ended at once, empty.
        assert handler.received == [("from@example.test", ["to@example.test"], b"")]
    else:
        assert handler.received == []
        assert "DATA" not in handler.commands


async def test_a_line_break_in_an_address_is_never_sent(server: tuple[Server, int]) -> None:
    handler, port = server
    mailer = SmtpMailer(f"smtp://127.0.0.1:{port}", connections=1)
    try:
        with pytest.raises((MailError, ValueError)):
            await mailer.send(_mail("to@example.test>\r\nRCPT TO:<other@example.test"))
    finally:
        await mailer.close()
    assert handler.received == []
