"""Corrective actions: created from findings, moved through their life, with every change an event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from inspection import clock
from inspection.auth.principal import Principal
from inspection.clock import local_day, start_of_day, today
from inspection.db.engine import insert_batches, read_transaction, write_transaction
from inspection.db.tables import (
    ActionEvent,
    CorrectiveAction,
    ExtensionRequest,
    Inspection,
)
from inspection.domain.actions import (
    OPEN_STATES,
    UNIT_OWES,
    Actor,
    Chase,
    Status,
    Verb,
    check_chase,
    check_extension_decider,
    check_extension_request,
    check_transition,
    days_overdue,
    deadline_for,
)
from inspection.domain.checklist import Item
from inspection.domain.dates import SEARCH_YEARS, check_in_window
from inspection.domain.schedule import ActionFacts
from inspection.errors import Conflict, Forbidden, Invalid, NotFound
from inspection.queue import outbox
from inspection.schemas import (
    ActionDetailOut,
    ActionFilters,
    ActionOut,
    AnswerOut,
    ChaseIn,
    DecisionIn,
    EventOut,
    EvidenceOut,
    ExtensionIn,
    ExtensionOut,
    ExtensionRequestOut,
    ExtensionStatus,
    FindingOut,
    ReopenIn,
    TransitionIn,
)
from inspection.services import evidence
from inspection.services.checklists import loaded_version
from inspection.services.context import ensure_visible, on_team
from inspection.services.dashboard import closed_on_time_sql
from inspection.settings import Settings
from inspection.storage import BlobStore

# The action list is one join, written out: its filters (the dashboard links to them)
# read more plainly in SQL than in the query builder.
_FROM_ACTIONS = """
FROM corrective_action a
JOIN unit u ON u.id = a.unit
JOIN finding f ON f.id = a.finding
"""
_SELECT_ACTIONS = (
    """
