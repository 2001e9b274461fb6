"""Co-editing under load, side by side with ShareDB: `python -m tests.bench.coediting [--peer]`.

The workload is ShareDB's own benchmark shape: C editors on one document (here: one
paragraph), each inserting 5 characters at a random position, with one operation in flight
(the next is made once the previous is acknowledged). Scenarios:

- `10`: 10 editors x 200 inserts;   `50`: 50 editors x 40 inserts;
- `mixed`: 100 reports with 3 editors each, 10 inserts per editor;
- `fanout`: 50 editors on one paragraph, 200 operations/s offered in all, 1,000 operations.

Figures per scenario: accepted operations/s, acknowledgement latency p50/p95/p99 (submit ->
ack), fan-out latency p50/p99 (submit -> received by every other editor of the document),
server CPU seconds per operation (for Rapporteur: the server process plus Redis), server peak
memory, and two checks: every editor ends with the same text as the server, holding every
insert (converged); every acknowledged operation is in the Redis stream exactly once.

Each scenario runs on a fresh service: an embedded Redis with fsync on every write, one
`rapporteur serve`. With `--peer`, the same scenarios run against ShareDB 7 with its
in-memory store and the same workload through ShareDB's own client (tests/bench/peer/
sharedb.cjs; npm installs the packages into a temporary folder: nothing of ShareDB is
committed), and the table gives the ratio Rapporteur / ShareDB for each figure.

`--idle N` also opens N idle WebSockets to one report and prints the server's memory per
connection, and the CPU they cost while idle (the recheck of their sign-in). Figures depend on the machine; nothing is asserted about them, but a run that
does not converge, or loses an acknowledged operation, makes the command exit with 1.
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import msgspec
from websockets.asyncio.client import ClientConnection, connect

from client.live import bearer, live_url
from events.text_ops import apply as apply_ops
from tests.bench.service import BenchService, cpu_seconds, memory_kib

PEER = Path(__file__).parent / "peer" / "sharedb.cjs"
PEER_PACKAGES = ["sharedb@7", "ot-text-unicode@4", "ws@8", "@teamwork/websocket-json-stream@2"]
INSERT = 5


@dataclass(frozen=True)
class Scenario:
    name: str
    docs: int
    editors: int  # per document
    ops: int  # per editor
    rate: float = 0.0  # operations/s offered over the whole run; 0: as fast as acks allow


SCENARIOS = {
    "10": Scenario("10 editors", 1, 10, 200),
    "50": Scenario("50 editors", 1, 50, 40),
    "mixed": Scenario("100 reports x 3", 100, 3, 10),
    "fanout": Scenario("fan-out 50 @200/s", 1, 50, 20, rate=200.0),
}


@dataclass
class Figures:
    ops: int
    seconds: float
    acks: list[float]
    fanout: list[float]
    cpu_seconds: float
    peak_memory_kib: int
    converged: bool
    all_stored: bool | None = None  # Rapporteur: every acknowledged op in the stream, once
    client_cpu_seconds: float | None = None  # the editors' process, sharing the machine
    redis_cpu_seconds: float | None = None  # of cpu_seconds, what Redis used
    notes: list[str] = field(default_factory=list)

    @property
    def ops_per_second(self) -> float:
        return self.ops / self.seconds

    @property
    def cpu_ms_per_op(self) -> float:
        return 1000 * self.cpu_seconds / self.ops


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _now_ms() -> float:
    return time.perf_counter() * 1000


# The server's messages, decoded only as far as the editors need.
class _Data(msgspec.Struct):
    paragraph_id: str | None = None
    revision: int = 0
    ops: list = []


class _Event(msgspec.Struct):
    version: int
    command_id: str
    type: str
    data: _Data


class _EventMessage(msgspec.Struct, tag="event", tag_field="type"):
    event: _Event


class _Ack(msgspec.Struct, tag="ack", tag_field="type"):
    command_id: str
    version: int


class _EventsMessage(msgspec.Struct, tag="events", tag_field="type"):
    events: list[_Event]
    acks: list[_Ack] = []


class _Error(msgspec.Struct, tag="error", tag_field="type"):
    code: str
    message: str
    command_id: str | None = None


class _Snapshot(msgspec.Struct, tag="snapshot", tag_field="type"):
    version: int
    report: msgspec.Raw


class _Presence(msgspec.Struct, tag="presence", tag_field="type"):
    pass


class _PresenceLeft(msgspec.Struct, tag="presence_left", tag_field="type"):
    pass


_decode = msgspec.json.Decoder(_EventMessage | _EventsMessage | _Ack | _Error | _Snapshot | _Presence | _PresenceLeft).decode
_encode = msgspec.json.Encoder().encode


class _Paragraphs(msgspec.Struct):
    id: str
    text: str
    revision: int


class _Chapter(msgspec.Struct):
    paragraphs: list[_Paragraphs]


class _Report(msgspec.Struct):
    chapters: list[_Chapter]


class _Tally:
    """What all editors of a run share: when each operation was sent, who still has to
    receive it, and the latencies measured."""

    def __init__(self) -> None:
        self.sent: dict[str, list[float]] = {}  # command id -> [time sent, receivers left]
        self.acks: list[float] = []
        self.fanout: list[float] = []
        self.acknowledged: set[str] = set()


class Editor:
    """One drafter typing into one paragraph over the live WebSocket, as lean as a client can
    be: it only keeps the paragraph's text and revision. Since it sends its next operation
    only once the previous one is acknowledged, and an ack comes after every event up to its
    version, it never holds unacknowledged text and needs no transformation of its own."""

    def __init__(self, url: str, token: str, report_id: str, paragraph_id: str, others: int, tally: _Tally) -> None:
        self.url, self.token, self.report_id, self.paragraph_id = url, token, report_id, paragraph_id
        self.others = others
        self.tally = tally
        self.text = ""
        self.revision = 0
        self.socket: ClientConnection | None = None
        self._waiting: dict[str, asyncio.Future[None]] = {}
        self._reader: asyncio.Task[None] | None = None

    async def open(self) -> None:
        self.socket = await connect(
            live_url(self.url, self.report_id, batch=True), additional_headers=bearer(self.token), max_size=None
        )
        snapshot = _decode(await self.socket.recv(decode=False))
        assert isinstance(snapshot, _Snapshot)
        report = msgspec.json.decode(snapshot.report, type=_Report)
        paragraph = next(p for c in report.chapters for p in c.paragraphs if p.id == self.paragraph_id)
        self.text, self.revision = paragraph.text, paragraph.revision
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        if self.socket is not None:
            await self.socket.close()

    async def _read(self) -> None:
        assert self.socket is not None
        async for raw in self.socket:
            message = _decode(raw)
            if isinstance(message, _EventsMessage):
                for event in message.events:
                    self._take(event)
                for ack in message.acks:
                    self._settle(ack)
            elif isinstance(message, _EventMessage):
                self._take(message.event)
            elif isinstance(message, _Ack):
                self._settle(message)
            elif isinstance(message, _Error):
                waiting = self._waiting.pop(message.command_id or "", None)
                if waiting is not None:
                    waiting.set_exception(RuntimeError(f"{message.code}: {message.message}"))

    def _settle(self, ack: _Ack) -> None:
        waiting = self._waiting.pop(ack.command_id, None)
        if waiting is not None:
            waiting.set_result(None)

    def _take(self, event: _Event) -> None:
        if event.type != "ParagraphTextEdited" or event.data.paragraph_id != self.paragraph_id:
            return
        self.text = apply_ops(self.text, event.data.ops)
        self.revision = event.data.revision
        if event.command_id in self._waiting:
            return  # this editor's own
        entry = self.tally.sent.get(event.command_id)
        if entry is not None:
            entry[1] -= 1
            if entry[1] == 0:
                self.tally.fanout.append(_now_ms() - entry[0])
                del self.tally.sent[event.command_id]

    async def insert(self) -> None:
        """Insert 5 characters at a random position and wait for the acknowledgement."""
        assert self.socket is not None
        command_id = uuid.uuid4().hex
        position = random.randint(0, len(self.text))
        text = "".join(random.choices("abcdefghijklmnopqrstuvwxyz", k=INSERT))
        ops = [position, text] if position else [text]
        command = {"type": "EditParagraphText", "paragraph_id": self.paragraph_id, "base_revision": self.revision, "ops": ops}
        done = asyncio.get_running_loop().create_future()
        self._waiting[command_id] = done
        sent = _now_ms()
        if self.others:
            self.tally.sent[command_id] = [sent, self.others]
        await self.socket.send(_encode({"type": "command", "command_id": command_id, "command": command}).decode())
        await done
        self.tally.acks.append(_now_ms() - sent)
        self.tally.acknowledged.add(command_id)


async def _type(editors: list[Editor], scenario: Scenario) -> float:
    """Every editor types its inserts; the seconds it took."""
    started = time.perf_counter()

    async def one(index: int, editor: Editor) -> None:
        for i in range(scenario.ops):
            if scenario.rate:
                due = started + (i * len(editors) + index) / scenario.rate
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
            await editor.insert()

    await asyncio.gather(*(one(index, editor) for index, editor in enumerate(editors)))
    return time.perf_counter() - started


async def _new_paragraph(http: httpx.AsyncClient) -> tuple[str, str]:
    created = (await http.post("/api/reports", json={"title": "Benchmark"})).json()
    report_id = created["id"]
    chapter_id, paragraph_id = str(uuid.uuid4()), str(uuid.uuid4())
    for command in (
        {"type": "AddChapter", "chapter_id": chapter_id, "title": "I"},
        {"type": "AddParagraph", "chapter_id": chapter_id, "paragraph_id": paragraph_id, "text": ""},
    ):
        response = await http.post(f"/api/reports/{report_id}/commands", json={"command_id": uuid.uuid4().hex, "command": command})
        response.raise_for_status()
    return report_id, paragraph_id


async def _stored_once(http: httpx.AsyncClient, report_id: str) -> dict[str, int]:
    """How many events each command id has in the report's stream."""
    counts: dict[str, int] = {}
    after = 0
    while True:
        page = (await http.get(f"/api/reports/{report_id}/events", params={"after": after, "limit": 10_000})).json()
        if not page:
            return counts
        for event in page:
            counts[event["command_id"]] = counts.get(event["command_id"], 0) + 1
        after = page[-1]["version"]


