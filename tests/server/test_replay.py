"""Replay over the live WebSocket: a client asks for a range of past events and gets them in
pages, in order and complete, between the live messages; a bad request is refused with an
`error` and the socket stays open."""

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from client.api import Api
from client.live import bearer, live_url
from tests.conftest import People, new_id
from tests.processes import ServerProcess

CHAPTERS = 24  # the report is at version 25: created, then one chapter per version


@pytest.fixture
def long_report(api: Api, new_report: str) -> str:
    for n in range(CHAPTERS):
        api.submit(new_report, {"type": "AddChapter", "title": f"Chapitre {n + 1}"})
    return new_report


@pytest.fixture
def live(server: ServerProcess, people: People) -> Callable[[str], connect]:
    """Opens the live WebSocket of a report, signed in as bruno."""
    token = people.token("bruno")
    return lambda report_id: connect(live_url(server.url, report_id), additional_headers=bearer(token))


async def _receive(socket: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(socket.recv(), timeout))


async def _connected(socket: ClientConnection) -> dict[str, Any]:
    snapshot = await _receive(socket)
    assert snapshot["type"] == "snapshot"
    return snapshot


def _replay(from_version: int, to_version: int, page_size: int | None = None, **extra: Any) -> str:
    request = {"type": "replay", "from_version": from_version, "to_version": to_version, **extra}
    if page_size is not None:
        request["page_size"] = page_size
    return json.dumps(request)


async def _pages(socket: ClientConnection, request_id: str | None = None) -> list[dict[str, Any]]:
    """The pages of one replay, up to the one marked done; other messages are left out."""
    pages = []
    while not (pages and pages[-1]["done"]):
        message = await _receive(socket)
        if message["type"] == "replay_page" and message.get("request_id") == request_id:
            pages.append(message)
    return pages


async def test_replay_pages_arrive_in_order_and_complete(live: Callable[[str], connect], long_report: str) -> None:
    async with live(long_report) as socket:
        await _connected(socket)
        await socket.send(_replay(3, 20, page_size=5))

        pages = await _pages(socket)

    assert [(p["from_version"], p["to_version"], p["done"]) for p in pages] == [
        (3, 8, False), (8, 13, False), (13, 18, False), (18, 20, True),
    ]
    events = [event for page in pages for event in page["events"]]
    assert [e["version"] for e in events] == list(range(4, 21))
    assert [e["data"]["title"] for e in events[:2]] == ["Chapitre 3", "Chapitre 4"]
    assert all("request_id" not in page for page in pages)


async def test_a_replay_sends_the_events_as_stored(live: Callable[[str], connect], api: Api, long_report: str) -> None:
    async with live(long_report) as socket:
        await _connected(socket)
        await socket.send(_replay(0, 25, page_size=1000))

        (page,) = await _pages(socket)

    assert page["events"] == httpx.get(f"{api.base_url}/api/reports/{long_report}/events", headers=bearer(api.token)).json()
    assert (page["from_version"], page["to_version"], page["done"]) == (0, 25, True)


async def test_an_empty_range_is_one_empty_page(live: Callable[[str], connect], long_report: str) -> None:
    async with live(long_report) as socket:
        await _connected(socket)
        await socket.send(_replay(25, 25, request_id="nothing"))

        pages = await _pages(socket, "nothing")

    assert pages == [{"type": "replay_page", "request_id": "nothing", "from_version": 25, "to_version": 25, "events": [], "done": True}]


async def test_replays_are_answered_in_the_order_asked_with_their_request_ids(live: Callable[[str], connect], long_report: str) -> None:
    async with live(long_report) as socket:
        await _connected(socket)
        await socket.send(_replay(0, 10, page_size=4, request_id="first"))
        await socket.send(_replay(20, 25, page_size=4, request_id="second"))

        received = []
        while len([m for m in received if m["done"]]) < 2:
            message = await _receive(socket)
            if message["type"] == "replay_page":
                received.append(message)

    assert [(m["request_id"], m["to_version"]) for m in received] == [
        ("first", 4), ("first", 8), ("first", 10), ("second", 24), ("second", 25),
    ]


