"""Per-user limits: reports created, live connections open, requests, bytes written.

Each is kept where what it protects is. The reports a user created are counted in Redis, so
that the limit holds however many server processes they use; the rates and the open
connections protect one process's time and memory, so each process keeps its own (behind
several processes, a user may reach each rate once per process). Every check is O(1).

Every user has the defaults below unless an administrator set other limits for them
(`PATCH /api/users/{id}/limits`, `rapporteur user limits`): stored with the user, read with
the user on every request, so a change takes effect at once (on open live connections,
within the sign-in recheck period).

Rates answer `rate_limited` (HTTP 429 with Retry-After); counts answer `quota_exceeded`
(HTTP 403): waiting does not lift them, closing a connection or an administrator does.
"""

import contextlib
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from typing import Annotated

import msgspec
import redis.asyncio as aioredis
from msgspec import UNSET, Meta, UnsetType
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from events.errors import DomainError
from server.accounts import User, UserLimits
from server.http import declared_length, error_response
from server.keys import user_reports_key
from server.limits import RateLimit, RateLimited
from server.outage import REDIS_DOWN

MIB = 1024 * 1024


class Limits(msgspec.Struct, frozen=True, kw_only=True):
    """A user's limits, in force."""

    reports: int  # reports they may create (imports included), ever
    connections: int  # live WebSocket connections open at once, per server process
    requests_per_second: int  # HTTP requests and live connections opened, per server process
    mib_per_minute: int  # bytes written (request bodies, live messages), per server process


# What a real drafting session never reaches: a secretariat creates a few reports a session,
# a drafter opens a tab or two, the editor makes a few requests a second and sends a few
# kilobytes a minute; the largest draft imported is 5 MiB.
DEFAULT_LIMITS = Limits(reports=200, connections=20, requests_per_second=100, mib_per_minute=16)
# The requests a user may make at once after a pause: this many seconds' worth. Bytes: a
# minute's worth at once, so that the largest draft passes on a rested budget.
BURST_SECONDS = 10
# Beyond this many users, the state of the one idle longest is forgotten whether or not
# their buckets refilled (those that refilled are forgotten anyway: the same as new ones).
MAX_METERED_USERS = 100_000

Count = Annotated[int, Meta(ge=0, le=1_000_000)]
Rate = Annotated[int, Meta(ge=1, le=1_000_000)]


