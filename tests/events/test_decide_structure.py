"""The rules of the report's structure: chapters, sections, paragraphs, sub-items, recommendations.

Ids never change; numbers follow position. Every move below keeps the ids of what moved and of
what it holds, and the paragraphs are numbered 1..n again in their new reading order.
"""

import pytest

from events import catalogue as ev
from events import commands as cmd
from events.decide import TRANSFORM_BUDGET
from events.fields import MAX_OP_CHARACTERS, MAX_OP_COMPONENTS, MAX_TEXT_LENGTH
from events.model import LIST_MARK, RECENT_OPS, AuthorRun, Listing, Paragraph, SubItem
from events.text_ops import Delete
from tests.events.builders import UNUSED, uid
from tests.events.meeting import DECISION_4_4, Meeting, Refusal, refused_on_meeting

NEW, OTHER = uid(0xBEEF), uid(0xCAFE)


@pytest.fixture
def meeting() -> Meeting:
    return Meeting()


def chapter_ids(meeting: Meeting) -> list[str]:
    return [c.id for c in meeting.report.chapters]


def reading_order(meeting: Meeting) -> list[str]:
    return [p.id for p in meeting.report.all_paragraphs()]


def by_alice(text: str) -> tuple[AuthorRun, ...]:
    """The authorship of a text written by « alice » alone, the drafter the Meeting stamps."""
    return (AuthorRun("alice", len(text)),)


# Chapters

def test_a_chapter_is_added_last_or_before_the_chapter_named(meeting: Meeting) -> None:
    last = meeting.decided(cmd.AddChapter(chapter_id=NEW, title="Questions diverses"))
    before = meeting.decided(cmd.AddChapter(chapter_id=OTHER, title="Participation", before=meeting.introduction))

    assert last == [ev.ChapterAdded(chapter_id=NEW, title="Questions diverses")]
    assert before == [ev.ChapterAdded(chapter_id=OTHER, title="Participation", before=meeting.introduction)]
    assert chapter_ids(meeting)[0] == OTHER
    assert chapter_ids(meeting)[-1] == NEW
    assert meeting.chapter(NEW).paragraphs == meeting.chapter(NEW).sections == ()


def test_a_chapter_is_retitled_and_the_same_title_records_nothing(meeting: Meeting) -> None:
    command = cmd.RetitleChapter(chapter_id=meeting.summary, title="Résumé de la Présidente")

    assert meeting.decided(command) == [ev.ChapterRetitled(chapter_id=meeting.summary, title="Résumé de la Présidente")]
    assert meeting.chapter(meeting.summary).title == "Résumé de la Présidente"
    assert meeting.decided(command) == []


def test_a_moved_chapter_keeps_its_ids_and_everything_is_renumbered(meeting: Meeting) -> None:
    before = meeting.numbers()

    events = meeting.decided(cmd.MoveChapter(chapter_id=meeting.summary, before=meeting.recommendations))

    assert events == [ev.ChapterMoved(chapter_id=meeting.summary, before=meeting.recommendations)]
    assert chapter_ids(meeting) == [
        meeting.introduction, meeting.summary, meeting.recommendations, meeting.organisation_chapter, meeting.adoption_chapter
    ]
    after = meeting.numbers()
    assert after.keys() == before.keys()
    assert (after[meeting.first_meetings], after[meeting.sessions], after[meeting.vienna]) == (2, 3, 4)
    assert after[meeting.opened] == before[meeting.opened]


def test_a_chapter_moved_before_nothing_goes_last(meeting: Meeting) -> None:
    meeting.submit(cmd.MoveChapter(chapter_id=meeting.introduction))

    assert chapter_ids(meeting)[-1] == meeting.introduction
    assert meeting.numbers()[meeting.decision] == len(meeting.numbers())


def test_a_removed_chapter_takes_its_sections_and_paragraphs_with_it(meeting: Meeting) -> None:
    assert meeting.decided(cmd.RemoveChapter(chapter_id=meeting.summary)) == [ev.ChapterRemoved(chapter_id=meeting.summary)]

    assert meeting.summary not in chapter_ids(meeting)
    assert {meeting.first_meetings, meeting.sessions}.isdisjoint(reading_order(meeting))
    assert meeting.numbers()[meeting.opened] == 5


