"""Who may do what, route by route: every route of the application × every role.

The routes come from the application itself (``app.routes``), API and pages alike, so a route
added without an entry in :data:`MATRIX` fails this test by name: its access rules must be
decided before it ships.

Each entry says what the route answers to each role, twice: on an object of the caller's own
side (the unit head's own unit; an inspection, or its action, whose team the inspector is on)
and on an object of another unit (whose team the inspector is not on). The rules the README
states:

- something the caller may not see answers 404: to a unit head, another unit's objects do not
  exist, so they answer exactly as an id nobody has (checked too, with such an id);
- something they may see but not do answers 403, and so does a route closed to their role
  altogether, whatever the id (which says nothing about the object); a refused request
  writes nothing (every table's rows, versions and states are compared before and after);
- what they may do answers 2xx (a page's form 303 to the page that follows).

Every object is in the state that allows the move, so an allowed move succeeds; a fresh one
replaces it after a request that may have changed it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
from litestar import Litestar
from litestar.routes import HTTPRoute

from inspection import clock
from inspection.app import create_app
from inspection.auth.tokens import new_token
from inspection.db.tables import (
    TABLES,
    Answer,
    ApiToken,
    CorrectiveAction,
    Evidence,
    ExtensionRequest,
    Finding,
    Inspection,
    InspectionMember,
    Notification,
    Unit,
    User,
)
from inspection.domain.roles import ROLES, Role
from inspection.services.checklists import latest_version_id, loaded_version
from inspection.settings import Settings
from tests.factories import (
    DATA,
    PASSWORD,
    load_mini_checklist,
    make_action,
    make_unit,
    make_user,
    token_headers,
)
from tests.test_remediation_loop import PASSING

Side = Literal["own", "other"]
SIDES: tuple[Side, Side] = ("own", "other")
Outcome = int | tuple[int, int]
NOBODYS_ID = 2_000_000_000
# What belongs to a unit (or to a person): ids a unit head may or may not see.
UNIT_BOUND = frozenset(
    {"action", "evidence", "extension", "finding", "inspection", "notification", "token", "unit", "user"}
)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
_serial = itertools.count(1)


@dataclass(frozen=True)
class Target:
    """The objects one request is about, and what its body may need of them."""

    role: Role
    side: Side
    path: dict[str, Any]
    unit_id: int
    username: str


Body = Callable[[Target], dict[str, Any]]


@dataclass(frozen=True)
class Rule:
    """What a route needs (the object its path names, in which state) and answers per role."""

    needs: str
    expect: Mapping[Role, tuple[int, int]]
    body: Body = field(default=lambda _: {})


def rule(
    needs: str = "",
    body: Body | None = None,
    *,
    admin: Outcome,
    inspector: Outcome,
    unit_head: Outcome,
    leader: Outcome,
    observer: Outcome,
) -> Rule:
    outcomes: dict[Role, Outcome] = {
        "admin": admin,
        "inspector": inspector,
        "unit_head": unit_head,
        "leader": leader,
        "observer": observer,
    }
    expect = {role: o if isinstance(o, tuple) else (o, o) for role, o in outcomes.items()}
    return Rule(needs, expect, body or (lambda _: {}))


def everyone(status: Outcome, needs: str = "", body: Body | None = None) -> Rule:
    return rule(needs, body, admin=status, inspector=status, unit_head=status, leader=status, observer=status)


def seen(needs: str, status: int = 200) -> Rule:
    """Read by everyone who reads everything; by a unit head on their own unit only."""
    return rule(
        needs, admin=status, inspector=status, unit_head=(status, 404), leader=status, observer=status
    )


def admins(status: Outcome, needs: str = "", body: Body | None = None) -> Rule:
    return rule(needs, body, admin=status, inspector=403, unit_head=403, leader=403, observer=403)


def unit_heads(needs: str, status: int, body: Body | None = None) -> Rule:
    """A move of the unit's side: its head on their own unit's object, nobody else."""
    return rule(needs, body, admin=403, inspector=403, unit_head=(status, 404), leader=403, observer=403)


def team(needs: str, status: int, body: Body | None = None) -> Rule:
    """A change of the inspection team: an inspector on its team, nobody else."""
    return rule(
        needs, body, admin=403, inspector=(status, 403), unit_head=(403, 404), leader=403, observer=403
    )


def leaders(needs: str, status: int, body: Body) -> Rule:
    return rule(needs, body, admin=403, inspector=403, unit_head=(403, 404), leader=status, observer=403)


def inspectors(status: int, body: Body) -> Rule:
    return rule("", body, admin=403, inspector=status, unit_head=403, leader=403, observer=403)


def _in_a_month(_: Target) -> str:
    return (clock.now().date() + dt.timedelta(days=30)).isoformat()


def _json(**values: Any) -> Body:
    return lambda _: {"json": values}


def _form(**values: Any) -> Body:
    return lambda _: {"data": values}


def _upload(_: Target) -> dict[str, Any]:
    return {"files": {"file": ("bang.png", PNG, "image/png")}, "data": {"note": "Ảnh"}}


def _new_unit(_: Target) -> dict[str, Any]:
    n = next(_serial)
    return {"json": {"code": f"X-MOI{n}", "name_vi": f"Xã Mới {n}", "kind": "commune"}}


def _new_user(_: Target) -> dict[str, Any]:
    n = next(_serial)
    return {
        "json": {"username": f"moi{n}", "full_name": "Người Mới", "role": "observer", "password": PASSWORD}
    }


def _plan(t: Target) -> dict[str, Any]:
    return {
        "json": {
            "unit_id": t.unit_id,
            "checklist_code": "mini",
            "title": "Kiểm tra CCHC",
            "planned_date": clock.now().date().isoformat(),
        }
    }


def _extension(t: Target) -> dict[str, Any]:
    return {"json": {"requested_due_date": _in_a_month(t), "reason": "Chờ kinh phí"}}


def _login(t: Target) -> dict[str, Any]:
    return {"json": {"username": t.username, "password": PASSWORD}}


ANSWER = _json(value="yes")
FINDING = _json(title="Chưa niêm yết", severity="major")
NOTE = _json(note="Đã làm")

# Key: "METHOD path" as the application lists it, without the parameters' types.
MATRIX: dict[str, Rule] = {
    # --- signing in and out, tokens -----------------------------------------------------------
    "POST /api/auth/login": everyone(200, body=_login),
    "POST /api/auth/logout": everyone(204),
    "GET /api/auth/me": everyone(200),
    "GET /api/tokens": everyone(200),
    "POST /api/tokens": everyone(201, body=_json(name="script")),
    # A token is its owner's: anyone else's answers as one that does not exist.
    "DELETE /api/tokens/{token_id}": everyone((204, 404), "token"),
    # --- units, users, checklists -------------------------------------------------------------
    "GET /api/units": everyone(200),
    "GET /api/units/{unit_id}": seen("unit"),
    "POST /api/units": admins(201, body=_new_unit),
    "PATCH /api/units/{unit_id}": admins(200, "unit", _json(name_en="Renamed")),
    "GET /api/users": admins(200),
    "GET /api/users/{user_id}": admins(200, "user"),
    "POST /api/users": admins(201, body=_new_user),
    "PATCH /api/users/{user_id}": admins(200, "user", _json(full_name="Tên Mới")),
    "GET /api/checklists": everyone(200),
    "GET /api/checklists/versions/{version_id}": everyone(200, "version"),
    "GET /api/checklists/{code}": everyone(200, "checklist"),
    # The mini checklist, sent again: unchanged (200).
    "POST /api/checklists": admins(
        200,
        body=lambda _: {"content": (DATA / "mini.toml").read_bytes(), "params": {"filename": "mini.toml"}},
    ),
    # --- inspections --------------------------------------------------------------------------
    "GET /api/inspections": everyone(200),
    "POST /api/inspections": inspectors(201, _plan),
    # Who an inspector may put on a team: for planning, so inspectors only.
    "GET /api/inspections/team-candidates": inspectors(200, lambda _: {}),
    "GET /api/inspections/{inspection_id}": seen("inspection:planned"),
    "POST /api/inspections/{inspection_id}/start": team("inspection:planned", 200),
    "GET /api/inspections/{inspection_id}/answers": seen("inspection:in_progress"),
    "PUT /api/inspections/{inspection_id}/answers/{item_code}": team("inspection:in_progress", 200, ANSWER),
    "GET /api/inspections/{inspection_id}/score": seen("inspection:in_progress"),
    "GET /api/inspections/{inspection_id}/findings": seen("inspection:in_progress"),
    "POST /api/inspections/{inspection_id}/findings": team("inspection:in_progress", 201, FINDING),
    "GET /api/inspections/{inspection_id}/submission": seen("inspection:in_progress"),
    "POST /api/inspections/{inspection_id}/submit": team(
        "inspection:answered", 200, _json(conclusion="Kết luận")
    ),
    "PATCH /api/findings/{finding_id}": team("finding", 200, _json(title="Sửa")),
    "DELETE /api/findings/{finding_id}": team("finding", 204),
    "POST /api/findings/{finding_id}/dismiss": team(
        "finding:proposed", 200, _json(reason="Đã khắc phục ngay")
    ),
    # --- corrective actions -------------------------------------------------------------------
    "GET /api/actions": everyone(200),
    "GET /api/actions/{action_id}": seen("action:open"),
    "POST /api/actions/{action_id}/acknowledge": unit_heads("action:open", 200, _json()),
    "POST /api/actions/{action_id}/progress": unit_heads("action:acknowledged", 200, NOTE),
    "POST /api/actions/{action_id}/report-fixed": unit_heads("action:acknowledged", 200, NOTE),
    "POST /api/actions/{action_id}/close": team("action:reported_fixed", 200, _json()),
    "POST /api/actions/{action_id}/reopen": team("action:closed", 200, _json(reason="Còn thiếu")),
    # Comments: both sides of the work and leaders; observers and admins only read.
    "POST /api/actions/{action_id}/comments": rule(
        "action:open", NOTE, admin=403, inspector=201, unit_head=(201, 404), leader=201, observer=403
    ),
    "POST /api/actions/{action_id}/extension-requests": unit_heads("action:acknowledged", 201, _extension),
    "POST /api/actions/{action_id}/evidence": unit_heads("action:acknowledged", 201, _upload),
    "POST /api/extension-requests/{extension_id}/decision": rule(
        "extension",
        _json(approve=True),
        admin=403,
        inspector=(200, 403),
        unit_head=(403, 404),
        leader=200,
        observer=403,
    ),
    # Each role sees the requests of the actions it sees.
    "GET /api/extension-requests": everyone(200),
    # Chasing by hand: leaders only; an escalation needs an overdue action.
    "POST /api/actions/{action_id}/remind": leaders("action:open", 200, _json(note="Đề nghị khẩn trương")),
    "POST /api/actions/{action_id}/escalate": leaders("action:overdue", 200, _json(note="Quá hạn")),
    "GET /api/evidence/{evidence_id}": seen("evidence"),
    "GET /api/dashboard": everyone(200),
    "GET /api/notifications": admins(200),
    "GET /api/notifications/report": admins(200),
    "POST /api/notifications/{notification_id}/retry": admins(200, "notification"),
    # --- pages --------------------------------------------------------------------------------
    "GET /": everyone(303),
    "GET /lang/{code}": everyone(303, "language"),
    "POST /language": everyone(303, body=_form(language="en")),
    "GET /login": everyone(200),
    "POST /login": everyone(303, body=lambda t: {"data": {"username": t.username, "password": PASSWORD}}),
    "POST /logout": everyone(303),
    "GET /dashboard": everyone(200),
    "GET /actions": everyone(200),
    "GET /actions/{action_id}": seen("action:open"),
    "POST /actions/{action_id}/{verb}": unit_heads("action:open", 303),
    "POST /actions/{action_id}/comment": rule(
        "action:open",
        _form(note="Đã làm"),
        admin=403,
        inspector=303,
        unit_head=(303, 404),
        leader=303,
        observer=403,
    ),
    "POST /actions/{action_id}/evidence": unit_heads("action:acknowledged", 303, _upload),
    "POST /actions/{action_id}/extension": unit_heads(
        "action:acknowledged", 303, lambda t: {"data": _extension(t)["json"]}
    ),
    "POST /extensions/{extension_id}/decision": rule(
        "extension",
        _form(approve="true"),
        admin=403,
        inspector=(303, 403),
        unit_head=(403, 404),
        leader=303,
        observer=403,
    ),
    "GET /extensions": everyone(200),
    "POST /actions/{action_id}/remind": leaders("action:open", 303, _form(note="Đề nghị khẩn trương")),
    "POST /actions/{action_id}/escalate": leaders("action:overdue", 303, _form(note="Quá hạn")),
    "GET /inspections": everyone(200),
    "GET /inspections/new": inspectors(200, lambda _: {}),
    "POST /inspections": inspectors(303, lambda t: {"data": _plan(t)["json"]}),
    "GET /inspections/{inspection_id}": seen("inspection:in_progress"),
    "POST /inspections/{inspection_id}/items/{item_code}": team(
        "inspection:in_progress", 303, _form(value="yes")
    ),
    "POST /inspections/{inspection_id}/items/{item_code}/evidence": team(
        "inspection:in_progress", 303, _upload
    ),
    "GET /inspections/{inspection_id}/findings": seen("inspection:in_progress"),
    "POST /inspections/{inspection_id}/findings": team(
        "inspection:in_progress", 303, _form(title="Chưa niêm yết", severity="major")
    ),
    "POST /inspections/{inspection_id}/findings/{finding_id}": team("finding", 303, _form(title="Sửa")),
    "POST /inspections/{inspection_id}/findings/{finding_id}/delete": team("finding", 303),
    "POST /inspections/{inspection_id}/findings/{finding_id}/dismiss": team(
        "finding:proposed", 303, _form(reason="Đã khắc phục ngay")
    ),
    "GET /inspections/{inspection_id}/submit": seen("inspection:in_progress"),
    "POST /inspections/{inspection_id}/submit": team(
        "inspection:answered", 303, _form(conclusion="Kết luận")
    ),
    "GET /admin/units": admins(200),
    "GET /admin/units/new": admins(200),
    "POST /admin/units/new": admins(303, body=lambda t: {"data": _new_unit(t)["json"]}),
    "GET /admin/units/{unit_id}": admins(200, "unit"),
    "POST /admin/units/{unit_id}": admins(303, "unit", _form(name_vi="Xã Đổi Tên", kind="commune")),
    "GET /admin/users": admins(200),
    "GET /admin/users/new": admins(200),
    "POST /admin/users/new": admins(303, body=lambda t: {"data": _new_user(t)["json"]}),
    "GET /admin/users/{user_id}": admins(200, "user"),
    "POST /admin/users/{user_id}": admins(303, "user", _form(full_name="Tên Mới", role="unit_head")),
    "GET /admin/checklists": admins(200),
    "GET /admin/notifications": admins(200),
    "POST /admin/notifications/{notification_id}/retry": admins(303, "notification"),
    # --- files and the schema, open to anyone -------------------------------------------------
    "GET /static/{file_path}": everyone(200, "static"),
    "HEAD /static/{file_path}": everyone(200, "static"),
    "GET /schema": everyone(200),
    "GET /schema/swagger": everyone(200),
    "GET /schema/openapi.json": everyone(200),
    "GET /schema/oauth2-redirect.html": everyone(200),
    "GET /schema/{path}": everyone(404, "schema"),
}


# What the routes open to anyone answer to a caller who has not signed in.
OPEN: dict[str, int] = {
    "POST /api/auth/login": 200,
    "POST /api/auth/logout": 204,
    "GET /login": 200,
    "POST /login": 303,
    "GET /lang/{code}": 303,
    "GET /static/{file_path}": 200,
    "HEAD /static/{file_path}": 200,
    "GET /schema": 200,
    "GET /schema/swagger": 200,
    "GET /schema/openapi.json": 200,
    "GET /schema/oauth2-redirect.html": 200,
    "GET /schema/{path}": 404,
}


def operations(app: Litestar) -> list[str]:
    """Every "METHOD path" the application answers (OPTIONS, answered for all alike, aside)."""
    found = set()
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            path = re.sub(r"\{(\w+):[^}]+\}", r"{\1}", route.path)
            found |= {f"{method} {path}" for method in route.methods if method != "OPTIONS"}
    return sorted(found)


def test_every_route_has_its_access_rules() -> None:
    app = create_app(Settings(redis_url="redis://127.0.0.1:6379/0", secret_key="k" * 32))
    listed = operations(app)
    assert not (unlisted := [op for op in listed if op not in MATRIX]), (
        f"routes without an entry in tests/test_authorization_matrix.py MATRIX: {unlisted}"
    )
    assert not (gone := sorted(set(MATRIX) - set(listed))), f"MATRIX entries for routes that are gone: {gone}"


# --- the world the requests are made in ---------------------------------------------------------


@dataclass
class UnitSide:
    """One unit with its head and the inspector whose team visits it."""

    unit: Unit
    head: User
    lead: User


@dataclass
class World:
    users: dict[Role, User]
    headers: dict[Role, dict[str, str]]
    sides: dict[Side, UnitSide]
    blobs: Any
    made: dict[tuple[str, Side, Role], dict[str, Any]] = field(default_factory=dict)

    async def target(self, needs: str, side: Side, role: Role) -> Target:
        unit = self.sides[side].unit
        path: dict[str, Any] = {}
        if needs:
            # Objects nobody but the caller can change are made per role, the others shared.
            key = (needs, side, role if needs == "token" else "admin")
            if key not in self.made:
                self.made[key] = await self._make(needs, side, role)
            path = self.made[key]
        return Target(role, side, path, unit.id, self.users[role].username)

    def used(self, needs: str, side: Side, role: Role) -> None:
        """The object may have changed: the next request gets a fresh one."""
        self.made.pop((needs, side, role if needs == "token" else "admin"), None)

    async def _make(self, needs: str, side: Side, role: Role) -> dict[str, Any]:
        s = self.sides[side]
        kind, _, state = needs.partition(":")
        if kind == "token":
            owner = self.users[role] if side == "own" else self.sides["other"].head
            token = ApiToken(
                user=owner.id, name="matrix", token_sha256=new_token()[1], created_at=clock.now()
            )
            await token.save()
            return {"token_id": token.id}
        if kind == "unit":
            return {"unit_id": s.unit.id}
        if kind == "user":
            return {"user_id": s.head.id}
        if kind == "version":
            return {"version_id": await latest_version_id("mini")}
        if kind == "checklist":
            return {"code": "mini"}
        if kind == "language":
            return {"code": "en"}
        if kind == "static":
            return {"file_path": "css/app.css"}
        if kind == "schema":
            return {"path": "nothing-here"}
        if kind == "inspection":
            return {"inspection_id": await self._inspection(s, state), "item_code": "A.1.1"}
        if kind == "finding":
            inspection_id = await self._inspection(s, "in_progress")
            finding = Finding(
                inspection=inspection_id,
                item_code="A.1.1",
                title="Chưa niêm yết",
                severity="major",
                proposed=state == "proposed",
                created_by=s.lead.id,
                created_at=clock.now(),
            )
            await finding.save()
            return {"inspection_id": inspection_id, "finding_id": finding.id}
        if kind == "action":
            return {"action_id": await self._action(s, state), "verb": "acknowledge"}
        if kind == "extension":
            action_id = await self._action(s, "acknowledged")
            request = ExtensionRequest(
                action=action_id,
                requested_by=s.head.id,
                requested_due_date=clock.now().date() + dt.timedelta(days=60),
                reason="Chờ kinh phí",
                created_at=clock.now(),
            )
            await request.save()
            return {"extension_id": request.id}
        if kind == "evidence":
            key = await self.blobs.put(PNG)
            evidence = Evidence(
                action=await self._action(s, "acknowledged"),
                filename="bang.png",
                content_type="image/png",
                size=len(PNG),
                sha256="0" * 64,
                storage_key=key,
                uploaded_by=s.head.id,
                uploaded_at=clock.now(),
            )
            await evidence.save()
            return {"evidence_id": evidence.id}
        if kind == "notification":
            notification = Notification(
                kind="assigned",
                action=await self._action(s, "open"),
                recipient=s.head.id,
                due_at=clock.now(),
                status="failed",
                idempotency_key=f"matrix-{next(_serial)}",
                created_at=clock.now(),
            )
            await notification.save()
            return {"notification_id": notification.id}
        raise AssertionError(f"no maker for {needs!r}")

    async def _inspection(self, s: UnitSide, status: str) -> int:
        """An inspection in ``status``; "answered" is one in progress with every item
        answered (passing), ready for its conclusion."""
        answered = status == "answered"
        status = "in_progress" if answered else status
        now = clock.now()
        inspection = Inspection(
            unit=s.unit.id,
            checklist_version=await latest_version_id("mini"),
            title="Kiểm tra CCHC",
            lead=s.lead.id,
            planned_date=clock.now().date(),
            status=status,
            max_points=10.0,
            created_by=s.lead.id,
            created_at=now,
            started_at=None if status == "planned" else now,
        )
        await inspection.save()
        await InspectionMember(inspection=inspection.id, user=s.lead.id, role="lead").save()
        if answered:
            version = await loaded_version(inspection.checklist_version)
            await Answer.insert(
                *(
                    Answer(
                        inspection=inspection.id,
                        item_code=code,
                        criterion_code=criterion.code,
                        section_code=section.code,
                        value=json.dumps(PASSING[code]),
                        points=version.item_max[code],
                        max_points=version.item_max[code],
                        passed=True,
                        answered_by=s.lead.id,
                        answered_at=now,
                    )
                    for code, (section, criterion, _) in version.items.items()
                )
            )
        return int(inspection.id)

    async def _action(self, s: UnitSide, status: str) -> int:
        # "overdue" is an open action whose deadline has passed.
        days = -5 if status == "overdue" else 15
        status = "open" if status == "overdue" else status
        action = await make_action(s.unit, s.lead, clock.now().date() + dt.timedelta(days=days))
        await InspectionMember(inspection=action.inspection, user=s.lead.id, role="lead").save()
        now = clock.now()
        stamps = {
            "acknowledged": {CorrectiveAction.acknowledged_at: now},
            "reported_fixed": {
                CorrectiveAction.acknowledged_at: now,
                CorrectiveAction.reported_fixed_at: now,
            },
            "closed": {
                CorrectiveAction.acknowledged_at: now,
                CorrectiveAction.reported_fixed_at: now,
                CorrectiveAction.closed_at: now,
            },
        }
        if status != "open":
            await CorrectiveAction.update({CorrectiveAction.status: status, **stamps[status]}).where(
                CorrectiveAction.id == action.id
            )
        return int(action.id)


async def _world(app: Litestar) -> World:
    await load_mini_checklist()
    own, other = await make_unit("X-ANBINH"), await make_unit("X-BASAO")
    users: dict[Role, User] = {
        "admin": await make_user("admin", username="quantri"),
        "inspector": await make_user("inspector", username="thanh.nv"),
        "unit_head": await make_user("unit_head", own, username="truong.x-anbinh"),
        "leader": await make_user("leader", username="pct.huyen"),
        "observer": await make_user("observer", username="hdnd"),
    }
    sides: dict[Side, UnitSide] = {
        "own": UnitSide(own, users["unit_head"], users["inspector"]),
        "other": UnitSide(
            other,
            await make_user("unit_head", other, username="truong.x-basao"),
            await make_user("inspector", username="lan.tt"),
        ),
    }
    headers = {role: await token_headers(user) for role, user in users.items()}
    return World(users, headers, sides, app.state.blobs)


def _url(operation: str, path: Mapping[str, Any]) -> tuple[str, str]:
    method, template = operation.split(" ", 1)
    return method, re.sub(r"\{(\w+)\}", lambda m: str(path[m[1]]), template)


async def _send(
    client: httpx.AsyncClient, w: World, operation: str, target: Target, *, anonymous: bool = False
) -> httpx.Response:
    method, url = _url(operation, target.path)
    kwargs = MATRIX[operation].body(target)
    headers = {} if anonymous else dict(w.headers[target.role])
    if not url.startswith("/api/") and method == "POST":
        headers["x-csrftoken"] = client.cookies.get("csrftoken") or ""
    # Each request on its own: no session cookie from an earlier sign-in rides along.
    for name in [c for c in client.cookies if c != "csrftoken"]:
        client.cookies.delete(name)
    return await client.request(method, url, headers=headers, **kwargs)


# Rows of every table, and the versions and states of what moves: a refused request changes
# none. (The SQL is made of the project's own table names, nothing from outside.)
_COUNTS = ", ".join(f'(SELECT COUNT(*) FROM "{t._meta.tablename}") AS "{t._meta.tablename}"' for t in TABLES)  # noqa: S608
_FINGERPRINT = f"""
SELECT {_COUNTS},
       (SELECT COALESCE(SUM(version), 0) FROM corrective_action) AS action_versions,
       (SELECT COALESCE(SUM(version), 0) FROM inspection) AS inspection_versions,
       (SELECT COALESCE(SUM(version), 0) FROM finding) AS finding_versions,
       (SELECT COUNT(*) FROM api_token WHERE revoked) AS revoked,
       (SELECT COUNT(*) FROM notification WHERE status = 'failed') AS failed,
       (SELECT COUNT(*) FROM extension_request WHERE status = 'pending') AS pending
