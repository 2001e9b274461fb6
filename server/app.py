"""HTTP and WebSocket routes: translate the wire to one service call, and back. Nothing else."""

import contextlib
from collections.abc import AsyncIterator

import redis.asyncio as aioredis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from events.commands import CommandEnvelope, CreateReport
from events.errors import DomainError
from events.protocol import CreateReportRequest, ReportSummary, ReportView
from events.render.text import render_text
from server import history_views, static, views
from server.fanout import Fanout
from server.http import JSON, asked_report, handles_domain_errors, int_param, read_body, report_id_of, service_of
from server.identity import drafter_name
from server.presence import Presence
from server.live import CLOSE_UNAUTHENTICATED, CLOSE_UNKNOWN_REPORT, LiveConnection, close_with_error
from server.service import ReportService
from server.store import EventStore
from server.wire import parse

DEFAULT_EVENT_PAGE = 1_000
MAX_EVENT_PAGE = 10_000
REDIS_CONNECTIONS = 64
REDIS_POOL_WAIT_SECONDS = 20

@handles_domain_errors
async def create_report(request: Request) -> Response:
    actor = drafter_name(request.headers.get("x-drafter"))
    body = parse(await read_body(request), CreateReportRequest)
    service = service_of(request)
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
    reports = await service_of(request).reports()
    return JSON([ReportSummary(id=r.id, title=r.title, version=v) for _, v, r in reports])


@handles_domain_errors
async def get_report(request: Request) -> Response:
    version, report = await asked_report(request)
    return JSON(ReportView(version=version, report=report))


@handles_domain_errors
async def get_text(request: Request) -> Response:
    _, report = await asked_report(request)
    return PlainTextResponse(render_text(report))


@handles_domain_errors
async def get_events(request: Request) -> Response:
    report_id = report_id_of(request)
    after = int_param(request, "after", 0)
    limit = min(int_param(request, "limit", DEFAULT_EVENT_PAGE) or DEFAULT_EVENT_PAGE, MAX_EVENT_PAGE)
    service = service_of(request)
    events = await service.store.read_raw(report_id, after=after, limit=limit)
    if not events:
        await service.report(report_id)  # 404 for a report that does not exist
    return JSON(b"[" + b",".join(raw for _, raw in events) + b"]")


@handles_domain_errors
async def post_command(request: Request) -> Response:
    actor = drafter_name(request.headers.get("x-drafter"))
    report_id = report_id_of(request)
    envelope = parse(await read_body(request), CommandEnvelope)
    result = await service_of(request).handle(report_id, envelope, actor)
    return JSON(result)


async def live(websocket: WebSocket) -> None:
    try:
        drafter = drafter_name(websocket.query_params.get("drafter"))
    except DomainError as error:
        return await close_with_error(websocket, error, CLOSE_UNAUTHENTICATED)
    try:
        report_id = report_id_of(websocket)
        after = int_param(websocket, "after")
        version, _ = await service_of(websocket).report(report_id)
        if after is not None and after > version:
            raise DomainError("unknown_version", f"the report has no version {after}; it is at {version}")
    except DomainError as error:
        return await close_with_error(websocket, error, CLOSE_UNKNOWN_REPORT)
    await websocket.accept()
    state = websocket.app.state
    connection = LiveConnection(websocket, service_of(websocket), state.fanout, state.presence, report_id, drafter)
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
        app.state.presence = Presence(redis_url, redis)
        await app.state.fanout.start()
        await app.state.presence.start()
        try:
            yield
        finally:
            await app.state.presence.stop()
            await app.state.fanout.stop()
            await redis.aclose()

    return Starlette(
        routes=[
            *views.routes,
            *history_views.routes,
            Route("/api/reports", create_report, methods=["POST"]),
            Route("/api/reports", list_reports, methods=["GET"]),
            Route("/api/reports/{report_id}", get_report, methods=["GET"]),
            Route("/api/reports/{report_id}/text", get_text, methods=["GET"]),
            Route("/api/reports/{report_id}/events", get_events, methods=["GET"]),
            Route("/api/reports/{report_id}/commands", post_command, methods=["POST"]),
            WebSocketRoute("/api/reports/{report_id}/live", live),
            *static.routes,
        ],
        lifespan=lifespan,
    )
