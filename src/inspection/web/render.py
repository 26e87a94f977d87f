"""Rendering pages: the Jinja environment, the context every page shares, and the htmx branch.

A handler names the full page and, optionally, the partial an htmx request gets instead;
the full page includes that same partial, so both paths render one piece of markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from litestar import Request
from litestar.plugins.htmx import HTMXTemplate
from litestar.response import Template
from markupsafe import Markup

from inspection.auth.principal import Principal
from inspection.clock import zone
from inspection.paths import TEMPLATES
from inspection.settings import Settings
from inspection.web.i18n import (
    LANG_COOKIE,
    LANGUAGES,
    pick_language,
    show_date,
    show_datetime,
    show_entry,
    show_month,
    show_number,
    show_size,
    translations,
)
from inspection.web.labels import LABELS


@pass_context
def _gettext(context: Context, message: str) -> str:
    return str(context["translations"].gettext(message))


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return str(context["translations"].ngettext(singular, plural, n))


@lru_cache(maxsize=len(LANGUAGES))
def _callables(language: str) -> dict[str, Callable[..., Markup]]:
    """``gettext`` and ``ngettext`` of one language as Jinja's newstyle gettext behaves
    (the text marked safe, then ``%`` its escaped variables), given to each render.

    Jinja's own newstyle wrappers, installed once on the shared environment, reach the
    catalog through three context calls per text: half of rendering a checklist page of 60
    items. Plain functions of the request's language do the same in one call.
    """
    catalog = translations(language)

    def filled(text: str, variables: dict[str, Any]) -> Markup:
        # The catalogs are the project's own texts: safe markup, as Jinja takes them too.
        safe = Markup(text)  # noqa: S704
        return safe % variables if variables or "%" in text else safe

    def gettext(message: str, /, **variables: Any) -> Markup:
        return filled(catalog.gettext(message), variables)

    def ngettext(singular: str, plural: str, num: int, /, **variables: Any) -> Markup:
        variables.setdefault("num", num)
        return filled(catalog.ngettext(singular, plural, num), variables)

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


@pass_context
def _date(context: Context, value: dt.date | dt.datetime | str | None) -> str:
    return show_date(value, context["lang"])


@pass_context
def _datetime(context: Context, value: dt.datetime | None) -> str:
    return show_datetime(value, context["lang"], context["zone"])


@pass_context
def _month(context: Context, value: dt.date) -> str:
    return show_month(value, context["lang"])


@pass_context
def _number(context: Context, value: float | None) -> str:
    return show_number(value, context["lang"])


@pass_context
def _entry(context: Context, value: float) -> str:
    return show_entry(value, context["lang"])


def _day_entry(value: dt.date | str) -> str:
    """A day as a date field shows it for editing: dd/mm/yyyy in every language."""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


@pass_context
def _size(context: Context, value: int) -> str:
    return show_size(value, context["lang"])


def environment() -> Environment:
    """The pages' Jinja environment; gettext looks up the catalog of the request being rendered.

    The catalog travels in the template context rather than being installed on the shared
    environment, so two requests in different languages can never see each other's.
    """
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates change only with a new release: no file is checked on every render.
        auto_reload=False,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["date"] = _date
    env.filters["datetime"] = _datetime
    # Points, rates and counts: 32,5 in Vietnamese (no needless ",0": 2 rather than 2,0).
    env.filters["number"] = _number
    env.filters["size"] = _size
    env.filters["entry"] = _entry
    env.filters["day_entry"] = _day_entry
    env.filters["month"] = _month
    env.globals.update(LABELS)
    return env


def current_user(request: Request[Any, Any, Any]) -> Principal | None:
    user = request.scope.get("user")
    return user if isinstance(user, Principal) else None


def language_of(request: Request[Any, Any, Any]) -> str:
    settings: Settings = request.app.state.settings
    me = current_user(request)
    return pick_language(
        me.language if me else None, request.cookies.get(LANG_COOKIE), settings.default_language
    )


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    """An htmx request that wants a piece of a page (a boosted one wants the whole page)."""
    details = getattr(request, "htmx", None)
    return bool(details) and not details.boosted  # type: ignore[union-attr]


# Where :func:`inspection.web.count_for_menu` leaves the menu's count for the page.
MENU_COUNT = "pending_extensions"


def render(
    request: Request[Any, Any, Any],
    template: str,
    *,
    partial: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    """The full ``template``, or ``partial`` for an htmx request, with the shared context."""
    settings: Settings = request.app.state.settings
    lang = language_of(request)
    name = partial if partial and is_htmx(request) else template
    return HTMXTemplate(
        template_name=name,
        status_code=status_code,
        headers=headers or {},
        context={
            "me": current_user(request),
            "lang": lang,
            "translations": translations(lang),
            **_callables(lang),
            "zone": zone(settings.timezone),
            "path": request.url.path,
            "query": request.url.query,
            "pending_extensions": getattr(request.state, MENU_COUNT, None),
            # A refused form shown again (forms.FormError), read by _partials/fields.html.
            "error": None,
            **context,
        },
    )
