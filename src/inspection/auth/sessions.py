"""Server-side sessions in Redis.

The cookie holds a random token; Redis holds the principal under the token's SHA-256,
with an idle timeout that every request renews. A login always makes a new token (so a
session id planted before login is worthless), and changing a user ends all of their
sessions, so a new role or a disabled account applies at once, in every web process.
"""

from __future__ import annotations

import hashlib
import math
import secrets

import msgspec
import redis.asyncio as aioredis

from inspection.auth.principal import Principal
from inspection.errors import TooManyRequests

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
    """Slows password guessing down, without letting anyone lock another person out.

    Failures count per (username, address) pair. The first ``free_failures`` cost nothing;
    after each further one the pair waits before its next try, twice as long each time (1 s,
    2 s, 4 s, ... up to ``max_wait``). The same username from another address is not slowed, so
    a stranger guessing cannot keep its owner out, and the right password clears the pair.
    An address has a ceiling too: past ``address_ceiling`` failures, its tries are spaced
    ``address_spacing`` apart whoever makes them, so an office behind one NAT address is
    slowed, never locked. Failures are forgotten ``window`` seconds after the last one.

    A try holds its pair until it is decided, so of tries sent at once for one pair all but
    one are refused: parallel guesses cannot pass before the first failure is counted. Every
    refusal says how many seconds to wait (Retry-After).
    """

    # How long a try may hold its pair: far more than checking a password takes, and the
    # most a pair stays held if its process dies before the try is decided.
    CLAIM_MS = 10_000

    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        free_failures: int = 3,
        max_wait: int = 900,
        address_ceiling: int = 50,
        address_spacing: float = 2.0,
        window: int = 3600,
    ) -> None:
        self.redis = redis
        self.free_failures = free_failures
        self.max_wait = max_wait
        self.address_ceiling = address_ceiling
        self.address_spacing = address_spacing
        self.window = window

    def wait_after(self, failures: int) -> int:
        """Seconds a pair waits after its ``failures``-th failure in a row."""
        if failures <= self.free_failures:
            return 0
        # The exponent is capped too: a pair may go on failing for days at the longest wait.
        return min(1 << min(failures - self.free_failures - 1, 30), self.max_wait)

    @staticmethod
    def _keys(username: str, address: str) -> tuple[str, str]:
        """The keys of the pair (hashed: a username may be any text) and of the address."""
        pair = hashlib.sha256(f"{username.lower()}\0{address}".encode()).hexdigest()
        return f"inspection:login:pair:{pair}", f"inspection:login:address:{address}"

    async def admit(self, username: str, address: str) -> None:
        """Let this try go ahead, holding its pair until it is decided, or refuse it."""
        pair, addressed = self._keys(username, address)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(f"{pair}:hold", "trying", nx=True, px=self.CLAIM_MS)
            pipe.get(f"{pair}:hold")
            pipe.pttl(f"{pair}:hold")
            pipe.get(f"{addressed}:failures")
            held, holder, pair_ms, address_failures = await pipe.execute()
        if not held:
            # Another try of the pair is being decided: it will be over in a moment.
            raise _too_many(1000 if holder == b"trying" else pair_ms)
        if int(address_failures or 0) >= self.address_ceiling and not await self.redis.set(
            f"{addressed}:hold", "1", nx=True, px=int(self.address_spacing * 1000)
        ):
            await self.redis.delete(f"{pair}:hold")
            raise _too_many(await self.redis.pttl(f"{addressed}:hold"))

    async def failed(self, username: str, address: str) -> None:
        """Count the failure; past the free ones, the pair waits before its next try."""
        pair, addressed = self._keys(username, address)
        async with self.redis.pipeline(transaction=True) as pipe:
            for key in (f"{pair}:failures", f"{addressed}:failures"):
                pipe.incr(key)
                pipe.expire(key, self.window)
            failures, _, _, _ = await pipe.execute()
        wait = self.wait_after(failures)
        if wait:
            await self.redis.set(f"{pair}:hold", "waiting", px=wait * 1000)
        else:
            await self.redis.delete(f"{pair}:hold")

    async def succeeded(self, username: str, address: str) -> None:
        """The right password: the pair starts afresh (the address's count stays)."""
        pair, _ = self._keys(username, address)
        await self.redis.delete(f"{pair}:failures", f"{pair}:hold")


def _too_many(wait_ms: int) -> TooManyRequests:
    seconds = max(1, math.ceil(wait_ms / 1000))
    return TooManyRequests(
        "Too many sign-in attempts; wait %(seconds)s s before trying again",
        retry_after=seconds,
        seconds=seconds,
    )
