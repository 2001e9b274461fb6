"""Adoption: the meeting adopts the report chapter by chapter, then as a whole.

An adopted chapter is frozen: nothing inside it changes, and neither does any fact one of its
listing paragraphs shows (the statements under that agenda item and of that category, the
participants of that category, the panellists, the documents, the agenda). Reopening it, with a
reason, unfreezes it. An adopted report refuses everything.
"""

from collections.abc import Callable
from typing import NamedTuple

import msgspec
import pytest

from events import catalogue as ev
from events import commands as cmd
from events.commands import AdoptChapter, Command, CreateReport
from tests.events.builders import UNUSED, placeholder_id, refusal
from tests.events.meeting import Meeting, Refusal, one_of_each, refused_on_meeting


@pytest.fixture
def meeting() -> Meeting:
    return Meeting()


def test_an_adopted_chapter_is_marked_adopted(meeting: Meeting) -> None:
    assert meeting.decided(AdoptChapter(chapter_id=meeting.introduction)) == [ev.ChapterAdopted(chapter_id=meeting.introduction)]

    assert meeting.chapter(meeting.introduction).adopted
    assert not meeting.chapter(meeting.recommendations).adopted


def test_a_reopened_chapter_records_why(meeting: Meeting) -> None:
    meeting.submit(AdoptChapter(chapter_id=meeting.introduction))

    events = meeting.decided(cmd.ReopenChapter(chapter_id=meeting.introduction, reason="  une erreur\nde date "))

    assert events == [ev.ChapterReopened(chapter_id=meeting.introduction, reason="une erreur de date")]
    assert not meeting.chapter(meeting.introduction).adopted


def test_reopening_needs_a_reason() -> None:
    raw = b'{"type": "ReopenChapter", "chapter_id": "%s"}' % UNUSED.encode()

    with pytest.raises(msgspec.ValidationError, match="missing required field `reason`"):
        msgspec.json.decode(raw, type=Command)


def test_chapters_around_an_adopted_chapter_can_still_be_added(meeting: Meeting) -> None:
    meeting.submit(AdoptChapter(chapter_id=meeting.adoption_chapter))

    (event,) = meeting.decided(cmd.AddChapter(title="Questions diverses", before=meeting.adoption_chapter))

    assert [c.id for c in meeting.report.chapters][-2:] == [event.chapter_id, meeting.adoption_chapter]


def test_an_adopted_report_says_whether_ad_referendum(meeting: Meeting) -> None:
    assert meeting.decided(cmd.AdoptReport(ad_referendum=True)) == [ev.ReportAdopted(ad_referendum=True)]

    assert meeting.report.adopted and meeting.report.ad_referendum


@pytest.mark.parametrize("command", one_of_each(Meeting())[1:], ids=lambda command: type(command).__name__)
def test_an_adopted_report_refuses_every_command(command: Command) -> None:
    meeting = Meeting()
    meeting.submit(cmd.AdoptReport())

    assert refusal(meeting, command) == "report_adopted"
    assert refusal(meeting, CreateReport(title="Projet de rapport")) == "report_exists"


# What adoption freezes

def adopted(chapter: str) -> Callable[[Meeting], list[Command]]:
    return lambda m: [AdoptChapter(chapter_id=getattr(m, chapter))]


class Frozen(NamedTuple):
    """A command refused while `chapter` (a Meeting attribute) is adopted."""

    story: str
    chapter: str
    command: Callable[[Meeting], Command]

    def refusal(self) -> Refusal:
        return Refusal(self.story, "chapter_adopted", self.command, adopted(self.chapter))