# Sections

def test_a_section_is_added_last_or_before_a_section_of_its_chapter(meeting: Meeting) -> None:
    events = [
        *meeting.decided(cmd.AddSection(section_id=NEW, chapter_id=meeting.summary, title="Questions diverses")),
        *meeting.decided(
            cmd.AddSection(section_id=OTHER, chapter_id=meeting.summary, title="Débat général", before=meeting.technologies_summary)
        ),
    ]

    assert events == [
        ev.SectionAdded(section_id=NEW, chapter_id=meeting.summary, title="Questions diverses"),
        ev.SectionAdded(section_id=OTHER, chapter_id=meeting.summary, title="Débat général", before=meeting.technologies_summary),
    ]
    assert [s.id for s in meeting.chapter(meeting.summary).sections] == [
        OTHER, meeting.technologies_summary, meeting.procurement_summary, NEW
    ]


def test_a_section_is_retitled_and_the_same_title_records_nothing(meeting: Meeting) -> None:
    command = cmd.RetitleSection(section_id=meeting.general, title="Recommandations d’ordre général")

    assert meeting.decided(command) == [ev.SectionRetitled(section_id=meeting.general, title="Recommandations d’ordre général")]
    assert meeting.chapter(meeting.recommendations).sections[0].title == "Recommandations d’ordre général"
    assert meeting.decided(command) == []


def test_a_section_moved_within_its_chapter_renumbers_its_paragraphs(meeting: Meeting) -> None:
    command = cmd.MoveSection(section_id=meeting.procurement_summary, chapter_id=meeting.summary, before=meeting.technologies_summary)

    assert meeting.decided(command) == [
        ev.SectionMoved(section_id=meeting.procurement_summary, chapter_id=meeting.summary, before=meeting.technologies_summary)
    ]
    assert [s.id for s in meeting.chapter(meeting.summary).sections] == [meeting.procurement_summary, meeting.technologies_summary]
    assert (meeting.numbers()[meeting.sessions], meeting.numbers()[meeting.first_meetings]) == (5, 6)


def test_a_section_moved_to_another_chapter_keeps_its_id_and_its_paragraphs(meeting: Meeting) -> None:
    section = meeting.chapter(meeting.summary).sections[1]

    events = meeting.decided(cmd.MoveSection(section_id=section.id, chapter_id=meeting.recommendations))

    assert events == [ev.SectionMoved(section_id=section.id, chapter_id=meeting.recommendations)]
    assert meeting.chapter(meeting.recommendations).sections[-1] == section
    assert [s.id for s in meeting.chapter(meeting.summary).sections] == [meeting.technologies_summary]
    assert reading_order(meeting)[:6] == [
        meeting.decision, meeting.vienna, meeting.measures, meeting.cooperation, meeting.sessions, meeting.first_meetings
    ]


def test_a_removed_section_takes_its_paragraphs_with_it(meeting: Meeting) -> None:
    events = meeting.decided(cmd.RemoveSection(section_id=meeting.procurement_summary))

    assert events == [ev.SectionRemoved(section_id=meeting.procurement_summary)]
    assert [s.id for s in meeting.chapter(meeting.summary).sections] == [meeting.technologies_summary]
    assert meeting.sessions not in reading_order(meeting)


# Paragraphs

def test_a_chapter_s_own_paragraph_comes_before_its_sections(meeting: Meeting) -> None:
    command = cmd.AddParagraph(paragraph_id=NEW, chapter_id=meeting.summary, text="À l’issue de la réunion, le Secrétariat a établi…")

    assert meeting.decided(command) == [
        ev.ParagraphAdded(paragraph_id=NEW, chapter_id=meeting.summary, text="À l’issue de la réunion, le Secrétariat a établi…")
    ]
    text = "À l’issue de la réunion, le Secrétariat a établi…"
    assert meeting.chapter(meeting.summary).paragraphs == (Paragraph(id=NEW, text=text, authors=by_alice(text)),)
    assert meeting.numbers()[NEW] == 5
    assert meeting.numbers()[meeting.first_meetings] == 6


