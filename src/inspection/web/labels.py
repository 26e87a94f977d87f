"""Words for the values the services return, in the page's language.

Plain functions rather than Jinja macros: the inbox shows three of them per action, and a
macro call costs more than the rest of its row (measured with benchmarks/bench_pages.py). The messages
are marked for extraction here and translated with the request's catalog when rendered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from inspection.web.i18n import show_date
from inspection.web.messages import N_

STATUSES = {
    "open": N_("Open"),
    "acknowledged": N_("Acknowledged"),
    "in_progress": N_("In progress"),
    "reported_fixed": N_("Reported fixed"),
    "closed": N_("Closed"),
    "planned": N_("Planned"),
    "submitted": N_("Submitted"),
    "pending": N_("Pending"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
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
    "leader": N_("District leader"),
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


def _word(words: Mapping[str, str], other: str | None = None) -> Callable[[Context, str], str]:
    """A label function: ``value``'s word translated, else ``other`` translated, else ``value``."""

    @pass_context
    def label(context: Context, value: str) -> str:
        message = words.get(value, other)
        return value if message is None else str(context["translations"].gettext(message))

    return label


# Markup.format goes through string.Formatter, slow enough to show in the inbox's profile:
# the parts are joined instead (adding text to Markup escapes the text).
@pass_context
def severity(context: Context, value: str) -> Markup:
    message = SEVERITIES.get(value)
    word = value if message is None else context["translations"].gettext(message)
    return Markup('<span class="badge ') + value + Markup('">') + word + Markup("</span>")


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
    "severity_label": severity,
    "event_label": _word(EVENTS),
    "role_label": _word(ROLES),
    "unit_kind_label": _word(UNIT_KINDS, N_("Other")),
    "deadline_label": deadline,
}
