"""Words for the values the services return, in the page's language.

Plain functions rather than Jinja macros: the inbox shows three of them per action, and a
macro call costs more than the rest of its row (measured with benchmarks/bench_pages.py). The messages
are marked for extraction here and translated with the request's catalog when rendered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from inspection.web.i18n import show_date, show_number, translations
from inspection.web.messages import N_, pgettext

# The states of corrective actions and of extension requests.
STATUSES = {
    "open": N_("Open"),
    "acknowledged": N_("Acknowledged"),
    "in_progress": N_("In progress"),
    "reported_fixed": N_("Reported fixed"),
    "closed": N_("Closed"),
    "pending": N_("Pending"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
}
# An inspection's states: "in progress" and "closed" read otherwise than an action's.
INSPECTION_STATUSES = {
    "planned": pgettext("inspection", "Planned"),
    "in_progress": pgettext("inspection", "In progress"),
    "submitted": pgettext("inspection", "Submitted"),
    "closed": pgettext("inspection", "Closed"),
}
# The outbox: what each e-mail notice is, and where it stands.
NOTIFICATION_KINDS = {
    "assigned": pgettext("notification", "New corrective action"),
    "reminder": pgettext("notification", "Reminder"),
    "overdue": pgettext("notification", "Overdue"),
    "escalation": pgettext("notification", "Escalation"),
    "digest": pgettext("notification", "Weekly digest"),
    "reported_fixed": pgettext("notification", "Reported fixed"),
    "closed": pgettext("notification", "Closed"),
    "reopened": pgettext("notification", "Reopened"),
    "extension_decided": pgettext("notification", "Extension decided"),
}
NOTIFICATION_STATUSES = {
    "pending": pgettext("notification", "Pending"),
    "queued": pgettext("notification", "Queued"),
    "sending": pgettext("notification", "Sending"),
    "sent": pgettext("notification", "Sent"),
    "failed": pgettext("notification", "Failed"),
    "cancelled": pgettext("notification", "Cancelled"),
}
# Why the outbox cancelled or gave up a notice, as queue/ writes it in ``last_error``.
NOTIFICATION_REASONS = {
    "action closed": N_("action closed"),
    "action deleted": N_("action deleted"),
    "no longer scheduled": N_("no longer scheduled"),
    "no longer scheduled (closed, moved or reassigned)": N_(
        "no longer scheduled (closed, moved or reassigned)"
    ),
    "superseded: a later notice of the same chase is due": N_(
        "superseded: a later notice of the same chase is due"
    ),
    "recipient is no longer active": N_("recipient is no longer active"),
    "recipient has no e-mail address": N_("recipient has no e-mail address"),
    "nothing overdue": N_("nothing overdue"),
}
SEVERITIES = {"minor": N_("Minor"), "major": N_("Major"), "critical": N_("Critical")}
EVENTS = {
    "created": N_("Action opened"),
    "acknowledge": N_("Acknowledged receipt"),
    "progress": N_("Progress reported"),
    "report_fixed": N_("Reported fixed"),
    "close": N_("Verified and closed"),
    "reopen": N_("Sent back for more work"),
    "comment": N_("Comment"),
    "evidence": N_("Evidence added"),
    "extension_requested": N_("Extension requested"),
    "extension_decided": N_("Extension decided"),
    "head_changed": N_("Unit head changed"),
    "reminded": N_("Reminder sent by a leader"),
    "escalated": N_("Escalated by a leader"),
}
ROLES = {
    "admin": N_("Administrator"),
    "inspector": N_("Inspector"),
    "unit_head": N_("Unit head"),
    "leader": N_("Leader"),
    "observer": N_("Observer"),
}
UNIT_KINDS = {
    "district": N_("District"),
    "department": N_("Department"),
    "commune": N_("Commune"),
    "town": N_("Town"),
    "ward": N_("Ward"),
    "one_stop_shop": N_("One-stop shop"),
}
# The fields of the forms, as their labels name them: a message about a field names it so.
FIELDS = {
    "requested_due_date": N_("New deadline"),
    "due_date": N_("Deadline"),
    "planned_date": N_("Date"),
    "period_from": N_("From"),
    "period_to": N_("To"),
    "unit_id": N_("Unit"),
    "unit_kind": N_("Kind of unit"),
    "checklist_code": N_("Checklist"),
    "title": N_("Title"),
    "lead_id": N_("Team lead"),
    "member_ids": N_("Team members"),
    "reason": N_("Reason"),
    "note": N_("Note"),
    "severity": N_("Severity"),
    "description": N_("Description"),
    "code": N_("Code"),
    "kind": N_("Kind"),
    "email": N_("E-mail"),
    "username": N_("Username"),
    "full_name": N_("Full name"),
    "role": N_("Role"),
    "password": N_("Password"),
    "name_vi": N_("Name (Vietnamese)"),
    "name_en": N_("Name (English)"),
    "parent_id": N_("Part of"),
    "head_id": N_("Head"),
    "active": N_("Active"),
    "language": N_("Language"),
}


def _word(words: Mapping[str, str], other: str | None = None) -> Callable[[Context, str], str]:
    """A label function: ``value``'s word translated, else ``other`` translated, else ``value``."""

    @pass_context
    def label(context: Context, value: str) -> str:
        message = words.get(value, other)
        return value if message is None else str(context["translations"].gettext(message))

    return label


