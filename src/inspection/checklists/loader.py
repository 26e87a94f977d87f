"""Loading checklist files into the database as numbered, immutable versions.

A file becomes a new :class:`~inspection.db.tables.ChecklistVersion` only when its decoded
content changed: the version is identified by the SHA-256 of the normalised definition
(the Struct encoded as JSON), so reformatting a file or editing its comments loads nothing
new, and loading the same folder twice is harmless.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePath
from typing import TYPE_CHECKING

import msgspec
from piccolo.query.functions.aggregate import Max

from inspection.checklists.validate import ChecklistErrors, load_checklist_file, parse_checklist, read_folder
from inspection.clock import now
from inspection.db.engine import write_transaction
from inspection.db.tables import Checklist, ChecklistVersion
from inspection.domain.checklist import ChecklistFile
from inspection.domain.scoring import checklist_max_points

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence
    from pathlib import Path


class LoadResult(msgspec.Struct, frozen=True, kw_only=True):
    """What loading one file did: the version its content is, and whether it is new."""

    code: str
    number: int
    created: bool
    source: str


def definition_json(checklist: ChecklistFile) -> bytes:
    """The normalised definition stored in a version and hashed to identify it."""
    return msgspec.json.encode(checklist)


def decode_definition(definition: str | bytes) -> ChecklistFile:
    """Read back the checklist stored in a version's ``definition`` column."""
    return msgspec.json.decode(definition, type=ChecklistFile)


async def load_checklists(folder: Path) -> list[LoadResult]:
    """Load every checklist file of ``folder``, all or nothing.

    Every file is validated first; if any has a mistake, nothing is written and
    :class:`~inspection.checklists.validate.ChecklistErrors` lists them all.
    """
    parsed, errors = read_folder(folder)
    if errors:
        raise ChecklistErrors(errors)
    return await _store(parsed)


async def load_checklist(path: Path) -> LoadResult:
    """Load one checklist file; raises ``ChecklistErrors`` (nothing written) if it has mistakes."""
    [result] = await _store([(path, load_checklist_file(path))])
    return result


async def load_text(text: str, source: str) -> LoadResult:
    """Load a checklist sent as text (an upload); raises ``ChecklistErrors`` and writes nothing if bad."""
    [result] = await _store([(PurePath(source), parse_checklist(text, source))])
    return result


async def _store(files: Sequence[tuple[PurePath, ChecklistFile]]) -> list[LoadResult]:
    loaded_at = now()
    async with write_transaction():
        return [await _store_one(path, checklist, loaded_at) for path, checklist in files]


async def _store_one(path: PurePath, checklist: ChecklistFile, loaded_at: dt.datetime) -> LoadResult:
    meta = checklist.checklist
    # An upsert rather than select-then-insert: on PostgreSQL it also locks the checklist's
    # row until commit, so two processes loading the same file cannot both add a version.
    rows = await (
        Checklist.insert(Checklist(code=meta.code, title_vi=meta.title_vi, title_en=meta.title_en))
        .on_conflict(
            target=Checklist.code, action="DO UPDATE", values=[Checklist.title_vi, Checklist.title_en]
        )
        .returning(Checklist._meta.primary_key)
    )
    checklist_id = rows[0]["id"]
    definition = definition_json(checklist)
    sha256 = hashlib.sha256(definition).hexdigest()
    source = path.name
    existing = await (
        ChecklistVersion.select(ChecklistVersion.number)
        .where((ChecklistVersion.checklist == checklist_id) & (ChecklistVersion.sha256 == sha256))
        .first()
    )
    if existing is not None:
        return LoadResult(code=meta.code, number=existing["number"], created=False, source=source)
    last = await (
        ChecklistVersion.select(Max(ChecklistVersion.number).as_alias("last"))
        .where(ChecklistVersion.checklist == checklist_id)
        .first()
    )
    number = ((last or {}).get("last") or 0) + 1
    await ChecklistVersion.insert(
        ChecklistVersion(
            checklist=checklist_id,
            number=number,
            sha256=sha256,
            source=source,
            definition=definition.decode("utf-8"),
            max_points=checklist_max_points(checklist),
            loaded_at=loaded_at,
        )
    )
    return LoadResult(code=meta.code, number=number, created=True, source=source)
