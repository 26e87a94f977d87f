"""Inspection pages: the list, planning one, filling its checklist item by item (each answer
saved as it is given), evidence per item, reviewing findings, and submitting the conclusion."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from inspection.auth.guards import roles, signed_in
from inspection.auth.principal import Principal
from inspection.errors import Invalid, ServiceError
from inspection.schemas import (
    AnswerIn,
    AnswerOut,
    FindingIn,
    FindingPatch,
    InspectionIn,
    InspectionStatus,
    PathId,
    QueryId,
    SubmitIn,
)
from inspection.services import checklists, directory, evidence, inspections, item_evidence
from inspection.services.checklists import LoadedVersion
from inspection.services.context import on_team
from inspection.settings import Settings
from inspection.storage import BlobStore
from inspection.web import forms
from inspection.web.errors import service_error
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


def _version_of(answer: AnswerOut | None) -> str:
    """The version an answer form is made against: when its item was last answered.

    An answer row has no version column; ``answered_at`` changes with every save, so it
    serves as one. The form carries it in its ``base`` field (empty: not answered yet).
    """
    return answer.answered_at.isoformat() if answer else ""


def _base(fields: dict[str, list[Any]]) -> dt.datetime | Literal[""] | None:
    """The form's ``base`` as :func:`inspections.record_answer` takes it (None: not sent,
    or not a time this system wrote, so no check)."""
    base = (fields.get("base") or [None])[-1]
    if base is None:
        return None
    if base == "":
        return ""
    try:
        return dt.datetime.fromisoformat(str(base))
    except ValueError:
        return None


@dataclass(frozen=True)
class Refused:
    """A change to one item that was not saved: why (a message template and its values),
    next to which field (``value``, ``file``), what was typed (the form keeps it, so nothing
    typed is lost), and for a conflict the answer saved meanwhile (``theirs``)."""

    item_code: str
    field: str
    message: str
    values: dict[str, Any]
    typed: dict[str, str]
    theirs: AnswerOut | None = None


def _typed(fields: dict[str, list[Any]]) -> dict[str, str]:
    return {name: str((fields.get(name) or [""])[-1]) for name in ("value", "note", "na")}


@dataclass(frozen=True)
class SectionProgress:
    """How far one section of the checklist is answered, and which items are left."""

    answered: int
    total: int
    unanswered: list[str]


def progress(version: LoadedVersion, answered: Collection[str]) -> dict[str, SectionProgress]:
    """Per section code, given the codes of the items answered."""
    result: dict[str, SectionProgress] = {}
    for section in version.definition.sections:
        codes = [item.code for criterion in section.criteria for item in criterion.items]
        left = [code for code in codes if code not in answered]
        result[section.code] = SectionProgress(len(codes) - len(left), len(codes), left)
    return result


def _answered(answers: dict[str, AnswerOut]) -> frozenset[str]:
    """The items answered: a value given, or marked not applicable (a cleared answer is not)."""
    return frozenset(code for code, a in answers.items() if a.value is not None or a.not_applicable)


def _progress_context(version: LoadedVersion, answered: Collection[str], *, editable: bool) -> dict[str, Any]:
    """What the checklist page and an item's partial share: the progress of each section and
    how many items are left in all (both shown beside the running total)."""
    sections = progress(version, answered)
    return {
        "progress": sections,
        "unanswered": sum(len(p.unanswered) for p in sections.values()),
        "editable": editable,
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
        team = await directory.team_candidates()
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
        section: FromQuery[str | None] = None,
    ) -> Template:
        """The checklist by section: answer forms for the team while open, the record for others.

        ``section`` opens that section (the one a plain form post came back to)."""
        page = await inspections.checklist_page(principal, inspection_id)
        return self._page(request, page, opened=section)

    def _page(
        self,
        request: Request[Any, Any, Any],
        page: inspections.ChecklistPage,
        *,
        opened: str | None = None,
        refused: Refused | None = None,
        notice: ServiceError | None = None,
    ) -> Template:
        """The whole checklist page; after a refused plain form post, with its message (by
        the item's field, or above the checklist) and status, the item's section open."""
        if refused is not None:
            opened = page.version.item(refused.item_code)[0].code
        status = (
            notice.status_code if notice else 409 if refused and refused.theirs else 400 if refused else 200
        )
        return render(
            request,
            "inspection.html",
            status_code=status,
            inspection=page.inspection,
            definition=page.version.definition,
            answers=page.answers,
            findings=page.findings,
            files=page.files,
            opened=opened,
            refused=refused,
            notice=notice,
            oob=False,
            **_progress_context(page.version, _answered(page.answers), editable=page.editable),
        )

    @post("/{inspection_id:int}/items/{item_code:str}")
    async def answer(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        inspection_id: PathId,
        item_code: FromPath[str],
    ) -> Response[Any]:
        """Save one answer; htmx gets the item back scored, with the running total and the
        section's progress. A refused answer or a conflict comes back beside its field."""
        fields = await forms.form_data(request)
        try:
            recorded = await inspections.record_answer(
                principal,
                inspection_id,
                item_code,
                lambda response_type: _answer_from_form(response_type, fields),
                _base(fields),
            )
        except inspections.ChangedMeanwhile as exc:
            page = await inspections.checklist_page(principal, inspection_id)
            conflict = Refused(item_code, "value", "", {}, _typed(fields), theirs=exc.theirs)
            return self._item(request, page, item_code, refused=conflict)
        except Invalid as exc:
            page = await inspections.checklist_page(principal, inspection_id)
            refused = Refused(item_code, exc.field or "value", exc.template, exc.values, _typed(fields))
            return self._item(request, page, item_code, refused=refused)
        except ServiceError as exc:
            return self._elsewhere(request, await inspections.checklist_page(principal, inspection_id), exc)
        answer = recorded.out.answer
        if not is_htmx(request):
            return Redirect(
                f"/inspections/{inspection_id}?section={answer.section_code}#item-{item_code}",
                status_code=303,
            )
        return render(
            request,
            "_partials/item.html",
            inspection=recorded.total,
            item=recorded.item,
            answer=answer,
            finding=recorded.out.finding,
            files=await evidence.files_of_item(inspection_id, item_code),
            section_code=answer.section_code,
            refused=None,
            oob=True,
            **_progress_context(recorded.version, recorded.answered, editable=True),
        )

    def _item(
        self,
        request: Request[Any, Any, Any],
        page: inspections.ChecklistPage,
        item_code: str,
        *,
        refused: Refused | None = None,
    ) -> Response[Any]:
        """One item as saved (htmx), or the page with it (a plain post), with what was refused."""
        if not is_htmx(request):
            if refused is None:
                return Redirect(f"/inspections/{page.inspection.id}#item-{item_code}", status_code=303)
            return self._page(request, page, refused=refused)
        section, _, item = page.version.item(item_code)
        # An error status: htmx swaps it in all the same (base.html's responseHandling), and
        # the checklist's script knows the change was not saved.
        status = 200 if refused is None else 409 if refused.theirs else 400
        return render(
            request,
            "_partials/item.html",
            status_code=status,
            inspection=page.inspection,
            item=item,
            answer=page.answers.get(item_code),
            finding=page.findings.get(item_code),
            files=page.files.get(item_code, []),
            section_code=section.code,
            refused=refused,
            oob=True,
            **_progress_context(page.version, _answered(page.answers), editable=page.editable),
        )

    def _elsewhere(
        self, request: Request[Any, Any, Any], page: inspections.ChecklistPage, exc: ServiceError
    ) -> Response[Any]:
        """An error about no single field (an unknown item, a submitted inspection): htmx
        shows it in the page's message area; a plain post gets the page with it on top."""
        if is_htmx(request):
            return service_error(request, exc)
        return self._page(request, page, notice=exc)

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
        try:
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
        except Invalid as exc:
            page = await inspections.checklist_page(principal, inspection_id)
            refused = Refused(
                item_code, "file", exc.template, exc.values, {"value": "", "note": "", "na": ""}
            )
            return self._item(request, page, item_code, refused=refused)
        return self._item(request, await inspections.checklist_page(principal, inspection_id), item_code)

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
