"""Signing in and out, who am I, API tokens."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from inspection.auth.middleware import principal_from_user
from inspection.auth.principal import Principal
from inspection.auth.sessions import COOKIE, LoginThrottle, SessionStore
from inspection.schemas import LoginIn, MeOut, TokenIn, TokenOut
from inspection.services import directory
from inspection.settings import Settings


def me_out(principal: Principal) -> MeOut:
    return MeOut(
        id=principal.id,
        username=principal.username,
        full_name=principal.full_name,
        role=principal.role,
        unit_id=principal.unit_id,
        language=principal.language,
    )


def session_cookie(token: str, settings: Settings) -> Cookie:
    return Cookie(
        key=COOKIE,
        value=token,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        path="/",
    )


async def sign_in(
    request: Request[Any, Any, Any],
    username: str,
    password: str,
    sessions: SessionStore,
    throttle: LoginThrottle,
) -> tuple[Principal, str]:
    """Check the credentials and open a new session (a new id every time: no fixation)."""
    address = request.client.host if request.client else "unknown"
    user = await directory.authenticate(username, password, address, throttle)
    old = request.cookies.get(COOKIE)
    if old:
        await sessions.end(old)
    principal = await principal_from_user(user)
    return principal, await sessions.create(principal)


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post("/login", status_code=200)
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LoginIn],
        sessions: NamedDependency[SessionStore],
        throttle: NamedDependency[LoginThrottle],
        settings: NamedDependency[Settings],
    ) -> Response[MeOut]:
        principal, token = await sign_in(request, data.username, data.password, sessions, throttle)
        return Response(me_out(principal), cookies=[session_cookie(token, settings)])

    @post("/logout", status_code=204)
    async def logout(
        self, request: Request[Any, Any, Any], sessions: NamedDependency[SessionStore]
    ) -> Response[None]:
        token = request.cookies.get(COOKIE)
        if token:
            await sessions.end(token)
        return Response(None, status_code=204, cookies=[Cookie(key=COOKIE, value="", max_age=0, path="/")])

    @get("/me")
    async def me(self, principal: NamedDependency[Principal]) -> MeOut:
        return me_out(principal)


class TokenController(Controller):
    path = "/api/tokens"
    tags = ["auth"]

    @get("/")
    async def list_tokens(self, principal: NamedDependency[Principal]) -> list[TokenOut]:
        return await directory.list_tokens(principal)

    @post("/")
    async def create_token(self, principal: NamedDependency[Principal], data: JSONBody[TokenIn]) -> TokenOut:
        """Create a token for scripts; its value is shown only in this answer."""
        return await directory.create_token(principal, data.name)

    @delete("/{token_id:int}")
    async def revoke_token(self, principal: NamedDependency[Principal], token_id: FromPath[int]) -> None:
        await directory.revoke_token(principal, token_id)
