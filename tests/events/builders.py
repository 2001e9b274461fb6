"""Builders shared by the tests of events/: deterministic ids, stored events, a drafting log.

Everything here is deterministic: ids come from a counter, every event is stamped on 12 October
2021 by « alice » unless a test names another drafter, so that a failing example replays the
same way every time.
The seed report's slice the rule tests run on is in tests/events/meeting.py.
"""

import re
import uuid
import zlib
from datetime import UTC, datetime

import pytest

from events import catalogue as ev
from events.catalogue import Event, event_type
from events.commands import AddChapter, AddParagraph, AddSection, Command, CreateReport
from events.decide import decide
from events.envelope import StoredEvent
from events.errors import DomainError
from events.evolve import evolve
from events.model import Report

AT = datetime(2021, 10, 12, tzinfo=UTC)


def uid(number: int) -> str:
    """The lowercase UUID whose integer value is `number`: uid(1) ends in ...000000000001."""
    return str(uuid.UUID(int=number))


REPORT_ID = uid(0xA11CE)
UNUSED = uid(0xDEAD)


class Ids:
    """A `new_id` for decide: uid(start + 1), uid(start + 2)…"""

    def __init__(self, start: int = 0) -> None:
        self.count = start

    def __call__(self) -> str:
        self.count += 1
        return uid(self.count)


def stored(
    data: Event, version: int, report_id: str = REPORT_ID, command_id: str | None = None, actor: str = "alice"
) -> StoredEvent:
    """`data` as the service would store it at `version`, stamped with `actor` (« alice » unless told)."""
    return StoredEvent(
        report_id=report_id,
        version=version,
        event_id=uid((1 << 64) + version),
        type=event_type(data),
        schema=type(data).schema,
        actor=actor,
        at=AT,
        command_id=command_id or f"command-{version}",
        data=data,
    )


# The field of each "added" event that holds the new item's id.
_NEW_ID = {
    ev.ChapterAdded: "chapter_id",
    ev.SectionAdded: "section_id",
    ev.ParagraphAdded: "paragraph_id",
    ev.RecommendationAdded: "paragraph_id",
    ev.SubItemAdded: "sub_item_id",
    ev.AgendaItemAdded: "agenda_item_id",
    ev.StatementRecorded: "statement_id",
    ev.ParticipantAdded: "participant_id",
    ev.PanellistAdded: "panellist_id",
    ev.DocumentAdded: "document_id",
}


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

    def submit(self, command: Command, actor: str = "alice", command_id: str | None = None) -> list[StoredEvent]:
        """Decide `command` against the current report and append what it produced, sent by `actor`
        (under `command_id` when the test follows a client's own id)."""
        payloads = decide(self.report, command, self.new_id)
        appended = [
            stored(p, self.version + offset, self.report_id, command_id=command_id, actor=actor)
            for offset, p in enumerate(payloads, start=1)
        ]
        for event in appended:
            self.report = evolve(self.report, event)
        self.commands.append(command)
        self.events.extend(appended)
        return appended

    def decided(self, command: Command) -> list[Event]:
        """The payloads `command` appended."""
        return [event.data for event in self.submit(command)]

    def add(self, command: Command) -> str:
        """Submit a command that adds one item; the new item's id."""
        (event,) = self.submit(command)
        return getattr(event.data, _NEW_ID[type(event.data)])

    def add_chapter(self, title: str, before: str | None = None) -> str:
        return self.add(AddChapter(title=title, before=before))

    def add_section(self, chapter_id: str, title: str, before: str | None = None) -> str:
        return self.add(AddSection(chapter_id=chapter_id, title=title, before=before))

    def add_paragraph(
        self, chapter_id: str, text: str, section_id: str | None = None, before: str | None = None
    ) -> str:
        return self.add(AddParagraph(chapter_id=chapter_id, section_id=section_id, text=text, before=before))


# A heading « I. Title », « A. Title » or a paragraph « 12. Text » starts a line of the text view.
_NUMBERED_LINE = re.compile(r"^([A-Z]+|[0-9]+)\.(?: |$)")


