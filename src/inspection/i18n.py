"""The languages, and their gettext catalogs compiled from ``locales/*/LC_MESSAGES/messages.po`` at start.

The pages and the e-mails read the same catalogs. Message ids are the English text, so
the English catalog may leave a string untranslated and still read right; the Vietnamese
catalog must translate every one (a test checks). Compiling the .po files in memory means
no .mo file can go stale in the repository.
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Literal

from babel.core import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from inspection.paths import LOCALES

Language = Literal["vi", "en"]
LANGUAGES: tuple[Language, ...] = ("vi", "en")
DEFAULT_LANGUAGE: Language = "vi"


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> Translations:
    """The compiled catalog of ``language`` (read once per process)."""
    path = LOCALES / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


@lru_cache(maxsize=len(LANGUAGES))
def locale(language: str) -> Locale:
    """Babel's data for ``language``, parsed once: parsing it on every date costs more than
    the rest of a list page's rendering."""
    return Locale.parse(language)


@lru_cache(maxsize=4096)
def show_number(value: float | None, language: str) -> str:
    """A count, score, rate or mean as the language writes it: 32,5 and 1.234 in Vietnamese,
    32.5 and 1,234 in English, at most two decimals; – for none.

    The one number format of the pages and the e-mails (a checklist page shows the same few
    points again and again: kept once formatted)."""
    if value is None:
        return "–"
    return str(format_decimal(value, "#,##0.##", locale=locale(language)))


def show_size(size: int, language: str) -> str:
    """A file's size: 4,3 KB, 1,2 MB in Vietnamese (one decimal), bytes under a kilobyte."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{format_decimal(size / factor, '#,##0.#', locale=locale(language))} {unit}"
    return f"{show_number(size, language)} B"
