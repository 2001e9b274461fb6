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

from events.catalogue import event_type
from events.commands import Command, CommandEnvelope
from events.decide import decide_all
from events.envelope import StoredEvent
from events.errors import DomainError
from events.evolve import replay
from events.model import Report
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
    ) -> None:
        self.store = store
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
        version, report = self._cache.get(report_id, (0, None))
        newer = await self.store.read(report_id, after=version)
        if newer:
            version, report = newer[-1].version, replay(newer, report)
        self._remember(report_id, version, report)
        return version, report

    async def report(self, report_id: str, at: int | None = None) -> tuple[int, Report]:
        """The report now, or as it was at version `at`."""
        if at is None:
            version, report = await self._current(report_id)
        else:
            events = await self.store.read(report_id, upto=at) if at > 0 else []
            version, report = (events[-1].version if events else 0), replay(events)
            if at > version:
                raise DomainError("unknown_version", f"the report has no version {at}; it is at {version}")
        if report is None:
            raise DomainError("unknown_report", "this report does not exist")
        return version, report

    async def _result_of(self, report_id: str, applied: Appended) -> CommandResult:
        events = await self.store.read(report_id, after=applied.first - 1, upto=applied.last)
        return CommandResult(version=applied.last, events=events)

    async def _already_applied(self, report_id: str, command_id: str) -> CommandResult | None:
        applied = await self.store.applied(report_id, command_id)
        return None if applied is None else await self._result_of(report_id, applied)

    async def handle(self, report_id: str, envelope: CommandEnvelope, actor: str) -> CommandResult:
        """Apply a command exactly once and return the events it produced.

        A retry with the same command_id returns the original result, even if the report
        has moved on or the command would now be refused.
        """
        return await self.handle_all(
            report_id, envelope.command_id, [envelope.command], actor, expected_version=envelope.expected_version
        )

    async def handle_all(
        self, report_id: str, command_id: str, commands: list[Command], actor: str, expected_version: int | None = None
    ) -> CommandResult:
        """Apply several commands as one: all their events in one atomic append, or none."""
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
                    payloads = decide_all(report, report_id, commands, self.new_id, actor)
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
                        actor=actor,
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
                    self._remember(report_id, events[-1].version, replay(events, report))
                    return CommandResult(version=outcome.last, events=events)
                if expected is not None:
                    raise DomainError(
                        "version_conflict", f"the report is at version {outcome.current}, not {expected}"
                    )
        raise DomainError("version_conflict", "too many concurrent edits to this report; try again")

    async def reports(self) -> list[tuple[str, int, Report]]:
        """Every report with its current version, oldest first."""
        listed = []
        for report_id in await self.store.report_ids():
            version, report = await self._current(report_id)
            if report is not None:
                listed.append((report_id, version, report))
        return listed