INSIDE = [
    Frozen("retitled", "recommendations", lambda m: cmd.RetitleChapter(chapter_id=m.recommendations, title="Recommandations adoptées")),
    Frozen("removed", "recommendations", lambda m: cmd.RemoveChapter(chapter_id=m.recommendations)),
    Frozen("section added", "recommendations", lambda m: cmd.AddSection(chapter_id=m.recommendations, title="Recommandations sur la passation")),
    Frozen("section retitled", "recommendations", lambda m: cmd.RetitleSection(section_id=m.general, title="Recommandations d’ordre général")),
    Frozen("section moved within", "recommendations", lambda m: cmd.MoveSection(section_id=m.general, chapter_id=m.recommendations)),
    Frozen("section moved out", "recommendations", lambda m: cmd.MoveSection(section_id=m.general, chapter_id=m.summary)),
    Frozen("section moved in", "recommendations", lambda m: cmd.MoveSection(section_id=m.procurement_summary, chapter_id=m.recommendations)),
    Frozen("section removed", "recommendations", lambda m: cmd.RemoveSection(section_id=m.general)),
    Frozen("paragraph added", "recommendations", lambda m: cmd.AddParagraph(chapter_id=m.recommendations, text="…")),
    Frozen("paragraph added to a section", "recommendations",
           lambda m: cmd.AddParagraph(chapter_id=m.recommendations, section_id=m.general, text="…")),
    Frozen("text replaced", "recommendations", lambda m: cmd.ReplaceParagraphText(paragraph_id=m.vienna, text="À la réunion…")),
    Frozen("typed in", "recommendations",
           lambda m: cmd.EditParagraphText(paragraph_id=m.cooperation, base_revision=0, ops=[len("Les États parties"), " au Protocole"])),
    Frozen("paragraph moved within", "recommendations",
           lambda m: cmd.MoveParagraph(paragraph_id=m.vienna, chapter_id=m.recommendations, section_id=m.general)),
    Frozen("paragraph moved out", "recommendations", lambda m: cmd.MoveParagraph(paragraph_id=m.measures, chapter_id=m.introduction)),
    Frozen("paragraph moved in", "recommendations", lambda m: cmd.MoveParagraph(paragraph_id=m.decision, chapter_id=m.recommendations)),
    Frozen("paragraph removed", "recommendations", lambda m: cmd.RemoveParagraph(paragraph_id=m.cooperation)),
    Frozen("sub-item added", "recommendations", lambda m: cmd.AddSubItem(paragraph_id=m.measures, text="d’enquêter.")),
    Frozen("sub-item replaced", "recommendations",
           lambda m: cmd.ReplaceSubItemText(paragraph_id=m.measures, sub_item_id=m.technology, text="de coopérer ;")),
    Frozen("sub-item moved", "recommendations", lambda m: cmd.MoveSubItem(paragraph_id=m.measures, sub_item_id=m.technology)),
    Frozen("sub-item removed", "recommendations",
           lambda m: cmd.RemoveSubItem(paragraph_id=m.measures, sub_item_id=m.technology)),
    Frozen("recommendation added", "recommendations",
           lambda m: cmd.AddRecommendation(chapter_id=m.recommendations, section_id=m.general, text="Les États devraient…")),
    Frozen("placeholder filled", "summary",
           lambda m: cmd.FillPlaceholder(placeholder_id=placeholder_id(m.sessions, "[s]"), value="s")),
    Frozen("adopted again", "introduction", lambda m: AdoptChapter(chapter_id=m.introduction)),
]

LISTED = [
    Frozen("statement recorded for a listing", "organisation_chapter",
           lambda m: cmd.RecordStatement(agenda_item_id=m.technologies, category="party", delegation="Bahamas")),
    Frozen("statement withdrawn from a listing", "organisation_chapter", lambda m: cmd.WithdrawStatement(statement_id=m.armenia)),
    Frozen("panellist added to a listing", "organisation_chapter",
           lambda m: cmd.AddPanellist(agenda_item_id=m.technologies, name="Alexandra Gelber", delegation="États-Unis")),
    Frozen("panellist removed from a listing", "organisation_chapter", lambda m: cmd.RemovePanellist(panellist_id=m.gayer)),
    Frozen("party added to a listing", "organisation_chapter", lambda m: cmd.AddParticipant(category="party", name="Algérie")),
    Frozen("party removed from a listing", "organisation_chapter", lambda m: cmd.RemoveParticipant(participant_id=m.afghanistan)),
    Frozen("observer State added to a listing", "organisation_chapter",
           lambda m: cmd.AddParticipant(category="observer_state", name="Yémen")),
    Frozen("document added to a listing", "organisation_chapter",
           lambda m: cmd.AddDocument(symbol="CTOC/COP/WG.4/2021/5", title="Recueil thématique")),
    Frozen("document removed from a listing", "organisation_chapter", lambda m: cmd.RemoveDocument(document_id=m.background_paper)),
    Frozen("agenda item added to a listing", "organisation_chapter", lambda m: cmd.AddAgendaItem(title="Adoption du rapport")),
    Frozen("agenda sub-item added to a listing", "organisation_chapter",
           lambda m: cmd.AddAgendaItem(title="Élection du Bureau", parent_id=m.organisation)),
    Frozen("agenda item retitled in a listing", "organisation_chapter",
           lambda m: cmd.RetitleAgendaItem(agenda_item_id=m.other_matters, title="Questions diverses et clôture")),
    Frozen("agenda item removed from a listing", "organisation_chapter",
           lambda m: cmd.RemoveAgendaItem(agenda_item_id=m.other_matters)),
]

