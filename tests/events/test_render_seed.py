"""The seed report (a French draft of 2021) as data, and what every view makes of it.

`seed_report()` builds the Report struct directly, without commands, so these tests depend on
the model alone. Its generated paragraphs (14, 15, 16, 18, 21, 22, 27, 28) hold LIST_MARK and
get their lists from recorded statements, participants, panellists, documents, agenda and
adopted chapters; the exact words the seed prints are the expected output.
"""

import io

import docx
import msgspec

from events.model import (
    LIST_MARK,
    AgendaItem,
    Chapter,
    Document,
    Listing,
    Panellist,
    Paragraph,
    Participant,
    Report,
    Section,
    Statement,
    SubItem,
)
from events.render.docx import render_docx
from events.render.html import render_html
from events.render.markdown import render_markdown
from events.render.text import render_text
from tests.events.meeting import DETAILS

NBSP, NNBSP = "\u00a0", "\u202f"

STATES_PARTIES = (
    "Afghanistan, Afrique du Sud, Albanie, Algérie, Allemagne, Angola, Arabie saoudite, Argentine, Arménie, "
    "Australie, Autriche, Azerbaïdjan, Bahamas, Bahreïn, Bangladesh, Bélarus, Belgique, "
    "Bolivie (État plurinational de), Brésil, Bulgarie, Burundi, Canada, Chili, Chine, Chypre, Colombie, "
    "Costa Rica, Cuba, Égypte, El Salvador, Équateur, Espagne, États-Unis, Fédération de Russie, Finlande, "
    "France, Gambie, Géorgie, Grèce, Guatemala, Honduras, Hongrie, Inde, Indonésie, Iraq, Israël, Italie, "
    "Japon, Koweït, Lettonie, Liban, Libye, Lituanie, Malaisie, Malte, Maroc, Mexique, Mongolie, Myanmar, "
    "Nigéria, Norvège, Nouvelle-Zélande, Oman, Pakistan, Panama, Paraguay, Pays-Bas, Pérou, Pologne, "
    "Portugal, Qatar, République de Corée, République dominicaine, Roumanie, Royaume-Uni, Saint-Marin, "
    "Sénégal, Serbie, Singapour, Slovaquie, Slovénie, Soudan, Sri Lanka, Suède, Suisse, Tchéquie, "
    "Thaïlande, Trinité-et-Tobago, Tunisie, Turquie, Ukraine, Union européenne, Uruguay, "
    "Venezuela (République bolivarienne du)"
).split(", ")
SPEAKERS_ON_ITEM_2 = (
    "Arménie", "Australie", "Bahamas", "Bangladesh", "Canada", "Chili", "Chine", "Colombie", "États-Unis",
    "Gambie", "Guatemala", "Indonésie", "Union européenne", "Venezuela (République bolivarienne du)",
)
OBSERVER_STATES = ("Bhoutan", "Iran (République islamique d’)", "Moldova", "Pakistan", "Yémen")

AGENDA = (
    AgendaItem(
        id="item-1",
        title="Questions d’organisation",
        sub_items=(
            AgendaItem(id="item-1a", title="Ouverture de la réunion"),
            AgendaItem(id="item-1b", title="Adoption de l’ordre du jour et organisation des travaux"),
        ),
    ),
    AgendaItem(
        id="item-2",
        title="Stratégies efficaces pour lutter contre l’utilisation des technologies en vue de faciliter "
        "la traite des personnes et pour prévenir la traite et enquêter sur ce type d’infraction",
    ),
    AgendaItem(
        id="item-3",
        title="Mesures destinées à renforcer les politiques de passation des marchés publics aux niveaux "
        "national, régional et international",
    ),
    AgendaItem(id="item-4", title="Questions diverses"),
    AgendaItem(id="item-5", title="Adoption du rapport"),
)
DOCUMENTS = (
    Document(id="doc-1", symbol="CTOC/COP/WG.4/2021/1", title="Ordre du jour provisoire annoté"),
    Document(
        id="doc-2",
        symbol="CTOC/COP/WG.4/2021/2",
        title="Document d’information établi par le Secrétariat et intitulé « Stratégies efficaces pour "
        "lutter contre l’utilisation des technologies en vue de faciliter la traite des personnes et pour "
        "prévenir la traite et enquêter sur ce type d’infraction »",
    ),
    Document(
        id="doc-3",
        symbol="CTOC/COP/WG.4/2021/3",
        title="Document d’information établi par le Secrétariat et intitulé « Mesures destinées à renforcer "
        "les politiques de passation des marchés publics aux niveaux national, régional et international »",
    ),
    Document(
        id="doc-4",
        symbol="CTOC/COP/WG.4/2021/5",
        title="Recueil thématique établi par le Secrétariat et rassemblant les documents d’information dont "
        "le Groupe de travail sur la traite des personnes a été saisi depuis sa première réunion",
    ),
)
PANELLISTS = (
    Panellist(id="pa-1", agenda_item_id="item-2", name="Carina Sanchez Fernandez", delegation="Paraguay"),
    Panellist(id="pa-2", agenda_item_id="item-2", name="Alexandra Gelber", delegation="États-Unis"),
    Panellist(id="pa-3", agenda_item_id="item-2", name="Helga Gayer", delegation="Allemagne"),
    Panellist(id="pa-4", agenda_item_id="item-2", name="Juan Francisco Espinosa Palacios", delegation="Colombie"),
    Panellist(id="pa-5", agenda_item_id="item-3", name="Dominique Lambert", delegation="France"),
    Panellist(id="pa-6", agenda_item_id="item-3", name="Cecilia Alejandra Tello Guerrero", delegation="Pérou"),
    Panellist(id="pa-7", agenda_item_id="item-3", name="Porter Glock", delegation="États-Unis"),
)


