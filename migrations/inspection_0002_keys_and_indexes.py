"""Composite unique keys and the indexes queries follow, as plain SQL both SQLite and PostgreSQL accept.

Piccolo adds table constraints with ALTER TABLE ... ADD CONSTRAINT, which SQLite lacks, so
composite keys are unique indexes. Piccolo indexes no foreign key by itself, so the ones
queries follow are indexed here (an inspection's findings are read with every answer).
Notification.status has no index of its own: ``notification_status_due`` serves every
query by status, and each index a status change updates costs every send.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T08:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Composite unique keys and foreign key indexes"

STATEMENTS = (
    "CREATE UNIQUE INDEX checklist_version_number ON checklist_version (checklist, number)",
    "CREATE UNIQUE INDEX checklist_version_content ON checklist_version (checklist, sha256)",
    'CREATE UNIQUE INDEX inspection_member_key ON inspection_member (inspection, "user")',
    "CREATE UNIQUE INDEX answer_item ON answer (inspection, item_code)",
    "CREATE INDEX corrective_action_unit_status ON corrective_action (unit, status, due_date)",
    "CREATE INDEX notification_status_due ON notification (status, due_at)",
    "CREATE INDEX finding_inspection_item ON finding (inspection, item_code)",
    "CREATE INDEX corrective_action_inspection ON corrective_action (inspection)",
    "CREATE INDEX notification_action ON notification (action)",
    "CREATE INDEX action_event_action ON action_event (action)",
    "CREATE INDEX extension_request_action ON extension_request (action)",
    "CREATE INDEX evidence_action ON evidence (action)",
    "CREATE INDEX evidence_inspection ON evidence (inspection)",
    "CREATE INDEX inspection_unit ON inspection (unit)",
    "CREATE INDEX app_user_unit ON app_user (unit)",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="inspection", description=DESCRIPTION)

    async def create() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create)
    return manager
