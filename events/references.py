"""How drafters name things: « chapter II », « paragraph 12 », « agenda item 2 », « item 1 b) ».

Ids are for machines; the CLI and other front ends take the numbers people read in the
rendered report and resolve them here, against the same numbering the renderers compute.
"""

import re

from events.errors import DomainError
from events.model import AgendaItem, Chapter, Paragraph, Report
from events.render.numbering import item_letter, roman

_AGENDA_NUMBER = re.compile(r"^\s*(\d+)\s*(?:([a-z]+)\)?)?\s*$")


def chapter_by_number(report: Report, number: str) -> Chapter:
    wanted = number.strip().upper().rstrip(".")
    for position, chapter in enumerate(report.chapters, start=1):
        if wanted in (roman(position), str(position), chapter.id.upper()):
            return chapter
    raise DomainError("unknown_chapter", f"no chapter {number} in this report")


def paragraph_by_number(report: Report, number: str) -> Paragraph:
    """« 12 » is the twelfth paragraph in reading order, as the renderings number them; a
    paragraph's id names it too."""
    wanted = number.strip().rstrip(".")
    paragraphs = report.all_paragraphs()
    if wanted.isdigit() and 1 <= int(wanted) <= len(paragraphs):
        return paragraphs[int(wanted) - 1]
    for paragraph in paragraphs:
        if paragraph.id == wanted.lower():
            return paragraph
    raise DomainError("unknown_paragraph", f"no paragraph {number} in this report")


def agenda_item_by_number(report: Report, number: str) -> AgendaItem:
    """« 2 » is item 2; « 1a », « 1 a) » is sub-item a) of item 1."""
    match = _AGENDA_NUMBER.match(number)
    if match:
        position, sub = int(match.group(1)), match.group(2)
        if 1 <= position <= len(report.agenda):
            item = report.agenda[position - 1]
            if sub is None:
                return item
            for sub_position, sub_item in enumerate(item.sub_items, start=1):
                if item_letter(sub_position) == sub:
                    return sub_item
    raise DomainError("unknown_agenda_item", f"no agenda item {number} in this report")
