"""The leaders' dashboard: remediation progress per unit and in total, weakest items, monthly trend.

What the numbers mean (the page and the API say the same):

- The period is a range of local days, by default the last 12 months (from the first day
  of the month 11 months ago to today); it ends today at the latest.
- Per unit and in total, every count is about the corrective actions *opened in the
  period* (created between its first and last day), as they stand today: open (not yet
  closed), overdue (the unit still owes work and the deadline has passed), closed on time
  (the fix was reported by the deadline, :func:`inspection.domain.actions.closed_on_time`),
  closed late, the on-time rate (on time / closed) and the average days from opening to
  closing. Each count carries the query string of the action list that shows exactly
  those actions (``/actions?...`` on the web, ``/api/actions?...`` for scripts).
- The latest score is the percentage of the unit's latest inspection submitted in the
  period with at least one answer; the total is the mean of the units' latest scores.
- The weakest items are the checklist items with the lowest share of points earned
  (sum of points / sum of maximum points) over the non-N/A answers of the inspections
  submitted in the period, with how many inspections answered each and how many fell short.
- The trend has one point per calendar month of the period: actions opened and closed in
  it, actions open at its end (created before and not closed by then), actions overdue at
  its end (not reported fixed by its last day and due before that day, with deadlines as
  they stand now; today for the current month), and the mean score of the inspections
  submitted in it. These trend counts cover every action, not only those opened in the period.

Unit heads see the dashboard of their own unit only; asking for another unit is a 404,
as everywhere else. Everything comes from a handful of aggregate queries run concurrently,
whatever the number of units.
"""

# The raw queries below are assembled from code constants only; every value is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import Any

from msgspec.structs import replace

from inspection.auth.principal import Principal
from inspection.clock import start_of_day, today
from inspection.db.dialect import days_between, local_date
from inspection.db.tables import Unit
from inspection.domain.actions import UNIT_OWES, Status
from inspection.domain.dashboard import (
    MAX_MONTHS,
    add_months,
    default_period,
    mean,
    month_last_day,
    months_of,
    percent,
)
from inspection.domain.dates import SEARCH_YEARS, check_in_window
from inspection.errors import Forbidden, Invalid, NotFound
from inspection.schemas import ActionFilters, Id, Input, Output, UnitKind
from inspection.services.checklists import loaded_version
from inspection.services.context import ensure_visible
from inspection.settings import Settings

WEAKEST_ITEMS = 10
_SCORED = ("submitted", "closed")


class DashboardFilters(Input, kw_only=True):
    """What the leader chose: a period of local days, a kind of unit, one unit."""

    period_from: dt.date | None = None
    period_to: dt.date | None = None
    unit_kind: UnitKind | None = None
    unit_id: Id | None = None


class Count(Output, kw_only=True):
    """A number of actions, and the action-list query string that shows them."""

    value: int
    actions: str


class Measure(Output, kw_only=True):
    """A rate, mean or score (None when there is nothing to measure), and the actions behind it."""

    value: float | None
    actions: str


class Figures(Output, kw_only=True):
    """The remediation measures of one unit, or of all units together."""

    open: Count
    overdue: Count
    closed_on_time: Count
    closed_late: Count
    on_time_rate: Measure
    average_days_to_close: Measure
    latest_score: Measure
    latest_inspection_id: int | None


class UnitFigures(Output, kw_only=True):
    """One row of the per-unit table."""

    unit_id: int
    unit_code: str
    unit_name_vi: str
    unit_name_en: str
    unit_kind: str
    figures: Figures


class WeakItem(Output, kw_only=True):
    """A checklist item that units fulfil least, as the district's PAR analysis ranks them."""

    checklist_code: str
    item_code: str
    section_code: str
    criterion_code: str
    text_vi: str
    text_en: str
    points: float
    max_points: float
    score_percent: float
    inspections: int
    fell_short: int
    actions: str


