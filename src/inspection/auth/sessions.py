"""Server-side sessions in Redis.

The cookie holds a random token; Redis holds the principal under the token's SHA-256,
with an idle timeout that every request renews. A login always makes a new token (so a
session id planted before login is worthless), and changing a user ends all of their
sessions, so a new role or a disabled account applies at once, in every web process.
"""

from __future__ import annotations

import hashlib
import secrets

import msgspec
import redis.asyncio as aioredis

from inspection.auth.principal import Principal

COOKIE = "inspection_session"
_PREFIX = "inspection:session:"
_USER_PREFIX = "inspection:user-sessions:"
_decoder = msgspec.msgpack.Decoder(Principal)
_encoder = msgspec.msgpack.Encoder()


def session_key(token: str) -> str:
    """The Redis key of the session whose cookie holds ``token``."""
    return _PREFIX + hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    """Creates, reads (renewing the idle timeout) and ends sessions."""

    def __init__(self, redis: aioredis.Redis, idle_seconds: int) -> None:
        self.redis = redis
        self.idle_seconds = idle_seconds

    async def create(self, principal: Principal) -> str:
        token = secrets.token_urlsafe(32)
        key = session_key(token)
        user_key = f"{_USER_PREFIX}{principal.id}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(key, _encoder.encode(principal), ex=self.idle_seconds)
            pipe.sadd(user_key, key)
            pipe.expire(user_key, self.idle_seconds * 24)
            await pipe.execute()
        return token

    async def get(self, token: str) -> Principal | None:
        """The session's principal, renewing its idle timeout; None once it has ended."""
        raw = await self.redis.getex(session_key(token), ex=self.idle_seconds)
        return _decoder.decode(raw) if raw else None

    async def end(self, token: str) -> None:
        await self.redis.delete(session_key(token))

    async def end_all_for_user(self, user_id: int) -> None:
        """End the user's sessions."""
        user_key = f"{_USER_PREFIX}{user_id}"
        keys = [key.decode() for key in await self.redis.smembers(user_key)]  # type: ignore[misc]
        await self.redis.delete(*keys, user_key)


class LoginThrottle:
    """Counts failed logins per username and per client address in a sliding window."""

    def __init__(self, redis: aioredis.Redis, limit: int = 10, window_seconds: int = 900) -> None:
        self.redis = redis
        self.limit = limit
        self.window_seconds = window_seconds

    def _keys(self, username: str, address: str) -> tuple[str, str]:
        return (f"inspection:login-fail:user:{username.lower()}", f"inspection:login-fail:ip:{address}")

    async def blocked(self, username: str, address: str) -> bool:
        counts = await self.redis.mget(self._keys(username, address))
        user_count, ip_count = (int(c or 0) for c in counts)
        return user_count >= self.limit or ip_count >= self.limit * 5

    async def failed(self, username: str, address: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            for key in self._keys(username, address):
                pipe.incr(key)
                pipe.expire(key, self.window_seconds)
            await pipe.execute()

    async def succeeded(self, username: str, address: str) -> None:
        await self.redis.delete(self._keys(username, address)[0])
