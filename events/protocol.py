"""Messages on the wire, shared by the server and every client.

The live WebSocket protocol is a tagged union on `type` in each direction. The HTTP bodies
reuse the same Structs, so that a report or an error looks the same on every path.
"""

from typing import Annotated, Union

import msgspec

from events.commands import CommandEnvelope
from events.envelope import StoredEvent
from events.fields import MAX_VERSION, CommandId, Id, Title, Version
from events.model import Language, Paragraph, Report

MAX_MESSAGE_BYTES = 1024 * 1024


class CommandMessage(CommandEnvelope, tag="command", tag_field="type", frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Client -> server: a command, with the same fields as over HTTP."""


class PresenceMessage(msgspec.Struct, tag="presence", tag_field="type", frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Client -> server: where this drafter is now (None: nowhere in particular)."""

    paragraph_id: Id | None = None
    cursor: Annotated[int, msgspec.Meta(ge=0, le=MAX_VERSION)] | None = None


MAX_REPLAY_PAGE = 1_000


class ReplayMessage(msgspec.Struct, tag="replay", tag_field="type", frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Client -> server: ask for the stored events after `from_version` up to `to_version`
    (0 <= from_version <= to_version <= the report's version), in pages of at most `page_size`
    events (`ReplayPage`), sent between the live messages. A request out of range is refused
    with `invalid_query` (from after to) or `unknown_version` (beyond the report)."""

    from_version: Version
    to_version: Version
    page_size: Annotated[int, msgspec.Meta(ge=1, le=MAX_REPLAY_PAGE)] = 100
    request_id: CommandId | None = None


ClientMessage = Union[CommandMessage, PresenceMessage, ReplayMessage]


class PresenceUpdate(msgspec.Struct, tag="presence", tag_field="type", frozen=True, kw_only=True):
    """Server -> clients: a drafter's whereabouts; `at` is when it was last confirmed (epoch s).
    `drafter` is the user's id (as in events' `actor`), `name` their display name."""

    report_id: str
    connection_id: str
    drafter: str
    name: str = ""
    paragraph_id: str | None = None
    cursor: int | None = None
    at: float = 0.0


class PresenceLeft(msgspec.Struct, tag="presence_left", tag_field="type", frozen=True, kw_only=True):
    report_id: str
    connection_id: str


class Snapshot(msgspec.Struct, tag="snapshot", tag_field="type", frozen=True):
    version: int
    report: Report


class EventMessage(msgspec.Struct, tag="event", tag_field="type", frozen=True):
    event: StoredEvent


class EventsMessage(msgspec.Struct, tag="events", tag_field="type", frozen=True, omit_defaults=True):
    """Several events in order, in one message: what a connection opened with `?batch=1`
    receives instead of one `event` message each. Edits that were appended together (one
    group commit) arrive together, so a busy report costs one frame per client, not one
    per event. `acks`: this connection's commands that these events complete, acknowledged
    here rather than in `ack` messages of their own (take them after the events)."""

    events: list[StoredEvent]
    acks: list["Ack"] = []


class Ack(msgspec.Struct, tag="ack", tag_field="type", frozen=True):
    """Sent once every event up to `version` has been sent on this connection."""

    command_id: str
    version: int


class Error(msgspec.Struct, tag="error", tag_field="type", frozen=True):
    command_id: str | None
    code: str
    message: str


class ReplayPage(msgspec.Struct, tag="replay_page", tag_field="type", frozen=True, kw_only=True, omit_defaults=True):
    """Server -> client: the stored events after `from_version` up to `to_version`, one page
    of a replay. Pages of one request come in order, each starting where the previous ended;
    the last has `done` true. `request_id` is the request's, when it named one."""

    request_id: str | None = None
    from_version: int
    to_version: int
    events: list[msgspec.Raw]
    done: bool


class ReplayRefused(msgspec.Struct, tag="error", tag_field="type", frozen=True, kw_only=True):
    """Server -> client: an `error` for a replay request, naming the request it refuses."""

    command_id: None = None
    request_id: str | None
    code: str
    message: str


ServerMessage = Union[Snapshot, EventMessage, EventsMessage, Ack, Error, PresenceUpdate, PresenceLeft, ReplayPage]


class ErrorBody(msgspec.Struct, frozen=True):
    code: str
    message: str


class CreateReportRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    title: Title
    report_id: Id | None = None
    command_id: CommandId | None = None


def for_clients(report: Report) -> Report:
    """The report as clients are sent it: without each paragraph's `recent_ops`, the past
    operations the server keeps to transform late edits (up to 500 per paragraph, most of a
    long report's bytes). Clients fold new events onto it as onto the full one."""

    def trimmed(paragraphs: tuple[Paragraph, ...]) -> tuple[Paragraph, ...]:
        return tuple(msgspec.structs.replace(p, recent_ops=()) if p.recent_ops else p for p in paragraphs)

    return msgspec.structs.replace(
        report,
        chapters=tuple(
            msgspec.structs.replace(
                chapter,
                paragraphs=trimmed(chapter.paragraphs),
                sections=tuple(msgspec.structs.replace(s, paragraphs=trimmed(s.paragraphs)) for s in chapter.sections),
            )
            for chapter in report.chapters
        ),
    )


class ReportView(msgspec.Struct, frozen=True):
    version: int
    report: Report


class ReportSummary(msgspec.Struct, frozen=True, omit_defaults=True):
    """A report as `GET /api/reports` lists it. `damaged_at`: only for a report whose event
    at that version cannot be read (the server answers `corrupt_event` for it); it is then
    listed as it was just before."""

    id: str
    title: str
    version: int
    adopted: bool
    language: Language
    damaged_at: int | None = None


def event_message_bytes(raw_event: bytes) -> bytes:
    """An EventMessage around an event's stored JSON, without decoding it."""
    return b'{"type":"event","event":' + raw_event + b"}"


def events_message_bytes(raw_events: list[bytes], raw_acks: list[bytes] | None = None) -> bytes:
    """An EventsMessage around stored events' JSON (and encoded acks), without decoding them."""
    acks = b',"acks":[' + b",".join(raw_acks) + b"]" if raw_acks else b""
    return b'{"type":"events","events":[' + b",".join(raw_events) + b"]" + acks + b"}"


class PlaceholderView(msgspec.Struct, frozen=True):
    """A placeholder as listed for drafters: `paragraph` is its paragraph's number."""

    id: str
    paragraph: int
    text: str
    context: str


class HistoryEntry(msgspec.Struct, frozen=True):
    """An event of a history query, as stored, with its one-line summary in the report's language."""

    event: msgspec.Raw
    summary: str


class HistoryPage(msgspec.Struct, frozen=True):
    """The events that matched, oldest first; `next_after`: the version to ask `after` next, or
    None once the whole log was read."""

    events: list[HistoryEntry]
    next_after: int | None


class DamagedEntry(msgspec.Struct, frozen=True, kw_only=True):
    """An entry of a report's stream that cannot be read as the event at its place.
    `newer`: it reads as an event of a type or schema this server does not know, that is,
    one a newer version of Rapporteur wrote (running that version again is the repair)."""

    version: int
    entry_id: str
    problem: str
    newer: bool = False


class Diagnosis(msgspec.Struct, frozen=True, kw_only=True):
    """`rapporteur doctor`: what a report's stream holds. `readable_up_to`: the last version
    before the first damaged entry (`entries` when none is). `damaged` lists at most a
    thousand entries, oldest first; `more`: there are others after them."""

    report_id: str
    entries: int
    readable_up_to: int
    damaged: list[DamagedEntry]
    more: bool = False
