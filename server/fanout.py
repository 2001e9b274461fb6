"""Live delivery of new events to the connections of this process.

One reader task per process blocks in XREAD on the streams of the reports that have local
listeners and hands each batch, as the stored JSON bytes, to every listener of that report:
an event is read from Redis once per process and never re-encoded. A `Subscription`
guarantees its consumer every event after its starting version, in order, with no gap and
no duplicate: whatever it missed (it joined while the reader was elsewhere, or its queue
overflowed because its client is slow) it reads back from the stream itself.

The reader is woken, when the set of reports changes, by an entry in a small stream of its
own, which XREAD watches with the reports: unlike a timeout or CLIENT UNBLOCK, that cannot
be lost if it arrives before the reader has blocked.

The events this process appends reach its listeners straight from the writer (`appended`).
While a report's writer is busy, the reader stops watching that stream: otherwise every
append would wake it to read back what it already delivered (a round trip and a parse per
append, a tenth of the server's time under load). Nothing of another process is lost
meanwhile: its append makes ours conflict, and from then on the reader watches the stream
again (`contended`) and the listeners, seeing the gap, read what they missed; once the writer
has been idle for WATCH_AGAIN_AFTER, the reader watches the stream again from the last
version it delivered.

Every event read from Redis is checked to be readable before it is handed on (the listeners
forward its bytes as they are). A damaged one is passed over by the reader; the listeners of
its report read on from the stream, where they meet it as CorruptEvent and their connections
are closed saying so. Whatever fails with one report's entries holds up no other report, and
the reader itself, should it fail, is started again (without the reports whose key is not a
stream, for which Redis refuses the whole read).
"""

import asyncio
import contextlib
import logging
import time
import uuid

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from events.envelope import read_stored
from events.errors import CorruptEvent
from server.keys import events_key, report_of_events_key
from server.outage import REDIS_DOWN, REDIS_TIMEOUT_SECONDS, Outage, backoff
from server.pipelined import PipelinedConnection
from server.store import EventStore, RawEvent

log = logging.getLogger(__name__)

# The reader, if it fails, is started again after `backoff(failures)` (server/outage.py), its
# failures counted afresh once it ran RESTART_FORGIVEN_AFTER seconds.
RESTART_FORGIVEN_AFTER = 60.0

# How many batches a listener may fall behind before it stops queueing and re-reads the stream.
QUEUE_BATCHES = 256
READ_COUNT = 1_000
BLOCK_MS = 30_000
CATCH_UP_PAGE = 1_000
# How long after this process last wrote a report its reader waits to watch that stream again
# (while drafters of 100 reports type, most writers rest longer than 20 ms between batches).
WATCH_AGAIN_AFTER = 0.1


def readable(report_id: str, batch: list[RawEvent]) -> list[RawEvent]:
    """The events of `batch` before the first that cannot be read; CorruptEvent if that one
    is the first."""
    for index, (version, raw) in enumerate(batch):
        try:
            read_stored(raw, report_id, version)
        except CorruptEvent:
            if index == 0:
                raise
            return batch[:index]
    return batch


