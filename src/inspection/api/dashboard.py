"""The leaders' dashboard as JSON: what the dashboard page renders, for scripts and the page alike."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from inspection.api.openapi import may_answer
from inspection.auth.principal import Principal
from inspection.schemas import QueryId, UnitKind
from inspection.services import dashboard
from inspection.services.dashboard import Dashboard, DashboardFilters
from inspection.settings import Settings


class DashboardController(Controller):
    path = "/api/dashboard"
    tags = ["dashboard"]

    @get("/", opt=may_answer(403, 404))
    async def show(
        self,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
        period_from: Annotated[dt.date | None, QueryParameter(name="from")] = None,
        period_to: Annotated[dt.date | None, QueryParameter(name="to")] = None,
        unit_kind: FromQuery[UnitKind | None] = None,
        unit_id: QueryId = None,
    ) -> Dashboard:
        """Remediation progress per unit and in total, the weakest checklist items and the
        monthly trend over a period of local days (default: the last 12 months); each count
        says which action list (``/api/actions?...``) holds the actions behind it."""
        filters = DashboardFilters(
            period_from=period_from, period_to=period_to, unit_kind=unit_kind, unit_id=unit_id
        )
        return await dashboard.dashboard(principal, settings, filters)
