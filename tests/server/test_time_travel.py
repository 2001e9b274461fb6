"""The report as it was at an instant: `?at_time=`, against a real redis-server.

The service's clock is set by the tests, so every event is stamped at a known time; the HTTP
tests run a real server process, whose events are stamped by the machine's clock, and read
the clock themselves between commands.
"""

import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from events.access import Actor
from events.commands import AddChapter, Command, CommandEnvelope, CreateReport, ReplaceParagraphText
from events.errors import DomainError
from events.evolve import replay
from events.importer import import_draft
from events.model import LIST_MARK
from server.service import ReportService
from server.store import EventStore
from tests.conftest import People, new_id
from tests.processes import ServerProcess

SEED = (Path(__file__).parent.parent / "events" / "data" / "seed_fr.txt").read_text(encoding="utf-8")
OPENING = datetime(2021, 10, 12, 10, 0, tzinfo=UTC)
TIME_ENDPOINTS = ("", "/text", "/render", "/placeholders", "/checks")
ADD_CHAPTER = {"command": {"type": "AddChapter", "title": "I"}}
ALICE = Actor(id="alice", role="chair")


class Clock:
    """A clock that moves only when told to."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


async def _command(service: ReportService, report_id: str, command: Command) -> int:
    result = await service.handle(report_id, CommandEnvelope(command_id=new_id(), command=command), ALICE)
    return result.version


async def test_the_report_at_a_time_is_its_last_version_appended_by_then(store: EventStore) -> None:
    clock = Clock(OPENING)
    service = ReportService(store, clock=clock)
    report_id = new_id()
    imported = await service.handle_all(report_id, "import", import_draft(SEED, new_id, "fr"), ALICE)  # 1…, at 10:00
    clock.advance(minutes=5)
    added = await _command(service, report_id, AddChapter(title="Annexe"))  # at 10:05
    clock.advance(minutes=5)
    _, report = await service.report(report_id)
    paragraph = next(p for p in report.all_paragraphs() if LIST_MARK not in p.text)
    latest = await _command(service, report_id, ReplaceParagraphText(paragraph_id=paragraph.id, text="Ouverture"))  # 10:10

    async def version_at(when: datetime) -> int:
        return (await service.report(report_id, at_time=when))[0]

    assert await version_at(OPENING) == imported.version
    assert await version_at(OPENING + timedelta(minutes=4, seconds=59)) == imported.version
    assert await version_at(OPENING + timedelta(minutes=5)) == added
    assert await version_at(OPENING + timedelta(minutes=9)) == added
    assert await version_at(OPENING + timedelta(days=400)) == latest
    assert await version_at(datetime(2021, 10, 12, 12, 5, tzinfo=timezone(timedelta(hours=2)))) == added
    assert await version_at(datetime(2021, 10, 12, 10, 5)) == added, "a time without a zone is UTC"
    _, then = await service.report(report_id, at_time=OPENING + timedelta(minutes=6))
    assert then.chapters[-1].title == "Annexe" and paragraph.text in {p.text for p in then.all_paragraphs()}


async def test_before_its_first_event_the_report_did_not_exist_yet(store: EventStore) -> None:
    service = ReportService(store, clock=Clock(OPENING))
    report_id = new_id()
    await _command(service, report_id, CreateReport(title="Projet de rapport"))
    with pytest.raises(DomainError) as refused:
        await service.report(report_id, at_time=OPENING - timedelta(microseconds=1))
    assert refused.value.code == "unknown_version" and "did not exist yet" in refused.value.message
    with pytest.raises(DomainError) as missing:
        await service.report(new_id(), at_time=OPENING)
    assert missing.value.code == "unknown_report"


@pytest.fixture
async def stamped_history(store: EventStore) -> tuple[str, list[datetime]]:
    """300 commands a random number of seconds apart (often none, as one command's events)."""
    rng = random.Random(20211012)
    clock = Clock(OPENING)
    service = ReportService(store, clock=clock, snapshot_every=25)
    report_id = new_id()
    await _command(service, report_id, CreateReport(title="Projet de rapport"))
    for number in range(300):
        clock.advance(seconds=rng.choice([0, 0, 1, 2, 30, 600]))
        await _command(service, report_id, AddChapter(title=f"Chapitre {number}"))
    return report_id, [event.at for event in await store.read(report_id)]


async def test_at_time_is_found_in_logarithmic_round_trips(
    store: EventStore, stamped_history: tuple[str, list[datetime]], monkeypatch: pytest.MonkeyPatch
) -> None:
    report_id, stamps = stamped_history
    events = await store.read(report_id)
    reads = 0
    time_of = store.time_of

    async def counting_time_of(report_id: str, version: int) -> datetime | None:
        nonlocal reads
        reads += 1
        return await time_of(report_id, version)

    monkeypatch.setattr(store, "time_of", counting_time_of)
    service = ReportService(store, snapshot_every=25)
    rng = random.Random(7)
    for _ in range(40):
        when = rng.choice(stamps) + timedelta(seconds=rng.choice([-1, 0, 0, 1]))
        expected = max(version for version, at in enumerate(stamps, start=1) if at <= when)
        reads = 0
        assert await service.report(report_id, at_time=when) == (expected, replay(events[:expected]))
        assert reads <= math.ceil(math.log2(len(stamps) + 1))


@pytest.fixture
def http(server: ServerProcess, people: People) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers=people.headers("alice"), timeout=30) as client:
        yield client


