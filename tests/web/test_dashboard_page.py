"""The leaders' dashboard page: what each role sees, its filters, and every number leading to
exactly the actions behind it (the district of tests/test_dashboard.py, on 15 June 2026)."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx

from tests.factories import make_user
from tests.test_dashboard import District
from tests.web.conftest import login_as

Client = httpx.AsyncClient
PAGE = {"accept": "text/html"}
NUMBER_LINK = re.compile(r'<a href="/actions\?([^"]+)">([^<]*)</a>')
ACTION_LINK = re.compile(r'href="/actions/\d+"')


def counts(board: dict[str, Any]) -> dict[str, int]:
    """Every count of the dashboard (per unit, in total, per month): its action query and value."""
    figures = [row["figures"] for row in board["units"]] + [board["totals"]]
    found = {
        figure[name]["actions"]: figure[name]["value"]
        for figure in figures
        for name in ("open", "overdue", "closed_on_time", "closed_late")
    }
    for point in board["trend"]:
        found.update({point[flow]["actions"]: point[flow]["value"] for flow in ("opened", "closed")})
    return found


async def test_a_leader_lands_on_the_dashboard_and_each_count_lists_exactly_its_actions(
    client: Client, district: District
) -> None:
    await login_as(client, "leader")
    home = await client.get("/")
    assert home.headers["location"] == "/dashboard"
    page = await client.get("/dashboard")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Bảng theo dõi khắc phục</h1>" in text
    assert "Nhiệm vụ giao từ 01/07/2025 đến 15/06/2026" in text
    assert 'aria-current="page">Bảng theo dõi</a>' in text
    assert text.count('<svg xmlns="http://www.w3.org/2000/svg"') == 3
    for chart in ("chart-on-time", "chart-weakest", "chart-trend"):
        assert f'id="{chart}-title"' in text
    assert "66,67 %" in text  # the total on-time rate, with a Vietnamese decimal comma
    assert "07/2025" in text and "Niêm yết đầy đủ thủ tục hành chính" in text  # trend, weakest item

    board = (await client.get("/api/dashboard")).json()
    expected = counts(board)
    links = {html.unescape(query): number for query, number in NUMBER_LINK.findall(text)}
    assert set(expected) <= set(links)
    checked = 0
    for query, value in expected.items():
        assert links[query] == str(value), query
        listed = await client.get(f"/actions?{query}")
        assert listed.status_code == 200, query
        assert len(ACTION_LINK.findall(listed.text)) == value, query
        checked += value
    assert checked > 20
    # The overdue actions of An Bình, as a leader reaches them from its row.
    overdue = board["units"][0]["figures"]["overdue"]["actions"]
    listed = await client.get(f"/actions?{overdue}")
    assert "Chỉ gồm" in listed.text and "Xã An Bình" in listed.text and "quá hạn" in listed.text
    assert "1 nhiệm vụ" in listed.text


async def test_rates_averages_and_scores_link_to_the_actions_they_were_worked_out_from(
    client: Client, district: District
) -> None:
    await login_as(client, "observer")
    board = (await client.get("/api/dashboard")).json()
    text = (await client.get("/dashboard")).text
    anbinh = board["units"][0]["figures"]
    closed = anbinh["closed_on_time"]["value"] + anbinh["closed_late"]["value"]
    for name in ("on_time_rate", "average_days_to_close", "latest_score"):
        assert f'href="/actions?{html.escape(anbinh[name]["actions"])}"' in text, name
    listed = await client.get(f"/actions?{anbinh['on_time_rate']['actions']}")
    assert len(ACTION_LINK.findall(listed.text)) == closed == 2
    latest = await client.get(f"/actions?{anbinh['latest_score']['actions']}")
    assert len(ACTION_LINK.findall(latest.text)) == 5


async def test_filters_narrow_the_page_and_empty_choices_mean_everything(
    client: Client, district: District
) -> None:
    await login_as(client, "leader")
    everything = await client.get("/dashboard?from=&to=&unit_kind=&unit_id=")
    assert everything.status_code == 200 and "Xã Ba Sao" in everything.text
    year = await client.get("/dashboard?from=2026-01-01&to=2026-12-31")
    assert "Nhiệm vụ giao từ 01/01/2026 đến 15/06/2026" in year.text
    assert "01/2026" in year.text and "12/2025" not in year.text
    departments = await client.get("/dashboard?unit_kind=department")
    assert "Phòng Tài nguyên &amp; Môi trường" in departments.text
    assert "Xã An Bình" not in departments.text.split('id="units-title"')[1].split("</table>")[0]
    assert '<option value="department" selected>' in departments.text
    one = await client.get(f"/dashboard?unit_id={district.basao.id}")
    assert f'<option value="{district.basao.id}" selected>' in one.text
    assert "Xã An Bình</th>" not in one.text and "Xã Ba Sao</th>" in one.text

    backwards = await client.get("/dashboard?from=2026-05-01&to=2026-04-01", headers=PAGE)
    assert backwards.status_code == 400
    assert "Thời kỳ phải bắt đầu trước khi kết thúc" in backwards.text
    assert (await client.get("/dashboard?unit_kind=galaxy", headers=PAGE)).status_code == 400
    assert (await client.get("/dashboard?unit_id=9999", headers=PAGE)).status_code == 404


async def test_each_role_sees_what_the_dashboard_service_allows(client: Client, district: District) -> None:
    anonymous = await client.get("/dashboard")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    await make_user("admin")
    for role in ("inspector", "admin"):
        await login_as(client, role)
        page = await client.get("/dashboard")
        assert page.status_code == 200, role
        assert "Xã Ba Sao" in page.text and 'name="unit_kind"' in page.text
        client.cookies.clear()

    await login_as(client, "unit_head")
    own = await client.get("/dashboard")
    assert own.status_code == 200
    assert "Xã An Bình</th>" in own.text and "Xã Ba Sao" not in own.text
    assert 'name="unit_id"' not in own.text  # nothing else to choose
    other = await client.get(f"/dashboard?unit_id={district.basao.id}", headers=PAGE)
    assert other.status_code == 404
    assert 'href="/dashboard"' in own.text  # in the unit head's menu too
    theirs = await client.get(f"/actions?unit_id={district.basao.id}", headers=PAGE)
    assert theirs.status_code == 404