def test_a_paragraph_is_added_before_a_paragraph_of_its_section(meeting: Meeting) -> None:
    command = cmd.AddParagraph(
        chapter_id=meeting.organisation_chapter, section_id=meeting.statements, text="Des déclarations ont été faites…", before=meeting.iran
    )

    (event,) = meeting.decided(command)

    assert event.before == meeting.iran and event.section_id == meeting.statements
    assert reading_order(meeting).index(event.paragraph_id) == reading_order(meeting).index(meeting.iran) - 1


def test_a_listing_paragraph_records_what_it_lists_and_holds_the_list_mark(meeting: Meeting) -> None:
    listing = Listing(kind="statements", agenda_item_id=meeting.technologies, category="observer_state")
    text = "Les observateurs des États suivants ont également fait une déclaration :"

    events = meeting.decided(
        cmd.AddParagraph(paragraph_id=NEW, chapter_id=meeting.organisation_chapter, section_id=meeting.statements, text=text, listing=listing)
    )

    assert events == [
        ev.ParagraphAdded(
            paragraph_id=NEW, chapter_id=meeting.organisation_chapter, section_id=meeting.statements, text=text, listing=listing
        )
    ]
    # The mark appended to a text that had none is the author's too.
    assert meeting.paragraph(NEW) == Paragraph(id=NEW, text=text + LIST_MARK, listing=listing, authors=by_alice(text + LIST_MARK))


def test_a_listing_paragraph_keeps_its_mark_where_the_drafter_put_it(meeting: Meeting) -> None:
    assert meeting.paragraph(meeting.spoke).text.count(LIST_MARK) == 1
    assert meeting.paragraph(meeting.spoke).text.endswith(f" : {LIST_MARK}.")


def test_replacing_a_paragraph_s_text_records_the_whole_new_text(meeting: Meeting) -> None:
    text = "Dans sa décision 4/4, la Conférence des Parties à la Convention…"

    assert meeting.decided(cmd.ReplaceParagraphText(paragraph_id=meeting.decision, text=text)) == [
        ev.ParagraphTextReplaced(paragraph_id=meeting.decision, text=text)
    ]
    assert meeting.paragraph(meeting.decision).text == text
    assert meeting.decided(cmd.ReplaceParagraphText(paragraph_id=meeting.decision, text=text)) == []


def test_the_words_around_the_list_mark_can_be_edited(meeting: Meeting) -> None:
    text = f"Des déclarations ont été faites par les représentants des Parties suivantes : {LIST_MARK}."

    meeting.submit(cmd.ReplaceParagraphText(paragraph_id=meeting.spoke, text=text))

    assert meeting.paragraph(meeting.spoke).text == text
    assert meeting.paragraph(meeting.spoke).listing.kind == "statements"


def test_a_paragraph_moved_to_another_chapter_s_section_keeps_its_id_text_and_sub_items(meeting: Meeting) -> None:
    measures = meeting.paragraph(meeting.measures)
    command = cmd.MoveParagraph(
        paragraph_id=meeting.measures, chapter_id=meeting.summary, section_id=meeting.procurement_summary, before=meeting.sessions
    )

    assert meeting.decided(command) == [
        ev.ParagraphMoved(
            paragraph_id=meeting.measures, chapter_id=meeting.summary, section_id=meeting.procurement_summary, before=meeting.sessions
        )
    ]
    assert meeting.chapter(meeting.summary).sections[1].paragraphs == (measures, meeting.paragraph(meeting.sessions))
    assert meeting.chapter(meeting.recommendations).sections[0].paragraphs == (meeting.paragraph(meeting.cooperation),)
    assert reading_order(meeting)[:6] == [
        meeting.decision, meeting.vienna, meeting.cooperation, meeting.first_meetings, meeting.measures, meeting.sessions
    ]


def test_a_paragraph_moved_out_of_a_section_joins_the_chapter_s_own_paragraphs(meeting: Meeting) -> None:
    meeting.submit(cmd.MoveParagraph(paragraph_id=meeting.iran, chapter_id=meeting.organisation_chapter))

    assert [p.id for p in meeting.chapter(meeting.organisation_chapter).paragraphs] == [meeting.iran]
    assert meeting.numbers()[meeting.iran] == 7
    assert meeting.numbers()[meeting.opened] == 8


