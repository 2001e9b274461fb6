"""Who changed what, and when: blame, diff and history filters, read from the log alone.

Everything here is pure: the caller brings the reports and the stored events. A paragraph's
authorship runs (`Paragraph.authors`) already say who wrote each code point, so `blame` and
`diff` only cut the text into tokens (words, runs of whitespace, and the list mark, shown as
« [list] ») and name each token's author: the drafter who wrote most of its code points (on a
tie, the one whose code points come first). The events say the rest: who last changed each
paragraph, who recorded each statement and fill, who adopted or reopened each chapter.
"""

import difflib
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Literal, NamedTuple

import msgspec

from events import catalogue as ev
from events.catalogue import EVENT_TYPES
from events.envelope import UNREADABLE_EVENT, StoredEvent, decode_envelope, read_stored
from events.model import LIST_MARK, AuthorRun, Paragraph, Report
from events.render.numbering import letter, roman
from events.wording import agenda_numbers

LIST_TOKEN = "[list]"
_TOKEN = re.compile(rf"{LIST_MARK}|\s+|[^\s{LIST_MARK}]+")

# The events that change a paragraph's text, place or sub-items: the "last change" of blame.
PARAGRAPH_CHANGES = frozenset(
    {
        "ParagraphAdded", "ParagraphTextReplaced", "ParagraphTextEdited", "PlaceholderFilled", "ParagraphMoved",
        "SubItemAdded", "SubItemTextReplaced", "SubItemMoved", "SubItemRemoved", "RecommendationAdded",
    }
)
_SUB_ITEM_CHANGES = frozenset({"SubItemAdded", "SubItemTextReplaced", "SubItemMoved"})
_ADOPTIONS = (ev.ChapterAdopted, ev.ChapterReopened, ev.ReportAdopted)
# Paragraph changes of which blame needs only where they happened (at their current schema).
_LOCATED_ONLY = PARAGRAPH_CHANGES - {"PlaceholderFilled"}


class _Location(msgspec.Struct, frozen=True):
    paragraph_id: str
    sub_item_id: str = ""


_decode_location = msgspec.json.Decoder(_Location).decode


class Words(msgspec.Struct, frozen=True):
    """Text written by one drafter: a token in blame, a run of changed words in a diff."""

    text: str
    author: str


class Change(msgspec.Struct, frozen=True):
    """The event behind something: its version, who sent it, when, and its type."""

    version: int
    actor: str
    at: datetime
    type: str


class SubItemBlame(msgspec.Struct, frozen=True):
    sub_item_id: str
    text: str
    last_change: Change | None


class ParagraphBlame(msgspec.Struct, frozen=True):
    number: int
    paragraph_id: str
    chapter_id: str
    last_change: Change | None
    words: list[Words]
    sub_items: list[SubItemBlame]


class StatementRecord(msgspec.Struct, frozen=True, kw_only=True):
    statement_id: str
    delegation: str
    category: str
    agenda_item_id: str
    agenda_item: str  # its number, « 2 » or « 1 a) »; « [?] » when no longer on the agenda
    recorded: Change


class FillRecord(msgspec.Struct, frozen=True, kw_only=True):
    placeholder_id: str
    paragraph_id: str
    paragraph: int | None  # its number now; None once the paragraph is removed
    original: str
    value: str
    recorded: Change


class AdoptionRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A ChapterAdopted, ChapterReopened or ReportAdopted (then `chapter_id` is None)."""

    chapter_id: str | None
    chapter: str | None  # its numeral now; None for the report, or a chapter since removed
    reason: str | None
    ad_referendum: bool
    recorded: Change


class Blame(msgspec.Struct, frozen=True, kw_only=True):
    report_id: str
    version: int
    paragraphs: list[ParagraphBlame]
    statements: list[StatementRecord]
    fills: list[FillRecord]
    adoptions: list[AdoptionRecord]


ParagraphStatus = Literal["added", "removed", "changed"]


class SubItemDiff(msgspec.Struct, frozen=True):
    sub_item_id: str
    status: ParagraphStatus
    before: str | None
    after: str | None


class ParagraphDiff(msgspec.Struct, frozen=True, kw_only=True):
    paragraph_id: str
    status: ParagraphStatus
    number_before: int | None
    number_after: int | None
    inserted: list[Words]
    deleted: list[Words]
    sub_items: list[SubItemDiff]


class HeadingDiff(msgspec.Struct, frozen=True, kw_only=True):
    kind: Literal["report", "chapter", "section"]
    id: str
    status: Literal["added", "removed", "retitled", "adopted", "reopened"]
    number_before: str | None  # « II », « II.A »
    number_after: str | None
    before: str | None
    after: str | None


class FactDiff(msgspec.Struct, frozen=True, kw_only=True):
    kind: Literal["statement", "participant", "panellist", "document"]
    status: Literal["added", "removed"]
    id: str
    name: str  # the delegation, participant, panellist or document symbol
    detail: str  # the category, the panellist's delegation or the document's title
    agenda_item: str | None  # for statements and panellists: the item's number


class Diff(msgspec.Struct, frozen=True, kw_only=True):
    from_version: int | None = None
    to_version: int | None = None
    paragraphs: list[ParagraphDiff]
    headings: list[HeadingDiff]
    facts: list[FactDiff]


# Tokens and their authors

class _Owners:
    """Reads a paragraph's authorship runs one token at a time."""

    def __init__(self, runs: Iterable[AuthorRun]) -> None:
        self._runs: Iterator[AuthorRun] = iter(runs)
        self._author, self._left = "", 0

    def take(self, length: int) -> str:
        counts: dict[str, int] = {}
        while length > 0:
            if self._left == 0:
                run = next(self._runs, None)
                # Runs always cover the text (events.authorship); "" only guards a broken state.
                self._author, self._left = (run.author, run.length) if run else ("", length)
            taken = min(length, self._left)
            counts[self._author] = counts.get(self._author, 0) + taken
            self._left -= taken
            length -= taken
        return max(counts, key=counts.__getitem__, default="")


def tokens(paragraph: Paragraph) -> list[Words]:
    """The paragraph's words, whitespace and list mark, in order, each with its author."""
    owners = _Owners(paragraph.authors)
    return [
        Words(LIST_TOKEN if token == LIST_MARK else token, owners.take(len(token)))
        for token in (match.group() for match in _TOKEN.finditer(paragraph.text))
    ]


def by_author(words: Sequence[Words]) -> list[Words]:
    """Consecutive words of one author joined, whitespace going along with the words around it."""
    groups: list[Words] = []
    for word in words:
        if groups and (word.text.isspace() or word.author == groups[-1].author):
            groups[-1] = Words(groups[-1].text + word.text, groups[-1].author)
        else:
            groups.append(word)
    return [Words(group.text.strip(), group.author) for group in groups if group.text.strip()]


# Blame

def _change(event: StoredEvent) -> Change:
    return Change(version=event.version, actor=event.actor, at=event.at, type=event.type)


def _chapter_numbers(report: Report) -> dict[str, str]:
    return {chapter.id: roman(position) for position, chapter in enumerate(report.chapters, start=1)}


def blame(report: Report, events: Iterable[StoredEvent]) -> Blame:
    """Each paragraph of `report`, numbered in reading order, with the author of each word and
    the event that last changed it; and who recorded its statements, fills and adoptions.

    `events` are the report's stored events up to the version `report` is at, in order.
    """
    log = BlameLog()
    for event in events:
        log.record(event)
    return log.blame(report)


