"""Commands as they arrive from a client: one tagged union, nothing more than its fields."""

import msgspec
import pytest

from events.commands import COMMAND_TYPES, AddParagraph, Command, CommandEnvelope, CreateReport
from tests.events.builders import uid

decode_envelope = msgspec.json.Decoder(CommandEnvelope).decode
decode_command = msgspec.json.Decoder(Command).decode


def test_a_command_is_chosen_by_its_type() -> None:
    raw = (
        b'{"type": "AddParagraph", "chapter_id": "%s", "text": "Dans sa d\xc3\xa9cision 4/4\xe2\x80\xa6"}'
        % uid(1).encode()
    )

    assert decode_command(raw) == AddParagraph(chapter_id=uid(1), text="Dans sa décision 4/4…")


def test_command_cannot_carry_its_own_actor() -> None:
    with pytest.raises(msgspec.ValidationError, match="unknown field `actor`"):
        decode_command(b'{"type": "CreateReport", "title": "Projet de rapport", "actor": "mallory"}')


def test_envelope_cannot_carry_an_actor_either() -> None:
    raw = b'{"command_id": "c-1", "actor": "mallory", "command": {"type": "CreateReport", "title": "R"}}'

    with pytest.raises(msgspec.ValidationError, match="unknown field `actor`"):
        decode_envelope(raw)


def test_unknown_command_type_is_refused() -> None:
    with pytest.raises(msgspec.ValidationError, match="Invalid value 'ArchiveReport'"):
        decode_command(b'{"type": "ArchiveReport", "report_id": "x"}')


def test_a_malformed_field_is_reported_with_its_path() -> None:
    raw = b'{"command_id": "c-1", "command": {"type": "AddParagraph", "chapter_id": 4}}'

    with pytest.raises(msgspec.ValidationError, match=r"Expected `str`, got `int` - at `\$.command.chapter_id`"):
        decode_envelope(raw)


@pytest.mark.parametrize(
    "chapter_id",
    ["introduction", uid(0xABC).upper(), uid(1) + "0", "../reports"],
)
def test_ids_must_be_lowercase_uuids(chapter_id: str) -> None:
    raw = msgspec.json.encode({"type": "AddSection", "chapter_id": chapter_id, "title": "Déclarations"})

    with pytest.raises(msgspec.ValidationError, match=r"\$.chapter_id"):
        decode_command(raw)


def test_titles_are_never_empty() -> None:
    with pytest.raises(msgspec.ValidationError, match=r"\$.title"):
        decode_command(b'{"type": "CreateReport", "title": ""}')


@pytest.mark.parametrize("command_id", ["", "a b", "x" * 129, "c/1"])
def test_command_ids_have_a_safe_shape(command_id: str) -> None:
    raw = msgspec.json.encode({"command_id": command_id, "command": {"type": "CreateReport", "title": "R"}})

    with pytest.raises(msgspec.ValidationError, match=r"\$.command_id"):
        decode_envelope(raw)


def test_a_stale_version_pin_cannot_be_negative() -> None:
    raw = b'{"command_id": "c-1", "expected_version": -1, "command": {"type": "CreateReport", "title": "R"}}'

    with pytest.raises(msgspec.ValidationError, match=r"\$.expected_version"):
        decode_envelope(raw)


def test_an_envelope_round_trips_through_json() -> None:
    envelope = CommandEnvelope(command_id="c-1", expected_version=3, command=CreateReport(title="Projet de rapport"))

    assert decode_envelope(msgspec.json.encode(envelope)) == envelope


def test_command_types_names_every_command_of_the_union() -> None:
    assert COMMAND_TYPES == {cls.__name__ for cls in Command.__args__}
