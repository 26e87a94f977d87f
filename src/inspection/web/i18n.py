"""The pages' languages: which one a request reads, and dates and numbers as it writes them.

The catalogs themselves are shared with the e-mails (:mod:`inspection.i18n`); they are
re-exported here for the pages' modules.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from inspection.i18n import DEFAULT_LANGUAGE, Language, locale
from inspection.i18n import LANGUAGES as LANGUAGES
from inspection.i18n import show_number as show_number
from inspection.i18n import show_size as show_size
from inspection.i18n import translations as translations

LANG_COOKIE = "lang"


def pick_language(user_language: str | None, cookie: str | None, default: str) -> Language:
    """The signed-in user's language, else the switch cookie, else the configured default."""
    for candidate in (user_language, cookie, default):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE


def show_date(value: dt.date | dt.datetime | str | None, language: str) -> str:
    """A day as people write it: 05/03/2026 in Vietnamese, 5 Mar 2026 in English.

    ISO text is accepted too: event data keeps its dates as ``2026-03-05``.
    """
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.date()
    return _show_day(value, language)


@functools.lru_cache(maxsize=4096)
def _show_day(value: dt.date, language: str) -> str:
    # A list shows the same few deadlines again and again, and Babel's formatting costs
    # more than the rest of a row.
    return format_date(value, "dd/MM/yyyy" if language == "vi" else "d MMM yyyy", locale=locale(language))


def show_datetime(value: dt.datetime | None, language: str, timezone: Any) -> str:
    """A moment in the administration's time zone, day first in Vietnamese."""
    if value is None:
        return ""
    pattern = "HH:mm dd/MM/yyyy" if language == "vi" else "d MMM yyyy HH:mm"
    return format_datetime(value, pattern, tzinfo=timezone, locale=locale(language))


def show_month(value: dt.date, language: str) -> str:
    """A calendar month: 03/2026 in Vietnamese, Mar 2026 in English."""
    return format_date(value, "MM/yyyy" if language == "vi" else "MMM yyyy", locale=locale(language))


def show_entry(value: float, language: str) -> str:
    """A number as a form field shows it for editing: 82,5 in Vietnamese, never grouped
    (the answer form reads a decimal comma as a point)."""
    return str(format_decimal(value, "0.##", locale=locale(language)))
