"""The HTTP API of a real server process on a real redis-server."""

from collections.abc import Iterator

import httpx
import pytest

from client.api import Api, ApiError
from tests.conftest import People, new_id
from tests.processes import ServerProcess


@pytest.fixture
def http(server: ServerProcess, people: People) -> Iterator[httpx.Client]:
    """Signed in as alice (the `api` fixture's user), with her bearer token."""
    with httpx.Client(base_url=server.url, headers=people.headers("alice"), timeout=30) as client:
        yield client


@pytest.fixture
def chapter(api: Api, new_report: str) -> str:
    chapter_id = new_id()
    api.submit(new_report, {"type": "AddChapter", "chapter_id": chapter_id, "title": "Introduction"})
    return chapter_id


def _version(http: httpx.Client, report_id: str) -> int:
    return http.get(f"/api/reports/{report_id}").json()["version"]


def test_create_list_and_read_a_report(http: httpx.Client, people: People) -> None:
    created = http.post("/api/reports", json={"title": "Projet de rapport"})
    assert created.status_code == 201
    report_id = created.json()["id"]
    assert created.json()["version"] == 1
    assert created.json()["events"][0]["actor"] == people.id("alice")
    listed = {r["id"]: r for r in http.get("/api/reports").json()}
    assert listed[report_id] == {"id": report_id, "title": "Projet de rapport", "version": 1, "adopted": False, "language": "fr"}
    body = http.get(f"/api/reports/{report_id}").json()
    assert body["version"] == 1
    assert (body["report"]["id"], body["report"]["title"], body["report"]["chapters"]) == (report_id, "Projet de rapport", [])


def test_commands_build_the_numbered_text(http: httpx.Client, new_report: str) -> None:
    intro, recommendations, general = new_id(), new_id(), new_id()
    commands = [
        {"type": "AddChapter", "chapter_id": intro, "title": "Introduction"},
        {"type": "AddParagraph", "chapter_id": intro, "text": "Dans sa décision 4/4, la Conférence des Parties…"},
        {"type": "AddChapter", "chapter_id": recommendations, "title": "Recommandations"},
        {"type": "AddSection", "chapter_id": recommendations, "section_id": general, "title": "Recommandations générales"},
        {"type": "AddParagraph", "chapter_id": recommendations, "section_id": general, "text": "Le Groupe de travail a recommandé…"},
        {"type": "AddParagraph", "chapter_id": recommendations, "text": "À la réunion qu’il a tenue à Vienne…"},
    ]
    for n, command in enumerate(commands, start=2):
        response = http.post(f"/api/reports/{new_report}/commands", json={"command_id": new_id(), "command": command})
        assert response.status_code == 200, response.text
        assert response.json()["version"] == n
    assert http.get(f"/api/reports/{new_report}/text").text == (
        "Projet de rapport\n\n"
        "I. Introduction\n\n"
        "1. Dans sa décision 4/4, la Conférence des Parties…\n\n"
        "II. Recommandations\n\n"
        "2. À la réunion qu’il a tenue à Vienne…\n\n"
        "A. Recommandations générales\n\n"
        "3. Le Groupe de travail a recommandé…\n"
    )
    past = http.get(f"/api/reports/{new_report}/text", params={"at": 2}).text
    assert past == "Projet de rapport\n\nI. Introduction\n"


def test_events_are_paged_after_a_version(http: httpx.Client, api: Api, new_report: str) -> None:
    for n in range(5):
        api.submit(new_report, {"type": "AddChapter", "title": f"Chapitre {n}"})
    page = http.get(f"/api/reports/{new_report}/events", params={"after": 2, "limit": 2}).json()
    assert [e["version"] for e in page] == [3, 4]
    assert [e["type"] for e in page] == ["ChapterAdded", "ChapterAdded"]
    assert set(page[0]) == {"report_id", "version", "event_id", "type", "schema", "actor", "at", "command_id", "data"}
    assert page[0]["data"] == {"chapter_id": page[0]["data"]["chapter_id"], "title": "Chapitre 1", "before": None}
    assert http.get(f"/api/reports/{new_report}/events", params={"after": 6}).json() == []


def test_the_server_assigns_ids_the_client_left_out(api: Api, new_report: str) -> None:
    result = api.submit(new_report, {"type": "AddChapter", "title": "Introduction"})
    chapter_id = result["events"][0]["data"]["chapter_id"]
    assert api.report(new_report)[1].chapters[0].id == chapter_id


def test_retried_command_is_applied_once(http: httpx.Client, new_report: str) -> None:
    body = {"command_id": "retry-me", "command": {"type": "AddChapter", "title": "Introduction"}}
    first = http.post(f"/api/reports/{new_report}/commands", json=body)
    second = http.post(f"/api/reports/{new_report}/commands", json=body)
    assert first.json() == second.json()
    assert _version(http, new_report) == 2


