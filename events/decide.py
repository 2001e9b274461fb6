"""`decide(report, command, new_id) -> events`: the rules of the report, and nothing else.

Pure: the current state and the command in, the events that record what happened out, or a
DomainError with a stable code and nothing out. Ids the client left out are drawn from
`new_id`, injected so that the rules stay deterministic under test.
"""

from collections.abc import Callable
from typing import get_args

import msgspec

from events import catalogue as ev
from events import commands as cmd
from events import lookup, text_ops
from events.catalogue import Event
from events.errors import DomainError
from events.evolve import apply
from events.fields import MAX_OP_CHARACTERS, MAX_OP_COMPONENTS, MAX_TEXT_LENGTH, NOT_IN_TEXT
from events.model import (
    LIST_MARK,
    Listing,
    ParticipantCategory,
    Report,
    SpeakerCategory,
)
from events.placeholders import filled_ids, paragraph_of, paragraph_placeholders

NewId = Callable[[], str]

# The components merging one edit past those committed since its revision may walk
# (`text_ops.transform_cost`): about 3 ms of the server's time, and deciding the widest op
# allowed that far behind about 3.5 ms in all (tests/bench/stale_edit.py). A keystroke made 500
# revisions ago costs some 2,000; what costs more is refused with `revision_too_old`, and the
# drafter's client sends it again made on a recent revision, where merging costs next to nothing.
TRANSFORM_BUDGET = 3_000


class _Known:
    """`new_id` for commands decided one after another (`decide_and_apply`), which also keeps
    what is in use from one command to the next: the item ids, and the participants by
    category and name. Checking a new item is then a look-up, not a walk over the whole report
    for every command (seconds for an import of 5,000 paragraphs or participants).

    Exact: every command given an item id adds that item and changes nothing else in use (the
    rules that call `_new_item_id` each return one event that adds it); after any other
    command, what is in use is listed again when next needed."""

    def __init__(self, new_id: NewId) -> None:
        self._new_id = new_id
        self._report: Report | None = None  # the state the sets below describe
        self._ids: set[str] = set()
        self._participants: set[tuple[str, str]] = set()
        self.given: str | None = None  # the item id given to the command being decided
        self.participant: tuple[str, str] | None = None  # the participant it adds

    def __call__(self) -> str:
        return self._new_id()

    def _describe(self, report: Report) -> None:
        if report is not self._report:
            self._report, self._ids, self._participants = report, lookup.known_ids(report), _participants(report)

    def ids_of(self, report: Report) -> set[str]:
        self._describe(report)
        return self._ids

    def participants_of(self, report: Report) -> set[tuple[str, str]]:
        self._describe(report)
        return self._participants

    def decided(self, before: Report | None, after: Report | None) -> None:
        """A command took the report from `before` to `after`."""
        if self.given is not None and before is self._report and before is not None:
            self._ids.add(self.given)
            if self.participant is not None:
                self._participants.add(self.participant)
            self._report = after
        self.given = self.participant = None


def _participants(report: Report) -> set[tuple[str, str]]:
    return {(p.category, p.name) for p in report.participants}


def _new_item_id(report: Report, requested: str | None, new_id: NewId) -> str:
    if requested is None:
        given = new_id()
    elif requested in (new_id.ids_of(report) if isinstance(new_id, _Known) else lookup.known_ids(report)):
        raise DomainError("duplicate_id", f"id {requested} is already used in this report")
    else:
        given = requested
    if isinstance(new_id, _Known):
        new_id.given = given
    return given


