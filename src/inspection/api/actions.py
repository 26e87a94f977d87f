"""Corrective actions: the list, one action's history, and every move of its life."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, FromQuery, JSONBody

from inspection.api.lists import TOTAL_HEADER, Limit, page
from inspection.api.openapi import may_answer
from inspection.auth.guards import principal_of
from inspection.auth.principal import Principal
from inspection.dependencies import settings_of
from inspection.schemas import (
    ActionDetailOut,
    ActionFilters,
    ActionOut,
    ChaseIn,
    DecisionIn,
    EvidenceOut,
    ExtensionIn,
    ExtensionOut,
    ExtensionRequestOut,
    ExtensionStatus,
    Input,
    Note,
    Offset,
    PathId,
    ReopenIn,
    ReportIn,
    TransitionIn,
)
from inspection.services import actions, evidence
from inspection.settings import Settings
from inspection.storage import BlobStore


class EvidenceForm(Input, kw_only=True):
    file: UploadFile
    note: Note = ""


class CommentIn(Input, kw_only=True):
    note: Note


class ActionController(Controller):
    path = "/api/actions"
    tags = ["actions"]

    @get("/", response_headers=TOTAL_HEADER)
    async def list_actions(
        self,
        request: Request[Any, Any, Any],
        filters: NamedDependency[ActionFilters],
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response[list[ActionOut]]:
        """Actions the user may see, soonest deadline first; overdue ones say by how many days.

        Dates are local days, both ends included; ``closed_on_time`` keeps closed actions whose
        fix was reported by the deadline (true) or after it (false); ``open_on`` and
        ``overdue_on`` those open, or overdue, at the end of that day; ``checklist`` and
        ``item_code`` those from findings on that checklist item.
        """
        principal, settings = principal_of(request), settings_of(request)
        listed = await actions.list_actions(principal, settings, filters, limit=limit, offset=offset)
        return page(listed, await actions.count_actions(principal, settings, filters))

    @get("/{action_id:int}")
    async def detail(
        self,
        principal: NamedDependency[Principal],
        action_id: PathId,
        settings: NamedDependency[Settings],
    ) -> ActionDetailOut:
        return await actions.get_detail(principal, action_id, settings)

    # The moves of the action's life, each a path of its own with the body it takes.
    @post("/{action_id:int}/acknowledge", status_code=200, opt=may_answer(409))
    async def acknowledge(
        self,
        principal: NamedDependency[Principal],
        action_id: PathId,
        data: JSONBody[TransitionIn],
        settings: NamedDependency[Settings],
    ) -> ActionOut:
        """The unit's head has seen the action (``{"note", "version"}``, both optional)."""
        return await actions.transition(principal, action_id, "acknowledge", data, settings)

    @post("/{action_id:int}/progress", status_code=200, opt=may_answer(409))
    async def progress(
        self,
        principal: NamedDependency[Principal],
        action_id: PathId,
        data: JSONBody[ReportIn],
        settings: NamedDependency[Settings],
    ) -> ActionOut:
        """The unit's head reports what has been done so far (``{"note", "version"}``)."""
        return await actions.transition(principal, action_id, "progress", data, settings)

    @post("/{action_id:int}/report-fixed", status_code=200, opt=may_answer(409))
    async def report_fixed(
        self,
        principal: NamedDependency[Principal],
        action_id: PathId,
        data: JSONBody[ReportIn],
        settings: NamedDependency[Settings],
    ) -> ActionOut:
        """The unit's head reports the action fixed, saying how (``{"note", "version"}``)."""
        return await actions.transition(principal, action_id, "report_fixed", data, settings)

    @post("/{action_id:int}/close", status_code=200, opt=may_answer(409))
    async def close(
        self,
        principal: NamedDependency[Principal],
        action_id: PathId,
        data: JSONBody[TransitionIn],
        settings: NamedDependency[Settings],
    ) -> ActionOut:
        """The inspection team has verified the fix (``{"note", "version"}``, both optional)."""
        return await actions.transition(principal, action_id, "close", data, settings)

    @post("/{action_id:int}/reopen", status_code=200, opt=may_answer(409))
    async def reopen(
        self,
        principal: NamedDependency[Principal],
        action_id: PathId,
        data: JSONBody[ReopenIn],
        settings: NamedDependency[Settings],
    ) -> ActionOut:
        """The inspection team sends the action back to the unit: ``{"reason", "due_date",
        "version"}`` (a reason, and optionally a new deadline)."""
        return await actions.transition(principal, action_id, "reopen", data, settings)

    @post("/{action_id:int}/comments", status_code=201)
    async def comment(
        self, principal: NamedDependency[Principal], action_id: PathId, data: JSONBody[CommentIn]
    ) -> dict[str, int]:
        return {"event_id": await actions.comment(principal, action_id, data.note)}

    @post("/{action_id:int}/extension-requests", status_code=201, opt=may_answer(409))
    async def request_extension(
        self,
        principal: NamedDependency[Principal],
        action_id: PathId,
        data: JSONBody[ExtensionIn],
        settings: NamedDependency[Settings],
    ) -> ExtensionOut:
        return await actions.request_extension(principal, action_id, data, settings)

    @post("/{action_id:int}/evidence", status_code=201, opt=may_answer(409))
    async def add_evidence(
        self,
        principal: NamedDependency[Principal],
        action_id: PathId,
        data: Annotated[EvidenceForm, Body(media_type=RequestEncodingType.MULTI_PART)],
        blobs: NamedDependency[BlobStore],
        settings: NamedDependency[Settings],
    ) -> EvidenceOut:
        """Attach a photo or document as evidence of progress (multipart: file, note)."""
        content = await data.file.read()
        return await actions.add_evidence(
            principal,
            action_id,
            data.file.filename,
            data.file.content_type,
            content,
            data.note,
            blobs,
            settings,
        )

    @post("/{action_id:int}/remind", status_code=200, opt=may_answer(409))
    async def remind(
        self,
        principal: NamedDependency[Principal],
        action_id: PathId,
        data: JSONBody[ChaseIn],
        settings: NamedDependency[Settings],
    ) -> ActionOut:
        """A leader reminds the unit's head by e-mail, now (``{"note"}``): one reminder per
        action and day, whoever sends it; another that day answers 409 naming who sent the
        first and when. The action is not changed (no version to send, none moved)."""
        return await actions.chase(principal, action_id, "remind", data, settings)

    @post("/{action_id:int}/escalate", status_code=200, opt=may_answer(409))
    async def escalate(
        self,
        principal: NamedDependency[Principal],
        action_id: PathId,
        data: JSONBody[ChaseIn],
        settings: NamedDependency[Settings],
    ) -> ActionOut:
        """A leader escalates an overdue action: the other leaders and the unit's head are
        told by e-mail, now (``{"note"}``; one per action and day, as for ``remind``)."""
        return await actions.chase(principal, action_id, "escalate", data, settings)


