"""Rendering a notification e-mail: subject, plain text and HTML from one template and context."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache
from typing import Any

import jinja2

from inspection import clock
from inspection.i18n import DEFAULT_LANGUAGE, LANGUAGES, translations
from inspection.paths import TEMPLATES


@dataclass(frozen=True)
class Rendered:
    """A rendered message, before addressing."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Mail:
    """A finished message and its envelope, as SMTP (or the ``.eml`` outbox) takes it."""

    sender: str
    recipient: str
    message_id: str
    data: bytes


def _paragraphs(value: str) -> list[str]:
    """Blank-line separated paragraphs, each on one line (the HTML part wraps each in <p>)."""
    blocks = [" ".join(line.strip() for line in block.splitlines()) for block in str(value).split("\n\n")]
    return [block.strip() for block in blocks if block.strip()]


@lru_cache(maxsize=len(LANGUAGES))
def environment(language: str) -> jinja2.Environment:
    """The Jinja2 environment for one language, with that language's catalog installed.

    An environment serves one language, so the catalog is installed on it rather than
    passed with each message.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / "email"),
        extensions=["jinja2.ext.i18n"],
        # The HTML part escapes explicitly with |e; the subject and the text part must not be escaped.
        autoescape=False,  # noqa: S701
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        # The templates do not change under a running process: no file check per message.
        auto_reload=False,
    )
    # As babel.cfg extracts them: whitespace in {% trans %} blocks collapsed, and every
    # translation a %-format string filled with the call's keyword arguments.
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["paragraphs"] = _paragraphs
    return env


def render(kind: str, language: str, context: dict[str, Any]) -> Rendered:
    """The three parts of the ``kind`` e-mail in ``language`` (Vietnamese when unknown).

    The template runs once and leaves its parts in variables (see ``_message.jinja``):
    rendering it once per part took three times as long, and this runs for every message.
    """
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    template = environment(language).get_template(f"{kind}.jinja")
    module = template.make_module({"action": None, "groups": [], "note": "", "language": language, **context})
    parts = module.__dict__
    return Rendered(
        subject=" ".join(str(parts["subject"]).split()),
        text=str(parts["text"]).strip() + "\n",
        html=str(parts["html"]),
    )


# UTF-8 bytes per RFC 2047 encoded word: base64 makes 60 characters of them, 72 with the
# "=?utf-8?b?...?=" around, under the 76 a header line may have.
_WORD_BYTES = 45


def _header(value: str) -> str:
    """A header value as 7-bit text: RFC 2047 encoded words, one per folded line, unless it is ASCII."""
    if value.isascii():
        return value
    data = value.encode()
    words: list[bytes] = []
    start = 0
    while start < len(data):
        end = start + _WORD_BYTES
        # A word holds whole characters: step back off UTF-8 continuation bytes (10xxxxxx).
        while end < len(data) and data[end] & 0xC0 == 0x80:
            end -= 1
        words.append(b"=?utf-8?b?" + base64.b64encode(data[start:end]) + b"?=")
        start = end
    return b"\r\n ".join(words).decode()


def _address(name: str, address: str) -> str:
    return formataddr((name, address), charset="utf-8")


@lru_cache(maxsize=8)
def _sender(mail_from: str) -> tuple[str, str]:
    """The From header and the bare address of ``INSPECTION_MAIL_FROM`` (made once, not per message)."""
    name, address = parseaddr(mail_from)
    return _address(name, address), address


def _part(content_type: str, body: str) -> bytes:
    # Base64 keeps every line short and 7-bit whatever the text, and can never contain a boundary.
    encoded = base64.encodebytes(body.encode()).replace(b"\n", b"\r\n")
    head = f'Content-Type: {content_type}; charset="utf-8"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
    return head.encode() + encoded


def build_message(
    rendered: Rendered, *, mail_from: str, to_name: str, to_address: str, message_id: str
) -> Mail:
    """A multipart/alternative message: the plain text first, the HTML preferred by mail readers.

    The message has one fixed shape, so it is written out directly: the ``email`` package's
    object model costs some ten times more than the rest of a send (it parses every header
    it is given and serialises twice), and this is the queue's hot path.
    """
    from_header, from_address = _sender(mail_from)
    # Base64 never contains "-" or "_", so a boundary made of them cannot occur in a part.
    boundary = "=_" + hashlib.sha256(message_id.encode()).hexdigest()[:32]
    headers = (
        f"From: {from_header}\r\n"
        # A name with a line break in it must not start a header of its own.
        f"To: {_address(' '.join(to_name.split()), to_address)}\r\n"
        f"Subject: {_header(rendered.subject)}\r\n"
        f"Message-ID: {message_id}\r\n"
        f"Date: {format_datetime(clock.now())}\r\n"
        "Auto-Submitted: auto-generated\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
    )
    data = b"".join(
        (
            headers.encode(),
            f"--{boundary}\r\n".encode(),
            _part("text/plain", rendered.text),
            f"\r\n--{boundary}\r\n".encode(),
            _part("text/html", rendered.html),
            f"\r\n--{boundary}--\r\n".encode(),
        )
    )
    return Mail(sender=from_address, recipient=to_address, message_id=message_id, data=data)
