"""HTTP and WebSocket routes: translate the wire to one service call, and back. Nothing else."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import redis.asyncio as aioredis
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp
from starlette.websockets import WebSocket

from events.commands import CommandEnvelope, CreateReport
from events.errors import DomainError
from events.protocol import CreateReportRequest, ReportSummary, ReportView, for_clients
from server import account_views, doctor, history_views, importing, read_jobs, static, views
from server.account_views import invite_url
from server.accounts import Accounts
from server.auth import (
    RequireSignIn,
    SignedInSocket,
    actor_in,
    actor_of,
    authenticate,
    same_origin,
    user_of,
)
from server.fanout import Fanout
from server.health import cannot_write, no_problem
from server.http import (
    JSON,
    AnswersFaults,
    asked_report,
    error_response,
    handles_domain_errors,
    in_worker,
    int_param,
    read_body,
    report_id_of,
    service_of,
)
from server.live import (
    CLOSE_CORRUPT_EVENT,
    CLOSE_FORBIDDEN,
    CLOSE_INVALID_QUERY,
    CLOSE_QUOTA_EXCEEDED,
    CLOSE_RATE_LIMITED,
    CLOSE_UNAUTHENTICATED,
    CLOSE_UNKNOWN_REPORT,
    LiveConnection,
    answers_outages,
    close_with_error,
)
from server.outage import HEALTH_TIMEOUT_SECONDS, REDIS_TIMEOUT_SECONDS, Outage
from server.presence import Presence
from server.quotas import MeterRequests, Quotas, quotas_of
from server.recheck import Recheck
from server.service import ReportService
from server.store import EventStore
from server.wire import parse
from server.workers import Workers

DEFAULT_EVENT_PAGE = 1_000
MAX_EVENT_PAGE = 10_000
REDIS_CONNECTIONS = 64


async def health(request: Request) -> Response:
    """For load balancers and tests: 200 once the service is ready (no sign-in needed), and
    only while Redis can store edits: 503 `redis_unavailable` while Redis does not answer
    within HEALTH_TIMEOUT_SECONDS (or the embedded Redis is down), 503 `redis_cannot_write`
    while its disk is full or Redis refuses writes."""
    state = request.app.state
    problem = state.storage_problem()
    if problem is None:
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS):
                problem = await cannot_write(state.service.store.redis)
        except TimeoutError:
            raise RedisTimeoutError(f"Redis did not answer within {HEALTH_TIMEOUT_SECONDS} s") from None
    if problem is not None:
        return error_response(problem)
    return JSON({"status": "ok"})


@handles_domain_errors
async def create_report(request: Request) -> Response:
    body = parse(await read_body(request), CreateReportRequest)
    service = service_of(request)
    report_id = body.report_id or service.new_id()
    actor = await actor_of(request, report_id)
    envelope = CommandEnvelope(
        command_id=body.command_id or service.new_id(),
        expected_version=0,
        command=CreateReport(title=body.title),
    )
    async with quotas_of(request).new_report(user_of(request), report_id):
        result = await service.handle(report_id, envelope, actor)
    return JSON({"id": report_id, "version": result.version, "events": result.events}, 201)


@handles_domain_errors
async def list_reports(request: Request) -> Response:
    reports = await service_of(request).reports()
    return JSON(
        [
            ReportSummary(
                id=report_id, title=about.title, version=version, adopted=about.adopted, language=about.language, damaged_at=damaged_at
            )
            for report_id, version, about, damaged_at in reports
        ]
    )


@handles_domain_errors
async def get_report(request: Request) -> Response:
    version, report = await asked_report(request)
    return JSON(ReportView(version=version, report=for_clients(report)))


@handles_domain_errors
async def get_text(request: Request) -> Response:
    _, report = await asked_report(request)
    return PlainTextResponse(await in_worker(request, read_jobs.render, "txt", read_jobs.encode_report(report)))


@handles_domain_errors
async def get_events(request: Request) -> Response:
    report_id = report_id_of(request)
    after = int_param(request, "after", 0)
    limit = min(int_param(request, "limit", DEFAULT_EVENT_PAGE) or DEFAULT_EVENT_PAGE, MAX_EVENT_PAGE)
    service = service_of(request)
    events = await service.store.read_checked(report_id, after=after, limit=limit)
    if not events:
        await service.report(report_id)  # 404 for a report that does not exist
    return JSON(b"[" + b",".join(raw for _, raw in events) + b"]")


@handles_domain_errors
async def post_command(request: Request) -> Response:
    report_id = report_id_of(request)
    envelope = parse(await read_body(request), CommandEnvelope)
    actor = await actor_of(request, report_id)
    if isinstance(envelope.command, CreateReport):  # a new report, as POST /api/reports makes
        async with quotas_of(request).new_report(user_of(request), report_id):
            return JSON(await service_of(request).handle(report_id, envelope, actor))
    return JSON(await service_of(request).handle(report_id, envelope, actor))


# Why a live connection is refused once signed in -> its close code (otherwise 4404).
_REFUSAL_CLOSE_CODES = {"invalid_query": CLOSE_INVALID_QUERY, "corrupt_event": CLOSE_CORRUPT_EVENT}


@answers_outages
async def live(websocket: WebSocket) -> None:
    """The live connection to a report, for a signed-in user, from our own site (or any
    client that is not a browser: those send no Origin)."""
    state = websocket.app.state
    try:
        if not same_origin(websocket.headers, state.allowed_origins):
            raise DomainError("forbidden", f"pages from {websocket.headers.get('origin')} may not connect here")
        user = await authenticate(websocket, changes=False)  # the origin, whatever the credentials, just above
    except DomainError as error:
        code = CLOSE_FORBIDDEN if error.code == "forbidden" else CLOSE_UNAUTHENTICATED
        return await close_with_error(websocket, error, code)
    quotas = quotas_of(websocket)
    try:
        quotas.admit_request(user)  # opening a connection costs what a request does
    except DomainError as error:
        return await close_with_error(websocket, error, CLOSE_RATE_LIMITED)
    try:
        report_id = report_id_of(websocket)
        after = int_param(websocket, "after")
        batched = int_param(websocket, "batch", 0)
        if batched not in (0, 1):
            raise DomainError("invalid_query", "?batch= is 1 (events in batches) or 0 (one message per event)")
        version, _ = await service_of(websocket).report(report_id)
        if after is not None and after > version:
            raise DomainError("unknown_version", f"the report has no version {after}; it is at {version}")
    except DomainError as error:
        return await close_with_error(websocket, error, _REFUSAL_CLOSE_CODES.get(error.code, CLOSE_UNKNOWN_REPORT))
    actor = await actor_in(websocket, user, report_id)
    try:
        closed = quotas.open_connection(user)
    except DomainError as error:
        return await close_with_error(websocket, error, CLOSE_QUOTA_EXCEEDED)
    try:
        await websocket.accept()
        signed_in = SignedInSocket(websocket, actor, user, report_id)
        connection = LiveConnection(
            websocket, service_of(websocket), state.fanout, state.presence, state.outage, report_id, signed_in, quotas,
            state.recheck, batched=batched == 1,
        )
        await connection.run(after)
    finally:
        closed()


async def _open_connections(pool: aioredis.BlockingConnectionPool, count: int) -> None:
    """Open the pool's connections now rather than in the first burst of edits, where each
    new one would cost its opening (and redis-py reads its own version from the installed
    package metadata for every connection: about a millisecond each)."""
    connections = [await pool.get_connection() for _ in range(count)]
    for connection in connections:
        await pool.release(connection)


def create_app(
    redis_url: str,
    *,
    public_url: str | None = None,
    allowed_origins: tuple[str, ...] = (),
    admin_link: bool = False,
    storage_problem: Callable[[], DomainError | None] | None = None,
) -> ASGIApp:
    """The application. `public_url`: where people reach it, for the administrator's sign-in
    link, printed when the database has no user yet (or when `admin_link` asks for a new
    one). `allowed_origins`: other sites whose pages may use a browser's session here.
    `storage_problem`: why the embedded Redis cannot store edits now (server/supervisor.py)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Blocking: past the limit, a command waits for a free connection instead of failing
        # (for REDIS_TIMEOUT_SECONDS at most). Every reply and every new connection's
        # handshake is bounded by the same time: a stalled Redis is an error, not a hang.
        pool = aioredis.BlockingConnectionPool.from_url(
            redis_url,
            max_connections=REDIS_CONNECTIONS,
            timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        await _open_connections(pool, REDIS_CONNECTIONS)
        redis = aioredis.Redis.from_pool(pool)
        store = EventStore(redis)
        app.state.outage = outage = Outage(redis)
        app.state.accounts = Accounts(redis)
        app.state.allowed_origins = allowed_origins
        app.state.storage_problem = storage_problem or no_problem
        app.state.fanout = Fanout(redis_url, store, outage)
        app.state.service = ReportService(store, local_writes=app.state.fanout)
        app.state.presence = Presence(redis_url, redis, outage)
        app.state.quotas = Quotas(redis)
        app.state.recheck = Recheck(app.state.accounts, outage)
        app.state.redis_url = redis_url
        app.state.read_budget = read_jobs.budget_seconds()
        # Renderings, checks and imports share the worker processes (none before the first use).
        app.state.workers = Workers(preload=[*read_jobs.PRELOAD, *importing.PRELOAD])
        app.state.import_seconds = importing.budget_seconds()
        await app.state.fanout.start()
        await app.state.presence.start()
        await app.state.recheck.start()
        accounts: Accounts = app.state.accounts
        invite = await accounts.first_admin_invite()
        if invite is None and admin_link:
            invite = await accounts.admin_invite()
        if invite is not None and public_url is not None:
            print(f"Sign in as the administrator (this link works once): {invite_url(public_url, invite)}", flush=True)
        try:
            yield
        finally:
            await app.state.recheck.stop()
            await app.state.workers.close()
            await app.state.presence.stop()
            await app.state.fanout.stop()
            await outage.aclose()
            await store.aclose()
            await redis.aclose()

    app = Starlette(
        routes=[
            *account_views.routes,
            *views.routes,
            *history_views.routes,
            *doctor.routes,
            Route("/api/health", health, methods=["GET"]),
            Route("/api/reports", create_report, methods=["POST"]),
            Route("/api/reports", list_reports, methods=["GET"]),
            Route("/api/reports/{report_id}", get_report, methods=["GET"]),
            Route("/api/reports/{report_id}/text", get_text, methods=["GET"]),
            Route("/api/reports/{report_id}/events", get_events, methods=["GET"]),
            Route("/api/reports/{report_id}/commands", post_command, methods=["POST"]),
            WebSocketRoute("/api/reports/{report_id}/live", live),
            *static.routes,
        ],
        # Faults first: the sign-in check reads Redis too.
        middleware=[Middleware(AnswersFaults), Middleware(RequireSignIn), Middleware(MeterRequests)],
        lifespan=lifespan,
    )
    # Outside Starlette's own error handler, so that even a 500 carries the headers.
    return static.SecurityHeaders(app)
