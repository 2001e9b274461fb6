"""The live WebSocket: snapshot, events, acks and errors, across server processes."""

import asyncio
import json
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from client.api import Api
from client.live import bearer, live_url
from tests.conftest import People, new_id
from tests.processes import ServerProcess


def _connect(server: ServerProcess, report_id: str, token: str, after: int | None = None, **options: Any) -> connect:
    """The live WebSocket of a report, signed in with `token`."""
    return connect(live_url(server.url, report_id, after), additional_headers=bearer(token), **options)


async def _receive(socket: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(socket.recv(), timeout))


def _command(command: dict[str, Any], command_id: str | None = None, **extra: Any) -> str:
    return json.dumps({"type": "command", "command_id": command_id or new_id(), "command": command, **extra})


async def test_snapshot_then_live_events(server: ServerProcess, people: People, api: Api, new_report: str) -> None:
    async with _connect(server, new_report, people.token("bob")) as socket:
        snapshot = await _receive(socket)
        assert snapshot["type"] == "snapshot" and snapshot["version"] == 1
        assert snapshot["report"]["title"] == "Projet de rapport"
        api.submit(new_report, {"type": "AddChapter", "title": "Introduction"})
        message = await _receive(socket)
        assert message["type"] == "event"
        assert (message["event"]["version"], message["event"]["type"], message["event"]["actor"]) == (2, "ChapterAdded", people.id("alice"))


async def test_command_is_acknowledged_after_its_event_and_stamped_with_the_drafter(
    server: ServerProcess, people: People, api: Api, new_report: str
) -> None:
    async with _connect(server, new_report, people.token("Rapporteur Bob")) as socket:
        await _receive(socket)
        await socket.send(_command({"type": "AddChapter", "title": "Introduction"}, "c-1"))
        event, ack = await _receive(socket), await _receive(socket)
        assert event["type"] == "event" and event["event"]["actor"] == people.id("Rapporteur Bob")
        assert ack == {"type": "ack", "command_id": "c-1", "version": 2}
    assert api.name_of(event["event"]["actor"]) == "Rapporteur Bob"


async def test_connecting_after_a_version_sends_only_the_later_events(
    server: ServerProcess, people: People, api: Api, new_report: str
) -> None:
    for n in range(3):
        api.submit(new_report, {"type": "AddChapter", "title": f"Chapitre {n}"})
    async with _connect(server, new_report, people.token("bob"), after=2) as socket:
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
    server: ServerProcess, people: People, api: Api, new_report: str, message: str, code: str
) -> None:
    async with _connect(server, new_report, people.token("bob"), max_size=None) as socket:
        await _receive(socket)
        await socket.send(message)
        error = await _receive(socket)
        assert error["type"] == "error" and error["code"] == code and error["message"]
        await socket.send(_command({"type": "AddChapter", "title": "Introduction"}, "after-error"))
        event, ack = await _receive(socket), await _receive(socket)
        assert event["event"]["version"] == 2
        assert ack == {"type": "ack", "command_id": "after-error", "version": 2}
    assert api.report(new_report)[0] == 2


