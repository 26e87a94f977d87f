"""The one source of the current time, so tests can move it without sleeping.

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
from pathlib import Path

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
