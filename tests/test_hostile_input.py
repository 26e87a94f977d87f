"""Input a fuzzer or a careless script sends: numbers no column holds, absurd dates, booleans as
numbers, a missing note. Each is refused with the status that says what is wrong, naming the
field, and never as a server error."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import httpx
import pytest
from litestar import Litestar

from inspection.db.tables import Inspection
from tests.factories import DATA, make_unit, make_user, token_headers
from tests.test_remediation_loop import World, answer, plan, ready_to_submit, submitted_inspection
from tests.web.conftest import csrf, login

Client = httpx.AsyncClient

# Past what PostgreSQL's integer holds (every id column), and past what SQLite's holds.
TOO_BIG = (2**31, 2**63)


def _error_keys(response: httpx.Response) -> set[str]:
    return {error["key"] for error in response.json().get("extra", [])}


@pytest.mark.parametrize("number", [*TOO_BIG, 0, -1])
async def test_a_path_id_no_row_can_have_is_not_found_on_every_route(
    client: Client, app: Litestar, number: int
) -> None:
    await make_user("admin", username="quantri")
    api = await token_headers(await make_user("admin", username="quantri2"))
    await login(client, "quantri")
    token = csrf(await client.get("/admin/units/new"))
    checked = 0
    for route in app.routes:
        if ":int}" not in route.path:
            continue
        path = re.sub(r"\{[^}]+:int\}", str(number), route.path)
        path = re.sub(r"\{[^}]+\}", "A.1.1", path)
        for method in sorted(getattr(route, "methods", set()) - {"OPTIONS", "HEAD"}):
            if path.startswith("/api/"):
                response = await client.request(method, path, headers=api)
            elif method == "GET":
                response = await client.get(path)
            else:
                response = await client.request(method, path, data={"_csrf_token": token})
            assert response.status_code == 404, (method, path, response.text[:300])
            checked += 1
    assert checked > 40


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("/api/actions?offset=96391897403485536256", "offset"),
        ("/api/actions?unit_id=2147483648", "unit_id"),
        ("/api/actions?inspection_id=9223372036854775808", "inspection_id"),
        ("/api/inspections?unit_id=2147483648", "unit_id"),
        ("/api/inspections?offset=9223372036854775808", "offset"),
        ("/api/dashboard?unit_id=2147483648", "unit_id"),
        ("/api/notifications?offset=2147483648", "offset"),
    ],
)
async def test_a_query_number_no_column_holds_is_refused_naming_it(
    client: Client, url: str, key: str
) -> None:
    admin = await token_headers(await make_user("admin", username="quantri"))
    response = await client.get(url, headers=admin)
    assert response.status_code == 400, response.text
    assert _error_keys(response) == {key}


async def test_a_body_number_no_column_holds_is_refused_naming_it(client: Client, world: World) -> None:
    w = world
    admin = await token_headers(await make_user("admin", username="quantri"))
    planned = {"checklist_code": "mini", "title": "Kiểm tra", "planned_date": "2026-11-20"}
    _, actions = await submitted_inspection(client, w)
    for method, url, body, headers, key in (
        ("POST", "/api/inspections", {**planned, "unit_id": 1e30}, w.inspector, "unit_id"),
        ("POST", "/api/inspections", {**planned, "unit_id": 2**31}, w.inspector, "unit_id"),
        (
            "POST",
            "/api/inspections",
            {**planned, "unit_id": 1, "member_ids": [2**63]},
            w.inspector,
            "member_ids",
        ),
        ("PATCH", f"/api/units/{w.commune.id}", {"head_id": 2**31}, admin, "head_id"),
        ("PATCH", f"/api/units/{w.commune.id}", {"parent_id": 2**63}, admin, "parent_id"),
        ("POST", f"/api/actions/{actions[0]['id']}/acknowledge", {"version": 2**31}, w.head, "version"),
    ):
        response = await client.request(method, url, json=body, headers=headers)
        assert response.status_code == 400, (url, body, response.text)
        assert any(k.startswith(key) for k in _error_keys(response)), (url, body, response.text)


@pytest.mark.parametrize("active", [0, 1, "false", "true", None])
async def test_a_json_boolean_is_true_or_false(client: Client, active: Any) -> None:
    admin = await token_headers(await make_user("admin", username="quantri"))
    unit = await make_unit("X-ANBINH")
    response = await client.patch(f"/api/units/{unit.id}", json={"active": active}, headers=admin)
    if active is None:  # left as it is, as a PATCH field sent as null is
        assert response.status_code == 200 and response.json()["active"] is True
        return
    assert response.status_code == 400, response.text
    assert _error_keys(response) == {"active"}
    assert (await client.patch(f"/api/units/{unit.id}", json={"active": False}, headers=admin)).json()[
        "active"
    ] is False
    # A query string is text: there "true" is how a boolean is written.
    assert (await client.get("/api/actions?open=true&overdue=false", headers=admin)).status_code == 200


async def test_a_missing_note_or_an_early_date_is_bad_input_not_a_conflict(
    client: Client, world: World
) -> None:
    w = world
    _, actions = await submitted_inspection(client, w)
    action = actions[0]
    url = f"/api/actions/{action['id']}"
    await client.post(f"{url}/acknowledge", json={}, headers=w.head)
    for verb in ("progress", "report-fixed"):
        for body in ({}, {"note": ""}, {"note": "   "}):
            response = await client.post(f"{url}/{verb}", json=body, headers=w.head)
            assert response.status_code == 400, (verb, body, response.text)
            assert _error_keys(response) == {"note"}, (verb, body, response.text)
    earlier = (dt.date.fromisoformat(action["due_date"]) - dt.timedelta(days=1)).isoformat()
    response = await client.post(
        f"{url}/extension-requests",
        json={"requested_due_date": earlier, "reason": "Xin thêm"},
        headers=w.head,
    )
    assert response.status_code == 400, response.text
    assert _error_keys(response) == {"requested_due_date"}
    assert action["due_date"] in response.json()["detail"]
    detail = (await client.get(url, headers=w.head)).json()
    assert detail["action"]["status"] == "acknowledged" and detail["extensions"] == []

    schema = (await client.get("/schema/openapi.json", headers=w.head)).json()
    for verb in ("progress", "report-fixed"):
        body = schema["paths"][f"/api/actions/{{action_id}}/{verb}"]["post"]["requestBody"]["content"]
        ref = body["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        assert "note" in schema["components"]["schemas"][ref]["required"], verb


async def test_dates_and_counts_out_of_all_reason_are_refused_with_the_window(
    client: Client, world: World
) -> None:
    w = world
    window = re.compile(r"\d{4}-\d\d-\d\d and \d{4}-\d\d-\d\d")

    def refused(response: httpx.Response, key: str) -> None:
        assert response.status_code == 400, response.text
        assert _error_keys(response) == {key}, response.text
        assert window.search(response.json()["detail"]), response.text

    planned = await client.post(
        "/api/inspections",
        json={"unit_id": w.commune.id, "checklist_code": "mini", "title": "x", "planned_date": "9999-01-01"},
        headers=w.inspector,
    )
    refused(planned, "planned_date")
    assert await Inspection.count() == 0

    inspection = await plan(client, w)
    iid = inspection["id"]
    count = await client.put(f"/api/inspections/{iid}/answers/A.1.3", json={"value": -3}, headers=w.inspector)
    assert count.status_code == 400 and _error_keys(count) == {"value"}, count.text
    finding = await client.post(
        f"/api/inspections/{iid}/findings",
        json={"title": "Tồn tại", "severity": "minor", "due_date": "9999-12-31"},
        headers=w.inspector,
    )
    refused(finding, "due_date")
    proposed = (await answer(client, w, iid, "A.1.1", "no"))["finding"]
    patched = await client.patch(
        f"/api/findings/{proposed['id']}", json={"due_date": "2999-01-01"}, headers=w.inspector
    )
    refused(patched, "due_date")

    await ready_to_submit(client, iid, w.inspector)
    await client.post(f"/api/inspections/{iid}/submit", json={}, headers=w.inspector)
    [action] = (await client.get(f"/api/actions?inspection_id={iid}", headers=w.head)).json()
    url = f"/api/actions/{action['id']}"
    extension = await client.post(
        f"{url}/extension-requests",
        json={"requested_due_date": "9999-12-31", "reason": "Xin"},
        headers=w.head,
    )
    refused(extension, "requested_due_date")
    await client.post(f"{url}/acknowledge", json={}, headers=w.head)
    await client.post(f"{url}/report-fixed", json={"note": "Xong"}, headers=w.head)
    reopened = await client.post(
        f"{url}/reopen", json={"reason": "Chưa đạt", "due_date": "9999-12-31"}, headers=w.inspector
    )
    refused(reopened, "due_date")


async def test_a_checklist_whose_deadlines_leave_the_window_is_refused(client: Client) -> None:
    admin = await token_headers(await make_user("admin", username="quantri"))
    text = (DATA / "mini.toml").read_text(encoding="utf-8") + "\n[checklist.deadlines]\nmajor = 99999\n"
    response = await client.post("/api/checklists?filename=mini.toml", content=text.encode(), headers=admin)
    assert response.status_code == 400, response.text
    assert "deadlines.major" in response.text and "3650" in response.text
