"""An async client for one report, kept current over the live WebSocket.

It holds the report's projection (folded with the same `evolve` the server uses), submits
commands without waiting for the network, and survives dropped connections: it reconnects
by itself with `?after=<its version>`, so it receives every event exactly once and in
order, and resubmits every command not yet acknowledged under the same command_id, so each
takes effect exactly once. Reconnections back off: exponentially, with jitter, up to a cap,
and from the start again only after a connection that was served (a server whose Redis is
away accepts, says `redis_unavailable` and closes with 1013 at once: that is no success).
"""

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Union
from urllib.parse import urlencode

import msgspec
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from events.commands import Command
from events.envelope import UNREADABLE_EVENT, StoredEvent, decode_event, unreadable
from events.errors import CorruptEvent
from events.evolve import evolve
from events.model import Report
from events.protocol import (
    Ack,
    CommandMessage,
    Error,
    PresenceLeft,
    PresenceUpdate,
    Snapshot,
)

log = logging.getLogger(__name__)

# Close codes after which reconnecting cannot help (4500: an event of the report cannot be
# read); any other, such as 1013 "try again later", 4429 (opened too fast), 1011, 1006 or 1001,
# is retried with backoff. The `error` that names no command, said before the close, says why.
FINAL_CLOSE_CODES = {4401, 4403, 4404, 4500}
# The server's store is away: a command so answered (outcome unknown) stays pending, resent.
UNAVAILABLE = "redis_unavailable"
# A connection open this long counts as served, even if the server said nothing on it.
SERVED_AFTER_SECONDS = 2.0


class CommandRefused(Exception):
    """The server refused a command: `code` is its stable error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class _RawEventMessage(msgspec.Struct, tag="event", tag_field="type", frozen=True):
    event: msgspec.Raw


class _RawEventsMessage(msgspec.Struct, tag="events", tag_field="type", frozen=True):
    events: list[msgspec.Raw]
    acks: list[Ack] = []


_decode_message = msgspec.json.Decoder(
    Union[Snapshot, _RawEventMessage, _RawEventsMessage, Ack, Error, PresenceUpdate, PresenceLeft]
).decode
_encode = msgspec.json.Encoder().encode


def live_url(base_url: str, report_id: str, after: int | None = None, *, batch: bool = False) -> str:
    """The live WebSocket's address; `batch`: events come as `events` messages, several at once."""
    scheme, rest = base_url.rstrip("/").split("://", 1)
    query = {k: v for k, v in (("after", after), ("batch", 1 if batch else None)) if v is not None}
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest}/api/reports/{report_id}/live" + (f"?{urlencode(query)}" if query else "")


def bearer(token: str) -> dict[str, str]:
    """The header that signs a WebSocket (or any request) in with an API token."""
    return {"Authorization": f"Bearer {token}"}


