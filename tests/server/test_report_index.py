"""The list of reports comes from a summary per report kept by the appends, never from
folding every report (17 to 20 s for 1,100 reports, on each visit of the editor's home page)."""

from datetime import UTC, datetime

import redis.asyncio as aioredis

from events.access import Actor
from events.catalogue import ReportCreated, ReportRetitled
from events.commands import AddChapter, AdoptChapter, AdoptReport, CommandEnvelope, CreateReport, RetitleReport, SetReportDetails
from events.envelope import StoredEvent, encode_event
from events.model import Details
from server.keys import events_key, summary_key
from server.report_index import ReportDescription
from server.service import ReportService
from server.store import EventStore
from tests.conftest import new_id
from tests.server.monitor import commands_sent

CHAIR = Actor(id="chair", role="chair")


async def _command(service: ReportService, report_id: str, command: object) -> int:
    result = await service.handle(report_id, CommandEnvelope(command_id=new_id(), command=command), CHAIR)  # type: ignore[arg-type]
    return result.version


def _reads_of_events(sent: list[str]) -> list[str]:
    """Commands that read a report's events: the read script, or XRANGE/XREAD themselves."""
    return [c for c in sent if ":events" in c and c.split()[0].upper() in ("EVALSHA", "EVAL", "XRANGE", "XREVRANGE", "XREAD")]


async def test_the_listing_reads_each_reports_summary_and_none_of_its_events(store: EventStore, redis_url: str) -> None:
    writer = ReportService(store)
    created = []
    for n in range(30):
        report_id = new_id()
        await _command(writer, report_id, CreateReport(title=f"Rapport {n}"))
        chapter = new_id()
        await _command(writer, report_id, AddChapter(chapter_id=chapter, title="Introduction"))
        created.append(report_id)
    await _command(writer, created[3], RetitleReport(title="Rapport de la onzième réunion"))
    await _command(writer, created[5], SetReportDetails(details=Details(language="en")))
    chapter = new_id()
    await _command(writer, created[7], AddChapter(chapter_id=chapter, title="Adoption"))
    for chapter_id in [c.id for c in (await writer.report(created[7]))[1].chapters]:
        await _command(writer, created[7], AdoptChapter(chapter_id=chapter_id))
    adopted_version = await _command(writer, created[7], AdoptReport())

    reader = ReportService(store)  # another process: nothing of these reports in its memory
    async with commands_sent(redis_url) as sent:
        listed = {report_id: (version, about) for report_id, version, about, _ in await reader.reports()}

    assert _reads_of_events([c for c in sent if any(report_id in c for report_id in created)]) == []
    assert [report_id for report_id in listed if report_id in created] == created  # oldest first
    assert listed[created[0]] == (2, ReportDescription(title="Rapport 0", adopted=False, language="fr"))
    assert listed[created[3]] == (3, ReportDescription(title="Rapport de la onzième réunion", adopted=False, language="fr"))
    assert listed[created[5]][1].language == "en"
    assert listed[created[7]] == (adopted_version, ReportDescription(title="Rapport 7", adopted=True, language="fr"))


def _stored(report_id: str, version: int, data: object) -> StoredEvent:
    return StoredEvent(
        report_id=report_id, version=version, event_id=new_id(), type=type(data).__name__, schema=1,
        actor="chair", at=datetime(2021, 10, 12, 10, 0, tzinfo=UTC), command_id=f"c{version}", data=data,
    )


async def test_a_report_written_before_summaries_is_folded_once_then_listed_from_its_summary(
    store: EventStore, redis: aioredis.Redis, redis_url: str
) -> None:
    """Reports from before the summaries (appended without a description) get one on their
    first listing; the listings after that read it."""
    report_id = new_id()
    await store.append(report_id, "c1", 0, [_stored(report_id, 1, ReportCreated(title="Ancien titre"))])
    await store.append(report_id, "c2", 1, [_stored(report_id, 2, ReportRetitled(title="Rapport ancien"))])
    assert not await redis.exists(summary_key(report_id))

    first = {r: (v, a.title) for r, v, a, _ in await ReportService(store).reports()}
    async with commands_sent(redis_url) as sent:
        second = {r: (v, a.title) for r, v, a, _ in await ReportService(store).reports()}

    assert first[report_id] == second[report_id] == (2, "Rapport ancien")
    assert _reads_of_events([c for c in sent if report_id in c]) == []


async def test_a_summary_left_behind_its_stream_is_folded_again(store: EventStore, redis: aioredis.Redis) -> None:
    """A server that did not keep summaries appended a new title: the summary's version is
    behind the stream's length, so the listing does not trust its title."""
    report_id = new_id()
    writer = ReportService(store)
    await _command(writer, report_id, CreateReport(title="Titre"))
    old_script_event = _stored(report_id, 2, ReportRetitled(title="Nouveau titre"))
    await redis.xadd(events_key(report_id), {"e": encode_event(old_script_event)}, id="2-0")

    listed = {r: (v, a.title) for r, v, a, _ in await ReportService(store).reports()}
    assert listed[report_id] == (2, "Nouveau titre")
    assert await redis.hget(summary_key(report_id), "version") == b"2"


async def test_a_report_whose_keys_redis_refuses_to_read_is_listed_damaged_and_the_others_as_before(
    store: EventStore, redis: aioredis.Redis
) -> None:
    """Keys Rapporteur did not write (a damaged database): Redis answers WRONGTYPE for them. One
    such report must not make the listing fail for everyone."""
    writer = ReportService(store)
    broken_events, broken_summary, sound = new_id(), new_id(), new_id()
    for report_id in (broken_events, broken_summary, sound):
        await _command(writer, report_id, CreateReport(title=f"Rapport {report_id[:4]}"))
    await redis.delete(events_key(broken_events), summary_key(broken_summary))
    await redis.set(events_key(broken_events), "not a stream")
    await redis.set(summary_key(broken_summary), "not a hash")

    listed = {report_id: (version, about.title, damaged_at) for report_id, version, about, damaged_at in await ReportService(store).reports()}

    assert listed[sound] == (1, f"Rapport {sound[:4]}", None)
    assert listed[broken_events] == (0, "", 1)
    assert listed[broken_summary] == (1, f"Rapport {broken_summary[:4]}", None)  # folded from its events


async def test_a_summary_redis_refuses_to_write_holds_up_no_append(store: EventStore, redis: aioredis.Redis) -> None:
    """The summary is a cache kept with the events: a summary key holding something else (not
    written by Rapporteur) must not fail the append script half-way, its events stored."""
    writer = ReportService(store)
    report_id = new_id()
    await _command(writer, report_id, CreateReport(title="Rapport"))
    await redis.delete(summary_key(report_id))
    await redis.set(summary_key(report_id), "not a hash")

    version = await _command(writer, report_id, RetitleReport(title="Rapport retitré"))
    await _command(writer, report_id, AddChapter(chapter_id=new_id(), title="Introduction"))

    assert version == 2
    assert await store.version(report_id) == 3
