"""Importing a draft in the seed's form: the real seed (a French draft of 2021, as extracted from
its PDF) becomes the commands that build it, and its text comes back when the report is rendered.

The seed is read from tests/events/data/seed_fr.txt, a copy of /work/shared/seed/000_….txt, so
that these tests need nothing outside the repository.
"""

import re
from datetime import date
from pathlib import Path

import msgspec
import pytest

from events import commands as cmd
from events.errors import DomainError
from events.importer import import_draft
from events.model import LIST_MARK, Language, Paragraph, Report
from events.placeholders import report_placeholders
from events.render.text import render_text
from tests.events.builders import Drafting, Ids, uid

SEED = Path(__file__).parent / "data" / "seed_fr.txt"
SHARED_SEED = Path(__file__).parents[3] / "shared/seed/000_aafa49ca39159798.txt"

# The artefacts of the PDF extraction in the seed, and what the importer makes of them.
REPAIRS = {
    "l ’a approuvé": "l’a approuvé",
    "certains d ’entre eux": "certains d’entre eux",
    "ci -après. ": "ci-après. ",
    "la t raite des": "la traite des",
    "(HCR) ,": "(HCR),",
    "du  crime": "du crime",
    "«  Stratégies": "« Stratégies",
    "«  Mesures": "« Mesures",
    "suit  :": "suit :",
    "CTOC/COP/ \n\nWG.4/2021/INF/1/Rev.1": "CTOC/COP/WG.4/2021/INF/1/Rev.1",
}


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def imported(text: str, language: Language = "fr") -> tuple[list[cmd.Command], Report]:
    """The commands for `text`, and the report they build when submitted one by one."""
    commands = import_draft(text, Ids(1000), language)
    drafting = Drafting()
    for command in commands:
        drafting.submit(command)
    assert drafting.report is not None
    return commands, drafting.report


@pytest.fixture(scope="module")
def seed() -> tuple[list[cmd.Command], Report]:
    return imported(seed_text())


@pytest.fixture(scope="module")
def report(seed: tuple[list[cmd.Command], Report]) -> Report:
    return seed[1]


def paragraph(report: Report, number: int) -> Paragraph:
    """Paragraph `number` as the report numbers it."""
    return report.all_paragraphs()[number - 1]


def test_the_copy_of_the_seed_is_the_shared_seed() -> None:
    if not SHARED_SEED.exists():
        pytest.skip("no shared seed next to the repository")
    assert seed_text() == SHARED_SEED.read_text(encoding="utf-8")


def test_the_seed_has_its_title_and_five_chapters(report: Report) -> None:
    assert report.title == "Projet de rapport"
    assert [chapter.title for chapter in report.chapters] == [
        "Introduction",
        "Recommandations",
        "Résumé des délibérations",
        "Organisation de la réunion",
        "Adoption du rapport",
    ]


def test_section_titles_that_run_over_several_lines_are_joined(report: Report) -> None:
    strategies = (
        "Stratégies efficaces pour lutter contre l’utilisation des technologies en vue de faciliter la traite "
        "des personnes et pour prévenir la traite et enquêter sur ce type d’infraction"
    )
    procurement = "Mesures destinées à renforcer les politiques de passation des marchés publics aux niveaux national, régional et international"
    assert [[section.title for section in chapter.sections] for chapter in report.chapters] == [
        [],
        [
            "Recommandations générales",
            "Recommandations concernant les s" + strategies[1:],
            "Recommandations concernant les m" + procurement[1:],
        ],
        [strategies, procurement, "Questions diverses"],
        [
            "Ouverture de la réunion",
            "Déclarations",
            "Adoption de l’ordre du jour et organisation des travaux",
            "Participation",
            "Documentation",
        ],
        [],
    ]


def test_paragraphs_1_to_28_are_in_reading_order_each_on_one_line(report: Report) -> None:
    paragraphs = report.all_paragraphs()
    text = render_text(report)

    assert len(paragraphs) == 28
    assert re.findall(r"^(\d+)\. ", text, flags=re.MULTILINE) == [str(number) for number in range(1, 29)]
    assert all("\n" not in p.text and "  " not in p.text and p.text == p.text.strip() for p in paragraphs)
    assert paragraph(report, 1).text.startswith("Dans sa décision 4/4, la Conférence des Parties à la Convention")
    assert paragraph(report, 3).text.endswith("avant celle-ci, qui est donc la onzième.")
    assert paragraph(report, 13).text.startswith("La réunion a été ouverte par S. E. Manizha Bakhtari (Afghanistan)")
    assert paragraph(report, 28).text == (
        "Le 13 octobre 2021, le Groupe de travail a adopté les chapitres I, II, IV et V du présent rapport "
        "sur les travaux de sa quatrième réunion."
    )


