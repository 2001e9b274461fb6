"""Projection snapshots, against a real redis-server: any version is the fold of its first events.

Histories are a seed draft imported in one append (which crosses several multiples of N at
once) and then typed in, replaced and added to by several drafters, command by command, from
a seeded random generator. Snapshots are taken every 10 events so that every history crosses
many of them.
"""

import logging
import random
from collections.abc import Callable
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from events.access import Actor
from events.commands import AddParagraph, CommandEnvelope, EditParagraphText, ReplaceParagraphText
from events.evolve import replay
from events.importer import import_draft
from events.model import LIST_MARK, Report
from events.text_ops import Delete
from server.keys import snapshots_key
from server.service import ReportService
from server.snapshots import SNAPSHOT_SCHEMA, Snapshots, encode_snapshot
from server.store import EventStore
from tests.conftest import new_id

SEED = (Path(__file__).parent.parent / "events" / "data" / "seed_fr.txt").read_text(encoding="utf-8")
EVERY = 10
DRAFTERS = tuple(Actor(id=name, role="drafter") for name in ("alice", "bruno", "chiara"))
SECRETARIAT = Actor(id="secretariat", role="chair")
WORDS = ("la Conférence", "a pris note", "du rapport", "[…]", "« onzième »", "délégations")


async def _drafted(service: ReportService, rng: random.Random, commands: int = 120) -> str:
    """A report imported from the seed, then edited by `commands` commands of three drafters."""
    report_id = new_id()
    await service.handle_all(report_id, f"import-{report_id}", import_draft(SEED, new_id, "fr"), SECRETARIAT, expected_version=0)
    for _ in range(commands):
        _, report = await service.report(report_id)
        paragraph = rng.choice([p for p in report.all_paragraphs() if LIST_MARK not in p.text])
        roll = rng.random()
        if roll < 0.8:
            position = rng.randint(0, len(paragraph.text))
            if rng.random() < 0.3 and position < len(paragraph.text):
                ops = [*([position] if position else []), Delete(d=min(5, len(paragraph.text) - position))]
            else:
                ops = [*([position] if position else []), rng.choice(WORDS)]
            command = EditParagraphText(paragraph_id=paragraph.id, base_revision=paragraph.revision, ops=ops)
        elif roll < 0.9:
            command = ReplaceParagraphText(paragraph_id=paragraph.id, text=f"{rng.choice(WORDS)} {paragraph.text[:40]}")
        else:
            command = AddParagraph(chapter_id=rng.choice(report.chapters).id, text=rng.choice(WORDS))
        await service.handle(report_id, CommandEnvelope(command_id=new_id(), command=command), rng.choice(DRAFTERS))
    return report_id


async def _folds(store: EventStore, report_id: str) -> list[Report | None]:
    """The report at every version, by folding its events from the first: folds[V]."""
    states: list[Report | None] = [None]
    for event in await store.read(report_id):
        states.append(replay([event], states[-1]))
    return states


async def _snapshot_versions(redis: aioredis.Redis, report_id: str) -> list[int]:
    return [int(score) for _, score in await redis.zrange(snapshots_key(report_id), 0, -1, withscores=True)]


async def _replace_snapshot(redis: aioredis.Redis, report_id: str, version: int, raw: bytes) -> None:
    key = snapshots_key(report_id)
    async with redis.pipeline(transaction=True) as pipe:
        await pipe.zremrangebyscore(key, version, version).zadd(key, {raw: version}).execute()


@pytest.fixture
async def history(redis_url: str) -> tuple[str, list[Report | None]]:
    """One drafted report (snapshots every 10 events) and its state at every version."""
    client = aioredis.Redis.from_url(redis_url)
    store = EventStore(client)
    report_id = await _drafted(ReportService(store, snapshot_every=EVERY), random.Random(1012))
    folds = await _folds(store, report_id)
    await store.aclose()
    await client.aclose()
    return report_id, folds


