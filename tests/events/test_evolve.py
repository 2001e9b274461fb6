"""The projection: each event yields a new report and leaves every earlier one as it was."""

import copy

import msgspec
import pytest

from events.catalogue import (
    ChapterAdded,
    ParagraphAdded,
    ParagraphTextEdited,
    ParagraphTextReplaced,
    PlaceholderFilled,
    ReportCreated,
    SectionAdded,
)
from events.commands import AdoptChapter, Command, RemoveParagraph, ReopenChapter, ReplaceParagraphText
from events.evolve import evolve, replay
from events.model import LIST_MARK, AuthorRun, Chapter, Listing, Paragraph, PlaceholderFill, Report, Section
from events.render.text import render_text
from events.text_ops import Delete
from tests.events.builders import REPORT_ID, created, numbered_lines, placeholder_id, stored, uid
from tests.events.meeting import Meeting, one_of_each


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
    assert before.chapters[0].paragraphs == (
        Paragraph(id=decision, text="Dans sa décision 4/4…", authors=(AuthorRun("alice", len("Dans sa décision 4/4…")),)),
    )
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

    assert numbered_lines(render_text(drafting.report)) == ["I. Introduction", "II. Recommandations"]


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

    assert numbered_lines(render_text(drafting.report))[-2:] == [
        "1. Le Groupe de travail s’est réuni à Vienne…",
        "2. La réunion a été ouverte par…",
    ]


def test_removing_paragraphs_renumbers_the_rest() -> None:
    drafting = created()
    introduction = drafting.add_chapter("Introduction")
    ids = [drafting.add_paragraph(introduction, f"Paragraphe {n}") for n in range(1, 6)]
    for removed in ids[1::2]:
        drafting.submit(RemoveParagraph(paragraph_id=removed))

    assert numbered_lines(render_text(drafting.report))[1:] == ["1. Paragraphe 1", "2. Paragraphe 3", "3. Paragraphe 5"]


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

    # Replaced as the smallest op, which keeps « Le Groupe » and « … »: revision 1 of uid(3).
    assert section.paragraphs == (
        Paragraph(
            id=uid(3),
            text="Le Groupe de travail a recommandé…",
            revision=1,
            authors=(AuthorRun("alice", len("Le Groupe de travail a recommandé…")),),
            recent_ops=([len("Le Groupe"), " de travail a recommandé"],),
        ),
        Paragraph(id=uid(4), text="La Conférence…", authors=(AuthorRun("alice", len("La Conférence…")),)),
    )


def test_replay_continues_from_any_earlier_state() -> None:
    drafting = created()
    introduction = drafting.add_chapter("Introduction")
    decision = drafting.add_paragraph(introduction, "Dans sa décision 4/4…")
    drafting.submit(ReplaceParagraphText(paragraph_id=decision, text="Dans sa résolution 7/1…"))

    for split in range(len(drafting.events) + 1):
        assert replay(drafting.events[split:], replay(drafting.events[:split])) == drafting.report


def _shared(before: tuple, after: tuple) -> list[str]:
    """Ids of the items `after` holds unchanged from `before` but as a copy instead of the same object."""
    old = {item.id: item for item in before}
    return [item.id for item in after if item.id in old and old[item.id] == item and old[item.id] is not item]


@pytest.mark.parametrize("command", one_of_each(Meeting())[1:], ids=lambda command: type(command).__name__)
def test_whatever_the_event_what_it_leaves_unchanged_is_shared(command: Command) -> None:
    meeting = Meeting()
    if isinstance(command, ReopenChapter):
        meeting.submit(AdoptChapter(chapter_id=command.chapter_id))
    before = meeting.report

    meeting.submit(command)
    after = meeting.report

    assert _shared(before.chapters, after.chapters) == []
    assert _shared(tuple(s for c in before.chapters for s in c.sections), tuple(s for c in after.chapters for s in c.sections)) == []
    assert _shared(tuple(before.all_paragraphs()), tuple(after.all_paragraphs())) == []
    assert _shared(before.agenda, after.agenda) == []
    assert _shared(tuple(i for a in before.agenda for i in a.sub_items), tuple(i for a in after.agenda for i in a.sub_items)) == []