class MonthPoint(Output, kw_only=True):
    """The trend in one calendar month (its days inside the period)."""

    month: str
    first_day: dt.date
    last_day: dt.date
    opened: Count
    closed: Count
    open_at_end: Count
    overdue_at_end: Count
    inspections: int
    average_score: float | None


class Dashboard(Output, kw_only=True):
    """Everything the leaders' dashboard shows, for the filters it was asked with."""

    period_from: dt.date
    period_to: dt.date
    today: dt.date
    unit_kind: str | None
    unit_id: int | None
    units: list[UnitFigures]
    totals: Figures
    weakest_items: list[WeakItem]
    trend: list[MonthPoint]


@dataclass(frozen=True)
class _Scope:
    """The filters resolved: local days (and the UTC instants they start at), the units included."""

    first_day: dt.date
    last_day: dt.date
    today: dt.date
    settings: Settings
    unit_kind: UnitKind | None
    unit_id: int | None

    def instant(self, day: dt.date) -> dt.datetime:
        """The moment ``day`` begins in the administration's time zone."""
        return start_of_day(day, self.settings)

    @property
    def start(self) -> dt.datetime:
        return self.instant(self.first_day)

    @property
    def end(self) -> dt.datetime:
        return self.instant(self.last_day + dt.timedelta(days=1))

    def units_sql(self, column: str) -> tuple[str, tuple[Any, ...]]:
        """A condition keeping the rows whose unit ``column`` passes the unit filters."""
        sql, args = "", tuple[Any, ...]()
        if self.unit_id is not None:
            sql, args = f" AND {column} = {{}}", (self.unit_id,)
        if self.unit_kind is not None:
            sql += f" AND {column} IN (SELECT id FROM unit WHERE kind = {{}})"
            args += (self.unit_kind,)
        return sql, args

    @property
    def units(self) -> ActionFilters:
        """The action-list filters that keep the actions of the units included."""
        return ActionFilters(unit_kind=self.unit_kind, unit_id=self.unit_id)

    def link(self, unit_id: int | None, narrowed: ActionFilters) -> str:
        """The action-list query for the actions opened in the period, of one unit or of those
        included, narrowed by the filters set in ``narrowed``."""
        units = ActionFilters(unit_id=unit_id) if unit_id is not None else self.units
        return replace(
            narrowed,
            unit_kind=units.unit_kind,
            unit_id=units.unit_id,
            created_from=self.first_day,
            created_to=self.last_day,
        ).query()


def closed_on_time_sql(alias: str, timezone: str) -> tuple[str, tuple[Any, ...]]:
    """The SQL form of :func:`inspection.domain.actions.closed_on_time` for actions ``alias``."""
    day, args = local_date(f"{alias}.reported_fixed_at", timezone)
    return f"({alias}.reported_fixed_at IS NOT NULL AND {day} <= {alias}.due_date)", args


def _placeholders(values: tuple[str, ...] | list[str]) -> tuple[str, tuple[Any, ...]]:
    return "(" + ", ".join("{}" for _ in values) + ")", tuple(values)


