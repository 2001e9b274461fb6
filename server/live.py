"""One live WebSocket connection to a report.

Two tasks share the socket. The sender writes the report's events in order (from the
process's fan-out) and releases each acknowledgement only once the events it refers to have
been written, so a client that sees `ack` for version V already holds version V. The
receiver reads commands, hands them to the same service call as HTTP, and answers bad input
with an `error` message while the connection stays open.

A third task serves replays: a client that asks for a range of past events gets them in pages,
read from the store one page at a time and sent between the live messages. Replays of one
connection are served one after another, in the order they were asked for.

The user's sign-in and role are not checked here on each message: the process's recheck
(server/recheck.py) keeps them current, and closes the connection once they no longer hold.
"""

import asyncio
import contextlib
import functools
import logging
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import msgspec
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from events.errors import CorruptEvent, DomainError
from events.protocol import (
    Ack,
    ClientMessage,
    Error,
    PresenceMessage,
    PresenceUpdate,
    ReplayMessage,
    ReplayPage,
    ReplayRefused,
    Snapshot,
    event_message_bytes,
    events_message_bytes,
    for_clients,
)
from server.auth import SignedInSocket
from server.fanout import Fanout, Subscription
from server.limits import RateLimit
from server.outage import REDIS_DOWN, Outage, unavailable
from server.presence import Presence
from server.quotas import Quotas
from server.recheck import Recheck
from server.service import CommandResult, ReportService
from server.wire import UNREADABLE, command_id_of, parse

log = logging.getLogger(__name__)
_encode = msgspec.json.Encoder().encode


class _Whose(msgspec.Struct):
    connection_id: str


_whose = msgspec.json.Decoder(_Whose).decode

CLOSE_UNKNOWN_REPORT = 4404
CLOSE_INVALID_QUERY = 4400
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
# Past a per-user limit (server/quotas.py): the live connections open (4403, as HTTP's 403
# `quota_exceeded`: waiting does not help), or connections opened too fast (4429, as 429).
CLOSE_QUOTA_EXCEEDED = 4403
CLOSE_RATE_LIMITED = 4429
# A stored event of the report cannot be read (`corrupt_event`): reconnecting will not help.
CLOSE_CORRUPT_EVENT = 4500
# RFC 6455 "try again later": Redis is away (`redis_unavailable`, server/outage.py).
CLOSE_TRY_AGAIN_LATER = 1013
# RFC 6455 "policy violation": a client that keeps flooding after being told to slow down.
CLOSE_FLOODING = 1008
# Per connection: messages a client may send each second, and in one burst, before its
# messages are refused with `rate_limited`; past MAX_REFUSED_IN_A_ROW refusals without a
# pause it is disconnected. A drafter types a few operations a second; a client replaying
# its offline work sends a burst.
LIVE_MESSAGES_PER_SECOND = 500.0
# How long a connection's end waits for a cancelled task before cancelling it again.
STOP_RECANCEL_SECONDS = 0.1
LIVE_BURST = 1_000
MAX_REFUSED_IN_A_ROW = 200
# Refusals count as "in a row" until the client sends nothing refused for this long.
FLOOD_PAUSE_SECONDS = 1.0
CLOSE_INTERNAL_ERROR = 1011
# How long a flooding client's accepted commands may take to be answered before it is closed.
ANSWER_TIMEOUT_SECONDS = 10.0
# A refused replay's request_id is named in the error only if it could be a valid one.
MAX_REQUEST_ID = 128


@dataclass(frozen=True)
class _Submitted:
    """A command handed to the service, to be answered once its result comes."""

    command_id: str
    raw: bytes
    result: "asyncio.Future[CommandResult]"


async def _stopped(task: "asyncio.Task[Any]") -> None:
    """Cancel `task` and wait for its end, cancelling it again until it ends: a cancellation
    can be lost beneath it (seen: the sender of a closed connection, cancelled, found waiting
    for the fan-out's next batch for good, with the connection's quota slot, its recheck and
    its tasks), and a connection's end must not wait on a task that no longer ends."""
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=STOP_RECANCEL_SECONDS)
    if not task.cancelled():
        task.exception()  # retrieved: what a cancelled helper raised on its way out is no news


