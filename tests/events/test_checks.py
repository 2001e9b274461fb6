"""Consistency findings, on the seed draft and on small reports built for one story each."""

import time
from datetime import date

import msgspec
import pytest

from events.checks import Finding, check
from events.model import (
    LIST_MARK,
    AgendaItem,
    Chapter,
    Details,
    Listing,
    Panellist,
    Paragraph,
    Participant,
    Report,
    Section,
    Statement,
    SubItem,
)
from tests.events.meeting import DETAILS

SEED_DETAILS = DETAILS
WORKING_GROUP = DETAILS.body

# The seed's paragraphs 1 to 28, each joined into one line as it was extracted (typos included).
# Paragraphs that list the meeting's data carry LIST_MARK; the names are in SEED_* below.
SEED_TEXTS = {
    1: (
        "Dans sa décision 4/4, la Conférence des Parties à la Convention des Nations Unies contre la "
        "criminalité transnationale organisée a reconnu que le Protocole additionnel à la Convention des "
        "Nations Unies contre la criminalité transnationale organisée visant à prévenir, réprimer et "
        "punir la traite des personnes, en particulier des femmes et des enfants, était le principal "
        "instrument global juridiquement contraignant pour lutter contre la traite des personnes. Par "
        "cette décision, elle a également créé un groupe de travail provisoire à composition non limitée "
        "sur la traite des personnes."
    ),
    2: (
        "Dans sa résolution 7/1, intitulée « Renforcement de l’application de la Convention des Nations "
        "Unies contre la criminalité transnationale organisée et des Protocoles s’y rapportant », la "
        "Conférence des Parties a décidé, entre autres, que le Groupe de travail sur la traite des "
        "personnes constituerait un de ses éléments permanents, lui communiquant ses rapports et "
        "recommandations, et elle a encouragé ses groupes de travail à envisager de se réunir chaque "
        "année, s’il y avait lieu, et à faire en sorte que leurs réunions s’enchaînent, afin d’assurer "
        "une utilisation efficace des ressources."
    ),
    3: (
        "Le Groupe de travail sur la traite des personnes s’est réuni pour la première fois les 14 et 15 "
        "avril 2009 et a tenu 10 réunions avant celle-ci, qui est donc la onzième."
    ),
    4: (
        "À la réunion qu’il a tenue à Vienne les 12 et 13 octobre 2021, le Groupe de travail sur la "
        "traite des personnes a adopté les recommandations présentées ci-après afin que la Conférence "
        "les examine."
    ),
    5: "Le Groupe de travail a recommandé à la Conférence des Parties d’envisager d’adopter les mesures suivantes :",
    6: "Le Groupe de travail a recommandé à la Conférence des Parties d’envisager d’adopter les mesures suivantes :",
    7: "Le Groupe de travail a recommandé à la Conférence des Parties d’envisager d’adopter les mesures suivantes :",
    8: (
        "À l’issue de la réunion, le Secrétariat a établi, en étroite coordination avec la Présidente et "
        "selon les modalités prévues dans le projet d’organisation des travaux de la onzième réunion du "
        "Groupe de travail, tel que le Bureau élargi l ’a approuvé par procédure d’approbation tacite le "
        "11 août 2021, le résumé des délibérations ci -après. Ce résumé n’a pas fait l’objet de "
        "négociations et n’a pas été adopté au cours de la réunion ; il s’agit plutôt d’un résumé de la "
        "Présidente, établi comme suit  :"
    ),
    9: (
        "À ses 1re et 2e séances, tenues le 12 octobre 2021, le Groupe de travail a examiné le point 2 "
        "de l’ordre du jour, intitulé « Stratégies efficaces pour lutter contre l’utilisation des "
        "technologies en vue de faciliter la t raite des personnes et pour prévenir la traite et "
        "enquêter sur ce type d’infraction »."
    ),
    10: (
        "À [sa/ses 2e et 3e] séance[s], tenue[s] le[s] [12 et 13] octobre 2021, le Groupe de travail a "
        "examiné le point 3 de l’ordre du jour, intitulé « Mesures destinées à renforcer les politiques "
        "de passation des marchés publics aux niveaux national, régional et international »."
    ),
    11: (
        "À sa [4e] séance, le [13] octobre 2021, le Groupe de travail a examiné le point 4 de l’ordre du "
        "jour, intitulé « Questions diverses »."
    ),
    12: (
        "Le Groupe de travail sur la traite des personnes s’est réuni à Vienne les 12 et 13 octobre 2021 "
        "et a tenu quatre séances au total."
    ),
    13: (
        "La réunion a été ouverte par S. E. Manizha Bakhtari (Afghanistan), Présidente du Groupe de "
        "travail, qui a fait une déclaration et donné un aperçu du mandat du Groupe, de ses objectifs et "
        "des questions dont il était saisi."
    ),
    14: (
        "Sous la conduite de la Présidente, le débat consacré au point 2 a été animé par les personnes "
        f"suivantes : {LIST_MARK}."
    ),
    15: (
        "Sous la conduite de la Présidente, le débat consacré au point 3 a été animé par les personnes "
        f"suivantes : {LIST_MARK}."
    ),
    16: (
        "Au titre du point 2 de l’ordre du jour, des déclarations ont été faites par les représentantes "
        f"et représentants des Parties au Protocole suivantes : {LIST_MARK}. […]"
    ),
    17: "L’observatrice de la République islamique d’Iran a également fait une déclaration.",
    18: (
        "À sa 1re séance, le 12 octobre 2021, le Groupe de travail a adopté par consensus l’ordre du "
        f"jour ci-après : {LIST_MARK}"
    ),
    19: (
        "Comme le Bureau élargi de la Conférence des Parties en était convenu, la réunion s’est tenue "
        "selon des modalités « hybrides », avec un nombre restreint de participantes et participants "
        "présents dans la salle de réunion, les autres étant connectés à distance au moyen d’une "
        "plateforme d’interprétation pour laquelle un contrat a été conclu avec l’ONU."
    ),
    20: (
        "Pour permettre une utilisation optimale du temps disponible, il n’a été fait aucune déclaration "
        "générale au cours de la réunion. Les délégations avaient la possibilité de soumettre des "
        "déclarations générales par écrit, et les textes de ces déclarations sont disponibles sur le "
        "site Web de la réunion. Les délégations pouvaient également publier sur le site Web leurs "
        "déclarations relatives aux différents points de l’ordre du jour, prononcées au cours de la "
        "réunion."
    ),
    21: (
        "Les États énumérés ci-après, parties au Protocole relatif à la traite des personnes, étaient "
        "représentés à la réunion, certains d’entre eux y participant à distance en raison des modalités "
        f"d’organisation particulières liées à la pandémie de COVID-19 : {LIST_MARK}."
    ),
    22: (
        "Les États énumérés ci-après, qui ne sont ni parties au Protocole relatif à la traite des "
        "personnes, ni signataires de celui-ci, étaient représentés par des observateurs ou "
        "observatrices, certains d’entre eux participant à distance en raison des modalités "
        f"d’organisation particulières liées à la pandémie de COVID-19 : {LIST_MARK}."
    ),
    23: (
        "Le Saint-Siège, État non membre qui maintient une mission d’observation permanente, était "
        "représenté par des observateurs."
    ),
    24: (
        "L’Ordre souverain de Malte, entité ayant une mission permanente d’observation, était représenté "
        "par un observateur."
    ),
    25: (
        "Les organisations intergouvernementales et entités des Nations Unies ci-après étaient "
        "représentées par des observateurs ou observatrices, certains d ’entre eux participant à "
        "distance en raison des modalités d’organisation particulières liées à la pandémie de COVID-19 : "
        f"{LIST_MARK}."
    ),
    26: "La liste des participantes et participants est publiée sous la cote CTOC/COP/ WG.4/2021/INF/1/Rev.1.",
    27: "Le Groupe de travail était saisi des documents suivants :",
    28: (
        "Le 13 octobre 2021, le Groupe de travail a adopté les chapitres I, II, IV et V du présent "
        "rapport sur les travaux de sa quatrième réunion."
    ),
}
SEED_DOCUMENTS = (
    "Ordre du jour provisoire annoté (CTOC/COP/WG.4/2021/1) ;",
    (
        "Document d’information établi par le Secrétariat et intitulé «  Stratégies efficaces pour "
        "lutter contre l’utilisation des technologies en vue de faciliter la traite des personnes et "
        "pour prévenir la traite et enquêter sur ce type d’infraction » (CTOC/COP/WG.4/2021/2) ;"
    ),
    (
        "Document d’information établi par le Secrétariat et intitulé «  Mesures destinées à renforcer "
        "les politiques de passation des marchés publics aux niveaux national, régional et international "
        "» (CTOC/COP/WG.4/2021/3) ;"
    ),
    (
        "Recueil thématique établi par le Secrétariat et rassemblant les documents d’information dont le "
        "Groupe de travail sur la traite des personnes a été saisi depuis sa première réunion "
        "(CTOC/COP/WG.4/2021/5)."
    ),
)
SEED_PARTIES = (
    "Afghanistan, Afrique du Sud, Albanie, Algérie, Allemagne, Angola, Arabie saoudite, Argentine, Arménie, "
    "Australie, Autriche, Azerbaïdjan, Bahamas, Bahreïn, Bangladesh, Bélarus, Belgique, Bolivie (État plurinational "
    "de), Brésil, Bulgarie, Burundi, Canada, Chili, Chine, Chypre, Colombie, Costa Rica, Cuba, Égypte, El Salvador, "
    "Équateur, Espagne, États-Unis, Fédération de Russie, Finlande, France, Gambie, Géorgie, Grèce, Guatemala, "
    "Honduras, Hongrie, Inde, Indonésie, Iraq, Israël, Italie, Japon, Koweït, Lettonie, Liban, Libye, Lituanie, "
    "Malaisie, Malte, Maroc, Mexique, Mongolie, Myanmar, Nigéria, Norvège, Nouvelle-Zélande, Oman, Pakistan, Panama, "
    "Paraguay, Pays-Bas, Pérou, Pologne, Portugal, Qatar, République de Corée, République dominicaine, Roumanie, "
    "Royaume-Uni, Saint-Marin, Sénégal, Serbie, Singapour, Slovaquie, Slovénie, Soudan, Sri Lanka, Suède, Suisse, "
    "Tchéquie, Thaïlande, Trinité-et-Tobago, Tunisie, Turquie, Ukraine, Union européenne, Uruguay, "
    "Venezuela (République bolivarienne du)"
).split(", ")
SEED_OBSERVER_STATES = ("Bhoutan", "Iran (République islamique d’)", "Moldova", "Pakistan", "Yémen")
SEED_ORGANIZATIONS = ("Conseil de l’Europe", "Eurojust", "Organisation internationale pour les migrations (OIM)")
SEED_SPEAKERS_ON_ITEM_2 = (
    "Arménie, Australie, Bahamas, Bangladesh, Canada, Chili, Chine, Colombie, États-Unis, Gambie, Guatemala, "
    "Indonésie, Union européenne, Venezuela (République bolivarienne du)"
).split(", ")
SEED_PANELLISTS = (
    ("item-2", "Helga Gayer", "Allemagne"),
    ("item-2", "Juan Francisco Espinosa Palacios", "Colombie"),
    ("item-2", "Alexandra Gelber", "États-Unis"),
    ("item-2", "Carina Sanchez Fernandez", "Paraguay"),
    ("item-3", "Porter Glock", "États-Unis"),
    ("item-3", "Dominique Lambert", "France"),
    ("item-3", "Cecilia Alejandra Tello Guerrero", "Pérou"),
)
SEED_LISTINGS = {
    14: Listing(kind="panellists", agenda_item_id="item-2"),
    15: Listing(kind="panellists", agenda_item_id="item-3"),
    16: Listing(kind="statements", agenda_item_id="item-2", category="party"),
    18: Listing(kind="agenda"),
    21: Listing(kind="participants", category="party"),
    22: Listing(kind="participants", category="observer_state"),
    25: Listing(kind="participants", category="intergovernmental_organization"),
}
# Chapters, then sections, by the paragraphs they hold: (title, own paragraphs, ((section title, paragraphs), …))
SEED_OUTLINE = (
    ("Introduction", (1, 2, 3), ()),
    (
        "Recommandations",
        (4,),
        (("Recommandations générales", (5,)), ("Technologies", (6,)), ("Marchés publics", (7,))),
    ),
    (
        "Résumé des délibérations",
        (8,),
        (("Stratégies efficaces", (9,)), ("Passation des marchés publics", (10,)), ("Questions diverses", (11,))),
    ),
    (
        "Organisation de la réunion",
        (),
        (
            ("Ouverture de la réunion", (12, 13)),
            ("Déclarations", (14, 15, 16, 17)),
            ("Adoption de l’ordre du jour et organisation des travaux", (18, 19, 20)),
            ("Participation", (21, 22, 23, 24, 25, 26)),
            ("Documentation", (27,)),
        ),
    ),
    ("Adoption du rapport", (28,), ()),
)


