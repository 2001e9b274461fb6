"""Redis lost or stalled: how every route answers it, and the one log line per change.

Any call to Redis may fail with redis-py's ConnectionError (refused or reset, or
BusyLoadingError while a restarted Redis loads its data) or TimeoutError (no reply within
REDIS_TIMEOUT_SECONDS: a stalled Redis). Routes do not catch them: `unavailable()` below
makes them `redis_unavailable`, which `server.http.AnswersFaults`, around the whole
application (the sign-in check included), answers with 503 and `Retry-After`, keeping the
HTTP connection open for the client's next request; the live WebSocket (server/live.py)
answers with an `error` message, then the close code 1013 (try again later).

An outage is logged once, when it is first met, and once more when Redis answers again (a
probe pings it meanwhile, with backoff): not a traceback per request.
"""

import asyncio
import contextlib
import logging
import random
import time

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from events.errors import DomainError

log = logging.getLogger(__name__)

# How long any one call may wait for Redis: a reply, a new connection's handshake, a free
# connection of the pool. A stalled Redis is an error after this long, never a hang.
REDIS_TIMEOUT_SECONDS = 5.0
# `/api/health` is asked by load balancers, which want an answer sooner.
HEALTH_TIMEOUT_SECONDS = 1.0
# What 503 answers tell clients to wait before trying again.
RETRY_AFTER_SECONDS = 2
# The tasks that live on Redis (the probe below, the fan-out reader, the presence relay) try
# again after this long, then twice as long each time, up to the cap.
RETRY_FIRST_SECONDS = 0.1
RETRY_MAX_SECONDS = 4.0

# What a call to Redis raises when Redis is not there (BusyLoadingError is a ConnectionError).
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)


class OutcomeUnknown(RedisConnectionError):
    """An append that Redis did not answer: it may have been stored or not. The command id
    makes a resend safe: a command stored already is answered with its versions, not applied
    again."""

    def __init__(self) -> None:
        super().__init__(
            "Redis did not answer: the command may or may not have been applied (unknown outcome); "
            "resend it with the same command_id, which applies it once"
        )


def backoff(attempt: int) -> float:
    """How long to wait before trying Redis again, after `attempt` failures in a row (from 1):
    exponential, capped, and jittered between half and the whole of it, so that the processes
    sharing a Redis do not all come back at the same instant."""
    delay = min(RETRY_FIRST_SECONDS * 2 ** (attempt - 1), RETRY_MAX_SECONDS)
    return random.uniform(delay / 2, delay)


def unavailable(error: BaseException) -> DomainError | None:
    """The `redis_unavailable` refusal for an error that means Redis is not answering, else None."""
    if isinstance(error, OutcomeUnknown):
        return DomainError("redis_unavailable", str(error))
    if isinstance(error, REDIS_DOWN):
        return DomainError(
            "redis_unavailable",
            f"the store (Redis) does not answer at the moment: try again in {RETRY_AFTER_SECONDS} s",
        )
    return None


class Outage:
    """Whether Redis answers, as this process last found: a warning when it stops answering,
    another when it is back, and nothing in between."""

    def __init__(self, redis: aioredis.Redis) -> None:
        """`redis`: what the probe pings while Redis is away."""
        self._redis = redis
        self._since = 0.0
        self._probe: asyncio.Task[None] | None = None
        self._closed = False  # shutting down: what fails now is not watched

    def lost(self, error: BaseException) -> None:
        """Redis failed a call: say so if it is news, and watch for its return."""
        if self._probe is not None or self._closed:
            return
        self._since = time.monotonic()
        log.warning("Redis does not answer (%s): requests get 503 redis_unavailable until it is back", _said(error))
        self._probe = asyncio.get_running_loop().create_task(self._wait_for_return(), name="redis-probe")

    async def _wait_for_return(self) -> None:
        failures = 1
        while True:
            await asyncio.sleep(backoff(failures))
            try:
                async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS):
                    await self._redis.ping()
            except (*REDIS_DOWN, TimeoutError, ResponseError):  # ResponseError: BUSY with a script, …
                failures += 1
                continue
            log.warning("Redis answers again, after %.1f s", time.monotonic() - self._since)
            self._probe = None
            return

    async def aclose(self) -> None:
        self._closed = True
        probe, self._probe = self._probe, None
        if probe is not None:
            probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await probe


def _said(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
