"""One line per event, for `rapporteur events` and the history view."""

import pytest

from events import catalogue as ev
from events.catalogue import EVENT_TYPES, Event, event_type
from events.model import LIST_MARK, Details, Listing
from events.summary import EXCERPT, TEMPLATES, summarize
from events.text_ops import Delete
from tests.events.builders import stored
from tests.events.meeting import DETAILS, Meeting

PARAGRAPH = "3f0c9a52-8a3e-4c1b-9a57-2d0f6e1b7c44"
CHAPTER = "b6e2d1f0-4c3a-4e8b-8f2d-1a9c7e5b3d20"
SECTION = "886e9361-cf1a-49e4-a6eb-5755aaeb106d"
OTHER = "a92e6fc9-2498-4bed-8372-f1fbadd1306e"
ITEM = "4d1c2b3a-0f9e-4d8c-b7a6-5e4f3d2c1b0a"

LINES: list[tuple[Event, str]] = [
    (ev.ReportCreated(title="Projet de rapport"), "created « Projet de rapport »"),
    (ev.ReportRetitled(title="Rapport sur les travaux de la onzième réunion"),
     "retitled the report « Rapport sur les travaux de la onzième réunion »"),
    (ev.ReportDetailsChanged(details=DETAILS),
     "set the meeting's details: body « Groupe de travail sur la traite des personnes », symbol « CTOC/COP/WG.4/2021/L.1 », language fr"),
    (ev.ChapterAdded(chapter_id=CHAPTER, title="Introduction"), "added chapter « Introduction »"),
    (ev.ChapterRetitled(chapter_id=CHAPTER, title="Résumé de la Présidente"), "retitled chapter b6e2d1f0 « Résumé de la Présidente »"),
    (ev.ChapterMoved(chapter_id=CHAPTER, before=OTHER), "moved chapter b6e2d1f0 before a92e6fc9"),
    (ev.ChapterRemoved(chapter_id=CHAPTER), "removed chapter b6e2d1f0"),
    (ev.SectionAdded(section_id=SECTION, chapter_id=CHAPTER, title="Déclarations"), "added section « Déclarations » to chapter b6e2d1f0"),
    (ev.SectionRetitled(section_id=SECTION, title="Participation"), "retitled section 886e9361 « Participation »"),
    (ev.SectionMoved(section_id=SECTION, chapter_id=CHAPTER), "moved section 886e9361 into chapter b6e2d1f0"),
    (ev.SectionRemoved(section_id=SECTION), "removed section 886e9361"),
    (ev.ParagraphAdded(paragraph_id=PARAGRAPH, chapter_id=CHAPTER, text="Dans sa décision 4/4…"),
     "added paragraph 3f0c9a52: « Dans sa décision 4/4… »"),
    (ev.ParagraphTextReplaced(paragraph_id=PARAGRAPH, text="Dans sa résolution 7/1…"),
     "replaced the text of paragraph 3f0c9a52: « Dans sa résolution 7/1… »"),
    (ev.ParagraphTextEdited(paragraph_id=PARAGRAPH, revision=4, ops=[20, Delete(8), "les points 2 et 3"]),
     "typed in paragraph 3f0c9a52 (revision 4): deleted 8 characters and inserted « les points 2 et 3 » at 20"),
    (ev.ParagraphMoved(paragraph_id=PARAGRAPH, chapter_id=CHAPTER, section_id=SECTION, before=OTHER),
     "moved paragraph 3f0c9a52 into chapter b6e2d1f0, section 886e9361 before a92e6fc9"),
    (ev.ParagraphRemoved(paragraph_id=PARAGRAPH), "removed paragraph 3f0c9a52"),
    (ev.SubItemAdded(paragraph_id=PARAGRAPH, sub_item_id=OTHER, text="de renforcer la coopération ;"),
     "added sub-item a92e6fc9 to paragraph 3f0c9a52: « de renforcer la coopération ; »"),
    (ev.SubItemTextReplaced(paragraph_id=PARAGRAPH, sub_item_id=OTHER, text="de coopérer ;"),
     "replaced the text of sub-item a92e6fc9 of paragraph 3f0c9a52: « de coopérer ; »"),
    (ev.SubItemMoved(paragraph_id=PARAGRAPH, sub_item_id=OTHER), "moved sub-item a92e6fc9 of paragraph 3f0c9a52 to the end"),
    (ev.SubItemRemoved(paragraph_id=PARAGRAPH, sub_item_id=OTHER), "removed sub-item a92e6fc9 of paragraph 3f0c9a52"),
    (ev.PlaceholderFilled(placeholder_id=f"{PARAGRAPH}:b7ee913d:0", paragraph_id=PARAGRAPH, original="[sa/ses 2e et 3e]",
                          value="ses 2e et 3e", start=2),
     "filled placeholder [sa/ses 2e et 3e] in paragraph 3f0c9a52 with « ses 2e et 3e »"),
    (ev.AgendaItemAdded(agenda_item_id=OTHER, title="Ouverture de la réunion", parent_id=ITEM),
     "added agenda item « Ouverture de la réunion » under agenda item 4d1c2b3a"),
    (ev.AgendaItemRetitled(agenda_item_id=ITEM, title="Questions d’organisation"),
     "retitled agenda item 4d1c2b3a « Questions d’organisation »"),
    (ev.AgendaItemRemoved(agenda_item_id=ITEM), "removed agenda item 4d1c2b3a"),
    (ev.StatementRecorded(statement_id=OTHER, agenda_item_id=ITEM, category="party", delegation="Arménie"),
     "recorded a statement by Arménie (party) under agenda item 4d1c2b3a"),
    (ev.StatementWithdrawn(statement_id=OTHER), "withdrew statement a92e6fc9"),
    (ev.ParticipantAdded(participant_id=OTHER, category="non_member_observer_state", name="Saint-Siège"),
     "added participant Saint-Siège (non member observer state)"),
    (ev.ParticipantRemoved(participant_id=OTHER), "removed participant a92e6fc9"),
    (ev.PanellistAdded(panellist_id=OTHER, agenda_item_id=ITEM, name="Helga Gayer", delegation="Allemagne"),
     "added panellist Helga Gayer (Allemagne) under agenda item 4d1c2b3a"),
    (ev.PanellistRemoved(panellist_id=OTHER), "removed panellist a92e6fc9"),
    (ev.DocumentAdded(document_id=OTHER, symbol="CTOC/COP/WG.4/2021/1", title="Ordre du jour provisoire annoté"),
     "added document CTOC/COP/WG.4/2021/1: « Ordre du jour provisoire annoté »"),
    (ev.DocumentRemoved(document_id=OTHER), "removed document a92e6fc9"),
    (ev.RecommendationAdded(paragraph_id=PARAGRAPH, chapter_id=CHAPTER, text="Les États parties devraient…"),
     "added recommendation 3f0c9a52 to chapter b6e2d1f0: « Les États parties devraient… »"),
    (ev.ChapterAdopted(chapter_id=CHAPTER), "adopted chapter b6e2d1f0"),
    (ev.ChapterReopened(chapter_id=CHAPTER, reason="une erreur de date au paragraphe 3"),
     "reopened chapter b6e2d1f0: une erreur de date au paragraphe 3"),
    (ev.ReportAdopted(ad_referendum=True), "adopted the report ad referendum"),
]