def _statements() -> tuple[Statement, ...]:
    """Item 2's speakers in the order they spoke (not alphabetical), Chine twice, and an observer."""
    order = SPEAKERS_ON_ITEM_2[::-1] + ("Chine",)
    parties = tuple(
        Statement(id=f"st-{number}", agenda_item_id="item-2", category="party", delegation=delegation)
        for number, delegation in enumerate(order)
    )
    observer = Statement(
        id="st-iran", agenda_item_id="item-2", category="observer_state", delegation="Iran (République islamique d’)"
    )
    elsewhere = Statement(id="st-item-3", agenda_item_id="item-3", category="party", delegation="Autriche")
    return (*parties, observer, elsewhere)


def _participants() -> tuple[Participant, ...]:
    parties = [Participant(id=f"party-{n}", category="party", name=name) for n, name in enumerate(STATES_PARTIES)]
    observers = [
        Participant(id=f"observer-{n}", category="observer_state", name=name) for n, name in enumerate(OBSERVER_STATES)
    ]
    return tuple(parties[::2] + observers + parties[1::2])


def _paragraph(number: int, text: str, listing: Listing | None = None, **fields) -> Paragraph:
    return Paragraph(id=f"p-{number}", text=text, listing=listing, **fields)


def _section(key: str, title: str, *paragraphs: Paragraph) -> Section:
    return Section(id=f"s-{key}", title=title, paragraphs=paragraphs)


ITEM_2 = AGENDA[1].title
ITEM_3 = AGENDA[2].title
MEASURES = (
    "Le Groupe de travail a recommandé à la Conférence des Parties d’envisager d’adopter les mesures suivantes :"
)
PANEL = "Sous la conduite de la Présidente, le débat consacré au point {} a été animé par les personnes suivantes : "
COVID = (
    "certains d’entre eux participant à distance en raison des modalités d’organisation particulières liées à la "
    "pandémie de COVID-19"
)


def _introduction() -> Chapter:
    return Chapter(
        id="ch-1",
        title="Introduction",
        adopted=True,
        paragraphs=(
            _paragraph(
                1,
                "Dans sa décision 4/4, la Conférence des Parties à la Convention des Nations Unies contre la "
                "criminalité transnationale organisée a reconnu que le Protocole […]",
            ),
            _paragraph(
                2,
                "Dans sa résolution 7/1, intitulée « Renforcement de l’application de la Convention des Nations "
                "Unies contre la criminalité transnationale organisée et des Protocoles s’y rapportant », la "
                "Conférence des Parties a décidé, entre autres, […]",
            ),
            _paragraph(
                3,
                "Le Groupe de travail sur la traite des personnes s’est réuni pour la première fois les 14 et "
                "15 avril 2009 et a tenu 10 réunions avant celle-ci, qui est donc la onzième.",
            ),
        ),
    )