def _code(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["code"]


def test_every_view_of_a_report_takes_a_time(http: httpx.Client) -> None:
    before = datetime.now(UTC)
    report_id = http.post("/api/reports", json={"title": "Projet de rapport"}).json()["id"]
    created = datetime.now(UTC)
    added = http.post(f"/api/reports/{report_id}/commands", json=ADD_CHAPTER | {"command_id": new_id()})
    assert added.json()["version"] == 2
    at_creation = {"at_time": created.isoformat()}
    body = http.get(f"/api/reports/{report_id}", params=at_creation).json()
    assert (body["version"], body["report"]["chapters"]) == (1, [])
    assert http.get(f"/api/reports/{report_id}", params={"at_time": datetime.now(UTC).isoformat()}).json()["version"] == 2
    for endpoint in TIME_ENDPOINTS:
        assert http.get(f"/api/reports/{report_id}{endpoint}", params=at_creation).status_code == 200, endpoint
        too_early = http.get(f"/api/reports/{report_id}{endpoint}", params={"at_time": before.isoformat()})
        assert _code(too_early) == (404, "unknown_version"), endpoint
        assert "did not exist yet" in too_early.json()["message"]
    rendered = http.get(f"/api/reports/{report_id}/render", params=at_creation)
    assert "-v1.txt" in rendered.headers["content-disposition"]


def test_times_in_any_zone_or_none_and_an_unescaped_plus(http: httpx.Client) -> None:
    report_id = http.post("/api/reports", json={"title": "Projet de rapport"}).json()["id"]
    created = datetime.now(UTC)
    http.post(f"/api/reports/{report_id}/commands", json=ADD_CHAPTER | {"command_id": new_id()})
    in_geneva = created.astimezone(timezone(timedelta(hours=2))).isoformat()
    for written in (
        created.isoformat().replace("+00:00", "Z"),
        created.replace(tzinfo=None).isoformat(),  # no zone: UTC
        in_geneva,
    ):
        assert http.get(f"/api/reports/{report_id}", params={"at_time": written}).json()["version"] == 1, written
    # A "+" typed into a URL reaches the server as a space.
    assert http.get(f"/api/reports/{report_id}?at_time={in_geneva}").json()["version"] == 1


@pytest.mark.parametrize(
    "query",
    [{"at_time": "yesterday"}, {"at_time": "2021-13-45T10:00"}, {"at_time": ""}, {"at": "1", "at_time": "2021-10-12T10:00Z"}],
)
def test_a_malformed_time_or_both_a_version_and_a_time_are_refused(http: httpx.Client, new_report: str, query: dict) -> None:
    for endpoint in TIME_ENDPOINTS:
        response = http.get(f"/api/reports/{new_report}{endpoint}", params=query)
        assert _code(response) == (400, "invalid_query"), endpoint
