"""Costly reads (renderings, checks, blame, diff) are computed in worker processes, within an
answer-time budget: the server goes on answering everyone else meanwhile."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from events.access import Actor
from events.catalogue import ReportCreated, ReportRetitled
from events.commands import AddChapter, AddParagraph, CreateReport
from events.envelope import StoredEvent
from server.service import ReportService
from server.store import EventStore
from tests.conftest import People, new_id, run_apart
from tests.processes import ServerProcess
from tests.waits import OtherUser

LONG_REPORT_PARAGRAPHS = 10_000


async def _write_long_report(redis_url: str, paragraphs: int) -> str:
    """A report of `paragraphs` paragraphs in one chapter, written through the service itself."""
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(redis_url)
    store = EventStore(client)
    try:
        report_id, chapter_id = new_id(), new_id()
        service, chair = ReportService(store), Actor(id="alice", role="chair")
        begun = [CreateReport(title="Rapport long"), AddChapter(chapter_id=chapter_id, title="Travaux")]
        await service.handle_all(report_id, new_id(), begun, chair, expected_version=0)
        written = [
            AddParagraph(chapter_id=chapter_id, text=f"Au titre du point {n}, le Groupe de travail a pris note du rapport [sic].")
            for n in range(paragraphs)
        ]
        await service.handle_all(report_id, new_id(), written, chair)
        return report_id
    finally:
        await store.aclose()
        await client.aclose()


@pytest.fixture(scope="module")
def long_report(redis_url: str) -> str:
    return run_apart(_write_long_report(redis_url, LONG_REPORT_PARAGRAPHS))


def test_rendering_and_checking_a_long_report_leave_the_others_served_at_once(
    server: ServerProcess, people: People, long_report: str
) -> None:
    """Before, the 10,000-paragraph DOCX (6 to 10 s) and its checks (1.5 s) ran on the event
    loop: every other request waited for them. Now the others wait some milliseconds."""
    headers = people.headers("alice")
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
        http.get(f"/api/reports/{long_report}/render?format=txt")  # the report loaded, the workers started
        with OtherUser(server.url, people.headers("reader waiting", "viewer")) as other:
            time.sleep(0.2)
            docx = http.get(f"/api/reports/{long_report}/render?format=docx")
            checks = http.get(f"/api/reports/{long_report}/checks")
            time.sleep(0.1)
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert checks.status_code == 200
    assert len([f for f in checks.json() if f["code"] == "unresolved_placeholder"]) == LONG_REPORT_PARAGRAPHS
    assert other.answers > 10 and other.failures == 0
    assert other.worst < 1.0, f"another user waited {other.worst:.2f} s"


@pytest.fixture
def hurried_server(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerProcess]:
    """A server whose costly reads must be answered within 0.5 s."""
    monkeypatch.setenv("RAPPORTEUR_READ_BUDGET", "0.5")
    with ServerProcess(redis_url) as process:
        yield process


def test_a_read_past_its_budget_is_refused_too_costly_and_the_next_one_is_served(
    hurried_server: ServerProcess, people: People, long_report: str
) -> None:
    with httpx.Client(base_url=hurried_server.url, headers=people.headers("alice"), timeout=60) as http:
        short_report = http.post("/api/reports", json={"title": "Court"}).json()["id"]
        assert http.get(f"/api/reports/{short_report}/render?format=docx").status_code == 200  # workers started
        started = time.monotonic()
        refused = http.get(f"/api/reports/{long_report}/blame")
        waited = time.monotonic() - started
        assert refused.status_code == 503
        assert refused.json()["code"] == "too_costly"
        assert "0.5 s" in refused.json()["message"]
        assert waited < 5
        assert http.get("/api/health").status_code == 200
        rendered = http.get(f"/api/reports/{short_report}/render?format=txt")
        assert rendered.status_code == 200 and "Court" in rendered.text


async def test_a_history_filter_that_matches_nothing_is_answered_a_stretch_at_a_time(
    server: ServerProcess, people: People, store: EventStore
) -> None:
    """A filter that matches nothing read the whole log in one request (a million events: a
    minute of the server's loop); now each request reads at most SCAN_LIMIT events and says
    where to go on."""
    report_id = new_id()
    versions = 20_500
    for first in range(1, versions + 1, 500):
        command_id = new_id()
        events = [
            StoredEvent(
                report_id=report_id, version=v, event_id=new_id(), type="ReportCreated" if v == 1 else "ReportRetitled",
                schema=1, actor="alice", at=datetime(2021, 10, 12, tzinfo=UTC), command_id=command_id,
                data=ReportCreated(title="R") if v == 1 else ReportRetitled(title=f"R{v}"),
            )
            for v in range(first, min(first + 500, versions + 1))
        ]
        await store.append(report_id, command_id, first - 1, events)
    async with httpx.AsyncClient(base_url=server.url, headers=people.headers("alice"), timeout=60) as http:
        first_stretch = (await http.get(f"/api/reports/{report_id}/history", params={"type": "ChapterAdded"})).json()
        rest = (await http.get(f"/api/reports/{report_id}/history", params={"type": "ChapterAdded", "after": first_stretch["next_after"]})).json()
        last = (await http.get(f"/api/reports/{report_id}/history", params={"type": "ReportRetitled", "after": 20_000})).json()
    assert first_stretch == {"events": [], "next_after": 20_000}
    assert rest == {"events": [], "next_after": None}
    assert [entry["event"]["version"] for entry in last["events"]] == list(range(20_001, 20_101))
    assert last["next_after"] == 20_100


def test_the_read_budget_variable_must_be_a_positive_number(monkeypatch: pytest.MonkeyPatch) -> None:
    """As the import's: 0 would answer every rendering `too_costly`, and a typo go unnoticed."""
    from server.read_jobs import BUDGET_VARIABLE, budget_seconds

    for wrong in ("soon", "0", "-1"):
        monkeypatch.setenv(BUDGET_VARIABLE, wrong)
        with pytest.raises(ValueError, match=BUDGET_VARIABLE):
            budget_seconds()
    monkeypatch.setenv(BUDGET_VARIABLE, "2.5")
    assert budget_seconds() == 2.5