def _recommendations() -> Chapter:
    return Chapter(
        id="ch-2",
        title="Recommandations",
        adopted=True,
        paragraphs=(
            _paragraph(
                4,
                "À la réunion qu’il a tenue à Vienne les 12 et 13 octobre 2021, le Groupe de travail sur la "
                "traite des personnes a adopté les recommandations présentées ci-après afin que la Conférence "
                "les examine.",
            ),
        ),
        sections=(
            _section(
                "2a",
                "Recommandations générales",
                _paragraph(
                    5,
                    MEASURES,
                    items=(
                        SubItem("r-1", "Les États parties devraient […] ;"),
                        SubItem("r-2", "Les États parties devraient aussi […]."),
                    ),
                    recommendation=True,
                ),
            ),
            _section(
                "2b",
                "Recommandations concernant les stratégies efficaces pour lutter contre l’utilisation des "
                "technologies en vue de faciliter la traite des personnes et pour prévenir la traite et enquêter "
                "sur ce type d’infraction",
                _paragraph(6, MEASURES, recommendation=True),
            ),
            _section(
                "2c",
                "Recommandations concernant les mesures destinées à renforcer les politiques de passation des "
                "marchés publics aux niveaux national, régional et international",
                _paragraph(7, MEASURES, recommendation=True),
            ),
        ),
    )


def _summary() -> Chapter:
    considered = "le Groupe de travail a examiné le point {} de l’ordre du jour, intitulé « {} »."
    return Chapter(
        id="ch-3",
        title="Résumé des délibérations",
        paragraphs=(
            _paragraph(
                8,
                "À l’issue de la réunion, le Secrétariat a établi […] le résumé des délibérations ci-après. Ce "
                "résumé n’a pas fait l’objet de négociations et n’a pas été adopté au cours de la réunion ; il "
                "s’agit plutôt d’un résumé de la Présidente, établi comme suit :",
            ),
        ),
        sections=(
            _section(
                "3a",
                ITEM_2,
                _paragraph(9, "À ses 1re et 2e séances, tenues le 12 octobre 2021, " + considered.format(2, ITEM_2)),
            ),
            _section(
                "3b",
                ITEM_3,
                _paragraph(
                    10,
                    "À [sa/ses 2e et 3e] séance[s], tenue[s] le[s] [12 et 13] octobre 2021, "
                    + considered.format(3, ITEM_3),
                ),
            ),
            _section(
                "3c",
                "Questions diverses",
                _paragraph(11, "À sa [4e] séance, le [13] octobre 2021, " + considered.format(4, "Questions diverses")),
            ),
        ),
    )


def _organization() -> Chapter:
    return Chapter(
        id="ch-4",
        title="Organisation de la réunion",
        adopted=True,
        sections=(
            _section(
                "4a",
                "Ouverture de la réunion",
                _paragraph(
                    12,
                    "Le Groupe de travail sur la traite des personnes s’est réuni à Vienne les 12 et 13 octobre "
                    "2021 et a tenu quatre séances au total.",
                ),
                _paragraph(
                    13,
                    "La réunion a été ouverte par S. E. Manizha Bakhtari (Afghanistan), Présidente du Groupe de "
                    "travail, qui a fait une déclaration […].",
                ),
            ),
            _section(
                "4b",
                "Déclarations",
                _paragraph(14, f"{PANEL.format(2)}{LIST_MARK}.", Listing(kind="panellists", agenda_item_id="item-2")),
                _paragraph(15, f"{PANEL.format(3)}{LIST_MARK}.", Listing(kind="panellists", agenda_item_id="item-3")),
                _paragraph(
                    16,
                    "Au titre du point 2 de l’ordre du jour, des déclarations ont été faites par les représentantes "
                    f"et représentants des Parties au Protocole suivantes : {LIST_MARK}. […]",
                    Listing(kind="statements", agenda_item_id="item-2", category="party"),
                ),
                _paragraph(17, "L’observatrice de la République islamique d’Iran a également fait une déclaration."),
            ),
            _section(
                "4c",
                "Adoption de l’ordre du jour et organisation des travaux",
                _paragraph(
                    18,
                    "À sa 1re séance, le 12 octobre 2021, le Groupe de travail a adopté par consensus l’ordre du "
                    f"jour ci-après : {LIST_MARK}",
                    Listing(kind="agenda"),
                ),
                _paragraph(
                    19,
                    "Comme le Bureau élargi de la Conférence des Parties en était convenu, la réunion s’est tenue "
                    "selon des modalités « hybrides » […].",
                ),
                _paragraph(
                    20,
                    "Pour permettre une utilisation optimale du temps disponible, il n’a été fait aucune "
                    "déclaration générale au cours de la réunion. […]",
                ),
            ),
            _section(
                "4d",
                "Participation",
                _paragraph(
                    21,
                    "Les États énumérés ci-après, parties au Protocole relatif à la traite des personnes, étaient "
                    f"représentés à la réunion, {COVID} : {LIST_MARK}.",
                    Listing(kind="participants", category="party"),
                ),
                _paragraph(
                    22,
                    "Les États énumérés ci-après, qui ne sont ni parties au Protocole relatif à la traite des "
                    "personnes, ni signataires de celui-ci, étaient représentés par des observateurs ou "
                    f"observatrices, {COVID} : {LIST_MARK}.",
                    Listing(kind="participants", category="observer_state"),
                ),
                _paragraph(
                    23,
                    "Le Saint-Siège, État non membre qui maintient une mission d’observation permanente, était "
                    "représenté par des observateurs.",
                ),
                _paragraph(
                    24,
                    "L’Ordre souverain de Malte, entité ayant une mission permanente d’observation, était représenté "
                    "par un observateur.",
                ),
                _paragraph(
                    25,
                    "Les organisations intergouvernementales et entités des Nations Unies ci-après étaient "
                    f"représentées par des observateurs ou observatrices, {COVID} : […]",
                ),
                _paragraph(
                    26,
                    "La liste des participantes et participants est publiée sous la cote "
                    "CTOC/COP/WG.4/2021/INF/1/Rev.1 (https://undocs.org/fr/CTOC/COP/WG.4/2021/INF/1/Rev.1).",
                ),
            ),
            _section(
                "4e",
                "Documentation",
                _paragraph(
                    27, f"Le Groupe de travail était saisi des documents suivants : {LIST_MARK}", Listing(kind="documents")
                ),
            ),
        ),
    )


