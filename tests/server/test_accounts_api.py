"""Users and sign-in over HTTP: the administration API, invite links, API tokens, browser
sessions, revocation, renaming, and the guards around them (the last administrator, other
sites' pages, HTML in a user's name).
"""

import asyncio
import contextlib
import hashlib
import html
import json
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest
import redis.asyncio as aioredis
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from client.api import Api
from client.live import bearer, live_url
from server.accounts import Accounts
from server.auth import RECHECK_SECONDS, SESSION_COOKIE
from server.keys import USERS
from tests.conftest import People, new_id
from tests.processes import ServerProcess

ADMIN = "Accounts admin"


@pytest.fixture(scope="module")
def admin(server: ServerProcess, people: People) -> Api:
    return people.api(server, ADMIN, "admin")


@pytest.fixture(scope="module")
def http(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def invite_of(url: str) -> str:
    """The one-time token in an invite link `…/signin?invite=…`."""
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["invite"][0]


class Invited(NamedTuple):
    id: str
    name: str
    invite: str


def invited(admin: Api, role: str = "drafter", name: str | None = None) -> Invited:
    """A new user (named afresh, so each test has its own) and their unused invite."""
    name = name or f"Accounts user {new_id()[:8]}"
    invitation = admin.add_user(name, role)
    return Invited(invitation["user"]["id"], name, invite_of(invitation["url"]))


def api_token(http: httpx.Client, invite: str) -> str:
    response = http.post("/api/signin", json={"invite": invite})
    assert response.status_code == 201, response.text
    return response.json()["token"]


def browser_session(http: httpx.Client, server: ServerProcess, invite: str) -> httpx.Response:
    """Press the sign-in page's button, as a browser on our page does."""
    return http.post(
        "/signin",
        content=urllib.parse.urlencode({"invite": invite}),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": server.url},
    )


def session_cookie(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    return response.cookies[SESSION_COOKIE]


def with_cookie(session: str, **headers: str) -> dict[str, str]:
    return {"Cookie": f"{SESSION_COOKIE}={session}", **headers}


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["code"] == code and response.json()["message"]


# Only administrators administer

class AdminRequest(NamedTuple):
    method: str
    path: Callable[[str, str], str]
    body: dict[str, Any] | None = None


ADMIN_REQUESTS = {
    "list-users": AdminRequest("GET", lambda user, report: "/api/users"),
    "add-user": AdminRequest("POST", lambda user, report: "/api/users", {"name": "Mallory", "role": "admin"}),
    "change-user": AdminRequest("PATCH", lambda user, report: f"/api/users/{user}", {"role": "admin"}),
    "revoke-user": AdminRequest("DELETE", lambda user, report: f"/api/users/{user}"),
    "invite-user": AdminRequest("POST", lambda user, report: f"/api/users/{user}/invite"),
    "user-limits": AdminRequest("GET", lambda user, report: f"/api/users/{user}/limits"),
    "change-limits": AdminRequest("PATCH", lambda user, report: f"/api/users/{user}/limits", {"reports": 100_000}),
    "list-grants": AdminRequest("GET", lambda user, report: f"/api/reports/{report}/roles"),
    "grant-role": AdminRequest("PUT", lambda user, report: f"/api/reports/{report}/roles/{user}", {"role": "chair"}),
    "take-grant-back": AdminRequest("DELETE", lambda user, report: f"/api/reports/{report}/roles/{user}"),
}


@pytest.fixture(scope="module")
def target(admin: Api) -> tuple[str, str]:
    """A drafter with a grant in a report: what the refused requests try to change."""
    user = invited(admin, "drafter", "Accounts target")
    report_id = admin.create_report("Projet de rapport")
    admin.grant(report_id, user.id, "viewer")
    return user.id, report_id


def _request(http: httpx.Client, request: AdminRequest, target: tuple[str, str], headers: dict[str, str]) -> httpx.Response:
    return http.request(request.method, request.path(*target), json=request.body, headers=headers)


@pytest.mark.parametrize("role", ["viewer", "drafter", "chair"])
@pytest.mark.parametrize("request_name", ADMIN_REQUESTS)
def test_only_an_admin_manages_users_and_roles(
    http: httpx.Client, people: People, admin: Api, target: tuple[str, str], role: str, request_name: str
) -> None:
    headers = people.headers(f"Accounts {role}", role)
    users, grants = admin.users(), admin.grants(target[1])

    limits = admin.limits(target[0])

    assert_error(_request(http, ADMIN_REQUESTS[request_name], target, headers), 403, "forbidden")
    assert (admin.users(), admin.grants(target[1]), admin.limits(target[0])) == (users, grants, limits)


@pytest.mark.parametrize("request_name", ADMIN_REQUESTS)
def test_the_administration_api_needs_a_sign_in(
    http: httpx.Client, admin: Api, target: tuple[str, str], request_name: str
) -> None:
    users = admin.users()
    assert_error(_request(http, ADMIN_REQUESTS[request_name], target, {}), 401, "unauthenticated")
    assert_error(_request(http, ADMIN_REQUESTS[request_name], target, bearer("not-a-token")), 401, "unauthenticated")
    assert admin.users() == users


def test_an_admin_adds_changes_invites_and_grants(http: httpx.Client, admin: Api) -> None:
    user = invited(admin, "viewer", "Accounts Élise")
    listed = {u["id"]: u for u in admin.users()}
    assert (listed[user.id]["name"], listed[user.id]["role"], listed[user.id]["revoked"]) == ("Accounts Élise", "viewer", False)

    assert admin.change_user(user.id, role="chair")["role"] == "chair"
    report_id = admin.create_report("Projet de rapport")
    assert admin.grant(report_id, user.id, "drafter") == {user.id: "drafter"}
    assert admin.grants(report_id) == {user.id: "drafter"}
    token = api_token(http, user.invite)
    me = http.get("/api/me", params={"report": report_id}, headers=bearer(token)).json()
    assert (me["id"], me["role"], me["report_role"]) == (user.id, "chair", "drafter")
    assert admin.grant(report_id, user.id, None) == {}

    again = admin.invite(user.id)
    assert again["user"]["id"] == user.id and again["expires_at"]
    assert invite_of(again["url"]) != user.invite


def test_an_unknown_role_or_user_is_refused(http: httpx.Client, admin: Api) -> None:
    headers = bearer(admin.token or "")
    users = admin.users()
    assert_error(http.post("/api/users", json={"name": "Zoé", "role": "president"}, headers=headers), 422, "invalid_command")
    assert_error(http.post("/api/users", json={"name": "Zoé", "token": "x"}, headers=headers), 422, "invalid_command")
    assert admin.users() == users
    assert_error(http.patch(f"/api/users/{new_id()}", json={"role": "chair"}, headers=headers), 404, "unknown_user")


# Invites and tokens

def test_an_invite_link_signs_in_once(http: httpx.Client, admin: Api) -> None:
    user = invited(admin, "drafter")
    first = http.post("/api/signin", json={"invite": user.invite})
    assert first.status_code == 201, first.text
    assert first.json()["user"]["id"] == user.id and first.json()["token"] != user.invite

    assert_error(http.post("/api/signin", json={"invite": user.invite}), 401, "unauthenticated")
    me = http.get("/api/me", headers=bearer(first.json()["token"])).json()
    assert (me["id"], me["name"], me["role"]) == (user.id, user.name, "drafter")


def test_an_invite_is_not_a_bearer_token(http: httpx.Client, admin: Api) -> None:
    user = invited(admin, "chair")
    assert_error(http.get("/api/me", headers=bearer(user.invite)), 401, "unauthenticated")
    assert_error(http.get("/api/reports", headers=bearer(user.invite)), 401, "unauthenticated")
    assert http.post("/api/signin", json={"invite": user.invite}).status_code == 201  # and it was not used up


def test_an_api_token_is_not_an_invite_and_survives_being_offered_as_one(http: httpx.Client, admin: Api) -> None:
    """A failed sign-in must not destroy the credential it was given by mistake."""
    token = api_token(http, invited(admin).invite)
    assert_error(http.post("/api/signin", json={"invite": token}), 401, "unauthenticated")
    assert http.get("/api/me", headers=bearer(token)).status_code == 200


async def _everything_in(redis: aioredis.Redis) -> list[bytes]:
    """Every key's name and every value it holds, whatever its type."""
    found: list[bytes] = []
    async for key in redis.scan_iter(count=1000):
        found.append(key)
        kind = (await redis.type(key)).decode()
        if kind == "string":
            found.append(await redis.get(key) or b"")
        elif kind == "hash":
            for field, value in (await redis.hgetall(key)).items():
                found += [field, value]
        elif kind == "set":
            found += list(await redis.smembers(key))
        elif kind == "list":
            found += await redis.lrange(key, 0, -1)
        elif kind == "zset":
            found += await redis.zrange(key, 0, -1)
        elif kind == "stream":
            for _, fields in await redis.xrange(key):
                for field, value in fields.items():
                    found += [field, value]
    return found


async def test_tokens_and_invites_are_stored_only_as_their_hashes(
    http: httpx.Client, server: ServerProcess, admin: Api, redis: aioredis.Redis
) -> None:
    """A copy of the database signs nobody in: no invite, API token or session is in it."""
    user = invited(admin, "drafter")
    token = api_token(http, user.invite)
    session = session_cookie(browser_session(http, server, invite_of(admin.invite(user.id)["url"])))
    unused = invite_of(admin.invite(user.id)["url"])
    assert http.post("/api/reports", json={"title": "Projet de rapport"}, headers=bearer(token)).status_code == 201

    stored = b"\n".join(await _everything_in(redis))
    live = (token, session, unused, admin.token or "")
    for secret in (user.invite, *live):
        assert secret.encode() not in stored
    # What is kept instead, and what this scan would have found: the hash of each live one.
    for secret in live:
        assert hashlib.sha256(secret.encode()).hexdigest().encode() in stored


async def test_the_recheck_of_many_tokens_at_once_agrees_with_each_alone(
    http: httpx.Client, server: ServerProcess, admin: Api, redis: aioredis.Redis
) -> None:
    """What the recheck of open connections asks in two round trips is what signing in asks
    for each token: revoked users, signed-out sessions, invites and nonsense sign nobody in."""
    kept, revoked, signed_out = invited(admin), invited(admin), invited(admin)
    tokens = {
        "kept": api_token(http, kept.invite),
        "kept session": session_cookie(browser_session(http, server, invite_of(admin.invite(kept.id)["url"]))),
        "revoked": api_token(http, revoked.invite),
        "signed out": api_token(http, signed_out.invite),
        "invite": invite_of(admin.invite(kept.id)["url"]),
        "unknown": "not-a-token",
        "too long": "x" * 10_000,
    }
    admin.revoke(revoked.id)
    assert http.post("/api/signout", headers=bearer(tokens["signed out"])).status_code == 204
    accounts = Accounts(redis)

    together = await accounts.authenticate_all([*tokens.values(), tokens["kept"]])

    assert {token: user.id for token, user in together.items()} == {tokens["kept"]: kept.id, tokens["kept session"]: kept.id}
    for token in tokens.values():
        assert together.get(token) == await accounts.authenticate(token)
    granted, other = admin.create_report("Projet de rapport"), admin.create_report("Autre")
    admin.grant(granted, kept.id, "viewer")
    user = together[tokens["kept"]]
    assert await accounts.roles_in([(user, granted), (user, other), (user, granted)]) == {
        (kept.id, granted): "viewer",
        (kept.id, other): "drafter",
    }


async def test_a_user_record_that_cannot_be_read_signs_its_user_out_not_the_others(
    http: httpx.Client, admin: Api, redis: aioredis.Redis
) -> None:
    """A record of `rapporteur:users` this server did not write (damaged, or from another
    version) refuses its own user's token with 401, and leaves everyone else's sign-in, and the
    recheck of the live connections checked with it, working."""
    damaged, kept = invited(admin), invited(admin)
    damaged_token, kept_token = api_token(http, damaged.invite), api_token(http, kept.invite)
    record = await redis.hget(USERS, damaged.id)
    await redis.hset(USERS, damaged.id, b'{"id": 7, "not": "a user"}')
    try:
        together = await Accounts(redis).authenticate_all([damaged_token, kept_token])

        assert {token: user.id for token, user in together.items()} == {kept_token: kept.id}
        refused = http.get("/api/me", headers=bearer(damaged_token))
        assert (refused.status_code, refused.json()["code"]) == (401, "unauthenticated")
        assert http.get("/api/me", headers=bearer(kept_token)).status_code == 200
    finally:
        await redis.hset(USERS, damaged.id, record)  # the other tests list every user


# Revocation

def test_revoking_a_user_signs_out_their_tokens_and_sessions(http: httpx.Client, server: ServerProcess, admin: Api) -> None:
    user = invited(admin, "drafter")
    token = api_token(http, user.invite)
    session = session_cookie(browser_session(http, server, invite_of(admin.invite(user.id)["url"])))
    pending = invite_of(admin.invite(user.id)["url"])
    report_id = admin.create_report("Projet de rapport")
    assert http.get("/api/me", headers=bearer(token)).status_code == 200
    assert http.get("/api/me", headers=with_cookie(session)).status_code == 200

    assert admin.revoke(user.id)["revoked"] is True

    assert_error(http.get("/api/me", headers=bearer(token)), 401, "unauthenticated")
    assert_error(http.get("/api/me", headers=with_cookie(session)), 401, "unauthenticated")
    command = {"command_id": new_id(), "command": {"type": "AddChapter", "title": "Introduction"}}
    assert_error(http.post(f"/api/reports/{report_id}/commands", json=command, headers=bearer(token)), 401, "unauthenticated")
    assert_error(http.post("/api/signin", json={"invite": pending}), 401, "unauthenticated")
    assert_error(http.post(f"/api/users/{user.id}/invite", headers=bearer(admin.token or "")), 409, "user_revoked")
    assert admin.report(report_id)[0] == 1
    assert {u["id"]: u["revoked"] for u in admin.users()}[user.id] is True


async def _present(observer: ClientConnection, socket: ClientConnection, user_id: str) -> str:
    """`socket` says where its user is; the connection id the `observer` sees it by."""
    await socket.send(json.dumps({"type": "presence"}))
    while True:
        message = json.loads(await asyncio.wait_for(observer.recv(), 10))
        if message["type"] == "presence" and message["drafter"] == user_id:
            return message["connection_id"]


async def _closed_by_the_server(socket: ClientConnection, within: float) -> tuple[list[dict[str, Any]], int | None, float]:
    """What a socket that sends nothing receives until the server closes it: the messages,
    the close code, and the seconds it took."""
    started = time.monotonic()
    messages = []
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(within):
            while True:
                messages.append(json.loads(await socket.recv()))
    return messages, closed.value.rcvd.code if closed.value.rcvd else None, time.monotonic() - started


async def _assert_left(observer: ClientConnection, connection_id: str) -> None:
    async with asyncio.timeout(5):
        while True:
            message = json.loads(await observer.recv())
            if (message["type"], message.get("connection_id")) == ("presence_left", connection_id):
                return


async def test_revoking_a_user_closes_their_open_websocket_within_the_recheck_period_though_it_says_nothing(
    server: ServerProcess, http: httpx.Client, admin: Api
) -> None:
    """A revoked drafter's socket, silent, stops receiving the report: within RECHECK_SECONDS
    it gets `unauthenticated` and is closed with 4401, and the others see them leave."""
    user = invited(admin, "drafter")
    token = api_token(http, user.invite)
    report_id = admin.create_report("Projet de rapport")
    assert admin.token is not None
    async with (
        connect(live_url(server.url, report_id, after=1), additional_headers=bearer(admin.token)) as observer,
        connect(live_url(server.url, report_id, after=1), additional_headers=bearer(token)) as socket,
    ):
        connection_id = await _present(observer, socket, user.id)
        admin.revoke(user.id)
        messages, code, seconds = await _closed_by_the_server(socket, within=RECHECK_SECONDS + 5)
        assert code == 4401
        assert messages[-1]["type"] == "error" and messages[-1]["code"] == "unauthenticated"
        assert seconds < RECHECK_SECONDS + 2
        await _assert_left(observer, connection_id)
        admin.submit(report_id, {"type": "AddChapter", "title": "Introduction"})
        assert json.loads(await asyncio.wait_for(observer.recv(), 10))["type"] == "event"
    async with connect(live_url(server.url, report_id), additional_headers=bearer(token)) as again:
        refused = json.loads(await asyncio.wait_for(again.recv(), 10))
        assert refused["code"] == "unauthenticated"
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(again.recv(), 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


async def test_a_revoked_user_typing_on_is_closed_and_only_what_was_acknowledged_is_applied(
    server: ServerProcess, http: httpx.Client, admin: Api
) -> None:
    """Commands sent on after the revocation, until the server closes the socket (4401, within
    RECHECK_SECONDS): each acknowledged one is in the report, and nothing else of theirs."""
    user = invited(admin, "drafter")
    token = api_token(http, user.invite)
    report_id = admin.create_report("Projet de rapport")
    acknowledged = 0
    async with connect(live_url(server.url, report_id, after=1), additional_headers=bearer(token)) as socket:

        async def type_on() -> None:
            with contextlib.suppress(ConnectionClosed):
                while True:
                    await socket.send(json.dumps({"type": "command", "command_id": new_id(), "command": {"type": "AddChapter", "title": "I"}}))
                    await asyncio.sleep(0.05)

        typing = asyncio.create_task(type_on())
        await asyncio.sleep(0.5)
        admin.revoke(user.id)
        try:
            messages, code, seconds = await _closed_by_the_server(socket, within=RECHECK_SECONDS + 5)
        finally:
            typing.cancel()
        assert code == 4401 and seconds < RECHECK_SECONDS + 2
        assert messages[-1] == {"type": "error", "command_id": None, "code": "unauthenticated", "message": messages[-1]["message"]}
        acknowledged = sum(message["type"] == "ack" for message in messages)
        assert {message["code"] for message in messages if message["type"] == "error"} == {"unauthenticated"}
    assert acknowledged > 0
    assert [event.actor for event in admin.events(report_id, after=1)] == [user.id] * acknowledged


async def test_signing_out_in_the_browser_closes_the_open_websocket_of_that_session(
    server: ServerProcess, http: httpx.Client, admin: Api
) -> None:
    """The session signed out (POST /api/signout) no longer receives the report, though the
    page that opened its socket is silent; the user's other tokens are unaffected."""
    user = invited(admin, "drafter")
    session = session_cookie(browser_session(http, server, user.invite))
    token = api_token(http, invite_of(admin.invite(user.id)["url"]))
    report_id = admin.create_report("Projet de rapport")
    assert admin.token is not None
    async with (
        connect(live_url(server.url, report_id, after=1), additional_headers=bearer(admin.token)) as observer,
        connect(live_url(server.url, report_id, after=1), additional_headers=with_cookie(session, Origin=server.url)) as tab,
        connect(live_url(server.url, report_id, after=1), additional_headers=bearer(token)) as script,
    ):
        connection_id = await _present(observer, tab, user.id)
        assert http.post("/api/signout", headers=with_cookie(session, Origin=server.url)).status_code == 204
        messages, code, seconds = await _closed_by_the_server(tab, within=RECHECK_SECONDS + 5)
        assert (code, messages[-1]["code"]) == (4401, "unauthenticated")
        assert seconds < RECHECK_SECONDS + 2
        await _assert_left(observer, connection_id)
        await script.send(json.dumps({"type": "command", "command_id": "still-here", "command": {"type": "AddChapter", "title": "I"}}))
        async with asyncio.timeout(10):
            while (answer := json.loads(await script.recv())).get("command_id") != "still-here":
                pass
        assert answer["type"] == "ack"


# Names

def test_renaming_a_user_renames_them_everywhere_and_events_keep_their_id(http: httpx.Client, admin: Api) -> None:
    user = invited(admin, "drafter", f"Accounts Bruno {new_id()[:8]}")
    token = api_token(http, user.invite)
    created = http.post("/api/reports", json={"title": "Projet de rapport"}, headers=bearer(token))
    report_id = created.json()["id"]
    assert http.get("/api/people", headers=bearer(token)).json()[user.id] == user.name

    new_name = f"Accounts Bruno Rossi {new_id()[:8]}"
    assert admin.change_user(user.id, name=new_name)["name"] == new_name

    assert http.get("/api/people", headers=bearer(token)).json()[user.id] == new_name
    assert [e.actor for e in admin.events(report_id)] == [user.id]
    history = http.get(f"/api/reports/{report_id}/history", params={"actor": new_name.upper()}, headers=bearer(token))
    assert [entry["event"]["actor"] for entry in history.json()["events"]] == [user.id]
    assert http.get("/api/me", headers=bearer(token)).json()["name"] == new_name


# The last administrator

@pytest.fixture
def lone_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server on a database of its own, whose only administrator is the first one."""
    with ServerProcess(data_dir=tmp_path / "data") as process:
        yield process


def _first_admin(server: ServerProcess) -> Api:
    line = next(line for line in server.output_so_far().splitlines() if "Sign in as the administrator" in line)
    return Api.sign_in(line.split(": ", 1)[1].strip())[0]


def test_the_last_admin_can_be_neither_revoked_nor_demoted(lone_server: ServerProcess) -> None:
    first = _first_admin(lone_server)
    me = first.me()
    with httpx.Client(base_url=lone_server.url, headers=bearer(first.token or "")) as http:
        assert_error(http.delete(f"/api/users/{me['id']}"), 409, "last_admin")
        assert_error(http.patch(f"/api/users/{me['id']}", json={"role": "chair"}), 409, "last_admin")
        assert [(u["role"], u["revoked"]) for u in first.users()] == [("admin", False)]

        second = first.add_user("Second admin", "admin")["user"]
        assert http.patch(f"/api/users/{me['id']}", json={"role": "chair"}).json()["role"] == "chair"
        assert_error(http.delete(f"/api/users/{second['id']}"), 403, "forbidden")  # a chair now


async def test_two_admins_revoking_each_other_at_once_leave_one_admin(lone_server: ServerProcess) -> None:
    """The last-admin rule holds under concurrency too: of two administrators who revoke
    each other at the same moment, one must be refused. Tried over several rounds, since
    the requests must meet inside the server to show a race."""
    survivor = _first_admin(lone_server)
    async with httpx.AsyncClient(base_url=lone_server.url, timeout=30) as http:
        for round_ in range(25):
            other, _ = Api.sign_in(survivor.add_user(f"Admin {round_}", "admin")["url"])
            survivor_id, other_id = survivor.me()["id"], other.me()["id"]
            by_survivor, by_other = await asyncio.gather(
                http.delete(f"/api/users/{other_id}", headers=bearer(survivor.token or "")),
                http.delete(f"/api/users/{survivor_id}", headers=bearer(other.token or "")),
            )
            statuses = (by_survivor.status_code, by_other.status_code)
            assert statuses != (200, 200), f"round {round_}: the two administrators revoked each other"
            survivor, survivor_id = (survivor, survivor_id) if by_survivor.status_code == 200 else (other, other_id)
            live = [user["id"] for user in survivor.users() if user["role"] == "admin" and not user["revoked"]]
            assert live == [survivor_id]


# The browser's sign-in

def test_the_sign_in_page_says_whom_the_link_is_for_and_does_not_use_it(http: httpx.Client, admin: Api) -> None:
    user = invited(admin, "chair")
    page = http.get("/signin", params={"invite": user.invite})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert user.name in page.text and "chair" in page.text and '<form method="post" action="/signin">' in page.text
    assert http.post("/api/signin", json={"invite": user.invite}).status_code == 201


def test_signing_in_in_the_browser_sets_a_strict_http_only_cookie_and_goes_home(
    http: httpx.Client, server: ServerProcess, admin: Api
) -> None:
    user = invited(admin, "drafter")
    response = browser_session(http, server, user.invite)
    assert response.status_code == 303 and response.headers["location"] == "/"
    (cookie,) = response.headers.get_list("set-cookie")
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")}
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "httponly" in attributes
    assert attributes["samesite"].lower() == "samesite=strict"
    assert attributes["path"] == "Path=/"
    session = response.cookies[SESSION_COOKIE]
    assert session != user.invite
    assert http.get("/api/me", headers=with_cookie(session)).json()["id"] == user.id
    assert browser_session(http, server, user.invite).status_code == 401  # once


@pytest.mark.parametrize("invite", ["not-an-invite", "x" * 500, ""], ids=["unknown", "too-long", "empty"])
def test_a_bad_sign_in_link_shows_a_401_page(http: httpx.Client, invite: str) -> None:
    page = http.get("/signin", params={"invite": invite})
    assert page.status_code == 401 and page.headers["content-type"].startswith("text/html")
    assert "no longer works" in page.text and "<form" not in page.text


def test_the_sign_in_page_escapes_a_user_name_holding_html(http: httpx.Client, admin: Api) -> None:
    name = f'<script>alert("pwned")</script> & <b>Co</b> {new_id()[:8]}'
    user = invited(admin, "drafter", name)
    page = http.get("/signin", params={"invite": user.invite})
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<b>Co</b>" not in page.text
    assert html.escape(name) in page.text


def test_a_cookie_signed_command_from_another_site_is_refused_and_from_ours_accepted(
    http: httpx.Client, server: ServerProcess, admin: Api
) -> None:
    user = invited(admin, "drafter")
    session = session_cookie(browser_session(http, server, user.invite))
    report_id = admin.create_report("Projet de rapport")

    def add_chapter(origin: str) -> httpx.Response:
        command = {"command_id": new_id(), "command": {"type": "AddChapter", "title": "Introduction"}}
        return http.post(f"/api/reports/{report_id}/commands", json=command, headers=with_cookie(session, Origin=origin))

    assert_error(add_chapter("https://evil.example"), 403, "forbidden")
    assert_error(add_chapter(f"http://127.0.0.1:{server.port + 1}"), 403, "forbidden")
    assert admin.report(report_id)[0] == 1

    accepted = add_chapter(server.url)
    assert accepted.status_code == 200, accepted.text
    assert [e.actor for e in admin.events(report_id, after=1)] == [user.id]


def test_signing_out_ends_the_session(http: httpx.Client, server: ServerProcess, admin: Api) -> None:
    token = api_token(http, invited(admin).invite)
    assert http.post("/api/signout", headers=bearer(token)).status_code == 204
    assert_error(http.get("/api/me", headers=bearer(token)), 401, "unauthenticated")


def test_health_and_sign_in_are_the_only_public_api(http: httpx.Client) -> None:
    assert http.get("/api/health").status_code == 200
    for path in ("/api/reports", "/api/me", "/api/people", "/api/users"):
        assert_error(http.get(path), 401, "unauthenticated")


async def test_no_token_or_invite_starts_with_a_dash(redis: aioredis.Redis) -> None:
    """A token is typed or pasted after `--token` on a command line: one starting with "-" (one
    in 64 of URL-safe base64) is read as an option there (`expected one argument`)."""
    accounts = Accounts(redis)
    user = await accounts.create_user("Token printer", "drafter")
    invites = [(await accounts.invite(user.id))[0] for _ in range(640)]
    assert not [invite for invite in invites if invite.startswith("-")]
    _, token = await accounts.redeem(invites[0], "api")
    assert not token.startswith("-") and len(token) >= 43
