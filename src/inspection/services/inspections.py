"""Inspections: plan, answer the checklist, score, findings, submit the conclusion."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from inspection import clock
from inspection.auth.principal import Principal
from inspection.clock import today
from inspection.db import sql
from inspection.db.engine import PooledSQLiteEngine, current_engine, is_sqlite, write_transaction
from inspection.db.tables import Answer, Finding, Inspection, InspectionMember, Unit, User
from inspection.domain.scoring import AnswerError, ScoredAnswer, Totals, running_total, score_answer, totals
from inspection.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from inspection.schemas import (
    AnswerIn,
    AnswerOut,
    FindingIn,
    FindingOut,
    FindingPatch,
    InspectionIn,
    InspectionOut,
    RecordedAnswerOut,
    SubmitIn,
)
from inspection.services import actions as action_service
from inspection.services.checklists import latest_version_id, loaded_version
from inspection.services.context import ensure_visible, on_team, patched_columns
from inspection.settings import Settings

EDITABLE = ("planned", "in_progress")

_INSPECTION_COLUMNS = (
    Inspection.id,
    Inspection.unit,
    Inspection.unit.name_vi,
    Inspection.checklist_version,
    Inspection.checklist_version.number,
    Inspection.checklist_version.checklist.code,  # type: ignore[union-attr]
    Inspection.title,
    Inspection.lead,
    Inspection.planned_date,
    Inspection.status,
    Inspection.conclusion,
    Inspection.points,
    Inspection.max_points,
    Inspection.created_at,
    Inspection.submitted_at,
    Inspection.closed_at,
    Inspection.version,
)


def _percent(points: float, max_points: float) -> float:
    return round(100.0 * points / max_points, 2) if max_points else 0.0


def _inspection_out(
    row: dict[str, Any], member_ids: list[int], running: dict[int, tuple[float, float]]
) -> InspectionOut:
    """``running`` has the totals so far of the inspections still open; a submitted one
    keeps its score on its row."""
    points, max_points = running.get(row["id"], (row["points"], row["max_points"]))
    return InspectionOut(
        id=row["id"],
        unit_id=row["unit"],
        unit_name=row["unit.name_vi"],
        checklist_code=row["checklist_version.checklist.code"],
        checklist_version=row["checklist_version.number"],
        checklist_version_id=row["checklist_version"],
        title=row["title"],
        lead_id=row["lead"],
        planned_date=row["planned_date"],
        status=row["status"],
        conclusion=row["conclusion"],
        points=round(points, 4),
        max_points=round(max_points, 4),
        percent=_percent(points, max_points),
        member_ids=member_ids,
        created_at=row["created_at"],
        submitted_at=row["submitted_at"],
        closed_at=row["closed_at"],
        version=row["version"],
    )


async def _members(inspection_ids: list[int]) -> dict[int, list[int]]:
    members: dict[int, list[int]] = {i: [] for i in inspection_ids}
    if inspection_ids:
        rows = await InspectionMember.select(InspectionMember.inspection, InspectionMember.user).where(
            InspectionMember.inspection.is_in(inspection_ids)
        )
        for row in rows:
            members[row["inspection"]].append(row["user"])
    return members


async def _running_totals(rows: list[dict[str, Any]]) -> dict[int, tuple[float, float]]:
    """The totals so far of the open inspections among ``rows``, from their answers."""
    open_rows = [row for row in rows if row["status"] in EDITABLE]
    if not open_rows:
        return {}
    points = {row["id"]: 0.0 for row in open_rows}
    not_applicable: dict[int, list[str]] = {row["id"]: [] for row in open_rows}
    for answer in await Answer.select(
        Answer.inspection, Answer.item_code, Answer.points, Answer.not_applicable
    ).where(Answer.inspection.is_in(list(points))):
        points[answer["inspection"]] += answer["points"] or 0.0
        if answer["not_applicable"]:
            not_applicable[answer["inspection"]].append(answer["item_code"])
    running = {}
    for row in open_rows:
        version = await loaded_version(row["checklist_version"])
        running[row["id"]] = running_total(
            version.max_points, version.item_max, points[row["id"]], not_applicable[row["id"]]
        )
    return running


async def _row(inspection_id: int) -> dict[str, Any]:
    row = await Inspection.select(*_INSPECTION_COLUMNS).where(Inspection.id == inspection_id).first()
    if row is None:
        raise NotFound("No such inspection")
    return row


async def get_visible(principal: Principal, inspection_id: int) -> dict[str, Any]:
    row = await _row(inspection_id)
    ensure_visible(principal, row["unit"], "inspection")
    return row


async def get(principal: Principal, inspection_id: int) -> InspectionOut:
    row = await get_visible(principal, inspection_id)
    members = await _members([inspection_id])
    return _inspection_out(row, members[inspection_id], await _running_totals([row]))


async def list_inspections(
    principal: Principal,
    *,
    unit_id: int | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[InspectionOut]:
    query = Inspection.select(*_INSPECTION_COLUMNS)
    if not principal.reads_everything:
        query = query.where(Inspection.unit == (principal.unit_id or 0))
    if unit_id is not None:
        query = query.where(Inspection.unit == unit_id)
    if status is not None:
        query = query.where(Inspection.status == status)
    rows = await query.order_by(Inspection.planned_date, ascending=False).limit(limit).offset(offset)
    members = await _members([r["id"] for r in rows])
    running = await _running_totals(rows)
    return [_inspection_out(r, members[r["id"]], running) for r in rows]


async def _inspectors(user_ids: set[int], field: str) -> None:
    if not user_ids:
        return
    rows = await User.select(User.id).where(
        User.id.is_in(list(user_ids)) & (User.role == "inspector") & (User.active == True)
    )
    missing = user_ids - {r["id"] for r in rows}
    if missing:
        raise Invalid(
            "Not active inspectors: %(users)s", field=field, users=", ".join(map(str, sorted(missing)))
        )


async def create(principal: Principal, data: InspectionIn) -> InspectionOut:
    if principal.role != "inspector":
        raise Forbidden("Only inspectors plan inspections")
    if not await Unit.exists().where((Unit.id == data.unit_id) & (Unit.active == True)):
        raise Invalid("No active unit %(unit)s", field="unit_id", unit=data.unit_id)
    version_id = await latest_version_id(data.checklist_code)
    version = await loaded_version(version_id)
    lead_id = data.lead_id or principal.id
    await _inspectors({lead_id}, "lead_id")
    members = {principal.id, *data.member_ids} - {lead_id}
    await _inspectors(set(data.member_ids), "member_ids")
    max_points = sum(item.max_points for _, _, item in version.definition.items())
    async with write_transaction():
        inspection = Inspection(
            unit=data.unit_id,
            checklist_version=version_id,
            title=data.title,
            lead=lead_id,
            planned_date=data.planned_date,
            status="planned",
            max_points=max_points,
            created_by=principal.id,
            created_at=clock.now(),
        )
        await inspection.save()
        await InspectionMember.insert(
            InspectionMember(inspection=inspection.id, user=lead_id, role="lead"),
            *(InspectionMember(inspection=inspection.id, user=uid, role="member") for uid in sorted(members)),
        )
    return await get(principal, inspection.id)


async def editable_by_team(principal: Principal, inspection_id: int) -> dict[str, Any]:
    """The inspection's row, if the principal is on its team and it can still change."""
    row = (
        await Inspection.select(
            Inspection.id,
            Inspection.unit,
            Inspection.status,
            Inspection.checklist_version,
            Inspection.version,
        )
        .where(Inspection.id == inspection_id)
        .first()
    )
    if row is None:
        raise NotFound("No such inspection")
    ensure_visible(principal, row["unit"], "inspection")
    _ensure_on_team(principal, principal.role == "inspector" and await on_team(principal, inspection_id))
    _ensure_editable(row["status"])
    return row