def test_a_paragraph_moved_within_its_section(meeting: Meeting) -> None:
    meeting.submit(
        cmd.MoveParagraph(paragraph_id=meeting.iran, chapter_id=meeting.organisation_chapter, section_id=meeting.statements, before=meeting.moderated)
    )

    assert [p.id for p in meeting.chapter(meeting.organisation_chapter).sections[1].paragraphs] == [
        meeting.iran, meeting.moderated, meeting.spoke
    ]


def test_a_removed_paragraph_renumbers_those_after_it(meeting: Meeting) -> None:
    assert meeting.decided(cmd.RemoveParagraph(paragraph_id=meeting.vienna)) == [ev.ParagraphRemoved(paragraph_id=meeting.vienna)]

    assert meeting.vienna not in reading_order(meeting)
    assert meeting.numbers()[meeting.measures] == 2


# Sub-items a), b)…

def test_a_sub_item_is_added_last_or_before_another(meeting: Meeting) -> None:
    events = [
        *meeting.decided(cmd.AddSubItem(paragraph_id=meeting.measures, sub_item_id=NEW, text="de sensibiliser le public.")),
        *meeting.decided(cmd.AddSubItem(paragraph_id=meeting.measures, sub_item_id=OTHER, text="d’enquêter ;", before=meeting.technology)),
    ]

    assert events == [
        ev.SubItemAdded(paragraph_id=meeting.measures, sub_item_id=NEW, text="de sensibiliser le public."),
        ev.SubItemAdded(paragraph_id=meeting.measures, sub_item_id=OTHER, text="d’enquêter ;", before=meeting.technology),
    ]
    assert [i.id for i in meeting.paragraph(meeting.measures).items] == [OTHER, meeting.technology, meeting.procurement_item, NEW]


def test_a_sub_item_s_text_is_replaced_and_the_same_text_records_nothing(meeting: Meeting) -> None:
    command = cmd.ReplaceSubItemText(paragraph_id=meeting.measures, sub_item_id=meeting.technology, text="de coopérer ;")

    assert meeting.decided(command) == [
        ev.SubItemTextReplaced(paragraph_id=meeting.measures, sub_item_id=meeting.technology, text="de coopérer ;")
    ]
    assert meeting.paragraph(meeting.measures).items[0] == SubItem(id=meeting.technology, text="de coopérer ;")
    assert meeting.decided(command) == []


def test_a_moved_sub_item_keeps_its_id_and_takes_its_new_letter(meeting: Meeting) -> None:
    first = meeting.decided(cmd.MoveSubItem(paragraph_id=meeting.measures, sub_item_id=meeting.procurement_item, before=meeting.technology))
    order_after_first = [i.id for i in meeting.paragraph(meeting.measures).items]
    meeting.submit(cmd.MoveSubItem(paragraph_id=meeting.measures, sub_item_id=meeting.procurement_item))

    assert first == [ev.SubItemMoved(paragraph_id=meeting.measures, sub_item_id=meeting.procurement_item, before=meeting.technology)]
    assert order_after_first == [meeting.procurement_item, meeting.technology]
    assert [i.id for i in meeting.paragraph(meeting.measures).items] == [meeting.technology, meeting.procurement_item]


def test_a_removed_sub_item_leaves_the_others(meeting: Meeting) -> None:
    events = meeting.decided(cmd.RemoveSubItem(paragraph_id=meeting.measures, sub_item_id=meeting.technology))

    assert events == [ev.SubItemRemoved(paragraph_id=meeting.measures, sub_item_id=meeting.technology)]
    assert [i.id for i in meeting.paragraph(meeting.measures).items] == [meeting.procurement_item]


# Recommendations

def test_a_recommendation_is_a_numbered_paragraph_marked_as_such(meeting: Meeting) -> None:
    text = "Les États parties devraient envisager de former les agents des services de détection et de répression."
    command = cmd.AddRecommendation(
        recommendation_id=NEW, chapter_id=meeting.recommendations, section_id=meeting.general, text=text, before=meeting.cooperation
    )

    assert meeting.decided(command) == [
        ev.RecommendationAdded(paragraph_id=NEW, chapter_id=meeting.recommendations, section_id=meeting.general, text=text, before=meeting.cooperation)
    ]
    assert meeting.paragraph(NEW) == Paragraph(id=NEW, text=text, recommendation=True, authors=by_alice(text))
    assert meeting.numbers()[NEW] == 4
    assert meeting.numbers()[meeting.cooperation] == 5


