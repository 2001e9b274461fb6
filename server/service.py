"""The one write path: load -> decide -> append -> acknowledge.

HTTP, WebSocket and CLI all come through `ReportService.handle`. The service keeps the
current projection of recently used reports in memory and brings it up to date from the
stream before each decision, so several server processes can share one Redis: a process
that lost a race re-reads, re-decides and appends again, unless the drafter pinned the
version they saw (`expected_version`), in which case they get `version_conflict`.
"""

import asyncio
import random
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime

import msgspec

from events.access import Actor, refusal
from events.catalogue import event_type
from events.commands import Command, CommandEnvelope
from events.decide import decide_all
from events.envelope import StoredEvent
from events.errors import DomainError
from events.evolve import evolve
from events.model import Report
from server.snapshots import DEFAULT_EVERY, Snapshots
from server.store import Appended, EventStore

# Appends lost to other processes before the service gives up with `version_conflict`.
MAX_ATTEMPTS = 50
CONFLICT_BACKOFF = 0.001
MAX_BACKOFF = 0.05


class CommandResult(msgspec.Struct, frozen=True):
    version: int
    events: list[StoredEvent]


def _new_id() -> str:
    return str(uuid.uuid4())


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
    ) -> None:
        self.store = store
        self.snapshots = Snapshots(store, snapshot_every)
        self._clock = clock
        self.new_id = new_id
        self._cache: OrderedDict[str, tuple[int, Report | None]] = OrderedDict()
        self._cached_reports = cached_reports
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

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

    async def handle(self, report_id: str, envelope: CommandEnvelope, actor: Actor) -> CommandResult:
        """Apply a command exactly once and return the events it produced, if the actor's
        role in the report allows it (`forbidden` otherwise: nothing appended).

        A retry with the same command_id returns the original result, even if the report
        has moved on or the command would now be refused.
        """
        return await self.handle_all(
            report_id, envelope.command_id, [envelope.command], actor, expected_version=envelope.expected_version
        )

    async def handle_all(
        self, report_id: str, command_id: str, commands: list[Command], actor: Actor, expected_version: int | None = None
    ) -> CommandResult:
        """Apply several commands as one: all their events in one atomic append, or none."""
        refused = refusal(actor.role, [type(command).__name__ for command in commands])
        if refused is not None:
            # A retry of what this actor did before their role was lowered is still answered
            # with its result: their client resends unacknowledged commands after a drop.
            prior = await self._already_applied(report_id, command_id)
            if prior is not None and all(event.actor == actor.id for event in prior.events):
                return prior
            raise refused
        lock = self._locks.setdefault(report_id, asyncio.Lock())
        async with lock:
            for attempt in range(MAX_ATTEMPTS):
                if attempt:
                    # Jittered backoff, so that processes racing for one report spread out.
                    await asyncio.sleep(random.uniform(0, min(CONFLICT_BACKOFF * 2**attempt, MAX_BACKOFF)))
                version, report = await self._current(report_id)
                expected = expected_version
                try:
                    if expected is not None and expected != version:
                        raise DomainError(
                            "version_conflict", f"the report is at version {version}, not {expected}"
                        )
                    if len(commands) > 1:  # an import: seconds for a long one, so off the event loop
                        payloads = await asyncio.to_thread(decide_all, report, report_id, commands, self.new_id, actor.id)
                    else:
                        payloads = decide_all(report, report_id, commands, self.new_id, actor.id)
                except DomainError:
                    prior = await self._already_applied(report_id, command_id)
                    if prior is not None:
                        return prior
                    raise
                if not payloads:
                    return CommandResult(version=version, events=[])
                at = self._clock()
                events = [
                    StoredEvent(
                        report_id=report_id,
                        version=version + offset,
                        event_id=self.new_id(),
                        type=event_type(payload),
                        schema=type(payload).schema,
                        actor=actor.id,
                        at=at,
                        command_id=command_id,
                        data=payload,
                    )
                    for offset, payload in enumerate(payloads, start=1)
                ]
                outcome = await self.store.append(report_id, command_id, version, events)
                if isinstance(outcome, Appended):
                    if outcome.duplicate:
                        return await self._result_of(report_id, outcome)
                    await self._fold_appended(report_id, report, events)
                    return CommandResult(version=outcome.last, events=events)
                if expected is not None:
                    raise DomainError(
                        "version_conflict", f"the report is at version {outcome.current}, not {expected}"
                    )
        raise DomainError("version_conflict", "too many concurrent edits to this report; try again")

    async def _fold_appended(self, report_id: str, report: Report | None, events: list[StoredEvent]) -> None:
        """Bring the cached report past the events just appended, and store a snapshot at
        every multiple of N they cross (one command, an import, may cross several)."""
        snapshots = []
        for event in events:
            report = evolve(report, event)
            if self.snapshots.due(event.version):
                snapshots.append((event.version, report))
        self._remember(report_id, events[-1].version, report)
        for version, state in snapshots:
            await self.snapshots.save(report_id, version, state)

    async def reports(self) -> list[tuple[str, int, Report]]:
        """Every report with its current version, oldest first."""
        listed = []
        for report_id in await self.store.report_ids():
            version, report = await self._current(report_id)
            if report is not None:
                listed.append((report_id, version, report))
        return listed
