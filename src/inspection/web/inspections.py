"""Inspection pages: the list, planning one, filling its checklist item by item (each answer
saved as it is given), evidence per item, reviewing findings, and submitting the conclusion."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from inspection.auth.guards import roles, signed_in
from inspection.auth.principal import Principal
from inspection.errors import Invalid
from inspection.schemas import (
    AnswerIn,
    FindingIn,
    FindingPatch,
    InspectionIn,
    InspectionStatus,
    PathId,
    QueryId,
    SubmitIn,
)
from inspection.services import checklists, directory, evidence, inspections, item_evidence
from inspection.services.context import on_team
from inspection.settings import Settings
from inspection.storage import BlobStore
from inspection.web import forms
from inspection.web.render import is_htmx, render


def _answer_from_form(response_type: str, fields: dict[str, list[Any]]) -> AnswerIn:
    """The answer as the scoring expects it; a decimal comma (82,5) is read as a point."""
    value = (fields.get("value") or [""])[-1].strip()
    not_applicable = value == "na" or (fields.get("na") or [""])[-1] in ("1", "on")
    note = (fields.get("note") or [""])[-1]
    if not_applicable or value == "":
        return AnswerIn(value=None, not_applicable=not_applicable, note=note)
    if response_type in ("score", "number"):
        try:
            return AnswerIn(value=float(value.replace(",", ".")), note=note)
        except ValueError:
            raise Invalid("Enter a number", field="value") from None
    return AnswerIn(value=value, note=note)


async def _item_context(principal: Principal, inspection_id: int, item_code: str) -> dict[str, Any]:
    """What one item's partial needs after a change: its answer, finding, files and the total."""
    inspection = await inspections.get(principal, inspection_id)
    version = await checklists.loaded_version(inspection.checklist_version_id)
    _, _, item = version.item(item_code)
    answers = {a.item_code: a for a in await inspections.answers(principal, inspection_id)}
    findings = {f.item_code: f for f in await inspections.findings(principal, inspection_id)}
    files = await item_evidence.by_item(principal, inspection_id)
    return {
        "inspection": inspection,
        "item": item,
        "answer": answers.get(item_code),
        "finding": findings.get(item_code),
        "files": files.get(item_code, []),
        "editable": True,
        "oob": True,
    }


class InspectionPages(Controller):
    path = "/inspections"
    guards = [signed_in]
    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        status: FromQuery[InspectionStatus | None] = None,
        unit_id: QueryId = None,
    ) -> Template:
        listed = await inspections.list_inspections(principal, unit_id=unit_id, status=status, limit=500)
        return render(request, "inspections.html", inspections=listed, status=status)

    @get("/new", guards=[roles("inspector")])
    async def plan_form(
        self, request: Request[Any, Any, Any], principal: NamedDependency[Principal]
    ) -> Template:
        units = [u for u in await directory.list_units(principal) if u.active]
        versions = [v for v in await checklists.list_versions() if v.latest]
        team = [u for u in await directory.list_users() if u.role == "inspector" and u.active]
        return render(request, "inspection_new.html", units=units, versions=versions, team=team)

    @post("/", guards=[roles("inspector")])
    async def plan(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Redirect:
        created = await inspections.create(principal, await forms.read(request, InspectionIn), settings)
        return Redirect(f"/inspections/{created.id}", status_code=303)

    @get("/{inspection_id:int}")
    async def checklist(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        inspection_id: PathId,
    ) -> Template:
        """The checklist by section: answer forms for the team while open, the record for others."""
        page = await inspections.checklist_page(principal, inspection_id)
        return render(
            request,
            "inspection.html",
            inspection=page.inspection,
            definition=page.version.definition,
            answers=page.answers,
            findings=page.findings,
            files=page.files,
            editable=page.editable,
            oob=False,
        )

    @post("/{inspection_id:int}/items/{item_code:str}")
    async def answer(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        inspection_id: PathId,
        item_code: FromPath[str],
    ) -> Response[Any]:
        """Save one answer; htmx gets the item back scored, with the running total."""
        fields = await forms.form_data(request)
        recorded = await inspections.record_answer(
            principal,
            inspection_id,
            item_code,
            lambda response_type: _answer_from_form(response_type, fields),
        )
        if not is_htmx(request):
            return Redirect(f"/inspections/{inspection_id}#item-{item_code}", status_code=303)
        return render(
            request,
            "_partials/item.html",
            inspection=recorded.total,
            item=recorded.item,
            answer=recorded.out.answer,
            finding=recorded.out.finding,
            files=await evidence.files_of_item(inspection_id, item_code),
            editable=True,
            oob=True,
        )

    @post("/{inspection_id:int}/items/{item_code:str}/evidence")
    async def item_evidence(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        inspection_id: PathId,
        item_code: FromPath[str],
        blobs: NamedDependency[BlobStore],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        upload = await forms.read_upload(request)
        await item_evidence.add(
            principal,
            inspection_id,
            item_code,
            upload.filename,
            upload.content_type,
            upload.data,
            blobs,
            settings,
        )
        return await self._item_response(request, principal, inspection_id, item_code)

    async def _item_response(
        self, request: Request[Any, Any, Any], principal: Principal, inspection_id: int, item_code: str
    ) -> Response[Any]:
        if not is_htmx(request):
            return Redirect(f"/inspections/{inspection_id}#item-{item_code}", status_code=303)
        context = await _item_context(principal, inspection_id, item_code)
        return render(request, "_partials/item.html", **context)

    @get("/{inspection_id:int}/findings")
    async def findings(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        inspection_id: PathId,
    ) -> Template:
        inspection = await inspections.get(principal, inspection_id)
        editable = (
            inspection.status in inspections.EDITABLE
            and principal.role == "inspector"
            and await on_team(principal, inspection_id)
        )
        return render(
            request,
            "findings.html",
            inspection=inspection,
            findings=await inspections.findings(principal, inspection_id),
            editable=editable,
        )

    @post("/{inspection_id:int}/findings")
    async def add_finding(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        inspection_id: PathId,
        settings: NamedDependency[Settings],
    ) -> Redirect:
        data = await forms.read(request, FindingIn)
        await inspections.add_finding(principal, inspection_id, data, settings)
        return Redirect(f"/inspections/{inspection_id}/findings", status_code=303)

    @post("/{inspection_id:int}/findings/{finding_id:int}")
    async def update_finding(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        inspection_id: PathId,
        finding_id: PathId,
        settings: NamedDependency[Settings],
    ) -> Redirect:
        """Edit severity, deadline or wording; the confirm button also confirms a proposal."""
        data = await forms.read(request, FindingPatch)
        updated = await inspections.update_finding(principal, finding_id, data, settings)
        return Redirect(f"/inspections/{updated.inspection_id}/findings", status_code=303)

    @post("/{inspection_id:int}/findings/{finding_id:int}/delete")
    async def delete_finding(
        self, principal: NamedDependency[Principal], inspection_id: PathId, finding_id: PathId
    ) -> Redirect:
        await inspections.delete_finding(principal, finding_id)
        return Redirect(f"/inspections/{inspection_id}/findings", status_code=303)

    @post("/{inspection_id:int}/submit")
    async def submit(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        inspection_id: PathId,
        settings: NamedDependency[Settings],
    ) -> Redirect:
        """Issue the conclusion: every finding becomes a corrective action for the unit."""
        data = await forms.read(request, SubmitIn)
        await inspections.submit(principal, inspection_id, data, settings)
        return Redirect(f"/actions?inspection_id={inspection_id}&view=all", status_code=303)
