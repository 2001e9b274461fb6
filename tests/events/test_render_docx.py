"""The Word view: python-docx opens it, and it reads in the report's order with the report's numbers."""

import io
import zipfile

import docx
import msgspec

from events import catalogue as ev
from events.evolve import replay
from events.model import Details, Report
from events.render.docx import HANGING, render_docx
from tests.events.builders import stored, uid
from tests.events.test_render_seed import seed_report

NBSP, NNBSP = "\u00a0", "\u202f"


def opened(report: Report) -> docx.document.Document:
    return docx.Document(io.BytesIO(render_docx(report)))


def test_word_opens_it_with_the_title_headings_and_numbered_paragraphs_in_order() -> None:
    document = opened(seed_report())
    styled = [(paragraph.style.name, paragraph.text) for paragraph in document.paragraphs]

    assert styled[:4] == [
        ("Normal", "Conférence des Parties à la Convention des Nations Unies contre la criminalité transnationale organisée"),
        ("Normal", "Groupe de travail sur la traite des personnes"),
        ("Normal", "Vienne, 12 et 13 octobre 2021"),
        ("Title", "Projet de rapport"),
    ]
    assert [text for style, text in styled if style == "Heading 1"] == [
        "I.\tIntroduction",
        "II.\tRecommandations",
        "III.\tRésumé des délibérations",
        "IV.\tOrganisation de la réunion",
        "V.\tAdoption du rapport",
    ]
    numbered = [p.text for p in document.paragraphs if p.paragraph_format.left_indent == HANGING]
    assert [text.split("\t", 1)[0] for text in numbered] == [f"{n}." for n in range(1, 29)]


def test_paragraphs_carry_their_numbers_as_text_and_their_lines_follow_them() -> None:
    texts = [paragraph.text for paragraph in opened(seed_report()).paragraphs]
    start = texts.index(next(text for text in texts if text.startswith("18.\t")))

    assert texts[start : start + 9] == [
        f"18.\tÀ sa 1re séance, le 12 octobre 2021, le Groupe de travail a adopté par consensus l’ordre du jour "
        f"ci-après{NBSP}:",
        f"1.\tQuestions d’organisation{NBSP}:",
        f"a)\tOuverture de la réunion{NNBSP};",
        "b)\tAdoption de l’ordre du jour et organisation des travaux.",
        texts[start + 4],
        texts[start + 5],
        "4.\tQuestions diverses.",
        "5.\tAdoption du rapport.",
        texts[start + 8],
    ]
    assert texts[start + 8].startswith("19.\tComme le Bureau élargi")
    assert texts[-1].startswith("28.\tLe 13 octobre 2021, le Groupe de travail a adopté les chapitres I, II, IV et V ")


def test_the_symbol_is_in_the_page_header_and_the_page_is_a4() -> None:
    document = opened(seed_report())
    section = document.sections[0]

    assert [p.text for p in section.header.paragraphs] == ["CTOC/COP/WG.4/2021/L.1"]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert document.core_properties.title == "Projet de rapport"
    assert document.core_properties.language == "fr"


def test_the_same_report_gives_the_same_bytes() -> None:
    report = seed_report()
    copy = msgspec.json.decode(msgspec.json.encode(report), type=Report)
    package = render_docx(report)

    assert package == render_docx(copy)
    assert {entry.date_time for entry in zipfile.ZipFile(io.BytesIO(package)).infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_an_empty_report_is_a_document_with_its_title() -> None:
    document = opened(Report(id="r", title="Projet de rapport"))

    assert [(p.style.name, p.text) for p in document.paragraphs] == [("Title", "Projet de rapport")]
    assert document.sections[0].header.paragraphs[0].text == ""


def test_a_report_whose_old_events_hold_control_characters_still_renders_without_them() -> None:
    """Commands refuse control characters now (`invalid_text`), but events stored before hold
    them: a vertical tab pasted from Word, an escape, a NUL. Their report still renders, without them."""
    chapter, paragraph = uid(1), uid(2)
    report = replay(
        [
            stored(ev.ReportCreated(title="Projet\x1b de rapport"), 1),
            stored(ev.ReportDetailsChanged(details=Details(symbol="CTOC/COP/WG.4/2021/L.1\x00")), 2),
            stored(ev.ChapterAdded(chapter_id=chapter, title="Intro\x0bduction"), 3),
            stored(ev.ParagraphAdded(paragraph_id=paragraph, chapter_id=chapter, text="Le Groupe\x0b a examiné\x1b[31m le point."), 4),
            stored(ev.ParagraphTextEdited(paragraph_id=paragraph, revision=1, ops=[len("Le Groupe\x0b a examiné"), "\x07 2"]), 5),
        ]
    )
    assert report is not None

    document = opened(report)

    assert [p.text for p in document.paragraphs] == ["Projet de rapport", "I.\tIntroduction", "1.\tLe Groupe a examiné 2[31m le point."]
    assert [p.text for p in document.sections[0].header.paragraphs] == ["CTOC/COP/WG.4/2021/L.1"]
    assert document.core_properties.title == "Projet de rapport"
