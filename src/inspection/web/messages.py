"""Messages the services and Litestar raise, listed so the catalogs translate them.

The services speak English (the API's language); a page shows the same message through
gettext, so each one listed here reads in Vietnamese too. A message not listed (one that
carries a value, such as a date) is shown as the service wrote it. Messages with values
are templates (see :mod:`inspection.errors`): the template is translated, then filled.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark ``message`` for extraction; translation happens when the page is rendered."""
    return message


def pgettext(context: str, message: str) -> tuple[str, str]:
    """Mark ``message`` in ``context`` for extraction (Babel knows the name ``pgettext``), for
    a word whose translation depends on what it describes ("in progress": an inspection is
    "đang kiểm tra", an action "đang khắc phục"); translated when the page is rendered."""
    return context, message


SERVICE_MESSAGES = (
    N_("Wrong username or password"),
    N_("CSRF token verification failed"),
    N_("Sign in first"),
    N_("No such action"),
    N_("No such inspection"),
    N_("No such finding"),
    N_("No such unit"),
    N_("No such user"),
    N_("No such evidence"),
    N_("No such extension request"),
    N_("No such page"),
    N_("The period must start before it ends, and not after today"),
    N_("Only unit heads of a unit can see its dashboard"),
    N_("Not Found"),
    N_("Only inspectors plan inspections"),
    N_("Only a member of the inspection team may change this inspection"),
    N_("The action was changed by someone else; reload it"),
    N_("The finding was changed by someone else; reload it"),
    N_("The inspection was changed by someone else; reload it"),
    N_("A note is required to progress"),
    N_("A note is required to report fixed"),
    N_("A note is required to reopen"),
    N_("Only the head of the action's unit may acknowledge"),
    N_("Only the head of the action's unit may progress"),
    N_("Only the head of the action's unit may report fixed"),
    N_("Only the head of the action's unit may ask for more time"),
    N_("Only the head of the action's unit may add evidence"),
    N_("Only an inspector of the inspection team may close"),
    N_("Only an inspector of the inspection team may reopen"),
    N_("Only a leader or an inspector of the inspection team may decide an extension"),
    N_("An extension request for this action is already waiting for a decision"),
    N_("A unit with this code exists already"),
    N_("This username is taken"),
    N_("The requested deadline must be in the future"),
    N_("This extension request has already been decided"),
    N_("Only a leader may send a reminder or escalate an action by hand"),
    N_("The unit owes nothing on this action: there is nothing to chase"),
    N_("The action's unit has no head to remind"),
    N_("Only an overdue action can be escalated"),
    N_("A reminder was sent today at %(time)s by %(by)s"),
    N_("The action was escalated today at %(time)s by %(by)s"),
    N_("The action is closed; reopen it before adding evidence"),
    N_("The deadline cannot be in the past"),
    N_("The new deadline cannot be in the past"),
    N_("The comment is empty"),
    N_("Observers and administrators cannot comment on actions"),
    N_("The file is empty"),
    N_("Enter a number"),
    N_("Only a failed notification can be sent again"),
    N_("The head must be an active unit_head user of this unit"),
    N_("A unit head must belong to a unit"),
    N_("This needs the role admin"),
    N_("This needs the role inspector"),
    N_("Give the reason the item does not apply in the note"),
    N_("Give the reason for dismissing the finding"),
    N_("Say what was found"),
    N_("A unit cannot be placed under itself"),
    N_("A proposed finding is dismissed with a reason, not deleted"),
)

TEMPLATES = (
    N_("Not active inspectors: %(users)s"),
    N_("No active unit %(unit)s"),
    N_("Item %(item)s cannot be marked not applicable"),
    N_("Item %(item)s: it cannot be answered as not applicable"),
    N_("Item %(item)s: expected text"),
    N_("Item %(item)s: expected a number"),
    N_("Item %(item)s: expected a number from 0 to %(most)s"),
    N_("Item %(item)s: expected a number from 0 to %(most)s, got %(got)s"),
    N_("Item %(item)s: expected one of %(choices)s"),
    N_("The inspection is %(inspection_status)s; it can no longer be changed"),
    N_("Checklist %(checklist)s v%(version)s has no item %(item)s"),
    N_("No checklist version %(version)s"),
    N_("No checklist with code %(checklist)s is loaded"),
    N_("The period can span at most %(months)s months"),
    N_("No unit %(unit)s"),
    N_("Another record has the same %(columns)s"),
    N_("The file is %(size)s bytes; at most %(most)s are allowed"),
    N_("The file's content is not %(type)s"),
    N_("Only a failed notification can be sent again; this one is %(status)s"),
    N_("The requested deadline must be after the current one (%(due)s)"),
    N_("The date must be between %(first)s and %(last)s"),
    N_("Too many sign-in attempts; wait %(seconds)s s before trying again"),
    N_("Item %(item)s: expected 0 or more, got %(got)s"),
    N_(
        "Items not answered yet, %(count)s in all (answer each, or mark it not applicable"
        " with a reason): %(items)s"
    ),
    N_("Proposed findings neither confirmed nor dismissed, %(count)s in all: %(findings)s"),
    # A proposed finding's text (services/inspections.py), in the inspector's language.
    N_("Not met: %(item)s"),
    N_("%(shortfall)s — answer: %(answer)s"),
    N_("The action is %(status)s; this needs it to be %(allowed)s"),
    N_("The action is %(status)s; more time can no longer be asked for"),
    N_("Item %(item)s: choose an answer for the note, or clear the note"),
    N_("%(name)s: enter a date as dd/mm/yyyy"),
    N_("%(name)s: this field is required"),
    N_("%(name)s: this value is not accepted"),
    N_("%(name)s: text cannot hold the character NUL"),
    N_("Checklist %(checklist)s does not apply to units of kind %(kind)s"),
)
