"""Corrective-action pages: the inbox (a unit head's, an inspector's, everyone's), one action
with its history, and every move of its life as a form."""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from inspection.auth.guards import signed_in
from inspection.auth.principal import Principal
from inspection.domain.actions import Verb
from inspection.errors import NotFound
from inspection.schemas import DecisionIn, ExtensionIn, ReopenIn, TransitionIn
from inspection.services import actions
from inspection.settings import Settings
from inspection.storage import BlobStore
from inspection.web import forms
from inspection.web.render import is_htmx, render

View = Literal["open", "overdue", "reported_fixed", "closed", "all"]
VIEWS: tuple[View, ...] = ("open", "overdue", "reported_fixed", "closed", "all")
VERBS: dict[str, Verb] = {
    "acknowledge": "acknowledge",
    "progress": "progress",
    "report_fixed": "report_fixed",
    "close": "close",
    "reopen": "reopen",
}


class CommentForm(msgspec.Struct, kw_only=True):
    note: str = ""


async def _action_page(
    request: Request[Any, Any, Any], principal: Principal, action_id: int, settings: Settings
) -> Template:
    detail = await actions.get_detail(principal, action_id, settings)
    return render(request, "action.html", partial="_partials/action.html", detail=detail)


async def _after_change(
    request: Request[Any, Any, Any], principal: Principal, action_id: int, settings: Settings
) -> Response[Any]:
    """htmx gets the action's panel redrawn; a plain form post goes back to the action's page."""
    if is_htmx(request):
        return await _action_page(request, principal, action_id, settings)
    return Redirect(f"/actions/{action_id}", status_code=303)


class ActionPages(Controller):
    path = "/actions"
    guards = [signed_in]
    include_in_schema = False

    @get("/")
    async def inbox(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        settings: Settings,
        view: View = "open",
        mine: bool = False,
        unit_id: int | None = None,
        inspection_id: int | None = None,
    ) -> Template:
        """Soonest deadline first; overdue ones are marked with how many days late they are."""
        listed = await actions.list_actions(
            principal,
            settings,
            open_only=view == "open",
            overdue=True if view == "overdue" else None,
            status=view if view in ("reported_fixed", "closed") else None,
            mine=mine,
            unit_id=unit_id,
            inspection_id=inspection_id,
            limit=500,
        )
        return render(
            request,
            "actions.html",
            partial="_partials/action_list.html",
            actions=listed,
            view=view,
            views=VIEWS,
            mine=mine,
            unit_id=unit_id,
            inspection_id=inspection_id,
        )

    @get("/{action_id:int}")
    async def detail(
        self, request: Request[Any, Any, Any], principal: Principal, action_id: int, settings: Settings
    ) -> Template:
        return await _action_page(request, principal, action_id, settings)

    @post("/{action_id:int}/{verb:str}")
    async def move(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        action_id: int,
        verb: str,
        settings: Settings,
    ) -> Response[Any]:
        """Acknowledge, progress, report fixed (the unit); close or reopen (the inspection team)."""
        if verb not in VERBS:
            raise NotFound("No such page")
        fields = await forms.form_data(request)
        data: TransitionIn | ReopenIn = (
            forms.decode(ReopenIn, fields) if verb == "reopen" else forms.decode(TransitionIn, fields)
        )
        await actions.transition(principal, action_id, VERBS[verb], data, settings)
        return await _after_change(request, principal, action_id, settings)

    @post("/{action_id:int}/comment")
    async def comment(
        self, request: Request[Any, Any, Any], principal: Principal, action_id: int, settings: Settings
    ) -> Response[Any]:
        form = await forms.read(request, CommentForm)
        await actions.comment(principal, action_id, form.note)
        return await _after_change(request, principal, action_id, settings)

    @post("/{action_id:int}/evidence")
    async def evidence(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        action_id: int,
        blobs: BlobStore,
        settings: Settings,
    ) -> Response[Any]:
        """A progress report with a photo or document attached (multipart: file, note)."""
        upload = await forms.read_upload(request)
        await actions.add_evidence(
            principal,
            action_id,
            upload.filename,
            upload.content_type,
            upload.data,
            upload.note,
            blobs,
            settings,
        )
        return await _after_change(request, principal, action_id, settings)

    @post("/{action_id:int}/extension")
    async def extension(
        self, request: Request[Any, Any, Any], principal: Principal, action_id: int, settings: Settings
    ) -> Response[Any]:
        data = await forms.read(request, ExtensionIn)
        await actions.request_extension(principal, action_id, data, settings)
        return await _after_change(request, principal, action_id, settings)


class ExtensionPages(Controller):
    path = "/extensions"
    guards = [signed_in]
    include_in_schema = False

    @post("/{extension_id:int}/decision")
    async def decide(
        self, request: Request[Any, Any, Any], principal: Principal, extension_id: int, settings: Settings
    ) -> Response[Any]:
        """Approve (the deadline moves) or reject a unit's request for more time."""
        data = await forms.read(request, DecisionIn)
        decided = await actions.decide_extension(principal, extension_id, data, settings)
        return await _after_change(request, principal, decided.action_id, settings)
