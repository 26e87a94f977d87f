"""Evidence files (minh chứng): kept once in the blob store, recorded against an action or an item.

Attaching a file to an inspection's item is :mod:`inspection.services.item_evidence`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from inspection import clock
from inspection.auth.principal import Principal
from inspection.db.tables import CorrectiveAction, Evidence, Inspection
from inspection.errors import NotFound
from inspection.schemas import EvidenceOut
from inspection.services.context import ensure_visible
from inspection.settings import Settings
from inspection.storage import BlobStore, check_upload


@dataclass(frozen=True)
class KeptFile:
    """An upload that passed the checks and is in the blob store, not yet recorded."""

    filename: str
    content_type: str
    size: int
    key: str


async def keep(
    filename: str, content_type: str, data: bytes, store: BlobStore, settings: Settings
) -> KeptFile:
    """Check an upload and put it in the blob store; done before the transaction that records it."""
    checked_type = check_upload(filename, content_type, data, settings.evidence_max_bytes)
    return KeptFile(
        filename=filename[:255], content_type=checked_type, size=len(data), key=await store.put(data)
    )


async def record(kept: KeptFile, uploaded_by: int, **owner: Any) -> int:
    """Record a kept file against its owner (``action`` + ``event``, or ``inspection`` + ``item_code``)."""
    row = Evidence(
        filename=kept.filename,
        content_type=kept.content_type,
        size=kept.size,
        sha256=kept.key,
        storage_key=kept.key,
        uploaded_by=uploaded_by,
        uploaded_at=clock.now(),
        **owner,
    )
    await row.save()
    return int(row.id)


def _out(row: dict[str, Any]) -> EvidenceOut:
    return EvidenceOut(
        id=row["id"],
        filename=row["filename"],
        content_type=row["content_type"],
        size=row["size"],
        sha256=row["sha256"],
        uploaded_by_id=row["uploaded_by"],
        uploaded_at=row["uploaded_at"],
        event_id=row["event"],
        item_code=row["item_code"],
    )


async def get(evidence_id: int) -> EvidenceOut:
    row = await Evidence.select().where(Evidence.id == evidence_id).first()
    if row is None:
        raise NotFound("No such evidence")
    return _out(row)


async def for_action(action_id: int) -> list[EvidenceOut]:
    rows = await Evidence.select().where(Evidence.action == action_id).order_by(Evidence.id)
    return [_out(row) for row in rows]


async def files_of_item(inspection_id: int, item_code: str) -> list[EvidenceOut]:
    """One item's files, oldest first, for a caller that has already seen the inspection."""
    rows = (
        await Evidence.select()
        .where((Evidence.inspection == inspection_id) & (Evidence.item_code == item_code))
        .order_by(Evidence.id)
    )
    return [_out(row) for row in rows]


async def for_items(inspection_id: int) -> dict[str, list[EvidenceOut]]:
    """An inspection's files by item code, oldest first."""
    rows = (
        await Evidence.select()
        .where((Evidence.inspection == inspection_id) & Evidence.action.is_null())
        .order_by(Evidence.id)
    )
    by_item: dict[str, list[EvidenceOut]] = defaultdict(list)
    for row in rows:
        by_item[row["item_code"]].append(_out(row))
    return dict(by_item)


async def download(principal: Principal, evidence_id: int, store: BlobStore) -> tuple[EvidenceOut, bytes]:
    """A file and its facts, for anyone who may see the action or inspection it belongs to."""
    row = await Evidence.select().where(Evidence.id == evidence_id).first()
    if row is None:
        raise NotFound("No such evidence")
    owner: dict[str, Any] | None = None
    if row["action"] is not None:
        owner = (
            await CorrectiveAction.select(CorrectiveAction.unit)
            .where(CorrectiveAction.id == row["action"])
            .first()
        )
    elif row["inspection"] is not None:
        owner = await Inspection.select(Inspection.unit).where(Inspection.id == row["inspection"]).first()
    if owner is None:
        raise NotFound("No such evidence")
    ensure_visible(principal, owner["unit"], "evidence")
    return _out(row), await store.get(row["storage_key"])