class Subscription:
    """The events of one report after a given version, for one consumer."""

    def __init__(self, fanout: "Fanout", report_id: str, after: int) -> None:
        self._fanout = fanout
        self.report_id = report_id
        self.last = after
        self._queue: asyncio.Queue[list[RawEvent]] = asyncio.Queue(QUEUE_BATCHES)
        self._behind = True

    def offer(self, batch: list[RawEvent]) -> None:
        """Called by the reader; never blocks it."""
        try:
            self._queue.put_nowait(batch)
        except asyncio.QueueFull:
            self.read_back()

    def read_back(self) -> None:
        """Read what comes next from the stream itself, not from what the reader offers (the
        consumer, if it is waiting for the reader, is woken by an empty batch)."""
        self._behind = True
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait([])

    async def next_batch(self) -> list[RawEvent]:
        """The next events after `self.last`, contiguous, waiting until there are some.

        Raises CorruptEvent when the next event cannot be read (after every one before it
        was returned): nothing after it can be given in order.
        """
        while True:
            if self._behind:
                read = await self._fanout.store.read_raw(self.report_id, after=self.last, limit=CATCH_UP_PAGE)
                batch = readable(self.report_id, read)
                if len(read) < CATCH_UP_PAGE and len(batch) == len(read):
                    self._behind = False
                if batch:
                    self.last = batch[-1][0]
                    return batch
                continue
            batch = [event for event in await self._queue.get() if event[0] > self.last]
            if not batch:
                continue
            if batch[0][0] != self.last + 1:
                self._behind = True
                continue
            self.last = batch[-1][0]
            return batch

    def close(self) -> None:
        self._fanout._remove(self)

    def __enter__(self) -> "Subscription":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class Fanout:
    def __init__(self, redis_url: str, store: EventStore, outage: Outage) -> None:
        """`outage`: told when the reader finds Redis gone (it then tries again, with backoff,
        and goes on from the versions it had delivered: no event is skipped)."""
        self.store = store
        self._outage = outage
        # The reader blocks up to BLOCK_MS: its socket must wait longer than that, yet not forever,
        # so that a dead connection is still noticed. It retries by itself (below), not in redis-py.
        self._reader = aioredis.Redis.from_url(
            redis_url,
            single_connection_client=True,
            socket_timeout=BLOCK_MS / 1000 + REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 0),
        )
        self._wake_key = f"rapporteur:fanout:{uuid.uuid4()}"
        self._wake_cursor = "0-0"
        self._subscriptions: dict[str, set[Subscription]] = {}
        self._cursors: dict[str, int] = {}
        self._writing: set[str] = set()  # reports this process is appending to: not watched
        self._lingering: dict[str, asyncio.TimerHandle] = {}  # writers stopped: watched again soon
        self._task: asyncio.Task[None] | None = None
        self.restarts = 0  # times the reader failed and was started again
        self._wakes: set[asyncio.Task[None]] = set()
        self._wake_due = False  # a wake-up is on its way and has not been sent yet
        self._expires_at = 0.0  # when the wake stream's expiry was last pushed back
        # Wake-ups are frequent (a report watched again whenever its writer has rested), so they
        # go by a pipelined connection: a tenth of the cost of a call through the pool.
        self._waker = PipelinedConnection(store.redis.connection_pool)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._supervise(), name="fanout-reader")

    async def _supervise(self) -> None:
        """Run the reader, and run it again if it fails: every live connection of the process
        depends on it. It waits longer each time it keeps failing soon after starting, as every
        task that lives on Redis does (`backoff`)."""
        failures = 0
        while True:
            started = time.monotonic()
            try:
                await self._run()
            except Exception:
                self.restarts += 1
                failures = 1 if time.monotonic() - started > RESTART_FORGIVEN_AFTER else failures + 1
                delay = backoff(failures)
                log.exception("fan-out reader failed (restart %d); starting it again in %.1f s", self.restarts, delay)
                await self._leave_out_what_is_not_a_stream()
                await asyncio.sleep(delay)

    async def _leave_out_what_is_not_a_stream(self) -> None:
        """Stop watching the reports whose events key holds something else than a stream (a
        damaged database): Redis refuses the whole XREAD for one such key, every other report
        with it. Their listeners read the key themselves, and fail."""
        for report_id in tuple(self._cursors):
            try:
                kind = await self.store.redis.type(events_key(report_id))
            except aioredis.RedisError:
                return  # Redis itself is away: the reader's next read says so
            if kind not in (b"stream", b"none"):
                log.error("fan-out: report %s's events key holds a %s, not a stream: no longer watched", report_id, kind.decode())
                self._cursors.pop(report_id)
                for subscription in tuple(self._subscriptions.get(report_id, ())):
                    subscription.read_back()

    async def stop(self) -> None:
        for lingering in self._lingering.values():
            lingering.cancel()
        for wake in tuple(self._wakes):
            wake.cancel()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(Exception):
            await self.store.redis.delete(self._wake_key)
        await self._waker.aclose()
        await self._reader.aclose()

    async def subscribe(self, report_id: str, after: int) -> Subscription:
        """Listen to a report from version `after` on.

        The reader starts a newly watched report at its current version: what came before
        is the subscription's own catch-up, read once, not by every process's reader.
        """
        current = 0 if report_id in self._cursors else await self.store.version(report_id)
        subscription = Subscription(self, report_id, after)
        self._subscriptions.setdefault(report_id, set()).add(subscription)
        if report_id not in self._cursors:
            self._cursors[report_id] = max(after, current)
            await self._wake()
        return subscription

    def _remove(self, subscription: Subscription) -> None:
        listeners = self._subscriptions.get(subscription.report_id)
        if listeners is None:
            return
        listeners.discard(subscription)
        if not listeners:
            del self._subscriptions[subscription.report_id]
            self._cursors.pop(subscription.report_id, None)

    async def _wake(self) -> None:
        """Make the reader read again, with the reports watched now. The wake stream of a
        process that died without deleting it expires a day after its last wake-up."""
        self._wake_due = False
        with contextlib.suppress(*REDIS_DOWN):
            await self._waker.call("XADD", self._wake_key, "MAXLEN", 1, "*", "w", 1)
            if time.monotonic() - self._expires_at > 60:
                self._expires_at = time.monotonic()
                await self._waker.call("EXPIRE", self._wake_key, 86_400)

    def _wake_soon(self) -> None:
        """A wake-up from a callback; one for all the reports watched again meanwhile."""
        if self._wake_due:
            return
        self._wake_due = True
        wake = asyncio.create_task(self._wake())
        self._wakes.add(wake)
        wake.add_done_callback(self._wakes.discard)

    async def _run(self) -> None:
        failures = 0
        while True:
            streams = {self._wake_key: self._wake_cursor}
            streams.update({events_key(r): f"{v}-0" for r, v in self._cursors.items() if r not in self._writing})
            try:
                response = await self._reader.xread(streams, count=READ_COUNT, block=BLOCK_MS)
            except (*REDIS_DOWN, OSError) as error:
                self._outage.lost(error)
                failures += 1
                await asyncio.sleep(backoff(failures))
                continue
            failures = 0
            for key, entries in response or []:
                name = key.decode()
                if name == self._wake_key:
                    self._wake_cursor = entries[-1][0].decode()
                    continue
                report_id = report_of_events_key(name)
                if report_id in self._writing:
                    # Read while the writer was starting: the writer hands these on itself, with
                    # their acks. Another process's events among them are not lost: the cursor
                    # stays, and the listeners read them back on the gap they leave.
                    continue
                try:
                    self._deliver(report_id, entries)
                except CorruptEvent as damaged:
                    log.warning("fan-out: %s", damaged.message)
                    self._pass_over(report_id, entries)
                except Exception:
                    log.exception("fan-out: the events read from %s could not be handed on", name)
                    self._pass_over(report_id, entries)

    def _deliver(self, report_id: str, entries: list) -> None:
        """Hand on the entries read, each checked to be a readable event at its place: the
        listeners forward the stored bytes to clients as they are. The events before a damaged
        one are handed on, then CorruptEvent is raised."""
        batch: list[RawEvent] = []
        try:
            for entry_id, fields in entries:
                version, sequence = (int(part) for part in entry_id.split(b"-", 1))
                raw = fields.get(b"e")
                if sequence != 0 or raw is None:
                    raise CorruptEvent(report_id, version, f"the stream entry {entry_id.decode()} is not one Rapporteur writes")
                read_stored(raw, report_id, version)
                batch.append((version, raw))
        finally:
            if batch:
                self._offer(report_id, batch)

    def _pass_over(self, report_id: str, entries: list) -> None:
        """The reader could not hand on these entries: it goes on past them (reading them
        again would fail again), and the report's listeners read what comes next from the
        stream themselves, where they meet the damaged event (CorruptEvent, with its version)
        or the events the reader could not hand on. Other reports are not held up."""
        cursor = self._cursors.get(report_id)
        if cursor is None:
            return
        milliseconds, sequence = (int(part) for part in entries[-1][0].split(b"-", 1))
        self._cursors[report_id] = max(cursor, milliseconds + (sequence > 0))
        for subscription in tuple(self._subscriptions.get(report_id, ())):
            subscription.read_back()

    def writing(self, report_id: str) -> None:
        """This process starts appending to the report: its next reads leave that stream out
        (the read already waiting on it is woken once more, by the first append, and drops
        what it read)."""
        self._stop_lingering(report_id)  # the writer is back before the reader was told
        self._writing.add(report_id)

    def appended(self, report_id: str, batch: tuple[RawEvent, ...]) -> None:
        """Events this process just appended: to its listeners at once, without the round
        trip of reading them back. The reader may still read them from the stream (when it
        was already waiting on it); subscriptions drop what they already have."""
        if batch:
            self._offer(report_id, list(batch))

    def contended(self, report_id: str) -> None:
        """Another process writes the report too: watch its stream again at once, until this
        process's writer stops. Its listeners must not wait for this process's next append
        to see the others' events: their drafters would type on ever older revisions, which
        take ever longer to merge, and the appends that race theirs would lose ever more
        often."""
        self._stop_lingering(report_id)
        if report_id in self._writing:
            self._writing.discard(report_id)
            if report_id in self._cursors:
                self._wake_soon()

    def written(self, report_id: str) -> None:
        """The writer stopped: watch the stream again, from the last version delivered, so
        that what other processes append from now on arrives through the reader. Not at once:
        drafters typing make the writer stop and start again within milliseconds, and each
        round of telling the reader costs four round trips to Redis; what another process
        appends meanwhile comes at most WATCH_AGAIN_AFTER late."""
        if report_id in self._writing and report_id not in self._lingering:
            self._lingering[report_id] = asyncio.get_running_loop().call_later(WATCH_AGAIN_AFTER, self._watch_again, report_id)

    def _stop_lingering(self, report_id: str) -> None:
        lingering = self._lingering.pop(report_id, None)
        if lingering is not None:
            lingering.cancel()

    def _watch_again(self, report_id: str) -> None:
        del self._lingering[report_id]
        self._writing.discard(report_id)
        if report_id in self._cursors:
            self._wake_soon()

    def _offer(self, report_id: str, batch: list[RawEvent]) -> None:
        cursor = self._cursors.get(report_id)
        if cursor is None:
            return
        # What every listener was offered already (this process's own appends, read back
        # from the stream after they were published) wakes nobody.
        fresh = [event for event in batch if event[0] > cursor]
        if not fresh:
            return
        # Only a batch that follows on from what was offered moves the cursor on: events of
        # other processes in between are still read from the stream, never skipped.
        if fresh[0][0] == cursor + 1:
            self._cursors[report_id] = fresh[-1][0]
        for subscription in tuple(self._subscriptions.get(report_id, ())):
            subscription.offer(fresh)
