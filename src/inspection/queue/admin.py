"""What administrators see and do with the outbox: every notification's state, retries, the window."""

from __future__ import annotations

from typing import Any

from inspection.db.tables import Notification

STATUSES = ("pending", "queued", "sending", "sent", "failed", "cancelled")


def _select() -> Any:
    """The columns an admin sees of a notification, with the recipient's address."""
    return Notification.select(
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


async def list_notifications(
    status: str | None = None, limit: int = 200, offset: int = 0
) -> list[dict[str, Any]]:
    """Notifications newest first, with recipient and last error, optionally of one status."""
    query = _select().where(*_status_is(status))
    rows: list[dict[str, Any]] = (
        await query.order_by(Notification.due_at, Notification.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    return rows


async def count_notifications(status: str | None = None) -> int:
    """How many notifications :func:`list_notifications` holds, on all its pages."""
    total: int = await Notification.count().where(*_status_is(status))
    return total


def _status_is(status: str | None) -> list[Any]:
    return [] if status is None else [Notification.status == status]


async def get_notification(notification_id: int) -> dict[str, Any] | None:
    """One notification as :func:`list_notifications` shows it, or None."""
    row: dict[str, Any] | None = await _select().where(Notification.id == notification_id).first()
    return row


async def retry_notification(notification_id: int) -> bool:
    """Send a failed notification again at the next sweep; False if it is not failed.

    It keeps its due time, so a notice of a chase that has moved on since is superseded
    rather than sent late: the retry sends what is true now (the current notice of the
    chase, numbers counted today) or nothing, if that went out already.
    """
    updated = (
        await Notification.update({Notification.status: "pending", Notification.last_error: ""})
        .where((Notification.id == notification_id) & (Notification.status == "failed"))
        .returning(Notification.id)
    )
    return bool(updated)


async def queue_report() -> dict[str, int]:
    """Counts by status, plus ``in_doubt``: sends that may have gone out twice (see the sweep)."""
    counts = dict.fromkeys(STATUSES, 0)
    counts["in_doubt"] = 0
    rows = await Notification.raw(
        "SELECT status, COUNT(*) AS n, COALESCE(SUM(in_doubt), 0) AS in_doubt"
        " FROM notification GROUP BY status"
    )
    for row in rows:
        counts[row["status"]] = int(row["n"])
        counts["in_doubt"] += int(row["in_doubt"])
    return counts
