"""The send job: one notification row in, at most one e-mail out, the row's outcome recorded.

The job re-reads everything it needs, so a stale or duplicated job is harmless: it sends
only a row that is ``queued``, due, and (for scheduled notices) still part of its action's
schedule. The row moves to ``sending`` before the mail is handed to SMTP and to ``sent``
after; the sweep's handling of rows stuck in ``sending`` is described in
:mod:`inspection.queue.sweep`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from arq import Retry

from inspection import clock
from inspection.db.engine import write_transaction
from inspection.db.tables import CorrectiveAction, Notification
from inspection.domain.actions import UNIT_OWES
from inspection.mail.messages import CATALOGS
from inspection.mail.render import build_message, render
from inspection.mail.sender import MailError, message_id
from inspection.queue import outbox, schedule
from inspection.queue.schedule import SCHEDULED_KINDS

if TYPE_CHECKING:
    from email.message import EmailMessage

    from inspection.mail.sender import Mailer
    from inspection.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    """A notification ready to hand to SMTP."""

    id: int
    kind: str
    action_id: int | None
    message: EmailMessage


def _date(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def _text(language: str, msgid: str) -> str:
    return CATALOGS.get(language, CATALOGS["vi"]).get(msgid, msgid)


def _unit_name(row: dict[str, Any], language: str, prefix: str = "unit") -> str:
    english = row.get(f"{prefix}_name_en") or ""
    return str(english if language == "en" and english else row[f"{prefix}_name_vi"])


def _action_url(settings: Settings, action_id: int) -> str:
    return f"{settings.base_url.rstrip('/')}/actions/{action_id}"


_ACTION_COLUMNS = (
    CorrectiveAction.id,
    CorrectiveAction.title,
    CorrectiveAction.severity,
    CorrectiveAction.status,
    CorrectiveAction.due_date,
    CorrectiveAction.unit.name_vi.as_alias("unit_name_vi"),
    CorrectiveAction.unit.name_en.as_alias("unit_name_en"),
    CorrectiveAction.finding.item_code.as_alias("item_code"),
    CorrectiveAction.assignee.full_name.as_alias("assignee_name"),
)


def _action_view(row: dict[str, Any], language: str, settings: Settings) -> dict[str, Any]:
    return {
        "unit": _unit_name(row, language),
        "item": row["item_code"] or "—",
        "title": row["title"],
        "severity": _text(language, row["severity"]),
        "due": _date(row["due_date"]),
        "url": _action_url(settings, row["id"]),
    }


async def _digest_groups(language: str, settings: Settings) -> tuple[list[dict[str, Any]], int]:
    """Every action the units still owe past its deadline, grouped by unit, most overdue first."""
    today = clock.now().astimezone(schedule.zone(settings.timezone)).date()
    rows = await CorrectiveAction.select(*_ACTION_COLUMNS).where(
        CorrectiveAction.status.is_in([str(s) for s in UNIT_OWES]) & (CorrectiveAction.due_date < today)
    )
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r["due_date"], r["id"])):
        view = _action_view(row, language, settings)
        groups[view["unit"]].append({**view, "days": (today - row["due_date"]).days})
    ordered = sorted(groups.items(), key=lambda item: (-item[1][0]["days"], item[0]))
    return [{"unit": unit, "actions": actions} for unit, actions in ordered], len(rows)


async def _cancel(notification_id: int, reason: str) -> str:
    await Notification.update({Notification.status: "cancelled", Notification.last_error: reason}).where(
        (Notification.id == notification_id) & (Notification.status == "queued")
    )
    return f"cancelled: {reason}"


async def prepare(notification_id: int, settings: Settings) -> Outgoing | str:
    """Check the row and build its message; a string says why nothing is to be sent."""
    row = (
        await Notification.select(
            Notification.id,
            Notification.kind,
            Notification.action,
            Notification.status,
            Notification.due_at,
            Notification.idempotency_key,
            Notification.data,
            Notification.recipient.email.as_alias("email"),
            Notification.recipient.full_name.as_alias("full_name"),
            Notification.recipient.language.as_alias("language"),
            Notification.recipient.active.as_alias("active"),
        )
        .where(Notification.id == notification_id)
        .first()
    )
    if row is None:
        return "gone"
    if row["status"] != "queued":
        return f"skipped: {row['status']}"
    if row["due_at"] > clock.now():
        await Notification.update({Notification.status: "pending"}).where(
            (Notification.id == notification_id) & (Notification.status == "queued")
        )
        return "not due yet"
    if not row["active"]:
        return await _cancel(notification_id, "recipient is no longer active")
    kind: str = row["kind"]
    language: str = row["language"] if row["language"] in CATALOGS else settings.default_language
    # JSON columns come back decoded on some engines and as text on others.
    data = json.loads(row["data"]) if isinstance(row["data"], str) else dict(row["data"] or {})
    context: dict[str, Any] = {
        "recipient_name": row["full_name"],
        "days": data.get("days", 0),
        "note": data.get("note", ""),
        "approved": bool(data.get("approved", False)),
        "escalation_after_days": settings.escalation_after_days,
    }
    action_id: int | None = row["action"]
    if action_id is not None:
        if kind in SCHEDULED_KINDS:
            plan = await outbox.current_plan(action_id, settings)
            if not plan.is_valid(row["idempotency_key"]):
                return await _cancel(notification_id, "no longer scheduled (closed, moved or reassigned)")
        action = (
            await CorrectiveAction.select(*_ACTION_COLUMNS).where(CorrectiveAction.id == action_id).first()
        )
        if action is None:
            return await _cancel(notification_id, "action deleted")
        context["action"] = _action_view(action, language, settings)
        context["assignee_name"] = action["assignee_name"] or ""
    if kind == "digest":
        groups, total = await _digest_groups(language, settings)
        if not total:
            return await _cancel(notification_id, "nothing overdue")
        context.update(groups=groups, total=total, week=data.get("week", ""))
    if not row["email"]:
        await Notification.update(
            {Notification.status: "failed", Notification.last_error: "recipient has no e-mail address"}
        ).where((Notification.id == notification_id) & (Notification.status == "queued"))
        return "failed: no e-mail address"
    rendered = render(kind, language, context)
    message = build_message(
        rendered,
        mail_from=settings.mail_from,
        to_name=row["full_name"],
        to_address=row["email"],
        message_id=message_id(row["idempotency_key"], settings.mail_from),
    )
    started = (
        await Notification.update(
            {
                Notification.status: "sending",
                Notification.attempts: Notification.attempts + 1,
                Notification.claimed_at: clock.now(),
            }
        )
        .where((Notification.id == notification_id) & (Notification.status == "queued"))
        .returning(Notification.id)
    )
    if not started:
        return "skipped: taken by another change"
    return Outgoing(notification_id, kind, action_id, message)


async def record_sent(outgoing: Outgoing, settings: Settings) -> None:
    """Mark the row sent; an overdue notice writes the next one in the same transaction."""
    async with write_transaction():
        await Notification.update(
            {Notification.status: "sent", Notification.sent_at: clock.now(), Notification.last_error: ""}
        ).where((Notification.id == outgoing.id) & (Notification.status == "sending"))
        if outgoing.kind == "overdue" and outgoing.action_id is not None:
            await outbox.reconcile(outgoing.action_id, settings)


async def record_failure(notification_id: int, error: str, job_try: int, settings: Settings) -> str:
    """SMTP refused: try again after the next delay, or give up and leave the row ``failed`` for admins."""
    delays = settings.mail_retry_seconds
    last = job_try > len(delays)
    await Notification.update(
        {
            Notification.status: "failed" if last else "queued",
            Notification.last_error: error[:2000],
            Notification.claimed_at: clock.now(),
        }
    ).where((Notification.id == notification_id) & (Notification.status == "sending"))
    if last:
        log.warning("notification %d failed after %d tries: %s", notification_id, job_try, error)
        return f"failed: {error}"
    raise Retry(defer=delays[job_try - 1])


async def send_notification(ctx: dict[str, Any], notification_id: int) -> str:
    """The arq job: send one notification row, at most once per successful try."""
    settings: Settings = ctx["settings"]
    mailer: Mailer = ctx["mailer"]
    outgoing = await prepare(notification_id, settings)
    if isinstance(outgoing, str):
        return outgoing
    try:
        await mailer.send(outgoing.message)
    except MailError as exc:
        return await record_failure(notification_id, str(exc), int(ctx.get("job_try", 1)), settings)
    await record_sent(outgoing, settings)
    return "sent"
