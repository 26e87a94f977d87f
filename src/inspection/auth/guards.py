"""Route guards: who may reach a handler at all (finer rules live in the services)."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from inspection.auth.principal import Principal
from inspection.domain.roles import Role


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise NotAuthorizedException("Sign in first")
    return user


# Guards are coroutines: Litestar runs a plain function guard on a worker thread.
async def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    principal_of(connection)


def roles(*allowed: Role) -> Any:
    """A guard that admits only the given roles (403 for the others)."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if principal_of(connection).role not in allowed:
            raise PermissionDeniedException(f"This needs the role {' or '.join(allowed)}")

    return guard
