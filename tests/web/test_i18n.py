"""The catalogs: Vietnamese translates every message the pages and e-mails use; dates read day first."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from inspection.i18n import translations
from inspection.web.i18n import show_date

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def used_msgids(tmp_path_factory: pytest.TempPathFactory) -> set[tuple[str | None, str]]:
    """(context, message id) of every text the pages and e-mails use, found by the README's
    extraction command (babel.cfg)."""
    pot = tmp_path_factory.mktemp("extracted") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    command = ["extract", "-F", "babel.cfg", "--ignore-dirs=.*", "--no-location", "-o", str(pot), "."]
    subprocess.run([pybabel, "-q", *command], cwd=ROOT, check=True)
    with pot.open("rb") as handle:
        return {(m.context, _singular(m.id)) for m in read_po(handle) if m.id}


def _singular(msgid: str | Sequence[str]) -> str:
    """A message's id; a plural message's is its singular."""
    return msgid if isinstance(msgid, str) else msgid[0]


def test_every_message_of_the_pages_and_emails_has_a_vietnamese_translation(
    used_msgids: set[tuple[str | None, str]],
) -> None:
    with (ROOT / "locales/vi/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    # m.string is a str, or a tuple of the plural forms: each must be filled in.
    translated = {
        (m.context, _singular(m.id)) for m in catalog if m.id and m.string and all(m.string) and not m.fuzzy
    }
    assert len(used_msgids) > 100
    assert (None, "Dear %(name)s,") in used_msgids  # templates/email/_message.jinja
    assert sorted(used_msgids - translated, key=str) == []


def test_templates_in_partials_folders_are_extracted_too(used_msgids: set[tuple[str | None, str]]) -> None:
    assert (None, "Running total") in used_msgids  # templates/_partials/total.html


def test_catalogs_compile_and_translate() -> None:
    assert translations("vi").gettext("Corrective actions") == "Nhiệm vụ khắc phục"
    assert translations("en").gettext("Corrective actions") == "Corrective actions"
    assert (
        translations("vi").ngettext("%(num)d day overdue", "%(num)d days overdue", 3)
        == "quá hạn %(num)d ngày"
    )
    # A word the e-mails translate otherwise than the pages has the "e-mail" context.
    assert translations("vi").gettext("Reported fixed") == "Đã báo cáo kết quả"
    assert translations("vi").pgettext("e-mail", "Reported fixed") == "Báo cáo kết quả khắc phục"
    # So has a word whose translation depends on what it describes.
    assert translations("vi").gettext("In progress") == "Đang khắc phục"
    assert translations("vi").pgettext("inspection", "In progress") == "Đang kiểm tra"


def test_dates_are_day_first_in_vietnamese() -> None:
    assert show_date(dt.date(2026, 3, 5), "vi") == "05/03/2026"
    assert show_date(dt.date(2026, 3, 5), "en") == "5 Mar 2026"
