"""Server-side sessions in Redis.

The cookie holds a random token; Redis holds the principal under the token's SHA-256,
with an idle timeout that requests renew. A login always makes a new token (so a session
id planted before login is worthless), and changing a user ends all of their sessions, so
a new role or a disabled account applies at once.

A web process remembers a session it has read for :data:`RECHECK_SECONDS`, so most
requests need no Redis round trip; Redis is asked again (renewing the idle timeout) after
that. Ending a session publishes its key on :data:`ENDED_CHANNEL`, and every process
follows the channel (:meth:`SessionStore.follow_ends`) and forgets it at once. While a
process is not subscribed, it remembers nothing and asks Redis on every request.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import time

import msgspec
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from inspection.auth.principal import Principal

COOKIE = "inspection_session"
_PREFIX = "inspection:session:"
_USER_PREFIX = "inspection:user-sessions:"
ENDED_CHANNEL = "inspection:sessions-ended"
# How long a process trusts a session it read without asking Redis again. Far below any
# idle timeout, so a session never outlives its expiry in a process's memory.
RECHECK_SECONDS = 30.0
_REMEMBERED = 10_000
_decoder = msgspec.msgpack.Decoder(Principal)
_encoder = msgspec.msgpack.Encoder()
log = logging.getLogger(__name__)


def session_key(token: str) -> str:
    """The Redis key of the session whose cookie holds ``token``."""
    return _PREFIX + hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    """Creates, reads (renewing the idle timeout) and ends sessions."""

    def __init__(self, redis: aioredis.Redis, idle_seconds: int) -> None:
        self.redis = redis
        self.idle_seconds = idle_seconds
        self._remembered: dict[str, tuple[Principal, float]] = {}
        self._following = False
        self._ends = 0  # sessions ended so far, as this process heard of them

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
        key = session_key(token)
        remembered = self._remembered.get(key)
        if remembered is not None and time.monotonic() - remembered[1] < RECHECK_SECONDS:
            return remembered[0]
        ends, read_at = self._ends, time.monotonic()
        raw = await self.redis.getex(key, ex=self.idle_seconds)
        if not raw:
            self._remembered.pop(key, None)
            return None
        principal: Principal = _decoder.decode(raw)
        # Remembered only if no session ended while Redis was asked: that end may be this one.
        if self._following and self._ends == ends:
            if len(self._remembered) >= _REMEMBERED:
                del self._remembered[next(iter(self._remembered))]
            self._remembered[key] = (principal, read_at)
        return principal

    async def end(self, token: str) -> None:
        await self._ended([session_key(token)])

    async def _ended(self, keys: list[str]) -> None:
        self._forget(keys)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(*keys)
            for key in keys:
                pipe.publish(ENDED_CHANNEL, key)
            await pipe.execute()

    def _forget(self, keys: list[str]) -> None:
        self._ends += 1
        for key in keys:
            self._remembered.pop(key, None)

    @property
    def following(self) -> bool:
        """Whether this process hears of ended sessions (and so may remember sessions)."""
        return self._following

    async def follow_ends(self) -> None:
        """Forget the sessions other processes end, for as long as the process runs."""
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.subscribe(ENDED_CHANNEL)
                    async for message in pubsub.listen():
                        if message["type"] == "subscribe":
                            # Ends published before now were not heard: start afresh.
                            self._forget(list(self._remembered))
                            self._following = True
                        elif message["type"] == "message":
                            self._forget([message["data"].decode()])
            except RedisError as exc:
                log.warning("Not following ended sessions (%s); asking Redis on every request", exc)
            finally:
                self._following = False
                self._forget(list(self._remembered))
            await asyncio.sleep(1.0)

    async def end_all_for_user(self, user_id: int) -> None:
        """End the user's sessions."""
        user_key = f"{_USER_PREFIX}{user_id}"
        keys = [key.decode() for key in await self.redis.smembers(user_key)]  # type: ignore[misc]
        await self._ended([*keys, user_key])


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