def test_the_agenda_numbers_inside_paragraph_18_do_not_start_report_paragraphs(report: Report) -> None:
    assert paragraph(report, 18).text.startswith("À sa 1re séance, le 12 octobre 2021")
    assert paragraph(report, 19).text.startswith("Comme le Bureau élargi de la Conférence des Parties")


def test_every_placeholder_is_kept_verbatim(report: Report) -> None:
    assert [placeholder.text for placeholder in report_placeholders(report)] == [
        "[sa/ses 2e et 3e]", "[s]", "[s]", "[s]", "[12 et 13]", "[4e]", "[13]", "[…]",
    ]
    assert "À [sa/ses 2e et 3e] séance[s], tenue[s] le[s] [12 et 13] octobre 2021" in paragraph(report, 10).text


def test_the_agenda_has_five_items_and_item_1_its_two_sub_items(report: Report) -> None:
    assert [item.title for item in report.agenda] == [
        "Questions d’organisation",
        "Stratégies efficaces pour lutter contre l’utilisation des technologies en vue de faciliter la traite des "
        "personnes et pour prévenir la traite et enquêter sur ce type d’infraction",
        "Mesures destinées à renforcer les politiques de passation des marchés publics aux niveaux national, "
        "régional et international",
        "Questions diverses",
        "Adoption du rapport",
    ]
    assert [item.title for item in report.agenda[0].sub_items] == [
        "Ouverture de la réunion",
        "Adoption de l’ordre du jour et organisation des travaux",
    ]
    assert all(not item.sub_items for item in report.agenda[1:])


def test_participants_are_recorded_by_category_with_commas_inside_names_kept(report: Report) -> None:
    by_category: dict[str, list[str]] = {}
    for participant in report.participants:
        by_category.setdefault(participant.category, []).append(participant.name)

    parties = by_category["party"]
    assert len(parties) == 94
    assert parties[:3] == ["Afghanistan", "Afrique du Sud", "Albanie"]
    assert parties[-2:] == ["Uruguay", "Venezuela (République bolivarienne du)"]
    assert "Bolivie (État plurinational de)" in parties and "Trinité-et-Tobago" in parties
    assert by_category["observer_state"] == ["Bhoutan", "Iran (République islamique d’)", "Moldova", "Pakistan", "Yémen"]
    assert "Pakistan" in parties
    assert by_category["non_member_observer_state"] == ["Saint-Siège"]
    assert by_category["observer_entity"] == ["Ordre souverain de Malte"]
    organizations = by_category["intergovernmental_organization"]
    assert len(organizations) == 20
    assert organizations[0] == "Assemblée parlementaire de la Méditerranée (APM)"
    assert organizations[-1] == "Université des Nations Unies"
    assert (
        "Centre régional d’information et de coordination d’Asie centrale pour la lutte contre le trafic illicite de "
        "stupéfiants, de substances psychotropes et de leurs précurseurs (CARICC)"
    ) in organizations
    assert (
        "Institut européen pour la prévention du crime et la lutte contre la délinquance, affilié à l’Organisation "
        "des Nations Unies (HEUNI)"
    ) in organizations
    assert "Haut-Commissaire des Nations Unies pour les réfugiés (HCR)" in organizations


def test_statements_on_item_2_are_the_parties_listed_and_the_iranian_observer(report: Report) -> None:
    item_2 = report.agenda[1].id
    assert all(statement.agenda_item_id == item_2 for statement in report.statements)
    assert [s.delegation for s in report.statements if s.category == "party"] == [
        "Arménie", "Australie", "Bahamas", "Bangladesh", "Canada", "Chili", "Chine", "Colombie", "États-Unis",
        "Gambie", "Guatemala", "Indonésie", "Union européenne", "Venezuela (République bolivarienne du)",
    ]
    assert [(s.category, s.delegation) for s in report.statements if s.category != "party"] == [
        ("observer_state", "Iran (République islamique d’)")
    ]


def test_panellists_are_recorded_with_their_delegations_under_items_2_and_3(report: Report) -> None:
    item_2, item_3 = report.agenda[1].id, report.agenda[2].id
    assert [(p.agenda_item_id, p.name, p.delegation) for p in report.panellists] == [
        (item_2, "Helga Gayer", "Allemagne"),
        (item_2, "Juan Francisco Espinosa Palacios", "Colombie"),
        (item_2, "Alexandra Gelber", "États-Unis"),
        (item_2, "Carina Sanchez Fernandez", "Paraguay"),
        (item_3, "Porter Glock", "États-Unis"),
        (item_3, "Dominique Lambert", "France"),
        (item_3, "Cecilia Alejandra Tello Guerrero", "Pérou"),
    ]


