"""Statements run together: callers asking at once share a run, each getting what it would alone."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from piccolo.engine.base import Engine

from inspection import clock
from inspection.auth.middleware import principal_from_user
from inspection.db import sql
from inspection.db.engine import close_database, is_sqlite, open_database
from inspection.db.tables import Answer, Unit
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


async def test_answers_saved_together_fail_only_the_one_at_fault(postgres_url: str) -> None:
    engine = await open_database(postgres_url)
    try:
        await load_mini_checklist()
        inspector = await make_user("inspector")
        principal = await principal_from_user(inspector)
        planned = await inspections.create(
            principal,
            InspectionIn(
                unit_id=(await make_unit()).id, checklist_code="mini", title="T", planned_date=TODAY
            ),
        )

        def given(item: str, passed: bool) -> inspections.AnswerToSave:
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
                answered_by=inspector.id,
                answered_at=clock.now(),
            )
            return inspections.AnswerToSave(planned.id, answer, "Tồn tại", "major")

        # An item code longer than the column: the call of all three fails, then each is saved alone.
        outcomes = await inspections.save_together(
            [given("A.1.1", True), given("X" * 65, False), given("A.1.2", False)]
        )

        assert isinstance(outcomes[1], Exception) and "too long" in str(outcomes[1])
        assert not isinstance(outcomes[0], Exception) and outcomes[0][0]["points_so_far"] == 2.0
        assert not isinstance(outcomes[2], Exception) and outcomes[2][0]["item_code"] == "A.1.2"
        saved = (
            await Answer.select(Answer.item_code)
            .where(Answer.inspection == planned.id)
            .order_by(Answer.item_code)
        )
        assert [row["item_code"] for row in saved] == ["A.1.1", "A.1.2"]
    finally:
        await close_database(engine)
