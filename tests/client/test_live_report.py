"""The Python live client: state, acknowledgements, and surviving dropped connections."""

import asyncio
import json
import random

import msgspec
import pytest
from websockets.asyncio.server import ServerConnection, serve

from client.api import Api
from client.live import CommandRefused, LiveReport
from events.envelope import StoredEvent
from events.evolve import replay
from events.model import Report
from tests.conftest import People, new_id
from tests.processes import ServerProcess
from tests.proxy import CuttableProxy


async def test_the_client_holds_the_same_report_as_the_server(server: ServerProcess, api: Api, people: People, new_report: str) -> None:
    async with LiveReport(server.url, new_report, people.token("bob")) as live:
        chapter_id = new_id()
        ack = await live.submit({"type": "AddChapter", "chapter_id": chapter_id, "title": "Introduction"})
        assert ack.version == live.version == 2
        assert live.report.chapters[0].title == "Introduction"
        api.submit(new_report, {"type": "AddParagraph", "chapter_id": chapter_id, "text": "Dans sa décision 4/4…"})
        await live.wait_for_version(3)
        assert (live.version, live.report) == api.report(new_report)


async def test_a_refused_command_raises_its_code(server: ServerProcess, people: People, new_report: str) -> None:
    async with LiveReport(server.url, new_report, people.token("bob")) as live:
        with pytest.raises(CommandRefused) as refused:
            await live.submit({"type": "RemoveParagraph", "paragraph_id": new_id()})
        assert refused.value.code == "unknown_paragraph"
        assert live.unacknowledged == 0


async def test_opening_an_unknown_report_fails_at_once(server: ServerProcess, people: People) -> None:
    with pytest.raises(Exception) as failed:
        await asyncio.wait_for(LiveReport(server.url, new_id(), people.token("bob")).__aenter__(), 10)
    assert "unknown_report" in str(failed.value) or getattr(failed.value, "rcvd", None).code == 4404


async def test_after_dropped_connections_every_event_arrives_once_in_order_and_commands_apply_once(
    server: ServerProcess, api: Api, people: People, new_report: str
) -> None:
    """A writer keeps appending through HTTP while the reader's socket is cut again and again;
    the reader also submits its own commands, some of them in flight when the socket dies."""
    received: list[StoredEvent] = []
    async with CuttableProxy(server.port) as proxy:
        async with LiveReport(proxy.url, new_report, people.token("bob"), on_event=received.append, reconnect_delay=0.01) as live:

            async def write_elsewhere() -> None:
                for n in range(60):
                    await asyncio.to_thread(api.submit, new_report, {"type": "AddChapter", "title": f"Ailleurs {n}"})

            async def cut_now_and_then() -> None:
                for _ in range(6):
                    await asyncio.sleep(random.uniform(0.02, 0.08))
                    proxy.cut()

            own = [live.send({"type": "AddChapter", "title": f"Ici {n}"}, command_id=f"own-{n}") for n in range(40)]
            await asyncio.gather(write_elsewhere(), cut_now_and_then())
            acks = await asyncio.wait_for(asyncio.gather(*own), 30)
            final_version = api.report(new_report)[0]
            await live.wait_for_version(final_version)
            assert live.reconnects >= 1 and proxy.connections >= 2

    stored = api.events(new_report)
    assert final_version == 1 + 60 + 40
    assert [e.version for e in received] == list(range(2, final_version + 1))
    assert received == stored[1:]
    own_events = [e for e in stored if e.command_id.startswith("own-")]
    assert sorted(e.command_id for e in own_events) == sorted(f"own-{n}" for n in range(40))
    assert {ack.command_id: ack.version for ack in acks} == {e.command_id: e.version for e in own_events}
    assert live.report == replay(stored)


async def test_commands_sent_without_waiting_apply_in_the_order_they_were_made(server: ServerProcess, people: People, new_report: str) -> None:
    async with LiveReport(server.url, new_report, people.token("bob")) as live:
        futures = [live.send({"type": "AddChapter", "title": f"Chapitre {n}"}) for n in range(50)]
        acks = await asyncio.wait_for(asyncio.gather(*futures), 30)
        assert [ack.version for ack in acks] == list(range(2, 52))
        assert [c.title for c in live.report.chapters] == [f"Chapitre {n}" for n in range(50)]


