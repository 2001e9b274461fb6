"""The plain-text view: numbers follow position, never stored ids; the seed's layout and typography."""

import msgspec

from events.model import LIST_MARK, Chapter, Details, Document, Listing, Paragraph, Report, Section, SubItem
from events.render.text import render_text

NBSP, NNBSP = "\u00a0", "\u202f"
DECISION_4_4 = "Dans sa décision 4/4, la Conférence des Parties…"
RESOLUTION_7_1 = "Dans sa résolution 7/1, intitulée « Renforcement de l’application… »"
FIRST_MEETING = "Le Groupe de travail sur la traite des personnes s’est réuni pour la première fois…"
VIENNA = "À la réunion qu’il a tenue à Vienne les 12 et 13 octobre 2021…"
MEASURES = "Le Groupe de travail a recommandé à la Conférence des Parties d’envisager…"


def paragraphs(*texts: str, prefix: str = "p") -> tuple[Paragraph, ...]:
    return tuple(Paragraph(id=f"{prefix}-{number}", text=text) for number, text in enumerate(texts))


def report(*chapters: Chapter, language: str = "fr") -> Report:
    return Report(id="r", title="Projet de rapport", details=Details(language=language), chapters=chapters)


def test_paragraphs_are_numbered_continuously_across_chapters_and_sections() -> None:
    drafted = report(
        Chapter(id="c1", title="Introduction", paragraphs=paragraphs(DECISION_4_4, RESOLUTION_7_1, FIRST_MEETING)),
        Chapter(
            id="c2",
            title="Recommandations",
            paragraphs=paragraphs(VIENNA, prefix="c2"),
            sections=(
                Section(id="s1", title="Recommandations générales", paragraphs=paragraphs(MEASURES, prefix="s1")),
                Section(
                    id="s2",
                    title="Recommandations concernant les stratégies efficaces",
                    paragraphs=paragraphs(MEASURES, prefix="s2"),
                ),
            ),
        ),
        Chapter(
            id="c3",
            title="Résumé des délibérations",
            paragraphs=paragraphs("À l’issue de la réunion, le Secrétariat a établi…", prefix="c3"),
        ),
    )

    assert render_text(drafted) == (
        "Projet de rapport\n"
        "\n"
        "I. Introduction\n"
        "\n"
        f"1. {DECISION_4_4}\n"
        "\n"
        f"2. Dans sa résolution 7/1, intitulée «{NBSP}Renforcement de l’application…{NBSP}»\n"
        "\n"
        f"3. {FIRST_MEETING}\n"
        "\n"
        "II. Recommandations\n"
        "\n"
        f"4. {VIENNA}\n"
        "\n"
        "A. Recommandations générales\n"
        "\n"
        f"5. {MEASURES}\n"
        "\n"
        "B. Recommandations concernant les stratégies efficaces\n"
        "\n"
        f"6. {MEASURES}\n"
        "\n"
        "III. Résumé des délibérations\n"
        "\n"
        "7. À l’issue de la réunion, le Secrétariat a établi…\n"
    )


def test_a_chapter_s_own_paragraphs_come_before_its_sections_whatever_the_order_of_drafting() -> None:
    general = Section(id="s", title="Recommandations générales", paragraphs=paragraphs(MEASURES, prefix="s"))
    drafted = report(Chapter(id="c", title="Recommandations", paragraphs=paragraphs(VIENNA), sections=(general,)))

    lines = render_text(drafted).splitlines()

    assert lines[4:9] == [f"1. {VIENNA}", "", "A. Recommandations générales", "", f"2. {MEASURES}"]


def test_removing_a_paragraph_renumbers_the_paragraphs_after_it() -> None:
    first, second, third = paragraphs("Un.", "Deux.", "Trois.")
    before = report(Chapter(id="c", title="Introduction", paragraphs=(first, second, third)))
    after = report(Chapter(id="c", title="Introduction", paragraphs=(second, third)))

    assert render_text(before).endswith("I. Introduction\n\n1. Un.\n\n2. Deux.\n\n3. Trois.\n")
    assert render_text(after).endswith("I. Introduction\n\n1. Deux.\n\n2. Trois.\n")


def test_sections_are_lettered_afresh_in_each_chapter() -> None:
    def chapter(key: str, title: str) -> Chapter:
        sections = (Section(id=f"{key}-a", title="Ouverture de la réunion"), Section(id=f"{key}-b", title="Déclarations"))
        return Chapter(id=key, title=title, sections=sections)

    drafted = report(chapter("c1", "Résumé des délibérations"), chapter("c2", "Organisation de la réunion"))
    headings = [line for line in render_text(drafted).splitlines() if line[:3] in ("A. ", "B. ")]

    assert headings == ["A. Ouverture de la réunion", "B. Déclarations"] * 2


def test_an_empty_report_renders_as_its_title() -> None:
    assert render_text(Report(id="r", title="Projet de rapport")) == "Projet de rapport\n"


def test_a_twenty_seventh_section_is_lettered_aa() -> None:
    sections = tuple(Section(id=f"s{number}", title=f"Section {number}") for number in range(1, 28))
    drafted = report(Chapter(id="c", title="Participation", sections=sections))

    assert render_text(drafted).splitlines()[-1] == "AA. Section 27"


def test_sub_items_and_block_lists_follow_their_paragraph_on_their_own_lines() -> None:
    documents = Paragraph(
        id="p27", text=f"Le Groupe de travail était saisi des documents suivants : {LIST_MARK}", listing=Listing(kind="documents")
    )
    measures = Paragraph(
        id="p5",
        text="Le Groupe de travail a recommandé d’adopter les mesures suivantes :",
        items=(SubItem("a", "Renforcer la coopération ;"), SubItem("b", "Former les enquêteurs.")),
    )
    drafted = msgspec.structs.replace(
        report(Chapter(id="c", title="Organisation de la réunion", paragraphs=(measures, documents))),
        documents=(
            Document(id="d1", symbol="CTOC/COP/WG.4/2021/1", title="Ordre du jour provisoire annoté"),
            Document(id="d2", symbol="CTOC/COP/WG.4/2021/5", title="Recueil thématique"),
        ),
    )

    assert render_text(drafted).split("\n\n")[2:] == [
        f"1. Le Groupe de travail a recommandé d’adopter les mesures suivantes{NBSP}:\n"
        f"    a) Renforcer la coopération{NNBSP};\n"
        "    b) Former les enquêteurs.",
        f"2. Le Groupe de travail était saisi des documents suivants{NBSP}:\n"
        f"    a) Ordre du jour provisoire annoté (CTOC/COP/WG.4/2021/1){NNBSP};\n"
        "    b) Recueil thématique (CTOC/COP/WG.4/2021/5).\n",
    ]


def test_an_english_report_has_no_space_before_its_punctuation() -> None:
    drafted = report(
        Chapter(id="c", title="Introduction", paragraphs=paragraphs("It adopted the following : « a » ; b ?")),
        language="en",
    )

    assert render_text(drafted).endswith("1. It adopted the following: « a »; b?\n")
