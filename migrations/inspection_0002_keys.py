"""Composite unique keys and indexes, as plain SQL both SQLite and PostgreSQL accept.

Piccolo adds table constraints with ALTER TABLE ... ADD CONSTRAINT, which SQLite lacks,
so these are unique indexes instead.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T21:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Composite unique keys and indexes"

STATEMENTS = (
    "CREATE UNIQUE INDEX checklist_version_number ON checklist_version (checklist, number)",
    "CREATE UNIQUE INDEX checklist_version_content ON checklist_version (checklist, sha256)",
    'CREATE UNIQUE INDEX inspection_member_key ON inspection_member (inspection, "user")',
    "CREATE UNIQUE INDEX answer_item ON answer (inspection, item_code)",
    "CREATE INDEX corrective_action_unit_status ON corrective_action (unit, status, due_date)",
    "CREATE INDEX notification_status_due ON notification (status, due_at)",
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
