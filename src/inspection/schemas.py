"""The shapes that cross the system's boundary (API bodies and answers), as msgspec Structs.

Inputs forbid unknown fields, so a misspelt field is an error rather than silently ignored;
constraints live in the types, so a bad value is rejected with its field before any write.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, TypedDict
from urllib.parse import urlencode

import msgspec
from litestar.params import FromQuery, PathParameter, QueryParameter

from inspection.auth.principal import Language
from inspection.domain.actions import Status
from inspection.domain.checklist import Severity, answer_values
from inspection.domain.checklist import UnitKind as UnitKind
from inspection.domain.roles import Role

INT_MAX = 2**31 - 1
"""The largest number PostgreSQL's ``integer`` holds, which every id, version and count column is
(Piccolo's Serial, ForeignKey and Integer): a larger number names no row."""


class _Range(TypedDict):
    """Bounds, as msgspec's ``Meta`` and Litestar's parameters both take them."""

    ge: int
    le: int


ID_RANGE: _Range = {"ge": 1, "le": INT_MAX}

# An id in a body, in a path and in a query string: msgspec reads the first, Litestar the others,
# all bound to ID_RANGE. A path id out of it names nothing that exists (404, web/errors.py).
Id = Annotated[int, msgspec.Meta(**ID_RANGE)]
PathId = Annotated[int, PathParameter(**ID_RANGE)]
QueryId = Annotated[int | None, QueryParameter(**ID_RANGE)]
# A row's version counter, sent back to say which version a change was made to.
Version = Id
Offset = Annotated[int, QueryParameter(ge=0, le=INT_MAX)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
Note = Annotated[str, msgspec.Meta(max_length=20_000)]
RequiredNote = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
Username = Annotated[str, msgspec.Meta(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")]
Password = Annotated[str, msgspec.Meta(min_length=8, max_length=256)]
UnitCode = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
InspectionStatus = Literal["planned", "in_progress", "submitted", "closed"]


class Input(msgspec.Struct, forbid_unknown_fields=True):
    """Base of request bodies: unknown fields are errors."""


class Output(msgspec.Struct):
    """Base of response bodies."""


# --- auth ------------------------------------------------------------------------------


class LoginIn(Input, kw_only=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class MeOut(Output, kw_only=True):
    id: int
    username: str
    full_name: str
    role: Role
    unit_id: int | None
    language: Language


class TokenIn(Input, kw_only=True):
    name: Name


class TokenOut(Output, kw_only=True):
    id: int
    name: str
    created_at: dt.datetime
    token: str | None = None
    revoked: bool = False


# --- units and users ---------------------------------------------------------------------


class UnitIn(Input, kw_only=True):
    code: UnitCode
    name_vi: Name
    name_en: str = ""
    kind: UnitKind
    parent_id: Id | None = None
    email: str = ""


class UnitPatch(Input, kw_only=True):
    name_vi: Name | None = None
    name_en: str | None = None
    kind: UnitKind | None = None
    parent_id: Id | None = None
    email: str | None = None
    head_id: Id | None = None
    active: bool | None = None


class UnitOut(Output, kw_only=True):
    id: int
    code: str
    name_vi: str
    name_en: str
    kind: str
    parent_id: int | None
    email: str
    head_id: int | None
    active: bool


class UserIn(Input, kw_only=True):
    username: Username
    full_name: Name
    email: str = ""
    role: Role
    unit_id: Id | None = None
    password: Password
    language: Language = "vi"


class UserPatch(Input, kw_only=True):
    full_name: Name | None = None
    email: str | None = None
    role: Role | None = None
    unit_id: Id | None = None
    password: Password | None = None
    language: Language | None = None
    active: bool | None = None


class UserOut(Output, kw_only=True):
    id: int
    username: str
    full_name: str
    email: str
    role: Role
    unit_id: int | None
    language: Language
    active: bool


class TeamCandidateOut(Output, kw_only=True):
    """Someone an inspector can put on an inspection's team (as lead_id or in member_ids)."""

    id: int
    full_name: str
    role: Role
    unit_id: int | None
    unit_name: str


# --- checklists ----------------------------------------------------------------------------


class ChecklistVersionOut(Output, kw_only=True):
    id: int
    checklist_code: str
    title_vi: str
    title_en: str
    number: int
    sha256: str
    source: str
    max_points: float
    loaded_at: dt.datetime
    latest: bool


# --- inspections ----------------------------------------------------------------------------


class InspectionIn(Input, kw_only=True):
    unit_id: Id
    checklist_code: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    title: Title
    planned_date: dt.date
    lead_id: Id | None = None
    member_ids: list[Id] = []


class InspectionOut(Output, kw_only=True):
    id: int
    unit_id: int
    unit_name: str
    checklist_code: str
    checklist_version: int
    checklist_version_id: int
    title: str
    lead_id: int
    planned_date: dt.date
    status: InspectionStatus
    conclusion: str
    points: float
    max_points: float
    percent: float
    member_ids: list[int]
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    closed_at: dt.datetime | None
    version: int


class AnswerIn(Input, kw_only=True):
    value: Annotated[
        str | float | None, msgspec.Meta(description=f"By the item's response type: {answer_values()}.")
    ] = None
    not_applicable: bool = False
    note: Note = ""


class AnswerOut(Output, kw_only=True):
    item_code: str
    criterion_code: str
    section_code: str
    value: Annotated[Any, msgspec.Meta(description=f"As given: {answer_values()}.")]
    not_applicable: bool
    points: float | None
    max_points: float
    passed: bool | None
    note: str
    answered_by: int
    answered_at: dt.datetime


class FindingIn(Input, kw_only=True):
    title: Title
    description: Note = ""
    severity: Severity
    item_code: str = ""
    due_date: dt.date | None = None


def clearable(schema: type[msgspec.Struct]) -> frozenset[str]:
    """The fields of a PATCH body that take null as a value ("clear it"): those whose
    default is ``UNSET``. Left out, they are unchanged like every other field."""
    return frozenset(f.name for f in msgspec.structs.fields(schema) if f.default is msgspec.UNSET)


class FindingPatch(Input, kw_only=True):
    title: Title | None = None
    description: Note | None = None
    severity: Severity | None = None
    # Left out: unchanged; null: no deadline of its own (its severity's applies).
    due_date: dt.date | msgspec.UnsetType | None = msgspec.UNSET
    confirmed: bool | None = None
    version: Version | None = None


FindingStatus = Literal["proposed", "confirmed", "dismissed"]
"""A finding a failing answer proposed waits for the inspector (``proposed``); only a
``confirmed`` one (or one the inspector wrote) becomes a corrective action at the
conclusion; a ``dismissed`` one stays on record with its reason and becomes nothing."""


class FindingOut(Output, kw_only=True):
    id: int
    inspection_id: int
    item_code: str
    title: str
    description: str
    severity: Severity
    status: FindingStatus
    proposed: bool
    due_date: dt.date | None
    action_id: int | None
    dismissed_reason: str
    dismissed_at: dt.datetime | None
    created_by_id: int
    version: int


class DismissIn(Input, kw_only=True):
    """Dismissing a proposed finding: why is required, and kept with it."""

    reason: RequiredNote
    version: Version | None = None


class RecordedAnswerOut(Output, kw_only=True):
    answer: AnswerOut
    finding: FindingOut | None
    points: float
    max_points: float
    percent: float


class SubmitIn(Input, kw_only=True):
    conclusion: Note = ""
    version: Version | None = None


class UnansweredOut(Output, kw_only=True):
    item_code: str
    section_code: str
    text_vi: str
    text_en: str


class SubmissionOut(Output, kw_only=True):
    """What submitting the conclusion would do now. ``ready`` only when every item is
    answered (or marked not applicable with a reason) and no finding is left proposed;
    ``findings`` are those that would become corrective actions."""

    ready: bool
    unanswered: list[UnansweredOut]
    proposed: list[FindingOut]
    findings: list[FindingOut]
    dismissed: list[FindingOut]


# --- corrective actions ----------------------------------------------------------------------


class ActionFilters(msgspec.Struct, kw_only=True, frozen=True, omit_defaults=True):
    """The filters of the action list, each one query parameter of ``/api/actions`` and of the
    ``/actions`` page (Litestar builds this from them); the dashboard links its numbers to
    such lists with :meth:`query`.

    Dates are local days, both ends included. ``closed_on_time`` keeps closed actions whose fix
    was reported by the deadline (true) or after it (false); ``open_on`` and ``overdue_on``
    those open, or overdue, at the end of that day; ``checklist`` and ``item_code`` those from
    findings on that checklist item; ``mine`` those the user opened (an inspector) or is
    assigned (a unit head).

    Frozen, as it keys the lists kept in memory; defaults are omitted, so a query names only
    the filters that are set.
    """

    unit_kind: FromQuery[UnitKind | None] = None
    unit_id: QueryId = None
    inspection_id: QueryId = None
    created_from: FromQuery[dt.date | None] = None
    created_to: FromQuery[dt.date | None] = None
    closed_from: FromQuery[dt.date | None] = None
    closed_to: FromQuery[dt.date | None] = None
    open_only: Annotated[bool, QueryParameter(name="open")] = msgspec.field(default=False, name="open")
    overdue: FromQuery[bool | None] = None
    status: FromQuery[Status | None] = None
    closed_on_time: FromQuery[bool | None] = None
    open_on: FromQuery[dt.date | None] = None
    overdue_on: FromQuery[dt.date | None] = None
    checklist: FromQuery[str | None] = None
    item_code: FromQuery[str | None] = None
    mine: FromQuery[bool] = False

    def query(self) -> str:
        """The query string of the list with these filters: those set, as the handlers read them."""
        return urlencode(
            [
                (name, str(value).lower() if isinstance(value, bool) else str(value))
                for name, value in msgspec.to_builtins(self).items()
            ]
        )


class ActionOut(Output, kw_only=True):
    id: int
    title: str
    severity: Severity
    status: Status
    unit_id: int
    unit_name: str
    inspection_id: int
    finding_id: int
    item_code: str
    assignee_id: int | None
    opened_by_id: int
    due_date: dt.date
    original_due_date: dt.date
    overdue: bool
    days_overdue: int
    reopen_count: int
    created_at: dt.datetime
    closed_at: dt.datetime | None
    version: int


class EventOut(Output, kw_only=True):
    id: int
    kind: str
    actor_id: int | None
    actor_name: str
    at: dt.datetime
    from_status: str
    to_status: str
    note: str
    data: dict[str, Any]


ExtensionStatus = Literal["pending", "approved", "rejected"]


class ExtensionOut(Output, kw_only=True):
    id: int
    action_id: int
    requested_by_id: int
    requested_by_name: str
    requested_due_date: dt.date
    reason: str
    status: ExtensionStatus
    decided_by_id: int | None
    decided_at: dt.datetime | None
    decision_note: str
    created_at: dt.datetime


class ExtensionRequestOut(ExtensionOut, kw_only=True):
    """An extension request in the list of requests: with the action it is for."""

    action_title: str
    action_status: str
    action_due_date: dt.date
    unit_id: int
    unit_name: str
    item_code: str | None
    inspection_id: int


class EvidenceOut(Output, kw_only=True):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by_id: int
    uploaded_at: dt.datetime
    event_id: int | None
    item_code: str


class ActionDetailOut(Output, kw_only=True):
    """``item_text_vi``/``item_text_en`` are the requirement of the checklist item the
    finding is about, ``answer`` what the inspection answered to it (with the inspector's
    note); empty and null for a finding about no item."""

    action: ActionOut
    finding_description: str
    item_text_vi: str
    item_text_en: str
    answer: AnswerOut | None
    events: list[EventOut]
    extensions: list[ExtensionOut]
    evidence: list[EvidenceOut]


class TransitionIn(Input, kw_only=True):
    note: Note = ""
    version: Version | None = None


class ReportIn(TransitionIn, kw_only=True):
    """A report of progress, or of the fix: what was done is required."""

    note: RequiredNote


class ReopenIn(Input, kw_only=True):
    reason: RequiredNote
    due_date: dt.date | None = None
    version: Version | None = None


class ExtensionIn(Input, kw_only=True):
    requested_due_date: dt.date
    reason: RequiredNote


class ChaseIn(Input, kw_only=True):
    """A leader's reminder or escalation by hand. No version: it leaves the action as it is,
    and one of each kind per action and day is sent, however many requests arrive."""

    note: Note = ""


class DecisionIn(Input, kw_only=True):
    approve: bool
    note: Note = ""
