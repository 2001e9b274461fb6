"""Redis lost or stalled, and back: the service answers in bounded time, says why, logs it
once, and serves again by itself; live clients reconnect and their commands apply once.

Each test has a Redis of its own (never the session's), which it stalls with SIGSTOP, kills,
or cuts off behind tests/proxy.py, and a real server process on it.
"""

import asyncio
import concurrent.futures
import contextlib
import http.client
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx
import msgspec
import pytest
import redis.asyncio as aioredis
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from client.live import LiveReport, bearer, live_url
from events.model import Report
from server import read_jobs
from server.embedded_redis import EmbeddedRedis, free_port
from server.outage import REDIS_DOWN, Outage
from tests.conftest import People, new_id, run_apart
from tests.processes import ServerProcess, stalled
from tests.proxy import CuttableProxy
from tests.server.test_presence import _next_of_type

T = TypeVar("T")

# The server waits 5 s for Redis at most (REDIS_TIMEOUT_SECONDS): a stalled Redis is answered
# within that and a little; a refused connection at once; /api/health within 1 s.
STALLED_BOUND = 7.0
REFUSED_BOUND = 2.0
HEALTH_BOUND = 2.5


@pytest.fixture
def lone_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A Redis of this test's own, to stall, kill or cut off (on a TCP port too, for the proxy)."""
    with EmbeddedRedis(tmp_path / "redis", port=free_port()) as redis:
        yield redis


