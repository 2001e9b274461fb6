"""The single write path, against a real redis-server."""

import asyncio
import time
from collections.abc import Callable

import pytest

from events.access import Actor, Role
from events.commands import (
    AddChapter,
    AddParagraph,
    AdoptChapter,
    Command,
    CommandEnvelope,
    CreateReport,
    EditParagraphText,
    ReplaceParagraphText,
)
from events.errors import DomainError
from events.fields import MAX_OP_COMPONENTS
from events.text_ops import Delete
from server.service import ReportService
from server.store import EventStore
from tests.conftest import new_id


def _as(user_id: str, role: Role = "chair") -> Actor:
    """A signed-in user, as the server hands it to the service; the store alone never
    checks that the id belongs to an account."""
    return Actor(id=user_id, role=role)


async def _created(service: ReportService) -> str:
    report_id = new_id()
    await service.handle(report_id, CommandEnvelope(command_id=new_id(), command=CreateReport(title="R")), _as("chair"))
    return report_id


async def test_the_actor_is_the_authenticated_drafter(store: EventStore) -> None:
    service = ReportService(store)
    report_id = await _created(service)
    result = await service.handle(report_id, CommandEnvelope(command_id="c", command=AddChapter(title="I")), _as("alice", "drafter"))
    assert [e.actor for e in result.events] == ["alice"]
    assert (await store.read(report_id))[-1].actor == "alice"


@pytest.mark.parametrize(
    ("role", "command_of"),
    [
        pytest.param("viewer", lambda chapter_id: AddChapter(title="II"), id="viewer-edits"),
        pytest.param("viewer", lambda chapter_id: AdoptChapter(chapter_id=chapter_id), id="viewer-adopts"),
        pytest.param("drafter", lambda chapter_id: AdoptChapter(chapter_id=chapter_id), id="drafter-adopts"),
    ],
)
async def test_a_command_beyond_the_actors_role_is_forbidden_and_appends_nothing(
    store: EventStore, role: Role, command_of: Callable[[str], Command]
) -> None:
    service = ReportService(store)
    report_id = await _created(service)
    chapter_id = new_id()
    await service.handle(report_id, CommandEnvelope(command_id=new_id(), command=AddChapter(chapter_id=chapter_id, title="I")), _as("chair"))
    envelope = CommandEnvelope(command_id="refused", command=command_of(chapter_id))

    with pytest.raises(DomainError) as refused:
        await service.handle(report_id, envelope, _as("someone", role))

    assert refused.value.code == "forbidden" and refused.value.message
    assert await store.version(report_id) == 2
    assert await store.applied(report_id, "refused") is None
    assert (await service.handle(report_id, envelope, _as("chair"))).version == 3, "the chair may"


async def test_a_retry_returns_the_original_result_even_when_it_would_now_be_refused(store: EventStore) -> None:
    service = ReportService(store)
    report_id = await _created(service)
    chapter_id = new_id()
    envelope = CommandEnvelope(command_id="add", expected_version=1, command=AddChapter(chapter_id=chapter_id, title="I"))
    first = await service.handle(report_id, envelope, _as("alice"))
    again = await service.handle(report_id, envelope, _as("alice"))
    assert again == first
    assert await store.version(report_id) == 2


async def test_a_retry_after_the_role_was_lowered_returns_the_original_result(store: EventStore) -> None:
    """A drafter's client resends an unacknowledged command after a drop; if the drafter was
    made a viewer meanwhile, the command that did apply is still acknowledged, once. Someone
    else retrying that command id is refused."""
    service = ReportService(store)
    report_id = await _created(service)
    envelope = CommandEnvelope(command_id="sent-before-demotion", command=AddChapter(title="I"))
    first = await service.handle(report_id, envelope, _as("dana", "drafter"))

    again = await service.handle(report_id, envelope, _as("dana", "viewer"))
    with pytest.raises(DomainError) as refused:
        await service.handle(report_id, envelope, _as("mallory", "viewer"))

    assert again == first
    assert refused.value.code == "forbidden"
    assert await store.version(report_id) == 2


async def test_a_pinned_stale_version_is_a_conflict_and_appends_nothing(store: EventStore) -> None:
    service = ReportService(store)
    report_id = await _created(service)
    await service.handle(report_id, CommandEnvelope(command_id="a", command=AddChapter(title="I")), _as("alice"))
    stale = CommandEnvelope(command_id="b", expected_version=1, command=AddChapter(title="II"))
    with pytest.raises(DomainError) as refused:
        await service.handle(report_id, stale, _as("bob"))
    assert refused.value.code == "version_conflict"
    assert await store.version(report_id) == 2


