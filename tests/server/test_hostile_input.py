"""Hostile input at the service's edge: missing or stolen credentials, other sites' pages,
frames too large, floods, and whatever bytes a fuzzer makes up.

Every test runs against a real server process, with a second client watching the same report
over the live WebSocket. What the watcher receives proves that a refusal appended nothing:
events reach it in order with no gap, so after a refusal the next event it sees must be the
harmless marker the chair writes next (`assert_nothing_appended`). A server that answers
hostile input with a 5xx, closes the socket it came on, drops or starves the watcher, or
appends anything, fails here.
"""

import asyncio
import contextlib
import json
import secrets
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import msgspec
import msgspec.inspect as mi
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection as SyncConnection
from websockets.sync.client import connect as connect_sync

import events.commands
from client.live import bearer, live_url
from events.commands import COMMAND_TYPES, Command, CommandEnvelope
from events.fields import UUID_PATTERN
from events.protocol import MAX_MESSAGE_BYTES, ClientMessage
from server.auth import SESSION_COOKIE
from server.live import (
    CLOSE_FLOODING,
    CLOSE_FORBIDDEN,
    CLOSE_UNAUTHENTICATED,
    LIVE_BURST,
    LIVE_MESSAGES_PER_SECOND,
    MAX_REFUSED_IN_A_ROW,
)
from server.serve import WS_MAX_FRAME_BYTES
from server.wire import DEFAULT_STATUS, HTTP_STATUS
from tests.conftest import People, new_id
from tests.processes import ServerProcess

CHAIR = "hostile-chair"
WATCHER = "hostile-watcher"
ADMIN = "hostile-admin"
# RFC 6455: the message is bigger than the server will take.
CLOSE_TOO_BIG = 1009
# How long a served client may wait for its own event while someone else floods the report.
# Generous: the flood is over in well under a second of server time; a watcher starved behind
# it would wait for the whole flood, or forever.
PROMPTLY = 5.0
# What the parser answers malformed input with, on HTTP and the WebSocket alike.
PARSE_CODES = frozenset({"malformed_json", "unknown_command", "invalid_command", "message_too_large"})


def _command(command: dict[str, Any], command_id: str | None = None) -> dict[str, Any]:
    return {"command_id": command_id or f"c-{new_id()}", "command": command}


def _live_command(command: dict[str, Any], command_id: str | None = None) -> str:
    return json.dumps({"type": "command", **_command(command, command_id)})


async def _receive(socket: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    """The next message that is not another connection's presence."""
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), timeout))
        if message["type"] not in ("presence", "presence_left"):
            return message


async def _close_code(socket: ClientConnection) -> int | None:
    """Read until the server closes the socket; the code it closed with."""
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(socket.recv(), 10)
    return closed.value.rcvd.code if closed.value.rcvd is not None else None


class Watcher:
    """A drafter's live connection to the report. Checks every event follows the previous one."""

    def __init__(self, socket: ClientConnection, version: int) -> None:
        self.socket = socket
        self.version = version

    async def next_event(self, timeout: float = 10) -> dict[str, Any]:
        message = await _receive(self.socket, timeout)
        assert message["type"] == "event", message
        event = message["event"]
        assert event["version"] == self.version + 1, f"after version {self.version} came {event['version']}"
        self.version = event["version"]
        return event

    async def catch_up(self, version: int) -> None:
        while self.version < version:
            await self.next_event()

    async def submit(self, command: dict[str, Any], timeout: float = 10) -> dict[str, Any]:
        """Send a command on this socket: its event, which comes before its ack."""
        command_id = f"watcher-{new_id()}"
        await self.socket.send(_live_command(command, command_id))
        event = await self.next_event(timeout)
        assert event["command_id"] == command_id
        assert await _receive(self.socket, timeout) == {"type": "ack", "command_id": command_id, "version": event["version"]}
        return event


@pytest.fixture
async def chair(server: ServerProcess, people: People) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, headers=people.headers(CHAIR, "chair"), timeout=30) as client:
        yield client


@pytest.fixture
async def admin(server: ServerProcess, people: People) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, headers=people.headers(ADMIN, "admin"), timeout=30) as client:
        yield client


@pytest.fixture
async def report(chair: httpx.AsyncClient) -> str:
    response = await chair.post("/api/reports", json={"title": "Rapport de la réunion"})
    response.raise_for_status()
    return response.json()["id"]


@pytest.fixture
async def watcher(server: ServerProcess, people: People, report: str) -> AsyncIterator[Watcher]:
    headers = bearer(people.token(WATCHER, "drafter"))
    async with connect(live_url(server.url, report), additional_headers=headers) as socket:
        snapshot = await _receive(socket)
        assert snapshot["type"] == "snapshot"
        yield Watcher(socket, snapshot["version"])


