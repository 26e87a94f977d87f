"""The life of a corrective action: states, who may move it where, deadlines, lateness.

```
open ─acknowledge─► acknowledged ─progress─► in_progress ─report_fixed─► reported_fixed ─close─► closed
                         └──────────────report_fixed──────────────┘            │               │
                      in_progress ◄──────────────────reopen───────────────────┴───────────────┘
```
Extension requests and comments do not change the state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from inspection.domain.dates import check_in_window
from inspection.domain.roles import Role
from inspection.errors import Conflict, Forbidden, Invalid


class Status(StrEnum):
    """Where a corrective action stands."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    REPORTED_FIXED = "reported_fixed"
    CLOSED = "closed"


# States in which the unit owes work: only these can be overdue.
UNIT_OWES = frozenset({Status.OPEN, Status.ACKNOWLEDGED, Status.IN_PROGRESS})
OPEN_STATES = frozenset(set(Status) - {Status.CLOSED})

Verb = Literal["acknowledge", "progress", "report_fixed", "close", "reopen"]


@dataclass(frozen=True)
class Transition:
    """A move of the state machine: from which states, to which, by which side, and the field
    that must carry a note for it (None: the note may be left out)."""

    verb: Verb
    sources: frozenset[Status]
    target: Status
    side: Literal["unit", "inspection"]
    note: Literal["note", "reason"] | None


TRANSITIONS: dict[Verb, Transition] = {
    t.verb: t
    for t in (
        Transition("acknowledge", frozenset({Status.OPEN}), Status.ACKNOWLEDGED, "unit", None),
        Transition(
            "progress",
            frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS}),
            Status.IN_PROGRESS,
            "unit",
            "note",
        ),
        Transition(
            "report_fixed",
            frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS}),
            Status.REPORTED_FIXED,
            "unit",
            "note",
        ),
        Transition("close", frozenset({Status.REPORTED_FIXED}), Status.CLOSED, "inspection", None),
        Transition(
            "reopen",
            frozenset({Status.REPORTED_FIXED, Status.CLOSED}),
            Status.IN_PROGRESS,
            "inspection",
            "reason",
        ),
    )
}


class TransitionError(Conflict):
    """The action is not in a state that allows this move."""


class NotAllowed(Forbidden):
    """The user may see the action but not do this to it."""


@dataclass(frozen=True)
class Actor:
    """What the rules need to know about the person acting."""

    role: Role
    unit_id: int | None
    on_inspection_team: bool


def check_transition(verb: Verb, status: Status, action_unit_id: int, actor: Actor, note: str) -> Status:
    """The state after ``verb``, or the reason it cannot happen."""
    transition = TRANSITIONS[verb]
    if transition.side == "unit":
        if actor.role != "unit_head" or actor.unit_id != action_unit_id:
            raise NotAllowed(f"Only the head of the action's unit may {verb.replace('_', ' ')}")
    elif actor.role != "inspector" or not actor.on_inspection_team:
        raise NotAllowed(f"Only an inspector of the inspection team may {verb.replace('_', ' ')}")
    if status not in transition.sources:
        raise TransitionError(
            "The action is %(status)s; this needs it to be %(allowed)s",
            status=status.value,
            allowed=", ".join(sorted(source.value for source in transition.sources)),
        )
    if transition.note and not note.strip():
        raise Invalid(f"A note is required to {verb.replace('_', ' ')}", field=transition.note)
    return transition.target


def check_extension_request(status: Status, due: dt.date, requested: dt.date, today: dt.date) -> None:
    """Whether more time may be asked for (one pending request per action is a unique key)."""
    if status not in UNIT_OWES:
        raise TransitionError(
            "The action is %(status)s; more time can no longer be asked for", status=status.value
        )
    if requested <= due:
        raise Invalid(
            "The requested deadline must be after the current one (%(due)s)",
            field="requested_due_date",
            due=due.isoformat(),
        )
    if requested <= today:
        raise Invalid("The requested deadline must be in the future", field="requested_due_date")
    check_in_window(requested, today, "requested_due_date")


def check_extension_decider(actor: Actor) -> None:
    if not (actor.role == "leader" or (actor.role == "inspector" and actor.on_inspection_team)):
        raise NotAllowed("Only a leader or an inspector of the inspection team may decide an extension")


Chase = Literal["remind", "escalate"]


def check_chase(chase: Chase, role: Role, status: Status, has_assignee: bool, late: int) -> None:
    """A leader's reminder or escalation by hand: only while the unit owes work on the action,
    and an escalation only once it is overdue (``late``: its days overdue)."""
    if role != "leader":
        raise NotAllowed("Only a leader may send a reminder or escalate an action by hand")
    if status not in UNIT_OWES:
        raise TransitionError("The unit owes nothing on this action: there is nothing to chase")
    if not has_assignee:
        raise TransitionError("The action's unit has no head to remind")
    if chase == "escalate" and late <= 0:
        raise TransitionError("Only an overdue action can be escalated")


def deadline_for(severity: str, conclusion_day: dt.date, days_by_severity: dict[str, int]) -> dt.date:
    """The default deadline: the conclusion day plus the days allowed for the severity."""
    return conclusion_day + dt.timedelta(days=days_by_severity[severity])


def days_overdue(status: str, due: dt.date, today: dt.date) -> int:
    """Whole days past the deadline while the unit still owes work; 0 otherwise."""
    if Status(status) not in UNIT_OWES:
        return 0
    return max(0, (today - due).days)


def closed_on_time(due: dt.date, reported_fixed_on: dt.date | None) -> bool:
    """On time means the unit reported the fix by the deadline (verification may come later)."""
    return reported_fixed_on is not None and reported_fixed_on <= due
