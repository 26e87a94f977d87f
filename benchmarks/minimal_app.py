"""The least an application must do to serve the benchmarked paths: plain Litestar, plain
Piccolo, the same templates. ``bench_pages.py`` serves it in a uvicorn process of its own
beside the application and sends both the same requests, so the application's rate as a
share of this one's is the application's own overhead.

- Each handler fetches what its page shows, the same rows, with Piccolo's query builder on
  Piccolo's own engine (this module is the ``PICCOLO_CONF``: its ``DB``), and renders the
  application's template in the application's Jinja environment (its filters, labels and
  catalogs), with the context the template reads.
- Nothing checks who asks: no sessions, tokens, CSRF or guards. The client names the user
  in an ``X-Me`` header (what ``GET /api/auth/me`` said of them), which stands in for the
  signed-in user the templates show and the one visibility rule (a unit head sees their
  own unit) needs.
- A checklist version never changes once loaded, so its decoded definition is kept, as
  any implementation would keep it.
- The dashboard's figures are ``inspection.services.dashboard.dashboard``: its statements
  are already raw SQL run through Piccolo, and written again here they would be a copy of
  that module. So on that path the ratio measures the page around them (signing in, the
  middleware, the unit list, the charts are the same here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import msgspec
from litestar import Litestar, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template import TemplateConfig
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from inspection.auth.principal import Principal
from inspection.db.tables import (
    ActionEvent,
    Answer,
    ChecklistVersion,
    CorrectiveAction,
    Evidence,
    ExtensionRequest,
    Finding,
    Inspection,
    InspectionMember,
    Unit,
)
from inspection.domain.actions import OPEN_STATES, days_overdue
from inspection.domain.checklist import ChecklistFile
from inspection.services.dashboard import DashboardFilters, dashboard
from inspection.settings import load_settings
from inspection.web.dashboard import KINDS, charts, in_language
from inspection.web.i18n import translations
from inspection.web.render import environment

SETTINGS = load_settings()
ZONE = ZoneInfo(SETTINGS.timezone)
EDITABLE = ("planned", "in_progress")
VIEWS = ("open", "overdue", "reported_fixed", "closed", "all")
PAGE = 500


def _engine(url: str) -> Engine[Any]:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return SQLiteEngine(path=unquote(parts.path[1:]))
    return PostgresEngine(config={"dsn": url})


DB = _engine(SETTINGS.effective_database_url)


def _me(request: Request[Any, Any, Any]) -> Principal:
    return msgspec.json.decode(request.headers["x-me"], type=Principal)


def _visible(me: Principal, unit_id: int) -> None:
    if not me.reads_everything and me.unit_id != unit_id:
        raise NotFoundException()


def _today() -> dt.date:
    return dt.datetime.now(ZONE).date()


def _page(request: Request[Any, Any, Any], me: Principal, template: str, **context: Any) -> Template:
    return Template(
        template_name=template,
        context={
            "me": me,
            "lang": me.language,
            "translations": translations(me.language),
            "zone": ZONE,
            "path": request.url.path,
            "query": request.url.query,
            **context,
        },
    )


_definitions: dict[int, tuple[ChecklistFile, float, dict[str, float]]] = {}


async def _definition(version_id: int) -> tuple[ChecklistFile, float, dict[str, float]]:
    """A checklist version's definition, its maximum and each item's."""
    if version_id not in _definitions:
        row = (
            await ChecklistVersion.select(ChecklistVersion.definition)
            .where(ChecklistVersion.id == version_id)
            .first()
        )
        assert row is not None
        definition = msgspec.json.decode(row["definition"], type=ChecklistFile)
        item_max = {item.code: item.max_points for _, _, item in definition.items()}
        _definitions[version_id] = definition, sum(item_max.values()), item_max
    return _definitions[version_id]


@get("/inspections/{inspection_id:int}")
async def checklist(request: Request[Any, Any, Any], inspection_id: FromPath[int]) -> Template:
    """The inspection page where answers are recorded."""
    me = _me(request)
    inspection = (
        await Inspection.select(
            Inspection.id,
            Inspection.unit,
            Inspection.unit.name_vi.as_alias("unit_name"),
            Inspection.checklist_version,
            Inspection.title,
            Inspection.planned_date,
            Inspection.status,
            Inspection.conclusion,
            Inspection.points,
            Inspection.max_points,
        )
        .where(Inspection.id == inspection_id)
        .first()
    )
    if inspection is None:
        raise NotFoundException()
    _visible(me, inspection["unit"])
    definition, checklist_max, item_max = await _definition(inspection["checklist_version"])
    on_team = await InspectionMember.exists().where(
        (InspectionMember.inspection == inspection_id) & (InspectionMember.user == me.id)
    )
    answers = await Answer.select(
        Answer.item_code, Answer.value, Answer.not_applicable, Answer.points, Answer.note, Answer.answered_at
    ).where(Answer.inspection == inspection_id)
    for answer in answers:
        # SQLite keeps a JSON number as a number (the column's affinity is NUMERIC), so
        # Piccolo's load_json, which expects text, cannot read these values.
        if isinstance(answer["value"], str):
            answer["value"] = msgspec.json.decode(answer["value"])
    findings = await Finding.select(Finding.item_code, Finding.severity).where(
        Finding.inspection == inspection_id
    )
    files = (
        await Evidence.select(Evidence.id, Evidence.item_code, Evidence.filename)
        .where((Evidence.inspection == inspection_id) & Evidence.action.is_null())
        .order_by(Evidence.id)
    )
    editable = inspection["status"] in EDITABLE
    if editable:  # the running total, from the answers so far
        left_out = sum(item_max.get(a["item_code"], 0.0) for a in answers if a["not_applicable"])
        inspection["points"] = round(sum(a["points"] or 0.0 for a in answers), 4)
        inspection["max_points"] = round(checklist_max - left_out, 4)
    points, most = inspection["points"], inspection["max_points"]
    inspection["percent"] = round(100.0 * points / most, 2) if most else 0.0
    by_item: dict[str, list[dict[str, Any]]] = {}
    for file in files:
        by_item.setdefault(file["item_code"], []).append(file)
    return _page(
        request,
        me,
        "inspection.html",
        inspection=inspection,
        definition=definition,
        answers={a["item_code"]: a for a in answers},
        findings={f["item_code"]: f for f in findings},
        files=by_item,
        editable=editable and me.role == "inspector" and on_team,
        oob=False,
        opened=None,
        refused=None,
        notice=None,
        **_progress(definition, answers),
    )


def _progress(definition: ChecklistFile, answers: list[dict[str, Any]]) -> dict[str, Any]:
    """Per section, answered / total and the items left, as the page shows beside the total."""
    answered = {a["item_code"] for a in answers if a["value"] is not None or a["not_applicable"]}
    sections = {}
    for section in definition.sections:
        codes = [item.code for criterion in section.criteria for item in criterion.items]
        left = [code for code in codes if code not in answered]
        sections[section.code] = SimpleNamespace(
            answered=len(codes) - len(left), total=len(codes), unanswered=left
        )
    return {"progress": sections, "unanswered": sum(len(p.unanswered) for p in sections.values())}


def _actions() -> Any:
    return CorrectiveAction.select(
        CorrectiveAction.id,
        CorrectiveAction.title,
        CorrectiveAction.severity,
        CorrectiveAction.status,
        CorrectiveAction.unit.as_alias("unit_id"),
        CorrectiveAction.unit.name_vi.as_alias("unit_name"),
        CorrectiveAction.inspection.as_alias("inspection_id"),
        CorrectiveAction.finding.as_alias("finding_id"),
        CorrectiveAction.finding.item_code.as_alias("item_code"),
        CorrectiveAction.assignee.as_alias("assignee_id"),
        CorrectiveAction.opened_by.as_alias("opened_by_id"),
        CorrectiveAction.due_date,
        CorrectiveAction.original_due_date,
        CorrectiveAction.reopen_count,
        CorrectiveAction.created_at,
        CorrectiveAction.closed_at,
        CorrectiveAction.version,
    )


# The labels read an action's attributes (the templates take a row either way): the pages
# wrap each row in a namespace, the API sends it as it is.
def _with_lateness(row: dict[str, Any], today: dt.date) -> dict[str, Any]:
    late = days_overdue(row["status"], row["due_date"], today)
    row["overdue"], row["days_overdue"] = late > 0, late
    return row


async def _list(me: Principal, *conditions: Any, limit: int) -> list[dict[str, Any]]:
    query = _actions()
    if not me.reads_everything:
        query = query.where(CorrectiveAction.unit == (me.unit_id or 0))
    for condition in conditions:
        query = query.where(condition)
    rows = await query.order_by(CorrectiveAction.due_date, CorrectiveAction.id).limit(limit)
    today = _today()
    return [_with_lateness(row, today) for row in rows]


@get("/actions")
async def inbox(request: Request[Any, Any, Any]) -> Template:
    """A unit head's actions not yet closed, soonest deadline first."""
    me = _me(request)
    listed = await _list(me, CorrectiveAction.status.is_in([s.value for s in OPEN_STATES]), limit=PAGE + 1)
    return _page(
        request,
        me,
        "actions.html",
        actions=[SimpleNamespace(**row) for row in listed[:PAGE]],
        offset=0,
        next_page="offset=500" if len(listed) > PAGE else None,
        view="open",
        views=VIEWS,
        mine=False,
        tabs="/actions?",
        unit=None,
        chosen={},
    )


