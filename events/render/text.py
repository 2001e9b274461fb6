"""The report as plain text, in the layout of the drafts the secretariat circulates."""

from events.model import Paragraph, Report
from events.render.numbering import letter, roman


def render_text(report: Report) -> str:
    lines: list[str] = [report.title, ""]
    number = 0

    def paragraphs(items: tuple[Paragraph, ...]) -> None:
        nonlocal number
        for paragraph in items:
            number += 1
            lines.extend([f"{number}. {paragraph.text}", ""])

    for chapter_number, chapter in enumerate(report.chapters, start=1):
        lines.extend([f"{roman(chapter_number)}. {chapter.title}", ""])
        paragraphs(chapter.paragraphs)
        for section_number, section in enumerate(chapter.sections, start=1):
            lines.extend([f"{letter(section_number)}. {section.title}", ""])
            paragraphs(section.paragraphs)
    return "\n".join(lines).rstrip("\n") + "\n"