SELECT a.id, a.title, a.severity, a.status, a.unit, u.name_vi AS unit_name, a.inspection,
       a.finding, f.item_code, f.description, a.assignee, a.opened_by, a.due_date, a.original_due_date,
       a.reopen_count, a.created_at, a.closed_at, a.version"""
    + _FROM_ACTIONS
)


def _in(values: Iterable[str]) -> str:
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


_OPEN_SQL = _in(sorted(s.value for s in OPEN_STATES))
_OWES_SQL = _in(sorted(s.value for s in UNIT_OWES))


async def _select_actions(
    conditions: list[tuple[str, tuple[Any, ...]]], tail: str = "", *args: Any
) -> list[dict[str, Any]]:
    """Actions matching every ``(sql, values)`` condition; values fill its ``{}`` slots."""
    where, values = _where(conditions)
    rows: list[dict[str, Any]] = await CorrectiveAction.raw(
        f"{_SELECT_ACTIONS} WHERE {where} {tail}", *values, *args
    )
    return rows


def _where(conditions: list[tuple[str, tuple[Any, ...]]]) -> tuple[str, list[Any]]:
    """Every ``(sql, values)`` condition as one WHERE clause, and the values of its slots."""
    where = " AND ".join(condition for condition, _ in conditions) or "1 = 1"
    return where, [value for _, condition_values in conditions for value in condition_values]


def _action_out(row: dict[str, Any], on: dt.date) -> ActionOut:
    late = days_overdue(row["status"], row["due_date"], on)
    return ActionOut(
        id=row["id"],
        title=row["title"],
        severity=row["severity"],
        status=row["status"],
        unit_id=row["unit"],
        unit_name=row["unit_name"],
        inspection_id=row["inspection"],
        finding_id=row["finding"],
        item_code=row["item_code"],
        assignee_id=row["assignee"],
        opened_by_id=row["opened_by"],
        due_date=row["due_date"],
        original_due_date=row["original_due_date"],
        overdue=late > 0,
        days_overdue=late,
        reopen_count=row["reopen_count"],
        created_at=row["created_at"],
        closed_at=row["closed_at"],
        version=row["version"],
    )


async def create_actions_for_inspection(
    inspection_id: int, findings: list[FindingOut], settings: Settings
) -> None:
    """One action per finding given (the confirmed findings of a conclusion that have none
    yet), assigned to the unit's head; an inspection left with no action is closed at once.
    Runs inside the caller's transaction.
    """
    inspection = (
        await Inspection.select(
            Inspection.id,
            Inspection.unit,
            Inspection.unit.head_id,
            Inspection.submitted_at,
            Inspection.checklist_version,
        )
        .where(Inspection.id == inspection_id)
        .first()
    )
    if inspection is None or inspection["submitted_at"] is None:
        raise NotFound("No submitted inspection with that id")
    conclusion_day = local_day(inspection["submitted_at"], settings)
    # The checklist may set its own days per severity; the settings fill in the rest.
    own = (await loaded_version(inspection["checklist_version"])).definition.checklist.deadlines
    days = {
        "critical": own.critical or settings.deadline_days_critical,
        "major": own.major or settings.deadline_days_major,
        "minor": own.minor or settings.deadline_days_minor,
    }
    now = clock.now()
    actions = [
        CorrectiveAction(
            finding=finding.id,
            inspection=inspection_id,
            unit=inspection["unit"],
            assignee=inspection["unit.head_id"],
            opened_by=finding.created_by_id,
            title=finding.title,
            severity=finding.severity,
            status=Status.OPEN.value,
            due_date=(due := finding.due_date or deadline_for(finding.severity, conclusion_day, days)),
            original_due_date=due,
            created_at=now,
        )
        for finding in findings
    ]
    created: list[dict[str, Any]] = []
    for batch in insert_batches(actions):
        created += await CorrectiveAction.insert(*batch).returning(
            CorrectiveAction.id, CorrectiveAction.due_date
        )
    created.sort(key=lambda row: row["id"])
    events = [
        _event_row(row["id"], "created", None, "", Status.OPEN, "", {"due_date": row["due_date"].isoformat()})
        for row in created
    ]
    for events_batch in insert_batches(events):
        await ActionEvent.insert(*events_batch)
    if created:
        await outbox.schedule_new_actions(
            [
                ActionFacts(row["id"], Status.OPEN.value, row["due_date"], inspection["unit.head_id"], 0)
                for row in created
            ],
            settings,
        )
    if not created:
        await Inspection.update({Inspection.status: "closed", Inspection.closed_at: now}).where(
            Inspection.id == inspection_id
        )


def _event_row(
    action_id: int,
    kind: str,
    actor_id: int | None,
    from_status: str,
    to_status: str,
    note: str,
    data: dict[str, Any] | None = None,
    *,
    chase_day: dt.date | None = None,
) -> ActionEvent:
    return ActionEvent(
        action=action_id,
        kind=kind,
        actor=actor_id,
        at=clock.now(),
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=msgspec.json.encode(data or {}).decode(),
        chase_day=chase_day,
    )


async def _event(
    action_id: int,
    kind: str,
    actor_id: int | None,
    from_status: str,
    to_status: str,
    note: str,
    data: dict[str, Any] | None = None,
) -> int:
    event = _event_row(action_id, kind, actor_id, from_status, to_status, note, data)
    await event.save()
    return int(event.id)


async def _visible_row(principal: Principal, action_id: int) -> dict[str, Any]:
    rows = await _select_actions([("a.id = {}", (action_id,))])
    if not rows:
        raise NotFound("No such action")
    row = rows[0]
    ensure_visible(principal, row["unit"], "action")
    return row


async def _actor(principal: Principal, inspection_id: int) -> Actor:
    team = principal.role == "inspector" and await on_team(principal, inspection_id)
    return Actor(role=principal.role, unit_id=principal.unit_id, on_inspection_team=team)


_DATE_FILTERS = ("created_from", "created_to", "closed_from", "closed_to", "open_on", "overdue_on")


async def list_actions(
    principal: Principal, settings: Settings, filters: ActionFilters, *, limit: int = 100, offset: int = 0
) -> list[ActionOut]:
    """Actions ``principal`` may see that pass every filter given; the dates are local days,
    both ends included (the leaders' dashboard links its numbers to such lists). ``open_on``
    and ``overdue_on`` keep the actions that stood open, or overdue (still owed after their
    deadline), at the end of that local day, as the dashboard's month ends count them;
    ``checklist`` and ``item_code`` those from findings on that checklist's item.
    """
    on = today(settings)
    rows = await _select_actions(
        _conditions(principal, settings, filters, on),
        "ORDER BY a.due_date, a.id LIMIT {} OFFSET {}",
        limit,
        offset,
    )
    return [_action_out(r, on) for r in rows]


async def count_actions(principal: Principal, settings: Settings, filters: ActionFilters) -> int:
    """How many actions :func:`list_actions` holds with these filters, on all its pages."""
    where, values = _where(_conditions(principal, settings, filters, today(settings)))
    rows = await CorrectiveAction.raw(f"SELECT COUNT(*) AS total {_FROM_ACTIONS} WHERE {where}", *values)
    return int(rows[0]["total"])


def _conditions(
    principal: Principal, settings: Settings, filters: ActionFilters, on: dt.date
) -> list[tuple[str, tuple[Any, ...]]]:
    """The action list's filters as SQL conditions, each with the values of its ``{}`` slots."""
    for field in _DATE_FILTERS:
        day = getattr(filters, field)
        if day is not None:
            check_in_window(day, on, field, years=SEARCH_YEARS)
    conditions: list[tuple[str, tuple[Any, ...]]] = []
    if not principal.reads_everything:
        conditions.append(("a.unit = {}", (principal.unit_id or 0,)))
    if filters.unit_id is not None:
        conditions.append(("a.unit = {}", (filters.unit_id,)))
    if filters.status is not None:
        conditions.append(("a.status = {}", (filters.status,)))
    if filters.open_only:
        conditions.append((f"a.status IN {_OPEN_SQL}", ()))
    if filters.overdue is True:
        conditions.append((f"a.status IN {_OWES_SQL} AND a.due_date < {{}}", (on,)))
    elif filters.overdue is False:
        conditions.append((f"NOT (a.status IN {_OWES_SQL} AND a.due_date < {{}})", (on,)))
    if filters.inspection_id is not None:
        conditions.append(("a.inspection = {}", (filters.inspection_id,)))
    if filters.mine:
        column = "a.opened_by" if principal.role == "inspector" else "a.assignee"
        conditions.append((f"{column} = {{}}", (principal.id,)))
    if filters.unit_kind is not None:
        conditions.append(("u.kind = {}", (filters.unit_kind,)))
    for column, first, last in (
        ("a.created_at", filters.created_from, filters.created_to),
        ("a.closed_at", filters.closed_from, filters.closed_to),
    ):
        if first is not None:
            conditions.append((f"{column} >= {{}}", (start_of_day(first, settings),)))
        if last is not None:
            conditions.append((f"{column} < {{}}", (start_of_day(last + dt.timedelta(days=1), settings),)))
    if filters.closed_on_time is not None:
        on_time, on_time_args = closed_on_time_sql("a", settings.timezone)
        sql = on_time if filters.closed_on_time else f"NOT {on_time}"
        conditions.append((f"a.status = '{Status.CLOSED.value}' AND {sql}", on_time_args))
    if filters.open_on is not None:
        cut = start_of_day(filters.open_on + dt.timedelta(days=1), settings)
        conditions.append(("a.created_at < {} AND (a.closed_at IS NULL OR a.closed_at >= {})", (cut, cut)))
    if filters.overdue_on is not None:
        cut = start_of_day(filters.overdue_on + dt.timedelta(days=1), settings)
        conditions.append(
            (
                "a.created_at < {} AND a.due_date < {}"
                " AND (a.reported_fixed_at IS NULL OR a.reported_fixed_at >= {})",
                (cut, filters.overdue_on, cut),
            )
        )
    if filters.checklist is not None:
        conditions.append(
            (
                "a.inspection IN (SELECT i.id FROM inspection i"
                " JOIN checklist_version v ON v.id = i.checklist_version"
                " JOIN checklist c ON c.id = v.checklist WHERE c.code = {})",
                (filters.checklist,),
            )
        )
    if filters.item_code is not None:
        conditions.append(("f.item_code = {}", (filters.item_code,)))
    return conditions


async def get_detail(principal: Principal, action_id: int, settings: Settings) -> ActionDetailOut:
    async with read_transaction():
        return await _detail(principal, action_id, settings)


async def _detail(principal: Principal, action_id: int, settings: Settings) -> ActionDetailOut:
    row = await _visible_row(principal, action_id)
    events = (
        await ActionEvent.select(
            ActionEvent.id,
            ActionEvent.kind,
            ActionEvent.actor,
            ActionEvent.actor.full_name,
            ActionEvent.at,
            ActionEvent.from_status,
            ActionEvent.to_status,
            ActionEvent.note,
            ActionEvent.data,
        )
        .where(ActionEvent.action == action_id)
        .order_by(ActionEvent.id)
    )
    requirement, answer = await _item_answered(row["inspection"], row["item_code"])
    return ActionDetailOut(
        action=_action_out(row, today(settings)),
        finding_description=row["description"],
        item_text_vi=requirement.text_vi if requirement else "",
        item_text_en=requirement.text_en if requirement else "",
        answer=answer,
        events=[
            EventOut(
                id=e["id"],
                kind=e["kind"],
                actor_id=e["actor"],
                actor_name=e["actor.full_name"] or "",
                at=e["at"],
                from_status=e["from_status"],
                to_status=e["to_status"],
                note=e["note"],
                data=_json(e["data"]),
            )
            for e in events
        ],
        extensions=await _extensions(ExtensionRequest.action == action_id),
        evidence=await evidence.for_action(action_id),
    )


# The checklist version of an action's inspection, and the answer to the finding's item.
_ITEM_ANSWERED = """
SELECT i.checklist_version, a.item_code, a.criterion_code, a.section_code, a.value, a.not_applicable,
       a.points, a.max_points, a.passed, a.note, a.answered_by, a.answered_at
FROM inspection i LEFT JOIN answer a ON a.inspection = i.id AND a.item_code = {}
WHERE i.id = {}
"""


async def _item_answered(inspection_id: int, item_code: str) -> tuple[Item | None, AnswerOut | None]:
    """The checklist item a finding is about and the answer the inspection gave it (what
    the action page shows beside the finding); None for a finding about no item."""
    if not item_code:
        return None, None
    rows = await Inspection.raw(_ITEM_ANSWERED, item_code, inspection_id)
    if not rows:
        return None, None
    row = rows[0]
    try:
        item = (await loaded_version(row["checklist_version"])).item(item_code)[2]
    except NotFound:
        item = None
    if row["answered_at"] is None:
        return item, None
    answer = AnswerOut(
        item_code=row["item_code"],
        criterion_code=row["criterion_code"],
        section_code=row["section_code"],
        value=_json_value(row["value"]),
        not_applicable=bool(row["not_applicable"]),
        points=row["points"],
        max_points=row["max_points"],
        passed=row["passed"],
        note=row["note"],
        answered_by=row["answered_by"],
        answered_at=row["answered_at"],
    )
    return item, answer


def _json_value(raw: Any) -> Any:
    return msgspec.json.decode(raw) if isinstance(raw, str | bytes) and raw else raw


def _json(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str | bytes):
        decoded = msgspec.json.decode(raw) if raw else {}
        return decoded if isinstance(decoded, dict) else {}
    return raw if isinstance(raw, dict) else {}


async def get(principal: Principal, action_id: int, settings: Settings) -> ActionOut:
    return _action_out(await _visible_row(principal, action_id), today(settings))


async def transition(
    principal: Principal, action_id: int, verb: Verb, data: TransitionIn | ReopenIn, settings: Settings
) -> ActionOut:
    """Move the action; of two people moving it at once, the second gets a 409."""
    row = await _visible_row(principal, action_id)
    if data.version is not None and data.version != row["version"]:
        raise Conflict("The action was changed by someone else; reload it")
    note = data.reason if isinstance(data, ReopenIn) else data.note
    target = check_transition(
        verb, Status(row["status"]), row["unit"], await _actor(principal, row["inspection"]), note
    )
    now = clock.now()
    values: dict[Any, Any] = {
        CorrectiveAction.status: target.value,
        CorrectiveAction.version: row["version"] + 1,
    }
    event_data: dict[str, Any] = {}
    if verb == "acknowledge":
        values[CorrectiveAction.acknowledged_at] = now
    elif verb == "report_fixed":
        values[CorrectiveAction.reported_fixed_at] = now
    elif verb == "close":
        values[CorrectiveAction.closed_at] = now
    elif verb == "reopen":
        assert isinstance(data, ReopenIn)
        values[CorrectiveAction.reopen_count] = row["reopen_count"] + 1
        values[CorrectiveAction.closed_at] = None
        values[CorrectiveAction.reported_fixed_at] = None
        if data.due_date is not None:
            if data.due_date < today(settings):
                raise Invalid("The new deadline cannot be in the past", field="due_date")
            check_in_window(data.due_date, today(settings), "due_date")
            values[CorrectiveAction.due_date] = data.due_date
            event_data["due_date"] = data.due_date.isoformat()
    async with write_transaction():
        updated = (
            await CorrectiveAction.update(values)
            .where((CorrectiveAction.id == action_id) & (CorrectiveAction.version == row["version"]))
            .returning(CorrectiveAction.id)
        )
        if not updated:
            raise Conflict("The action was changed by someone else; reload it")
        await _event(action_id, verb, principal.id, row["status"], target.value, note, event_data)
        await _notify_transition(verb, row, note, settings)
        if verb == "close":
            await _close_inspection_when_done(row["inspection"], now)
        elif verb == "reopen":
            await Inspection.update({Inspection.status: "submitted", Inspection.closed_at: None}).where(
                (Inspection.id == row["inspection"]) & (Inspection.status == "closed")
            )
    return await get(principal, action_id, settings)


async def _notify_transition(verb: Verb, row: dict[str, Any], note: str, settings: Settings) -> None:
    """The notices a move causes, written in its transaction (the outbox)."""
    action_id, assignee = row["id"], row["assignee"]
    if verb == "report_fixed":
        await outbox.notify("reported_fixed", action_id, row["opened_by"], {"note": note})
    elif verb == "close":
        if assignee is not None:
            await outbox.notify("closed", action_id, assignee, {"note": note})
        await outbox.cancel_for_action(action_id)
        return
    elif verb == "reopen" and assignee is not None:
        await outbox.notify("reopened", action_id, assignee, {"note": note})
    await outbox.reconcile(action_id, settings)


async def _close_inspection_when_done(inspection_id: int, now: dt.datetime) -> None:
    """An inspection is closed when the last of its actions is."""
    still_open = await CorrectiveAction.exists().where(
        (CorrectiveAction.inspection == inspection_id) & (CorrectiveAction.status != Status.CLOSED.value)
    )
    if not still_open:
        await Inspection.update({Inspection.status: "closed", Inspection.closed_at: now}).where(
            Inspection.id == inspection_id
        )


async def comment(principal: Principal, action_id: int, note: str) -> int:
    row = await _visible_row(principal, action_id)
    if principal.role in ("observer", "admin"):
        raise Forbidden("Observers and administrators cannot comment on actions")
    if not note.strip():
        raise Invalid("The comment is empty", field="note")
    async with write_transaction():
        return await _event(action_id, "comment", principal.id, row["status"], row["status"], note)


# --- a leader's reminder or escalation by hand -------------------------------------------------

# The notice each chase sends, the event it records, and what a second one the same day is told.
CHASE_NOTICES: dict[Chase, tuple[str, str]] = {
    "remind": ("manual_reminder", "reminded"),
    "escalate": ("manual_escalation", "escalated"),
}
CHASED_ALREADY: dict[Chase, str] = {
    "remind": "A reminder was sent today at %(time)s by %(by)s",
    "escalate": "The action was escalated today at %(time)s by %(by)s",
}


async def chase(
    principal: Principal, action_id: int, kind: Chase, data: ChaseIn, settings: Settings
) -> ActionOut:
    """A leader reminds the unit's head of the action, or escalates it (overdue) to the other
    leaders and the unit's head: an event, and its notices through the outbox.

    One of each kind per action and local day, held by the event's key (action, kind,
    chase_day): a click sent twice, or a second leader the same day, records one event and
    sends one e-mail; the others get a 409 naming who sent it and when. The action itself
    (its version) is left alone, so the unit's head working on it at that moment is not
    told that someone else changed it.
    """
    row = await _visible_row(principal, action_id)
    on = today(settings)
    check_chase(
        kind,
        principal.role,
        Status(row["status"]),
        row["assignee"] is not None,
        days_overdue(row["status"], row["due_date"], on),
    )
    notice, event_kind = CHASE_NOTICES[kind]
    event = _event_row(
        action_id, event_kind, principal.id, row["status"], row["status"], data.note, chase_day=on
    )
    async with write_transaction():
        recorded = (
            await ActionEvent.insert(event)
            .on_conflict(target=(ActionEvent.action, ActionEvent.kind, ActionEvent.chase_day))
            .returning(ActionEvent.id)
        )
        if not recorded:
            raise await _chased_already(action_id, kind, on, settings)
        recipients = [row["assignee"]]
        if kind == "escalate":
            recipients += [leader for leader in await outbox.active_leader_ids() if leader != principal.id]
        for recipient in recipients:
            await outbox.notify(
                notice,
                action_id,
                recipient,
                {"note": data.note, "by": principal.full_name},
                ref=f"e{recorded[0]['id']}",
            )
    return await get(principal, action_id, settings)


def _sent_already(kind: Chase, at: dt.datetime, by: str, settings: Settings) -> Conflict:
    """What another chase of ``kind`` the same day is told: who sent the day's one, at what time."""
    return Conflict(
        CHASED_ALREADY[kind], time=at.astimezone(clock.zone(settings.timezone)).strftime("%H:%M"), by=by
    )


async def _chased_already(action_id: int, kind: Chase, on: dt.date, settings: Settings) -> Conflict:
    """The refusal of a second chase of ``kind`` on the local day ``on``."""
    first = (
        await ActionEvent.select(ActionEvent.at, ActionEvent.actor.full_name.as_alias("by"))
        .where(
            (ActionEvent.action == action_id)
            & (ActionEvent.kind == CHASE_NOTICES[kind][1])
            & (ActionEvent.chase_day == on)
        )
        .first()
    )
    assert first is not None, "the key refused the chase, so the day's first one stands"
    return _sent_already(kind, first["at"], first["by"] or "", settings)


def chased_today(events: Iterable[EventOut], settings: Settings) -> dict[Chase, Conflict]:
    """The reminder and escalation by hand already sent today, by kind, as what another click
    would be told: the action's page says so in place of the button."""
    on = today(settings)
    sent: dict[Chase, Conflict] = {}
    for kind, (_, event_kind) in CHASE_NOTICES.items():
        for event in events:
            if event.kind == event_kind and local_day(event.at, settings) == on:
                sent[kind] = _sent_already(kind, event.at, event.actor_name, settings)
    return sent


# --- extensions ---------------------------------------------------------------------------------

_EXTENSION_REQUESTS = """
SELECT x.id, x.action, x.requested_by, r.full_name AS requested_by_name, x.requested_due_date,
       x.reason, x.status, x.decided_by, x.decided_at, x.decision_note, x.created_at,
       a.title AS action_title, a.status AS action_status, a.due_date AS action_due_date,
       a.unit, u.name_vi AS unit_name, f.item_code, a.inspection
FROM extension_request x
JOIN corrective_action a ON a.id = x.action
JOIN unit u ON u.id = a.unit
JOIN finding f ON f.id = a.finding
JOIN app_user r ON r.id = x.requested_by
"""
_EXTENSION_COUNT = """
SELECT COUNT(*) AS n FROM extension_request x JOIN corrective_action a ON a.id = x.action
"""
# The inspections whose team the user is on: an inspector decides their requests.
_ON_TEAM = 'a.inspection IN (SELECT m.inspection FROM inspection_member m WHERE m."user" = {})'


def may_decide_extensions(principal: Principal) -> bool:
    """Leaders decide any extension request, inspectors those of their teams' inspections."""
    return principal.role in ("leader", "inspector")


def _decidable(principal: Principal) -> list[tuple[str, tuple[Any, ...]]]:
    if principal.role == "leader":
        return []
    if principal.role == "inspector":
        return [(_ON_TEAM, (principal.id,))]
    return [("1 = 0", ())]


def _extension_conditions(
    principal: Principal, status: ExtensionStatus | None, decidable: bool
) -> tuple[str, list[Any]]:
    """The WHERE clause (and its values) of the extension requests ``principal`` may see,
    with ``status``; ``decidable`` keeps those they may decide."""
    conditions: list[tuple[str, tuple[Any, ...]]] = []
    if not principal.reads_everything:
        conditions.append(("a.unit = {}", (principal.unit_id or 0,)))
    if status is not None:
        conditions.append(("x.status = {}", (status,)))
    if decidable:
        conditions += _decidable(principal)
    where = " AND ".join(sql for sql, _ in conditions) or "1 = 1"
    return where, [value for _, condition_values in conditions for value in condition_values]


async def count_extension_requests(
    principal: Principal, *, status: ExtensionStatus | None = None, decidable: bool = False
) -> int:
    """How many extension requests :func:`list_extension_requests` holds on all its pages."""
    where, values = _extension_conditions(principal, status, decidable)
    rows = await ExtensionRequest.raw(f"{_EXTENSION_COUNT} WHERE {where}", *values)
    return int(rows[0]["n"]) if rows else 0


async def list_extension_requests(
    principal: Principal,
    *,
    status: ExtensionStatus | None = None,
    decidable: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[ExtensionRequestOut]:
    """Extension requests of the actions ``principal`` may see, oldest first; ``decidable``
    keeps those they may decide (a leader: all; an inspector: their teams'; others: none)."""
    where, values = _extension_conditions(principal, status, decidable)
    rows = await ExtensionRequest.raw(
        f"{_EXTENSION_REQUESTS} WHERE {where} ORDER BY x.created_at, x.id LIMIT {{}} OFFSET {{}}",
        *values,
        limit,
        offset,
    )
    return [
        ExtensionRequestOut(
            **_extension_fields(r, r["requested_by_name"]),
            action_title=r["action_title"],
            action_status=r["action_status"],
            action_due_date=r["action_due_date"],
            unit_id=r["unit"],
            unit_name=r["unit_name"],
            item_code=r["item_code"],
            inspection_id=r["inspection"],
        )
        for r in rows
    ]


async def pending_extensions_to_decide(principal: Principal) -> int:
    """How many extension requests wait for ``principal``'s decision (the menu's count): one
    statement, none for those who decide nothing."""
    if not may_decide_extensions(principal):
        return 0
    return await count_extension_requests(principal, status="pending", decidable=True)


async def _extensions(where: Any) -> list[ExtensionOut]:
    rows = (
        await ExtensionRequest.select(
            *ExtensionRequest.all_columns(), ExtensionRequest.requested_by.full_name
        )
        .where(where)
        .order_by(ExtensionRequest.id)
    )
    return [ExtensionOut(**_extension_fields(r, r["requested_by.full_name"])) for r in rows]


def _extension_fields(row: Mapping[str, Any], requested_by_name: str | None) -> dict[str, Any]:
    """An extension request's own fields, from its row."""
    return {
        "id": row["id"],
        "action_id": row["action"],
        "requested_by_id": row["requested_by"],
        "requested_by_name": requested_by_name or "",
        "requested_due_date": row["requested_due_date"],
        "reason": row["reason"],
        "status": row["status"],
        "decided_by_id": row["decided_by"],
        "decided_at": row["decided_at"],
        "decision_note": row["decision_note"],
        "created_at": row["created_at"],
    }


async def request_extension(
    principal: Principal, action_id: int, data: ExtensionIn, settings: Settings
) -> ExtensionOut:
    row = await _visible_row(principal, action_id)
    if principal.role != "unit_head" or principal.unit_id != row["unit"]:
        raise Forbidden("Only the head of the action's unit may ask for more time")
    check_extension_request(Status(row["status"]), row["due_date"], data.requested_due_date, today(settings))
    # One request per action may wait for a decision: a second one is refused by the
    # database's key (extension_request_pending), however close together the two come.
    async with write_transaction():
        request = ExtensionRequest(
            action=action_id,
            requested_by=principal.id,
            requested_due_date=data.requested_due_date,
            reason=data.reason,
            created_at=clock.now(),
        )
        await request.save()
        await _event(
            action_id,
            "extension_requested",
            principal.id,
            row["status"],
            row["status"],
            data.reason,
            {"requested_due_date": data.requested_due_date.isoformat(), "extension_id": request.id},
        )
    return (await _extensions(ExtensionRequest.id == request.id))[0]


async def decide_extension(
    principal: Principal, extension_id: int, data: DecisionIn, settings: Settings
) -> ExtensionOut:
    request = await ExtensionRequest.select().where(ExtensionRequest.id == extension_id).first()
    if request is None:
        raise NotFound("No such extension request")
    row = await _visible_row(principal, request["action"])
    check_extension_decider(await _actor(principal, row["inspection"]))
    now = clock.now()
    status = "approved" if data.approve else "rejected"
    async with write_transaction():
        decided = (
            await ExtensionRequest.update(
                {
                    ExtensionRequest.status: status,
                    ExtensionRequest.decided_by: principal.id,
                    ExtensionRequest.decided_at: now,
                    ExtensionRequest.decision_note: data.note,
                }
            )
            .where((ExtensionRequest.id == extension_id) & (ExtensionRequest.status == "pending"))
            .returning(ExtensionRequest.id)
        )
        if not decided:
            raise Conflict("This extension request has already been decided")
        event_data: dict[str, Any] = {"extension_id": extension_id, "approved": data.approve}
        if data.approve:
            moved = (
                await CorrectiveAction.update(
                    {
                        CorrectiveAction.due_date: request["requested_due_date"],
                        CorrectiveAction.version: CorrectiveAction.version + 1,
                    }
                )
                .where(
                    (CorrectiveAction.id == row["id"])
                    & CorrectiveAction.status.is_in([s.value for s in OPEN_STATES])
                )
                .returning(CorrectiveAction.id)
            )
            if not moved:
                raise Conflict("The action is closed; its deadline can no longer change")
            event_data["due_date"] = request["requested_due_date"].isoformat()
            event_data["previous_due_date"] = row["due_date"].isoformat()
        await _event(
            row["id"], "extension_decided", principal.id, row["status"], row["status"], data.note, event_data
        )
        await outbox.notify(
            "extension_decided",
            row["id"],
            request["requested_by"],
            {"approved": data.approve, "note": data.note},
            ref=extension_id,
        )
        if data.approve:
            await outbox.reconcile(row["id"], settings)
    return (await _extensions(ExtensionRequest.id == extension_id))[0]


# --- evidence ---------------------------------------------------------------------------------


async def add_evidence(
    principal: Principal,
    action_id: int,
    filename: str,
    content_type: str,
    data: bytes,
    note: str,
    store: BlobStore,
    settings: Settings,
) -> EvidenceOut:
    """Attach a file to the action as part of a progress report by the unit."""
    row = await _visible_row(principal, action_id)
    if principal.role != "unit_head" or principal.unit_id != row["unit"]:
        raise Forbidden("Only the head of the action's unit may add evidence")
    if row["status"] == Status.CLOSED.value:
        raise Conflict("The action is closed; reopen it before adding evidence")
    kept = await evidence.keep(filename, content_type, data, store, settings)
    async with write_transaction():
        event_id = await _event(
            action_id, "evidence", principal.id, row["status"], row["status"], note, {"filename": filename}
        )
        evidence_id = await evidence.record(kept, principal.id, action=action_id, event=event_id)
    return await evidence.get(evidence_id)
