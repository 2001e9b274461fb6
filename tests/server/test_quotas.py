"""Per-user limits against real servers: reports created, live connections open, requests and
bytes written. Past a limit, a clear code (and, for rates, when to try again), and nothing
changes; an administrator raising the limit lets the user on.

Each test has a user of its own, made through the administration API as a person would be:
with the server's defaults, unless the test sets others.
"""

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import msgspec
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from client.api import Api
from client.live import LiveReport, bearer, live_url
from server.quotas import BURST_SECONDS, DEFAULT_LIMITS
from tests.conftest import People, new_id
from tests.processes import ServerProcess


@pytest.fixture(scope="module")
def admin(server: ServerProcess, people: People) -> Api:
    return people.api(server, "Quotas admin", "admin")


class User:
    """A new drafter, signed in over HTTP."""

    def __init__(self, server: ServerProcess, admin: Api) -> None:
        api, user = Api.sign_in(admin.add_user(f"Quotas drafter {new_id()[:8]}", "drafter")["url"])
        assert api.token is not None
        self.id: str = user["id"]
        self.token = api.token
        self.api = api
        self.http = httpx.Client(base_url=server.url, headers=bearer(api.token), timeout=30)


@pytest.fixture
def user(server: ServerProcess, admin: Api) -> Iterator[User]:
    user = User(server, admin)
    yield user
    user.http.close()


def assert_refused(response: httpx.Response, status: int, code: str) -> None:
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert response.json()["message"]


def add_chapter(title: str = "Introduction") -> dict[str, Any]:
    return {"command_id": new_id(), "command": {"type": "AddChapter", "title": title}}


# Reports created: counted in Redis


def test_reports_past_the_quota_are_refused_and_none_is_created(admin: Api, user: User) -> None:
    admin.change_limits(user.id, {"reports": 2})
    http = user.http
    assert http.post("/api/reports", json={"title": "Premier"}).status_code == 201
    # A creation refused for another reason counts for nothing.
    someone_elses = admin.create_report("Le rapport d'un autre")
    assert http.post("/api/reports", json={"title": "Pris", "report_id": someone_elses}).status_code == 409
    second = {"title": "Deuxième", "report_id": new_id(), "command_id": new_id()}
    created = http.post("/api/reports", json=second)
    assert created.status_code == 201
    listed = http.get("/api/reports").json()

    assert_refused(http.post("/api/reports", json={"title": "Troisième"}), 403, "quota_exceeded")
    draft = "Rapport\n\nI. Introduction\n\n1. Le Groupe de travail s'est réuni.\n".encode()
    assert_refused(http.post("/api/reports/import", content=draft, headers={"Content-Type": "text/plain"}), 403, "quota_exceeded")
    by_command = new_id()
    create = {"command_id": new_id(), "command": {"type": "CreateReport", "title": "Par commande"}}
    assert_refused(http.post(f"/api/reports/{by_command}/commands", json=create), 403, "quota_exceeded")
    assert_refused(http.get(f"/api/reports/{by_command}"), 404, "unknown_report")
    assert http.get("/api/reports").json() == listed
    # Sending again a creation that was applied creates nothing new: it passes at the limit.
    again = http.post("/api/reports", json=second)
    assert (again.status_code, again.json()) == (201, created.json())
    assert admin.limits(user.id)["reports_created"] == 2

    admin.change_limits(user.id, {"reports": 3})

    assert http.post("/api/reports", json={"title": "Troisième"}).status_code == 201
    assert admin.limits(user.id)["reports_created"] == 3


async def test_the_report_quota_holds_across_server_processes(
    server: ServerProcess, second_server: ServerProcess, admin: Api, user: User
) -> None:
    """Twelve creations at once through two processes: exactly the quota is created."""
    admin.change_limits(user.id, {"reports": 3})
    async with httpx.AsyncClient(headers=bearer(user.token), timeout=30) as http:
        answers = await asyncio.gather(
            *(http.post(f"{(server, second_server)[n % 2].url}/api/reports", json={"title": f"Rapport {n}"}) for n in range(12))
        )
    assert sorted(answer.status_code for answer in answers) == [201] * 3 + [403] * 9
    created = {answer.json()["id"] for answer in answers if answer.status_code == 201}
    listed = {report["id"] for report in admin.reports()}
    assert created <= listed and len(created) == 3
    assert admin.limits(user.id)["reports_created"] == 3


def _reports_created_becomes(admin: Api, user: User, count: int, within: float = 10) -> int:
    deadline = time.monotonic() + within
    while (created := admin.limits(user.id)["reports_created"]) != count and time.monotonic() < deadline:
        time.sleep(0.05)
    return created


