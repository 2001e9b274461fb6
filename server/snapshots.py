"""Projection snapshots: the report stored every N versions, so that any version loads fast.

The report at version V is the fold of its first V events, which takes half a minute on a
history of a million keystrokes. A snapshot is that fold stored at a version that is a multiple
of N (`DEFAULT_EVERY`, 500, unless the service is told otherwise), as a member of the sorted set
`report:{<id>}:snapshots` scored by its version. The report at V is then the nearest snapshot
at or below V plus the events after it, read with one XRANGE: the cost grows with the distance
to that snapshot (less than N events), never with the length of the history.

Snapshots are a cache of the log, never a source of truth:
- whoever folds past a multiple of N stores the snapshot there: the append that crosses it,
  and a load that replays past it (so an old report gets its snapshots the first time it is
  read, and a lost or refused one is written again);
- a snapshot that cannot be used (undecodable, of another SNAPSHOT_SCHEMA, claiming another
  version or another report) is skipped, with a warning, for the next older one, and at worst
  the report is replayed from its first event: loading never fails because of a snapshot;
- deleting the key loses nothing but time.

A snapshot is `zlib(msgpack({snapshot_schema, version, report}))`: mostly the last text
operations of each paragraph, small lists that zlib's default level shrinks about 3.5 times
(225 KB to 64 KB for a report of 48 paragraphs, in 7 ms, once per N events), and inflates in
under a millisecond on each load. Redis memory is what snapshots cost; time is what they save.
"""

import contextlib
import gc
import logging
import zlib
from collections.abc import Iterator

import msgspec
import redis.asyncio as aioredis

from events.envelope import read_stored
from events.evolve import evolve
from events.model import Report
from server.keys import snapshots_key
from server.store import EventStore
from server.versioned_cache import Unusable, newest_usable, replace_at

log = logging.getLogger(__name__)

# Bump it whenever the shape of events.model.Report (or of anything it holds) changes: a snapshot
# of another schema is ignored, so the reports are replayed from their events, and snapshotted
# again, instead of being decoded into the wrong shape.
SNAPSHOT_SCHEMA = 1

# A load costs a snapshot (about 4 ms to fetch, inflate and decode for a report of a few dozen
# typed-in paragraphs) plus up to N - 1 events at about 30 µs each to read, decode and fold:
# with 500, some 20 ms at worst (tests/bench/history.py), for snapshots that take about a third
# of the memory of the stream itself.
DEFAULT_EVERY = 500
# Events read per XRANGE while folding: bounds the memory a replay of a long history takes.
REPLAY_PAGE = 1_000


def snapshot_due(every: int | None, version: int) -> bool:
    """Whether a fold that reaches `version` stores a snapshot there, with snapshots every
    `every` versions (or none)."""
    return every is not None and version % every == 0


class Snapshot(msgspec.Struct, frozen=True, kw_only=True):
    snapshot_schema: int
    version: int
    report: Report


class _Header(msgspec.Struct, frozen=True, kw_only=True):
    """What is read before trusting the rest: decoding skips the report."""

    snapshot_schema: int
    version: int


_encode = msgspec.msgpack.Encoder().encode
_decode_header = msgspec.msgpack.Decoder(_Header).decode
_decode = msgspec.msgpack.Decoder(Snapshot).decode


def encode_snapshot(version: int, report: Report, schema: int = SNAPSHOT_SCHEMA) -> bytes:
    packed = _encode(Snapshot(snapshot_schema=schema, version=version, report=report))
    return zlib.compress(packed)