def seed_paragraph(number: int, texts: dict[int, str]) -> Paragraph:
    items = tuple(SubItem(f"doc-{n}", text) for n, text in enumerate(SEED_DOCUMENTS)) if number == 27 else ()
    return Paragraph(id=f"paragraph-{number}", text=texts[number], items=items, listing=SEED_LISTINGS.get(number))


def seed_report(adopted: tuple[int, ...] = (), texts: dict[int, str] | None = None) -> Report:
    """The seed as imported; `adopted` marks chapters (1 = I) adopted, `texts` replaces paragraphs."""
    texts = {**SEED_TEXTS, **(texts or {})}
    chapters = tuple(
        Chapter(
            id=f"chapter-{n}",
            title=title,
            paragraphs=tuple(seed_paragraph(p, texts) for p in own),
            sections=tuple(
                Section(id=f"section-{n}-{s}", title=s_title, paragraphs=tuple(seed_paragraph(p, texts) for p in ps))
                for s, (s_title, ps) in enumerate(sections, start=1)
            ),
            adopted=n in adopted,
        )
        for n, (title, own, sections) in enumerate(SEED_OUTLINE, start=1)
    )
    participants = [
        *(("party", name) for name in SEED_PARTIES),
        *(("observer_state", name) for name in SEED_OBSERVER_STATES),
        ("non_member_observer_state", "Saint-Siège"),
        ("observer_entity", "Ordre souverain de Malte"),
        *(("intergovernmental_organization", name) for name in SEED_ORGANIZATIONS),
    ]
    statements = [
        *(("party", name) for name in SEED_SPEAKERS_ON_ITEM_2),
        ("observer_state", "Iran (République islamique d’)"),
    ]
    return Report(
        id="seed",
        title="Projet de rapport",
        details=SEED_DETAILS,
        chapters=chapters,
        agenda=tuple(
            AgendaItem(id=f"item-{n}", title=title)
            for n, title in enumerate(
                ("Questions d’organisation", "Stratégies efficaces", "Mesures", "Questions diverses", "Adoption du rapport"),
                start=1,
            )
        ),
        statements=tuple(
            Statement(id=f"statement-{n}", agenda_item_id="item-2", category=category, delegation=name)
            for n, (category, name) in enumerate(statements)
        ),
        participants=tuple(
            Participant(id=f"participant-{n}", category=category, name=name)
            for n, (category, name) in enumerate(participants)
        ),
        panellists=tuple(
            Panellist(id=f"panellist-{n}", agenda_item_id=item, name=name, delegation=delegation)
            for n, (item, name, delegation) in enumerate(SEED_PANELLISTS)
        ),
    )