def _versions(latest: int, seed: int) -> list[int]:
    """Random versions, and those on either side of a snapshot and at the ends."""
    return sorted({*random.Random(seed).sample(range(1, latest + 1), 30), 1, EVERY - 1, EVERY, EVERY + 1, latest})


@pytest.mark.parametrize("every", [EVERY, 7, None], ids=["snapshots-every-10", "snapshots-every-7", "no-snapshots"])
async def test_the_report_at_any_version_is_the_fold_of_its_first_events(
    store: EventStore, history: tuple[str, list[Report | None]], every: int | None
) -> None:
    report_id, folds = history
    latest = len(folds) - 1
    for version in _versions(latest, seed=every or 0):
        # A new service each time: nothing in memory, everything from Redis.
        assert await ReportService(store, snapshot_every=every).report(report_id, at=version) == (version, folds[version])
    assert await ReportService(store, snapshot_every=every).report(report_id) == (latest, folds[latest])


async def test_snapshots_are_stored_at_every_multiple_of_n(redis: aioredis.Redis, history: tuple[str, list[Report | None]]) -> None:
    report_id, folds = history
    latest = len(folds) - 1
    assert await _snapshot_versions(redis, report_id) == list(range(EVERY, latest + 1, EVERY))


async def test_one_append_that_crosses_several_multiples_stores_a_snapshot_at_each(
    store: EventStore, redis: aioredis.Redis
) -> None:
    report_id = new_id()
    service = ReportService(store, snapshot_every=EVERY)
    result = await service.handle_all(report_id, "import", import_draft(SEED, new_id, "fr"), SECRETARIAT, expected_version=0)
    assert result.version > 3 * EVERY
    assert await _snapshot_versions(redis, report_id) == list(range(EVERY, result.version + 1, EVERY))


async def test_an_old_report_gets_its_snapshots_the_first_time_it_is_replayed(store: EventStore, redis: aioredis.Redis) -> None:
    report_id = await _drafted(ReportService(store, snapshot_every=None), random.Random(7), commands=30)
    folds = await _folds(store, report_id)
    assert await _snapshot_versions(redis, report_id) == []
    assert await ReportService(store, snapshot_every=EVERY).report(report_id, at=45) == (45, folds[45])
    assert await _snapshot_versions(redis, report_id) == [10, 20, 30, 40]
    latest = len(folds) - 1
    assert await ReportService(store, snapshot_every=EVERY).report(report_id) == (latest, folds[latest])
    assert await _snapshot_versions(redis, report_id) == list(range(EVERY, latest + 1, EVERY))


async def test_a_report_not_in_memory_starts_from_its_latest_snapshot(
    store: EventStore, history: tuple[str, list[Report | None]], monkeypatch: pytest.MonkeyPatch
) -> None:
    report_id, folds = history
    latest = len(folds) - 1
    reads: list[int] = []
    read_raw = store.read_raw

    async def recording_read_raw(report_id: str, after: int = 0, upto: int | None = None, limit: int | None = None) -> list:
        reads.append(after)
        return await read_raw(report_id, after, upto, limit)

    monkeypatch.setattr(store, "read_raw", recording_read_raw)
    service = ReportService(store, snapshot_every=EVERY)
    assert await service.report(report_id) == (latest, folds[latest])
    assert reads == [latest - latest % EVERY]
    assert await service.report(report_id, at=EVERY * 3 + 4) == (EVERY * 3 + 4, folds[EVERY * 3 + 4])
    assert reads[-1] == EVERY * 3


def _corrupt(report_id: str, version: int, folds: list[Report | None]) -> bytes:
    return b"\x78\x01not a snapshot"


def _older_schema(report_id: str, version: int, folds: list[Report | None]) -> bytes:
    return encode_snapshot(version, folds[version], schema=SNAPSHOT_SCHEMA - 1)  # type: ignore[arg-type]


def _wrong_version(report_id: str, version: int, folds: list[Report | None]) -> bytes:
    return encode_snapshot(version - 3, folds[version - 3])  # type: ignore[arg-type]


