"""The rules of the meeting's facts: agenda, statements, participants, panellists, documents.

These are data, not text: the listing paragraphs are generated from them, so the rules keep
them consistent (names normalised, no duplicates, nothing referring to a removed agenda item).
"""

import pytest

from events import catalogue as ev
from events import commands as cmd
from events.model import AgendaItem, Document, Listing, Panellist, Participant, Statement
from tests.events.builders import UNUSED, uid
from tests.events.meeting import Meeting, Refusal, refused_on_meeting

NEW, OTHER = uid(0xBEEF), uid(0xCAFE)


@pytest.fixture
def meeting() -> Meeting:
    return Meeting()


# The agenda

def test_an_agenda_item_is_added_last_or_before_another(meeting: Meeting) -> None:
    events = [
        *meeting.decided(cmd.AddAgendaItem(agenda_item_id=NEW, title="Adoption du rapport")),
        *meeting.decided(cmd.AddAgendaItem(agenda_item_id=OTHER, title="Débat général", before=meeting.technologies)),
    ]

    assert events == [
        ev.AgendaItemAdded(agenda_item_id=NEW, title="Adoption du rapport"),
        ev.AgendaItemAdded(agenda_item_id=OTHER, title="Débat général", before=meeting.technologies),
    ]
    assert [item.id for item in meeting.report.agenda] == [
        meeting.organisation, OTHER, meeting.technologies, meeting.procurement, meeting.other_matters, NEW
    ]


def test_an_agenda_item_gets_sub_items_a_b(meeting: Meeting) -> None:
    command = cmd.AddAgendaItem(agenda_item_id=NEW, title="Élection du Bureau", parent_id=meeting.organisation, before=meeting.adoption_of_agenda)

    assert meeting.decided(command) == [
        ev.AgendaItemAdded(agenda_item_id=NEW, title="Élection du Bureau", parent_id=meeting.organisation, before=meeting.adoption_of_agenda)
    ]
    assert meeting.report.agenda[0].sub_items[1] == AgendaItem(id=NEW, title="Élection du Bureau")
    assert len(meeting.report.agenda) == 4


@pytest.mark.parametrize("item", ["other_matters", "opening_item"], ids=["an item", "a sub-item"])
def test_an_agenda_item_is_retitled_and_the_same_title_records_nothing(meeting: Meeting, item: str) -> None:
    item_id = getattr(meeting, item)
    command = cmd.RetitleAgendaItem(agenda_item_id=item_id, title="Questions diverses et clôture")

    assert meeting.decided(command) == [ev.AgendaItemRetitled(agenda_item_id=item_id, title="Questions diverses et clôture")]
    titles = [entry.title for top in meeting.report.agenda for entry in (top, *top.sub_items) if entry.id == item_id]
    assert titles == ["Questions diverses et clôture"]
    assert meeting.decided(command) == []


def test_an_agenda_item_nothing_refers_to_is_removed(meeting: Meeting) -> None:
    assert meeting.decided(cmd.RemoveAgendaItem(agenda_item_id=meeting.other_matters)) == [
        ev.AgendaItemRemoved(agenda_item_id=meeting.other_matters)
    ]
    meeting.submit(cmd.RemoveAgendaItem(agenda_item_id=meeting.opening_item))

    assert [item.id for item in meeting.report.agenda] == [meeting.organisation, meeting.technologies, meeting.procurement]
    assert [item.id for item in meeting.report.agenda[0].sub_items] == [meeting.adoption_of_agenda]


def test_an_agenda_item_is_free_again_once_its_statements_and_panellists_are_gone(meeting: Meeting) -> None:
    meeting.submit(cmd.RemovePanellist(panellist_id=meeting.glock))

    assert meeting.decided(cmd.RemoveAgendaItem(agenda_item_id=meeting.procurement)) == [
        ev.AgendaItemRemoved(agenda_item_id=meeting.procurement)
    ]


# Statements

def test_a_statement_is_recorded_under_its_agenda_item_with_its_name_tidied(meeting: Meeting) -> None:
    command = cmd.RecordStatement(
        statement_id=NEW, agenda_item_id=meeting.procurement, category="party", delegation="  Union\u00a0 européenne ", person=" M. X "
    )

    assert meeting.decided(command) == [
        ev.StatementRecorded(statement_id=NEW, agenda_item_id=meeting.procurement, category="party", delegation="Union européenne", person="M. X")
    ]
    assert meeting.report.statements[-1] == Statement(
        id=NEW, agenda_item_id=meeting.procurement, category="party", delegation="Union européenne", person="M. X"
    )


def test_a_statement_may_be_recorded_under_a_sub_item(meeting: Meeting) -> None:
    (event,) = meeting.decided(cmd.RecordStatement(agenda_item_id=meeting.opening_item, category="chair", delegation="Afghanistan"))

    assert event.agenda_item_id == meeting.opening_item


