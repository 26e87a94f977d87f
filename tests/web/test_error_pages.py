"""Errors as the user meets them: never a bare framework message, always the menu and the
user's language, and a session that ended while a page was open sends them back to that page."""

from __future__ import annotations

import httpx

from inspection.auth.sessions import COOKIE
from tests.factories import load_mini_checklist, make_unit, make_user
from tests.web.conftest import csrf, login, plan_on_page

Client = httpx.AsyncClient
PAGE = {"Accept": "text/html,application/xhtml+xml"}
HTMX = {"HX-Request": "true"}
BARE = ("Method Not Allowed", "Not Found", "Internal Server Error", "Request Entity Too Large")


async def _inspection(client: Client) -> str:
    """Sign in as an inspector who plans an inspection; its page's path."""
    await load_mini_checklist()
    commune = await make_unit("X-ANBINH")
    await make_user("inspector", username="thanh")
    await login(client, "thanh")
    return await plan_on_page(client, commune.id)


async def test_a_missing_page_or_method_shows_our_page_in_vietnamese_with_the_menu(client: Client) -> None:
    url = await _inspection(client)
    for address, status in ((f"{url}/items/A.1.1", 405), ("/no-such-page", 404), (f"{url}9", 404)):
        page = await client.get(address, headers=PAGE)
        assert page.status_code == status, address
        assert not any(bare in page.text for bare in BARE), page.text
        assert 'aria-label="Trình đơn chính"' in page.text  # the menu of a signed-in user
        assert "Đăng xuất" in page.text
    assert (
        "Địa chỉ này không phải là một trang." in (await client.get(f"{url}/items/A.1.1", headers=PAGE)).text
    )
    # The API keeps its JSON errors.
    api = await client.get("/api/no-such-thing")
    assert api.headers["content-type"].startswith("application/json")


async def test_an_answer_sent_after_the_session_ended_returns_to_its_page_after_signing_in(
    client: Client,
) -> None:
    url = await _inspection(client)
    page = await client.get(url)
    token = csrf(page)
    client.cookies.delete(COOKIE)  # the session ends (idle timeout, signed out elsewhere)
    answer = {"value": "yes", "_csrf_token": token}
    # A plain form post goes to the login form, which returns to the page, not to the POST address.
    plain = await client.post(
        f"{url}/items/A.1.1", data=answer, headers={"Referer": f"http://testserver.local{url}"}
    )
    assert plain.status_code == 303
    assert plain.headers["location"] == f"/login?next=%2Finspections%2F{url.rsplit('/', 1)[-1]}"
    # htmx stays on the page (what the form holds is kept) and offers a link to sign in.
    htmx = await client.post(
        f"{url}/items/A.1.1",
        data=answer,
        headers={**HTMX, "HX-Current-URL": f"http://testserver.local{url}"},
    )
    assert htmx.status_code == 401
    assert "HX-Redirect" not in htmx.headers
    assert htmx.headers["HX-Retarget"] == "#messages"
    assert "Phiên đăng nhập đã kết thúc." in htmx.text
    assert f'href="/login?next=%2Finspections%2F{url.rsplit("/", 1)[-1]}"' in htmx.text
    signed_in = await client.post(
        "/login",
        data={"username": "thanh", "password": "correct horse battery", "next": url, "_csrf_token": token},
    )
    assert signed_in.headers["location"] == url
    back = await client.get(url, headers=PAGE)
    assert back.status_code == 200 and "Method Not Allowed" not in back.text


async def test_a_refused_answer_or_an_unknown_item_comes_back_on_the_checklist_page(client: Client) -> None:
    url = await _inspection(client)
    token = csrf(await client.get(url))
    refused = await client.post(f"{url}/items/A.1.3", data={"value": "khoảng 80", "_csrf_token": token})
    assert refused.status_code == 400
    assert "<details" in refused.text and 'aria-invalid="true"' in refused.text
    assert "Vui lòng nhập một số" in refused.text and 'value="khoảng 80"' in refused.text
    unknown = await client.post(f"{url}/items/Z.9", data={"value": "yes", "_csrf_token": token})
    assert unknown.status_code == 404
    assert "<details" in unknown.text and "Z.9" in unknown.text


async def test_an_answer_made_against_an_older_version_shows_both_answers(client: Client) -> None:
    url = await _inspection(client)
    token = csrf(await client.get(url))
    first = await client.post(f"{url}/items/A.1.1", data={"value": "yes", "base": "", "_csrf_token": token})
    assert first.status_code == 303
    late = await client.post(
        f"{url}/items/A.1.1", data={"value": "no", "base": "", "_csrf_token": token}, headers=HTMX
    )
    assert late.status_code == 409
    assert "Người khác đã sửa trả lời này" in late.text
    assert "Lưu trả lời của tôi" in late.text and "Giữ trả lời đã lưu" in late.text
    again = await client.post(f"{url}/items/A.1.1", data={"value": "yes", "base": "", "_csrf_token": token})
    assert again.status_code == 303  # the answer already saved: no conflict
