"""Every event a report can hold: past-tense names, one payload Struct each.

Events are a permanent, public format. Each type carries its `schema` number; when a payload
changes shape, its schema is bumped and an upcaster that turns the previous shape into the
new one is registered in `UPCASTERS`. Stored events are never rewritten: they are upgraded
on read. See events/README.md for the documented format of every type.
"""

from collections.abc import Callable
from typing import Any, ClassVar, Union

import msgspec

from events.model import Details, Listing, ParticipantCategory, SpeakerCategory
from events.text_ops import Op


class _Payload(msgspec.Struct, frozen=True, kw_only=True):
    """Every payload is at schema 1 until its shape changes (see UPCASTERS)."""

    schema: ClassVar[int] = 1


# The report

class ReportCreated(_Payload, frozen=True, kw_only=True):
    title: str


class ReportRetitled(_Payload, frozen=True, kw_only=True):
    title: str


class ReportDetailsChanged(_Payload, frozen=True, kw_only=True):
    details: Details


# Structure. `before` is the sibling the item was put before; None puts it last.

class ChapterAdded(_Payload, frozen=True, kw_only=True):
    chapter_id: str
    title: str
    before: str | None = None


class ChapterRetitled(_Payload, frozen=True, kw_only=True):
    chapter_id: str
    title: str


class ChapterMoved(_Payload, frozen=True, kw_only=True):
    chapter_id: str
    before: str | None = None


class ChapterRemoved(_Payload, frozen=True, kw_only=True):
    chapter_id: str


class SectionAdded(_Payload, frozen=True, kw_only=True):
    section_id: str
    chapter_id: str
    title: str
    before: str | None = None


class SectionRetitled(_Payload, frozen=True, kw_only=True):
    section_id: str
    title: str


class SectionMoved(_Payload, frozen=True, kw_only=True):
    """Possibly into another chapter."""

    section_id: str
    chapter_id: str
    before: str | None = None


class SectionRemoved(_Payload, frozen=True, kw_only=True):
    section_id: str


class ParagraphAdded(_Payload, frozen=True, kw_only=True):
    """A paragraph of the chapter itself when `section_id` is None."""

    paragraph_id: str
    chapter_id: str
    section_id: str | None = None
    text: str = ""
    before: str | None = None
    listing: Listing | None = None


class ParagraphTextReplaced(_Payload, frozen=True, kw_only=True):
    paragraph_id: str
    text: str


class ParagraphTextEdited(_Payload, frozen=True, kw_only=True):
    """Typing: `ops` (ot-text-unicode format), already transformed past every concurrent edit,
    turned the paragraph's text into its revision `revision`."""

    paragraph_id: str
    revision: int
    ops: Op


class ParagraphMoved(_Payload, frozen=True, kw_only=True):
    paragraph_id: str
    chapter_id: str
    section_id: str | None = None
    before: str | None = None


class ParagraphRemoved(_Payload, frozen=True, kw_only=True):
    paragraph_id: str


class SubItemAdded(_Payload, frozen=True, kw_only=True):
    paragraph_id: str
    sub_item_id: str
    text: str
    before: str | None = None


class SubItemTextReplaced(_Payload, frozen=True, kw_only=True):
    paragraph_id: str
    sub_item_id: str
    text: str


class SubItemMoved(_Payload, frozen=True, kw_only=True):
    paragraph_id: str
    sub_item_id: str
    before: str | None = None


class SubItemRemoved(_Payload, frozen=True, kw_only=True):
    paragraph_id: str
    sub_item_id: str


class PlaceholderFilled(_Payload, frozen=True, kw_only=True):
    """`original` (brackets included) stood at code point `start` of the paragraph's text."""

    placeholder_id: str
    paragraph_id: str
    original: str
    value: str
    start: int


# The meeting's facts

class AgendaItemAdded(_Payload, frozen=True, kw_only=True):
    agenda_item_id: str
    title: str
    parent_id: str | None = None
    before: str | None = None


class AgendaItemRetitled(_Payload, frozen=True, kw_only=True):
    agenda_item_id: str
    title: str


class AgendaItemRemoved(_Payload, frozen=True, kw_only=True):
    agenda_item_id: str


