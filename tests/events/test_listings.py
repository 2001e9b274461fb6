"""Generated lists are made from the report's data, in its language, in the seed's words."""

import time

import msgspec
import pytest

from events.listings import (
    MISSING,
    Line,
    join_names,
    listing_entries,
    paragraph_lines,
    render_paragraph_text,
)
from events.model import (
    LIST_MARK,
    AgendaItem,
    Chapter,
    Details,
    Document,
    Listing,
    Panellist,
    Paragraph,
    Participant,
    Report,
    Statement,
    SubItem,
)
from events.render.numbering import item_letter
from tests.events.test_render_seed import AGENDA, SPEAKERS_ON_ITEM_2, seed_report

STATEMENTS_ON_ITEM_2 = Listing(kind="statements", agenda_item_id="item-2", category="party")


def english(report: Report) -> Report:
    return msgspec.structs.replace(report, details=msgspec.structs.replace(report.details, language="en"))


def paragraph(text: str, listing: Listing | None = None, items: tuple[SubItem, ...] = ()) -> Paragraph:
    return Paragraph(id="p", text=text, listing=listing, items=items)


def test_statements_list_each_delegation_of_the_item_and_category_once_in_order() -> None:
    assert listing_entries(seed_report(), STATEMENTS_ON_ITEM_2) == list(SPEAKERS_ON_ITEM_2)


def test_statements_of_another_category_or_item_are_listed_apart() -> None:
    report = seed_report()

    assert listing_entries(report, Listing(kind="statements", agenda_item_id="item-2", category="observer_state")) == [
        "Iran (République islamique d’)"
    ]
    assert listing_entries(report, Listing(kind="statements", agenda_item_id="item-3", category="party")) == [
        "Autriche"
    ]


def test_recording_a_statement_updates_the_paragraph_that_lists_it() -> None:
    report = seed_report()
    spoke = Statement(id="st-new", agenda_item_id="item-2", category="party", delegation="Égypte")
    recorded = msgspec.structs.replace(report, statements=(*report.statements, spoke))
    statements = paragraph(f"Ont fait des déclarations : {LIST_MARK}.", STATEMENTS_ON_ITEM_2)

    assert "Colombie, Égypte, États-Unis" in render_paragraph_text(recorded, statements)
    assert "Égypte" not in render_paragraph_text(report, statements)


@pytest.mark.parametrize(
    ("names", "french", "english_words"),
    [
        ([], "", ""),
        (["Chine"], "Chine", "Chine"),
        (["Chili", "Chine"], "Chili et Chine", "Chili and Chine"),
        (["Canada", "Chili", "Chine"], "Canada, Chili et Chine", "Canada, Chili and Chine"),
    ],
)
def test_names_are_joined_with_and_before_the_last_and_no_oxford_comma(names, french, english_words) -> None:
    assert join_names(names, "fr") == french
    assert join_names(names, "en") == english_words


def test_the_list_replaces_the_mark_within_the_sentence() -> None:
    report = seed_report()
    observers = paragraph(
        f"Étaient représentés par des observateurs : {LIST_MARK}.", Listing(kind="participants", category="observer_state")
    )

    assert render_paragraph_text(report, observers) == (
        "Étaient représentés par des observateurs : Bhoutan, Iran (République islamique d’), Moldova, Pakistan "
        "et Yémen."
    )
    assert render_paragraph_text(english(report), observers).endswith("Moldova, Pakistan and Yémen.")


def test_panellists_are_listed_by_delegation_with_commas_only() -> None:
    report = seed_report()

    assert listing_entries(report, Listing(kind="panellists", agenda_item_id="item-3")) == [
        "Porter Glock (États-Unis)",
        "Dominique Lambert (France)",
        "Cecilia Alejandra Tello Guerrero (Pérou)",
    ]
    panel = paragraph(f"Animé par : {LIST_MARK}.", Listing(kind="panellists", agenda_item_id="item-3"))
    assert render_paragraph_text(english(report), panel) == (
        "Animé par : Porter Glock (États-Unis), Dominique Lambert (France), Cecilia Alejandra Tello Guerrero (Pérou)."
    )


def test_panellists_of_one_delegation_are_ordered_by_name_and_a_panellist_may_have_none() -> None:
    report = Report(
        id="r",
        title="Report",
        panellists=(
            Panellist(id="1", agenda_item_id="i", name="Zoé Roy", delegation="France"),
            Panellist(id="2", agenda_item_id="i", name="Ana Ruiz"),
            Panellist(id="3", agenda_item_id="i", name="Émile Roux", delegation="France"),
        ),
    )

    assert listing_entries(report, Listing(kind="panellists", agenda_item_id="i")) == [
        "Ana Ruiz",
        "Émile Roux (France)",
        "Zoé Roy (France)",
    ]


def test_the_adoption_paragraph_names_the_adopted_chapters_in_roman_numerals() -> None:
    report = seed_report()
    adoption = paragraph(f"a adopté les chapitres {LIST_MARK} du présent rapport", Listing(kind="adoption"))

    assert render_paragraph_text(report, adoption) == "a adopté les chapitres I, II, IV et V du présent rapport"
    assert render_paragraph_text(english(report), adoption) == "a adopté les chapitres I, II, IV and V du présent rapport"


def test_an_empty_list_shows_that_something_is_missing() -> None:
    report = msgspec.structs.replace(
        seed_report(),
        chapters=tuple(msgspec.structs.replace(chapter, adopted=False) for chapter in seed_report().chapters),
        documents=(),
    )
    adoption = paragraph(f"a adopté les chapitres {LIST_MARK} du présent rapport", Listing(kind="adoption"))
    documents = paragraph(f"était saisi des documents suivants : {LIST_MARK}", Listing(kind="documents"))

    assert render_paragraph_text(report, adoption) == f"a adopté les chapitres {MISSING} du présent rapport"
    assert paragraph_lines(report, documents) == [Line("", MISSING)]


