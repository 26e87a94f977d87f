"""SQLite: a write statement on its own commits at once, or waits for another process's lock."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from inspection.db import sql
from inspection.db.engine import close_database, open_database
from inspection.db.tables import Unit
from tests.factories import make_unit

RENAME = "UPDATE unit SET name_vi = $1 WHERE id = $2 RETURNING id"


@asynccontextmanager
async def _database_and_another_connection(template: Path, folder: Path) -> AsyncIterator[sqlite3.Connection]:
    """A fresh database opened by this process, and a connection to it as another process's."""
    path = folder / "inspection.sqlite3"
    shutil.copyfile(template, path)
    engine = await open_database(f"sqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None)
    try:
        yield other
    finally:
        other.close()
        await close_database(engine)


async def test_a_statement_commits_alone_or_waits_for_another_process(
    sqlite_template: Path, tmp_path: Path
) -> None:
    async with _database_and_another_connection(sqlite_template, tmp_path) as other:
        unit = await make_unit("X-1")
        before = sql.generation(("unit",))
        assert [row["id"] for row in await sql.commit_one(RENAME, "Xã Một", unit.id)] == [unit.id]
        # Committed: another connection sees it, and this process's caches know at once.
        assert other.execute("SELECT name_vi FROM unit WHERE id = ?", (unit.id,)).fetchone() == ("Xã Một",)
        assert sql.generation(("unit",)) != before

        other.execute("BEGIN IMMEDIATE")  # another process is writing
        renaming = asyncio.create_task(sql.commit_one(RENAME, "Xã Hai", unit.id))
        await asyncio.sleep(0.3)
        assert not renaming.done()
        other.execute("COMMIT")
        assert [row["id"] for row in await asyncio.wait_for(renaming, 10)] == [unit.id]
        row = await Unit.select(Unit.name_vi).where(Unit.id == unit.id).first()
        assert row == {"name_vi": "Xã Hai"}


async def test_another_connections_commit_counts_by_the_next_turn_and_ours_at_once(
    sqlite_template: Path, tmp_path: Path
) -> None:
    async with _database_and_another_connection(sqlite_template, tmp_path) as other:
        unit = await make_unit("X-1")
        await asyncio.sleep(0)
        before = sql.generation(("unit",))
        other.execute("UPDATE unit SET name_vi = 'Xã Khác' WHERE id = ?", (unit.id,))
        # Another process's commit reaches this one by I/O, read in a later turn of the loop.
        await asyncio.sleep(0)
        seen = sql.generation(("unit",))
        assert seen != before

        # A write of this process, even one run outside a transaction, counts at once.
        await sql.fetch(RENAME, "Xã Ba", unit.id)
        assert sql.generation(("unit",)) != seen
        assert other.execute("SELECT name_vi FROM unit WHERE id = ?", (unit.id,)).fetchone() == ("Xã Ba",)
