"""Races: the same request sent many times at once, and the rule that exactly one of them wins.

Every rule of the form "only once" (a state move, a unique key, at most one pending thing per
other thing) must hold when the requests arrive together, not only one after the other: the
losers are refused with a status that says so, and nothing of theirs is written.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable

import httpx

ATTEMPTS = 20


async def one_wins(
    send: Callable[[], Awaitable[httpx.Response]],
    *,
    won: int,
    lost: int = 409,
    attempts: int = ATTEMPTS,
) -> tuple[httpx.Response, list[httpx.Response]]:
    """Send ``attempts`` copies of a request at once; the one that won (status ``won``) and the
    others, each of which must have lost with ``lost``."""
    responses = await asyncio.gather(*(send() for _ in range(attempts)))
    statuses = Counter(response.status_code for response in responses)
    assert statuses == {won: 1, lost: attempts - 1}, [
        (response.status_code, response.text[:200]) for response in responses if response.status_code != lost
    ]
    [winner] = [response for response in responses if response.status_code == won]
    return winner, [response for response in responses if response is not winner]