def _adoption() -> Chapter:
    return Chapter(
        id="ch-5",
        title="Adoption du rapport",
        adopted=True,
        paragraphs=(
            _paragraph(
                28,
                f"Le 13 octobre 2021, le Groupe de travail a adopté les chapitres {LIST_MARK} du présent rapport sur "
                "les travaux de sa quatrième réunion.",
                Listing(kind="adoption"),
            ),
        ),
    )


def seed_report() -> Report:
    """The seed as data: its 28 paragraphs under its headings, its lists as recorded facts."""
    return Report(
        id="report-2021",
        title="Projet de rapport",
        details=DETAILS,
        chapters=(_introduction(), _recommendations(), _summary(), _organization(), _adoption()),
        agenda=AGENDA,
        statements=_statements(),
        participants=_participants(),
        panellists=PANELLISTS,
        documents=DOCUMENTS,
    )


def seed_paragraphs(text: str) -> dict[int, str]:
    """Each numbered paragraph of a plain-text rendering, with the lines set out below it."""
    paragraphs: dict[int, str] = {}
    for block in text.rstrip("\n").split("\n\n"):
        number, dot, rest = block.partition(". ")
        if number.isdigit() and dot:
            paragraphs[int(number)] = rest
    return paragraphs


def test_the_seed_renders_its_headings_and_numbers_in_the_seed_s_order() -> None:
    blocks = render_text(seed_report()).rstrip("\n").split("\n\n")
    headings = [block for block in blocks if not block.partition(". ")[0].isdigit()]

    assert headings == [
        "Projet de rapport",
        "I. Introduction",
        "II. Recommandations",
        "A. Recommandations générales",
        "B. Recommandations concernant les stratégies efficaces pour lutter contre l’utilisation des technologies "
        "en vue de faciliter la traite des personnes et pour prévenir la traite et enquêter sur ce type d’infraction",
        "C. Recommandations concernant les mesures destinées à renforcer les politiques de passation des marchés "
        "publics aux niveaux national, régional et international",
        "III. Résumé des délibérations",
        f"A. {ITEM_2}",
        f"B. {ITEM_3}",
        "C. Questions diverses",
        "IV. Organisation de la réunion",
        "A. Ouverture de la réunion",
        "B. Déclarations",
        "C. Adoption de l’ordre du jour et organisation des travaux",
        "D. Participation",
        "E. Documentation",
        "V. Adoption du rapport",
    ]
    assert list(seed_paragraphs(render_text(seed_report()))) == list(range(1, 29))