async def test_commands_sent_without_waiting_are_all_answered_in_the_order_sent(
    server: ServerProcess, people: People, api: Api, new_report: str
) -> None:
    """A client may send its next messages before the answer to the first: the server reads
    on while the first is being appended and applies the commands in the order sent. Every
    message is answered: refusals (by the report, or of bad JSON) in the order the messages
    came, each ack after its command's events."""
    unknown = "00000000-0000-4000-8000-000000000000"
    messages = [
        (_command({"type": "AddChapter", "title": "I"}, "first"), ("ack", "first")),
        (_command({"type": "RemoveChapter", "chapter_id": unknown}, "refused"), ("unknown_chapter", "refused")),
        ("{not json", ("malformed_json", None)),
        (_command({"type": "AddChapter", "title": "II"}, "second"), ("ack", "second")),
        (_command({"type": "AddChapter", "title": "III"}, "third"), ("ack", "third")),
    ]
    async with _connect(server, new_report, people.token("bob")) as socket:
        await _receive(socket)
        for message, _ in messages:
            await socket.send(message)
        answers, events = [], set()
        while len(answers) < len(messages):
            message = await _receive(socket)
            if message["type"] == "event":
                events.add(message["event"]["command_id"])
            elif message["type"] == "ack":
                assert message["command_id"] in events, "an ack comes after its events"
                answers.append(("ack", message["command_id"]))
            elif message["type"] == "error":
                answers.append((message["code"], message["command_id"]))
        assert sorted(answers, key=str) == sorted((answer for _, answer in messages), key=str)
        assert [a for a in answers if a[0] != "ack"] == [("unknown_chapter", "refused"), ("malformed_json", None)]
    version, report = api.report(new_report)
    assert version == 4
    assert [chapter.title for chapter in report.chapters] == ["I", "II", "III"]


async def test_error_names_the_command_it_refuses(server: ServerProcess, people: People, new_report: str) -> None:
    async with _connect(server, new_report, people.token("bob")) as socket:
        await _receive(socket)
        await socket.send(_command({"type": "AddChapter", "title": ""}, "empty-title"))
        error = await _receive(socket)
        assert (error["command_id"], error["code"]) == ("empty-title", "invalid_command")


async def _refusal(socket: ClientConnection) -> tuple[str, int]:
    """The error a refused connection is told, then the code it is closed with."""
    error = await _receive(socket)
    assert error["type"] == "error" and error["message"]
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(socket.recv(), 10)
    return error["code"], closed.value.rcvd.code


async def test_a_batched_connection_gets_its_acks_with_the_events_they_complete(
    server: ServerProcess, people: People, new_report: str
) -> None:
    """On `?batch=1`, a command's ack comes in the `events` message that carries its events,
    after them: one message per edit instead of two. Each command is acknowledged once."""
    async with connect(live_url(server.url, new_report, batch=True), additional_headers=bearer(people.token("bob"))) as socket:
        snapshot = await _receive(socket)
        sent = [new_id() for _ in range(5)]
        for n, command_id in enumerate(sent):
            await socket.send(_command({"type": "AddChapter", "title": f"C{n}"}, command_id))
        acked: list[str] = []
        with_events = 0
        while len(acked) < len(sent):
            message = await _receive(socket)
            if message["type"] == "events":
                carried = {event["command_id"]: event["version"] for event in message["events"]}
                for ack in message.get("acks", []):
                    assert carried[ack["command_id"]] == ack["version"], "an ack comes with its events"
                    with_events += 1
                acked += [ack["command_id"] for ack in message.get("acks", [])]
            else:  # the events were read back from Redis before the append returned: acked after them
                assert message["type"] == "ack"
                acked.append(message["command_id"])
        assert sorted(acked) == sorted(sent)
        assert with_events >= 1
    version, _ = await asyncio.to_thread(people.api(server, "bob").report, new_report)
    assert version == snapshot["version"] + len(sent)


async def test_a_connection_with_a_bad_query_is_refused_as_invalid(server: ServerProcess, people: People, new_report: str) -> None:
    for query in ("batch=2", "after=abc"):
        async with connect(f"{live_url(server.url, new_report)}?{query}", additional_headers=bearer(people.token("bob"))) as socket:
            assert await _refusal(socket) == ("invalid_query", 4400), query


