"""A damaged entry in a report's stream (not JSON, an unknown type, a future schema, the wrong
shape: after a downgrade, or an AOF repaired by hand) is that report's problem alone.

The entries are written straight into the stream with redis-py, at the place the append
script would have put the next event. The report then answers `corrupt_event` naming the
version, its earlier versions still load, the list of reports still answers, the live
clients of other reports still get their events (through the fan-out reader, which must
survive), and `rapporteur doctor` lists what is wrong.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from client.live import CommandRefused, LiveReport, bearer, live_url
from server.keys import REPORT_INDEX, blame_key, commands_key, events_key, snapshots_key, summary_key
from tests.client import run_rapporteur
from tests.conftest import People, new_id
from tests.processes import ROOT, ServerProcess

CUT_REPORT = (ROOT / "deploy" / "cut-report.lua").read_text()
CHAIR = "corrupt-chair"
ADMIN = "corrupt-admin"


def _event(report_id: str, version: int, type_name: str, schema: int, data: dict[str, Any]) -> bytes:
    return json.dumps(
        {
            "report_id": report_id, "version": version, "event_id": new_id(), "type": type_name, "schema": schema,
            "actor": "someone", "at": "2026-12-06T10:00:00Z", "command_id": f"damage-{new_id()}", "data": data,
        }
    ).encode()


# How an entry is damaged -> its fields, for report `report_id` at place `version`.
Damage = Callable[[str, int], dict[str, bytes]]
DAMAGES: dict[str, Damage] = {
    "not-json": lambda report_id, version: {"e": b"\x00\x9c{not json"},
    "unknown-type": lambda report_id, version: {"e": _event(report_id, version, "ReportArchived", 1, {})},
    "future-schema": lambda report_id, version: {"e": _event(report_id, version, "ChapterAdded", 2, {"chapter": {"id": new_id()}})},
    "wrong-shape": lambda report_id, version: {"e": _event(report_id, version, "ChapterAdded", 1, {"chapter_id": 7})},
    "another-field": lambda report_id, version: {"data": _event(report_id, version, "ChapterAdded", 1, {"chapter_id": new_id(), "title": "X"})},
}


async def damage(redis: aioredis.Redis, report_id: str, how: str) -> int:
    """Write a damaged entry where the next event of the report would go; its version."""
    version = await redis.xlen(events_key(report_id)) + 1
    await redis.xadd(events_key(report_id), DAMAGES[how](report_id, version), id=f"{version}-0")
    return version


@pytest.fixture
async def chair(server: ServerProcess, people: People) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, headers=people.headers(CHAIR, "chair"), timeout=30) as client:
        yield client


@pytest.fixture
async def reports(chair: httpx.AsyncClient, redis: aioredis.Redis) -> AsyncIterator[Callable[[], Any]]:
    """Makes reports of two chapters (version 3); they are deleted at the end, damaged or not,
    so that no other test of the session meets them."""
    made: list[str] = []

    async def make() -> str:
        response = await chair.post("/api/reports", json={"title": "Rapport abîmé"})
        assert response.status_code == 201, response.text
        report_id = response.json()["id"]
        made.append(report_id)
        for title in ("Introduction", "Conclusions"):
            await _submit(chair, report_id, {"type": "AddChapter", "title": title})
        return report_id

    yield make
    for report_id in made:
        await redis.delete(*_keys(report_id))
        await redis.zrem(REPORT_INDEX, report_id)


def _keys(report_id: str) -> list[str]:
    """A report's keys, in the order deploy/cut-report.lua takes them (its scratch stream fourth)."""
    return [
        events_key(report_id), commands_key(report_id), snapshots_key(report_id), f"report:{{{report_id}}}:events-cut",
        summary_key(report_id), blame_key(report_id),
    ]


async def _submit(client: httpx.AsyncClient, report_id: str, command: dict[str, Any]) -> httpx.Response:
    response = await client.post(f"/api/reports/{report_id}/commands", json={"command_id": new_id(), "command": command})
    return response


