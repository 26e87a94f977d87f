"""The send job: one notification row in, at most one e-mail out, the row's outcome recorded.

The job re-reads everything it needs, so a stale or duplicated job is harmless: it sends
only a row that is ``queued``, due, not superseded by a later notice (see
:mod:`inspection.domain.schedule`) and, for scheduled notices, still part of its action's
schedule. What a notice says (days left, days overdue) is worked out when it is sent, from
the action as it is then. The row moves to ``sending`` once an SMTP connection is ready and
the message is about to be handed over, and to ``sent`` after, each in a statement of its
own: the SMTP conversation never runs inside a database transaction. The sweep's handling
of rows stuck in ``sending`` is described in :mod:`inspection.queue.sweep`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import weakref
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from arq import Retry

from inspection import clock
from inspection.db.engine import write_transaction
from inspection.db.tables import CorrectiveAction, Notification
from inspection.domain import schedule
from inspection.domain.actions import UNIT_OWES
from inspection.domain.schedule import SCHEDULED_KINDS, ActionFacts
from inspection.i18n import LANGUAGES
from inspection.mail.render import build_message, render
from inspection.mail.sender import MailError, message_id
from inspection.queue import outbox

if TYPE_CHECKING:
    from email.message import Message

    from inspection.mail.sender import Mailer
    from inspection.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    """A notification ready to hand to SMTP."""

    ids: tuple[int, ...]  # the rows it carries: its own, and those of its group
    kind: str
    action_id: int | None
    mail: Message


def _date(value: dt.date) -> str:
    """dd/mm/yyyy, as Vietnamese documents write dates (formatted by hand: strftime is slower)."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _unit_name(row: Mapping[str, Any], language: str, prefix: str = "unit") -> str:
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


@dataclass(frozen=True, slots=True)
class ActionView:
    """An action as the e-mail templates show it.

    An object rather than a dict: Jinja looks ``action.unit`` up as an attribute first, and
    on a dict that fails with an exception each time (13% of rendering a message).
    """

    unit: str
    item: str
    title: str
    severity: str  # the code: the template has its word in the message's language
    due: str
    url: str
    days: int = 0  # overdue, in the digest; days left or overdue, in a combined message
    kind: str = ""  # the notice's kind, in a combined message


def _action_view(row: Mapping[str, Any], language: str, settings: Settings) -> ActionView:
    return ActionView(
        unit=_unit_name(row, language),
        item=row["item_code"] or "—",
        title=row["title"],
        severity=row["severity"],
        due=_date(row["due_date"]),
        url=_action_url(settings, row["id"]),
    )


# A leader who was sent a digest (a late one, after an outage) less than this long ago is
# not sent the next regular one: it would repeat what they have just read.
DIGEST_COVERS = dt.timedelta(days=4)


async def _digest_context(recipient_id: int, language: str, settings: Settings) -> dict[str, Any] | str:
    """What a leader's digest says now: every action the units still owe past its deadline,
    grouped by unit, most overdue first, and what changed since the leader's last digest
    (or the last week). A string says why no digest is to be sent."""
    now = clock.now()
    previous = (
        await Notification.select(Notification.sent_at)
        .where(
            (Notification.kind == "digest")
            & (Notification.recipient == recipient_id)
            & (Notification.status == "sent")
        )
        .order_by(Notification.sent_at, ascending=False)
        .first()
    )
    last: dt.datetime | None = previous["sent_at"] if previous else None
    if last is not None and now - last < DIGEST_COVERS:
        return f"covered by the digest sent on {_date(clock.local_day(last, settings))}"
    since = last or now - dt.timedelta(days=7)
    today = clock.today(settings)
    rows = await CorrectiveAction.select(*_ACTION_COLUMNS).where(
        CorrectiveAction.status.is_in([str(s) for s in UNIT_OWES]) & (CorrectiveAction.due_date < today)
    )
    if not rows:
        return "nothing overdue"
    groups: dict[str, list[ActionView]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r["due_date"], r["id"])):
        view = _action_view(row, language, settings)
        groups[view.unit].append(replace(view, days=(today - row["due_date"]).days))
    ordered = sorted(groups.items(), key=lambda item: (-item[1][0].days, item[0]))
    since_day = clock.local_day(since, settings)
    closed = await CorrectiveAction.count().where(CorrectiveAction.closed_at >= since)
    return {
        "groups": [{"unit": unit, "actions": actions} for unit, actions in ordered],
        "total": len(rows),
        "since": _date(since_day),
        "newly_overdue": sum(1 for row in rows if row["due_date"] >= since_day),
        "closed": closed,
    }


