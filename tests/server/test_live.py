"""The live WebSocket: snapshot, events, acks and errors, across server processes."""

import asyncio
import json
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from client.api import Api
from tests.conftest import new_id
from tests.processes import ServerProcess


def _url(server: ServerProcess, report_id: str, query: str = "drafter=bob") -> str:
    return f"{server.ws_url}/api/reports/{report_id}/live?{query}"


async def _receive(socket: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(socket.recv(), timeout))


def _command(command: dict[str, Any], command_id: str | None = None, **extra: Any) -> str:
    return json.dumps({"type": "command", "command_id": command_id or new_id(), "command": command, **extra})


async def test_snapshot_then_live_events(server: ServerProcess, api: Api, new_report: str) -> None:
    async with connect(_url(server, new_report)) as socket:
        snapshot = await _receive(socket)
        assert snapshot["type"] == "snapshot" and snapshot["version"] == 1
        assert snapshot["report"]["title"] == "Projet de rapport"
        api.submit(new_report, {"type": "AddChapter", "title": "Introduction"})
        message = await _receive(socket)
        assert message["type"] == "event"
        assert (message["event"]["version"], message["event"]["type"], message["event"]["actor"]) == (2, "ChapterAdded", "alice")


async def test_command_is_acknowledged_after_its_event_and_stamped_with_the_drafter(server: ServerProcess, new_report: str) -> None:
    async with connect(_url(server, new_report, "drafter=Rapporteur%20Bob")) as socket:
        await _receive(socket)
        await socket.send(_command({"type": "AddChapter", "title": "Introduction"}, "c-1"))
        event, ack = await _receive(socket), await _receive(socket)
        assert event["type"] == "event" and event["event"]["actor"] == "Rapporteur Bob"
        assert ack == {"type": "ack", "command_id": "c-1", "version": 2}


async def test_connecting_after_a_version_sends_only_the_later_events(server: ServerProcess, api: Api, new_report: str) -> None:
    for n in range(3):
        api.submit(new_report, {"type": "AddChapter", "title": f"Chapitre {n}"})
    async with connect(_url(server, new_report, "drafter=bob&after=2")) as socket:
        versions = [(await _receive(socket))["event"]["version"] for _ in range(2)]
        assert versions == [3, 4]
        api.submit(new_report, {"type": "AddChapter", "title": "Chapitre 3"})
        assert (await _receive(socket))["event"]["version"] == 5


BAD_MESSAGES = [
    pytest.param("{not json", "malformed_json", id="malformed-json"),
    pytest.param(_command({"type": "AdoptEverything"}), "unknown_command", id="unknown-type"),
    pytest.param(_command({"type": "AddChapter"}), "invalid_command", id="missing-field"),
    pytest.param(_command({"type": "AddChapter", "title": ["I"]}), "invalid_command", id="mistyped-field"),
    pytest.param(_command({"type": "AddChapter", "title": "I", "actor": "mallory"}), "invalid_command", id="command-sets-its-actor"),
    pytest.param(
        _command({"type": "ReplaceParagraphText", "paragraph_id": "00000000-0000-4000-8000-000000000000", "text": "x"}),
        "unknown_paragraph", id="unknown-paragraph",
    ),
    pytest.param(_command({"type": "AddChapter", "title": "I"}, expected_version=0), "version_conflict", id="stale-version"),
    pytest.param(_command({"type": "AddChapter", "title": "I" * (1024 * 1024)}), "message_too_large", id="over-1-MiB"),
]


@pytest.mark.parametrize(("message", "code"), BAD_MESSAGES)
async def test_bad_message_gets_its_error_and_the_socket_stays_open(
    server: ServerProcess, api: Api, new_report: str, message: str, code: str
) -> None:
    async with connect(_url(server, new_report), max_size=None) as socket:
        await _receive(socket)
        await socket.send(message)
        error = await _receive(socket)
        assert error["type"] == "error" and error["code"] == code and error["message"]
        await socket.send(_command({"type": "AddChapter", "title": "Introduction"}, "after-error"))
        event, ack = await _receive(socket), await _receive(socket)
        assert event["event"]["version"] == 2
        assert ack == {"type": "ack", "command_id": "after-error", "version": 2}
    assert api.report(new_report)[0] == 2


async def test_error_names_the_command_it_refuses(server: ServerProcess, new_report: str) -> None:
    async with connect(_url(server, new_report)) as socket:
        await _receive(socket)
        await socket.send(_command({"type": "AddChapter", "title": ""}, "empty-title"))
        error = await _receive(socket)
        assert (error["command_id"], error["code"]) == ("empty-title", "invalid_command")


@pytest.mark.parametrize(
    ("path_query", "close_code", "code"),
    [
        pytest.param("{missing}/live?drafter=bob", 4404, "unknown_report", id="unknown-report"),
        pytest.param("{report}/live", 4401, "unauthenticated", id="no-drafter"),
        pytest.param("{report}/live?drafter=bob&after=99", 4404, "unknown_version", id="after-the-end"),
    ],
)
async def test_refused_connection_says_why(server: ServerProcess, new_report: str, path_query: str, close_code: int, code: str) -> None:
    target = path_query.format(missing=new_id(), report=new_report)
    async with connect(f"{server.ws_url}/api/reports/{target}") as socket:
        error = await _receive(socket)
        assert (error["type"], error["code"]) == ("error", code)
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 10)
        assert closed.value.rcvd.code == close_code


async def test_an_edit_on_one_server_reaches_a_client_of_another(
    server: ServerProcess, second_server: ServerProcess, new_report: str
) -> None:
    async with connect(_url(second_server, new_report)) as watcher, connect(_url(server, new_report)) as editor:
        await _receive(watcher)
        await _receive(editor)
        await editor.send(_command({"type": "AddChapter", "title": "Introduction"}))
        message = await _receive(watcher)
        assert (message["event"]["version"], message["event"]["data"]["title"]) == (2, "Introduction")
        other = Api(second_server.url, "carol")
        other.submit(new_report, {"type": "AddChapter", "title": "Recommandations"})
        assert (await _receive(editor))["event"]["version"] == 2
        assert (await _receive(editor))["type"] == "ack"
        assert (await _receive(editor))["event"]["data"]["title"] == "Recommandations"


async def test_more_busy_connections_than_redis_connections_all_get_served(server: ServerProcess, api: Api) -> None:
    """150 drafters on 150 reports, 5 commands each in flight: each waits its turn, none fails."""
    reports = [api.create_report(f"Rapport {n}") for n in range(150)]

    async def drafter(report_id: str) -> list[dict[str, Any]]:
        async with connect(_url(server, report_id)) as socket:
            await _receive(socket)
            for n in range(5):
                await socket.send(_command({"type": "AddChapter", "title": f"{n}"}, f"c{n}"))
            messages = [await _receive(socket, timeout=60) for _ in range(10)]
            return [m for m in messages if m["type"] != "event"]

    replies = await asyncio.gather(*(drafter(r) for r in reports))
    for report_replies in replies:
        assert report_replies == [{"type": "ack", "command_id": f"c{n}", "version": n + 2} for n in range(5)]