def test_every_text_change_is_an_op_that_raises_the_revision_and_credits_its_actor() -> None:
    """Added by alice; replaced by bruno, typed in by chiara, a placeholder filled by bruno."""
    events = [
        stored(ReportCreated(title="Projet de rapport"), 1),
        stored(ChapterAdded(chapter_id=uid(1), title="Résumé des délibérations"), 2),
        stored(ParagraphAdded(paragraph_id=uid(2), chapter_id=uid(1), text="À [sa] séance, le Groupe a examiné le point."), 3),
        stored(ParagraphTextReplaced(paragraph_id=uid(2), text="À [sa] séance, le Groupe a examiné le point 2."), 4, actor="bruno"),
        stored(
            ParagraphTextEdited(paragraph_id=uid(2), revision=2, ops=[len("À [sa] séance, le Groupe "), "de travail "]), 5, actor="chiara"
        ),
        stored(PlaceholderFilled(placeholder_id=placeholder_id(uid(2), "[sa]"), paragraph_id=uid(2), original="[sa]", value="sa 2e", start=2),
               6, actor="bruno"),
    ]

    paragraph = replay(events).chapters[0].paragraphs[0]

    assert paragraph.text == "À sa 2e séance, le Groupe de travail a examiné le point 2."
    assert paragraph.revision == 3
    assert paragraph.recent_ops == (
        [len("À [sa] séance, le Groupe a examiné le point"), " 2"],
        [len("À [sa] séance, le Groupe "), "de travail "],
        [len("À "), Delete(len("[sa]")), "sa 2e"],
    )
    assert paragraph.authors == (
        AuthorRun("alice", len("À ")),
        AuthorRun("bruno", len("sa 2e")),
        AuthorRun("alice", len(" séance, le Groupe ")),
        AuthorRun("chiara", len("de travail ")),
        AuthorRun("alice", len("a examiné le point")),
        AuthorRun("bruno", len(" 2")),
        AuthorRun("alice", len(".")),
    )


def test_a_fill_replaces_the_placeholder_at_its_place_not_an_earlier_twin() -> None:
    events = [
        stored(ReportCreated(title="Projet de rapport"), 1),
        stored(ChapterAdded(chapter_id=uid(1), title="Résumé des délibérations"), 2),
        stored(ParagraphAdded(paragraph_id=uid(2), chapter_id=uid(1), text="séance[s], tenue[s] le[s]"), 3),
        stored(PlaceholderFilled(placeholder_id=f"{uid(2)}:8e601f3f:1", paragraph_id=uid(2), original="[s]", value="s", start=16), 4),
    ]

    report = replay(events)

    assert report.chapters[0].paragraphs[0].text == "séance[s], tenues le[s]"
    assert report.fills == (PlaceholderFill(placeholder_id=f"{uid(2)}:8e601f3f:1", paragraph_id=uid(2), original="[s]", value="s"),)


def test_a_listing_paragraph_stored_without_its_mark_gets_it_at_the_end() -> None:
    listing = Listing(kind="documents")
    events = [
        stored(ReportCreated(title="Projet de rapport"), 1),
        stored(ChapterAdded(chapter_id=uid(1), title="Organisation de la réunion"), 2),
        stored(ParagraphAdded(paragraph_id=uid(2), chapter_id=uid(1), text="Le Groupe de travail était saisi des documents suivants :", listing=listing), 3),
    ]

    paragraph = replay(events).chapters[0].paragraphs[0]

    text = f"Le Groupe de travail était saisi des documents suivants :{LIST_MARK}"
    assert paragraph == Paragraph(id=uid(2), text=text, listing=listing, authors=(AuthorRun("alice", len(text)),))


def test_adopting_then_reopening_a_chapter_leaves_it_as_it_was() -> None:
    meeting = Meeting()
    before = meeting.chapter(meeting.introduction)

    meeting.submit(AdoptChapter(chapter_id=meeting.introduction))
    meeting.submit(ReopenChapter(chapter_id=meeting.introduction, reason="une erreur de date"))

    assert meeting.chapter(meeting.introduction) == before
