"""Indexes for the foreign keys that queries follow, and one fewer on notification.status.

Piccolo indexes no foreign key by itself, so the findings of an inspection (read with
every answer), the notifications of an action (read with every change to it), an action's
events, extension requests and evidence, an inspection's actions, a unit's inspections
and users were each found by reading the whole table. Notification.status loses its own
index: ``notification_status_due (status, due_at)`` serves every query by status, and each
index a status change has to update costs every send (a notification changes status
three times on its way out).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.engine import engine_finder

ID = "2026-11-26T04:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Foreign key indexes; no index on notification.status alone"

STATEMENTS = (
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

    manager.alter_column(
        table_class_name="Notification",
        tablename="notification",
        column_name="status",
        db_column_name="status",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    async def create() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create)
    return manager
