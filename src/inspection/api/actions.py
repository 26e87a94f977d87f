"""Corrective actions: the list, one action's history, and every move of its life."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import MediaType, RequestEncodingType
from litestar.params import Body, FromPath, JSONBody, Parameter

from inspection.auth.guards import principal_of
from inspection.auth.principal import Principal
from inspection.clock import today
from inspection.db.cache import ReadCache
from inspection.db.tables import CorrectiveAction, Finding, Unit
from inspection.dependencies import settings_of
from inspection.domain.actions import Verb
from inspection.schemas import (
    ActionDetailOut,
    ActionFilters,
    ActionOut,
    DecisionIn,
    EvidenceOut,
    ExtensionIn,
    ExtensionOut,
    Input,
    Note,
    ReopenIn,
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


async def _move(
    principal: Principal, action_id: int, verb: Verb, data: TransitionIn, settings: Settings
) -> ActionOut:
    return await actions.transition(principal, action_id, verb, data, settings)


_lists: ReadCache[bytes] = ReadCache(CorrectiveAction, Finding, Unit)


class ActionController(Controller):
    path = "/api/actions"
    tags = ["actions"]

    @get("/")
    async def list_actions(
        self,
        request: Request[Any, Any, Any],
        filters: NamedDependency[ActionFilters],
        limit: int = Parameter(default=100, ge=1, le=500),
        offset: int = Parameter(default=0, ge=0),
    ) -> Response[list[ActionOut]]:
        """Actions the user may see, soonest deadline first; overdue ones say by how many days.

        Dates are local days, both ends included; ``closed_on_time`` keeps closed actions whose
        fix was reported by the deadline (true) or after it (false); ``open_on`` and
        ``overdue_on`` those open, or overdue, at the end of that day; ``checklist`` and
        ``item_code`` those from findings on that checklist item.
        """
        # The list is read far more often than actions change: its JSON is kept while the
        # database is unchanged (on this calendar day, as "overdue" depends on the day).
        principal = principal_of(request)
        settings = settings_of(request)
        key = (principal, request.scope["query_string"], today(settings))
        body, generation = _lists.get(key)
        if body is None:
            found = await actions.list_actions(principal, settings, filters, limit=limit, offset=offset)
            body = msgspec.json.encode(found)
            _lists.put(key, body, generation)
        # Bytes go out as they are; the annotation tells the schema what they hold.
        return Response(body, media_type=MediaType.JSON)  # type: ignore[arg-type]

    @get("/{action_id:int}")
    async def detail(
        self,
        principal: NamedDependency[Principal],
        action_id: FromPath[int],
        settings: NamedDependency[Settings],
    ) -> ActionDetailOut:
        return await actions.get_detail(principal, action_id, settings)

    @post("/{action_id:int}/acknowledge", status_code=200)
    async def acknowledge(
        self,
        principal: NamedDependency[Principal],
        action_id: FromPath[int],
        data: JSONBody[TransitionIn],
        settings: NamedDependency[Settings],
    ) -> ActionOut:
        return await _move(principal, action_id, "acknowledge", data, settings)

    @post("/{action_id:int}/progress", status_code=200)
    async def progress(
        self,
        principal: NamedDependency[Principal],
        action_id: FromPath[int],
        data: JSONBody[TransitionIn],
        settings: NamedDependency[Settings],
    ) -> ActionOut:
        return await _move(principal, action_id, "progress", data, settings)

    @post("/{action_id:int}/report-fixed", status_code=200)
    async def report_fixed(
        self,
        principal: NamedDependency[Principal],
        action_id: FromPath[int],
        data: JSONBody[TransitionIn],
        settings: NamedDependency[Settings],
    ) -> ActionOut:
        return await _move(principal, action_id, "report_fixed", data, settings)

    @post("/{action_id:int}/close", status_code=200)
    async def close(
        self,
        principal: NamedDependency[Principal],
        action_id: FromPath[int],
        data: JSONBody[TransitionIn],
        settings: NamedDependency[Settings],
    ) -> ActionOut:
        """Verify the fix and close the action."""
        return await _move(principal, action_id, "close", data, settings)

    @post("/{action_id:int}/reopen", status_code=200)
    async def reopen(
        self,
        principal: NamedDependency[Principal],
        action_id: FromPath[int],
        data: JSONBody[ReopenIn],
        settings: NamedDependency[Settings],
    ) -> ActionOut:
        """Send the action back to the unit with a reason (and optionally a new deadline)."""
        return await actions.transition(principal, action_id, "reopen", data, settings)

    @post("/{action_id:int}/comments", status_code=201)
    async def comment(
        self, principal: NamedDependency[Principal], action_id: FromPath[int], data: JSONBody[CommentIn]
    ) -> dict[str, int]:
        return {"event_id": await actions.comment(principal, action_id, data.note)}

    @post("/{action_id:int}/extension-requests", status_code=201)
    async def request_extension(
        self,
        principal: NamedDependency[Principal],
        action_id: FromPath[int],
        data: JSONBody[ExtensionIn],
        settings: NamedDependency[Settings],
    ) -> ExtensionOut:
        return await actions.request_extension(principal, action_id, data, settings)

    @post("/{action_id:int}/evidence", status_code=201)
    async def add_evidence(
        self,
        principal: NamedDependency[Principal],
        action_id: FromPath[int],
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


class ExtensionController(Controller):
    path = "/api/extension-requests"
    tags = ["actions"]

    @post("/{extension_id:int}/decision", status_code=200)
    async def decide(
        self,
        principal: NamedDependency[Principal],
        extension_id: FromPath[int],
        data: JSONBody[DecisionIn],
        settings: NamedDependency[Settings],
    ) -> ExtensionOut:
        """Approve (the deadline moves) or reject a request for more time."""
        return await actions.decide_extension(principal, extension_id, data, settings)


class EvidenceController(Controller):
    path = "/api/evidence"
    tags = ["actions"]

    @get("/{evidence_id:int}")
    async def download(
        self,
        principal: NamedDependency[Principal],
        evidence_id: FromPath[int],
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
