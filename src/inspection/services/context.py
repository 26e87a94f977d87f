"""Shared helpers of the services: local dates, team membership, visibility."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from piccolo.columns import Column

from inspection import clock
from inspection.auth.principal import Principal
from inspection.db.tables import InspectionMember
from inspection.errors import NotFound
from inspection.schemas import clearable
from inspection.settings import Settings


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def today(settings: Settings) -> dt.date:
    """The calendar day in the administration's time zone: deadlines are such days."""
    return clock.now().astimezone(_zone(settings.timezone)).date()


def local_day(moment: dt.datetime, settings: Settings) -> dt.date:
    return moment.astimezone(_zone(settings.timezone)).date()


def start_of_day(day: dt.date, settings: Settings) -> dt.datetime:
    """The moment a local day begins, in UTC: filters by day compare timestamps with it."""
    return dt.datetime.combine(day, dt.time(), _zone(settings.timezone)).astimezone(dt.UTC)


async def on_team(principal: Principal, inspection_id: int) -> bool:
    return await InspectionMember.exists().where(
        (InspectionMember.inspection == inspection_id) & (InspectionMember.user == principal.id)
    )


def ensure_visible(principal: Principal, unit_id: int, what: str) -> None:
    """Unit heads see only their own unit; to them anything else does not exist."""
    if not principal.reads_everything and principal.unit_id != unit_id:
        raise NotFound(f"No such {what}")


def patched_columns(patch: msgspec.Struct, columns: dict[str, Column]) -> dict[Column | str, Any]:
    """The columns a PATCH body sets, mapped to their columns.

    A field left out is unchanged. So is one sent as null, unless it may be cleared: a
    field whose default is ``UNSET`` takes null as a value.
    """
    takes_null = clearable(type(patch))
    values: dict[Column | str, Any] = {}
    for field, column in columns.items():
        value = getattr(patch, field)
        if value is msgspec.UNSET or (value is None and field not in takes_null):
            continue
        values[column] = value
    return values
