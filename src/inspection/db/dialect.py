"""The few SQL expressions SQLite and PostgreSQL spell differently: local days and day spans.

Everything else in raw queries is written once, valid on both. Each function returns a
fragment with ``{}`` placeholders and the arguments that fill them, for ``Table.raw``
and ``WhereRaw``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from inspection import clock
from inspection.db.engine import current_engine, is_sqlite


def local_date(column: str, timezone: str) -> tuple[str, tuple[Any, ...]]:
    """The calendar day, in ``timezone``, of a timestamp column (as a DATE, or ISO text on SQLite).

    SQLite has no time-zone database, so there the zone's present UTC offset is applied;
    that is exact for zones without daylight saving time, such as Asia/Ho_Chi_Minh.
    """
    if is_sqlite(current_engine()):
        offset = clock.zone(timezone).utcoffset(clock.now().replace(tzinfo=None)) or dt.timedelta()
        return f"date({column}, {{}})", (f"{int(offset.total_seconds() // 60):+d} minutes",)
    return f"CAST(({column} AT TIME ZONE {{}}) AS DATE)", (timezone,)


def days_between(start: str, end: str) -> str:
    """The time from one timestamp column to another, in (fractional) days."""
    if is_sqlite(current_engine()):
        return f"(julianday({end}) - julianday({start}))"
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"