async def dashboard(principal: Principal, settings: Settings, filters: DashboardFilters) -> Dashboard:
    """The dashboard as ``principal`` may see it: everything, or a unit head's own unit."""
    scope = _resolve(principal, settings, filters)
    async with asyncio.TaskGroup() as group:
        units_task = group.create_task(_units(scope))
        actions_task = group.create_task(_action_figures(scope, settings))
        latest_task = group.create_task(_latest_inspections(scope))
        weakest_task = group.create_task(_weakest_items(scope))
        flows_task = group.create_task(_monthly_flows(scope))
        overdue_task = group.create_task(_overdue_at_month_ends(scope))
        scores_task = group.create_task(_monthly_scores(scope))
    units, actions, latest = units_task.result(), actions_task.result(), latest_task.result()
    if scope.unit_id is not None and not units:
        raise NotFound("No such unit")
    rows = [
        UnitFigures(
            unit_id=unit["id"],
            unit_code=unit["code"],
            unit_name_vi=unit["name_vi"],
            unit_name_en=unit["name_en"],
            unit_kind=unit["kind"],
            figures=_unit_figures(scope, unit["id"], actions.get(unit["id"], {}), latest.get(unit["id"])),
        )
        for unit in units
        if unit["id"] in actions or unit["id"] in latest or (unit["active"] and unit["kind"] != "district")
    ]
    return Dashboard(
        period_from=scope.first_day,
        period_to=scope.last_day,
        today=scope.today,
        unit_kind=scope.unit_kind,
        unit_id=scope.unit_id,
        units=rows,
        totals=_totals(scope, list(actions.values()), list(latest.values())),
        weakest_items=weakest_task.result(),
        trend=_trend(scope, flows_task.result(), overdue_task.result(), scores_task.result()),
    )


def _resolve(principal: Principal, settings: Settings, filters: DashboardFilters) -> _Scope:
    on = today(settings)
    for field, day in (("period_from", filters.period_from), ("period_to", filters.period_to)):
        if day is not None:
            check_in_window(day, on, field, years=SEARCH_YEARS)
    unit_id = filters.unit_id
    if not principal.reads_everything:
        if principal.unit_id is None:
            raise Forbidden("Only unit heads of a unit can see its dashboard")
        if unit_id is not None:
            ensure_visible(principal, unit_id, "unit")
        unit_id = principal.unit_id
    first_default, last_default = default_period(on)
    last = min(filters.period_to or last_default, on)
    first = filters.period_from or (add_months(last, -11) if filters.period_to else first_default)
    if first > last:
        raise Invalid("The period must start before it ends, and not after today", field="period_from")
    if len(months_of(first, last)) > MAX_MONTHS:
        raise Invalid("The period can span at most %(months)s months", field="period_from", months=MAX_MONTHS)
    return _Scope(
        first_day=first,
        last_day=last,
        today=on,
        settings=settings,
        unit_kind=filters.unit_kind,
        unit_id=unit_id,
    )


async def _units(scope: _Scope) -> list[dict[str, Any]]:
    query = Unit.select(Unit.id, Unit.code, Unit.name_vi, Unit.name_en, Unit.kind, Unit.active)
    if scope.unit_id is not None:
        query = query.where(Unit.id == scope.unit_id)
    if scope.unit_kind is not None:
        query = query.where(Unit.kind == scope.unit_kind)
    rows: list[dict[str, Any]] = await query.order_by(Unit.kind).order_by(Unit.name_vi)
    return rows


async def _action_figures(scope: _Scope, settings: Settings) -> dict[int, dict[str, Any]]:
    """Per unit, the counts of the actions opened in the period (one GROUP BY)."""
    owes, owes_args = _placeholders(sorted(s.value for s in UNIT_OWES))
    on_time, on_time_args = closed_on_time_sql("corrective_action", settings.timezone)
    units, unit_args = scope.units_sql("corrective_action.unit")
    closed = f"corrective_action.status = '{Status.CLOSED.value}'"
    rows = await Unit.raw(
        f"""
        SELECT corrective_action.unit AS unit,
               SUM(CASE WHEN {closed} THEN 0 ELSE 1 END) AS open,
               SUM(CASE WHEN corrective_action.status IN {owes} AND corrective_action.due_date < {{}}
                        THEN 1 ELSE 0 END) AS overdue,
               SUM(CASE WHEN {closed} THEN 1 ELSE 0 END) AS closed,
               SUM(CASE WHEN {closed} AND {on_time} THEN 1 ELSE 0 END) AS on_time,
               SUM(CASE WHEN {closed}
                        THEN {days_between("corrective_action.created_at", "corrective_action.closed_at")}
                        ELSE 0 END) AS days_to_close
        FROM corrective_action
        WHERE corrective_action.created_at >= {{}} AND corrective_action.created_at < {{}} {units}
        GROUP BY corrective_action.unit
        """,
        *owes_args,
        scope.today,
        *on_time_args,
        scope.start,
        scope.end,
        *unit_args,
    )
    return {row["unit"]: row for row in rows}