def report_of(
    *paragraphs: Paragraph | str, chapters: int = 1, adopted: tuple[int, ...] = (), details: Details = Details(), **data
) -> Report:
    """One report whose first chapter holds `paragraphs` (texts become paragraphs p1, p2…)."""
    own = tuple(
        p if isinstance(p, Paragraph) else Paragraph(id=f"p{n}", text=p) for n, p in enumerate(paragraphs, start=1)
    )
    return Report(
        id="report",
        title="Projet de rapport",
        details=details,
        chapters=tuple(
            Chapter(id=f"c{n}", title=f"Chapitre {n}", paragraphs=own if n == 1 else (), adopted=n in adopted)
            for n in range(1, chapters + 1)
        ),
        **data,
    )


def where(findings: list[Finding]) -> list[tuple[int | None, str]]:
    return [(finding.paragraph, finding.code) for finding in findings]


def only(code: str, findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.code == code]


# --- the seed -----------------------------------------------------------------------------


def test_seed_draft_shows_its_placeholders_its_two_real_inconsistencies_and_its_premature_adoption() -> None:
    assert where(check(seed_report())) == [
        *[(10, "unresolved_placeholder")] * 5,
        *[(11, "unresolved_placeholder")] * 2,
        (16, "unresolved_placeholder"),
        (22, "participant_in_two_categories"),
        (28, "adoption_mismatch"),
        (28, "ordinal_inconsistent"),
    ]