async def _rapporteur(scenario: Scenario) -> Figures:
    with BenchService() as service:
        token = service.token("Bench editor")
        async with httpx.AsyncClient(base_url=service.url, headers=bearer(token), timeout=60) as http:
            documents = [await _new_paragraph(http) for _ in range(scenario.docs)]
            tally = _Tally()
            editors = [
                Editor(service.url, token, report_id, paragraph_id, scenario.editors - 1, tally)
                for report_id, paragraph_id in documents
                for _ in range(scenario.editors)
            ]
            for editor in editors:
                await editor.open()
            cpu_before, client_before = service.cpu_seconds(), time.process_time()
            redis_before = cpu_seconds(service.pids[1])
            with _profiled(service.pids[0], scenario):
                seconds = await _type(editors, scenario)
            client_cpu = time.process_time() - client_before
            redis_cpu = cpu_seconds(service.pids[1]) - redis_before
            deadline = time.monotonic() + 10
            while tally.sent and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            cpu = service.cpu_seconds() - cpu_before
            converged, stored = True, {}
            for d, (report_id, paragraph_id) in enumerate(documents):
                mine = editors[d * scenario.editors : (d + 1) * scenario.editors]
                report = (await http.get(f"/api/reports/{report_id}")).json()["report"]
                text = next(p["text"] for c in report["chapters"] for p in c["paragraphs"] if p["id"] == paragraph_id)
                if {e.text for e in mine} != {text} or len(text) != INSERT * scenario.editors * scenario.ops:
                    converged = False
                stored.update(await _stored_once(http, report_id))
            # Every operation acknowledged, and each acknowledged one in a stream exactly once.
            all_stored = len(tally.acknowledged) == len(editors) * scenario.ops and all(
                stored.get(command_id) == 1 for command_id in tally.acknowledged
            )
            for editor in editors:
                await editor.close()
            return Figures(
                ops=len(editors) * scenario.ops,
                seconds=seconds,
                acks=tally.acks,
                fanout=tally.fanout,
                cpu_seconds=cpu,
                peak_memory_kib=service.peak_memory_kib(),
                converged=converged,
                all_stored=all_stored,
                client_cpu_seconds=client_cpu,
                redis_cpu_seconds=redis_cpu,
            )