# An inspection scores only once something was answered: one submitted empty (before
# submitting required every item answered) never stands as a unit's score.
_ANSWERED = "EXISTS (SELECT 1 FROM answer WHERE answer.inspection = inspection.id)"


async def _latest_inspections(scope: _Scope) -> dict[int, dict[str, Any]]:
    """Per unit, its latest inspection submitted in the period (ranked in SQL, one row per unit)."""
    statuses, status_args = _placeholders(list(_SCORED))
    units, unit_args = scope.units_sql("inspection.unit")
    rows = await Unit.raw(
        f"""
        SELECT unit, id, points, max_points FROM (
            SELECT inspection.unit AS unit, inspection.id AS id, inspection.points AS points,
                   inspection.max_points AS max_points,
                   ROW_NUMBER() OVER (PARTITION BY inspection.unit
                                      ORDER BY inspection.submitted_at DESC, inspection.id DESC) AS recency
            FROM inspection
            WHERE inspection.status IN {statuses} AND {_ANSWERED}
              AND inspection.submitted_at >= {{}} AND inspection.submitted_at < {{}} {units}
        ) ranked
        WHERE recency = 1
        """,
        *status_args,
        scope.start,
        scope.end,
        *unit_args,
    )
    return {row["unit"]: row for row in rows}


def _figures(
    scope: _Scope, unit_id: int | None, counts: dict[str, Any], score: Measure, inspection_id: int | None
) -> Figures:
    closed, on_time = int(counts.get("closed") or 0), int(counts.get("on_time") or 0)
    days = float(counts.get("days_to_close") or 0.0)
    closed_link = scope.link(unit_id, ActionFilters(status=Status.CLOSED))
    return Figures(
        open=Count(
            value=int(counts.get("open") or 0), actions=scope.link(unit_id, ActionFilters(open_only=True))
        ),
        overdue=Count(
            value=int(counts.get("overdue") or 0), actions=scope.link(unit_id, ActionFilters(overdue=True))
        ),
        closed_on_time=Count(value=on_time, actions=scope.link(unit_id, ActionFilters(closed_on_time=True))),
        closed_late=Count(
            value=closed - on_time, actions=scope.link(unit_id, ActionFilters(closed_on_time=False))
        ),
        on_time_rate=Measure(value=percent(on_time, closed), actions=closed_link),
        average_days_to_close=Measure(value=round(days / closed, 1) if closed else None, actions=closed_link),
        latest_score=score,
        latest_inspection_id=inspection_id,
    )


def _unit_figures(
    scope: _Scope, unit_id: int, counts: dict[str, Any], latest: dict[str, Any] | None
) -> Figures:
    if latest is None:
        return _figures(scope, unit_id, counts, Measure(value=None, actions=""), None)
    score = Measure(
        value=percent(latest["points"], latest["max_points"]),
        actions=ActionFilters(inspection_id=latest["id"]).query(),
    )
    return _figures(scope, unit_id, counts, score, latest["id"])


def _totals(scope: _Scope, counts: list[dict[str, Any]], latest: list[dict[str, Any]]) -> Figures:
    """The same measures over every unit included: sums of counts, the mean of latest scores."""
    summed = {
        key: sum(float(row[key] or 0) for row in counts)
        for key in ("open", "overdue", "closed", "on_time", "days_to_close")
    }
    scores = [score for row in latest if (score := percent(row["points"], row["max_points"])) is not None]
    return _figures(scope, None, summed, Measure(value=mean(scores), actions=""), None)


