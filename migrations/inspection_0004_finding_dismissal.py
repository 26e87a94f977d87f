"""A proposed finding the inspector dismisses keeps why, when and by whom.

Plain ``ALTER TABLE ... ADD COLUMN``, which SQLite and PostgreSQL both accept; every
existing finding stays as it was (not dismissed).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "A dismissed finding keeps its reason"

STATEMENTS = (
    "ALTER TABLE finding ADD COLUMN dismissed_reason TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE finding ADD COLUMN dismissed_at TIMESTAMPTZ NULL DEFAULT NULL",
    "ALTER TABLE finding ADD COLUMN dismissed_by INTEGER NULL DEFAULT NULL REFERENCES app_user (id)",
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
