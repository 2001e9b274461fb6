"""The projection: `evolve(report, event) -> report`; replaying a log is a fold.

Each step copies only the path from the report to what changed and shares everything else
with the previous state (see events.model), so a fold over a long history stays linear and
every intermediate state stays valid. Events are facts already checked by `decide`: evolve
trusts them and never refuses one.
"""

from collections.abc import Callable, Iterable
from functools import reduce
from typing import Any, TypeVar

from msgspec.structs import replace

from events import catalogue as ev
from events import text_ops
from events.authorship import apply_to_runs, written_by
from events.catalogue import Event
from events.envelope import StoredEvent
from events.model import (
    LIGHT_OP,
    LIST_MARK,
    RECENT_OPS,
    RECENT_OPS_WEIGHT,
    AgendaItem,
    Chapter,
    Document,
    Panellist,
    Paragraph,
    Participant,
    PlaceholderFill,
    Report,
    Section,
    Statement,
    SubItem,
)
from events.text_ops import Delete, Op

T = TypeVar("T")
Items = tuple[Any, ...]


# Tuples of items with an `id`: each helper returns the very same tuple when nothing changes,
# so that unchanged chapters and sections stay shared between states.

def _insert(items: tuple[T, ...], item: T, before: str | None) -> tuple[T, ...]:
    if before is not None:
        for index, existing in enumerate(items):
            if existing.id == before:  # type: ignore[attr-defined]
                return (*items[:index], item, *items[index:])
    return (*items, item)


def _without(items: tuple[T, ...], item_id: str) -> tuple[T, ...]:
    kept = tuple(item for item in items if item.id != item_id)  # type: ignore[attr-defined]
    return items if len(kept) == len(items) else kept


def _updated(items: tuple[T, ...], item_id: str, change: Callable[[T], T]) -> tuple[T, ...]:
    for index, item in enumerate(items):
        if item.id == item_id:  # type: ignore[attr-defined]
            return (*items[:index], change(item), *items[index + 1 :])
    return items


def _find(items: Iterable[T], item_id: str) -> T | None:
    return next((item for item in items if item.id == item_id), None)  # type: ignore[attr-defined]


def _same(a: Items, b: Items) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


def _map_paragraph_lists(report: Report, change: Callable[[tuple[Paragraph, ...]], tuple[Paragraph, ...]]) -> Report:
    """Apply `change` to every list of paragraphs (each chapter's and each section's)."""

    def section(s: Section) -> Section:
        paragraphs = change(s.paragraphs)
        return s if paragraphs is s.paragraphs else replace(s, paragraphs=paragraphs)

    def chapter(c: Chapter) -> Chapter:
        paragraphs, sections = change(c.paragraphs), tuple(section(s) for s in c.sections)
        if paragraphs is c.paragraphs and _same(sections, c.sections):
            return c
        return replace(c, paragraphs=paragraphs, sections=sections)

    chapters = tuple(chapter(c) for c in report.chapters)
    return report if _same(chapters, report.chapters) else replace(report, chapters=chapters)


def _map_sections(report: Report, change: Callable[[tuple[Section, ...]], tuple[Section, ...]]) -> Report:
    """Apply `change` to every chapter's sections, keeping each chapter it leaves unchanged."""

    def chapter(c: Chapter) -> Chapter:
        sections = change(c.sections)
        return c if sections is c.sections else replace(c, sections=sections)

    chapters = tuple(chapter(c) for c in report.chapters)
    return report if _same(chapters, report.chapters) else replace(report, chapters=chapters)


def _update_paragraph(report: Report, paragraph_id: str, change: Callable[[Paragraph], Paragraph]) -> Report:
    """Change one paragraph, rebuilding only the path to it: the fold's hot path (typing)."""
    for chapter in report.chapters:
        paragraphs = _updated(chapter.paragraphs, paragraph_id, change)
        if paragraphs is not chapter.paragraphs:
            return replace(report, chapters=_updated(report.chapters, chapter.id, lambda c: replace(c, paragraphs=paragraphs)))
        for section in chapter.sections:
            in_section = _updated(section.paragraphs, paragraph_id, change)
            if in_section is not section.paragraphs:
                sections = _updated(chapter.sections, section.id, lambda s: replace(s, paragraphs=in_section))
                return replace(report, chapters=_updated(report.chapters, chapter.id, lambda c: replace(c, sections=sections)))
    return report


