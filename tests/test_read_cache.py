"""What a web process keeps in memory follows every commit, its own and other processes'."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import sqlite3
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from inspection import clock
from inspection.db import sql
from inspection.db.cache import ReadCache
from inspection.db.engine import ChangeFeed, ListeningPostgresEngine, current_engine, reached, written_table
from inspection.db.tables import Answer, CorrectiveAction, Finding, Inspection, Unit, User
from inspection.domain.scoring import ScoredAnswer, running_total, score_answer, totals
from inspection.services.checklists import latest_version_id, loaded_version
from tests.factories import load_mini_checklist, make_action, make_unit, make_user, token_headers

LIST = "/api/actions?open=true"


async def _commit_elsewhere(database_url: str, statement: str, *args: object) -> None:
    """Run ``statement`` on a connection of its own, as another process would."""
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(urlsplit(database_url).path, isolation_level=None)
        try:
            connection.execute(statement.replace("$1", "?").replace("$2", "?"), args)
        finally:
            connection.close()
        return
    remote = await asyncpg.connect(database_url.replace("postgresql://", "postgres://", 1))
    try:
        await remote.execute(statement, *args)
    finally:
        await remote.close()


async def _listed(client: httpx.AsyncClient, headers: dict[str, str], field: str = "title") -> list[object]:
    response = await client.get(LIST, headers=headers)
    assert response.status_code == 200, response.text
    return [action[field] for action in response.json()]


async def _eventually(
    client: httpx.AsyncClient, headers: dict[str, str], expected: list[object], field: str = "title"
) -> list[object]:
    """``field`` of each listed action once it shows ``expected``: PostgreSQL delivers another
    process's change notice a moment after its commit, SQLite at once."""
    for _ in range(100):
        values = await _listed(client, headers, field)
        if values == expected:
            break
        await asyncio.sleep(0.02)
    return values


async def _action_for_a_head(**values: object) -> tuple[CorrectiveAction, User, dict[str, str]]:
    """An open action due in 5 days, its inspector, and API headers for its unit's head."""
    unit = await make_unit()
    inspector = await make_user("inspector")
    head = await make_user("unit_head", unit=unit)
    action = await make_action(unit, inspector, clock.now().date() + dt.timedelta(days=5), **values)
    return action, inspector, await token_headers(head)


async def test_the_action_list_follows_a_change_committed_by_another_process(
    client: httpx.AsyncClient, database_url: str
) -> None:
    action, _, headers = await _action_for_a_head(title="Trước")
    assert await _listed(client, headers) == ["Trước"]
    assert await _listed(client, headers) == ["Trước"]  # now from memory

    await _commit_elsewhere(
        database_url, "UPDATE corrective_action SET title = $1 WHERE id = $2", "Sau", action.id
    )
    assert await _eventually(client, headers, ["Sau"]) == ["Sau"]

    # A unit's new name is part of every action of it in the list.
    await _commit_elsewhere(database_url, "UPDATE unit SET name_vi = $1 WHERE id = $2", "Xã Mới", action.unit)
    assert await _eventually(client, headers, ["Xã Mới"], "unit_name") == ["Xã Mới"]


async def test_a_findings_change_reaches_the_kept_list_of_its_actions(
    client: httpx.AsyncClient, database_url: str
) -> None:
    action, _, headers = await _action_for_a_head(item_code="1.1")
    for _ in range(2):  # the second from memory
        assert await _listed(client, headers, "item_code") == ["1.1"]
    finding = (
        await CorrectiveAction.select(CorrectiveAction.finding).where(CorrectiveAction.id == action.id)
    )[0]
    await _commit_elsewhere(
        database_url, "UPDATE finding SET item_code = $1 WHERE id = $2", "2.3", finding["finding"]
    )
    assert await _eventually(client, headers, ["2.3"], "item_code") == ["2.3"]


async def test_a_proposed_finding_made_and_withdrawn_elsewhere_leaves_kept_reads_alone(
    client: httpx.AsyncClient, database_url: str
) -> None:
    action, inspector, headers = await _action_for_a_head(title="Trước")
    assert await _listed(client, headers) == ["Trước"]
    inspection_id = (
        await CorrectiveAction.select(CorrectiveAction.inspection).where(CorrectiveAction.id == action.id)
    )[0]["inspection"]
    before = sql.generation(("finding",))

    # As answers do: a proposal (no action) is made, edited and withdrawn by another process.
    await _commit_elsewhere(
        database_url,
        "INSERT INTO finding (inspection, item_code, title, description, severity, proposed, created_by,"
        " created_at, version) VALUES ($1, '9.9', 'Đề xuất', '', 'minor', TRUE, $2, CURRENT_TIMESTAMP, 1)",
        inspection_id,
        inspector.id,
    )
    await _commit_elsewhere(database_url, "UPDATE finding SET title = 'Sửa' WHERE item_code = '9.9'")
    await _commit_elsewhere(database_url, "DELETE FROM finding WHERE item_code = '9.9'")
    # A change that is announced, after them: once it shows, any notice before it has come.
    await _commit_elsewhere(
        database_url, "UPDATE corrective_action SET title = $1 WHERE id = $2", "Sau", action.id
    )
    assert await _eventually(client, headers, ["Sau"]) == ["Sau"]
    assert sql.generation(("finding",)) == before


