"""The report laid out once for every view: numbered, listed and typeset, ready to format.

Every renderer formats the same outline, so the numbers, the generated lists and the
typography are the same in text, Markdown, HTML and Word. Chapters are numbered I, II…;
sections A, B… afresh in each chapter; paragraphs 1..n continuously across the report, a
chapter's own paragraphs before those of its sections. Ids are left behind here: no view can
show one.
"""

from collections.abc import Callable
from datetime import date

import msgspec

from events.listings import Line, paragraph_lines, render_paragraph_text
from events.model import Details, Language, Paragraph, Report
from events.render.numbering import letter, roman
from events.typography import typeset


class Heading(msgspec.Struct, frozen=True):
    """« I. Introduction » (level 1, a chapter) or « A. Déclarations » (level 2, a section)."""

    level: int
    number: str
    title: str


class NumberedParagraph(msgspec.Struct, frozen=True):
    number: int
    text: str
    lines: tuple[Line, ...] = ()
    recommendation: bool = False


Block = Heading | NumberedParagraph


class Outline(msgspec.Struct, frozen=True):
    language: Language
    title: str
    symbol: str  # CTOC/COP/WG.4/2021/L.1, or ""
    bodies: tuple[str, ...]  # the parent body, then the body that met
    meeting: str  # « Vienne, 12 et 13 octobre 2021 », or ""
    blocks: tuple[Block, ...]


def outline(report: Report) -> Outline:
    details = report.details
    language = details.language

    def typeset_in_language(text: str) -> str:
        return typeset(text, language)

    blocks: list[Block] = []
    number = 0

    def add_paragraphs(paragraphs: tuple[Paragraph, ...]) -> None:
        nonlocal number
        for paragraph in paragraphs:
            number += 1
            blocks.append(_numbered(report, paragraph, number, typeset_in_language))

    for chapter_number, chapter in enumerate(report.chapters, start=1):
        blocks.append(Heading(1, roman(chapter_number), typeset_in_language(chapter.title)))
        add_paragraphs(chapter.paragraphs)
        for section_number, section in enumerate(chapter.sections, start=1):
            blocks.append(Heading(2, letter(section_number), typeset_in_language(section.title)))
            add_paragraphs(section.paragraphs)
    return Outline(
        language=language,
        title=typeset_in_language(report.title),
        symbol=details.symbol,
        bodies=tuple(typeset_in_language(body) for body in (details.parent_body, details.body) if body),
        meeting=typeset_in_language(meeting(details)),
        blocks=tuple(blocks),
    )


def _numbered(report: Report, paragraph: Paragraph, number: int, set_type: Callable[[str], str]) -> NumberedParagraph:
    lines = tuple(
        Line(line.label, set_type(line.text), line.depth) for line in paragraph_lines(report, paragraph)
    )
    return NumberedParagraph(
        number=number,
        text=set_type(render_paragraph_text(report, paragraph)),
        lines=lines,
        recommendation=paragraph.recommendation,
    )


_MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}
_AND = {"fr": "et", "en": "and"}
_RANGE = {"fr": "-", "en": "\u2013"}  # « 7-11 octobre », « 7–11 October », as UN documents write them


def _day(day: date, language: Language) -> str:
    return "1er" if language == "fr" and day.day == 1 else str(day.day)


def _day_and_month(day: date, language: Language) -> str:
    return f"{_day(day, language)} {_MONTHS[language][day.month - 1]}"


def meeting_dates(first: date, last: date | None, language: Language) -> str:
    """« 12 et 13 octobre 2021 », « 7-11 octobre 2019 », « 30 septembre-2 octobre 2021 »."""
    if last is None or last <= first:
        return f"{_day_and_month(first, language)} {first.year}"
    if (first.year, first.month) == (last.year, last.month):
        joint = f" {_AND[language]} " if (last - first).days == 1 else _RANGE[language]
        return f"{_day(first, language)}{joint}{_day_and_month(last, language)} {last.year}"
    start = _day_and_month(first, language) + (f" {first.year}" if first.year != last.year else "")
    return f"{start}{_RANGE[language]}{_day_and_month(last, language)} {last.year}"


def meeting(details: Details) -> str:
    """Where and when the body met: « Vienne, 12 et 13 octobre 2021 »."""
    when = meeting_dates(details.first_date, details.last_date, details.language) if details.first_date else ""
    return ", ".join(part for part in (details.venue, when) if part)
