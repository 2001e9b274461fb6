"""The one write path: load -> decide -> append -> acknowledge.

HTTP, WebSocket and CLI all come through `ReportService.handle`. The service keeps the
current projection of recently used reports in memory. In each process, one writer task per
report takes the commands in the order they arrive: every command that came while the
previous append was in flight is decided on the state the one before it left, and all their
events go to Redis in one script call (one round trip, one fsync). Concurrent drafters of one
report are thus sequenced, not set racing against each other.

Several processes can share one Redis: the append states the version it was decided on, and
a process that lost the race reads what is new, decides again and appends again, unless the
drafter pinned the version they saw (`expected_version`): they get `version_conflict`.
"""

import asyncio
import logging
import os
import random
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import msgspec

from events.access import Actor, refusal
from events.catalogue import Event, event_type
from events.commands import Command, CommandEnvelope
from events.decide import decide_and_apply
from events.envelope import StoredEvent
from events.errors import CorruptEvent, DomainError
from events.evolve import evolve
from events.model import Report
from server.outage import REDIS_DOWN, OutcomeUnknown
from server.report_index import Listed, ReportIndex, describe, encode_description
from server.snapshots import DEFAULT_EVERY, Snapshots
from server.store import Appended, Duplicates, EventStore, RawEvent

log = logging.getLogger(__name__)

# Appends lost to other processes before the service gives up with `version_conflict`.
MAX_ATTEMPTS = 50
CONFLICT_BACKOFF = 0.001
MAX_BACKOFF = 0.05
# The longest a writer decides commands before it lets the event loop serve everyone else:
# deciding one edit takes up to about 3.5 ms (events.decide.TRANSFORM_BUDGET), and a batch of
# the edits that arrived while an append was in flight may hold hundreds of them.
DECIDE_SLICE = 0.005


class CommandResult(msgspec.Struct, frozen=True):
    version: int
    events: list[StoredEvent]


class Decided(msgspec.Struct, frozen=True):
    """Commands decided beforehand on no report (an import, decided in a worker process so
    that its seconds of CPU are not the event loop's): their events, the report they make, and
    its snapshots at the versions where they are due, encoded (server/snapshots.py)."""

    events: list[Event]
    report: Report
    snapshots: tuple[tuple[int, bytes], ...] = ()


@dataclass(eq=False)
class _Pending:
    """A command waiting for its report's writer."""

    command_id: str
    commands: list[Command]
    actor: Actor
    expected_version: int | None
    result: "asyncio.Future[CommandResult]"
    on_appended: Callable[[CommandResult], None] | None = None
    decided: Decided | None = None


class LocalWrites(Protocol):
    """Who follows this process's own appends as they happen: the live fan-out, which hands
    them to its listeners without reading them back, and stops watching a report's stream
    while this process is the one writing it."""

    def writing(self, report_id: str) -> None:
        """A writer started appending to the report."""

    def appended(self, report_id: str, events: tuple[RawEvent, ...]) -> None:
        """These events were just stored (called before anyone is answered)."""

    def written(self, report_id: str) -> None:
        """The writer stopped: nothing more is waiting to be appended."""

    def contended(self, report_id: str) -> None:
        """Another process appended to the report meanwhile (this append lost the race)."""


class _RandomIds:
    """Random (version 4) UUIDs, as `str(uuid.uuid4())` makes them, but a third of the cost:
    one system call per 256 ids rather than one per id, and formatted from hex directly.
    Every event gets one, so this was 3 % of the server's time while drafters typed. The
    bytes left over are dropped in a forked child, which must not repeat its parent's ids."""

    BATCH = 256

    def __init__(self) -> None:
        self._bytes = b""
        self._at = 0
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        self._bytes, self._at = b"", 0

    def __call__(self) -> str:
        if self._at >= len(self._bytes):
            self._bytes, self._at = os.urandom(16 * self.BATCH), 0
        h = self._bytes[self._at : self._at + 16].hex()
        self._at += 16
        variant = "89ab"[int(h[16], 16) & 3]
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}"


_new_id = _RandomIds()


def _now() -> datetime:
    return datetime.now(UTC)