async def test_a_token_that_signs_nobody_in_fails_at_once(server: ServerProcess, new_report: str) -> None:
    """Reconnecting cannot help a token the server does not know: no retrying for ever."""
    with pytest.raises(CommandRefused) as refused:
        await asyncio.wait_for(LiveReport(server.url, new_report, "not-a-token").__aenter__(), 10)
    assert refused.value.code == "unauthenticated"


async def test_a_viewers_command_is_refused_and_they_go_on_following_the_report(
    server: ServerProcess, api: Api, people: People, new_report: str
) -> None:
    async with LiveReport(server.url, new_report, people.token("viewer-vera", role="viewer")) as live:
        with pytest.raises(CommandRefused) as refused:
            await live.submit({"type": "AddChapter", "title": "Introduction"})
        assert refused.value.code == "forbidden"

        version = api.submit(new_report, {"type": "AddChapter", "title": "Introduction"})["version"]
        await live.wait_for_version(version)
        assert [c.title for c in live.report.chapters] == ["Introduction"]
        assert live.reconnects == 0 and live.unacknowledged == 0


async def test_an_event_the_client_cannot_read_stops_it_cleanly_and_fails_its_commands() -> None:
    """A server that forwards an event this client cannot read (a server of a newer version,
    or one that does not check what it forwards), here a scripted one: the live report stops
    with `corrupt_event`, its waiting command fails, and it does not reconnect in vain."""
    report_id = new_id()
    report = Report(id=report_id, title="Rapport")
    unreadable = {
        "report_id": report_id, "version": 2, "event_id": new_id(), "type": "ReportArchived", "schema": 1,
        "actor": "someone", "at": "2026-12-06T10:00:00Z", "command_id": "c-1", "data": {},
    }
    connections = 0

    async def scripted_server(socket: ServerConnection) -> None:
        nonlocal connections
        connections += 1
        await socket.send(msgspec.json.encode({"type": "snapshot", "version": 1, "report": report}).decode())
        await socket.recv()  # the client's command
        await socket.send(json.dumps({"type": "events", "events": [unreadable]}))
        await socket.wait_closed()

    async with serve(scripted_server, "127.0.0.1", 0) as listening:
        port = listening.sockets[0].getsockname()[1]
        async with LiveReport(f"http://127.0.0.1:{port}", report_id, "token") as live:
            with pytest.raises(CommandRefused) as refused:
                await asyncio.wait_for(live.submit({"type": "AddChapter", "title": "Introduction"}), 10)
            assert refused.value.code == "corrupt_event"
            assert "version 2" in refused.value.message and "newer version" in refused.value.message
            with pytest.raises(CommandRefused):
                await asyncio.wait_for(live.submit({"type": "AddChapter", "title": "Annexe"}), 1)
            assert (live.version, live.reconnects, connections) == (1, 0, 1)


async def test_a_clean_close_by_the_server_is_followed_by_a_reconnection() -> None:
    """A server going away cleanly (1001: restarted, a proxy's idle close): the live report
    connects again and goes on, as after a dropped connection (its reconnecting task died on
    such a close, reading an attribute websockets' connection does not have)."""
    report_id = new_id()
    report = Report(id=report_id, title="Rapport")
    connections = 0

    async def scripted_server(socket: ServerConnection) -> None:
        nonlocal connections
        connections += 1
        if connections == 1:
            await socket.send(msgspec.json.encode({"type": "snapshot", "version": 1, "report": report}).decode())
            await socket.close(1001, "going away")
            return
        while (message := json.loads(await socket.recv()))["type"] != "command":
            pass
        await socket.send(json.dumps({"type": "ack", "command_id": message["command_id"], "version": 1}))
        await socket.wait_closed()

    async with serve(scripted_server, "127.0.0.1", 0) as listening:
        port = listening.sockets[0].getsockname()[1]
        async with LiveReport(f"http://127.0.0.1:{port}", report_id, "token") as live:
            ack = await asyncio.wait_for(live.submit({"type": "AddChapter", "title": "Introduction"}), 10)
            assert ack.version == 1
            assert (live.reconnects, connections) == (1, 2)
