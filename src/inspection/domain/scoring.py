"""Scoring answers to checklist items and adding them up: pure functions, no I/O.

An answer's value depends on the item's response type (``checklist.ANSWER_VALUES`` says it
for the API's schema):

========================  ==============================================================
``yes_no``                ``"yes"`` (max_points) or ``"no"`` (0)
``yes_no_partial``        ``"yes"``, ``"partial"`` (partial_points, else half) or ``"no"``
``score``                 a number from 0 to max_points, taken as the points
``number``                a measured value (a count or a share, 0 or more); points from the
                          first scoring band, highest ``min`` first, whose ``min`` is at or
                          below the value; 0 if none
``text``                  any string; no points
========================  ==============================================================

Any item that allows it may be answered "not applicable" instead: it then counts neither
in the points nor in the maximum.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import msgspec

from inspection.domain.checklist import YES_NO, YES_PARTIAL_NO, ChecklistFile, Item, RatingBand

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

DECIMALS = 4
"""Points are rounded to this many decimals, so 0.1 + 0.2 shows as 0.3."""

PERCENT_DECIMALS = 2

DEFAULT_RATING_BANDS: tuple[RatingBand, ...] = (
    RatingBand(min_percent=90.0, label_vi="Tốt", label_en="Good"),
    RatingBand(min_percent=80.0, label_vi="Khá", label_en="Fair"),
    RatingBand(min_percent=65.0, label_vi="Trung bình", label_en="Average"),
    RatingBand(min_percent=0.0, label_vi="Yếu", label_en="Weak"),
)
"""Ratings for checklists that define none: the usual PAR Index classification."""


class AnswerError(ValueError):
    """An answer whose value does not fit the item (wrong kind, out of range, N/A not allowed).

    Its message is a ``%(name)s`` template with its values, so it can be translated.
    """

    def __init__(self, template: str, **values: object) -> None:
        super().__init__(template % values if values else template)
        self.template = template
        self.values = values


class ScoredAnswer(msgspec.Struct, frozen=True, kw_only=True):
    """What one answer is worth.

    ``points`` is None for text items and N/A answers; ``max_points`` is 0 for them, so they
    do not weigh in any total. ``passed`` is False when a scored answer earns less than
    the maximum, which is what proposes a finding; None when there is nothing to pass.
    """

    points: float | None
    max_points: float
    passed: bool | None
    not_applicable: bool = False


class ItemTotal(msgspec.Struct, frozen=True, kw_only=True):
    """One item's share of the totals."""

    code: str
    criterion: str
    section: str
    points: float
    max_points: float
    answered: bool
    not_applicable: bool
    passed: bool | None


class Subtotal(msgspec.Struct, frozen=True, kw_only=True):
    """The totals of one criterion or section."""

    code: str
    points: float
    max_points: float
    percent: float
    answered: int
    total: int


class Totals(msgspec.Struct, frozen=True, kw_only=True):
    """An inspection's score so far, ready to be returned by the API as it is.

    ``items``, ``criteria`` and ``sections`` are keyed by code, in checklist order.
    ``rating`` is the band the overall percentage falls in, None if no band covers it.
    """

    points: float
    max_points: float
    percent: float
    rating: RatingBand | None
    answered: int
    total: int
    sections: dict[str, Subtotal]
    criteria: dict[str, Subtotal]
    items: dict[str, ItemTotal]


def score_answer(item: Item, value: object, not_applicable: bool = False) -> ScoredAnswer:
    """Score one answer to ``item``; raises :class:`AnswerError` when the value does not fit."""
    if not_applicable:
        if not item.allow_na:
            raise AnswerError("it cannot be answered as not applicable")
        return ScoredAnswer(points=None, max_points=0.0, passed=None, not_applicable=True)
    if item.response_type == "text":
        if not isinstance(value, str):
            raise AnswerError("expected text")
        return ScoredAnswer(points=None, max_points=0.0, passed=None)
    points = _round(_points(item, value))
    maximum = _round(item.max_points)
    return ScoredAnswer(points=points, max_points=maximum, passed=points >= maximum)


def _points(item: Item, value: object) -> float:
    match item.response_type:
        case "yes_no":
            return item.max_points if _choice(value, YES_NO) == "yes" else 0.0
        case "yes_no_partial":
            choice = _choice(value, YES_PARTIAL_NO)
            if choice == "partial":
                return item.partial_points if item.partial_points is not None else item.max_points / 2
            return item.max_points if choice == "yes" else 0.0
        case "score":
            number = _number(value, item.max_points)
            if not 0 <= number <= item.max_points:
                raise AnswerError(
                    "expected a number from 0 to %(most)s, got %(got)s",
                    most=_show(item.max_points),
                    got=_show(number),
                )
            return number
        case _:  # "number", a count or a share: text answers never reach here, they earn no points
            number = _number(value)
            if number < 0:
                raise AnswerError("expected 0 or more, got %(got)s", got=_show(number))
            return band_points(item, number)


