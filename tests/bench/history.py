"""How fast the report at any version loads on long histories: `python -m tests.bench.history`.

It starts its own embedded Redis in a temporary directory (stopped at the end, even on an
error or Ctrl-C) and writes reports of 100,000 and 1,000,000 events straight into the store:
the seed draft (tests/events/data/seed_fr.txt) imported, then drafted by five people, mostly
keystrokes (`ParagraphTextEdited`, one event each, in bursts of a word typed or a few
characters erased at one place) in the few dozen paragraphs of the report, with now and then
a paragraph added or pasted over, a placeholder filled, a statement or a participant recorded.
Every event is one that `decide` accepts: it is generated on the state folded so far, then
folded in turn. Events go in by pipelined XADD, in the store's format, with a snapshot at every
multiple of N as the service would write it; the command-id hash, which only serves retries,
is not written.

The load is not what is measured, so Redis is told not to persist it (`appendonly no`): the
reads below do not touch the disk. Then, for each report, it prints:

- the time to load the report at random versions through `ReportService.report(at=V)`, in a
  service with nothing in memory, with snapshots (and at the worst versions, just below a
  multiple of N) and without (for the longest report only a few versions);
- where that time goes with snapshots: the snapshot read and decoded, the XRANGE, decoding
  the events, folding them;
- the events per second of a full replay (read, decode, fold);
- the time to find the version of a `?at_time=` (a binary search over the stream);
- what the stream and the snapshots take in Redis.

The targets, with snapshots: any version in 20 ms at 100,000 events, 50 ms at 1,000,000.
It asserts nothing about the figures; it exits with 1 if a loaded report differs from the
same version loaded without snapshots.
"""

import argparse
import asyncio
import gc
import random
import resource
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis.asyncio as aioredis

from events import catalogue as ev
from events.catalogue import Event, event_type
from events.commands import (
    AddParagraph,
    AddParticipant,
    Command,
    FillPlaceholder,
    RecordStatement,
    ReplaceParagraphText,
)
from events.decide import decide_all
from events.envelope import StoredEvent, decode_event, encode_event
from events.errors import DomainError
from events.evolve import apply, evolve
from events.importer import import_draft
from events.model import LIST_MARK, Report
from events.placeholders import report_placeholders
from events.text_ops import Delete, Op
from server.embedded_redis import EmbeddedRedis
from server.keys import REPORT_INDEX, events_key, snapshots_key
from server.service import ReportService
from server.snapshots import DEFAULT_EVERY, Snapshots, decode_snapshot
from server.store import EventStore

SEED = Path(__file__).resolve().parent.parent / "events" / "data" / "seed_fr.txt"
# The secretariat and four drafters, recorded as the service records actors: by user id.
DRAFTERS = tuple(str(uuid.uuid5(uuid.NAMESPACE_URL, f"rapporteur-bench:{name}")) for name in ("secretariat", "rapporteur", "alice", "bruno", "chiara"))
SECRETARIAT = DRAFTERS[0]
WORDS = (
    "la", "le", "les", "des", "Conférence", "Comité", "Groupe de travail", "a pris note", "du rapport",
    "recommandation", "délégations", "session", "a souligné", "l’importance", "de la coopération",
    "internationale", "[date]", "[…]", "« onzième »", "Secrétariat", "États parties",
)
COUNTRIES = ("Argentine", "Arménie", "Brésil", "Canada", "Chine", "Égypte", "France", "Inde", "Japon", "Kenya", "Mexique", "Pakistan")
# The report's paragraphs, statements and participants stop growing there, as a meeting's do.
MAX_PARAGRAPHS, MAX_STATEMENTS, MAX_PARTICIPANTS = 48, 300, 120
BATCH = 2_000  # events per pipeline


def _new_id() -> str:
    return str(uuid.uuid4())


