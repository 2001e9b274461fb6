"""The report as the projection sees it.

Structs are frozen and collections are tuples: `evolve` returns a new report that shares
every untouched part with the old one, so any past version can be kept cheaply and nothing
mutates a state another reader holds. Numbers (I, A, 1, a)…) are never stored: they are
computed when rendering, so ids stay stable while numbering follows order.

Besides its text, a report holds the facts of the meeting (agenda, statements, participants,
panellists, documents) as data: the paragraphs that list them are generated from that data in
the report's language, so recording a statement updates the statements paragraph.

The Structs are not tracked by Python's cycle collector (`gc=False`): being frozen and built
bottom-up, they can never form a cycle, and a replayed report is tens of thousands of them,
which the collector would otherwise walk again and again in the middle of a time-travel load.
"""

from datetime import date
from typing import Literal

import msgspec

from events.text_ops import Op

Language = Literal["fr", "en"]

# Where a paragraph's generated list goes within its text (U+FFFC OBJECT REPLACEMENT CHARACTER):
# the drafter edits the words around it; the list itself is rendered from the report's data.
LIST_MARK = "\ufffc"

SpeakerCategory = Literal[
    "party",  # a State party to the instrument
    "signatory",  # a signatory State
    "observer_state",  # a State neither party nor signatory
    "non_member_observer_state",  # e.g. the Holy See
    "observer_entity",  # an entity with a standing observer mission, e.g. the Sovereign Order of Malta
    "intergovernmental_organization",
    "un_entity",
    "ngo",
    "panellist",
    "chair",
]

ParticipantCategory = Literal[
    "party",
    "signatory",
    "observer_state",
    "non_member_observer_state",
    "observer_entity",
    "intergovernmental_organization",  # with the UN entities, as UN reports list them together
    "ngo",
]

ListingKind = Literal["statements", "panellists", "participants", "documents", "agenda", "adoption"]


class Details(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    body: str = ""  # « Groupe de travail sur la traite des personnes »
    parent_body: str = ""  # « Conférence des Parties à la Convention des Nations Unies contre… »
    ordinal: int | None = None  # 11: its eleventh meeting
    venue: str = ""
    first_date: date | None = None
    last_date: date | None = None
    language: Language = "fr"
    symbol: str = ""  # CTOC/COP/WG.4/2021/L.1


class SubItem(msgspec.Struct, frozen=True, gc=False):
    """An item a), b)… inside a paragraph."""

    id: str
    text: str


class Listing(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """What a generated paragraph lists, in the report's language and sort order.

    statements: the delegations that spoke under `agenda_item_id`, of speaker `category`;
    panellists: those who moderated `agenda_item_id`; participants: those of `category`;
    documents, agenda: the whole list; adoption: the adopted chapters.
    """

    kind: ListingKind
    agenda_item_id: str | None = None
    category: SpeakerCategory | ParticipantCategory | None = None


class AuthorRun(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """`length` code points in a row written by `author`; on the wire, `[author, length]`."""

    author: str
    length: int


# How many of a paragraph's latest text operations it keeps, to transform an edit made on an
# older revision; an edit based on anything older is refused with `revision_too_old`.
RECENT_OPS = 500
# And how much they weigh in all at most (`text_ops.weight`: components and characters, about
# bytes), so that pastes kept 500 times over never hold a paragraph's memory and snapshots: an
# op heavier than LIGHT_OP drops the oldest ops kept until, with it, they weigh at most
# RECENT_OPS_WEIGHT - RECENT_OPS * LIGHT_OP (always keeping it), which leaves room for the light
# ones that follow until it is dropped in turn (see evolve._recent).
RECENT_OPS_WEIGHT = 400_000
LIGHT_OP = 200


class Paragraph(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """`text` holds LIST_MARK where a generated paragraph's list goes.

    Every change to the text (typing, replacing, filling a placeholder) is a text operation
    that raises `revision` by one; `recent_ops` holds the latest of them, oldest first, so a
    concurrent edit made on an earlier revision can be transformed past them.
    """

    id: str
    text: str
    items: tuple[SubItem, ...] = ()
    listing: Listing | None = None
    recommendation: bool = False
    revision: int = 0
    authors: tuple[AuthorRun, ...] = ()
    recent_ops: tuple[Op, ...] = ()


class Section(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    id: str
    title: str
    paragraphs: tuple[Paragraph, ...] = ()


class Chapter(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A chapter's own paragraphs come before its sections, as in « II. Recommandations »."""

    id: str
    title: str
    paragraphs: tuple[Paragraph, ...] = ()
    sections: tuple[Section, ...] = ()
    adopted: bool = False


class AgendaItem(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Numbered 1, 2…; its sub-items a), b)…"""

    id: str
    title: str
    sub_items: tuple["AgendaItem", ...] = ()


class Statement(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    id: str
    agenda_item_id: str
    category: SpeakerCategory
    delegation: str  # « Arménie », « Union européenne », « Conseil de l’Europe »
    person: str = ""


class Participant(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    id: str
    category: ParticipantCategory
    name: str


class Panellist(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    id: str
    agenda_item_id: str
    name: str  # « Helga Gayer »
    delegation: str = ""  # « Allemagne »


class Document(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    id: str
    symbol: str  # CTOC/COP/WG.4/2021/1
    title: str  # « Ordre du jour provisoire annoté »


class PlaceholderFill(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    placeholder_id: str
    paragraph_id: str
    original: str  # « [sa/ses 2e et 3e] »
    value: str  # « ses 2e et 3e »


class Report(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    id: str
    title: str
    details: Details = Details()
    chapters: tuple[Chapter, ...] = ()
    agenda: tuple[AgendaItem, ...] = ()
    statements: tuple[Statement, ...] = ()
    participants: tuple[Participant, ...] = ()
    panellists: tuple[Panellist, ...] = ()
    documents: tuple[Document, ...] = ()
    fills: tuple[PlaceholderFill, ...] = ()
    adopted: bool = False
    ad_referendum: bool = False

    def all_paragraphs(self) -> list[Paragraph]:
        """Paragraphs in reading order, the order that numbers them 1..n."""
        return [paragraph for _, paragraph in self.located_paragraphs()]

    def located_paragraphs(self) -> list[tuple[Chapter, Paragraph]]:
        """Each paragraph in reading order with the chapter that holds it."""
        return [
            (chapter, paragraph)
            for chapter in self.chapters
            for paragraph in (
                *chapter.paragraphs,
                *(p for section in chapter.sections for p in section.paragraphs),
            )
        ]
