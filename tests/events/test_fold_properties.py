"""Properties of any history a drafter can produce: numbering, determinism, folds, the format.

Histories are drawn command by command against the current report, so every command is one
the rules accept: chapters, sections, paragraphs, sub-items and recommendations are added,
retitled, edited, moved (across chapters and sections) and removed, and chapters adopted and
reopened. Paragraphs are also typed in, by three drafters, on their latest revision or on an
older one the server merges past what was committed since, and their placeholders filled. Ids
come from counters, so a failing example replays identically.
"""

import copy
from datetime import UTC, timedelta, timezone
from typing import Any, get_type_hints

from hypothesis import given, settings
from hypothesis import strategies as st

from events import commands as cmd
from events import text_ops
from events.catalogue import EVENT_TYPES, event_type
from events.commands import Command, CreateReport
from events.envelope import StoredEvent, decode_event, encode_event
from events.evolve import evolve, replay
from events.model import LIST_MARK, Details, Listing, Paragraph, Report
from events.placeholders import filled_ids, paragraph_placeholders
from events.render.numbering import letter, roman
from events.render.text import render_text
from events.text_ops import Delete, Op
from tests.events.builders import Drafting, Ids, numbering

# Texts on one line (no control characters), with the accents, quotes and brackets of French
# drafts; never the list mark, which only a listing paragraph holds.
CHARACTERS = st.one_of(
    st.sampled_from("éèàçôÉÀ«»’…/[]:;"),
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=LIST_MARK),
)
TEXT = st.text(CHARACTERS, max_size=12)
# Paragraphs with placeholders to fill, as drafts have them.
DRAFTED = st.sampled_from(["À [sa/ses 2e et 3e] séance[s], tenue[s] le[s] [12 et 13] octobre", "[…]"])
TITLE = st.text(CHARACTERS, min_size=1, max_size=12)
WORDS = TITLE.filter(str.strip)
HISTORIES = settings(max_examples=150, deadline=None)
NAMES = ("alice", "bruno", "chiara")
DRAFTERS = st.sampled_from(NAMES)


def _open(report: Report) -> list:
    return [chapter for chapter in report.chapters if not chapter.adopted]


def _paragraph_lists(chapter) -> list:  # type: ignore[no-untyped-def]
    """(section or None, paragraphs) for each list of paragraphs of the chapter."""
    return [(None, chapter.paragraphs), *((section, section.paragraphs) for section in chapter.sections)]


def lengths_by_revision(paragraph: Paragraph) -> dict[int, int]:
    """The length of the paragraph's text at each revision it can still merge an edit from."""
    lengths = {paragraph.revision: len(paragraph.text)}
    length = len(paragraph.text)
    for revision, op in zip(range(paragraph.revision, 0, -1), reversed(paragraph.recent_ops)):
        length -= text_ops.target_length(op) - text_ops.base_length(op)
        lengths[revision - 1] = length
    return lengths


@st.composite
def typing(draw: st.DrawFn, length: int) -> Op:
    """An op a drafter may type on a text of `length` code points: up to three places, at each
    some characters deleted and some inserted (maybe none of either)."""
    op: Op = []
    position = 0
    for _ in range(draw(st.integers(1, 3))):
        skip = draw(st.integers(0, length - position))
        deleted = draw(st.integers(0, min(4, length - position - skip)))
        op += [skip, Delete(deleted), draw(TEXT)]
        position += skip + deleted
    return text_ops.normalize(op)


