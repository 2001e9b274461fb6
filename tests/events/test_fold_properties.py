"""Properties of any history a drafter can produce: numbering, determinism, folds, the format.

Histories are drawn command by command against the current report, so every command is one
the rules accept; ids come from counters, so a failing example replays identically.
"""

import copy
from datetime import UTC, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from events.catalogue import (
    ChapterAdded,
    ParagraphAdded,
    ParagraphRemoved,
    ParagraphTextReplaced,
    ReportCreated,
    SectionAdded,
    event_type,
)
from events.commands import (
    AddChapter,
    AddParagraph,
    AddSection,
    Command,
    CreateReport,
    RemoveParagraph,
    ReplaceParagraphText,
)
from events.envelope import StoredEvent, decode_event, encode_event
from events.evolve import evolve, replay
from events.model import Report
from events.render.numbering import letter, roman
from events.render.text import render_text
from tests.events.builders import Drafting, Ids

# Texts on one line (no control characters), with the accents and quotes of French drafts.
CHARACTERS = st.one_of(st.sampled_from("éèàçôÉÀ«»’…/"), st.characters(blacklist_categories=("Cs", "Cc")))
TEXT = st.text(CHARACTERS, max_size=24)
TITLE = st.text(CHARACTERS, min_size=1, max_size=24)
HISTORIES = settings(max_examples=150, deadline=None)


@st.composite
def commands(draw: st.DrawFn, report: Report, client_ids: Ids) -> Command:
    """One command the rules accept against `report`, client-chosen ids drawn from `client_ids`."""

    def new_id() -> str | None:
        return client_ids() if draw(st.booleans()) else None

    def before(siblings: tuple) -> str | None:
        return draw(st.none() | st.sampled_from([item.id for item in siblings])) if siblings else None

    kinds = ["chapter"]
    if report.chapters:
        kinds += ["section", "paragraph", "paragraph"]
    paragraphs = report.all_paragraphs()
    if paragraphs:
        kinds += ["replace", "remove"]
    kind = draw(st.sampled_from(kinds))

    if kind == "chapter":
        return AddChapter(chapter_id=new_id(), title=draw(TITLE), before=before(report.chapters))
    if kind == "section":
        chapter = draw(st.sampled_from(report.chapters))
        return AddSection(section_id=new_id(), chapter_id=chapter.id, title=draw(TITLE), before=before(chapter.sections))
    if kind == "paragraph":
        chapter = draw(st.sampled_from(report.chapters))
        section = draw(st.none() | st.sampled_from(chapter.sections)) if chapter.sections else None
        siblings = chapter.paragraphs if section is None else section.paragraphs
        return AddParagraph(
            paragraph_id=new_id(),
            chapter_id=chapter.id,
            section_id=None if section is None else section.id,
            text=draw(TEXT),
            before=before(siblings),
        )
    paragraph = draw(st.sampled_from(paragraphs))
    if kind == "replace":
        return ReplaceParagraphText(paragraph_id=paragraph.id, text=draw(st.just(paragraph.text) | TEXT))
    return RemoveParagraph(paragraph_id=paragraph.id)


@st.composite
def histories(draw: st.DrawFn, max_commands: int = 30) -> Drafting:
    drafting = Drafting(new_id=Ids())
    drafting.submit(CreateReport(title=draw(TITLE)))
    client_ids = Ids(start=1 << 32)
    for _ in range(draw(st.integers(0, max_commands))):
        drafting.submit(draw(commands(drafting.report, client_ids)))
    return drafting


@HISTORIES
@given(histories())
def test_any_history_numbers_paragraphs_1_to_n_chapters_from_i_and_sections_from_a(drafting: Drafting) -> None:
    report = drafting.report
    lines = render_text(report).split("\n")
    assert lines[0] == report.title
    assert set(lines[1::2]) == {""}
    headings_and_paragraphs = iter(lines[2::2])

    numbered = []
    for chapter_number, chapter in enumerate(report.chapters, start=1):
        assert next(headings_and_paragraphs) == f"{roman(chapter_number)}. {chapter.title}"
        numbered += [next(headings_and_paragraphs) for _ in chapter.paragraphs]
        for section_number, section in enumerate(chapter.sections, start=1):
            assert next(headings_and_paragraphs) == f"{letter(section_number)}. {section.title}"
            numbered += [next(headings_and_paragraphs) for _ in section.paragraphs]
    assert next(headings_and_paragraphs, None) is None

    expected = [f"{n}. {p.text}" for n, p in enumerate(report.all_paragraphs(), start=1)]
    assert numbered == expected


@HISTORIES
@given(histories())
def test_rendering_a_history_is_deterministic(drafting: Drafting) -> None:
    read_back = [decode_event(encode_event(event)) for event in drafting.events]

    assert render_text(replay(drafting.events)) == render_text(replay(drafting.events))
    assert render_text(replay(read_back)) == render_text(drafting.report)


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
    ids += [paragraph.id for paragraph in report.all_paragraphs()]

    assert [event.version for event in drafting.events] == list(range(1, len(drafting.events) + 1))
    assert len(set(ids)) == len(ids)


ANY_TEXT = st.text(max_size=40)
MAYBE_TEXT = st.none() | ANY_TEXT
PAYLOADS = st.one_of(
    st.builds(ReportCreated, title=ANY_TEXT),
    st.builds(ChapterAdded, chapter_id=ANY_TEXT, title=ANY_TEXT, before=MAYBE_TEXT),
    st.builds(SectionAdded, section_id=ANY_TEXT, chapter_id=ANY_TEXT, title=ANY_TEXT, before=MAYBE_TEXT),
    st.builds(
        ParagraphAdded,
        paragraph_id=ANY_TEXT,
        chapter_id=ANY_TEXT,
        section_id=MAYBE_TEXT,
        text=ANY_TEXT,
        before=MAYBE_TEXT,
    ),
    st.builds(ParagraphTextReplaced, paragraph_id=ANY_TEXT, text=ANY_TEXT),
    st.builds(ParagraphRemoved, paragraph_id=ANY_TEXT),
)
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


@settings(max_examples=200, deadline=None)
@given(stored_events())
def test_any_stored_event_round_trips_through_its_stored_form(event: StoredEvent) -> None:
    assert decode_event(encode_event(event)) == event