async def _detail(me: Principal, action_id: int) -> dict[str, Any]:
    row = (
        await _actions()
        .columns(CorrectiveAction.finding.description)
        .where(CorrectiveAction.id == action_id)
        .first()
    )
    if row is None:
        raise NotFoundException()
    _visible(me, row["unit_id"])
    events = (
        await ActionEvent.select(
            ActionEvent.id,
            ActionEvent.kind,
            ActionEvent.actor.as_alias("actor_id"),
            ActionEvent.actor.full_name.as_alias("actor_name"),
            ActionEvent.at,
            ActionEvent.from_status,
            ActionEvent.to_status,
            ActionEvent.note,
            ActionEvent.data,
        )
        .where(ActionEvent.action == action_id)
        .order_by(ActionEvent.id)
        .output(load_json=True)
    )
    extensions = (
        await ExtensionRequest.select(
            *ExtensionRequest.all_columns(),
            ExtensionRequest.requested_by.full_name.as_alias("requested_by_name"),
        )
        .where(ExtensionRequest.action == action_id)
        .order_by(ExtensionRequest.id)
    )
    evidence = await Evidence.select().where(Evidence.action == action_id).order_by(Evidence.id)
    description = row.pop("finding.description")
    return {
        "action": _with_lateness(row, _today()),
        "finding_description": description,
        "events": events,
        "extensions": extensions,
        "evidence": evidence,
    }


