"""Generate a province with ten years of inspections, for the benchmarks:
``uv run python benchmarks/generate_province.py DATABASE_URL`` (an empty database).

The province's People's Committee and 120 units under it: 100 districts, towns and cities
inspected against the district PAR Index sheet (64 items), 20 departments against the
department sheet (42 items). Over ten years 2,000 inspections, each with an answer to
every item (≈ 120,000 answers: the sheets have fewer than the 75 items 150,000 would need),
a finding and corrective action for every answer that falls short, and findings of the
inspectors' own, ≈ 100,000 actions in all. Actions stand as they would: old ones mostly
closed (some late, some still owed years on), recent ones at every step, each with its
history. A quarter of the units have an inspection under way (half its items answered).
No notifications are written.

Users (all sign in with the demo password, ``PASSWORD``): the leader ``lanhdao``, made with
``inspection users create``; inspectors ``kiemtra`` (who leads every inspection) and
``kiemtra2``; one head per unit, ``truong.<unit code in lower case>``, as in the demo data.

The database is migrated and the checklists loaded with the ``inspection`` command; the
rows are written in bulk through the Piccolo tables, so it takes a minute or two.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
from piccolo.table import Table

from inspection.db.engine import close_database, open_database
from inspection.db.tables import (
    ActionEvent,
    Answer,
    Checklist,
    ChecklistVersion,
    CorrectiveAction,
    Finding,
    Inspection,
    InspectionMember,
    Unit,
    User,
)
from inspection.domain.checklist import ChecklistFile, Item
from inspection.settings import Settings

sys.path.insert(0, str(Path(__file__).parent))
from support import PASSWORD, inspection

BATCH = 500  # rows per INSERT, well under SQLite's limit of bound values
LEADER, INSPECTORS = "lanhdao", ("kiemtra", "kiemtra2")


@dataclass(frozen=True)
class Sheet:
    """A loaded checklist version, as the generator needs it."""

    version_id: int
    items: list[tuple[str, str, Item]]  # (section code, criterion code, item)
    days: dict[str, int]  # days to remedy, by severity


def head_username(code: str) -> str:
    return "truong." + code.lower()


async def _insert(rows: Sequence[Table]) -> None:
    """Write ``rows`` in batches; Piccolo sets each row's id from what the insert returns."""
    for start in range(0, len(rows), BATCH):
        await type(rows[0]).insert(*rows[start : start + BATCH])


def _answer(item: Item, rng: random.Random, fail: bool) -> tuple[Any, float | None, bool | None, bool]:
    """(value, points, passed, not applicable) of a generated answer to ``item``."""
    if item.max_points == 0:
        return "Đã kiểm tra thực tế", None, None, False
    if item.allow_na and rng.random() < 0.03:
        return None, None, None, True
    if not fail:
        value: Any = item.max_points if item.response_type in ("score", "number") else "yes"
        return value, item.max_points, True, False
    share = rng.choice((0.0, 0.25, 0.5))
    value = {"yes_no": "no", "yes_no_partial": "partial" if share else "no"}.get(
        item.response_type, round(item.max_points * share, 2)
    )
    return value, round(item.max_points * share, 2), False, False


