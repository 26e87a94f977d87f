"""Values the pages' and the API's handlers receive by name: the principal, settings, the blob
store, Redis-backed helpers, the caller's address, the action list's filters."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide

from inspection.auth.guards import principal_of
from inspection.auth.principal import Principal
from inspection.auth.sessions import LoginThrottle, SessionStore
from inspection.schemas import ActionFilters
from inspection.settings import Settings
from inspection.storage import BlobStore


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    return principal_of(request)


def provide_settings(request: Request[Any, Any, Any]) -> Settings:
    return settings_of(request)


def settings_of(request: Request[Any, Any, Any]) -> Settings:
    """The settings, read directly by the hottest handlers (as is the principal, with
    :func:`principal_of`): a handler with two or more dependencies has Litestar resolve them
    in a task group, which costs more than what those handlers do themselves
    (measured with the API benchmark of the time)."""
    settings: Settings = request.app.state.settings
    return settings


def provide_store(request: Request[Any, Any, Any]) -> BlobStore:
    store: BlobStore = request.app.state.blobs
    return store


def provide_sessions(request: Request[Any, Any, Any]) -> SessionStore:
    sessions: SessionStore = request.app.state.sessions
    return sessions


def provide_throttle(request: Request[Any, Any, Any]) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.throttle
    return throttle


def provide_client_address(request: Request[Any, Any, Any]) -> str:
    """The address the request came from, as failed sign-ins are counted by."""
    return request.client.host if request.client else "unknown"


DEPENDENCIES = {
    "principal": Provide(provide_principal, sync_to_thread=False),
    "settings": Provide(provide_settings, sync_to_thread=False),
    "blobs": Provide(provide_store, sync_to_thread=False),
    "sessions": Provide(provide_sessions, sync_to_thread=False),
    "throttle": Provide(provide_throttle, sync_to_thread=False),
    "client_address": Provide(provide_client_address, sync_to_thread=False),
    # Built from the query parameters its fields declare, which the schema documents as such.
    "filters": Provide(ActionFilters, sync_to_thread=False),
}
