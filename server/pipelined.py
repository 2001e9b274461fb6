"""One Redis connection that many callers share, each request written without waiting for
the replies before it (pipelining), the replies handed back in order.

Why: the appends are the one Redis call on the path of every edit. Through redis-py's pool a
call costs about 150 µs of the server's CPU (taking a connection, timeouts, retries,
instrumentation); written straight onto one connection it costs a third of that. And the
appends of every report the process is writing travel together: Redis reads them in one go and
makes them durable with one fsync.

The connection is redis-py's own (same URL, credentials, TLS, database and protocol as the
pool's), so only the sending and the matching of replies are done here. If the connection
fails, every request in flight fails with the error (an append may or may not have been
stored: its command id makes the client's retry safe), and the next request reconnects.
"""

import asyncio
import contextlib
from collections import deque
from typing import Any

from redis.asyncio.connection import AbstractConnection, ConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError


class PipelinedConnection:
    def __init__(self, pool: ConnectionPool) -> None:
        """A connection like the ones of `pool`, but of its own."""
        self._pool = pool
        self._connection: AbstractConnection | None = None
        self._connecting = asyncio.Lock()
        self._waiting: deque[asyncio.Future[Any]] = deque()
        self._reader: asyncio.Task[None] | None = None

    async def call(self, *args: Any) -> Any:
        """Send one command; its reply (or the error Redis answered), once it comes."""
        connection = self._connection
        if connection is None or self._reader is None or self._reader.done():
            connection = await self._connect()
        packed = connection.pack_command(*args)
        if connection is not self._connection or not connection.is_connected:
            error = RedisConnectionError("the connection to Redis was lost")
            self._fail(connection, error)
            raise error
        reply: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        # In the order written: nothing between queueing the future and writing may yield.
        self._waiting.append(reply)
        try:
            await connection.send_packed_command(packed, check_health=False)
        except BaseException as error:
            self._fail(connection, error)
            raise
        return await reply

    async def _connect(self) -> AbstractConnection:
        async with self._connecting:
            if self._connection is not None and self._reader is not None and not self._reader.done():
                return self._connection
            connection = self._pool.connection_class(**self._pool.connection_kwargs)
            await connection.connect()
            self._connection = connection
            self._reader = asyncio.create_task(self._read(connection), name="redis-pipelined-reader")
            return connection

    async def _read(self, connection: AbstractConnection) -> None:
        while True:
            try:
                reply = await connection.read_response()
            except ResponseError as error:  # Redis answered this request with an error
                reply = error
            except BaseException as error:
                self._fail(connection, error)
                return
            if not self._waiting:
                continue  # a push message nobody asked for
            waiting = self._waiting.popleft()
            if waiting.done():
                continue
            if isinstance(reply, ResponseError):
                waiting.set_exception(reply)
            else:
                waiting.set_result(reply)

    def _fail(self, connection: AbstractConnection, error: BaseException) -> None:
        """The connection is lost: every request in flight gets the error."""
        if connection is not self._connection:
            return
        self._connection = None
        if isinstance(error, asyncio.CancelledError):
            error = RedisConnectionError("the connection to Redis was closed")
        while self._waiting:
            waiting = self._waiting.popleft()
            if not waiting.done():
                waiting.set_exception(error if isinstance(error, Exception) else RedisConnectionError(str(error)))
        asyncio.get_running_loop().create_task(connection.disconnect(nowait=True))

    async def aclose(self) -> None:
        reader, connection = self._reader, self._connection
        self._reader = None
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(BaseException):
                await reader
        if connection is not None:
            await connection.disconnect()
