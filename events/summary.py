"""One line per event, for `rapporteur events` and history views.

Each event type has a template in `TEMPLATES`: its payload's fields in braces, with a format
spec saying how to show them. A summary is made from the event alone (no report state), so
items are named by title or excerpt when the event carries one, by short id otherwise.
"""

import string
from collections.abc import Callable
from typing import Any

from events.envelope import StoredEvent
from events.model import LIST_MARK, Listing
from events.text_ops import Delete, Op, component_length

EXCERPT = 60
SHORT_ID = 8

TEMPLATES: dict[str, str] = {
    "ReportCreated": "created « {title:excerpt} »",
    "ReportRetitled": "retitled the report « {title:excerpt} »",
    "ReportDetailsChanged": "set the meeting's details: body {details.body:quoted}, symbol {details.symbol:quoted}, language {details.language}",
    "ChapterAdded": "added chapter « {title:excerpt} »{before:before}",
    "ChapterRetitled": "retitled chapter {chapter_id:id} « {title:excerpt} »",
    "ChapterMoved": "moved chapter {chapter_id:id}{before:to}",
    "ChapterRemoved": "removed chapter {chapter_id:id}",
    "SectionAdded": "added section « {title:excerpt} » to chapter {chapter_id:id}{before:before}",
    "SectionRetitled": "retitled section {section_id:id} « {title:excerpt} »",
    "SectionMoved": "moved section {section_id:id} into chapter {chapter_id:id}{before:before}",
    "SectionRemoved": "removed section {section_id:id}",
    "ParagraphAdded": "added {listing:listing}paragraph {paragraph_id:id}: « {text:excerpt} »",
    "ParagraphTextReplaced": "replaced the text of paragraph {paragraph_id:id}: « {text:excerpt} »",
    "ParagraphTextEdited": "typed in paragraph {paragraph_id:id} (revision {revision}): {ops:typing}",
    "ParagraphMoved": "moved paragraph {paragraph_id:id} into chapter {chapter_id:id}{section_id:section}{before:before}",
    "ParagraphRemoved": "removed paragraph {paragraph_id:id}",
    "SubItemAdded": "added sub-item {sub_item_id:id} to paragraph {paragraph_id:id}: « {text:excerpt} »",
    "SubItemTextReplaced": "replaced the text of sub-item {sub_item_id:id} of paragraph {paragraph_id:id}: « {text:excerpt} »",
    "SubItemMoved": "moved sub-item {sub_item_id:id} of paragraph {paragraph_id:id}{before:to}",
    "SubItemRemoved": "removed sub-item {sub_item_id:id} of paragraph {paragraph_id:id}",
    "PlaceholderFilled": "filled placeholder {original:excerpt} in paragraph {paragraph_id:id} with « {value:excerpt} »",
    "AgendaItemAdded": "added agenda item « {title:excerpt} »{parent_id:under}{before:before}",
    "AgendaItemRetitled": "retitled agenda item {agenda_item_id:id} « {title:excerpt} »",
    "AgendaItemRemoved": "removed agenda item {agenda_item_id:id}",
    "StatementRecorded": "recorded a statement by {delegation:excerpt} ({category:words}) under agenda item {agenda_item_id:id}",
    "StatementWithdrawn": "withdrew statement {statement_id:id}",
    "ParticipantAdded": "added participant {name:excerpt} ({category:words})",
    "ParticipantRemoved": "removed participant {participant_id:id}",
    "PanellistAdded": "added panellist {name:excerpt}{delegation:delegation} under agenda item {agenda_item_id:id}",
    "PanellistRemoved": "removed panellist {panellist_id:id}",
    "DocumentAdded": "added document {symbol:excerpt}: « {title:excerpt} »",
    "DocumentRemoved": "removed document {document_id:id}",
    "RecommendationAdded": "added recommendation {paragraph_id:id} to chapter {chapter_id:id}: « {text:excerpt} »",
    "ChapterAdopted": "adopted chapter {chapter_id:id}",
    "ChapterReopened": "reopened chapter {chapter_id:id}: {reason:excerpt}",
    "ReportAdopted": "adopted the report{ad_referendum:ad_referendum}",
}


def _one_line(text: str) -> str:
    return " ".join(text.replace(LIST_MARK, "[list]").split())


def excerpt(text: str) -> str:
    """The text on one line, cut to EXCERPT characters; a listing's mark shows as « [list] »."""
    flat = _one_line(text)
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


def _short_id(value: str) -> str:
    return value[:SHORT_ID]


def _listing(listing: Listing | None) -> str:
    return "" if listing is None else f"{listing.kind} listing "


# An op's inserts shown one by one, up to this many; the rest are counted.
SHOWN_INSERTS = 3


def _inserted(text: str) -> str:
    shown = excerpt(text)
    if shown:
        return f"« {shown} »"
    return "a space" if text == " " else f"{len(text)} blank characters"


def _typing(op: Op) -> str:
    """An op in words, `deleted 8 characters and inserted « les points » at 31`: what it
    removed and added, and where its first change is (in code points of the text before it).
    """
    inserts = [component for component in op if isinstance(component, str)]
    deleted = sum(component_length(component) for component in op if isinstance(component, Delete))
    changes = []
    if deleted:
        changes.append(f"deleted {deleted} character{'' if deleted == 1 else 's'}")
    if inserts:
        shown = ", ".join(_inserted(text) for text in inserts[:SHOWN_INSERTS])
        more = len(inserts) - SHOWN_INSERTS
        changes.append(f"inserted {shown}" + (f" and {more} more" if more > 0 else ""))
    if not changes:
        return "no change"
    start = op[0] if isinstance(op[0], int) else 0
    return f"{' and '.join(changes)} at {start}"


# Format specs: how a field is shown, and what an optional field shows when absent (None, "").
SPECS: dict[str, Callable[[Any], str]] = {
    "": lambda value: _one_line(str(value)),
    "excerpt": excerpt,
    "id": _short_id,
    "words": lambda value: value.replace("_", " "),
    "quoted": lambda value: f"« {excerpt(value)} »" if value.strip() else "none",
    "before": lambda value: "" if value is None else f" before {_short_id(value)}",
    "to": lambda value: " to the end" if value is None else f" before {_short_id(value)}",
    "section": lambda value: "" if value is None else f", section {_short_id(value)}",
    "under": lambda value: "" if value is None else f" under agenda item {_short_id(value)}",
    "delegation": lambda value: f" ({_one_line(value)})" if value.strip() else "",
    "listing": _listing,
    "typing": _typing,
    "ad_referendum": lambda value: " ad referendum" if value else "",
}


class _Formatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        return SPECS[format_spec](value)


_formatter = _Formatter()


def summarize(event: StoredEvent) -> str:
    """A one-line English summary of what the event recorded."""
    return _formatter.format(TEMPLATES[event.type], **{name: getattr(event.data, name) for name in event.data.__struct_fields__})