async def test_a_batched_connection_gets_the_events_appended_together_in_one_message(
    server: ServerProcess, people: People, api: Api
) -> None:
    """`?batch=1`: an import's events, appended at once, arrive as one `events` message, in
    order; a later single event arrives as an `events` message of one."""
    report_id = api.import_draft("Rapport\n\nI. Introduction\n\n1. Un.\n\n2. Deux.\n", "fr")
    version, _ = api.report(report_id)
    async with connect(live_url(server.url, report_id, after=0, batch=True), additional_headers=bearer(people.token("bob"))) as socket:
        message = await _receive(socket)
        assert message["type"] == "events"
        assert [e["version"] for e in message["events"]] == list(range(1, version + 1))
        api.submit(report_id, {"type": "RetitleReport", "title": "Rapport final"})
        message = await _receive(socket)
        assert (message["type"], [e["type"] for e in message["events"]]) == ("events", ["ReportRetitled"])
        assert message["events"][0]["version"] == version + 1


@pytest.mark.parametrize(
    ("known_report", "after", "close_code", "code"),
    [
        pytest.param(False, None, 4404, "unknown_report", id="unknown-report"),
        pytest.param(True, 99, 4404, "unknown_version", id="after-the-end"),
    ],
)
async def test_refused_connection_says_why(
    server: ServerProcess, people: People, new_report: str, known_report: bool, after: int | None, close_code: int, code: str
) -> None:
    report_id = new_report if known_report else new_id()
    async with _connect(server, report_id, people.token("bob"), after=after) as socket:
        assert await _refusal(socket) == (code, close_code)


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-token"),
        pytest.param(bearer("not-a-token"), id="unknown-token"),
        pytest.param({"Authorization": "Token abc"}, id="not-a-bearer-token"),
    ],
)
async def test_a_connection_without_a_valid_token_is_refused_as_unauthenticated(
    server: ServerProcess, new_report: str, headers: dict[str, str]
) -> None:
    async with connect(live_url(server.url, new_report), additional_headers=headers) as socket:
        assert await _refusal(socket) == ("unauthenticated", 4401)


async def test_the_old_self_declared_drafter_no_longer_signs_in(server: ServerProcess, new_report: str) -> None:
    async with connect(f"{live_url(server.url, new_report)}?drafter=bob") as socket:
        assert await _refusal(socket) == ("unauthenticated", 4401)


async def test_an_edit_on_one_server_reaches_a_client_of_another(
    server: ServerProcess, second_server: ServerProcess, people: People, new_report: str
) -> None:
    token = people.token("bob")
    async with _connect(second_server, new_report, token) as watcher, _connect(server, new_report, token) as editor:
        await _receive(watcher)
        await _receive(editor)
        await editor.send(_command({"type": "AddChapter", "title": "Introduction"}))
        message = await _receive(watcher)
        assert (message["event"]["version"], message["event"]["data"]["title"]) == (2, "Introduction")
        other = people.api(second_server, "carol")
        other.submit(new_report, {"type": "AddChapter", "title": "Recommandations"})
        assert (await _receive(editor))["event"]["version"] == 2
        assert (await _receive(editor))["type"] == "ack"
        assert (await _receive(editor))["event"]["data"]["title"] == "Recommandations"


async def test_more_busy_connections_than_redis_connections_all_get_served(
    server: ServerProcess, people: People, api: Api
) -> None:
    """150 drafters on 150 reports, 5 commands each in flight: each waits its turn, none fails."""
    reports = [api.create_report(f"Rapport {n}") for n in range(150)]
    token = people.token("bob")
    people.set_limits("bob", connections=150)  # 150 drafters, here all signed in as one

    async def drafter(report_id: str) -> list[dict[str, Any]]:
        async with _connect(server, report_id, token) as socket:
            await _receive(socket)
            for n in range(5):
                await socket.send(_command({"type": "AddChapter", "title": f"{n}"}, f"c{n}"))
            messages = [await _receive(socket, timeout=60) for _ in range(10)]
            return [m for m in messages if m["type"] != "event"]

    replies = await asyncio.gather(*(drafter(r) for r in reports))
    for report_replies in replies:
        assert report_replies == [{"type": "ack", "command_id": f"c{n}", "version": n + 2} for n in range(5)]