def _timed(call: Callable[[], T]) -> tuple[T, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def _assert_unavailable(status: int, body: bytes, retry_after: str | None) -> dict[str, str]:
    assert status == 503, body
    error = json.loads(body)
    assert error["code"] == "redis_unavailable" and error["message"], error
    assert retry_after is not None and int(retry_after) >= 1
    return error


def _assert_response_unavailable(response: httpx.Response) -> dict[str, str]:
    return _assert_unavailable(response.status_code, response.content, response.headers.get("retry-after"))


async def _live_refusal(server: ServerProcess, report_id: str, token: str) -> tuple[list[str], int | None, float]:
    """Open the live WebSocket: the error codes it says, its close code, and how long it took."""
    started = time.monotonic()
    codes = []
    async with connect(live_url(server.url, report_id, batch=True), additional_headers=bearer(token), open_timeout=30) as socket:
        with contextlib.suppress(ConnectionClosed):
            async with asyncio.timeout(30):
                async for raw in socket:
                    message = json.loads(raw)
                    if message["type"] == "error":
                        codes.append(message["code"])
    return codes, socket.close_code, time.monotonic() - started


def _wait_until_healthy(server: ServerProcess, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while httpx.get(server.url + "/api/health", timeout=timeout).status_code != 200:
        assert time.monotonic() < deadline, "the server did not serve again once Redis was back"
        time.sleep(0.1)


async def _until(condition: Callable[[], bool], timeout: float) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


def _said_since(server: ServerProcess, lines_before: int) -> list[str]:
    """What the server printed since, once it has said that Redis is back (its probe pings
    Redis every few seconds at most)."""
    deadline = time.monotonic() + 10
    while not any("answers again" in line for line in server.output_so_far().splitlines()[lines_before:]):
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    return server.output_so_far().splitlines()[lines_before:]


def _assert_logged_once(lines: list[str]) -> None:
    """One line when Redis went, one when it came back: no traceback per request."""
    assert not any("Traceback" in line for line in lines), "\n".join(lines)
    assert sum("does not answer" in line for line in lines) == 1, "\n".join(lines)
    assert sum("answers again" in line for line in lines) == 1, "\n".join(lines)
    assert len(lines) <= 4, "\n".join(lines)


def test_a_stalled_redis_is_answered_503_in_bounded_time_and_the_service_recovers(lone_redis: EmbeddedRedis) -> None:
    people = People(lone_redis.url)
    with ServerProcess(lone_redis.url) as server:
        api = people.api(server, "alice")
        report_id = api.create_report("Projet de rapport")
        headers = people.headers("alice")
        lines_before = len(server.output_so_far().splitlines())
        with stalled(lone_redis.process):
            health, seconds = _timed(lambda: httpx.get(server.url + "/api/health", timeout=30))
            _assert_response_unavailable(health)
            assert seconds < HEALTH_BOUND

            # The sign-in check, a read and a command, one after the other on one kept-alive connection.
            keep_alive = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            command = json.dumps({"command_id": new_id(), "command": {"type": "AddChapter", "title": "I"}})
            sockets = set()
            for method, path, body in (
                ("GET", "/api/reports", None),
                ("GET", f"/api/reports/{report_id}", None),
                ("POST", f"/api/reports/{report_id}/commands", command),
            ):
                started = time.monotonic()
                keep_alive.request(method, path, body=body, headers={**headers, "Content-Type": "application/json"})
                response = keep_alive.getresponse()
                _assert_unavailable(response.status, response.read(), response.getheader("Retry-After"))
                assert time.monotonic() - started < STALLED_BOUND, (method, path)
                assert not response.will_close, "the connection stays open for the next request"
                sockets.add(keep_alive.sock)
            assert len(sockets) == 1, "every answer came on the same connection"
            keep_alive.close()

            codes, close_code, seconds = run_apart(_live_refusal(server, report_id, people.token("alice")))
            assert (codes, close_code) == (["redis_unavailable"], 1013)
            assert seconds < STALLED_BOUND

        _wait_until_healthy(server)
        assert [report["id"] for report in api.reports()] == [report_id]
        assert api.submit(report_id, {"type": "AddChapter", "title": "Après"})["version"] == 2
        _assert_logged_once(_said_since(server, lines_before))


async def test_a_command_redis_did_not_answer_is_applied_once_after_the_live_client_reconnects_by_itself(
    lone_redis: EmbeddedRedis,
) -> None:
    """The append is written to a frozen Redis: its outcome is unknown. The connection is told
    and closed within the bound; the client keeps the command, reconnects, resends it with the
    same command id once Redis is back, and it is in the report once (Redis, thawed, may well
    have applied the first copy)."""
    people = People(lone_redis.url)
    server = ServerProcess(lone_redis.url)
    await asyncio.to_thread(server.start)
    try:
        api = people.api(server, "alice")
        report_id = await asyncio.to_thread(api.create_report, "Projet de rapport")
        command_id = new_id()
        async with LiveReport(server.url, report_id, people.token("alice")) as live:
            await live.submit({"type": "AddChapter", "title": "Avant la panne"})  # the connection is fully served
            with stalled(lone_redis.process):
                sent = time.monotonic()
                acked = live.send({"type": "AddChapter", "title": "Pendant la panne"}, command_id=command_id)
                await _until(lambda: live.reconnects >= 1, timeout=15)
                assert time.monotonic() - sent < STALLED_BOUND, "the connection Redis cannot serve is closed, not left hanging"
                assert not acked.done(), "a command whose outcome is unknown stays pending, to be resent"
                await asyncio.sleep(1)
            ack = await asyncio.wait_for(acked, 30)
            await live.wait_for_version(ack.version)
            assert (live.version, live.report) == await asyncio.to_thread(api.report, report_id)
        events = await asyncio.to_thread(api.events, report_id)
        assert [event.command_id for event in events].count(command_id) == 1
    finally:
        await asyncio.to_thread(server.stop)


async def test_a_lost_link_to_redis_is_answered_at_once_and_live_clients_resume_with_no_gap(lone_redis: EmbeddedRedis) -> None:
    """One server reaches Redis through a link that goes down for a while; another server on
    the same Redis goes on taking edits. The first answers 503 and 1013 at once meanwhile; its
    live clients back off, and afterwards hold every edit of the other server, none twice; its
    fan-out reader and presence relay carry on."""
    people = People(lone_redis.url)
    async with CuttableProxy(lone_redis.port) as link:
        here, there = ServerProcess(f"redis://127.0.0.1:{link.port}/0"), ServerProcess(lone_redis.url)
        try:
            await asyncio.gather(asyncio.to_thread(here.start), asyncio.to_thread(there.start))
            elsewhere = people.api(there, "alice")
            token = people.token("alice")
            report_id = await asyncio.to_thread(elsewhere.create_report, "Projet de rapport")
            async with (
                LiveReport(here.url, report_id, token) as watching,
                LiveReport(here.url, report_id, token) as typing,
                connect(live_url(here.url, report_id), additional_headers=bearer(token)) as observer,
            ):
                await _next_of_type(observer, "snapshot")
                # A replay is answered once the connection is fully set up (subscribed, present).
                await observer.send(json.dumps({"type": "replay", "from_version": 0, "to_version": 1}))
                await _next_of_type(observer, "replay_page")
                lines_before = len(here.output_so_far().splitlines())
                link.refuse()
                for path in ("/api/health", "/api/reports"):
                    response, seconds = await asyncio.to_thread(
                        _timed, lambda: httpx.get(here.url + path, headers=people.headers("alice"), timeout=30)
                    )
                    _assert_response_unavailable(response)
                    assert seconds < REFUSED_BOUND, path
                codes, close_code, seconds = await _live_refusal(here, report_id, token)
                assert (codes, close_code) == (["redis_unavailable"], 1013) and seconds < REFUSED_BOUND

                command_id = new_id()
                acked = typing.send({"type": "AddChapter", "title": "Tapé pendant la coupure"}, command_id=command_id)
                for n in range(5):
                    await asyncio.to_thread(elsewhere.submit, report_id, {"type": "AddChapter", "title": f"Ailleurs {n}"})
                await _until(lambda: typing.reconnects >= 1, timeout=REFUSED_BOUND)
                reconnects_before = typing.reconnects
                await asyncio.sleep(3)
                # 1013 at once on every try: backing off from 50 ms doubled (capped at 2 s), that
                # is at most 7 tries in 3 s; starting afresh each time would be 40 or more.
                assert typing.reconnects - reconnects_before <= 7
                link.reopen()

                await asyncio.to_thread(_wait_until_healthy, here)
                for n in range(5, 10):
                    await asyncio.to_thread(elsewhere.submit, report_id, {"type": "AddChapter", "title": f"Ailleurs {n}"})
                ack = await asyncio.wait_for(acked, 30)
                current = await asyncio.to_thread(elsewhere.report, report_id)
                assert current[0] == 12 and ack.version <= 12
                for live in (watching, typing):
                    await live.wait_for_version(12, timeout=20)
                    assert (live.version, live.report) == current
                # The presence relay subscribed again: a drafter's whereabouts on the other
                # server reach the connection that stayed open through the outage.
                async with connect(live_url(there.url, report_id), additional_headers=bearer(token)) as drafter:
                    await _next_of_type(drafter, "snapshot")
                    await drafter.send(json.dumps({"type": "presence", "paragraph_id": None, "cursor": None}))
                    assert (await _next_of_type(observer, "presence", timeout=15))["drafter"] == people.id("alice")
            events = await asyncio.to_thread(elsewhere.events, report_id)
            assert [event.command_id for event in events].count(command_id) == 1
            _assert_logged_once(await asyncio.to_thread(_said_since, here, lines_before))
        finally:
            await asyncio.gather(asyncio.to_thread(here.stop), asyncio.to_thread(there.stop))


def test_after_redis_is_killed_and_started_again_the_same_server_serves_again(lone_redis: EmbeddedRedis) -> None:
    people = People(lone_redis.url)
    with ServerProcess(lone_redis.url) as server:
        api = people.api(server, "alice")
        report_id = api.create_report("Projet de rapport")
        lines_before = len(server.output_so_far().splitlines())
        assert lone_redis.process is not None
        lone_redis.process.kill()
        lone_redis.process.wait()
        for path in ("/api/health", f"/api/reports/{report_id}/events"):
            response, seconds = _timed(lambda: httpx.get(server.url + path, headers=people.headers("alice"), timeout=30))
            _assert_response_unavailable(response)
            assert seconds < REFUSED_BOUND, path
        lone_redis.start()  # again, on the same data
        _wait_until_healthy(server)
        assert api.submit(report_id, {"type": "AddChapter", "title": "Après"})["version"] == 2
        _assert_logged_once(_said_since(server, lines_before))


async def test_the_outage_watch_outlasts_a_redis_that_answers_busy(lone_redis: EmbeddedRedis, caplog: pytest.LogCaptureFixture) -> None:
    """A Redis busy with a long script answers every command `BUSY` (an error reply, not a
    lost connection): the watch keeps waiting through it, and says when Redis answers again."""
    redis = aioredis.Redis.from_url(lone_redis.url)
    busy = aioredis.Redis.from_url(lone_redis.url)
    outage = Outage(redis)
    try:
        await redis.config_set("busy-reply-threshold", 50)
        script = asyncio.create_task(busy.eval(_BUSY_FOR_A_SECOND, 0))
        await asyncio.sleep(0.1)
        with pytest.raises(ResponseError, match="BUSY"):
            await redis.ping()
        outage.lost(RedisTimeoutError("no answer"))
        await script
        async with asyncio.timeout(10):
            while "Redis answers again" not in caplog.text:
                await asyncio.sleep(0.05)
    finally:
        await outage.aclose()
        await busy.aclose()
        await redis.aclose()


# Spins for a second inside Redis, as a long script would.
_BUSY_FOR_A_SECOND = """
local start = redis.call('TIME')
while true do
  local now = redis.call('TIME')
  if (now[1] - start[1]) * 1000000 + (now[2] - start[2]) > 1000000 then return 1 end
end
"""


def test_a_blame_on_a_stalled_redis_gives_up_within_the_redis_bound(lone_redis: EmbeddedRedis) -> None:
    """Blame reads the log in its worker process, on a connection of its own: bounded like the
    server's, so that a stalled Redis is answered `redis_unavailable` (the error the worker
    raises is raised again by the server), not `too_costly` once the read budget is spent."""
    report = msgspec.msgpack.encode(Report(id=new_id(), title="Projet de rapport"))
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        with stalled(lone_redis.process):
            job = pool.submit(read_jobs.blame, lone_redis.url, new_id(), report, 10)
            concurrent.futures.wait([job], timeout=STALLED_BOUND)
            assert job.done(), "the blame job still waits for a stalled Redis"
        assert isinstance(job.exception(), REDIS_DOWN), job.exception()