class Drafting:
    """The events of one long drafting session, generated on the state folded so far."""

    def __init__(self, report_id: str, rng: random.Random, start: datetime) -> None:
        self.report_id = report_id
        self.rng = rng
        self.clock = start
        self.version = 0
        self.report: Report | None = None
        self.typable: dict[str, list[int]] = {}  # paragraph id -> [length, revision, length at first]

    def _stamped(self, data: Event, actor: str, command_id: str) -> StoredEvent:
        self.version += 1
        self.report = apply(self.report, data, self.report_id, actor)
        return StoredEvent(
            report_id=self.report_id, version=self.version, event_id=_new_id(), type=event_type(data),
            schema=type(data).schema, actor=actor, at=self.clock, command_id=command_id, data=data,
        )

    def _decided(self, commands: list[Command], actor: str) -> Iterator[StoredEvent]:
        """A command as the service would apply it: refused, it appends nothing."""
        command_id = _new_id()
        try:
            payloads = decide_all(self.report, self.report_id, commands, _new_id, actor)
        except DomainError:
            return
        for data in payloads:
            yield self._stamped(data, actor, command_id)
        self._take_stock()

    def _take_stock(self) -> None:
        assert self.report is not None
        first = {pid: entry[2] for pid, entry in self.typable.items()}
        self.typable = {
            p.id: [len(p.text), p.revision, first.get(p.id, len(p.text))]
            for p in self.report.all_paragraphs()
            if LIST_MARK not in p.text
        }

    def _keystroke(self, paragraph_id: str, ops: Op, actor: str) -> StoredEvent:
        entry = self.typable[paragraph_id]
        entry[1] += 1
        self.clock += timedelta(milliseconds=self.rng.randint(60, 400))
        return self._stamped(ev.ParagraphTextEdited(paragraph_id=paragraph_id, revision=entry[1], ops=ops), actor, _new_id())

    def _burst(self) -> Iterator[StoredEvent]:
        """One drafter types a word at one place, or erases a few characters there."""
        rng = self.rng
        paragraph_id = rng.choice(list(self.typable))
        actor = rng.choice(DRAFTERS)
        length, _, first = self.typable[paragraph_id]
        position = rng.randint(0, length)
        if position and (length > first * 1.3 + 60 or rng.random() < 0.2):
            for _ in range(min(rng.randint(1, 8), position)):
                position -= 1
                self.typable[paragraph_id][0] -= 1
                yield self._keystroke(paragraph_id, [*([position] if position else []), Delete(d=1)], actor)
        else:
            for character in " " + rng.choice(WORDS):
                yield self._keystroke(paragraph_id, [*([position] if position else []), character], actor)
                position += 1
                self.typable[paragraph_id][0] += 1

    def _occasional(self) -> list[Command]:
        """Now and then something other than typing, as long as it keeps the report plausible."""
        rng, report = self.rng, self.report
        assert report is not None
        roll = rng.random()
        if roll < 0.25 and len(report.all_paragraphs()) < MAX_PARAGRAPHS:
            return [AddParagraph(chapter_id=rng.choice(report.chapters).id, text=" ".join(rng.choices(WORDS, k=12)))]
        if roll < 0.45:
            return [ReplaceParagraphText(paragraph_id=rng.choice(list(self.typable)), text=" ".join(rng.choices(WORDS, k=25)))]
        if roll < 0.65 and (placeholders := report_placeholders(report)):
            return [FillPlaceholder(placeholder_id=rng.choice(placeholders).id, value=rng.choice(("12 octobre", "ses 2e et 3e")))]
        if roll < 0.85 and report.agenda and len(report.statements) < MAX_STATEMENTS:
            return [RecordStatement(agenda_item_id=rng.choice(report.agenda).id, category="party", delegation=rng.choice(COUNTRIES))]
        if len(report.participants) < MAX_PARTICIPANTS:
            return [AddParticipant(category="observer_state", name=f"{rng.choice(COUNTRIES)} {len(report.participants)}")]
        return []

    def events(self) -> Iterator[StoredEvent]:
        """The seed imported in one command, then bursts of typing, without end."""
        yield from self._decided(import_draft(SEED.read_text(encoding="utf-8"), _new_id, "fr"), SECRETARIAT)
        while True:
            self.clock += timedelta(seconds=self.rng.randint(1, 90))
            if self.rng.random() < 0.03:
                yield from self._decided(self._occasional(), self.rng.choice(DRAFTERS))
            else:
                yield from self._burst()


async def _write(redis: aioredis.Redis, snapshots: Snapshots, report_id: str, events: int, seed: int) -> float:
    """Write a report of `events` events and its snapshots; return the seconds it took."""
    started = time.perf_counter()
    drafting = Drafting(report_id, random.Random(seed), datetime(2021, 10, 12, 10, 0, tzinfo=UTC))
    key = events_key(report_id)
    batch: list[StoredEvent] = []
    due: list[tuple[int, Report]] = []
    for event in drafting.events():
        batch.append(event)
        if snapshots.due(event.version):
            due.append((event.version, drafting.report))  # type: ignore[arg-type]
        if len(batch) == BATCH or event.version == events:
            async with redis.pipeline(transaction=False) as pipe:
                for stored in batch:
                    pipe.execute_command("XADD", key, f"{stored.version}-0", "e", encode_event(stored))
                await pipe.execute()
            for version, report in due:
                await snapshots.save(report_id, version, report)
            batch.clear()
            due.clear()
            if event.version % 100_000 == 0 or event.version == events:
                print(f"  {event.version:>9,} events, {time.perf_counter() - started:6.1f} s", flush=True)
        if event.version == events:
            break
    await redis.zadd(REPORT_INDEX, {report_id: time.time()})
    return time.perf_counter() - started