"""  # noqa: S608


async def _fingerprint() -> dict[str, Any]:
    [row] = await Unit.raw(_FINGERPRINT)
    return dict(row)


async def test_each_role_gets_what_the_matrix_says_on_every_route(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    w = await _world(app)
    await client.get("/login")  # the CSRF cookie the pages' forms need
    wrong: list[str] = []
    # A route without an entry fails test_every_route_has_its_access_rules, by name.
    for operation in [op for op in operations(app) if op in MATRIX]:
        rule_ = MATRIX[operation]
        for role in ROLES:
            for side, expected in zip(SIDES, rule_.expect[role], strict=True):
                target = await w.target(rule_.needs, side, role)
                before = await _fingerprint() if expected in (403, 404) else None
                response = await _send(client, w, operation, target)
                if response.status_code != expected:
                    wrong.append(
                        f"{operation} as {role} on {side}: {response.status_code}, expected {expected}:"
                        f" {response.text[:160]!r}"
                    )
                elif expected in (403, 404) and await _fingerprint() != before:
                    wrong.append(f"{operation} as {role} on {side}: refused ({expected}) but wrote")
                if not operation.startswith(("GET", "HEAD")) and response.status_code < 400:
                    w.used(rule_.needs, side, role)
            # To a unit head another unit's object is no more there than an id nobody has.
            if role == "unit_head" and rule_.needs.partition(":")[0] in UNIT_BOUND:
                target = await w.target(rule_.needs, "other", role)
                nobodys = {k: NOBODYS_ID if k.endswith("_id") else v for k, v in target.path.items()}
                missing = await _send(
                    client, w, operation, Target(role, "other", nobodys, target.unit_id, target.username)
                )
                if missing.status_code != rule_.expect[role][1]:
                    wrong.append(
                        f"{operation} as unit_head on an id nobody has: {missing.status_code},"
                        f" not {rule_.expect[role][1]} as on another unit's"
                    )
        # Signed out: the API answers 401 and a page sends to the sign-in form, but for the
        # few routes open to anyone (those of signing in sign the admin in here).
        target = await w.target(rule_.needs, "own", "admin")
        response = await _send(client, w, operation, target, anonymous=True)
        expected = OPEN.get(operation, 401 if operation.split(" ")[1].startswith("/api/") else 303)
        if response.status_code != expected:
            wrong.append(f"{operation} signed out: {response.status_code}, expected {expected}")
        elif expected == 303 and operation not in OPEN:
            assert response.headers["location"].startswith("/login"), operation
        if not operation.startswith(("GET", "HEAD")) and response.status_code < 400:
            w.used(rule_.needs, "own", "admin")
    assert not wrong, "\n".join(wrong)