def test_the_four_documents_have_their_symbols_and_titles(report: Report) -> None:
    assert [(document.symbol, document.title) for document in report.documents] == [
        ("CTOC/COP/WG.4/2021/1", "Ordre du jour provisoire annoté"),
        (
            "CTOC/COP/WG.4/2021/2",
            "Document d’information établi par le Secrétariat et intitulé « Stratégies efficaces pour lutter contre "
            "l’utilisation des technologies en vue de faciliter la traite des personnes et pour prévenir la traite et "
            "enquêter sur ce type d’infraction »",
        ),
        (
            "CTOC/COP/WG.4/2021/3",
            "Document d’information établi par le Secrétariat et intitulé « Mesures destinées à renforcer les "
            "politiques de passation des marchés publics aux niveaux national, régional et international »",
        ),
        (
            "CTOC/COP/WG.4/2021/5",
            "Recueil thématique établi par le Secrétariat et rassemblant les documents d’information dont le Groupe "
            "de travail sur la traite des personnes a été saisi depuis sa première réunion",
        ),
    ]


def test_the_details_of_the_meeting_are_read_from_the_paragraphs(report: Report) -> None:
    details = report.details
    assert details.body == "Groupe de travail sur la traite des personnes"
    assert details.parent_body == (
        "Conférence des Parties à la Convention des Nations Unies contre la criminalité transnationale organisée"
    )
    assert details.ordinal == 11
    assert details.venue == "Vienne"
    assert (details.first_date, details.last_date) == (date(2021, 10, 12), date(2021, 10, 13))
    assert details.language == "fr"


def test_a_draft_without_a_title_gets_the_title_of_a_draft_in_its_language() -> None:
    untitled = seed_text().replace("Projet de rapport", "", 1)
    assert imported(untitled)[1].title == "Projet de rapport"
    assert imported(untitled, "en")[1].title == "Draft report"


def test_the_report_is_in_the_language_asked_for() -> None:
    assert imported(seed_text(), "en")[1].details.language == "en"


def all_texts(report: Report) -> str:
    """Every text the report holds, one a line."""
    texts = [report.title, *(c.title for c in report.chapters), *(s.title for c in report.chapters for s in c.sections)]
    for p in report.all_paragraphs():
        texts += [p.text, *(item.text for item in p.items)]
    texts += [item.title for item in report.agenda] + [document.title for document in report.documents]
    texts += [participant.name for participant in report.participants]
    return "\n".join(texts)


def test_the_artefacts_of_the_pdf_are_repaired(report: Report) -> None:
    texts = all_texts(report)
    for artefact, repaired in REPAIRS.items():
        assert artefact not in texts
        assert repaired in texts
    assert not re.search(r"\w ’|\w -\w| [,.]|  ", texts)


def test_web_address_lines_are_dropped(report: Report) -> None:
    assert "undocs.org" not in render_text(report)
    assert paragraph(report, 26).text == (
        "La liste des participantes et participants est publiée sous la cote CTOC/COP/WG.4/2021/INF/1/Rev.1."
    )


def repaired_seed_words() -> list[str]:
    text = seed_text()
    for artefact, repaired in REPAIRS.items():
        assert artefact in text, artefact
        text = text.replace(artefact, repaired)
    lines = [line for line in text.splitlines() if not line.strip().startswith(("http://", "https://"))]
    return "\n".join(lines).split()


def test_the_rendered_report_has_the_words_of_the_repaired_seed(report: Report) -> None:
    assert render_text(report).split() == repaired_seed_words()


def test_lists_that_render_back_word_for_word_become_generated_paragraphs(report: Report) -> None:
    generated = {number: p.listing.kind for number, p in enumerate(report.all_paragraphs(), start=1) if p.listing}

    assert generated == {
        14: "panellists", 15: "panellists", 16: "statements", 18: "agenda",
        21: "participants", 22: "participants", 23: "participants", 24: "participants", 27: "documents",
    }
    assert paragraph(report, 16).text == (
        "Au titre du point 2 de l’ordre du jour, des déclarations ont été faites par les représentantes et "
        f"représentants des Parties au Protocole suivantes : {LIST_MARK}. […]"
    )
    assert paragraph(report, 16).listing.agenda_item_id == report.agenda[1].id
    assert paragraph(report, 22).listing.category == "observer_state"
    assert paragraph(report, 27).items == ()


def test_lists_that_would_not_render_back_stay_plain_text(report: Report) -> None:
    # 17 names Iran in prose, its statement in the form of the lists; 25 is not in alphabetical
    # order; 28 lists chapters that are not adopted yet.
    for number in (17, 25, 28):
        assert paragraph(report, number).listing is None
        assert LIST_MARK not in paragraph(report, number).text
    assert paragraph(report, 25).text.endswith("Southeast European Law Enforcement Center (SELEC), Université des Nations Unies.")


