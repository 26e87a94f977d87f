"""Rendering a notification e-mail: subject, plain text and HTML from one template and context."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from functools import lru_cache
from typing import Any

import jinja2

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


def _paragraphs(value: str) -> list[str]:
    """Blank-line separated paragraphs, each on one line (the HTML part wraps each in <p>)."""
    blocks = [" ".join(line.strip() for line in block.splitlines()) for block in str(value).split("\n\n")]
    return [block.strip() for block in blocks if block.strip()]


@lru_cache(maxsize=len(LANGUAGES))
def environment(language: str) -> jinja2.Environment:
    """The Jinja2 environment for one language: its gettext reads :mod:`inspection.mail.messages`."""
    catalog = CATALOGS.get(language, CATALOGS["vi"])
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / "email"),
        extensions=["jinja2.ext.i18n"],
        # The HTML part escapes explicitly with |e; the subject and the text part must not be escaped.
        autoescape=False,  # noqa: S701
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.filters["paragraphs"] = _paragraphs

    def gettext(message: str) -> str:
        return catalog.get(message, message)

    def ngettext(singular: str, plural: str, count: int) -> str:
        if singular in catalog:
            return catalog[singular]
        return singular if count == 1 else plural

    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


def render(kind: str, language: str, context: dict[str, Any]) -> Rendered:
    """The three parts of the ``kind`` e-mail in ``language`` (Vietnamese when unknown)."""
    language = language if language in CATALOGS else "vi"
    template = environment(language).get_template(f"{kind}.jinja")
    base = {"action": None, "groups": [], "note": "", "language": language, **context}
    subject = template.render(base, part="subject").strip()
    return Rendered(
        subject=" ".join(subject.split()),
        text=template.render(base, part="text").strip() + "\n",
        html=template.render(base, part="html"),
    )


def build_message(
    rendered: Rendered, *, mail_from: str, to_name: str, to_address: str, message_id: str
) -> EmailMessage:
    """A multipart/alternative message: the plain text first, the HTML preferred by mail readers."""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = formataddr((to_name, to_address))
    message["Subject"] = rendered.subject
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(clock.now())
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message