@contextlib.contextmanager
def _uncollected() -> Iterator[None]:
    """Build a report without pausing for the cycle collector.

    Decoding a snapshot makes some 50,000 small objects at once (a paragraph keeps its last
    500 text operations), and a fold almost as many; the collector, set off every 700 of them,
    would walk the whole heap, cached reports included, many times over: loads measured 5 ms
    took up to 150 ms. Reports hold no reference cycles; what the collector is owed it
    collects at its next run. Only ever around code that does not await.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class UnusableSnapshot(Unusable):
    """Why a stored snapshot cannot be trusted; loading goes on from an older one."""


def decode_snapshot(raw: bytes, report_id: str, version: int) -> Report:
    """The report held by the snapshot stored at `version`, checked to be that report there."""
    try:
        packed = zlib.decompress(raw)
        header = _decode_header(packed)
        if header.snapshot_schema != SNAPSHOT_SCHEMA:
            raise UnusableSnapshot(f"of snapshot schema {header.snapshot_schema}, not {SNAPSHOT_SCHEMA}")
        if header.version != version:
            raise UnusableSnapshot(f"claims version {header.version}")
        with _uncollected():
            report = _decode(packed).report
    except (zlib.error, msgspec.DecodeError, msgspec.ValidationError) as error:
        raise UnusableSnapshot(f"undecodable ({error})") from None
    if report.id != report_id:
        raise UnusableSnapshot(f"of report {report.id}")
    return report


class Snapshots:
    """The snapshots of every report, and loading a report's state at any version through them.

    `every=None` turns snapshots off: nothing is read or written, every load is a replay.
    """

    def __init__(self, store: EventStore, every: int | None = DEFAULT_EVERY) -> None:
        if every is not None and every < 1:
            raise ValueError("snapshots are taken every 1 or more events, or never (None)")
        self.store = store
        self.redis: aioredis.Redis = store.redis
        self.every = every

    def due(self, version: int) -> bool:
        """Whether a fold that reaches `version` stores a snapshot there."""
        return snapshot_due(self.every, version)

    async def save(self, report_id: str, version: int, report: Report) -> None:
        """Store (or replace) the snapshot at `version`. A failure is logged, never raised:
        the events are what counts, and the next fold past `version` tries again."""
        await self.save_encoded(report_id, version, encode_snapshot(version, report))

    async def save_encoded(self, report_id: str, version: int, snapshot: bytes) -> None:
        """`save`, of a snapshot encoded elsewhere (an import's, by the worker that decided it)."""
        try:
            await replace_at(self.redis, snapshots_key(report_id), version, snapshot)
        except aioredis.RedisError as error:
            log.warning("report %s: snapshot at version %d not stored: %s", report_id, version, error)

    async def nearest(self, report_id: str, upto: int | None = None) -> tuple[int, Report | None]:
        """The newest usable snapshot at or below `upto` (or of all), else (0, None)."""
        if self.every is None:
            return 0, None
        skipped: list[tuple[int, Unusable]] = []
        found = await newest_usable(
            self.redis, snapshots_key(report_id), upto, lambda raw, version: decode_snapshot(raw, report_id, version), skipped
        )
        version, report = found or (0, None)
        if skipped:
            # One line per load, however many were skipped (all of them, after SNAPSHOT_SCHEMA changed).
            (first, problem), more = skipped[0], len(skipped) - 1
            log.warning(
                "report %s: the snapshot at version %d is %s%s; loading from %s",
                report_id, first, problem, f", and {more} older ones are unusable too" if more else "",
                f"the snapshot at version {version}" if version else "its first event",
            )
        return version, report

    async def fold(
        self, report_id: str, version: int, report: Report | None, upto: int | None = None, save: bool = True
    ) -> tuple[int, Report | None]:
        """Fold the events after `version` (up to `upto`, or all) into `report`, a page at a time.

        With `save`, the fold stores a snapshot at every multiple of N it reaches. An event
        that cannot be read stops it with CorruptEvent, naming its version: a report is never
        shown without an event of its history (the snapshots stored before it are kept).
        """
        while upto is None or version < upto:
            page = await self.store.read_raw(report_id, after=version, upto=upto, limit=REPLAY_PAGE)
            due = []
            with _uncollected():
                for event_version, raw in page:
                    report = evolve(report, read_stored(raw, report_id, event_version))
                    if save and self.due(event_version):
                        due.append((event_version, report))
            for snapshot_version, snapshot in due:
                await self.save(report_id, snapshot_version, snapshot)
            version += len(page)
            if len(page) < REPLAY_PAGE:
                break
        return version, report

    async def load(self, report_id: str, upto: int | None = None) -> tuple[int, Report | None]:
        """The report at version `upto` (or its latest), from the nearest snapshot below it.

        The version returned is lower than `upto` when the report has no version `upto`.
        """
        version, report = await self.nearest(report_id, upto)
        return await self.fold(report_id, version, report, upto)