def _days(kind: str, due_date: dt.date | None, today: dt.date, stored: int) -> int:
    """The N of a notice, as of the day it is sent: days left before the deadline (a
    reminder), days past it (overdue, escalation); others keep what was stored."""
    if due_date is None:
        return stored
    if kind in ("reminder", "manual_reminder"):
        return (due_date - today).days
    if kind in ("overdue", "escalation", "manual_escalation"):
        return (today - due_date).days
    return stored


# Everything a send needs in one read: the row, its recipient, and its action with the
# action's inspection, unit, finding and assignee (empty for a digest).
_COLUMNS = """
SELECT n.id, n.kind, n.action, n.status, n.due_at, n.idempotency_key, n.data, n.recipient,
       r.email, r.full_name, r.language, r.active, r.role,
       a.title, a.severity, a.status AS action_status, a.due_date, a.assignee, a.reopen_count,
       a.inspection, u.name_vi AS unit_name_vi, u.name_en AS unit_name_en, f.item_code,
       h.full_name AS assignee_name
FROM notification n
JOIN app_user r ON r.id = n.recipient
LEFT JOIN corrective_action a ON a.id = n.action
LEFT JOIN unit u ON u.id = a.unit
LEFT JOIN finding f ON f.id = a.finding
LEFT JOIN app_user h ON h.id = a.assignee
"""
_READ = _COLUMNS + "WHERE n.id = {}"
# The other unsent rows of a row's group that are due (see ``_group``): the same recipient
# and kinds, due within the window given; ``%s`` narrows an assignment group to its inspection.
_GROUP = (
    _COLUMNS
    + """WHERE n.recipient = {} AND n.kind IN (%s) AND n.status IN ('pending', 'queued')
  AND n.due_at >= {} AND n.due_at <= {} AND n.id <> {} %s
ORDER BY a.due_date, n.id"""
)
# The writes by key are guarded by the row's status, read as ``status || ''`` on purpose:
# PostgreSQL plans ``status = 'queued'`` with statistics taken while few rows were queued,
# so it scanned the (status, due_at) index, reading every queued row, where the key finds
# one: 13 ms per claim once the sweep had queued 15,000 rows, against 0.1 ms. An
# expression keeps the plan on the primary key (tests/queue/test_claim_plan.py).
# ``{ids}`` stands for the rows one message carries (see ``_for``).
_START = """
UPDATE notification SET status = 'sending', attempts = attempts + 1, claimed_at = {}
WHERE id IN ({ids}) AND status || '' IN ('queued', 'pending')
RETURNING id
"""
_SENT = """
UPDATE notification SET status = 'sent', sent_at = {}, last_error = ''
WHERE id IN ({ids}) AND status || '' = 'sending'
"""
_SETTLE = "UPDATE notification SET status = {}, last_error = {} WHERE id = {} AND status || '' = 'queued'"
_NOT_DUE = "UPDATE notification SET status = 'pending' WHERE id = {} AND status || '' = 'queued'"
# A failure may come before the rows were claimed (no connection to be had) or after.
_FAILED = """
UPDATE notification SET status = {}, last_error = {}, claimed_at = {}
WHERE id IN ({ids}) AND status || '' IN ('queued', 'sending')
"""


def _for(statement: str, count: int) -> str:
    """``statement`` for ``count`` rows: a ``{}`` placeholder for each id."""
    return statement.replace("{ids}", ", ".join(["{}"] * count))


