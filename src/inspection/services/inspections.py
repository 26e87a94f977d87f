"""Inspections: plan, answer the checklist, score, findings, submit the conclusion."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import msgspec

from inspection import clock
from inspection.auth.principal import Principal
from inspection.clock import today
from inspection.db.engine import for_update, read_transaction, write_transaction
from inspection.db.tables import Answer, Finding, Inspection, InspectionMember, Unit, User
from inspection.domain.checklist import Item
from inspection.domain.dates import check_in_window
from inspection.domain.findings import FindingChange, finding_change, follows_its_answer, shown_answer
from inspection.domain.scoring import AnswerError, ScoredAnswer, Totals, running_total, score_answer, totals
from inspection.errors import Conflict, Forbidden, Invalid, NotFound
from inspection.i18n import translations
from inspection.schemas import (
    AnswerIn,
    AnswerOut,
    DismissIn,
    EvidenceOut,
    FindingIn,
    FindingOut,
    FindingPatch,
    InspectionIn,
    InspectionOut,
    RecordedAnswerOut,
    SubmissionOut,
    SubmitIn,
    UnansweredOut,
)
from inspection.services import actions as action_service
from inspection.services import evidence
from inspection.services.checklists import LoadedVersion, applies, latest_version_id, loaded_version
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


def _total_so_far(version: LoadedVersion, answers: Iterable[Mapping[str, Any]]) -> tuple[float, float]:
    """The running total of an open inspection from its answers (``points``, ``item_code``,
    ``not_applicable``): points so far, and the most it can still reach."""
    answered = list(answers)
    return running_total(
        version.max_points,
        version.item_max,
        sum(a["points"] or 0.0 for a in answered),
        [a["item_code"] for a in answered if a["not_applicable"]],
    )


async def _running_totals(rows: list[dict[str, Any]]) -> dict[int, tuple[float, float]]:
    """The totals so far of the open inspections among ``rows``, from their answers."""
    open_rows = [row for row in rows if row["status"] in EDITABLE]
    if not open_rows:
        return {}
    answers: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in open_rows}
    for answer in await Answer.select(
        Answer.inspection, Answer.item_code, Answer.points, Answer.not_applicable
    ).where(Answer.inspection.is_in(list(answers))):
        answers[answer["inspection"]].append(answer)
    return {
        row["id"]: _total_so_far(await loaded_version(row["checklist_version"]), answers[row["id"]])
        for row in open_rows
    }


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


@dataclass(frozen=True, slots=True)
class ChecklistPage:
    """What the checklist page shows: the inspection, its checklist, and by item code its
    answers, findings and files; ``editable`` when the reader may answer it now."""

    inspection: InspectionOut
    version: LoadedVersion
    answers: dict[str, AnswerOut]
    findings: dict[str, FindingOut]
    files: dict[str, list[EvidenceOut]]
    editable: bool


async def checklist_page(principal: Principal, inspection_id: int) -> ChecklistPage:
    """Everything the checklist page shows, read in one go."""
    async with read_transaction():
        row = await get_visible(principal, inspection_id)
        members = (await _members([inspection_id]))[inspection_id]
        answered = await Answer.select().where(Answer.inspection == inspection_id).order_by(Answer.id)
        found = await _finding_rows("inspection", inspection_id)
        files = await evidence.for_items(inspection_id)
    version = await loaded_version(row["checklist_version"])
    running = {inspection_id: _total_so_far(version, answered)} if row["status"] in EDITABLE else {}
    return ChecklistPage(
        inspection=_inspection_out(row, members, running),
        version=version,
        answers={a["item_code"]: _answer_out(a) for a in answered},
        findings={f.item_code: f for f in found},
        files=files,
        editable=row["status"] in EDITABLE and principal.role == "inspector" and principal.id in members,
    )


async def list_inspections(
    principal: Principal,
    *,
    unit_id: int | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[InspectionOut]:
    query = Inspection.select(*_INSPECTION_COLUMNS).where(*_list_where(principal, unit_id, status))
    rows = await query.order_by(Inspection.planned_date, ascending=False).limit(limit).offset(offset)
    members = await _members([r["id"] for r in rows])
    running = await _running_totals(rows)
    return [_inspection_out(r, members[r["id"]], running) for r in rows]


async def count_inspections(
    principal: Principal, *, unit_id: int | None = None, status: str | None = None
) -> int:
    """How many inspections :func:`list_inspections` holds, on all its pages."""
    total: int = await Inspection.count().where(*_list_where(principal, unit_id, status))
    return total


def _list_where(principal: Principal, unit_id: int | None, status: str | None) -> list[Any]:
    """The inspection list's conditions: what the principal may see, and the filters."""
    where: list[Any] = []
    if not principal.reads_everything:
        where.append(Inspection.unit == (principal.unit_id or 0))
    if unit_id is not None:
        where.append(Inspection.unit == unit_id)
    if status is not None:
        where.append(Inspection.status == status)
    return where


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


