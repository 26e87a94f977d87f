"""What administrators see and do with the outbox: every notification's state, retries, the window."""

from __future__ import annotations

from typing import Any

from inspection import clock
from inspection.db.tables import Notification

STATUSES = ("pending", "queued", "sending", "sent", "failed", "cancelled")


async def list_notifications(
    status: str | None = None, limit: int = 200, offset: int = 0
) -> list[dict[str, Any]]:
    """Notifications newest first, with recipient and last error, optionally of one status."""
    query = Notification.select(
        Notification.id,
        Notification.kind,
        Notification.action,
        Notification.recipient,
        Notification.recipient.email.as_alias("recipient_email"),
        Notification.due_at,
        Notification.status,
        Notification.attempts,
        Notification.in_doubt,
        Notification.last_error,
        Notification.sent_at,
    )
    if status is not None:
        query = query.where(Notification.status == status)
    rows: list[dict[str, Any]] = (
        await query.order_by(Notification.due_at, ascending=False).limit(limit).offset(offset)
    )
    return rows


async def retry_notification(notification_id: int) -> bool:
    """Send a failed notification again at the next sweep; False if it is not failed."""
    updated = (
        await Notification.update(
            {Notification.status: "pending", Notification.due_at: clock.now(), Notification.last_error: ""}
        )
        .where((Notification.id == notification_id) & (Notification.status == "failed"))
        .returning(Notification.id)
    )
    return bool(updated)


async def queue_report() -> dict[str, int]:
    """Counts by status, plus ``in_doubt``: sends that may have gone out twice (see the sweep)."""
    counts = {status: 0 for status in STATUSES}
    for row in await Notification.select(Notification.status, Notification.in_doubt):
        counts[row["status"]] = counts.get(row["status"], 0) + 1
        counts["in_doubt"] = counts.get("in_doubt", 0) + row["in_doubt"]
    counts.setdefault("in_doubt", 0)
    return counts
