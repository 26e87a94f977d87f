"""Demo data for Cao Lãnh district: its units, one user per role, and inspections whose
findings and corrective actions stand in every state, made through the real services
with the clock moved back, so the history reads as it would have happened.
"""

from __future__ import annotations

import datetime as dt
import random
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec

from inspection import clock
from inspection.auth.middleware import principal_from_user
from inspection.auth.principal import Principal
from inspection.db.engine import write_transaction
from inspection.db.tables import Notification, Unit, User
from inspection.domain.checklist import Item
from inspection.queue.outbox import EVENT_KINDS
from inspection.schemas import (
    ActionFilters,
    AnswerIn,
    DecisionIn,
    DismissIn,
    ExtensionIn,
    FindingPatch,
    InspectionIn,
    ReopenIn,
    SubmitIn,
    TransitionIn,
    UserIn,
)
from inspection.services import actions, directory, inspections
from inspection.services.checklists import latest_version_id, loaded_version
from inspection.settings import Settings

UNITS_FILE = Path(__file__).with_name("cao_lanh_units.toml")
DEMO_PASSWORD = "demo12345"  # noqa: S105 - printed for the demo users, on purpose

# (username, full name, role, unit code)
PEOPLE: tuple[tuple[str, str, str, str | None], ...] = (
    ("admin", "Quản trị hệ thống", "admin", "P-NOIVU"),
    ("kiemtra", "Nguyễn Văn Thành", "inspector", "P-NOIVU"),
    ("kiemtra2", "Trần Thị Lan", "inspector", "VP-HDND-UBND"),
    ("lanhdao", "Lê Văn Hùng (Phó Chủ tịch UBND huyện)", "leader", "UBND-HUYEN"),
    ("giamsat", "Phạm Thị Mai (Ban Pháp chế HĐND huyện)", "observer", None),
)


