"""The one source of the current time, so tests can move it without sleeping."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

UTC = dt.UTC

_now: Callable[[], dt.datetime] = lambda: dt.datetime.now(UTC)  # noqa: E731


def now() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return _now()


def set_clock(source: Callable[[], dt.datetime] | None) -> None:
    """Replace the time source (tests); ``None`` restores the real clock."""
    global _now
    _now = source if source is not None else (lambda: dt.datetime.now(UTC))
