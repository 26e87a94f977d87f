"""The leaders' dashboard page: remediation per unit and in total, the weakest items, the trend.

The numbers come from :func:`inspection.services.dashboard.dashboard`, as the API serves
them; each count links to ``/actions`` with the query the service wrote for it. The charts
are SVG drawn here on the server (:mod:`inspection.web.charts`), so the page needs no script
and prints as it shows.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template
from markupsafe import Markup

from inspection.auth.guards import signed_in
from inspection.auth.principal import Principal
from inspection.errors import Invalid
from inspection.schemas import UnitKind, UnitOut
from inspection.services import dashboard, directory
from inspection.services.dashboard import Dashboard, DashboardFilters
from inspection.settings import Settings
from inspection.web import forms
from inspection.web.charts import Bar, Series, bar_chart, trend_chart
from inspection.web.i18n import show_date, show_month, show_number, translations
from inspection.web.labels import UNIT_KINDS
from inspection.web.messages import N_
from inspection.web.render import language_of, render

# The unit kinds a leader filters by, in the order the district lists its units.
KINDS: tuple[UnitKind, ...] = ("department", "commune", "town", "ward", "one_stop_shop", "district", "other")

# About as many characters as fit in a bar chart's label column.
LABEL_LENGTH = 38
# The page's query parameters (the API's names) and the filters they set.
FILTERS = {"from": "period_from", "to": "period_to", "unit_kind": "unit_kind", "unit_id": "unit_id"}
_QUERY_NAME = {name: key for key, name in FILTERS.items()}


def in_language(vietnamese: str, english: str, language: str) -> str:
    """A name kept in both languages, as the interface reads it (Vietnamese when no English)."""
    return english if language == "en" and english else vietnamese


def shorten(label: str, length: int = LABEL_LENGTH) -> str:
    """A chart's label cut to fit beside its bar (the table above the chart has it whole)."""
    return label if len(label) <= length else label[: length - 1].rstrip() + "…"


def charts(board: Dashboard, language: str) -> dict[str, Markup]:
    """The page's three charts, with titles and descriptions in ``language``."""
    gettext = translations(language).gettext

    def number(value: float) -> str:
        return show_number(value, language)

    period = f"{show_date(board.period_from, language)} – {show_date(board.period_to, language)}"
    months = [show_month(point.first_day, language) for point in board.trend]
    return {
        "on_time": bar_chart(
            "chart-on-time",
            gettext("On-time rate by unit"),
            gettext("Share of closed actions whose fix was reported by the deadline, per unit, %(period)s")
            % {"period": period},
            [
                Bar(
                    shorten(in_language(row.unit_name_vi, row.unit_name_en, language)),
                    row.figures.on_time_rate.value,
                )
                for row in board.units
                if row.figures.on_time_rate.value is not None
            ],
            maximum=100,
            suffix=" %",
            no_data=gettext("nothing closed"),
            number=number,
            width=640,
            label_width=280,
        ),
        "trend": trend_chart(
            "chart-trend",
            gettext("Actions month by month"),
            gettext("Actions opened and closed in each month, and open and overdue at its end, %(period)s")
            % {"period": period},
            months,
            [
                Series(gettext("Opened"), [point.opened.value for point in board.trend]),
                Series(gettext("Closed"), [point.closed.value for point in board.trend]),
                Series(
                    gettext("Open at month end"), [point.open_at_end.value for point in board.trend], "line"
                ),
                Series(
                    gettext("Overdue at month end"),
                    [point.overdue_at_end.value for point in board.trend],
                    "line",
                ),
            ],
            number=number,
        ),
        "weakest": bar_chart(
            "chart-weakest",
            gettext("Weakest checklist items"),
            gettext("Share of points earned per item over the inspections of %(period)s, lowest first")
            % {"period": period},
            [Bar(item.item_code, item.score_percent) for item in board.weakest_items],
            maximum=100,
            suffix=" %",
            number=number,
            width=480,
            label_width=90,
        ),
    }


def scope_label(board: Dashboard, units: list[UnitOut], settings: Settings, language: str) -> str:
    """What the totals cover, named: the unit chosen (a unit head's own), the kind of unit
    chosen, else the inspecting body's whole scope (``INSPECTION_INSPECTING_BODY``), or "all
    units" when it is not configured. Since 1 July 2025 there is no district level to name."""
    catalog = translations(language)
    if board.unit_id is not None:
        unit = next((unit for unit in units if unit.id == board.unit_id), None)
        if unit is not None:
            return in_language(unit.name_vi, unit.name_en, language)
    if board.unit_kind is not None:
        kind = catalog.gettext(UNIT_KINDS.get(board.unit_kind, N_("Other")))
        return str(catalog.gettext("All units of the kind %(kind)s") % {"kind": kind})
    return settings.inspecting_body or str(catalog.gettext("All units"))


class DashboardPages(Controller):
    path = "/dashboard"
    guards = [signed_in]
    include_in_schema = False

    @get("/")
    async def show(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Template:
        """Remediation progress over a period (default: the last 12 months); unit heads see
        their own unit's, and another unit is a 404, as in the API."""
        # The filter form sends its empty choices as "": read it as a form (empty = not given).
        query = request.query_params
        fields = {name: query.getall(key) for key, name in FILTERS.items() if key in query}
        language = language_of(request)
        error = None
        try:
            board = await dashboard.dashboard(principal, settings, forms.decode(DashboardFilters, fields))
        except Invalid as exc:
            # A period refused ("from" after "to", a day that is no date): the form again with
            # what was typed and the message beside its field, over the default board.
            typed = {key: query.getall(key) for key in FILTERS if key in query}
            error = forms.refused("period", exc, typed, language)
            error = replace(error, field=_QUERY_NAME.get(error.field or "", error.field))
            board = await dashboard.dashboard(principal, settings, DashboardFilters())
        every = await directory.list_units(principal)
        units = [unit for unit in every if unit.active]
        return render(
            request,
            "dashboard.html",
            status_code=400 if error else 200,
            error=error,
            board=board,
            charts=charts(board, language),
            units=sorted((in_language(unit.name_vi, unit.name_en, language), unit.id) for unit in units),
            kinds=[kind for kind in KINDS if any(unit.kind == kind for unit in units)],
            scope=scope_label(board, every, settings, language),
            in_language=in_language,
        )
