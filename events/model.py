"""The report as the projection sees it.

Structs are frozen and collections are tuples: `evolve` returns a new report that shares
every untouched chapter, section and paragraph with the old one, so any past version can be
kept cheaply and nothing mutates a state another reader holds. Numbers (I, A, 1…) are never
stored: they are computed when rendering, so ids stay stable while numbering follows order.
"""

import msgspec


class Paragraph(msgspec.Struct, frozen=True):
    id: str
    text: str


class Section(msgspec.Struct, frozen=True):
    id: str
    title: str
    paragraphs: tuple[Paragraph, ...] = ()


class Chapter(msgspec.Struct, frozen=True):
    """A chapter's own paragraphs come before its sections, as in « II. Recommandations »."""

    id: str
    title: str
    paragraphs: tuple[Paragraph, ...] = ()
    sections: tuple[Section, ...] = ()


class Report(msgspec.Struct, frozen=True):
    id: str
    title: str
    chapters: tuple[Chapter, ...] = ()

    def all_paragraphs(self) -> list[Paragraph]:
        """Paragraphs in reading order, the order that numbers them 1..n."""
        return [
            paragraph
            for chapter in self.chapters
            for paragraph in (
                *chapter.paragraphs,
                *(p for section in chapter.sections for p in section.paragraphs),
            )
        ]