async def _weakest_items(scope: _Scope) -> list[WeakItem]:
    """The items with the lowest share of points earned in the period's inspections (one GROUP BY)."""
    statuses, status_args = _placeholders(list(_SCORED))
    units, unit_args = scope.units_sql("inspection.unit")
    rows = await Unit.raw(
        f"""
        SELECT checklist.code AS checklist_code, answer.item_code AS item_code,
               MAX(inspection.checklist_version) AS version_id,
               SUM(answer.points) AS points, SUM(answer.max_points) AS max_points,
               COUNT(*) AS inspections,
               SUM(CASE WHEN answer.passed = {{}} THEN 1 ELSE 0 END) AS fell_short
        FROM answer
        JOIN inspection ON inspection.id = answer.inspection
        JOIN checklist_version ON checklist_version.id = inspection.checklist_version
        JOIN checklist ON checklist.id = checklist_version.checklist
        WHERE answer.not_applicable = {{}} AND answer.max_points > 0
          AND inspection.status IN {statuses}
          AND inspection.submitted_at >= {{}} AND inspection.submitted_at < {{}} {units}
        GROUP BY checklist.code, answer.item_code
        """,
        False,
        False,
        *status_args,
        scope.start,
        scope.end,
        *unit_args,
    )
    ranked = sorted(
        rows,
        key=lambda r: (
            float(r["points"] or 0.0) / float(r["max_points"]),
            -int(r["fell_short"]),
            r["checklist_code"],
            r["item_code"],
        ),
    )[:WEAKEST_ITEMS]
    weakest = []
    for row in ranked:
        version = await loaded_version(row["version_id"])
        section, criterion, item = version.item(row["item_code"])
        points, max_points = float(row["points"] or 0.0), float(row["max_points"])
        weakest.append(
            WeakItem(
                checklist_code=row["checklist_code"],
                item_code=row["item_code"],
                section_code=section.code,
                criterion_code=criterion.code,
                text_vi=item.text_vi,
                text_en=item.text_en,
                points=round(points, 2),
                max_points=round(max_points, 2),
                score_percent=percent(points, max_points) or 0.0,
                inspections=int(row["inspections"]),
                fell_short=int(row["fell_short"]),
                actions=scope.link(
                    None, ActionFilters(checklist=row["checklist_code"], item_code=row["item_code"])
                ),
            )
        )
    return weakest


def _month_bounds(scope: _Scope) -> list[tuple[dt.date, dt.date]]:
    """Each month of the trend as its first and last day inside the period."""
    return [
        (max(month, scope.first_day), min(month_last_day(month), scope.last_day))
        for month in months_of(scope.first_day, scope.last_day)
    ]


def _bucket(scope: _Scope, column: str) -> tuple[str, tuple[Any, ...]]:
    """A CASE giving the trend month of a timestamp: its index, -1 before the period, NULL after."""
    whens = [f"WHEN {column} < {{}} THEN -1"]
    args: list[Any] = [scope.start]
    for index, (_, last) in enumerate(_month_bounds(scope)):
        whens.append(f"WHEN {column} < {{}} THEN {index}")
        args.append(scope.instant(last + dt.timedelta(days=1)))
    return "CASE " + " ".join(whens) + " END", tuple(args)


async def _monthly_flows(scope: _Scope) -> dict[tuple[str, int], int]:
    """Actions opened and closed per month (index -1: before the period), in one query."""
    opened, opened_args = _bucket(scope, "corrective_action.created_at")
    closed, closed_args = _bucket(scope, "corrective_action.closed_at")
    units, unit_args = scope.units_sql("corrective_action.unit")
    rows = await Unit.raw(
        f"""
        SELECT flow, month, COUNT(*) AS actions FROM (
            SELECT 'opened' AS flow, {opened} AS month FROM corrective_action
            WHERE corrective_action.created_at < {{}} {units}
            UNION ALL
            SELECT 'closed' AS flow, {closed} AS month FROM corrective_action
            WHERE corrective_action.closed_at < {{}} {units}
        ) flows
        GROUP BY flow, month
        """,
        *opened_args,
        scope.end,
        *unit_args,
        *closed_args,
        scope.end,
        *unit_args,
    )
    return {(row["flow"], int(row["month"])): int(row["actions"]) for row in rows}