async def start(principal: Principal, inspection_id: int) -> InspectionOut:
    row = await editable_by_team(principal, inspection_id)
    if row["status"] != "planned":
        raise Conflict("The inspection has already started")
    async with write_transaction():
        await Inspection.update(
            {
                Inspection.status: "in_progress",
                Inspection.started_at: clock.now(),
                Inspection.version: row["version"] + 1,
            }
        ).where((Inspection.id == inspection_id) & (Inspection.status == "planned"))
    return await get(principal, inspection_id)


def _answer_out(row: dict[str, Any]) -> AnswerOut:
    return AnswerOut(
        item_code=row["item_code"],
        criterion_code=row["criterion_code"],
        section_code=row["section_code"],
        value=_decode_value(row["value"]),
        not_applicable=row["not_applicable"],
        points=row["points"],
        max_points=row["max_points"],
        passed=row["passed"],
        note=row["note"],
        answered_by=row["answered_by"],
        answered_at=row["answered_at"],
    )


def _decode_value(raw: Any) -> Any:
    if isinstance(raw, str | bytes):
        return msgspec.json.decode(raw) if raw else None
    return raw


async def answers(principal: Principal, inspection_id: int) -> list[AnswerOut]:
    await get_visible(principal, inspection_id)
    rows = await Answer.select().where(Answer.inspection == inspection_id).order_by(Answer.id)
    return [_answer_out(r) for r in rows]


