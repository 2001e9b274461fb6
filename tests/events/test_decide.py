"""The rules of the report: what each command records, and the code of every refusal."""

import pytest

from events.catalogue import (
    ChapterAdded,
    ParagraphAdded,
    ParagraphRemoved,
    ParagraphTextReplaced,
    ReportCreated,
    SectionAdded,
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
from events.decide import decide
from events.errors import DomainError
from tests.events.builders import REPORT_ID, Drafting, Ids, created, uid

UNUSED = uid(0xDEAD)


def refusal(drafting: Drafting, command: Command) -> str:
    """The code `command` is refused with; the report and its log are left as they were."""
    report, version = drafting.report, drafting.version
    with pytest.raises(DomainError) as refused:
        drafting.submit(command)
    assert (drafting.report, drafting.version) == (report, version)
    assert refused.value.message
    return refused.value.code


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


def test_a_new_report_records_its_title() -> None:
    assert decide(None, CreateReport(title="Projet de rapport"), Ids()) == [ReportCreated(title="Projet de rapport")]


def test_a_report_cannot_be_created_twice(drafting: Seeded) -> None:
    assert refusal(drafting, CreateReport(title="Projet de rapport")) == "report_exists"


@pytest.mark.parametrize(
    "command",
    [
        AddChapter(title="Introduction"),
        AddSection(chapter_id=UNUSED, title="Déclarations"),
        AddParagraph(chapter_id=UNUSED, text="…"),
        ReplaceParagraphText(paragraph_id=UNUSED, text="…"),
        RemoveParagraph(paragraph_id=UNUSED),
    ],
    ids=lambda command: type(command).__name__,
)
def test_a_report_that_was_never_created_accepts_no_edit(command: Command) -> None:
    assert refusal(Drafting(), command) == "unknown_report"


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


@pytest.mark.parametrize("taken", ["report", "introduction", "general", "decision", "measures"])
@pytest.mark.parametrize(
    "command_for",
    [
        lambda d, taken: AddChapter(chapter_id=taken, title="Participation"),
        lambda d, taken: AddSection(section_id=taken, chapter_id=d.introduction, title="Participation"),
        lambda d, taken: AddParagraph(paragraph_id=taken, chapter_id=d.introduction, text="…"),
    ],
    ids=["chapter", "section", "paragraph"],
)
def test_duplicate_id_is_refused(drafting: Drafting, command_for, taken: str) -> None:
    taken_id = REPORT_ID if taken == "report" else getattr(drafting, taken)

    assert refusal(drafting, command_for(drafting, taken_id)) == "duplicate_id"


@pytest.mark.parametrize(
    "command_for",
    [
        lambda d: AddChapter(title="Participation", before=UNUSED),
        lambda d: AddChapter(title="Participation", before=d.general),
        lambda d: AddSection(chapter_id=UNUSED, title="Participation"),
        lambda d: AddSection(chapter_id=d.general, title="Participation"),
        lambda d: AddParagraph(chapter_id=UNUSED, text="…"),
    ],
    ids=["before-unknown", "before-a-section", "section-in-unknown", "section-in-a-section", "paragraph-in-unknown"],
)
def test_unknown_chapter_is_refused(drafting: Drafting, command_for) -> None:
    assert refusal(drafting, command_for(drafting)) == "unknown_chapter"


@pytest.mark.parametrize(
    "command_for",
    [
        lambda d: AddSection(chapter_id=d.recommendations, title="Participation", before=UNUSED),
        lambda d: AddSection(chapter_id=d.introduction, title="Participation", before=d.general),
        lambda d: AddParagraph(chapter_id=d.recommendations, section_id=UNUSED, text="…"),
        lambda d: AddParagraph(chapter_id=d.introduction, section_id=d.general, text="…"),
    ],
    ids=["before-unknown", "before-a-section-of-another-chapter", "paragraph-in-unknown", "paragraph-in-another-chapter"],
)
def test_unknown_section_is_refused(drafting: Drafting, command_for) -> None:
    assert refusal(drafting, command_for(drafting)) == "unknown_section"


@pytest.mark.parametrize(
    "command_for",
    [
        lambda d: ReplaceParagraphText(paragraph_id=UNUSED, text="…"),
        lambda d: ReplaceParagraphText(paragraph_id=d.introduction, text="…"),
        lambda d: RemoveParagraph(paragraph_id=UNUSED),
        lambda d: AddParagraph(chapter_id=d.introduction, text="…", before=UNUSED),
        lambda d: AddParagraph(chapter_id=d.recommendations, text="…", before=d.measures),
        lambda d: AddParagraph(chapter_id=d.recommendations, section_id=d.general, text="…", before=d.decision),
    ],
    ids=["replace-unknown", "replace-a-chapter", "remove-unknown", "before-unknown",
         "before-a-paragraph-of-a-section", "before-a-paragraph-of-another-chapter"],
)
def test_unknown_paragraph_is_refused(drafting: Drafting, command_for) -> None:
    assert refusal(drafting, command_for(drafting)) == "unknown_paragraph"


def test_a_removed_paragraph_can_no_longer_be_edited_or_removed(drafting: Seeded) -> None:
    drafting.submit(RemoveParagraph(paragraph_id=drafting.decision))

    assert refusal(drafting, ReplaceParagraphText(paragraph_id=drafting.decision, text="…")) == "unknown_paragraph"
    assert refusal(drafting, RemoveParagraph(paragraph_id=drafting.decision)) == "unknown_paragraph"


def test_replace_with_same_text_records_nothing(drafting: Seeded) -> None:
    version = drafting.version

    assert drafting.submit(ReplaceParagraphText(paragraph_id=drafting.decision, text="Dans sa décision 4/4…")) == []
    assert drafting.version == version


def test_replace_records_the_whole_new_text(drafting: Seeded) -> None:
    text = "Dans sa décision 4/4, la Conférence des Parties à la Convention…"

    (event,) = drafting.submit(ReplaceParagraphText(paragraph_id=drafting.decision, text=text))

    assert event.data == ParagraphTextReplaced(paragraph_id=drafting.decision, text=text)
    assert drafting.report.chapters[0].paragraphs[0].text == text


def test_removing_a_paragraph_of_a_section_records_only_its_id(drafting: Seeded) -> None:
    (event,) = drafting.submit(RemoveParagraph(paragraph_id=drafting.measures))

    assert event.data == ParagraphRemoved(paragraph_id=drafting.measures)
    assert drafting.report.chapters[1].sections[0].paragraphs == ()


def test_insertion_before_is_recorded_as_asked(drafting: Seeded) -> None:
    (event,) = drafting.submit(
        AddParagraph(chapter_id=drafting.recommendations, section_id=drafting.general, text="…", before=drafting.measures)
    )

    assert event.data.before == drafting.measures
    assert event.data.section_id == drafting.general
