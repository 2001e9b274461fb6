"""One Redis connection that many callers share, each request written without waiting for
the replies before it (pipelining), the replies handed back in order.

Why: the appends are the one Redis call on the path of every edit. Through redis-py's pool a
call costs about 150 µs of the server's CPU (taking a connection, timeouts, retries,
instrumentation); written straight onto one connection it costs a third of that. And the
appends of every report the process is writing travel together: Redis reads them in one go and
makes them durable with one fsync.

The connection is redis-py's own (same URL, credentials, TLS, database and protocol as the
pool's), so only the sending and the matching of replies are done here. If the connection
fails, or a reply takes longer than the pool's socket timeout, every request in flight fails
with the error (an append may or may not have been stored: its command id makes a retry
safe), and the next request reconnects. Its reads have no timeout of their own: between two
requests the connection may rest for as long as it likes. Connecting (with its handshake:
HELLO, AUTH, SELECT) is bounded by the same timeout, and the requests that wait for one
connection attempt all get its outcome: a stalled Redis fails them within the timeout, not
one timeout after another.
"""

import asyncio
import contextlib
import time
from collections import deque
from typing import Any

from redis.asyncio.connection import AbstractConnection, ConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

# How long a reply may take when the pool sets no socket timeout.
DEFAULT_TIMEOUT = 10.0
# The watchdog looks this many times per timeout: a request fails at most a fifth late.
CHECKS_PER_TIMEOUT = 5


class PipelinedConnection:
    def __init__(self, pool: ConnectionPool) -> None:
        """A connection like the ones of `pool`, but of its own."""
        self._class = pool.connection_class
        self._kwargs = dict(pool.connection_kwargs)
        self._timeout: float = self._kwargs.get("socket_timeout") or DEFAULT_TIMEOUT
        # With a socket timeout, redis-py runs every send in a task of its own and ends an
        # idle read with an error; the watchdog below bounds each request instead.
        self._kwargs["socket_connect_timeout"] = self._kwargs.get("socket_connect_timeout") or self._timeout
        self._kwargs["socket_timeout"] = None
        self._connection: AbstractConnection | None = None
        self._connecting: asyncio.Task[AbstractConnection] | None = None
        self._waiting: deque[tuple[asyncio.Future[Any], float]] = deque()  # with when it was sent
        self._reader: asyncio.Task[None] | None = None
        self._watchdog: asyncio.TimerHandle | None = None
        self._closing: set[asyncio.Task[None]] = set()

    async def call(self, *args: Any) -> Any:
        """Send one command; its reply (or the error Redis answered), once it comes."""
        connection = self._connection
        if connection is None:
            connection = await self._connect()
        packed = connection.pack_command(*args)
        if connection is not self._connection or not connection.is_connected:
            error = RedisConnectionError("the connection to Redis was lost")
            self._fail(connection, error)
            raise error
        reply: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        # In the order written: nothing between queueing the future and writing may yield.
        self._waiting.append((reply, time.monotonic()))
        try:
            await connection.send_packed_command(packed, check_health=False)
        except (RedisConnectionError, RedisTimeoutError) as error:
            self._fail(connection, error)
            raise
        except OSError as error:
            lost = RedisConnectionError(f"the connection to Redis was lost: {error}")
            self._fail(connection, lost)
            raise lost from error
        return await reply

    async def _connect(self) -> AbstractConnection:
        """The connection, opened by one attempt that every caller meanwhile waits for."""
        if self._connecting is None:
            self._connecting = asyncio.get_running_loop().create_task(self._open(), name="redis-pipelined-connect")
            self._connecting.add_done_callback(self._connected)
        return await asyncio.shield(self._connecting)

    def _connected(self, attempt: "asyncio.Task[AbstractConnection]") -> None:
        if self._connecting is attempt:
            self._connecting = None
        if not attempt.cancelled():
            attempt.exception()  # its callers had it; none left is no reason to warn

    async def _open(self) -> AbstractConnection:
        connection = self._class(**self._kwargs)
        try:
            # Its handshake's replies are read without a socket timeout: bounded here.
            async with asyncio.timeout(self._timeout):
                await connection.connect()
        except TimeoutError:
            await connection.disconnect(nowait=True)
            raise RedisTimeoutError(f"Redis did not answer within {self._timeout} s while connecting") from None
        except BaseException:
            await connection.disconnect(nowait=True)
            raise
        self._connection = connection
        self._reader = asyncio.create_task(self._read(connection), name="redis-pipelined-reader")
        self._watch(connection)
        return connection

    def _watch(self, connection: AbstractConnection) -> None:
        """Several times per timeout: a request unanswered for longer means the connection is dead."""
        if connection is not self._connection:
            return
        if self._waiting and time.monotonic() - self._waiting[0][1] > self._timeout:
            self._fail(connection, RedisTimeoutError(f"Redis did not answer within {self._timeout} s"))
            return
        self._watchdog = asyncio.get_running_loop().call_later(self._timeout / CHECKS_PER_TIMEOUT, self._watch, connection)

    async def _read(self, connection: AbstractConnection) -> None:
        while True:
            try:
                reply = await connection.read_response()
            except ResponseError as error:  # Redis answered this request with an error
                reply = error
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - whatever broke the reading, the connection is unusable
                self._fail(connection, error)
                return
            if not self._waiting:
                self._fail(connection, RedisConnectionError("Redis sent a reply to no request"))
                return
            waiting, _ = self._waiting.popleft()
            if waiting.done():
                continue  # its caller went away
            if isinstance(reply, ResponseError):
                waiting.set_exception(reply)
            else:
                waiting.set_result(reply)

    def _fail(self, connection: AbstractConnection, error: Exception) -> None:
        """The connection is lost: every request in flight gets the error, and the next
        request opens a new connection."""
        if connection is not self._connection:
            return
        self._connection = None
        if self._watchdog is not None:
            self._watchdog.cancel()
        while self._waiting:
            waiting, _ = self._waiting.popleft()
            if not waiting.done():
                waiting.set_exception(error)
        reader, self._reader = self._reader, None
        if reader is not None and reader is not asyncio.current_task():
            reader.cancel()
        closing = asyncio.get_running_loop().create_task(connection.disconnect(nowait=True))
        self._closing.add(closing)
        closing.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        if self._connecting is not None:
            self._connecting.cancel()
        connection, reader = self._connection, self._reader
        if connection is not None:
            self._fail(connection, RedisConnectionError("the connection to Redis was closed"))
        if reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        await asyncio.gather(*self._closing, return_exceptions=True)