@pytest.mark.parametrize(("data", "line"), LINES, ids=[event_type(data) for data, _ in LINES])
def test_every_event_type_has_a_one_line_summary(data: Event, line: str) -> None:
    assert summarize(stored(data, version=1)) == line


def test_the_summaries_above_cover_every_event_type_and_each_has_a_template() -> None:
    assert [event_type(data) for data, _ in LINES] == list(EVENT_TYPES)
    assert TEMPLATES.keys() == EVENT_TYPES.keys()


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (ev.ChapterAdded(chapter_id=CHAPTER, title="Annexe", before=OTHER), "added chapter « Annexe » before a92e6fc9"),
        (ev.ChapterMoved(chapter_id=CHAPTER), "moved chapter b6e2d1f0 to the end"),
        (ev.PanellistAdded(panellist_id=OTHER, agenda_item_id=ITEM, name="Helga Gayer"), "added panellist Helga Gayer under agenda item 4d1c2b3a"),
        (ev.ReportAdopted(), "adopted the report"),
        (ev.ReportDetailsChanged(details=Details()), "set the meeting's details: body none, symbol none, language fr"),
        (ev.ParagraphAdded(paragraph_id=PARAGRAPH, chapter_id=CHAPTER, text=f"Des déclarations ont été faites par : {LIST_MARK}.",
                           listing=Listing(kind="statements", agenda_item_id=ITEM, category="party")),
         "added statements listing paragraph 3f0c9a52: « Des déclarations ont été faites par : [list]. »"),
    ],
    ids=["added before", "moved last", "panellist without delegation", "not ad referendum", "no details", "listing paragraph"],
)
def test_optional_fields_show_only_when_given(data: Event, line: str) -> None:
    assert summarize(stored(data, version=1)) == line


@pytest.mark.parametrize(
    ("ops", "typed"),
    [
        ([10, "de travail "], "inserted « de travail » at 10"),
        ([Delete(1)], "deleted 1 character at 0"),
        ([7, " "], "inserted a space at 7"),
        ([7, "  "], "inserted 2 blank characters at 7"),
        (["À Vienne, ", 9, Delete(2), "a", 3, "le", 4, "b"],
         "deleted 2 characters and inserted « À Vienne, », « a », « le » and 1 more at 0"),
        ([3, f"suivantes : {LIST_MARK}"], "inserted « suivantes : [list] » at 3"),
        ([], "no change"),
    ],
    ids=["insert", "one character deleted", "a space", "blanks", "many inserts", "the list mark", "nothing"],
)
def test_typing_is_summarised_by_what_it_deleted_and_inserted_and_where(ops: list, typed: str) -> None:
    line = summarize(stored(ev.ParagraphTextEdited(paragraph_id=PARAGRAPH, revision=2, ops=ops), version=2))

    assert line == f"typed in paragraph 3f0c9a52 (revision 2): {typed}"


def test_a_long_text_is_cut_to_an_excerpt_on_one_line() -> None:
    text = "Dans sa décision 4/4,\nla Conférence des Parties   à la Convention des Nations Unies contre la criminalité"

    line = summarize(stored(ev.ParagraphTextReplaced(paragraph_id=PARAGRAPH, text=text), version=2))

    excerpt = line.split("« ")[1].removesuffix(" »")
    assert excerpt == "Dans sa décision 4/4, la Conférence des Parties à la Conven…"
    assert len(excerpt) == EXCERPT


def test_every_event_of_a_drafted_report_is_summarised_on_one_line_by_what_it_did() -> None:
    for event in Meeting().events:
        line = summarize(event)
        assert "\n" not in line and "None" not in line and "{" not in line
        assert line != event.type
