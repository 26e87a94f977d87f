"""How many SQL statements each thing people do costs, on both databases.

Counting statements is deterministic where timing is not: a query added to a hot path, or
one that runs once per row (an N+1), shows up here as a count over its budget, or as a
count that grows with the data. Counted: every query Piccolo runs (its query builder and
raw SQL alike); BEGIN and COMMIT are not, nor the ``PRAGMA foreign_keys`` Piccolo's
SQLite engine sends before each statement. Sessions live in Redis, so a page signed in with
a session cookie spends its statements on its own data only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from unittest import mock

import httpx
import pytest
from piccolo.querystring import QueryString

from inspection import clock
from inspection.db.engine import current_engine
from tests.factories import load_mini_checklist, make_action, make_unit, make_user
from tests.test_remediation_loop import ready_to_submit
from tests.web.conftest import csrf, login, plan_on_page

Client = httpx.AsyncClient


class Counted:
    """The statements run while counting, as SQL text."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)

    def __repr__(self) -> str:
        return "\n".join(f"{n}. {' '.join(s.split())[:160]}" for n, s in enumerate(self.statements, 1))


@asynccontextmanager
async def counting() -> AsyncIterator[Counted]:
    """Count the statements the bound engine runs inside the block."""
    engine_class = type(current_engine())
    run = engine_class.run_querystring
    counted = Counted()

    async def counted_run(self: Any, querystring: QueryString, *args: Any, **kwargs: Any) -> Any:
        counted.statements.append(str(querystring))
        return await run(self, querystring, *args, **kwargs)

    with mock.patch.object(engine_class, "run_querystring", counted_run):
        yield counted


async def count(action: Callable[[], Awaitable[httpx.Response]], expected_status: int = 200) -> Counted:
    async with counting() as counted:
        response = await action()
    assert response.status_code == expected_status, response.text
    return counted


async def _inspector_with_inspection(client: Client) -> tuple[int, int]:
    """A commune, its head and an inspector signed in to the pages, with one planned
    inspection of the commune: its id, and the commune's."""
    await load_mini_checklist()
    commune = await make_unit("X-ANBINH")
    await make_user("unit_head", commune, username="chutich.anbinh")
    await make_user("inspector", username="thanh.nv")
    await login(client, "thanh.nv")
    return await _plan(client, commune.id), commune.id


async def _plan(client: Client, unit_id: int) -> int:
    return int((await plan_on_page(client, unit_id)).rsplit("/", 1)[-1])


async def test_recording_an_answer_from_the_checklist_page(client: Client) -> None:
    inspection_id, _ = await _inspector_with_inspection(client)
    page = await client.get(f"/inspections/{inspection_id}")
    token = csrf(page)

    async def answer(item: str, value: str) -> httpx.Response:
        return await client.post(
            f"/inspections/{inspection_id}/items/{item}",
            data={"value": value, "note": "", "_csrf_token": token},
            headers={"HX-Request": "true"},
        )

    # The first answer starts the inspection and, falling short, proposes a finding: the most.
    first = await count(lambda: answer("A.1.1", "no"))
    assert len(first) <= 6, first
    assert "Niêm yết đầy đủ thủ tục hành chính" in (await answer("A.1.1", "no")).text
    again = await count(lambda: answer("A.1.2", "yes"))
    assert len(again) <= 6, again
    withdrawn = await count(lambda: answer("A.1.1", "yes"))
    assert len(withdrawn) <= 6, withdrawn


async def test_the_checklist_page_whatever_was_answered(client: Client) -> None:
    inspection_id, _ = await _inspector_with_inspection(client)
    empty = await count(lambda: client.get(f"/inspections/{inspection_id}"))
    for item, value in (("A.1.1", "no"), ("A.1.2", "partial"), ("A.1.3", 90.0), ("B.1.1", 3.0)):
        await client.put(f"/api/inspections/{inspection_id}/answers/{item}", json={"value": value})
    answered = await count(lambda: client.get(f"/inspections/{inspection_id}"))
    # 5, and the menu's count of extension requests waiting for an inspector's decision.
    assert len(answered) <= 6, answered
    assert len(answered) == len(empty)


async def test_recording_an_answer_through_the_api(client: Client) -> None:
    inspection_id, _ = await _inspector_with_inspection(client)
    put = f"/api/inspections/{inspection_id}/answers/A.1.3"
    counted = await count(lambda: client.put(put, json={"value": 50.0, "note": "Sổ theo dõi"}))
    assert len(counted) <= 6, counted


async def _unit_with_actions(client: Client, n: int) -> tuple[Any, Any, list[Any]]:
    commune = await make_unit("X-ANBINH")
    head = await make_user("unit_head", commune, username="chutich.anbinh")
    inspector = await make_user("inspector", username="thanh.nv")
    today = clock.now().date()
    made = [await make_action(commune, inspector, today + dt.timedelta(days=k - 3)) for k in range(n)]
    return head, inspector, made


@pytest.mark.parametrize("actions", [3, 30])
async def test_the_inbox_page_and_the_api_list(client: Client, actions: int) -> None:
    await _unit_with_actions(client, actions)
    await login(client, "chutich.anbinh")
    inbox = await count(lambda: client.get("/actions"))
    assert len(inbox) <= 4, inbox
    listed = await count(lambda: client.get("/api/actions?open=true"))
    assert len(listed) <= 4, listed


async def test_an_actions_page(client: Client) -> None:
    _, _, made = await _unit_with_actions(client, 3)
    await login(client, "chutich.anbinh")
    page = await count(lambda: client.get(f"/actions/{made[0].id}"))
    assert len(page) <= 8, page
    api = await count(lambda: client.get(f"/api/actions/{made[0].id}"))
    assert len(api) <= 8, api


@pytest.mark.parametrize("actions", [3, 30])
async def test_the_dashboard(client: Client, actions: int) -> None:
    await _unit_with_actions(client, actions)
    await make_user("leader", username="pct.tinh")
    await login(client, "pct.tinh")
    page = await count(lambda: client.get("/dashboard"))
    assert len(page) <= 12, page
    api = await count(lambda: client.get("/api/dashboard"))
    assert len(api) <= 12, api


async def _submit_with_findings(client: Client, inspection_id: int, findings: int) -> Counted:
    await ready_to_submit(client, inspection_id)
    for n in range(findings):
        added = await client.post(
            f"/api/inspections/{inspection_id}/findings",
            json={"title": f"Tồn tại {n + 1}", "severity": "minor"},
        )
        assert added.status_code == 201, added.text
    return await count(
        lambda: client.post(f"/api/inspections/{inspection_id}/submit", json={"conclusion": "Kết luận"})
    )


async def test_submitting_30_findings_costs_what_3_do(client: Client) -> None:
    few_id, commune_id = await _inspector_with_inspection(client)
    many_id = await _plan(client, commune_id)
    few = await _submit_with_findings(client, few_id, 3)
    many = await _submit_with_findings(client, many_id, 30)
    assert len(many) <= len(few), (few, many)
    assert len(few) <= 14, few
