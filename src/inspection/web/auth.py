"""Signing in and out of the pages, the language switch, and the landing page of each role."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from inspection.auth.cookies import cleared_session_cookie, session_cookie
from inspection.auth.guards import signed_in
from inspection.auth.principal import Principal
from inspection.auth.sessions import COOKIE, LoginThrottle, SessionStore
from inspection.errors import ServiceError
from inspection.schemas import UserPatch
from inspection.services import directory
from inspection.settings import Settings
from inspection.web import forms
from inspection.web.i18n import LANG_COOKIE, LANGUAGES
from inspection.web.render import current_user, render

LANDING = {
    "admin": "/admin/units",
    "inspector": "/inspections",
    "unit_head": "/actions",
    "leader": "/dashboard",
    "observer": "/dashboard",
}


class LoginForm(msgspec.Struct, kw_only=True):
    username: str = ""
    password: str = ""
    next: str = ""


def safe_next(target: str) -> str:
    """A local path to go back to; anything else (another site) becomes the home page."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


class AuthPages(Controller):
    """The login form, logout, the language switch and ``/``."""

    include_in_schema = False

    @get("/")
    async def home(self, request: Request[Any, Any, Any]) -> Redirect:
        me = current_user(request)
        return Redirect(LANDING[me.role] if me else "/login", status_code=303)

    @get("/login")
    async def login_form(self, request: Request[Any, Any, Any], next: FromQuery[str] = "/") -> Template:
        return render(request, "login.html", next=safe_next(next), username="", error=None)

    @post("/login")
    async def login(
        self,
        request: Request[Any, Any, Any],
        sessions: NamedDependency[SessionStore],
        throttle: NamedDependency[LoginThrottle],
        settings: NamedDependency[Settings],
        client_address: NamedDependency[str],
    ) -> Response[Any]:
        form = await forms.read(request, LoginForm)
        try:
            _, token = await directory.sign_in(
                form.username, form.password, client_address, request.cookies.get(COOKIE), sessions, throttle
            )
        except ServiceError as exc:
            return render(
                request,
                "login.html",
                status_code=exc.status_code,
                headers=exc.headers,
                next=safe_next(form.next),
                username=form.username,
                error=exc.template,
                values=exc.values,
            )
        return Redirect(safe_next(form.next), status_code=303, cookies=[session_cookie(token, settings)])

    @post("/logout")
    async def logout(
        self, request: Request[Any, Any, Any], sessions: NamedDependency[SessionStore]
    ) -> Redirect:
        await directory.sign_out(request.cookies.get(COOKIE), sessions)
        return Redirect("/login", status_code=303, cookies=[cleared_session_cookie()])

    @get("/lang/{code:str}")
    async def anonymous_language(self, code: FromPath[str], next: FromQuery[str] = "/") -> Redirect:
        """Switch the language of the pages seen before signing in (a cookie)."""
        language = code if code in LANGUAGES else "vi"
        cookie = Cookie(key=LANG_COOKIE, value=language, max_age=365 * 86400, path="/", samesite="lax")
        return Redirect(safe_next(next), status_code=303, cookies=[cookie])

    @post("/language", guards=[signed_in])
    async def language(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        sessions: NamedDependency[SessionStore],
        settings: NamedDependency[Settings],
    ) -> Redirect:
        """Save the signed-in user's language; the session is renewed to carry it."""
        fields = await forms.form_data(request)
        patch = forms.decode(UserPatch, {"language": fields.get("language", [])})
        target = safe_next((fields.get("next") or ["/"])[-1])
        if patch.language is None:
            return Redirect(target, status_code=303)
        await directory.update_user(principal.id, UserPatch(language=patch.language))
        renewed = msgspec.structs.replace(principal, language=patch.language)
        token = await directory.renew_session(renewed, request.cookies.get(COOKIE), sessions)
        return Redirect(target, status_code=303, cookies=[session_cookie(token, settings)])