def _another_report(report_id: str, version: int, folds: list[Report | None]) -> bytes:
    other = folds[version]
    assert other is not None
    return encode_snapshot(version, Report(id=new_id(), title=other.title, chapters=other.chapters))


@pytest.mark.parametrize("spoiled", [_corrupt, _older_schema, _wrong_version, _another_report])
async def test_an_unusable_snapshot_falls_back_to_an_older_one_and_is_replaced(
    store: EventStore,
    redis: aioredis.Redis,
    history: tuple[str, list[Report | None]],
    spoiled: Callable[[str, int, list[Report | None]], bytes],
    caplog: pytest.LogCaptureFixture,
) -> None:
    report_id, folds = history
    await _replace_snapshot(redis, report_id, 50, spoiled(report_id, 50, folds))
    with caplog.at_level(logging.WARNING, logger="server.snapshots"):
        assert await ReportService(store, snapshot_every=EVERY).report(report_id, at=57) == (57, folds[57])
    assert "snapshot at version 50" in caplog.text
    # The fold from the snapshot at 40 passed 50 and stored a good one there again.
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="server.snapshots"):
        assert await ReportService(store, snapshot_every=EVERY).report(report_id, at=53) == (53, folds[53])
    assert caplog.text == ""


async def test_with_every_snapshot_unusable_the_report_is_replayed_from_its_events(
    store: EventStore, redis: aioredis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    report_id = await _drafted(ReportService(store, snapshot_every=EVERY), random.Random(3), commands=10)
    folds = await _folds(store, report_id)
    for version in await _snapshot_versions(redis, report_id):
        await _replace_snapshot(redis, report_id, version, _older_schema(report_id, version, folds))
    latest = len(folds) - 1
    with caplog.at_level(logging.WARNING, logger="server.snapshots"):
        assert await ReportService(store, snapshot_every=EVERY).report(report_id) == (latest, folds[latest])
    assert f"of snapshot schema {SNAPSHOT_SCHEMA - 1}" in caplog.text


async def test_a_snapshot_that_cannot_be_stored_never_fails_the_command(
    store: EventStore, redis: aioredis.Redis, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = ReportService(store, snapshot_every=1)

    async def refused(*_: object, **__: object) -> None:
        raise aioredis.ResponseError("OOM command not allowed when used memory > 'maxmemory'")

    monkeypatch.setattr(aioredis.client.Pipeline, "execute", refused)
    report_id = new_id()
    with caplog.at_level(logging.WARNING, logger="server.snapshots"):
        result = await service.handle_all(report_id, "import", import_draft(SEED, new_id, "fr"), SECRETARIAT, expected_version=0)
    monkeypatch.undo()
    assert "not stored" in caplog.text
    assert await _snapshot_versions(redis, report_id) == []
    assert (await service.report(report_id))[0] == result.version


def test_snapshots_are_taken_every_one_or_more_events_or_never(store: EventStore) -> None:
    assert Snapshots(store, None).due(1000) is False
    assert Snapshots(store, 1000).due(2000) and not Snapshots(store, 1000).due(1999)
    with pytest.raises(ValueError):
        Snapshots(store, 0)


async def test_a_snapshots_key_that_is_no_sorted_set_is_passed_over_and_the_report_served_from_its_events(
    store: EventStore, redis: aioredis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    """A cache, never the truth, whatever Redis holds there: a key Rapporteur did not write
    (WRONGTYPE for every sorted-set command) must not make the report unreadable."""
    report_id = await _drafted(ReportService(store, snapshot_every=EVERY), random.Random(4), commands=10)
    folds = await _folds(store, report_id)
    await redis.delete(snapshots_key(report_id))
    await redis.set(snapshots_key(report_id), "not a sorted set")
    latest = len(folds) - 1

    with caplog.at_level(logging.WARNING):
        service = ReportService(store, snapshot_every=EVERY)
        assert await service.report(report_id) == (latest, folds[latest])
        assert await service.report(report_id, at=latest - 3) == (latest - 3, folds[latest - 3])
    assert snapshots_key(report_id) in caplog.text