def test_seed_findings_name_what_is_wrong() -> None:
    findings = check(seed_report())

    assert findings[0].message == (
        "Placeholder [sa/ses 2e et 3e] is still to be filled: « À [sa/ses 2e et 3e] séance[s], tenue[s] le[s] [12 »."
    )
    assert findings[7].message == "Placeholder […] is still to be filled: « s au Protocole suivantes : (list). […] »."
    assert only("participant_in_two_categories", findings)[0].message == (
        "« Pakistan » is listed among the observer States and also among the States parties (paragraph 21)."
    )
    assert only("ordinal_inconsistent", findings)[0].message == (
        "« sa quatrième réunion » makes this the 4th meeting, but the report is of the 11th meeting."
    )
    assert only("adoption_mismatch", findings)[0].message == (
        "« adopté les chapitres I, II, IV et V », but no chapter is adopted yet."
    )


def test_seed_adoption_paragraph_is_right_once_chapters_i_ii_iv_and_v_are_adopted() -> None:
    assert only("adoption_mismatch", check(seed_report(adopted=(1, 2, 4, 5)))) == []


def test_seed_adoption_paragraph_is_wrong_again_when_chapter_iii_is_adopted_too() -> None:
    (finding,) = only("adoption_mismatch", check(seed_report(adopted=(1, 2, 3, 4, 5))))
    assert finding.message.endswith("but only chapters I, II, III, IV and V are adopted.")


