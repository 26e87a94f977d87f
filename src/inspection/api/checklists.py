"""Loaded checklists and their versions."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, Parameter

from inspection.api.lists import TOTAL_HEADER, WHOLE, Limit, cut
from inspection.auth.guards import roles
from inspection.checklists.loader import LoadResult, load_text
from inspection.checklists.validate import ChecklistError
from inspection.domain.checklist import ChecklistFile
from inspection.schemas import ChecklistVersionOut, Offset, PathId
from inspection.services import checklists


class ChecklistController(Controller):
    path = "/api/checklists"
    tags = ["checklists"]

    @get("/", response_headers=TOTAL_HEADER)
    async def list_versions(
        self, limit: Limit = WHOLE, offset: Offset = 0
    ) -> Response[list[ChecklistVersionOut]]:
        """Every loaded version of every checklist, newest first."""
        return cut(await checklists.list_versions(), limit, offset)

    @get("/versions/{version_id:int}")
    async def get_version(self, version_id: PathId) -> ChecklistFile:
        return (await checklists.loaded_version(version_id)).definition

    @get("/{code:str}")
    async def get_latest(self, code: FromPath[str]) -> ChecklistFile:
        return (await checklists.loaded_version(await checklists.latest_version_id(code))).definition

    @post(
        "/",
        guards=[roles("admin")],
        status_code=201,
        responses={200: ResponseSpec(LoadResult, description="This content is loaded already: its version")},
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        filename: str = Parameter(default="upload.toml", max_length=255),
    ) -> Response[LoadResult]:
        """Load a checklist file sent as the request body (TOML); a changed one becomes a new version.

        Every mistake comes back in ``extra``, located as ``file:line item code``; nothing is written.
        """
        text = (await request.body()).decode("utf-8", errors="replace")
        try:
            result: LoadResult = await load_text(text, filename)
        except ChecklistError as exc:
            extra = [
                {"key": f"{e.source}:{e.line or ''} {e.kind} {e.code}".strip(), "message": e.reason}
                for e in exc.errors
            ]
            raise ValidationException(detail=f"{len(extra)} mistake(s) in {filename}", extra=extra) from None
        return Response(result, status_code=201 if result.created else 200)
