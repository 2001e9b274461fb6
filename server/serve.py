"""`rapporteur serve`: the app under uvicorn, on a given Redis or on an embedded one."""

import asyncio
import contextlib
import signal
from pathlib import Path

import uvicorn

from events.protocol import MAX_MESSAGE_BYTES
from server.app import create_app
from server.embedded_redis import EmbeddedRedis


# Frames up to this size reach the app, which answers `message_too_large` past
# MAX_MESSAGE_BYTES and keeps the connection; larger ones close it with 1009.
WS_MAX_FRAME_BYTES = 4 * MAX_MESSAGE_BYTES
# Live clients reconnect by themselves, so shutdown need not wait long for them.
GRACEFUL_SHUTDOWN_SECONDS = 5


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def serve(host: str, port: int, redis_url: str | None, data_dir: Path) -> None:
    """Serve until Ctrl-C or SIGTERM; then close connections and stop the embedded Redis."""
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
            create_app(redis_url),
            host=host,
            port=port,
            ws="websockets-sansio",
            ws_max_size=WS_MAX_FRAME_BYTES,
            lifespan="on",
            log_level="warning",
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        )
        server = uvicorn.Server(config)
        print(f"Rapporteur on http://{host}:{port}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(server.serve())
    finally:
        if embedded is not None:
            embedded.stop()
