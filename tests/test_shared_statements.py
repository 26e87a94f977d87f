"""Statements run together: callers asking at once share a run, each getting what it would alone."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from piccolo.engine.base import Engine

from inspection import clock
from inspection.auth.middleware import principal_from_user
from inspection.auth.principal import Principal
from inspection.db import sql
from inspection.db.engine import close_database, is_sqlite, open_database
from inspection.db.tables import Answer, Finding, Unit, User
from inspection.errors import Forbidden
from inspection.schemas import AnswerOut, InspectionIn
from inspection.services import inspections
from tests.factories import load_mini_checklist, make_unit, make_user

TODAY = dt.date(2026, 11, 26)

# Takes a unit, once: the shape of the send job's claim of a notification.
TAKE = sql.Shared("UPDATE unit SET email = 'taken' WHERE id {key} AND email = '' RETURNING id")


async def test_callers_at_once_share_a_run_and_get_their_own_rows(db: Engine) -> None:
    units = [await make_unit() for _ in range(20)]
    # On PostgreSQL the transaction id tells the runs apart (each run is a transaction).
    which_run = "random()" if is_sqlite(db) else "txid_current()"
    read = sql.Shared(f"SELECT id, name_vi, {which_run} AS run FROM unit WHERE id {{key}}")  # noqa: S608

    results = await asyncio.gather(*(read(unit.id) for unit in units), read(10**6))

    assert [[(row["id"], row["name_vi"]) for row in rows] for rows in results[:-1]] == [
        [(unit.id, unit.name_vi)] for unit in units
    ]
    assert results[-1] == []  # a key with no row: no rows
    runs = {rows[0]["run"] for rows in results[:-1]}
    if is_sqlite(db):
        assert len(runs) == len(units)  # no round trip to save: each runs alone
    else:
        assert len(runs) < len(units)


async def test_a_claim_asked_for_many_times_at_once_is_won_once(db: Engine) -> None:
    unit, other = await make_unit(), await make_unit()

    results = await asyncio.gather(*(TAKE(unit.id) for _ in range(10)), TAKE(other.id), TAKE(other.id))

    won = [[dict(row) for row in rows] for rows in results[:10] if rows]
    assert won == [[{"id": unit.id}]]
    assert sum(1 for rows in results[10:] if rows) == 1
    taken = await Unit.select(Unit.id).where(Unit.email == "taken").order_by(Unit.id)
    assert [row["id"] for row in taken] == [unit.id, other.id]


async def test_an_error_fails_the_callers_of_its_run_and_the_next_run_works(db: Engine) -> None:
    unit, other = await make_unit("A-1"), await make_unit("A-2")
    code = ["A-2"]  # taken: renaming a unit to it breaks the codes' uniqueness
    rename = sql.Shared("UPDATE unit SET code = $2 WHERE id {key} RETURNING id", stamp=lambda: code[0])

    results = await asyncio.gather(rename(unit.id), rename(10**6), return_exceptions=True)

    assert isinstance(results[0], Exception) and "unique" in str(results[0]).lower()
    if is_sqlite(db):
        assert results[1] == []  # it ran alone
    else:
        assert results[1] is results[0]  # one statement served both
    code[0] = "A-3"
    assert [dict(row) for row in await rename(unit.id)] == [{"id": unit.id}]
    assert await Unit.select(Unit.code).where(Unit.id.is_in([unit.id, other.id])).order_by(Unit.id) == [
        {"code": "A-3"},
        {"code": "A-2"},
    ]


async def test_a_caller_cancelled_while_it_waits_is_left_out_of_the_run(postgres_url: str) -> None:
    engine = await open_database(postgres_url)
    try:
        first, cancelled, last = await make_unit(), await make_unit(), await make_unit()
        slow = sql.Shared(
            "WITH pause AS (SELECT pg_sleep(0.3)) "
            "UPDATE unit SET email = 'taken' FROM pause WHERE id {key} AND email = '' RETURNING id"
        )
        running = asyncio.create_task(slow(first.id))
        await asyncio.sleep(0.1)  # the first run is under way; the next two wait for it
        waiting, later = asyncio.create_task(slow(cancelled.id)), asyncio.create_task(slow(last.id))
        await asyncio.sleep(0.05)
        waiting.cancel()

        assert [dict(row) for row in await running] == [{"id": first.id}]
        assert [dict(row) for row in await later] == [{"id": last.id}]
        with pytest.raises(asyncio.CancelledError):
            await waiting
        ours = [first.id, cancelled.id, last.id]
        taken = await Unit.select(Unit.id).where(Unit.id.is_in(ours) & (Unit.email == "taken"))
        assert sorted(row["id"] for row in taken) == [first.id, last.id]
    finally:
        await close_database(engine)


async def _planned(inspector: User) -> tuple[Principal, int]:
    await load_mini_checklist()
    principal = await principal_from_user(inspector)
    unit = await make_unit()
    planned = await inspections.create(
        principal, InspectionIn(unit_id=unit.id, checklist_code="mini", title="T", planned_date=TODAY)
    )
    return principal, planned.id


def _answer(principal: Principal, inspection_id: int, item: str, passed: bool) -> inspections.AnswerToSave:
    answer = AnswerOut(
        item_code=item,
        criterion_code="A.1",
        section_code="A",
        value="yes" if passed else "no",
        not_applicable=False,
        points=2.0 if passed else 0.0,
        max_points=2.0,
        passed=passed,
        note="",
        answered_by=principal.id,
        answered_at=clock.now(),
    )
    return inspections.AnswerToSave(principal, inspection_id, answer, "Tồn tại", "major")


async def test_an_answer_refused_among_answers_saved_together_writes_nothing(db: Engine) -> None:
    principal, inspection_id = await _planned(await make_user("inspector"))
    outsider = await principal_from_user(await make_user("inspector"))

    saved = await inspections.save_together(
        [
            _answer(principal, inspection_id, "A.1.1", True),
            _answer(outsider, inspection_id, "A.1.2", False),  # not on the team
            _answer(principal, inspection_id, "A.1.3", False),
        ]
    )

    assert isinstance(saved[1], Forbidden)
    assert isinstance(saved[0], inspections.SavedAnswer) and saved[0].points_so_far == 2.0
    assert isinstance(saved[2], inspections.SavedAnswer) and saved[2].finding is not None
    assert saved[2].finding["item_code"] == "A.1.3" and saved[2].points_so_far == 2.0
    answers = await Answer.select(Answer.item_code).where(Answer.inspection == inspection_id)
    assert sorted(row["item_code"] for row in answers) == ["A.1.1", "A.1.3"]
    findings = await Finding.select(Finding.item_code).where(Finding.inspection == inspection_id)
    assert [row["item_code"] for row in findings] == ["A.1.3"]


async def test_answers_saved_together_fail_only_the_one_at_fault(postgres_url: str) -> None:
    engine = await open_database(postgres_url)
    try:
        principal, inspection_id = await _planned(await make_user("inspector"))
        # An item code longer than its column: saving all three fails, then each is saved alone.
        answers = [
            _answer(principal, inspection_id, "A.1.1", True),
            _answer(principal, inspection_id, "X" * 65, False),
            _answer(principal, inspection_id, "A.1.2", False),
        ]

        saved = await inspections.save_together(answers)

        assert isinstance(saved[1], Exception) and "too long" in str(saved[1])
        assert isinstance(saved[0], inspections.SavedAnswer) and saved[0].points_so_far == 2.0
        assert isinstance(saved[2], inspections.SavedAnswer) and saved[2].finding is not None
        assert saved[2].finding["item_code"] == "A.1.2"
        rows = await Answer.select(Answer.item_code).where(Answer.inspection == inspection_id)
        assert sorted(row["item_code"] for row in rows) == ["A.1.1", "A.1.2"]
    finally:
        await close_database(engine)
