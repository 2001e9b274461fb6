"""Bracketed placeholders in paragraph text: `[sa/ses 2e et 3e]`, `séance[s]`, `[12 et 13]`, `[…]`.

Placeholders are not stored apart from the text: they are what is in brackets now. Each has an
id that stays the same while the paragraph is edited elsewhere: the paragraph's id, a checksum
of the bracketed text, and which occurrence of that same text it is. Occurrences already
filled keep their number (the report remembers its fills), so after `séance[s], tenue[s]`
loses its first `[s]`, the second is still occurrence 1: an id never moves to another place.
"""

import re
import zlib

import msgspec

from events.model import Paragraph, Report

_BRACKETED = re.compile(r"\[[^\[\]\n]{0,200}\]")
CONTEXT = 30


class Placeholder(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    paragraph_id: str
    text: str  # with its brackets
    start: int  # in code points, within the paragraph's text
    context: str  # the words around it, for a list of what is left to fill


def _id(paragraph_id: str, text: str, occurrence: int) -> str:
    return f"{paragraph_id}:{zlib.crc32(text.encode()):08x}:{occurrence}"


def paragraph_placeholders(paragraph: Paragraph, filled: frozenset[str] = frozenset()) -> list[Placeholder]:
    """The placeholders left in a paragraph; `filled`: the ids of those already filled."""
    seen: dict[str, int] = {}
    found = []
    for match in _BRACKETED.finditer(paragraph.text):
        text = match.group()
        occurrence = seen.get(text, 0)
        while _id(paragraph.id, text, occurrence) in filled:
            occurrence += 1
        seen[text] = occurrence + 1
        context = paragraph.text[max(0, match.start() - CONTEXT) : match.end() + CONTEXT]
        found.append(
            Placeholder(
                id=_id(paragraph.id, text, occurrence),
                paragraph_id=paragraph.id,
                text=text,
                start=match.start(),
                context=" ".join(context.split()),
            )
        )
    return found


def report_placeholders(report: Report) -> list[Placeholder]:
    """Every unfilled placeholder, in reading order."""
    filled = filled_ids(report)
    return [p for paragraph in report.all_paragraphs() for p in paragraph_placeholders(paragraph, filled)]


def filled_ids(report: Report) -> frozenset[str]:
    return frozenset(fill.placeholder_id for fill in report.fills)


def paragraph_of(placeholder_id: str) -> str:
    return placeholder_id.split(":", 1)[0]


def numbered_placeholders(report: Report) -> list[tuple[int, Placeholder]]:
    """Each unfilled placeholder with the number of its paragraph, as drafters refer to it."""
    filled = filled_ids(report)
    return [
        (number, placeholder)
        for number, paragraph in enumerate(report.all_paragraphs(), start=1)
        for placeholder in paragraph_placeholders(paragraph, filled)
    ]
