"""The ledger held against the streams: what every acknowledged command left in Redis.

Read straight from Redis with redis-py, entry by entry, so that a damaged entry is counted,
not fatal, and nothing of the server's own reading is trusted. A load command is *stored*
when an event carries its command id and its marker; *lost* when it was acknowledged and is
not stored; *duplicated* when its command id or its marker is in more than one event (the
same text twice); *contradicted* when the version acknowledged is not the one stored, or two
acks of it disagreed.
"""

import re
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import msgspec
import redis.asyncio as aioredis

from server.keys import events_key
from tests.faults.ledger import MARKER_PREFIX, Ledger

_MARKER = re.compile(re.escape(MARKER_PREFIX).encode() + rb"[0-9a-f]{32} ")
PAGE = 1000


class _Envelope(msgspec.Struct):
    """Only what the audit needs of a stored event."""

    version: int
    command_id: str


_decode_envelope = msgspec.json.Decoder(_Envelope).decode


@dataclass
class Audit:
    acked: int = 0
    stored: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    contradicted: list[str] = field(default_factory=list)
    applied_unacked: int = 0  # stored although the client never got its ack
    unreadable: int = 0  # entries that are not events (the damage scenario writes one)
    entries: int = 0

    @property
    def kept(self) -> bool:
        return not (self.lost or self.duplicated or self.contradicted)


async def audit(redis: aioredis.Redis, ledger: Ledger, report_ids: tuple[str, ...]) -> Audit:
    result = Audit(acked=len(ledger.acks))
    events_of: Counter[str] = Counter()  # command id -> events stored with it
    markers: Counter[str] = Counter()  # marker -> events holding it
    versions: dict[str, int] = {}
    for report_id in report_ids:
        async for raw in _entries(redis, events_key(report_id)):
            result.entries += 1
            try:
                envelope = _decode_envelope(raw)
            except (msgspec.DecodeError, UnicodeDecodeError):
                result.unreadable += 1
                continue
            events_of[envelope.command_id] += 1
            versions.setdefault(envelope.command_id, envelope.version)
            for marker in set(_MARKER.findall(raw)):
                markers[marker.decode()] += 1
    for command_id, sent in ledger.commands.items():
        stored = events_of[command_id] > 0 and markers[sent.marker] > 0
        result.stored += stored
        if events_of[command_id] > 1 or markers[sent.marker] > 1:
            result.duplicated.append(command_id)
        if command_id not in ledger.acks:
            result.applied_unacked += stored
        elif not stored:
            result.lost.append(command_id)
        elif versions[command_id] != ledger.acks[command_id] or command_id in ledger.contradicted:
            result.contradicted.append(command_id)
    return result


async def _entries(redis: aioredis.Redis, key: str) -> AsyncIterator[bytes]:
    """Each entry's event field (b"" for an entry without one), oldest first, in pages."""
    start = "-"
    while True:
        page = await redis.xrange(key, min=start, max="+", count=PAGE)
        for _, fields in page:
            yield fields.get(b"e", b"")
        if len(page) < PAGE:
            return
        start = "(" + page[-1][0].decode()