def test_a_withdrawn_statement_leaves_the_others(meeting: Meeting) -> None:
    assert meeting.decided(cmd.WithdrawStatement(statement_id=meeting.armenia)) == [ev.StatementWithdrawn(statement_id=meeting.armenia)]

    assert [s.id for s in meeting.report.statements] == [meeting.australia, meeting.iran_statement]


# Participants

def test_a_participant_is_added_to_its_category(meeting: Meeting) -> None:
    command = cmd.AddParticipant(participant_id=NEW, category="intergovernmental_organization", name=" Conseil de l’Europe")

    assert meeting.decided(command) == [
        ev.ParticipantAdded(participant_id=NEW, category="intergovernmental_organization", name="Conseil de l’Europe")
    ]
    assert meeting.report.participants[-1] == Participant(id=NEW, category="intergovernmental_organization", name="Conseil de l’Europe")


def test_the_same_state_may_be_listed_in_two_categories_as_the_seed_lists_pakistan(meeting: Meeting) -> None:
    meeting.submit(cmd.AddParticipant(category="party", name="Pakistan"))
    meeting.submit(cmd.AddParticipant(category="observer_state", name="Pakistan"))

    assert [(p.category, p.name) for p in meeting.report.participants if p.name == "Pakistan"] == [
        ("party", "Pakistan"), ("observer_state", "Pakistan")
    ]


def test_a_removed_participant_may_be_added_again(meeting: Meeting) -> None:
    assert meeting.decided(cmd.RemoveParticipant(participant_id=meeting.albania)) == [ev.ParticipantRemoved(participant_id=meeting.albania)]
    assert [p.id for p in meeting.report.participants] == [meeting.afghanistan, meeting.bhutan]

    (event,) = meeting.decided(cmd.AddParticipant(category="party", name="Albanie"))

    assert event.name == "Albanie"


# Panellists

def test_a_panellist_is_added_to_the_debate_on_an_agenda_item(meeting: Meeting) -> None:
    command = cmd.AddPanellist(panellist_id=NEW, agenda_item_id=meeting.procurement, name="Dominique  Lambert", delegation=" France ")

    assert meeting.decided(command) == [
        ev.PanellistAdded(panellist_id=NEW, agenda_item_id=meeting.procurement, name="Dominique Lambert", delegation="France")
    ]
    assert meeting.report.panellists[-1] == Panellist(id=NEW, agenda_item_id=meeting.procurement, name="Dominique Lambert", delegation="France")


def test_a_panellist_may_have_no_delegation(meeting: Meeting) -> None:
    (event,) = meeting.decided(cmd.AddPanellist(agenda_item_id=meeting.procurement, name="Cecilia Tello Guerrero"))

    assert event.delegation == ""


def test_a_removed_panellist_leaves_the_others(meeting: Meeting) -> None:
    assert meeting.decided(cmd.RemovePanellist(panellist_id=meeting.gayer)) == [ev.PanellistRemoved(panellist_id=meeting.gayer)]

    assert [p.id for p in meeting.report.panellists] == [meeting.glock]


# Documents

def test_a_document_is_added_by_its_symbol(meeting: Meeting) -> None:
    command = cmd.AddDocument(document_id=NEW, symbol=" CTOC/COP/WG.4/2021/5 ", title="Recueil thématique établi par le Secrétariat")

    assert meeting.decided(command) == [
        ev.DocumentAdded(document_id=NEW, symbol="CTOC/COP/WG.4/2021/5", title="Recueil thématique établi par le Secrétariat")
    ]
    assert meeting.report.documents[-1] == Document(id=NEW, symbol="CTOC/COP/WG.4/2021/5", title="Recueil thématique établi par le Secrétariat")


def test_a_removed_document_leaves_the_others(meeting: Meeting) -> None:
    assert meeting.decided(cmd.RemoveDocument(document_id=meeting.annotated_agenda)) == [
        ev.DocumentRemoved(document_id=meeting.annotated_agenda)
    ]

    assert [d.id for d in meeting.report.documents] == [meeting.background_paper]


# Refusals

