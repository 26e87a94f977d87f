"""A leader's reminder or escalation by hand: at most one per action, kind and local day.

The event records the local day it was sent on, and a unique index over (action, kind, day)
holds the rule whatever the timing, on SQLite and PostgreSQL alike. Every other event, and
every chase recorded before this migration, has no day: NULLs never collide in a unique
index, so they stay as they are.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T12:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "One reminder and one escalation by hand per action and day"

STATEMENTS = (
    "ALTER TABLE action_event ADD COLUMN chase_day DATE NULL DEFAULT NULL",
    "CREATE UNIQUE INDEX action_event_chase_day ON action_event (action, kind, chase_day)",
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
