"""What an answer does to its item's finding: pure rules, no I/O."""

from __future__ import annotations

import enum


class FindingChange(enum.Enum):
    """The change an answer makes to the finding of its item."""

    PROPOSE = "propose"
    WITHDRAW = "withdraw"


def finding_change(passed: bool | None, has_finding: bool, proposed: bool) -> FindingChange | None:
    """A falling-short answer (``passed is False``) proposes a finding when its item has none;
    an answer that no longer falls short withdraws a proposal the inspector has not confirmed.

    A confirmed finding, or one the inspector wrote, is never touched by an answer.
    """
    if passed is False and not has_finding:
        return FindingChange.PROPOSE
    if passed is not False and has_finding and proposed:
        return FindingChange.WITHDRAW
    return None
