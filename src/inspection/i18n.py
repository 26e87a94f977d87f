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

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
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
