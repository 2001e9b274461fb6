"""The report as a Word document (.docx), for the editors who finish it in Word.

Set like a UN document on A4: the symbol at the top right of every page, the bodies and the
meeting, the title, a heading per chapter (« I. Introduction ») and section (« A. Title »),
then each paragraph with its number as text at its start, hanging in the left margin
(« 16.<tab>Au titre du point 2… »), and its lines below it, indented a level each.

The same report always gives the same bytes: python-docx stamps each part of the package with
the time of saving, so the package is written again with fixed stamps, and the document's
dates are the meeting's.

Characters XML cannot hold (control characters, which commands refuse but reports written
before may hold) are left out of the document, so that such a report still renders.
"""

import copy
import io
import re
import zipfile
from datetime import UTC, datetime, time

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle

from events.fields import NOT_IN_TEXT
from events.model import Language, Report
from events.render.outline import Heading, outline

FONT = "Times New Roman"
HANGING = Cm(1.27)  # the UN's half inch
_LOCALES = {"fr": "fr-FR", "en": "en-GB"}  # UN English is British
_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold


def _xml(text: str) -> str:
    """`text` without the characters no text may hold: XML 1.0 has no place for most of them."""
    return NOT_IN_TEXT.sub("", text)


def _set_font(style: ParagraphStyle, size: float, bold: bool | None = None) -> None:
    """The style in black Times, whatever theme fonts and colours the template gave it."""
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in list(fonts.attrib):
        if attribute.lower().endswith("theme"):
            del fonts.attrib[attribute]
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.color.rgb = RGBColor(0, 0, 0)
    if bold is not None:
        style.font.bold = bold


def _set_language(style: ParagraphStyle, language: Language) -> None:
    """Word checks the spelling of the report's language."""
    marks = style.element.get_or_add_rPr()
    for old in marks.findall(qn("w:lang")):
        marks.remove(old)
    tag = OxmlElement("w:lang")
    tag.set(qn("w:val"), _LOCALES[language])
    marks.append(tag)


def _styled_document(language: Language):
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(25)
    _set_font(document.styles["Normal"], 10)
    _set_language(document.styles["Normal"], language)
    _set_font(document.styles["Title"], 17, bold=True)
    _set_font(document.styles["Heading 1"], 12, bold=True)
    _set_font(document.styles["Heading 2"], 11, bold=True)
    for name in ("Title", "Heading 1", "Heading 2"):
        document.styles[name].font.italic = False
    for border in document.styles["Title"].element.findall(f"{qn('w:pPr')}/{qn('w:pBdr')}"):
        border.getparent().remove(border)  # the template's blue rule under the title
    title = document.styles["Title"].paragraph_format
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.space_after = Pt(18)
    for name in ("Heading 1", "Heading 2"):
        heading = document.styles[name].paragraph_format
        heading.left_indent, heading.first_line_indent = HANGING, -HANGING
    return document


def _hanging(paragraph, depth: int) -> None:
    """Its first characters (number or label, then a tab) hang in the margin of the text."""
    layout = paragraph.paragraph_format
    layout.left_indent = HANGING * (depth + 1)
    layout.first_line_indent = -HANGING
    layout.tab_stops.add_tab_stop(HANGING * (depth + 1))
    layout.space_after = Pt(6)
    layout.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


class _Body:
    """Paragraphs appended to the document's body as lxml elements, each a copy of the
    properties python-docx gave the first of its kind. python-docx makes every paragraph
    through its object model and finds the body's end by scanning the body's children: about
    a millisecond a paragraph, growing with the document (10 s for 10,000 paragraphs); the same
    XML made here costs a tenth of that, and the same whatever the length."""

    def __init__(self, document) -> None:
        self._document = document
        self._end = document.element.body.sectPr  # paragraphs go before the section's properties
        self._properties: dict[tuple[str, int], object] = {}

    def _properties_of(self, kind: str, level: int):
        key = (kind, level)
        if key not in self._properties:
            if kind == "heading":
                paragraph = self._document.add_heading("", level=level)
            else:
                paragraph = self._document.add_paragraph()
                _hanging(paragraph, level)
            self._properties[key] = paragraph._p.pPr
            paragraph._p.getparent().remove(paragraph._p)
        return self._properties[key]

    def heading(self, text: str, level: int) -> None:
        self._add(self._properties_of("heading", level), text)

    def hanging(self, text: str, depth: int) -> None:
        self._add(self._properties_of("hanging", depth), text)

    def _add(self, properties, text: str) -> None:
        paragraph = OxmlElement("w:p")
        paragraph.append(copy.deepcopy(properties))
        if text:
            paragraph.append(_run(text))
        self._end.addprevious(paragraph)


_RUN_BREAK = re.compile(r"(\t|\r|\n)")


def _run(text: str):
    """The run python-docx's `add_run(text)` makes: a tab is <w:tab/>, a line break <w:br/>."""
    run = OxmlElement("w:r")
    for piece in _RUN_BREAK.split(text):
        if piece == "\t":
            run.append(OxmlElement("w:tab"))
        elif piece in ("\r", "\n"):
            run.append(OxmlElement("w:br"))
        elif piece:
            words = OxmlElement("w:t")
            words.text = piece
            if len(piece.strip()) < len(piece):
                words.set(qn("xml:space"), "preserve")
            run.append(words)
    return run


def _fixed_stamps(package: bytes) -> bytes:
    """The same package with every entry stamped 1980-01-01, in the same order."""
    written = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(written, "w") as target:
        for entry in source.infolist():
            stamped = zipfile.ZipInfo(entry.filename, date_time=_EPOCH)
            stamped.compress_type = zipfile.ZIP_DEFLATED
            stamped.external_attr = entry.external_attr
            target.writestr(stamped, source.read(entry))
    return written.getvalue()


def render_docx(report: Report) -> bytes:
    laid_out = outline(report)
    document = _styled_document(laid_out.language)
    if laid_out.symbol:
        symbol = document.sections[0].header.paragraphs[0]
        symbol.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        symbol.add_run(_xml(laid_out.symbol)).bold = True
    for body in laid_out.bodies:
        document.add_paragraph().add_run(_xml(body)).bold = True
    if laid_out.meeting:
        document.add_paragraph(_xml(laid_out.meeting))
    document.add_paragraph(_xml(laid_out.title), style="Title")
    body = _Body(document)
    for block in laid_out.blocks:
        if isinstance(block, Heading):
            body.heading(_xml(f"{block.number}.\t{block.title}"), block.level)
            continue
        body.hanging(_xml(f"{block.number}.\t{block.text}"), 0)
        for line in block.lines:
            body.hanging(_xml(f"{line.label}\t{line.text}" if line.label else line.text), line.depth)

    properties = document.core_properties
    properties.title = _xml(laid_out.title)
    properties.language = laid_out.language
    properties.author = properties.last_modified_by = ""
    day = report.details.last_date or report.details.first_date
    if day is not None:
        properties.created = properties.modified = datetime.combine(day, time(), tzinfo=UTC)
    saved = io.BytesIO()
    document.save(saved)
    return _fixed_stamps(saved.getvalue())