def test_a_list_out_of_dictionary_order_stays_plain_text_and_is_recorded_all_the_same() -> None:
    _, reordered = imported(seed_text().replace("Afghanistan, Afrique du Sud", "Afrique du Sud, Afghanistan"))

    assert paragraph(reordered, 21).listing is None
    assert "COVID-19 : Afrique du Sud, Afghanistan, Albanie" in paragraph(reordered, 21).text
    assert [p.name for p in reordered.participants if p.category == "party"][:2] == ["Afrique du Sud", "Afghanistan"]


def test_a_rendered_report_imports_back_to_the_same_text(report: Report) -> None:
    rendered = render_text(report)
    _, again = imported(rendered)

    assert render_text(again) == rendered
    assert again.details == report.details


NEW_ITEM_ID = {
    cmd.AddAgendaItem: "agenda_item_id",
    cmd.AddChapter: "chapter_id",
    cmd.AddSection: "section_id",
    cmd.AddParagraph: "paragraph_id",
    cmd.AddSubItem: "sub_item_id",
    cmd.AddPanellist: "panellist_id",
    cmd.RecordStatement: "statement_id",
    cmd.AddParticipant: "participant_id",
    cmd.AddDocument: "document_id",
}


def test_every_added_item_has_an_id_drawn_from_new_id_in_order(seed: tuple[list[cmd.Command], Report]) -> None:
    commands, _ = seed
    ids = [getattr(command, NEW_ITEM_ID[type(command)]) for command in commands if type(command) in NEW_ITEM_ID]

    assert [type(command) for command in commands[:2]] == [cmd.CreateReport, cmd.SetReportDetails]
    assert all(type(command) in NEW_ITEM_ID for command in commands[2:])
    assert ids == [uid(1001 + n) for n in range(len(ids))]


def test_every_command_passes_the_checks_of_the_wire(seed: tuple[list[cmd.Command], Report]) -> None:
    commands, _ = seed
    decoded = msgspec.json.decode(msgspec.json.encode(commands), type=list[cmd.Command])

    assert decoded == commands


def test_importing_is_deterministic_given_new_id() -> None:
    first, second = import_draft(seed_text(), Ids()), import_draft(seed_text(), Ids())
    assert msgspec.json.encode(first) == msgspec.json.encode(second)


SKIPPED = "Projet de rapport\n\nI. Introduction\n\n1. Premier.\n\n2. Deuxième.\n\n4. Quatrième.\n"
NOT_FROM_1 = "Projet de rapport\n\nI. Introduction\n\n2. Deuxième.\n\n3. Troisième.\n"
SKIPPED_AFTER_A_HEADING = "Projet de rapport\n\nI. Introduction\n\n1. Premier.\n\nII. Suite\n\n3. Troisième.\n"
NOVEL = (
    "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in\n"
    "want of a wife. However little known the feelings or views of such a man may be on his first entering\n"
    "a neighbourhood, this truth is so well fixed in the minds of the surrounding families, that he is\n"
    "considered the rightful property of some one or other of their daughters.\n"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "found empty text"),
        (" \n\n \n", "found empty text"),
        ("Le Groupe de travail s’est réuni à Vienne.\nIl a adopté son ordre du jour.\n", "expected chapter headings"),
        (NOVEL, "expected chapter headings"),
        ("Projet de rapport\n\nI. Introduction\n\nLe Groupe s’est réuni.\n", "expected numbered paragraphs"),
        (SKIPPED, "expected paragraph 3 next"),
        (NOT_FROM_1, "expected paragraph 1 next"),
        (SKIPPED_AFTER_A_HEADING, "expected paragraph 2 next"),
    ],
)
def test_text_that_is_not_a_report_is_refused(text: str, expected: str) -> None:
    with pytest.raises(DomainError) as refused:
        import_draft(text, Ids())
    assert refused.value.code == "not_a_report"
    assert expected in refused.value.message


def test_a_small_draft_with_sub_items_and_a_wrapped_section_title() -> None:
    text = (
        "Projet de rapport\n\n"
        " I. Recommandations\n\n"
        " A. Recommandations concernant\n\nles mesures\n\n"
        "1. Le Groupe de travail a recommandé\n\nles mesures suivantes :\n\n"
        "  a) Les États devraient agir ;\n\n  b) Les États devraient\n\naussi agir.\n\n"
        "2. Fin.\n"
    )
    _, small = imported(text)

    assert small.chapters[0].sections[0].title == "Recommandations concernant les mesures"
    first, second = small.all_paragraphs()
    assert first.text == "Le Groupe de travail a recommandé les mesures suivantes :"
    assert [item.text for item in first.items] == ["Les États devraient agir ;", "Les États devraient aussi agir."]
    assert second.text == "Fin."
