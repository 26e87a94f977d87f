"""Signing in through the login form, as a browser does: CSRF cookie, hidden token, session cookie."""

from __future__ import annotations

import re

import httpx

from inspection.db.tables import User
from tests.factories import PASSWORD

# The small district whose dashboard figures tests/test_dashboard.py works out by hand.
from tests.test_dashboard import district, frozen_clock  # noqa: F401

_TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf(page: httpx.Response) -> str:
    """The CSRF token of the first form on ``page``."""
    match = _TOKEN.search(page.text)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


async def login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    form = await client.get("/login")
    response = await client.post(
        "/login",
        data={"username": username, "password": password, "_csrf_token": csrf(form), "next": "/"},
    )
    assert response.status_code == 303, response.text
    return response


async def post_form(
    client: httpx.AsyncClient, page_url: str, action: str, data: dict[str, object], **kwargs: object
) -> httpx.Response:
    """Load ``page_url`` and post ``data`` to ``action`` with the page's CSRF token."""
    page = await client.get(page_url)
    return await client.post(action, data={**data, "_csrf_token": csrf(page)}, **kwargs)  # type: ignore[arg-type]


async def login_as(client: httpx.AsyncClient, role: str) -> None:
    """Sign in as the first user of ``role`` (the factories name them ``<role><n>``)."""
    user = await User.select(User.username).where(User.role == role).order_by(User.id).first()
    assert user is not None, role
    await login(client, user["username"])


async def plan_on_page(client: httpx.AsyncClient, unit_id: int, **fields: object) -> str:
    """Plan an inspection of the mini checklist through the planning form, as the signed-in
    inspector; the address of its checklist page."""
    planned = await post_form(
        client,
        "/inspections/new",
        "/inspections/",
        {
            "unit_id": str(unit_id),
            "checklist_code": "mini",
            "title": "Kiểm tra CCHC xã An Bình",
            "planned_date": "2026-11-20",
            **fields,
        },
    )
    assert planned.status_code == 303, planned.text
    return str(planned.headers["location"])
