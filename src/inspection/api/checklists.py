"""Loaded checklists and their versions."""

from __future__ import annotations

from litestar import Controller, get

from inspection.auth.guards import signed_in
from inspection.checklists.schema import ChecklistFile
from inspection.schemas import ChecklistVersionOut
from inspection.services import checklists


class ChecklistController(Controller):
    path = "/api/checklists"
    tags = ["checklists"]
    guards = [signed_in]

    @get("/")
    async def list_versions(self) -> list[ChecklistVersionOut]:
        """Every loaded version of every checklist, newest first."""
        return await checklists.list_versions()

    @get("/versions/{version_id:int}")
    async def get_version(self, version_id: int) -> ChecklistFile:
        return (await checklists.loaded_version(version_id)).definition

    @get("/{code:str}")
    async def get_latest(self, code: str) -> ChecklistFile:
        return (await checklists.loaded_version(await checklists.latest_version_id(code))).definition