async def assert_nothing_appended(chair: httpx.AsyncClient, watcher: Watcher, report: str, version: int) -> int:
    """The report is still at `version`, and the watcher is still served: the chair's marker
    becomes version + 1, and it is the next event the watcher receives."""
    await watcher.catch_up(version)
    marker = f"marker-{new_id()}"
    response = await chair.post(f"/api/reports/{report}/commands", json=_command({"type": "AddChapter", "title": "Marqueur"}, marker))
    assert response.status_code == 200, response.text
    assert response.json()["version"] == version + 1
    event = await watcher.next_event()
    assert (event["version"], event["command_id"]) == (version + 1, marker)
    return version + 1


async def _invite(admin: httpx.AsyncClient, role: str) -> tuple[str, str]:
    """A new user's id and one-time invite token, as an administrator makes them."""
    response = await admin.post("/api/users", json={"name": f"Invité {new_id()[:8]}", "role": role})
    assert response.status_code == 201, response.text
    invitation = response.json()
    return invitation["user"]["id"], parse_qs(urlsplit(invitation["url"]).query)["invite"][0]


async def _signed_in(server: ServerProcess, admin: httpx.AsyncClient, role: str) -> tuple[str, str]:
    """A new user's id and API token."""
    user_id, invite = await _invite(admin, role)
    async with httpx.AsyncClient(base_url=server.url) as anyone:
        response = await anyone.post("/api/signin", json={"invite": invite})
    assert response.status_code == 201, response.text
    return user_id, response.json()["token"]


@pytest.fixture
async def session_cookie(server: ServerProcess, admin: httpx.AsyncClient) -> str:
    """A browser's session, signed in with the invite form as a drafter."""
    _, invite = await _invite(admin, "drafter")
    async with httpx.AsyncClient(base_url=server.url) as browser:
        response = await browser.post("/signin", data={"invite": invite})
    assert response.status_code == 303, response.text
    return response.cookies[SESSION_COOKIE]


# (a), (b): who may not speak at all


UNAUTHENTICATED = [
    pytest.param({}, id="no-authorization"),
    pytest.param({"Authorization": "Basic aG9zdGlsZTpzZWNyZXQ="}, id="basic-not-bearer"),
    pytest.param({"Authorization": "Bearer"}, id="bearer-without-token"),
    pytest.param({"Authorization": "Bearer two words"}, id="bearer-with-two-words"),
    pytest.param({"Authorization": "Bearer " + secrets.token_urlsafe(32)}, id="unknown-token"),
    pytest.param({"Authorization": "Bearer " + "A" * 8_000}, id="oversized-token"),
    pytest.param({"Authorization": "Bearer *"}, id="wildcard-token"),
    pytest.param({"Cookie": f"{SESSION_COOKIE}=" + secrets.token_urlsafe(32)}, id="unknown-session-cookie"),
]


async def _assert_refused_everywhere(server: ServerProcess, report: str, headers: dict[str, str]) -> None:
    """A command, a read and a new report, each refused with 401 and the JSON error body."""
    title = f"Intrus {new_id()}"
    async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as stranger:
        answers = [
            await stranger.post(f"/api/reports/{report}/commands", json=_command({"type": "AddChapter", "title": "Intrus"})),
            await stranger.get(f"/api/reports/{report}"),
            await stranger.get(f"/api/reports/{report}/events"),
            await stranger.post("/api/reports", json={"title": title}),
        ]
    for response in answers:
        assert response.status_code == 401, (response.request.url, response.text)
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert set(body) == {"code", "message"}
        assert body["code"] == "unauthenticated" and body["message"]


async def _assert_socket_refused(server: ServerProcess, report: str, headers: dict[str, str], code: str, close_code: int) -> None:
    async with connect(live_url(server.url, report), additional_headers=headers) as socket:
        error = await _receive(socket)
        assert (error["type"], error["code"]) == ("error", code)
        assert error["message"]
        assert await _close_code(socket) == close_code


@pytest.mark.parametrize("headers", UNAUTHENTICATED)
async def test_a_request_without_a_valid_token_is_unauthenticated_and_appends_nothing(
    server: ServerProcess, chair: httpx.AsyncClient, watcher: Watcher, report: str, headers: dict[str, str]
) -> None:
    await _assert_refused_everywhere(server, report, headers)
    await _assert_socket_refused(server, report, headers, "unauthenticated", CLOSE_UNAUTHENTICATED)
    await assert_nothing_appended(chair, watcher, report, 1)
    assert "Intrus" not in (await chair.get("/api/reports")).text


async def test_an_invite_is_not_a_bearer_token_and_survives_the_attempt(
    server: ServerProcess, admin: httpx.AsyncClient, chair: httpx.AsyncClient, watcher: Watcher, report: str
) -> None:
    _, invite = await _invite(admin, "chair")
    await _assert_refused_everywhere(server, report, bearer(invite))
    await _assert_socket_refused(server, report, bearer(invite), "unauthenticated", CLOSE_UNAUTHENTICATED)
    await assert_nothing_appended(chair, watcher, report, 1)
    async with httpx.AsyncClient(base_url=server.url) as invited:
        assert (await invited.post("/api/signin", json={"invite": invite})).status_code == 201