def test_seed_sitting_held_after_the_meeting_ended_is_dated_outside_it() -> None:
    later = "À sa 5e séance, le 15 octobre 2021, le Groupe de travail a examiné le point 4 de l’ordre du jour."
    (finding,) = only("date_outside_meeting", check(seed_report(texts={11: later})))
    assert finding == Finding(
        code="date_outside_meeting",
        paragraph=11,
        message="« 15 octobre 2021 » (2021-10-15) is outside the meeting's dates, 2021-10-12 to 2021-10-13.",
    )


def test_seed_with_its_placeholders_filled_and_report_corrected_has_only_the_double_listing_left() -> None:
    corrected = seed_report(
        adopted=(1, 2, 4, 5),
        texts={
            10: SEED_TEXTS[10].replace(
                "[sa/ses 2e et 3e] séance[s], tenue[s] le[s] [12 et 13]", "ses 2e et 3e séances, tenues les 12 et 13"
            ),
            11: SEED_TEXTS[11].replace("[4e]", "4e").replace("[13]", "13"),
            16: SEED_TEXTS[16].removesuffix(" […]"),
            28: SEED_TEXTS[28].replace("quatrième", "onzième"),
        },
    )
    assert where(check(corrected)) == [(22, "participant_in_two_categories")]


# --- unresolved_placeholder ---------------------------------------------------------------


def test_each_placeholder_is_quoted_with_the_words_around_it() -> None:
    assert check(report_of("Introduction.", "À sa [4e] séance, le Groupe de travail a examiné le point 4.")) == [
        Finding(
            code="unresolved_placeholder",
            paragraph=2,
            message="Placeholder [4e] is still to be filled: « À sa [4e] séance, le Groupe de travail ».",
        )
    ]


def test_text_without_brackets_has_nothing_left_to_fill() -> None:
    assert check(report_of("À sa 4e séance, le Groupe de travail a examiné le point 4.")) == []


# --- participant_in_two_categories --------------------------------------------------------


def test_name_in_two_categories_is_found_whatever_its_accents_and_case() -> None:
    report = report_of(
        "Participation.",
        participants=(
            Participant(id="a", category="signatory", name="EQUATEUR"),
            Participant(id="b", category="party", name="Équateur"),
            Participant(id="c", category="party", name="Chili"),
            Participant(id="d", category="observer_state", name="Bhoutan"),
        ),
    )
    assert check(report) == [
        Finding(
            code="participant_in_two_categories",
            paragraph=None,
            message="« EQUATEUR » is listed among the signatory States and also among the States parties.",
        )
    ]


def test_double_listing_is_shown_at_the_listing_of_the_category_that_comes_later_in_the_report() -> None:
    report = report_of(
        Paragraph(id="parties", text=f"Parties : {LIST_MARK}.", listing=Listing(kind="participants", category="party")),
        Paragraph(
            id="observers",
            text=f"Observateurs : {LIST_MARK}.",
            listing=Listing(kind="participants", category="observer_state"),
        ),
        participants=(
            Participant(id="a", category="observer_state", name="Pakistan"),
            Participant(id="b", category="party", name="Pakistan"),
        ),
    )
    assert where(check(report)) == [(2, "participant_in_two_categories")]


def test_names_listed_once_each_raise_nothing() -> None:
    participants = tuple(
        Participant(id=name, category=category, name=name)
        for category, name in (("party", "Chili"), ("observer_state", "Bhoutan"), ("ngo", "Chili Libre"))
    )
    assert check(report_of("Participation.", participants=participants)) == []


# --- statement_by_non_participant ---------------------------------------------------------

STATEMENTS_ON_ITEM_2 = (
    Paragraph(
        id="parties-spoke",
        text=f"Au titre du point 2, des déclarations ont été faites par : {LIST_MARK}.",
        listing=Listing(kind="statements", agenda_item_id="item-2", category="party"),
    ),
    Paragraph(
        id="observers-spoke",
        text=f"Les observateurs des États suivants ont également fait une déclaration : {LIST_MARK}.",
        listing=Listing(kind="statements", agenda_item_id="item-2", category="observer_state"),
    ),
)
AGENDA = (
    AgendaItem(
        id="item-1",
        title="Questions d’organisation",
        sub_items=(AgendaItem(id="item-1-a", title="Ouverture"), AgendaItem(id="item-1-b", title="Ordre du jour")),
    ),
    AgendaItem(id="item-2", title="Stratégies efficaces"),
)
PRESENT = (
    Participant(id="chile", category="party", name="Chili"),
    Participant(id="iran", category="observer_state", name="Iran (République islamique d’)"),
)


def statement(delegation: str, category: str = "observer_state", item: str = "item-2") -> Statement:
    return Statement(id=delegation, agenda_item_id=item, category=category, delegation=delegation)