class DemoUnit(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    name_vi: str
    name_en: str
    kind: str
    parent: str | None = None


class DemoUnits(msgspec.Struct):
    units: list[DemoUnit]


@contextmanager
def _at(moment: dt.datetime) -> Iterator[None]:
    clock.set_clock(lambda: moment)
    try:
        yield
    finally:
        clock.set_clock(None)


def head_username(code: str) -> str:
    return "truong." + code.lower()


async def load_demo(settings: Settings) -> list[str]:
    """Write the demo data once; on a database that has users already, do nothing."""
    if await User.exists():
        return ["Demo data: the database already has users; nothing added."]
    units, titles = await _units()
    people = await _people(units, titles, settings)
    await _inspections(settings, units, people)
    await _settle_history()
    lines = [f"Demo users (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {name:<12} {role:<10} {full}" for name, full, role, _ in PEOPLE]
    lines.append(f"  {head_username('X-ANBINH'):<12} unit_head  (one per unit: truong.<unit code>)")
    return lines


HEAD_TITLES = {
    "commune": "Chủ tịch UBND {name}",
    "town": "Chủ tịch UBND {name}",
    "department": "Trưởng {name}",
}


def head_title(unit: DemoUnit) -> str:
    """How the head of a unit is addressed: the commune's chairperson, the division's head..."""
    return HEAD_TITLES.get(unit.kind, "Phụ trách {name}").format(name=unit.name_vi)


async def _units() -> tuple[dict[str, int], dict[str, str]]:
    """The units' ids and their heads' titles, by unit code."""
    data = msgspec.convert(tomllib.loads(UNITS_FILE.read_text(encoding="utf-8")), DemoUnits)
    ids: dict[str, int] = {}
    async with write_transaction():
        for unit in data.units:
            row = Unit(
                code=unit.code,
                name_vi=unit.name_vi,
                name_en=unit.name_en,
                kind=unit.kind,
                parent=ids[unit.parent] if unit.parent else None,
                email=f"{unit.code.lower()}@caolanh.example.vn",
            )
            await row.save()
            ids[unit.code] = row.id
    return ids, {unit.code: head_title(unit) for unit in data.units}


async def _people(units: dict[str, int], titles: dict[str, str], settings: Settings) -> dict[str, Principal]:
    people: dict[str, Principal] = {}
    specs = [(u, f, r, c) for u, f, r, c in PEOPLE]
    specs += [
        (head_username(code), titles[code], "unit_head", code) for code in units if code != "UBND-HUYEN"
    ]
    for username, full_name, role, code in specs:
        user = await directory.create_user(
            UserIn(
                username=username,
                full_name=full_name,
                email=f"{username}@caolanh.example.vn",
                role=role,  # type: ignore[arg-type]
                unit_id=units[code] if code else None,
                password=DEMO_PASSWORD,
                language="en" if username == "giamsat" else "vi",
            ),
            settings,
        )
        row = await User.objects().where(User.id == user.id).first()
        assert row is not None
        people[username] = await principal_from_user(row)
    return people


async def _settle_history() -> None:
    """Notices of events in the made-up past are history, not mail to send now.

    Assignment and event notices older than a day count as sent when they were due (as they
    would have been); the reminder, overdue and escalation chains stay, and the queue sends
    only the current notice of each. (Cancelled, an assignment notice would be revived by the
    first sweep: its action's plan still wants it, and a cancelled notice has not had its turn.)
    """
    async with write_transaction():
        await Notification.update(
            {Notification.status: "sent", Notification.sent_at: Notification.due_at}
        ).where(
            (Notification.status == "pending")
            & Notification.kind.is_in(["assigned", *EVENT_KINDS])
            & (Notification.due_at < clock.now() - dt.timedelta(days=1))
        )


async def _unit_name(code: str) -> str:
    row = await Unit.select(Unit.name_vi).where(Unit.code == code).first()
    return str(row["name_vi"]) if row else code


def _value(item: Item, rng: random.Random, fail: bool) -> str | float | None:
    match item.response_type:
        case "yes_no":
            return "no" if fail else "yes"
        case "yes_no_partial":
            return rng.choice(["no", "partial"]) if fail else "yes"
        case "score":
            return round(item.max_points * (rng.uniform(0.3, 0.7) if fail else 1.0), 2)
        case "number":
            bands = sorted(item.scoring_bands, key=lambda b: b.min, reverse=True)
            return bands[-1].min if fail else bands[0].min + 1
        case _:
            return "Đã kiểm tra thực tế"


# What inspectors note beside a failing answer: the shortfall a finding then states.
SHORTFALLS = (
    "Không niêm yết bảng TTHC mới",
    "Sổ theo dõi hồ sơ ghi chưa đầy đủ",
    "Còn hồ sơ trễ hạn chưa có văn bản xin lỗi",
    "Chưa cập nhật quy trình nội bộ theo quyết định mới",
    "Hòm thư góp ý không được mở định kỳ",
)


async def _review_findings(settings: Settings, inspector: Principal, inspection_id: int, story: str) -> None:
    """The team's review before the conclusion: the proposals are confirmed, but for one in
    the "mixed" inspections, dismissed with a reason (kept on record, no action)."""
    proposed = [f for f in await inspections.findings(inspector, inspection_id) if f.status == "proposed"]
    for finding in proposed:
        if story == "mixed" and finding is proposed[-1] and len(proposed) > 3:
            reason = "Đơn vị đã khắc phục ngay trong buổi kiểm tra"
            await inspections.dismiss_finding(inspector, finding.id, DismissIn(reason=reason))
        else:
            await inspections.update_finding(inspector, finding.id, FindingPatch(confirmed=True), settings)


# (unit code, checklist, days ago, share of failing answers, what happens next)
PLAN: tuple[tuple[str, str, int, float, str], ...] = (
    ("X-ANBINH", "commune-one-stop", 150, 0.2, "all_closed"),
    ("X-MYHIEP", "commune-one-stop", 95, 0.3, "mixed"),
    ("P-TNMT", "par-index-department", 80, 0.25, "mixed"),
    ("X-BASAO", "commune-one-stop", 45, 0.3, "mixed"),
    ("TT-MYTHO", "commune-one-stop", 20, 0.15, "fresh"),
    ("P-TUPHAP", "par-index-department", 5, 0.2, "fresh"),
    ("X-TANNGHIA", "commune-one-stop", 1, 0.2, "in_progress"),
    ("X-PHONGMY", "commune-one-stop", -10, 0.0, "planned"),
)


async def _inspections(settings: Settings, units: dict[str, int], people: dict[str, Principal]) -> None:
    rng = random.Random(2021)
    inspector, colleague, leader = people["kiemtra"], people["kiemtra2"], people["lanhdao"]
    start = clock.now().replace(hour=2, minute=0, second=0, microsecond=0)
    for code, checklist, days_ago, failing, story in PLAN:
        day = start - dt.timedelta(days=days_ago)
        version = await loaded_version(await latest_version_id(checklist))
        with _at(day):
            created = await inspections.create(
                inspector,
                InspectionIn(
                    unit_id=units[code],
                    checklist_code=checklist,
                    title=f"Kiểm tra công tác CCHC năm {day.year} tại {await _unit_name(code)}",
                    planned_date=day.date(),
                    member_ids=[colleague.id],
                ),
                settings,
            )
        if story == "planned":
            continue
        with _at(day + dt.timedelta(hours=2)):
            items = [item for _, _, item in version.definition.items()]
            answered = items if story != "in_progress" else items[: len(items) // 2]
            for number, item in enumerate(answered):
                fail = item.response_type != "text" and rng.random() < failing
                note = SHORTFALLS[number % len(SHORTFALLS)] if fail else ""
                await inspections.record_answer(
                    inspector, created.id, item.code, AnswerIn(value=_value(item, rng, fail), note=note)
                )
        if story == "in_progress":
            continue
        with _at(min(day + dt.timedelta(days=7), clock.now() - dt.timedelta(hours=1))):
            await _review_findings(settings, inspector, created.id, story)
            await inspections.submit(
                inspector, created.id, SubmitIn(conclusion="Thông báo kết luận kiểm tra CCHC"), settings
            )
        await _follow_up(
            settings, created.id, day, story, people[head_username(code)], inspector, leader, rng
        )


async def _follow_up(
    settings: Settings,
    inspection_id: int,
    day: dt.datetime,
    story: str,
    head: Principal,
    inspector: Principal,
    leader: Principal,
    rng: random.Random,
) -> None:
    """Move the inspection's actions along, the way units really answer: some fast, some late."""
    listed = await actions.list_actions(
        inspector, settings, ActionFilters(inspection_id=inspection_id), limit=500
    )
    for index, action in enumerate(listed):
        fate = (
            "closed"
            if story == "all_closed"
            else ["open", "ack", "extension", "progress", "fixed", "closed", "reopened", "late_closed"][
                index % 8
            ]
        )
        if story == "fresh" and fate in ("closed", "late_closed", "reopened"):
            fate = "ack"
        moment = day + dt.timedelta(days=8 + rng.randint(0, 3))
        steps: list[tuple[str, Principal, Any]] = []
        if fate != "open":
            steps.append(("acknowledge", head, TransitionIn()))
        if fate in ("progress", "fixed", "closed", "reopened", "late_closed", "extension"):
            steps.append(
                (
                    "progress",
                    head,
                    TransitionIn(note="Đang tổ chức khắc phục, đã phân công công chức phụ trách"),
                )
            )
        if fate in ("fixed", "closed", "reopened", "late_closed"):
            steps.append(("report_fixed", head, TransitionIn(note="Đã khắc phục xong, gửi kèm minh chứng")))
        if fate in ("closed", "late_closed"):
            steps.append(("close", inspector, TransitionIn(note="Đã kiểm tra minh chứng, đạt yêu cầu")))
        if fate == "reopened":
            steps.append(("reopen", inspector, ReopenIn(reason="Minh chứng chưa đầy đủ, đề nghị bổ sung")))
        for verb, who, body in steps:
            moment += dt.timedelta(days=rng.randint(1, 4) if fate != "late_closed" else 12)
            if moment > clock.now():
                break
            with _at(moment):
                await actions.transition(who, action.id, verb, body, settings)  # type: ignore[arg-type]
        if fate == "extension":
            with _at(min(moment + dt.timedelta(days=1), clock.now())):
                current = await actions.get(head, action.id, settings)
                request = await actions.request_extension(
                    head,
                    action.id,
                    ExtensionIn(
                        requested_due_date=max(current.due_date, clock.now().date()) + dt.timedelta(days=15),
                        reason="Cần thêm thời gian chờ kinh phí sửa chữa",
                    ),
                    settings,
                )
                # Older inspections had their requests decided; the latest ones still wait.
                if story != "fresh":
                    await actions.decide_extension(
                        leader, request.id, DecisionIn(approve=True, note="Đồng ý"), settings
                    )
