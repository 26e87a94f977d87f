"""The leaders' dashboard through the API: the numbers a district leader reads, and the actions behind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from inspection import clock
from inspection.db.tables import Finding
from inspection.domain.dashboard import add_months, default_period, months_of
from tests.factories import (
    ActionState,
    load_mini_checklist,
    make_action,
    make_scored_inspection,
    make_unit,
    make_user,
    token_headers,
)

Client = httpx.AsyncClient
UTC = dt.UTC
# 15 June 2026, 10:00 in Vietnam.
NOW = dt.datetime(2026, 6, 15, 3, 0, tzinfo=UTC)


def at(day: str, hour: float = 3.0) -> dt.datetime:
    """A UTC moment on ``day`` (ISO) at ``hour`` UTC (03:00 UTC is 10:00 in Vietnam)."""
    return dt.datetime.fromisoformat(day).replace(tzinfo=UTC) + dt.timedelta(hours=hour)


@pytest.fixture
def frozen_clock() -> Iterator[None]:
    clock.set_clock(lambda: NOW)
    yield
    clock.set_clock(None)


class District:
    """Two communes and a department; headers of a leader, an observer, a unit head, an inspector."""

    anbinh: Any
    basao: Any
    tnmt: Any
    leader: dict[str, str]
    observer: dict[str, str]
    head: dict[str, str]
    inspector: dict[str, str]


@pytest.fixture
async def district(client: Client, frozen_clock: None) -> District:
    """A small district whose dashboard numbers are worked out by hand in the tests below.

    An Bình: fully scored in September 2025, then 60% in March 2026 with five actions:
    open and overdue; in progress; closed on time (fix reported at 23:30 local time on the
    deadline); closed late (reported 00:30 local the day after); reported fixed.
    Ba Sao: 75% in November 2025 (one item not applicable) with an action closed on time
    and one acknowledged and overdue; plus an action from January 2024, still open.
    The department was never inspected.
    """
    await load_mini_checklist()
    d = District()
    d.anbinh = await make_unit("X-ANBINH", name_vi="Xã An Bình")
    d.basao = await make_unit("X-BASAO", name_vi="Xã Ba Sao")
    d.tnmt = await make_unit("P-TNMT", kind="department", name_vi="Phòng Tài nguyên & Môi trường")
    inspector = await make_user("inspector")
    d.inspector = await token_headers(inspector)
    d.leader = await token_headers(await make_user("leader"))
    d.observer = await token_headers(await make_user("observer"))
    d.head = await token_headers(await make_user("unit_head", d.anbinh))
    full = {"A.1.1": 2.0, "A.1.2": 2.0, "A.1.3": 2.0, "B.1.1": 4.0}
    await make_scored_inspection(d.anbinh, inspector, at("2025-09-01"), full)
    await make_scored_inspection(
        d.anbinh,
        inspector,
        at("2026-03-10"),
        {"A.1.1": 0.0, "A.1.2": 1.0, "A.1.3": 2.0, "B.1.1": 3.0},
        (
            ActionState(due=dt.date(2026, 4, 10)),
            ActionState(due=dt.date(2026, 7, 1), status="in_progress"),
            ActionState(
                due=dt.date(2026, 4, 10),
                status="closed",
                reported_fixed_at=at("2026-04-10", 16.5),
                closed_at=at("2026-04-12"),
            ),
            ActionState(
                due=dt.date(2026, 4, 10),
                status="closed",
                reported_fixed_at=at("2026-04-10", 17.5),
                closed_at=at("2026-04-20"),
            ),
            ActionState(due=dt.date(2026, 5, 1), status="reported_fixed", reported_fixed_at=at("2026-04-25")),
        ),
    )
    await make_scored_inspection(
        d.basao,
        inspector,
        at("2025-11-20"),
        {"A.1.1": 2.0, "A.1.2": 2.0, "A.1.3": None, "B.1.1": 2.0},
        (
            ActionState(
                due=dt.date(2025, 12, 20),
                status="closed",
                reported_fixed_at=at("2025-12-10"),
                closed_at=at("2025-12-15"),
            ),
            ActionState(due=dt.date(2026, 1, 10), status="acknowledged"),
        ),
    )
    clock.set_clock(lambda: at("2024-01-01"))
    await make_action(d.basao, inspector, dt.date(2024, 2, 1))
    clock.set_clock(lambda: NOW)
    return d


async def get_dashboard(client: Client, headers: dict[str, str], query: str = "") -> dict[str, Any]:
    response = await client.get(f"/api/dashboard?{query}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def by_code(board: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["unit_code"]: row["figures"] for row in board["units"]}


def values(figures: dict[str, Any]) -> dict[str, Any]:
    return {name: figure["value"] for name, figure in figures.items() if isinstance(figure, dict)}


async def test_per_unit_and_total_figures_as_a_leader_reads_them(client: Client, district: District) -> None:
    board = await get_dashboard(client, district.leader)
    assert (board["period_from"], board["period_to"]) == ("2025-07-01", "2026-06-15")
    rows = by_code(board)
    assert list(rows) == ["X-ANBINH", "X-BASAO", "P-TNMT"]
    assert values(rows["X-ANBINH"]) == {
        "open": 3,
        "overdue": 1,
        "closed_on_time": 1,
        "closed_late": 1,
        "on_time_rate": 50.0,
        "average_days_to_close": 37.0,
        "latest_score": 60.0,
    }
    # The action of January 2024 was opened before the period: it is not counted here.
    assert values(rows["X-BASAO"]) == {
        "open": 1,
        "overdue": 1,
        "closed_on_time": 1,
        "closed_late": 0,
        "on_time_rate": 100.0,
        "average_days_to_close": 25.0,
        "latest_score": 75.0,
    }
    assert values(rows["P-TNMT"]) == {
        "open": 0,
        "overdue": 0,
        "closed_on_time": 0,
        "closed_late": 0,
        "on_time_rate": None,
        "average_days_to_close": None,
        "latest_score": None,
    }
    assert values(board["totals"]) == {
        "open": 4,
        "overdue": 2,
        "closed_on_time": 2,
        "closed_late": 1,
        "on_time_rate": 66.67,
        "average_days_to_close": 33.0,
        "latest_score": 67.5,
    }


async def test_every_count_lists_exactly_the_actions_behind_it(client: Client, district: District) -> None:
    board = await get_dashboard(client, district.leader)
    figures = [*by_code(board).values(), board["totals"]]
    checked = 0
    for unit in figures:
        for name in ("open", "overdue", "closed_on_time", "closed_late"):
            listed = await client.get(f"/api/actions?{unit[name]['actions']}", headers=district.leader)
            assert listed.status_code == 200, listed.text
            assert len(listed.json()) == unit[name]["value"], (name, unit[name]["actions"])
            checked += unit[name]["value"]
    assert checked == 2 * (4 + 2 + 2 + 1)
    anbinh = by_code(board)["X-ANBINH"]
    assert anbinh["overdue"]["actions"] == (
        f"unit_id={district.anbinh.id}&created_from=2025-07-01&created_to=2026-06-15&overdue=true"
    )
    late = await client.get(f"/api/actions?{anbinh['closed_late']['actions']}", headers=district.leader)
    assert [a["title"] for a in late.json()] == ["Khắc phục tồn tại 4"]
    latest = await client.get(f"/api/actions?{anbinh['latest_score']['actions']}", headers=district.leader)
    assert len(latest.json()) == 5 and anbinh["latest_inspection_id"] == latest.json()[0]["inspection_id"]


async def test_weakest_items_rank_the_lowest_share_of_points(client: Client, district: District) -> None:
    board = await get_dashboard(client, district.observer)
    ranked = [
        (item["item_code"], item["score_percent"], item["inspections"], item["fell_short"])
        for item in board["weakest_items"]
    ]
    # A.1.3 was not applicable at Ba Sao; the text item B.1.2 scores nothing and is left out.
    assert ranked == [
        ("A.1.1", 66.67, 3, 1),
        ("B.1.1", 75.0, 3, 2),
        ("A.1.2", 83.33, 3, 1),
        ("A.1.3", 100.0, 2, 0),
    ]
    first = board["weakest_items"][0]
    assert first["text_vi"] == "Niêm yết đầy đủ thủ tục hành chính"
    assert first["text_en"] == "All procedures posted"
    assert (first["section_code"], first["criterion_code"], first["checklist_code"]) == ("A", "A.1", "mini")

    # An item links to the actions opened on it in the period.
    await Finding.update({Finding.item_code: "A.1.1"}).where(Finding.title == "Tồn tại 1")
    on_item = await client.get(f"/api/actions?{first['actions']}", headers=district.observer)
    period = f"created_from={board['period_from']}&created_to={board['period_to']}"
    in_period = await client.get(f"/api/actions?{period}", headers=district.observer)
    expected = [a["id"] for a in in_period.json() if a["item_code"] == "A.1.1"]
    assert expected and [a["id"] for a in on_item.json()] == expected


async def test_monthly_trend(client: Client, district: District) -> None:
    board = await get_dashboard(client, district.leader)
    trend = {point["month"]: point for point in board["trend"]}
    assert list(trend) == [m.strftime("%Y-%m") for m in months_of(dt.date(2025, 7, 1), dt.date(2026, 6, 1))]
    assert {m: p["opened"]["value"] for m, p in trend.items() if p["opened"]["value"]} == {
        "2025-11": 2,
        "2026-03": 5,
    }
    assert {m: p["closed"]["value"] for m, p in trend.items() if p["closed"]["value"]} == {
        "2025-12": 1,
        "2026-04": 2,
    }
    # The action of January 2024 is open (and overdue) all along.
    assert [p["open_at_end"]["value"] for p in trend.values()] == [1, 1, 1, 1, 3, 2, 2, 2, 7, 5, 5, 5]
    # Ba Sao's acknowledged action is overdue from January; An Bình's first from April; the one
    # reported fixed a day late was not overdue at April's end any more.
    assert [p["overdue_at_end"]["value"] for p in trend.values()] == [1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3]
    assert {m: (p["inspections"], p["average_score"]) for m, p in trend.items() if p["inspections"]} == {
        "2025-09": (1, 100.0),
        "2025-11": (1, 75.0),
        "2026-03": (1, 60.0),
    }
    assert trend["2026-06"]["last_day"] == "2026-06-15"
    # Every count links to the actions behind it, month-end backlogs included.
    for point in trend.values():
        for flow in ("opened", "closed", "open_at_end", "overdue_at_end"):
            listed = await client.get(f"/api/actions?{point[flow]['actions']}", headers=district.leader)
            assert len(listed.json()) == point[flow]["value"], (point["month"], flow)


async def test_filters_by_period_and_unit_kind(client: Client, district: District) -> None:
    board = await get_dashboard(client, district.leader, "from=2026-01-01&to=2026-12-31")
    assert (board["period_from"], board["period_to"]) == ("2026-01-01", "2026-06-15")
    rows = by_code(board)
    assert values(rows["X-ANBINH"])["open"] == 3
    assert values(rows["X-BASAO"])["open"] == 0 and values(rows["X-BASAO"])["latest_score"] is None
    assert [w["inspections"] for w in board["weakest_items"]] == [1, 1, 1, 1]
    assert len(board["trend"]) == 6

    departments = await get_dashboard(client, district.leader, "unit_kind=department")
    assert list(by_code(departments)) == ["P-TNMT"]
    assert values(departments["totals"])["open"] == 0 and departments["weakest_items"] == []
    assert departments["totals"]["open"]["actions"].startswith("unit_kind=department&")

    one = await get_dashboard(client, district.leader, f"unit_id={district.basao.id}")
    assert list(by_code(one)) == ["X-BASAO"] and values(one["totals"])["overdue"] == 1
    assert [p["open_at_end"]["value"] for p in one["trend"]][-1] == 2

    bad = await client.get("/api/dashboard?from=2026-05-01&to=2026-04-01", headers=district.leader)
    assert bad.status_code == 400
    missing = await client.get("/api/dashboard?unit_id=9999", headers=district.leader)
    assert missing.status_code == 404


async def test_unit_heads_see_their_own_unit_only(client: Client, district: District) -> None:
    own = await get_dashboard(client, district.head)
    assert list(by_code(own)) == ["X-ANBINH"]
    assert values(own["totals"])["open"] == 3
    assert {w["inspections"] for w in own["weakest_items"]} == {2}
    other = await client.get(f"/api/dashboard?unit_id={district.basao.id}", headers=district.head)
    assert other.status_code == 404
    assert (await client.get("/api/dashboard")).status_code == 401
    inspector = await get_dashboard(client, district.inspector)
    assert len(inspector["units"]) == 3


def test_the_default_period_is_the_last_twelve_months() -> None:
    assert default_period(dt.date(2026, 6, 15)) == (dt.date(2025, 7, 1), dt.date(2026, 6, 15))
    assert default_period(dt.date(2026, 1, 31)) == (dt.date(2025, 2, 1), dt.date(2026, 1, 31))
    assert add_months(dt.date(2026, 1, 31), -1) == dt.date(2025, 12, 1)
    assert len(months_of(dt.date(2025, 2, 1), dt.date(2026, 1, 31))) == 12
