"""What the load's observers see: a bare WebSocket on each report, and the health probe.

LiveReport keeps close codes and connection-level errors to itself; a watcher reports them as
a bare client gets them, reconnecting after each with `?after=` like LiveReport does.
"""

import asyncio
import contextlib
import logging
import urllib.error

import httpx
import msgspec
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from client.live import FINAL_CLOSE_CODES, bearer, live_url
from tests.faults.ledger import Ledger

HEALTH_EVERY = 0.5
# Not websockets.client: the frames logged under that name are the editors' (load.LiveLog).
WATCH_LOG = logging.getLogger("tests.faults.watch")


def failure_name(error: BaseException) -> str:
    """A short, stable name for what a client saw fail: the kind, and the HTTP status if any."""
    if isinstance(error, urllib.error.URLError) and isinstance(error.reason, BaseException):
        error = error.reason
    if isinstance(error, InvalidStatus):
        return f"handshake {error.response.status_code}"
    if isinstance(error, ConnectionClosed):
        return f"close {error.rcvd.code}" if error.rcvd else "close 1006 (no close frame)"
    return type(error).__name__


async def watch(url: str, token: str, report_id: str, ledger: Ledger, stopping: asyncio.Event) -> None:
    """A bare live connection that only listens, reporting every error message and close code
    (LiveReport keeps those to itself), and reconnecting after each with `?after=`."""
    version: int | None = None
    delay = 0.1
    while not stopping.is_set():
        try:
            async with connect(
                live_url(url, report_id, version, batch=True),
                additional_headers=bearer(token),
                max_size=None,
                open_timeout=5,
                logger=WATCH_LOG,
            ) as socket:
                delay = 0.1
                async for raw in socket:
                    version = _watched(raw, version, ledger)
            ledger.saw(f"watch: close {socket.close_code}")
        except ConnectionClosed as closed:
            ledger.saw(f"watch: {failure_name(closed)}")
            if closed.rcvd is not None and closed.rcvd.code in FINAL_CLOSE_CODES:
                return  # as LiveReport does: reconnecting cannot help
        except (OSError, TimeoutError, InvalidHandshake) as error:
            ledger.saw(f"watch: {failure_name(error)}")
        if stopping.is_set():
            return
        ledger.saw("watch: reconnect")
        await asyncio.sleep(delay)
        delay = min(2 * delay, 2.0)


def _watched(raw: str | bytes, version: int | None, ledger: Ledger) -> int | None:
    """The version after one live message; error messages and unreadable ones are noted."""
    try:
        message = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        ledger.saw("watch: unreadable message")
        return version
    kind = message.get("type") if isinstance(message, dict) else None
    if kind == "snapshot":
        return message.get("version", version)
    if kind == "error":
        ledger.saw(f"watch: error {message.get('code')}")
    events = message.get("events", []) if kind == "events" else [message.get("event")] if kind == "event" else []
    for event in events:
        if isinstance(event, dict) and isinstance(event.get("version"), int):
            version = event["version"]
    return version


async def probe_health(url: str, ledger: Ledger, stopping: asyncio.Event) -> None:
    """GET /api/health twice a second, as a load balancer would."""
    async with httpx.AsyncClient(base_url=url, timeout=2.0) as http:
        while not stopping.is_set():
            try:
                answer = str((await http.get("/api/health")).status_code)
            except httpx.HTTPError as error:
                answer = type(error).__name__
            ledger.saw(f"health{' during fault' if ledger.during_fault else ''}: {answer}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), HEALTH_EVERY)
