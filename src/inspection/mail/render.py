"""Rendering a notification e-mail: subject, plain text and HTML from one template and context."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache
from typing import Any, cast

import jinja2
from jinja2 import nodes
from jinja2.visitor import NodeTransformer

from inspection import clock
from inspection.mail.messages import CATALOGS
from inspection.paths import TEMPLATES

LANGUAGES = tuple(CATALOGS)


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


class _Translated(NodeTransformer):
    """Puts the translation in place of each ``_("…")`` or ``gettext("…")`` with a literal text
    (``{% trans %}`` blocks become such calls too): the text itself, or the text ``%`` its
    keyword arguments. An environment serves one language, so this is done once, when a
    template is compiled, instead of a call through the template context per text per
    message (half the time rendering took)."""

    def __init__(self, catalog: dict[str, str]) -> None:
        self.catalog = catalog

    def visit_Call(self, call: nodes.Call) -> nodes.Node:
        node = self.generic_visit(call)
        if not (
            isinstance(node, nodes.Call)
            and isinstance(node.node, nodes.Name)
            and node.node.name in ("_", "gettext")
            and len(node.args) == 1
            and isinstance(node.args[0], nodes.Const)
            and node.dyn_args is None
            and node.dyn_kwargs is None
        ):
            return node
        message = node.args[0].value
        text = self.catalog.get(message, message)
        if not node.kwargs:
            return nodes.Const(text % {}, lineno=node.lineno)
        pairs = [nodes.Pair(nodes.Const(keyword.key), keyword.value) for keyword in node.kwargs]
        variables = nodes.Dict(pairs, lineno=node.lineno)
        return nodes.Mod(nodes.Const(text, lineno=node.lineno), variables, lineno=node.lineno)


class _TranslatedEnvironment(jinja2.Environment):
    """An environment whose templates have their texts translated when compiled (see :class:`_Translated`)."""

    def __init__(self, catalog: dict[str, str], **options: Any) -> None:
        super().__init__(**options)
        self.catalog = catalog

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        return cast("nodes.Template", _Translated(self.catalog).visit(super()._parse(source, name, filename)))


@lru_cache(maxsize=len(LANGUAGES))
def environment(language: str) -> jinja2.Environment:
    """The Jinja2 environment for one language: its texts come from :mod:`inspection.mail.messages`."""
    catalog = CATALOGS.get(language, CATALOGS["vi"])
    env = _TranslatedEnvironment(
        catalog,
        loader=jinja2.FileSystemLoader(TEMPLATES / "email"),
        extensions=["jinja2.ext.i18n"],
        # The HTML part escapes explicitly with |e; the subject and the text part must not be escaped.
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        # The templates do not change under a running process: no file check per message.
        auto_reload=False,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.filters["paragraphs"] = _paragraphs

    # Jinja's newstyle gettext, for the calls not translated when compiled (plurals): the
    # translation is always a %-format string, filled with the keyword arguments (and
    # ``num``). Plain functions: Jinja's own wrappers call through the template context
    # three times per text. Autoescape is off, so no Markup.
    def gettext(message: str, /, **variables: Any) -> str:
        return catalog.get(message, message) % variables

    def ngettext(singular: str, plural: str, num: int, /, **variables: Any) -> str:
        variables.setdefault("num", num)
        text = catalog.get(singular, singular if num == 1 else plural)
        return text % variables

    env.newstyle_gettext = True  # type: ignore[attr-defined]
    env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)
    return env


def render(kind: str, language: str, context: dict[str, Any]) -> Rendered:
    """The three parts of the ``kind`` e-mail in ``language`` (Vietnamese when unknown).

    The template runs once and leaves its parts in variables (see ``_message.jinja``):
    rendering it once per part took three times as long, and this runs for every message.
    """
    language = language if language in CATALOGS else "vi"
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
