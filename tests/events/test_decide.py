"""The rules of the report as a whole: creation, details, every command's event, all-or-nothing."""

import time
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from events import lookup
from events.catalogue import (
    ChapterAdded,
    ParagraphAdded,
    ReportCreated,
    ReportDetailsChanged,
    ReportRetitled,
    SectionAdded,
)
from events.commands import (
    COMMAND_TYPES,
    AddChapter,
    AddParagraph,
    AddParticipant,
    AddSubItem,
    AddSection,
    AdoptChapter,
    Command,
    CreateReport,
    RemoveParagraph,
    ReopenChapter,
    ReplaceParagraphText,
    RetitleReport,
    SetReportDetails,
)
from events.decide import decide, decide_all
from events.errors import DomainError
from events.evolve import apply
from events.model import Details, Report
from tests.events import test_adoption, test_decide_meeting, test_decide_structure, test_placeholders
from tests.events.builders import (
    ERROR_CODES,
    PRODUCES,
    REPORT_ID,
    UNUSED,
    Drafting,
    Ids,
    created,
    refusal,
    uid,
)
from tests.events.meeting import DETAILS, Meeting, Refusal, one_of_each, refused_on_meeting


class Seeded(Drafting):
    """« Projet de rapport »: chapter I with one paragraph, chapter II with section A and one paragraph."""

    def __init__(self) -> None:
        super().__init__()
        self.submit(CreateReport(title="Projet de rapport"))
        self.introduction = self.add_chapter("Introduction")
        self.decision = self.add_paragraph(self.introduction, "Dans sa décision 4/4…")
        self.recommendations = self.add_chapter("Recommandations")
        self.general = self.add_section(self.recommendations, "Recommandations générales")
        self.measures = self.add_paragraph(self.recommendations, "Le Groupe de travail a recommandé…", self.general)


@pytest.fixture
def drafting() -> Seeded:
    return Seeded()


def every_command() -> list[Command]:
    return one_of_each(Meeting())


# The report

def test_a_new_report_records_its_title() -> None:
    assert decide(None, CreateReport(title="Projet de rapport"), Ids()) == [ReportCreated(title="Projet de rapport")]


@pytest.mark.parametrize(
    "command",
    [c for c in every_command() if not isinstance(c, CreateReport)],
    ids=lambda command: type(command).__name__,
)
def test_a_report_that_was_never_created_accepts_no_command(command: Command) -> None:
    assert refusal(Drafting(), command) == "unknown_report"


def test_a_report_is_retitled_and_the_same_title_records_nothing(drafting: Seeded) -> None:
    title = "Rapport du Groupe de travail sur la traite des personnes sur les travaux de sa réunion"

    assert drafting.decided(RetitleReport(title=title)) == [ReportRetitled(title=title)]
    assert drafting.report.title == title
    assert drafting.decided(RetitleReport(title=title)) == []


def test_the_details_of_the_meeting_are_replaced_all_at_once(drafting: Seeded) -> None:
    assert drafting.decided(SetReportDetails(details=DETAILS)) == [ReportDetailsChanged(details=DETAILS)]
    assert drafting.report.details == DETAILS

    english = Details(body="Working Group on Trafficking in Persons", language="en")
    drafting.submit(SetReportDetails(details=english))

    assert drafting.report.details == english
    assert drafting.report.details.venue == ""
    assert drafting.decided(SetReportDetails(details=english)) == []


def test_a_one_day_meeting_starts_and_ends_the_same_day(drafting: Seeded) -> None:
    one_day = Details(first_date=DETAILS.first_date, last_date=DETAILS.first_date)

    assert drafting.decided(SetReportDetails(details=one_day)) == [ReportDetailsChanged(details=one_day)]


# Every command