async def create(principal: Principal, data: InspectionIn, settings: Settings) -> InspectionOut:
    if principal.role != "inspector":
        raise Forbidden("Only inspectors plan inspections")
    check_in_window(data.planned_date, today(settings), "planned_date")
    unit = await Unit.select(Unit.kind).where((Unit.id == data.unit_id) & (Unit.active == True)).first()
    if unit is None:
        raise Invalid("No active unit %(unit)s", field="unit_id", unit=data.unit_id)
    version_id = await latest_version_id(data.checklist_code)
    version = await loaded_version(version_id)
    if not applies(version, unit["kind"]):
        raise Invalid(
            "Checklist %(checklist)s does not apply to units of kind %(kind)s",
            field="checklist_code",
            checklist=data.checklist_code,
            kind=unit["kind"],
        )
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
    await editable_by_team(principal, inspection_id)
    # The row read above may be stale: the update itself decides who started it.
    async with write_transaction():
        started = (
            await Inspection.update(
                {
                    Inspection.status: "in_progress",
                    Inspection.started_at: clock.now(),
                    Inspection.version: Inspection.version + 1,
                }
            )
            .where((Inspection.id == inspection_id) & (Inspection.status == "planned"))
            .returning(Inspection.id)
        )
    if not started:
        raise Conflict("The inspection has already started")
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


# The inspection an answer is for, and whether the user is on its team.
_ANSWERING = """
SELECT i.unit, i.status, i.checklist_version,
       EXISTS (SELECT 1 FROM inspection_member m WHERE m.inspection = i.id AND m."user" = {}) AS on_team
FROM inspection i WHERE i.id = {}
"""
# Once the answer is saved: the inspection's answers, and with the answered item's row its
# findings (the first is the one answers propose and withdraw). A statement of its own
# after the lock is taken, so that it sees every answer committed before.
_ANSWERED = """
SELECT a.item_code, a.value, a.points, a.not_applicable,
       f.id, f.inspection, f.title, f.description, f.severity, f.proposed, f.due_date, f.version,
       f.dismissed_reason, f.dismissed_at, f.created_by
FROM answer a
LEFT JOIN finding f ON f.inspection = a.inspection AND f.item_code = a.item_code AND a.item_code = {}
WHERE a.inspection = {}
ORDER BY f.id
"""

AnswerReader = Callable[[str], AnswerIn]
"""Reads an answer for an item of the given response type (a form's fields, say)."""


@dataclass(frozen=True, slots=True)
class RunningTotal:
    """An open inspection's score so far."""

    id: int
    points: float
    max_points: float
    percent: float


@dataclass(frozen=True, slots=True)
class RecordedAnswer:
    """A saved answer as the API returns it, with its item, the running total, and the
    codes of the items answered so far (a value given, or marked not applicable)."""

    out: RecordedAnswerOut
    version: LoadedVersion
    item: Item
    total: RunningTotal
    answered: frozenset[str]


class ChangedMeanwhile(Conflict):
    """Someone saved another answer to the item after the change was made (409);
    ``theirs`` is that answer."""

    def __init__(self, theirs: AnswerOut) -> None:
        super().__init__("Someone else saved another answer to this item meanwhile", field="value")
        self.theirs = theirs


