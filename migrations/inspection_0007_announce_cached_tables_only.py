"""Announce changes only to the tables whose reads are kept in memory.

Migration 0004 made every table announce each change. On PostgreSQL each announcing
commit takes the notification queue's lock and wakes every listening process, which
halved the rate of concurrent writes such as answers (benchmarks: 1,050 against 2,100
``record_answer`` calls a second, 940 against 630 µs of server CPU each). Kept reads
(``inspection.db.cache``) come from units, users, API tokens, corrective actions and,
through their actions, findings; the other tables stop announcing. A finding announces
an update or delete only while it has a corrective action: one without (a proposal while
answers are given) is not part of any kept read. SQLite stops counting the same tables.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T04:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Change announcements for the kept tables only"

QUIET = (
    "checklist",
    "checklist_version",
    "inspection",
    "inspection_member",
    "answer",
    "action_event",
    "extension_request",
    "evidence",
)

POSTGRES_FINDING = (
    "DROP TRIGGER finding_changed ON finding",
    """
CREATE FUNCTION inspection_finding_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM corrective_action WHERE finding = OLD.id) THEN
        PERFORM pg_notify('inspection_changed', 'finding');
    END IF;
    RETURN NULL;
END
$$
""",
    "CREATE TRIGGER finding_changed AFTER UPDATE OR DELETE ON finding "
    "FOR EACH ROW EXECUTE FUNCTION inspection_finding_changed()",
    "CREATE TRIGGER finding_truncated AFTER TRUNCATE ON finding "
    "FOR EACH STATEMENT EXECUTE FUNCTION inspection_changed()",
)


def postgres_statements() -> list[str]:
    quiet = [f"DROP TRIGGER {table}_changed ON {table}" for table in QUIET]
    return [*quiet, *POSTGRES_FINDING]


def sqlite_statements() -> list[str]:
    statements = [
        f"DROP TRIGGER {table}_{event}_counted" for table in QUIET for event in ("insert", "update", "delete")
    ]
    in_list = ", ".join(f"'{table}'" for table in QUIET)
    statements.append(f"DELETE FROM change_count WHERE tbl IN ({in_list})")  # noqa: S608 - our names
    return statements


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="inspection", description=DESCRIPTION)

    async def change() -> None:
        engine = engine_finder()
        assert engine is not None
        postgres = engine.engine_type == "postgres"
        for statement in postgres_statements() if postgres else sqlite_statements():
            await engine.run_ddl(statement)

    manager.add_raw(change)
    return manager
