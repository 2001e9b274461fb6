"""Numbers in queries and ids in bodies are read strictly, on HTTP and the WebSocket alike.

A query number is ASCII digits below 2^63 (`str.isdigit()` also takes « ² » and « ٣ », and a
larger number reaches Redis as a stream id it refuses); an id or a command id is exactly its
shape (msgspec matches a pattern with `re.search`, where `$` also matches before a final
newline). Each is refused with its own 4xx code, never a 500, and nothing is appended.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from client.live import bearer, live_url
from tests.conftest import People, new_id
from tests.processes import ServerProcess

CHAIR = "strict-chair"
ADMIN = "strict-admin"
BEYOND_64_BITS = str(2**64)
BEYOND_63_BITS = str(2**63)
HOSTILE_NUMBERS = [
    pytest.param("²", id="superscript-two"),
    pytest.param("٣", id="arabic-indic-three"),
    pytest.param("１", id="fullwidth-one"),
    pytest.param(BEYOND_64_BITS, id="2^64"),
    pytest.param(BEYOND_63_BITS, id="2^63"),
    pytest.param("1" + "0" * 5000, id="5001-digits"),
    pytest.param("-1", id="negative"),
]


@pytest.fixture
async def chair(server: ServerProcess, people: People) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, headers=people.headers(CHAIR, "chair"), timeout=30) as client:
        yield client


@pytest.fixture
async def report(chair: httpx.AsyncClient) -> str:
    response = await chair.post("/api/reports", json={"title": "Rapport"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _code(response: httpx.Response) -> tuple[int, str]:
    assert response.headers["content-type"] == "application/json", response.text
    return response.status_code, response.json()["code"]


@pytest.mark.parametrize("number", HOSTILE_NUMBERS)
@pytest.mark.parametrize(
    ("path", "name", "others"),
    [
        ("", "at", {}),
        ("/text", "at", {}),
        ("/events", "after", {}),
        ("/events", "limit", {}),
        ("/history", "after", {}),
        ("/history", "limit", {}),
        ("/blame", "at", {}),
        ("/render", "at", {"format": "md"}),
        ("/diff", "from", {}),
        ("/diff", "to", {"from": "0"}),
    ],
)
async def test_a_hostile_query_number_is_invalid_query(
    chair: httpx.AsyncClient, report: str, path: str, name: str, others: dict[str, str], number: str
) -> None:
    response = await chair.get(f"/api/reports/{report}{path}", params={name: number, **others})
    assert _code(response) == (400, "invalid_query")
    assert f"?{name}=" in response.json()["message"]


async def test_the_largest_version_asked_for_is_unknown_not_invalid(chair: httpx.AsyncClient, report: str) -> None:
    response = await chair.get(f"/api/reports/{report}", params={"at": str(2**63 - 1)})
    assert _code(response) == (404, "unknown_version")


async def test_leading_zeros_are_still_the_number(chair: httpx.AsyncClient, report: str) -> None:
    response = await chair.get(f"/api/reports/{report}", params={"at": "0" * 50 + "1"})
    assert response.status_code == 200 and response.json()["version"] == 1


@pytest.mark.parametrize("number", HOSTILE_NUMBERS)
@pytest.mark.parametrize("name", ["after", "batch"])
async def test_a_hostile_live_query_number_is_refused_with_4400(
    server: ServerProcess, people: People, report: str, name: str, number: str
) -> None:
    url = live_url(server.url, report) + f"?{name}={number}"
    async with connect(url, additional_headers=bearer(people.token(CHAIR, "chair"))) as socket:
        error = json.loads(await asyncio.wait_for(socket.recv(), 10))
        assert (error["type"], error["code"]) == ("error", "invalid_query")
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400


async def test_a_new_report_id_with_a_trailing_newline_is_an_invalid_command(chair: httpx.AsyncClient) -> None:
    report_id = new_id()
    response = await chair.post("/api/reports", json={"title": "Rapport", "report_id": report_id + "\n"})
    assert _code(response) == (422, "invalid_command")
    assert "report_id" in response.json()["message"]
    assert _code(await chair.get(f"/api/reports/{report_id}")) == (404, "unknown_report")


async def test_a_report_id_with_a_trailing_newline_in_the_path_is_unknown(chair: httpx.AsyncClient, report: str) -> None:
    assert _code(await chair.get(f"/api/reports/{report}%0A")) == (404, "unknown_report")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(lambda: {"command_id": "retry-1\n", "command": {"type": "AddChapter", "title": "A"}}, id="command-id"),
        pytest.param(lambda: {"command_id": new_id(), "command": {"type": "AddChapter", "title": "A", "chapter_id": new_id() + "\n"}}, id="chapter-id"),
    ],
)
async def test_an_id_with_a_trailing_newline_in_a_command_is_refused_and_appends_nothing(
    chair: httpx.AsyncClient, report: str, body: Any
) -> None:
    response = await chair.post(f"/api/reports/{report}/commands", json=body())
    assert _code(response) == (422, "invalid_command")
    assert (await chair.get(f"/api/reports/{report}")).json()["version"] == 1


async def test_an_id_with_a_trailing_newline_on_the_live_socket_is_refused_and_the_socket_stays(
    server: ServerProcess, people: People, report: str
) -> None:
    async with connect(live_url(server.url, report), additional_headers=bearer(people.token(CHAIR, "chair"))) as socket:
        assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "snapshot"
        command = {"type": "AddChapter", "title": "A", "chapter_id": new_id() + "\n"}
        await socket.send(json.dumps({"type": "command", "command_id": "c-1", "command": command}))
        await socket.send(json.dumps({"type": "replay", "from_version": 0, "to_version": 2**64, "request_id": "r\n"}))
        await socket.send(json.dumps({"type": "command", "command_id": "c-2", "command": {"type": "AddChapter", "title": "B"}}))
        answers = [json.loads(await asyncio.wait_for(socket.recv(), 10)) for _ in range(4)]
        answers = [a for a in answers if a["type"] != "presence"]
        assert [(a["type"], a.get("code")) for a in answers[:2]] == [("error", "invalid_command"), ("error", "invalid_command")]
        assert answers[2]["type"] == "event" and answers[2]["event"]["version"] == 2


async def test_a_display_name_with_a_trailing_newline_is_refused(server: ServerProcess, people: People) -> None:
    async with httpx.AsyncClient(base_url=server.url, headers=people.headers(ADMIN, "admin"), timeout=30) as admin:
        assert _code(await admin.post("/api/users", json={"name": "Bruno Rossi\n", "role": "drafter"})) == (422, "invalid_command")
