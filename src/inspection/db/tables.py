"""Every Piccolo table of the system, in one module so migrations find them all.

Times are stored as timezone-aware UTC timestamps; calendar deadlines as dates.
Composite unique keys are unique indexes made in the migrations (Piccolo adds
table constraints with ALTER TABLE, which SQLite lacks); each table's docstring names
its key. ``id: Serial`` only tells type checkers about the primary key Piccolo adds to every
table. Rows that users change concurrently carry a ``version`` counter: an update
states the version it read and fails when another writer got there first.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    LazyTableReference,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class Unit(Table, tablename="unit"):
    """An inspected or inspecting body: the district, a department, a commune, a town."""

    id: Serial

    code = Varchar(length=64, unique=True, help_text="Stable short code, e.g. X-ANBINH.")
    name_vi = Varchar(length=255, help_text="Vietnamese name.")
    name_en = Varchar(length=255, default="", help_text="English name.")
    kind = Varchar(length=32, index=True, help_text="district, department, commune, town, ...")
    parent: ForeignKey[Unit] = ForeignKey(
        LazyTableReference("Unit", module_path=__name__),
        null=True,
        on_delete=OnDelete.restrict,
        help_text="The unit this one belongs to; null for the top.",
    )
    email = Varchar(length=255, default="", help_text="The unit's official mailbox.")
    head_id = Integer(
        null=True,
        default=None,
        help_text=(
            "The user (app_user.id) who answers for the unit's corrective actions. "
            "A plain column, not a foreign key: users belong to units, and Piccolo's "
            "migrations cannot order a cycle of foreign keys."
        ),
    )
    active = Boolean(default=True)


class User(Table, tablename="app_user"):
    """A person who signs in: inspector, unit head, leader, observer or admin."""

    id: Serial

    username = Varchar(length=64, unique=True)
    full_name = Varchar(length=255)
    email = Varchar(length=255, default="")
    role = Varchar(length=16, index=True, help_text="admin, inspector, unit_head, leader, observer.")
    unit = ForeignKey(Unit, null=True, on_delete=OnDelete.restrict, help_text="Own unit, if any.")
    password_hash = Varchar(length=255, help_text="Argon2id hash.")
    language = Varchar(length=8, default="vi", help_text="Interface and e-mail language.")
    active = Boolean(default=True)
    created_at = Timestamptz()


class ApiToken(Table, tablename="api_token"):
    """A bearer token for scripts; only its SHA-256 is stored."""

    id: Serial

    user = ForeignKey(User, on_delete=OnDelete.cascade)
    name = Varchar(length=128)
    token_sha256 = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked = Boolean(default=False)


class Checklist(Table, tablename="checklist"):
    """A named checklist (bộ tiêu chí); its content lives in versions."""

    id: Serial

    code = Varchar(length=64, unique=True)
    title_vi = Varchar(length=500)
    title_en = Varchar(length=500, default="")


class ChecklistVersion(Table, tablename="checklist_version"):
    """One loaded content of a checklist file, kept forever for the inspections that use it.

    Unique: (checklist, number) and (checklist, sha256).
    """

    id: Serial

    checklist = ForeignKey(Checklist, on_delete=OnDelete.restrict)
    number = Integer(help_text="1, 2, 3... per checklist.")
    sha256 = Varchar(length=64, help_text="Hash of the normalised definition.")
    source = Varchar(length=500, default="", help_text="File it was loaded from.")
    definition = JSON(help_text="The decoded checklist, as stored JSON.")
    max_points = DoublePrecision()
    loaded_at = Timestamptz()


class Inspection(Table, tablename="inspection"):
    """A visit of the inspection team to one unit against one checklist version (cuộc kiểm tra)."""

    id: Serial

    unit = ForeignKey(Unit, on_delete=OnDelete.restrict)
    checklist_version = ForeignKey(ChecklistVersion, on_delete=OnDelete.restrict)
    title = Varchar(length=500)
    lead = ForeignKey(User, on_delete=OnDelete.restrict, help_text="Team lead (trưởng đoàn).")
    planned_date = Date()
    status = Varchar(length=16, index=True, help_text="planned, in_progress, submitted, closed.")
    conclusion = Text(default="", help_text="The conclusion notice (thông báo kết luận).")
    points = DoublePrecision(
        default=0.0, help_text="Score, N/A excluded; kept when submitted (while open, summed from answers)."
    )
    max_points = DoublePrecision(default=0.0, help_text="Maximum over answered and open items, likewise.")
    created_by = ForeignKey(User, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)


class InspectionMember(Table, tablename="inspection_member"):
    """A member of an inspection's team (thành viên đoàn kiểm tra). Unique: (inspection, user)."""

    id: Serial

    inspection = ForeignKey(Inspection, on_delete=OnDelete.cascade)
    user = ForeignKey(User, on_delete=OnDelete.restrict)
    role = Varchar(length=16, default="member", help_text="lead, secretary or member.")


class Answer(Table, tablename="answer"):
    """The recorded answer to one checklist item in one inspection. Unique: (inspection, item_code)."""

    id: Serial

    inspection = ForeignKey(Inspection, on_delete=OnDelete.cascade)
    item_code = Varchar(length=64)
    criterion_code = Varchar(length=64)
    section_code = Varchar(length=64)
    value = JSON(help_text='The raw answer as given, e.g. "yes", 0.75, 82.5, "text".')
    not_applicable = Boolean(default=False)
    points = DoublePrecision(null=True, default=None)
    max_points = DoublePrecision(default=0.0)
    passed = Boolean(null=True, default=None, help_text="False when the answer falls short.")
    note = Text(default="")
    answered_by = ForeignKey(User, on_delete=OnDelete.restrict)
    answered_at = Timestamptz()