def _fate(rng: random.Random, created: dt.datetime, due: dt.date, now: dt.datetime) -> dict[str, Any]:
    """Where an action opened at ``created`` stands ``now``: the columns that say so."""
    age = (now - created).days
    roll = rng.random()
    moment = min(created + dt.timedelta(days=rng.randint(3, 10)), now)
    if age < 20 or (age < 90 and roll < 0.35):
        status = rng.choice(("open", "acknowledged", "in_progress"))
        return {"status": status, "acknowledged_at": moment if status != "open" else None}
    if age < 60 and roll < 0.55:
        fixed = min(created + dt.timedelta(days=rng.randint(5, max(6, age))), now)
        return {"status": "reported_fixed", "acknowledged_at": moment, "reported_fixed_at": fixed}
    if roll > 0.97:
        # Stuck: the unit never answered, or the fix was sent back.
        return {"status": rng.choice(("acknowledged", "in_progress")), "acknowledged_at": moment}
    deadline = dt.datetime.combine(due, dt.time(9), dt.UTC)
    fixed = (
        deadline - dt.timedelta(days=rng.randint(0, 20))
        if roll < 0.7
        else deadline + dt.timedelta(days=rng.randint(1, 40))
    )
    fixed = min(max(fixed, moment), now)
    closed = min(fixed + dt.timedelta(days=rng.randint(1, 7)), now)
    return {"status": "closed", "acknowledged_at": moment, "reported_fixed_at": fixed, "closed_at": closed}


def _history(action: CorrectiveAction, head: int, inspector: int) -> list[ActionEvent]:
    """The events an action's columns imply, as the services would have written them."""
    due = {"due_date": action.due_date.isoformat()}
    steps: list[tuple[str, int | None, dt.datetime | None, str, str, str, dict[str, Any]]] = [
        ("created", None, action.created_at, "", "open", "", due),
        ("acknowledge", head, action.acknowledged_at, "open", "acknowledged", "", {}),
    ]
    if action.status == "in_progress":
        note = "Đang tổ chức khắc phục, đã phân công công chức phụ trách"
        steps.append(("progress", head, action.acknowledged_at, "acknowledged", "in_progress", note, {}))
    steps += [
        (
            "report_fixed",
            head,
            action.reported_fixed_at,
            "acknowledged",
            "reported_fixed",
            "Đã khắc phục xong",
            {},
        ),
        ("close", inspector, action.closed_at, "reported_fixed", "closed", "Đã kiểm tra minh chứng", {}),
    ]
    return [
        ActionEvent(
            action=action.id,
            kind=kind,
            actor=actor,
            at=at,
            from_status=before,
            to_status=after,
            note=note,
            data=json.dumps(data),
        )
        for kind, actor, at, before, after, note, data in steps
        if at is not None
    ]


