"""`decide(report, command, new_id) -> events`: the rules of the report, and nothing else.

Pure: the current state and the command in, the events that record what happened out, or a
DomainError with a stable code and nothing out. Ids the client left out are drawn from
`new_id`, injected so that the rules stay deterministic under test.
"""

from collections.abc import Callable

from events.catalogue import (
    ChapterAdded,
    Event,
    ParagraphAdded,
    ParagraphRemoved,
    ParagraphTextReplaced,
    ReportCreated,
    SectionAdded,
)
from events.commands import (
    AddChapter,
    AddParagraph,
    AddSection,
    Command,
    CreateReport,
    RemoveParagraph,
    ReplaceParagraphText,
)
from events.errors import DomainError
from events.model import Chapter, Paragraph, Report


def _chapter(report: Report, chapter_id: str) -> Chapter:
    for chapter in report.chapters:
        if chapter.id == chapter_id:
            return chapter
    raise DomainError("unknown_chapter", f"no chapter {chapter_id} in this report")


def _paragraph(report: Report, paragraph_id: str) -> Paragraph:
    for paragraph in report.all_paragraphs():
        if paragraph.id == paragraph_id:
            return paragraph
    raise DomainError("unknown_paragraph", f"no paragraph {paragraph_id} in this report")


def _known_ids(report: Report) -> set[str]:
    ids = {report.id}
    for chapter in report.chapters:
        ids.add(chapter.id)
        ids.update(section.id for section in chapter.sections)
    ids.update(paragraph.id for paragraph in report.all_paragraphs())
    return ids


def _new_item_id(report: Report, requested: str | None, new_id: Callable[[], str]) -> str:
    if requested is None:
        return new_id()
    if requested in _known_ids(report):
        raise DomainError("duplicate_id", f"id {requested} is already used in this report")
    return requested


def _check_before(siblings: tuple, before: str | None, kind: str) -> None:
    if before is not None and all(item.id != before for item in siblings):
        raise DomainError(f"unknown_{kind}", f"no {kind} {before} to insert before here")


def decide(report: Report | None, command: Command, new_id: Callable[[], str]) -> list[Event]:
    if isinstance(command, CreateReport):
        if report is not None:
            raise DomainError("report_exists", f"report {report.id} already exists")
        return [ReportCreated(title=command.title)]
    if report is None:
        raise DomainError("unknown_report", "this report does not exist")

    if isinstance(command, AddChapter):
        _check_before(report.chapters, command.before, "chapter")
        chapter_id = _new_item_id(report, command.chapter_id, new_id)
        return [ChapterAdded(chapter_id=chapter_id, title=command.title, before=command.before)]

    if isinstance(command, AddSection):
        chapter = _chapter(report, command.chapter_id)
        _check_before(chapter.sections, command.before, "section")
        section_id = _new_item_id(report, command.section_id, new_id)
        return [
            SectionAdded(section_id=section_id, chapter_id=chapter.id, title=command.title, before=command.before)
        ]

    if isinstance(command, AddParagraph):
        chapter = _chapter(report, command.chapter_id)
        siblings = chapter.paragraphs
        if command.section_id is not None:
            sections = [s for s in chapter.sections if s.id == command.section_id]
            if not sections:
                raise DomainError("unknown_section", f"no section {command.section_id} in chapter {chapter.id}")
            siblings = sections[0].paragraphs
        _check_before(siblings, command.before, "paragraph")
        paragraph_id = _new_item_id(report, command.paragraph_id, new_id)
        return [
            ParagraphAdded(
                paragraph_id=paragraph_id,
                chapter_id=chapter.id,
                section_id=command.section_id,
                text=command.text,
                before=command.before,
            )
        ]

    if isinstance(command, ReplaceParagraphText):
        paragraph = _paragraph(report, command.paragraph_id)
        if paragraph.text == command.text:
            return []
        return [ParagraphTextReplaced(paragraph_id=paragraph.id, text=command.text)]

    if isinstance(command, RemoveParagraph):
        paragraph = _paragraph(report, command.paragraph_id)
        return [ParagraphRemoved(paragraph_id=paragraph.id)]

    raise TypeError(f"decide does not know {type(command).__name__}")
