"""No English in the Vietnamese interface: every page (each GET route of the web app, admin
pages included, with the demo data), as each role sees it in Vietnamese, has no English word
but the proper names and codes allowed below.

"An English word" is any word of the English texts the interface is written in (the
catalog's message ids), of the HTTP status phrases, or of msgspec's validation messages: a
text left untranslated, a state shown as stored, a framework's message all show up. Text
marked ``lang="en"`` (the language switch, a unit's English name) is English on purpose.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from http import HTTPStatus
from pathlib import Path

import httpx
from babel.messages.pofile import read_po
from litestar import Litestar
from litestar.routes import HTTPRoute

from inspection.checklists.loader import load_checklists
from inspection.db.tables import CorrectiveAction, Inspection, Unit, User
from inspection.demo import DEMO_PASSWORD, load_demo
from inspection.paths import CHECKLISTS
from inspection.settings import Settings
from tests.web.conftest import login

ROOT = Path(__file__).resolve().parents[2]
# Words that read the same in a Vietnamese page: names, codes and loanwords.
ALLOWED = {
    "Long",  # in place names: Vĩnh Long, Tân Long (the English "long" is still caught)
    "admin",  # the demo administrator's username
}
# Words of the messages Litestar and msgspec write for developers.
FRAMEWORK = "Invalid RFC3339 encoded date Expected object missing required field Object at"


class PageText(HTMLParser):
    """The words a user reads: text, titles, labels and placeholders, but not scripts, codes,
    nor anything inside an element marked lang="en"."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        # A <code> holds a code (a file name, a command, a mail server's answer).
        skip = tag in ("script", "style", "code") or values.get("lang") == "en"
        if not skip and not self._skipping():
            for name in ("title", "aria-label", "placeholder", "alt"):
                self.words.append(values.get(name) or "")
        if tag not in self.VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        if not self._skipping():
            self.words.append(data)


def english_words() -> set[str]:
    with (ROOT / "locales/vi/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    texts = [m.id if isinstance(m.id, str) else " ".join(m.id) for m in catalog if m.id]
    texts += [status.phrase for status in HTTPStatus] + [FRAMEWORK]
    words = {
        word.lower() for text in texts for word in re.findall(r"[A-Za-z]+", re.sub(r"%\(\w+\)\w", "", text))
    }
    # Short words are Vietnamese too once accents are gone from a name ("An Bình", "Do ... đề nghị").
    return {word for word in words if len(word) >= 3}


def english_on(html: str, vocabulary: set[str]) -> set[str]:
    parser = PageText()
    parser.feed(html)
    text = " ".join(parser.words)
    words = re.findall(r"[A-Za-z]+", text)
    return {word for word in words if word not in ALLOWED and word.lower() in vocabulary}


async def addresses(app: Litestar) -> list[str]:
    """Every GET page of the web app, each path parameter filled with rows of every state."""
    inspections = [
        row["id"]
        for status in ("planned", "in_progress", "submitted", "closed")
        for row in await Inspection.select(Inspection.id).where(Inspection.status == status).limit(1)
    ]
    actions = [
        row["id"]
        for status in ("open", "acknowledged", "in_progress", "reported_fixed", "closed")
        for row in await CorrectiveAction.select(CorrectiveAction.id)
        .where(CorrectiveAction.status == status)
        .limit(1)
    ]
    overdue = (
        await CorrectiveAction.select(CorrectiveAction.id).where(CorrectiveAction.reopen_count > 0).limit(1)
    )
    ids = {
        "inspection_id": inspections,
        "action_id": actions + [row["id"] for row in overdue],
        "unit_id": [row["id"] for row in await Unit.select(Unit.id).limit(2)],
        "user_id": [row["id"] for row in await User.select(User.id).limit(2)],
    }
    found: list[str] = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "GET" not in route.methods:
            continue
        path = route.path
        if path.startswith(("/api", "/static", "/schema", "/lang")):
            continue
        names = re.findall(r"\{(\w+):\w+\}", path)
        assert len(names) <= 1, path
        if not names:
            found.append(path)
            continue
        assert names[0] in ids, f"no rows to visit {path} with"
        found += [re.sub(r"\{\w+:\w+\}", str(value), path) for value in ids[names[0]]]
    # The lists' tabs and filters, and the error pages.
    found += [f"/inspections?status={s}" for s in ("planned", "in_progress", "submitted", "closed")]
    found += [f"/actions?view={v}" for v in ("open", "overdue", "reported_fixed", "closed", "all")]
    found += [f"/admin/notifications?status={s}" for s in ("pending", "sent", "failed", "cancelled")]
    found += ["/dashboard?unit_kind=commune", "/dashboard?from=2026-06-01&to=2026-01-01", "/dashboard?to=xyz"]
    found += ["/khong-co-trang-nay", "/logout", "/inspections/987654"]
    return found


async def test_no_page_shows_english_in_vietnamese(
    app: Litestar, client: httpx.AsyncClient, settings: Settings
) -> None:
    await load_checklists(CHECKLISTS)
    await load_demo(settings)
    await User.update({User.language: "vi"}, force=True)
    vocabulary = english_words()
    assert {"pending", "progress", "submitted", "invalid", "allowed"} <= vocabulary
    pages = await addresses(app)
    assert len(pages) > 30
    anonymous = await client.get("/login")
    found = {("-", "/login"): english_on(anonymous.text, vocabulary)}
    for username in ("admin", "kiemtra", "truong.x-anbinh", "lanhdao", "giamsat"):
        client.cookies.clear()
        await login(client, username, DEMO_PASSWORD)
        for address in pages:
            page = await client.get(address, headers={"Accept": "text/html"})
            assert page.status_code < 500, (username, address)
            found[(username, address)] = english_on(page.text, vocabulary)
    assert {where: words for where, words in found.items() if words} == {}
