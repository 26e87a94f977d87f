"""Evidence of an inspection's items: the files its team attaches while carrying it out."""

from __future__ import annotations

from inspection.auth.principal import Principal
from inspection.db.engine import write_transaction
from inspection.schemas import EvidenceOut
from inspection.services import evidence, inspections
from inspection.services.checklists import loaded_version
from inspection.settings import Settings
from inspection.storage import BlobStore


async def add(
    principal: Principal,
    inspection_id: int,
    item_code: str,
    filename: str,
    content_type: str,
    data: bytes,
    store: BlobStore,
    settings: Settings,
) -> EvidenceOut:
    """Attach a file to one item of an inspection the principal's team is still carrying out."""
    row = await inspections.editable_by_team(principal, inspection_id)
    (await loaded_version(row["checklist_version"])).item(item_code)
    kept = await evidence.keep(filename, content_type, data, store, settings)
    async with write_transaction():
        evidence_id = await evidence.record(kept, principal.id, inspection=inspection_id, item_code=item_code)
    return await evidence.get(evidence_id)
