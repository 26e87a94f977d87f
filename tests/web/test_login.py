"""Signing in and out of the pages, sessions, CSRF and the language switch."""

from __future__ import annotations

import httpx

from inspection.auth.sessions import COOKIE
from tests.factories import make_unit, make_user
from tests.web.conftest import csrf, login


async def test_anonymous_visitor_is_sent_to_the_login_form_and_back(client: httpx.AsyncClient) -> None:
    unit = await make_unit("X-ANBINH")
    await make_user("unit_head", unit, username="chutich")
    response = await client.get("/actions?open=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Factions%3Fopen%3D1"
    page = await client.get(response.headers["location"])
    assert "Đăng nhập" in page.text
    done = await client.post(
        "/login",
        data={
            "username": "chutich",
            "password": "correct horse battery",
            "next": "/actions?open=1",
            "_csrf_token": csrf(page),
        },
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/actions?open=1"


async def test_login_makes_a_new_session_and_logout_ends_it(client: httpx.AsyncClient) -> None:
    await make_user("leader", username="lanhdao")
    client.cookies.set(COOKIE, "planted-by-an-attacker", domain="testserver.local")
    await login(client, "lanhdao")
    token = client.cookies.get(COOKIE)
    assert token and token != "planted-by-an-attacker"
    page = await client.get("/inspections")
    assert page.status_code == 200
    out = await client.post("/logout", data={"_csrf_token": csrf(page)})
    assert out.status_code == 303
    client.cookies.set(COOKIE, token, domain="testserver.local")
    assert (await client.get("/inspections")).status_code == 303


async def test_a_form_without_its_csrf_token_is_refused(client: httpx.AsyncClient) -> None:
    await make_user("leader", username="lanhdao")
    await client.get("/login")
    response = await client.post(
        "/login",
        data={"username": "lanhdao", "password": "correct horse battery"},
        headers={"accept": "text/html"},
    )
    assert response.status_code == 403
    assert COOKIE not in response.cookies


async def test_wrong_password_shows_the_form_again_in_vietnamese(client: httpx.AsyncClient) -> None:
    await make_user("leader", username="lanhdao")
    page = await client.get("/login")
    response = await client.post(
        "/login", data={"username": "lanhdao", "password": "wrong-password", "_csrf_token": csrf(page)}
    )
    assert response.status_code == 400
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.text


async def test_too_many_wrong_passwords_say_in_vietnamese_how_long_to_wait(client: httpx.AsyncClient) -> None:
    await make_user("leader", username="lanhdao")
    page = await client.get("/login")
    form = {"username": "lanhdao", "password": "wrong-password", "_csrf_token": csrf(page)}
    for _ in range(4):
        assert (await client.post("/login", data=form)).status_code == 400
    response = await client.post("/login", data=form)
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert "vui lòng chờ 1 giây rồi thử lại" in response.text


async def test_language_switch_for_visitors_and_for_users(client: httpx.AsyncClient) -> None:
    await make_user("leader", username="lanhdao")
    switched = await client.get("/lang/en?next=/login")
    assert switched.status_code == 303
    assert "Sign in" in (await client.get("/login")).text
    await login(client, "lanhdao")
    page = await client.get("/inspections")
    assert "Cuộc kiểm tra" in page.text  # the user's own language (vi) wins over the cookie
    moved = await client.post(
        "/language", data={"language": "en", "next": "/inspections", "_csrf_token": csrf(page)}
    )
    assert moved.status_code == 303
    assert "Inspections" in (await client.get("/inspections")).text


async def test_static_files_are_served_from_the_project(client: httpx.AsyncClient) -> None:
    response = await client.get("/static/vendor/htmx.min.js")
    assert response.status_code == 200
    assert b"htmx" in response.content[:2000]
