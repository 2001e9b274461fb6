"""The single write path, against a real redis-server."""

from events.commands import AddChapter, AddParagraph, CommandEnvelope, CreateReport, ReplaceParagraphText
from events.errors import DomainError
from server.service import ReportService
from server.store import EventStore
from tests.conftest import new_id

import pytest


async def _created(service: ReportService) -> str:
    report_id = new_id()
    await service.handle(report_id, CommandEnvelope(command_id=new_id(), command=CreateReport(title="R")), "chair")
    return report_id


async def test_the_actor_is_the_authenticated_drafter(store: EventStore) -> None:
    service = ReportService(store)
    report_id = await _created(service)
    result = await service.handle(report_id, CommandEnvelope(command_id="c", command=AddChapter(title="I")), "alice")
    assert [e.actor for e in result.events] == ["alice"]
    assert (await store.read(report_id))[-1].actor == "alice"


async def test_a_retry_returns_the_original_result_even_when_it_would_now_be_refused(store: EventStore) -> None:
    service = ReportService(store)
    report_id = await _created(service)
    chapter_id = new_id()
    envelope = CommandEnvelope(command_id="add", expected_version=1, command=AddChapter(chapter_id=chapter_id, title="I"))
    first = await service.handle(report_id, envelope, "alice")
    again = await service.handle(report_id, envelope, "alice")
    assert again == first
    assert await store.version(report_id) == 2


async def test_a_pinned_stale_version_is_a_conflict_and_appends_nothing(store: EventStore) -> None:
    service = ReportService(store)
    report_id = await _created(service)
    await service.handle(report_id, CommandEnvelope(command_id="a", command=AddChapter(title="I")), "alice")
    stale = CommandEnvelope(command_id="b", expected_version=1, command=AddChapter(title="II"))
    with pytest.raises(DomainError) as refused:
        await service.handle(report_id, stale, "bob")
    assert refused.value.code == "version_conflict"
    assert await store.version(report_id) == 2


async def test_another_process_appending_meanwhile_is_seen_before_deciding(store: EventStore) -> None:
    """Two services on one Redis, as two server processes: neither decides on a stale state."""
    first, second = ReportService(store), ReportService(store)
    report_id = await _created(first)
    chapter_id = new_id()
    await first.handle(report_id, CommandEnvelope(command_id="c", command=AddChapter(chapter_id=chapter_id, title="I")), "a")
    paragraph_id = new_id()
    await second.handle(
        report_id,
        CommandEnvelope(command_id="p", command=AddParagraph(paragraph_id=paragraph_id, chapter_id=chapter_id, text="1")),
        "b",
    )
    result = await first.handle(
        report_id, CommandEnvelope(command_id="r", command=ReplaceParagraphText(paragraph_id=paragraph_id, text="2")), "a"
    )
    assert result.version == 4
    version, report = await second.report(report_id)
    assert version == 4 and report.chapters[0].paragraphs[0].text == "2"


async def test_the_report_at_a_past_version(store: EventStore) -> None:
    service = ReportService(store)
    report_id = await _created(service)
    await service.handle(report_id, CommandEnvelope(command_id="c", command=AddChapter(title="I")), "a")
    version, report = await service.report(report_id, at=1)
    assert version == 1 and report.chapters == ()
    with pytest.raises(DomainError) as missing:
        await service.report(report_id, at=9)
    assert missing.value.code == "unknown_version"