class Province:
    """Writes one unit's inspections at a time (each a few thousand rows, in bulk)."""

    def __init__(self, rng: random.Random, now: dt.datetime, inspectors: list[int], findings_each: float):
        self.rng, self.now, self.inspectors, self.findings_each = rng, now, inspectors, findings_each
        self.counts = {"units": 0, "inspections": 0, "answers": 0, "actions": 0, "events": 0}

    async def unit(
        self, unit_id: int, head: int, sheet: Sheet, dates: list[dt.datetime], current: bool
    ) -> None:
        """The unit's inspections at ``dates``; the last one still under way if ``current``."""
        rng, lead = self.rng, self.inspectors[0]
        weakness = rng.uniform(0.15, 0.45)
        planned = []
        for n, when in enumerate(dates):
            submitted = not (current and n == len(dates) - 1)
            items = sheet.items if submitted else sheet.items[: len(sheet.items) // 2]
            answers = [
                (section, criterion, item, *_answer(item, rng, rng.random() < weakness))
                for section, criterion, item in items
            ]
            failing = sum(1 for answer in answers if answer[5] is False)
            # The team's own findings, beyond the failing answers.
            own = max(0, round(rng.gauss(self.findings_each - failing, 4))) if submitted else 0
            planned.append((when, submitted, answers, own))
        rows = [
            Inspection(
                unit=unit_id,
                checklist_version=sheet.version_id,
                title=f"Kiểm tra công tác cải cách hành chính {when:%m/%Y}",
                lead=lead,
                planned_date=when.date(),
                status="submitted" if submitted else "in_progress",
                conclusion="Thông báo kết luận kiểm tra CCHC" if submitted else "",
                points=round(sum(answer[4] or 0.0 for answer in answers), 4),
                max_points=round(sum(0.0 if answer[6] else answer[2].max_points for answer in answers), 4),
                created_by=lead,
                created_at=when - dt.timedelta(days=7),
                started_at=when - dt.timedelta(days=1),
                submitted_at=when if submitted else None,
            )
            for when, submitted, answers, _ in planned
        ]
        await _insert(rows)
        members = [InspectionMember(inspection=row.id, user=lead, role="lead") for row in rows]
        members += [
            InspectionMember(inspection=row.id, user=self.inspectors[1], role="member") for row in rows
        ]
        await _insert(members)
        answer_rows: list[Answer] = []
        findings: list[tuple[Finding, Inspection]] = []
        for row, (when, submitted, answers, own) in zip(rows, planned, strict=True):
            for section, criterion, item, value, got, passed, na in answers:
                answer_rows.append(
                    Answer(
                        inspection=row.id,
                        item_code=item.code,
                        criterion_code=criterion,
                        section_code=section,
                        value=json.dumps(value),
                        not_applicable=na,
                        points=got,
                        max_points=0.0 if na else item.max_points,
                        passed=passed,
                        answered_by=lead,
                        answered_at=when - dt.timedelta(days=1),
                    )
                )
                if passed is False:
                    finding = Finding(
                        inspection=row.id,
                        item_code=item.code,
                        title=item.text_vi[:500],
                        severity=item.severity,
                        proposed=not submitted,
                        created_by=lead,
                        created_at=when,
                    )
                    findings.append((finding, row))
            for n in range(own):
                finding = Finding(
                    inspection=row.id,
                    title=f"Tồn tại số {n + 1}: hồ sơ, thủ tục chưa đúng quy định",
                    severity=rng.choice(("minor", "minor", "major", "critical")),
                    created_by=lead,
                    created_at=when,
                )
                findings.append((finding, row))
        await _insert(answer_rows)
        await _insert([finding for finding, _ in findings])
        actions = []
        for finding, row in findings:
            when = row.submitted_at
            if when is None:  # proposed by an answer of the inspection under way
                continue
            due = when.date() + dt.timedelta(days=sheet.days[finding.severity])
            actions.append(
                CorrectiveAction(
                    finding=finding.id,
                    inspection=row.id,
                    unit=unit_id,
                    assignee=head,
                    opened_by=lead,
                    title=finding.title,
                    severity=finding.severity,
                    due_date=due,
                    original_due_date=due,
                    created_at=when,
                    **_fate(rng, when, due, self.now),
                )
            )
        await _insert(actions)
        events = [event for action in actions for event in _history(action, head, lead)]
        await _insert(events)
        self.counts["units"] += 1
        self.counts["inspections"] += len(rows)
        self.counts["answers"] += len(answer_rows)
        self.counts["actions"] += len(actions)
        self.counts["events"] += len(events)


async def _sheets() -> dict[str, Sheet]:
    """The latest version of each loaded checklist, by checklist code."""
    sheets = {}
    for checklist in await Checklist.select(Checklist.id, Checklist.code):
        version = (
            await ChecklistVersion.select(ChecklistVersion.id, ChecklistVersion.definition)
            .where(ChecklistVersion.checklist == checklist["id"])
            .order_by(ChecklistVersion.number, ascending=False)
            .first()
        )
        assert version is not None
        definition = msgspec.json.decode(version["definition"], type=ChecklistFile)
        items = [(section.code, criterion.code, item) for section, criterion, item in definition.items()]
        # The checklist's own deadlines, else the settings' (as the application decides them).
        own, settings = definition.checklist.deadlines, Settings()
        days = {
            "critical": own.critical or settings.deadline_days_critical,
            "major": own.major or settings.deadline_days_major,
            "minor": own.minor or settings.deadline_days_minor,
        }
        sheets[checklist["code"]] = Sheet(version["id"], items, days)
    return sheets


def _units(rng: random.Random) -> list[tuple[str, str, str, str]]:
    """(code, Vietnamese name, kind, checklist code) of the province's inspected units."""
    units = []
    for n in range(1, 101):
        kind, word = rng.choice((("district", "Huyện"), ("district", "Huyện"), ("town", "Thị xã")))
        units.append((f"H-{n:03d}", f"Ủy ban nhân dân {word} số {n}", kind, "par-index-district"))
    for n in range(1, 21):
        units.append((f"S-{n:02d}", f"Sở chuyên ngành số {n}", "department", "par-index-department"))
    return units


async def generate(
    url: str, *, inspections: int = 2000, actions: int = 100_000, seed: int = 2021
) -> dict[str, int]:
    """Fill the empty database at ``url`` (migrated and given the checklists here); the counts."""
    env = {"INSPECTION_DATABASE_URL": url}
    inspection(["migrate"], env)
    inspection(["checklists", "load"], env)
    # The leader is made as an administrator would make one; everyone else shares its
    # password's hash, so they sign in with the same password and no hashing is repeated.
    leader = ["--username", LEADER, "--full-name", "Lãnh đạo UBND tỉnh", "--role", "leader"]
    inspection(["users", "create", *leader, "--password", PASSWORD], env)
    engine = await open_database(url)
    try:
        if await Unit.exists():
            raise SystemExit("The database already has units; generate into an empty one.")
        rng = random.Random(seed)
        now = dt.datetime.now(dt.UTC)
        made = await User.select(User.password_hash).where(User.username == LEADER).first()
        assert made is not None
        password_hash = made["password_hash"]
        sheets = await _sheets()
        top = Unit(
            code="UBND-TINH",
            name_vi="Ủy ban nhân dân tỉnh",
            name_en="Provincial People's Committee",
            kind="other",
        )
        await top.save()
        staff = [
            User(username=name, full_name=full, role="inspector", password_hash=password_hash, created_at=now)
            for name, full in zip(INSPECTORS, ("Nguyễn Văn Thành", "Trần Thị Lan"), strict=True)
        ]
        await _insert(staff)
        units = _units(rng)
        per_unit, extra = divmod(inspections, len(units))
        submitted = inspections - len(units) // 4
        province = Province(rng, now, [user.id for user in staff], actions / submitted)
        for n, (code, name, kind, checklist) in enumerate(units):
            unit = Unit(
                code=code, name_vi=name, kind=kind, parent=top.id, email=f"{code.lower()}@tinh.example.vn"
            )
            await unit.save()
            head = User(
                username=head_username(code),
                full_name=f"Thủ trưởng {name}",
                email=f"{head_username(code)}@tinh.example.vn",
                role="unit_head",
                unit=unit.id,
                password_hash=password_hash,
                created_at=now,
            )
            await head.save()
            await Unit.update({Unit.head_id: head.id}).where(Unit.id == unit.id)
            count = per_unit + (1 if n < extra else 0)
            span = 3650 / count
            dates = [
                now - dt.timedelta(days=3650 - span * k - rng.uniform(0, span * 0.8)) for k in range(count)
            ]
            current = n % 4 == 0
            if current:
                dates[-1] = now - dt.timedelta(days=rng.randint(1, 5))
            await province.unit(unit.id, head.id, sheets[checklist], dates, current)
        return province.counts
    finally:
        await close_database(engine)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("database_url", help="sqlite:///path or postgresql://user@host/db (empty)")
    parser.add_argument("--inspections", type=int, default=2000)
    parser.add_argument("--actions", type=int, default=100_000, help="about how many")
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args()
    began = time.perf_counter()
    counts = asyncio.run(
        generate(args.database_url, inspections=args.inspections, actions=args.actions, seed=args.seed)
    )
    print(
        ", ".join(f"{value} {name}" for name, value in counts.items()),
        f"in {time.perf_counter() - began:.0f} s",
    )


if __name__ == "__main__":
    main()