async def record_answer(
    principal: Principal,
    inspection_id: int,
    item_code: str,
    data: AnswerIn | AnswerReader,
    base: dt.datetime | Literal[""] | None = None,
) -> RecordedAnswer:
    """Save one answer (each answer is saved as it is given) and give the running total.

    ``data`` may be a reader that makes the answer once the item's response type is known.
    ``base`` is when the item had last been answered when the change was made ("" for not
    answered yet; None when the caller does not say): a change made offline and sent hours
    later must not silently undo what a colleague saved meanwhile, so if the item was
    answered since, the save is refused with :class:`ChangedMeanwhile`, unless it carries
    the very answer saved (a change whose reply was lost on the way back).

    The answer proposes or withdraws its item's finding by the rule of
    :func:`inspection.domain.findings.finding_change`; the first answer starts the
    inspection. The inspection's row stays locked until the answer is saved, so answers to
    one inspection take turns, and a submit waits for the answers under way (or they see
    it submitted).
    """
    now = clock.now()
    async with write_transaction():
        rows = await Inspection.raw(_ANSWERING + for_update("i"), principal.id, inspection_id)
        if not rows:
            raise NotFound("No such inspection")
        row = rows[0]
        ensure_visible(principal, row["unit"], "inspection")
        _ensure_on_team(principal, bool(row["on_team"]))
        _ensure_editable(row["status"])
        version = await loaded_version(row["checklist_version"])
        section, criterion, item = version.item(item_code)
        given = data if isinstance(data, AnswerIn) else data(item.response_type)
        if given.value is None and not given.not_applicable and given.note.strip():
            # A note alone would be kept on an item that counts as unanswered: refused, so
            # the inspector sees the answer is missing (the form keeps the note).
            raise Invalid(
                "Item %(item)s: choose an answer for the note, or clear the note",
                field="value",
                item=item_code,
            )
        if given.not_applicable and not item.allow_na:
            raise Invalid(
                "Item %(item)s cannot be marked not applicable", field="not_applicable", item=item_code
            )
        if given.not_applicable and not given.note.strip():
            raise Invalid("Give the reason the item does not apply in the note", field="note")
        try:
            scored = score_answer(item, given.value, given.not_applicable)
        except AnswerError as exc:
            raise Invalid(
                "Item %(item)s: " + exc.template, field="value", item=item_code, **exc.values
            ) from None
        if row["status"] == "planned":
            await Inspection.update({Inspection.status: "in_progress", Inspection.started_at: now}).where(
                Inspection.id == inspection_id
            )
        answer = AnswerOut(
            item_code=item_code,
            criterion_code=criterion.code,
            section_code=section.code,
            value=given.value,
            not_applicable=given.not_applicable,
            points=scored.points,
            max_points=scored.max_points,
            passed=scored.passed,
            note=given.note,
            answered_by=principal.id,
            answered_at=now,
        )
        if not await _save_answer(inspection_id, answer, base):
            answer = await _answer_saved_meanwhile(inspection_id, answer)
        answered = {
            row["item_code"]: row for row in reversed(await Answer.raw(_ANSWERED, item_code, inspection_id))
        }
        finding = {**answered[item_code], "item_code": item_code} if answered[item_code]["id"] else None
        change = finding_change(answer.passed, finding is not None, bool(finding and finding["proposed"]))
        shortfall = _shortfall(item, answer, principal.language)
        if change is FindingChange.PROPOSE:
            finding = await _propose_finding(inspection_id, answer, shortfall, item.severity)
        elif change is FindingChange.WITHDRAW:
            assert finding is not None
            await Finding.delete().where(Finding.id == finding["id"])
            finding = None
        elif (
            finding is not None
            and follows_its_answer(bool(finding["proposed"]), finding["version"])
            and (finding["title"], finding["description"]) != (shortfall, answer.note)
        ):
            await Finding.update({Finding.title: shortfall, Finding.description: answer.note}).where(
                (Finding.id == finding["id"]) & (Finding.version == finding["version"])
            )
            finding = {**finding, "title": shortfall, "description": answer.note}
    points, max_points = _total_so_far(version, answered.values())
    percent = _percent(points, max_points)
    out = RecordedAnswerOut(
        answer=answer,
        finding=None if finding is None else _finding_from(finding),
        points=points,
        max_points=max_points,
        percent=percent,
    )
    done = frozenset(
        code
        for code, row in answered.items()
        if row["not_applicable"] or _decode_value(row["value"]) is not None
    )
    return RecordedAnswer(out, version, item, RunningTotal(inspection_id, points, max_points, percent), done)


_ANSWER_COLUMNS = (
    Answer.criterion_code,
    Answer.section_code,
    Answer.value,
    Answer.not_applicable,
    Answer.points,
    Answer.max_points,
    Answer.passed,
    Answer.note,
    Answer.answered_by,
    Answer.answered_at,
)