REFUSALS = [
    *(case.refusal() for case in (*INSIDE, *LISTED)),
    Refusal("an open chapter reopened", "chapter_not_adopted",
            lambda m: cmd.ReopenChapter(chapter_id=m.introduction, reason="une erreur de date")),
    Refusal("a chapter reopened twice", "chapter_not_adopted",
            lambda m: cmd.ReopenChapter(chapter_id=m.introduction, reason="une erreur de date"),
            lambda m: [AdoptChapter(chapter_id=m.introduction), cmd.ReopenChapter(chapter_id=m.introduction, reason="une date")]),
    Refusal("a chapter reopened without a reason", "empty_name",
            lambda m: cmd.ReopenChapter(chapter_id=m.introduction, reason=" \n "), adopted("introduction")),
    Refusal("an unknown chapter adopted", "unknown_chapter", lambda m: AdoptChapter(chapter_id=UNUSED)),
    Refusal("an unknown chapter reopened", "unknown_chapter",
            lambda m: cmd.ReopenChapter(chapter_id=UNUSED, reason="une erreur de date")),
    Refusal("an adopted report adopted again", "report_adopted", lambda m: cmd.AdoptReport(), lambda m: [cmd.AdoptReport()]),
]


@pytest.mark.parametrize("case", REFUSALS, ids=lambda case: f"{case.code}: {case.story}")
def test_refused(case: Refusal) -> None:
    assert refused_on_meeting(case) == case.code


@pytest.mark.parametrize("case", [*INSIDE[:-1], *LISTED], ids=lambda case: case.story)
def test_a_reopened_chapter_accepts_what_its_adoption_refused(case: Frozen) -> None:
    meeting = Meeting()
    chapter_id = getattr(meeting, case.chapter)
    meeting.submit(AdoptChapter(chapter_id=chapter_id))
    meeting.submit(cmd.ReopenChapter(chapter_id=chapter_id, reason="une erreur de date"))

    assert len(meeting.submit(case.command(meeting))) == 1


@pytest.mark.parametrize(
    "command",
    [
        lambda m: cmd.RecordStatement(agenda_item_id=m.procurement, category="party", delegation="Bahamas"),
        lambda m: cmd.RecordStatement(agenda_item_id=m.technologies, category="observer_state", delegation="Yémen"),
        lambda m: cmd.WithdrawStatement(statement_id=m.iran_statement),
        lambda m: cmd.AddPanellist(agenda_item_id=m.procurement, name="Dominique Lambert", delegation="France"),
        lambda m: cmd.RemovePanellist(panellist_id=m.glock),
        lambda m: cmd.AddParticipant(category="ngo", name="Fondation Walk Free"),
    ],
    ids=[
        "a statement under an item no listing shows",
        "a statement of a category no listing shows",
        "a statement withdrawn that no listing shows",
        "a panellist of an item no listing shows",
        "a panellist removed that no listing shows",
        "a participant of a category no listing shows",
    ],
)
def test_facts_no_adopted_listing_shows_can_still_change(command: Callable[[Meeting], Command]) -> None:
    meeting = Meeting()
    meeting.submit(AdoptChapter(chapter_id=meeting.organisation_chapter))

    assert len(meeting.submit(command(meeting))) == 1


def test_facts_listed_in_an_open_chapter_can_change_while_other_chapters_are_adopted(meeting: Meeting) -> None:
    for chapter in (meeting.introduction, meeting.recommendations, meeting.summary, meeting.adoption_chapter):
        meeting.submit(AdoptChapter(chapter_id=chapter))

    meeting.submit(cmd.RecordStatement(agenda_item_id=meeting.technologies, category="party", delegation="Bahamas"))
    meeting.submit(cmd.AddDocument(symbol="CTOC/COP/WG.4/2021/5", title="Recueil thématique"))

    assert [s.delegation for s in meeting.report.statements][-1] == "Bahamas"
