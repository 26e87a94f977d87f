"""The web application: routes, middleware, and the lifespan that opens every resource once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis
from litestar import Litestar
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin

from inspection.api.actions import ActionController, EvidenceController, ExtensionController
from inspection.api.auth import AuthController, TokenController
from inspection.api.bodies import strict_json_body
from inspection.api.checklists import ChecklistController
from inspection.api.dashboard import DashboardController
from inspection.api.directory import UnitController, UserController
from inspection.api.errors import service_error_to_json
from inspection.api.inspections import FindingController, InspectionController
from inspection.api.notifications import NotificationController
from inspection.api.openapi import COMPONENTS, document_api
from inspection.auth.middleware import AuthMiddleware
from inspection.auth.sessions import LoginThrottle, SessionStore
from inspection.db.engine import close_database, open_database
from inspection.dependencies import DEPENDENCIES
from inspection.errors import ServiceError
from inspection.logs import logging_config
from inspection.queue.worker import worker_beside
from inspection.services.checklists import forget_loaded_versions
from inspection.settings import Settings, load_settings
from inspection.storage import FileBlobStore
from inspection.web import web_app_config


def create_app(settings: Settings, *, with_worker: bool = False) -> Litestar:
    """The application for ``settings``; ``settings.redis_url`` must name a running Redis.

    ``with_worker`` runs a queue worker for as long as the app runs (``inspection serve``).
    """
    if not settings.redis_url:
        raise ValueError("create_app needs a Redis URL; `inspection serve` starts an embedded Redis")

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = await open_database(settings.effective_database_url)
        forget_loaded_versions()
        redis = aioredis.Redis.from_url(settings.redis_url)
        app.state.settings = settings
        app.state.redis = redis
        app.state.sessions = SessionStore(redis, settings.session_idle_minutes * 60)
        app.state.throttle = LoginThrottle(redis)
        app.state.blobs = FileBlobStore(settings.data_path / "evidence")
        try:
            yield
        finally:
            await redis.aclose()
            await close_database(engine)

    web = web_app_config(settings)
    app = Litestar(
        route_handlers=[
            AuthController,
            TokenController,
            UnitController,
            UserController,
            ChecklistController,
            InspectionController,
            FindingController,
            ActionController,
            ExtensionController,
            EvidenceController,
            DashboardController,
            NotificationController,
            *web.route_handlers,
        ],
        plugins=web.plugins,
        template_config=web.template_config,
        csrf_config=web.csrf_config,
        # Lifespans end in reverse order: the worker stops before the database it uses closes.
        lifespan=[lifespan, *([lambda _: worker_beside(settings)] if with_worker else [])],
        dependencies=DEPENDENCIES,
        middleware=[DefineMiddleware(AuthMiddleware, exclude=["^/schema"])],
        before_request=strict_json_body,
        exception_handlers={ServiceError: service_error_to_json, **web.exception_handlers},
        after_exception=web.after_exception,
        openapi_config=OpenAPIConfig(
            title="inspection",
            version="0.1.0",
            description="Inspections, findings and corrective actions.",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
            components=COMPONENTS,
            use_handler_docstrings=True,
        ),
        logging_config=logging_config(
            settings,
            log_exceptions="always",
            disable_stack_trace={ServiceError, 400, 401, 403, 404, 405, 409, 429},
        ),
        request_max_body_size=settings.evidence_max_bytes + 1024 * 1024,
    )
    document_api(app)
    return app


def app_from_environment() -> Litestar:
    """The application configured from ``INSPECTION_*`` variables, for ASGI servers.

    ``uvicorn --factory inspection.app:app_from_environment`` runs a web process the same
    way ``inspection web`` does; it needs ``INSPECTION_REDIS_URL``.
    """
    return create_app(load_settings())