def test_an_import_the_client_abandons_counts_for_nothing(server: ServerProcess, admin: Api, user: User) -> None:
    """An import whose upload stops half way (the client left) creates nothing, and so takes
    nothing from the user's quota of reports."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as upload:
        upload.sendall(
            f"POST /api/reports/import HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {user.token}\r\n"
            "Content-Type: text/plain\r\nContent-Length: 100000\r\n\r\nRapport\n\n".encode()
        )
        assert _reports_created_becomes(admin, user, 1) == 1  # counted as the upload began
    assert _reports_created_becomes(admin, user, 0) == 0


# Requests: per process, per second


async def test_requests_past_the_rate_are_refused_with_retry_after_and_not_applied(
    server: ServerProcess, admin: Api, user: User
) -> None:
    report_id = admin.create_report("Projet de rapport")
    admin.change_limits(user.id, {"requests_per_second": 1})
    burst = 1 * BURST_SECONDS
    statuses = [user.http.get("/api/me").status_code for _ in range(burst + 1)]
    assert statuses == [200] * burst + [429]

    refused = user.http.post(f"/api/reports/{report_id}/commands", json=add_chapter())
    assert_refused(refused, 429, "rate_limited")
    assert refused.headers["Retry-After"] == "1"
    assert admin.report(report_id)[0] == 1
    # Opening a live connection costs a request too.
    async with connect(live_url(server.url, report_id), additional_headers=bearer(user.token)) as socket:
        error = json.loads(await asyncio.wait_for(socket.recv(), 10))
        assert (error["type"], error["code"]) == ("error", "rate_limited")
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4429

    admin.change_limits(user.id, {"requests_per_second": 1_000})

    assert user.http.post(f"/api/reports/{report_id}/commands", json=add_chapter()).status_code == 200
    assert admin.report(report_id)[0] == 2


def test_the_python_client_waits_as_the_server_says_and_goes_on(admin: Api, user: User) -> None:
    admin.change_limits(user.id, {"requests_per_second": 1})
    started = time.monotonic()
    for _ in range(BURST_SECONDS + 2):
        user.api.me()
    assert time.monotonic() - started >= 1


# Bytes written: request bodies and live messages, from one budget


async def test_the_python_live_client_opened_past_the_rate_comes_back_later(server: ServerProcess, admin: Api, user: User) -> None:
    """4429 says "too fast, try again later", not "never": the live client waits and reconnects."""
    report_id = user.api.create_report("Rapport")
    admin.change_limits(user.id, {"requests_per_second": 1})
    while user.http.get("/api/me").status_code != 429:
        pass
    async with asyncio.timeout(15):
        async with LiveReport(server.url, report_id, user.token, reconnect_delay=0.5) as live:
            assert live.reconnects >= 1 and live.version == 1


async def test_bytes_written_past_the_budget_are_refused_over_http_and_the_live_socket(
    server: ServerProcess, admin: Api, user: User
) -> None:
    report_id, chapter_id, paragraph_id = admin.create_report("Projet de rapport"), new_id(), new_id()
    admin.submit(report_id, {"type": "AddChapter", "chapter_id": chapter_id, "title": "Introduction"})
    admin.submit(report_id, {"type": "AddParagraph", "chapter_id": chapter_id, "paragraph_id": paragraph_id})
    admin.change_limits(user.id, {"mib_per_minute": 1})

    def replace(text: str) -> dict[str, Any]:
        return {"command_id": new_id(), "command": {"type": "ReplaceParagraphText", "paragraph_id": paragraph_id, "text": text}}

    text = "x" * 100_000  # about 100 KB a command: a tenth of the budget
    async with connect(live_url(server.url, report_id, after=3), additional_headers=bearer(user.token)) as socket:
        statuses = []
        while len(statuses) < 20 and 429 not in statuses:
            statuses.append(user.http.post(f"/api/reports/{report_id}/commands", json=replace(text)).status_code)
        assert statuses[-1] == 429 and set(statuses[:-1]) == {200} and 9 <= len(statuses) - 1 <= 11
        refused = user.http.post(f"/api/reports/{report_id}/commands", json=replace(text))
        assert_refused(refused, 429, "rate_limited")
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        version = admin.report(report_id)[0]

        await socket.send(json.dumps({"type": "command", **replace(text), "command_id": "over-the-budget"}))
        answer = await _answer_to(socket, "over-the-budget")
        assert (answer["type"], answer["code"]) == ("error", "rate_limited")
        assert admin.report(report_id)[0] == version

    admin.change_limits(user.id, {"mib_per_minute": 100})

    assert user.http.post(f"/api/reports/{report_id}/commands", json=replace(text)).status_code == 200


async def _answer_to(socket: ClientConnection, command_id: str) -> dict[str, Any]:
    async with asyncio.timeout(10):
        while (message := json.loads(await socket.recv())).get("command_id") != command_id:
            pass
    return message


# Live connections: per process, open at once


async def _open(server: ServerProcess, report_id: str, token: str, stack: contextlib.AsyncExitStack) -> tuple[ClientConnection, dict[str, Any]]:
    socket = await stack.enter_async_context(connect(live_url(server.url, report_id), additional_headers=bearer(token)))
    return socket, json.loads(await asyncio.wait_for(socket.recv(), 10))


async def test_live_connections_past_the_limit_are_refused_with_the_code(server: ServerProcess, admin: Api, user: User) -> None:
    """The default limit, opened all at once: exactly that many are served; the others are
    told `quota_exceeded` and closed with 4403. Closing one, or a raised limit, lets one more in."""
    report_id = admin.create_report("Projet de rapport")
    limit = DEFAULT_LIMITS.connections
    async with contextlib.AsyncExitStack() as stack:
        opened = await asyncio.gather(*(_open(server, report_id, user.token, stack) for _ in range(limit + 5)))
        served = [socket for socket, first in opened if first["type"] == "snapshot"]
        refused = [(socket, first) for socket, first in opened if first["type"] != "snapshot"]
        assert len(served) == limit
        for socket, error in refused:
            assert (error["type"], error["code"]) == ("error", "quota_exceeded")
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), 10)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403

        await served[0].close()
        deadline = time.monotonic() + 5
        while (await _open(server, report_id, user.token, stack))[1]["type"] != "snapshot":
            assert time.monotonic() < deadline, "a closed connection was never given back"
            await asyncio.sleep(0.1)
        assert (await _open(server, report_id, user.token, stack))[1]["code"] == "quota_exceeded"

        admin.change_limits(user.id, {"connections": limit + 1})

        assert (await _open(server, report_id, user.token, stack))[1]["type"] == "snapshot"


# The administration of limits


def test_an_admin_sets_a_users_limits_and_brings_back_the_defaults(admin: Api, user: User) -> None:
    shown = admin.limits(user.id)
    defaults = msgspec.to_builtins(DEFAULT_LIMITS)
    assert (shown["user"], shown["limits"], shown["defaults"], shown["reports_created"]) == (user.id, defaults, defaults, 0)

    raised = admin.change_limits(user.id, {"reports": 500, "mib_per_minute": 64})
    assert raised["limits"] == {**defaults, "reports": 500, "mib_per_minute": 64}
    assert admin.change_limits(user.id, {"connections": 40})["limits"] == {**defaults, "reports": 500, "mib_per_minute": 64, "connections": 40}
    assert admin.change_limits(user.id, {"reports": None, "mib_per_minute": None})["limits"] == {**defaults, "connections": 40}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"reports": -1}, id="negative"),
        pytest.param({"requests_per_second": 0}, id="no-rate"),
        pytest.param({"connections": "many"}, id="not-a-number"),
        pytest.param({"reports": 10**9}, id="too-many"),
        pytest.param({"tokens": 5}, id="unknown-limit"),
    ],
)
def test_a_bad_limit_is_refused_and_changes_nothing(admin: Api, user: User, body: dict[str, Any]) -> None:
    before = admin.limits(user.id)
    response = user.http.patch(f"/api/users/{user.id}/limits", json=body, headers=bearer(admin.token or ""))
    assert_refused(response, 422, "invalid_command")
    assert admin.limits(user.id) == before


def test_only_an_admin_sees_or_sets_limits(admin: Api, user: User) -> None:
    before = admin.limits(user.id)
    assert_refused(user.http.get(f"/api/users/{user.id}/limits"), 403, "forbidden")
    assert_refused(user.http.patch(f"/api/users/{user.id}/limits", json={"reports": 10_000}), 403, "forbidden")
    assert admin.limits(user.id) == before
    assert_refused(user.http.get(f"/api/users/{new_id()}/limits", headers=bearer(admin.token or "")), 404, "unknown_user")
    assert_refused(user.http.patch(f"/api/users/{new_id()}/limits", json={"reports": 1}, headers=bearer(admin.token or "")), 404, "unknown_user")