def test_statement_by_an_absent_delegation_is_shown_at_the_statements_of_its_category() -> None:
    report = report_of(*STATEMENTS_ON_ITEM_2, agenda=AGENDA, participants=PRESENT, statements=(statement("Ruritanie"),))
    assert check(report) == [
        Finding(
            code="statement_by_non_participant",
            paragraph=2,
            message="« Ruritanie » made a statement under agenda item 2 but is not listed among the participants.",
        )
    ]


def test_statement_with_no_statements_paragraph_for_its_item_is_tied_to_no_paragraph() -> None:
    report = report_of(
        *STATEMENTS_ON_ITEM_2, agenda=AGENDA, participants=PRESENT, statements=(statement("Ruritanie", item="item-1-b"),)
    )
    assert check(report) == [
        Finding(
            code="statement_by_non_participant",
            paragraph=None,
            message="« Ruritanie » made a statement under agenda item 1 b) but is not listed among the participants.",
        )
    ]


def test_statement_by_a_participant_spelled_without_accents_is_fine() -> None:
    spoken = (statement("Iran (Republique islamique d')"), statement("CHILI", "party"))
    assert check(report_of(*STATEMENTS_ON_ITEM_2, agenda=AGENDA, participants=PRESENT, statements=spoken)) == []


def test_chair_and_panellists_speak_without_being_listed_as_participants() -> None:
    spoken = (statement("Afghanistan", "chair"), statement("Helga Gayer", "panellist"))
    assert check(report_of(*STATEMENTS_ON_ITEM_2, agenda=AGENDA, participants=PRESENT, statements=spoken)) == []


def test_statements_are_not_checked_before_any_participant_is_recorded() -> None:
    assert check(report_of(*STATEMENTS_ON_ITEM_2, agenda=AGENDA, statements=(statement("Ruritanie"),))) == []


def test_thousands_of_statements_on_a_long_agenda_are_checked_in_linear_time() -> None:
    """Each statement looked its agenda item and listing up among all of them: 10,000 of each
    took some 15 s of a server's CPU (a crafted report made GET /checks take 11.7 s); now a
    few hundredths. Each finding is still at its item's listing of its category."""
    count = 10_000
    agenda = tuple(AgendaItem(id=f"item-{n}", title="Point") for n in range(count))
    listings = tuple(
        Paragraph(id=f"spoke-{n}", text=LIST_MARK, listing=Listing(kind="statements", agenda_item_id=f"item-{n}", category="party"))
        for n in range(count)
    )
    spoken = tuple(statement(f"Ruritanie {n}", "party", item=f"item-{count - 1 - n}") for n in range(count))
    started = time.perf_counter()
    findings = check(report_of(*listings, agenda=agenda, participants=PRESENT, statements=spoken))
    elapsed = time.perf_counter() - started
    assert [(f.paragraph, f.message) for f in findings[:2]] == [
        (1, f"« Ruritanie {count - 1} » made a statement under agenda item 1 but is not listed among the participants."),
        (2, f"« Ruritanie {count - 2} » made a statement under agenda item 2 but is not listed among the participants."),
    ]
    assert len(findings) == count
    assert elapsed < 2.0, f"{elapsed:.1f} s"


# --- ordinal_inconsistent -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "ordinal"),
    [
        ("Rapport sur les travaux de sa onzième réunion.", 11),
        ("Rapport sur les travaux de la 11e réunion du Groupe de travail sur la traite des personnes.", 11),
        ("Rapport sur sa 1re réunion.", 1),
        ("À sa vingt et unième session, le Groupe de travail a examiné le point 2.", 21),
        ("Rapport sur les travaux de sa soixante-douzième session.", 72),
        ("Rapport sur les travaux de sa quatre-vingt-dix-septième session.", 97),
        ("Le Groupe s’est réuni 10 fois avant celle-ci, qui est donc la onzième.", 11),
        ("Report of the Working Group on its eleventh meeting.", 11),
        ("Report of the Working Group on the work of its 11th meeting.", 11),
        ("At its twenty-first session, the Working Group considered item 2.", 21),
        ("It has met ten times before, and this meeting is therefore the eleventh.", 11),
    ],
)
def test_meeting_ordinal_in_words_or_figures_is_checked_against_the_details(sentence: str, ordinal: int) -> None:
    def findings(expected: int) -> list[Finding]:
        return check(report_of(sentence, details=Details(body=WORKING_GROUP, ordinal=expected)))

    assert findings(ordinal) == []
    (finding,) = findings(ordinal + 1)
    assert (finding.code, finding.paragraph) == ("ordinal_inconsistent", 1)
    assert f"makes this the {ordinal}" in finding.message