class LiveConnection:
    def __init__(
        self,
        websocket: WebSocket,
        service: ReportService,
        fanout: Fanout,
        presence: Presence,
        outage: Outage,
        report_id: str,
        signed_in: SignedInSocket,
        quotas: Quotas,
        recheck: Recheck,
        *,
        batched: bool = False,
    ) -> None:
        self.websocket = websocket
        self.service = service
        self.fanout = fanout
        self.presence = presence
        self.outage = outage
        self.report_id = report_id
        self.signed_in = signed_in
        self.quotas = quotas
        self.recheck = recheck
        self.batched = batched
        self._rate = RateLimit(LIVE_MESSAGES_PER_SECOND, LIVE_BURST)
        self._refused_in_a_row = 0
        self._last_refused = float("-inf")
        self.connection_id = str(uuid.uuid4())
        self._send_lock = asyncio.Lock()
        self._sent_version = 0
        self._pending_acks: list[Ack] = []
        self._expected: set[str] = set()  # commands whose ack is already waiting for their events
        self._taken_version = 0  # the last event taken from the subscription to be sent
        self._replays: asyncio.Queue[ReplayMessage] = asyncio.Queue()
        self._answers: deque[bytes | _Submitted] = deque()  # what each message is answered, in order
        self._sending: set[asyncio.Task[None]] = set()  # answers on their way
        self._failure: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._ended: asyncio.Future[None] = asyncio.get_running_loop().create_future()  # closed by the server
        self._signed_out: DomainError | None = None  # why the sign-in no longer holds
        self._ending: asyncio.Task[None] | None = None
        # Other drafters' latest whereabouts not yet sent, by their connection, oldest first.
        self._presence_out: dict[str, bytes] = {}
        self._presence_sender: asyncio.Task[None] | None = None

    async def _send(self, message: bytes) -> None:
        await self.websocket.send_text(message.decode())

    async def run(self, after: int | None) -> None:
        """Serve the connection until the client leaves, or its sign-in no longer holds."""
        self.recheck.watch(self)
        try:
            if after is None:
                version, report = await self.service.report(self.report_id)
                await self._send(_encode(Snapshot(version=version, report=for_clients(report))))
                after = version
            self._sent_version = self._taken_version = after
            subscription = await self.fanout.subscribe(self.report_id, after)
            try:
                others = await self.presence.join(self.report_id, self.connection_id, self._forward_presence)
                for update in others:
                    await self._forward_presence(_encode(update))
                await self._serve(subscription)
            finally:
                subscription.close()  # also when Redis failed before the connection was served
                with contextlib.suppress(Exception):
                    await self.presence.leave(self.report_id, self.connection_id)
        finally:
            self.recheck.forget(self)
            for task in (self._ending, self._presence_sender):
                if task is not None:
                    task.cancel()  # ended otherwise meanwhile: nothing more to say

    def signed_out(self, error: DomainError) -> None:
        """The user was revoked or signed out: nothing more they send is applied; once what
        was accepted before is answered, send them `error`, close with 4401, and stop serving
        (the others see them leave), whether the client is speaking or not."""
        if self._ending is None:
            self._signed_out = error
            self._ending = asyncio.get_running_loop().create_task(self._end(error, CLOSE_UNAUTHENTICATED))

    async def _end(self, error: DomainError, close_code: int) -> None:
        # A client that reads nothing (the send lock held by a blocked send) is closed all the same.
        with contextlib.suppress(Exception):
            async with asyncio.timeout(ANSWER_TIMEOUT_SECONDS):
                await self._answered()
                async with self._send_lock:
                    await close_with_error(self.websocket, error, close_code)
        if not self._ended.done():
            self._ended.set_result(None)

    async def _serve(self, subscription: Subscription) -> None:
        with subscription:
            sender = asyncio.create_task(self._send_events(subscription))
            receiver = asyncio.create_task(self._receive_commands())
            replayer = asyncio.create_task(self._serve_replays())
            done, pending = await asyncio.wait(
                {sender, receiver, replayer, self._failure, self._ended}, return_when=asyncio.FIRST_COMPLETED
            )
            if not self._failure.done():
                self._failure.cancel()  # the connection is over: answers still to come are dropped
            if not self._ended.done():
                self._ended.cancel()
            for task in (*pending, *self._sending):
                await _stopped(task)
            failures = [task.exception() for task in done if task.exception() is not None]
            if failures and (refusal := unavailable(failures[0])) is not None:
                # Redis is away: the client is told, and comes back later (1013) with ?after=.
                self.outage.lost(failures[0])
                await close_with_error(self.websocket, refusal, CLOSE_TRY_AGAIN_LATER)
            elif failures:
                log.error("live connection to %s failed", self.report_id, exc_info=failures[0])
                with contextlib.suppress(Exception):
                    await self.websocket.close(code=CLOSE_INTERNAL_ERROR, reason="server_error")

    async def _send_events(self, subscription: Subscription) -> None:
        while True:
            try:
                batch = await subscription.next_batch()
            except CorruptEvent as damaged:
                await self._close_damaged(damaged)
                return
            last = self._taken_version = batch[-1][0]
            async with self._send_lock:
                ready = [ack for ack in self._pending_acks if ack.version <= last]
                self._pending_acks = [ack for ack in self._pending_acks if ack.version > last]
                if self.batched:
                    # The acks these events complete travel in the same message, after them.
                    await self._send(events_message_bytes([raw for _, raw in batch], [_encode(ack) for ack in ready]))
                else:
                    for _, raw in batch:
                        await self._send(event_message_bytes(raw))
                    for ack in ready:
                        await self._send(_encode(ack))
                self._sent_version = last

    async def _close_damaged(self, damaged: CorruptEvent) -> None:
        """The next event cannot be read: nothing after it can be sent, in order, without a
        gap. The client is told which version, with every event before it sent, and the
        connection closed with a code that says reconnecting will not help."""
        log.warning("live connection to %s closed: %s", self.report_id, damaged.message)
        async with self._send_lock:
            await close_with_error(self.websocket, damaged, CLOSE_CORRUPT_EVENT)

    def _expect(self, result: CommandResult) -> None:
        """The command's events are stored and about to be handed on: its ack goes out with
        them (called before they reach this connection, so it can never come too late)."""
        if result.version <= self._taken_version:
            return  # its events are on their way already (read back from Redis first): acked after them as usual
        command_id = result.events[-1].command_id
        self._expected.add(command_id)
        self._pending_acks.append(Ack(command_id=command_id, version=result.version))

    async def _acknowledge(self, ack: Ack) -> None:
        async with self._send_lock:
            if ack.version <= self._sent_version:
                await self._send(_encode(ack))
            else:
                self._pending_acks.append(ack)

    async def _forward_presence(self, raw: bytes) -> None:
        """Another drafter's whereabouts, to this client (never its own). Never waits: the
        process's one presence relay serves every report and must not wait for a client that
        reads slowly (or not at all); only each drafter's latest whereabouts wait meanwhile."""
        whose = _whose(raw).connection_id
        if whose == self.connection_id:
            return
        self._presence_out.pop(whose, None)  # the latest goes last, after those waiting longer
        self._presence_out[whose] = raw
        if self._presence_sender is None:
            self._presence_sender = asyncio.get_running_loop().create_task(self._send_presence())

    async def _send_presence(self) -> None:
        """Send the whereabouts waiting, one at a time. A client gone meanwhile is the
        receiver's to notice, not an error of this task's."""
        try:
            with contextlib.suppress(Exception):
                while self._presence_out:
                    raw = self._presence_out.pop(next(iter(self._presence_out)))
                    async with self._send_lock:
                        await self._send(raw)
        finally:
            self._presence_sender = None

    async def _receive_commands(self) -> None:
        while True:
            message = await self.websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            raw = message.get("bytes") or (message.get("text") or "").encode()
            refused = self._over_the_rate(raw)
            if refused is not None:
                self._refused_in_a_row += 1
                self._last_refused = time.monotonic()
                if self._refused_in_a_row > MAX_REFUSED_IN_A_ROW:
                    await self._answered()  # what was accepted is acknowledged first
                    async with self._send_lock:
                        await self.websocket.close(code=CLOSE_FLOODING, reason="rate_limited")
                    return
                self._answer(_error_message(raw, refused))
                continue
            if time.monotonic() - self._last_refused >= FLOOD_PAUSE_SECONDS:
                self._refused_in_a_row = 0  # the client slowed down: forgiven
            if self._signed_out is not None:
                self._answer(_error_message(raw, self._signed_out))
                continue
            actor = self.signed_in.actor
            try:
                command = parse(raw, ClientMessage)
                if isinstance(command, PresenceMessage):
                    await self.presence.update(
                        PresenceUpdate(
                            report_id=self.report_id,
                            connection_id=self.connection_id,
                            drafter=actor.id,
                            name=self.signed_in.user.name,
                            paragraph_id=command.paragraph_id,
                            cursor=command.cursor,
                        )
                    )
                    continue
                if isinstance(command, ReplayMessage):
                    await self._check_replay(command)
                    self._replays.put_nowait(command)
                    continue
                submitted = self.service.submit(
                    self.report_id, command.command_id, [command.command], actor, command.expected_version, self._expect
                )
            except DomainError as error:
                self._answer(_error_message(raw, error))
                continue
            # The next message is read at once; this one is answered when its result comes.
            self._answer(_Submitted(command.command_id, raw, submitted))
            submitted.add_done_callback(self._answer_in_turn)

    def _over_the_rate(self, raw: bytes) -> DomainError | None:
        """`rate_limited` past this connection's message rate, or past its user's budget of
        bytes written (shared with their HTTP requests); None if the message may be read."""
        if not self._rate.allow():
            return DomainError("rate_limited", f"at most {LIVE_MESSAGES_PER_SECOND:.0f} messages a second: this one was not applied; send it again later")
        try:
            self.quotas.admit_message(self.signed_in.user, len(raw))
        except DomainError as error:
            return error
        return None

    def _answer(self, answer: "bytes | _Submitted") -> None:
        """Answer a message, after the answers to the messages before it: the client gets
        the errors (and the acks that do not travel with their events) in the order it sent
        the messages."""
        self._answers.append(answer)
        self._answer_in_turn()

    def _answer_in_turn(self, _: object = None) -> None:
        """Send the answers that are due, from the oldest, up to the first command still
        being decided or appended. An ack already sent with its events needs nothing more; a
        failure of the service itself (Redis is gone) ends the connection, as it would have
        ended the receiver."""
        while self._answers and not self._failure.done():
            answer = self._answers[0]
            if isinstance(answer, bytes):
                self._later(self._send_locked(answer))
            elif not answer.result.done():
                return
            elif answer.result.cancelled():
                pass
            elif (error := answer.result.exception()) is None:
                if answer.command_id in self._expected:
                    self._expected.discard(answer.command_id)  # acknowledged with its events
                else:
                    self._later(self._acknowledge(Ack(command_id=answer.command_id, version=answer.result.result().version)))
            elif isinstance(error, DomainError):
                self._later(self._send_locked(_error_message(answer.raw, error)))
            elif (refusal := unavailable(error)) is not None:
                self._later(self._refuse_then_end(_error_message(answer.raw, refusal), error))
            elif not self._failure.done():
                self._failure.set_exception(error)
            self._answers.popleft()

    async def _refuse_then_end(self, refusal: bytes, error: BaseException) -> None:
        """A command Redis did not answer: its `redis_unavailable` error (resend it) goes out
        after the answers before it; then the connection ends, closed with 1013."""
        try:
            await self._send_locked(refusal)
        finally:
            if not self._failure.done():
                self._failure.set_exception(error)

    async def _answered(self) -> None:
        """Until every message received so far is answered (or ANSWER_TIMEOUT_SECONDS)."""
        waiting = [answer.result for answer in self._answers if isinstance(answer, _Submitted)]
        if waiting:
            await asyncio.wait(waiting, timeout=ANSWER_TIMEOUT_SECONDS)
        if self._sending:
            await asyncio.wait(set(self._sending), timeout=ANSWER_TIMEOUT_SECONDS)

    def _later(self, answer: Coroutine[Any, Any, None]) -> None:
        """Send from a callback: in a task; tasks take the send lock first come, first served.
        A client gone meanwhile is the receiver's to notice, not an error of the answer's."""

        async def send() -> None:
            with contextlib.suppress(Exception):
                await answer

        task = asyncio.get_running_loop().create_task(send())
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send_locked(self, message: bytes) -> None:
        async with self._send_lock:
            await self._send(message)

    async def _check_replay(self, request: ReplayMessage) -> None:
        if request.from_version > request.to_version:
            raise DomainError(
                "invalid_query", f"from_version ({request.from_version}) is after to_version ({request.to_version})"
            )
        version = await self.service.store.version(self.report_id)
        if request.to_version > version:
            raise DomainError("unknown_version", f"the report has no version {request.to_version}; it is at {version}")

    async def _serve_replays(self) -> None:
        while True:
            request = await self._replays.get()
            try:
                await self._replay(request)
            except CorruptEvent as damaged:  # the pages before it were sent: the replay ends there
                refused = ReplayRefused(request_id=request.request_id, code=damaged.code, message=damaged.message)
                async with self._send_lock:
                    await self._send(_encode(refused))

    async def _replay(self, request: ReplayMessage) -> None:
        """Send the events after `from_version` up to `to_version`, one page read at a time.

        Each page is sent under the send lock, so it never splits a live message, and the lock
        is released between pages, so live events and acks keep flowing during a long replay.
        """
        after = request.from_version
        while True:
            events = await self.service.store.read_checked(
                self.report_id, after=after, upto=request.to_version, limit=request.page_size
            )
            last = events[-1][0] if events else request.to_version
            page = ReplayPage(
                request_id=request.request_id,
                from_version=after,
                to_version=last,
                events=[msgspec.Raw(raw) for _, raw in events],
                done=last >= request.to_version,
            )
            async with self._send_lock:
                await self._send(_encode(page))
            if page.done:
                return
            after = last


