"""The plain-text view: numbers follow position, never stored ids."""

from events.commands import RemoveParagraph
from events.model import Report
from events.render.text import render_text
from tests.events.builders import created

DECISION_4_4 = "Dans sa décision 4/4, la Conférence des Parties…"
RESOLUTION_7_1 = "Dans sa résolution 7/1, intitulée « Renforcement de l’application… »"
FIRST_MEETING = "Le Groupe de travail sur la traite des personnes s’est réuni pour la première fois…"
VIENNA = "À la réunion qu’il a tenue à Vienne les 12 et 13 octobre 2021…"
MEASURES = "Le Groupe de travail a recommandé à la Conférence des Parties d’envisager…"


def test_paragraphs_are_numbered_continuously_across_chapters_and_sections() -> None:
    drafting = created()
    introduction = drafting.add_chapter("Introduction")
    for text in (DECISION_4_4, RESOLUTION_7_1, FIRST_MEETING):
        drafting.add_paragraph(introduction, text)
    recommendations = drafting.add_chapter("Recommandations")
    drafting.add_paragraph(recommendations, VIENNA)
    for title in ("Recommandations générales", "Recommandations concernant les stratégies efficaces"):
        section = drafting.add_section(recommendations, title)
        drafting.add_paragraph(recommendations, MEASURES, section_id=section)
    summary = drafting.add_chapter("Résumé des délibérations")
    drafting.add_paragraph(summary, "À l’issue de la réunion, le Secrétariat a établi…")

    assert render_text(drafting.report) == (
        "Projet de rapport\n"
        "\n"
        "I. Introduction\n"
        "\n"
        f"1. {DECISION_4_4}\n"
        "\n"
        f"2. {RESOLUTION_7_1}\n"
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
    drafting = created()
    recommendations = drafting.add_chapter("Recommandations")
    general = drafting.add_section(recommendations, "Recommandations générales")
    drafting.add_paragraph(recommendations, MEASURES, section_id=general)
    drafting.add_paragraph(recommendations, VIENNA)

    lines = render_text(drafting.report).splitlines()

    assert lines[4:9] == [f"1. {VIENNA}", "", "A. Recommandations générales", "", f"2. {MEASURES}"]


def test_removing_a_paragraph_renumbers_the_paragraphs_after_it() -> None:
    drafting = created()
    introduction = drafting.add_chapter("Introduction")
    first, second, third = (drafting.add_paragraph(introduction, t) for t in ("Un.", "Deux.", "Trois."))
    drafting.submit(RemoveParagraph(paragraph_id=first))

    assert render_text(drafting.report).endswith("I. Introduction\n\n1. Deux.\n\n2. Trois.\n")
    assert [p.id for p in drafting.report.all_paragraphs()] == [second, third]


def test_sections_are_lettered_afresh_in_each_chapter() -> None:
    drafting = created()
    for chapter_title in ("Résumé des délibérations", "Organisation de la réunion"):
        chapter = drafting.add_chapter(chapter_title)
        drafting.add_section(chapter, "Ouverture de la réunion")
        drafting.add_section(chapter, "Déclarations")

    headings = [line for line in render_text(drafting.report).splitlines() if line[:3] in ("A. ", "B. ")]

    assert headings == ["A. Ouverture de la réunion", "B. Déclarations"] * 2


def test_an_empty_report_renders_as_its_title() -> None:
    assert render_text(Report(id="r", title="Projet de rapport")) == "Projet de rapport\n"


def test_a_twenty_seventh_section_is_lettered_aa() -> None:
    drafting = created()
    chapter = drafting.add_chapter("Participation")
    for number in range(27):
        drafting.add_section(chapter, f"Section {number + 1}")

    assert render_text(drafting.report).splitlines()[-1] == "AA. Section 27"