def test_only_reads_of_tables_that_announce_their_changes_can_be_kept() -> None:
    ReadCache(CorrectiveAction, Finding, Unit)
    with pytest.raises(ValueError, match="changes to answer, inspection are not announced"):
        ReadCache(Inspection, Answer)


async def test_a_token_revoked_by_another_process_stops_working(
    client: httpx.AsyncClient, database_url: str
) -> None:
    head = await make_user("unit_head", unit=await make_unit())
    headers = await token_headers(head)
    assert (await client.get(LIST, headers=headers)).status_code == 200
    await _commit_elsewhere(
        database_url, 'UPDATE api_token SET revoked = $1 WHERE "user" = $2', True, head.id
    )
    for _ in range(100):
        status = (await client.get(LIST, headers=headers)).status_code
        if status == 401:
            break
        await asyncio.sleep(0.02)
    assert status == 401


async def test_own_writes_are_read_back_at_once(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    inspector = await make_user("inspector")
    head = await make_user("unit_head", unit=unit)
    await make_action(unit, inspector, clock.now().date() + dt.timedelta(days=5))
    headers = await token_headers(head)
    [before] = (await client.get(LIST, headers=headers)).json()
    moved = await client.post(
        f"/api/actions/{before['id']}/acknowledge", json={"version": before["version"]}, headers=headers
    )
    assert moved.status_code == 200, moved.text
    [after] = (await client.get(LIST, headers=headers)).json()
    assert after["status"] == "acknowledged"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_nothing_is_kept_while_postgresql_changes_cannot_be_followed(
    client: httpx.AsyncClient, database_url: str
) -> None:
    unit = await make_unit()
    head = await make_user("unit_head", unit=unit)
    action = await make_action(unit, await make_user("inspector"), clock.now().date(), title="Trước")
    headers = await token_headers(head)
    assert await _listed(client, headers) == ["Trước"]
    engine = current_engine()
    assert isinstance(engine, ListeningPostgresEngine)
    await engine.changes.stop()  # the listening connection is lost
    await _commit_elsewhere(
        database_url, "UPDATE corrective_action SET title = $1 WHERE id = $2", "Sau", action.id
    )
    assert await _listed(client, headers) == ["Sau"]  # read again, not waited for


def test_the_tables_a_statement_writes() -> None:
    assert written_table('INSERT INTO "answer" ("inspection") VALUES ($1)') == "answer"
    assert written_table("  update corrective_action SET status = $1") == "corrective_action"
    assert written_table("DELETE FROM finding WHERE id = $1") == "finding"
    # A delete counts for the tables it may cascade to.
    assert reached({"inspection"}) == {"inspection", "inspection_member", "answer", "finding", "evidence"}
    assert "notification" in reached({"app_user"}) and "corrective_action" in reached({"app_user"})
    assert written_table("SELECT * FROM unit FOR SHARE") is None
    assert written_table("WITH moved AS (UPDATE unit SET x = 1) SELECT 1") == "*"


async def test_the_running_total_is_the_scores_total(db: object) -> None:
    """The sums kept while answering are those of the full score, whatever was answered."""
    await load_mini_checklist()
    version = await loaded_version(await latest_version_id("mini"))
    items = [item for _, _, item in version.definition.items()]
    rng = random.Random(7)
    for _ in range(50):
        answers: dict[str, ScoredAnswer] = {}
        for item in rng.sample(items, rng.randint(0, len(items))):
            candidates = ["yes", "no", "partial", item.max_points, 0.0, "ghi chú"]
            for value in rng.sample(candidates, len(candidates)):
                try:
                    answers[item.code] = score_answer(item, value, item.allow_na and rng.random() < 0.2)
                    break
                except ValueError:
                    continue
        full = totals(version.definition, answers)
        points = sum(a.points or 0.0 for a in answers.values())
        left_out = [code for code, a in answers.items() if a.not_applicable]
        assert running_total(version.max_points, version.item_max, points, left_out) == (
            full.points,
            full.max_points,
        )


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_the_change_feed_comes_back_after_its_connection_is_killed(
    client: httpx.AsyncClient, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ChangeFeed, "RETRY_SECONDS", 0.05)
    engine = current_engine()
    assert isinstance(engine, ListeningPostgresEngine)
    before = engine.changes.change_counts(("unit",))
    assert before is not None
    await _commit_elsewhere(
        database_url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = current_database() AND query LIKE $1 AND pid <> pg_backend_pid()",
        "LISTEN %",
    )
    seen_down, after = False, None
    for _ in range(200):
        after = engine.changes.change_counts(("unit",))
        seen_down = seen_down or after is None
        if seen_down and after is not None:
            break
        await asyncio.sleep(0.01)
    assert seen_down and after is not None
    assert after != before  # what was kept before the outage is not trusted after it
    # And it follows commits again (a statement trigger fires even for no row).
    await _commit_elsewhere(database_url, "UPDATE unit SET name_vi = $1 WHERE id = $2", "x", 0)
    for _ in range(100):
        if engine.changes.change_counts(("unit",)) != after:
            break
        await asyncio.sleep(0.01)
    assert engine.changes.change_counts(("unit",)) != after