def _place_paragraph(report: Report, paragraph: Paragraph, chapter_id: str, section_id: str | None, before: str | None) -> Report:
    def into_chapter(c: Chapter) -> Chapter:
        if section_id is None:
            return replace(c, paragraphs=_insert(c.paragraphs, paragraph, before))
        return replace(
            c, sections=_updated(c.sections, section_id, lambda s: replace(s, paragraphs=_insert(s.paragraphs, paragraph, before)))
        )

    return replace(report, chapters=_updated(report.chapters, chapter_id, into_chapter))


def _paragraph(report: Report, paragraph_id: str) -> Paragraph:
    found = _find(report.all_paragraphs(), paragraph_id)
    assert found is not None, f"no paragraph {paragraph_id}"
    return found


def _map_sub_items(
    items: tuple[AgendaItem, ...], change: Callable[[tuple[AgendaItem, ...]], tuple[AgendaItem, ...]]
) -> tuple[AgendaItem, ...]:
    """Apply `change` to every item's sub-items, keeping each item it leaves unchanged."""
    changed = tuple(i if (sub_items := change(i.sub_items)) is i.sub_items else replace(i, sub_items=sub_items) for i in items)
    return items if _same(changed, items) else changed


def _update_agenda(items: tuple[AgendaItem, ...], item_id: str, change: Callable[[AgendaItem], AgendaItem]) -> tuple[AgendaItem, ...]:
    top = _updated(items, item_id, change)
    if top is not items:
        return top
    return _map_sub_items(items, lambda sub_items: _updated(sub_items, item_id, change))


def _set_chapter(report: Report, chapter_id: str, **changes: Any) -> Report:
    return replace(report, chapters=_updated(report.chapters, chapter_id, lambda c: replace(c, **changes)))


def _recent(ops: tuple[Op, ...], op: Op) -> tuple[Op, ...]:
    """The last RECENT_OPS ops with `op`, and fewer when they weigh too much: one copy of the
    tuple per keystroke, not three.

    Their weight stays under RECENT_OPS_WEIGHT without being summed at each keystroke: a
    light op (what typing makes) only drops the oldest one past RECENT_OPS; a heavy one
    (a paste, a replaced paragraph) drops the oldest until, with it, they weigh at most
    RECENT_OPS_WEIGHT - RECENT_OPS * LIGHT_OP. The light ops that follow it add at most
    RECENT_OPS * LIGHT_OP before it is dropped in turn, and light ops alone never weigh more.
    (An op heavier than that allowance on its own, which no command can make, is kept alone.)
    """
    kept = ops[1 - RECENT_OPS :] if len(ops) >= RECENT_OPS else ops
    heavy = text_ops.weight(op)
    if heavy <= LIGHT_OP:
        return kept + (op,)
    allowance = RECENT_OPS_WEIGHT - RECENT_OPS * LIGHT_OP - heavy
    start = len(kept)
    while start > 0 and (allowance := allowance - text_ops.weight(kept[start - 1])) >= 0:
        start -= 1
    return kept[start:] + (op,)


def _edited(paragraph: Paragraph, op: Op, author: str) -> Paragraph:
    """The one way a paragraph's text changes: an operation, which also moves its authorship."""
    return replace(
        paragraph,
        text=text_ops.apply(paragraph.text, op),
        revision=paragraph.revision + 1,
        authors=apply_to_runs(paragraph.authors, op, author),
        recent_ops=_recent(paragraph.recent_ops, op),
    )


def _replacement(old: str, new: str) -> Op:
    """Replacing a whole text, as the smallest operation: keep the common prefix and suffix,
    so that the authors of untouched words stay theirs."""
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(old), len(new)) - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    deleted = len(old) - prefix - suffix
    inserted = new[prefix : len(new) - suffix]
    return text_ops.normalize([prefix, *([Delete(d=deleted)] if deleted else []), *([inserted] if inserted else [])])


def _text_edited(r: Report, paragraph_id: str, op_of: Callable[[Paragraph], Op], author: str) -> Report:
    return _update_paragraph(r, paragraph_id, lambda p: _edited(p, op_of(p), author))


