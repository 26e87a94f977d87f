"""Scoring answers and adding them up, as an inspector's answers become a unit's score."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from inspection.checklists.validate import load_checklist_file
from inspection.domain.checklist import (
    Band,
    ChecklistFile,
    Criterion,
    Item,
    Meta,
    RatingBand,
    Section,
)
from inspection.domain.scoring import (
    DEFAULT_RATING_BANDS,
    AnswerError,
    ScoredAnswer,
    checklist_max_points,
    rating_for,
    score_answer,
    totals,
)
from inspection.paths import CHECKLISTS


def item(response_type: str, max_points: float = 2.0, **values: Any) -> Item:
    return msgspec.convert(
        {
            "code": "x",
            "text_vi": "Nội dung",
            "response_type": response_type,
            "max_points": max_points,
            **values,
        },
        Item,
    )


def answer(points: float | None, max_points: float, passed: bool | None, na: bool = False) -> ScoredAnswer:
    return ScoredAnswer(points=points, max_points=max_points, passed=passed, not_applicable=na)


# --- one answer -------------------------------------------------------------------------


def test_yes_no() -> None:
    question = item("yes_no", 1.5)
    assert score_answer(question, "yes") == answer(1.5, 1.5, True)
    assert score_answer(question, "no") == answer(0.0, 1.5, False)


@pytest.mark.parametrize("value", ["partial", "Yes", True, 1, None])
def test_yes_no_rejects_anything_else(value: object) -> None:
    with pytest.raises(AnswerError, match="expected one of yes, no"):
        score_answer(item("yes_no"), value)


def test_yes_no_partial_defaults_to_half() -> None:
    question = item("yes_no_partial", 2.0)
    assert score_answer(question, "yes") == answer(2.0, 2.0, True)
    assert score_answer(question, "partial") == answer(1.0, 2.0, False)
    assert score_answer(question, "no") == answer(0.0, 2.0, False)
    with pytest.raises(AnswerError, match="expected one of yes, partial, no"):
        score_answer(question, "half")


def test_yes_no_partial_with_its_own_partial_points() -> None:
    question = item("yes_no_partial", 1.0, partial_points=0.25)
    assert score_answer(question, "partial") == answer(0.25, 1.0, False)


def test_points_are_rounded_to_four_decimals() -> None:
    question = item("yes_no_partial", 1.0, partial_points=1 / 3)
    assert score_answer(question, "partial").points == 0.3333


def test_score_is_taken_as_the_points() -> None:
    question = item("score", 5.0)
    assert score_answer(question, 3.5) == answer(3.5, 5.0, False)
    assert score_answer(question, 5) == answer(5.0, 5.0, True)
    assert score_answer(question, 0) == answer(0.0, 5.0, False)


@pytest.mark.parametrize("value", [-0.5, 5.5, "3", True, float("nan"), None])
def test_score_out_of_range_or_not_a_number(value: object) -> None:
    with pytest.raises(AnswerError, match="expected a number from 0 to 5"):
        score_answer(item("score", 5.0), value)


def test_number_takes_the_highest_band_reached() -> None:
    # Bands listed out of order on purpose: the highest min is tried first whatever the file says.
    bands = [{"min": 80.0, "points": 1.0}, {"min": 100.0, "points": 2.0}, {"min": 95.0, "points": 1.5}]
    question = item("number", 2.0, scoring_bands=bands, unit="%")
    assert score_answer(question, 100) == answer(2.0, 2.0, True)
    assert score_answer(question, 99.9) == answer(1.5, 2.0, False)
    assert score_answer(question, 95) == answer(1.5, 2.0, False)
    assert score_answer(question, 80) == answer(1.0, 2.0, False)
    assert score_answer(question, 79.99) == answer(0.0, 2.0, False)
    with pytest.raises(AnswerError, match="expected a number"):
        score_answer(question, "ninety")


def test_number_where_fewer_is_better() -> None:
    # Dossiers sent back twice or more: 0 earns everything, 1 half, 2 or more nothing.
    bands = [{"min": 2.0, "points": 0.0}, {"min": 1.0, "points": 1.0}, {"min": 0.0, "points": 2.0}]
    question = item("number", 2.0, scoring_bands=bands)
    assert [score_answer(question, n).points for n in (0, 1, 2, 7)] == [2.0, 1.0, 0.0, 0.0]
    assert score_answer(question, 0).passed is True


def test_text_earns_nothing_and_passes_nothing() -> None:
    question = item("text", 0.0)
    assert score_answer(question, "Kiểm tra 15 hồ sơ, 2 sai sót") == answer(None, 0.0, None)
    with pytest.raises(AnswerError, match="expected text"):
        score_answer(question, 15)


def test_not_applicable_is_left_out_of_the_maximum() -> None:
    assert score_answer(item("yes_no"), None, not_applicable=True) == answer(None, 0.0, None, na=True)


def test_not_applicable_only_where_allowed() -> None:
    with pytest.raises(AnswerError, match="not applicable"):
        score_answer(item("yes_no", allow_na=False), None, not_applicable=True)


# --- totals -------------------------------------------------------------------------------


def sheet(rating_bands: list[RatingBand] | None = None) -> ChecklistFile:
    def yes_no(code: str, points: float) -> Item:
        return Item(code=code, text_vi=code, response_type="yes_no", max_points=points)

    return ChecklistFile(
        checklist=Meta(code="demo", title_vi="Phiếu mẫu", rating_bands=rating_bands or []),
        sections=[
            Section(
                code="A",
                title_vi="A",
                criteria=[
                    Criterion(code="A.1", title_vi="A.1", items=[yes_no("A1", 2.0), yes_no("A2", 2.0)]),
                    Criterion(
                        code="A.2",
                        title_vi="A.2",
                        items=[
                            Item(
                                code="A3",
                                text_vi="A3",
                                response_type="number",
                                max_points=4.0,
                                scoring_bands=[Band(min=90, points=4.0), Band(min=50, points=2.0)],
                            ),
                            Item(code="A4", text_vi="A4", response_type="text"),
                        ],
                    ),
                ],
            ),
            Section(
                code="B",
                title_vi="B",
                criteria=[Criterion(code="B.1", title_vi="B.1", items=[yes_no("B1", 2.0)])],
            ),
        ],
    )


def scored(
    checklist: ChecklistFile, values: dict[str, object], na: frozenset[str] = frozenset()
) -> dict[str, ScoredAnswer]:
    items = {entry.code: entry for _, _, entry in checklist.items()}
    return {code: score_answer(items[code], value, code in na) for code, value in values.items()}


def test_totals_per_criterion_section_and_checklist() -> None:
    checklist = sheet()
    result = totals(
        checklist, scored(checklist, {"A1": "yes", "A2": "no", "A3": 60, "A4": "ghi chú", "B1": "yes"})
    )
    assert (result.criteria["A.1"].points, result.criteria["A.1"].max_points) == (2.0, 4.0)
    assert (result.criteria["A.2"].points, result.criteria["A.2"].max_points) == (2.0, 4.0)
    assert (result.sections["A"].points, result.sections["A"].max_points, result.sections["A"].percent) == (
        4.0,
        8.0,
        50.0,
    )
    assert (result.points, result.max_points, result.percent) == (6.0, 10.0, 60.0)
    assert (result.answered, result.total) == (5, 5)
    assert result.items["A2"].passed is False
    assert result.items["A4"].max_points == 0.0
    assert result.rating is not None
    assert result.rating.label_vi == "Yếu"


def test_unanswered_items_count_in_the_maximum_with_no_points() -> None:
    checklist = sheet()
    result = totals(checklist, scored(checklist, {"A1": "yes"}))
    assert (result.points, result.max_points, result.percent) == (2.0, 10.0, 20.0)
    assert (result.answered, result.total) == (1, 5)
    assert (result.criteria["A.1"].answered, result.criteria["A.1"].total) == (1, 2)
    assert result.items["A2"].answered is False
    assert result.items["A2"].max_points == 2.0


def test_not_applicable_items_leave_the_maximum() -> None:
    checklist = sheet()
    answers = scored(checklist, {"A1": "yes", "A2": None, "A3": 95, "B1": None}, na=frozenset({"A2", "B1"}))
    result = totals(checklist, answers)
    assert (result.points, result.max_points, result.percent) == (6.0, 6.0, 100.0)
    assert result.items["A2"].not_applicable is True
    assert (result.sections["B"].max_points, result.sections["B"].percent) == (0.0, 0.0)
    assert result.rating is not None
    assert (result.rating.label_vi, result.rating.label_en) == ("Tốt", "Good")


def test_not_applicable_is_recognised_in_answers_read_back_without_the_flag() -> None:
    checklist = sheet()
    result = totals(checklist, {"A2": ScoredAnswer(points=None, max_points=0.0, passed=None)})
    assert result.items["A2"].not_applicable is True
    assert result.max_points == 8.0


@pytest.mark.parametrize(
    ("values", "label"),
    [
        ({"A1": "yes", "A2": "yes", "A3": 90, "B1": "yes"}, "Tốt"),
        ({"A1": "yes", "A2": "yes", "A3": 90, "B1": "no"}, "Khá"),
        ({"A1": "yes", "A2": "no", "A3": 90, "B1": "yes"}, "Khá"),
        ({"A1": "yes", "A2": "no", "A3": 60, "B1": "yes"}, "Yếu"),
        ({"A1": "yes", "A2": "yes", "A3": 60, "B1": "no"}, "Yếu"),
    ],
)
def test_default_rating_bands(values: dict[str, object], label: str) -> None:
    checklist = sheet()
    rating = totals(checklist, scored(checklist, values)).rating
    assert rating is not None
    assert rating.label_vi == label


@pytest.mark.parametrize(
    ("percent", "label"),
    [
        (100, "Tốt"),
        (90, "Tốt"),
        (89.99, "Khá"),
        (80, "Khá"),
        (79.99, "Trung bình"),
        (65, "Trung bình"),
        (64.99, "Yếu"),
        (0, "Yếu"),
    ],
)
def test_default_rating_thresholds(percent: float, label: str) -> None:
    rating = rating_for(percent, DEFAULT_RATING_BANDS)
    assert rating is not None
    assert rating.label_vi == label


def test_checklist_rating_bands_replace_the_default() -> None:
    checklist = sheet(
        [RatingBand(min_percent=50, label_vi="Đạt"), RatingBand(min_percent=0, label_vi="Chưa đạt")]
    )
    rating = totals(checklist, scored(checklist, {"A1": "yes", "A2": "yes", "A3": 50})).rating
    assert rating is not None
    assert rating.label_vi == "Đạt"


def test_empty_maximum_scores_zero_percent() -> None:
    checklist = sheet()
    na = frozenset({"A1", "A2", "A3", "B1"})
    result = totals(checklist, scored(checklist, dict.fromkeys(na), na=na))
    assert (result.points, result.max_points, result.percent) == (0.0, 0.0, 0.0)


def test_totals_encode_as_json() -> None:
    checklist = sheet()
    encoded = msgspec.json.decode(msgspec.json.encode(totals(checklist, scored(checklist, {"A1": "yes"}))))
    assert encoded["sections"]["A"]["points"] == 2.0
    assert encoded["rating"]["label_vi"] == "Yếu"
    assert encoded["items"]["A1"]["criterion"] == "A.1"


def test_a_perfect_commune_inspection_scores_full_marks() -> None:
    checklist = load_checklist_file(CHECKLISTS / "commune_one_stop.toml")
    answers: dict[str, ScoredAnswer] = {}
    for _, _, question in checklist.items():
        if question.response_type in ("yes_no", "yes_no_partial"):
            value: object = "yes"
        elif question.response_type == "score":
            value = question.max_points
        elif question.response_type == "number":
            value = max(question.scoring_bands, key=lambda band: band.points).min
        else:
            value = "Không có"
        answers[question.code] = score_answer(question, value)
    result = totals(checklist, answers)
    assert (result.points, result.max_points, result.percent) == (50.0, 50.0, 100.0)
    assert result.max_points == checklist_max_points(checklist)
    assert all(entry.passed is not False for entry in result.items.values())
    assert result.rating is not None
    assert result.rating.label_vi == "Tốt"
