"""The Redis Streams event store, against a real redis-server."""

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import redis.asyncio as aioredis

from events.access import Actor
from events.catalogue import ChapterAdded, ReportCreated
from events.commands import AddChapter, CommandEnvelope, CreateReport
from events.envelope import StoredEvent, decode_event
from server.keys import commands_key, events_key, summary_key
from server.service import ReportService
from server.store import READ_PAGE, STAGE_PAGE, Appended, Conflict, EventStore
from tests.conftest import new_id
from tests.server.monitor import commands_sent


def _event(report_id: str, version: int, command_id: str, data: object) -> StoredEvent:
    return StoredEvent(
        report_id=report_id, version=version, event_id=new_id(), type=type(data).__name__, schema=1,
        actor="alice", at=datetime(2021, 10, 12, 10, 0, tzinfo=UTC), command_id=command_id, data=data,
    )


async def test_appended_events_read_back_in_order(store: EventStore) -> None:
    report_id = new_id()
    events = [
        _event(report_id, 1, "c1", ReportCreated(title="Projet de rapport")),
        _event(report_id, 2, "c1", ChapterAdded(chapter_id=new_id(), title="Introduction")),
    ]
    assert await store.append(report_id, "c1", 0, events) == Appended(first=1, last=2)
    assert await store.read(report_id) == events
    assert await store.read(report_id, after=1) == events[1:]
    assert await store.version(report_id) == 2
    assert report_id in await store.report_ids()


async def test_append_on_a_stale_version_writes_nothing(store: EventStore) -> None:
    report_id = new_id()
    await store.append(report_id, "c1", 0, [_event(report_id, 1, "c1", ReportCreated(title="R"))])
    stale = [_event(report_id, 1, "c2", ChapterAdded(chapter_id=new_id(), title="I"))]
    assert await store.append(report_id, "c2", 0, stale) == Conflict(current=1)
    assert await store.version(report_id) == 1
    assert await store.applied(report_id, "c2") is None


async def test_retried_command_id_is_applied_once_and_returns_the_original_versions(store: EventStore) -> None:
    report_id = new_id()
    await store.append(report_id, "create", 0, [_event(report_id, 1, "create", ReportCreated(title="R"))])
    first = [_event(report_id, 2, "add", ChapterAdded(chapter_id=new_id(), title="I"))]
    assert await store.append(report_id, "add", 1, first) == Appended(first=2, last=2)
    retry = [_event(report_id, 3, "add", ChapterAdded(chapter_id=new_id(), title="I"))]
    assert await store.append(report_id, "add", 2, retry) == Appended(first=2, last=2, duplicate=True)
    assert await store.version(report_id) == 2


async def test_every_key_of_a_report_shares_its_hash_tag() -> None:
    report_id = new_id()
    for key in (events_key(report_id), commands_key(report_id), summary_key(report_id)):
        assert f"{{{report_id}}}" in key


async def test_twenty_concurrent_appenders_leave_a_contiguous_log(redis_url: str) -> None:
    """Each appender has its own connection and service, as separate processes would."""
    report_id = new_id()
    clients = [aioredis.Redis.from_url(redis_url) for _ in range(20)]
    services = [ReportService(EventStore(client)) for client in clients]
    await services[0].handle(report_id, CommandEnvelope(command_id="create", command=CreateReport(title="R")), Actor(id="chair", role="chair"))

    async def appender(index: int) -> list[tuple[str, int]]:
        acknowledged = []
        for n in range(10):
            command_id = f"w{index}-{n}"
            envelope = CommandEnvelope(command_id=command_id, command=AddChapter(title=f"{index}/{n}"))
            result = await services[index].handle(report_id, envelope, Actor(id=f"drafter{index}", role="drafter"))
            acknowledged.append((command_id, result.version))
        return acknowledged

    try:
        acknowledged = [ack for acks in await asyncio.gather(*(appender(i) for i in range(20))) for ack in acks]
        events = await services[0].store.read(report_id)
    finally:
        for service, client in zip(services, clients, strict=True):
            await service.store.aclose()
            await client.aclose()

    assert [e.version for e in events] == list(range(1, 202))
    assert len({e.event_id for e in events}) == 201
    by_command = {e.command_id: e.version for e in events}
    assert len(by_command) == 201
    for command_id, version in acknowledged:
        assert by_command[command_id] == version
    for event in events[1:]:
        assert event.actor == f"drafter{event.command_id[1:].split('-')[0]}"


