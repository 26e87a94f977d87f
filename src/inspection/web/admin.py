"""Administrators' pages: units, users and roles, loaded checklist versions, notification status."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from inspection.auth.guards import roles
from inspection.auth.principal import Principal
from inspection.auth.sessions import SessionStore
from inspection.domain.roles import ROLES
from inspection.errors import Conflict, Invalid
from inspection.queue import admin as queue_admin
from inspection.schemas import PathId, UnitIn, UnitPatch, UserIn, UserPatch
from inspection.services import checklists, directory
from inspection.settings import Settings
from inspection.web import forms
from inspection.web.render import language_of, render

UNIT_KINDS = ("district", "department", "commune", "town", "ward", "one_stop_shop", "other")


class AdminPages(Controller):
    path = "/admin"
    guards = [roles("admin")]
    include_in_schema = False

    @get("/units")
    async def units(self, request: Request[Any, Any, Any], principal: NamedDependency[Principal]) -> Template:
        users = {u.id: u for u in await directory.list_users()}
        return render(request, "admin/units.html", units=await directory.list_units(principal), users=users)

    @get("/units/new")
    async def new_unit(
        self, request: Request[Any, Any, Any], principal: NamedDependency[Principal]
    ) -> Template:
        return await self._unit_form(request, principal, None)

    @post("/units/new")
    async def create_unit(
        self, request: Request[Any, Any, Any], principal: NamedDependency[Principal]
    ) -> Response[Any]:
        """Add a unit; refused (a code taken, a name missing), the form again as typed, with
        the message beside the field."""
        fields = await forms.form_data(request)
        try:
            unit = await directory.create_unit(forms.decode(UnitIn, fields))
        except (Invalid, Conflict) as exc:
            error = forms.refused("unit", exc, fields, language_of(request))
            return await self._unit_form(request, principal, None, error)
        return Redirect(f"/admin/units/{unit.id}", status_code=303)

    @get("/units/{unit_id:int}")
    async def edit_unit(
        self, request: Request[Any, Any, Any], principal: NamedDependency[Principal], unit_id: PathId
    ) -> Template:
        return await self._unit_form(request, principal, unit_id)

    @post("/units/{unit_id:int}")
    async def update_unit(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        unit_id: PathId,
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Change a unit; a new head takes over its open actions and their reminders."""
        fields = await forms.form_data(request)
        try:
            await directory.update_unit(unit_id, forms.decode(UnitPatch, fields), settings)
        except (Invalid, Conflict) as exc:
            error = forms.refused("unit", exc, fields, language_of(request))
            return await self._unit_form(request, principal, unit_id, error)
        return Redirect("/admin/units", status_code=303)

    async def _unit_form(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        unit_id: int | None,
        error: forms.FormError | None = None,
    ) -> Template:
        unit = await directory.get_unit_admin(unit_id) if unit_id else None
        heads = [
            u
            for u in await directory.list_users()
            if u.role == "unit_head" and u.active and u.unit_id == unit_id
        ]
        return render(
            request,
            "admin/unit_form.html",
            status_code=error.status if error else 200,
            error=error,
            unit=unit,
            units=await directory.list_units(principal),
            heads=heads,
            kinds=UNIT_KINDS,
        )

    @get("/users")
    async def users(self, request: Request[Any, Any, Any], principal: NamedDependency[Principal]) -> Template:
        units = {u.id: u for u in await directory.list_units(principal)}
        return render(request, "admin/users.html", users=await directory.list_users(), units=units)

    @get("/users/new")
    async def new_user(
        self, request: Request[Any, Any, Any], principal: NamedDependency[Principal]
    ) -> Template:
        return await self._user_form(request, principal, None)

    @post("/users/new")
    async def create_user(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Add a user; refused (a username taken, a short password), the form again as typed
        (but the password), with the message beside the field."""
        fields = await forms.form_data(request)
        try:
            await directory.create_user(forms.decode(UserIn, fields), settings)
        except (Invalid, Conflict) as exc:
            error = forms.refused("user", exc, fields, language_of(request))
            return await self._user_form(request, principal, None, error)
        return Redirect("/admin/users", status_code=303)

    @get("/users/{user_id:int}")
    async def edit_user(
        self, request: Request[Any, Any, Any], principal: NamedDependency[Principal], user_id: PathId
    ) -> Template:
        return await self._user_form(request, principal, user_id)

    @post("/users/{user_id:int}")
    async def update_user(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        user_id: PathId,
        sessions: NamedDependency[SessionStore],
    ) -> Response[Any]:
        """Change a user; their sessions end, so a new role or a deactivation applies at once."""
        fields = await forms.form_data(request)
        try:
            await directory.update_user(user_id, forms.decode(UserPatch, fields))
        except (Invalid, Conflict) as exc:
            error = forms.refused("user", exc, fields, language_of(request))
            return await self._user_form(request, principal, user_id, error)
        await sessions.end_all_for_user(user_id)
        return Redirect("/admin/users", status_code=303)

    async def _user_form(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        user_id: int | None,
        error: forms.FormError | None = None,
    ) -> Template:
        return render(
            request,
            "admin/user_form.html",
            status_code=error.status if error else 200,
            error=error,
            user=await directory.get_user(user_id) if user_id else None,
            units=await directory.list_units(principal),
            roles=ROLES,
        )

    @get("/checklists")
    async def checklist_versions(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "admin/checklists.html", versions=await checklists.list_versions())

    @get("/notifications")
    async def notifications(
        self, request: Request[Any, Any, Any], status: FromQuery[str | None] = None
    ) -> Template:
        return render(
            request,
            "admin/notifications.html",
            report=await queue_admin.queue_report(),
            notifications=await queue_admin.list_notifications(
                status if status in queue_admin.STATUSES else None
            ),
            status=status,
            statuses=queue_admin.STATUSES,
        )

    @post("/notifications/{notification_id:int}/retry")
    async def retry(self, notification_id: PathId) -> Redirect:
        if not await queue_admin.retry_notification(notification_id):
            raise Conflict("Only a failed notification can be sent again")
        return Redirect("/admin/notifications?status=failed", status_code=303)
