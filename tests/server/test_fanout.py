"""The per-process fan-out: every event once, in order, even for a slow listener."""

import asyncio

import pytest
import redis.asyncio as aioredis

from events.access import Actor
from events.commands import AddChapter, CommandEnvelope, CreateReport
from events.errors import CorruptEvent
from server import fanout as fanout_module
from server.fanout import Fanout, Subscription
from server.keys import events_key
from server.outage import Outage
from server.service import ReportService
from server.store import EventStore
from tests.conftest import new_id

ALICE = Actor(id="alice", role="drafter")


async def _versions_until(subscription: Subscription, last: int) -> list[int]:
    versions: list[int] = []
    while not versions or versions[-1] < last:
        versions += [version for version, _ in await asyncio.wait_for(subscription.next_batch(), 10)]
    return versions


@pytest.fixture
async def fanout(redis_url: str, store: EventStore):
    fanout = Fanout(redis_url, store, Outage(store.redis))
    await fanout.start()
    yield fanout
    await fanout.stop()


async def _add_chapters(service: ReportService, report_id: str, count: int) -> None:
    for n in range(count):
        await service.handle(report_id, CommandEnvelope(command_id=new_id(), command=AddChapter(title=f"{n}")), ALICE)


async def test_a_listener_gets_history_then_live_events(fanout: Fanout, store: EventStore) -> None:
    service = ReportService(store)
    report_id = new_id()
    await service.handle(report_id, CommandEnvelope(command_id=new_id(), command=CreateReport(title="R")), ALICE)
    await _add_chapters(service, report_id, 4)
    with await fanout.subscribe(report_id, after=2) as subscription:
        assert await _versions_until(subscription, 5) == [3, 4, 5]
        await _add_chapters(service, report_id, 3)
        assert await _versions_until(subscription, 8) == [6, 7, 8]


async def test_a_slow_listener_that_overflows_still_gets_every_event_once(
    fanout: Fanout, store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fanout_module, "QUEUE_BATCHES", 2)
    service = ReportService(store)
    report_id = new_id()
    await service.handle(report_id, CommandEnvelope(command_id=new_id(), command=CreateReport(title="R")), ALICE)
    with await fanout.subscribe(report_id, after=1) as slow, await fanout.subscribe(report_id, after=1) as fast:
        fast_versions = asyncio.create_task(_versions_until(fast, 101))
        await _add_chapters(service, report_id, 100)
        assert await fast_versions == list(range(2, 102))
        assert await _versions_until(slow, 101) == list(range(2, 102))


async def test_listeners_joining_at_different_versions_each_get_their_own_gapless_stream(
    fanout: Fanout, store: EventStore
) -> None:
    service = ReportService(store)
    report_id = new_id()
    await service.handle(report_id, CommandEnvelope(command_id=new_id(), command=CreateReport(title="R")), ALICE)
    writer = asyncio.create_task(_add_chapters(service, report_id, 60))
    joined = []
    for after in (1, 5, 20):
        await asyncio.sleep(0.01)
        joined.append((after, await fanout.subscribe(report_id, after=after)))
    await writer
    for after, subscription in joined:
        with subscription:
            assert await _versions_until(subscription, 61) == list(range(after + 1, 62))


async def test_an_idle_reader_still_delivers_at_once(
    fanout: Fanout, store: EventStore, caplog: pytest.LogCaptureFixture
) -> None:
    """Idle longer than the client's default 5 s socket timeout: no reconnect, no delay."""
    service = ReportService(store)
    report_id = new_id()
    await service.handle(report_id, CommandEnvelope(command_id=new_id(), command=CreateReport(title="R")), ALICE)
    with await fanout.subscribe(report_id, after=1) as subscription:
        await asyncio.sleep(6)
        await _add_chapters(service, report_id, 1)
        started = asyncio.get_running_loop().time()
        assert await _versions_until(subscription, 2) == [2]
        assert asyncio.get_running_loop().time() - started < 0.4
    assert "does not answer" not in caplog.text


