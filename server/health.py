"""Whether Redis can store edits: what /api/health answers beyond "Redis answers".

Redis refuses every write once a write to its append-only file has failed (a full disk, an
I/O error), until one succeeds again; it says so in INFO persistence. Reading that costs one
round trip, and writes nothing: a probe that wrote would grow the append-only file at every
poll of a load balancer, and on a full disk would make Redis exit.
"""

import redis.asyncio as aioredis

from events.errors import DomainError


def no_problem() -> DomainError | None:
    """For a Redis that `serve` does not run itself: nothing to add to what Redis says."""
    return None


async def cannot_write(redis: aioredis.Redis) -> DomainError | None:
    """Why Redis refuses writes now, or None when it takes them."""
    persistence = await redis.info("persistence")
    if persistence.get("aof_enabled") == 1 and persistence.get("aof_last_write_status") != "ok":
        return DomainError(
            "redis_cannot_write",
            "Redis cannot write its append-only file (a full disk, or an I/O error: see its log) and refuses edits",
        )
    return None
