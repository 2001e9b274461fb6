"""What every HTTP endpoint shares: JSON responses, errors as `{code, message}`, parameters."""

import functools
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import msgspec
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from events.errors import DomainError
from events.fields import MAX_VERSION
from events.model import Report
from events.protocol import MAX_MESSAGE_BYTES, ErrorBody
from server.keys import is_report_id
from server.limits import RateLimited
from server.outage import REDIS_DOWN, RETRY_AFTER_SECONDS, unavailable
from server.service import ReportService
from server.wire import status_of
from server.workers import OverBudget, Workers

log = logging.getLogger(__name__)
_encode = msgspec.json.Encoder().encode

# The largest number a query parameter takes: versions and limits alike.
MAX_INT_PARAM = MAX_VERSION


class JSON(Response):
    media_type = "application/json"

    def __init__(self, content: object, status_code: int = 200) -> None:
        super().__init__(content if isinstance(content, bytes) else _encode(content), status_code)


def error_response(error: DomainError) -> JSON:
    """`{code, message}` with the code's status; a refusal that may pass later says when to
    try again: a rate limit, when its bucket has refilled; Redis away, soon."""
    response = JSON(ErrorBody(code=error.code, message=error.message), status_of(error))
    if isinstance(error, RateLimited):
        response.headers["Retry-After"] = str(error.retry_after)
    elif response.status_code == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def report_id_of(request: Request | WebSocket) -> str:
    report_id = request.path_params["report_id"]
    if not is_report_id(report_id):
        raise DomainError("unknown_report", f"{report_id!r} is not a report id")
    return report_id


def int_param(request: Request | WebSocket, name: str, default: int | None = None) -> int | None:
    """A whole number from 0 to MAX_INT_PARAM, in ASCII digits: `str.isdigit()` alone takes
    « ² » and « ٣ », which `int()` then refuses or reads, and a number past 2^63 reaches Redis
    as a stream id it refuses."""
    value = request.query_params.get(name)
    if value is None:
        return default
    shown = value if len(value) <= 40 else value[:40] + "…"
    if not (value.isascii() and value.isdigit()):
        raise DomainError("invalid_query", f"?{name}= takes a whole number of at least 0 in digits 0-9, not {shown!r}")
    digits = value.lstrip("0")
    if len(digits) > len(str(MAX_INT_PARAM)) or int(digits or "0") > MAX_INT_PARAM:
        raise DomainError("invalid_query", f"?{name}= is at most {MAX_INT_PARAM}, not {shown}")
    return int(digits or "0")


# A "+" left unescaped in a query string arrives as a space: "…T10:00:00 02:00" meant "+02:00".
_OFFSET_AS_SPACE = re.compile(r"([T ]\d{2}(?::\d{2}){0,2}(?:[.,]\d+)?) (\d{2}(?::?\d{2})?)$")


def time_param(request: Request | WebSocket, name: str) -> datetime | None:
    """An ISO 8601 time (`2021-10-12T15:30:00Z`, `2021-10-12T17:30+02:00`, `2021-10-12`), aware:
    a time without a zone is UTC."""
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(_OFFSET_AS_SPACE.sub(r"\1+\2", value.strip()))
    except ValueError:
        raise DomainError(
            "invalid_query", f"?{name}= takes an ISO 8601 time such as 2021-10-12T15:30:00Z, not {value!r}"
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


async def asked_report(request: Request) -> tuple[int, Report]:
    """The report the path names: now, at `?at=V` (a version) or at `?at_time=T` (an instant)."""
    at, at_time = int_param(request, "at"), time_param(request, "at_time")
    if at is not None and at_time is not None:
        raise DomainError("invalid_query", "ask for ?at= (a version) or ?at_time= (a time), not both")
    return await service_of(request).report(report_id_of(request), at=at, at_time=at_time)


def declared_length(headers: Headers) -> int | None:
    """The body length a request announces in Content-Length (ASCII digits only), if any."""
    declared = headers.get("content-length")
    return int(declared) if declared is not None and declared.isascii() and declared.isdigit() else None


async def read_body(request: Request, limit: int = MAX_MESSAGE_BYTES) -> bytes:
    """The request body, refused past `limit` bytes without reading it all."""
    declared = declared_length(request.headers)
    if declared is not None and declared > limit:
        raise DomainError("message_too_large", f"messages are limited to {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise DomainError("message_too_large", f"messages are limited to {limit} bytes")
    return bytes(body)


def service_of(request: Request | WebSocket) -> ReportService:
    return request.app.state.service


def workers_of(request: Request | WebSocket) -> Workers:
    return request.app.state.workers


async def in_worker(request: Request, function: Callable[..., bytes], *args: object) -> bytes:
    """`function(*args)` computed in a worker process (server/read_jobs.py), within the
    server's answer-time budget for reads; past it, 503 `too_costly` and the worker is replaced."""
    budget: float = request.app.state.read_budget
    try:
        return await workers_of(request).run(budget, function, *args)
    except OverBudget:
        raise DomainError(
            "too_costly",
            f"this answer takes more than {budget:g} s to compute (the report is very long, or the server is busy):"
            " try again later, or ask for an earlier version",
        ) from None


Endpoint = Callable[[Request], Awaitable[Response]]


def handles_domain_errors(endpoint: Endpoint) -> Endpoint:
    """A DomainError raised anywhere in the endpoint becomes its status and `{code, message}`."""

    @functools.wraps(endpoint)
    async def wrapper(request: Request) -> Response:
        try:
            return await endpoint(request)
        except DomainError as error:
            return error_response(error)

    return wrapper


class AnswersFaults:
    """ASGI middleware: an HTTP request that meets a lost or stalled Redis (server/outage.py)
    is answered 503 `redis_unavailable` with Retry-After, and the outage noted once in
    `app.state.outage`; one that meets what no route expected (a bug, or data not written by
    Rapporteur) is answered 500 `internal_error` and its traceback logged. Either way the body
    every error has, and the connection stays open for the next request: not a text 500 and a
    dropped connection. (The live WebSocket answers its own: `server.live.answers_outages`,
    without a wrapper around its every send.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except REDIS_DOWN as error:
            refusal = unavailable(error)
            assert refusal is not None
            scope["app"].state.outage.lost(error)
            if not started:
                await error_response(refusal)(scope, receive, send)
            # A response already under way cannot become a 503: it ends unfinished (the client
            # sees the connection close), and the outage is logged all the same.
        except Exception:
            if started:
                raise  # half sent: only closing the connection can say it failed
            log.exception("%s %s failed", scope["method"], scope["path"])
            failed = DomainError("internal_error", "the server failed to answer this request; the failure is logged")
            await error_response(failed)(scope, receive, send)