def _paragraph_added(r: Report, e: ev.ParagraphAdded, author: str) -> Report:
    text = e.text if e.listing is None or LIST_MARK in e.text else e.text + LIST_MARK
    paragraph = Paragraph(id=e.paragraph_id, text=text, listing=e.listing, authors=written_by(author, len(text)))
    return _place_paragraph(r, paragraph, e.chapter_id, e.section_id, e.before)


def _paragraph_moved(r: Report, e: ev.ParagraphMoved) -> Report:
    paragraph = _paragraph(r, e.paragraph_id)
    without = _map_paragraph_lists(r, lambda ps: _without(ps, e.paragraph_id))
    return _place_paragraph(without, paragraph, e.chapter_id, e.section_id, e.before)


def _section_moved(r: Report, e: ev.SectionMoved) -> Report:
    section = next(s for c in r.chapters for s in c.sections if s.id == e.section_id)
    without = _map_sections(r, lambda sections: _without(sections, e.section_id))
    return replace(
        without, chapters=_updated(without.chapters, e.chapter_id, lambda c: replace(c, sections=_insert(c.sections, section, e.before)))
    )


def _placeholder_filled(r: Report, e: ev.PlaceholderFilled, author: str) -> Report:
    fill = PlaceholderFill(placeholder_id=e.placeholder_id, paragraph_id=e.paragraph_id, original=e.original, value=e.value)
    op = text_ops.normalize([e.start, Delete(d=len(e.original)), *([e.value] if e.value else [])])
    return replace(_text_edited(r, e.paragraph_id, lambda p: op, author), fills=(*r.fills, fill))


def _agenda_item_added(r: Report, e: ev.AgendaItemAdded) -> Report:
    item = AgendaItem(id=e.agenda_item_id, title=e.title)
    if e.parent_id is None:
        return replace(r, agenda=_insert(r.agenda, item, e.before))
    return replace(r, agenda=_updated(r.agenda, e.parent_id, lambda p: replace(p, sub_items=_insert(p.sub_items, item, e.before))))


def _agenda_item_removed(r: Report, e: ev.AgendaItemRemoved) -> Report:
    agenda = _map_sub_items(_without(r.agenda, e.agenda_item_id), lambda sub_items: _without(sub_items, e.agenda_item_id))
    return replace(r, agenda=agenda)


def _sub_items(r: Report, paragraph_id: str, change: Callable[[tuple[SubItem, ...]], tuple[SubItem, ...]]) -> Report:
    return _update_paragraph(r, paragraph_id, lambda p: replace(p, items=change(p.items)))


def _sub_item_moved(r: Report, e: ev.SubItemMoved) -> Report:
    def move(items: tuple[SubItem, ...]) -> tuple[SubItem, ...]:
        item = _find(items, e.sub_item_id)
        assert item is not None
        return _insert(_without(items, e.sub_item_id), item, e.before)

    return _sub_items(r, e.paragraph_id, move)


