"""Test data written straight to the database, and sign-in helpers for the HTTP client."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from inspection import clock
from inspection.auth.passwords import hash_password_sync
from inspection.auth.tokens import new_token
from inspection.checklists.loader import load_checklist
from inspection.db.tables import (
    Answer,
    ApiToken,
    Checklist,
    ChecklistVersion,
    CorrectiveAction,
    Finding,
    Inspection,
    Unit,
    User,
)
from inspection.services.checklists import latest_version_id, loaded_version

PASSWORD = "correct horse battery"
DATA = Path(__file__).parent / "data"
_counter = itertools.count(1)


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return hash_password_sync(PASSWORD)


async def make_unit(code: str | None = None, kind: str = "commune", **values: Any) -> Unit:
    code = code or f"U{next(_counter)}"
    unit = Unit(
        code=code, name_vi=values.pop("name_vi", f"Xã {code}"), name_en=f"{code} commune", kind=kind, **values
    )
    await unit.save()
    return unit


async def make_user(
    role: str, unit: Unit | None = None, *, username: str | None = None, head: bool = True, **values: Any
) -> User:
    username = username or f"{role}{next(_counter)}"
    user = User(
        username=username,
        full_name=values.pop("full_name", username.title()),
        email=values.pop("email", f"{username}@example.test"),
        role=role,
        unit=unit.id if unit else None,
        password_hash=_password_hash(),
        language=values.pop("language", "vi"),
        created_at=clock.now(),
        **values,
    )
    await user.save()
    if role == "unit_head" and unit is not None and head:
        await Unit.update({Unit.head_id: user.id}).where(Unit.id == unit.id)
    return user


async def load_mini_checklist() -> None:
    await load_checklist(DATA / "mini.toml")


async def token_headers(user: User) -> dict[str, str]:
    """Headers that authenticate as ``user`` with a fresh API token, as a script would."""
    token, digest = new_token()
    await ApiToken(user=user.id, name="test", token_sha256=digest, created_at=clock.now()).save()
    return {"Authorization": f"Bearer {token}"}


async def make_action(
    unit: Unit,
    inspector: User,
    due: dt.date,
    *,
    item_code: str = "1.1",
    title: str = "Chưa niêm yết công khai thủ tục hành chính",
    severity: str = "major",
) -> CorrectiveAction:
    """An open corrective action of ``unit``, assigned to its head, from a one-finding inspection."""
    now = clock.now()
    code = f"CL{next(_counter)}"
    checklist = Checklist(code=code, title_vi=f"Phiếu {code}")
    await checklist.save()
    version = ChecklistVersion(
        checklist=checklist.id,
        number=1,
        sha256=code.ljust(64, "0"),
        # One section with the finding's item, 10 points.
        definition={
            "checklist": {"code": code, "title_vi": f"Phiếu {code}"},
            "sections": [
                {
                    "code": "1",
                    "title_vi": "Công khai",
                    "criteria": [
                        {
                            "code": "1.0",
                            "title_vi": "Niêm yết",
                            "items": [
                                {
                                    "code": item_code,
                                    "text_vi": "Niêm yết đầy đủ thủ tục hành chính",
                                    "response_type": "yes_no",
                                    "max_points": 10.0,
                                }
                            ],
                        }
                    ],
                }
            ],
        },
        max_points=10.0,
        loaded_at=now,
    )
    await version.save()
    inspection = Inspection(
        unit=unit.id,
        checklist_version=version.id,
        title=f"Kiểm tra CCHC {unit.code}",
        lead=inspector.id,
        planned_date=now.date(),
        status="submitted",
        created_by=inspector.id,
        created_at=now,
        submitted_at=now,
    )
    await inspection.save()
    finding = Finding(
        inspection=inspection.id,
        item_code=item_code,
        title=title,
        severity=severity,
        created_by=inspector.id,
        created_at=now,
    )
    await finding.save()
    head = await Unit.select(Unit.head_id).where(Unit.id == unit.id).first()
    action = CorrectiveAction(
        finding=finding.id,
        inspection=inspection.id,
        unit=unit.id,
        assignee=head["head_id"] if head else None,
        opened_by=inspector.id,
        title=title,
        severity=severity,
        status="open",
        due_date=due,
        original_due_date=due,
        created_at=now,
    )
    await action.save()
    return action


@dataclass(frozen=True)
class ActionState:
    """Where one corrective action of :func:`make_scored_inspection` stands."""

    due: dt.date
    status: str = "open"
    reported_fixed_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    created_at: dt.datetime | None = None


async def make_scored_inspection(
    unit: Unit,
    inspector: User,
    submitted_at: dt.datetime,
    points: Mapping[str, float | None],
    actions: tuple[ActionState, ...] = (),
    *,
    checklist_code: str = "mini",
) -> Inspection:
    """A submitted inspection of ``unit`` with the given points per item (None: not applicable)
    and one finding and action per ``actions`` entry, written straight to the tables.

    An answer passes when it earns the item's full points; the checklist must be loaded.
    """
    version = await loaded_version(await latest_version_id(checklist_code))
    earned = sum(p or 0.0 for p in points.values())
    maximum = sum(version.item(code)[2].max_points for code, p in points.items() if p is not None)
    inspection = Inspection(
        unit=unit.id,
        checklist_version=version.id,
        title=f"Kiểm tra CCHC {unit.code} {submitted_at.date()}",
        lead=inspector.id,
        planned_date=submitted_at.date(),
        status="submitted",
        points=earned,
        max_points=maximum,
        created_by=inspector.id,
        created_at=submitted_at,
        submitted_at=submitted_at,
    )
    await inspection.save()
    answers = []
    for code, earned_points in points.items():
        section, criterion, item = version.item(code)
        answers.append(
            Answer(
                inspection=inspection.id,
                item_code=code,
                criterion_code=criterion.code,
                section_code=section.code,
                value="null",
                not_applicable=earned_points is None,
                points=earned_points,
                max_points=0.0 if earned_points is None else item.max_points,
                passed=None if earned_points is None else earned_points >= item.max_points,
                answered_by=inspector.id,
                answered_at=submitted_at,
            )
        )
    if answers:
        await Answer.insert(*answers)
    head = await Unit.select(Unit.head_id).where(Unit.id == unit.id).first()
    for index, state in enumerate(actions, start=1):
        finding = Finding(
            inspection=inspection.id,
            title=f"Tồn tại {index}",
            severity="major",
            created_by=inspector.id,
            created_at=submitted_at,
        )
        await finding.save()
        await CorrectiveAction(
            finding=finding.id,
            inspection=inspection.id,
            unit=unit.id,
            assignee=head["head_id"] if head else None,
            opened_by=inspector.id,
            title=f"Khắc phục tồn tại {index}",
            severity="major",
            status=state.status,
            due_date=state.due,
            original_due_date=state.due,
            created_at=state.created_at or submitted_at,
            reported_fixed_at=state.reported_fixed_at,
            closed_at=state.closed_at,
        ).save()
    return inspection