def band_points(item: Item, value: float) -> float:
    """The points of the first band, highest ``min`` first, that ``value`` reaches; 0 if none."""
    for band in sorted(item.scoring_bands, key=lambda band: band.min, reverse=True):
        if band.min <= value:
            return band.points
    return 0.0


def _choice(value: object, allowed: Sequence[str]) -> str:
    if isinstance(value, str) and value in allowed:
        return value
    raise AnswerError("expected one of %(choices)s", choices=", ".join(allowed))


def _number(value: object, most: float | None = None) -> float:
    """``value`` as a number; ``most`` is the largest allowed, for the message."""
    # bool is an int in Python, but True is not a measurement.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        if most is None:
            raise AnswerError("expected a number")
        raise AnswerError("expected a number from 0 to %(most)s", most=_show(most))
    return float(value)


def _round(points: float) -> float:
    return round(points, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


def _show(number: float) -> str:
    return f"{number:g}"


def _percent(points: float, maximum: float) -> float:
    return round(points / maximum * 100, PERCENT_DECIMALS) if maximum > 0 else 0.0


def checklist_max_points(checklist: ChecklistFile) -> float:
    """The most a checklist can score: the sum of its items' points."""
    return _round(sum(item.max_points for _, _, item in checklist.items()))


def running_total(
    checklist_max: float, item_max: Mapping[str, float], points: float, not_applicable: Iterable[str]
) -> tuple[float, float]:
    """Points so far and the maximum, from the points of the answers given so far and the
    codes of the items answered not applicable.

    The same sums as :func:`totals` without the breakdown: every item counts in the
    maximum (an open one with 0 points) except those answered N/A.
    """
    left_out = sum(item_max.get(code, 0.0) for code in set(not_applicable))
    return _round(points), _round(checklist_max - left_out)


def rating_for(percent: float, bands: Sequence[RatingBand]) -> RatingBand | None:
    """The band with the highest ``min_percent`` at or below ``percent``."""
    for band in sorted(bands, key=lambda band: band.min_percent, reverse=True):
        if band.min_percent <= percent:
            return band
    return None


def totals(checklist: ChecklistFile, answers: Mapping[str, ScoredAnswer]) -> Totals:
    """Add up the scored answers (keyed by item code) per criterion, section and checklist.

    An item without an answer counts in the maximum with 0 points, so the score of an
    unfinished inspection is a lower bound; an N/A answer is left out of both points and
    maximum. Answers to codes the checklist does not have are ignored. The rating comes
    from the checklist's rating bands, or :data:`DEFAULT_RATING_BANDS` when it has none.
    """
    items: dict[str, ItemTotal] = {}
    criteria: dict[str, Subtotal] = {}
    sections: dict[str, Subtotal] = {}
    for section in checklist.sections:
        section_parts: list[ItemTotal] = []
        for criterion in section.criteria:
            parts = [
                _item_total(item, criterion.code, section.code, answers.get(item.code))
                for item in criterion.items
            ]
            items.update((part.code, part) for part in parts)
            criteria[criterion.code] = _subtotal(criterion.code, parts)
            section_parts.extend(parts)
        sections[section.code] = _subtotal(section.code, section_parts)
    overall = _subtotal("", list(items.values()))
    bands = checklist.checklist.rating_bands or DEFAULT_RATING_BANDS
    return Totals(
        points=overall.points,
        max_points=overall.max_points,
        percent=overall.percent,
        rating=rating_for(overall.percent, bands),
        answered=overall.answered,
        total=overall.total,
        sections=sections,
        criteria=criteria,
        items=items,
    )


def _item_total(item: Item, criterion: str, section: str, answer: ScoredAnswer | None) -> ItemTotal:
    if answer is None:
        maximum = 0.0 if item.response_type == "text" else item.max_points
        return ItemTotal(
            code=item.code,
            criterion=criterion,
            section=section,
            points=0.0,
            max_points=_round(maximum),
            answered=False,
            not_applicable=False,
            passed=None,
        )
    return ItemTotal(
        code=item.code,
        criterion=criterion,
        section=section,
        points=answer.points or 0.0,
        max_points=answer.max_points,
        answered=True,
        # Answers read back from storage may not carry the flag: no points on a scored item means N/A.
        not_applicable=answer.not_applicable or (answer.points is None and item.response_type != "text"),
        passed=answer.passed,
    )


def _subtotal(code: str, parts: Sequence[ItemTotal]) -> Subtotal:
    points = _round(sum(part.points for part in parts))
    maximum = _round(sum(part.max_points for part in parts))
    return Subtotal(
        code=code,
        points=points,
        max_points=maximum,
        percent=_percent(points, maximum),
        answered=sum(1 for part in parts if part.answered),
        total=len(parts),
    )
