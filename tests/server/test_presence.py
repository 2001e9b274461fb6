"""Who is where: presence crosses server processes and is never an event."""

import asyncio
import json
from typing import Any

import redis.asyncio as aioredis
from websockets.asyncio.client import ClientConnection, connect

from client.api import Api
from client.live import bearer, live_url
from server import keys
from tests.conftest import People, new_id
from tests.processes import ServerProcess


def _connect(server: ServerProcess, report_id: str, token: str) -> connect:
    return connect(live_url(server.url, report_id), additional_headers=bearer(token))


async def _next_of_type(socket: ClientConnection, kind: str, timeout: float = 10) -> dict[str, Any]:
    async def wait() -> dict[str, Any]:
        while True:
            message = json.loads(await socket.recv())
            if message["type"] == kind:
                return message

    return await asyncio.wait_for(wait(), timeout)


async def test_a_drafter_sees_where_others_are_across_servers(
    server: ServerProcess, second_server: ServerProcess, people: People, api: Api, new_report: str
) -> None:
    paragraph_id = new_id()
    chapter_id = new_id()
    api.submit(new_report, {"type": "AddChapter", "chapter_id": chapter_id, "title": "Introduction"})
    api.submit(new_report, {"type": "AddParagraph", "chapter_id": chapter_id, "paragraph_id": paragraph_id, "text": "Dans sa décision"})
    async with _connect(server, new_report, people.token("Alice")) as alice:
        async with _connect(second_server, new_report, people.token("Bruno")) as bruno:
            await _next_of_type(alice, "snapshot")
            await _next_of_type(bruno, "snapshot")
            await alice.send(json.dumps({"type": "presence", "paragraph_id": paragraph_id, "cursor": 4}))
            seen = await _next_of_type(bruno, "presence")
            assert (seen["drafter"], seen["name"], seen["paragraph_id"], seen["cursor"]) == (
                people.id("Alice"), "Alice", paragraph_id, 4
            )

            async with _connect(second_server, new_report, people.token("Chloé")) as chloe:
                await _next_of_type(chloe, "snapshot")
                already_there = await _next_of_type(chloe, "presence")
                assert (already_there["drafter"], already_there["name"], already_there["paragraph_id"]) == (
                    people.id("Alice"), "Alice", paragraph_id
                )

        left = await _next_of_type(alice, "presence_left")
        assert left["connection_id"]
    events = api.events(new_report)
    assert [e.type for e in events] == ["ReportCreated", "ChapterAdded", "ParagraphAdded"]


async def test_a_bad_presence_message_is_refused_and_the_socket_stays_open(
    server: ServerProcess, people: People, new_report: str
) -> None:
    async with _connect(server, new_report, people.token("Alice")) as socket:
        await _next_of_type(socket, "snapshot")
        await socket.send(json.dumps({"type": "presence", "paragraph_id": "not-an-id"}))
        error = await _next_of_type(socket, "error")
        assert error["code"] == "invalid_command"
        await socket.send(json.dumps({"type": "command", "command_id": "after", "command": {"type": "AddChapter", "title": "I"}}))
        assert (await _next_of_type(socket, "ack"))["command_id"] == "after"


async def test_a_damaged_presence_entry_is_swept_and_the_report_stays_reachable(
    server: ServerProcess, people: People, new_report: str, redis: aioredis.Redis
) -> None:
    """Redis may hold what this server did not write (a damaged or downgraded entry): the
    presence of the report is then read without it, not a live connection refused for ever."""
    await redis.hset(keys.presence_key(new_report), mapping={"damaged": b"\x00not json", "old-shape": b'{"report_id": 1}'})
    async with _connect(server, new_report, people.token("Alice")) as alice:
        snapshot = await _next_of_type(alice, "snapshot")
        assert snapshot["version"] == 1
        async with _connect(server, new_report, people.token("Bruno")) as bruno:
            await _next_of_type(bruno, "snapshot")
            await bruno.send(json.dumps({"type": "presence", "cursor": 0}))
            assert (await _next_of_type(alice, "presence"))["name"] == "Bruno"
    assert not {b"damaged", b"old-shape"} & set(await redis.hkeys(keys.presence_key(new_report)))


async def test_a_drafter_who_reads_nothing_does_not_hold_up_presence_in_other_reports(
    server: ServerProcess, people: People, api: Api
) -> None:
    """A client that stops reading (its socket full) keeps what it is sent waiting; the
    whereabouts of drafters in every other report still travel at once."""
    stuck_report, other_report = api.create_report("Rapport encombré"), api.create_report("Autre rapport")
    people.set_limits("Writer", mib_per_minute=1_000, requests_per_second=1_000)
    writer = people.api(server, "Writer")
    chapter_id, paragraph_id = new_id(), new_id()
    writer.submit(stuck_report, {"type": "AddChapter", "chapter_id": chapter_id, "title": "I"})
    writer.submit(stuck_report, {"type": "AddParagraph", "chapter_id": chapter_id, "paragraph_id": paragraph_id, "text": ""})
    stuck = await connect(live_url(server.url, stuck_report), additional_headers=bearer(people.token("Stuck")), max_queue=1)
    try:
        # Far more than the socket buffers hold on either side: the server's sends to it block.
        for n in range(250):
            text = ("abcdefghij"[n % 10] * 99_990) + str(n).zfill(10)
            writer.submit(stuck_report, {"type": "ReplaceParagraphText", "paragraph_id": paragraph_id, "text": text})
        async with _connect(server, stuck_report, people.token("Alice")) as alice:
            await _next_of_type(alice, "snapshot", timeout=30)
            await alice.send(json.dumps({"type": "presence", "paragraph_id": paragraph_id, "cursor": 1}))
            async with _connect(server, other_report, people.token("Bruno")) as bruno, _connect(
                server, other_report, people.token("Chloé")
            ) as chloe:
                await _next_of_type(bruno, "snapshot")
                await _next_of_type(chloe, "snapshot")
                await chloe.send(json.dumps({"type": "presence", "cursor": 0}))
                assert (await _next_of_type(bruno, "presence", timeout=5))["name"] == "Chloé"
    finally:
        stuck.transport.abort()  # no closing handshake through a full socket