# `--profile DIR`: py-spy records the server process while the editors type.
PROFILE_DIR: Path | None = None


@contextlib.contextmanager
def _profiled(pid: int, scenario: Scenario) -> Iterator[None]:
    """Sample the server's stacks with py-spy (collapsed stacks, one file per scenario)."""
    if PROFILE_DIR is None:
        yield
        return
    PROFILE_DIR.mkdir(parents=True, exist_ok=True)
    output = PROFILE_DIR / f"{scenario.name.replace(' ', '-').replace('/', '')}.txt"
    spy = subprocess.Popen(
        ["py-spy", "record", "--pid", str(pid), "--format", "raw", "--rate", "1000", "--output", str(output), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)  # attached before the first operation
        yield
    finally:
        spy.send_signal(2)
        spy.wait(30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _peer_packages() -> Iterator[Path]:
    """ShareDB and its companions, installed from npm into a temporary folder."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise SystemExit("--peer needs node and npm")
    with tempfile.TemporaryDirectory(prefix="rapporteur-peer-") as folder:
        subprocess.run(
            ["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", folder, *PEER_PACKAGES],
            check=True, stdout=subprocess.DEVNULL,
        )
        yield Path(folder) / "node_modules"


def _sharedb(scenario: Scenario, modules: Path) -> Figures:
    env = {**os.environ, "NODE_PATH": str(modules)}
    port = _free_port()
    server = subprocess.Popen(["node", str(PEER), "server", str(port)], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        if server.stdout.readline().strip() != "ready":
            raise RuntimeError("the ShareDB server did not start")
        cpu_before = cpu_seconds(server.pid)
        job = {"url": f"ws://127.0.0.1:{port}", "docs": scenario.docs, "editors": scenario.editors, "ops": scenario.ops, "rate": scenario.rate}
        done = subprocess.run(["node", str(PEER), "editors", json.dumps(job)], env=env, capture_output=True, text=True, check=True, timeout=600)
        cpu = cpu_seconds(server.pid) - cpu_before
        raw = json.loads(done.stdout)
        return Figures(
            ops=raw["ops"], seconds=raw["seconds"], acks=raw["acks"], fanout=raw["fanout"], cpu_seconds=cpu,
            peak_memory_kib=memory_kib(server.pid), converged=raw["converged"],
        )
    finally:
        server.terminate()
        server.wait(10)


# How long the idle connections are left alone while the CPU they cost is measured.
IDLE_SECONDS = 10


async def _idle_connections(count: int) -> str:
    """The server's memory per idle live connection: resident memory before and after
    opening `count` WebSockets to one report (each has received its snapshot); and the CPU
    the server and Redis spend on them while they idle (the recheck of their sign-in)."""
    with BenchService() as service:
        token = service.token("Idle reader", "viewer")
        async with httpx.AsyncClient(base_url=service.url, headers=bearer(service.token("Setup"))) as http:
            report_id, _ = await _new_paragraph(http)
        server_pid, _ = service.pids
        sockets = []
        await asyncio.sleep(0.5)
        before = memory_kib(server_pid, "VmRSS")
        try:
            for _ in range(count):
                socket_ = await connect(live_url(service.url, report_id), additional_headers=bearer(token), max_size=None)
                await socket_.recv()
                sockets.append(socket_)
            await asyncio.sleep(1.0)
            after = memory_kib(server_pid, "VmRSS")
            cpu_before = service.cpu_seconds()
            await asyncio.sleep(IDLE_SECONDS)
            idle_cpu = (service.cpu_seconds() - cpu_before) / IDLE_SECONDS
        finally:
            for socket_ in sockets:
                await socket_.close()
        per = (after - before) * 1024 / count
        return (
            f"{count} idle WebSockets: server resident memory {before / 1024:.1f} -> {after / 1024:.1f} MiB, "
            f"{per / 1024:.1f} KiB per connection; server and Redis CPU while they idle {idle_cpu * 1000:.1f} ms a second"
        )


async def _open_long_report(events: int) -> str:
    """How long a report of `events` events takes to open on a server that has never seen it:
    the first `snapshot` over the live WebSocket, and GET /api/reports/{id}, then again warm.
    The history is written straight into the store, with the snapshots the service keeps."""
    import redis.asyncio as aioredis

    from server.snapshots import DEFAULT_EVERY, Snapshots
    from server.store import EventStore
    from tests.bench.history import _write

    with BenchService() as service:
        token = service.token("Reader", "viewer")
        redis = aioredis.Redis.from_url(service.redis.url)
        store = EventStore(redis)
        report_id = str(uuid.uuid4())
        try:
            print(f"writing a report of {events:,} events …", flush=True)
            await _write(redis, Snapshots(store, DEFAULT_EVERY), report_id, events, seed=7)
        finally:
            await store.aclose()
            await redis.aclose()
        lines = []
        async with httpx.AsyncClient(base_url=service.url, headers=bearer(token), timeout=120) as http:
            for when in ("cold", "warm"):
                started = time.perf_counter()
                async with connect(live_url(service.url, report_id, batch=True), additional_headers=bearer(token), max_size=None) as socket:
                    snapshot = _decode(await socket.recv(decode=False))
                opened = (time.perf_counter() - started) * 1000
                assert isinstance(snapshot, _Snapshot) and snapshot.version == events
                started = time.perf_counter()
                (await http.get(f"/api/reports/{report_id}")).raise_for_status()
                read = (time.perf_counter() - started) * 1000
                lines.append(f"{when}: live snapshot in {opened:.1f} ms, GET the report in {read:.1f} ms")
        return f"a report of {events:,} events (snapshots every {DEFAULT_EVERY}) opens: " + "; ".join(lines)


def _cells(figures: Figures) -> dict[str, float]:
    return {
        "ops/s": figures.ops_per_second,
        "ack p50 ms": percentile(figures.acks, 0.50),
        "ack p95 ms": percentile(figures.acks, 0.95),
        "ack p99 ms": percentile(figures.acks, 0.99),
        "fan-out p50 ms": percentile(figures.fanout, 0.50),
        "fan-out p99 ms": percentile(figures.fanout, 0.99),
        "CPU ms/op": figures.cpu_ms_per_op,
        "peak MiB": figures.peak_memory_kib / 1024,
    }


def _report(name: str, ours: Figures, peer: Figures | None) -> str:
    ours_cells = _cells(ours)
    peer_cells = _cells(peer) if peer else {}
    lines = [f"{name}: {ours.ops} operations"]
    header = f"  {'':<15}{'Rapporteur':>12}"
    if peer:
        header += f"{'ShareDB':>12}{'ratio':>9}"
    lines.append(header)
    for key, value in ours_cells.items():
        line = f"  {key:<15}{value:>12.1f}"
        if peer:
            theirs = peer_cells[key]
            ratio = value / theirs if theirs else float("nan")
            line += f"{theirs:>12.1f}{ratio:>8.2f}x"
        lines.append(line)
    if ours.client_cpu_seconds is not None and ours.redis_cpu_seconds is not None:
        server = ours.cpu_seconds - ours.redis_cpu_seconds
        lines.append(
            f"  (CPU per op: Rapporteur's process {1000 * server / ours.ops:.2f} ms, Redis {1000 * ours.redis_cpu_seconds / ours.ops:.2f} ms;"
            f" the editors' own process {1000 * ours.client_cpu_seconds / ours.ops:.2f} ms)"
        )
    checks = f"  converged: {'yes' if ours.converged else 'NO'}; every acknowledged op stored once: {'yes' if ours.all_stored else 'NO'}"
    if peer:
        checks += f"; ShareDB converged: {'yes' if peer.converged else 'NO'}"
    lines.append(checks)
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.coediting", description=__doc__.split("\n\n")[0])
    parser.add_argument("--peer", action="store_true", help="run ShareDB side by side (installs it from npm into a temporary folder)")
    parser.add_argument("--runs", type=int, default=1, help="repeat every scenario this many times")
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS), help="only these scenarios (repeat); default: all")
    parser.add_argument("--idle", type=int, default=0, help="also measure the memory and idle CPU of this many idle WebSockets")
    parser.add_argument("--open", type=int, default=0, metavar="EVENTS", help="also time opening a report of this many events (100000)")
    parser.add_argument("--profile", type=Path, help="record the server with py-spy into this folder (collapsed stacks)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    global PROFILE_DIR
    PROFILE_DIR = args.profile
    names = args.scenario or list(SCENARIOS)
    healthy = True
    with contextlib.ExitStack() as stack:
        modules = stack.enter_context(_peer_packages()) if args.peer else None
        for run in range(1, args.runs + 1):
            print(f"== run {run} of {args.runs}", flush=True)
            for name in names:
                scenario = SCENARIOS[name]
                ours = asyncio.run(_rapporteur(scenario))
                peer = _sharedb(scenario, modules) if modules else None
                print(_report(scenario.name, ours, peer), flush=True)
                healthy &= ours.converged and bool(ours.all_stored) and (peer is None or peer.converged)
        if args.idle:
            print(asyncio.run(_idle_connections(args.idle)), flush=True)
        if args.open:
            print(asyncio.run(_open_long_report(args.open)), flush=True)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
