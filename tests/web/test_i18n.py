"""The catalogs: Vietnamese translates every message the pages use; dates read day first."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from inspection.web.i18n import show_date, translations

ROOT = Path(__file__).resolve().parents[2]
# The same extraction as babel.cfg, including folders whose names start with "_" (_partials),
# which Babel skips unless told otherwise.
SOURCES = (("src/inspection/web", "**.py", "python"), ("templates", "**.html", "jinja2"))


def _used_msgids() -> set[str]:
    found: set[str] = set()
    for folder, pattern, method in SOURCES:
        for _, _, message, _, _ in extract_from_dir(
            ROOT / folder,
            method_map=[(pattern, method)],
            options_map={pattern: {"extensions": "jinja2.ext.i18n"}},
            directory_filter=lambda path: not Path(path).name.startswith("."),
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_message_of_the_pages_has_a_vietnamese_translation() -> None:
    with (ROOT / "locales/vi/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in catalog
        if m.id and all(m.string) and not m.fuzzy
    }
    used = _used_msgids()
    assert len(used) > 100
    assert sorted(used - translated) == []


def test_templates_in_partials_folders_are_extracted_too() -> None:
    assert "Running total" in _used_msgids()  # templates/_partials/total.html


def test_catalogs_compile_and_translate() -> None:
    assert translations("vi").gettext("Corrective actions") == "Nhiệm vụ khắc phục"
    assert translations("en").gettext("Corrective actions") == "Corrective actions"
    assert (
        translations("vi").ngettext("%(num)d day overdue", "%(num)d days overdue", 3)
        == "quá hạn %(num)d ngày"
    )


def test_dates_are_day_first_in_vietnamese() -> None:
    assert show_date(dt.date(2026, 3, 5), "vi") == "05/03/2026"
    assert show_date(dt.date(2026, 3, 5), "en") == "5 Mar 2026"
