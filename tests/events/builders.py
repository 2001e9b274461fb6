"""Builders shared by the tests of events/: deterministic ids, stored events, a drafting log.

Everything here is deterministic: ids come from a counter, every event is stamped by
« alice » on 12 October 2021, so that a failing example replays the same way every time.
"""

import uuid
from datetime import UTC, datetime

from events.catalogue import Event, event_type
from events.commands import AddChapter, AddParagraph, AddSection, Command, CreateReport
from events.decide import decide
from events.envelope import StoredEvent
from events.evolve import evolve
from events.model import Report

AT = datetime(2021, 10, 12, tzinfo=UTC)


def uid(number: int) -> str:
    """The lowercase UUID whose integer value is `number`: uid(1) ends in ...000000000001."""
    return str(uuid.UUID(int=number))


REPORT_ID = uid(0xA11CE)


class Ids:
    """A `new_id` for decide: uid(start + 1), uid(start + 2)…"""

    def __init__(self, start: int = 0) -> None:
        self.count = start

    def __call__(self) -> str:
        self.count += 1
        return uid(self.count)


def stored(data: Event, version: int, report_id: str = REPORT_ID, command_id: str | None = None) -> StoredEvent:
    """`data` as the service would store it at `version`, stamped with actor « alice »."""
    return StoredEvent(
        report_id=report_id,
        version=version,
        event_id=uid((1 << 64) + version),
        type=event_type(data),
        schema=type(data).schema,
        actor="alice",
        at=AT,
        command_id=command_id or f"command-{version}",
        data=data,
    )


class Drafting:
    """One report's log, kept the way the service keeps it: decide, stamp, append, evolve."""

    def __init__(self, report_id: str = REPORT_ID, new_id: Ids | None = None) -> None:
        self.report_id = report_id
        self.new_id = new_id or Ids()
        self.commands: list[Command] = []
        self.events: list[StoredEvent] = []
        self.report: Report | None = None

    def __repr__(self) -> str:
        return f"Drafting(commands={self.commands!r})"

    @property
    def version(self) -> int:
        return len(self.events)

    def submit(self, command: Command) -> list[StoredEvent]:
        """Decide `command` against the current report and append what it produced."""
        payloads = decide(self.report, command, self.new_id)
        appended = [stored(p, self.version + offset, self.report_id) for offset, p in enumerate(payloads, start=1)]
        for event in appended:
            self.report = evolve(self.report, event)
        self.commands.append(command)
        self.events.extend(appended)
        return appended

    def add_chapter(self, title: str, before: str | None = None) -> str:
        (event,) = self.submit(AddChapter(title=title, before=before))
        return event.data.chapter_id

    def add_section(self, chapter_id: str, title: str, before: str | None = None) -> str:
        (event,) = self.submit(AddSection(chapter_id=chapter_id, title=title, before=before))
        return event.data.section_id

    def add_paragraph(
        self, chapter_id: str, text: str, section_id: str | None = None, before: str | None = None
    ) -> str:
        command = AddParagraph(chapter_id=chapter_id, section_id=section_id, text=text, before=before)
        (event,) = self.submit(command)
        return event.data.paragraph_id


def created(title: str = "Projet de rapport") -> Drafting:
    drafting = Drafting()
    drafting.submit(CreateReport(title=title))
    return drafting