async def test_a_revoked_token_is_refused_on_every_path(
    server: ServerProcess, admin: httpx.AsyncClient, chair: httpx.AsyncClient, watcher: Watcher, report: str
) -> None:
    user_id, token = await _signed_in(server, admin, "drafter")
    async with httpx.AsyncClient(base_url=server.url, headers=bearer(token)) as drafter:
        accepted = await drafter.post(f"/api/reports/{report}/commands", json=_command({"type": "AddChapter", "title": "Avant"}))
        assert accepted.status_code == 200 and accepted.json()["version"] == 2
    await watcher.catch_up(2)
    assert (await admin.delete(f"/api/users/{user_id}")).json()["revoked"] is True
    await _assert_refused_everywhere(server, report, bearer(token))
    await _assert_socket_refused(server, report, bearer(token), "unauthenticated", CLOSE_UNAUTHENTICATED)
    await assert_nothing_appended(chair, watcher, report, 2)


# (c): other sites' pages, with the browser's cookie


EVIL_ORIGINS = [
    pytest.param("https://evil.example", id="another-site"),
    pytest.param("null", id="sandboxed-page"),
    pytest.param("http://127.0.0.1:{port}.evil.example", id="our-host-as-a-prefix"),
    pytest.param("http://evil.example@127.0.0.1:{port}", id="userinfo-before-our-host"),
    pytest.param("https://127.0.0.1:1", id="our-host-another-port"),
]


@pytest.mark.parametrize("origin", EVIL_ORIGINS)
async def test_a_page_of_another_site_cannot_open_the_live_socket(
    server: ServerProcess, people: People, session_cookie: str, chair: httpx.AsyncClient, watcher: Watcher, report: str, origin: str
) -> None:
    evil = origin.format(port=server.port)
    await _assert_socket_refused(
        server, report, {"Origin": evil, "Cookie": f"{SESSION_COOKIE}={session_cookie}"}, "forbidden", CLOSE_FORBIDDEN
    )
    # A page cannot set Authorization, but a token does not make another origin welcome either.
    await _assert_socket_refused(server, report, {"Origin": evil, **people.headers(CHAIR)}, "forbidden", CLOSE_FORBIDDEN)
    await assert_nothing_appended(chair, watcher, report, 1)


@pytest.mark.parametrize("origin", EVIL_ORIGINS)
async def test_a_page_of_another_site_cannot_send_commands_with_the_cookie(
    server: ServerProcess, session_cookie: str, chair: httpx.AsyncClient, watcher: Watcher, report: str, origin: str
) -> None:
    headers = {"Origin": origin.format(port=server.port), "Cookie": f"{SESSION_COOKIE}={session_cookie}"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers) as page:
        response = await page.post(f"/api/reports/{report}/commands", json=_command({"type": "AddChapter", "title": "Intrus"}))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden" and response.json()["message"]
    await assert_nothing_appended(chair, watcher, report, 1)


async def test_our_own_page_and_non_browser_clients_are_welcome(
    server: ServerProcess, people: People, session_cookie: str, watcher: Watcher, report: str
) -> None:
    own_page = {"Origin": f"http://127.0.0.1:{server.port}", "Cookie": f"{SESSION_COOKIE}={session_cookie}"}
    for headers in (own_page, people.headers(CHAIR)):
        async with connect(live_url(server.url, report), additional_headers=headers) as socket:
            snapshot = await _receive(socket)
            assert snapshot["type"] == "snapshot"
            await socket.send(_live_command({"type": "AddChapter", "title": "Bienvenue"}, f"welcome-{new_id()}"))
            event = await _receive(socket)
            assert event["type"] == "event"
            assert (await _receive(socket))["type"] == "ack"
            assert (await watcher.next_event())["version"] == event["event"]["version"]


# (d): too large


async def test_a_message_over_the_limit_is_refused_and_the_socket_keeps_working(
    server: ServerProcess, people: People, chair: httpx.AsyncClient, watcher: Watcher, report: str
) -> None:
    oversized = _live_command({"type": "AddChapter", "title": "x" * MAX_MESSAGE_BYTES}, "too-large")
    assert MAX_MESSAGE_BYTES < len(oversized) < WS_MAX_FRAME_BYTES
    async with connect(live_url(server.url, report), additional_headers=people.headers(CHAIR), compression=None) as socket:
        await _receive(socket)
        await socket.send(oversized)
        error = await _receive(socket)
        assert (error["type"], error["command_id"], error["code"]) == ("error", "too-large", "message_too_large")
        await socket.send(_live_command({"type": "AddChapter", "title": "Après"}, "after"))
        assert (await _receive(socket))["event"]["version"] == 2
        assert await _receive(socket) == {"type": "ack", "command_id": "after", "version": 2}
    await watcher.catch_up(2)
    await assert_nothing_appended(chair, watcher, report, 2)


