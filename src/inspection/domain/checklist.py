"""What a checklist is, and the schema its file (TOML) is decoded into with msgspec.

A checklist is sections (lĩnh vực) of criteria (tiêu chí) of items (tiêu chí thành phần);
the items are what an inspector answers. The same Structs are stored as JSON in each
checklist version, so an inspection always scores against the version it started with.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from inspection.domain.dates import WINDOW_YEARS

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
Text = Annotated[str, msgspec.Meta(min_length=1)]
Points = Annotated[float, msgspec.Meta(ge=0)]
Severity = Literal["minor", "major", "critical"]
# The kinds of unit the directory knows; a checklist names those it applies to.
UnitKind = Literal["district", "department", "commune", "town", "ward", "one_stop_shop", "other"]
ResponseType = Literal["yes_no", "yes_no_partial", "score", "number", "text"]
SEVERITIES: tuple[Severity, ...] = ("minor", "major", "critical")

YES_NO = ("yes", "no")
YES_PARTIAL_NO = ("yes", "partial", "no")


def _one_of(choices: tuple[str, ...]) -> str:
    return "one of " + ", ".join(f'"{choice}"' for choice in choices)


ANSWER_VALUES: dict[ResponseType, str] = {
    "yes_no": f"{_one_of(YES_NO)}: max_points or 0",
    "yes_no_partial": f"{_one_of(YES_PARTIAL_NO)}: partial earns partial_points, else half",
    "score": "a number from 0 to the item's max_points, taken as the points",
    "number": "a measured value, 0 or more (a count or a share): the points of the highest "
    "scoring band whose min it reaches, else 0",
    "text": "any text; it earns no points",
}
"""What an answer to an item of each response type is (scored in ``domain/scoring.py``)."""


def answer_values() -> str:
    """The answer values of every response type, as one text (the API schema's description)."""
    return "; ".join(f"{kind}: {values}" for kind, values in ANSWER_VALUES.items())


class Base(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """Shared options: unknown keys are errors (a typo is never silently ignored),
    defaults are left out of stored JSON, and every field is named when built."""


class Band(Base, kw_only=True):
    """For ``number`` items: a value at or above ``min`` earns ``points``."""

    min: float
    points: Points


class Item(Base, kw_only=True):
    """One answerable line of the checklist (tiêu chí thành phần)."""

    code: Code
    text_vi: Text
    text_en: str = ""
    response_type: Annotated[ResponseType, msgspec.Meta(description=answer_values())]
    max_points: Points = 0.0
    severity: Severity = "minor"
    partial_points: Points | None = None
    scoring_bands: list[Band] = []
    unit: str = ""
    allow_na: bool = True
    guidance_vi: str = ""
    guidance_en: str = ""
    evidence_vi: str = ""
    evidence_en: str = ""


class Criterion(Base, kw_only=True):
    """A scored criterion (tiêu chí): the sum of its items."""

    code: Code
    title_vi: Text
    title_en: str = ""
    max_points: Points | None = None
    items: list[Item]


class Section(Base, kw_only=True):
    """A field (lĩnh vực): the sum of its criteria."""

    code: Code
    title_vi: Text
    title_en: str = ""
    max_points: Points | None = None
    criteria: list[Criterion]


class RatingBand(Base, kw_only=True):
    """A score percentage at or above ``min_percent`` earns this rating (xếp loại)."""

    min_percent: Annotated[float, msgspec.Meta(ge=0, le=100)]
    label_vi: Text
    label_en: str = ""


# Days to remedy: a deadline so counted stays in the window of dates taken (domain/dates.py).
Days = Annotated[int, msgspec.Meta(ge=1, le=365 * WINDOW_YEARS)]


class Deadlines(Base, kw_only=True):
    """Days to remedy a finding, by severity, counted from the conclusion notice."""

    minor: Days | None = None
    major: Days | None = None
    critical: Days | None = None


class Meta(Base, kw_only=True):
    """What the checklist is and what it applies to."""

    code: Code
    title_vi: Text
    title_en: str = ""
    description_vi: str = ""
    description_en: str = ""
    # Empty: any kind of unit. The plan form offers a checklist only for these kinds.
    applies_to: list[UnitKind] = []
    total_max_points: Points | None = None
    points_are_illustrative: bool = False
    sources: list[str] = []
    deadlines: Deadlines = msgspec.field(default_factory=Deadlines)
    rating_bands: list[RatingBand] = []


class ChecklistFile(Base, kw_only=True):
    """A whole checklist file."""

    checklist: Meta
    sections: list[Section]

    def items(self) -> list[tuple[Section, Criterion, Item]]:
        return [(s, c, i) for s in self.sections for c in s.criteria for i in c.items]