@pytest.mark.parametrize("command", every_command()[1:], ids=lambda command: type(command).__name__)
def test_every_command_records_exactly_its_event(command: Command) -> None:
    meeting = Meeting()
    if isinstance(command, ReopenChapter):
        meeting.submit(AdoptChapter(chapter_id=command.chapter_id))
    before = meeting.report

    (event,) = meeting.submit(command)

    assert event.type == PRODUCES[type(command).__name__]
    assert meeting.report == apply(before, event.data, REPORT_ID, event.actor) != before


def test_there_is_an_example_of_every_command_and_each_names_its_event() -> None:
    assert [type(c).__name__ for c in every_command()] == list(PRODUCES)


# Characters no text may hold

def tainted(value: Any, character: str) -> Iterator[Any]:
    """Copies of `value` (a command, or anything it holds), each with `character` in one of its
    strings: every field, however deep (the details, a listing, each component of the ops)."""
    if isinstance(value, str):
        yield value[:1] + character + value[1:]
    elif isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            for changed in tainted(getattr(value, name), character):
                yield msgspec.structs.replace(value, **{name: changed})
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            for changed in tainted(item, character):
                yield type(value)([*value[:index], changed, *value[index + 1 :]])


@pytest.mark.parametrize("character", ["\x00", "\x0b", "\x1b", "\x7f", "\x85", "\ufffe"], ids=ascii)
@pytest.mark.parametrize("command", every_command(), ids=lambda command: type(command).__name__)
def test_a_control_character_in_any_text_of_any_command_is_refused(command: Command, character: str) -> None:
    """They broke the Word rendering of every later version of the report (issue 12)."""
    meeting = Meeting()
    for variant in tainted(command, character):
        assert refusal(meeting, variant) == "invalid_text", variant


def test_every_command_with_text_is_tainted_somewhere() -> None:
    assert [type(c).__name__ for c in every_command() if not any(tainted(c, "\x1b"))] == ["AdoptReport"]


def test_the_refusal_names_the_field_and_the_character(drafting: Seeded) -> None:
    details = Details(venue="Vienne\x1b[2J")

    with pytest.raises(DomainError, match=r"\$\.command\.details\.venue holds U\+001B"):
        decide(drafting.report, SetReportDetails(details=details), Ids())


def test_tabs_and_line_breaks_are_text(drafting: Seeded) -> None:
    drafting.submit(ReplaceParagraphText(paragraph_id=drafting.decision, text="Dans sa décision\t4/4,\r\nla Conférence\n"))

    assert drafting.report.all_paragraphs()[0].text == "Dans sa décision\t4/4,\r\nla Conférence\n"
    assert set(PRODUCES) == COMMAND_TYPES


# Ids

def test_ids_the_client_left_out_are_drawn_from_new_id() -> None:
    drafting = created()
    drafting.new_id = Ids(start=41)

    (event,) = drafting.submit(AddChapter(title="Introduction"))

    assert event.data == ChapterAdded(chapter_id=uid(42), title="Introduction")


def test_added_item_keeps_the_id_the_client_chose(drafting: Seeded) -> None:
    chapter, section, paragraph = uid(101), uid(102), uid(103)

    events = [
        *drafting.submit(AddChapter(chapter_id=chapter, title="Organisation de la réunion")),
        *drafting.submit(AddSection(section_id=section, chapter_id=chapter, title="Ouverture de la réunion")),
        *drafting.submit(
            AddParagraph(paragraph_id=paragraph, chapter_id=chapter, section_id=section, text="Le Groupe…")
        ),
    ]

    assert [e.data for e in events] == [
        ChapterAdded(chapter_id=chapter, title="Organisation de la réunion"),
        SectionAdded(section_id=section, chapter_id=chapter, title="Ouverture de la réunion"),
        ParagraphAdded(paragraph_id=paragraph, chapter_id=chapter, section_id=section, text="Le Groupe…"),
    ]
    assert drafting.report.chapters[-1].sections[0].paragraphs[0].id == paragraph


def test_a_removed_paragraph_can_no_longer_be_edited_or_removed(drafting: Seeded) -> None:
    drafting.submit(RemoveParagraph(paragraph_id=drafting.decision))

    assert refusal(drafting, ReplaceParagraphText(paragraph_id=drafting.decision, text="…")) == "unknown_paragraph"
    assert refusal(drafting, RemoveParagraph(paragraph_id=drafting.decision)) == "unknown_paragraph"