async def _save_answer(inspection_id: int, answer: AnswerOut, base: dt.datetime | Literal[""] | None) -> bool:
    """Insert the answer, or replace the one given before to the same item if it is the one
    ``base`` names (any, when None); whether it was saved."""
    columns = {**msgspec.structs.asdict(answer), "value": msgspec.json.encode(answer.value).decode()}
    # The answer to replace is the one saved at ``base``; "" names no answer (none existed).
    replaced = (
        None if base is None else Answer.answered_at.is_null() if base == "" else Answer.answered_at == base
    )
    saved = (
        await Answer.insert(Answer(inspection=inspection_id, **columns))
        .on_conflict(
            target=(Answer.inspection, Answer.item_code),
            action="DO UPDATE",
            values=_ANSWER_COLUMNS,
            where=replaced,
        )
        .returning(Answer.id)
    )
    return bool(saved)


async def _answer_saved_meanwhile(inspection_id: int, given: AnswerOut) -> AnswerOut:
    """The answer someone saved to the item after ``given`` was made: the same answer (then
    it stands, as saved), or another (:class:`ChangedMeanwhile`)."""
    row = (
        await Answer.select()
        .where((Answer.inspection == inspection_id) & (Answer.item_code == given.item_code))
        .first()
    )
    assert row is not None, "the insert met an answer to the item"
    theirs = _answer_out(row)
    if (theirs.value, theirs.not_applicable, theirs.note) != (given.value, given.not_applicable, given.note):
        raise ChangedMeanwhile(theirs)
    return theirs


_FINDING_COLUMNS = (
    Finding.id,
    Finding.inspection,
    Finding.item_code,
    Finding.title,
    Finding.description,
    Finding.severity,
    Finding.proposed,
    Finding.due_date,
    Finding.version,
    Finding.dismissed_reason,
    Finding.dismissed_at,
    Finding.created_by,
)


_SHORTFALL_CHARS = 400
"""The longest part of a finding's title taken from a note or a requirement (titles hold 500)."""


def _shortfall(item: Item, answer: AnswerOut, language: str) -> str:
    """What a finding proposed by ``answer`` says: the shortfall as the inspector noted it
    (the note's first line) and the answer given, "Không niêm yết bảng TTHC mới — trả lời:
    Không"; without a note, the item's requirement marked not met. In the answering
    inspector's language (the checklist's English text where it has one)."""
    gettext = translations(language).gettext
    noted = answer.note.strip().splitlines()[0].strip() if answer.note.strip() else ""
    if len(noted) > _SHORTFALL_CHARS:
        noted = noted[: _SHORTFALL_CHARS - 1].rstrip() + "…"
    requirement = item.text_en if language == "en" and item.text_en else item.text_vi
    what = noted or gettext("Not met: %(item)s") % {"item": requirement[:_SHORTFALL_CHARS]}
    given = shown_answer(item, answer.value, language, gettext)
    return gettext("%(shortfall)s — answer: %(answer)s") % {"shortfall": what, "answer": given}


async def _propose_finding(
    inspection_id: int, answer: AnswerOut, title: str, severity: str
) -> dict[str, Any]:
    rows = await Finding.insert(
        Finding(
            inspection=inspection_id,
            item_code=answer.item_code,
            title=title,
            description=answer.note,
            severity=severity,
            proposed=True,
            due_date=None,
            created_by=answer.answered_by,
            created_at=answer.answered_at,
        )
    ).returning(*_FINDING_COLUMNS)
    return dict(rows[0])


def _ensure_on_team(principal: Principal, on_team: bool) -> None:
    if principal.role != "inspector" or not on_team:
        raise Forbidden("Only a member of the inspection team may change this inspection")


def _ensure_editable(status: str) -> None:
    if status not in EDITABLE:
        raise Conflict(
            "The inspection is %(inspection_status)s; it can no longer be changed", inspection_status=status
        )


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
    rows = await _finding_rows("id", finding_id)
    if not rows:
        raise NotFound("No such finding")
    return rows[0]


# A finding with the id of the action it became, if it did.
_FINDINGS = """
SELECT f.id, f.inspection, f.item_code, f.title, f.description, f.severity, f.proposed,
       f.due_date, f.version, f.dismissed_reason, f.dismissed_at, f.created_by, a.id AS action_id
FROM finding f LEFT JOIN corrective_action a ON a.finding = f.id
WHERE f.{column} = {{}}
ORDER BY f.id
"""


async def _finding_rows(column: Literal["id", "inspection"], value: int) -> list[FindingOut]:
    """The findings whose ``column`` is ``value``, oldest first."""
    rows = await Finding.raw(_FINDINGS.format(column=column), value)
    return [_finding_from(r) for r in rows]