class BlameLog:
    """What blame takes from the log, gathered one event at a time: a long history is read
    and recorded a page at a time, never held whole."""

    def __init__(self) -> None:
        self.last: dict[str, Change] = {}
        self.last_sub_item: dict[tuple[str, str], Change] = {}
        self.recorded: dict[str, Change] = {}
        self.fills: dict[str, Change] = {}
        self.adoptions: list[tuple[StoredEvent, ev.ChapterAdopted | ev.ChapterReopened | ev.ReportAdopted]] = []
        self.version = 0

    def record(self, event: StoredEvent) -> None:
        """The next event of the log, in order."""
        self.version, data = event.version, event.data
        if event.type in PARAGRAPH_CHANGES:
            self.last[data.paragraph_id] = _change(event)  # type: ignore[union-attr]
        if event.type in _SUB_ITEM_CHANGES:
            self.last_sub_item[(data.paragraph_id, data.sub_item_id)] = _change(event)  # type: ignore[union-attr]
        if isinstance(data, ev.StatementRecorded):
            self.recorded[data.statement_id] = _change(event)
        elif isinstance(data, ev.PlaceholderFilled):
            self.fills[data.placeholder_id] = _change(event)
        elif isinstance(data, _ADOPTIONS):
            self.adoptions.append((event, data))

    def record_stored(self, raw: bytes, report_id: str, version: int) -> None:
        """`record(read_stored(raw, report_id, version))`, at a fifth of the cost for the events
        that only say which paragraph they changed (keystrokes: most of a long history). An
        event that cannot be read raises CorruptEvent, as `read_stored` does."""
        where = None
        try:
            stored = decode_envelope(raw)
            if (
                stored.type in _LOCATED_ONLY
                and stored.schema == EVENT_TYPES[stored.type].schema
                and (stored.report_id, stored.version) == (report_id, version)
            ):
                where = _decode_location(stored.data)
        except UNREADABLE_EVENT:
            pass  # read_stored says what is wrong with it
        if where is None:
            self.record(read_stored(raw, report_id, version))
            return
        change = Change(version=version, actor=stored.actor, at=stored.at, type=stored.type)
        self.version = version
        self.last[where.paragraph_id] = change
        if stored.type in _SUB_ITEM_CHANGES:
            self.last_sub_item[(where.paragraph_id, where.sub_item_id)] = change

    def blame(self, report: Report) -> Blame:
        """The blame of `report`, at the version of the last event recorded."""
        numbers = {paragraph.id: number for number, paragraph in enumerate(report.all_paragraphs(), start=1)}
        chapters = _chapter_numbers(report)
        items = agenda_numbers(report)
        paragraphs = [
            ParagraphBlame(
                number=numbers[paragraph.id],
                paragraph_id=paragraph.id,
                chapter_id=chapter.id,
                last_change=self.last.get(paragraph.id),
                words=tokens(paragraph),
                sub_items=[
                    SubItemBlame(item.id, item.text, self.last_sub_item.get((paragraph.id, item.id))) for item in paragraph.items
                ],
            )
            for chapter, paragraph in report.located_paragraphs()
        ]
        statements = [
            StatementRecord(
                statement_id=s.id, delegation=s.delegation, category=s.category, agenda_item_id=s.agenda_item_id,
                agenda_item=items.get(s.agenda_item_id, "[?]"), recorded=self.recorded[s.id],
            )
            for s in report.statements
            if s.id in self.recorded
        ]
        filled = [
            FillRecord(
                placeholder_id=f.placeholder_id, paragraph_id=f.paragraph_id, paragraph=numbers.get(f.paragraph_id),
                original=f.original, value=f.value, recorded=self.fills[f.placeholder_id],
            )
            for f in report.fills
            if f.placeholder_id in self.fills
        ]
        adopted = [
            AdoptionRecord(
                chapter_id=getattr(data, "chapter_id", None),
                chapter=chapters.get(getattr(data, "chapter_id", "")),
                reason=getattr(data, "reason", None),
                ad_referendum=getattr(data, "ad_referendum", False),
                recorded=_change(event),
            )
            for event, data in self.adoptions
        ]
        return Blame(
            report_id=report.id, version=self.version, paragraphs=paragraphs, statements=statements, fills=filled, adoptions=adopted
        )


# Diff

