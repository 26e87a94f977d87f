"""Rules of the leaders' dashboard that need no database: the period, its months, rates."""

from __future__ import annotations

import datetime as dt

# A longer period would make the monthly trend unreadable and its query needlessly wide.
MAX_MONTHS = 120


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after (or before) the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last 12 months: from the first day of the month 11 months ago to today."""
    return add_months(today, -11), today


def months_of(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of each calendar month that the period ``start``..``end`` touches."""
    months, month = [], month_start(start)
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


def month_last_day(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


def percent(part: float, whole: float) -> float | None:
    """``part`` as a percentage of ``whole``, to two decimals; None when there is no whole."""
    return round(100.0 * part / whole, 2) if whole else None


def mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None