class LimitsChange(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An administrator's change to a user's limits: a number sets one, null brings back the
    server's default, a field left out stays as it is."""

    reports: Count | None | UnsetType = UNSET
    connections: Count | None | UnsetType = UNSET
    requests_per_second: Rate | None | UnsetType = UNSET
    mib_per_minute: Rate | None | UnsetType = UNSET

    def applied_to(self, limits: UserLimits) -> UserLimits:
        changed = {name: value for name in self.__struct_fields__ if (value := getattr(self, name)) is not UNSET}
        return msgspec.structs.replace(limits, **changed)


class LimitsView(msgspec.Struct, frozen=True, kw_only=True):
    """A user's limits in force, the server's defaults, and the reports counted so far."""

    user: str
    limits: Limits
    defaults: Limits
    reports_created: int


# Counts the report unless it is counted already (a retried creation), refused at the limit:
# 1 counted now, 0 counted before, -1 refused.
_RESERVE_REPORT = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
redis.call('SADD', KEYS[1], ARGV[1])
return 1
"""


_NONE_OF_THEIR_OWN = UserLimits()


class _Meter:
    """One user's rates in this process."""

    def __init__(self, limits: Limits, clock: Callable[[], float]) -> None:
        self.limits = limits
        self.requests = RateLimit(*_request_rate(limits), clock=clock)
        self.written = RateLimit(*_byte_rate(limits), clock=clock)

    def follow(self, limits: Limits) -> None:
        if limits is not self.limits:
            self.limits = limits
            self.requests.change(*_request_rate(limits))
            self.written.change(*_byte_rate(limits))

    def idle(self) -> bool:
        return self.requests.idle() and self.written.idle()


def _request_rate(limits: Limits) -> tuple[float, float]:
    return limits.requests_per_second, limits.requests_per_second * BURST_SECONDS


def _byte_rate(limits: Limits) -> tuple[float, float]:
    return limits.mib_per_minute * MIB / 60, limits.mib_per_minute * MIB


def _seconds(wait: float) -> int:
    """A whole number of seconds to wait, never 0: what Retry-After says."""
    return max(1, math.ceil(wait))


def _written_too_much(limits: Limits, wait: float) -> RateLimited:
    """The refusal of a request body or live message while the user's byte budget refills."""
    return RateLimited(
        f"at most {limits.mib_per_minute} MiB a minute may be written by each user: "
        f"this was not applied; send it again in {_seconds(wait)} s",
        _seconds(wait),
    )


class Quotas:
    def __init__(self, redis: aioredis.Redis, defaults: Limits = DEFAULT_LIMITS, clock: Callable[[], float] = time.monotonic) -> None:
        self.redis = redis
        self.defaults = defaults
        self._clock = clock
        self._meters: OrderedDict[str, _Meter] = OrderedDict()  # least recently used first
        self._connections: dict[str, int] = {}  # open live connections per user, in this process
        self._reserve_report = redis.register_script(_RESERVE_REPORT)

    def limits_of(self, user: User) -> Limits:
        own = user.limits
        if own == _NONE_OF_THEIR_OWN:
            return self.defaults
        return Limits(
            reports=self.defaults.reports if own.reports is None else own.reports,
            connections=self.defaults.connections if own.connections is None else own.connections,
            requests_per_second=self.defaults.requests_per_second if own.requests_per_second is None else own.requests_per_second,
            mib_per_minute=self.defaults.mib_per_minute if own.mib_per_minute is None else own.mib_per_minute,
        )

    async def view(self, user: User) -> LimitsView:
        created = await self.redis.scard(user_reports_key(user.id))
        return LimitsView(user=user.id, limits=self.limits_of(user), defaults=self.defaults, reports_created=created)

    # Rates, per process

    @property
    def metered_users(self) -> int:
        """How many users' rates this process keeps: those active lately (bounded)."""
        return len(self._meters)

    def _meter(self, user: User) -> tuple[_Meter, Limits]:
        """The user's meter, following their limits as they are now; idle users' meters are
        forgotten on the way (the oldest two looked at each time: O(1), and enough to keep
        up, since each call adds at most one)."""
        limits = self.limits_of(user)
        meters = self._meters
        meter = meters.get(user.id)
        if meter is None:
            meter = meters[user.id] = _Meter(limits, self._clock)
        else:
            meter.follow(limits)
            meters.move_to_end(user.id)
        for _ in range(2):
            oldest_id = next(iter(meters))
            if oldest_id == user.id or not (len(meters) > MAX_METERED_USERS or meters[oldest_id].idle()):
                break
            del meters[oldest_id]
        return meter, limits

    def admit_request(self, user: User, body_bytes: int = 0) -> None:
        """One more request (or live connection opened), whose body will be `body_bytes`
        long: refused with `rate_limited` past the user's request rate, or while what they
        wrote lately leaves too little of their byte budget for it. Nothing is spent on a
        refusal; the body is paid for as it is read (`written`)."""
        meter, limits = self._meter(user)
        if body_bytes and (wait := meter.written.wait(body_bytes)) > 0:
            raise _written_too_much(limits, wait)
        if (wait := meter.requests.wait()) > 0:
            raise RateLimited(
                f"at most {limits.requests_per_second} requests a second ({limits.requests_per_second * BURST_SECONDS} at once) "
                f"may be made by each user: this was not applied; send it again in {_seconds(wait)} s",
                _seconds(wait),
            )
        meter.requests.spend(1)

    def written(self, user: User, size: int) -> None:
        """Bytes of a request body, as they are read."""
        self._meter(user)[0].written.spend(size)

    def admit_message(self, user: User, size: int) -> None:
        """A live message of `size` bytes, paid from the same budget as request bodies, or
        `rate_limited` (nothing spent)."""
        meter, limits = self._meter(user)
        if not meter.written.allow(size):
            raise _written_too_much(limits, meter.written.wait(size))

    # Live connections, per process

    def open_connection(self, user: User) -> Callable[[], None]:
        """Count one more live connection of the user, or `quota_exceeded` past their limit;
        returns what to call once it is closed. Checked and counted at once (no await in
        between), so connections opened together cannot all slip past the limit."""
        limit = self.limits_of(user).connections
        open_now = self._connections.get(user.id, 0)
        if open_now >= limit:
            raise DomainError(
                "quota_exceeded",
                f"{open_now} live connections are open for you on this server, your limit: "
                "close one (another tab or window), or ask an administrator to raise it",
            )
        self._connections[user.id] = open_now + 1
        closed = False

        def close() -> None:
            nonlocal closed
            if not closed:
                closed = True
                left = self._connections[user.id] - 1
                if left:
                    self._connections[user.id] = left
                else:
                    del self._connections[user.id]

        return close

    # Reports created, in Redis

    @contextlib.asynccontextmanager
    async def new_report(self, user: User, report_id: str) -> AsyncIterator[None]:
        """Around the creation of a report: counted first, atomically, or `quota_exceeded`
        at the user's limit; uncounted if the creation is refused (the report exists, the
        role does not allow it, the draft is not a report) or abandoned (the client left
        during the upload). Only when Redis did not answer may the report exist: it stays
        counted. A retried creation, counted already, passes even at the limit: it creates
        nothing new."""
        limit = self.limits_of(user).reports
        key = user_reports_key(user.id)
        counted = await self._reserve_report(keys=[key], args=[report_id, limit])
        if counted == -1:
            raise DomainError(
                "quota_exceeded",
                f"you have created {limit} reports, your limit: an administrator can raise it",
            )
        try:
            yield
        except Exception as error:
            if counted == 1 and not isinstance(error, REDIS_DOWN):
                await self.redis.srem(key, report_id)
            raise


def quotas_of(connection: HTTPConnection) -> Quotas:
    return connection.app.state.quotas


def _declared_body(scope: Scope) -> int:
    """The body a request announces: its Content-Length, or 1 for a chunked one (weighed as
    it comes), or 0."""
    headers = Headers(scope=scope)
    length = declared_length(headers)
    if length is not None:
        return length
    return 1 if "chunked" in headers.get("transfer-encoding", "").lower() else 0


class MeterRequests:
    """ASGI middleware, inside RequireSignIn: every signed-in `/api/` request counts towards
    its user's request rate, and its body, as it is read, towards their bytes written."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        user: User | None = scope.get("state", {}).get("user") if scope["type"] == "http" else None
        if user is None:
            return await self.app(scope, receive, send)
        quotas: Quotas = scope["app"].state.quotas
        try:
            quotas.admit_request(user, _declared_body(scope))
        except RateLimited as error:
            return await error_response(error)(scope, receive, send)

        async def receive_counted() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                quotas.written(user, len(message.get("body", b"")))
            return message

        await self.app(scope, receive_counted, send)