def test_english_report_names_its_own_body_after_the_ordinal() -> None:
    report = report_of(
        "Report on the 11th meeting of the Working Group on Trafficking in Persons.",
        "In resolution 10/4, adopted at the tenth session of the Conference of the Parties, the Conference decided…",
        details=Details(body="Working Group on Trafficking in Persons", ordinal=12),
    )
    assert where(check(report)) == [(1, "ordinal_inconsistent")]


def test_body_named_by_its_short_name_is_this_body_but_a_namesake_is_not() -> None:
    report = report_of(
        "La quatrième réunion du Groupe de travail et la suite donnée à ses recommandations.",
        "La dixième réunion du Groupe de travail tenue à Vienne.",
        "La quatrième réunion du Groupe de travail sur le trafic illicite de migrants.",
        details=Details(body=WORKING_GROUP, ordinal=11),
    )
    assert where(check(report)) == [(1, "ordinal_inconsistent"), (2, "ordinal_inconsistent")]


def test_sittings_first_times_and_other_meetings_are_not_this_meetings_ordinal() -> None:
    report = report_of(
        "À ses 1re et 2e séances, tenues le 12 octobre 2021, le Groupe de travail a examiné le point 2.",
        "Le Groupe de travail s’est réuni pour la première fois les 14 et 15 avril 2009.",
        "Le Groupe de travail a tenu sa première réunion à Vienne les 14 et 15 avril 2009.",
        Paragraph(id="p3", text="Documents :", items=(SubItem("d", "Recueil établi depuis sa première réunion."),)),
        "Dans sa résolution 10/4, adoptée à la dixième session de la Conférence des Parties, elle a décidé…",
        "At its 3rd meeting, the Working Group adopted the agenda. At its 4th meeting, on 13 October, it concluded.",
        "At its 1st and 2nd meetings, held on 12 October 2021, the Working Group considered item 2.",
        details=SEED_DETAILS,
    )
    assert check(report) == []


def test_wrong_ordinal_dated_within_the_meeting_is_still_found() -> None:
    report = report_of(
        "Rapport sur les travaux de sa quatrième réunion, tenue à Vienne les 12 et 13 octobre 2021.",
        details=SEED_DETAILS,
    )
    assert where(check(report)) == [(1, "ordinal_inconsistent")]


def test_without_a_known_ordinal_the_mention_that_disagrees_with_the_others_is_found() -> None:
    report = report_of(
        "Le Groupe de travail a tenu 10 réunions avant celle-ci, qui est donc la onzième.",
        "Le projet d’organisation des travaux de la onzième réunion du Groupe de travail.",
        "Le Groupe de travail a adopté le rapport sur les travaux de sa quatrième réunion.",
        details=Details(body=WORKING_GROUP),
    )
    assert check(report) == [
        Finding(
            code="ordinal_inconsistent",
            paragraph=3,
            message=(
                "« sa quatrième réunion » makes this the 4th meeting, "
                "but paragraph 1 makes it the 11th (« est donc la onzième »)."
            ),
        )
    ]


def test_without_a_known_ordinal_agreeing_mentions_raise_nothing() -> None:
    report = report_of("Il s’agit donc de la onzième réunion.", "Travaux de sa onzième réunion.")
    assert check(report) == []


# --- date_outside_meeting -----------------------------------------------------------------

OCTOBER_12_13 = Details(first_date=date(2021, 10, 12), last_date=date(2021, 10, 13))


def test_sitting_in_english_dated_outside_the_meeting_is_found() -> None:
    report = report_of(
        "At its 1st and 2nd meetings, held on 12 and 13 October 2021, the Working Group considered item 2.",
        "At its 5th meeting, on 15 October 2021, the Working Group adopted the agenda.",
        details=OCTOBER_12_13,
    )
    assert check(report) == [
        Finding(
            code="date_outside_meeting",
            paragraph=2,
            message="« 15 October 2021 » (2021-10-15) is outside the meeting's dates, 2021-10-12 to 2021-10-13.",
        )
    ]


def test_only_the_days_of_a_span_that_fall_outside_the_meeting_are_named() -> None:
    report = report_of(
        "À ses 1re et 2e séances, tenues les 12 et 15 octobre 2021, le Groupe de travail a examiné le point 2.",
        "Le Groupe de travail a adopté l’ordre du jour à ses séances tenues du 30 septembre au 1er octobre 2021.",
        details=Details(first_date=date(2021, 10, 1), last_date=date(2021, 10, 12)),
    )
    assert [f.message.split(" is ")[0] for f in check(report)] == [
        "« 12 et 15 octobre 2021 » (2021-10-15)",
        "« 30 septembre au 1er octobre 2021 » (2021-09-30)",
    ]