def test_the_generated_paragraphs_read_as_the_seed_prints_them() -> None:
    paragraphs = seed_paragraphs(render_text(seed_report()))

    assert paragraphs[14] == (
        f"{PANEL.format(2)[:-3]}{NBSP}: Helga Gayer (Allemagne), Juan Francisco Espinosa Palacios (Colombie), "
        "Alexandra Gelber (États-Unis), Carina Sanchez Fernandez (Paraguay)."
    )
    assert paragraphs[15] == (
        f"{PANEL.format(3)[:-3]}{NBSP}: Porter Glock (États-Unis), Dominique Lambert (France), "
        "Cecilia Alejandra Tello Guerrero (Pérou)."
    )
    assert paragraphs[16] == (
        "Au titre du point 2 de l’ordre du jour, des déclarations ont été faites par les représentantes et "
        f"représentants des Parties au Protocole suivantes{NBSP}: Arménie, Australie, Bahamas, Bangladesh, "
        "Canada, Chili, Chine, Colombie, États-Unis, Gambie, Guatemala, Indonésie, Union européenne et "
        "Venezuela (République bolivarienne du). […]"
    )
    assert paragraphs[21].endswith(f"COVID-19{NBSP}: {', '.join(STATES_PARTIES[:-1])} et {STATES_PARTIES[-1]}.")
    assert paragraphs[22].endswith(
        f"COVID-19{NBSP}: Bhoutan, Iran (République islamique d’), Moldova, Pakistan et Yémen."
    )
    assert paragraphs[28] == (
        "Le 13 octobre 2021, le Groupe de travail a adopté les chapitres I, II, IV et V du présent rapport sur "
        "les travaux de sa quatrième réunion."
    )


def test_the_agenda_and_the_documents_are_set_out_below_their_paragraphs() -> None:
    paragraphs = seed_paragraphs(render_text(seed_report()))

    assert paragraphs[18].splitlines() == [
        f"À sa 1re séance, le 12 octobre 2021, le Groupe de travail a adopté par consensus l’ordre du jour "
        f"ci-après{NBSP}:",
        f"    1. Questions d’organisation{NBSP}:",
        f"        a) Ouverture de la réunion{NNBSP};",
        "        b) Adoption de l’ordre du jour et organisation des travaux.",
        f"    2. {ITEM_2}.",
        f"    3. {ITEM_3}.",
        "    4. Questions diverses.",
        "    5. Adoption du rapport.",
    ]
    assert paragraphs[27].splitlines() == [
        f"Le Groupe de travail était saisi des documents suivants{NBSP}:",
        f"    a) Ordre du jour provisoire annoté (CTOC/COP/WG.4/2021/1){NNBSP};",
        f"    b) Document d’information établi par le Secrétariat et intitulé «{NBSP}{ITEM_2}{NBSP}» "
        f"(CTOC/COP/WG.4/2021/2){NNBSP};",
        f"    c) Document d’information établi par le Secrétariat et intitulé «{NBSP}{ITEM_3}{NBSP}» "
        f"(CTOC/COP/WG.4/2021/3){NNBSP};",
        f"    d) {DOCUMENTS[3].title} (CTOC/COP/WG.4/2021/5).",
    ]
    assert paragraphs[5].splitlines()[1:] == [
        f"    a) Les États parties devraient […]{NNBSP};",
        "    b) Les États parties devraient aussi […].",
    ]


def test_symbols_and_web_addresses_keep_their_characters() -> None:
    paragraphs = seed_paragraphs(render_text(seed_report()))

    assert "CTOC/COP/WG.4/2021/INF/1/Rev.1 (https://undocs.org/fr/CTOC/COP/WG.4/2021/INF/1/Rev.1)." in paragraphs[26]


def _views(report: Report) -> list[str]:
    document = docx.Document(io.BytesIO(render_docx(report)))
    return [
        render_text(report),
        render_markdown(report),
        render_html(report),
        "\n".join(paragraph.text for paragraph in document.paragraphs),
    ]


def test_no_view_shows_an_id() -> None:
    report = seed_report()
    ids = {report.id, *(p.id for p in report.all_paragraphs()), *(c.id for c in report.chapters)}
    ids |= {statement.id for statement in report.statements} | {item.id for item in AGENDA}
    ids |= {document.id for document in DOCUMENTS} | {panellist.id for panellist in PANELLISTS}

    for view in _views(report):
        assert [identifier for identifier in ids if identifier in view] == []


def test_every_view_is_the_same_for_the_same_report() -> None:
    report = seed_report()
    copy = msgspec.json.decode(msgspec.json.encode(report), type=Report)

    assert _views(report) == _views(copy)
    assert render_docx(report) == render_docx(copy)
