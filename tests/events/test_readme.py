"""events/README.md documents the permanent format: every example in it must keep loading, and
what it says of each command (its event, its error codes) must be what the rules do.

Its examples are stored events (they have an `event_id`), paragraphs as the report state holds
them (they have `recent_ops`), and command envelopes (all the others)."""

import json
import re
from pathlib import Path

import msgspec
import pytest

from events import text_ops
from events.authorship import apply_to_runs, written_by
from events.catalogue import EVENT_TYPES
from events.commands import COMMAND_TYPES, CommandEnvelope
from events.envelope import decode_event, encode_event
from events.model import Paragraph
from tests.events.builders import ERROR_CODES, PRODUCES
from tests.events.meeting import Meeting, Refusal
from tests.events.test_decide import REFUSALS

README = (Path(__file__).parents[2] / "events" / "README.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"^```json\n(.*?)^```", README, flags=re.DOTALL | re.MULTILINE)
STORED_EVENTS = [example for example in EXAMPLES if '"event_id"' in example]
PARAGRAPHS = [example for example in EXAMPLES if '"recent_ops"' in example and example not in STORED_EVENTS]
COMMANDS = [example for example in EXAMPLES if example not in STORED_EVENTS and example not in PARAGRAPHS]

# | `Command` | fields | event | error codes |
ROWS = {
    name: (event, codes)
    for name, _, event, codes in re.findall(r"^\| `(\w+)` \| (.*?) \| (.*?) \| (.*?) \|$", README, flags=re.MULTILINE)
    if name in COMMAND_TYPES
}
# Refused before any rule of the command runs; the README says so once, not on every row.
EVERY_COMMAND = {"unknown_report", "report_adopted"}
ERROR_TABLE = README.split("## Domain error codes", 1)[1]


@pytest.mark.parametrize("example", STORED_EVENTS, ids=lambda example: json.loads(example)["type"])
def test_every_stored_example_loads_and_is_written_back_unchanged(example: str) -> None:
    event = decode_event(example.encode())

    assert json.loads(encode_event(event)) == json.loads(example)


@pytest.mark.parametrize("example", COMMANDS, ids=lambda example: json.loads(example)["command"]["type"])
def test_every_command_example_is_accepted(example: str) -> None:
    msgspec.json.decode(example.encode(), type=CommandEnvelope)


@pytest.mark.parametrize("example", PARAGRAPHS, ids=lambda example: json.loads(example)["id"])
def test_every_paragraph_example_loads_and_is_written_back_unchanged(example: str) -> None:
    paragraph = msgspec.json.decode(example.encode(), type=Paragraph)

    assert json.loads(msgspec.json.encode(paragraph)) == json.loads(example)


def test_a_paragraph_example_is_what_the_stored_examples_make_of_that_paragraph() -> None:
    """Its text, revision, authors and ops follow from its ParagraphAdded and the edits of it, in order."""
    assert PARAGRAPHS
    events = sorted((decode_event(example.encode()) for example in STORED_EVENTS), key=lambda event: event.version)
    for example in PARAGRAPHS:
        shown = msgspec.json.decode(example.encode(), type=Paragraph)
        added = next(e for e in events if e.type == "ParagraphAdded" and e.data.paragraph_id == shown.id)
        text, authors, ops = added.data.text, written_by(added.actor, len(added.data.text)), []
        for edit in (e for e in events if e.type == "ParagraphTextEdited" and e.data.paragraph_id == shown.id):
            assert edit.data.revision == len(ops) + 1
            text, authors = text_ops.apply(text, edit.data.ops), apply_to_runs(authors, edit.data.ops, edit.actor)
            ops.append(edit.data.ops)

        assert (shown.text, shown.revision, shown.authors) == (text, len(ops), authors)
        assert json.loads(msgspec.json.encode(shown.recent_ops)) == json.loads(msgspec.json.encode(ops))


def test_every_event_type_is_documented_at_its_current_schema_with_an_example() -> None:
    documented = dict(re.findall(r"^### (\w+) \(schema (\d+)\)$", README, flags=re.MULTILINE))

    assert documented == {name: str(cls.schema) for name, cls in EVENT_TYPES.items()}
    assert {json.loads(example)["type"] for example in STORED_EVENTS} == set(EVENT_TYPES)


def test_the_stored_examples_are_moments_of_one_report() -> None:
    events = [json.loads(example) for example in STORED_EVENTS]

    assert len({event["report_id"] for event in events}) == 1
    assert len({event["version"] for event in events}) == len({event["event_id"] for event in events}) == len(events)


def test_every_command_is_in_a_table_of_commands_with_the_event_it_records() -> None:
    assert ROWS.keys() == COMMAND_TYPES
    assert {name: re.findall(r"`(\w+)`", event)[0] for name, (event, _) in ROWS.items()} == PRODUCES


def test_the_error_codes_of_each_command_are_those_its_refusal_stories_end_with() -> None:
    meeting = Meeting()
    told = {(type(case.command(meeting)).__name__, case.code) for case in REFUSALS if case.code not in EVERY_COMMAND}
    documented = {(name, code) for name, (_, codes) in ROWS.items() for code in re.findall(r"`(\w+)`", codes)}

    assert documented == told


@pytest.mark.parametrize("case", REFUSALS, ids=lambda case: f"{case.code}: {case.story}")
def test_every_refusal_is_documented_on_its_command(case: Refusal) -> None:
    name = type(case.command(Meeting())).__name__

    assert case.code in EVERY_COMMAND or f"`{case.code}`" in ROWS[name][1]


def test_every_error_code_is_explained() -> None:
    explained = {code for cell in re.findall(r"^\| (`.*?`) \|", ERROR_TABLE, flags=re.MULTILINE) for code in re.findall(r"`(\w+)`", cell)}

    assert explained == ERROR_CODES
