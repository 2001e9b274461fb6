"""Messages on the wire, shared by the server and every client.

The live WebSocket protocol is a tagged union on `type` in each direction. The HTTP bodies
reuse the same Structs, so that a report or an error looks the same on every path.
"""

from typing import Union

import msgspec

from events.commands import CommandEnvelope
from events.envelope import StoredEvent
from events.fields import CommandId, Id, Title
from events.model import Report

MAX_MESSAGE_BYTES = 1024 * 1024


class CommandMessage(CommandEnvelope, tag="command", tag_field="type", frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Client -> server: a command, with the same fields as over HTTP."""


ClientMessage = Union[CommandMessage]


class Snapshot(msgspec.Struct, tag="snapshot", tag_field="type", frozen=True):
    version: int
    report: Report


class EventMessage(msgspec.Struct, tag="event", tag_field="type", frozen=True):
    event: StoredEvent


class Ack(msgspec.Struct, tag="ack", tag_field="type", frozen=True):
    """Sent once every event up to `version` has been sent on this connection."""

    command_id: str
    version: int


class Error(msgspec.Struct, tag="error", tag_field="type", frozen=True):
    command_id: str | None
    code: str
    message: str


ServerMessage = Union[Snapshot, EventMessage, Ack, Error]


class ErrorBody(msgspec.Struct, frozen=True):
    code: str
    message: str


class CreateReportRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    title: Title
    report_id: Id | None = None
    command_id: CommandId | None = None


class ReportView(msgspec.Struct, frozen=True):
    version: int
    report: Report


class ReportSummary(msgspec.Struct, frozen=True):
    id: str
    title: str
    version: int


def event_message_bytes(raw_event: bytes) -> bytes:
    """An EventMessage around an event's stored JSON, without decoding it."""
    return b'{"type":"event","event":' + raw_event + b"}"


class PlaceholderView(msgspec.Struct, frozen=True):
    """A placeholder as listed for drafters: `paragraph` is its paragraph's number."""

    id: str
    paragraph: int
    text: str
    context: str
