"""The pipelined connection the appends share: each caller gets the reply to its own request,
an error reaches only its caller, and a lost connection fails what was in flight, then
comes back by itself."""

import asyncio
import time
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from events.access import Actor
from events.commands import AddChapter, CommandEnvelope, CreateReport
from server.embedded_redis import EmbeddedRedis
from server.outage import OutcomeUnknown
from server.pipelined import PipelinedConnection
from server.service import ReportService
from server.store import EventStore
from tests.conftest import new_id
from tests.processes import stalled

CHAIR = Actor(id="chair", role="chair")


@pytest.fixture
async def pipelined(redis: aioredis.Redis):
    connection = PipelinedConnection(redis.connection_pool)
    yield connection
    await connection.aclose()


async def test_many_callers_at_once_each_get_the_reply_to_their_own_request(pipelined: PipelinedConnection) -> None:
    key = f"counter:{new_id()}"
    replies = await asyncio.gather(
        *(pipelined.call("ECHO", f"request {n}") if n % 2 else pipelined.call("INCR", key) for n in range(400))
    )
    assert [reply for n, reply in enumerate(replies) if n % 2] == [f"request {n}".encode() for n in range(1, 400, 2)]
    assert [reply for n, reply in enumerate(replies) if n % 2 == 0] == list(range(1, 201))  # in the order sent


async def test_an_error_reply_reaches_only_the_request_it_answers(pipelined: PipelinedConnection, redis: aioredis.Redis) -> None:
    text = f"text:{new_id()}"
    await redis.set(text, "not a number")
    before, refused, after = await asyncio.gather(
        pipelined.call("ECHO", "before"), pipelined.call("INCR", text), pipelined.call("ECHO", "after"), return_exceptions=True
    )
    assert (before, after) == (b"before", b"after")
    assert isinstance(refused, ResponseError) and "not an integer" in str(refused)
    assert await pipelined.call("ECHO", "still fine") == b"still fine"


async def test_a_lost_connection_fails_what_was_in_flight_then_reconnects(
    pipelined: PipelinedConnection, redis: aioredis.Redis
) -> None:
    connection_id = await pipelined.call("CLIENT", "ID")
    waiting = asyncio.create_task(pipelined.call("BLPOP", f"empty:{new_id()}", 10))
    await asyncio.sleep(0.1)
    await redis.client_kill_filter(_id=connection_id)
    with pytest.raises(RedisConnectionError):
        await asyncio.wait_for(waiting, 5)
    assert await pipelined.call("ECHO", "back") == b"back"
    assert await pipelined.call("CLIENT", "ID") != connection_id


async def test_an_append_lost_on_the_way_is_sent_again_and_stored_once(store: EventStore, redis: aioredis.Redis) -> None:
    """The connection drops while Redis holds the append (paused): the edit is sent again
    on a new connection and stored, once; the drafter never hears of it."""
    service = ReportService(store)
    report_id = new_id()
    await service.handle(report_id, CommandEnvelope(command_id=new_id(), command=CreateReport(title="R")), CHAIR)
    connection_id = await store._appends.call("CLIENT", "ID")
    await redis.execute_command("CLIENT", "PAUSE", 300, "WRITE")
    command_id = new_id()
    edit = asyncio.create_task(service.handle(report_id, CommandEnvelope(command_id=command_id, command=AddChapter(title="I")), CHAIR))
    await asyncio.sleep(0.1)
    assert not edit.done()
    await redis.client_kill_filter(_id=connection_id)
    assert (await asyncio.wait_for(edit, 5)).version == 2
    assert [event.command_id for event in await store.read(report_id, after=1)] == [command_id]


async def test_an_append_after_redis_forgot_the_script_loads_it_again(store: EventStore, redis: aioredis.Redis) -> None:
    service = ReportService(store)
    report_id = new_id()
    await service.handle(report_id, CommandEnvelope(command_id=new_id(), command=CreateReport(title="R")), CHAIR)
    await redis.script_flush()
    result = await service.handle(report_id, CommandEnvelope(command_id=new_id(), command=AddChapter(title="I")), CHAIR)
    assert result.version == 2


async def test_a_request_redis_does_not_answer_fails_after_the_pools_timeout(redis_url: str, redis: aioredis.Redis) -> None:
    pool = aioredis.ConnectionPool.from_url(redis_url, socket_timeout=0.3)
    pipelined = PipelinedConnection(pool)
    try:
        assert await pipelined.call("ECHO", "awake") == b"awake"
        await redis.execute_command("CLIENT", "PAUSE", 1000, "ALL")
        started = asyncio.get_running_loop().time()
        with pytest.raises(RedisTimeoutError):
            await pipelined.call("ECHO", "asleep")
        assert 0.3 <= asyncio.get_running_loop().time() - started < 0.9
        await redis.execute_command("CLIENT", "UNPAUSE")
        assert await pipelined.call("ECHO", "awake again") == b"awake again"
    finally:
        await pipelined.aclose()
        await pool.aclose()


async def test_requests_waiting_for_a_stalled_redis_to_answer_the_handshake_fail_within_the_timeout(tmp_path: Path) -> None:
    """A lost connection is opened again by the next request; if Redis is frozen (SIGSTOP),
    the kernel still accepts the connection but nothing answers the handshake. Every request
    waiting for it fails once the timeout is past, together, not one timeout after another."""
    with EmbeddedRedis(tmp_path) as lone:
        client = aioredis.Redis.from_url(lone.url, socket_timeout=1)
        pipelined = PipelinedConnection(client.connection_pool)
        try:
            await client.client_kill_filter(_id=await pipelined.call("CLIENT", "ID"))
            await asyncio.sleep(0.2)  # the reader has seen the connection go
            with stalled(lone.process):
                started = time.monotonic()
                failures = await asyncio.wait_for(
                    asyncio.gather(*(pipelined.call("ECHO", f"{n}") for n in range(3)), return_exceptions=True), 10
                )
                assert all(isinstance(failure, RedisTimeoutError) for failure in failures), failures
                assert time.monotonic() - started < 2
            assert await pipelined.call("ECHO", "back") == b"back"
        finally:
            await pipelined.aclose()
            await client.aclose()


async def test_an_append_redis_does_not_answer_fails_within_the_timeout_and_its_resend_applies_once(tmp_path: Path) -> None:
    """Sent to a frozen Redis, the append may be stored or not once Redis wakes: the drafter
    is told so within the timeout, and sending the same command id again applies it once."""
    with EmbeddedRedis(tmp_path) as lone:
        store = EventStore(aioredis.Redis.from_url(lone.url, socket_timeout=1))
        try:
            service = ReportService(store)
            report_id = new_id()
            await service.handle(report_id, CommandEnvelope(command_id=new_id(), command=CreateReport(title="R")), CHAIR)
            envelope = CommandEnvelope(command_id=new_id(), command=AddChapter(title="I"))
            with stalled(lone.process):
                started = time.monotonic()
                with pytest.raises(OutcomeUnknown) as unknown:
                    await asyncio.wait_for(service.handle(report_id, envelope, CHAIR), 10)
                assert time.monotonic() - started < 2.5
                assert "resend it with the same command_id" in str(unknown.value)
            assert (await service.handle(report_id, envelope, CHAIR)).version == 2
            assert [event.command_id for event in await store.read(report_id, after=1)] == [envelope.command_id]
        finally:
            await store.aclose()
            await store.redis.aclose()
