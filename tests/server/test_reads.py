"""Costly reads (renderings, checks, blame, diff) are computed in worker processes, within an
answer-time budget: the server goes on answering everyone else meanwhile."""

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from events.access import Actor
from events.commands import AddChapter, AddParagraph, CreateReport
from server.service import ReportService
from server.store import EventStore
from tests.conftest import People, new_id, run_apart
from tests.processes import ServerProcess

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


class _Poller:
    """Another user, asking the server something every 20 ms; its longest wait for an answer."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self._url, self._headers = url, headers
        self._stop = threading.Event()
        self.worst = 0.0
        self.answers = 0
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        with httpx.Client(headers=self._headers, timeout=60) as client:
            while not self._stop.is_set():
                started = time.monotonic()
                assert client.get(f"{self._url}/api/me").status_code == 200
                self.worst = max(self.worst, time.monotonic() - started)
                self.answers += 1
                self._stop.wait(0.02)

    def __enter__(self) -> "_Poller":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def test_rendering_and_checking_a_long_report_leave_the_others_served_at_once(
    server: ServerProcess, people: People, long_report: str
) -> None:
    """Before, the 10,000-paragraph DOCX (6 to 10 s) and its checks (1.5 s) ran on the event
    loop: every other request waited for them. Now the others wait some milliseconds."""
    headers = people.headers("alice")
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
        http.get(f"/api/reports/{long_report}/render?format=txt")  # the report loaded, the workers started
        with _Poller(server.url, people.headers("bruno", "viewer")) as other:
            time.sleep(0.2)
            docx = http.get(f"/api/reports/{long_report}/render?format=docx")
            checks = http.get(f"/api/reports/{long_report}/checks")
            time.sleep(0.1)
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert checks.status_code == 200
    assert len([f for f in checks.json() if f["code"] == "unresolved_placeholder"]) == LONG_REPORT_PARAGRAPHS
    assert other.answers > 10
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
