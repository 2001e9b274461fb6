"""The service's size and rate limits: the token bucket that paces a live connection, and the
longest paragraph, the largest draft, each refused with a clear code and nothing appended.

The limit on events per command (events.decide.MAX_EVENTS_PER_COMMAND) is not reached here:
a draft that would pass it (10,001 paragraphs, about 90 KB) takes tens of seconds to parse,
far beyond what this file may spend; tests/events covers it on the pure domain.
"""

import json
import time
from collections.abc import Iterator

import httpx
import pytest
from websockets.asyncio.client import connect

from client.live import live_url
from events.fields import MAX_OP_COMPONENTS, MAX_TEXT_LENGTH
from server.limits import RateLimit
from server.views import MAX_DRAFT_BYTES, MAX_DRAFT_LINES
from tests.conftest import People, new_id
from tests.processes import ServerProcess


class Clock:
    """Time that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _allowed(limit: RateLimit, attempts: int) -> int:
    return sum(limit.allow() for _ in range(attempts))


# Rates and steps are powers of two, so that the clock's arithmetic is exact.


def test_a_full_bucket_allows_one_burst_then_refuses(clock: Clock) -> None:
    limit = RateLimit(rate=8, burst=4, clock=clock)
    assert [limit.allow() for _ in range(6)] == [True] * 4 + [False] * 2


def test_the_bucket_refills_at_the_rate(clock: Clock) -> None:
    limit = RateLimit(rate=8, burst=4, clock=clock)
    _allowed(limit, 4)
    clock.advance(3 / 8)
    assert _allowed(limit, 10) == 3


def test_fractions_of_a_message_add_up(clock: Clock) -> None:
    limit = RateLimit(rate=8, burst=4, clock=clock)
    _allowed(limit, 4)
    clock.advance(1 / 16)
    assert not limit.allow()
    clock.advance(1 / 16)
    assert limit.allow()
    assert not limit.allow()


def test_the_bucket_never_holds_more_than_a_burst(clock: Clock) -> None:
    limit = RateLimit(rate=8, burst=4, clock=clock)
    _allowed(limit, 4)
    clock.advance(3_600)
    assert _allowed(limit, 100) == 4


def test_refusals_do_not_delay_the_refill(clock: Clock) -> None:
    """A flood of refused messages costs the client nothing more than waiting."""
    limit = RateLimit(rate=8, burst=4, clock=clock)
    _allowed(limit, 4)
    assert _allowed(limit, 10_000) == 0
    clock.advance(1 / 8)
    assert limit.allow()


def test_a_client_at_the_rate_is_never_refused(clock: Clock) -> None:
    limit = RateLimit(rate=256, burst=1, clock=clock)
    allowed = 0
    for _ in range(10_000):
        clock.advance(1 / 256)
        allowed += limit.allow()
    assert allowed == 10_000


def test_a_client_over_the_rate_gets_the_burst_then_the_rate(clock: Clock) -> None:
    limit = RateLimit(rate=256, burst=1_024, clock=clock)
    allowed = 0
    for _ in range(10 * 1_024):  # 1,024 a second for ten seconds: four times the rate
        clock.advance(1 / 1_024)
        allowed += limit.allow()
    # The burst, then the rate: the first step's refill is lost to a full bucket.
    assert allowed == 1_024 + 256 * 10 - 1


# Against a real server


@pytest.fixture
def http(server: ServerProcess, people: People) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers=people.headers("limits-drafter", "drafter"), timeout=60) as client:
        yield client


@pytest.fixture
def paragraph(http: httpx.Client) -> tuple[str, str]:
    """A new report with one chapter and one empty paragraph: the report's and paragraph's ids."""
    report = http.post("/api/reports", json={"title": "Limites"}).json()["id"]
    chapter, paragraph = new_id(), new_id()
    for command in [
        {"type": "AddChapter", "chapter_id": chapter, "title": "Introduction"},
        {"type": "AddParagraph", "paragraph_id": paragraph, "chapter_id": chapter},
    ]:
        _submit(http, report, command).raise_for_status()
    return report, paragraph


def _submit(http: httpx.Client, report: str, command: dict[str, object]) -> httpx.Response:
    return http.post(f"/api/reports/{report}/commands", json={"command_id": new_id(), "command": command})


def _version(http: httpx.Client, report: str) -> int:
    return http.get(f"/api/reports/{report}").json()["version"]


def _text(http: httpx.Client, report: str) -> str:
    return http.get(f"/api/reports/{report}").json()["report"]["chapters"][0]["paragraphs"][0]["text"]


def _assert_refused(response: httpx.Response, code: str) -> None:
    assert (response.status_code, response.json()["code"]) == (422, code), response.text[:500]
    assert str(MAX_TEXT_LENGTH) in response.json()["message"]


def test_a_paragraph_holds_up_to_the_limit_counted_in_characters(http: httpx.Client, paragraph: tuple[str, str]) -> None:
    """Characters, not bytes: a paragraph of astral letters (4 bytes each in UTF-8) is as long."""
    report, paragraph_id = paragraph
    longest = "𝒜" * MAX_TEXT_LENGTH
    assert _submit(http, report, {"type": "ReplaceParagraphText", "paragraph_id": paragraph_id, "text": longest}).status_code == 200
    assert _text(http, report) == longest


def test_replacing_a_paragraph_with_a_text_over_the_limit_is_refused(http: httpx.Client, paragraph: tuple[str, str]) -> None:
    report, paragraph_id = paragraph
    before = _version(http, report)
    response = _submit(http, report, {"type": "ReplaceParagraphText", "paragraph_id": paragraph_id, "text": "x" * (MAX_TEXT_LENGTH + 1)})
    _assert_refused(response, "invalid_command")
    assert "$.command.text" in response.json()["message"]
    assert _version(http, report) == before


def test_adding_a_paragraph_over_the_limit_is_refused(http: httpx.Client, paragraph: tuple[str, str]) -> None:
    report, _ = paragraph
    before = _version(http, report)
    chapter = http.get(f"/api/reports/{report}").json()["report"]["chapters"][0]["id"]
    response = _submit(http, report, {"type": "AddParagraph", "chapter_id": chapter, "text": "x" * (MAX_TEXT_LENGTH + 1)})
    _assert_refused(response, "invalid_command")
    assert _version(http, report) == before


@pytest.mark.parametrize(
    ("start", "ops"),
    [
        pytest.param("", ["x" * (MAX_TEXT_LENGTH + 1)], id="one-insert-over-the-limit"),
        pytest.param("x" * MAX_TEXT_LENGTH, [MAX_TEXT_LENGTH, "y"], id="one-letter-past-a-full-paragraph"),
    ],
)
def test_typing_past_the_limit_is_refused(http: httpx.Client, paragraph: tuple[str, str], start: str, ops: list[object]) -> None:
    report, paragraph_id = paragraph
    _submit(http, report, {"type": "ReplaceParagraphText", "paragraph_id": paragraph_id, "text": start}).raise_for_status()
    revision = http.get(f"/api/reports/{report}").json()["report"]["chapters"][0]["paragraphs"][0]["revision"]
    before = _version(http, report)
    edit = {"type": "EditParagraphText", "paragraph_id": paragraph_id, "base_revision": revision, "ops": ops}
    _assert_refused(_submit(http, report, edit), "invalid_text")
    assert _version(http, report) == before
    assert _text(http, report) == start


async def test_typing_past_the_limit_over_the_live_socket_is_refused_and_the_socket_stays_open(
    server: ServerProcess, people: People, http: httpx.Client, paragraph: tuple[str, str]
) -> None:
    report, paragraph_id = paragraph
    full = "x" * MAX_TEXT_LENGTH
    _submit(http, report, {"type": "ReplaceParagraphText", "paragraph_id": paragraph_id, "text": full}).raise_for_status()
    async with connect(live_url(server.url, report), additional_headers=people.headers("limits-drafter", "drafter"), max_size=None) as socket:
        snapshot = json.loads(await socket.recv())
        revision = snapshot["report"]["chapters"][0]["paragraphs"][0]["revision"]
        edit = {"type": "EditParagraphText", "paragraph_id": paragraph_id, "base_revision": revision, "ops": [MAX_TEXT_LENGTH, "y"]}
        await socket.send(json.dumps({"type": "command", "command_id": "too-long", "command": edit}))
        error = json.loads(await socket.recv())
        assert (error["type"], error["command_id"], error["code"]) == ("error", "too-long", "invalid_text")
        shorter = {**edit, "ops": [{"d": 1}, "y"]}
        await socket.send(json.dumps({"type": "command", "command_id": "fits", "command": shorter}))
        event = json.loads(await socket.recv())
        assert (event["type"], event["event"]["version"]) == ("event", snapshot["version"] + 1)
    assert _text(http, report) == "y" + full[1:]


def test_a_huge_edit_made_revisions_ago_is_refused_at_once(http: httpx.Client, paragraph: tuple[str, str]) -> None:
    """Issue 12: 880 KB of alternating retains and deletes, made 20 revisions ago, held the
    server for 6 to 10 s of merging before its refusal (4.5 minutes 500 revisions ago). Its
    size alone refuses it now, before any merging: in milliseconds."""
    report, paragraph_id = paragraph
    text = "a" * 99_000
    _submit(http, report, {"type": "ReplaceParagraphText", "paragraph_id": paragraph_id, "text": text}).raise_for_status()
    for revision in range(1, 21):
        keystroke = {"type": "EditParagraphText", "paragraph_id": paragraph_id, "base_revision": revision, "ops": [7 * revision, "x"]}
        _submit(http, report, keystroke).raise_for_status()
    before, typed = _version(http, report), _text(http, report)
    huge = {"type": "EditParagraphText", "paragraph_id": paragraph_id, "base_revision": 1, "ops": [1, {"d": 1}] * 88_000}

    started = time.perf_counter()
    response = _submit(http, report, huge)
    elapsed = time.perf_counter() - started

    assert (response.status_code, response.json()["code"]) == (422, "op_too_large"), response.text[:500]
    assert str(MAX_OP_COMPONENTS) in response.json()["message"]
    assert elapsed < 1.0
    assert (_version(http, report), _text(http, report)) == (before, typed)


def test_a_draft_over_the_limit_is_refused_before_it_is_read(http: httpx.Client) -> None:
    reports_before = http.get("/api/reports").json()
    draft = ("Rapport\n\nI. Introduction\n\n1. " + "mot " * (MAX_DRAFT_BYTES // 4)).encode()
    assert len(draft) > MAX_DRAFT_BYTES
    response = http.post("/api/reports/import", content=draft, headers={"Content-Type": "text/plain; charset=utf-8"})
    assert (response.status_code, response.json()["code"]) == (413, "message_too_large")
    assert http.get("/api/reports").json() == reports_before


def test_a_draft_of_too_many_lines_is_refused_before_it_is_parsed(http: httpx.Client) -> None:
    """Short, but long enough to cost seconds of parsing: refused at once, nothing created."""
    reports_before = http.get("/api/reports").json()
    draft = "Rapport\n\nI. Introduction\n" + "".join(f"{n}. x\n" for n in range(1, MAX_DRAFT_LINES + 2))
    assert len(draft.encode()) < MAX_DRAFT_BYTES
    response = http.post("/api/reports/import", content=draft.encode(), headers={"Content-Type": "text/plain; charset=utf-8"})
    assert (response.status_code, response.json()["code"]) == (413, "message_too_large")
    assert str(MAX_DRAFT_LINES) in response.json()["message"]
    assert http.get("/api/reports").json() == reports_before
