"""How many events per second the service appends: `python -m tests.bench.append`.

It starts its own embedded Redis (append-only file, fsync on every write, in a temporary
directory) and one `rapporteur serve` process on it, and stops both at the end, even on an
error or Ctrl-C. As anyone setting up a new service would, it signs in with the
administrator's link the server prints on an empty database, and adds the drafter whose API
token every request and WebSocket below carries. Each scenario adds paragraphs to freshly
created reports, either all to one report (every append contends for the same stream) or
round-robin over many reports:

- over HTTP, by concurrent workers, each waiting for its response before the next command;
- over the live WebSocket, one connection per report (several for the single report), each
  keeping a window of commands in flight so that throughput is not bound by one round trip
  per command, under one cap on the commands in flight over all connections, so that the
  two WebSocket scenarios offer the server the same load.

An append counts once it is acknowledged. Over the WebSocket an `ack` is only sent after
the events it covers, so a scenario there ends when every connection has also received
every event of its report, in order, with no gap. At the end of each scenario the report
versions are read back over HTTP and must hold exactly the events appended.

The server refuses (`rate_limited`) a WebSocket's commands once one has sent LIVE_BURST of
them faster than LIVE_MESSAGES_PER_SECOND, and a refusal counts as an error here: keep the
commands per connection under LIVE_BURST (it says so when they are not).

It prints figures and asserts nothing about them: they depend on the machine, above all on
how long its disk takes to fsync. It exits with 1 only if a check above failed.
"""

import argparse
import asyncio
import contextlib
import json
import math
import re
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from client.live import bearer
from server.embedded_redis import EmbeddedRedis
from server.live import LIVE_BURST, LIVE_MESSAGES_PER_SECOND
from tests.bench.service import ADMIN_LINK, invited_token, signed_in_admin
from tests.processes import ServerProcess

DRAFTER = "Benchmark"
# A report starts at version 2: ReportCreated, then the ChapterAdded the paragraphs go to.
SETUP_EVENTS = 2
PARAGRAPH = (
    "The Committee took note of the report of the Secretary-General and requested the "
    "secretariat to circulate the revised draft to all delegations before the next session."
)
# Every event message starts with its envelope; the version is the first "version" in it.
_EVENT_PREFIX = '{"type":"event"'
_EVENT_VERSION = re.compile(r'"version":(\d+)')
# A connection that receives nothing for this long, with answers or events still due, has stalled.
STALL_SECONDS = 30.0


@dataclass(frozen=True)
class Report:
    id: str
    chapter_id: str


@dataclass
class Outcome:
    path: str
    reports: int
    concurrency: str
    events: int
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    verified: bool = False

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    def percentile(self, q: int) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else float("nan")
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[q - 1]


def _command_body(chapter_id: str, n: int) -> dict:
    return {
        "command_id": str(uuid.uuid4()),
        "command": {"type": "AddParagraph", "chapter_id": chapter_id, "text": f"{n}. {PARAGRAPH}"},
    }


def _assignments(reports: list[Report], events: int) -> list[Report]:
    """The report each event goes to: round-robin, so every report gets within one of the rest."""
    return [reports[n % len(reports)] for n in range(events)]


def _expected_versions(assigned: list[Report]) -> dict[str, int]:
    versions: dict[str, int] = {}
    for report in assigned:
        versions[report.id] = versions.get(report.id, SETUP_EVENTS) + 1
    return versions


async def _new_reports(http: httpx.AsyncClient, count: int, title: str) -> list[Report]:
    async def one(n: int) -> Report:
        created = await http.post("/api/reports", json={"title": f"{title} {n + 1}"})
        created.raise_for_status()
        report_id = created.json()["id"]
        chapter_id = str(uuid.uuid4())
        added = await http.post(
            f"/api/reports/{report_id}/commands",
            json={"command_id": str(uuid.uuid4()), "command": {"type": "AddChapter", "chapter_id": chapter_id, "title": "Organization of the session"}},
        )
        added.raise_for_status()
        return Report(report_id, chapter_id)

    reports: list[Report] = []
    for start in range(0, count, 20):
        reports += await asyncio.gather(*(one(n) for n in range(start, min(start + 20, count))))
    return reports


