"""Inspections, their answers, score and findings."""

from __future__ import annotations

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from inspection.api.lists import TOTAL_HEADER, WHOLE, Limit, cut, page
from inspection.api.openapi import may_answer
from inspection.auth.guards import roles
from inspection.auth.principal import Principal
from inspection.domain.scoring import Totals
from inspection.schemas import (
    AnswerIn,
    AnswerOut,
    DismissIn,
    FindingIn,
    FindingOut,
    FindingPatch,
    InspectionIn,
    InspectionOut,
    InspectionStatus,
    Offset,
    PathId,
    QueryId,
    RecordedAnswerOut,
    SubmissionOut,
    SubmitIn,
    TeamCandidateOut,
)
from inspection.services import directory, inspections
from inspection.settings import Settings


class InspectionController(Controller):
    path = "/api/inspections"
    tags = ["inspections"]

    @get("/", response_headers=TOTAL_HEADER)
    async def list_inspections(
        self,
        principal: NamedDependency[Principal],
        unit_id: QueryId = None,
        status: FromQuery[InspectionStatus | None] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response[list[InspectionOut]]:
        """Inspections the user may see, latest planned first."""
        listed = await inspections.list_inspections(
            principal, unit_id=unit_id, status=status, limit=limit, offset=offset
        )
        return page(listed, await inspections.count_inspections(principal, unit_id=unit_id, status=status))

    @get("/team-candidates", guards=[roles("inspector")], response_headers=TOTAL_HEADER)
    async def team_candidates(
        self, limit: Limit = WHOLE, offset: Offset = 0
    ) -> Response[list[TeamCandidateOut]]:
        """The people an inspector can put on a team (``lead_id``, ``member_ids``): active inspectors."""
        return cut(await directory.team_candidates(), limit, offset)

    @post("/")
    async def create(
        self,
        principal: NamedDependency[Principal],
        data: JSONBody[InspectionIn],
        settings: NamedDependency[Settings],
    ) -> InspectionOut:
        """Plan an inspection of a unit with the latest version of a checklist."""
        return await inspections.create(principal, data, settings)

    @get("/{inspection_id:int}")
    async def get_inspection(
        self, principal: NamedDependency[Principal], inspection_id: PathId
    ) -> InspectionOut:
        return await inspections.get(principal, inspection_id)

    @post("/{inspection_id:int}/start", status_code=200, opt=may_answer(409))
    async def start(self, principal: NamedDependency[Principal], inspection_id: PathId) -> InspectionOut:
        """Start a planned inspection: its status becomes ``in_progress`` (409 once it has started).

        Optional: the first answer recorded starts it too. Only its team may start it.
        """
        return await inspections.start(principal, inspection_id)

    @get("/{inspection_id:int}/answers", response_headers=TOTAL_HEADER)
    async def answers(
        self,
        principal: NamedDependency[Principal],
        inspection_id: PathId,
        limit: Limit = WHOLE,
        offset: Offset = 0,
    ) -> Response[list[AnswerOut]]:
        return cut(await inspections.answers(principal, inspection_id), limit, offset)

    @put("/{inspection_id:int}/answers/{item_code:str}", opt=may_answer(409))
    async def record_answer(
        self,
        principal: NamedDependency[Principal],
        inspection_id: PathId,
        item_code: FromPath[str],
        data: JSONBody[AnswerIn],
    ) -> RecordedAnswerOut:
        """Record one answer; it comes back scored, with the running total and any proposed finding."""
        return (await inspections.record_answer(principal, inspection_id, item_code, data)).out

    @get("/{inspection_id:int}/score")
    async def score(self, principal: NamedDependency[Principal], inspection_id: PathId) -> Totals:
        """Points per item, criterion, section and in total, with the percentage and rating."""
        return await inspections.score(principal, inspection_id)

    @get("/{inspection_id:int}/findings", response_headers=TOTAL_HEADER)
    async def findings(
        self,
        principal: NamedDependency[Principal],
        inspection_id: PathId,
        limit: Limit = WHOLE,
        offset: Offset = 0,
    ) -> Response[list[FindingOut]]:
        return cut(await inspections.findings(principal, inspection_id), limit, offset)

    @post("/{inspection_id:int}/findings", opt=may_answer(409))
    async def add_finding(
        self,
        principal: NamedDependency[Principal],
        inspection_id: PathId,
        data: JSONBody[FindingIn],
        settings: NamedDependency[Settings],
    ) -> FindingOut:
        return await inspections.add_finding(principal, inspection_id, data, settings)

    @get("/{inspection_id:int}/submission")
    async def submission(self, principal: NamedDependency[Principal], inspection_id: PathId) -> SubmissionOut:
        """The confirmation step before submitting: the items not answered yet, the findings
        still only proposed (both must be none), and the findings that will become actions."""
        return await inspections.submission(principal, inspection_id)

    @post("/{inspection_id:int}/submit", status_code=200, opt=may_answer(409))
    async def submit(
        self,
        principal: NamedDependency[Principal],
        inspection_id: PathId,
        data: JSONBody[SubmitIn],
        settings: NamedDependency[Settings],
    ) -> InspectionOut:
        """Issue the conclusion: every confirmed finding becomes a corrective action with a
        deadline; dismissed findings become nothing.

        Refused with 409, naming how many and which, while an item is not answered (answer
        it, or mark it not applicable with the reason in its note), and so always for an
        inspection with no answers, or while a finding a failing answer proposed is neither
        confirmed (`PATCH /api/findings/{id}` with `confirmed: true`) nor dismissed
        (`POST /api/findings/{id}/dismiss` with a reason). `GET .../submission` lists both."""
        return await inspections.submit(principal, inspection_id, data, settings)


class FindingController(Controller):
    path = "/api/findings"
    tags = ["inspections"]

    @patch("/{finding_id:int}", opt=may_answer(409))
    async def update(
        self,
        principal: NamedDependency[Principal],
        finding_id: PathId,
        data: JSONBody[FindingPatch],
        settings: NamedDependency[Settings],
    ) -> FindingOut:
        """Edit a finding, set its deadline, or confirm a proposed one (`confirmed: true`,
        which also takes back a dismissal): only a confirmed finding becomes an action."""
        return await inspections.update_finding(principal, finding_id, data, settings)

    @post("/{finding_id:int}/dismiss", status_code=200, opt=may_answer(409))
    async def dismiss(
        self, principal: NamedDependency[Principal], finding_id: PathId, data: JSONBody[DismissIn]
    ) -> FindingOut:
        """Dismiss a finding with a reason (required, kept with it): it will not become an action."""
        return await inspections.dismiss_finding(principal, finding_id, data)

    @delete("/{finding_id:int}", opt=may_answer(409))
    async def remove(self, principal: NamedDependency[Principal], finding_id: PathId) -> None:
        """Delete a finding the team wrote; a proposed one is dismissed with a reason instead (409)."""
        await inspections.delete_finding(principal, finding_id)
