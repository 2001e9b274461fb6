"""The HTML view: one valid, self-contained, printable page in which user text is always text."""

from datetime import date
from html.parser import HTMLParser

import msgspec
import pytest

from events.model import Chapter, Details, Paragraph, Report, Section, SubItem
from events.render.html import render_html
from events.render.outline import meeting_dates
from tests.events.test_render_seed import seed_report

NBSP = "\u00a0"
VOID = {"meta", "br", "hr", "img", "link", "input", "wbr"}


class Page(HTMLParser):
    """Checks that every tag is closed in order; keeps the tags, the text of each <p>, title and heading."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.doctype = ""
        self.paragraphs: list[tuple[str, str]] = []
        self.text_of: dict[str, list[str]] = {}

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("title", "h1", "h2", "h3", "style"):
            self.text_of.setdefault(tag, []).append("")
        if tag == "p":
            self.paragraphs.append((dict(attrs).get("class") or "", ""))
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else None}>"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        for tag in ("title", "h1", "h2", "h3", "style"):
            if tag in self.open:
                self.text_of[tag][-1] += data
        if "p" in self.open:
            kind, text = self.paragraphs[-1]
            self.paragraphs[-1] = (kind, text + data)


def parsed(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    assert parser.open == [], f"left open: {parser.open}"
    return parser


def test_the_page_is_a_complete_balanced_html5_document() -> None:
    page = render_html(seed_report())
    parser = parsed(page)

    assert page.startswith("<!doctype html>\n")
    assert parser.doctype.lower() == "doctype html"
    assert parser.tags[0] == ("html", {"lang": "fr"})
    assert ("meta", {"charset": "utf-8"}) in parser.tags
    assert parser.text_of["title"] == ["Projet de rapport"]
    assert [tag for tag, _ in parser.tags].count("body") == 1


def test_it_is_laid_out_like_a_un_document() -> None:
    parser = parsed(render_html(seed_report()))
    header = [(kind, text) for kind, text in parser.paragraphs if kind in ("symbol", "body", "meeting")]

    assert header == [
        ("symbol", "CTOC/COP/WG.4/2021/L.1"),
        ("body", "Conférence des Parties à la Convention des Nations Unies contre la criminalité transnationale organisée"),
        ("body", "Groupe de travail sur la traite des personnes"),
        ("meeting", "Vienne, 12 et 13 octobre 2021"),
    ]
    assert parser.text_of["h1"] == ["Projet de rapport"]
    assert parser.text_of["h2"] == [
        "I. Introduction", "II. Recommandations", "III. Résumé des délibérations", "IV. Organisation de la réunion",
        "V. Adoption du rapport",
    ]
    assert [heading[:3] for heading in parser.text_of["h3"]] == ["A. ", "B. ", "C. "] * 2 + ["A. ", "B. ", "C. ", "D. ", "E. "]
    style = "".join(parser.text_of["style"])
    assert "@page { size: A4" in style and "serif" in style and ".symbol { text-align: right" in style


def test_paragraphs_carry_their_numbers_in_order_and_their_lines_below_them() -> None:
    parser = parsed(render_html(seed_report()))
    numbered = [text for kind, text in parser.paragraphs if kind.startswith("numbered")]

    assert [text.split(". ", 1)[0] for text in numbered] == [str(n) for n in range(1, 29)]
    assert numbered[27] == (
        "28. Le 13 octobre 2021, le Groupe de travail a adopté les chapitres I, II, IV et V du présent rapport sur "
        "les travaux de sa quatrième réunion."
    )
    lines = [text for kind, text in parser.paragraphs if kind.startswith("line")]
    assert lines[2:5] == [
        f"1. Questions d’organisation{NBSP}:",
        "a) Ouverture de la réunion\u202f;",
        "b) Adoption de l’ordre du jour et organisation des travaux.",
    ]


def test_user_text_is_escaped_and_never_markup() -> None:
    hostile = "<script>alert(1)</script>"
    drafted = Report(
        id="r",
        title="Rapport <b>gras</b> & « x »",
        details=Details(symbol='A/"><script>x</script>', body="Groupe <i>"),
        chapters=(
            Chapter(
                id="c",
                title="<em>Chapitre</em>",
                sections=(
                    Section(
                        id="s",
                        title="</section>",
                        paragraphs=(Paragraph(id="p", text=hostile, items=(SubItem("a", hostile),)),),
                    ),
                ),
            ),
        ),
    )
    page = render_html(drafted)
    parser = parsed(page)

    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert {tag for tag, _ in parser.tags} == {
        "html", "head", "meta", "title", "style", "body", "header", "p", "main", "h1", "h2", "h3", "section", "span",
    }
    assert ("numbered", "1. <script>alert(1)</script>") in parser.paragraphs
    assert ("symbol", 'A/"><script>x</script>') in parser.paragraphs
    assert parser.text_of["title"] == [f"Rapport <b>gras</b> & «{NBSP}x{NBSP}»"]


def test_no_ids_and_no_script_appear_in_the_page() -> None:
    page = render_html(seed_report())

    assert "<script" not in page and " id=" not in page and "report-2021" not in page and "p-16" not in page


def test_an_english_report_is_an_english_page() -> None:
    report = seed_report()
    english = msgspec.structs.replace(
        report, details=msgspec.structs.replace(report.details, language="en", venue="Vienna")
    )
    parser = parsed(render_html(english))

    assert parser.tags[0] == ("html", {"lang": "en"})
    assert ("meeting", "Vienna, 12 and 13 October 2021") in parser.paragraphs


def test_a_report_without_details_has_no_header() -> None:
    page = render_html(Report(id="r", title="Projet de rapport"))

    assert "<header>" not in page
    assert parsed(page).text_of["h1"] == ["Projet de rapport"]


@pytest.mark.parametrize(
    ("first", "last", "language", "written"),
    [
        (date(2021, 10, 12), date(2021, 10, 13), "fr", "12 et 13 octobre 2021"),
        (date(2021, 10, 12), date(2021, 10, 13), "en", "12 and 13 October 2021"),
        (date(2019, 10, 7), date(2019, 10, 11), "fr", "7-11 octobre 2019"),
        (date(2019, 10, 7), date(2019, 10, 11), "en", "7\u201311 October 2019"),
        (date(2021, 9, 30), date(2021, 10, 1), "fr", "30 septembre-1er octobre 2021"),
        (date(2021, 12, 30), date(2022, 1, 2), "en", "30 December 2021\u20132 January 2022"),
        (date(2021, 10, 1), None, "fr", "1er octobre 2021"),
        (date(2021, 10, 12), date(2021, 10, 12), "en", "12 October 2021"),
    ],
)
def test_meeting_dates_are_written_as_un_documents_write_them(first, last, language, written) -> None:
    assert meeting_dates(first, last, language) == written
