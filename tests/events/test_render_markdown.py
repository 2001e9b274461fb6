"""The Markdown view: the numbers of the report, never a viewer's renumbered lists; user text shown as typed."""

import re

from events.model import LIST_MARK, Chapter, Details, Listing, Paragraph, Report, Section, SubItem
from events.render.markdown import escape, render_markdown
from tests.events.test_render_seed import seed_report

NBSP, NNBSP = "\u00a0", "\u202f"


def test_headings_numbered_paragraphs_and_indented_sub_items() -> None:
    drafted = Report(
        id="r",
        title="Projet de rapport",
        chapters=(
            Chapter(id="c1", title="Introduction", paragraphs=(Paragraph(id="p1", text="Dans sa décision 4/4…"),)),
            Chapter(
                id="c2",
                title="Recommandations",
                sections=(
                    Section(
                        id="s",
                        title="Recommandations générales",
                        paragraphs=(
                            Paragraph(
                                id="p2",
                                text="Le Groupe de travail a recommandé :",
                                items=(SubItem("a", "De renforcer ;"), SubItem("b", "De former.")),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    )

    assert render_markdown(drafted) == (
        "# Projet de rapport\n"
        "\n"
        "## I. Introduction\n"
        "\n"
        "**1.** Dans sa décision 4/4…\n"
        "\n"
        "## II. Recommandations\n"
        "\n"
        "### A. Recommandations générales\n"
        "\n"
        f"**2.** Le Groupe de travail a recommandé{NBSP}:\n"
        "\n"
        f"&emsp;&emsp;a) De renforcer{NNBSP};\n"
        "\n"
        "&emsp;&emsp;b) De former.\n"
    )


def test_no_line_is_a_markdown_list_that_a_viewer_would_renumber() -> None:
    rendered = render_markdown(seed_report())

    assert not [line for line in rendered.splitlines() if re.match(r"\s{0,3}(\d+[.)]|[-+*])\s", line)]
    assert "**16.** Au titre du point 2" in rendered
    assert f"&emsp;&emsp;1. Questions d’organisation{NBSP}:" in rendered
    assert f"&emsp;&emsp;&emsp;&emsp;a) Ouverture de la réunion{NNBSP};" in rendered


def test_markdown_in_user_text_is_shown_as_typed() -> None:
    assert escape("*gras* _x_ [lien](http://x) <b>#1 & `code` | ~~y~~ \\") == (
        r"\*gras\* \_x\_ \[lien\](http://x) \<b\>\#1 \& \`code\` \| \~\~y\~\~ \\"
    )


def test_a_line_break_in_user_text_cannot_start_a_list_or_a_heading() -> None:
    drafted = Report(
        id="r",
        title="Titre\n# Faux titre",
        chapters=(Chapter(id="c", title="Chapitre", paragraphs=(Paragraph(id="p", text="Texte\n- pas une liste"),)),),
    )

    assert render_markdown(drafted).splitlines() == [
        r"# Titre \# Faux titre", "", "## I. Chapitre", "", "**1.** Texte - pas une liste",
    ]


def test_an_english_report_uses_english_words_and_typography() -> None:
    drafted = Report(
        id="r",
        title="Draft report",
        details=Details(language="en"),
        chapters=(
            Chapter(
                id="c",
                title="Adoption of the report",
                adopted=True,
                paragraphs=(Paragraph(id="p", text=f"It adopted chapters {LIST_MARK} : done", listing=Listing(kind="adoption")),),
            ),
        ),
    )

    assert render_markdown(drafted).endswith("**1.** It adopted chapters I: done\n")