NO_LONGER_SCHEDULED = "no longer scheduled (closed, moved or reassigned)"
NOT_DUE = "not due yet"

# Notices combined into one e-mail: the kinds of a group, per kind.
_GROUP_KINDS = {
    "assigned": ("assigned",),
    "reminder": ("reminder", "overdue"),
    "overdue": ("reminder", "overdue"),
    "escalation": ("escalation",),
}
# The template of a combined e-mail, per kind of its group.
_LIST_TEMPLATES = {"assigned": "assigned_list", "reminder": "chase_list", "escalation": "escalation_list"}
# The earliest due time an assignment group reaches back to: all of an inspection's.
_LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _group(row: Mapping[str, Any], settings: Settings) -> str | None:
    """The name of the e-mail a row's notice goes out in with others, or None if it goes alone.

    One recipient gets one e-mail for the assignment notices of one inspection's conclusion,
    one for the reminders and overdue notices due the same local day, and one for the
    escalations due the same local day.
    """
    kind = str(row["kind"])
    if kind not in _GROUP_KINDS or row["action"] is None:
        return None
    if kind == "assigned":
        return f"assigned:u{row['recipient']}:i{row['inspection']}"
    first = "reminder" if kind == "overdue" else kind
    return f"{first}:u{row['recipient']}:{clock.local_day(row['due_at'], settings).isoformat()}"


async def _read(notification_id: int) -> dict[str, Any] | None:
    rows = await Notification.raw(_READ, notification_id)
    return dict(rows[0]) if rows else None


async def _siblings(row: dict[str, Any], settings: Settings, now: dt.datetime) -> list[dict[str, Any]]:
    """The other due, unsent rows of the row's group (unchecked)."""
    kind = str(row["kind"])
    kinds = ", ".join(f"'{k}'" for k in _GROUP_KINDS[kind])
    if kind == "assigned":
        sql = _GROUP % (kinds, "AND a.inspection = {}")
        extra: tuple[Any, ...] = (row["inspection"],)
        first, last = _LONG_AGO, now
    else:
        sql = _GROUP % (kinds, "")
        extra = ()
        day = clock.local_day(row["due_at"], settings)
        first = clock.start_of_day(day, settings)
        last = min(
            now, clock.start_of_day(day + dt.timedelta(days=1), settings) - dt.timedelta(microseconds=1)
        )
    rows = await Notification.raw(sql, row["recipient"], first, last, row["id"], *extra)
    return [dict(r) for r in rows]


def _verdict(row: Mapping[str, Any], settings: Settings, now: dt.datetime) -> tuple[str, str] | None:
    """Why a due row is not to be sent now, as (what becomes of it, the reason admins see);
    None: send it. Reads nothing: everything comes from the joined row."""
    if row["due_at"] > now:
        return ("pending", NOT_DUE)
    if not row["active"]:
        return ("cancelled", "recipient is no longer active")
    kind: str = row["kind"]
    if row["action"] is not None and row["action_status"] is None:
        return ("cancelled", "action deleted")
    if kind in SCHEDULED_KINDS and not _still_scheduled(row):
        return ("cancelled", NO_LONGER_SCHEDULED)
    if outbox.is_superseded(row, settings, now) or (kind == "reminder" and _row_days(row, settings) < 0):
        return ("superseded", outbox.SUPERSEDED)
    if not row["email"]:
        return ("failed", "recipient has no e-mail address")
    return None


def _row_days(row: Mapping[str, Any], settings: Settings) -> int:
    stored = int(outbox.decode_data(row["data"]).get("days", 0))
    return _days(row["kind"], row["due_date"], clock.today(settings), stored)


async def _settle(notification_id: int, status: str, reason: str) -> str:
    """Move a ``queued`` row that is not to be sent to ``status``; the reason is what admins see."""
    await Notification.raw(_SETTLE, status, reason, notification_id)
    return f"{status}: {reason}"


