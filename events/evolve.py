"""The projection: `evolve(report, event) -> report`; replaying a log is a fold.

Each step copies only the path from the report to what changed (see events.model), so a
fold over a long history stays linear and every intermediate state stays valid.
"""

from collections.abc import Callable, Iterable
from functools import reduce
from typing import TypeVar

from msgspec.structs import replace

from events.catalogue import (
    ChapterAdded,
    ParagraphAdded,
    ParagraphRemoved,
    ParagraphTextReplaced,
    ReportCreated,
    SectionAdded,
)
from events.envelope import StoredEvent
from events.model import Chapter, Paragraph, Report, Section

T = TypeVar("T", Chapter, Section, Paragraph)


def _insert(items: tuple[T, ...], item: T, before: str | None) -> tuple[T, ...]:
    if before is not None:
        for index, existing in enumerate(items):
            if existing.id == before:
                return (*items[:index], item, *items[index:])
    return (*items, item)


def _update_chapter(report: Report, chapter_id: str, change: Callable[[Chapter], Chapter]) -> Report:
    return replace(
        report,
        chapters=tuple(change(c) if c.id == chapter_id else c for c in report.chapters),
    )


def _update_section(chapter: Chapter, section_id: str, change: Callable[[Section], Section]) -> Chapter:
    return replace(
        chapter,
        sections=tuple(change(s) if s.id == section_id else s for s in chapter.sections),
    )


def _update_paragraphs(
    report: Report, paragraph_id: str, change: Callable[[tuple[Paragraph, ...]], tuple[Paragraph, ...]]
) -> Report:
    """Apply `change` to the one paragraph list that holds `paragraph_id`."""
    for chapter in report.chapters:
        if any(p.id == paragraph_id for p in chapter.paragraphs):
            return _update_chapter(report, chapter.id, lambda c: replace(c, paragraphs=change(c.paragraphs)))
        for section in chapter.sections:
            if any(p.id == paragraph_id for p in section.paragraphs):
                return _update_chapter(
                    report,
                    chapter.id,
                    lambda c: _update_section(c, section.id, lambda s: replace(s, paragraphs=change(s.paragraphs))),
                )
    return report


def evolve(report: Report | None, event: StoredEvent) -> Report:
    data = event.data
    if isinstance(data, ReportCreated):
        return Report(id=event.report_id, title=data.title)
    assert report is not None, f"{event.type} at version {event.version} precedes ReportCreated"
    if isinstance(data, ChapterAdded):
        chapter = Chapter(id=data.chapter_id, title=data.title)
        return replace(report, chapters=_insert(report.chapters, chapter, data.before))
    if isinstance(data, SectionAdded):
        section = Section(id=data.section_id, title=data.title)
        return _update_chapter(
            report, data.chapter_id, lambda c: replace(c, sections=_insert(c.sections, section, data.before))
        )
    if isinstance(data, ParagraphAdded):
        paragraph = Paragraph(id=data.paragraph_id, text=data.text)
        if data.section_id is None:
            return _update_chapter(
                report,
                data.chapter_id,
                lambda c: replace(c, paragraphs=_insert(c.paragraphs, paragraph, data.before)),
            )
        return _update_chapter(
            report,
            data.chapter_id,
            lambda c: _update_section(
                c, data.section_id, lambda s: replace(s, paragraphs=_insert(s.paragraphs, paragraph, data.before))
            ),
        )
    if isinstance(data, ParagraphTextReplaced):
        return _update_paragraphs(
            report,
            data.paragraph_id,
            lambda ps: tuple(replace(p, text=data.text) if p.id == data.paragraph_id else p for p in ps),
        )
    if isinstance(data, ParagraphRemoved):
        return _update_paragraphs(
            report, data.paragraph_id, lambda ps: tuple(p for p in ps if p.id != data.paragraph_id)
        )
    raise TypeError(f"evolve does not know {event.type}")


def replay(events: Iterable[StoredEvent], report: Report | None = None) -> Report | None:
    """Fold events into a report; None when the log is empty."""
    return reduce(evolve, events, report)