async def test_another_process_events_reach_the_listeners_of_a_process_busy_writing_the_report(
    redis_url: str, store: EventStore
) -> None:
    """While this process writes a report, its reader leaves that stream alone; what another
    process appends meanwhile still reaches this process's listeners, in order, once each,
    and so does what it appends after this process's writer stopped."""
    here = Fanout(redis_url, store, Outage(store.redis))
    await here.start()
    try:
        writing_here = ReportService(store, local_writes=here)
        there = ReportService(store)  # another process: its own writer, nobody listening
        report_id = new_id()
        await writing_here.handle(report_id, CommandEnvelope(command_id=new_id(), command=CreateReport(title="R")), ALICE)
        with await here.subscribe(report_id, after=1) as subscription:

            async def keep_writing_here() -> None:
                # A command every millisecond, without waiting: the writer stays busy.
                commands = []
                for n in range(120):
                    envelope = CommandEnvelope(command_id=new_id(), command=AddChapter(title=f"here {n}"))
                    commands.append(asyncio.create_task(writing_here.handle(report_id, envelope, ALICE)))
                    await asyncio.sleep(0.001)
                await asyncio.gather(*commands)

            async def now_and_then_there() -> None:
                for n in range(12):
                    await asyncio.sleep(0.008)
                    await there.handle(report_id, CommandEnvelope(command_id=new_id(), command=AddChapter(title=f"there {n}")), ALICE)

            await asyncio.gather(keep_writing_here(), now_and_then_there())
            assert await _versions_until(subscription, 133) == list(range(2, 134))
            await _add_chapters(there, report_id, 1)
            started = asyncio.get_running_loop().time()
            assert await _versions_until(subscription, 134) == [134]
            assert asyncio.get_running_loop().time() - started < 0.4
        titles = [event.data.title for event in await store.read(report_id, after=1)]
        first_there = next(i for i, title in enumerate(titles) if title.startswith("there"))
        assert first_there < max(i for i, title in enumerate(titles) if title.startswith("here"))  # interleaved
    finally:
        await here.stop()


async def test_once_another_process_wins_a_race_its_events_come_without_waiting_for_this_writer(
    fanout: Fanout, store: EventStore
) -> None:
    """This process's writer is still busy (it lost a race to another process and is deciding
    again): the other process's events reach the listeners here at once, not when this writer
    next appends or stops. Listeners that waited would have drafters typing on ever older
    revisions, which lose ever more races."""
    there = ReportService(store)
    report_id = new_id()
    await there.handle(report_id, CommandEnvelope(command_id=new_id(), command=CreateReport(title="R")), ALICE)
    with await fanout.subscribe(report_id, after=1) as subscription:
        await _add_chapters(there, report_id, 1)
        assert await _versions_until(subscription, 2) == [2]  # caught up: live from here on
        fanout.writing(report_id)  # this process's writer starts...
        fanout.contended(report_id)  # ...and its first append loses to the other process
        await _add_chapters(there, report_id, 2)
        started = asyncio.get_running_loop().time()
        assert await _versions_until(subscription, 4) == [3, 4]
        assert asyncio.get_running_loop().time() - started < 0.4


async def test_a_reader_that_fails_is_started_again_and_serves_the_other_reports(
    fanout: Fanout, store: EventStore, redis: aioredis.Redis
) -> None:
    """A watched report's stream replaced by a string makes Redis refuse the reader's XREAD
    (WRONGTYPE): the reader fails, is started again without that report, and serves the
    other reports' listeners as before; the broken report's listener meets it as CorruptEvent."""
    service = ReportService(store)
    broken, sound = new_id(), new_id()
    for report_id in (broken, sound):
        await service.handle(report_id, CommandEnvelope(command_id=new_id(), command=CreateReport(title="R")), ALICE)
    with await fanout.subscribe(broken, after=1) as broken_listener:
        await redis.delete(events_key(broken))
        await redis.set(events_key(broken), "not a stream")
        with await fanout.subscribe(sound, after=1) as subscription:  # wakes the reader: it reads the string
            await asyncio.sleep(0.5)
            received = asyncio.create_task(_versions_until(subscription, 3))
            await asyncio.sleep(0.3)  # the listener has read the stream and waits for the reader
            await _add_chapters(service, sound, 2)
            assert await received == [2, 3]
        with pytest.raises(CorruptEvent, match="not a stream"):
            await asyncio.wait_for(broken_listener.next_batch(), 10)
    await redis.delete(events_key(broken))
    assert fanout.restarts >= 1


async def test_a_damaged_entry_is_passed_over_and_its_listeners_are_told_at_its_version(
    fanout: Fanout, store: EventStore, redis: aioredis.Redis
) -> None:
    """The reader hands on the events before a damaged entry; the listener then meets it as
    CorruptEvent; the listeners of another report are not held up."""
    service = ReportService(store)
    damaged, sound = new_id(), new_id()
    for report_id in (damaged, sound):
        await service.handle(report_id, CommandEnvelope(command_id=new_id(), command=CreateReport(title="R")), ALICE)
    with await fanout.subscribe(damaged, after=1) as listener, await fanout.subscribe(sound, after=1) as other:
        received = asyncio.create_task(_versions_until(listener, 2))
        await asyncio.sleep(0.3)  # the listener has read the stream and waits for the reader
        await _add_chapters(service, damaged, 1)
        await redis.xadd(events_key(damaged), {"e": b"{not json"}, id="3-0")
        assert await received == [2]
        with pytest.raises(CorruptEvent) as damage:
            await asyncio.wait_for(listener.next_batch(), 10)
        assert (damage.value.report_id, damage.value.version) == (damaged, 3)
        await _add_chapters(service, sound, 1)
        assert await _versions_until(other, 2) == [2]
