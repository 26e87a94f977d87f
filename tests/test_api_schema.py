"""The published schema tells a client everything: every error an operation answers, how to sign
in, what an answer's value is, who can be on a team; and what it says is what the API does."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Controller, Litestar, get, post
from litestar.params import FromPath

from inspection.api.openapi import DESCRIPTIONS, document_api, may_answer
from inspection.app import create_app
from inspection.domain.checklist import ANSWER_VALUES
from inspection.settings import Settings
from tests.factories import make_action, make_unit, make_user, token_headers
from tests.web.conftest import login

Client = httpx.AsyncClient
OPEN = {"/api/auth/login", "/api/auth/logout"}


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The schema as ``/schema/openapi.json`` publishes it (built without a running app)."""
    folder = tmp_path_factory.mktemp("schema")
    settings = Settings(data_dir=str(folder), redis_url="redis://127.0.0.1:1/0", secret_key="k" * 32)
    built: dict[str, Any] = create_app(settings).openapi_schema.to_schema()
    return built


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if path.startswith("/api/")
    ]


def test_every_operation_documents_its_errors_with_the_one_error_body(schema: dict[str, Any]) -> None:
    operations = _operations(schema)
    assert len(operations) > 40
    for method, path, operation in operations:
        responses = operation["responses"]
        errors = {int(status) for status in responses if int(status) >= 400}
        assert (401 in errors) == (path not in OPEN), (method, path)
        if "{" in path:
            assert 404 in errors, (method, path)
        if method != "GET":
            assert 403 in errors, (method, path)
        for status in errors:
            body = responses[str(status)]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
            assert responses[str(status)]["description"] == DESCRIPTIONS[status]
    error = schema["components"]["schemas"]["ErrorOut"]
    assert set(error["required"]) == {"status_code", "detail"}


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("POST", "/api/auth/login", {400, 403, 429}),
        ("GET", "/api/auth/me", {401}),
        ("GET", "/api/notifications/report", {401, 403}),
        ("GET", "/api/units", {400, 401}),
        ("POST", "/api/units", {400, 401, 403, 409}),
        ("POST", "/api/inspections/{inspection_id}/start", {400, 401, 403, 404, 409}),
        ("POST", "/api/actions/{action_id}/close", {400, 401, 403, 404, 409}),
        ("GET", "/api/dashboard", {400, 401, 403, 404}),
    ],
)
def test_an_operation_lists_only_the_errors_it_can_answer(
    schema: dict[str, Any], method: str, path: str, statuses: set[int]
) -> None:
    responses = schema["paths"][path][method.lower()]["responses"]
    assert {int(status) for status in responses if int(status) >= 400} == statuses


def test_starting_an_inspection_is_documented(schema: dict[str, Any]) -> None:
    start = schema["paths"]["/api/inspections/{inspection_id}/start"]["post"]
    assert "in_progress" in start["description"]
    assert start["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/InspectionOut"
    }


def test_the_bearer_token_and_the_session_cookie_are_declared(schema: dict[str, Any]) -> None:
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["session"] == {**schemes["session"], "type": "apiKey", "in": "cookie"}
    for method, path, operation in _operations(schema):
        if path in OPEN:
            assert "security" not in operation, (method, path)
        else:
            assert operation["security"] == [{"bearer": []}, {"session": []}], (method, path)


def test_the_answer_values_are_documented_from_the_domain(schema: dict[str, Any]) -> None:
    value = schema["components"]["schemas"]["AnswerIn"]["properties"]["value"]["description"]
    for response_type, values in ANSWER_VALUES.items():
        assert f"{response_type}: {values}" in value
    assert '"yes", "partial", "no"' in value


