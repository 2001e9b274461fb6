"""The projection: each event yields a new report and leaves every earlier one as it was."""

import copy

import msgspec
import pytest

from events.catalogue import ChapterAdded, ParagraphAdded, ParagraphTextReplaced, ReportCreated, SectionAdded
from events.commands import RemoveParagraph, ReplaceParagraphText
from events.evolve import evolve, replay
from events.model import Chapter, Paragraph, Report, Section
from events.render.text import render_text
from tests.events.builders import REPORT_ID, created, stored, uid


def test_the_report_takes_its_id_from_the_log_and_its_title_from_the_event() -> None:
    report = evolve(None, stored(ReportCreated(title="Projet de rapport"), version=1))

    assert report == Report(id=REPORT_ID, title="Projet de rapport")


def test_an_empty_log_is_no_report() -> None:
    assert replay([]) is None


def test_evolve_does_not_mutate_the_previous_state() -> None:
    drafting = created()
    introduction = drafting.add_chapter("Introduction")
    decision = drafting.add_paragraph(introduction, "Dans sa décision 4/4…")
    before = drafting.report
    frozen_copy = copy.deepcopy(before)

    drafting.submit(ReplaceParagraphText(paragraph_id=decision, text="Dans sa décision 4/4, la Conférence…"))
    drafting.add_paragraph(introduction, "Dans sa résolution 7/1…")
    drafting.add_chapter("Recommandations", before=introduction)
    drafting.submit(RemoveParagraph(paragraph_id=decision))

    assert before == frozen_copy
    assert before.chapters[0].paragraphs == (Paragraph(id=decision, text="Dans sa décision 4/4…"),)
    assert drafting.report != before


@pytest.mark.parametrize(
    ("state", "field"),
    [
        (Report(id="r", title="Projet de rapport"), "title"),
        (Chapter(id="c", title="Introduction"), "paragraphs"),
        (Section(id="s", title="Déclarations"), "title"),
        (Paragraph(id="p", text="…"), "text"),
    ],
)
def test_states_are_frozen(state: msgspec.Struct, field: str) -> None:
    with pytest.raises(AttributeError):
        setattr(state, field, "changed")


def test_untouched_chapters_are_shared_with_the_previous_state() -> None:
    drafting = created()
    introduction = drafting.add_chapter("Introduction")
    recommendations = drafting.add_chapter("Recommandations")
    decision = drafting.add_paragraph(introduction, "Dans sa décision 4/4…")
    before = drafting.report

    drafting.add_paragraph(recommendations, "À la réunion qu’il a tenue à Vienne…")

    assert drafting.report.chapters[0] is before.chapters[0]
    assert drafting.report.chapters[0].paragraphs[0].id == decision


def test_a_chapter_inserted_before_another_takes_its_number() -> None:
    drafting = created()
    recommendations = drafting.add_chapter("Recommandations")
    drafting.add_chapter("Introduction", before=recommendations)

    headings = render_text(drafting.report).splitlines()[2::2]

    assert headings == ["I. Introduction", "II. Recommandations"]


def test_a_section_inserted_before_another_takes_its_letter() -> None:
    drafting = created()
    organisation = drafting.add_chapter("Organisation de la réunion")
    participation = drafting.add_section(organisation, "Participation")
    statements = drafting.add_section(organisation, "Déclarations", before=participation)
    drafting.add_section(organisation, "Ouverture de la réunion", before=statements)

    assert [s.title for s in drafting.report.chapters[0].sections] == [
        "Ouverture de la réunion",
        "Déclarations",
        "Participation",
    ]


def test_a_paragraph_inserted_before_another_in_a_section_renumbers_the_rest() -> None:
    drafting = created()
    organisation = drafting.add_chapter("Organisation de la réunion")
    opening = drafting.add_section(organisation, "Ouverture de la réunion")
    opened = drafting.add_paragraph(organisation, "La réunion a été ouverte par…", section_id=opening)
    drafting.add_paragraph(organisation, "Le Groupe de travail s’est réuni à Vienne…", section_id=opening, before=opened)

    assert render_text(drafting.report).endswith(
        "1. Le Groupe de travail s’est réuni à Vienne…\n\n2. La réunion a été ouverte par…\n"
    )


def test_removing_paragraphs_renumbers_the_rest() -> None:
    drafting = created()
    introduction = drafting.add_chapter("Introduction")
    ids = [drafting.add_paragraph(introduction, f"Paragraphe {n}") for n in range(1, 6)]
    for removed in ids[1::2]:
        drafting.submit(RemoveParagraph(paragraph_id=removed))

    assert render_text(drafting.report).splitlines()[4::2] == ["1. Paragraphe 1", "2. Paragraphe 3", "3. Paragraphe 5"]


def test_the_text_of_a_paragraph_in_a_section_is_replaced_in_place() -> None:
    events = [
        stored(ReportCreated(title="Projet de rapport"), 1),
        stored(ChapterAdded(chapter_id=uid(1), title="Recommandations"), 2),
        stored(SectionAdded(section_id=uid(2), chapter_id=uid(1), title="Recommandations générales"), 3),
        stored(ParagraphAdded(paragraph_id=uid(3), chapter_id=uid(1), section_id=uid(2), text="Le Groupe…"), 4),
        stored(ParagraphAdded(paragraph_id=uid(4), chapter_id=uid(1), section_id=uid(2), text="La Conférence…"), 5),
        stored(ParagraphTextReplaced(paragraph_id=uid(3), text="Le Groupe de travail a recommandé…"), 6),
    ]

    section = replay(events).chapters[0].sections[0]

    assert section.paragraphs == (
        Paragraph(id=uid(3), text="Le Groupe de travail a recommandé…"),
        Paragraph(id=uid(4), text="La Conférence…"),
    )


def test_replay_continues_from_any_earlier_state() -> None:
    drafting = created()
    introduction = drafting.add_chapter("Introduction")
    decision = drafting.add_paragraph(introduction, "Dans sa décision 4/4…")
    drafting.submit(ReplaceParagraphText(paragraph_id=decision, text="Dans sa résolution 7/1…"))

    for split in range(len(drafting.events) + 1):
        assert replay(drafting.events[split:], replay(drafting.events[:split])) == drafting.report