def test_dates_of_other_events_are_not_the_meetings_business() -> None:
    report = report_of(
        "Le Groupe de travail s’est réuni pour la première fois les 14 et 15 avril 2009.",
        "Le Bureau l’a approuvé le 11 août 2021. Ce résumé n’a pas été adopté au cours de la réunion.",
        "The Bureau approved it on 11 August 2021. The summary was not adopted at the meeting.",
        "The Working Group met for the first time on 14 and 15 April 2009 and has held 10 meetings since.",
        "À sa 1re séance, le Groupe de travail était saisi du document CTOC/COP/WG.4/2021/1, 12 octobre 2021.",
        details=OCTOBER_12_13,
    )
    assert check(report) == []


def test_dates_are_not_checked_until_both_meeting_dates_are_known() -> None:
    sitting = "À sa 5e séance, le 15 octobre 2021, le Groupe de travail a adopté l’ordre du jour."
    assert check(report_of(sitting, details=Details(first_date=date(2021, 10, 12)))) == []
    assert where(check(report_of(sitting, details=OCTOBER_12_13))) == [(1, "date_outside_meeting")]


# --- adoption_mismatch --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "adopted"),
    [
        ("Le 13 octobre 2021, le Groupe de travail a adopté les chapitres I, II, IV et V du présent rapport.", (1, 2, 4, 5)),
        ("Le Groupe de travail a adopté les chapitres I à III du présent rapport.", (1, 2, 3)),
        ("Le Groupe de travail a adopté le chapitre II.", (2,)),
        ("On 13 October 2021, the Working Group adopted chapters I, II, IV and V of the present report.", (1, 2, 4, 5)),
        ("The Working Group adopted chapters I–III of the present report.", (1, 2, 3)),
    ],
)
def test_adoption_paragraph_agrees_with_the_chapters_adopted(sentence: str, adopted: tuple[int, ...]) -> None:
    assert check(report_of(sentence, chapters=5, adopted=adopted)) == []
    (finding,) = check(report_of(sentence, chapters=5, adopted=adopted[1:]))
    assert (finding.code, finding.paragraph) == ("adoption_mismatch", 1)


def test_adoption_paragraph_naming_a_chapter_that_does_not_exist_is_found() -> None:
    report = report_of("The Working Group adopted chapters I and VI of the present report.", chapters=5, adopted=(1,))
    assert check(report) == [
        Finding(
            code="adoption_mismatch",
            paragraph=1,
            message="« adopted chapters I and VI », but the report has no chapter VI (it has 5).",
        )
    ]
    report = report_of("Le Groupe de travail a adopté les chapitres I, VI et VII.", chapters=5, adopted=(1, 2))
    assert check(report) == [
        Finding(
            code="adoption_mismatch",
            paragraph=1,
            message=(
                "« adopté les chapitres I, VI et VII », but the report has no chapters VI and VII (it has 5) "
                "and only chapters I and II are adopted."
            ),
        )
    ]


def test_generated_adoption_paragraph_is_not_read_as_prose() -> None:
    generated = Paragraph(
        id="adoption",
        text=f"Le Groupe de travail a adopté les chapitres I et II {LIST_MARK}.",
        listing=Listing(kind="adoption"),
    )
    assert check(report_of(generated, chapters=3)) == []


# --- the list as a whole ------------------------------------------------------------------


def test_findings_come_in_paragraph_order_then_by_code_with_those_tied_to_no_paragraph_last() -> None:
    report = report_of(
        (
            "Le 13 octobre 2021, le Groupe de travail a adopté les chapitres I et II sur les travaux de sa "
            "dixième réunion."
        ),
        "À sa [5e] séance, le 14 octobre 2021, le Groupe de travail a examiné le point 4.",
        chapters=2,
        details=Details(ordinal=11, first_date=date(2021, 10, 12), last_date=date(2021, 10, 13)),
        participants=(
            Participant(id="a", category="party", name="Pakistan"),
            Participant(id="b", category="observer_state", name="Pakistan"),
        ),
    )
    assert where(check(report)) == [
        (1, "adoption_mismatch"),
        (1, "ordinal_inconsistent"),
        (2, "date_outside_meeting"),
        (2, "unresolved_placeholder"),
        (None, "participant_in_two_categories"),
    ]


def test_a_finding_is_an_immutable_value_that_travels_as_json() -> None:
    finding = Finding(code="unresolved_placeholder", paragraph=10, message="Placeholder [13] is still to be filled.")
    with pytest.raises(AttributeError):
        finding.paragraph = 11  # type: ignore[misc]
    assert msgspec.json.decode(msgspec.json.encode(finding), type=Finding) == finding
    assert msgspec.json.encode(finding) == (
        b'{"code":"unresolved_placeholder","paragraph":10,"message":"Placeholder [13] is still to be filled."}'
    )


def test_empty_report_has_nothing_to_report() -> None:
    assert check(Report(id="empty", title="Projet de rapport")) == []
