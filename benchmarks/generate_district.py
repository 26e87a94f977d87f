"""Generate a district with years of inspections, for benchmarks: ``uv run python
benchmarks/generate_district.py DATABASE_URL [--years 5] [--per-year 4] [--seed 2021]``.

Units come from the demo units file (Cao Lãnh district); each commune and town is inspected
against the one-stop-shop checklist and each department against the PAR Index sheet,
``--per-year`` times a year, with an answer for every item and a finding and corrective
action for every answer that falls short. Actions stand as they would: old ones mostly
closed (some late, some reopened or still overdue), recent ones at every step. Rows are
written in bulk, one transaction per unit, not through the services, so it takes seconds.
The database must be empty (it is migrated first); the checklists are loaded from
``checklists/``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import sys
import time
import tomllib
from collections.abc import Sequence
from typing import Any

import msgspec
from piccolo.table import Table

from inspection import clock
from inspection.checklists.loader import load_checklists
from inspection.db.engine import close_database, migrate, open_database, write_transaction
from inspection.db.tables import Answer, CorrectiveAction, Finding, Inspection, Unit, User
from inspection.demo import UNITS_FILE, DemoUnits
from inspection.domain.checklist import Item
from inspection.paths import CHECKLISTS
from inspection.services.checklists import LoadedVersion, latest_version_id, loaded_version
from inspection.settings import Settings

CHECKLIST_FOR_KIND = {
    "commune": "commune-one-stop",
    "town": "commune-one-stop",
    "department": "par-index-department",
    "one_stop_shop": "par-index-department",
}
BATCH = 500  # rows per INSERT, well under SQLite's limit of bound values
# No Argon2 hash looks like this, so the generated users cannot sign in.
UNUSABLE_HASH = "!"


async def _insert(rows: Sequence[Table]) -> None:
    for start in range(0, len(rows), BATCH):
        await type(rows[0]).insert(*rows[start : start + BATCH])


def _points(item: Item, rng: random.Random, fail: bool) -> tuple[float | None, bool | None, bool]:
    """(points, passed, not applicable) of a generated answer to ``item``."""
    if item.max_points == 0:
        return None, None, False
    if item.allow_na and rng.random() < 0.03:
        return None, None, True
    if not fail:
        return item.max_points, True, False
    return round(item.max_points * rng.choice((0.0, 0.25, 0.5)), 2), False, False


def _fate(rng: random.Random, created: dt.datetime, due: dt.date, now: dt.datetime) -> dict[str, Any]:
    """Where an action opened at ``created`` stands ``now``: the columns that say so."""
    age = (now - created).days
    roll = rng.random()
    moment = created + dt.timedelta(days=rng.randint(3, 10))
    if age < 20 or (age < 90 and roll < 0.35):
        status = rng.choice(("open", "acknowledged", "in_progress"))
        return {"status": status, "acknowledged_at": moment if status != "open" else None}
    if age < 60 and roll < 0.55:
        fixed = min(created + dt.timedelta(days=rng.randint(5, max(6, age))), now)
        return {"status": "reported_fixed", "acknowledged_at": moment, "reported_fixed_at": fixed}
    if roll > 0.93:
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
    return {
        "status": "closed",
        "acknowledged_at": moment,
        "reported_fixed_at": fixed,
        "closed_at": closed,
    }


async def _unit(
    unit_id: int,
    version: LoadedVersion,
    inspector: int,
    head: int,
    dates: list[dt.datetime],
    rng: random.Random,
    settings: Settings,
    now: dt.datetime,
) -> int:
    """Write every inspection of one unit, with answers, findings and actions; the action count."""
    weakness = rng.uniform(0.08, 0.3)
    items = version.definition.items()
    days = {
        "critical": settings.deadline_days_critical,
        "major": settings.deadline_days_major,
        "minor": settings.deadline_days_minor,
    }
    scored = []
    for when in dates:
        answers = []
        for section, criterion, item in items:
            fail = rng.random() < weakness * (1.6 if item.severity == "minor" else 1.0)
            points, passed, na = _points(item, rng, fail)
            answers.append((section.code, criterion.code, item, points, passed, na))
        scored.append((when, answers))
    inspections = [
        Inspection(
            unit=unit_id,
            checklist_version=version.id,
            title=f"Kiểm tra công tác CCHC {when:%m/%Y}",
            lead=inspector,
            planned_date=when.date(),
            status="submitted",
            conclusion="Thông báo kết luận kiểm tra CCHC",
            points=sum(a[3] or 0.0 for a in answers),
            max_points=sum(a[2].max_points for a in answers if not a[5]),
            created_by=inspector,
            created_at=when - dt.timedelta(days=7),
            started_at=when - dt.timedelta(days=7),
            submitted_at=when,
        )
        for when, answers in scored
    ]
    await _insert(inspections)
    answer_rows, findings, planned = [], [], []
    for inspection, (when, answers) in zip(inspections, scored, strict=True):
        for section, criterion, item, points, passed, na in answers:
            answer_rows.append(
                Answer(
                    inspection=inspection.id,
                    item_code=item.code,
                    criterion_code=criterion,
                    section_code=section,
                    value="null",
                    not_applicable=na,
                    points=points,
                    max_points=0.0 if na else item.max_points,
                    passed=passed,
                    answered_by=inspector,
                    answered_at=when - dt.timedelta(days=7),
                )
            )
            if passed is False:
                findings.append(
                    Finding(
                        inspection=inspection.id,
                        item_code=item.code,
                        title=item.text_vi[:500],
                        severity=item.severity,
                        created_by=inspector,
                        created_at=when,
                    )
                )
                planned.append((inspection.id, when, item))
    await _insert(answer_rows)
    if not findings:
        return 0
    await _insert(findings)
    actions = []
    for finding, (inspection_id, when, item) in zip(findings, planned, strict=True):
        due = when.date() + dt.timedelta(days=days[item.severity])
        actions.append(
            CorrectiveAction(
                finding=finding.id,
                inspection=inspection_id,
                unit=unit_id,
                assignee=head,
                opened_by=inspector,
                title=item.text_vi[:500],
                severity=item.severity,
                due_date=due,
                original_due_date=due,
                created_at=when,
                **_fate(rng, when, due, now),
            )
        )
    await _insert(actions)
    return len(actions)


async def generate(url: str, years: int, per_year: int, seed: int) -> dict[str, int]:
    """Fill the empty database at ``url``; the counts of what was written."""
    settings = Settings(database_url=url)
    engine = await open_database(url)
    try:
        await migrate()
        if await Unit.exists():
            raise SystemExit("The database already has units; generate into an empty one.")
        await load_checklists(CHECKLISTS)
        versions = {
            code: await loaded_version(await latest_version_id(code))
            for code in set(CHECKLIST_FOR_KIND.values())
        }
        rng = random.Random(seed)
        now = clock.now()
        data = msgspec.convert(tomllib.loads(UNITS_FILE.read_text(encoding="utf-8")), DemoUnits)
        counts = {"units": 0, "inspections": 0, "actions": 0}
        async with write_transaction():
            inspector = User(
                username="kiemtra",
                full_name="Nguyễn Văn Thành",
                role="inspector",
                password_hash=UNUSABLE_HASH,
                created_at=now,
            )
            await inspector.save()
            ids: dict[str, int] = {}
            for unit in data.units:
                row = Unit(
                    code=unit.code,
                    name_vi=unit.name_vi,
                    name_en=unit.name_en,
                    kind=unit.kind,
                    parent=ids.get(unit.parent or ""),
                )
                await row.save()
                ids[unit.code] = row.id
        for unit in data.units:
            checklist = CHECKLIST_FOR_KIND.get(unit.kind)
            if checklist is None:
                continue
            async with write_transaction():
                head = User(
                    username=f"truong.{unit.code.lower()}",
                    full_name=f"Thủ trưởng {unit.code}",
                    role="unit_head",
                    unit=ids[unit.code],
                    password_hash=UNUSABLE_HASH,
                    created_at=now,
                )
                await head.save()
                await Unit.update({Unit.head_id: head.id}).where(Unit.id == ids[unit.code])
                dates = [
                    now - dt.timedelta(days=int(365 * year + quarter * 365 / per_year + rng.randint(0, 40)))
                    for year in range(years)
                    for quarter in range(per_year)
                ]
                counts["actions"] += await _unit(
                    ids[unit.code],
                    versions[checklist],
                    inspector.id,
                    head.id,
                    sorted(dates),
                    rng,
                    settings,
                    now,
                )
            counts["units"] += 1
            counts["inspections"] += len(dates)
        return counts
    finally:
        await close_database(engine)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("database_url", help="sqlite:///path or postgresql://user@host/db (empty)")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--per-year", type=int, default=4)
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = asyncio.run(generate(args.database_url, args.years, args.per_year, args.seed))
    print(
        f"{counts['units']} units, {counts['inspections']} inspections, {counts['actions']} actions "
        f"in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