async def _supersede(row: dict[str, Any], settings: Settings) -> str:
    """Cancel a stale notice; for an overdue one, write the notice true now in the same transaction."""
    async with write_transaction():
        outcome = await _settle(row["id"], "cancelled", outbox.SUPERSEDED)
        if row["kind"] == "overdue":
            await outbox.reconcile(row["action"], settings)
    return outcome


def _still_scheduled(row: Mapping[str, Any]) -> bool:
    """Whether a scheduled notice still belongs to its action's schedule, judged from the joined row."""
    facts = ActionFacts(
        row["action"], row["action_status"], row["due_date"], row["assignee"], row["reopen_count"]
    )
    leaders = [row["recipient"]] if row["role"] == "leader" else []
    prefixes = schedule.valid_prefixes(facts, leaders)
    return bool(prefixes) and str(row["idempotency_key"]).startswith(prefixes)


async def prepare(
    notification_id: int, settings: Settings, read: dict[str, Any] | None = None
) -> Outgoing | str:
    """Check the row and build its message; a string says why nothing is to be sent.

    One read gathers everything; the only write is the move to ``sending`` (or the row's
    cancellation), a single statement guarded by the rows' status. A change that
    invalidates the row meanwhile (closing, rescheduling) cancels it, so the guard fails and
    nothing is sent: no transaction needs to span the checks.

    A row of a group (see ``_group``) takes along the group's other rows that are due,
    unsent and pass the same checks: they go out in one message, and their own jobs find
    them sent. Those that fail a check are left to their own jobs. ``read`` is the row, if
    the job has just read it.
    """
    row = read or await _read(notification_id)
    if row is None:
        return "gone"
    if row["status"] != "queued":
        return f"skipped: {row['status']}"
    now = clock.now()
    verdict = _verdict(row, settings, now)
    if verdict is not None:
        status, reason = verdict
        if status == "pending":
            await Notification.raw(_NOT_DUE, notification_id)
            return reason
        if status == "superseded":
            return await _supersede(row, settings)
        return await _settle(notification_id, status, reason)
    kind: str = row["kind"]
    language: str = row["language"] if row["language"] in LANGUAGES else settings.default_language
    rows = [row]
    if _group(row, settings) is not None:
        rows += [
            other for other in await _siblings(row, settings, now) if _verdict(other, settings, now) is None
        ]
    data = outbox.decode_data(row["data"])
    context: dict[str, Any] = {
        "recipient_name": row["full_name"],
        "days": _row_days(row, settings),
        "note": data.get("note", ""),
        "approved": bool(data.get("approved", False)),
        "by": data.get("by", ""),
        "escalation_after_days": settings.escalation_after_days,
    }
    template = kind
    if len(rows) > 1:
        template = _LIST_TEMPLATES[_GROUP_KINDS[kind][0]]
        rows.sort(key=lambda r: (r["due_date"], r["action"], r["id"]))
        context["items"] = [
            replace(
                _action_view({**r, "id": r["action"]}, language, settings),
                kind=r["kind"],
                days=_row_days(r, settings),
            )
            for r in rows
        ]
        context["unit"] = context["items"][0].unit
    elif row["action"] is not None:
        context["action"] = _action_view({**row, "id": row["action"]}, language, settings)
        context["assignee_name"] = row["assignee_name"] or ""
    if kind == "digest":
        digest = await _digest_context(row["recipient"], language, settings)
        if isinstance(digest, str):
            return await _settle(notification_id, "cancelled", digest)
        context.update(digest, week=data.get("week", ""))
    keys = sorted(str(r["idempotency_key"]) for r in rows)
    try:
        mail = build_message(
            render(template, language, context),
            mail_from=settings.mail_from,
            to_name=row["full_name"],
            to_address=row["email"],
            # One notice: its key's. Several: their keys', so a resend of the same group
            # after a crash carries the same Message-ID.
            message_id=message_id("|".join(keys), settings.mail_from),
        )
    except ValueError as exc:
        return await _settle(notification_id, "failed", f"recipient's e-mail address is not one: {exc}")
    return Outgoing(tuple(r["id"] for r in rows), kind, row["action"], mail)