def test_a_recommendation_is_edited_like_any_paragraph(meeting: Meeting) -> None:
    before = meeting.paragraph(meeting.cooperation).text  # « Les États parties devraient renforcer la coopération internationale. »
    text = "Les États devraient coopérer."

    meeting.submit(cmd.ReplaceParagraphText(paragraph_id=meeting.cooperation, text=text))

    # The replacement is recorded as its smallest op: « Les États » and the final « . » are kept.
    smallest = [len("Les États "), Delete(len(before) - len("Les États ") - 1), "devraient coopérer"]
    assert meeting.paragraph(meeting.cooperation) == Paragraph(
        id=meeting.cooperation, text=text, recommendation=True, revision=1, authors=by_alice(text), recent_ops=(smallest,)
    )


# Refusals

def _mark(m: Meeting, paragraph_id: str) -> int:
    """Where the list mark stands in a paragraph's text."""
    return m.paragraph(paragraph_id).text.index(LIST_MARK)


def _statements_listing(m: Meeting, text: str = "", **changes: object) -> cmd.AddParagraph:
    fields = {"kind": "statements", "agenda_item_id": m.technologies, "category": "party"} | changes
    return cmd.AddParagraph(chapter_id=m.organisation_chapter, section_id=m.statements, text=text, listing=Listing(**fields))