class StatementRecorded(_Payload, frozen=True, kw_only=True):
    statement_id: str
    agenda_item_id: str
    category: SpeakerCategory
    delegation: str
    person: str = ""


class StatementWithdrawn(_Payload, frozen=True, kw_only=True):
    statement_id: str


class ParticipantAdded(_Payload, frozen=True, kw_only=True):
    participant_id: str
    category: ParticipantCategory
    name: str


class ParticipantRemoved(_Payload, frozen=True, kw_only=True):
    participant_id: str


class PanellistAdded(_Payload, frozen=True, kw_only=True):
    panellist_id: str
    agenda_item_id: str
    name: str
    delegation: str = ""


class PanellistRemoved(_Payload, frozen=True, kw_only=True):
    panellist_id: str


class DocumentAdded(_Payload, frozen=True, kw_only=True):
    document_id: str
    symbol: str
    title: str


class DocumentRemoved(_Payload, frozen=True, kw_only=True):
    document_id: str


class RecommendationAdded(_Payload, frozen=True, kw_only=True):
    """A numbered paragraph, marked as a recommendation."""

    paragraph_id: str
    chapter_id: str
    section_id: str | None = None
    text: str
    before: str | None = None


# Adoption

class ChapterAdopted(_Payload, frozen=True, kw_only=True):
    chapter_id: str


class ChapterReopened(_Payload, frozen=True, kw_only=True):
    chapter_id: str
    reason: str


class ReportAdopted(_Payload, frozen=True, kw_only=True):
    ad_referendum: bool = False


Event = Union[
    ReportCreated, ReportRetitled, ReportDetailsChanged,
    ChapterAdded, ChapterRetitled, ChapterMoved, ChapterRemoved,
    SectionAdded, SectionRetitled, SectionMoved, SectionRemoved,
    ParagraphAdded, ParagraphTextReplaced, ParagraphTextEdited, ParagraphMoved, ParagraphRemoved,
    SubItemAdded, SubItemTextReplaced, SubItemMoved, SubItemRemoved,
    PlaceholderFilled,
    AgendaItemAdded, AgendaItemRetitled, AgendaItemRemoved,
    StatementRecorded, StatementWithdrawn,
    ParticipantAdded, ParticipantRemoved,
    PanellistAdded, PanellistRemoved,
    DocumentAdded, DocumentRemoved,
    RecommendationAdded,
    ChapterAdopted, ChapterReopened, ReportAdopted,
]

EVENT_TYPES: dict[str, type[Any]] = {cls.__name__: cls for cls in Event.__args__}

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

# (type name, schema it upgrades from) -> function returning the payload at schema + 1.
UPCASTERS: dict[tuple[str, int], Upcaster] = {}

_DECODERS = {name: msgspec.json.Decoder(cls) for name, cls in EVENT_TYPES.items()}


class UnknownEventType(ValueError):
    """A stored event whose type or schema this code cannot read."""


class NewerEventType(UnknownEventType):
    """A type this code does not know, or a schema newer than its: newer code wrote it (or
    the type name is damaged)."""


def event_type(event: Event) -> str:
    return type(event).__name__


def upcast(
    type_name: str,
    schema: int,
    payload: dict[str, Any],
    target: int,
    upcasters: dict[tuple[str, int], Upcaster] = UPCASTERS,
) -> dict[str, Any]:
    """Upgrade a payload step by step from `schema` to `target`."""
    while schema < target:
        step = upcasters.get((type_name, schema))
        if step is None:
            raise UnknownEventType(f"no upcaster for {type_name} from schema {schema}")
        payload = step(payload)
        schema += 1
    return payload


def decode_payload(type_name: str, schema: int, raw: bytes) -> Event:
    """Decode a stored payload into the current Struct, upcasting older schemas."""
    cls = EVENT_TYPES.get(type_name)
    if cls is None:
        raise NewerEventType(f"unknown event type {type_name!r}")
    if schema == cls.schema:
        return _DECODERS[type_name].decode(raw)
    if schema > cls.schema:
        raise NewerEventType(f"{type_name} schema {schema} is newer than this code's {cls.schema}")
    payload = upcast(type_name, schema, msgspec.json.decode(raw), cls.schema)
    return msgspec.convert(payload, cls)
