"""The load driver: drafters typing over the live WebSocket, a script posting over HTTP, a
watcher on each report and a health probe, each logging into the scenario's ledger.

Every command has a unique command id and inserts a unique marker. A command not yet
acknowledged is resent with the same command id until it is: LiveReport resends by itself
after a reconnection; a command the server refused for a passing reason (Redis away, an
internal error, rate limiting) is resent by the driver, as a person would press « retry »;
the HTTP writer resends on any failure. Only the refusals in FINAL_CODES, which no resend can
change, end a command.
"""

import asyncio
import contextlib
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec
from websockets.frames import Close, Frame, Opcode

from client.api import Api, ApiError
from client.live import CommandRefused, LiveReport
from events.errors import DomainError
from events.lookup import paragraph_with_chapter
from tests.faults.ledger import Ledger, new_command
from tests.faults.observers import failure_name, probe_health, watch
from tests.faults.service import FaultService

# Refusals of the command itself, the same whenever it is sent again.
FINAL_CODES = frozenset(
    {
        "invalid_command", "unknown_command", "malformed_json", "message_too_large", "invalid_ops",
        "invalid_text", "unknown_revision", "revision_too_old", "unknown_paragraph", "unknown_chapter",
        "unknown_report", "forbidden", "unauthenticated", "chapter_adopted",
        "corrupt_event",  # the report holds a damaged entry: it refuses edits until repaired
    }
)
RETRY_SECONDS = 0.25
HTTP_TIMEOUT = 10.0
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class LiveLog(logging.Handler):
    """What LiveReport keeps to itself, from the logs: why it had to reconnect (its own log),
    and the close codes and connection-level errors the server sent it (the frames websockets
    logs at DEBUG; the watchers log under another name, so these are the editors' alone)."""

    def __init__(self, ledger: Ledger) -> None:
        super().__init__(logging.DEBUG)
        self.ledger = ledger
        self._frames = logging.getLogger("websockets.client")
        self._loggers = {logging.getLogger("client.live"): logging.INFO, self._frames: logging.DEBUG}
        self._levels = {logger: logger.level for logger in self._loggers}
        self._propagate = self._frames.propagate

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "websockets.client":
            self._frame(record)
            return
        error = record.args[-1] if isinstance(record.args, tuple) and record.args else None
        what = failure_name(error) if isinstance(error, BaseException) else _UUID.sub("…", record.getMessage())[:80]
        self.ledger.saw(f"live log: {what}")

    def _frame(self, record: logging.LogRecord) -> None:
        frame = record.args[0] if record.msg == "< %s" and isinstance(record.args, tuple) and record.args else None
        if not isinstance(frame, Frame):
            return
        if frame.opcode is Opcode.CLOSE:
            self.ledger.saw(f"live: close {Close.parse(frame.data).code if frame.data else 1005}")
        elif frame.opcode is Opcode.TEXT and frame.data.startswith(b'{"type":"error"'):
            with contextlib.suppress(msgspec.DecodeError):
                error = msgspec.json.decode(frame.data)
                if error.get("command_id") is None:  # a command's own error comes to its future
                    self.ledger.saw(f"live: connection error {error.get('code')}")

    def attach(self) -> None:
        """Listen; the frames stop here (not a record per frame for every handler above)."""
        for logger, level in self._loggers.items():
            logger.addHandler(self)
            logger.setLevel(level)
        self._frames.propagate = False

    def detach(self) -> None:
        for logger, level in self._levels.items():
            logger.removeHandler(self)
            logger.setLevel(level)
        self._frames.propagate = self._propagate


class LiveEditor:
    """A drafter typing a marker at the start of their own paragraph `rate` times a second,
    without waiting for acknowledgements (as a fast typist does on a slow line)."""

    def __init__(self, name: str, url: str, token: str, report_id: str, paragraph_id: str, ledger: Ledger) -> None:
        self.name, self.report_id, self.paragraph_id, self.ledger = name, report_id, paragraph_id, ledger
        self.live = LiveReport(url, report_id, token)
        self.closing = False
        ledger.client(name)

    async def open(self) -> None:
        await self.live.__aenter__()

    async def send_new(self) -> None:
        """Type one marker (queued at once; the ack comes to `_settled`)."""
        command_id, marker = new_command()
        revision = 0
        if self.live.report is not None:
            with contextlib.suppress(DomainError):
                revision = paragraph_with_chapter(self.live.report, self.paragraph_id)[1].revision
        command = {"type": "EditParagraphText", "paragraph_id": self.paragraph_id, "base_revision": revision, "ops": [marker]}
        self.ledger.sent(command_id, self.name, self.report_id, marker)
        self._submit(command_id, command)

    def _submit(self, command_id: str, command: dict[str, Any]) -> None:
        if self.closing:
            return
        future = self.live.send(command, command_id=command_id)
        future.add_done_callback(lambda done: self._settled(command_id, command, done))

    def _settled(self, command_id: str, command: dict[str, Any], future: "asyncio.Future[Any]") -> None:
        if future.cancelled():
            return
        error = future.exception()  # retrieved even when closing: asyncio warns of one never read
        if self.closing:
            return
        if error is None:
            self.ledger.acked(command_id, future.result().version)
        elif isinstance(error, CommandRefused):
            self.ledger.saw(f"live: error {error.code}")
            if error.code in FINAL_CODES:
                self.ledger.refuse(command_id, error.code)
            else:
                asyncio.get_running_loop().call_later(RETRY_SECONDS, self._submit, command_id, command)
        else:
            self.ledger.saw(f"live: failed {failure_name(error)}")
            self.ledger.refuse(command_id, failure_name(error))

    async def close(self) -> None:
        """Close, noting a LiveReport whose task had died (its pending commands never answered)."""
        self.closing = True
        try:
            await self.live.close()
        except Exception as error:  # the client's own task died of it
            self.ledger.saw(f"live: client task died of {failure_name(error)}")