def test_the_id_of_a_removed_paragraph_may_be_chosen_again(drafting: Seeded) -> None:
    drafting.submit(RemoveParagraph(paragraph_id=drafting.decision))

    events = drafting.decided(AddParagraph(paragraph_id=drafting.decision, chapter_id=drafting.introduction, text="…"))

    assert events == [ParagraphAdded(paragraph_id=drafting.decision, chapter_id=drafting.introduction, text="…")]


# decide_all: an import is one sequence, all or nothing

def test_a_sequence_is_decided_on_the_state_each_command_leaves() -> None:
    chapter, paragraph = uid(101), uid(102)

    events = decide_all(
        None,
        REPORT_ID,
        [
            CreateReport(title="Projet de rapport"),
            AddChapter(chapter_id=chapter, title="Introduction"),
            AddParagraph(paragraph_id=paragraph, chapter_id=chapter, text="Dans sa décision 4/4…"),
            ReplaceParagraphText(paragraph_id=paragraph, text="Dans sa décision 4/4…"),
            AddChapter(title="Recommandations", before=chapter),
        ],
        Ids(),
        "alice",
    )

    assert events == [
        ReportCreated(title="Projet de rapport"),
        ChapterAdded(chapter_id=chapter, title="Introduction"),
        ParagraphAdded(paragraph_id=paragraph, chapter_id=chapter, text="Dans sa décision 4/4…"),
        ChapterAdded(chapter_id=uid(1), title="Recommandations", before=chapter),
    ]


def test_a_sequence_with_one_refusal_in_the_middle_records_nothing(drafting: Seeded) -> None:
    sequence = [
        AddParagraph(chapter_id=drafting.introduction, text="Dans sa résolution 7/1…"),
        RemoveParagraph(paragraph_id=UNUSED),
        AddChapter(title="Résumé des délibérations"),
    ]

    with pytest.raises(DomainError) as refused:
        decide_all(drafting.report, REPORT_ID, sequence, Ids(), "alice")

    assert refused.value.code == "unknown_paragraph"


def test_a_sequence_cannot_use_an_id_twice() -> None:
    sequence = [CreateReport(title="Projet de rapport"), AddChapter(chapter_id=uid(7), title="I"), AddChapter(chapter_id=uid(7), title="II")]

    with pytest.raises(DomainError, match="already used") as refused:
        decide_all(None, REPORT_ID, sequence, Ids(), "alice")

    assert refused.value.code == "duplicate_id"


def test_an_empty_sequence_records_nothing(drafting: Seeded) -> None:
    assert decide_all(drafting.report, REPORT_ID, [], Ids(), "alice") == []


def test_a_long_sequence_lists_the_ids_in_use_once_not_for_each_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """An import of 2,000 paragraphs listed every id of the report 2,000 times (seconds, and
    minutes at the size limits): now once, then kept up to date as the items are added."""
    listed = []
    known_ids = lookup.known_ids
    monkeypatch.setattr(lookup, "known_ids", lambda report: listed.append(report) or known_ids(report))
    chapter = uid(1)
    sequence = [
        CreateReport(title="Projet de rapport"),
        AddChapter(chapter_id=chapter, title="I"),
        *(AddParagraph(paragraph_id=uid(10 + n), chapter_id=chapter, text=f"Paragraphe {n}.") for n in range(2_000)),
    ]

    assert len(decide_all(None, REPORT_ID, sequence, Ids(), "alice")) == 2_002
    assert len(listed) <= 2