def _word_in(words: Mapping[str, tuple[str, str]]) -> Callable[[Context, str], str]:
    """A label function for words kept with their context (see :func:`messages.pgettext`)."""

    @pass_context
    def label(context: Context, value: str) -> str:
        word = words.get(value)
        return value if word is None else str(context["translations"].pgettext(*word))

    return label


# Markup.format goes through string.Formatter, slow enough to show in the inbox's profile:
# the parts are joined instead (adding text to Markup escapes the text).
@pass_context
def severity(context: Context, value: str) -> Markup:
    message = SEVERITIES.get(value)
    word = value if message is None else context["translations"].gettext(message)
    return Markup('<span class="badge ') + value + Markup('">') + word + Markup("</span>")


@pass_context
def notification_reason(context: Context, value: str) -> Markup:
    """Why a notice was not sent: the outbox's own reasons in words; anything else (the mail
    server's answer) as the code it is."""
    message = NOTIFICATION_REASONS.get(value)
    if message is not None:
        return escape(context["translations"].gettext(message))
    return Markup("<code>") + value + Markup("</code>") if value else Markup("")


@pass_context
def deadline(context: Context, action: Any) -> Markup:
    """The deadline, with how many days late an overdue action is."""
    shown = escape(show_date(action.due_date, context["lang"]))
    if not action.overdue:
        return shown
    days = action.days_overdue
    late: str = context["translations"].ngettext("%(num)d day overdue", "%(num)d days overdue", days)
    return shown + Markup(' <span class="badge overdue">') + late % {"num": days} + Markup("</span>")


LABELS: dict[str, Any] = {
    "status_label": _word(STATUSES),
    "inspection_status_label": _word_in(INSPECTION_STATUSES),
    "notification_kind_label": _word_in(NOTIFICATION_KINDS),
    "notification_status_label": _word_in(NOTIFICATION_STATUSES),
    "severity_label": severity,
    "event_label": _word(EVENTS),
    "role_label": _word(ROLES),
    "unit_kind_label": _word(UNIT_KINDS, N_("Other")),
    "deadline_label": deadline,
    "notification_reason": notification_reason,
}


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Values of messages that name a record by its number: shown as they are (unit 1234, v2).
_IDENTIFIERS = frozenset({"unit", "version", "item", "checklist", "users"})


def message_values(values: Mapping[str, Any], language: str) -> dict[str, Any]:
    """A service error's values as the page's language writes them: a state in words, a day
    as dd/mm/yyyy, a number with a decimal comma (the API keeps them as the service wrote them)."""
    catalog = translations(language)
    shown: dict[str, Any] = {}
    for name, value in values.items():
        if name == "name" and value in FIELDS:
            value = catalog.gettext(FIELDS[value])
        elif name == "inspection_status" and value in INSPECTION_STATUSES:
            value = catalog.pgettext(*INSPECTION_STATUSES[value])
        elif name == "status" and value in STATUSES:
            value = catalog.gettext(STATUSES[value])
        elif name == "kind" and value in UNIT_KINDS:
            value = catalog.gettext(UNIT_KINDS[value])
        elif name == "allowed":  # states, as "acknowledged, in_progress"
            value = ", ".join(catalog.gettext(STATUSES.get(state, state)) for state in value.split(", "))
        elif name == "status" and value in NOTIFICATION_STATUSES:
            value = catalog.pgettext(*NOTIFICATION_STATUSES[value])
        elif isinstance(value, str) and _ISO_DAY.fullmatch(value):
            value = show_date(value, language)
        elif isinstance(value, int | float) and not isinstance(value, bool) and name not in _IDENTIFIERS:
            value = show_number(value, language)
        shown[name] = value
    return shown
