"""The list of extension requests: who sees which, the pending ones each decider is waiting on,
and the menu's count of them."""

from __future__ import annotations

import datetime as dt

import httpx

from tests.test_remediation_loop import World, submitted_inspection
from tests.web.conftest import login

Client = httpx.AsyncClient


async def _ask(client: Client, w: World, action: dict[str, object]) -> dict[str, object]:
    later = (dt.date.fromisoformat(str(action["due_date"])) + dt.timedelta(days=10)).isoformat()
    response = await client.post(
        f"/api/actions/{action['id']}/extension-requests",
        json={"requested_due_date": later, "reason": "Chờ kinh phí năm sau"},
        headers=w.head,
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_pending_extension_requests_are_listed_for_whoever_may_decide_them(
    client: Client, world: World
) -> None:
    w = world
    _, actions = await submitted_inspection(client, w)
    asked = await _ask(client, w, actions[0])

    async def listed(headers: dict[str, str], query: str = "status=pending&decidable=true") -> list[int]:
        response = await client.get(f"/api/extension-requests?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return [row["id"] for row in response.json()]

    # Those who decide it: the leader, and the inspection team (its lead and its member).
    assert await listed(w.leader) == [asked["id"]]
    assert await listed(w.inspector) == [asked["id"]]
    assert await listed(w.colleague) == [asked["id"]]
    # An inspector of another team reads it, but does not decide it; nor do an observer or
    # the unit's head, who sees their own unit's requests; another unit's head sees nothing.
    assert await listed(w.outsider_inspector) == []
    assert await listed(w.outsider_inspector, "status=pending") == [asked["id"]]
    assert await listed(w.observer) == []
    assert await listed(w.head, "status=pending") == [asked["id"]]
    assert await listed(w.other_head, "status=pending") == []

    [row] = (await client.get("/api/extension-requests?status=pending", headers=w.leader)).json()
    assert row["action_id"] == actions[0]["id"] and row["action_title"] == actions[0]["title"]
    assert row["unit_name"] == "Xã X-ANBINH" and row["reason"] == "Chờ kinh phí năm sau"
    assert row["action_due_date"] == actions[0]["due_date"]

    refused = await client.get("/api/extension-requests?status=waiting", headers=w.leader)
    assert refused.status_code == 400 and refused.json()["extra"][0]["key"] == "status"

    decided = await client.post(
        f"/api/extension-requests/{asked['id']}/decision", json={"approve": False}, headers=w.leader
    )
    assert decided.status_code == 200, decided.text
    assert await listed(w.leader) == []
    assert await listed(w.leader, "status=rejected") == [asked["id"]]


async def test_the_menu_counts_the_requests_waiting_and_the_page_lists_them(
    client: Client, world: World
) -> None:
    w = world
    _, actions = await submitted_inspection(client, w)
    await login(client, "pct.huyen")
    page = await client.get("/actions")
    assert 'href="/extensions"' in page.text and "Đề nghị gia hạn</a>" in page.text  # none waiting

    for action in actions[:2]:
        await _ask(client, w, action)
    page = await client.get("/actions")
    assert 'Đề nghị gia hạn <span class="badge" title="Đang chờ anh/chị quyết định">2</span>' in page.text
    listing = await client.get("/extensions")
    assert listing.status_code == 200
    assert "2 đề nghị" in listing.text and "Chờ kinh phí năm sau" in listing.text
    for action in actions[:2]:
        assert f'href="/actions/{action["id"]}"' in listing.text
    due = dt.date.fromisoformat(actions[0]["due_date"]) + dt.timedelta(days=10)
    assert f"Hạn đề nghị: <strong>{due:%d/%m/%Y}</strong>" in listing.text

    # An inspector of another team has nothing to decide: no count, an empty list.
    client.cookies.clear()
    await login(client, "hung.pv")
    assert '<span class="badge"' not in (await client.get("/actions")).text
    assert "Không có đề nghị gia hạn nào" in (await client.get("/extensions")).text