@st.composite
def commands(draw: st.DrawFn, report: Report, client_ids: Ids) -> Command:
    """One command the rules accept against `report`, client-chosen ids drawn from `client_ids`."""

    def new_id() -> str | None:
        return client_ids() if draw(st.booleans()) else None

    def before(siblings: tuple | list, moving: str | None = None) -> str | None:
        ids = [item.id for item in siblings if item.id != moving]
        return draw(st.none() | st.sampled_from(ids)) if ids else None

    def place(moving: str | None = None) -> dict[str, Any]:
        """Where a paragraph goes: an open chapter, maybe one of its sections, maybe before a sibling."""
        chapter = draw(st.sampled_from(open_chapters))
        section, siblings = draw(st.sampled_from(_paragraph_lists(chapter)))
        return {
            "chapter_id": chapter.id,
            "section_id": None if section is None else section.id,
            "before": before(siblings, moving),
        }

    open_chapters = _open(report)
    sections = [section for chapter in open_chapters for section in chapter.sections]
    paragraphs = [
        paragraph for chapter in open_chapters for _, listed in _paragraph_lists(chapter) for paragraph in listed
    ]
    itemised = [paragraph for paragraph in paragraphs if paragraph.items]
    placeholders = [placeholder for paragraph in paragraphs for placeholder in paragraph_placeholders(paragraph, filled_ids(report))]

    kinds = ["add_chapter", "retitle_report"]
    if report.chapters:
        kinds += ["move_chapter"]
    if any(chapter.adopted for chapter in report.chapters):
        kinds += ["reopen"]
    if open_chapters:
        kinds += ["retitle_chapter", "remove_chapter", "add_section", "add_paragraph", "add_paragraph", "recommend", "adopt"]
    if sections:
        kinds += ["retitle_section", "move_section", "remove_section"]
    if paragraphs:
        kinds += ["replace", "type", "type", "type", "move_paragraph", "remove_paragraph", "add_sub_item", "add_sub_item"]
    if placeholders:
        kinds += ["fill"]
    if itemised:
        kinds += ["replace_sub_item", "move_sub_item", "remove_sub_item"]
    kind = draw(st.sampled_from(kinds))

    if kind == "add_chapter":
        return cmd.AddChapter(chapter_id=new_id(), title=draw(TITLE), before=before(report.chapters))
    if kind == "retitle_report":
        return cmd.RetitleReport(title=draw(st.sampled_from(["Projet de rapport", "Rapport sur les travaux de la onzième réunion"])))
    if kind == "move_chapter":
        chapter = draw(st.sampled_from(report.chapters))
        return cmd.MoveChapter(chapter_id=chapter.id, before=before(report.chapters, chapter.id))
    if kind == "reopen":
        chapter = draw(st.sampled_from([c for c in report.chapters if c.adopted]))
        return cmd.ReopenChapter(chapter_id=chapter.id, reason=draw(WORDS))
    if kind in ("retitle_chapter", "remove_chapter", "add_section", "adopt"):
        chapter = draw(st.sampled_from(open_chapters))
        if kind == "retitle_chapter":
            return cmd.RetitleChapter(chapter_id=chapter.id, title=draw(TITLE))
        if kind == "remove_chapter":
            return cmd.RemoveChapter(chapter_id=chapter.id)
        if kind == "adopt":
            return cmd.AdoptChapter(chapter_id=chapter.id)
        return cmd.AddSection(section_id=new_id(), chapter_id=chapter.id, title=draw(TITLE), before=before(chapter.sections))
    if kind == "add_paragraph":
        return cmd.AddParagraph(paragraph_id=new_id(), text=draw(TEXT | DRAFTED), **place())
    if kind == "recommend":
        return cmd.AddRecommendation(recommendation_id=new_id(), text=draw(WORDS), **place())
    if kind in ("retitle_section", "move_section", "remove_section"):
        section = draw(st.sampled_from(sections))
        if kind == "retitle_section":
            return cmd.RetitleSection(section_id=section.id, title=draw(TITLE))
        if kind == "remove_section":
            return cmd.RemoveSection(section_id=section.id)
        target = draw(st.sampled_from(open_chapters))
        return cmd.MoveSection(section_id=section.id, chapter_id=target.id, before=before(target.sections, section.id))
    if kind == "fill":
        placeholder = draw(st.sampled_from(placeholders))
        return cmd.FillPlaceholder(placeholder_id=placeholder.id, value=draw(TEXT))
    if kind in ("replace", "type", "move_paragraph", "remove_paragraph", "add_sub_item"):
        paragraph = draw(st.sampled_from(paragraphs))
        if kind == "type":
            lengths = lengths_by_revision(paragraph)
            base = draw(st.sampled_from(sorted(lengths, reverse=True)))
            return cmd.EditParagraphText(paragraph_id=paragraph.id, base_revision=base, ops=draw(typing(lengths[base])))
        if kind == "replace":
            return cmd.ReplaceParagraphText(paragraph_id=paragraph.id, text=draw(st.just(paragraph.text) | TEXT))
        if kind == "remove_paragraph":
            return cmd.RemoveParagraph(paragraph_id=paragraph.id)
        if kind == "add_sub_item":
            return cmd.AddSubItem(paragraph_id=paragraph.id, sub_item_id=new_id(), text=draw(TEXT), before=before(paragraph.items))
        return cmd.MoveParagraph(paragraph_id=paragraph.id, **place(moving=paragraph.id))
    paragraph = draw(st.sampled_from(itemised))
    item = draw(st.sampled_from(paragraph.items))
    if kind == "replace_sub_item":
        return cmd.ReplaceSubItemText(paragraph_id=paragraph.id, sub_item_id=item.id, text=draw(st.just(item.text) | TEXT))
    if kind == "remove_sub_item":
        return cmd.RemoveSubItem(paragraph_id=paragraph.id, sub_item_id=item.id)
    return cmd.MoveSubItem(paragraph_id=paragraph.id, sub_item_id=item.id, before=before(paragraph.items, item.id))


