"""The wire: the same Structs over HTTP and the WebSocket, in both directions."""

import msgspec
import pytest

from events.catalogue import ChapterAdded
from events.commands import AddChapter
from events.envelope import encode_event
from events.model import Chapter, Paragraph, Report
from events.protocol import (
    Ack,
    ClientMessage,
    CommandMessage,
    CreateReportRequest,
    Error,
    EventMessage,
    Snapshot,
    event_message_bytes,
)
from tests.events.builders import REPORT_ID, stored, uid

decode_client_message = msgspec.json.Decoder(ClientMessage).decode


def test_a_command_message_carries_the_same_fields_as_over_http() -> None:
    raw = (
        b'{"type": "command", "command_id": "c-2", "expected_version": 1,'
        b' "command": {"type": "AddChapter", "title": "Introduction"}}'
    )

    assert decode_client_message(raw) == CommandMessage(
        command_id="c-2", expected_version=1, command=AddChapter(title="Introduction")
    )


@pytest.mark.parametrize(
    "raw",
    [
        b'{"type": "command", "command_id": "c-2", "actor": "mallory", "command": {"type": "AddChapter", "title": "I"}}',
        b'{"type": "command", "command_id": "c-2", "command": {"type": "AddChapter", "title": "I", "actor": "mallory"}}',
    ],
    ids=["on-the-message", "on-the-command"],
)
def test_a_live_command_cannot_carry_its_own_actor(raw: bytes) -> None:
    with pytest.raises(msgspec.ValidationError, match="unknown field `actor`"):
        decode_client_message(raw)


def test_an_event_message_built_around_stored_bytes_equals_the_encoded_message() -> None:
    event = stored(ChapterAdded(chapter_id=uid(2), title="Introduction"), 2)

    assert event_message_bytes(encode_event(event)) == msgspec.json.encode(EventMessage(event=event))


def test_a_snapshot_decodes_to_the_same_report() -> None:
    report = Report(
        id=REPORT_ID,
        title="Projet de rapport",
        chapters=(
            Chapter(id=uid(2), title="Introduction", paragraphs=(Paragraph(id=uid(3), text="Dans sa décision 4/4…"),)),
        ),
    )
    snapshot = Snapshot(version=3, report=report)

    assert msgspec.json.decode(msgspec.json.encode(snapshot), type=Snapshot) == snapshot


@pytest.mark.parametrize(
    ("message", "wire"),
    [
        (Ack(command_id="c-2", version=5), {"type": "ack", "command_id": "c-2", "version": 5}),
        (
            Error(command_id="c-2", code="unknown_chapter", message="no chapter"),
            {"type": "error", "command_id": "c-2", "code": "unknown_chapter", "message": "no chapter"},
        ),
    ],
)
def test_server_messages_are_tagged_by_type(message: msgspec.Struct, wire: dict) -> None:
    assert msgspec.json.decode(msgspec.json.encode(message)) == wire


def test_a_new_report_may_name_its_own_id_but_only_as_a_uuid() -> None:
    decode = msgspec.json.Decoder(CreateReportRequest).decode

    assert decode(b'{"title": "Projet de rapport", "report_id": "%s"}' % REPORT_ID.encode()).report_id == REPORT_ID
    with pytest.raises(msgspec.ValidationError, match=r"\$.report_id"):
        decode(b'{"title": "Projet de rapport", "report_id": "../../etc"}')
