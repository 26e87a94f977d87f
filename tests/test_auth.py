"""Signing in: sessions, their rotation and end, API tokens, throttling, the API's CSRF rule."""

from __future__ import annotations

import asyncio
import re

import httpx
import redis.asyncio as aioredis
from litestar import Litestar

from inspection.app import create_app
from inspection.auth.middleware import OPEN_API_PATHS
from inspection.auth.sessions import LoginThrottle, SessionStore
from inspection.settings import Settings
from tests.conftest import client_from
from tests.factories import PASSWORD, make_unit, make_user, token_headers
from tests.races import one_wins


async def login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/api/auth/login", json={"username": username, "password": password})


async def test_sign_in_gives_a_new_session_each_time_and_sign_out_ends_it(client: httpx.AsyncClient) -> None:
    await make_user("inspector", username="thanh.nv")
    first = await login(client, "thanh.nv")
    assert first.status_code == 200 and first.json()["role"] == "inspector"
    cookie = client.cookies["inspection_session"]
    assert (await client.get("/api/auth/me")).json()["username"] == "thanh.nv"

    again = await login(client, "thanh.nv")
    assert again.status_code == 200
    assert client.cookies["inspection_session"] != cookie
    # The session that existed before the second sign-in is gone (no fixation).
    current = client.cookies["inspection_session"]
    client.cookies.set("inspection_session", cookie)
    assert (await client.get("/api/auth/me")).status_code == 401
    client.cookies.set("inspection_session", current)

    assert (await client.post("/api/auth/logout", json={})).status_code == 204
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_wrong_passwords_slow_down_that_username_from_that_address_only(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    await make_user("unit_head", await make_unit("X-ANBINH"), username="chutich.anbinh")
    assert (await login(client, "nobody", "x")).status_code == 400
    for _ in range(4):  # three are free, the fourth makes the next try wait a second
        response = await login(client, "chutich.anbinh", "wrong password")
        assert response.status_code == 400 and response.json()["extra"][0]["key"] == "password"
    for password in ("wrong password", PASSWORD):  # from here, even the right one waits
        refused = await login(client, "chutich.anbinh", password)
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
        assert refused.json()["detail"] == "Too many sign-in attempts; wait 1 s before trying again"
    # Whoever guesses cannot keep the owner out: from their own address they sign in.
    async with client_from(app, "203.0.113.7") as owner:
        assert (await login(owner, "chutich.anbinh")).status_code == 200

    await asyncio.sleep(1.1)
    assert (await login(client, "chutich.anbinh", "wrong password")).status_code == 400
    longer = await login(client, "chutich.anbinh", "wrong password")
    assert longer.status_code == 429 and longer.headers["Retry-After"] == "2"
    await asyncio.sleep(2.1)
    assert (await login(client, "chutich.anbinh")).status_code == 200
    # The right password started the count afresh.
    assert (await login(client, "chutich.anbinh", "wrong password")).status_code == 400
    assert (await login(client, "chutich.anbinh", "wrong password")).status_code == 400


async def test_guesses_sent_at_once_for_one_username_are_refused_but_one(client: httpx.AsyncClient) -> None:
    await make_user("leader", username="pct")
    _, refused = await one_wins(lambda: login(client, "pct", "wrong password"), won=400, lost=429)
    assert {r.headers["Retry-After"] for r in refused} == {"1"}


async def test_an_address_with_many_failures_is_slowed_not_locked(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    """One office behind one NAT address: failures past the address's ceiling slow everyone
    there down, but the right password still gets through, after a short wait."""
    # A ceiling of 5 rather than 50, so that the test pays for 5 password checks (Argon2).
    app.state.throttle = LoginThrottle(app.state.redis, address_ceiling=5)
    await make_user("inspector", username="thanh.nv")
    failures = await asyncio.gather(*(login(client, f"user{n}", "guess") for n in range(5)))
    assert {r.status_code for r in failures} == {400}
    assert (await login(client, "someone", "guess")).status_code == 400  # one try per spacing
    slowed = await login(client, "thanh.nv")
    assert slowed.status_code == 429
    await asyncio.sleep(int(slowed.headers["Retry-After"]) + 0.1)
    assert (await login(client, "thanh.nv")).status_code == 200
    async with client_from(app, "198.51.100.20") as elsewhere:  # other addresses never noticed
        assert (await login(elsewhere, "thanh.nv")).status_code == 200


async def test_cookie_changes_must_be_json_or_marked(client: httpx.AsyncClient) -> None:
    await make_user("inspector", username="lan")
    await login(client, "lan")
    form = await client.post("/api/tokens", data={"name": "x"})
    assert form.status_code == 403
    assert (await client.post("/api/tokens", json={"name": "script"})).status_code == 201


async def test_revoked_tokens_and_changed_users_stop_at_once(client: httpx.AsyncClient) -> None:
    unit = await make_unit("X-ANBINH")
    admin = await make_user("admin", username="admin")
    head = await make_user("unit_head", unit, username="head")
    admin_headers = await token_headers(admin)
    head_headers = await token_headers(head)
    assert (await client.get("/api/auth/me", headers=head_headers)).status_code == 200

    await login(client, "head")
    created = (await client.post("/api/tokens", json={"name": "cron"})).json()
    script = {"Authorization": f"Bearer {created['token']}"}
    assert (await client.get("/api/auth/me", headers=script)).json()["username"] == "head"
    assert (await client.delete(f"/api/tokens/{created['id']}")).status_code == 204
    assert (await client.get("/api/auth/me", headers=script)).status_code == 401

    client.cookies.clear()
    disabled = await client.patch(f"/api/users/{head.id}", json={"active": False}, headers=admin_headers)
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    assert (await client.get("/api/auth/me", headers=head_headers)).status_code == 401
    assert (await login(client, "head")).status_code == 400


async def test_admins_manage_units_and_users_and_nobody_else_does(client: httpx.AsyncClient) -> None:
    admin = await token_headers(await make_user("admin", username="admin"))
    inspector = await token_headers(await make_user("inspector", username="insp"))
    district = await client.post(
        "/api/units", json={"code": "UBND-HUYEN", "name_vi": "UBND huyện", "kind": "district"}, headers=admin
    )
    assert district.status_code == 201
    commune = await client.post(
        "/api/units",
        json={
            "code": "X-MYHIEP",
            "name_vi": "Xã Mỹ Hiệp",
            "kind": "commune",
            "parent_id": district.json()["id"],
        },
        headers=admin,
    )
    assert commune.status_code == 201
    loop = await client.patch(
        f"/api/units/{district.json()['id']}", json={"parent_id": commune.json()["id"]}, headers=admin
    )
    assert loop.status_code == 400 and loop.json()["extra"][0]["key"] == "parent_id"
    head = await client.post(
        "/api/users",
        json={
            "username": "chutich.myhiep",
            "full_name": "Chủ tịch UBND xã Mỹ Hiệp",
            "role": "unit_head",
            "unit_id": commune.json()["id"],
            "password": "mật khẩu dài",
        },
        headers=admin,
    )
    assert head.status_code == 201
    unit = (await client.get(f"/api/units/{commune.json()['id']}", headers=inspector)).json()
    assert unit["head_id"] == head.json()["id"]
    assert (await client.post("/api/users", json={}, headers=inspector)).status_code == 403
    duplicate = await client.post(
        "/api/units", json={"code": "X-MYHIEP", "name_vi": "x", "kind": "commune"}, headers=admin
    )
    assert duplicate.status_code == 409


async def test_every_api_route_but_signing_in_and_out_needs_a_signed_in_caller(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    app = create_app(settings)
    checked = 0
    for route in app.routes:
        if not route.path.startswith("/api/") or route.path in OPEN_API_PATHS:
            continue
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        for method in sorted(getattr(route, "methods", set()) - {"OPTIONS", "HEAD"}):
            response = await client.request(method, path, json={})
            assert response.status_code == 401, (method, route.path, response.text)
            assert response.json()["detail"] == "Sign in first"
            checked += 1
    assert checked > 35


async def test_a_session_ended_in_one_process_ends_in_every_other(
    client: httpx.AsyncClient, redis: aioredis.Redis
) -> None:
    """Another web process reads sessions from the same Redis: signing out here, or an
    admin changing the user, ends the session there at the next request."""
    await make_user("inspector", username="thanh.nv")
    assert (await login(client, "thanh.nv")).status_code == 200
    token = client.cookies["inspection_session"]
    other = SessionStore(redis, idle_seconds=600)
    principal = await other.get(token)
    assert principal is not None and principal.username == "thanh.nv"
    assert (await client.post("/api/auth/logout", json={})).status_code == 204
    assert await other.get(token) is None

    user = await make_user("inspector", username="lan.tt")
    assert (await login(client, "lan.tt")).status_code == 200
    token = client.cookies["inspection_session"]
    assert await other.get(token) is not None
    await SessionStore(redis, idle_seconds=600).end_all_for_user(user.id)
    assert await other.get(token) is None