# Each bad input: its status and code, and nothing appended.
BAD_COMMANDS = [
    pytest.param(b'{"command_id": "x", "command": {', 400, "malformed_json", id="malformed-json"),
    pytest.param(b'{"command_id": "x", "command": {"type": "AdoptEverything"}}', 422, "unknown_command", id="unknown-type"),
    pytest.param(b'{"command_id": "x", "command": {"type": "AddChapter"}}', 422, "invalid_command", id="missing-field"),
    pytest.param(b'{"command_id": "x", "command": {"type": "AddChapter", "title": 7}}', 422, "invalid_command", id="mistyped-field"),
    pytest.param(b'{"command": {"type": "AddChapter", "title": "I"}}', 422, "invalid_command", id="no-command-id"),
    pytest.param(
        b'{"command_id": "x", "command": {"type": "AddChapter", "title": "I", "actor": "mallory"}}',
        422, "invalid_command", id="command-sets-its-actor",
    ),
    pytest.param(
        b'{"command_id": "x", "command": {"type": "RemoveParagraph", "paragraph_id": "00000000-0000-4000-8000-000000000000"}}',
        422, "unknown_paragraph", id="unknown-paragraph",
    ),
    pytest.param(
        b'{"command_id": "x", "expected_version": 0, "command": {"type": "AddChapter", "title": "I"}}',
        409, "version_conflict", id="stale-expected-version",
    ),
    pytest.param(b'{"command_id": "x", "command": {"type": "CreateReport", "title": "again"}}', 409, "report_exists", id="create-twice"),
    pytest.param(
        b'{"command_id": "x", "command": {"type": "AddParagraph", "chapter_id": "c", "text": "' + b"a" * (1024 * 1024) + b'"}}',
        413, "message_too_large", id="over-1-MiB",
    ),
]


@pytest.mark.parametrize(("body", "status", "code"), BAD_COMMANDS)
def test_bad_command_gets_its_error_and_appends_nothing(http: httpx.Client, new_report: str, body: bytes, status: int, code: str) -> None:
    before = _version(http, new_report)
    response = http.post(f"/api/reports/{new_report}/commands", content=body)
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert response.json()["message"]
    assert _version(http, new_report) == before


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-token"),
        pytest.param({"Authorization": "Bearer not-a-token"}, id="unknown-token"),
        pytest.param({"Authorization": "Basic YWxpY2U6c2VjcmV0"}, id="not-a-bearer-token"),
        pytest.param({"X-Drafter": "alice"}, id="self-declared-name"),
    ],
)
def test_a_command_without_a_valid_token_is_unauthenticated_and_appends_nothing(
    server: ServerProcess, http: httpx.Client, new_report: str, headers: dict[str, str]
) -> None:
    body = {"command_id": new_id(), "command": {"type": "AddChapter", "title": "I"}}
    response = httpx.post(f"{server.url}/api/reports/{new_report}/commands", json=body, headers=headers)
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")
    assert response.json()["message"]
    assert _version(http, new_report) == 1


def test_reading_a_report_needs_a_token_too(server: ServerProcess, new_report: str) -> None:
    for path in ("/api/reports", f"/api/reports/{new_report}", f"/api/reports/{new_report}/events"):
        response = httpx.get(server.url + path)
        assert (response.status_code, response.json()["code"]) == (401, "unauthenticated"), path


def test_unknown_report_is_404(http: httpx.Client) -> None:
    missing = new_id()
    for response in (
        http.get(f"/api/reports/{missing}"),
        http.get(f"/api/reports/{missing}/text"),
        http.get(f"/api/reports/{missing}/events"),
        http.get("/api/reports/not-a-report"),
        http.post(f"/api/reports/{missing}/commands", json={"command_id": "x", "command": {"type": "AddChapter", "title": "I"}}),
    ):
        assert (response.status_code, response.json()["code"]) == (404, "unknown_report")
    assert missing not in {r["id"] for r in http.get("/api/reports").json()}


def test_bad_query_parameters_are_refused(http: httpx.Client, new_report: str) -> None:
    response = http.get(f"/api/reports/{new_report}/events", params={"after": "-1"})
    assert (response.status_code, response.json()["code"]) == (400, "invalid_query")
    response = http.get(f"/api/reports/{new_report}", params={"at": 99})
    assert (response.status_code, response.json()["code"]) == (404, "unknown_version")


def test_the_python_api_client_raises_the_server_code(api: Api) -> None:
    with pytest.raises(ApiError) as refused:
        api.submit(new_id(), {"type": "AddChapter", "title": "I"})
    assert (refused.value.status, refused.value.code) == (404, "unknown_report")


def test_a_report_is_sent_without_the_past_operations_the_server_keeps(http: httpx.Client, api: Api, new_report: str) -> None:
    """The server keeps each paragraph's recent operations to transform late edits; clients
    never need them, so the report they are sent leaves them out (revision and text stay)."""
    chapter_id, paragraph_id = new_id(), new_id()
    api.submit(new_report, {"type": "AddChapter", "chapter_id": chapter_id, "title": "I"})
    api.submit(new_report, {"type": "AddParagraph", "chapter_id": chapter_id, "paragraph_id": paragraph_id, "text": "ab"})
    for revision in range(3):
        api.submit(new_report, {"type": "EditParagraphText", "paragraph_id": paragraph_id, "base_revision": revision, "ops": [2, "c"]})
    paragraph = http.get(f"/api/reports/{new_report}").json()["report"]["chapters"][0]["paragraphs"][0]
    assert (paragraph["text"], paragraph["revision"], paragraph.get("recent_ops", [])) == ("abccc", 3, [])