REFUSALS = [
    Refusal("a chapter put before an unknown chapter", "unknown_chapter", lambda m: cmd.AddChapter(title="Annexe", before=UNUSED)),
    Refusal("a chapter put before a section", "unknown_chapter", lambda m: cmd.AddChapter(title="Annexe", before=m.general)),
    Refusal("an unknown chapter retitled", "unknown_chapter", lambda m: cmd.RetitleChapter(chapter_id=UNUSED, title="Annexe")),
    Refusal("an unknown chapter moved", "unknown_chapter", lambda m: cmd.MoveChapter(chapter_id=UNUSED)),
    Refusal("a chapter moved before itself", "unknown_chapter", lambda m: cmd.MoveChapter(chapter_id=m.summary, before=m.summary)),
    Refusal("an unknown chapter removed", "unknown_chapter", lambda m: cmd.RemoveChapter(chapter_id=UNUSED)),
    Refusal("a removed chapter removed again", "unknown_chapter", lambda m: cmd.RemoveChapter(chapter_id=m.summary),
            lambda m: [cmd.RemoveChapter(chapter_id=m.summary)]),
    Refusal("a section added to an unknown chapter", "unknown_chapter", lambda m: cmd.AddSection(chapter_id=UNUSED, title="Annexe")),
    Refusal("a section added to a section", "unknown_chapter", lambda m: cmd.AddSection(chapter_id=m.general, title="Annexe")),
    Refusal("a section moved to an unknown chapter", "unknown_chapter",
            lambda m: cmd.MoveSection(section_id=m.general, chapter_id=UNUSED)),
    Refusal("a paragraph added to an unknown chapter", "unknown_chapter", lambda m: cmd.AddParagraph(chapter_id=UNUSED, text="…")),
    Refusal("a paragraph moved to an unknown chapter", "unknown_chapter",
            lambda m: cmd.MoveParagraph(paragraph_id=m.vienna, chapter_id=UNUSED)),
    Refusal("a recommendation added to an unknown chapter", "unknown_chapter",
            lambda m: cmd.AddRecommendation(chapter_id=UNUSED, text="Les États devraient…")),

    Refusal("a section put before an unknown section", "unknown_section",
            lambda m: cmd.AddSection(chapter_id=m.summary, title="Annexe", before=UNUSED)),
    Refusal("a section put before a section of another chapter", "unknown_section",
            lambda m: cmd.AddSection(chapter_id=m.summary, title="Annexe", before=m.general)),
    Refusal("an unknown section retitled", "unknown_section", lambda m: cmd.RetitleSection(section_id=UNUSED, title="Annexe")),
    Refusal("an unknown section moved", "unknown_section", lambda m: cmd.MoveSection(section_id=UNUSED, chapter_id=m.summary)),
    Refusal("a section moved before a section of another chapter", "unknown_section",
            lambda m: cmd.MoveSection(section_id=m.general, chapter_id=m.summary, before=m.statements)),
    Refusal("a section moved before itself", "unknown_section",
            lambda m: cmd.MoveSection(section_id=m.general, chapter_id=m.recommendations, before=m.general)),
    Refusal("an unknown section removed", "unknown_section", lambda m: cmd.RemoveSection(section_id=UNUSED)),
    Refusal("a paragraph added to an unknown section", "unknown_section",
            lambda m: cmd.AddParagraph(chapter_id=m.summary, section_id=UNUSED, text="…")),
    Refusal("a paragraph added to a section of another chapter", "unknown_section",
            lambda m: cmd.AddParagraph(chapter_id=m.introduction, section_id=m.general, text="…")),
    Refusal("a paragraph moved to a section of another chapter", "unknown_section",
            lambda m: cmd.MoveParagraph(paragraph_id=m.vienna, chapter_id=m.introduction, section_id=m.general)),
    Refusal("a recommendation added to a section of another chapter", "unknown_section",
            lambda m: cmd.AddRecommendation(chapter_id=m.summary, section_id=m.general, text="Les États devraient…")),

    Refusal("an unknown paragraph's text replaced", "unknown_paragraph",
            lambda m: cmd.ReplaceParagraphText(paragraph_id=UNUSED, text="…")),
    Refusal("a chapter's text replaced as a paragraph's", "unknown_paragraph",
            lambda m: cmd.ReplaceParagraphText(paragraph_id=m.introduction, text="…")),
    Refusal("a paragraph put before a paragraph of a section, not of the chapter", "unknown_paragraph",
            lambda m: cmd.AddParagraph(chapter_id=m.recommendations, text="…", before=m.measures)),
    Refusal("a paragraph put before a paragraph of another chapter", "unknown_paragraph",
            lambda m: cmd.AddParagraph(chapter_id=m.recommendations, section_id=m.general, text="…", before=m.decision)),
    Refusal("an unknown paragraph moved", "unknown_paragraph",
            lambda m: cmd.MoveParagraph(paragraph_id=UNUSED, chapter_id=m.introduction)),
    Refusal("a paragraph moved before itself", "unknown_paragraph",
            lambda m: cmd.MoveParagraph(paragraph_id=m.decision, chapter_id=m.introduction, before=m.decision)),
    Refusal("an unknown paragraph removed", "unknown_paragraph", lambda m: cmd.RemoveParagraph(paragraph_id=UNUSED)),
    Refusal("an unknown paragraph typed in", "unknown_paragraph",
            lambda m: cmd.EditParagraphText(paragraph_id=UNUSED, base_revision=0, ops=["…"])),
    Refusal("a sub-item added to an unknown paragraph", "unknown_paragraph",
            lambda m: cmd.AddSubItem(paragraph_id=UNUSED, text="de coopérer ;")),
    Refusal("a sub-item of an unknown paragraph moved", "unknown_paragraph",
            lambda m: cmd.MoveSubItem(paragraph_id=UNUSED, sub_item_id=m.technology)),
    Refusal("a sub-item of an unknown paragraph replaced", "unknown_paragraph",
            lambda m: cmd.ReplaceSubItemText(paragraph_id=UNUSED, sub_item_id=m.technology, text="de coopérer ;")),
    Refusal("a sub-item of a removed paragraph removed", "unknown_paragraph",
            lambda m: cmd.RemoveSubItem(paragraph_id=m.measures, sub_item_id=m.technology),
            lambda m: [cmd.RemoveParagraph(paragraph_id=m.measures)]),
    Refusal("a recommendation put before an unknown paragraph", "unknown_paragraph",
            lambda m: cmd.AddRecommendation(chapter_id=m.recommendations, section_id=m.general, text="Les États…", before=UNUSED)),

    Refusal("a sub-item put before an unknown sub-item", "unknown_sub_item",
            lambda m: cmd.AddSubItem(paragraph_id=m.measures, text="de coopérer ;", before=UNUSED)),
    Refusal("an unknown sub-item's text replaced", "unknown_sub_item",
            lambda m: cmd.ReplaceSubItemText(paragraph_id=m.measures, sub_item_id=UNUSED, text="de coopérer ;")),
    Refusal("a sub-item looked for in another paragraph", "unknown_sub_item",
            lambda m: cmd.ReplaceSubItemText(paragraph_id=m.vienna, sub_item_id=m.technology, text="de coopérer ;")),
    Refusal("an unknown sub-item moved", "unknown_sub_item", lambda m: cmd.MoveSubItem(paragraph_id=m.measures, sub_item_id=UNUSED)),
    Refusal("a sub-item moved before itself", "unknown_sub_item",
            lambda m: cmd.MoveSubItem(paragraph_id=m.measures, sub_item_id=m.technology, before=m.technology)),
    Refusal("an unknown sub-item removed", "unknown_sub_item",
            lambda m: cmd.RemoveSubItem(paragraph_id=m.measures, sub_item_id=UNUSED)),

    Refusal("a chapter given the report's id", "duplicate_id", lambda m: cmd.AddChapter(chapter_id=m.report_id, title="Annexe")),
    Refusal("a section given a paragraph's id", "duplicate_id",
            lambda m: cmd.AddSection(section_id=m.decision, chapter_id=m.summary, title="Annexe")),
    Refusal("a paragraph given a chapter's id", "duplicate_id",
            lambda m: cmd.AddParagraph(paragraph_id=m.introduction, chapter_id=m.introduction, text="…")),
    Refusal("a sub-item given a statement's id", "duplicate_id",
            lambda m: cmd.AddSubItem(paragraph_id=m.measures, sub_item_id=m.armenia, text="de coopérer ;")),
    Refusal("a recommendation given a sub-item's id", "duplicate_id",
            lambda m: cmd.AddRecommendation(recommendation_id=m.technology, chapter_id=m.recommendations, text="Les États…")),

    Refusal("a recommendation without words", "empty_text",
            lambda m: cmd.AddRecommendation(chapter_id=m.recommendations, text=" \n ")),

    Refusal("a plain paragraph holding the list mark", "invalid_text",
            lambda m: cmd.AddParagraph(chapter_id=m.introduction, text=f"Les États suivants : {LIST_MARK}.")),
    Refusal("a listing paragraph holding the list mark twice", "invalid_text",
            lambda m: _statements_listing(m, text=f"{LIST_MARK} et {LIST_MARK}")),
    Refusal("the list mark removed from a listing paragraph", "invalid_text",
            lambda m: cmd.ReplaceParagraphText(paragraph_id=m.spoke, text="Des déclarations ont été faites.")),
    Refusal("the list mark added to a plain paragraph", "invalid_text",
            lambda m: cmd.ReplaceParagraphText(paragraph_id=m.decision, text=f"Dans sa décision 4/4 {LIST_MARK}")),
    Refusal("a recommendation holding the list mark", "invalid_text",
            lambda m: cmd.AddRecommendation(chapter_id=m.recommendations, text=f"Les États suivants : {LIST_MARK}.")),
    Refusal("a sub-item holding the list mark", "invalid_text",
            lambda m: cmd.AddSubItem(paragraph_id=m.measures, text=f"les États suivants : {LIST_MARK}.")),
    Refusal("a sub-item's text given the list mark", "invalid_text",
            lambda m: cmd.ReplaceSubItemText(paragraph_id=m.measures, sub_item_id=m.technology, text=LIST_MARK)),
    Refusal("the list mark typed away from a listing paragraph", "invalid_text",
            lambda m: cmd.EditParagraphText(paragraph_id=m.spoke, base_revision=0, ops=[_mark(m, m.spoke), Delete(1)])),
    Refusal("the list mark typed into a plain paragraph", "invalid_text",
            lambda m: cmd.EditParagraphText(paragraph_id=m.decision, base_revision=0, ops=[LIST_MARK])),
    Refusal("a paragraph typed past the longest text", "invalid_text",
            lambda m: cmd.EditParagraphText(
                paragraph_id=m.decision, base_revision=0, ops=["x" * (MAX_TEXT_LENGTH - len(DECISION_4_4) + 1)]
            )),

    Refusal("typing on a revision the paragraph has not reached", "unknown_revision",
            lambda m: cmd.EditParagraphText(paragraph_id=m.decision, base_revision=1, ops=["…"])),
    Refusal("typing on a revision older than the ops the paragraph keeps", "revision_too_old",
            lambda m: cmd.EditParagraphText(paragraph_id=m.decision, base_revision=0, ops=["…"]),
            lambda m: [cmd.EditParagraphText(paragraph_id=m.decision, base_revision=n, ops=["x"]) for n in range(RECENT_OPS + 1)]),
    Refusal("a wide edit made too many revisions ago to merge within the budget", "revision_too_old",
            lambda m: cmd.EditParagraphText(paragraph_id=m.decision, base_revision=1, ops=[1, Delete(1)] * (MAX_OP_COMPONENTS // 2)),
            lambda m: [
                cmd.ReplaceParagraphText(paragraph_id=m.decision, text=DECISION_4_4 * 20),
                *(
                    cmd.EditParagraphText(paragraph_id=m.decision, base_revision=n, ops=["x"])
                    for n in range(1, TRANSFORM_BUDGET // MAX_OP_COMPONENTS + 2)
                ),
            ]),
    Refusal("an edit of more components than anyone types", "op_too_large",
            lambda m: cmd.EditParagraphText(paragraph_id=m.decision, base_revision=0, ops=[1, Delete(1)] * (MAX_OP_COMPONENTS // 2 + 1))),
    Refusal("an edit carrying more text than a paragraph replaced whole", "op_too_large",
            lambda m: cmd.EditParagraphText(paragraph_id=m.decision, base_revision=0, ops=["x" * (MAX_OP_CHARACTERS + 1)])),
    Refusal("a vertical tab typed into a paragraph", "invalid_text",
            lambda m: cmd.EditParagraphText(paragraph_id=m.decision, base_revision=0, ops=[3, "\x0b"])),
    Refusal("typing past the end of the paragraph", "invalid_ops",
            lambda m: cmd.EditParagraphText(paragraph_id=m.decision, base_revision=0, ops=[len(DECISION_4_4) + 1, "!"])),
    Refusal("typing that ends with a retain", "invalid_ops",
            lambda m: cmd.EditParagraphText(paragraph_id=m.decision, base_revision=0, ops=["Ainsi, ", 3])),
    Refusal("a stale edit past the end of the text it was made on", "invalid_ops",
            lambda m: cmd.EditParagraphText(paragraph_id=m.decision, base_revision=0, ops=[len(DECISION_4_4) + 1, "!"]),
            lambda m: [cmd.EditParagraphText(paragraph_id=m.decision, base_revision=0, ops=[len(DECISION_4_4), " a reconnu"])]),

    Refusal("a statements listing without its agenda item", "invalid_listing", lambda m: _statements_listing(m, agenda_item_id=None)),
    Refusal("a statements listing without its category", "invalid_listing", lambda m: _statements_listing(m, category=None)),
    Refusal("a panellists listing without its agenda item", "invalid_listing",
            lambda m: cmd.AddParagraph(chapter_id=m.organisation_chapter, listing=Listing(kind="panellists"))),
    Refusal("a participants listing without its category", "invalid_listing",
            lambda m: cmd.AddParagraph(chapter_id=m.organisation_chapter, listing=Listing(kind="participants"))),
    Refusal("a participants listing of a speakers-only category", "invalid_listing",
            lambda m: cmd.AddParagraph(chapter_id=m.organisation_chapter, listing=Listing(kind="participants", category="panellist"))),
    Refusal("a statements listing of an unknown agenda item", "unknown_agenda_item",
            lambda m: _statements_listing(m, agenda_item_id=UNUSED)),
    Refusal("a panellists listing of an unknown agenda item", "unknown_agenda_item",
            lambda m: cmd.AddParagraph(chapter_id=m.organisation_chapter, listing=Listing(kind="panellists", agenda_item_id=UNUSED))),
]


@pytest.mark.parametrize("case", REFUSALS, ids=lambda case: f"{case.code}: {case.story}")
def test_refused(case: Refusal) -> None:
    assert refused_on_meeting(case) == case.code
