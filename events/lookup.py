"""Finding things in a report for `decide`: each finder raises the DomainError a client
branches on (`unknown_paragraph`, `chapter_adopted`…) instead of returning None.
"""

from collections.abc import Iterable
from typing import TypeVar

from events.errors import DomainError
from events.model import AgendaItem, Chapter, Listing, Paragraph, Report, Section

T = TypeVar("T")


def find(items: Iterable[T], item_id: str, code: str, what: str) -> T:
    for item in items:
        if item.id == item_id:  # type: ignore[attr-defined]
            return item
    raise DomainError(code, f"no {what} {item_id} in this report")


def chapter(report: Report, chapter_id: str) -> Chapter:
    return find(report.chapters, chapter_id, "unknown_chapter", "chapter")


def section_with_chapter(report: Report, section_id: str) -> tuple[Chapter, Section]:
    for c in report.chapters:
        for s in c.sections:
            if s.id == section_id:
                return c, s
    raise DomainError("unknown_section", f"no section {section_id} in this report")


def paragraph_with_chapter(report: Report, paragraph_id: str) -> tuple[Chapter, Paragraph]:
    """Looked for from the end of the report: the paragraph just added is found at once (an
    import adds each paragraph's sub-items after it: from the start, 5,000 of them took seconds)."""
    for c in reversed(report.chapters):
        for paragraphs in (*(s.paragraphs for s in reversed(c.sections)), c.paragraphs):
            for p in reversed(paragraphs):
                if p.id == paragraph_id:
                    return c, p
    raise DomainError("unknown_paragraph", f"no paragraph {paragraph_id} in this report")


def paragraph_siblings(report: Report, chapter_id: str, section_id: str | None) -> tuple[Chapter, tuple[Paragraph, ...]]:
    """The chapter and the paragraph list a paragraph would join."""
    c = chapter(report, chapter_id)
    if section_id is None:
        return c, c.paragraphs
    s = find(c.sections, section_id, "unknown_section", f"section in chapter {chapter_id} with id")
    return c, s.paragraphs


def agenda_items(report: Report) -> list[AgendaItem]:
    return [entry for item in report.agenda for entry in (item, *item.sub_items)]


def agenda_item(report: Report, agenda_item_id: str) -> AgendaItem:
    return find(agenda_items(report), agenda_item_id, "unknown_agenda_item", "agenda item")


def known_ids(report: Report) -> set[str]:
    """Every id in use, so that a client-chosen id is never given to two things."""
    ids = {report.id}
    for c in report.chapters:
        ids.add(c.id)
        ids.update(s.id for s in c.sections)
    for p in report.all_paragraphs():
        ids.add(p.id)
        ids.update(i.id for i in p.items)
    ids.update(i.id for i in agenda_items(report))
    for collection in (report.statements, report.participants, report.panellists, report.documents):
        ids.update(item.id for item in collection)
    return ids


def check_before(siblings: Iterable[object], before: str | None, what: str) -> None:
    if before is not None and all(item.id != before for item in siblings):  # type: ignore[attr-defined]
        raise DomainError(f"unknown_{what}", f"no {what} {before} to put this before")


def check_open(c: Chapter) -> None:
    if c.adopted:
        raise DomainError("chapter_adopted", f"chapter « {c.title} » is adopted: reopen it to change it")


def check_listings_open(report: Report, kind: str, agenda_item_id: str | None = None, category: str | None = None) -> None:
    """Data shown by a listing paragraph cannot change while that paragraph's chapter is adopted.
    Only the adopted chapters are looked through (none while a report is drafted or imported)."""
    for c in report.chapters:
        if not c.adopted:
            continue
        for p in (*c.paragraphs, *(p for s in c.sections for p in s.paragraphs)):
            listing: Listing | None = p.listing
            if listing is None or listing.kind != kind:
                continue
            if agenda_item_id is not None and listing.agenda_item_id not in (None, agenda_item_id):
                continue
            if category is not None and listing.category not in (None, category):
                continue
            check_open(c)
