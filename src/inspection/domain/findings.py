"""What an answer does to its item's finding: pure rules, no I/O."""

from __future__ import annotations

import enum
from collections.abc import Callable

from inspection.domain.checklist import Item


class FindingChange(enum.Enum):
    """The change an answer makes to the finding of its item."""

    PROPOSE = "propose"
    WITHDRAW = "withdraw"


def finding_change(passed: bool | None, has_finding: bool, proposed: bool) -> FindingChange | None:
    """A falling-short answer (``passed is False``) proposes a finding when its item has none;
    an answer that no longer falls short withdraws a proposal the inspector has not confirmed.

    A confirmed finding, a dismissed one (its proposal was turned down with a reason, which
    stays on record), or one the inspector wrote, is never touched by an answer.
    """
    if passed is False and not has_finding:
        return FindingChange.PROPOSE
    if passed is not False and has_finding and proposed:
        return FindingChange.WITHDRAW
    return None


def follows_its_answer(proposed: bool, version: int) -> bool:
    """Whether a finding's text is still the one its answer wrote, and so follows the answer
    when it changes (a note added, another failing value): a proposal nobody has edited
    (version 1). Once the inspector edits, confirms or dismisses it, its text is theirs."""
    return proposed and version == 1


def shown_answer(item: Item, value: object, language: str, gettext: Callable[[str], str]) -> str:
    """An answer as a finding's text quotes it: the choice's word, or the number (with a
    decimal comma in Vietnamese) and the item's unit, or "out of" its points for a score."""
    words = {"yes": "Yes", "no": "No", "partial": "Partly"}
    if isinstance(value, str):
        return gettext(words[value]) if value in words else value
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = _number(value, language)
        if item.response_type == "score":
            return f"{number}/{_number(item.max_points, language)}"
        return f"{number} {item.unit}".strip()
    return gettext("Not answered")


def _number(value: float, language: str) -> str:
    shown = f"{value:g}"
    return shown.replace(".", ",") if language == "vi" else shown
