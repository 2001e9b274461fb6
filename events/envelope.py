"""The stored event: a payload wrapped in the facts the log keeps about it.

This is the public format of the event log (Redis stream entries, HTTP and WebSocket
messages). `type` and `schema` say how to read `data`; `version` numbers a report's events
1, 2, 3… with no gap; `actor` is stamped by the server from the authenticated drafter.
"""

from datetime import datetime

import msgspec

from events.catalogue import Event, NewerEventType, decode_payload
from events.errors import CorruptEvent


class _Envelope(msgspec.Struct, frozen=True, kw_only=True):
    report_id: str
    version: int
    event_id: str
    type: str
    schema: int
    actor: str
    at: datetime
    command_id: str


class StoredEvent(_Envelope, frozen=True, kw_only=True):
    data: Event


class _RawStoredEvent(_Envelope, frozen=True, kw_only=True):
    """As stored: the payload is read once its type and schema are known."""

    data: msgspec.Raw


_encoder = msgspec.json.Encoder()
_raw_decoder = msgspec.json.Decoder(_RawStoredEvent)


def encode_event(event: StoredEvent) -> bytes:
    return _encoder.encode(event)


def decode_envelope(raw: bytes) -> _RawStoredEvent:
    """The facts about a stored event, its payload left as JSON (`data`, of `schema`): for a
    reader that needs the payload of few of the events it reads, a fifth of `decode_event`."""
    return _raw_decoder.decode(raw)


def decode_event(raw: bytes) -> StoredEvent:
    """Read an event written by this or any earlier version of Rapporteur.

    The event comes back at the current schema of its type, `schema` included, so that
    encoding it again (a retried command's result, a relayed event) writes a consistent event.
    """
    stored = _raw_decoder.decode(raw)
    data = decode_payload(stored.type, stored.schema, stored.data)
    envelope = {name: getattr(stored, name) for name in _Envelope.__struct_fields__}
    return StoredEvent(**(envelope | {"schema": type(data).schema}), data=data)


# What decoding damaged bytes may raise: msgspec's errors (not JSON, wrong shape; both are
# ValueErrors, as is UnknownEventType), invalid UTF-8, nesting too deep for the decoder, and
# whatever an upcaster trips on in an old payload of the wrong shape.
UNREADABLE_EVENT = (ValueError, UnicodeDecodeError, RecursionError, LookupError, TypeError)


def unreadable(report_id: str, version: int, error: Exception) -> CorruptEvent:
    """What it means that `decode_event` raised `error` (one of UNREADABLE_EVENT)."""
    if isinstance(error, NewerEventType):
        return CorruptEvent(report_id, version, f"{error}: written by a newer version of Rapporteur", newer=True)
    return CorruptEvent(report_id, version, f"not an event: {error}")


def read_stored(raw: bytes, report_id: str, version: int) -> StoredEvent:
    """The event stored at `version` of `report_id`, or CorruptEvent saying what is wrong.

    Besides decoding, the event must claim that place: an entry copied from another report
    or another version would fold into a report that never was.
    """
    if not raw:
        raise CorruptEvent(report_id, version, "the stream entry holds no event")
    try:
        event = decode_event(raw)
    except UNREADABLE_EVENT as error:
        raise unreadable(report_id, version, error) from None
    if event.report_id != report_id or event.version != version:
        raise CorruptEvent(report_id, version, f"it is version {event.version} of report {event.report_id}")
    return event