# Recording an answer is the commonest write (every item of every visit), so it is
# hand-written SQL in one transaction, in as few statements as the rules allow: Piccolo's
# query building cost more than the statements, and on PostgreSQL each statement is a
# round trip (benchmarks/bench_api.py). The running total is summed from the answers, not
# kept on the inspection's row, so answers to different items never wait for each other.
_ANSWERING = """
SELECT i.unit, i.status, i.checklist_version,
       EXISTS (SELECT 1 FROM inspection_member m WHERE m.inspection = i.id AND m."user" = $2) AS on_team
FROM inspection i WHERE i.id = $1
"""
_START = "UPDATE inspection SET status = 'in_progress', started_at = $2 WHERE id = $1 AND status = 'planned'"
# The answer's row stays locked until commit, so two answers to one item take turns.
_UPSERT_ANSWER = """
INSERT INTO answer (inspection, item_code, criterion_code, section_code, value, not_applicable,
                    points, max_points, passed, note, answered_by, answered_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (inspection, item_code) DO UPDATE SET
    value = excluded.value, not_applicable = excluded.not_applicable, points = excluded.points,
    max_points = excluded.max_points, passed = excluded.passed, note = excluded.note,
    answered_by = excluded.answered_by, answered_at = excluded.answered_at
"""
# Then whether the inspector is on the team and the inspection still editable (if not, the
# transaction is rolled back), the points so far, the items answered not applicable, and
# the item's findings. One row for each N/A item and each finding of the item, or one.
# (SQLite; on PostgreSQL migration 0008's function does it all, under a share lock of the
# inspection, so that a submit waits for the answer or the answer sees it submitted.)
_AFTER_ANSWER = """
SELECT i.status,
       EXISTS (SELECT 1 FROM inspection_member m WHERE m.inspection = i.id AND m."user" = $2) AS on_team,
       t.points AS points_so_far, na.item_code AS not_applicable,
       f.id, f.inspection, f.item_code, f.title, f.description, f.severity, f.proposed, f.due_date,
       f.version, ca.id AS action_id
FROM inspection i
CROSS JOIN (SELECT COALESCE(SUM(points), 0) AS points FROM answer WHERE inspection = $1) t
LEFT JOIN answer na ON na.inspection = i.id AND na.not_applicable = TRUE
LEFT JOIN finding f ON f.inspection = i.id AND f.item_code = $3
LEFT JOIN corrective_action ca ON ca.finding = f.id
WHERE i.id = $1
"""
_PROPOSE_FINDING = """
INSERT INTO finding (inspection, item_code, title, description, severity, proposed, due_date,
                     created_by, created_at, version)
VALUES ($1, $2, $3, $4, $5, TRUE, NULL, $6, $7, 1)
RETURNING id, inspection, item_code, title, description, severity, proposed, due_date, version
"""
_SAVE_ANSWERS = """
SELECT * FROM save_answers($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
"""
# An inspection's unit and checklist version never change, and once started it is never
# planned again: for those, an answer needs no statement before its own.
_STARTED_SIZE = 4096
_started: dict[tuple[int, int], tuple[int, int]] = {}


