"""The session cookie, as the pages and the API set and clear it."""

from __future__ import annotations

from litestar.datastructures import Cookie

from inspection.auth.sessions import COOKIE
from inspection.settings import Settings


def session_cookie(token: str, settings: Settings) -> Cookie:
    """The cookie that carries a session's token, out of reach of scripts and other sites' forms."""
    return Cookie(
        key=COOKIE,
        value=token,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        path="/",
    )


def cleared_session_cookie() -> Cookie:
    """The cookie that makes the browser forget its session."""
    return Cookie(key=COOKIE, value="", max_age=0, path="/")
