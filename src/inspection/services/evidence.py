"""Evidence taken during an inspection: photos and documents attached to a checklist item."""

from __future__ import annotations

from collections import defaultdict

from inspection import clock
from inspection.auth.principal import Principal
from inspection.db.engine import write_transaction
from inspection.db.tables import Evidence
from inspection.schemas import EvidenceOut
from inspection.services.actions import _evidence_out
from inspection.services.checklists import loaded_version
from inspection.services.inspections import _editable_by_team, get_visible
from inspection.settings import Settings
from inspection.storage import BlobStore, check_upload


async def add_item_evidence(
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
    row = await _editable_by_team(principal, inspection_id)
    (await loaded_version(row["checklist_version"])).item(item_code)
    content_type = check_upload(filename, content_type, data, settings.evidence_max_bytes)
    key = await store.put(data)
    async with write_transaction():
        evidence = Evidence(
            inspection=inspection_id,
            item_code=item_code,
            filename=filename[:255],
            content_type=content_type,
            size=len(data),
            sha256=key,
            storage_key=key,
            uploaded_by=principal.id,
            uploaded_at=clock.now(),
        )
        await evidence.save()
    return _evidence_out((await Evidence.select().where(Evidence.id == evidence.id).first()) or {})


async def item_evidence(principal: Principal, inspection_id: int) -> dict[str, list[EvidenceOut]]:
    """The inspection's files by item code, oldest first."""
    await get_visible(principal, inspection_id)
    rows = (
        await Evidence.select()
        .where((Evidence.inspection == inspection_id) & Evidence.action.is_null())
        .order_by(Evidence.id)
    )
    by_item: dict[str, list[EvidenceOut]] = defaultdict(list)
    for row in rows:
        by_item[row["item_code"]].append(_evidence_out(row))
    return dict(by_item)
