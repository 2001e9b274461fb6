"""What a piece of code asks Redis, seen through MONITOR on a connection of its own."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import redis.asyncio as aioredis


@contextlib.asynccontextmanager
async def commands_sent(redis_url: str) -> AsyncIterator[list[str]]:
    """The commands Redis receives (from any client) inside the block, each as MONITOR prints
    it: `EVALSHA "…" "1" "report:{…}:events" …`. Filled in once the block has ended."""
    client = aioredis.Redis.from_url(redis_url)
    seen: list[str] = []
    started = asyncio.Event()

    async def watch() -> None:
        async with client.monitor() as monitor:
            started.set()
            async for command in monitor.listen():
                seen.append(command["command"])

    watcher = asyncio.create_task(watch())
    await started.wait()
    try:
        yield seen
        await client.ping()  # …and MONITOR has printed everything sent before this
        await asyncio.sleep(0.2)
    finally:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
        await client.aclose()
