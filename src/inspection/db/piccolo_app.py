"""The Piccolo app: our tables and the top-level ``migrations/`` folder."""

from __future__ import annotations

from piccolo.conf.apps import AppConfig

from inspection.db.tables import TABLES
from inspection.paths import MIGRATIONS

APP_CONFIG = AppConfig(
    app_name="inspection",
    migrations_folder_path=str(MIGRATIONS),
    table_classes=list(TABLES),
    migration_dependencies=[],
    commands=[],
)
