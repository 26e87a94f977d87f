"""Checklist files: the shipped ones are valid, and every kind of mistake is reported precisely."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from inspection.checklists.validate import (
    ChecklistError,
    load_checklist_file,
    parse_checklist,
    validate_folder,
    validate_paths,
)
from inspection.paths import CHECKLISTS

if TYPE_CHECKING:
    from pathlib import Path

    from inspection.domain.checklist import ChecklistFile

SHIPPED = {
    "par_index_district.toml": ("par-index-district", ["district"], 100.0),
    "par_index_department.toml": ("par-index-department", ["department", "one_stop_shop"], 100.0),
    "commune_one_stop.toml": ("commune-one-stop", ["commune", "town"], 50.0),
}

VALID = """\
[checklist]
code = "demo"
title_vi = "Phiếu mẫu"
total_max_points = 3.0
rating_bands = [
  { min_percent = 80.0, label_vi = "Đạt" },
  { min_percent = 0.0, label_vi = "Chưa đạt" },
]

[[sections]]
code = "1"
title_vi = "Lĩnh vực 1"
max_points = 3.0

[[sections.criteria]]
code = "1.1"
title_vi = "Tiêu chí 1.1"
max_points = 3.0

[[sections.criteria.items]]
code = "1.1.1"
text_vi = "Có kế hoạch"
response_type = "yes_no"
max_points = 1.0

[[sections.criteria.items]]
code = "1.1.2"
text_vi = "Tỷ lệ hoàn thành"
response_type = "number"
max_points = 2.0
scoring_bands = [ { min = 100.0, points = 2.0 }, { min = 80.0, points = 1.0 } ]