async def test_live_events_and_acks_flow_during_a_replay(live: Callable[[str], connect], api: Api, long_report: str) -> None:
    async with live(long_report) as socket:
        await _connected(socket)
        await socket.send(_replay(0, 25, page_size=1, request_id="history"))
        command = {"type": "command", "command_id": "live-1", "command": {"type": "AddChapter", "title": "En direct"}}
        await socket.send(json.dumps(command))

        messages = []
        while not any(m["type"] == "replay_page" and m["done"] for m in messages) or not any(m["type"] == "ack" for m in messages):
            messages.append(await _receive(socket))

    live = [m for m in messages if m["type"] in ("event", "ack")]
    assert [m["type"] for m in live] == ["event", "ack"]
    assert live[0]["event"]["version"] == 26 and live[1] == {"type": "ack", "command_id": "live-1", "version": 26}
    pages = [m for m in messages if m["type"] == "replay_page"]
    assert [e["version"] for page in pages for e in page["events"]] == list(range(1, 26))
    assert [p["from_version"] for p in pages] == list(range(25))


async def test_a_replay_does_not_disturb_the_live_stream(live: Callable[[str], connect], api: Api, long_report: str) -> None:
    async with live(long_report) as socket:
        await _connected(socket)
        await socket.send(_replay(0, 25, page_size=2))
        api.submit(long_report, {"type": "AddChapter", "title": "Pendant la relecture"})
        api.submit(long_report, {"type": "AddChapter", "title": "Encore"})

        live: list[int] = []
        replayed: list[int] = []
        while len(live) < 2 or not replayed or replayed[-1] != 25:
            message = await _receive(socket)
            if message["type"] == "event":
                live.append(message["event"]["version"])
            elif message["type"] == "replay_page":
                replayed += [e["version"] for e in message["events"]]

    assert live == [26, 27]
    assert replayed == list(range(1, 26))


BAD_REPLAYS = [
    pytest.param(_replay(5, 3, request_id="r-1"), "invalid_query", "r-1", id="from-after-to"),
    pytest.param(_replay(0, 26, request_id="r-2"), "unknown_version", "r-2", id="beyond-the-report"),
    pytest.param(_replay(0, 5, page_size=0, request_id="r-3"), "invalid_command", "r-3", id="page-of-nothing"),
    pytest.param(_replay(0, 5, page_size=1001, request_id="r-4"), "invalid_command", "r-4", id="page-too-large"),
    pytest.param(_replay(-1, 5, request_id="r-5"), "invalid_command", "r-5", id="negative-version"),
    pytest.param(_replay(0, 5, actor="mallory", request_id="r-6"), "invalid_command", "r-6", id="unknown-field"),
    pytest.param(json.dumps({"type": "replay", "to_version": 5}), "invalid_command", None, id="no-from-version"),
    pytest.param(_replay(0, 5, request_id="not a valid id!"), "invalid_command", "not a valid id!", id="bad-request-id"),
]


@pytest.mark.parametrize(("request_json", "code", "request_id"), BAD_REPLAYS)
async def test_a_bad_replay_is_refused_and_the_socket_stays_open(
    live: Callable[[str], connect], long_report: str, request_json: str, code: str, request_id: str | None
) -> None:
    async with live(long_report) as socket:
        await _connected(socket)
        await socket.send(request_json)

        error = await _receive(socket)
        assert error["type"] == "error" and error["code"] == code and error["message"]
        assert (error["request_id"], error["command_id"]) == (request_id, None)

        await socket.send(_replay(24, 25, request_id="after"))
        (page,) = await _pages(socket, "after")
        assert [e["version"] for e in page["events"]] == [25]


async def test_a_replay_error_message_names_the_field_at_fault(live: Callable[[str], connect], long_report: str) -> None:
    async with live(long_report) as socket:
        await _connected(socket)
        await socket.send(_replay(0, 5, page_size=5000))

        error = await _receive(socket)

    assert "$.page_size" in error["message"]


async def test_a_command_error_still_names_its_command(live: Callable[[str], connect], long_report: str) -> None:
    async with live(long_report) as socket:
        await _connected(socket)
        await socket.send(json.dumps({"type": "command", "command_id": new_id(), "command": {"type": "AddChapter"}}))

        error = await _receive(socket)

    assert error["type"] == "error" and error["code"] == "invalid_command" and error["command_id"] and "request_id" not in error
