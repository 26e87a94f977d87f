"""Where the project's top-level folders are: the checkout, or copies inside the wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parents[1]


def _folder(name: str) -> Path:
    in_checkout = _CHECKOUT / name
    return in_checkout if in_checkout.is_dir() else _PACKAGE / name


MIGRATIONS = _folder("migrations")
CHECKLISTS = _folder("checklists")
TEMPLATES = _folder("templates")
STATIC = _folder("static")
LOCALES = _folder("locales")