@get("/actions/{action_id:int}")
async def action_page(request: Request[Any, Any, Any], action_id: FromPath[int]) -> Template:
    """One action with its history, evidence and extension requests."""
    me = _me(request)
    detail = await _detail(me, action_id)
    detail["action"] = SimpleNamespace(**detail["action"])
    return _page(request, me, "action.html", detail=detail)


@get("/api/actions")
async def api_actions(
    request: Request[Any, Any, Any],
    created_from: FromQuery[dt.date | None] = None,
    limit: FromQuery[int] = 100,
) -> list[dict[str, Any]]:
    """The action list, with the one filter the benchmark sends."""
    conditions = []
    if created_from is not None:
        start = dt.datetime.combine(created_from, dt.time(), ZONE).astimezone(dt.UTC)
        conditions.append(CorrectiveAction.created_at >= start)
    return await _list(_me(request), *conditions, limit=limit)


@get("/api/actions/{action_id:int}")
async def api_action(request: Request[Any, Any, Any], action_id: FromPath[int]) -> dict[str, Any]:
    return await _detail(_me(request), action_id)


@get("/dashboard")
async def dashboard_page(request: Request[Any, Any, Any]) -> Template:
    """The leaders' dashboard over the default period."""
    me = _me(request)
    board = await dashboard(me, SETTINGS, DashboardFilters())
    query = Unit.select(Unit.id, Unit.name_vi, Unit.name_en, Unit.kind).where(Unit.active == True)
    if not me.reads_everything:
        query = query.where(Unit.id == (me.unit_id or 0))
    units = await query
    return _page(
        request,
        me,
        "dashboard.html",
        board=board,
        charts=charts(board, me.language),
        units=sorted((in_language(u["name_vi"], u["name_en"], me.language), u["id"]) for u in units),
        kinds=[kind for kind in KINDS if any(u["kind"] == kind for u in units)],
        in_language=in_language,
    )


@asynccontextmanager
async def pool(app: Litestar) -> AsyncIterator[None]:
    """PostgreSQL's connection pool, as Piccolo's documentation opens it for an ASGI app."""
    if isinstance(DB, PostgresEngine):
        await DB.start_connection_pool(max_size=10)
    try:
        yield
    finally:
        if isinstance(DB, PostgresEngine):
            await DB.close_connection_pool()


app = Litestar(
    route_handlers=[checklist, inbox, action_page, api_actions, api_action, dashboard_page],
    template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment())),
    lifespan=[pool],
)
