"""Rendering a notification e-mail: subject, plain text and HTML from one template and context."""

from __future__ import annotations

import email.policy
from dataclasses import dataclass
from email.header import Header
from email.headerregistry import Address
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache, partial
from typing import Any

import jinja2

from inspection import clock
from inspection.i18n import DEFAULT_LANGUAGE, LANGUAGES, show_number, translations
from inspection.paths import TEMPLATES


@dataclass(frozen=True)
class Rendered:
    """A rendered message, before addressing."""

    subject: str
    text: str
    html: str


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
    # Counts as the pages write them (1.234 in Vietnamese): the one number format of both.
    env.filters["number"] = partial(show_number, language=language)
    return env


def render(kind: str, language: str, context: dict[str, Any]) -> Rendered:
    """The three parts of the ``kind`` e-mail in ``language`` (Vietnamese when unknown).

    The template runs once and leaves its parts in variables (see ``_message.jinja``):
    rendering it once per part took three times as long, and this runs for every message.
    """
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    template = environment(language).get_template(f"{kind}.jinja")
    module = template.make_module(
        {"action": None, "groups": [], "items": [], "note": "", "language": language, **context}
    )
    parts = module.__dict__
    return Rendered(
        subject=" ".join(str(parts["subject"]).split()),
        text=str(parts["text"]).strip() + "\n",
        html=str(parts["html"]),
    )


# The message is built with the email package's compat32 classes (email.mime, Header), not
# EmailMessage: EmailMessage's folding of a long non-ASCII header loses the space between two
# encoded words on Python 3.11 (CPython gh-92081: one Vietnamese subject in five read wrong),
# and from 3.12.5 writes the words with no space between them, which some providers refuse
# (gh-144156, fixed in 3.13 only). Header encodes the whole text, spaces included, and
# aiosmtplib writes a compat32 message with compat32. CRLF line endings: an .eml file is the
# message as SMTP carries it.
_POLICY = email.policy.compat32.clone(linesep="\r\n")


def build_message(
    rendered: Rendered, *, mail_from: str, to_name: str, to_address: str, message_id: str
) -> Message:
    """A multipart/alternative message: the plain text first, the HTML preferred by mail readers.

    Raises ValueError for an address that is not one (a line break in it, say).
    """
    # A name's line breaks are no part of it, and must not start a header of their own.
    to = Address(" ".join(to_name.split()), addr_spec=to_address)
    message = MIMEMultipart("alternative", policy=_POLICY)
    message["From"] = formataddr(parseaddr(mail_from), "utf-8")
    message["To"] = formataddr((to.display_name, to.addr_spec), "utf-8")
    # The stubs type a header as str; compat32 takes a Header too, which is its way to encode one.
    message["Subject"] = Header(rendered.subject)  # type: ignore[assignment]
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(clock.now())
    message["Auto-Submitted"] = "auto-generated"
    message.attach(MIMEText(rendered.text, "plain", "utf-8", policy=_POLICY))
    message.attach(MIMEText(rendered.html, "html", "utf-8", policy=_POLICY))
    return message
