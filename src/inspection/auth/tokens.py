"""API tokens for scripts: shown once, stored as SHA-256, sent as ``Authorization: Bearer``."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "insp_"  # noqa: S105 - a label, not a secret


def new_token() -> tuple[str, str]:
    """A fresh token and the digest to store."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