class ExtensionController(Controller):
    path = "/api/extension-requests"
    tags = ["actions"]

    @get("/", response_headers=TOTAL_HEADER)
    async def list_requests(
        self,
        principal: NamedDependency[Principal],
        status: FromQuery[ExtensionStatus | None] = None,
        decidable: FromQuery[bool] = False,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response[list[ExtensionRequestOut]]:
        """Requests for more time on the actions the user may see, oldest first, with their
        action; ``status=pending`` keeps those waiting for a decision, ``decidable=true``
        those the user may decide (a leader: all; an inspector: their teams' inspections)."""
        listed = await actions.list_extension_requests(
            principal, status=status, decidable=decidable, limit=limit, offset=offset
        )
        return page(
            listed, await actions.count_extension_requests(principal, status=status, decidable=decidable)
        )

    @post("/{extension_id:int}/decision", status_code=200, opt=may_answer(409))
    async def decide(
        self,
        principal: NamedDependency[Principal],
        extension_id: PathId,
        data: JSONBody[DecisionIn],
        settings: NamedDependency[Settings],
    ) -> ExtensionOut:
        """Approve (the deadline moves) or reject a request for more time."""
        return await actions.decide_extension(principal, extension_id, data, settings)


class EvidenceController(Controller):
    path = "/api/evidence"
    tags = ["actions"]

    @get(
        "/{evidence_id:int}",
        responses={
            200: ResponseSpec(
                bytes, media_type="*/*", description="The file, in its own type", generate_examples=False
            )
        },
    )
    async def download(
        self,
        principal: NamedDependency[Principal],
        evidence_id: PathId,
        blobs: NamedDependency[BlobStore],
    ) -> Response[Any]:
        meta, content = await evidence.download(principal, evidence_id, blobs)
        return Response(
            content,
            media_type=meta.content_type,
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(meta.filename)}",
                "X-Content-Type-Options": "nosniff",
            },
        )


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")
