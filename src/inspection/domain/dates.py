"""The dates taken for plans and deadlines: within ten years of today, either way; and the
dates searched for (a list's filters, the dashboard's period): within a hundred years.

A date outside is a slip of the keyboard (2206 for 2026) or a probe, never a plan: it is
refused, with the window in the message, so the person sees what would be taken. A search
so bounded also leaves room for the day after its last day (9999-12-31 has none).
"""

from __future__ import annotations

import datetime as dt

from inspection.errors import Invalid

WINDOW_YEARS = 10
SEARCH_YEARS = 100


def _years_from(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, in a year that has none
        return day.replace(year=day.year + years, day=28)


def window(today: dt.date, years: int = WINDOW_YEARS) -> tuple[dt.date, dt.date]:
    """The first and the last day a plan or a deadline may fall on, seen from ``today``
    (or a date searched for, with ``SEARCH_YEARS``)."""
    return _years_from(today, -years), _years_from(today, years)


def check_in_window(day: dt.date, today: dt.date, field: str, years: int = WINDOW_YEARS) -> None:
    """Refuse ``day``, the value of ``field``, if it falls outside the window of ``years``."""
    first, last = window(today, years)
    if not first <= day <= last:
        raise Invalid(
            "The date must be between %(first)s and %(last)s",
            field=field,
            first=first.isoformat(),
            last=last.isoformat(),
        )
