"""The pages: server-rendered Jinja2 with htmx, for inspectors, unit heads, leaders and admins.

:func:`web_app_config` is everything :func:`inspection.app.create_app` registers for them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from litestar import Request, Router
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import HTTPException
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from litestar.types import AfterExceptionHookHandler, ControllerRouterHandler

from inspection.paths import STATIC
from inspection.services.actions import may_decide_extensions, pending_extensions_to_decide
from inspection.settings import Settings
from inspection.web.actions import ActionPages, ExtensionPages
from inspection.web.admin import AdminPages
from inspection.web.auth import AuthPages
from inspection.web.dashboard import DashboardPages
from inspection.web.errors import EXCEPTION_HANDLERS, bad_request, http_error, recognise_user, server_error
from inspection.web.inspections import InspectionPages
from inspection.web.render import MENU_COUNT, current_user, environment, is_htmx


@dataclass
class WebConfig:
    """What the pages add to the application."""

    route_handlers: list[ControllerRouterHandler]
    plugins: list[Any]
    template_config: TemplateConfig[JinjaTemplateEngine]
    csrf_config: CSRFConfig
    exception_handlers: dict[Any, Any] = field(default_factory=dict)
    after_exception: list[AfterExceptionHookHandler[Any]] = field(default_factory=list)


async def count_for_menu(request: Request[Any, Any, Any]) -> None:
    """Before a full page for someone who decides extension requests: how many wait (the
    menu shows it). One statement; none for an htmx piece, a form post or anyone else."""
    me = current_user(request)
    if me is None or request.method != "GET" or is_htmx(request) or not may_decide_extensions(me):
        return
    setattr(request.state, MENU_COUNT, await pending_extensions_to_decide(me))


def web_app_config(settings: Settings) -> WebConfig:
    pages = Router(
        path="/",
        route_handlers=[AuthPages, DashboardPages, ActionPages, ExtensionPages, InspectionPages, AdminPages],
        exception_handlers=EXCEPTION_HANDLERS,
        include_in_schema=False,
        # The pages read no JSON body: the API's strict-body hook has nothing to do here.
        before_request=count_for_menu,
    )
    static = create_static_files_router(
        path="/static",
        directories=[STATIC],
        cache_control=CacheControlHeader(max_age=3600),
        include_in_schema=False,
    )
    return WebConfig(
        route_handlers=[pages, static],
        plugins=[HTMXPlugin()],
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment())),
        csrf_config=CSRFConfig(
            # Without a configured key (tests of one process) a per-process one still protects.
            secret=settings.secret_key or secrets.token_urlsafe(32),
            cookie_secure=settings.cookie_secure,
            cookie_httponly=False,
            exclude=["^/api/", "^/static/", "^/schema"],
        ),
        # Errors raised before a page's route is known (no such path or method, a bad CSRF
        # token, a body too large), those of the parameters Litestar reads (on every route,
        # the API's too; a path id no row can have is 404) and crashes: the error page, or
        # JSON for the API.
        exception_handlers={HTTPException: http_error, 400: bad_request, 500: server_error},
        after_exception=[recognise_user],
    )