def _changed_words(before: list[Words], after: list[Words]) -> tuple[list[Words], list[Words]]:
    """The words deleted from `before` and inserted into `after`, by author. Changes separated
    by whitespace alone count as one, so « décision 4/4 » -> « résolution 7/1 » is one change."""
    matcher = difflib.SequenceMatcher(None, [w.text for w in before], [w.text for w in after], autojunk=False)
    hunks: list[list[int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            joins = hunks and hunks[-1][1] == i1 and hunks[-1][3] == j1
            if joins:
                hunks[-1][1], hunks[-1][3] = i2, j2
            else:
                hunks.append([i1, i2, j1, j2])
        elif hunks and hunks[-1][1] == i1 and all(w.text.isspace() for w in before[i1:i2]):
            hunks[-1][1], hunks[-1][3] = i2, j2
    deleted = [w for i1, i2, _, _ in hunks for w in by_author(before[i1:i2])]
    inserted = [w for _, _, j1, j2 in hunks for w in by_author(after[j1:j2])]
    return inserted, deleted


def _sub_item_changes(before: Paragraph | None, after: Paragraph | None) -> list[SubItemDiff]:
    old = {item.id: item.text for item in (before.items if before else ())}
    new = {item.id: item.text for item in (after.items if after else ())}
    changes = [
        SubItemDiff(item_id, "added" if item_id not in old else "changed", old.get(item_id), text)
        for item_id, text in new.items()
        if old.get(item_id) != text
    ]
    return changes + [SubItemDiff(item_id, "removed", text, None) for item_id, text in old.items() if item_id not in new]


def _paragraph_changes(before: Report, after: Report) -> list[ParagraphDiff]:
    old = {p.id: (number, p) for number, p in enumerate(before.all_paragraphs(), start=1)}
    new = {p.id: (number, p) for number, p in enumerate(after.all_paragraphs(), start=1)}
    listed: list[tuple[tuple[int, int, int], ParagraphDiff]] = []
    for paragraph_id, (number, paragraph) in new.items():
        number_before, previous = old.get(paragraph_id, (None, None))
        if previous is not None and (previous.text, previous.items) == (paragraph.text, paragraph.items):
            continue
        inserted, deleted = _changed_words(tokens(previous) if previous else [], tokens(paragraph))
        status: ParagraphStatus = "added" if previous is None else "changed"
        listed.append(((number, 0, 0), ParagraphDiff(
            paragraph_id=paragraph_id, status=status, number_before=number_before, number_after=number,
            inserted=inserted, deleted=deleted, sub_items=_sub_item_changes(previous, paragraph),
        )))
    anchor = 0  # a removed paragraph is listed after the one it followed that is still there
    for paragraph_id, (number, paragraph) in old.items():
        if paragraph_id in new:
            anchor = new[paragraph_id][0]
            continue
        listed.append(((anchor, 1, number), ParagraphDiff(
            paragraph_id=paragraph_id, status="removed", number_before=number, number_after=None,
            inserted=[], deleted=by_author(tokens(paragraph)), sub_items=_sub_item_changes(paragraph, None),
        )))
    return [change for _, change in sorted(listed, key=lambda entry: entry[0])]


class _Heading(NamedTuple):
    kind: Literal["chapter", "section"]
    number: str
    title: str
    adopted: bool


def _headings(report: Report) -> dict[str, _Heading]:
    found: dict[str, _Heading] = {}
    for position, chapter in enumerate(report.chapters, start=1):
        found[chapter.id] = _Heading("chapter", roman(position), chapter.title, chapter.adopted)
        for section_position, section in enumerate(chapter.sections, start=1):
            found[section.id] = _Heading("section", f"{roman(position)}.{letter(section_position)}", section.title, chapter.adopted)
    return found


def _heading_changes(before: Report, after: Report) -> list[HeadingDiff]:
    changes: list[HeadingDiff] = []
    if before.title != after.title:
        changes.append(HeadingDiff(kind="report", id=after.id, status="retitled", number_before=None, number_after=None, before=before.title, after=after.title))
    if before.adopted != after.adopted:
        changes.append(HeadingDiff(kind="report", id=after.id, status="adopted", number_before=None, number_after=None, before=after.title, after=after.title))
    old, new = _headings(before), _headings(after)
    for heading_id, now in new.items():
        was = old.get(heading_id)
        if was is None:
            changes.append(HeadingDiff(kind=now.kind, id=heading_id, status="added", number_before=None, number_after=now.number, before=None, after=now.title))
            continue
        statuses = ["retitled"] if was.title != now.title else []
        if now.kind == "chapter" and was.adopted != now.adopted:
            statuses.append("adopted" if now.adopted else "reopened")
        changes += [
            HeadingDiff(kind=now.kind, id=heading_id, status=status, number_before=was.number, number_after=now.number, before=was.title, after=now.title)  # type: ignore[arg-type]
            for status in statuses
        ]
    changes += [
        HeadingDiff(kind=was.kind, id=heading_id, status="removed", number_before=was.number, number_after=None, before=was.title, after=None)
        for heading_id, was in old.items()
        if heading_id not in new
    ]
    return changes


def _facts(report: Report) -> dict[str, FactDiff]:
    """Every fact of the meeting, as listed when it is added: id -> FactDiff."""
    items = agenda_numbers(report)

    def fact(kind: str, fact_id: str, name: str, detail: str, agenda_item_id: str | None = None) -> FactDiff:
        item = None if agenda_item_id is None else items.get(agenda_item_id, "[?]")
        return FactDiff(kind=kind, status="added", id=fact_id, name=name, detail=detail, agenda_item=item)  # type: ignore[arg-type]

    listed = (
        *(fact("statement", s.id, s.delegation, s.category, s.agenda_item_id) for s in report.statements),
        *(fact("participant", p.id, p.name, p.category) for p in report.participants),
        *(fact("panellist", p.id, p.name, p.delegation, p.agenda_item_id) for p in report.panellists),
        *(fact("document", d.id, d.symbol, d.title) for d in report.documents),
    )
    return {f.id: f for f in listed}


def diff(before: Report, after: Report, *, from_version: int | None = None, to_version: int | None = None) -> Diff:
    """What changed from `before` to `after`: paragraphs (matched by id) added, removed or with
    other text or sub-items, and the words inserted and deleted with their authors; headings
    added, removed, retitled, adopted or reopened; facts of the meeting added or removed.

    Unchanged paragraphs are not listed, even when renumbered or moved: a paragraph moved
    without changing shows only through its numbers, when listed for another reason. The
    versions, when given, only label the result.
    """
    old, new = _facts(before), _facts(after)
    facts = [f for fact_id, f in new.items() if fact_id not in old]
    facts += [msgspec.structs.replace(f, status="removed") for fact_id, f in old.items() if fact_id not in new]
    return Diff(
        from_version=from_version,
        to_version=to_version,
        paragraphs=_paragraph_changes(before, after),
        headings=_heading_changes(before, after),
        facts=facts,
    )


# History filters

class HistoryFilter(msgspec.Struct, frozen=True, kw_only=True):
    """Which events a history query keeps; a filter left at its default keeps every event.

    `since` is inclusive and `until` exclusive, so that consecutive windows never share an
    event. `chapter_members` holds the ids of the paragraphs and sections in `chapter_id`
    (see `in_chapter`). `actors`: the events of any of these actors (user ids).
    """

    actors: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    paragraph_id: str | None = None
    chapter_id: str | None = None
    chapter_members: frozenset[str] = frozenset()
    since: datetime | None = None
    until: datetime | None = None


def in_chapter(report: Report, chapter_id: str) -> frozenset[str]:
    """The ids of the paragraphs and sections inside the chapter in `report`.

    History maps an event to a chapter through this, taken on the report at its latest
    version: an approximation of "inside it at that time". A paragraph or section moved
    between chapters counts, for all its history, in the chapter it is in now, and one since
    removed counts in none (its events that name the chapter itself, such as ParagraphAdded,
    still match).
    """
    for chapter in report.chapters:
        if chapter.id == chapter_id:
            sections = [section.id for section in chapter.sections]
            paragraphs = [p.id for p in (*chapter.paragraphs, *(p for s in chapter.sections for p in s.paragraphs))]
            return frozenset((*sections, *paragraphs))
    return frozenset()


def matches(event: StoredEvent, filters: HistoryFilter) -> bool:
    """Whether the event passes every filter given."""
    data = event.data
    if filters.actors and event.actor not in filters.actors:
        return False
    if filters.types and event.type not in filters.types:
        return False
    if filters.since is not None and event.at < filters.since:
        return False
    if filters.until is not None and event.at >= filters.until:
        return False
    if filters.paragraph_id is not None and getattr(data, "paragraph_id", None) != filters.paragraph_id:
        return False
    if filters.chapter_id is not None:
        named = {getattr(data, field, None) for field in ("paragraph_id", "section_id")}
        if getattr(data, "chapter_id", None) != filters.chapter_id and not named & filters.chapter_members:
            return False
    return True
