"""Inspection pages: the list, planning one, filling its checklist item by item (each answer
saved as it is given), evidence per item, reviewing findings, and submitting the conclusion."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from inspection.auth.guards import roles, signed_in
from inspection.auth.principal import Principal
from inspection.errors import Conflict, Invalid, NotFound, ServiceError
from inspection.schemas import (
    AnswerIn,
    AnswerOut,
    DismissIn,
    FindingIn,
    FindingPatch,
    InspectionIn,
    InspectionOut,
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
from inspection.web.labels import message_values
from inspection.web.render import is_htmx, language_of, render


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


async def _team_may_edit(principal: Principal, inspection: InspectionOut) -> bool:
    """Whether the findings and the conclusion of ``inspection`` are the user's to change."""
    return (
        inspection.status in inspections.EDITABLE
        and principal.role == "inspector"
        and await on_team(principal, inspection.id)
    )


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
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        unit_id: QueryId = None,
    ) -> Template:
        """The plan form; ``unit_id`` chooses the unit, whose kind decides the checklists
        offered (the unit select asks again on change, or through its button without script;
        what was typed comes along and stays in the form)."""
        query = request.query_params
        typed = {key: query.getall(key) for key in query if key != "_csrf_token"}
        chosen = forms.FormError("plan", None, "", {}, typed) if typed else None
        return await self._plan_page(request, principal, unit_id, chosen)

    async def _plan_page(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        unit_id: int | None,
        error: forms.FormError | None,
    ) -> Template:
        units = [u for u in await directory.list_units(principal) if u.active]
        unit = next((u for u in units if u.id == unit_id), units[0] if units else None)
        versions = [
            v
            for v, loaded in await checklists.latest_versions()
            if unit and checklists.applies(loaded, unit.kind)
        ]
        team = await directory.team_candidates()
        return render(
            request,
            "inspection_new.html",
            partial="_partials/checklist_choice.html",
            status_code=400 if error and error.message else 200,
            error=error,
            units=units,
            unit=unit,
            versions=versions,
            team=team,
        )

    @post("/", guards=[roles("inspector")])
    async def plan(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Plan the inspection; a refused plan comes back as the form, as typed, with the
        message beside its field."""
        fields = await forms.form_data(request)
        try:
            created = await inspections.create(principal, forms.decode(InspectionIn, fields), settings)
        except Invalid as exc:
            error = forms.refused("plan", exc, fields, language_of(request))
            unit_id = (fields.get("unit_id") or [""])[-1]
            return await self._plan_page(
                request, principal, int(unit_id) if str(unit_id).isdigit() else None, error
            )
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
            values = message_values(exc.values, language_of(request))
            refused = Refused(item_code, exc.field or "value", exc.template, values, _typed(fields))
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
            values = message_values(exc.values, language_of(request))
            refused = Refused(item_code, "file", exc.template, values, {"value": "", "note": "", "na": ""})
            return self._item(request, page, item_code, refused=refused)
        return self._item(request, await inspections.checklist_page(principal, inspection_id), item_code)

    async def _findings_page(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        inspection_id: int,
        error: forms.FormError | None = None,
    ) -> Template:
        """The findings of an inspection to review; after a refused form, with what was typed
        and the message beside its field (status 400, or 409 for a state conflict)."""
        inspection = await inspections.get(principal, inspection_id)
        editable = await _team_may_edit(principal, inspection)
        return render(
            request,
            "findings.html",
            status_code=error.status if error else 200,
            inspection=inspection,
            findings=await inspections.findings(principal, inspection_id),
            editable=editable,
            error=error,
        )

    @get("/{inspection_id:int}/findings")
    async def findings(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        inspection_id: PathId,
    ) -> Template:
        return await self._findings_page(request, principal, inspection_id)

    async def _finding_form(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        inspection_id: int,
        form: str,
        change: Callable[[dict[str, list[Any]]], Awaitable[object]],
    ) -> Response[Any]:
        """Run ``change`` with the posted form ``form`` (``new``, ``edit-<id>``,
        ``dismiss-<id>``); back to the findings at that finding, or, refused, the same page
        with what was typed and the message beside the field. Through htmx (an edit or a
        dismissal, sent by the page's queue), the finding's card alone, saved or refused."""
        fields = await forms.form_data(request)
        kind, _, anchor = form.partition("-")
        card = is_htmx(request) and kind in ("edit", "dismiss")
        error = None
        try:
            await change(fields)
        except (Invalid, Conflict) as exc:
            # Through htmx, a refusal about no field (the inspection submitted meanwhile) goes
            # to the page's message area: the card may no longer have forms to show it in.
            error = forms.refused(form, exc, fields, language_of(request), whole_form=not card)
        if card:
            return await self._finding_card(request, principal, inspection_id, int(anchor), error)
        if error is not None:
            return await self._findings_page(request, principal, inspection_id, error)
        target = f"#finding-{anchor}" if anchor else ""
        return Redirect(f"/inspections/{inspection_id}/findings{target}", status_code=303)

    async def _finding_card(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        inspection_id: int,
        finding_id: int,
        error: forms.FormError | None,
    ) -> Template:
        """One finding's card as saved now, with ``error`` (status 400, or 409 for a conflict);
        a finding gone meanwhile is a 404 in the page's message area."""
        inspection = await inspections.get(principal, inspection_id)
        found = [f for f in await inspections.findings(principal, inspection_id) if f.id == finding_id]
        if not found:
            raise NotFound("No such finding")
        editable = await _team_may_edit(principal, inspection)
        return render(
            request,
            "_partials/finding.html",
            status_code=error.status if error else 200,
            inspection=inspection,
            f=found[0],
            editable=editable,
            error=error,
        )

    @post("/{inspection_id:int}/findings")
    async def add_finding(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        inspection_id: PathId,
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        async def add(fields: dict[str, list[Any]]) -> object:
            data = forms.decode(FindingIn, fields)
            return await inspections.add_finding(principal, inspection_id, data, settings)

        return await self._finding_form(request, principal, inspection_id, "new", add)

    @post("/{inspection_id:int}/findings/{finding_id:int}")
    async def update_finding(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        inspection_id: PathId,
        finding_id: PathId,
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Edit severity, deadline or wording; the confirm button also confirms a proposal."""

        async def update(fields: dict[str, list[Any]]) -> object:
            # An empty field leaves a PATCH's value as it was; a title emptied on purpose is refused.
            if "title" in fields and not str(fields["title"][-1]).strip():
                raise Invalid("Say what was found", field="title")
            data = forms.decode(FindingPatch, fields)
            return await inspections.update_finding(principal, finding_id, data, settings)

        return await self._finding_form(request, principal, inspection_id, f"edit-{finding_id}", update)

    @post("/{inspection_id:int}/findings/{finding_id:int}/dismiss")
    async def dismiss_finding(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        inspection_id: PathId,
        finding_id: PathId,
    ) -> Response[Any]:
        """Dismiss a finding with a reason: it will not become a corrective action."""

        async def dismiss(fields: dict[str, list[Any]]) -> object:
            if not str((fields.get("reason") or [""])[-1]).strip():
                raise Invalid("Give the reason for dismissing the finding", field="reason")
            data = forms.decode(DismissIn, fields)
            return await inspections.dismiss_finding(principal, finding_id, data)

        return await self._finding_form(request, principal, inspection_id, f"dismiss-{finding_id}", dismiss)

    @post("/{inspection_id:int}/findings/{finding_id:int}/delete")
    async def delete_finding(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        inspection_id: PathId,
        finding_id: PathId,
    ) -> Response[Any]:
        async def delete(fields: dict[str, list[Any]]) -> object:
            await inspections.delete_finding(principal, finding_id)
            return None

        return await self._finding_form(request, principal, inspection_id, f"delete-{finding_id}", delete)

    async def _submit_page(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        inspection_id: int,
        error: forms.FormError | None = None,
    ) -> Template:
        """The confirmation step: what is left to do (unanswered items, proposed findings),
        what the conclusion will do, and the conclusion to issue."""
        inspection = await inspections.get(principal, inspection_id)
        check = await inspections.submission(principal, inspection_id)
        editable = await _team_may_edit(principal, inspection)
        return render(
            request,
            "submit.html",
            status_code=error.status if error else 200,
            inspection=inspection,
            check=check,
            editable=editable,
            error=error,
        )

    @get("/{inspection_id:int}/submit")
    async def submit_form(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        inspection_id: PathId,
    ) -> Template:
        return await self._submit_page(request, principal, inspection_id)

    @post("/{inspection_id:int}/submit")
    async def submit(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        inspection_id: PathId,
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Issue the conclusion: every confirmed finding becomes a corrective action for the
        unit. Refused (items left, findings undecided, changed meanwhile), the confirmation
        step again with the conclusion as typed and why."""
        fields = await forms.form_data(request)
        try:
            await inspections.submit(principal, inspection_id, forms.decode(SubmitIn, fields), settings)
        except (Invalid, Conflict) as exc:
            error = forms.refused("submit", exc, fields, language_of(request), whole_form=True)
            return await self._submit_page(request, principal, inspection_id, error)
        return Redirect(f"/actions?inspection_id={inspection_id}&view=all", status_code=303)
