"""Blame checkpoints: what blame gathered from a report's log, stored every N events.

Blame needs every event of the log up to the version asked (who last changed each paragraph,
who recorded each statement and fill, every adoption): about 13 s of a worker for a million
events, past the read budget. Like the report's snapshots (server/snapshots.py), the `BlameLog`
is stored at every multiple of N (`EVERY`) the blame job reads past, as a member of the sorted
set `report:{<id>}:blame` scored by its version; a blame then starts from the newest one at or
below its version and reads fewer than N events. A job cut off by its budget keeps the
checkpoints it wrote: the next request goes on from there.

A cache, never the truth: one that cannot be used (undecodable, of another schema, another
report or another version) is skipped for an older one, at worst for the first event.
"""

import logging

import msgspec
import redis.asyncio as aioredis

from events.envelope import UNREADABLE_EVENT, decode_event, encode_event
from events.history import BlameLog, Change
from server.keys import blame_key
from server.versioned_cache import Unusable, newest_usable, replace_at

log = logging.getLogger(__name__)

# Bump it whenever BlameLog or Change change shape: checkpoints of another schema are ignored.
CHECKPOINT_SCHEMA = 1
# A checkpoint is small (a Change per paragraph, statement and fill); 50,000 events are read
# and recorded in about half a second.
EVERY = 50_000


class _Checkpoint(msgspec.Struct, frozen=True, kw_only=True):
    schema: int
    report_id: str
    version: int
    last: dict[str, Change]
    last_sub_item: list[tuple[str, str, Change]]
    recorded: dict[str, Change]
    fills: dict[str, Change]
    adoptions: list[bytes]  # the adoption events, as stored


class _Header(msgspec.Struct, frozen=True, kw_only=True):
    schema: int
    report_id: str
    version: int


_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(_Checkpoint).decode
_decode_header = msgspec.msgpack.Decoder(_Header).decode


def encode_checkpoint(report_id: str, blame_log: BlameLog) -> bytes:
    return _encode(
        _Checkpoint(
            schema=CHECKPOINT_SCHEMA,
            report_id=report_id,
            version=blame_log.version,
            last=blame_log.last,
            last_sub_item=[(paragraph_id, item_id, change) for (paragraph_id, item_id), change in blame_log.last_sub_item.items()],
            recorded=blame_log.recorded,
            fills=blame_log.fills,
            adoptions=[encode_event(event) for event, _ in blame_log.adoptions],
        )
    )


def decode_checkpoint(raw: bytes, report_id: str, version: int) -> BlameLog:
    """The BlameLog stored at `version`; Unusable if it cannot be trusted to be that."""
    try:
        header = _decode_header(raw)
        if header.schema != CHECKPOINT_SCHEMA:
            raise Unusable(f"of checkpoint schema {header.schema}, not {CHECKPOINT_SCHEMA}")
        if (header.report_id, header.version) != (report_id, version):
            raise Unusable(f"claims version {header.version} of report {header.report_id}")
        stored = _decode(raw)
        adoptions = [decode_event(event) for event in stored.adoptions]
    except UNREADABLE_EVENT as error:  # msgspec's errors too: they are ValueErrors
        raise Unusable(f"undecodable ({error})") from None
    blame_log = BlameLog()
    blame_log.version = stored.version
    blame_log.last = stored.last
    blame_log.last_sub_item = {(paragraph_id, item_id): change for paragraph_id, item_id, change in stored.last_sub_item}
    blame_log.recorded = stored.recorded
    blame_log.fills = stored.fills
    blame_log.adoptions = [(event, event.data) for event in adoptions]  # type: ignore[misc]
    return blame_log


class BlameCheckpoints:
    def __init__(self, redis: aioredis.Redis, every: int = EVERY) -> None:
        self.redis = redis
        self.every = every

    def due(self, version: int) -> bool:
        return version % self.every == 0

    async def nearest(self, report_id: str, upto: int) -> BlameLog:
        """The newest usable checkpoint at or below `upto`, or an empty BlameLog."""
        skipped: list[tuple[int, Unusable]] = []
        found = await newest_usable(
            self.redis, blame_key(report_id), upto, lambda raw, version: decode_checkpoint(raw, report_id, version), skipped
        )
        for version, problem in skipped:
            log.warning("report %s: the blame checkpoint at version %d is %s; trying an older one", report_id, version, problem)
        return BlameLog() if found is None else found[1]

    async def save(self, report_id: str, blame_log: BlameLog) -> None:
        """Store (or replace) the checkpoint at the log's version. A failure is logged only."""
        try:
            await replace_at(self.redis, blame_key(report_id), blame_log.version, encode_checkpoint(report_id, blame_log))
        except aioredis.RedisError as error:
            log.warning("report %s: blame checkpoint at version %d not stored: %s", report_id, blame_log.version, error)