def _error_message(raw: bytes, error: DomainError) -> bytes:
    """The `error` for a message refused: naming its command, or the replay it asked for."""
    try:
        message = msgspec.json.decode(raw)
    except UNREADABLE:
        message = None
    if isinstance(message, dict) and message.get("type") == "replay":
        request_id = message.get("request_id")
        named = isinstance(request_id, str) and len(request_id) <= MAX_REQUEST_ID
        return _encode(ReplayRefused(request_id=request_id if named else None, code=error.code, message=error.message))
    return _encode(Error(command_id=command_id_of(raw), code=error.code, message=error.message))


def _refusal(error: DomainError) -> bytes:
    """The `error` that says why a connection is refused or closed (it names no command)."""
    return _encode(Error(command_id=None, code=error.code, message=error.message))


async def close_with_error(websocket: WebSocket, error: DomainError, close_code: int) -> None:
    """Refuse or end a connection: say why in an `error` message, then close with
    `close_code`. A connection not yet accepted is accepted first, so that the client can read
    why. A client already gone is no error (Starlette says so with RuntimeError, uvicorn OSError)."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
        if websocket.application_state == WebSocketState.CONNECTING:
            await websocket.accept()
        await websocket.send_text(_refusal(error).decode())
        await websocket.close(code=close_code, reason=error.code)


def answers_outages(endpoint: Callable[[WebSocket], Awaitable[None]]) -> Callable[[WebSocket], Awaitable[None]]:
    """A WebSocket endpoint that meets a lost or stalled Redis before its connection is served
    (signing in, reading the report, subscribing): the client gets an `error`
    `redis_unavailable`, then the close code 1013, and the outage is noted once."""

    @functools.wraps(endpoint)
    async def wrapper(websocket: WebSocket) -> None:
        try:
            await endpoint(websocket)
        except REDIS_DOWN as error:
            refusal = unavailable(error)
            assert refusal is not None
            websocket.app.state.outage.lost(error)
            await close_with_error(websocket, refusal, CLOSE_TRY_AGAIN_LATER)

    return wrapper