class Finding(Table, tablename="finding"):
    """A shortcoming found in an inspection (tồn tại, hạn chế)."""

    id: Serial

    inspection = ForeignKey(Inspection, on_delete=OnDelete.cascade)
    item_code = Varchar(length=64, default="", help_text="Checklist item, or empty for a general finding.")
    title = Varchar(length=500)
    description = Text(default="")
    severity = Varchar(length=16, help_text="minor, major, critical.")
    proposed = Boolean(default=False, help_text="Proposed by a failing answer, not yet confirmed.")
    due_date = Date(
        null=True, default=None, help_text="Deadline chosen by the inspector, else from severity."
    )
    created_by = ForeignKey(User, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    version = Integer(default=1)
    # A dismissed finding (migration 0004) never becomes an action; the reason stays on record.
    dismissed_reason = Text(default="")
    dismissed_at = Timestamptz(null=True, default=None)
    dismissed_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.restrict)


class CorrectiveAction(Table, tablename="corrective_action"):
    """The work a unit must do to remedy one finding (nhiệm vụ khắc phục)."""

    id: Serial

    finding = ForeignKey(Finding, unique=True, on_delete=OnDelete.restrict)
    inspection = ForeignKey(Inspection, on_delete=OnDelete.restrict)
    unit = ForeignKey(Unit, on_delete=OnDelete.restrict)
    assignee = ForeignKey(User, null=True, on_delete=OnDelete.set_null, help_text="The unit's head.")
    opened_by = ForeignKey(User, on_delete=OnDelete.restrict, help_text="Inspector who opened the finding.")
    title = Varchar(length=500)
    severity = Varchar(length=16, index=True)
    status = Varchar(length=24, index=True)
    due_date = Date(index=True)
    original_due_date = Date()
    created_at = Timestamptz()
    acknowledged_at = Timestamptz(null=True, default=None)
    reported_fixed_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    reopen_count = Integer(default=0)
    version = Integer(default=1)


class ActionEvent(Table, tablename="action_event"):
    """One change to a corrective action: who, when, what and why.

    Unique: (action, kind, chase_day), migration 0005: a leader's reminder or escalation by
    hand is at most one per action, kind and local day. Other events leave ``chase_day``
    null, which the key never compares equal.
    """

    id: Serial

    action = ForeignKey(CorrectiveAction, on_delete=OnDelete.cascade)
    kind = Varchar(length=32)
    actor = ForeignKey(User, null=True, on_delete=OnDelete.restrict, help_text="Null for the system.")
    at = Timestamptz()
    from_status = Varchar(length=24, default="")
    to_status = Varchar(length=24, default="")
    note = Text(default="")
    data = JSON(default="{}")
    chase_day = Date(
        null=True,
        default=None,
        help_text="The local day of a leader's reminder or escalation by hand; null for other events.",
    )


class ExtensionRequest(Table, tablename="extension_request"):
    """A unit head's request for a later deadline (đề nghị gia hạn).

    Unique: one pending request per action (a partial index, migration 0003).
    """

    id: Serial

    action = ForeignKey(CorrectiveAction, on_delete=OnDelete.cascade)
    requested_by = ForeignKey(User, on_delete=OnDelete.restrict)
    requested_due_date = Date()
    reason = Text()
    status = Varchar(length=16, default="pending", help_text="pending, approved, rejected.")
    decided_by = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Text(default="")
    created_at = Timestamptz()


class Evidence(Table, tablename="evidence"):
    """A file attached to an answer or to an action event (minh chứng)."""

    id: Serial

    inspection = ForeignKey(Inspection, null=True, on_delete=OnDelete.cascade)
    item_code = Varchar(length=64, default="")
    action = ForeignKey(CorrectiveAction, null=True, on_delete=OnDelete.cascade)
    event = ForeignKey(ActionEvent, null=True, on_delete=OnDelete.set_null)
    filename = Varchar(length=255)
    content_type = Varchar(length=127)
    size = Integer()
    sha256 = Varchar(length=64)
    storage_key = Varchar(length=255, help_text="Where the blob store keeps it.")
    uploaded_by = ForeignKey(User, on_delete=OnDelete.restrict)
    uploaded_at = Timestamptz()


class Notification(Table, tablename="notification"):
    """One message to send (the outbox): written with the change that causes it."""

    id: Serial

    kind = Varchar(length=32, help_text="assigned, reminder, overdue, escalation, ...")
    action = ForeignKey(CorrectiveAction, null=True, on_delete=OnDelete.cascade)
    recipient = ForeignKey(User, on_delete=OnDelete.cascade)
    due_at = Timestamptz(index=True)
    status = Varchar(
        length=16,
        help_text="pending, queued, sending, sent, failed, cancelled (indexed with due_at: migration 0002).",
    )
    attempts = Integer(default=0)
    idempotency_key = Varchar(length=255, unique=True)
    last_error = Text(default="")
    claimed_at = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    data = JSON(default="{}")
    in_doubt = Integer(
        default=0,
        help_text=(
            "Sends whose outcome is unknown: the process died after handing the mail to SMTP "
            "but before recording it, so the message may have gone out twice (same Message-ID)."
        ),
    )


TABLES: tuple[type[Table], ...] = (
    Unit,
    User,
    ApiToken,
    Checklist,
    ChecklistVersion,
    Inspection,
    InspectionMember,
    Answer,
    Finding,
    CorrectiveAction,
    ActionEvent,
    ExtensionRequest,
    Evidence,
    Notification,
)