class _GroupChanged(Exception):
    """Some row of the message was taken meanwhile: claim none of them."""


async def _claim(ids: tuple[int, ...]) -> bool:
    """Move the message's rows to ``sending``, all or none: from now on they count as handed
    to SMTP. None moves if any was taken meanwhile (by another job's message, a change)."""
    try:
        async with write_transaction():
            claimed = await Notification.raw(_for(_START, len(ids)), clock.now(), *ids)
            if len(claimed) != len(ids):
                raise _GroupChanged
    except _GroupChanged:
        return False
    return True


async def record_failure(ids: tuple[int, ...], error: str, job_try: int, settings: Settings) -> str:
    """SMTP refused: try again after the next delay, or give up and leave the rows ``failed``
    for admins. (The action's chase goes on: the sweep writes its next notice.)"""
    delays = settings.mail_retry_seconds
    last = job_try > len(delays)
    # A retry waits ``delay``: the row is stale only once that wait and a send have passed.
    retry_at = clock.now() + dt.timedelta(seconds=0 if last else delays[job_try - 1])
    await Notification.raw(
        _for(_FAILED, len(ids)), "failed" if last else "queued", error[:2000], retry_at, *ids
    )
    if last:
        log.warning("notification %s failed after %d tries: %s", ids, job_try, error)
        return f"failed: {error}"
    raise Retry(defer=delays[job_try - 1])


async def send_notification(ctx: dict[str, Any], notification_id: int) -> str:
    """The arq job: send one notification row (with the rows of its group), at most once per
    successful try."""
    settings: Settings = ctx["settings"]
    mailer: Mailer = ctx["mailer"]
    locks: weakref.WeakValueDictionary[str, asyncio.Lock] = ctx.setdefault(
        "send_groups", weakref.WeakValueDictionary()
    )
    job_try = int(ctx.get("job_try", 1))
    row = await _read(notification_id)
    group = _group(row, settings) if row is not None and row["status"] == "queued" else None
    if group is None:
        outcome = await _send(notification_id, settings, mailer, job_try, row)
    else:
        # The jobs of one group's rows in this worker take turns: the first sends the group's
        # message and the others then find their rows sent, rather than each gathering the
        # group and building its message only to lose the claim.
        lock = locks.get(group)
        if lock is None:
            lock = locks[group] = asyncio.Lock()
        async with lock:
            outcome = await _send(notification_id, settings, mailer, job_try)
    log.info("notification %d: %s", notification_id, outcome)
    return outcome


# How often a job gathers its group again when a row of it was taken while it waited.
_REGATHER = 3


async def _send(
    notification_id: int, settings: Settings, mailer: Mailer, job_try: int, read: dict[str, Any] | None = None
) -> str:
    for _ in range(_REGATHER):
        outgoing = await prepare(notification_id, settings, read)
        read = None  # another turn reads the row again
        if isinstance(outgoing, str):
            return outgoing
        ids = outgoing.ids
        claimed: list[bool] = []

        async def claim(ids: tuple[int, ...] = ids, claimed: list[bool] = claimed) -> bool:
            claimed.append(await _claim(ids))
            return claimed[-1]

        try:
            handed = await mailer.send(outgoing.mail, claim)
        except MailError as exc:
            # Refused after the claim: every row of the message waits for the retry (or fails).
            # Before it (no connection to be had), the other rows were never touched.
            failed = ids if any(claimed) else (notification_id,)
            return await record_failure(failed, str(exc), job_try, settings)
        if handed:
            await Notification.raw(_for(_SENT, len(ids)), clock.now(), *ids)
            return (
                f"sent ({outgoing.kind}, {len(ids)} notices)" if len(ids) > 1 else f"sent ({outgoing.kind})"
            )
    return "skipped: taken by another change"
