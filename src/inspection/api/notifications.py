"""The outbox for administrators: every notification's state, the in-doubt count, retries."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from litestar import Controller, Response, get, post
from litestar.params import FromQuery

from inspection.api.lists import TOTAL_HEADER, Limit, page
from inspection.api.openapi import may_answer
from inspection.auth.guards import roles
from inspection.errors import Conflict, NotFound
from inspection.queue import admin
from inspection.schemas import Offset, Output, PathId

NotificationStatus = Literal["pending", "queued", "sending", "sent", "failed", "cancelled"]


class NotificationOut(Output, kw_only=True):
    """One notification: what it is, to whom, when it was due, and how sending it went."""

    id: int
    kind: str
    action_id: int | None
    recipient_id: int
    recipient_email: str
    due_at: dt.datetime
    status: NotificationStatus
    attempts: int
    # Sends whose outcome is unknown (the worker died after handing the mail to SMTP):
    # the recipient may have received this message twice, with the same Message-ID.
    in_doubt: int
    last_error: str
    sent_at: dt.datetime | None


class QueueReportOut(Output, kw_only=True):
    """How many notifications stand in each state, and how many sends are in doubt."""

    pending: int
    queued: int
    sending: int
    sent: int
    failed: int
    cancelled: int
    in_doubt: int


def _out(row: dict[str, Any]) -> NotificationOut:
    return NotificationOut(
        id=row["id"],
        kind=row["kind"],
        action_id=row["action"],
        recipient_id=row["recipient"],
        recipient_email=row["recipient_email"] or "",
        due_at=row["due_at"],
        status=row["status"],
        attempts=row["attempts"],
        in_doubt=row["in_doubt"],
        last_error=row["last_error"],
        sent_at=row["sent_at"],
    )


class NotificationController(Controller):
    path = "/api/notifications"
    tags = ["notifications"]
    guards = [roles("admin")]

    @get("/", response_headers=TOTAL_HEADER)
    async def list_notifications(
        self,
        status: FromQuery[NotificationStatus | None] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response[list[NotificationOut]]:
        """Notifications, latest due first, optionally only those in one state."""
        listed = [_out(row) for row in await admin.list_notifications(status, limit, offset)]
        return page(listed, await admin.count_notifications(status))

    @get("/report")
    async def report(self) -> QueueReportOut:
        return QueueReportOut(**await admin.queue_report())

    @post("/{notification_id:int}/retry", status_code=200, opt=may_answer(409))
    async def retry(self, notification_id: PathId) -> NotificationOut:
        """Send a failed notification again at the next sweep (409 unless it is failed)."""
        retried = await admin.retry_notification(notification_id)
        row = await admin.get_notification(notification_id)
        if row is None:
            raise NotFound("No such notification")
        if not retried:
            raise Conflict(
                "Only a failed notification can be sent again; this one is %(status)s", status=row["status"]
            )
        return _out(row)