async def test_a_retried_creation_repairs_the_report_index(store: EventStore, redis: aioredis.Redis) -> None:
    """If the process died between the append and the index update, the retry lists it."""
    report_id = new_id()
    created = [_event(report_id, 1, "create", ReportCreated(title="R"))]
    await store.append(report_id, "create", 0, created)
    await redis.zrem("rapporteur:reports", report_id)
    assert await store.append(report_id, "create", 0, created) == Appended(first=1, last=1, duplicate=True)
    assert report_id in await store.report_ids()


async def _appended_history(store: EventStore, events: int) -> str:
    """A report of `events` events (its creation, then chapters), appended 500 at a time."""
    report_id = new_id()
    version = 0
    while version < events:
        command_id = new_id()
        batch = [
            _event(report_id, v, command_id, ReportCreated(title="R") if v == 1 else ChapterAdded(chapter_id=new_id(), title=f"{v}"))
            for v in range(version + 1, min(version + 500, events) + 1)
        ]
        await store.append(report_id, command_id, version, batch)
        version += len(batch)
    return report_id


async def test_a_history_longer_than_a_page_is_read_whole_and_in_order_a_page_per_call(
    store: EventStore, redis_url: str
) -> None:
    """No read asks Redis for a whole stream at once (one script call on a million-event
    report held Redis, and every other client, for seconds): each call reads one page."""
    report_id = await _appended_history(store, 2 * READ_PAGE + 345)
    async with commands_sent(redis_url) as sent:
        events = await store.read_raw(report_id)
        limited = await store.read_raw(report_id, after=10, limit=1_500)
    calls = [command.split() for command in sent if command.startswith("EVALSHA") and events_key(report_id) in command]

    assert [version for version, _ in events] == list(range(1, 2 * READ_PAGE + 346))
    assert [decode_event(raw).version for _, raw in events] == list(range(1, 2 * READ_PAGE + 346))
    assert [version for version, _ in limited] == list(range(11, 1_511))
    assert len(calls) == 3 + 2
    for words in calls:
        count = words[-1].strip('"')
        assert count.isdigit() and int(count) <= READ_PAGE, words


def _new_report(report_id: str, command_id: str, events: int) -> list[StoredEvent]:
    """A new report's creation and `events - 1` chapters, as one command (an import)."""
    return [
        _event(report_id, v, command_id, ReportCreated(title="R") if v == 1 else ChapterAdded(chapter_id=new_id(), title=f"{v}"))
        for v in range(1, events + 1)
    ]


@contextlib.asynccontextmanager
async def _script_calls(redis: aioredis.Redis) -> AsyncIterator[list[tuple[str, int]]]:
    """The script calls Redis ran inside the block, each as (its first key, its number of
    arguments: at most, for a short call), from its slow log set to log every command (MONITOR
    cannot show calls whose arguments are thousands of events)."""
    settings = await redis.config_get("slowlog-*")
    # Every command, those the scripts run included: thousands of them.
    await redis.config_set("slowlog-log-slower-than", 0)
    await redis.config_set("slowlog-max-len", 100_000)
    await redis.slowlog_reset()
    calls: list[tuple[str, int]] = []
    try:
        yield calls
        logged = await redis.slowlog_get(100_000)
    finally:
        for name, value in settings.items():
            await redis.config_set(name, value)
        await redis.slowlog_reset()
    for entry in reversed(logged):
        words = entry["command"].decode(errors="replace").split(" ")
        if words[0].upper() == "EVALSHA":
            # The log shows 31 arguments and "... (N more arguments)", each cut to 128 bytes.
            more = re.search(r"\((\d+) more arguments\)$", entry["command"].decode(errors="replace"))
            calls.append((words[3], 31 + int(more[1]) if more else 32))


