"""One line per event, for `rapporteur events` and history views."""

from events.catalogue import (
    ChapterAdded,
    ParagraphAdded,
    ParagraphRemoved,
    ParagraphTextReplaced,
    ReportCreated,
    SectionAdded,
)
from events.envelope import StoredEvent

EXCERPT = 60


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


def summarize(event: StoredEvent) -> str:
    data = event.data
    if isinstance(data, ReportCreated):
        return f"created « {_excerpt(data.title)} »"
    if isinstance(data, ChapterAdded):
        return f"added chapter « {_excerpt(data.title)} »"
    if isinstance(data, SectionAdded):
        return f"added section « {_excerpt(data.title)} »"
    if isinstance(data, ParagraphAdded):
        return f"added paragraph {data.paragraph_id[:8]}: « {_excerpt(data.text)} »"
    if isinstance(data, ParagraphTextReplaced):
        return f"replaced the text of paragraph {data.paragraph_id[:8]}: « {_excerpt(data.text)} »"
    if isinstance(data, ParagraphRemoved):
        return f"removed paragraph {data.paragraph_id[:8]}"
    return event.type