def _finding_from(row: Mapping[str, Any]) -> FindingOut:
    dismissed_at = row["dismissed_at"]
    return FindingOut(
        id=row["id"],
        inspection_id=row["inspection"],
        item_code=row["item_code"],
        title=row["title"],
        description=row["description"],
        severity=row["severity"],
        status="dismissed" if dismissed_at else "proposed" if row["proposed"] else "confirmed",
        proposed=bool(row["proposed"]),
        due_date=row["due_date"],
        action_id=row.get("action_id"),
        dismissed_reason=row["dismissed_reason"] or "",
        dismissed_at=dismissed_at,
        created_by_id=row["created_by"],
        version=row["version"],
    )


async def findings(principal: Principal, inspection_id: int) -> list[FindingOut]:
    await get_visible(principal, inspection_id)
    return await _finding_rows("inspection", inspection_id)


def _check_due_date(due: Any, settings: Settings) -> None:
    if isinstance(due, dt.date):
        if due < today(settings):
            raise Invalid("The deadline cannot be in the past", field="due_date")
        check_in_window(due, today(settings), "due_date")


_STATUS = "SELECT i.status FROM inspection i WHERE i.id = {}"


async def _lock_editable(inspection_id: int) -> None:
    """Inside a write transaction: lock the inspection's row (PostgreSQL) and check it is
    still open, so a finding changed while the conclusion is being issued either lands
    before the submit reads the findings, or is refused."""
    rows = await Inspection.raw(_STATUS + for_update("i"), inspection_id)
    _ensure_editable(rows[0]["status"] if rows else "")


async def add_finding(
    principal: Principal, inspection_id: int, data: FindingIn, settings: Settings
) -> FindingOut:
    await editable_by_team(principal, inspection_id)
    _check_due_date(data.due_date, settings)
    if data.item_code:
        row = await _row(inspection_id)
        try:
            (await loaded_version(row["checklist_version"])).item(data.item_code)
        except NotFound as exc:
            raise Invalid(exc.template, field="item_code", **exc.values) from None
    async with write_transaction():
        await _lock_editable(inspection_id)
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
        await Finding.select(Finding.id, Finding.inspection, Finding.proposed, Finding.version)
        .where(Finding.id == finding_id)
        .first()
    )
    if row is None:
        raise NotFound("No such finding")
    await editable_by_team(principal, row["inspection"])
    return row


async def _write_finding(row: dict[str, Any], values: dict[Any, Any]) -> FindingOut:
    """Apply ``values`` to the finding ``row`` as it was read (its version), in one write
    transaction with the inspection locked; a finding changed meanwhile is a 409."""
    async with write_transaction():
        await _lock_editable(row["inspection"])
        updated = (
            await Finding.update({**values, Finding.version: row["version"] + 1})
            .where((Finding.id == row["id"]) & (Finding.version == row["version"]))
            .returning(Finding.id)
        )
    if not updated:
        raise Conflict("The finding was changed by someone else; reload it", field="version")
    return await _finding_out(row["id"])


def _check_version(row: dict[str, Any], version: int | None) -> None:
    if version is not None and version != row["version"]:
        raise Conflict("The finding was changed by someone else; reload it", field="version")


async def update_finding(
    principal: Principal, finding_id: int, data: FindingPatch, settings: Settings
) -> FindingOut:
    """Edit a finding. ``confirmed: true`` confirms a proposal (or takes back a dismissal),
    so it becomes an action at the conclusion; ``false`` makes it a proposal again."""
    row = await _finding_for_team(principal, finding_id)
    _check_version(row, data.version)
    _check_due_date(data.due_date, settings)
    values = patched_columns(
        data,
        {
            "title": Finding.title,
            "description": Finding.description,
            "severity": Finding.severity,
            "due_date": Finding.due_date,
        },
    )
    if data.confirmed is not None:
        values.update(
            {
                Finding.proposed: not data.confirmed,
                Finding.dismissed_reason: "",
                Finding.dismissed_at: None,
                Finding.dismissed_by: None,
            }
        )
    return await _write_finding(row, values)


async def dismiss_finding(principal: Principal, finding_id: int, data: DismissIn) -> FindingOut:
    """Turn a finding down: it will not become an action; why, when and by whom stay on
    record (``confirmed: true`` takes it back)."""
    row = await _finding_for_team(principal, finding_id)
    _check_version(row, data.version)
    if not data.reason.strip():
        raise Invalid("Give the reason for dismissing the finding", field="reason")
    return await _write_finding(
        row,
        {
            Finding.proposed: False,
            Finding.dismissed_reason: data.reason.strip(),
            Finding.dismissed_at: clock.now(),
            Finding.dismissed_by: principal.id,
        },
    )