async def record_answer(
    principal: Principal, inspection_id: int, item_code: str, data: AnswerIn
) -> RecordedAnswerOut:
    """Save one answer (each answer is saved as it is given) and give the running total.

    A falling-short answer proposes a finding with the item's severity, once; correcting
    the answer withdraws a proposal the inspector has not confirmed yet.
    """
    now = clock.now()
    started = (sql.database(), inspection_id)
    known = _started.get(started)
    planned = False
    if known is None:
        row = await sql.fetchrow(_ANSWERING, inspection_id, principal.id)
        if row is None:
            raise NotFound("No such inspection")
        ensure_visible(principal, row["unit"], "inspection")
        _ensure_on_team(principal, bool(row["on_team"]))
        _ensure_editable(row["status"])
        planned = row["status"] == "planned"
        known = row["unit"], row["checklist_version"]
    else:
        ensure_visible(principal, known[0], "inspection")
        _ensure_on_team(principal, True)
    version = await loaded_version(known[1])
    section, criterion, item = version.item(item_code)
    if data.not_applicable and not item.allow_na:
        raise Invalid("Item %(item)s cannot be marked not applicable", field="not_applicable", item=item_code)
    try:
        scored = score_answer(item, data.value, data.not_applicable)
    except AnswerError as exc:
        raise Invalid("Item %(item)s: " + exc.template, field="value", item=item_code, **exc.values) from None
    if planned:
        # The first answer starts the inspection, in a transaction of its own: one that
        # took the inspection's row before an answer's would wait for answers that wait
        # for it.
        async with write_transaction():
            await sql.fetch(_START, inspection_id, now)
    answer = AnswerOut(
        item_code=item_code,
        criterion_code=criterion.code,
        section_code=section.code,
        value=data.value,
        not_applicable=data.not_applicable,
        points=scored.points,
        max_points=scored.max_points,
        passed=scored.passed,
        note=data.note,
        answered_by=principal.id,
        answered_at=now,
    )
    to_save = AnswerToSave(principal, inspection_id, answer, item.text_vi, item.severity)
    saved = await _answers_together(to_save)
    if started not in _started:
        if len(_started) >= _STARTED_SIZE:
            del _started[next(iter(_started))]
        _started[started] = known
    points, max_points = running_total(
        version.max_points, version.item_max, saved.points_so_far, saved.not_applicable
    )
    return RecordedAnswerOut(
        answer=answer,
        finding=None if saved.finding is None else _finding_from(saved.finding),
        points=points,
        max_points=max_points,
        percent=_percent(points, max_points),
    )


@dataclass(frozen=True, slots=True)
class AnswerToSave:
    """An answer to save, scored, by whom, with the title and severity of the finding it would propose."""

    principal: Principal
    inspection_id: int
    answer: AnswerOut
    title: str
    severity: str

    def columns(self) -> tuple[Any, ...]:
        """The answer's columns, in the order ``_UPSERT_ANSWER`` and ``save_answers`` take them."""
        a = self.answer
        value = msgspec.json.encode(a.value).decode()
        return (
            *(self.inspection_id, a.item_code, a.criterion_code, a.section_code, value, a.not_applicable),
            *(a.points, a.max_points, a.passed, a.note, a.answered_by, a.answered_at),
        )


@dataclass(frozen=True, slots=True)
class SavedAnswer:
    """What saving an answer leaves: the points so far, the items answered not applicable,
    and the item's first finding (the one an answer proposes or withdraws) with its action."""

    points_so_far: float
    not_applicable: Sequence[str]
    finding: sql.Row | None


async def save_together(answers: list[AnswerToSave]) -> list[SavedAnswer | Exception]:
    """Save answers given at about the same time together: on SQLite in one IMMEDIATE
    transaction, on PostgreSQL in one call of migration 0009's function.

    An answer refused (not by a team member, the inspection no longer editable or gone)
    gets its error and writes nothing. If saving them fails as a whole (then nothing was
    written), each answer is saved alone, so that only the one at fault fails.
    """
    try:
        if is_sqlite(current_engine()):
            return await _save_all_on_sqlite(answers)
        return await _save_all_on_postgres(answers)
    except Exception:
        if len(answers) == 1:
            raise
        return [await _saved_alone(answer) for answer in answers]


async def _saved_alone(answer: AnswerToSave) -> SavedAnswer | Exception:
    try:
        return (await save_together([answer]))[0]
    except Exception as exc:
        return exc


# The answers a process is given while a save is under way (or in the same turn of the
# event loop, as a busy process is given several) are saved together in the next one.
_answers_together: sql.Together[AnswerToSave, SavedAnswer] = sql.Together(save_together)


def _checked(principal: Principal, row: sql.Row) -> None:
    _ensure_on_team(principal, bool(row["on_team"]))
    _ensure_editable(row["status"])


async def _save_all_on_sqlite(answers: list[AnswerToSave]) -> list[SavedAnswer | Exception]:
    engine = current_engine()
    assert isinstance(engine, PooledSQLiteEngine)
    saved: list[SavedAnswer | Exception] = []
    async with write_transaction():
        for a in answers:
            try:
                with engine.savepoint():  # an answer refused writes nothing
                    saved.append(await _save_on_sqlite(a))
            except ServiceError as exc:
                saved.append(exc)
    return saved