@st.composite
def histories(draw: st.DrawFn, max_commands: int = 30) -> Drafting:
    drafting = Drafting(new_id=Ids())
    drafting.submit(CreateReport(title="Projet de rapport"))
    client_ids = Ids(start=1 << 32)
    for _ in range(draw(st.integers(0, max_commands))):
        drafting.submit(draw(commands(drafting.report, client_ids)), actor=draw(DRAFTERS))
    return drafting


def expected_numbering(report: Report) -> list[str]:
    numbers, paragraph = [], 0
    for chapter_number, chapter in enumerate(report.chapters, start=1):
        numbers.append(roman(chapter_number))
        for section_number, (section, listed) in enumerate(_paragraph_lists(chapter)):
            if section is not None:
                numbers.append(letter(section_number))
            for _ in listed:
                paragraph += 1
                numbers.append(str(paragraph))
    return numbers


@HISTORIES
@given(histories())
def test_any_history_numbers_paragraphs_1_to_n_chapters_from_i_and_sections_from_a(drafting: Drafting) -> None:
    assert numbering(render_text(drafting.report)) == expected_numbering(drafting.report)


@HISTORIES
@given(histories())
def test_rendering_a_history_is_deterministic(drafting: Drafting) -> None:
    read_back = [decode_event(encode_event(event)) for event in drafting.events]

    assert render_text(replay(drafting.events)) == render_text(replay(drafting.events))
    assert render_text(replay(read_back)) == render_text(drafting.report)
    assert replay(read_back) == drafting.report  # the ops, revisions and authors too


@HISTORIES
@given(histories())
def test_folding_events_one_by_one_equals_replaying_them_all(drafting: Drafting) -> None:
    report, states = None, []
    for event in drafting.events:
        report = evolve(report, event)
        states.append((report, copy.deepcopy(report)))

    assert report == replay(drafting.events) == drafting.report
    for count, (state, copy_when_made) in enumerate(states, start=1):
        assert state == copy_when_made == replay(drafting.events[:count])


@HISTORIES
@given(histories())
def test_versions_count_from_one_without_gaps_and_ids_are_never_reused(drafting: Drafting) -> None:
    report = drafting.report
    ids = [report.id]
    for chapter in report.chapters:
        ids += [chapter.id, *(section.id for section in chapter.sections)]
    for paragraph in report.all_paragraphs():
        ids += [paragraph.id, *(item.id for item in paragraph.items)]

    assert [event.version for event in drafting.events] == list(range(1, len(drafting.events) + 1))
    assert len(set(ids)) == len(ids)


TEXT_CHANGES = {"ParagraphTextReplaced", "ParagraphTextEdited", "PlaceholderFilled"}


def _paragraphs(report: Report | None) -> dict[str, Paragraph]:
    return {} if report is None else {paragraph.id: paragraph for paragraph in report.all_paragraphs()}


@HISTORIES
@given(histories())
def test_the_authors_of_a_paragraph_cover_its_text_exactly_whatever_the_history(drafting: Drafting) -> None:
    report = None
    for event in drafting.events:
        report = evolve(report, event)
        for paragraph in report.all_paragraphs():
            runs = paragraph.authors
            assert sum(run.length for run in runs) == len(paragraph.text)
            assert all(run.length > 0 for run in runs)
            assert all(a.author != b.author for a, b in zip(runs, runs[1:])), "neighbouring runs are merged"
            assert {run.author for run in runs} <= set(NAMES)


