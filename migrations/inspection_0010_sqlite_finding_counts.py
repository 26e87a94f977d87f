"""SQLite: a finding counts as changed only while it has a corrective action, as on PostgreSQL.

Migration 0007 made PostgreSQL announce a finding's update or delete only while it has an
action (kept reads reach findings only through their actions) and never its insert (a new
finding has no action yet). SQLite still counted every insert, update and delete of a
finding, so each answer that proposed or withdrew a finding wrote ``change_count`` as well
and made every process read its counts again. Now both databases follow the same rule.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T07:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "SQLite: finding changes counted only while it has an action"

HAS_ACTION = "WHEN EXISTS (SELECT 1 FROM corrective_action WHERE finding = OLD.id)"
COUNT = "BEGIN UPDATE change_count SET n = n + 1 WHERE tbl = 'finding'; END"

SQLITE = (
    "DROP TRIGGER finding_insert_counted",
    "DROP TRIGGER finding_update_counted",
    "DROP TRIGGER finding_delete_counted",
    f"CREATE TRIGGER finding_update_counted AFTER UPDATE ON finding {HAS_ACTION} {COUNT}",
    f"CREATE TRIGGER finding_delete_counted AFTER DELETE ON finding {HAS_ACTION} {COUNT}",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="inspection", description=DESCRIPTION)

    async def change() -> None:
        engine = engine_finder()
        assert engine is not None
        if engine.engine_type == "sqlite":
            for statement in SQLITE:
                await engine.run_ddl(statement)

    manager.add_raw(change)
    return manager
