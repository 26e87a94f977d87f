"""At most one pending extension request per action, held by the database.

A partial unique index, which SQLite and PostgreSQL both accept: two requests sent at once
can both pass a check made before the insert, but only one row can stand pending. Requests
that such a race left pending beside an earlier one are rejected first, as the rule would
have refused them, so the index can be built on any database.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "One pending extension request per action"

STATEMENTS = (
    "UPDATE extension_request SET status = 'rejected',"
    " decision_note = 'Another request for this action was already waiting for a decision'"
    " WHERE status = 'pending' AND id > (SELECT MIN(earlier.id) FROM extension_request earlier"
    " WHERE earlier.action = extension_request.action AND earlier.status = 'pending')",
    "CREATE UNIQUE INDEX extension_request_pending ON extension_request (action) WHERE status = 'pending'",
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
