"""Signing in and out, who am I, API tokens."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from inspection.api.lists import TOTAL_HEADER, WHOLE, Limit, cut
from inspection.api.openapi import may_answer
from inspection.auth.cookies import cleared_session_cookie, session_cookie
from inspection.auth.principal import Principal
from inspection.auth.sessions import COOKIE, LoginThrottle, SessionStore
from inspection.schemas import LoginIn, MeOut, Offset, PathId, TokenIn, TokenOut
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


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post("/login", status_code=200, opt=may_answer(429))
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LoginIn],
        sessions: NamedDependency[SessionStore],
        throttle: NamedDependency[LoginThrottle],
        settings: NamedDependency[Settings],
        client_address: NamedDependency[str],
    ) -> Response[MeOut]:
        principal, token = await directory.sign_in(
            data.username, data.password, client_address, request.cookies.get(COOKIE), sessions, throttle
        )
        return Response(me_out(principal), cookies=[session_cookie(token, settings)])

    @post("/logout", status_code=204)
    async def logout(
        self, request: Request[Any, Any, Any], sessions: NamedDependency[SessionStore]
    ) -> Response[None]:
        await directory.sign_out(request.cookies.get(COOKIE), sessions)
        return Response(None, status_code=204, cookies=[cleared_session_cookie()])

    @get("/me")
    async def me(self, principal: NamedDependency[Principal]) -> MeOut:
        return me_out(principal)


class TokenController(Controller):
    path = "/api/tokens"
    tags = ["auth"]

    @get("/", response_headers=TOTAL_HEADER)
    async def list_tokens(
        self, principal: NamedDependency[Principal], limit: Limit = WHOLE, offset: Offset = 0
    ) -> Response[list[TokenOut]]:
        """The user's own tokens (their values are never shown again)."""
        return cut(await directory.list_tokens(principal), limit, offset)

    @post("/")
    async def create_token(self, principal: NamedDependency[Principal], data: JSONBody[TokenIn]) -> TokenOut:
        """Create a token for scripts; its value is shown only in this answer."""
        return await directory.create_token(principal, data.name)

    @delete("/{token_id:int}")
    async def revoke_token(self, principal: NamedDependency[Principal], token_id: PathId) -> None:
        await directory.revoke_token(principal, token_id)
