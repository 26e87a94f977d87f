"""Shared helpers of the services: team membership, visibility, PATCH bodies."""

from __future__ import annotations

from typing import Any

import msgspec
from piccolo.columns import Column

from inspection.auth.principal import Principal
from inspection.db.tables import InspectionMember
from inspection.errors import NotFound
from inspection.schemas import clearable


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
