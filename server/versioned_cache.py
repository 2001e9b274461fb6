"""What a cache of the log keeps per report: values scored by the version they are true at.

The report's snapshots (server/snapshots.py) and the blame checkpoints (server/blame_checkpoints.py)
are each a sorted set `report:{<id>}:<kind>` whose members are encoded values, scored by the
version of the log each one was computed at. Both are read the same way (the newest value at or
below a version that can be trusted, an untrustworthy one skipped for the next older) and
written the same way (the value at a version replaced whole, in one transaction): here, once.
"""

import logging
from collections.abc import Callable
from typing import TypeVar

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

log = logging.getLogger(__name__)

T = TypeVar("T")


class Unusable(Exception):
    """Why a stored value cannot be trusted (undecodable, of another schema, of another report
    or version): the next older one is tried instead."""


async def newest_usable(
    redis: aioredis.Redis,
    key: str,
    upto: int | None,
    decode: Callable[[bytes, int], T],
    skipped: list[tuple[int, Unusable]],
) -> tuple[int, T] | None:
    """The newest member of `key` scored at or below `upto` (or of all) that `decode(raw,
    version)` accepts, with its version; None if there is none. Those it refuses (raising
    Unusable) are appended to `skipped`, newest first. One round trip per member tried. A key
    that is no sorted set (Redis answers WRONGTYPE: not written by Rapporteur) holds none."""
    highest: int | str = "+inf" if upto is None else upto
    while True:
        try:
            found = await redis.zrevrangebyscore(key, highest, "-inf", start=0, num=1, withscores=True)
        except ResponseError as error:
            log.warning("%s cannot be read as a cache of the log (%s): passed over", key, error)
            return None
        if not found:
            return None
        raw, score = found[0]
        version = int(score)
        try:
            return version, decode(raw, version)
        except Unusable as problem:
            skipped.append((version, problem))
        highest = f"({version}"


async def replace_at(redis: aioredis.Redis, key: str, version: int, value: bytes) -> None:
    """Store `value` as the one member of `key` at `version` (replacing any other there).
    Raises what Redis raises: the caller says what was not stored."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.zremrangebyscore(key, version, version)
        pipe.zadd(key, {value: version})
        await pipe.execute()