def test_a_route_added_later_is_documented_without_anyone_remembering(tmp_path: Path) -> None:
    class Later(Controller):
        path = "/api/later"

        @get("/")
        async def listed(self) -> list[int]:
            return []

        @post("/{thing_id:int}/move", opt=may_answer(409))
        async def move(self, thing_id: FromPath[int]) -> None:
            return None

    app = Litestar(route_handlers=[Later])
    document_api(app)
    paths = app.openapi_schema.to_schema()["paths"]
    assert set(paths["/api/later"]["get"]["responses"]) == {"200", "401"}
    assert set(paths["/api/later/{thing_id}/move"]["post"]["responses"]) == {
        "201",
        "400",
        "401",
        "403",
        "404",
        "409",
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("/api/actions?open_on=9999-12-31", "open_on"),
        ("/api/actions?overdue_on=9999-12-31", "overdue_on"),
        ("/api/actions?created_to=9999-12-31", "created_to"),
        ("/api/actions?closed_from=0001-01-01", "closed_from"),
        ("/api/dashboard?to=0001-01-01", "period_to"),
        ("/api/dashboard?from=9999-12-31", "period_from"),
    ],
)
async def test_a_date_searched_for_beyond_all_reason_is_refused_naming_it(
    client: Client, query: str, field: str
) -> None:
    """Was a 500: the day after 9999-12-31, or eleven months before 0001-01-01, has no date."""
    headers = await token_headers(await make_user("leader", username="lanhdao"))
    response = await client.get(query, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["extra"] == [
        {"key": field, "message": response.json()["detail"]},
    ]
    assert "must be between" in response.json()["detail"]


async def test_an_inspector_lists_the_people_they_can_put_on_a_team(client: Client) -> None:
    office = await make_unit("P-NOIVU", kind="department", name_vi="Phòng Nội vụ")
    thanh = await make_user("inspector", office, username="thanh", full_name="Nguyễn Văn Thành")
    lan = await make_user("inspector", username="lan", full_name="Trần Thị Lan")
    await make_user("inspector", username="nghi", full_name="Đã nghỉ", active=False)
    await make_user("leader", username="lanhdao")
    head = await make_user("unit_head", await make_unit("X-ANBINH"), username="truong")

    response = await client.get("/api/inspections/team-candidates", headers=await token_headers(thanh))

    assert response.status_code == 200, response.text
    assert response.json() == [
        {"id": thanh.id, "full_name": "Nguyễn Văn Thành", "role": "inspector", "unit_id": office.id,
         "unit_name": "Phòng Nội vụ"},
        {"id": lan.id, "full_name": "Trần Thị Lan", "role": "inspector", "unit_id": None, "unit_name": ""},
    ]  # fmt: skip
    refused = await client.get("/api/inspections/team-candidates", headers=await token_headers(head))
    assert refused.status_code == 403
    # The plan page offers the same people.
    await login(client, "thanh")
    page = await client.get("/inspections/new")
    assert "Trần Thị Lan" in page.text and "Đã nghỉ" not in page.text


def test_every_list_pages_and_says_its_total(schema: dict[str, Any]) -> None:
    lists = 0
    for method, path, operation in _operations(schema):
        success = operation["responses"].get("200", {})
        body = success.get("content", {}).get("application/json", {}).get("schema", {})
        if body.get("type") != "array":
            continue
        lists += 1
        assert success["headers"]["X-Total-Count"]["required"] is True, (method, path)
        query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        assert {"limit", "offset"} <= query, (method, path)
    assert lists >= 10


async def test_a_client_pages_through_every_action_by_the_total(client: Client) -> None:
    commune = await make_unit("X-ANBINH")
    inspector = await make_user("inspector", username="thanh")
    for day in range(7):
        await make_action(commune, inspector, dt.date(2026, 12, 10) + dt.timedelta(days=day))
    headers = await token_headers(await make_user("leader", username="lanhdao"))

    seen: list[int] = []
    offset = 0
    while True:
        response = await client.get(f"/api/actions?limit=3&offset={offset}", headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["X-Total-Count"] == "7"
        seen += [action["id"] for action in response.json()]
        offset += 3
        if offset >= int(response.headers["X-Total-Count"]):
            break
    assert len(seen) == len(set(seen)) == 7
    beyond = await client.get("/api/actions?limit=3&offset=30", headers=headers)
    assert beyond.json() == [] and beyond.headers["X-Total-Count"] == "7"
    filtered = await client.get(f"/api/actions?unit_id={commune.id}&limit=1", headers=headers)
    assert len(filtered.json()) == 1 and filtered.headers["X-Total-Count"] == "7"


@pytest.mark.parametrize(
    ("path", "total"),
    [("/api/units", 3), ("/api/users", 3), ("/api/inspections", 0), ("/api/notifications", 0)],
)
async def test_every_list_answers_its_total(client: Client, path: str, total: int) -> None:
    await make_unit("X-ANBINH")
    await make_unit("X-MYTAN")
    await make_unit("P-NOIVU", kind="department")
    admin = await make_user("admin", username="quantri")
    await make_user("inspector", username="thanh")
    await make_user("leader", username="lanhdao")
    headers = await token_headers(admin)

    first = await client.get(f"{path}?limit=1", headers=headers)

    assert first.status_code == 200, first.text
    assert first.headers["X-Total-Count"] == str(total)
    assert len(first.json()) == min(total, 1)
    rest = await client.get(f"{path}?limit=500&offset=1", headers=headers)
    assert len(rest.json()) == max(total - 1, 0)
    whole = await client.get(path, headers=headers)
    assert len(whole.json()) == total and whole.headers["X-Total-Count"] == str(total)


@pytest.mark.parametrize(
    ("method", "url", "body", "status", "key"),
    [
        ("POST", "/api/tokens", {"name": "\u0000rq"}, 400, "name"),
        ("POST", "/api/units", {"code": "X-1", "name_vi": "Xã\u0000", "kind": "commune"}, 400, "name_vi"),
        ("GET", "/api/actions?checklist=%00", None, 400, "checklist"),
        ("GET", "/api/checklists/a%00b", None, 404, None),
    ],
)
async def test_text_holding_nul_is_refused_naming_it(
    client: Client, method: str, url: str, body: Any, status: int, key: str | None
) -> None:
    """Was a 500 on PostgreSQL (found by the fuzzer): its text cannot hold U+0000."""
    headers = await token_headers(await make_user("admin", username="quantri"))
    response = await client.request(method, url, json=body, headers=headers)
    assert response.status_code == status, response.text
    if key is not None:
        assert [error["key"] for error in response.json()["extra"]] == [key]
        assert "NUL" in response.json()["extra"][0]["message"]
