"""One line per event, for `rapporteur events` and the history view."""

import pytest

from events.catalogue import (
    ChapterAdded,
    Event,
    ParagraphAdded,
    ParagraphRemoved,
    ParagraphTextReplaced,
    ReportCreated,
    SectionAdded,
)
from events.summary import EXCERPT, summarize
from tests.events.builders import stored

PARAGRAPH = "3f0c9a52-8a3e-4c1b-9a57-2d0f6e1b7c44"
CHAPTER = "b6e2d1f0-4c3a-4e8b-8f2d-1a9c7e5b3d20"


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (ReportCreated(title="Projet de rapport"), "created « Projet de rapport »"),
        (ChapterAdded(chapter_id=CHAPTER, title="Introduction"), "added chapter « Introduction »"),
        (
            SectionAdded(section_id=PARAGRAPH, chapter_id=CHAPTER, title="Déclarations"),
            "added section « Déclarations »",
        ),
        (
            ParagraphAdded(paragraph_id=PARAGRAPH, chapter_id=CHAPTER, text="Dans sa décision 4/4…"),
            "added paragraph 3f0c9a52: « Dans sa décision 4/4… »",
        ),
        (
            ParagraphTextReplaced(paragraph_id=PARAGRAPH, text="Dans sa résolution 7/1…"),
            "replaced the text of paragraph 3f0c9a52: « Dans sa résolution 7/1… »",
        ),
        (ParagraphRemoved(paragraph_id=PARAGRAPH), "removed paragraph 3f0c9a52"),
    ],
    ids=["ReportCreated", "ChapterAdded", "SectionAdded", "ParagraphAdded", "ParagraphTextReplaced", "ParagraphRemoved"],
)
def test_every_event_type_has_a_one_line_summary(data: Event, line: str) -> None:
    assert summarize(stored(data, version=1)) == line


def test_a_long_text_is_cut_to_an_excerpt_on_one_line() -> None:
    text = "Dans sa décision 4/4,\nla Conférence des Parties   à la Convention des Nations Unies contre la criminalité"

    line = summarize(stored(ParagraphTextReplaced(paragraph_id=PARAGRAPH, text=text), version=2))

    excerpt = line.split("« ")[1].removesuffix(" »")
    assert excerpt == "Dans sa décision 4/4, la Conférence des Parties à la Conven…"
    assert len(excerpt) == EXCERPT