async def _verify(http: httpx.AsyncClient, outcome: Outcome, expected: dict[str, int]) -> None:
    for report_id, version in expected.items():
        response = await http.get(f"/api/reports/{report_id}")
        response.raise_for_status()
        actual = response.json()["version"]
        if actual != version:
            outcome.errors.append(f"report {report_id} is at version {actual}, expected {version}")
    outcome.verified = not outcome.errors


async def _run_http(http: httpx.AsyncClient, reports: list[Report], events: int, workers: int) -> Outcome:
    outcome = Outcome("HTTP", len(reports), f"{workers} workers", events)
    assigned = _assignments(reports, events)
    work: Iterator[tuple[int, Report]] = iter(enumerate(assigned))

    async def worker() -> None:
        # One shared iterator: a worker takes the next event as soon as it is free.
        for n, report in work:
            started = time.perf_counter()
            response = await http.post(f"/api/reports/{report.id}/commands", json=_command_body(report.chapter_id, n))
            outcome.latencies_ms.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                outcome.errors.append(f"HTTP {response.status_code}: {response.text[:200]}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    outcome.seconds = time.perf_counter() - started
    await _verify(http, outcome, _expected_versions(assigned))
    return outcome


class LiveDrafter:
    """One WebSocket connection submitting its share of the commands.

    It keeps at most `window` of its own commands unanswered, and takes a permit from
    `in_flight`, shared by every connection of the scenario, for each one.
    """

    def __init__(
        self,
        socket: ClientConnection,
        report: Report,
        numbers: list[int],
        window: int,
        in_flight: asyncio.Semaphore,
        report_total: int,
        outcome: Outcome,
    ) -> None:
        self.socket = socket
        self.report = report
        self.numbers = numbers
        self.window = asyncio.Semaphore(window)
        self.in_flight = in_flight
        self.report_total = report_total  # the version the report reaches when every drafter is done
        self.outcome = outcome
        self.sent_at: dict[str, float] = {}
        self.last_version = 0

    async def start(self) -> None:
        snapshot = json.loads(await self.socket.recv())
        if snapshot.get("type") != "snapshot":
            raise RuntimeError(f"expected a snapshot first, got {snapshot}")
        self.last_version = snapshot["version"]

    async def run(self) -> None:
        """Submit and receive until done; a failure is recorded, never raised."""
        sender = asyncio.create_task(self._send_commands())
        try:
            await self._receive()
        except TimeoutError:
            self.outcome.errors.append(
                f"{self.report.id}: stalled, {len(self.sent_at)} command(s) unanswered, events up to {self.last_version}"
            )
        except ConnectionClosed as closed:
            self.outcome.errors.append(f"{self.report.id}: connection closed ({closed}), {len(self.sent_at)} command(s) unanswered")
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                await sender
            for _ in self.sent_at:
                self.in_flight.release()

    async def _send_commands(self) -> None:
        for n in self.numbers:
            await self.window.acquire()
            await self.in_flight.acquire()
            body = _command_body(self.report.chapter_id, n)
            self.sent_at[body["command_id"]] = time.perf_counter()
            await self.socket.send(json.dumps({"type": "command", **body}))

    async def _receive(self) -> None:
        """Until every own command is answered and every event of the report has arrived."""
        answered = 0
        while answered < len(self.numbers) or self.last_version < self.report_total:
            message = await asyncio.wait_for(self.socket.recv(), STALL_SECONDS)
            if message.startswith(_EVENT_PREFIX):
                version = int(_EVENT_VERSION.search(message).group(1))
                if version != self.last_version + 1:
                    self.outcome.errors.append(f"{self.report.id}: event {version} after {self.last_version}")
                self.last_version = version
                continue
            reply = json.loads(message)
            sent = self.sent_at.pop(reply.get("command_id"), None)
            if sent is None:
                self.outcome.errors.append(f"{self.report.id}: unexpected message {message[:200]}")
                continue
            self.outcome.latencies_ms.append((time.perf_counter() - sent) * 1000)
            if reply["type"] != "ack":
                self.outcome.errors.append(f"{self.report.id}: {reply.get('code')}: {reply.get('message')}")
            answered += 1
            self.window.release()
            self.in_flight.release()


async def _run_live(
    server: ServerProcess, token: str, reports: list[Report], events: int, connections_per_report: int, window: int, in_flight: int
) -> Outcome:
    connections = len(reports) * connections_per_report
    in_flight = min(in_flight, connections * window)
    outcome = Outcome("WebSocket", len(reports), f"{connections} ws, {in_flight} in flight", events)
    assigned = _assignments(reports, events)
    expected = _expected_versions(assigned)
    numbered: dict[str, list[int]] = {report.id: [] for report in reports}
    for n, report in enumerate(assigned):
        numbered[report.id].append(n)
    permits = asyncio.Semaphore(in_flight)
    drafters: list[LiveDrafter] = []
    async with contextlib.AsyncExitStack() as stack:
        for report in reports:
            for c in range(connections_per_report):
                url = f"{server.ws_url}/api/reports/{report.id}/live"
                socket = await stack.enter_async_context(connect(url, additional_headers=bearer(token), max_size=None))
                share = numbered[report.id][c::connections_per_report]
                drafter = LiveDrafter(socket, report, share, window, permits, expected[report.id], outcome)
                await drafter.start()
                drafters.append(drafter)
        started = time.perf_counter()
        await asyncio.gather(*(drafter.run() for drafter in drafters))
        outcome.seconds = time.perf_counter() - started
    async with httpx.AsyncClient(base_url=server.url, headers=bearer(token)) as http:
        await _verify(http, outcome, expected)
    return outcome


async def _run_all(server: ServerProcess, token: str, args: argparse.Namespace) -> list[Outcome]:
    outcomes = []
    async with httpx.AsyncClient(
        base_url=server.url,
        headers=bearer(token),
        limits=httpx.Limits(max_connections=args.workers),
        timeout=60.0,
    ) as http:
        scenarios = [
            ("HTTP", 1, lambda reports: _run_http(http, reports, args.events, args.workers)),
            ("HTTP", args.reports, lambda reports: _run_http(http, reports, args.events, args.workers)),
            ("WebSocket", 1, lambda reports: _run_live(server, token, reports, args.events, args.connections, args.window, args.in_flight)),
            ("WebSocket", args.reports, lambda reports: _run_live(server, token, reports, args.events, 1, args.window, args.in_flight)),
        ]
        for path, count, run in scenarios:
            reports = await _new_reports(http, count, f"Benchmark ({path}, {count} reports)")
            print(f"{path}, {count} report(s): {args.events} events …", end=" ", flush=True)
            outcome = await run(reports)
            print(f"{outcome.seconds:.1f} s, {'verified' if outcome.verified else 'NOT VERIFIED'}", flush=True)
            for error in outcome.errors[:5]:
                print(f"  {error}", flush=True)
            outcomes.append(outcome)
    return outcomes


def _table(outcomes: list[Outcome]) -> str:
    header = ("path", "reports", "concurrency", "events", "seconds", "events/s", "p50 ms", "p99 ms", "check")
    rows = [
        (
            o.path,
            str(o.reports),
            o.concurrency,
            str(o.events),
            f"{o.seconds:.2f}",
            f"{o.rate:,.0f}",
            f"{o.percentile(50):.1f}",
            f"{o.percentile(99):.1f}",
            "verified" if o.verified else f"{len(o.errors)} error(s)",
        )
        for o in outcomes
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    left = {0, 2, 8}

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(row) for row in rows)])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.append", description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=3000, help="events appended per scenario (default 3000)")
    parser.add_argument("--quick", action="store_true", help="300 events per scenario, for a smoke run")
    parser.add_argument("--reports", type=int, default=100, help="reports in the spread scenarios (default 100)")
    parser.add_argument("--workers", type=int, default=20, help="concurrent HTTP workers (default 20)")
    parser.add_argument("--connections", type=int, default=4, help="WebSocket connections to the single report (default 4)")
    parser.add_argument("--window", type=int, default=8, help="unacknowledged commands per WebSocket (default 8)")
    parser.add_argument(
        "--in-flight", type=int, default=32,
        help="unacknowledged commands over all WebSockets of a scenario (default 32, as 4 connections x 8)",
    )
    return parser


