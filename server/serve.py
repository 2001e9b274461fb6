"""`rapporteur serve`: the app under uvicorn, on a given Redis or on an embedded one."""

import asyncio
import contextlib
import signal
from pathlib import Path

import uvicorn

from events.protocol import MAX_MESSAGE_BYTES
from server.app import create_app
from server.embedded_redis import EmbeddedRedis
from server.websocket_protocol import WebSocketProtocol

# Frames up to this size reach the app, which answers `message_too_large` past
# MAX_MESSAGE_BYTES and keeps the connection; larger ones close it with 1009.
WS_MAX_FRAME_BYTES = 4 * MAX_MESSAGE_BYTES
# Live clients reconnect by themselves, so shutdown need not wait long for them.
GRACEFUL_SHUTDOWN_SECONDS = 5


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def public_url(host: str, port: int) -> str:
    """Where a browser on this machine reaches a server listening on host:port."""
    shown = "localhost" if host in ("0.0.0.0", "::", "") else f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def serve(
    host: str,
    port: int,
    redis_url: str | None,
    data_dir: Path,
    allowed_origins: tuple[str, ...] = (),
    admin_link: bool = False,
) -> None:
    """Serve until Ctrl-C or SIGTERM; then close connections and stop the embedded Redis.

    On a database without users, the first administrator is created and a one-time sign-in
    link printed; `admin_link` prints a new one for an existing administrator (a lost link)."""
    # uvicorn handles the signal gracefully, then raises it again once done: this makes
    # that second SIGTERM unwind through `finally` instead of killing the embedded Redis's parent.
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    embedded = None
    if redis_url is None:
        embedded = EmbeddedRedis(data_dir).start()
        redis_url = embedded.url
        print(f"Redis ({embedded.binary}) on {redis_url}, data in {data_dir.resolve()}", flush=True)
    try:
        config = uvicorn.Config(
            create_app(redis_url, public_url=public_url(host, port), allowed_origins=allowed_origins, admin_link=admin_link),
            host=host,
            port=port,
            ws=WebSocketProtocol,
            ws_max_size=WS_MAX_FRAME_BYTES,
            # Events are small and mostly unique: compressing them costs more CPU than it
            # saves bytes, and each connection's deflate state holds tens of KiB.
            ws_per_message_deflate=False,
            lifespan="on",
            log_level="warning",
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        )
        server = uvicorn.Server(config)
        print(f"Rapporteur on {public_url(host, port)}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(server.serve())
    finally:
        if embedded is not None:
            embedded.stop()