# Over the message limit and hostile besides: the error that names the command must not choke on it.
HOSTILE_OVERSIZED = [
    pytest.param(b"[" * (MAX_MESSAGE_BYTES + 1), id="unclosed-nesting"),
    pytest.param(b"[" * (MAX_MESSAGE_BYTES // 2 + 1) + b"]" * (MAX_MESSAGE_BYTES // 2 + 1), id="deep-nesting"),
    pytest.param(b'{"type":"command","command_id":"x","command":"' + b"\xff" * MAX_MESSAGE_BYTES + b'"}', id="not-utf-8"),
]


@pytest.mark.parametrize("payload", HOSTILE_OVERSIZED)
async def test_a_hostile_message_over_the_limit_is_refused_and_the_socket_keeps_working(
    server: ServerProcess, people: People, chair: httpx.AsyncClient, watcher: Watcher, report: str, payload: bytes
) -> None:
    async with connect(live_url(server.url, report), additional_headers=people.headers(CHAIR), compression=None) as socket:
        await _receive(socket)
        await socket.send(payload)
        error = await _receive(socket)
        assert (error["type"], error["code"]) == ("error", "message_too_large")
        await socket.send(_live_command({"type": "AddChapter", "title": "Après"}, "after"))
        assert (await _receive(socket))["event"]["version"] == 2
    response = await chair.post(f"/api/reports/{report}/commands", content=payload)
    assert (response.status_code, response.json()["code"]) == (413, "message_too_large")
    await assert_nothing_appended(chair, watcher, report, 2)


@pytest.mark.parametrize("compression", [None, "deflate"], ids=["plain", "compressed-bomb"])
async def test_a_frame_over_the_frame_limit_closes_only_its_socket(
    server: ServerProcess, people: People, chair: httpx.AsyncClient, watcher: Watcher, report: str, compression: str | None
) -> None:
    """Compressed, 4 MiB of one letter travel in a few kilobytes: the limit is on what they unpack to."""
    async with connect(live_url(server.url, report), additional_headers=people.headers(CHAIR), compression=compression) as socket:
        await _receive(socket)
        with contextlib.suppress(ConnectionClosed):
            await socket.send(_live_command({"type": "AddChapter", "title": "x" * WS_MAX_FRAME_BYTES}))
        assert await _close_code(socket) == CLOSE_TOO_BIG
    await assert_nothing_appended(chair, watcher, report, 1)
    assert (await watcher.submit({"type": "AddChapter", "title": "Toujours là"}))["version"] == 3


async def _body_in_chunks(size: int, chunk: int = 64 * 1024) -> AsyncIterator[bytes]:
    """A body without Content-Length: the server cannot refuse it before reading."""
    yield b'{"command_id":"big","command":{"type":"AddChapter","title":"'
    for _ in range(size // chunk):
        yield b"x" * chunk
    yield b'"}}'


async def test_an_http_body_over_the_limit_is_refused_with_413(chair: httpx.AsyncClient, watcher: Watcher, report: str) -> None:
    declared = await chair.post(
        f"/api/reports/{report}/commands", json=_command({"type": "AddChapter", "title": "x" * MAX_MESSAGE_BYTES})
    )
    streamed = await chair.post(f"/api/reports/{report}/commands", content=_body_in_chunks(MAX_MESSAGE_BYTES + 64 * 1024))
    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.json()["code"] == "message_too_large" and response.json()["message"]
    await assert_nothing_appended(chair, watcher, report, 1)


# (e): floods


async def test_a_flooding_client_is_refused_then_closed_while_others_are_served(
    server: ServerProcess, people: People, chair: httpx.AsyncClient, watcher: Watcher, report: str
) -> None:
    """The flood is of real commands (the report's own title again: accepted, appending
    nothing), so that the flooder keeps the report's service as busy as it can. A client sends
    faster than a server answers: the whole flood is written long before the burst is spent."""
    flood_size = 20 * LIVE_BURST
    same_title = {"type": "RetitleReport", "title": "Rapport de la réunion"}
    answers: Counter[str] = Counter()
    flooding = asyncio.Event()
    async with connect(live_url(server.url, report), additional_headers=bearer(people.token("hostile-flooder", "drafter"))) as flooder:
        await _receive(flooder)

        async def read_answers() -> int | None:
            """Until the server closes the socket, or has answered every message without closing it."""
            with contextlib.suppress(ConnectionClosed):
                while sum(answers.values()) < flood_size:
                    message = json.loads(await asyncio.wait_for(flooder.recv(), 30))
                    if message["type"] in ("event", "presence", "presence_left"):
                        continue  # the others' work, which the flooder sees too
                    answers[message.get("code", message["type"])] += 1
                    if answers["ack"] == 100:
                        flooding.set()
            return flooder.close_code

        async def flood() -> None:
            with contextlib.suppress(ConnectionClosed):
                for n in range(flood_size):
                    await flooder.send(_live_command(same_title, f"flood-{n}"))
                    if n % 100 == 0:
                        await asyncio.sleep(0)

        reader = asyncio.create_task(read_answers())
        sender = asyncio.create_task(flood())
        await asyncio.wait_for(flooding.wait(), 30)
        marker = await chair.post(f"/api/reports/{report}/commands", json=_command({"type": "AddChapter", "title": "Pendant"}))
        assert marker.status_code == 200
        assert (await watcher.next_event(PROMPTLY))["command_id"] == marker.json()["events"][0]["command_id"]
        assert (await watcher.submit({"type": "AddChapter", "title": "Malgré tout"}, PROMPTLY))["version"] == 3
        close_code = await asyncio.wait_for(reader, 60)
        await asyncio.wait_for(sender, 60)
    assert close_code == CLOSE_FLOODING, f"{flood_size} messages sent, closed with {close_code}, answers: {dict(answers)}"
    assert answers["ack"] >= LIVE_BURST
    assert answers["rate_limited"] >= MAX_REFUSED_IN_A_ROW
    assert set(answers) == {"ack", "rate_limited"}
    await assert_nothing_appended(chair, watcher, report, 3)
    assert (await watcher.submit({"type": "AddChapter", "title": "Après"}, PROMPTLY))["version"] == 5


async def test_a_client_below_the_rate_is_never_refused(server: ServerProcess, people: People, report: str) -> None:
    """A burst that fits the bucket, then a steady half of the rate: more messages in all
    than a burst, and not one refused."""
    at_once, steady = LIVE_BURST - 200, 250
    same_title = {"type": "RetitleReport", "title": "Rapport de la réunion"}
    answers: Counter[str] = Counter()
    async with connect(live_url(server.url, report), additional_headers=bearer(people.token("hostile-steady", "drafter"))) as client:
        await _receive(client)

        async def read_answers() -> None:
            while sum(answers.values()) < at_once + steady:
                message = await _receive(client, 30)
                answers[message.get("code", message["type"])] += 1

        reader = asyncio.create_task(read_answers())
        for n in range(at_once):
            await client.send(_live_command(same_title, f"burst-{n}"))
        for n in range(steady):
            await asyncio.sleep(2 / LIVE_MESSAGES_PER_SECOND)
            await client.send(_live_command(same_title, f"steady-{n}"))
        await asyncio.wait_for(reader, 60)
    assert answers == {"ack": at_once + steady}


# (f): fuzzing the command decoder


FUZZED_TYPES = sorted(COMMAND_TYPES - {"AdoptReport"})  # adopting ends the report: every later command would be refused alike
FIELDS = {name: list(getattr(events.commands, name).__struct_fields__) for name in FUZZED_TYPES}
STRANGE_TEXT = st.one_of(
    st.sampled_from(
        [
            "", " ", "\x00", "\x1b[31m", "\u202e", "\u2028", "\ufffc", "\ud800", "𝒜😅", "*", "{report}", "report:{x}:events",
            "\r\nSET x 1\r\n", "<script>alert(1)</script>",
        ]
    ),
    st.builds(lambda: "x" * 2_001),  # a title's limit and one: built, so that its repr stays short
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([-1, 2**31, 2**53 + 1, 2**63, 2**64, -(2**63) - 1, 10**40]),
    st.floats(),  # NaN and the infinities are not JSON: json.dumps writes them all the same
    st.text(max_size=30),
    STRANGE_TEXT,
)
JSON_VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12
)
OPS = st.lists(
    st.one_of(
        st.integers(min_value=-3, max_value=10**12),
        st.text(max_size=5),
        st.fixed_dictionaries({"d": st.one_of(st.integers(min_value=-3, max_value=10**6), st.text(max_size=5))}),
    ),
    max_size=5,
)
DEEP = st.tuples(st.integers(min_value=1, max_value=5_000), st.sampled_from([(b"[", b"]"), (b'{"a":', b"}")]))


class Known(msgspec.Struct, frozen=True):
    """What the fuzzed report holds: the ids of its items, and other strings it knows (placeholders)."""

    ids: list[str]
    texts: list[str]


def _well_typed(shape: Any, known: Known) -> st.SearchStrategy[Any]:
    """Values of the shape msgspec expects (from msgspec.inspect), ids drawn mostly from the
    report's own: commands that get past the parser, so that the report's rules see them."""
    match shape:
        case mi.Metadata():
            return _well_typed(shape.type, known)
        case mi.StrType(pattern=pattern) if pattern == UUID_PATTERN:
            return st.one_of(st.sampled_from(known.ids), st.uuids().map(str))
        case mi.StrType(pattern=pattern) if pattern is not None:
            return st.from_regex(pattern, fullmatch=True)
        case mi.StrType(min_length=low, max_length=high):
            fits = STRANGE_TEXT.filter(lambda text: (low or 0) <= len(text) <= (high or len(text)))
            return st.one_of(st.text(min_size=low or 0, max_size=min(high or 40, 40)), fits, st.sampled_from(known.texts))
        case mi.IntType(ge=low, le=high):
            return st.one_of(st.integers(min_value=low if low is not None else -3, max_value=high if high is not None else 8), st.just(10**12))
        case mi.BoolType():
            return st.booleans()
        case mi.NoneType():
            return st.none()
        case mi.LiteralType(values=values):
            return st.sampled_from(values)
        case mi.DateType():
            return st.dates().map(str)
        case mi.ListType(item_type=item):
            return st.lists(_well_typed(item, known), max_size=4)
        case mi.UnionType(types=types):
            return st.one_of(*(_well_typed(each, known) for each in types if not _is_adopt_report(each)))
        case mi.StructType(fields=fields, tag_field=tag_field, tag=tag):
            required = {field.encode_name: _well_typed(field.type, known) for field in fields if field.required}
            optional = {field.encode_name: _well_typed(field.type, known) for field in fields if not field.required}
            return st.fixed_dictionaries(
                {**required, **({tag_field: st.just(tag)} if tag_field else {})}, optional=optional
            )
    raise TypeError(f"no strategy for {shape}")


def _is_adopt_report(shape: Any) -> bool:
    """Adopting ends the report: every later command would be refused alike."""
    return isinstance(shape, mi.StructType) and shape.tag == "AdoptReport"


def _payloads(known: Known, *, live: bool) -> st.SearchStrategy[bytes]:
    """Bytes a hostile or broken client might send as one command: well-typed commands,
    command envelopes with odd fields, JSON values of any shape, deep nesting, and bytes that
    are not UTF-8."""
    value = st.one_of(SCALARS, st.sampled_from(known.ids), st.uuids().map(str), OPS, JSON_VALUES)

    def odd_fields_of(name: str) -> st.SearchStrategy[dict[str, Any]]:
        return st.dictionaries(st.sampled_from([*FIELDS[name], "actor", "extra"]), value, max_size=6).map(
            lambda fields: {**fields, "type": name}
        )

    typing_on_a_paragraph = st.fixed_dictionaries(
        {"type": st.just("EditParagraphText"), "paragraph_id": st.sampled_from(known.ids), "base_revision": st.integers(-1, 4), "ops": OPS}
    )
    odd_command = st.one_of(
        st.sampled_from(FUZZED_TYPES).flatmap(odd_fields_of),
        typing_on_a_paragraph,
        st.fixed_dictionaries({"type": st.text(max_size=20)}),
        JSON_VALUES,
    )
    tag = {"type": st.just("command")} if live else {}
    odd_envelope = st.fixed_dictionaries(
        {**tag, "command_id": st.one_of(st.uuids().map(str), value), "command": odd_command},
        optional={"expected_version": value, "actor": value, **({} if live else {"type": value})},
    )
    well_typed = st.fixed_dictionaries(
        {**tag, "command_id": st.uuids().map(str), "command": _well_typed(mi.type_info(Command), known)}
    )

    def as_json(messages: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
        return st.builds(
            lambda message, ascii: json.dumps(message, ensure_ascii=ascii).encode("utf-8", "surrogatepass"), messages, st.booleans()
        )

    head = b'{"type":"command",' if live else b"{"
    deep = DEEP.map(
        lambda spec: head + b'"command_id":"deep","command":{"type":"AddChapter","title":' + spec[1][0] * spec[0] + b"1" + spec[1][1] * spec[0] + b"}}"
    )
    spliced = st.binary(min_size=1, max_size=8).map(
        lambda raw: head + b'"command_id":"bytes","command":{"type":"AddChapter","title":"' + raw + b'"}}'
    )
    return st.one_of(
        as_json(well_typed), as_json(well_typed), as_json(odd_envelope), as_json(JSON_VALUES), deep, spliced, st.binary(max_size=64)
    )


def _well_formed(payload: bytes, message_type: Any) -> bool:
    try:
        msgspec.json.Decoder(message_type).decode(payload)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, RecursionError):
        return False
    return True


def _assert_documented_refusal(status: int, body: dict[str, Any], payload: bytes, message_type: Any) -> None:
    """A parse error with its status, or the report's refusal of a command that parsed."""
    assert isinstance(body.get("message"), str) and body["message"], body
    code = body["code"]
    if code in PARSE_CODES:
        assert status == HTTP_STATUS.get(code, DEFAULT_STATUS)
    else:
        assert _well_formed(payload, message_type), f"{code} for a message that does not parse: {payload[:200]!r}"
        assert 400 <= status < 500 and code.isidentifier() and code.islower()


def _assert_reached_parser_and_rules(seen: Counter[str], accepted: str) -> None:
    """The fuzzer is no use if all it makes is garbage, or only what passes."""
    assert seen[accepted] and PARSE_CODES & set(seen) and set(seen) - PARSE_CODES - {accepted}, dict(seen)


def _new_events(http: httpx.Client, report: str, after: int) -> list[dict[str, Any]]:
    response = http.get(f"/api/reports/{report}/events", params={"after": after})
    assert response.status_code == 200
    return response.json()


FUZZ_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# Hypothesis describes the failing strategy, built from the whole command schema: long, and said once.
LONG_REPR = pytest.mark.filterwarnings("ignore:Generating overly large repr")


@pytest.fixture
async def furnished(chair: httpx.AsyncClient, watcher: Watcher, report: str) -> tuple[Known, int]:
    """The report with something of each kind to refer to, so that fuzzed commands naming
    these ids (and its placeholder) reach the report's rules; and the report's version."""
    ids = [new_id() for _ in range(7)]
    chapter, section, paragraph, sub_item, agenda_item, statement, document = ids
    commands = [
        {"type": "AddChapter", "chapter_id": chapter, "title": "Introduction"},
        {"type": "AddSection", "section_id": section, "chapter_id": chapter, "title": "Déclarations"},
        {"type": "AddParagraph", "paragraph_id": paragraph, "chapter_id": chapter, "text": "La réunion [s’est tenue]."},
        {"type": "AddSubItem", "paragraph_id": paragraph, "sub_item_id": sub_item, "text": "premier point"},
        {"type": "AddAgendaItem", "agenda_item_id": agenda_item, "title": "Questions d’organisation"},
        {"type": "RecordStatement", "statement_id": statement, "agenda_item_id": agenda_item, "category": "party", "delegation": "Argentine"},
        {"type": "AddDocument", "document_id": document, "symbol": "CTOC/COP/WG.4/2021/1", "title": "Ordre du jour"},
    ]
    for command in commands:
        (await chair.post(f"/api/reports/{report}/commands", json=_command(command))).raise_for_status()
    version = 1 + len(commands)
    await watcher.catch_up(version)
    placeholders = (await chair.get(f"/api/reports/{report}/placeholders")).json()
    return Known(ids=ids, texts=[placeholder["id"] for placeholder in placeholders]), version


@LONG_REPR
async def test_fuzzed_http_commands_get_documented_refusals(
    server: ServerProcess, people: People, chair: httpx.AsyncClient, watcher: Watcher, report: str, furnished: tuple[Known, int]
) -> None:
    known, start = furnished
    chair_id = people.id(CHAIR)
    version = start
    seen: Counter[str] = Counter()

    @FUZZ_SETTINGS
    @given(payload=_payloads(known, live=False))
    def post_one(http: httpx.Client, payload: bytes) -> None:
        nonlocal version
        response = http.post(f"/api/reports/{report}/commands", content=payload)
        assert response.status_code < 500, (payload[:200], response.text)
        appended = _new_events(http, report, version)
        if response.status_code == 200:
            command_id = json.loads(payload)["command_id"]
            assert all(event["command_id"] == command_id and event["actor"] == chair_id for event in appended)
            version += len(appended)
            seen["accepted"] += 1
            return
        seen[response.json()["code"]] += 1
        assert response.headers["content-type"] == "application/json"
        _assert_documented_refusal(response.status_code, response.json(), payload, CommandEnvelope)
        assert appended == [], f"{response.json()['code']} but appended {appended}"

    def run() -> None:
        with httpx.Client(base_url=server.url, headers=people.headers(CHAIR), timeout=30) as http:
            post_one(http)

    await asyncio.to_thread(run)
    _assert_reached_parser_and_rules(seen, "accepted")
    await assert_nothing_appended(chair, watcher, report, version)


class LiveFuzzer:
    """The fuzzer's live connection. After each fuzzed message comes a sentinel the server
    refuses: errors are sent in the order the messages came, so an error before the
    sentinel's is the fuzzed message's.

    A new connection replaces one the server closed, so that the example that closed it is the
    one that fails (and Hypothesis shrinks that one, not whatever came next), and one that has
    sent most of a burst, so that shrinking, which sends many, never meets the rate limit."""

    MESSAGES_PER_CONNECTION = LIVE_BURST // 2

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.url = url
        self.headers = headers
        self._socket: SyncConnection | None = None
        self._connection = contextlib.ExitStack()
        self._sent = 0

    def _open(self) -> SyncConnection:
        if self._socket is None or self._socket.close_code is not None or self._sent >= self.MESSAGES_PER_CONNECTION:
            self.close()
            self._socket = self._connection.enter_context(connect_sync(self.url, additional_headers=self.headers, max_size=None))
            self._sent = 0
            assert json.loads(self._socket.recv(timeout=10))["type"] == "snapshot"
        return self._socket

    def close(self) -> None:
        self._connection.close()

    def error_for(self, payload: bytes, as_text: bool) -> dict[str, Any] | None:
        """The error the message got, or None when it was not refused."""
        socket = self._open()
        self._sent += 2
        sentinel = f"sentinel-{new_id()}"
        try:
            socket.send(payload.decode() if as_text else payload)
            socket.send(_live_command({"type": "AddChapter"}, sentinel))
            error = None
            while True:
                message = json.loads(socket.recv(timeout=10))
                if message["type"] != "error":
                    continue  # events, acks (released once their events are out), presence, replay pages
                if message.get("command_id") == sentinel:
                    assert message["code"] == "invalid_command"
                    return error
                assert error is None, f"two errors for one message: {error}, {message}"
                error = message
        except ConnectionClosed as closed:
            raise AssertionError(f"the server closed the socket on {payload[:200]!r}: {closed}") from None


@LONG_REPR
async def test_fuzzed_live_messages_get_documented_refusals_and_the_socket_stays_open(
    server: ServerProcess, people: People, chair: httpx.AsyncClient, watcher: Watcher, report: str, furnished: tuple[Known, int]
) -> None:
    known, start = furnished
    version = start
    seen: Counter[str] = Counter()
    fuzzer = LiveFuzzer(live_url(server.url, report), people.headers(CHAIR))

    @FUZZ_SETTINGS
    @given(payload=_payloads(known, live=True), as_text=st.booleans())
    def send_one(http: httpx.Client, payload: bytes, as_text: bool) -> None:
        nonlocal version
        try:
            payload.decode("utf-8")
        except UnicodeDecodeError:
            as_text = False  # a text frame is UTF-8 by definition: the rest go as binary frames
        error = fuzzer.error_for(payload, as_text)
        appended = _new_events(http, report, version)
        if error is None:
            command_id = json.loads(payload)["command_id"] if appended else None
            assert all(event["command_id"] == command_id for event in appended)
            version += len(appended)
            seen["not refused"] += 1
            return
        seen[error["code"]] += 1
        _assert_documented_refusal(HTTP_STATUS.get(error["code"], DEFAULT_STATUS), error, payload, ClientMessage)
        assert appended == [], f"{error['code']} but appended {appended}"

    def run() -> None:
        with httpx.Client(base_url=server.url, headers=people.headers(CHAIR), timeout=30) as http:
            try:
                send_one(http)
            finally:
                fuzzer.close()

    await asyncio.to_thread(run)
    _assert_reached_parser_and_rules(seen, "not refused")
    await assert_nothing_appended(chair, watcher, report, version)


# Markup typed into a paragraph


async def test_markup_in_a_paragraph_is_text_in_json_and_escaped_in_html(
    chair: httpx.AsyncClient, watcher: Watcher, report: str
) -> None:
    hostile = '<script>alert("rapporteur")</script><img src=x onerror="alert(1)"> & </p><p onclick=x>'
    chapter, paragraph = new_id(), new_id()
    for command in [
        {"type": "AddChapter", "chapter_id": chapter, "title": "<b>Chapitre</b>"},
        {"type": "AddParagraph", "paragraph_id": paragraph, "chapter_id": chapter, "text": hostile},
    ]:
        (await chair.post(f"/api/reports/{report}/commands", json=_command(command))).raise_for_status()
    await watcher.next_event()
    assert (await watcher.next_event())["data"]["text"] == hostile
    stored = (await chair.get(f"/api/reports/{report}")).json()["report"]
    assert stored["chapters"][0]["paragraphs"][0]["text"] == hostile
    rendered = await chair.get(f"/api/reports/{report}/render", params={"format": "html"})
    assert rendered.status_code == 200 and rendered.headers["content-type"].startswith("text/html")
    page = rendered.text.lower()
    assert "&lt;script&gt;" in page and "&lt;b&gt;chapitre&lt;/b&gt;" in page
    for tag in ("<script", "<img", "<b>", "<p onclick"):
        assert tag not in page, f"{tag} reached the page as markup"


# Control characters


async def test_a_control_character_in_a_text_is_refused_on_http_and_the_socket_which_stays_open(
    server: ServerProcess, people: People, chair: httpx.AsyncClient, watcher: Watcher, report: str
) -> None:
    """Issue 12: a vertical tab or an escape in any text made every later rendering in Word fail
    (500). They are refused where they come in, with `invalid_text`, and nothing is appended."""
    chapter = new_id()
    event = await watcher.submit({"type": "AddChapter", "chapter_id": chapter, "title": "Introduction"})
    retitle = {"type": "RetitleChapter", "chapter_id": chapter, "title": "Intro\x0bduction"}
    response = await chair.post(f"/api/reports/{report}/commands", json=_command(retitle))
    assert (response.status_code, response.json()["code"]) == (422, "invalid_text"), response.text
    assert "$.command.title" in response.json()["message"]
    version = await assert_nothing_appended(chair, watcher, report, event["version"])

    paragraph = new_id()
    await watcher.submit({"type": "AddParagraph", "paragraph_id": paragraph, "chapter_id": chapter, "text": "Le Groupe a examiné."})
    typed = {"type": "EditParagraphText", "paragraph_id": paragraph, "base_revision": 0, "ops": [9, "\x1b[2J"]}
    await watcher.socket.send(_live_command(typed, "escape"))
    error = await _receive(watcher.socket)
    assert (error["type"], error["command_id"], error["code"]) == ("error", "escape", "invalid_text")
    await watcher.submit({**typed, "ops": [9, " de travail"]})  # the same socket, still served
    rendered = await chair.get(f"/api/reports/{report}/render", params={"format": "docx"})
    assert rendered.status_code == 200
    await assert_nothing_appended(chair, watcher, report, version + 2)