@HISTORIES
@given(histories())
def test_a_paragraph_s_revision_counts_the_changes_to_its_text_each_kept_as_the_op_that_made_it(drafting: Drafting) -> None:
    report, changes = None, {}
    for event in drafting.events:
        before, report = _paragraphs(report), evolve(report, event)
        after = _paragraphs(report)
        if event.type in ("ParagraphAdded", "RecommendationAdded"):
            changes[event.data.paragraph_id] = 0
        if event.type in TEXT_CHANGES:
            changed_id = event.data.paragraph_id
            changes[changed_id] += 1
            old, new = before[changed_id], after[changed_id]
            assert text_ops.apply(old.text, new.recent_ops[-1]) == new.text
            assert new.recent_ops[:-1] == old.recent_ops
            if event.type == "ParagraphTextEdited":
                assert (event.data.revision, event.data.ops) == (new.revision, new.recent_ops[-1])
        for paragraph_id, paragraph in after.items():
            assert paragraph.revision == changes[paragraph_id] == len(paragraph.recent_ops)


def _contents(report: Report) -> tuple[set, set, set]:
    """Everything the report holds, whatever the order: chapters and sections by id and title,
    paragraphs whole (sub-items in their order)."""
    chapters = {(c.id, c.title, c.adopted) for c in report.chapters}
    sections = {(s.id, s.title) for c in report.chapters for s in c.sections}
    paragraphs = {(p.id, p.text, p.recommendation, frozenset(p.items)) for p in report.all_paragraphs()}
    return chapters, sections, paragraphs


MOVES = {"ChapterMoved", "SectionMoved", "ParagraphMoved", "SubItemMoved"}


@HISTORIES
@given(histories())
def test_a_move_changes_where_things_are_and_nothing_else(drafting: Drafting) -> None:
    report = None
    for event in drafting.events:
        moved = evolve(report, event)
        if event.type in MOVES:
            assert _contents(moved) == _contents(report)
            assert len(moved.all_paragraphs()) == len(report.all_paragraphs())
        report = moved


# Every event type, with any values its fields allow, keeps its stored form.

ANY_TEXT = st.text(max_size=40)
MAYBE_TEXT = st.none() | ANY_TEXT
_BY_TYPE: dict[Any, st.SearchStrategy] = {
    str: ANY_TEXT,
    str | None: MAYBE_TEXT,
    int: st.integers(0, 2**63 - 1),
    bool: st.booleans(),
    Details: st.builds(
        Details,
        body=ANY_TEXT,
        parent_body=ANY_TEXT,
        ordinal=st.none() | st.integers(1, 1000),
        venue=ANY_TEXT,
        first_date=st.none() | st.dates(),
        last_date=st.none() | st.dates(),
        language=st.sampled_from(["fr", "en"]),
        symbol=ANY_TEXT,
    ),
    Listing | None: st.none() | st.builds(
        Listing,
        kind=st.from_type(get_type_hints(Listing)["kind"]),
        agenda_item_id=MAYBE_TEXT,
        category=st.from_type(get_type_hints(Listing)["category"]),
    ),
}


def _payloads(cls: type) -> st.SearchStrategy:
    """Any payload of `cls`: every field drawn, those with defaults too."""
    hints = get_type_hints(cls)
    return st.builds(cls, **{name: _BY_TYPE.get(hints[name], st.from_type(hints[name])) for name in cls.__struct_fields__})


PAYLOADS = st.one_of([_payloads(cls) for cls in EVENT_TYPES.values()])
OFFSETS = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(-timedelta(hours=5, minutes=30))])


@st.composite
def stored_events(draw: st.DrawFn) -> StoredEvent:
    data = draw(PAYLOADS)
    return StoredEvent(
        report_id=draw(ANY_TEXT),
        version=draw(st.integers(1, 2**63 - 1)),
        event_id=draw(ANY_TEXT),
        type=event_type(data),
        schema=type(data).schema,
        actor=draw(ANY_TEXT),
        at=draw(st.datetimes(timezones=OFFSETS)),
        command_id=draw(ANY_TEXT),
        data=data,
    )


@settings(max_examples=300, deadline=None)
@given(stored_events())
def test_any_stored_event_round_trips_through_its_stored_form(event: StoredEvent) -> None:
    assert decode_event(encode_event(event)) == event

