"""The one source of the current time, so tests can move it without sleeping, and of local days.

Deadlines are calendar days in the administration's time zone (``INSPECTION_TIMEZONE``):
:func:`today`, :func:`local_day` and :func:`start_of_day` turn moments into such days and back.

``INSPECTION_CLOCK_FILE`` is a test and operations aid, never a production setting: the
path of a file holding one ISO 8601 moment (``2026-12-01T09:00:00+07:00``). While it is
set, this process's clock stands still at that moment, read again at every call, so a
test can move the clock of a worker it runs in a child process (or an operator can
rehearse a schedule on a copy of the data) by rewriting the file.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

UTC = dt.UTC
CLOCK_FILE_VARIABLE = "INSPECTION_CLOCK_FILE"


def _real() -> dt.datetime:
    return dt.datetime.now(UTC)


def _from_file(path: Path) -> Callable[[], dt.datetime]:
    def read() -> dt.datetime:
        return dt.datetime.fromisoformat(path.read_text().strip()).astimezone(UTC)

    return read


def _default() -> Callable[[], dt.datetime]:
    path = os.environ.get(CLOCK_FILE_VARIABLE)
    return _from_file(Path(path)) if path else _real


_now: Callable[[], dt.datetime] = _default()


def now() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return _now()


def set_clock(source: Callable[[], dt.datetime] | None) -> None:
    """Replace the time source (tests); ``None`` restores the default one (real, or the clock file)."""
    global _now
    _now = source if source is not None else _default()


class Zoned(Protocol):
    """Whatever names the administration's time zone: the settings."""

    @property
    def timezone(self) -> str: ...


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    """The time zone called ``name``, built once."""
    return ZoneInfo(name)


def local_day(moment: dt.datetime, settings: Zoned) -> dt.date:
    """The calendar day ``moment`` falls on in the administration's time zone."""
    return moment.astimezone(zone(settings.timezone)).date()


def today(settings: Zoned) -> dt.date:
    """The calendar day in the administration's time zone: deadlines are such days."""
    return local_day(now(), settings)


def start_of_day(day: dt.date, settings: Zoned, hour: int = 0) -> dt.datetime:
    """The moment the local ``day`` begins (or reaches ``hour`` o'clock), in UTC: filters by day
    compare timestamps with it, and scheduled notices fall due at it."""
    return dt.datetime.combine(day, dt.time(hour), zone(settings.timezone)).astimezone(UTC)
