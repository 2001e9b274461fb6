"""Turning bytes from the network into typed messages, and errors into statuses.

HTTP and the WebSocket share this, so that the same bad input gets the same error code on
both: `malformed_json`, `unknown_command`, `invalid_command`, `message_too_large`.
"""

from typing import Any, TypeVar

import msgspec

from events.commands import COMMAND_TYPES
from events.errors import DomainError
from events.protocol import MAX_MESSAGE_BYTES

T = TypeVar("T")

# What decoding hostile bytes may raise besides DecodeError: invalid UTF-8 inside a string,
# and nesting deeper than the decoder recurses. All mean "not JSON we can read".
UNREADABLE = (msgspec.DecodeError, UnicodeDecodeError, RecursionError)

HTTP_STATUS: dict[str, int] = {
    "malformed_json": 400,
    "invalid_query": 400,
    "invalid_encoding": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "quota_exceeded": 403,
    "unknown_user": 404,
    "user_revoked": 409,
    "last_admin": 409,
    "rate_limited": 429,
    "unknown_report": 404,
    "unknown_version": 404,
    "version_conflict": 409,
    "report_exists": 409,
    "message_too_large": 413,
    # A stored event this server cannot read: the server's data, not the request, is at fault.
    "corrupt_event": 500,
    "internal_error": 500,
    # Redis is lost or stalled (server/outage.py), or cannot write (/api/health): try again later.
    "redis_unavailable": 503,
    "redis_cannot_write": 503,
    # A costly read (rendering, checks, blame, diff) not computed within the read budget.
    "too_costly": 503,
}
# Every other domain error code: the command was understood but the report refuses it.
DEFAULT_STATUS = 422

_decoders: dict[Any, msgspec.json.Decoder] = {}


def status_of(error: DomainError) -> int:
    return HTTP_STATUS.get(error.code, DEFAULT_STATUS)


def _command_type(raw: bytes) -> object:
    try:
        message = msgspec.json.decode(raw)
    except UNREADABLE:
        return None
    command = message.get("command") if isinstance(message, dict) else None
    return command.get("type") if isinstance(command, dict) else None


def parse(raw: bytes, message_type: type[T]) -> T:
    """Decode one message or raise a DomainError that says exactly what is wrong."""
    if len(raw) > MAX_MESSAGE_BYTES:
        raise DomainError("message_too_large", f"messages are limited to {MAX_MESSAGE_BYTES} bytes; this one has {len(raw)}")
    decoder = _decoders.get(message_type)
    if decoder is None:
        decoder = _decoders[message_type] = msgspec.json.Decoder(message_type)
    try:
        return decoder.decode(raw)
    except msgspec.ValidationError as error:
        command_type = _command_type(raw)
        if isinstance(command_type, str) and command_type not in COMMAND_TYPES:
            raise DomainError("unknown_command", f"unknown command type {command_type!r}") from None
        raise DomainError("invalid_command", str(error)) from None
    except UNREADABLE as error:
        raise DomainError("malformed_json", f"the message is not valid JSON: {error}") from None


def command_id_of(raw: bytes) -> str | None:
    """The command id of a message that failed to parse, so the error can name it."""
    try:
        message = msgspec.json.decode(raw)
    except UNREADABLE:
        return None
    value = message.get("command_id") if isinstance(message, dict) else None
    return value if isinstance(value, str) else None
