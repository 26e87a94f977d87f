"""The sweep: claim due notification rows in the database and hand each to an arq send job.

The database is the source of truth; Redis only carries work in flight. A row is claimed
by moving it from ``pending`` to ``queued`` in one statement (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so concurrent sweeps take disjoint rows; SQLite serialises writers with an
IMMEDIATE transaction). Rows left ``queued`` or ``sending`` longer than
``queue_stale_seconds`` are claimed again: Redis lost the job, or the worker died. A row
found in ``sending`` had a send started and never recorded, so its ``in_doubt`` count goes up:
that message may arrive twice (with the same Message-ID). This is the one documented window.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from inspection import clock
from inspection.db.engine import current_engine, is_sqlite, write_transaction
from inspection.db.tables import Notification
from inspection.domain import schedule
from inspection.queue import outbox

if TYPE_CHECKING:
    from arq.connections import ArqRedis

    from inspection.settings import Settings

log = logging.getLogger(__name__)

SEND_JOB = "send_notification"
BATCH = 2000
ENQUEUE_CONCURRENCY = 100

_CLAIM = """
UPDATE notification
SET status = 'queued',
    claimed_at = {},
    in_doubt = in_doubt + CASE WHEN status = 'sending' THEN 1 ELSE 0 END
WHERE id IN (
    SELECT id FROM notification
    WHERE (status = 'pending' AND due_at <= {})
       OR (status IN ('queued', 'sending') AND claimed_at <= {})
    ORDER BY due_at
    LIMIT {}
    %s
)
RETURNING id, idempotency_key
"""


def job_id(idempotency_key: str) -> str:
    """The arq job id of a notification's send: fixed by its key, so Redis holds at most one."""
    return f"notify:{idempotency_key}"


async def claim_due(settings: Settings, limit: int = BATCH) -> list[tuple[int, str]]:
    """Mark up to ``limit`` due (or stale) rows ``queued`` and return their ids and keys."""
    now = clock.now()
    stale = now - dt.timedelta(seconds=settings.queue_stale_seconds)
    sql = _CLAIM % ("" if is_sqlite(current_engine()) else "FOR UPDATE SKIP LOCKED")
    async with write_transaction():
        rows = await Notification.raw(sql, now, now, stale, limit)
    return [(row["id"], row["idempotency_key"]) for row in rows]


async def enqueue(redis: ArqRedis, claimed: list[tuple[int, str]]) -> int:
    """One send job per claimed row; a job id already in Redis is left alone. The count enqueued."""
    enqueued = 0
    for start in range(0, len(claimed), ENQUEUE_CONCURRENCY):
        chunk = claimed[start : start + ENQUEUE_CONCURRENCY]
        jobs = await asyncio.gather(
            *(redis.enqueue_job(SEND_JOB, nid, _job_id=job_id(key)) for nid, key in chunk)
        )
        enqueued += sum(job is not None for job in jobs)
    return enqueued


async def ensure_digests(settings: Settings) -> int:
    """Write this ISO week's digest row for each active leader once its hour has come."""
    week, due_at = schedule.digest_week(clock.now(), settings)
    if clock.now() < due_at:
        return 0
    leaders = await outbox.active_leader_ids()
    keys = {schedule.digest_key(leader, week): leader for leader in leaders}
    if not keys:
        return 0
    have = await Notification.select(Notification.idempotency_key).where(
        Notification.idempotency_key.is_in(list(keys))
    )
    missing = set(keys) - {row["idempotency_key"] for row in have}
    if not missing:
        return 0
    now = clock.now()
    rows = [
        Notification(
            kind="digest",
            action=None,
            recipient=keys[key],
            due_at=due_at,
            status="pending",
            idempotency_key=key,
            created_at=now,
            data={"week": week},
        )
        for key in sorted(missing)
    ]
    async with write_transaction():
        await Notification.insert(*rows).on_conflict(target=Notification.idempotency_key)
    return len(rows)


async def sweep(ctx: dict[str, Any]) -> int:
    """The arq cron job (and the worker's first act): write the chases' next notices and this
    week's digests, then enqueue everything due; returns the count claimed."""
    settings: Settings = ctx["settings"]
    resumed = await outbox.resume_chases(settings)
    digests = await ensure_digests(settings)
    claimed_total = enqueued_total = 0
    while True:
        claimed = await claim_due(settings)
        if claimed:
            try:
                enqueued_total += await enqueue(ctx["redis"], claimed)
            except Exception:
                # The rows stay queued; once stale, a later sweep claims them again.
                log.exception("enqueueing %d claimed notifications failed", len(claimed))
                raise
        claimed_total += len(claimed)
        if len(claimed) < BATCH:
            break
    log.info(
        "sweep: %d chases resumed, %d digests written, %d notices claimed, %d send jobs enqueued",
        resumed,
        digests,
        claimed_total,
        enqueued_total,
    )
    return claimed_total