async def _overdue_at_month_ends(scope: _Scope) -> list[int]:
    """Per month, the actions overdue on its last day (or today): one column per month."""
    columns, args = [], []
    for index, (_, last) in enumerate(_month_bounds(scope)):
        day = min(last, scope.today)
        cut = scope.instant(day + dt.timedelta(days=1))
        columns.append(
            "SUM(CASE WHEN corrective_action.created_at < {} AND corrective_action.due_date < {}"
            " AND (corrective_action.reported_fixed_at IS NULL OR corrective_action.reported_fixed_at >= {})"
            f" THEN 1 ELSE 0 END) AS m{index}"
        )
        args += [cut, day, cut]
    units, unit_args = scope.units_sql("corrective_action.unit")
    # Only actions that were still owed at some time in the period can be counted.
    rows = await Unit.raw(
        f"""
        SELECT {", ".join(columns)} FROM corrective_action
        WHERE corrective_action.created_at < {{}} AND corrective_action.due_date < {{}}
          AND (corrective_action.reported_fixed_at IS NULL OR corrective_action.reported_fixed_at >= {{}})
          {units}
        """,
        *args,
        scope.end,
        scope.last_day,
        scope.start,
        *unit_args,
    )
    return [int(rows[0][f"m{index}"] or 0) for index in range(len(columns))] if rows else []


async def _monthly_scores(scope: _Scope) -> dict[int, dict[str, Any]]:
    """Per month, how many inspections were submitted and their mean score (one GROUP BY)."""
    month, month_args = _bucket(scope, "inspection.submitted_at")
    statuses, status_args = _placeholders(list(_SCORED))
    units, unit_args = scope.units_sql("inspection.unit")
    rows = await Unit.raw(
        f"""
        SELECT month, COUNT(*) AS inspections, AVG(score) AS score FROM (
            SELECT {month} AS month, 100.0 * inspection.points / inspection.max_points AS score
            FROM inspection
            WHERE inspection.status IN {statuses} AND inspection.max_points > 0 AND {_ANSWERED}
              AND inspection.submitted_at >= {{}} AND inspection.submitted_at < {{}} {units}
        ) scored
        GROUP BY month
        """,
        *month_args,
        *status_args,
        scope.start,
        scope.end,
        *unit_args,
    )
    return {int(row["month"]): row for row in rows}


def _trend(
    scope: _Scope,
    flows: dict[tuple[str, int], int],
    overdue: list[int],
    scores: dict[int, dict[str, Any]],
) -> list[MonthPoint]:
    # Open at a month's end = opened before it ends - closed before it ends (closing follows opening).
    backlog = flows.get(("opened", -1), 0) - flows.get(("closed", -1), 0)
    points = []
    for index, (first, last) in enumerate(_month_bounds(scope)):
        opened, closed = flows.get(("opened", index), 0), flows.get(("closed", index), 0)
        backlog += opened - closed
        score = scores.get(index)
        units, end = scope.units, min(last, scope.today)
        points.append(
            MonthPoint(
                month=first.strftime("%Y-%m"),
                first_day=first,
                last_day=last,
                opened=Count(
                    value=opened, actions=replace(units, created_from=first, created_to=last).query()
                ),
                closed=Count(value=closed, actions=replace(units, closed_from=first, closed_to=last).query()),
                open_at_end=Count(value=backlog, actions=replace(units, open_on=end).query()),
                overdue_at_end=Count(
                    value=overdue[index] if index < len(overdue) else 0,
                    actions=replace(units, overdue_on=end).query(),
                ),
                inspections=int(score["inspections"]) if score else 0,
                average_score=round(float(score["score"]), 2) if score else None,
            )
        )
    return points
