"""Reading loaded checklist versions (loading them is :mod:`inspection.checklists.loader`)."""

from __future__ import annotations

from dataclasses import dataclass

from inspection.checklists.loader import decode_definition
from inspection.db.tables import ChecklistVersion
from inspection.domain.checklist import ChecklistFile, Criterion, Item, Section
from inspection.domain.scoring import checklist_max_points
from inspection.errors import Invalid, NotFound
from inspection.schemas import ChecklistVersionOut


@dataclass(frozen=True)
class LoadedVersion:
    """A checklist version decoded once, with its items indexed by code."""

    id: int
    code: str
    number: int
    definition: ChecklistFile
    items: dict[str, tuple[Section, Criterion, Item]]
    item_max: dict[str, float]
    max_points: float

    def item(self, code: str) -> tuple[Section, Criterion, Item]:
        try:
            return self.items[code]
        except KeyError:
            raise NotFound(
                "Checklist %(checklist)s v%(version)s has no item %(item)s",
                checklist=self.code,
                version=self.number,
                item=code,
            ) from None


def applies(version: LoadedVersion, unit_kind: str) -> bool:
    """Whether the checklist is meant for units of ``unit_kind`` (one naming no kind: any)."""
    kinds = version.definition.checklist.applies_to
    return not kinds or unit_kind in kinds


async def latest_versions() -> list[tuple[ChecklistVersionOut, LoadedVersion]]:
    """Each checklist's latest version, with its content (what it applies to)."""
    return [(v, await loaded_version(v.id)) for v in await list_versions() if v.latest]


# Versions never change once loaded, so a decoded one can be kept while the process uses
# one database.
_cache: dict[int, LoadedVersion] = {}


def forget_loaded_versions() -> None:
    """Forget the versions decoded so far, on opening a database: another database's
    version 1 may be another checklist (the tests open one database per test)."""
    _cache.clear()


async def loaded_version(version_id: int) -> LoadedVersion:
    cached = _cache.get(version_id)
    if cached is not None:
        return cached
    row = (
        await ChecklistVersion.select(
            ChecklistVersion.id,
            ChecklistVersion.number,
            ChecklistVersion.definition,
            ChecklistVersion.checklist.code,
        )
        .where(ChecklistVersion.id == version_id)
        .first()
    )
    if row is None:
        raise NotFound("No checklist version %(version)s", version=version_id)
    definition = decode_definition(row["definition"])
    version = LoadedVersion(
        id=row["id"],
        code=row["checklist.code"],
        number=row["number"],
        definition=definition,
        items={item.code: (section, criterion, item) for section, criterion, item in definition.items()},
        item_max={item.code: item.max_points for _, _, item in definition.items()},
        max_points=checklist_max_points(definition),
    )
    _cache[version_id] = version
    return version


async def latest_version_id(checklist_code: str) -> int:
    row = (
        await ChecklistVersion.select(ChecklistVersion.id)
        .where(ChecklistVersion.checklist.code == checklist_code)
        .order_by(ChecklistVersion.number, ascending=False)
        .first()
    )
    if row is None:
        raise Invalid(
            "No checklist with code %(checklist)s is loaded", field="checklist_code", checklist=checklist_code
        )
    return int(row["id"])


async def list_versions() -> list[ChecklistVersionOut]:
    rows = (
        await ChecklistVersion.select(
            ChecklistVersion.id,
            ChecklistVersion.number,
            ChecklistVersion.sha256,
            ChecklistVersion.source,
            ChecklistVersion.max_points,
            ChecklistVersion.loaded_at,
            ChecklistVersion.checklist.id,
            ChecklistVersion.checklist.code,
            ChecklistVersion.checklist.title_vi,
            ChecklistVersion.checklist.title_en,
        )
        .order_by(ChecklistVersion.checklist.code)
        .order_by(ChecklistVersion.number, ascending=False)
    )
    latest: set[int] = set()
    out = []
    for row in rows:
        is_latest = row["checklist.id"] not in latest
        latest.add(row["checklist.id"])
        out.append(
            ChecklistVersionOut(
                id=row["id"],
                checklist_code=row["checklist.code"],
                title_vi=row["checklist.title_vi"],
                title_en=row["checklist.title_en"],
                number=row["number"],
                sha256=row["sha256"],
                source=row["source"],
                max_points=row["max_points"],
                loaded_at=row["loaded_at"],
                latest=is_latest,
            )
        )
    return out