def _corrupt(response: httpx.Response, report_id: str, version: int) -> str:
    """The message of a `corrupt_event` answer naming that report and version."""
    assert response.status_code == 500, response.text
    body = response.json()
    assert body["code"] == "corrupt_event", body
    assert report_id in body["message"] and f"version {version}" in body["message"], body["message"]
    return body["message"]


async def _receive(socket: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    """The next message that is not presence."""
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), timeout))
        if message["type"] not in ("presence", "presence_left"):
            return message


async def _closed_with(socket: ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(socket.recv(), 10)
    return closed.value.rcvd.code if closed.value.rcvd is not None else None


@pytest.mark.parametrize("how", DAMAGES)
async def test_a_damaged_report_answers_corrupt_event_and_its_earlier_versions_still_load(
    chair: httpx.AsyncClient, redis: aioredis.Redis, reports: Callable[[], Any], how: str
) -> None:
    report_id = await reports()
    version = await damage(redis, report_id, how)
    for path in ("", "/text", "/events", "/history", "/blame", "/checks"):
        _corrupt(await chair.get(f"/api/reports/{report_id}{path}"), report_id, version)
    earlier = await chair.get(f"/api/reports/{report_id}", params={"at": version - 1})
    assert earlier.status_code == 200, earlier.text
    assert [c["title"] for c in earlier.json()["report"]["chapters"]] == ["Introduction", "Conclusions"]
    events = await chair.get(f"/api/reports/{report_id}/events", params={"limit": version - 1})
    assert [event["version"] for event in events.json()] == list(range(1, version))
    # A command is refused the same way, and appends nothing.
    _corrupt(await _submit(chair, report_id, {"type": "AddChapter", "title": "Annexe"}), report_id, version)
    assert await redis.xlen(events_key(report_id)) == version


async def test_an_event_of_a_newer_version_says_so(chair: httpx.AsyncClient, redis: aioredis.Redis, reports: Callable[[], Any]) -> None:
    report_id = await reports()
    version = await damage(redis, report_id, "future-schema")
    message = _corrupt(await chair.get(f"/api/reports/{report_id}"), report_id, version)
    assert "written by a newer version of Rapporteur" in message


async def test_the_list_of_reports_shows_a_damaged_one_as_it_was_before_the_damage(
    chair: httpx.AsyncClient, redis: aioredis.Redis, reports: Callable[[], Any]
) -> None:
    damaged, sound = await reports(), await reports()
    version = await damage(redis, damaged, "not-json")
    response = await chair.get("/api/reports")
    assert response.status_code == 200, response.text
    listed = {report["id"]: report for report in response.json()}
    assert listed[damaged] == {
        "id": damaged, "title": "Rapport abîmé", "version": version - 1, "adopted": False, "language": "fr", "damaged_at": version
    }
    assert listed[sound] == {"id": sound, "title": "Rapport abîmé", "version": 3, "adopted": False, "language": "fr"}


@pytest.mark.parametrize("how", DAMAGES)
async def test_other_reports_live_clients_keep_getting_events_through_the_fanout(
    server: ServerProcess, second_server: ServerProcess, people: People, chair: httpx.AsyncClient,
    redis: aioredis.Redis, reports: Callable[[], Any], how: str,
) -> None:
    """The live client of the damaged report is told `corrupt_event` and closed with 4500; the
    client of another report, on the same server, still gets what a second server appends
    (which reaches it only through the first server's fan-out reader)."""
    damaged, sound = await reports(), await reports()
    token = bearer(people.token(CHAIR, "chair"))
    async with (
        connect(live_url(server.url, damaged), additional_headers=token) as damaged_socket,
        connect(live_url(server.url, sound), additional_headers=token) as sound_socket,
    ):
        assert (await _receive(damaged_socket))["type"] == "snapshot"
        assert (await _receive(sound_socket))["type"] == "snapshot"
        version = await damage(redis, damaged, how)
        error = await _receive(damaged_socket)
        assert (error["type"], error["code"], error["command_id"]) == ("error", "corrupt_event", None)
        assert f"version {version}" in error["message"]
        assert await _closed_with(damaged_socket) == 4500
        async with httpx.AsyncClient(base_url=second_server.url, headers=people.headers(CHAIR, "chair"), timeout=30) as elsewhere:
            for title in ("Annexe I", "Annexe II"):
                assert (await _submit(elsewhere, sound, {"type": "AddChapter", "title": title})).status_code == 200
        for version_expected, title in ((4, "Annexe I"), (5, "Annexe II")):
            message = await _receive(sound_socket)
            assert message["type"] == "event", message
            assert (message["event"]["version"], message["event"]["data"]["title"]) == (version_expected, title)


async def test_a_live_connection_to_a_damaged_report_is_refused_with_4500(
    server: ServerProcess, people: People, redis: aioredis.Redis, reports: Callable[[], Any]
) -> None:
    report_id = await reports()
    version = await damage(redis, report_id, "unknown-type")
    async with connect(live_url(server.url, report_id), additional_headers=bearer(people.token(CHAIR, "chair"))) as socket:
        error = await _receive(socket)
        assert (error["type"], error["code"]) == ("error", "corrupt_event")
        assert f"version {version}" in error["message"]
        assert await _closed_with(socket) == 4500


async def test_a_live_report_stops_cleanly_and_fails_its_commands(
    server: ServerProcess, people: People, redis: aioredis.Redis, reports: Callable[[], Any]
) -> None:
    """Neither dead with commands waiting forever, nor reconnecting in vain."""
    report_id = await reports()
    async with LiveReport(server.url, report_id, people.token(CHAIR, "chair")) as live:
        await damage(redis, report_id, "not-json")
        waiting = live.send({"type": "AddChapter", "title": "Annexe"})
        with pytest.raises(CommandRefused) as refused:
            await asyncio.wait_for(waiting, 10)
        assert refused.value.code == "corrupt_event"
        with pytest.raises(CommandRefused):
            await asyncio.wait_for(live.wait_for_version(4), 10)
        assert live.failure is not None and live.failure.code == "corrupt_event"
        with pytest.raises(CommandRefused):
            await asyncio.wait_for(live.submit({"type": "AddChapter", "title": "Annexe"}), 10)
        assert live.version == 3 and live.reconnects == 0


async def test_doctor_lists_the_damaged_entries_for_administrators(
    server: ServerProcess, people: People, chair: httpx.AsyncClient, redis: aioredis.Redis, reports: Callable[[], Any]
) -> None:
    report_id = await reports()
    first = await damage(redis, report_id, "not-json")
    newer = await damage(redis, report_id, "future-schema")
    misplaced = await damage(redis, report_id, "another-field")
    assert (await chair.get(f"/api/reports/{report_id}/doctor")).json()["code"] == "forbidden"

    response = await chair.get(f"/api/reports/{report_id}/doctor", headers=people.headers(ADMIN, "admin"))
    assert response.status_code == 200, response.text
    diagnosis = response.json()
    assert (diagnosis["entries"], diagnosis["readable_up_to"], diagnosis["more"]) == (misplaced, first - 1, False)
    assert [(entry["version"], entry["entry_id"], entry["newer"]) for entry in diagnosis["damaged"]] == [
        (first, f"{first}-0", False), (newer, f"{newer}-0", True), (misplaced, f"{misplaced}-0", False),
    ]
    assert "newer version" in diagnosis["damaged"][1]["problem"]
    assert "'data'" in diagnosis["damaged"][2]["problem"]

    cli = run_rapporteur("--url", server.url, "--token", people.token(ADMIN, "admin"), "doctor", report_id, ok=False)
    assert cli.returncode == 1
    lines = cli.stdout.splitlines()
    assert lines[0] == f"report {report_id}: {misplaced} entries, readable up to version {first - 1}"
    assert [line.split()[:4] for line in lines[1:4]] == [
        ["version", str(v), "entry", f"{v}-0"] for v in (first, newer, misplaced)
    ]


async def test_doctor_finds_nothing_wrong_with_a_sound_report(server: ServerProcess, people: People, reports: Callable[[], Any]) -> None:
    report_id = await reports()
    cli = run_rapporteur("--url", server.url, "--token", people.token(ADMIN, "admin"), "doctor", report_id)
    assert cli.stdout.splitlines() == [f"report {report_id}: 3 entries, readable up to version 3", "  every entry reads as the event at its place"]


async def test_a_report_cut_back_to_its_readable_versions_works_again(
    chair: httpx.AsyncClient, redis: aioredis.Redis, reports: Callable[[], Any]
) -> None:
    """The repair of last resort (deploy/cut-report.lua): the damaged entry and those after it
    go, without a gap; the report takes commands again, and a command whose events were cut
    is decided again when retried."""
    report_id = await reports()
    version = await damage(redis, report_id, "not-json")
    await redis.xadd(events_key(report_id), DAMAGES["wrong-shape"](report_id, version + 1), id=f"{version + 1}-0")
    await redis.hset(commands_key(report_id), "cut-command", f"{version}:{version + 1}")
    keys = _keys(report_id)
    assert await redis.eval(CUT_REPORT, len(keys), *keys, version - 1) == [2, 1]

    after = await chair.get(f"/api/reports/{report_id}")
    assert (after.status_code, after.json()["version"]) == (200, version - 1)
    retried = await chair.post(
        f"/api/reports/{report_id}/commands", json={"command_id": "cut-command", "command": {"type": "AddChapter", "title": "Annexe"}}
    )
    assert (retried.status_code, retried.json()["version"]) == (200, version), retried.text
    assert await redis.exists(keys[3]) == 0
    with pytest.raises(aioredis.ResponseError, match="nothing to cut"):
        await redis.eval(CUT_REPORT, len(keys), *keys, version)


async def test_a_report_cut_back_is_listed_as_it_is_at_the_version_kept(
    redis_url: str, people: People, chair: httpx.AsyncClient, redis: aioredis.Redis, reports: Callable[[], Any]
) -> None:
    """An entry damaged in the middle, after the report was retitled: cut back before it (and
    the servers started again, as deploy/README.md says), the report is listed with the title
    it has at the version kept, not the one of the events cut (the summary the listing reads
    was true at a version that is gone), and blame starts from no checkpoint of the events cut."""
    report_id = await reports()
    assert (await _submit(chair, report_id, {"type": "RetitleReport", "title": "Titre coupé"})).status_code == 200
    key = events_key(report_id)
    entries = await redis.xrange(key)
    await redis.delete(key)
    for entry_id, fields in entries:
        await redis.xadd(key, DAMAGES["not-json"](report_id, 3) if entry_id == b"3-0" else fields, id=entry_id)
    await redis.zadd(blame_key(report_id), {b"kept": 2, b"cut": 4})
    keys = _keys(report_id)
    assert await redis.eval(CUT_REPORT, len(keys), *keys, 2) == [2, 2]

    restarted = await asyncio.to_thread(ServerProcess(redis_url).start)
    try:
        async with httpx.AsyncClient(base_url=restarted.url, headers=people.headers(CHAIR, "chair"), timeout=30) as http:
            listing = (await http.get("/api/reports")).json()
    finally:
        await asyncio.to_thread(restarted.stop)
    listed = [report for report in listing if report["id"] == report_id]
    assert [(report["version"], report["title"]) for report in listed] == [(2, "Rapport abîmé")]
    assert await redis.zrange(blame_key(report_id), 0, -1) == [b"kept"]


async def test_a_replay_that_reaches_a_damaged_entry_is_refused_there_and_the_socket_stays(
    server: ServerProcess, people: People, chair: httpx.AsyncClient, redis: aioredis.Redis, reports: Callable[[], Any]
) -> None:
    """An entry damaged in the middle of the stream (an append-only file damaged on disk):
    the server still holds the current report in memory, so the live connection opens; a
    replay across the damaged entry sends the pages before it, then `corrupt_event`."""
    report_id = await reports()
    key = events_key(report_id)
    entries = await redis.xrange(key)
    await redis.delete(key)
    for entry_id, fields in entries:
        await redis.xadd(key, DAMAGES["not-json"](report_id, 2) if entry_id == b"2-0" else fields, id=entry_id)
    async with connect(live_url(server.url, report_id), additional_headers=bearer(people.token(CHAIR, "chair"))) as socket:
        assert (await _receive(socket))["type"] == "snapshot"
        await socket.send(json.dumps({"type": "replay", "from_version": 0, "to_version": 3, "page_size": 1, "request_id": "r-1"}))
        page = await _receive(socket)
        assert (page["type"], [event["version"] for event in page["events"]]) == ("replay_page", [1])
        refused = await _receive(socket)
        assert (refused["type"], refused["code"], refused["request_id"]) == ("error", "corrupt_event", "r-1")
        assert "version 2" in refused["message"]
        added = await _submit(chair, report_id, {"type": "AddChapter", "title": "Annexe"})
        assert added.status_code == 200, added.text
        event = await _receive(socket)
        assert (event["type"], event["event"]["version"]) == ("event", 4)


async def test_doctor_says_when_a_reports_events_are_no_stream_at_all(
    people: People, chair: httpx.AsyncClient, redis: aioredis.Redis, reports: Callable[[], Any]
) -> None:
    """A key Redis refuses to read as a stream (WRONGTYPE): the tool made to say what is wrong
    says it, rather than failing with a bare 500."""
    report_id = await reports()
    await redis.delete(events_key(report_id))
    await redis.set(events_key(report_id), "not a stream")

    response = await chair.get(f"/api/reports/{report_id}/doctor", headers=people.headers(ADMIN, "admin"))

    assert response.status_code == 200, response.text
    diagnosis = response.json()
    assert (diagnosis["entries"], diagnosis["readable_up_to"]) == (0, 0)
    assert [entry["version"] for entry in diagnosis["damaged"]] == [1]
    assert "not a stream" in diagnosis["damaged"][0]["problem"]


async def test_a_report_whose_events_are_no_stream_answers_corrupt_event_and_the_list_still_answers(
    chair: httpx.AsyncClient, redis: aioredis.Redis, reports: Callable[[], Any]
) -> None:
    """Redis refusing to read the key as a stream (WRONGTYPE) is that report's damage alone: its
    reads answer `corrupt_event` saying so, not a bare 500; the list answers and shows it damaged."""
    report_id, sound = await reports(), await reports()
    await redis.delete(events_key(report_id))
    await redis.set(events_key(report_id), "not a stream")

    response = await chair.get(f"/api/reports/{report_id}")
    assert response.status_code == 500, response.text
    assert response.json()["code"] == "corrupt_event"
    assert "not a stream" in response.json()["message"]
    listed = {report["id"]: report for report in (await chair.get("/api/reports")).json()}
    assert listed[report_id]["damaged_at"] == 1
    assert "damaged_at" not in listed[sound]


async def test_what_no_route_expected_is_a_500_with_a_code_and_the_server_serves_on(
    chair: httpx.AsyncClient, reports: Callable[[], Any], redis: aioredis.Redis, server: ServerProcess
) -> None:
    """A key of the report that Rapporteur did not write (its command ids not a hash): the append
    script fails. The drafter gets the body every error has, not a bare text 500, on a connection
    that stays open, the server logs the traceback, and the rest of the service is unharmed."""
    report_id = await reports()
    await redis.delete(commands_key(report_id))
    await redis.set(commands_key(report_id), "not a hash")
    response = await _submit(chair, report_id, {"type": "AddChapter", "title": "Annexe"})
    assert response.status_code == 500, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json()["code"] == "internal_error" and response.json()["message"]
    assert "Traceback" in server.output_so_far() and "WRONGTYPE" in server.output_so_far()
    other = await reports()  # on the same kept-alive connection
    assert (await _submit(chair, other, {"type": "AddChapter", "title": "Annexe"})).status_code == 200
