"""Who else is in a report, and in which paragraph: ephemeral, never an event.

Presence crosses server processes through Redis: each update is published on the report's
channel and kept in the report's presence hash, so a drafter who arrives on any process sees
everyone at once. One subscriber task per process hands published updates to the local
connections of that report. Entries carry the time they were written; connections refresh
theirs every REFRESH_SECONDS, and entries older than STALE_SECONDS (a process that died
without saying goodbye) are ignored and swept.
"""

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

import msgspec
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from events.protocol import PresenceLeft, PresenceUpdate
from server.keys import presence_channel, presence_key, report_of_presence_channel
from server.outage import REDIS_DOWN, REDIS_TIMEOUT_SECONDS, Outage, backoff
from server.wire import UNREADABLE

REFRESH_SECONDS = 15.0
STALE_SECONDS = 45.0

Listener = Callable[[bytes], Awaitable[None]]
_encode = msgspec.json.Encoder().encode
_decode_update = msgspec.json.Decoder(PresenceUpdate).decode


class Presence:
    def __init__(self, redis_url: str, redis: aioredis.Redis, outage: Outage) -> None:
        """`outage`: told when the relay finds Redis gone; the relay tries again with backoff,
        and its subscriptions are renewed when it reconnects."""
        self.redis = redis
        self._outage = outage
        # Its reads wait for messages with a timeout of their own; its commands and handshake
        # are bounded like every other call. It retries by itself (below), not in redis-py.
        subscriber = aioredis.Redis.from_url(
            redis_url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 0),
        )
        self._pubsub = subscriber.pubsub(ignore_subscribe_messages=True)
        self._listeners: dict[str, dict[str, Listener]] = {}
        self._own: dict[str, PresenceUpdate] = {}
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._relay(), name="presence-relay"), asyncio.create_task(self._refresh())]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for update in list(self._own.values()):
            with contextlib.suppress(Exception):
                await self.leave(update.report_id, update.connection_id)
        await self._pubsub.aclose()

    async def join(self, report_id: str, connection_id: str, listener: Listener) -> list[PresenceUpdate]:
        """Listen to the report's presence; returns who is there now."""
        listeners = self._listeners.setdefault(report_id, {})
        if not listeners:
            await self._pubsub.subscribe(presence_channel(report_id))
        listeners[connection_id] = listener
        return await self.current(report_id)

    async def current(self, report_id: str) -> list[PresenceUpdate]:
        """Who is in the report now. Entries too old, and entries this server cannot read
        (damaged, or written by another version), are swept: presence is ephemeral, and
        one bad entry must not refuse every live connection to the report."""
        now, present, stale = time.time(), [], []
        for field, raw in (await self.redis.hgetall(presence_key(report_id))).items():
            try:
                update = _decode_update(raw)
            except UNREADABLE:  # not JSON, or not the shape this server writes
                stale.append(field)
                continue
            if now - update.at < STALE_SECONDS:
                present.append(update)
            else:
                stale.append(field)
        if stale:
            await self.redis.hdel(presence_key(report_id), *stale)
        return present

    async def update(self, update: PresenceUpdate) -> None:
        update = msgspec.structs.replace(update, at=time.time())
        self._own[update.connection_id] = update
        raw = _encode(update)
        await self.redis.hset(presence_key(update.report_id), update.connection_id, raw)
        await self.redis.publish(presence_channel(update.report_id), raw)

    async def leave(self, report_id: str, connection_id: str) -> None:
        self._own.pop(connection_id, None)
        listeners = self._listeners.get(report_id, {})
        listeners.pop(connection_id, None)
        if not listeners and report_id in self._listeners:
            del self._listeners[report_id]
            await self._pubsub.unsubscribe(presence_channel(report_id))
        await self.redis.hdel(presence_key(report_id), connection_id)
        await self.redis.publish(
            presence_channel(report_id), _encode(PresenceLeft(report_id=report_id, connection_id=connection_id))
        )

    async def _relay(self) -> None:
        failures = 0
        while True:
            if not self._pubsub.subscribed:
                await asyncio.sleep(0.05)
                continue
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except (*REDIS_DOWN, OSError) as error:
                self._outage.lost(error)
                failures += 1
                await asyncio.sleep(backoff(failures))
                continue
            failures = 0
            if message is None:
                continue
            report_id = report_of_presence_channel(message["channel"])
            for listener in list(self._listeners.get(report_id, {}).values()):
                with contextlib.suppress(Exception):
                    await listener(message["data"])

    async def _refresh(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            for update in list(self._own.values()):
                with contextlib.suppress(*REDIS_DOWN, OSError):
                    await self.update(update)