class LiveReport:
    """Use as `async with LiveReport(url, report_id, token) as live: …`, with an API token."""

    def __init__(
        self,
        base_url: str,
        report_id: str,
        token: str,
        *,
        on_event: Callable[[StoredEvent], None] | None = None,
        reconnect_delay: float = 0.05,
        max_reconnect_delay: float = 2.0,
    ) -> None:
        self.base_url = base_url
        self.report_id = report_id
        self.token = token
        self.on_event = on_event
        self._listeners: list[Callable[[StoredEvent], None]] = []
        self.version = 0
        self.report: Report | None = None
        self.reconnects = 0
        self._reconnect_delay = reconnect_delay
        self._max_reconnect_delay = max_reconnect_delay
        self._pending: OrderedDict[str, tuple[bytes, asyncio.Future[Ack]]] = OrderedDict()
        # The current connection's outgoing queue, drained in order by one writer task.
        self._outbox: asyncio.Queue[bytes] | None = None
        self._ready = asyncio.Event()
        self._changed = asyncio.Condition()
        self._failure: BaseException | None = None
        self._task: asyncio.Task[None] | None = None
        self._served = False  # the current connection brought something other than an error
        self._refusal: CommandRefused | None = None  # why the server is closing the current connection

    async def __aenter__(self) -> "LiveReport":
        self._task = asyncio.create_task(self._run(), name=f"live-{self.report_id}")
        ready = asyncio.create_task(self._ready.wait())
        await asyncio.wait({ready, self._task}, return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        if self._failure is not None:
            await self.close()
            raise self._failure
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for _, future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionError("the live report was closed"))

    @property
    def unacknowledged(self) -> int:
        return len(self._pending)

    async def submit(
        self, command: Command | dict[str, Any], *, command_id: str | None = None, expected_version: int | None = None
    ) -> Ack:
        """Send a command and wait for its acknowledgement, across reconnections.

        When the ack arrives, the command's events are already in `self.report`.
        """
        future = self.send(command, command_id=command_id, expected_version=expected_version)
        return await future

    def send(
        self, command: Command | dict[str, Any], *, command_id: str | None = None, expected_version: int | None = None
    ) -> "asyncio.Future[Ack]":
        """Queue a command without waiting: the returned future resolves with its ack."""
        if isinstance(command, dict):
            command = msgspec.convert(command, Command)
        message = CommandMessage(
            command_id=command_id or str(uuid.uuid4()), command=command, expected_version=expected_version
        )
        future: asyncio.Future[Ack] = asyncio.get_running_loop().create_future()
        if self._failure is not None:
            future.set_exception(self._failure)  # stopped for good: nothing would ever answer
            return future
        payload = _encode(message)
        self._pending[message.command_id] = (payload, future)
        if self._outbox is not None:
            self._outbox.put_nowait(payload)
        return future

    def listen(self, listener: Callable[[StoredEvent], None]) -> Callable[[], None]:
        """Also call `listener` with every new event, in order, after `on_event`; returns the
        function that stops it. Like `on_event`, it runs once the event is in `self.report`."""
        self._listeners.append(listener)

        def stop() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return stop

    @property
    def failure(self) -> BaseException | None:
        """Why the live report stopped for good (a CommandRefused such as `corrupt_event`), or None."""
        return self._failure

    async def wait_for_version(self, version: int, timeout: float = 10.0) -> None:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: self.version >= version or self._failure is not None), timeout
            )
        if self.version < version and self._failure is not None:
            raise self._failure

    @staticmethod
    async def _write(socket: ClientConnection, outbox: "asyncio.Queue[bytes]") -> None:
        """Send commands in the order they were made; one lost with the socket is resent later."""
        with contextlib.suppress(ConnectionClosed):
            while True:
                await socket.send((await outbox.get()).decode())

    async def _run(self) -> None:
        delay = self._reconnect_delay
        while True:
            after = self.version if self.report is not None else None
            opened = None
            self._served, self._refusal = False, None
            try:
                async with connect(
                    live_url(self.base_url, self.report_id, after, batch=True), additional_headers=bearer(self.token), max_size=None
                ) as socket:
                    opened = time.monotonic()
                    await self._serve(socket)
            except ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd else None
                if code in FINAL_CLOSE_CODES:
                    await self._fail(self._refusal or closed)
                    return
            except (TimeoutError, OSError, InvalidHandshake) as error:
                log.info("live connection to %s failed: %s", self.report_id, error)
            except CommandRefused as refused:
                await self._fail(refused)
                return
            except CorruptEvent as damaged:
                log.error("live report %s stopped: %s", self.report_id, damaged.message)
                await self._fail(CommandRefused(damaged.code, damaged.message))
                return
            except Exception as error:  # a bug, here or in the server: stop, but never leave a caller waiting
                log.exception("live report %s stopped", self.report_id)
                await self._fail(error)
                return
            finally:
                self._outbox = None
            if self._served or (opened is not None and time.monotonic() - opened >= SERVED_AFTER_SECONDS):
                delay = self._reconnect_delay  # it was served: the next drop starts the backoff afresh
            self.reconnects += 1
            await asyncio.sleep(random.uniform(delay / 2, delay))
            delay = min(delay * 2, self._max_reconnect_delay)

    async def _fail(self, error: BaseException) -> None:
        """Stop for good: every command waiting, and every one sent from now on, fails with
        `error`, as does `wait_for_version`."""
        self._failure = error
        self._ready.set()
        for _, future in self._pending.values():
            if not future.done():
                future.set_exception(error)
        self._pending.clear()
        async with self._changed:
            self._changed.notify_all()

    async def _serve(self, socket: ClientConnection) -> None:
        outbox: asyncio.Queue[bytes] = asyncio.Queue()
        writer = asyncio.create_task(self._write(socket, outbox))
        try:
            if self.report is not None:
                await self._resume(outbox, self.version, self.report)
            async for raw in socket:
                try:
                    message = _decode_message(raw)
                except UNREADABLE_EVENT as error:  # a server that forwarded a damaged event as it is
                    raise unreadable(self.report_id, self.version + 1, error) from None
                if not isinstance(message, Error):
                    self._served = True
                if isinstance(message, _RawEventsMessage):
                    for event in message.events:
                        await self._apply_raw(event)
                    for ack in message.acks:
                        self._settle(ack.command_id, result=ack)
                elif isinstance(message, _RawEventMessage):
                    await self._apply_raw(message.event)
                elif isinstance(message, Snapshot):
                    await self._resume(outbox, message.version, message.report)
                elif isinstance(message, Ack):
                    self._settle(message.command_id, result=message)
                elif isinstance(message, (PresenceUpdate, PresenceLeft)):
                    continue  # other drafters' whereabouts: of no use to this client yet
                elif message.command_id is None:
                    # The server closes the connection next: its close code says whether to come back.
                    self._refusal = CommandRefused(message.code, message.message)
                elif message.code == UNAVAILABLE:
                    continue  # the outcome is unknown: it stays pending, resent on the next connection
                else:
                    self._settle(message.command_id, error=CommandRefused(message.code, message.message))
        finally:
            writer.cancel()
        # A closed socket ends the loop above without raising when the close was clean.
        raise socket.protocol.close_exc

    async def _resume(self, outbox: "asyncio.Queue[bytes]", version: int, report: Report) -> None:
        """Start (again) on this connection: take its state, then resend what is unacknowledged."""
        async with self._changed:
            if version >= self.version:
                self.version, self.report = version, report
            self._changed.notify_all()
        for payload, _ in self._pending.values():
            outbox.put_nowait(payload)
        self._outbox = outbox
        self._ready.set()

    async def _apply_raw(self, raw: msgspec.Raw) -> None:
        """An event as received: one this client cannot read (written by a newer server, or
        damaged) raises CorruptEvent, which stops the live report cleanly, as the server does
        when it cannot read one itself."""
        try:
            event = decode_event(raw)
        except UNREADABLE_EVENT as error:
            raise unreadable(self.report_id, self.version + 1, error) from None
        await self._apply(event)

    async def _apply(self, event: StoredEvent) -> None:
        if event.version <= self.version:
            return
        if event.version != self.version + 1:
            raise ConnectionError(f"event {event.version} arrived after {self.version}; reconnecting")
        async with self._changed:
            self.report = evolve(self.report, event)
            self.version = event.version
            self._changed.notify_all()
        if self.on_event is not None:
            self.on_event(event)
        for listener in list(self._listeners):
            listener(event)

    def _settle(self, command_id: str, *, result: Ack | None = None, error: Exception | None = None) -> None:
        entry = self._pending.pop(command_id, None)
        if entry is None or entry[1].done():
            return
        if error is not None:
            entry[1].set_exception(error)
        else:
            entry[1].set_result(result)