@dataclass
class Timings:
    label: str
    milliseconds: list[float]

    def line(self) -> str:
        ms = sorted(self.milliseconds)
        p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
        return (
            f"  {self.label:<44} n={len(ms):<3} p50 {statistics.median(ms):8.1f} ms  p95 {p95:8.1f} ms  max {ms[-1]:8.1f} ms"
        )


async def _load_times(
    store: EventStore, report_id: str, versions: list[int], every: int | None, kept: frozenset[int] = frozenset()
) -> tuple[list[float], dict[int, Report]]:
    """How long each version takes to load in a service with nothing in memory; the `kept` ones."""
    times, loaded = [], {}
    for version in versions:
        service = ReportService(store, snapshot_every=every)
        started = time.perf_counter()
        at, report = await service.report(report_id, at=version)
        times.append((time.perf_counter() - started) * 1000)
        assert at == version
        if version in kept:
            loaded[version] = report
    return times, loaded


async def _breakdown(store: EventStore, report_id: str, versions: list[int]) -> str:
    """Where a load from a snapshot spends its time, on average over `versions`: the steps of
    Snapshots.load, one by one (without its cycle collector, as there)."""
    parts = dict.fromkeys(("ZREVRANGEBYSCORE", "inflate and decode the snapshot", "XRANGE (read_raw)", "decode events", "fold"), 0.0)
    folded = 0
    for version in versions:
        t0 = time.perf_counter()
        found = await store.redis.zrevrangebyscore(snapshots_key(report_id), version, "-inf", start=0, num=1, withscores=True)
        t1 = time.perf_counter()
        base, report = 0, None
        gc.disable()
        if found:
            base = int(found[0][1])
            report = decode_snapshot(found[0][0], report_id, base)
        gc.enable()
        t2 = time.perf_counter()
        stored = await store.read_raw(report_id, after=base, upto=version)
        t3 = time.perf_counter()
        gc.disable()
        events = [decode_event(r) for _, r in stored]
        t4 = time.perf_counter()
        for event in events:
            report = evolve(report, event)
        gc.enable()
        t5 = time.perf_counter()
        folded += len(events)
        for name, seconds in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
            parts[name] += seconds * 1000 / len(versions)
    per_event = parts["fold"] * len(versions) / max(folded, 1) * 1000
    return "\n".join(
        [
            (
                f"  where the time goes (mean of {len(versions)}, {folded / len(versions):.0f} events folded each,"
                f" fold {per_event:.1f} µs/event):"
            )
        ]
        + [f"    {name:<46} {ms:7.2f} ms" for name, ms in parts.items()]
    )


async def _full_replay(store: EventStore, report_id: str, events: int) -> str:
    started = time.perf_counter()
    version, _ = await Snapshots(store, None).load(report_id)
    seconds = time.perf_counter() - started
    assert version == events
    return f"  full replay (read, decode, fold) of {events:,} events: {seconds:.1f} s, {events / seconds:,.0f} events/s"


async def _at_time(store: EventStore, report_id: str, rng: random.Random, samples: int) -> Timings:
    latest = await store.version(report_id)
    first, last = await store.time_of(report_id, 1), await store.time_of(report_id, latest)
    assert first is not None and last is not None
    times = []
    for _ in range(samples):
        when = first + (last - first) * rng.random()
        started = time.perf_counter()
        await store.version_at_time(report_id, when, latest)
        times.append((time.perf_counter() - started) * 1000)
    return Timings("?at_time= -> version (binary search)", times)


async def _memory(redis: aioredis.Redis, report_id: str) -> str:
    count = await redis.zcard(snapshots_key(report_id))
    snapshots = await redis.memory_usage(snapshots_key(report_id), samples=0) or 0
    stream = await redis.memory_usage(events_key(report_id), samples=0) or 0
    return (
        f"  Redis memory: the stream {stream / 2**20:,.0f} MiB, {count} snapshots {snapshots / 2**20:,.0f} MiB"
        f" ({snapshots / max(count, 1) / 1024:,.0f} KiB each, {snapshots / stream:.0%} of the stream)"
    )