_STEPS: dict[type, Callable[..., Report]] = {
    ev.ReportRetitled: lambda r, e: replace(r, title=e.title),
    ev.ReportDetailsChanged: lambda r, e: replace(r, details=e.details),
    ev.ChapterAdded: lambda r, e: replace(r, chapters=_insert(r.chapters, Chapter(id=e.chapter_id, title=e.title), e.before)),
    ev.ChapterRetitled: lambda r, e: _set_chapter(r, e.chapter_id, title=e.title),
    ev.ChapterMoved: lambda r, e: replace(
        r, chapters=_insert(_without(r.chapters, e.chapter_id), _find(r.chapters, e.chapter_id), e.before)
    ),
    ev.ChapterRemoved: lambda r, e: replace(r, chapters=_without(r.chapters, e.chapter_id)),
    ev.SectionAdded: lambda r, e: replace(
        r,
        chapters=_updated(
            r.chapters, e.chapter_id, lambda c: replace(c, sections=_insert(c.sections, Section(id=e.section_id, title=e.title), e.before))
        ),
    ),
    ev.SectionRetitled: lambda r, e: _map_sections(r, lambda ss: _updated(ss, e.section_id, lambda s: replace(s, title=e.title))),
    ev.SectionMoved: _section_moved,
    ev.SectionRemoved: lambda r, e: _map_sections(r, lambda ss: _without(ss, e.section_id)),
    ev.ParagraphMoved: _paragraph_moved,
    ev.ParagraphRemoved: lambda r, e: _map_paragraph_lists(r, lambda ps: _without(ps, e.paragraph_id)),
    ev.SubItemAdded: lambda r, e: _sub_items(r, e.paragraph_id, lambda items: _insert(items, SubItem(id=e.sub_item_id, text=e.text), e.before)),
    ev.SubItemTextReplaced: lambda r, e: _sub_items(
        r, e.paragraph_id, lambda items: _updated(items, e.sub_item_id, lambda i: replace(i, text=e.text))
    ),
    ev.SubItemMoved: _sub_item_moved,
    ev.SubItemRemoved: lambda r, e: _sub_items(r, e.paragraph_id, lambda items: _without(items, e.sub_item_id)),
    ev.AgendaItemAdded: _agenda_item_added,
    ev.AgendaItemRetitled: lambda r, e: replace(r, agenda=_update_agenda(r.agenda, e.agenda_item_id, lambda i: replace(i, title=e.title))),
    ev.AgendaItemRemoved: _agenda_item_removed,
    ev.StatementRecorded: lambda r, e: replace(
        r,
        statements=(
            *r.statements,
            Statement(id=e.statement_id, agenda_item_id=e.agenda_item_id, category=e.category, delegation=e.delegation, person=e.person),
        ),
    ),
    ev.StatementWithdrawn: lambda r, e: replace(r, statements=_without(r.statements, e.statement_id)),
    ev.ParticipantAdded: lambda r, e: replace(
        r, participants=(*r.participants, Participant(id=e.participant_id, category=e.category, name=e.name))
    ),
    ev.ParticipantRemoved: lambda r, e: replace(r, participants=_without(r.participants, e.participant_id)),
    ev.PanellistAdded: lambda r, e: replace(
        r,
        panellists=(
            *r.panellists,
            Panellist(id=e.panellist_id, agenda_item_id=e.agenda_item_id, name=e.name, delegation=e.delegation),
        ),
    ),
    ev.PanellistRemoved: lambda r, e: replace(r, panellists=_without(r.panellists, e.panellist_id)),
    ev.DocumentAdded: lambda r, e: replace(r, documents=(*r.documents, Document(id=e.document_id, symbol=e.symbol, title=e.title))),
    ev.DocumentRemoved: lambda r, e: replace(r, documents=_without(r.documents, e.document_id)),
    ev.ChapterAdopted: lambda r, e: _set_chapter(r, e.chapter_id, adopted=True),
    ev.ChapterReopened: lambda r, e: _set_chapter(r, e.chapter_id, adopted=False),
    ev.ReportAdopted: lambda r, e: replace(r, adopted=True, ad_referendum=e.ad_referendum),
}


# The steps that write text, and so need to know who wrote it.
_AUTHORED_STEPS: dict[type, Callable[[Report, Any, str], Report]] = {
    ev.ParagraphAdded: _paragraph_added,
    ev.ParagraphTextReplaced: lambda r, e, author: _text_edited(r, e.paragraph_id, lambda p: _replacement(p.text, e.text), author),
    ev.ParagraphTextEdited: lambda r, e, author: _text_edited(r, e.paragraph_id, lambda p: e.ops, author),
    ev.PlaceholderFilled: _placeholder_filled,
    ev.RecommendationAdded: lambda r, e, author: _place_paragraph(
        r,
        Paragraph(id=e.paragraph_id, text=e.text, recommendation=True, authors=written_by(author, len(e.text))),
        e.chapter_id,
        e.section_id,
        e.before,
    ),
}


def apply(report: Report | None, data: Event, report_id: str, actor: str) -> Report:
    """One step of the fold, from the payload and its author: what `decide_all` needs mid-command."""
    if isinstance(data, ev.ReportCreated):
        return Report(id=report_id, title=data.title)
    assert report is not None, f"{type(data).__name__} precedes ReportCreated"
    authored = _AUTHORED_STEPS.get(type(data))
    if authored is not None:
        return authored(report, data, actor)
    step = _STEPS.get(type(data))
    if step is None:
        raise TypeError(f"evolve does not know {type(data).__name__}")
    return step(report, data)


def evolve(report: Report | None, event: StoredEvent) -> Report:
    return apply(report, event.data, event.report_id, event.actor)


def replay(events: Iterable[StoredEvent], report: Report | None = None) -> Report | None:
    """Fold events into a report; None when the log is empty."""
    return reduce(evolve, events, report)