async def _save_on_sqlite(a: AnswerToSave) -> SavedAnswer:
    """Save the answer and propose or withdraw its finding, in the current write transaction."""
    await sql.fetch(_UPSERT_ANSWER, *a.columns())
    after = await sql.fetch(_AFTER_ANSWER, a.inspection_id, a.answer.answered_by, a.answer.item_code)
    if not after:
        raise NotFound("No such inspection")
    _checked(a.principal, after[0])
    findings = [row for row in after if row["id"] is not None]
    finding_row = min(findings, key=lambda row: row["id"]) if findings else None
    if a.answer.passed is False and finding_row is None:
        finding_row = await sql.fetchrow(
            _PROPOSE_FINDING,
            a.inspection_id,
            a.answer.item_code,
            a.title,
            a.answer.note,
            a.severity,
            a.answer.answered_by,
            a.answer.answered_at,
        )
    elif a.answer.passed is not False and finding_row is not None and finding_row["proposed"]:
        await sql.fetch("DELETE FROM finding WHERE id = $1", finding_row["id"])
        finding_row = None
    not_applicable = [row["not_applicable"] for row in after if row["not_applicable"] is not None]
    return SavedAnswer(after[0]["points_so_far"], not_applicable, finding_row)


async def _save_all_on_postgres(answers: list[AnswerToSave]) -> list[SavedAnswer | Exception]:
    """The same as on SQLite, in one round trip; the function writes nothing for an answer
    it refuses. The answers go in order of inspection and item, so that two calls at once
    take the answers' row locks in the same order."""
    order = sorted(range(len(answers)), key=lambda n: (answers[n].inspection_id, answers[n].answer.item_code))
    rows_in = [(*answers[n].columns(), answers[n].title, answers[n].severity) for n in order]
    columns = [list(column) for column in zip(*rows_in, strict=True)]
    rows = await sql.call(_SAVE_ANSWERS, *columns, list(EDITABLE), writes=("answer", "finding"))
    found: list[list[sql.Row]] = [[] for _ in answers]
    for row in rows:
        found[order[row["n"] - 1]].append(row)
    return [_saved_on_postgres(a, rows) for a, rows in zip(answers, found, strict=True)]


def _saved_on_postgres(a: AnswerToSave, rows: list[sql.Row]) -> SavedAnswer | Exception:
    try:
        if not rows:
            raise NotFound("No such inspection")
        _checked(a.principal, rows[0])
    except ServiceError as exc:
        return exc
    row = rows[0]
    finding = row if row["id"] is not None else None
    return SavedAnswer(row["points_so_far"], row["not_applicable"] or (), finding)


def _ensure_on_team(principal: Principal, on_team: bool) -> None:
    if principal.role != "inspector" or not on_team:
        raise Forbidden("Only a member of the inspection team may change this inspection")


def _ensure_editable(status: str) -> None:
    if status not in EDITABLE:
        raise Conflict("The inspection is %(status)s; it can no longer be changed", status=status)


async def score(principal: Principal, inspection_id: int) -> Totals:
    row = await get_visible(principal, inspection_id)
    version = await loaded_version(row["checklist_version"])
    rows = await Answer.select(
        Answer.item_code, Answer.points, Answer.max_points, Answer.passed, Answer.not_applicable
    ).where(Answer.inspection == inspection_id)
    scored = {
        r["item_code"]: ScoredAnswer(
            points=r["points"],
            max_points=r["max_points"],
            passed=r["passed"],
            not_applicable=r["not_applicable"],
        )
        for r in rows
    }
    return totals(version.definition, scored)


# --- findings ---------------------------------------------------------------------------------


async def _finding_out(finding_id: int) -> FindingOut:
    rows = await _finding_rows(Finding.id == finding_id)
    if not rows:
        raise NotFound("No such finding")
    return rows[0]


async def _finding_rows(where: Any) -> list[FindingOut]:
    from inspection.db.tables import CorrectiveAction

    rows = (
        await Finding.select(
            Finding.id,
            Finding.inspection,
            Finding.item_code,
            Finding.title,
            Finding.description,
            Finding.severity,
            Finding.proposed,
            Finding.due_date,
            Finding.version,
        )
        .where(where)
        .order_by(Finding.id)
    )
    action_ids = {}
    if rows:
        actions = await CorrectiveAction.select(CorrectiveAction.id, CorrectiveAction.finding).where(
            CorrectiveAction.finding.is_in([r["id"] for r in rows])
        )
        action_ids = {a["finding"]: a["id"] for a in actions}
    return [_finding_from(r, action_ids.get(r["id"])) for r in rows]


