"""PostgreSQL: a send job's writes read their own rows, however many others are queued."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest

from inspection.queue import jobs

QUEUED = 5000


def _rows_read_and_dropped(plan: dict[str, Any]) -> int:
    """Rows the plan's scans read and then threw away, over the whole tree."""
    dropped = int(plan.get("Rows Removed by Filter", 0)) + int(plan.get("Rows Removed by Index Recheck", 0))
    return dropped + sum(_rows_read_and_dropped(child) for child in plan.get("Plans", []))


@pytest.mark.parametrize(
    ("statement", "status", "arguments"),
    [
        (jobs._for(jobs._START, 1), "queued", "(now(), {id})"),
        (jobs._for(jobs._SENT, 1), "sending", "(now(), {id})"),
        (jobs._SETTLE, "queued", "('cancelled', 'test', {id})"),
        (jobs._NOT_DUE, "queued", "({id})"),
        (jobs._for(jobs._FAILED, 1), "sending", "('queued', 'test', now(), {id})"),
    ],
    ids=["claim", "sent", "settle", "not-due", "failed"],
)
async def test_one_row_is_read_when_thousands_wait(
    postgres_url: str, statement: str, status: str, arguments: str
) -> None:
    connection = await asyncpg.connect(postgres_url.replace("postgresql://", "postgres://", 1))
    try:
        # The table as a burst leaves it: statistics taken while no row was in flight, then
        # thousands queued by the sweep (a temporary copy, with the same indexes).
        await connection.execute("CREATE TEMP TABLE notification (LIKE public.notification INCLUDING ALL)")
        await connection.execute(
            "INSERT INTO notification (kind, due_at, status, idempotency_key)"
            " SELECT 'assigned', now(), 'pending', 'k' || n FROM generate_series(1, $1) AS n",
            QUEUED,
        )
        await connection.execute("ANALYZE notification")
        await connection.execute("UPDATE notification SET status = $1", status)
        await connection.execute("SET plan_cache_mode = force_generic_plan")
        await connection.execute(f"PREPARE shared AS {_numbered(statement)}")
        one = await connection.fetchval("SELECT max(id) FROM notification")

        async with connection.transaction():
            explained = await connection.fetchval(
                f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE shared{arguments.format(id=int(one))}"
            )
            plan = json.loads(explained)[0]["Plan"]
            assert _rows_read_and_dropped(plan) == 0, plan
            raise _RolledBack
    except _RolledBack:
        pass
    finally:
        await connection.close()


def _numbered(statement: str) -> str:
    """Piccolo's ``{}`` placeholders as PostgreSQL's ``$1``, ``$2`` …, for PREPARE."""
    parts = statement.split("{}")
    return parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))


class _RolledBack(Exception):
    """Leaves the transaction that ran the statement, undoing it."""