class ReportService:
    def __init__(
        self,
        store: EventStore,
        *,
        clock: Callable[[], datetime] = _now,
        new_id: Callable[[], str] = _new_id,
        cached_reports: int = 1_000,
        snapshot_every: int | None = DEFAULT_EVERY,
        local_writes: LocalWrites | None = None,
    ) -> None:
        """`local_writes`: told when a report's writer starts and stops, and of every append
        as soon as it is stored, so that live connections get this process's events without
        waiting for Redis to echo them."""
        self.store = store
        self.snapshots = Snapshots(store, snapshot_every)
        self.index = ReportIndex(store.redis)
        self._clock = clock
        self._local_writes = local_writes
        self.new_id = new_id
        self._cache: OrderedDict[str, tuple[int, Report | None]] = OrderedDict()
        self._cached_reports = cached_reports
        # Per report: the commands waiting, and the task appending them (while there are any).
        self._queues: dict[str, list[_Pending]] = {}
        self._writers: dict[str, asyncio.Task[None]] = {}
        self._waiting: dict[tuple[str, str], asyncio.Future[CommandResult]] = {}

    def _remember(self, report_id: str, version: int, report: Report | None) -> None:
        cached = self._cache.get(report_id)
        if cached is None or cached[0] < version:
            self._cache[report_id] = (version, report)
        self._cache.move_to_end(report_id)
        while len(self._cache) > self._cached_reports:
            self._cache.popitem(last=False)

    async def _current(self, report_id: str) -> tuple[int, Report | None]:
        cached = self._cache.get(report_id)
        if cached is None:
            version, report = await self.snapshots.load(report_id)
        else:
            version, report = await self.snapshots.fold(report_id, *cached, save=False)
        self._remember(report_id, version, report)
        return version, report

    async def report(
        self, report_id: str, at: int | None = None, at_time: datetime | None = None
    ) -> tuple[int, Report]:
        """The report now, as it was at version `at`, or as it was at the instant `at_time`
        (its last version appended then; a time without a zone is UTC)."""
        if at is not None and at_time is not None:
            raise ValueError("ask for a version or a time, not both")
        if at_time is not None:
            at = await self._version_at_time(report_id, at_time)
        if at is None:
            version, report = await self._current(report_id)
        else:
            version, report = await self._past(report_id, at)
        if report is None:
            raise DomainError("unknown_report", "this report does not exist")
        if at is not None and at > version:
            raise DomainError("unknown_version", f"the report has no version {at}; it is at {version}")
        return version, report

    async def _past(self, report_id: str, at: int) -> tuple[int, Report | None]:
        cached = self._cache.get(report_id)
        if cached is not None and cached[0] == at:
            return cached
        return await self.snapshots.load(report_id, upto=at) if at > 0 else (0, None)

    async def _version_at_time(self, report_id: str, at_time: datetime) -> int:
        if at_time.tzinfo is None:
            at_time = at_time.replace(tzinfo=UTC)
        latest = await self.store.version(report_id)
        if latest == 0:
            raise DomainError("unknown_report", "this report does not exist")
        version = await self.store.version_at_time(report_id, at_time, latest)
        if version == 0:
            raise DomainError("unknown_version", f"the report did not exist yet at {at_time.isoformat()}")
        return version

    async def _result_of(self, report_id: str, applied: Appended) -> CommandResult:
        events = await self.store.read(report_id, after=applied.first - 1, upto=applied.last)
        return CommandResult(version=applied.last, events=events)

    async def _already_applied(self, report_id: str, command_id: str) -> CommandResult | None:
        applied = await self.store.applied(report_id, command_id)
        return None if applied is None else await self._result_of(report_id, applied)

    async def handle(
        self,
        report_id: str,
        envelope: CommandEnvelope,
        actor: Actor,
        *,
        on_appended: Callable[[CommandResult], None] | None = None,
    ) -> CommandResult:
        """Apply a command exactly once and return the events it produced, if the actor's
        role in the report allows it (`forbidden` otherwise: nothing appended).

        A retry with the same command_id returns the original result, even if the report
        has moved on or the command would now be refused. `on_appended(result)` is called
        as soon as the command's events are stored, before anyone is handed them: a live
        connection learns there which acknowledgement those events will complete.
        """
        return await self.handle_all(
            report_id,
            envelope.command_id,
            [envelope.command],
            actor,
            expected_version=envelope.expected_version,
            on_appended=on_appended,
        )

    async def handle_all(
        self,
        report_id: str,
        command_id: str,
        commands: list[Command],
        actor: Actor,
        expected_version: int | None = None,
        on_appended: Callable[[CommandResult], None] | None = None,
        decided: Decided | None = None,
    ) -> CommandResult:
        """Apply several commands as one: all their events in one atomic append, or none.
        `decided`: what they decide on no report, when they were decided beforehand; used as is
        if the report does not exist yet (else they are decided again, and refused)."""
        # Shielded: a caller that goes away (its client disconnected) does not cancel the
        # command for the others it was grouped with; it is applied or refused all the same.
        return await asyncio.shield(self.submit(report_id, command_id, commands, actor, expected_version, on_appended, decided))

    def submit(
        self,
        report_id: str,
        command_id: str,
        commands: list[Command],
        actor: Actor,
        expected_version: int | None = None,
        on_appended: Callable[[CommandResult], None] | None = None,
        decided: Decided | None = None,
    ) -> "asyncio.Future[CommandResult]":
        """`handle_all` without waiting: the command is queued for the report's writer, and
        the future of its result comes back at once. A live connection goes on reading the
        next message meanwhile, and answers when the future is done. The future may be shared
        with a copy of the same command: add callbacks to it, or await it shielded, never
        cancel it."""
        refused = refusal(actor.role, [type(command).__name__ for command in commands])
        if refused is not None:
            return asyncio.ensure_future(self._refused(report_id, command_id, actor, refused))
        waiting = self._waiting.get((report_id, command_id))
        if waiting is not None:
            # The same command again while the first is still waiting (a client that lost its
            # connection resends what was not acknowledged): one decision, one answer for both.
            return waiting
        pending = _Pending(
            command_id, commands, actor, expected_version, asyncio.get_running_loop().create_future(), on_appended, decided
        )
        self._waiting[(report_id, command_id)] = pending.result
        pending.result.add_done_callback(lambda _: self._waiting.pop((report_id, command_id), None))
        self._queues.setdefault(report_id, []).append(pending)
        if report_id not in self._writers:
            if self._local_writes is not None:
                self._local_writes.writing(report_id)
            self._writers[report_id] = asyncio.create_task(self._write(report_id), name=f"writer-{report_id}")
        return pending.result

    async def _refused(self, report_id: str, command_id: str, actor: Actor, refused: DomainError) -> CommandResult:
        """A retry of what this actor did before their role was lowered is still answered
        with its result: their client resends unacknowledged commands after a drop."""
        prior = await self._already_applied(report_id, command_id)
        if prior is not None and all(event.actor == actor.id for event in prior.events):
            return prior
        raise refused

    async def _write(self, report_id: str) -> None:
        """The report's one writer in this process: it takes every command that arrived while
        the previous append was in flight, and appends them together."""
        try:
            while self._queues.get(report_id):
                batch = self._queues.pop(report_id)
                try:
                    await self._commit(report_id, batch)
                except asyncio.CancelledError:
                    for pending in batch:
                        pending.result.cancel()
                    raise
                except REDIS_DOWN:
                    # Whether the append reached Redis before it went is unknown: the callers
                    # are told to resend with the same command id. The outage is logged by
                    # whoever answers them, once (server/outage.py).
                    for pending in batch:
                        if not pending.result.done():
                            pending.result.set_exception(OutcomeUnknown())
                except Exception as error:
                    for pending in batch:
                        if not pending.result.done():
                            pending.result.set_exception(error)
                    if isinstance(error, CorruptEvent):
                        log.warning("appending to %s refused: %s", report_id, error.message)
                    else:
                        log.exception("appending to %s failed", report_id)
        finally:
            del self._writers[report_id]
            if self._local_writes is not None:
                self._local_writes.written(report_id)

    async def _commit(self, report_id: str, batch: list["_Pending"]) -> None:
        """Decide every command of the batch, each on the state the previous ones left, and
        append all their events in one script call; answer each command's future.

        The first attempt decides on the report as this process last knew it, without reading
        Redis; if another process appended meanwhile, the script says so, and the next attempt
        reads what is new first. A command that pinned `expected_version` gets
        `version_conflict` instead of being decided again.
        """
        fresh = False
        attempt = 0
        while attempt < MAX_ATTEMPTS:
            batch = [pending for pending in batch if not pending.result.done()]
            if not batch:
                return
            cached = self._cache.get(report_id)
            if cached is not None and not fresh:
                version, report = cached
            else:
                version, report = await self._current(report_id)
                fresh = True
            decided = await self._decide(report_id, version, report, batch, final=fresh)
            if decided is None:
                fresh = True  # refused on what may be an old state: look at the stream first
                continue
            if not decided:
                return
            outcome = await self.store.append_commands(
                report_id,
                version,
                [(pending.command_id, events) for pending, events, _ in decided],
                _changed_description(report, decided[-1][2]),
            )
            if isinstance(outcome, Appended):
                for pending, events, _ in decided:
                    if pending.on_appended is not None:
                        pending.on_appended(CommandResult(version=events[-1].version, events=events))
                if self._local_writes is not None:
                    self._local_writes.appended(report_id, outcome.stored)
                await self._remember_appended(report_id, report, decided)
                for pending, events, _ in decided:
                    pending.result.set_result(CommandResult(version=events[-1].version, events=events))
                return
            if isinstance(outcome, Duplicates):
                for pending, _, _ in decided:
                    if pending.command_id in outcome.applied:
                        pending.result.set_result(await self._result_of(report_id, outcome.applied[pending.command_id]))
                continue  # the others, decided again without the retries
            fresh = True
            attempt += 1
            if self._local_writes is not None:
                self._local_writes.contended(report_id)
            # Jittered backoff, so that processes racing for one report spread out.
            await asyncio.sleep(random.uniform(0, min(CONFLICT_BACKOFF * 2**attempt, MAX_BACKOFF)))
            for pending, _, _ in decided:
                if pending.expected_version is not None:
                    pending.result.set_exception(
                        DomainError("version_conflict", f"the report is at version {outcome.current}, not {pending.expected_version}")
                    )
        for pending in batch:
            if not pending.result.done():
                pending.result.set_exception(DomainError("version_conflict", "too many concurrent edits to this report; try again"))

    async def _decide(
        self, report_id: str, version: int, report: Report | None, batch: list["_Pending"], *, final: bool
    ) -> list[tuple["_Pending", list[StoredEvent], Report | None]] | None:
        """The events of each command that the report accepts, with the state after them;
        a refused command's future gets its error (or, for a retry, its original result).
        Unless the state is known to be current (`final`), a refusal answers nothing and
        returns None: the report may have moved on in another process."""
        decided = []
        at = self._clock()
        slice_started = time.perf_counter()
        for pending in batch:
            if time.perf_counter() - slice_started > DECIDE_SLICE:
                await asyncio.sleep(0)
                slice_started = time.perf_counter()
            try:
                if pending.expected_version is not None and pending.expected_version != version:
                    raise DomainError("version_conflict", f"the report is at version {version}, not {pending.expected_version}")
                arguments = (report, report_id, pending.commands, self.new_id, pending.actor.id)
                if pending.decided is not None and report is None:
                    payloads, after = pending.decided.events, pending.decided.report
                elif len(pending.commands) > 1:  # several commands at once: off the event loop
                    payloads, after = await asyncio.to_thread(decide_and_apply, *arguments)
                else:
                    payloads, after = decide_and_apply(*arguments)
            except DomainError as error:
                if not final:
                    return None
                prior = await self._already_applied(report_id, pending.command_id)
                if prior is not None:
                    pending.result.set_result(prior)
                else:
                    pending.result.set_exception(error)
                continue
            if not payloads:
                pending.result.set_result(CommandResult(version=version, events=[]))
                continue
            events = [
                StoredEvent(
                    report_id=report_id,
                    version=version + offset,
                    event_id=self.new_id(),
                    type=event_type(payload),
                    schema=type(payload).schema,
                    actor=pending.actor.id,
                    at=at,
                    command_id=pending.command_id,
                    data=payload,
                )
                for offset, payload in enumerate(payloads, start=1)
            ]
            decided.append((pending, events, after))
            version, report = events[-1].version, after
        return decided

    async def _remember_appended(
        self, report_id: str, before: Report | None, decided: list[tuple["_Pending", list[StoredEvent], Report | None]]
    ) -> None:
        """Keep the report past the events just appended, and store a snapshot at every
        multiple of N they cross (rare: the states in between are folded again only then)."""
        state = before
        for pending, events, after in decided:
            if pending.decided is not None and events[0].version == 1:
                # Decided beforehand on no report, and so appended from version 1: its
                # snapshots were folded and encoded along with it, off the event loop.
                for version, snapshot in pending.decided.snapshots:
                    await self.snapshots.save_encoded(report_id, version, snapshot)
            elif any(self.snapshots.due(event.version) for event in events):
                for event in events:
                    state = evolve(state, event)
                    if self.snapshots.due(event.version):
                        await self.snapshots.save(report_id, event.version, state)
            state = after
        self._remember(report_id, decided[-1][1][-1].version, state)

    async def reports(self) -> list[Listed]:
        """Every report with its current version and description, oldest first, from the
        summaries the appends keep (server/report_index.py): a report is folded only if it
        has none yet. A report with an event that cannot be read is listed as it was before
        it, with that event's version (one damaged report must not hide every other)."""
        return await self.index.reports(self._listable)

    async def _listable(self, report_id: str) -> tuple[int, Report | None, int | None]:
        try:
            version, report = await self._current(report_id)
            return version, report, None
        except CorruptEvent as damaged:
            log.warning("%s", damaged.message)
            version, report = await self._past(report_id, damaged.version - 1)
            return version, report or Report(id=report_id, title=""), damaged.version  # even its first event


def _changed_description(before: Report | None, after: Report | None) -> bytes:
    """The report's description for the listing after an append, if the append changes it
    (a title, an adoption, a language: rarely); b"" otherwise, as the append script takes it."""
    described = describe(after)
    return b"" if described is None or described == describe(before) else encode_description(described)
