"""Blame of a long history starts from its newest checkpoint (server/blame_checkpoints.py),
against a real redis-server, and says the same as a blame of the whole log."""

import msgspec
import redis.asyncio as aioredis

from events.access import Actor
from events.commands import AddChapter, AddParagraph, AdoptChapter, Command, CreateReport, ReplaceParagraphText
from events.history import blame
from server.blame_checkpoints import BlameCheckpoints
from server.keys import blame_key
from server.read_jobs import blame_log
from server.service import ReportService
from server.store import EventStore
from tests.conftest import new_id
from tests.server.monitor import commands_sent

EVERY = 1_000


async def _long_history(service: ReportService, events: int) -> str:
    """Paragraphs typed over and over, a chapter adopted half-way; `events` events in all."""
    report_id, chapter, adopted_chapter = new_id(), new_id(), new_id()
    paragraphs = [new_id() for _ in range(5)]
    commands: list[Command] = [CreateReport(title="Historique"), AddChapter(chapter_id=chapter, title="I")]
    commands += [AddChapter(chapter_id=adopted_chapter, title="II")]
    commands += [AddParagraph(paragraph_id=p, chapter_id=chapter, text="Texte") for p in paragraphs]
    edits = [ReplaceParagraphText(paragraph_id=paragraphs[n % 5], text=f"Texte {n}") for n in range(events - len(commands) - 1)]
    commands += edits[: len(edits) // 2] + [AdoptChapter(chapter_id=adopted_chapter)] + edits[len(edits) // 2 :]
    for start in range(0, len(commands), 500):
        await service.handle_all(report_id, new_id(), commands[start : start + 500], Actor(id=f"drafter{start}", role="chair"))
    return report_id


async def test_a_blame_goes_on_from_the_newest_checkpoint_and_says_the_same(
    store: EventStore, redis: aioredis.Redis, redis_url: str
) -> None:
    service = ReportService(store)
    report_id = await _long_history(service, 2_500)
    version, report = await service.report(report_id)
    assert version == 2_500
    whole = blame(report, await store.read(report_id))
    checkpoints = BlameCheckpoints(redis, every=EVERY)

    first = await blame_log(store, checkpoints, report_id, version)
    stored = [int(score) for _, score in await redis.zrange(blame_key(report_id), 0, -1, withscores=True)]
    async with commands_sent(redis_url) as sent:
        again = await blame_log(store, checkpoints, report_id, version)
    reads = [c.split() for c in sent if c.startswith("EVALSHA") and report_id in c and ":events" in c]

    assert first.blame(report) == whole
    assert stored == [1_000, 2_000]
    assert again.blame(report) == whole
    assert [words[4].strip('"') for words in reads] == ["2001-0"]  # only the 500 events after the checkpoint
    assert [a.recorded.type for a in whole.adoptions] == ["ChapterAdopted"]  # carried by the checkpoints too


async def test_a_blame_at_an_earlier_version_uses_the_checkpoint_below_it(store: EventStore, redis: aioredis.Redis) -> None:
    service = ReportService(store)
    report_id = await _long_history(service, 2_500)
    checkpoints = BlameCheckpoints(redis, every=EVERY)
    await blame_log(store, checkpoints, report_id, 2_500)

    _, report_at = await service.report(report_id, at=1_500)
    at_1500 = await blame_log(store, checkpoints, report_id, 1_500)

    assert at_1500.blame(report_at) == blame(report_at, await store.read(report_id, upto=1_500))


async def test_an_unusable_checkpoint_is_skipped_for_an_older_one(store: EventStore, redis: aioredis.Redis) -> None:
    service = ReportService(store)
    report_id = await _long_history(service, 2_500)
    checkpoints = BlameCheckpoints(redis, every=EVERY)
    await blame_log(store, checkpoints, report_id, 2_500)
    await redis.zremrangebyscore(blame_key(report_id), 2_000, 2_000)
    await redis.zadd(blame_key(report_id), {b"not a checkpoint": 2_000})
    _, report = await service.report(report_id)

    restarted = await checkpoints.nearest(report_id, 2_500)
    blamed = await blame_log(store, checkpoints, report_id, 2_500)

    assert restarted.version == 1_000
    assert blamed.blame(report) == blame(report, await store.read(report_id))


async def test_a_checkpoint_holding_an_adoption_this_code_cannot_read_is_skipped(store: EventStore, redis: aioredis.Redis) -> None:
    """A cache, never the truth: a checkpoint that decodes but holds an adoption of a type this
    code does not know (not written by it) is passed over, not a failed blame."""
    service = ReportService(store)
    report_id = await _long_history(service, 2_500)
    checkpoints = BlameCheckpoints(redis, every=EVERY)
    await blame_log(store, checkpoints, report_id, 2_500)
    [raw] = await redis.zrangebyscore(blame_key(report_id), 2_000, 2_000)
    checkpoint = msgspec.msgpack.decode(raw)
    assert checkpoint["adoptions"], "the chapter was adopted before version 2,000"
    checkpoint["adoptions"] = [event.replace(b'"ChapterAdopted"', b'"ChapterAdoptedLater"') for event in checkpoint["adoptions"]]
    await redis.zremrangebyscore(blame_key(report_id), 2_000, 2_000)
    await redis.zadd(blame_key(report_id), {msgspec.msgpack.encode(checkpoint): 2_000})
    _, report = await service.report(report_id)

    restarted = await checkpoints.nearest(report_id, 2_500)
    blamed = await blame_log(store, checkpoints, report_id, 2_500)

    assert restarted.version == 1_000
    assert blamed.blame(report) == blame(report, await store.read(report_id))