async def _bench(url: str, args: argparse.Namespace) -> bool:
    redis = aioredis.Redis.from_url(url)
    await redis.config_set("appendonly", "no")
    store = EventStore(redis)
    snapshots = Snapshots(store, args.every)
    rng = random.Random(args.seed)
    consistent = True
    try:
        for events in args.events:
            report_id = _new_id()
            print(f"\nReport of {events:,} events (snapshots every {args.every}):", flush=True)
            seconds = await _write(redis, snapshots, report_id, events, rng.randrange(2**32))
            print(f"  written in {seconds:.1f} s ({events / seconds:,.0f} events/s, generation and fold included)")
            versions = sorted(rng.sample(range(1, events + 1), args.samples))
            worst = sorted(rng.sample(range(args.every - 1, events, args.every), min(args.samples, events // args.every)))
            few = versions if events <= args.replay_all_upto else sorted(rng.sample(versions, args.few))
            fast, loaded = await _load_times(store, report_id, versions, args.every, frozenset(few))
            slowest, _ = await _load_times(store, report_id, worst, args.every)
            rows = [Timings("with snapshots, random versions", fast), Timings("with snapshots, worst versions (kN - 1)", slowest)]
            plain, replayed = await _load_times(store, report_id, few, None, frozenset(few))
            rows.append(Timings("without snapshots" + ("" if few is versions else f", {len(few)} of those versions"), plain))
            if any(replayed[v] != loaded[v] for v in few):
                print("  MISMATCH: a version loaded from a snapshot differs from its replay")
                consistent = False
            rows.append(await _at_time(store, report_id, rng, args.samples))
            print("\n".join(row.line() for row in rows))
            print(await _breakdown(store, report_id, worst))
            if events <= args.replay_all_upto:
                print(await _full_replay(store, report_id, events))
            else:
                rate = sum(few) / (sum(plain) / 1000)
                print(f"  replay without snapshots: {rate:,.0f} events/s over the versions above (read, decode, fold)")
            print(await _memory(redis, report_id))
            print(f"  this process's peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB", flush=True)
    finally:
        await store.aclose()
        await redis.aclose()
    return consistent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.history", description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=lambda s: [int(n) for n in s.split(",")], default=[100_000, 1_000_000],
                        help="the reports' lengths, comma-separated (default 100000,1000000)")
    parser.add_argument("--quick", action="store_true", help="reports of 10,000 and 30,000 events, for a smoke run")
    parser.add_argument("--every", type=int, default=DEFAULT_EVERY, help=f"a snapshot every N events (default {DEFAULT_EVERY})")
    parser.add_argument("--samples", type=int, default=20, help="versions loaded per report (default 20)")
    parser.add_argument("--few", type=int, default=3, help="versions replayed without snapshots on the longest reports (default 3)")
    parser.add_argument(
        "--replay-all-upto", type=int, default=100_000,
        help="reports up to this length replay every sampled version without snapshots, and in full (default 100000)",
    )
    parser.add_argument("--seed", type=int, default=20211012)
    return parser


def _interrupt(signum: int, _frame: object) -> None:
    """Ctrl-C or SIGTERM: stop at once. Not asyncio.run's own Ctrl-C, which cancels the main
    task: redis-py (8.1) lets a cancellation slip past a command under way, and the
    benchmark went on."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.quick:
        args.events = [10_000, 30_000]
    if min(*args.events, args.every, args.samples, args.few) < 1 or max(args.samples, args.few) > min(args.events):
        print("every number must be at least 1, and --samples at most the shortest report", file=sys.stderr)
        return 2
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    with tempfile.TemporaryDirectory(prefix="rapporteur-bench-history-") as data_dir:
        redis = EmbeddedRedis(Path(data_dir) / "redis")
        try:
            redis.start()
            print(f"Redis ({Path(redis.binary).name}) in {redis.data_dir}, persistence off for the load")
            consistent = asyncio.run(_bench(redis.url, args))
        except KeyboardInterrupt:
            print("\ninterrupted; Redis is stopped", file=sys.stderr)
            return 130
        finally:
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, signal.SIG_IGN)
            redis.stop()
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
    print("\nTargets, with snapshots: any version in 20 ms at 100,000 events, 50 ms at 1,000,000.")
    return 0 if consistent else 1


if __name__ == "__main__":
    sys.exit(main())
