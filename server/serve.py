"""`rapporteur serve`: the app under uvicorn, on a given Redis or on an embedded one."""

import asyncio
import contextlib
import signal
import socket
from pathlib import Path
from types import FrameType

import uvicorn

from events.protocol import MAX_MESSAGE_BYTES
from server.app import create_app
from server.data_dir import DataDirectoryInUse
from server.embedded_redis import EmbeddedRedis, EmbeddedRedisError
from server.supervisor import RedisSupervisor
from server.websocket_protocol import WebSocketProtocol

# Frames up to this size reach the app, which answers `message_too_large` past
# MAX_MESSAGE_BYTES and keeps the connection; larger ones close it with 1009.
WS_MAX_FRAME_BYTES = 4 * MAX_MESSAGE_BYTES
# Live clients reconnect by themselves, so shutdown need not wait long for them.
GRACEFUL_SHUTDOWN_SECONDS = 5
# uvicorn's default.
BACKLOG = 2048


class ServeError(RuntimeError):
    """`serve` cannot start: the port is taken, the data directory in use, Redis will not run."""


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


class _Server(uvicorn.Server):
    """uvicorn's server, except that Ctrl-C or SIGTERM before it serves ends it at once.

    uvicorn only notes the signal, and reads the note once the app's start is over: while the
    start waits (on a Redis that does not answer, until redis-py gives up) both would wait."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if not self.started:
            raise SystemExit(0)
        super().handle_exit(sig, frame)


def listen(host: str, port: int) -> list[socket.socket]:
    """The service's listening sockets, bound before anything else starts (on every address
    `host` names, as asyncio would), so that a port in use ends `serve` at once, with a clear
    message and no Redis left behind, and no other program can take the port meanwhile."""
    try:
        addresses = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise ServeError(f"cannot listen on {host!r}: {error}") from None
    listeners: list[socket.socket] = []
    try:
        for family, kind, protocol, _, address in dict.fromkeys(addresses):
            listener = socket.socket(family, kind, protocol)
            listeners.append(listener)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            listener.bind(address)
            listener.listen(BACKLOG)
            listener.setblocking(False)
    except OSError as error:
        for listener in listeners:
            listener.close()
        raise ServeError(
            f"cannot listen on {public_url(host, port)}: {error.strerror or error} "
            "(is another rapporteur serve running there? give another --port)"
        ) from None
    return listeners


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
    listeners = listen(host, port)
    embedded = supervisor = None
    try:
        if redis_url is None:
            embedded = EmbeddedRedis(data_dir)
            try:
                embedded.start()
            except (EmbeddedRedisError, DataDirectoryInUse) as error:
                raise ServeError(str(error)) from None
            supervisor = RedisSupervisor(embedded).start()
            redis_url = embedded.url
            print(f"Redis ({embedded.binary}) on {redis_url}, data in {embedded.data_dir}", flush=True)
        app = create_app(
            redis_url,
            public_url=public_url(host, port),
            allowed_origins=allowed_origins,
            admin_link=admin_link,
            storage_problem=supervisor.problem if supervisor is not None else None,
        )
        config = uvicorn.Config(
            app,
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
        server = _Server(config)
        print(f"Rapporteur on {public_url(host, port)}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(server.serve(sockets=listeners))
    finally:
        for listener in listeners:
            listener.close()
        if supervisor is not None:
            supervisor.stop()
        elif embedded is not None:
            embedded.stop()