async def test_another_process_appending_meanwhile_is_seen_before_deciding(store: EventStore) -> None:
    """Two services on one Redis, as two server processes: neither decides on a stale state."""
    first, second = ReportService(store), ReportService(store)
    report_id = await _created(first)
    chapter_id = new_id()
    await first.handle(report_id, CommandEnvelope(command_id="c", command=AddChapter(chapter_id=chapter_id, title="I")), _as("a"))
    paragraph_id = new_id()
    await second.handle(
        report_id,
        CommandEnvelope(command_id="p", command=AddParagraph(paragraph_id=paragraph_id, chapter_id=chapter_id, text="1")),
        _as("b"),
    )
    result = await first.handle(
        report_id, CommandEnvelope(command_id="r", command=ReplaceParagraphText(paragraph_id=paragraph_id, text="2")), _as("a")
    )
    assert result.version == 4
    version, report = await second.report(report_id)
    assert version == 4 and report.chapters[0].paragraphs[0].text == "2"


async def test_the_report_at_a_past_version(store: EventStore) -> None:
    service = ReportService(store)
    report_id = await _created(service)
    await service.handle(report_id, CommandEnvelope(command_id="c", command=AddChapter(title="I")), _as("a"))
    version, report = await service.report(report_id, at=1)
    assert version == 1 and report.chapters == ()
    with pytest.raises(DomainError) as missing:
        await service.report(report_id, at=9)
    assert missing.value.code == "unknown_version"


async def test_the_same_command_sent_twice_at_once_is_applied_once(store: EventStore) -> None:
    """A client that lost its connection resends what was not acknowledged, possibly while
    the first copy still waits for the report's writer: both get the one result."""
    service = ReportService(store)
    report_id = await _created(service)
    envelope = CommandEnvelope(command_id="resent", command=AddChapter(title="I"))
    others = [CommandEnvelope(command_id=f"other-{n}", command=AddChapter(title=f"X{n}")) for n in range(5)]

    results = await asyncio.gather(
        *(service.handle(report_id, other, _as("bob")) for other in others[:2]),
        service.handle(report_id, envelope, _as("alice")),
        *(service.handle(report_id, other, _as("bob")) for other in others[2:]),
        service.handle(report_id, envelope, _as("alice")),
    )

    assert results[2] == results[-1]
    assert await store.version(report_id) == 1 + 6
    assert [e.command_id for e in await store.read(report_id)].count("resent") == 1


async def test_commands_that_arrive_together_are_appended_together_in_order(store: EventStore) -> None:
    """Group commit: what queued while an append was in flight goes in the next one, each
    command decided on the state the previous left (a paragraph added, then edited)."""
    service = ReportService(store)
    report_id = await _created(service)
    chapter_id, paragraph_id = new_id(), new_id()
    commands = [
        AddChapter(chapter_id=chapter_id, title="I"),
        AddParagraph(paragraph_id=paragraph_id, chapter_id=chapter_id, text="un"),
        ReplaceParagraphText(paragraph_id=paragraph_id, text="deux"),
    ]
    results = await asyncio.gather(
        *(service.handle(report_id, CommandEnvelope(command_id=f"c{n}", command=c), _as("alice")) for n, c in enumerate(commands))
    )
    assert [r.version for r in results] == [2, 3, 4]
    _, report = await service.report(report_id)
    assert report.chapters[0].paragraphs[0].text == "deux"


async def test_a_batch_of_costly_edits_lets_the_event_loop_serve_others_while_it_is_decided(store: EventStore) -> None:
    """Deciding the widest edit takes milliseconds; 200 of them, arrived while an append was
    in flight, held the event loop for the whole batch (a third of a second, and seconds on a
    loaded machine) before the writer decided in slices. A task that runs whenever the loop
    is free now never waits more than a small part of the time the batch takes."""
    service = ReportService(store)
    report_id = await _created(service)
    chapter_id = new_id()
    widest = [1, Delete(1)] * (MAX_OP_COMPONENTS // 2)
    paragraphs = [new_id() for _ in range(200)]
    setup = [AddChapter(chapter_id=chapter_id, title="I")]
    setup += [AddParagraph(paragraph_id=p, chapter_id=chapter_id, text="a" * MAX_OP_COMPONENTS) for p in paragraphs]
    await service.handle_all(report_id, "setup", setup, _as("alice"))
    edits = [EditParagraphText(paragraph_id=p, base_revision=0, ops=widest) for p in paragraphs]

    gaps: list[float] = []

    async def ticking() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(ticking())
    await asyncio.sleep(0)
    started = time.perf_counter()
    results = await asyncio.gather(
        *(service.handle(report_id, CommandEnvelope(command_id=f"e{n}", command=e), _as("alice")) for n, e in enumerate(edits))
    )
    elapsed = time.perf_counter() - started
    ticker.cancel()

    first = 1 + len(setup) + 1  # after ReportCreated and the setup
    assert [r.version for r in results] == list(range(first, first + len(edits)))
    assert max(gaps) < elapsed / 5, f"the loop was held {max(gaps) * 1000:.0f} ms of {elapsed * 1000:.0f}"