def numbered_lines(text: str) -> list[str]:
    """The heading and paragraph lines of a text rendering (events.render.text), in order."""
    return [line for line in text.split("\n") if _NUMBERED_LINE.match(line)]


def numbering(text: str) -> list[str]:
    """The numbers of the headings and paragraphs of a text rendering: « I », « 1 », « A »…"""
    return [line.split(".", 1)[0] for line in numbered_lines(text)]


def created(title: str = "Projet de rapport") -> Drafting:
    drafting = Drafting()
    drafting.submit(CreateReport(title=title))
    return drafting


def refusal(drafting: Drafting, command: Command) -> str:
    """The code `command` is refused with; the report and its log are left as they were."""
    report, version = drafting.report, drafting.version
    with pytest.raises(DomainError) as refused:
        drafting.submit(command)
    assert (drafting.report, drafting.version) == (report, version)
    assert refused.value.message
    return refused.value.code


def placeholder_id(paragraph_id: str, bracketed: str, occurrence: int = 0) -> str:
    """The id a placeholder has by construction (see events.placeholders)."""
    return f"{paragraph_id}:{zlib.crc32(bracketed.encode()):08x}:{occurrence}"


ERROR_CODES = frozenset(
    {
        "unknown_report", "report_exists", "report_adopted",
        "unknown_chapter", "unknown_section", "unknown_paragraph", "unknown_sub_item",
        "unknown_placeholder", "placeholder_filled",
        "unknown_agenda_item", "agenda_item_in_use",
        "unknown_statement", "unknown_participant", "unknown_panellist", "unknown_document",
        "duplicate_id", "duplicate_participant", "duplicate_document",
        "empty_name", "empty_text", "invalid_text", "invalid_listing", "invalid_dates",
        "unknown_revision", "revision_too_old", "invalid_ops", "op_too_large",
        "chapter_adopted", "chapter_not_adopted",
    }
)
"""Every code `decide` refuses a command with (events/README.md documents each one)."""

PRODUCES = {
    "CreateReport": "ReportCreated",
    "RetitleReport": "ReportRetitled",
    "SetReportDetails": "ReportDetailsChanged",
    "AddChapter": "ChapterAdded",
    "RetitleChapter": "ChapterRetitled",
    "MoveChapter": "ChapterMoved",
    "RemoveChapter": "ChapterRemoved",
    "AddSection": "SectionAdded",
    "RetitleSection": "SectionRetitled",
    "MoveSection": "SectionMoved",
    "RemoveSection": "SectionRemoved",
    "AddParagraph": "ParagraphAdded",
    "ReplaceParagraphText": "ParagraphTextReplaced",
    "EditParagraphText": "ParagraphTextEdited",
    "MoveParagraph": "ParagraphMoved",
    "RemoveParagraph": "ParagraphRemoved",
    "AddSubItem": "SubItemAdded",
    "ReplaceSubItemText": "SubItemTextReplaced",
    "MoveSubItem": "SubItemMoved",
    "RemoveSubItem": "SubItemRemoved",
    "FillPlaceholder": "PlaceholderFilled",
    "AddAgendaItem": "AgendaItemAdded",
    "RetitleAgendaItem": "AgendaItemRetitled",
    "RemoveAgendaItem": "AgendaItemRemoved",
    "RecordStatement": "StatementRecorded",
    "WithdrawStatement": "StatementWithdrawn",
    "AddParticipant": "ParticipantAdded",
    "RemoveParticipant": "ParticipantRemoved",
    "AddPanellist": "PanellistAdded",
    "RemovePanellist": "PanellistRemoved",
    "AddDocument": "DocumentAdded",
    "RemoveDocument": "DocumentRemoved",
    "AddRecommendation": "RecommendationAdded",
    "AdoptChapter": "ChapterAdopted",
    "ReopenChapter": "ChapterReopened",
    "AdoptReport": "ReportAdopted",
}
"""The event each command records when it changes something (events/README.md says the same)."""