def _name(value: str, field: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise DomainError("empty_name", f"{field} cannot be empty")
    return name


def _plain(text: str, what: str) -> str:
    if LIST_MARK in text:
        raise DomainError("invalid_text", f"only a listing paragraph holds the list mark U+FFFC, not {what}")
    return text


# The categories a listing of each kind may name.
_LISTED_CATEGORIES = {"statements": frozenset(get_args(SpeakerCategory)), "participants": frozenset(get_args(ParticipantCategory))}


def _check_listing(report: Report, listing: Listing) -> None:
    if listing.kind in ("statements", "panellists"):
        if listing.agenda_item_id is None:
            raise DomainError("invalid_listing", f"a {listing.kind} listing names its agenda item")
        lookup.agenda_item(report, listing.agenda_item_id)
    categories = _LISTED_CATEGORIES.get(listing.kind)
    if categories is not None and listing.category not in categories:
        raise DomainError("invalid_listing", f"a {listing.kind} listing names one of the categories {sorted(categories)}")


# The report

def _retitle_report(r: Report, c: cmd.RetitleReport, new_id: NewId) -> list[Event]:
    return [] if c.title == r.title else [ev.ReportRetitled(title=c.title)]


def _set_details(r: Report, c: cmd.SetReportDetails, new_id: NewId) -> list[Event]:
    d = c.details
    if d.first_date and d.last_date and d.first_date > d.last_date:
        raise DomainError("invalid_dates", "the meeting cannot end before it starts")
    return [] if d == r.details else [ev.ReportDetailsChanged(details=d)]


# Chapters and sections

def _add_chapter(r: Report, c: cmd.AddChapter, new_id: NewId) -> list[Event]:
    lookup.check_before(r.chapters, c.before, "chapter")
    return [ev.ChapterAdded(chapter_id=_new_item_id(r, c.chapter_id, new_id), title=c.title, before=c.before)]


def _retitle_chapter(r: Report, c: cmd.RetitleChapter, new_id: NewId) -> list[Event]:
    chapter = lookup.chapter(r, c.chapter_id)
    lookup.check_open(chapter)
    return [] if chapter.title == c.title else [ev.ChapterRetitled(chapter_id=chapter.id, title=c.title)]


def _move_chapter(r: Report, c: cmd.MoveChapter, new_id: NewId) -> list[Event]:
    chapter = lookup.chapter(r, c.chapter_id)
    lookup.check_before([x for x in r.chapters if x.id != chapter.id], c.before, "chapter")
    return [ev.ChapterMoved(chapter_id=chapter.id, before=c.before)]


def _remove_chapter(r: Report, c: cmd.RemoveChapter, new_id: NewId) -> list[Event]:
    chapter = lookup.chapter(r, c.chapter_id)
    lookup.check_open(chapter)
    return [ev.ChapterRemoved(chapter_id=chapter.id)]


def _add_section(r: Report, c: cmd.AddSection, new_id: NewId) -> list[Event]:
    chapter = lookup.chapter(r, c.chapter_id)
    lookup.check_open(chapter)
    lookup.check_before(chapter.sections, c.before, "section")
    section_id = _new_item_id(r, c.section_id, new_id)
    return [ev.SectionAdded(section_id=section_id, chapter_id=chapter.id, title=c.title, before=c.before)]


def _retitle_section(r: Report, c: cmd.RetitleSection, new_id: NewId) -> list[Event]:
    chapter, section = lookup.section_with_chapter(r, c.section_id)
    lookup.check_open(chapter)
    return [] if section.title == c.title else [ev.SectionRetitled(section_id=section.id, title=c.title)]


def _move_section(r: Report, c: cmd.MoveSection, new_id: NewId) -> list[Event]:
    source, section = lookup.section_with_chapter(r, c.section_id)
    target = lookup.chapter(r, c.chapter_id)
    lookup.check_open(source)
    lookup.check_open(target)
    lookup.check_before([s for s in target.sections if s.id != section.id], c.before, "section")
    return [ev.SectionMoved(section_id=section.id, chapter_id=target.id, before=c.before)]


def _remove_section(r: Report, c: cmd.RemoveSection, new_id: NewId) -> list[Event]:
    chapter, section = lookup.section_with_chapter(r, c.section_id)
    lookup.check_open(chapter)
    return [ev.SectionRemoved(section_id=section.id)]


# Paragraphs and their sub-items

def _add_paragraph(r: Report, c: cmd.AddParagraph, new_id: NewId) -> list[Event]:
    chapter, siblings = lookup.paragraph_siblings(r, c.chapter_id, c.section_id)
    lookup.check_open(chapter)
    lookup.check_before(siblings, c.before, "paragraph")
    if c.listing is not None:
        _check_listing(r, c.listing)
        if c.text.count(LIST_MARK) > 1:
            raise DomainError("invalid_text", "a listing paragraph holds the list mark U+FFFC once")
    else:
        _plain(c.text, "a paragraph without a listing")
    paragraph_id = _new_item_id(r, c.paragraph_id, new_id)
    return [
        ev.ParagraphAdded(
            paragraph_id=paragraph_id, chapter_id=chapter.id, section_id=c.section_id, text=c.text, before=c.before, listing=c.listing
        )
    ]


def _replace_paragraph_text(r: Report, c: cmd.ReplaceParagraphText, new_id: NewId) -> list[Event]:
    chapter, paragraph = lookup.paragraph_with_chapter(r, c.paragraph_id)
    lookup.check_open(chapter)
    if c.text.count(LIST_MARK) != paragraph.text.count(LIST_MARK):
        raise DomainError("invalid_text", "the list mark U+FFFC of a listing paragraph stays, once")
    return [] if paragraph.text == c.text else [ev.ParagraphTextReplaced(paragraph_id=paragraph.id, text=c.text)]


def _check_op_size(ops: text_ops.Op) -> None:
    """Refuse an op wider or carrying more text than any drafter sends (`op_too_large`),
    before any work is done with it: every other check walks its components (the widest a
    message holds, 176,000 of them, took 70 ms to look for control characters in)."""
    if len(ops) > MAX_OP_COMPONENTS:
        raise DomainError("op_too_large", f"an edit holds at most {MAX_OP_COMPONENTS} components; this one has {len(ops)}")
    characters = text_ops.carried(ops)
    if characters > MAX_OP_CHARACTERS:
        raise DomainError("op_too_large", f"an edit carries at most {MAX_OP_CHARACTERS} characters of text; this one {characters}")


def _edit_paragraph_text(r: Report, c: cmd.EditParagraphText, new_id: NewId) -> list[Event]:
    chapter, paragraph = lookup.paragraph_with_chapter(r, c.paragraph_id)
    lookup.check_open(chapter)
    behind = paragraph.revision - c.base_revision
    if behind < 0:
        raise DomainError("unknown_revision", f"the paragraph is at revision {paragraph.revision}, not {c.base_revision}")
    if behind > len(paragraph.recent_ops):
        raise DomainError("revision_too_old", f"revision {c.base_revision} is too old to merge: reload the paragraph")
    try:
        text_ops.check(c.ops)
        committed = paragraph.recent_ops[len(paragraph.recent_ops) - behind :]
        ops = text_ops.transform_past(text_ops.normalize(c.ops), committed, "left", budget=TRANSFORM_BUDGET)
        text = text_ops.apply(paragraph.text, ops)
    except text_ops.TooCostly:
        raise DomainError(
            "revision_too_old",
            f"revision {c.base_revision} is {behind} edits behind: too far to merge an edit of {len(c.ops)} components;"
            " make it on a recent revision",
        ) from None
    except ValueError as error:
        raise DomainError("invalid_ops", f"these operations do not fit revision {c.base_revision}: {error}") from None
    if text.count(LIST_MARK) != paragraph.text.count(LIST_MARK):
        raise DomainError("invalid_text", "the list mark U+FFFC of a listing paragraph stays, once")
    if len(text) > MAX_TEXT_LENGTH:
        raise DomainError("invalid_text", f"a paragraph holds at most {MAX_TEXT_LENGTH} characters")
    return [ev.ParagraphTextEdited(paragraph_id=paragraph.id, revision=paragraph.revision + 1, ops=ops)]


def _move_paragraph(r: Report, c: cmd.MoveParagraph, new_id: NewId) -> list[Event]:
    source, paragraph = lookup.paragraph_with_chapter(r, c.paragraph_id)
    target, siblings = lookup.paragraph_siblings(r, c.chapter_id, c.section_id)
    lookup.check_open(source)
    lookup.check_open(target)
    lookup.check_before([p for p in siblings if p.id != paragraph.id], c.before, "paragraph")
    return [ev.ParagraphMoved(paragraph_id=paragraph.id, chapter_id=target.id, section_id=c.section_id, before=c.before)]


def _remove_paragraph(r: Report, c: cmd.RemoveParagraph, new_id: NewId) -> list[Event]:
    chapter, paragraph = lookup.paragraph_with_chapter(r, c.paragraph_id)
    lookup.check_open(chapter)
    return [ev.ParagraphRemoved(paragraph_id=paragraph.id)]


def _open_paragraph(r: Report, paragraph_id: str):  # type: ignore[no-untyped-def]
    chapter, paragraph = lookup.paragraph_with_chapter(r, paragraph_id)
    lookup.check_open(chapter)
    return paragraph


def _add_sub_item(r: Report, c: cmd.AddSubItem, new_id: NewId) -> list[Event]:
    paragraph = _open_paragraph(r, c.paragraph_id)
    lookup.check_before(paragraph.items, c.before, "sub_item")
    _plain(c.text, "a sub-item")
    sub_item_id = _new_item_id(r, c.sub_item_id, new_id)
    return [ev.SubItemAdded(paragraph_id=paragraph.id, sub_item_id=sub_item_id, text=c.text, before=c.before)]


def _replace_sub_item_text(r: Report, c: cmd.ReplaceSubItemText, new_id: NewId) -> list[Event]:
    paragraph = _open_paragraph(r, c.paragraph_id)
    item = lookup.find(paragraph.items, c.sub_item_id, "unknown_sub_item", "sub-item")
    _plain(c.text, "a sub-item")
    return [] if item.text == c.text else [ev.SubItemTextReplaced(paragraph_id=paragraph.id, sub_item_id=item.id, text=c.text)]


def _move_sub_item(r: Report, c: cmd.MoveSubItem, new_id: NewId) -> list[Event]:
    paragraph = _open_paragraph(r, c.paragraph_id)
    item = lookup.find(paragraph.items, c.sub_item_id, "unknown_sub_item", "sub-item")
    lookup.check_before([i for i in paragraph.items if i.id != item.id], c.before, "sub_item")
    return [ev.SubItemMoved(paragraph_id=paragraph.id, sub_item_id=item.id, before=c.before)]


def _remove_sub_item(r: Report, c: cmd.RemoveSubItem, new_id: NewId) -> list[Event]:
    paragraph = _open_paragraph(r, c.paragraph_id)
    item = lookup.find(paragraph.items, c.sub_item_id, "unknown_sub_item", "sub-item")
    return [ev.SubItemRemoved(paragraph_id=paragraph.id, sub_item_id=item.id)]


def _fill_placeholder(r: Report, c: cmd.FillPlaceholder, new_id: NewId) -> list[Event]:
    if any(fill.placeholder_id == c.placeholder_id for fill in r.fills):
        raise DomainError("placeholder_filled", f"placeholder {c.placeholder_id} is already filled")
    if LIST_MARK in c.value:
        raise DomainError("invalid_text", "a placeholder's value cannot hold the list mark U+FFFC")
    located = [(ch, p) for ch, p in r.located_paragraphs() if p.id == paragraph_of(c.placeholder_id)]
    if not located:
        raise DomainError("unknown_placeholder", f"no placeholder {c.placeholder_id} in this report")
    chapter, paragraph = located[0]
    lookup.check_open(chapter)
    placeholders = paragraph_placeholders(paragraph, filled_ids(r))
    placeholder = lookup.find(placeholders, c.placeholder_id, "unknown_placeholder", "placeholder")
    return [
        ev.PlaceholderFilled(
            placeholder_id=placeholder.id, paragraph_id=paragraph.id, original=placeholder.text, value=c.value, start=placeholder.start
        )
    ]


# The meeting's facts

def _add_agenda_item(r: Report, c: cmd.AddAgendaItem, new_id: NewId) -> list[Event]:
    lookup.check_listings_open(r, "agenda")
    siblings = r.agenda
    if c.parent_id is not None:
        parent = lookup.find(r.agenda, c.parent_id, "unknown_agenda_item", "top-level agenda item")
        siblings = parent.sub_items
    lookup.check_before(siblings, c.before, "agenda_item")
    item_id = _new_item_id(r, c.agenda_item_id, new_id)
    return [ev.AgendaItemAdded(agenda_item_id=item_id, title=c.title, parent_id=c.parent_id, before=c.before)]


def _retitle_agenda_item(r: Report, c: cmd.RetitleAgendaItem, new_id: NewId) -> list[Event]:
    item = lookup.agenda_item(r, c.agenda_item_id)
    lookup.check_listings_open(r, "agenda")
    return [] if item.title == c.title else [ev.AgendaItemRetitled(agenda_item_id=item.id, title=c.title)]


def _remove_agenda_item(r: Report, c: cmd.RemoveAgendaItem, new_id: NewId) -> list[Event]:
    item = lookup.agenda_item(r, c.agenda_item_id)
    lookup.check_listings_open(r, "agenda")
    removed = {item.id, *(i.id for i in item.sub_items)}
    if any(s.agenda_item_id in removed for s in (*r.statements, *r.panellists)) or any(
        p.listing is not None and p.listing.agenda_item_id in removed for p in r.all_paragraphs()
    ):
        raise DomainError("agenda_item_in_use", "statements, panellists or paragraphs still refer to this agenda item")
    return [ev.AgendaItemRemoved(agenda_item_id=item.id)]


def _record_statement(r: Report, c: cmd.RecordStatement, new_id: NewId) -> list[Event]:
    lookup.agenda_item(r, c.agenda_item_id)
    lookup.check_listings_open(r, "statements", c.agenda_item_id, c.category)
    delegation = _name(c.delegation, "the delegation")
    statement_id = _new_item_id(r, c.statement_id, new_id)
    return [
        ev.StatementRecorded(
            statement_id=statement_id, agenda_item_id=c.agenda_item_id, category=c.category, delegation=delegation, person=c.person.strip()
        )
    ]


def _withdraw_statement(r: Report, c: cmd.WithdrawStatement, new_id: NewId) -> list[Event]:
    statement = lookup.find(r.statements, c.statement_id, "unknown_statement", "statement")
    lookup.check_listings_open(r, "statements", statement.agenda_item_id, statement.category)
    return [ev.StatementWithdrawn(statement_id=statement.id)]


def _add_participant(r: Report, c: cmd.AddParticipant, new_id: NewId) -> list[Event]:
    lookup.check_listings_open(r, "participants", category=c.category)
    name = _name(c.name, "the participant's name")
    if (c.category, name) in (new_id.participants_of(r) if isinstance(new_id, _Known) else _participants(r)):
        raise DomainError("duplicate_participant", f"{name} is already listed in this category")
    participant_id = _new_item_id(r, c.participant_id, new_id)
    if isinstance(new_id, _Known):
        new_id.participant = (c.category, name)
    return [ev.ParticipantAdded(participant_id=participant_id, category=c.category, name=name)]


def _remove_participant(r: Report, c: cmd.RemoveParticipant, new_id: NewId) -> list[Event]:
    participant = lookup.find(r.participants, c.participant_id, "unknown_participant", "participant")
    lookup.check_listings_open(r, "participants", category=participant.category)
    return [ev.ParticipantRemoved(participant_id=participant.id)]


def _add_panellist(r: Report, c: cmd.AddPanellist, new_id: NewId) -> list[Event]:
    lookup.agenda_item(r, c.agenda_item_id)
    lookup.check_listings_open(r, "panellists", c.agenda_item_id)
    name = _name(c.name, "the panellist's name")
    panellist_id = _new_item_id(r, c.panellist_id, new_id)
    return [
        ev.PanellistAdded(panellist_id=panellist_id, agenda_item_id=c.agenda_item_id, name=name, delegation=" ".join(c.delegation.split()))
    ]


def _remove_panellist(r: Report, c: cmd.RemovePanellist, new_id: NewId) -> list[Event]:
    panellist = lookup.find(r.panellists, c.panellist_id, "unknown_panellist", "panellist")
    lookup.check_listings_open(r, "panellists", panellist.agenda_item_id)
    return [ev.PanellistRemoved(panellist_id=panellist.id)]


def _add_document(r: Report, c: cmd.AddDocument, new_id: NewId) -> list[Event]:
    lookup.check_listings_open(r, "documents")
    symbol = _name(c.symbol, "the document symbol")
    if any(d.symbol == symbol for d in r.documents):
        raise DomainError("duplicate_document", f"document {symbol} is already listed")
    document_id = _new_item_id(r, c.document_id, new_id)
    return [ev.DocumentAdded(document_id=document_id, symbol=symbol, title=c.title)]


def _remove_document(r: Report, c: cmd.RemoveDocument, new_id: NewId) -> list[Event]:
    document = lookup.find(r.documents, c.document_id, "unknown_document", "document")
    lookup.check_listings_open(r, "documents")
    return [ev.DocumentRemoved(document_id=document.id)]


def _add_recommendation(r: Report, c: cmd.AddRecommendation, new_id: NewId) -> list[Event]:
    chapter, siblings = lookup.paragraph_siblings(r, c.chapter_id, c.section_id)
    lookup.check_open(chapter)
    lookup.check_before(siblings, c.before, "paragraph")
    if not c.text.strip():
        raise DomainError("empty_text", "a recommendation needs its text")
    _plain(c.text, "a recommendation")
    paragraph_id = _new_item_id(r, c.recommendation_id, new_id)
    return [ev.RecommendationAdded(paragraph_id=paragraph_id, chapter_id=chapter.id, section_id=c.section_id, text=c.text, before=c.before)]


# Adoption

def _adopt_chapter(r: Report, c: cmd.AdoptChapter, new_id: NewId) -> list[Event]:
    chapter = lookup.chapter(r, c.chapter_id)
    lookup.check_open(chapter)
    return [ev.ChapterAdopted(chapter_id=chapter.id)]


def _reopen_chapter(r: Report, c: cmd.ReopenChapter, new_id: NewId) -> list[Event]:
    chapter = lookup.chapter(r, c.chapter_id)
    if not chapter.adopted:
        raise DomainError("chapter_not_adopted", f"chapter « {chapter.title} » is not adopted")
    return [ev.ChapterReopened(chapter_id=chapter.id, reason=_name(c.reason, "the reason"))]


def _adopt_report(r: Report, c: cmd.AdoptReport, new_id: NewId) -> list[Event]:
    return [ev.ReportAdopted(ad_referendum=c.ad_referendum)]


_RULES: dict[type, Callable[[Report, object, NewId], list[Event]]] = {
    cmd.RetitleReport: _retitle_report,
    cmd.SetReportDetails: _set_details,
    cmd.AddChapter: _add_chapter,
    cmd.RetitleChapter: _retitle_chapter,
    cmd.MoveChapter: _move_chapter,
    cmd.RemoveChapter: _remove_chapter,
    cmd.AddSection: _add_section,
    cmd.RetitleSection: _retitle_section,
    cmd.MoveSection: _move_section,
    cmd.RemoveSection: _remove_section,
    cmd.AddParagraph: _add_paragraph,
    cmd.ReplaceParagraphText: _replace_paragraph_text,
    cmd.EditParagraphText: _edit_paragraph_text,
    cmd.MoveParagraph: _move_paragraph,
    cmd.RemoveParagraph: _remove_paragraph,
    cmd.AddSubItem: _add_sub_item,
    cmd.ReplaceSubItemText: _replace_sub_item_text,
    cmd.MoveSubItem: _move_sub_item,
    cmd.RemoveSubItem: _remove_sub_item,
    cmd.FillPlaceholder: _fill_placeholder,
    cmd.AddAgendaItem: _add_agenda_item,
    cmd.RetitleAgendaItem: _retitle_agenda_item,
    cmd.RemoveAgendaItem: _remove_agenda_item,
    cmd.RecordStatement: _record_statement,
    cmd.WithdrawStatement: _withdraw_statement,
    cmd.AddParticipant: _add_participant,
    cmd.RemoveParticipant: _remove_participant,
    cmd.AddPanellist: _add_panellist,
    cmd.RemovePanellist: _remove_panellist,
    cmd.AddDocument: _add_document,
    cmd.RemoveDocument: _remove_document,
    cmd.AddRecommendation: _add_recommendation,
    cmd.AdoptChapter: _adopt_chapter,
    cmd.ReopenChapter: _reopen_chapter,
    cmd.AdoptReport: _adopt_report,
}


def _forbidden_character(value: object) -> tuple[str, str] | None:
    """(path, character) of the first character no text may hold (fields.NOT_IN_TEXT) in any
    string of `value`, a command or anything it holds; None if there is none. The path is
    built only on the way back from a find, so a clean command costs one search per string."""
    if isinstance(value, str):
        found = NOT_IN_TEXT.search(value)
        return None if found is None else ("", found.group())
    if isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            if (found_in := _forbidden_character(getattr(value, name))) is not None:
                return f".{name}{found_in[0]}", found_in[1]
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            if (found_in := _forbidden_character(item)) is not None:
                return f"[{index}]{found_in[0]}", found_in[1]
    return None


def _check_texts(command: cmd.Command) -> None:
    """Refuse (`invalid_text`) a command with a control character in any of its strings:
    titles, names, texts, what an edit inserts, a placeholder's value… One check over every
    field of every command, so that a new field is covered without a word."""
    found = _forbidden_character(command)
    if found is not None:
        path, character = found
        raise DomainError(
            "invalid_text",
            f"$.command{path} holds U+{ord(character):04X}: text may hold tabs and line breaks, but no other control"
            " character (nor U+FFFE, U+FFFF or a lone surrogate)",
        )


def decide(report: Report | None, command: cmd.Command, new_id: NewId) -> list[Event]:
    if isinstance(command, cmd.EditParagraphText):
        _check_op_size(command.ops)
    _check_texts(command)
    if isinstance(command, cmd.CreateReport):
        if report is not None:
            raise DomainError("report_exists", f"report {report.id} already exists")
        return [ev.ReportCreated(title=command.title)]
    if report is None:
        raise DomainError("unknown_report", "this report does not exist")
    if report.adopted:
        raise DomainError("report_adopted", "the report is adopted: it can no longer change")
    rule = _RULES.get(type(command))
    if rule is None:
        raise TypeError(f"decide does not know {type(command).__name__}")
    return rule(report, command, new_id)


# One append stays small enough for Redis to write, and for every listener to take, at once.
MAX_EVENTS_PER_COMMAND = 10_000


def decide_all(
    report: Report | None, report_id: str, commands: list[cmd.Command], new_id: NewId, actor: str
) -> list[Event]:
    """Decide commands one after another, each on the state the previous ones left.

    All or nothing: the first refusal refuses the whole sequence. An import is one such
    sequence, appended atomically, so a draft is never half imported.
    """
    return decide_and_apply(report, report_id, commands, new_id, actor)[0]


def decide_and_apply(
    report: Report | None, report_id: str, commands: list[cmd.Command], new_id: NewId, actor: str
) -> tuple[list[Event], Report | None]:
    """`decide_all`, and the report its events leave: deciding folds them anyway, and the
    service decides the next pending command on that state without folding them again."""
    produced: list[Event] = []
    ids = _Known(new_id)
    for command in commands:
        before = report
        for payload in decide(report, command, ids):
            report = apply(report, payload, report_id, actor)
            produced.append(payload)
            if len(produced) > MAX_EVENTS_PER_COMMAND:
                raise DomainError(
                    "too_many_events", f"one command (or import) appends at most {MAX_EVENTS_PER_COMMAND} events"
                )
        ids.decided(before, report)
    return produced, report
