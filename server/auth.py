"""Who is speaking, on every path: the bearer token or the session cookie, checked in Redis.

Every `/api/` request passes `RequireSignIn` first, so no route can forget to authenticate;
the few that must work signed out (redeeming an invite) are listed in PUBLIC. The live
WebSocket authenticates in its endpoint, where a refusal can be said with a close code.

A browser sends its cookie to every request for our site, even one a hostile page makes it
send: so a request authenticated by cookie that changes something, and every WebSocket,
must come from our own origin (or one configured as allowed). Bearer tokens are never sent
by a browser on its own, so requests carrying one need no such check.
"""

import random
import re
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from events.access import Actor
from events.errors import DomainError
from server.accounts import Accounts, User
from server.http import error_response

SESSION_COOKIE = "rapporteur_session"
PUBLIC = frozenset({"/api/signin", "/api/health"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_BEARER = re.compile(r"^Bearer\s+(\S+)\s*$", re.IGNORECASE)


def credentials(headers: Headers, cookies: dict[str, str]) -> tuple[str, bool] | None:
    """The token presented, and whether it came in a cookie."""
    authorization = headers.get("authorization")
    if authorization is not None:
        match = _BEARER.match(authorization)
        if match is None:
            raise DomainError("unauthenticated", "the Authorization header takes the form `Bearer <token>`")
        return match.group(1), False
    cookie = cookies.get(SESSION_COOKIE)
    return (cookie, True) if cookie else None


def same_origin(headers: Headers, allowed: Iterable[str] = ()) -> bool:
    """True without an Origin (not a browser, or a same-origin GET), or when the Origin names
    this host (as the client reached it) or one of the `allowed` origins."""
    origin = headers.get("origin")
    if origin is None:
        return True
    if origin in allowed:
        return True
    host = headers.get("host")
    return host is not None and urlsplit(origin).netloc.lower() == host.lower()


async def authenticate(connection: HTTPConnection, *, changes: bool) -> User:
    """The signed-in user of a request or WebSocket, or DomainError (401/403)."""
    state = connection.app.state
    presented = credentials(connection.headers, connection.cookies)
    if presented is None:
        raise DomainError("unauthenticated", "sign in: open your invite link, or send `Authorization: Bearer <token>`")
    token, by_cookie = presented
    if by_cookie and changes and not same_origin(connection.headers, state.allowed_origins):
        raise DomainError("forbidden", f"requests from {connection.headers.get('origin')} may not act for you here")
    user = await accounts_of(connection).authenticate(token)
    if user is None:
        raise DomainError("unauthenticated", "this token or session is unknown, expired or revoked: sign in again")
    return user


def accounts_of(connection: HTTPConnection) -> Accounts:
    return connection.app.state.accounts


def user_of(connection: HTTPConnection) -> User:
    """The user `RequireSignIn` authenticated for this request."""
    return connection.state.user


async def actor_of(connection: HTTPConnection, report_id: str) -> Actor:
    """The signed-in user with their role in the report: what the service checks commands
    against and stamps into events."""
    return await actor_in(connection, user_of(connection), report_id)


async def actor_in(connection: HTTPConnection, user: User, report_id: str) -> Actor:
    return Actor(id=user.id, role=await accounts_of(connection).role_in(user, report_id))


class RequireSignIn:
    """ASGI middleware: an `/api/` request without a valid token gets 401 `unauthenticated`
    (or 403 `forbidden` from another site) before any route sees it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/") or scope["path"] in PUBLIC:
            return await self.app(scope, receive, send)
        connection = HTTPConnection(scope)
        try:
            user = await authenticate(connection, changes=scope["method"] not in SAFE_METHODS)
        except DomainError as error:
            return await error_response(error)(scope, receive, send)
        scope.setdefault("state", {})["user"] = user
        await self.app(scope, receive, send)


# How long an open WebSocket trusts its sign-in before checking it again: a revoked token or
# a changed role takes effect on connections already open within this time.
RECHECK_SECONDS = 5.0


class SignedInSocket:
    """The user behind a live connection, rechecked at most every RECHECK_SECONDS."""

    def __init__(self, websocket: HTTPConnection, actor: Actor, user: User, report_id: str) -> None:
        """`actor`: as just checked, when the socket was accepted."""
        self.accounts = accounts_of(websocket)
        presented = credentials(websocket.headers, websocket.cookies)
        assert presented is not None  # authenticated before the socket was accepted
        self._token = presented[0]
        self.user = user
        self.report_id = report_id
        self._actor = actor
        self._checked_at = time.monotonic()
        # Connections opened together do not all check again at the same moment.
        self._every = RECHECK_SECONDS * random.uniform(0.8, 1.0)

    async def actor(self) -> Actor:
        """The user and their role now, or DomainError `unauthenticated` once revoked."""
        now = time.monotonic()
        if now - self._checked_at >= self._every:
            user = await self.accounts.authenticate(self._token)
            if user is None:
                raise DomainError("unauthenticated", "this session was revoked or has expired: sign in again")
            self.user = user
            self._actor = Actor(id=user.id, role=await self.accounts.role_in(user, self.report_id))
            self._checked_at = now
        return self._actor