def _finding_from(row: Mapping[str, Any], action_id: int | None = None) -> FindingOut:
    return FindingOut(
        id=row["id"],
        inspection_id=row["inspection"],
        item_code=row["item_code"],
        title=row["title"],
        description=row["description"],
        severity=row["severity"],
        proposed=bool(row["proposed"]),
        due_date=row["due_date"],
        action_id=action_id if action_id is not None else row.get("action_id"),
        version=row["version"],
    )


async def findings(principal: Principal, inspection_id: int) -> list[FindingOut]:
    await get_visible(principal, inspection_id)
    return await _finding_rows(Finding.inspection == inspection_id)


def _check_due_date(due: Any, settings: Settings) -> None:
    if isinstance(due, dt.date) and due < today(settings):
        raise Invalid("The deadline cannot be in the past", field="due_date")


async def add_finding(
    principal: Principal, inspection_id: int, data: FindingIn, settings: Settings
) -> FindingOut:
    await editable_by_team(principal, inspection_id)
    _check_due_date(data.due_date, settings)
    if data.item_code:
        row = await _row(inspection_id)
        (await loaded_version(row["checklist_version"])).item(data.item_code)
    async with write_transaction():
        finding = Finding(
            inspection=inspection_id,
            item_code=data.item_code,
            title=data.title,
            description=data.description,
            severity=data.severity,
            proposed=False,
            due_date=data.due_date,
            created_by=principal.id,
            created_at=clock.now(),
        )
        await finding.save()
    return await _finding_out(finding.id)


async def _finding_for_team(principal: Principal, finding_id: int) -> dict[str, Any]:
    row = (
        await Finding.select(Finding.id, Finding.inspection, Finding.version)
        .where(Finding.id == finding_id)
        .first()
    )
    if row is None:
        raise NotFound("No such finding")
    await editable_by_team(principal, row["inspection"])
    return row


async def update_finding(
    principal: Principal, finding_id: int, data: FindingPatch, settings: Settings
) -> FindingOut:
    row = await _finding_for_team(principal, finding_id)
    if data.version is not None and data.version != row["version"]:
        raise Conflict("The finding was changed by someone else; reload it")
    _check_due_date(data.due_date, settings)
    values = {
        Finding.version: row["version"] + 1,
        **patched_columns(
            data,
            {
                "title": Finding.title,
                "description": Finding.description,
                "severity": Finding.severity,
                "due_date": Finding.due_date,
            },
        ),
    }
    if data.confirmed is not None:
        values[Finding.proposed] = not data.confirmed
    async with write_transaction():
        updated = (
            await Finding.update(values)
            .where((Finding.id == finding_id) & (Finding.version == row["version"]))
            .returning(Finding.id)
        )
    if not updated:
        raise Conflict("The finding was changed by someone else; reload it")
    return await _finding_out(finding_id)


async def delete_finding(principal: Principal, finding_id: int) -> None:
    await _finding_for_team(principal, finding_id)
    async with write_transaction():
        await Finding.delete().where(Finding.id == finding_id)


async def submit(
    principal: Principal, inspection_id: int, data: SubmitIn, settings: Settings
) -> InspectionOut:
    """Issue the conclusion: the inspection is submitted and every finding becomes an action."""
    row = await editable_by_team(principal, inspection_id)
    if data.version is not None and data.version != row["version"]:
        raise Conflict("The inspection was changed by someone else; reload it")
    now = clock.now()
    async with write_transaction():
        updated = (
            await Inspection.update(
                {
                    Inspection.status: "submitted",
                    Inspection.conclusion: data.conclusion,
                    Inspection.submitted_at: now,
                    Inspection.version: row["version"] + 1,
                }
            )
            .where(
                (Inspection.id == inspection_id)
                & (Inspection.version == row["version"])
                & Inspection.status.is_in(list(EDITABLE))
            )
            .returning(Inspection.id)
        )
        if not updated:
            raise Conflict("The inspection was changed by someone else; reload it")
        # The score is final now: it is kept on the row (the dashboard reads it there).
        points, max_points = (await _running_totals([{**row, "status": "in_progress"}]))[inspection_id]
        await Inspection.update({Inspection.points: points, Inspection.max_points: max_points}).where(
            Inspection.id == inspection_id
        )
        await action_service.create_actions_for_inspection(inspection_id, settings)
    return await get(principal, inspection_id)
