"""The words of generated lists, made from the report's data in the report's language.

A paragraph whose `listing` is set holds LIST_MARK in its text where its list goes. The list is
never stored as text: it is made here, on every render, from the statements, participants,
panellists, documents, agenda and adopted chapters the report records, so recording a statement
updates every paragraph that lists it.

Two shapes, as in the seed report:
- inline lists run on within the sentence (« … suivantes : Arménie, Australie et Chine. »):
  statements, participants, panellists and adopted chapters replace the mark;
- block lists are set out below the paragraph, one lettered or numbered line each (the
  documents before the meeting, the agenda): the mark is dropped from the sentence and the
  lines follow it, then the paragraph's own sub-items a), b)…

A listing paragraph whose text holds no words of its own reads the standard sentence of its
kind (events.wording). An empty list renders as « […] », the report's sign for something still to be filled in.
The text made here has ordinary spaces; the renderers set the typography of the language.
"""

import re
from collections.abc import Sequence

import msgspec

from events.collation import sort_key, sort_names
from events.model import LIST_MARK, AgendaItem, Language, Listing, Paragraph, Report
from events.render.numbering import item_letter, roman
from events.wording import default_text, has_own_words

INLINE_KINDS = frozenset({"statements", "participants", "panellists", "adoption"})
BLOCK_KINDS = frozenset({"documents", "agenda"})
MISSING = "[…]"

_AND = {"fr": "et", "en": "and"}
# Tried from the start of a run of spaces only: from each of its spaces, a paragraph of 100,000
# spaces took 25 s to render.
_MARK_AND_SPACES_BEFORE = re.compile(rf"(?<![ \t])[ \t]*+{LIST_MARK}")


class Line(msgspec.Struct, frozen=True):
    """One line set out below a paragraph: label « a) », text « Ouverture de la réunion ; ».

    `depth` is 1 for a line of the paragraph, 2 for a sub-item of an agenda item, and so on.
    A missing list's line has the label "".
    """

    label: str
    text: str
    depth: int = 1


def join_names(names: Sequence[str], language: Language) -> str:
    """« A, B, C et D » in French, « A, B, C and D » in English (no comma before the last)."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {_AND[language]} {names[-1]}"


def _statements(report: Report, listing: Listing) -> list[str]:
    return sort_names(
        (
            statement.delegation
            for statement in report.statements
            if listing.agenda_item_id in (None, statement.agenda_item_id)
            and listing.category in (None, statement.category)
        ),
        report.details.language,
    )


def _participants(report: Report, listing: Listing) -> list[str]:
    return sort_names(
        (p.name for p in report.participants if listing.category in (None, p.category)),
        report.details.language,
    )


def _panellists(report: Report, listing: Listing) -> list[str]:
    """« Name (Delegation) », by delegation then name, each once."""
    language = report.details.language
    chosen = {
        (panellist.delegation, panellist.name)
        for panellist in report.panellists
        if listing.agenda_item_id in (None, panellist.agenda_item_id)
    }
    ordered = sorted(chosen, key=lambda pair: (sort_key(pair[0], language), sort_key(pair[1], language)))
    return [f"{name} ({delegation})" if delegation else name for delegation, name in ordered]


def _adopted_chapters(report: Report) -> list[str]:
    return [roman(number) for number, chapter in enumerate(report.chapters, start=1) if chapter.adopted]


def _document(title: str, symbol: str) -> str:
    return f"{title} ({symbol})" if title and symbol else title or symbol


def _agenda_titles(items: Sequence[AgendaItem]) -> list[str]:
    return [title for item in items for title in (item.title, *_agenda_titles(item.sub_items))]


def listing_entries(report: Report, listing: Listing) -> list[str]:
    """What `listing` lists, in order, each entry once, without labels or final punctuation.

    Delegations and participants are in dictionary order (events.collation); panellists are
    « Name (Delegation) » by delegation; adopted chapters are Roman numerals in report order;
    documents are « Title (SYMBOL) » in recorded order; the agenda is its items' titles in
    reading order, sub-items after their item.
    """
    match listing.kind:
        case "statements":
            return _statements(report, listing)
        case "participants":
            return _participants(report, listing)
        case "panellists":
            return _panellists(report, listing)
        case "adoption":
            return _adopted_chapters(report)
        case "documents":
            return [_document(document.title, document.symbol) for document in report.documents]
        case "agenda":
            return _agenda_titles(report.agenda)
    raise ValueError(f"unknown listing kind {listing.kind!r}")


def inline_list(report: Report, listing: Listing) -> str:
    """The words that replace LIST_MARK in an inline listing's paragraph."""
    entries = listing_entries(report, listing)
    if not entries:
        return MISSING
    if listing.kind == "panellists":
        return ", ".join(entries)
    return join_names(entries, report.details.language)


def render_paragraph_text(report: Report, paragraph: Paragraph) -> str:
    """The paragraph's own sentence: an inline list in place of the mark, a block list's mark
    dropped (its lines follow, from `paragraph_lines`)."""
    listing = paragraph.listing
    text = paragraph.text
    if listing is not None and not has_own_words(text):
        text = default_text(report, listing)
    if listing is not None and listing.kind in INLINE_KINDS:
        return text.replace(LIST_MARK, inline_list(report, listing))
    return _MARK_AND_SPACES_BEFORE.sub("", text)


def _separators(language: Language) -> tuple[str, str]:
    """The endings of an item followed by sub-items, and of an item followed by another."""
    return (" :", " ;") if language == "fr" else (":", ";")


def _document_lines(report: Report) -> list[Line]:
    _, next_one = _separators(report.details.language)
    count = len(report.documents)
    return [
        Line(f"{item_letter(number)})", _document(document.title, document.symbol) + ("." if number == count else next_one))
        for number, document in enumerate(report.documents, start=1)
    ]


def _agenda_lines(items: Sequence[AgendaItem], language: Language, depth: int = 1) -> list[Line]:
    """1. Item with sub-items : / a) Sub-item ; / b) Last sub-item. / 2. Item without."""
    opening, next_one = _separators(language)
    lines: list[Line] = []
    for number, item in enumerate(items, start=1):
        if depth == 1:
            label = f"{number}."
        elif depth == 2:
            label = f"{item_letter(number)})"
        else:
            label = f"{roman(number).lower()})"
        if item.sub_items:
            ending = opening
        elif depth == 1 or number == len(items):
            ending = "."
        else:
            ending = next_one
        lines.append(Line(label, item.title + ending, depth))
        lines.extend(_agenda_lines(item.sub_items, language, depth + 1))
    return lines


def paragraph_lines(report: Report, paragraph: Paragraph) -> list[Line]:
    """The lines set out below the paragraph's sentence: its block list, then its sub-items."""
    lines: list[Line] = []
    listing = paragraph.listing
    if listing is not None and listing.kind in BLOCK_KINDS:
        if listing.kind == "documents":
            block = _document_lines(report)
        else:
            block = _agenda_lines(report.agenda, report.details.language)
        lines.extend(block or [Line("", MISSING)])
    lines.extend(Line(f"{item_letter(number)})", item.text) for number, item in enumerate(paragraph.items, start=1))
    return lines
