"""Corrective-action pages: the inbox (a unit head's, an inspector's, everyone's), one action
with its history, and every move of its life as a form."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from inspection.auth.guards import principal_of, signed_in
from inspection.auth.principal import Principal
from inspection.dependencies import settings_of
from inspection.domain.actions import TRANSITIONS, Status, Verb
from inspection.errors import Invalid, NotFound
from inspection.schemas import (
    ActionFilters,
    ChaseIn,
    DecisionIn,
    ExtensionIn,
    Offset,
    PathId,
    ReopenIn,
    TransitionIn,
)
from inspection.services import actions, directory
from inspection.settings import Settings
from inspection.storage import BlobStore
from inspection.web import forms
from inspection.web.render import is_htmx, language_of, render

View = Literal["open", "overdue", "reported_fixed", "closed", "all"]
VIEWS: tuple[View, ...] = ("open", "overdue", "reported_fixed", "closed", "all")
# One page of a list; the next page is a link (a dashboard count may be larger).
PAGE = 500
VERBS: dict[str, Verb] = {verb: verb for verb in TRANSITIONS}


class CommentForm(msgspec.Struct, kw_only=True):
    note: str = ""


async def _action_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    action_id: int,
    settings: Settings,
    error: forms.FormError | None = None,
) -> Template:
    """The action's page (its panel for htmx); after a refused form, that form as it was
    typed, with the message beside its field."""
    detail = await actions.get_detail(principal, action_id, settings)
    return render(
        request,
        "action.html",
        partial="_partials/action.html",
        status_code=400 if error else 200,
        detail=detail,
        error=error,
        chased=actions.chased_today(detail.events, settings),
    )


async def _after_change(
    request: Request[Any, Any, Any], principal: Principal, action_id: int, settings: Settings
) -> Response[Any]:
    """htmx gets the action's panel redrawn; a plain form post goes back to the action's page."""
    if is_htmx(request):
        return await _action_page(request, principal, action_id, settings)
    return Redirect(f"/actions/{action_id}", status_code=303)


class ActionPages(Controller):
    # No guard: every handler here takes the principal (the inbox reads it with principal_of,
    # as it reads the settings), which sends an anonymous visitor to the login form just as
    # the guard would, and Litestar copies the route handler for each guard call of each
    # request (the inbox is the most visited page).
    path = "/actions"
    include_in_schema = False

    @get("/")
    async def inbox(
        self,
        request: Request[Any, Any, Any],
        filters: NamedDependency[ActionFilters],
        view: FromQuery[View | None] = None,
        offset: Offset = 0,
    ) -> Template:
        """Soonest deadline first; overdue ones are marked with how many days late they are.

        Besides the tabs (``view``), the list takes the API's filters (``/api/actions``), which
        the leaders' dashboard writes into the link behind each of its numbers.
        """
        principal = principal_of(request)
        settings = settings_of(request)
        # A bare list opens on the "not closed" tab; a query (a dashboard link) means what the
        # API means by it: exactly the actions that pass its filters, whatever their state.
        if view is None and msgspec.structs.replace(filters, mine=False) == ActionFilters():
            view = "open"
        listed = await actions.list_actions(
            principal,
            settings,
            msgspec.structs.replace(
                filters,
                open_only=filters.open_only or view == "open",
                overdue=True if view == "overdue" else filters.overdue,
                status=Status(view) if view in (Status.REPORTED_FIXED, Status.CLOSED) else filters.status,
            ),
            limit=PAGE + 1,
            offset=offset,
        )
        unit = await directory.get_unit(principal, filters.unit_id) if filters.unit_id is not None else None
        # The tabs keep which actions are looked at (whose, which unit, opened when); the menu
        # knows its "Actions I opened" entry by "mine=1".
        scope = ActionFilters(
            unit_kind=filters.unit_kind,
            unit_id=filters.unit_id,
            inspection_id=filters.inspection_id,
            created_from=filters.created_from,
            created_to=filters.created_to,
        ).query()
        further = {name: value for name, value in request.query_params.items() if name != "offset"}
        return render(
            request,
            "actions.html",
            partial="_partials/action_list.html",
            actions=listed[:PAGE],
            offset=offset,
            next_page=urlencode({**further, "offset": offset + PAGE}) if len(listed) > PAGE else None,
            view=view,
            views=VIEWS,
            mine=filters.mine,
            tabs="/actions?" + ("mine=1&" if filters.mine else "") + (scope + "&" if scope else ""),
            unit=unit,
            chosen={
                name: value
                for name, value in {
                    "unit_kind": filters.unit_kind,
                    "created": (filters.created_from, filters.created_to)
                    if filters.created_from or filters.created_to
                    else None,
                    "closed": (filters.closed_from, filters.closed_to)
                    if filters.closed_from or filters.closed_to
                    else None,
                    "open": filters.open_only or None,
                    "overdue": filters.overdue,
                    "status": filters.status,
                    "closed_on_time": filters.closed_on_time,
                    "open_on": filters.open_on,
                    "overdue_on": filters.overdue_on,
                    "item": f"{filters.checklist or ''} {filters.item_code or ''}".strip() or None,
                }.items()
                if value is not None
            },
        )

    @get("/{action_id:int}")
    async def detail(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        action_id: PathId,
        settings: NamedDependency[Settings],
    ) -> Template:
        return await _action_page(request, principal, action_id, settings)

    @post("/{action_id:int}/{verb:str}")
    async def move(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        action_id: PathId,
        verb: FromPath[str],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Acknowledge, progress, report fixed (the unit); close or reopen (the inspection team)."""
        if verb not in VERBS:
            raise NotFound("No such page")
        fields = await forms.form_data(request)
        try:
            data: TransitionIn | ReopenIn = (
                forms.decode(ReopenIn, fields) if verb == "reopen" else forms.decode(TransitionIn, fields)
            )
            await actions.transition(principal, action_id, VERBS[verb], data, settings)
        except Invalid as exc:
            error = forms.refused(verb, exc, fields, language_of(request))
            return await _action_page(request, principal, action_id, settings, error)
        return await _after_change(request, principal, action_id, settings)

    @post("/{action_id:int}/remind")
    async def remind(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        action_id: PathId,
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """A leader reminds the unit's head now (one reminder per action and day)."""
        await actions.chase(principal, action_id, "remind", await forms.read(request, ChaseIn), settings)
        return await _after_change(request, principal, action_id, settings)

    @post("/{action_id:int}/escalate")
    async def escalate(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        action_id: PathId,
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """A leader escalates an overdue action to the other leaders and the unit's head (one per day)."""
        await actions.chase(principal, action_id, "escalate", await forms.read(request, ChaseIn), settings)
        return await _after_change(request, principal, action_id, settings)

    @post("/{action_id:int}/comment")
    async def comment(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        action_id: PathId,
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        form = await forms.read(request, CommentForm)
        await actions.comment(principal, action_id, form.note)
        return await _after_change(request, principal, action_id, settings)

    @post("/{action_id:int}/evidence")
    async def evidence(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        action_id: PathId,
        blobs: NamedDependency[BlobStore],
        settings: NamedDependency[Settings],
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
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        action_id: PathId,
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        fields = await forms.form_data(request)
        try:
            await actions.request_extension(principal, action_id, forms.decode(ExtensionIn, fields), settings)
        except Invalid as exc:
            error = forms.refused("extension", exc, fields, language_of(request))
            return await _action_page(request, principal, action_id, settings, error)
        return await _after_change(request, principal, action_id, settings)


class ExtensionPages(Controller):
    path = "/extensions"
    guards = [signed_in]
    include_in_schema = False

    @get("/")
    async def pending(
        self, request: Request[Any, Any, Any], principal: NamedDependency[Principal]
    ) -> Template:
        """The requests for more time waiting for the user's decision (the menu's count)."""
        requests = await actions.list_extension_requests(
            principal, status="pending", decidable=True, limit=PAGE
        )
        return render(request, "extensions.html", requests=requests)

    @post("/{extension_id:int}/decision")
    async def decide(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        extension_id: PathId,
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Approve (the deadline moves) or reject a unit's request for more time."""
        data = await forms.read(request, DecisionIn)
        decided = await actions.decide_extension(principal, extension_id, data, settings)
        return await _after_change(request, principal, decided.action_id, settings)