def test_documents_are_lettered_lines_ending_with_a_semicolon_and_the_last_with_a_full_stop() -> None:
    report = Report(
        id="r",
        title="Draft report",
        details=Details(language="en"),
        documents=(
            Document(id="d1", symbol="CTOC/COP/WG.4/2021/1", title="Provisional agenda"),
            Document(id="d2", symbol="CTOC/COP/WG.4/2021/2", title="Background paper"),
            Document(id="d3", symbol="", title="Conference room paper"),
        ),
    )
    documents = paragraph(f"The Working Group had before it the following: {LIST_MARK}", Listing(kind="documents"))

    assert render_paragraph_text(report, documents) == "The Working Group had before it the following:"
    assert paragraph_lines(report, documents) == [
        Line("a)", "Provisional agenda (CTOC/COP/WG.4/2021/1);"),
        Line("b)", "Background paper (CTOC/COP/WG.4/2021/2);"),
        Line("c)", "Conference room paper."),
    ]
    assert listing_entries(report, documents.listing) == [
        "Provisional agenda (CTOC/COP/WG.4/2021/1)",
        "Background paper (CTOC/COP/WG.4/2021/2)",
        "Conference room paper",
    ]


def test_the_agenda_is_numbered_with_lettered_sub_items_as_in_paragraph_18() -> None:
    agenda = paragraph(f"l’ordre du jour ci-après : {LIST_MARK}", Listing(kind="agenda"))

    assert [(line.label, line.text, line.depth) for line in paragraph_lines(seed_report(), agenda)] == [
        ("1.", "Questions d’organisation :", 1),
        ("a)", "Ouverture de la réunion ;", 2),
        ("b)", "Adoption de l’ordre du jour et organisation des travaux.", 2),
        ("2.", f"{AGENDA[1].title}.", 1),
        ("3.", f"{AGENDA[2].title}.", 1),
        ("4.", "Questions diverses.", 1),
        ("5.", "Adoption du rapport.", 1),
    ]


def test_the_english_agenda_has_no_space_before_its_punctuation() -> None:
    report = Report(
        id="r",
        title="Draft report",
        details=Details(language="en"),
        agenda=(
            AgendaItem(
                id="1",
                title="Organizational matters",
                sub_items=(
                    AgendaItem(id="1a", title="Opening of the meeting"),
                    AgendaItem(id="1b", title="Adoption of the agenda"),
                ),
            ),
            AgendaItem(id="2", title="Other matters"),
        ),
    )
    agenda = paragraph(f"The Working Group adopted the following agenda: {LIST_MARK}", Listing(kind="agenda"))

    assert paragraph_lines(report, agenda) == [
        Line("1.", "Organizational matters:"),
        Line("a)", "Opening of the meeting;", 2),
        Line("b)", "Adoption of the agenda.", 2),
        Line("2.", "Other matters."),
    ]
    assert listing_entries(report, agenda.listing) == [
        "Organizational matters", "Opening of the meeting", "Adoption of the agenda", "Other matters",
    ]


def test_sub_items_keep_their_text_and_follow_a_block_list() -> None:
    report = seed_report()
    measures = paragraph(
        f"était saisi des documents suivants : {LIST_MARK}",
        Listing(kind="documents"),
        items=(SubItem("x", "Un document de séance"),),
    )

    lines = paragraph_lines(report, measures)

    assert [line.label for line in lines] == ["a)", "b)", "c)", "d)", "a)"]
    assert lines[-1] == Line("a)", "Un document de séance")


def test_a_paragraph_without_a_listing_keeps_its_text_but_never_shows_a_stray_mark() -> None:
    report = seed_report()

    assert render_paragraph_text(report, paragraph("Le Groupe de travail s’est réuni.")) == (
        "Le Groupe de travail s’est réuni."
    )
    assert render_paragraph_text(report, paragraph(f"Texte {LIST_MARK}suite")) == "Textesuite"
    assert render_paragraph_text(report, paragraph(f"Texte \t {LIST_MARK} suite  {LIST_MARK}")) == "Texte suite"


def test_a_paragraph_of_spaces_renders_in_time_proportional_to_it() -> None:
    """100,000 spaces without a mark: 25 s of looking for the mark after each of them, before."""
    spaces = "Texte" + " " * 99_990 + "suite"

    started = time.process_time()
    assert render_paragraph_text(seed_report(), paragraph(spaces)) == spaces
    assert time.process_time() - started < 1


@pytest.mark.parametrize(
    ("number", "letters"), [(1, "a"), (2, "b"), (26, "z"), (27, "aa"), (28, "bb"), (52, "zz"), (53, "aaa")]
)
def test_sub_items_are_lettered_a_to_z_then_aa_bb(number: int, letters: str) -> None:
    assert item_letter(number) == letters


def test_twenty_seven_sub_items_go_on_to_aa() -> None:
    items = tuple(SubItem(str(n), f"Mesure {n}") for n in range(27))
    labels = [line.label for line in paragraph_lines(seed_report(), paragraph("Mesures :", items=items))]

    assert labels[0] == "a)" and labels[25] == "z)" and labels[26] == "aa)"


def test_participants_of_every_category_when_the_listing_names_none() -> None:
    report = Report(
        id="r",
        title="Projet",
        participants=(
            Participant(id="1", category="ngo", name="Walk Free"),
            Participant(id="2", category="party", name="Arménie"),
        ),
        chapters=(Chapter(id="c", title="Participation"),),
    )

    assert listing_entries(report, Listing(kind="participants")) == ["Arménie", "Walk Free"]
