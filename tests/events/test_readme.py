"""events/README.md documents the permanent format: every example in it must keep loading."""

import json
import re
from pathlib import Path

import msgspec
import pytest

from events.catalogue import EVENT_TYPES
from events.commands import COMMAND_TYPES, CommandEnvelope
from events.envelope import decode_event, encode_event

README = (Path(__file__).parents[2] / "events" / "README.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"^```json\n(.*?)^```", README, flags=re.DOTALL | re.MULTILINE)
STORED_EVENTS = [example for example in EXAMPLES if '"event_id"' in example]
COMMANDS = [example for example in EXAMPLES if '"event_id"' not in example]


@pytest.mark.parametrize("example", STORED_EVENTS, ids=lambda example: json.loads(example)["type"])
def test_every_stored_example_loads_and_is_written_back_unchanged(example: str) -> None:
    event = decode_event(example.encode())

    assert json.loads(encode_event(event)) == json.loads(example)


@pytest.mark.parametrize("example", COMMANDS)
def test_every_command_example_is_accepted(example: str) -> None:
    msgspec.json.decode(example.encode(), type=CommandEnvelope)


def test_every_event_type_is_documented_at_its_current_schema_with_an_example() -> None:
    documented = dict(re.findall(r"^### (\w+) \(schema (\d+)\)$", README, flags=re.MULTILINE))

    assert documented == {name: str(cls.schema) for name, cls in EVENT_TYPES.items()}
    assert {json.loads(example)["type"] for example in STORED_EVENTS} == set(EVENT_TYPES)


def test_every_command_is_in_the_table_of_commands() -> None:
    assert set(re.findall(r"^\| `(\w+)` \|", README, flags=re.MULTILINE)) >= COMMAND_TYPES
