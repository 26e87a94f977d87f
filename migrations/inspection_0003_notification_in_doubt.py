"""Count, per notification, the sends whose outcome is unknown (the one documented window)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-25T22:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Notification.in_doubt: sends whose outcome is unknown"


async def forwards() -> MigrationManager:
    manager = MigrationManager(
        migration_id=ID, app_name="inspection", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Notification",
        tablename="notification",
        column_name="in_doubt",
        db_column_name="in_doubt",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
