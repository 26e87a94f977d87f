"""Every table but the outbox counts its changes, so processes can cache what they read.

SQLite: triggers count each table's changes in ``change_count``, which a process reads
in microseconds before using what it cached (``inspection.db.cache``). PostgreSQL: the
triggers ``NOTIFY`` the table's name, delivered on commit to the web processes, which
listen (``inspection.db.engine.ChangeFeed``) instead of asking.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T00:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Change counting triggers"

TABLES = (
    "unit",
    "app_user",
    "api_token",
    "checklist",
    "checklist_version",
    "inspection",
    "inspection_member",
    "answer",
    "finding",
    "corrective_action",
    "action_event",
    "extension_request",
    "evidence",
)

POSTGRES_FUNCTION = """
CREATE FUNCTION inspection_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('inspection_changed', TG_TABLE_NAME);
    RETURN NULL;
END
$$
"""


def sqlite_statements() -> list[str]:
    statements = ["CREATE TABLE change_count (tbl TEXT PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0)"]
    for table in TABLES:
        statements.append(f"INSERT INTO change_count (tbl) VALUES ('{table}')")  # noqa: S608 - our names
        for event in ("INSERT", "UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER {table}_{event.lower()}_counted AFTER {event} ON {table} "  # noqa: S608
                f"BEGIN UPDATE change_count SET n = n + 1 WHERE tbl = '{table}'; END"
            )
    return statements


def postgres_statements() -> list[str]:
    return [POSTGRES_FUNCTION] + [
        f"CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION inspection_changed()"
        for table in TABLES
    ]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="inspection", description=DESCRIPTION)

    async def create() -> None:
        engine = engine_finder()
        assert engine is not None
        postgres = engine.engine_type == "postgres"
        for statement in postgres_statements() if postgres else sqlite_statements():
            await engine.run_ddl(statement)

    manager.add_raw(create)
    return manager
