"""Shared test vectors for what the browser computes again in JavaScript: the fold of events
(client/web/model.js), placeholder ids (placeholders.js) and authorship runs (authorship.js).

Python is the reference: `python -m tests.vectors.generate_domain` rewrites domain.json, and
tests/events/test_domain_vectors.py fails when the file no longer matches what Python computes.
tests/js/domain.test.mjs checks the JavaScript against the same file.
"""

import itertools
import json
import random
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from events import commands as cmd
from events.authorship import apply_to_runs
from events.catalogue import event_type
from events.decide import decide_all
from events.envelope import StoredEvent
from events.errors import DomainError
from events.evolve import evolve
from events.importer import import_draft
from events.model import LIST_MARK, Report
from events.placeholders import paragraph_placeholders, report_placeholders
from events.text_ops import Delete

HERE = Path(__file__).parent
VECTORS = HERE / "domain.json"
SEED = HERE.parent / "events" / "data" / "seed_fr.txt"
REPORT_ID = "00000000-0000-4000-8000-00000000d0c5"
DRAFTERS = ("Secrétariat", "Alice", "Bruno", "Chloé")
ALPHABET = "abcdeé ’«»[]𝒜😅"


class _Ids:
    def __init__(self) -> None:
        self._count = itertools.count(1)

    def __call__(self) -> str:
        return str(uuid.UUID(int=next(self._count)))


def _random_op(rng: random.Random, text: str) -> list[Any]:
    position = rng.randint(0, len(text))
    op: list[Any] = [position] if position else []
    deletable = [i for i in range(position, min(len(text), position + 4)) if text[i] != LIST_MARK]
    deleted = 0
    while deleted < len(deletable) and deletable[deleted] == position + deleted and rng.random() < 0.5:
        deleted += 1
    if deleted:
        op.append(Delete(d=deleted))
    if rng.random() < 0.8 or not deleted:
        op.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 3))))
    return op


def _history(rng: random.Random) -> tuple[Report, list[StoredEvent], Report]:
    ids = _Ids()
    report: Report | None = None
    events: list[StoredEvent] = []

    def record(commands: list[Any], actor: str) -> None:
        nonlocal report
        for payload in decide_all(report, REPORT_ID, commands, ids, actor):
            event = StoredEvent(
                report_id=REPORT_ID, version=len(events) + 1, event_id=ids(), type=event_type(payload),
                schema=type(payload).schema, actor=actor, at=datetime(2021, 10, 12, tzinfo=UTC), command_id=ids(), data=payload,
            )
            events.append(event)
            report = evolve(report, event)

    record(import_draft(SEED.read_text(encoding="utf-8"), ids), "Secrétariat")
    snapshot, imported = report, len(events)
    while len(events) < imported + 300:
        assert report is not None
        actor = rng.choice(DRAFTERS)
        located = report.located_paragraphs()
        chapter, paragraph = rng.choice(located)
        kind = rng.random()
        if kind < 0.55:
            behind = rng.randint(0, min(2, len(paragraph.recent_ops)))
            base_text = paragraph.text
            command: Any = cmd.EditParagraphText(paragraph_id=paragraph.id, base_revision=paragraph.revision - behind, ops=[])
            if behind == 0:
                command = msgspec.structs.replace(command, ops=_random_op(rng, base_text))
            else:
                command = msgspec.structs.replace(command, ops=[rng.choice(ALPHABET)])
        elif kind < 0.62:
            placeholders = report_placeholders(report)
            if not placeholders:
                continue
            command = cmd.FillPlaceholder(placeholder_id=rng.choice(placeholders).id, value=rng.choice(["s", "", "12 et 13"]))
        elif kind < 0.70:
            command = cmd.RecordStatement(
                agenda_item_id=rng.choice(report.agenda).id, category="party", delegation=rng.choice(["Chili", "Égypte", "Oman"])
            )
        elif kind < 0.76:
            command = cmd.AddParagraph(chapter_id=chapter.id, text="Nouveau [paragraphe]", before=rng.choice([None, paragraph.id]))
        elif kind < 0.80:
            target = rng.choice(report.chapters)
            command = cmd.MoveParagraph(paragraph_id=paragraph.id, chapter_id=target.id)
        elif kind < 0.83:
            command = cmd.RemoveParagraph(paragraph_id=paragraph.id)
        elif kind < 0.88:
            command = cmd.AddSubItem(paragraph_id=paragraph.id, text="Point [a]")
        elif kind < 0.92:
            command = cmd.ReplaceParagraphText(paragraph_id=paragraph.id, text=paragraph.text.replace("de", "du", 1))
        elif kind < 0.96:
            command = cmd.AdoptChapter(chapter_id=chapter.id)
        else:
            command = cmd.ReopenChapter(chapter_id=chapter.id, reason="nouvelle déclaration")
        try:
            record([command], actor)
        except DomainError:
            continue
    assert snapshot is not None and report is not None
    return snapshot, events[imported:], report


def _json(value: Any) -> Any:
    return json.loads(msgspec.json.encode(value))


def generate() -> dict[str, Any]:
    rng = random.Random(20211012)
    snapshot, events, final = _history(rng)
    placeholder_cases = []
    for paragraph in final.all_paragraphs():
        if "[" in paragraph.text:
            filled = frozenset(f.placeholder_id for f in final.fills if f.paragraph_id == paragraph.id)
            placeholder_cases.append(
                {
                    "paragraph_id": paragraph.id,
                    "text": paragraph.text,
                    "filled": sorted(filled),
                    "placeholders": [{"id": p.id, "text": p.text} for p in paragraph_placeholders(paragraph, filled)],
                }
            )
    authorship_cases = []
    for _ in range(150):
        # As a paragraph holds them: neighbouring runs are by different drafters.
        runs = apply_to_runs((), [], "")
        for _ in range(rng.randint(0, 4)):
            runs = apply_to_runs(runs, [sum(run.length for run in runs), "x" * rng.randint(1, 5)], rng.choice(DRAFTERS))
        text = "x" * sum(run.length for run in runs)
        op = _random_op(rng, text)
        author = rng.choice(DRAFTERS)
        authorship_cases.append({"runs": _json(runs), "op": _json(op), "author": author, "result": _json(apply_to_runs(runs, op, author))})
    return {
        "fold": {"snapshot": _json(snapshot), "events": _json(events), "report": _json(final)},
        "placeholders": placeholder_cases,
        "authorship": authorship_cases,
    }


def render(vectors: dict[str, Any]) -> str:
    return json.dumps(vectors, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    VECTORS.write_text(render(generate()), encoding="utf-8")
    print(f"wrote {VECTORS}")