def test_sub_items_and_participants_added_while_drafting_do_not_walk_the_paragraphs_each_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each sub-item looked for its paragraph from the start of the report, and each participant
    through every paragraph for an adopted listing: an import of 3,000 paragraphs with their
    sub-items and 3,000 participants took 1.9 s of CPU, 0.35 s now."""
    walks = []
    located = Report.located_paragraphs
    monkeypatch.setattr(Report, "located_paragraphs", lambda report: walks.append(report) or located(report))
    chapter = uid(1)
    sequence: list[Command] = [CreateReport(title="Projet de rapport"), AddChapter(chapter_id=chapter, title="I")]
    for n in range(500):
        sequence += [
            AddParagraph(paragraph_id=uid(10 + n), chapter_id=chapter, text=f"Paragraphe {n} :"),
            AddSubItem(paragraph_id=uid(10 + n), sub_item_id=uid(10_000 + n), text="a) Agir."),
            AddParticipant(participant_id=uid(20_000 + n), category="party", name=f"Pays {n}"),
        ]

    assert len(decide_all(None, REPORT_ID, sequence, Ids(), "alice")) == 1_502
    assert len(walks) <= 2  # listing the ids in use, once (it was 1,000 walks)


def test_a_long_sequence_of_participants_costs_its_length() -> None:
    """9,000 participants took 6.5 s of CPU (each compared with all those before it), 0.2 s now."""
    sequence = [
        CreateReport(title="Projet de rapport"),
        *(AddParticipant(participant_id=uid(10 + n), category="party", name=f"Pays {n}") for n in range(9_000)),
    ]

    started = time.process_time()
    decide_all(None, REPORT_ID, sequence, Ids(), "alice")
    assert time.process_time() - started < 2


def test_in_a_sequence_an_id_given_back_can_be_given_again_and_a_participant_is_listed_once() -> None:
    """What a sequence keeps in use between its commands is exactly what the report has."""
    chapter, paragraph = uid(1), uid(2)
    sequence = [
        CreateReport(title="Projet de rapport"),
        AddChapter(chapter_id=chapter, title="I"),
        AddParagraph(paragraph_id=paragraph, chapter_id=chapter, text="Premier."),
        RemoveParagraph(paragraph_id=paragraph),
        AddParagraph(paragraph_id=paragraph, chapter_id=chapter, text="Premier, de nouveau."),
        AddParticipant(participant_id=uid(3), category="party", name="Chili"),
        AddParticipant(participant_id=uid(4), category="observer_state", name="Chili"),
    ]
    assert len(decide_all(None, REPORT_ID, sequence, Ids(), "alice")) == 7

    again = AddParticipant(participant_id=uid(5), category="party", name=" Chili ")
    with pytest.raises(DomainError) as refused:
        decide_all(None, REPORT_ID, [*sequence, again], Ids(), "alice")
    assert refused.value.code == "duplicate_participant"
    with pytest.raises(DomainError) as refused:
        decide_all(None, REPORT_ID, [*sequence, AddChapter(chapter_id=paragraph, title="II")], Ids(), "alice")
    assert refused.value.code == "duplicate_id"


# Every refusal has a story

REPORT_REFUSALS = [
    Refusal("a report created twice", "report_exists", lambda m: CreateReport(title="Projet de rapport")),
    Refusal("a meeting that ends before it starts", "invalid_dates",
            lambda m: SetReportDetails(details=Details(first_date=DETAILS.last_date, last_date=DETAILS.first_date))),
]


@pytest.mark.parametrize("case", REPORT_REFUSALS, ids=lambda case: f"{case.code}: {case.story}")
def test_refused(case: Refusal) -> None:
    assert refused_on_meeting(case) == case.code


REFUSALS: list[Refusal] = [
    *REPORT_REFUSALS,
    *test_decide_structure.REFUSALS,
    *test_decide_meeting.REFUSALS,
    *test_placeholders.REFUSALS,
    *test_adoption.REFUSALS,
]


def test_every_error_code_is_the_ending_of_some_story() -> None:
    told = {case.code for case in REFUSALS} | {"unknown_report"}

    assert told == ERROR_CODES


def test_refusal_stories_are_told_once() -> None:
    stories = [case.story for case in REFUSALS]

    assert len(set(stories)) == len(stories)
