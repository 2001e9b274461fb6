"""HTTP and WebSocket routes: translate the wire to one service call, and back. Nothing else."""

import contextlib
import functools
from collections.abc import AsyncIterator, Awaitable, Callable

import msgspec
import redis.asyncio as aioredis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from events.commands import CommandEnvelope, CreateReport
from events.errors import DomainError
from events.protocol import MAX_MESSAGE_BYTES, CreateReportRequest, ErrorBody, ReportSummary, ReportView
from events.render.text import render_text
from server.fanout import Fanout
from server.identity import drafter_name
from server.keys import is_report_id
from server.live import CLOSE_UNAUTHENTICATED, CLOSE_UNKNOWN_REPORT, LiveConnection, close_with_error
from server.service import ReportService
from server.store import EventStore
from server.wire import parse, status_of

_encode = msgspec.json.Encoder().encode
DEFAULT_EVENT_PAGE = 1_000
REDIS_CONNECTIONS = 64
REDIS_POOL_WAIT_SECONDS = 20
MAX_EVENT_PAGE = 10_000


class JSON(Response):
    media_type = "application/json"

    def __init__(self, content: object, status_code: int = 200) -> None:
        super().__init__(content if isinstance(content, bytes) else _encode(content), status_code)


def _error(error: DomainError) -> JSON:
    return JSON(ErrorBody(code=error.code, message=error.message), status_of(error))


def _report_id(request: Request | WebSocket) -> str:
    report_id = request.path_params["report_id"]
    if not is_report_id(report_id):
        raise DomainError("unknown_report", f"{report_id!r} is not a report id")
    return report_id


def _int_param(request: Request | WebSocket, name: str, default: int | None = None) -> int | None:
    value = request.query_params.get(name)
    if value is None:
        return default
    if not value.isdigit():
        raise DomainError("invalid_query", f"?{name}= takes a whole number of at least 0, not {value!r}")
    return int(value)


async def _body(request: Request) -> bytes:
    """The request body, refused past MAX_MESSAGE_BYTES without reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_MESSAGE_BYTES:
        raise DomainError("message_too_large", f"messages are limited to {MAX_MESSAGE_BYTES} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_MESSAGE_BYTES:
            raise DomainError("message_too_large", f"messages are limited to {MAX_MESSAGE_BYTES} bytes")
    return bytes(body)


def _service(request: Request | WebSocket) -> ReportService:
    return request.app.state.service


Endpoint = Callable[[Request], Awaitable[Response]]


def handles_domain_errors(endpoint: Endpoint) -> Endpoint:
    """A DomainError raised anywhere in the endpoint becomes its status and `{code, message}`."""

    @functools.wraps(endpoint)
    async def wrapper(request: Request) -> Response:
        try:
            return await endpoint(request)
        except DomainError as error:
            return _error(error)

    return wrapper


@handles_domain_errors
async def create_report(request: Request) -> Response:
    actor = drafter_name(request.headers.get("x-drafter"))
    body = parse(await _body(request), CreateReportRequest)
    service = _service(request)
    report_id = body.report_id or service.new_id()
    envelope = CommandEnvelope(
        command_id=body.command_id or service.new_id(),
        expected_version=0,
        command=CreateReport(title=body.title),
    )
    result = await service.handle(report_id, envelope, actor)
    return JSON({"id": report_id, "version": result.version, "events": result.events}, 201)


@handles_domain_errors
async def list_reports(request: Request) -> Response:
    reports = await _service(request).reports()
    return JSON([ReportSummary(id=r.id, title=r.title, version=v) for _, v, r in reports])


@handles_domain_errors
async def get_report(request: Request) -> Response:
    version, report = await _service(request).report(_report_id(request), at=_int_param(request, "at"))
    return JSON(ReportView(version=version, report=report))


@handles_domain_errors
async def get_text(request: Request) -> Response:
    _, report = await _service(request).report(_report_id(request), at=_int_param(request, "at"))
    return PlainTextResponse(render_text(report))


@handles_domain_errors
async def get_events(request: Request) -> Response:
    report_id = _report_id(request)
    after = _int_param(request, "after", 0)
    limit = min(_int_param(request, "limit", DEFAULT_EVENT_PAGE) or DEFAULT_EVENT_PAGE, MAX_EVENT_PAGE)
    service = _service(request)
    events = await service.store.read_raw(report_id, after=after, limit=limit)
    if not events:
        await service.report(report_id)  # 404 for a report that does not exist
    return JSON(b"[" + b",".join(raw for _, raw in events) + b"]")


@handles_domain_errors
async def post_command(request: Request) -> Response:
    actor = drafter_name(request.headers.get("x-drafter"))
    report_id = _report_id(request)
    envelope = parse(await _body(request), CommandEnvelope)
    result = await _service(request).handle(report_id, envelope, actor)
    return JSON(result)


async def live(websocket: WebSocket) -> None:
    try:
        drafter = drafter_name(websocket.query_params.get("drafter"))
    except DomainError as error:
        return await close_with_error(websocket, error, CLOSE_UNAUTHENTICATED)
    try:
        report_id = _report_id(websocket)
        after = _int_param(websocket, "after")
        version, _ = await _service(websocket).report(report_id)
        if after is not None and after > version:
            raise DomainError("unknown_version", f"the report has no version {after}; it is at {version}")
    except DomainError as error:
        return await close_with_error(websocket, error, CLOSE_UNKNOWN_REPORT)
    await websocket.accept()
    connection = LiveConnection(websocket, _service(websocket), websocket.app.state.fanout, report_id, drafter)
    await connection.run(after)


def create_app(redis_url: str) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Blocking: past the limit, a command waits for a free connection instead of failing.
        pool = aioredis.BlockingConnectionPool.from_url(
            redis_url, max_connections=REDIS_CONNECTIONS, timeout=REDIS_POOL_WAIT_SECONDS
        )
        redis = aioredis.Redis.from_pool(pool)
        store = EventStore(redis)
        app.state.service = ReportService(store)
        app.state.fanout = Fanout(redis_url, store)
        await app.state.fanout.start()
        try:
            yield
        finally:
            await app.state.fanout.stop()
            await redis.aclose()

    return Starlette(
        routes=[
            Route("/api/reports", create_report, methods=["POST"]),
            Route("/api/reports", list_reports, methods=["GET"]),
            Route("/api/reports/{report_id}", get_report, methods=["GET"]),
            Route("/api/reports/{report_id}/text", get_text, methods=["GET"]),
            Route("/api/reports/{report_id}/events", get_events, methods=["GET"]),
            Route("/api/reports/{report_id}/commands", post_command, methods=["POST"]),
            WebSocketRoute("/api/reports/{report_id}/live", live),
        ],
        lifespan=lifespan,
    )
