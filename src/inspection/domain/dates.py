"""The dates taken for plans and deadlines: within ten years of today, either way.

A date outside is a slip of the keyboard (2206 for 2026) or a probe, never a plan: it is
refused, with the window in the message, so the person sees what would be taken.
"""

from __future__ import annotations

import datetime as dt

from inspection.errors import Invalid

WINDOW_YEARS = 10


def _years_from(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, in a year that has none
        return day.replace(year=day.year + years, day=28)


def window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and the last day a plan or a deadline may fall on, seen from ``today``."""
    return _years_from(today, -WINDOW_YEARS), _years_from(today, WINDOW_YEARS)


def check_in_window(day: dt.date, today: dt.date, field: str) -> None:
    """Refuse ``day``, the value of ``field``, if it falls outside the window."""
    first, last = window(today)
    if not first <= day <= last:
        raise Invalid(
            "The date must be between %(first)s and %(last)s",
            field=field,
            first=first.isoformat(),
            last=last.isoformat(),
        )