async def test_a_new_report_of_many_events_is_appended_a_page_per_script_call_and_committed_whole(
    store: EventStore, redis: aioredis.Redis
) -> None:
    """An import of thousands of events is not one script call that holds Redis (and every
    other drafter) for the whole of it, yet nobody sees part of it: its events are staged a
    page at a time, then become the report's stream in one step."""
    warm_up = new_id()  # Redis learns the scripts (a first call is refused, then sent again)
    await store.append(warm_up, "import", 0, _new_report(warm_up, "import", STAGE_PAGE + 1))
    report_id = new_id()
    events = _new_report(report_id, "import", 3 * STAGE_PAGE + 7)
    async with _script_calls(redis) as calls:
        assert await store.append(report_id, "import", 0, events) == Appended(first=1, last=len(events))

    assert await store.read(report_id) == events
    ours = [arguments for key, arguments in calls if f"{{{report_id}}}" in key]
    assert len(ours) == 4 + 1, ours
    assert max(ours) == 5 + STAGE_PAGE, ours  # EVALSHA, its digest, 1 key, the first version, a page
    assert await store.applied(report_id, "import") == Appended(first=1, last=len(events), duplicate=True)
    assert report_id in await store.report_ids()
    assert [key async for key in redis.scan_iter(f"report:{{{report_id}}}:staging:*")] == []
    assert await redis.ttl(events_key(report_id)) == -1  # the staging stream's expiry did not come along


async def test_a_staged_report_retried_is_applied_once(store: EventStore) -> None:
    report_id = new_id()
    events = _new_report(report_id, "import", STAGE_PAGE + 1)
    await store.append(report_id, "import", 0, events)
    again = _new_report(report_id, "import", STAGE_PAGE + 1)
    assert await store.append(report_id, "import", 0, again) == Appended(first=1, last=len(events), duplicate=True)
    assert await store.read(report_id) == events


async def test_a_staged_report_that_another_creation_beat_writes_nothing(store: EventStore, redis: aioredis.Redis) -> None:
    report_id = new_id()
    await store.append(report_id, "create", 0, [_event(report_id, 1, "create", ReportCreated(title="Premier"))])
    late = _new_report(report_id, "import", STAGE_PAGE + 1)
    assert await store.append(report_id, "import", 0, late) == Conflict(current=1)
    assert await store.version(report_id) == 1
    assert await store.applied(report_id, "import") is None
    assert [key async for key in redis.scan_iter(f"report:{{{report_id}}}:staging:*")] == []


async def test_a_staged_page_sent_twice_is_staged_once(store: EventStore, redis: aioredis.Redis) -> None:
    """A page is sent again when the connection was lost on its way: what is staged already is
    skipped, and a page that would leave a gap is refused."""
    from server.keys import staging_key
    from server.store import _STAGE_SCRIPT

    report_id = new_id()
    staging = staging_key(report_id, "t")
    page = [b'{"a": 1}', b'{"a": 2}']
    assert await store._run(_STAGE_SCRIPT, [staging], [1, *page]) == 2
    assert await store._run(_STAGE_SCRIPT, [staging], [1, *page]) == 2
    assert await store._run(_STAGE_SCRIPT, [staging], [5, b'{"a": 5}']) == -1
    assert [entry_id for entry_id, _ in await redis.xrange(staging)] == [b"1-0", b"2-0"]
    assert 0 < await redis.ttl(staging) <= 3600