REFUSALS = [
    Refusal("an unknown agenda item retitled", "unknown_agenda_item",
            lambda m: cmd.RetitleAgendaItem(agenda_item_id=UNUSED, title="Questions diverses")),
    Refusal("an unknown agenda item removed", "unknown_agenda_item", lambda m: cmd.RemoveAgendaItem(agenda_item_id=UNUSED)),
    Refusal("an agenda item added under an unknown item", "unknown_agenda_item",
            lambda m: cmd.AddAgendaItem(title="Élection du Bureau", parent_id=UNUSED)),
    Refusal("an agenda item added under a sub-item: the agenda has two levels", "unknown_agenda_item",
            lambda m: cmd.AddAgendaItem(title="Élection du Bureau", parent_id=m.opening_item)),
    Refusal("an agenda item put before an unknown item", "unknown_agenda_item",
            lambda m: cmd.AddAgendaItem(title="Élection du Bureau", before=UNUSED)),
    Refusal("an agenda item put before a sub-item of another item", "unknown_agenda_item",
            lambda m: cmd.AddAgendaItem(title="Élection du Bureau", before=m.opening_item)),
    Refusal("a statement recorded under an unknown agenda item", "unknown_agenda_item",
            lambda m: cmd.RecordStatement(agenda_item_id=UNUSED, category="party", delegation="Arménie")),
    Refusal("a panellist added to an unknown agenda item", "unknown_agenda_item",
            lambda m: cmd.AddPanellist(agenda_item_id=UNUSED, name="Helga Gayer")),
    Refusal("a removed agenda item spoken under", "unknown_agenda_item",
            lambda m: cmd.RecordStatement(agenda_item_id=m.other_matters, category="party", delegation="Chili"),
            lambda m: [cmd.RemoveAgendaItem(agenda_item_id=m.other_matters)]),

    Refusal("an agenda item removed while statements were made under it", "agenda_item_in_use",
            lambda m: cmd.RemoveAgendaItem(agenda_item_id=m.technologies)),
    Refusal("an agenda item removed while a panellist moderated it", "agenda_item_in_use",
            lambda m: cmd.RemoveAgendaItem(agenda_item_id=m.procurement)),
    Refusal("an agenda item removed while a statement was made under its sub-item", "agenda_item_in_use",
            lambda m: cmd.RemoveAgendaItem(agenda_item_id=m.organisation),
            lambda m: [cmd.RecordStatement(agenda_item_id=m.opening_item, category="chair", delegation="Afghanistan")]),
    Refusal("an agenda item removed while a paragraph lists its panellists", "agenda_item_in_use",
            lambda m: cmd.RemoveAgendaItem(agenda_item_id=m.other_matters),
            lambda m: [cmd.AddParagraph(chapter_id=m.summary, listing=Listing(kind="panellists", agenda_item_id=m.other_matters))]),

    Refusal("an unknown statement withdrawn", "unknown_statement", lambda m: cmd.WithdrawStatement(statement_id=UNUSED)),
    Refusal("a statement withdrawn twice", "unknown_statement", lambda m: cmd.WithdrawStatement(statement_id=m.armenia),
            lambda m: [cmd.WithdrawStatement(statement_id=m.armenia)]),
    Refusal("an unknown participant removed", "unknown_participant", lambda m: cmd.RemoveParticipant(participant_id=UNUSED)),
    Refusal("an unknown panellist removed", "unknown_panellist", lambda m: cmd.RemovePanellist(panellist_id=UNUSED)),
    Refusal("an unknown document removed", "unknown_document", lambda m: cmd.RemoveDocument(document_id=UNUSED)),
    Refusal("a participant listed twice in one category", "duplicate_participant",
            lambda m: cmd.AddParticipant(category="party", name=" Afghanistan ")),
    Refusal("a document listed twice", "duplicate_document",
            lambda m: cmd.AddDocument(symbol="CTOC/COP/WG.4/2021/1", title="Ordre du jour")),

    Refusal("a statement by a blank delegation", "empty_name",
            lambda m: cmd.RecordStatement(agenda_item_id=m.procurement, category="party", delegation=" \t ")),
    Refusal("a participant with a blank name", "empty_name", lambda m: cmd.AddParticipant(category="ngo", name="  ")),
    Refusal("a panellist with a blank name", "empty_name", lambda m: cmd.AddPanellist(agenda_item_id=m.procurement, name="\u00a0")),
    Refusal("a document with a blank symbol", "empty_name", lambda m: cmd.AddDocument(symbol=" ", title="Recueil thématique")),

    Refusal("an agenda item given a chapter's id", "duplicate_id",
            lambda m: cmd.AddAgendaItem(agenda_item_id=m.introduction, title="Questions diverses")),
    Refusal("a statement given an agenda item's id", "duplicate_id",
            lambda m: cmd.RecordStatement(statement_id=m.technologies, agenda_item_id=m.procurement, category="party", delegation="Chili")),
    Refusal("a participant given a statement's id", "duplicate_id",
            lambda m: cmd.AddParticipant(participant_id=m.armenia, category="party", name="Arménie")),
    Refusal("a panellist given a participant's id", "duplicate_id",
            lambda m: cmd.AddPanellist(panellist_id=m.bhutan, agenda_item_id=m.procurement, name="Porter Glock")),
    Refusal("a document given a panellist's id", "duplicate_id",
            lambda m: cmd.AddDocument(document_id=m.gayer, symbol="CTOC/COP/WG.4/2021/5", title="Recueil")),
]


@pytest.mark.parametrize("case", REFUSALS, ids=lambda case: f"{case.code}: {case.story}")
def test_refused(case: Refusal) -> None:
    assert refused_on_meeting(case) == case.code
