"""Authentication middleware: a session cookie or a bearer token becomes ``request.user``.

Anonymous requests to the API answer 401, except for signing in and out
(:data:`OPEN_API_PATHS`); on pages they pass through with ``user`` None, and route guards
decide (pages redirect to the login form). A cookie-authenticated
API ``POST`` must be JSON or carry ``X-Requested-With``: a cross-site form can send
neither, which is the API's CSRF defence (pages use tokens).
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from inspection.auth.principal import Principal
from inspection.auth.sessions import COOKIE
from inspection.auth.tokens import token_digest
from inspection.db.tables import ApiToken, User


async def principal_for_token(digest: str) -> Principal | None:
    row = (
        await ApiToken.select(
            ApiToken.user.id,
            ApiToken.user.username,
            ApiToken.user.full_name,
            ApiToken.user.role,
            ApiToken.user.unit,
            ApiToken.user.language,
        )
        .where(
            (ApiToken.token_sha256 == digest) & (ApiToken.revoked == False) & (ApiToken.user.active == True)
        )
        .first()
    )
    if row is None:
        return None
    return Principal(
        id=row["user.id"],
        username=row["user.username"],
        full_name=row["user.full_name"],
        role=row["user.role"],
        unit_id=row["user.unit"],
        language=row["user.language"],
    )


async def principal_from_user(user: User) -> Principal:
    return Principal(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=user.role,  # type: ignore[arg-type]
        unit_id=user.unit,
        language=user.language,  # type: ignore[arg-type]
    )


# The only API paths open to anyone; every other one answers 401 until the caller signs in,
# so a new endpoint is closed unless it is added here (no guard needed, none forgotten).
OPEN_API_PATHS = frozenset({"/api/auth/login", "/api/auth/logout"})


class AuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        path: str = connection.scope["path"]
        api = path.startswith("/api/")
        header = connection.headers.get("authorization", "")
        if header[:7].lower() == "bearer ":
            principal = await principal_for_token(token_digest(header[7:].strip()))
            auth = "token"
        else:
            cookie = connection.cookies.get(COOKIE)
            principal = await connection.app.state.sessions.get(cookie) if cookie else None
            auth = "session"
            if principal is not None and api:
                _check_api_csrf(connection)
        if principal is None and api and path not in OPEN_API_PATHS:
            raise NotAuthorizedException("Sign in first")
        return AuthenticationResult(user=principal, auth=auth if principal else None)


def _check_api_csrf(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    # Of the methods that change things, only POST can come from another site without a
    # CORS preflight, and then only as a form: text/plain, urlencoded or multipart.
    if connection.scope.get("method") != "POST":
        return
    content_type = connection.headers.get("content-type", "")
    if content_type.startswith("application/json") or connection.headers.get("x-requested-with"):
        return
    raise PermissionDeniedException(
        "A cookie-authenticated API change must be sent as application/json or with X-Requested-With"
    )