async def delete_finding(principal: Principal, finding_id: int) -> None:
    """Delete a finding the inspector wrote; one a failing answer proposed is dismissed
    with a reason instead, so the record keeps it."""
    row = await _finding_for_team(principal, finding_id)
    if row["proposed"]:
        raise Conflict("A proposed finding is dismissed with a reason, not deleted")
    async with write_transaction():
        await _lock_editable(row["inspection"])
        deleted = await Finding.delete().where(Finding.id == finding_id).returning(Finding.id)
    if not deleted:  # deleted meanwhile by someone else: gone, as it would be one after the other
        raise NotFound("No such finding")


# --- the conclusion -------------------------------------------------------------------------------


async def _submission(
    inspection_id: int, version: LoadedVersion
) -> tuple[SubmissionOut, list[dict[str, Any]]]:
    """What submitting would do now, and the inspection's answers (for its score)."""
    answered = await Answer.select(
        Answer.item_code, Answer.value, Answer.points, Answer.not_applicable
    ).where(Answer.inspection == inspection_id)
    done = {a["item_code"] for a in answered if a["not_applicable"] or _decode_value(a["value"]) is not None}
    found = await _finding_rows("inspection", inspection_id)
    unanswered = [
        UnansweredOut(
            item_code=item.code, section_code=section.code, text_vi=item.text_vi, text_en=item.text_en
        )
        for section, _, item in version.definition.items()
        if item.code not in done
    ]
    proposed = [f for f in found if f.status == "proposed"]
    return (
        SubmissionOut(
            ready=not unanswered and not proposed,
            unanswered=unanswered,
            proposed=proposed,
            findings=[f for f in found if f.status == "confirmed"],
            dismissed=[f for f in found if f.status == "dismissed"],
        ),
        answered,
    )


async def submission(principal: Principal, inspection_id: int) -> SubmissionOut:
    """The confirmation step before the conclusion: what is left to do, and what it will do."""
    async with read_transaction():
        row = await get_visible(principal, inspection_id)
        version = await loaded_version(row["checklist_version"])
        return (await _submission(inspection_id, version))[0]


def _not_ready(check: SubmissionOut) -> Conflict:
    """Why the conclusion cannot be issued yet, naming how many and which."""
    if check.unanswered:
        return Conflict(
            "Items not answered yet, %(count)s in all (answer each, or mark it not applicable"
            " with a reason): %(items)s",
            field="unanswered",
            count=len(check.unanswered),
            items=", ".join(item.item_code for item in check.unanswered),
        )
    return Conflict(
        "Proposed findings neither confirmed nor dismissed, %(count)s in all: %(findings)s",
        field="proposed",
        count=len(check.proposed),
        findings="; ".join(f"{f.item_code} {f.title}".strip() for f in check.proposed),
    )


async def submit(
    principal: Principal, inspection_id: int, data: SubmitIn, settings: Settings
) -> InspectionOut:
    """Issue the conclusion: the inspection is submitted, its score kept, and every
    confirmed finding becomes an action (a dismissed one never does).

    Refused (409, naming how many and which) while an item is unanswered, so an empty
    inspection is never submitted, or while a finding is still only proposed."""
    row = await editable_by_team(principal, inspection_id)
    if data.version is not None and data.version != row["version"]:
        raise Conflict("The inspection was changed by someone else; reload it")
    version = await loaded_version(row["checklist_version"])
    now = clock.now()
    async with write_transaction():
        # Locks the row first: answers and finding changes under way land before the reads below.
        await _lock_editable(inspection_id)
        check, answered = await _submission(inspection_id, version)
        if not check.ready:
            raise _not_ready(check)
        # The score is final now: it is kept on the row (the dashboard reads it there).
        points, max_points = _total_so_far(version, answered)
        updated = (
            await Inspection.update(
                {
                    Inspection.status: "submitted",
                    Inspection.conclusion: data.conclusion,
                    Inspection.submitted_at: now,
                    Inspection.points: points,
                    Inspection.max_points: max_points,
                    Inspection.version: row["version"] + 1,
                }
            )
            .where((Inspection.id == inspection_id) & (Inspection.version == row["version"]))
            .returning(Inspection.id)
        )
        if not updated:
            raise Conflict("The inspection was changed by someone else; reload it")
        await action_service.create_actions_for_inspection(
            inspection_id, [f for f in check.findings if f.action_id is None], settings
        )
    return await get(principal, inspection_id)