class HttpWriter:
    """A script adding paragraphs over HTTP, one request at a time, resending each with the
    same command id until it is answered 200 (or refused for good)."""

    def __init__(self, name: str, url: str, token: str, report_id: str, chapter_id: str, ledger: Ledger) -> None:
        self.name, self.report_id, self.chapter_id, self.ledger = name, report_id, chapter_id, ledger
        self.api = Api(url, token, timeout=HTTP_TIMEOUT)
        self.give_up = asyncio.Event()
        ledger.client(name)

    async def send_new(self) -> None:
        command_id, marker = new_command()
        command = {"type": "AddParagraph", "chapter_id": self.chapter_id, "text": marker}
        self.ledger.sent(command_id, self.name, self.report_id, marker)
        while not self.give_up.is_set():
            try:
                answer = await asyncio.to_thread(self.api.submit, self.report_id, command, command_id=command_id)
            except ApiError as error:
                self.ledger.saw(f"http: {error.status} {error.code}")
                if error.code in FINAL_CODES:
                    self.ledger.refuse(command_id, error.code)
                    return
            except (OSError, ValueError) as error:  # refused, reset, timed out; a body that is not JSON
                self.ledger.saw(f"http: {failure_name(error)}")
            else:
                self.ledger.saw("http: 200")
                self.ledger.acked(command_id, answer["version"])
                return
            await asyncio.sleep(RETRY_SECONDS)


@dataclass(frozen=True)
class Desk:
    """One report as the load lays it out: a chapter, and a paragraph for each of its two
    live editors (the HTTP writer adds its own paragraphs to the chapter)."""

    report_id: str
    chapter_id: str
    paragraphs: tuple[str, str]


def _lay_out(api: Api, title: str) -> Desk:
    report_id, chapter_id = api.create_report(title), str(uuid.uuid4())
    api.submit(report_id, {"type": "AddChapter", "chapter_id": chapter_id, "title": "I"})
    paragraphs = (str(uuid.uuid4()), str(uuid.uuid4()))
    for paragraph_id in paragraphs:
        api.submit(report_id, {"type": "AddParagraph", "chapter_id": chapter_id, "paragraph_id": paragraph_id, "text": ""})
    return Desk(report_id, chapter_id, paragraphs)


class Load:
    """`await load.start()`, then clients send `rate` commands a second each until `drain()`:
    two live editors on report A and two on B, the HTTP writer on A, a watcher on each."""

    def __init__(self, service: FaultService, ledger: Ledger, rate: float) -> None:
        self.service, self.ledger, self.rate = service, ledger, rate
        self.editors: list[LiveEditor] = []
        self.writer: HttpWriter | None = None
        self.desks: list[Desk] = []
        self._sending = asyncio.Event()
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._log = LiveLog(ledger)

    async def start(self) -> None:
        url = self.service.server_url
        tokens = [await asyncio.to_thread(self.service.token, f"Drafter {n}") for n in range(6)]
        self.desks = [await asyncio.to_thread(_lay_out, Api(url, tokens[0]), f"Report {name}") for name in "AB"]
        self.editors = [
            LiveEditor(f"live {'AB'[d]}{n + 1}", url, tokens[2 * d + n], desk.report_id, desk.paragraphs[n], self.ledger)
            for d, desk in enumerate(self.desks)
            for n in range(2)
        ]
        a = self.desks[0]
        self.writer = HttpWriter("http A", url, tokens[4], a.report_id, a.chapter_id, self.ledger)
        self._log.attach()
        for editor in self.editors:
            await editor.open()
        self._sending.set()
        interval = 1 / self.rate
        self._tasks = [
            *(asyncio.create_task(self._steadily(editor.send_new, interval)) for editor in self.editors),
            asyncio.create_task(self._steadily(self.writer.send_new, interval)),
            *(asyncio.create_task(watch(url, tokens[5], desk.report_id, self.ledger, self._stopping)) for desk in self.desks),
            asyncio.create_task(probe_health(url, self.ledger, self._stopping)),
        ]

    @property
    def report_ids(self) -> tuple[str, ...]:
        return tuple(desk.report_id for desk in self.desks)

    async def _steadily(self, send: Callable[[], Awaitable[None]], interval: float) -> None:
        """Send at a steady rate, on a fixed schedule: a client held up sends at once after."""
        next_at = time.monotonic()
        while self._sending.is_set():
            await send()
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    async def drain(self, timeout: float) -> None:
        """Stop sending new commands; wait (at most `timeout`) for those in flight to be answered."""
        self._sending.clear()
        deadline = time.monotonic() + timeout
        while self.ledger.in_flight and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if self.writer is not None:
            self.writer.give_up.set()

    async def close(self) -> None:
        """Stop every client. The logs are left first: a client closing on cancellation sends
        1011 and gets it echoed, which is not something the server did."""
        self._sending.clear()
        self._stopping.set()
        self._log.detach()
        if self.writer is not None:
            self.writer.give_up.set()
        for editor in self.editors:
            await editor.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    @property
    def reconnects(self) -> int:
        return sum(editor.live.reconnects for editor in self.editors)