[[sections.criteria.items]]
code = "1.1.3"
text_vi = "Ghi chú"
response_type = "text"
"""


def line_of(text: str, fragment: str, occurrence: int = 0) -> int:
    """The 1-based line of the n-th line containing ``fragment``."""
    lines = [number for number, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return lines[occurrence]


def errors_of(tmp_path: Path, text: str, name: str = "bad.toml") -> tuple[list[ChecklistError], str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ChecklistError) as caught:
        load_checklist_file(path)
    return caught.value.errors, str(path)


def replaced(old: str, new: str, text: str = VALID) -> str:
    assert old in text
    return text.replace(old, new, 1)


def sum_of(values: list[float]) -> float:
    return round(sum(values), 6)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_checklist_loads_and_adds_up(name: str) -> None:
    checklist: ChecklistFile = load_checklist_file(CHECKLISTS / name)
    code, applies_to, total = SHIPPED[name]
    meta = checklist.checklist
    assert (meta.code, meta.applies_to, meta.total_max_points) == (code, applies_to, total)
    assert meta.points_are_illustrative
    assert sum_of([section.max_points or 0.0 for section in checklist.sections]) == total
    for section in checklist.sections:
        assert sum_of([criterion.max_points or 0.0 for criterion in section.criteria]) == section.max_points
        for criterion in section.criteria:
            assert sum_of([item.max_points for item in criterion.items]) == criterion.max_points
    for _, _, item in checklist.items():
        if item.response_type == "text":
            assert item.max_points == 0
        else:
            assert item.max_points > 0, item.code
        if item.response_type == "number":
            assert max(band.points for band in item.scoring_bands) == item.max_points


def test_shipped_folder_has_no_mistakes() -> None:
    assert validate_folder(CHECKLISTS) == []
    assert {path.name for path in CHECKLISTS.glob("*.toml")} == set(SHIPPED)


def test_district_sheet_has_eight_fields_and_the_usual_ratings() -> None:
    checklist = load_checklist_file(CHECKLISTS / "par_index_district.toml")
    assert [section.code for section in checklist.sections] == [str(n) for n in range(1, 9)]
    ratings = [(band.min_percent, band.label_vi) for band in checklist.checklist.rating_bands]
    assert ratings == [(90.0, "Tốt"), (80.0, "Khá"), (65.0, "Trung bình"), (0.0, "Yếu")]


def test_commune_sheet_keeps_severities_and_deadlines() -> None:
    checklist = load_checklist_file(CHECKLISTS / "commune_one_stop.toml")
    items = {item.code: item for _, _, item in checklist.items()}
    assert items["B1"].severity == "critical"
    assert items["B11"].severity == "critical"
    assert items["A3"].severity == "major"
    assert items["A1"].severity == "minor"
    deadlines = checklist.checklist.deadlines
    assert (deadlines.minor, deadlines.major, deadlines.critical) == (30, 15, 7)
    assert len(items) == 28


def test_bad_toml_is_reported_with_its_line(tmp_path: Path) -> None:
    text = replaced('title_vi = "Lĩnh vực 1"', "title_vi = Lĩnh vực 1")
    [error], source = errors_of(tmp_path, text)
    assert error.source == source
    assert error.line == line_of(text, "title_vi = Lĩnh vực 1")
    assert error.code == ""
    assert "TOML syntax" in error.reason
    assert str(error).startswith(f"{source}:{error.line}: TOML syntax")


def test_unknown_response_type_is_reported_at_the_item(tmp_path: Path) -> None:
    text = replaced('response_type = "yes_no"', 'response_type = "maybe"')
    [error], source = errors_of(tmp_path, text)
    assert (error.source, error.kind, error.code) == (source, "item", "1.1.1")
    assert error.line == line_of(text, '"maybe"')
    assert "response_type" in error.reason
    assert "maybe" in error.reason
    assert str(error).startswith(f"{source}:{error.line}: item 1.1.1: response_type")


def test_unknown_field_is_reported_with_its_name(tmp_path: Path) -> None:
    text = replaced("max_points = 2.0\nscoring", "max_points = 2.0\nweight = 3\nscoring")
    [error], _ = errors_of(tmp_path, text)
    assert (error.kind, error.code) == ("item", "1.1.2")
    assert error.line == line_of(text, "weight = 3")
    assert "unknown field `weight`" in error.reason


def test_unknown_field_in_the_checklist_table(tmp_path: Path) -> None:
    text = replaced('code = "demo"', 'code = "demo"\nlevel = "district"')
    [error], _ = errors_of(tmp_path, text)
    assert error.code == ""
    assert error.line == line_of(text, "level =")
    assert "unknown field `level`" in error.reason


def test_wrong_type_is_reported_at_the_field(tmp_path: Path) -> None:
    text = replaced("max_points = 1.0", 'max_points = "one"')
    [error], _ = errors_of(tmp_path, text)
    assert (error.kind, error.code, error.line) == ("item", "1.1.1", line_of(text, '"one"'))
    assert "max_points" in error.reason


def test_duplicate_code_is_reported_where_it_is_reused(tmp_path: Path) -> None:
    text = replaced('code = "1.1.2"', 'code = "1.1"')
    errors, _ = errors_of(tmp_path, text)
    [duplicate] = [error for error in errors if "duplicate" in error.reason]
    assert (duplicate.kind, duplicate.code) == ("item", "1.1")
    assert duplicate.line == line_of(text, 'code = "1.1"', occurrence=1)
    first = line_of(text, 'code = "1.1"')
    assert f"already used by criterion 1.1 (line {first})" in duplicate.reason


def test_items_that_do_not_add_up_to_their_criterion(tmp_path: Path) -> None:
    text = replaced("max_points = 1.0", "max_points = 1.5")
    [error], source = errors_of(tmp_path, text)
    assert (error.kind, error.code) == ("criterion", "1.1")
    assert error.line == line_of(text, "max_points = 3.0", occurrence=2)
    assert error.reason == "points of items (3.5) do not add up to the criterion's max_points (3.0)"
    assert str(error) == f"{source}:{error.line}: criterion 1.1: {error.reason}"


def test_criteria_and_sections_that_do_not_add_up(tmp_path: Path) -> None:
    text = replaced("total_max_points = 3.0", "total_max_points = 4.0")
    text = replaced(
        "max_points = 3.0\n\n[[sections.criteria]]", "max_points = 2.5\n\n[[sections.criteria]]", text
    )
    errors, _ = errors_of(tmp_path, text)
    reasons = {(error.kind, error.code): error.reason for error in errors}
    assert reasons == {
        ("section", "1"): "points of criteria (3.0) do not add up to the section's max_points (2.5)",
        ("", ""): "points of sections (2.5) do not add up to the checklist's total_max_points (4.0)",
    }


def test_point_rules_of_items(tmp_path: Path) -> None:
    text = replaced(
        'response_type = "yes_no"\nmax_points = 1.0',
        'response_type = "yes_no"\nmax_points = 1.0\npartial_points = 0.5',
    )
    text = replaced('response_type = "text"', 'response_type = "text"\nmax_points = 1.0', text)
    text = replaced(
        "scoring_bands = [ { min = 100.0, points = 2.0 }",
        "scoring_bands = [ { min = 100.0, points = 2.5 }",
        text,
    )
    text = replaced("total_max_points = 3.0", "total_max_points = 4.0", text)
    text = replaced("max_points = 3.0", "max_points = 4.0", text)
    text = replaced("max_points = 3.0", "max_points = 4.0", text)
    errors, _ = errors_of(tmp_path, text)
    found = {(error.code, error.reason) for error in errors}
    assert found == {
        ("1.1.1", "partial_points is only for yes_no_partial items"),
        ("1.1.3", "a text item earns no points, but has max_points 1.0"),
        ("1.1.2", "a scoring band gives 2.5 points, more than max_points (2.0)"),
    }
    lines = {error.code: error.line for error in errors}
    assert lines["1.1.1"] == line_of(text, "partial_points")
    assert lines["1.1.2"] == line_of(text, "scoring_bands")


def test_number_items_need_bands_and_others_may_not_have_them(tmp_path: Path) -> None:
    text = replaced("scoring_bands = [ { min = 100.0, points = 2.0 }, { min = 80.0, points = 1.0 } ]\n", "")
    text = replaced(
        'response_type = "yes_no"\nmax_points = 1.0',
        'response_type = "yes_no"\nmax_points = 1.0\nscoring_bands = [ { min = 1.0, points = 1.0 } ]',
        text,
    )
    errors, _ = errors_of(tmp_path, text)
    assert {(error.code, error.reason) for error in errors} == {
        ("1.1.1", "scoring_bands are only for number items"),
        ("1.1.2", "a number item needs scoring_bands"),
    }


def test_scored_item_without_points(tmp_path: Path) -> None:
    text = replaced("max_points = 1.0", "max_points = 0.0")
    text = replaced("total_max_points = 3.0", "total_max_points = 2.0", text)
    text = replaced("max_points = 3.0", "max_points = 2.0", text)
    text = replaced("max_points = 3.0", "max_points = 2.0", text)
    [error], _ = errors_of(tmp_path, text)
    assert (error.code, error.reason) == ("1.1.1", "a yes_no item needs max_points greater than 0")


def test_rating_bands_must_go_down_to_zero(tmp_path: Path) -> None:
    text = replaced('{ min_percent = 80.0, label_vi = "Đạt" }', '{ min_percent = 50.0, label_vi = "Đạt" }')
    text = replaced(
        '{ min_percent = 0.0, label_vi = "Chưa đạt" }', '{ min_percent = 50.0, label_vi = "Chưa đạt" }', text
    )
    errors, _ = errors_of(tmp_path, text)
    assert [error.reason for error in errors] == [
        "two rating bands start at 50.0%",
        "the lowest rating band must start at 0% so that every score gets a rating",
    ]
    assert {error.line for error in errors} == {line_of(text, "rating_bands")}


def test_every_mistake_of_a_file_is_listed(tmp_path: Path) -> None:
    text = replaced('code = "1.1.2"', 'code = "1.1.1"')
    text = replaced("max_points = 1.0", "max_points = 1.5", text)
    path = tmp_path / "many.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ChecklistError) as caught:
        load_checklist_file(path)
    assert len(caught.value.errors) == 2
    assert str(caught.value).splitlines() == [str(error) for error in caught.value.errors]


def test_parse_names_the_source_it_is_given() -> None:
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(replaced('response_type = "text"', 'response_type = "essay"'), "inline.toml")
    assert caught.value.source == "inline.toml"
    assert caught.value.code == "1.1.3"


def test_validate_folder_reports_every_file(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(VALID, encoding="utf-8")
    (tmp_path / "b.toml").write_text(VALID, encoding="utf-8")
    (tmp_path / "c.toml").write_text("[checklist\n", encoding="utf-8")
    errors = validate_folder(tmp_path)
    assert [(error.source, error.line) for error in errors] == [
        (str(tmp_path / "c.toml"), 1),
        (str(tmp_path / "b.toml"), line_of(VALID, 'code = "demo"')),
    ]
    assert "already used by" in errors[1].reason
    assert validate_paths([tmp_path / "a.toml"]) == ([], 1)


def test_missing_or_empty_folder_is_a_mistake(tmp_path: Path) -> None:
    assert [error.reason for error in validate_folder(tmp_path)] == [
        "no checklist files (*.toml) in this folder"
    ]
    assert [error.reason for error in validate_folder(tmp_path / "nope")] == ["no such file or folder"]


def test_item_without_code_is_found_by_its_table(tmp_path: Path) -> None:
    text = replaced('code = "1.1.2"\n', "")
    [error], _ = errors_of(tmp_path, text)
    assert (error.kind, error.code) == ("criterion", "1.1")
    assert error.line == line_of(text, "[[sections.criteria.items]]", occurrence=1)
    assert "missing required field `code`" in error.reason
    assert "items[1]" in error.reason