_signals: list[int] = []


def _interrupt(signum: int, _frame: object) -> None:
    """SIGTERM while the children start: behave as Ctrl-C does."""
    _signals.append(signum)
    raise KeyboardInterrupt


def _remember(signum: int, _frame: object) -> None:
    """A signal while the event loop starts: acted on as soon as it runs."""
    _signals.append(signum)


async def _until_signal(server: ServerProcess, token: str, args: argparse.Namespace) -> list[Outcome]:
    """Run every scenario; Ctrl-C or SIGTERM cancels them and is remembered in `_signals`.

    The server shares the terminal's Ctrl-C, so requests in flight may fail because it has
    gone before the cancellation arrives: `main` counts that as the interruption it is.
    """
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, lambda signum=signum: (_signals.append(signum), task.cancel()))
    if _signals:
        raise KeyboardInterrupt
    return await _run_all(server, token, args)


def _stop(server: ServerProcess, redis: EmbeddedRedis) -> str:
    """Stop both children, ignoring further signals meanwhile; return what the server printed."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    try:
        return server.stop()
    finally:
        redis.stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.quick:
        args.events = 300
    if min(args.events, args.reports, args.workers, args.connections, args.window, args.in_flight) < 1:
        print("every number must be at least 1", file=sys.stderr)
        return 2
    per_socket = math.ceil(args.events / args.connections)
    if per_socket > LIVE_BURST:
        print(
            f"note: {per_socket} commands per WebSocket to the single report, more than the server lets one connection"
            f" send in a burst ({LIVE_BURST}, then {LIVE_MESSAGES_PER_SECOND:.0f}/s): faster than that, some are"
            " refused (rate_limited); raise --connections",
            file=sys.stderr,
        )
    signal.signal(signal.SIGTERM, _interrupt)
    with tempfile.TemporaryDirectory(prefix="rapporteur-bench-") as data_dir:
        redis = EmbeddedRedis(Path(data_dir) / "redis")
        server = ServerProcess(redis.url)
        try:
            redis.start()
            server.start()
            print(f"Rapporteur on {server.url}, Redis ({Path(redis.binary).name}, appendfsync always) in {redis.data_dir}")
            token = invited_token(signed_in_admin(server), DRAFTER)
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, _remember)
            outcomes = asyncio.run(_until_signal(server, token, args))
        except BaseException as error:
            _stop(server, redis)
            if not (_signals or isinstance(error, KeyboardInterrupt)):
                raise
            print("\ninterrupted; the server and Redis are stopped", file=sys.stderr)
            return 130
        output = _stop(server, redis)
    # Anything past the start-up banner and the administrator's link (used) is a warning or an error worth seeing.
    said = [line for line in output.splitlines() if line and not line.startswith("Rapporteur on ") and not ADMIN_LINK.match(line)]
    if said:
        print("\nserver output:", *said, sep="\n")
    print()
    print(_table(outcomes))
    print("\nLatency: HTTP, request to response; WebSocket, command sent to its ack.")
    return 0 if all(o.verified for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
