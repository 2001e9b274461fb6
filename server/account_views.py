"""Signing in and out, and the administration of users and of roles per report.

The browser signs in with an invite link: `GET /signin?invite=…` shows whom the link is for
and a button, and only the button (`POST /signin`) uses the one-time invite, so that a mail
scanner that follows the link does not burn it. The session then lives in an HttpOnly,
SameSite=Strict cookie. The CLI and scripts exchange the invite for a bearer token instead
(`POST /api/signin`).
"""

import html
import urllib.parse

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from events.access import (
    Grant,
    Invitation,
    Me,
    NewUser,
    SignedIn,
    SignIn,
    UserChange,
    check_admin,
)
from events.errors import DomainError
from server.accounts import SESSION_TTL, User
from server.auth import SESSION_COOKIE, accounts_of, credentials, same_origin, user_of
from server.http import JSON, handles_domain_errors, read_body, report_id_of
from server.keys import is_report_id
from server.quotas import LimitsChange, quotas_of
from server.wire import parse

MAX_FORM_BYTES = 4_096


def invite_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/signin?invite={token}"


def _base_url(request: Request) -> str:
    return str(request.base_url)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    """A small page of server-made HTML: every value in it is escaped by the caller."""
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{title} · Rapporteur</title><link rel="icon" href="data:,">'
        f'<link rel="stylesheet" href="/web/style.css"></head>'
        f'<body><main class="signin">{body}</main></body></html>',
        status,
    )


_USED = (
    "<h1>This sign-in link no longer works</h1>"
    "<p>It was used already, it has expired, or the user was revoked. Ask an administrator for a new one.</p>"
)


async def signin_page(request: Request) -> Response:
    invite = request.query_params.get("invite", "")
    user = await accounts_of(request).invited(invite) if invite else None
    if user is None or user.revoked_at is not None:
        return _page("Sign in", _USED, 401)
    name = html.escape(user.name)
    return _page(
        "Sign in",
        f"<h1>Sign in to Rapporteur</h1><p>This link signs you in as <strong>{name}</strong> "
        f"({html.escape(user.role)}). It works once.</p>"
        f'<form method="post" action="/signin"><input type="hidden" name="invite" value="{html.escape(invite, quote=True)}">'
        f'<button type="submit" class="primary">Sign in as {name}</button></form>',
    )


async def signin(request: Request) -> Response:
    if not same_origin(request.headers, request.app.state.allowed_origins):
        return _page("Sign in", "<h1>Sign in from Rapporteur's own page</h1>", 403)
    try:
        form = urllib.parse.parse_qs((await read_body(request, MAX_FORM_BYTES)).decode("utf-8", "replace"))
        invite = (form.get("invite") or [""])[0]
        _, token = await accounts_of(request).redeem(invite, "session")
    except DomainError:
        return _page("Sign in", _USED, 401)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_TTL.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@handles_domain_errors
async def api_signin(request: Request) -> Response:
    body = parse(await read_body(request, MAX_FORM_BYTES), SignIn)
    user, token = await accounts_of(request).redeem(body.invite, "api")
    return JSON(SignedIn(user=user.view(), token=token), 201)


@handles_domain_errors
async def signout(request: Request) -> Response:
    """Forget this session or token: it signs nobody in any more."""
    presented = credentials(request.headers, request.cookies)
    if presented is not None:
        await accounts_of(request).sign_out(presented[0])
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict")
    return response


@handles_domain_errors
async def me(request: Request) -> Response:
    """Who I am; with `?report=ID`, also my role in that report."""
    user = user_of(request)
    report = request.query_params.get("report")
    report_role = None
    if report is not None:
        if not is_report_id(report):
            raise DomainError("unknown_report", f"{report!r} is not a report id")
        report_role = await accounts_of(request).role_in(user, report)
    return JSON(Me(id=user.id, name=user.name, role=user.role, report_role=report_role))


@handles_domain_errors
async def people(request: Request) -> Response:
    """Every user's display name by id, to show the actors of events and authorship."""
    return JSON(await accounts_of(request).names())


def _admin(request: Request) -> User:
    user = user_of(request)
    check_admin(user.role)
    return user


def _user_id(request: Request) -> str:
    return request.path_params["user_id"]


async def _invitation(request: Request, user_id: str) -> Invitation:
    accounts = accounts_of(request)
    token, expires = await accounts.invite(user_id)
    user = await accounts.existing_user(user_id)
    return Invitation(user=user.view(), url=invite_url(_base_url(request), token), expires_at=expires.isoformat())


@handles_domain_errors
async def list_users(request: Request) -> Response:
    _admin(request)
    return JSON([user.view() for user in await accounts_of(request).users()])


@handles_domain_errors
async def add_user(request: Request) -> Response:
    """A new user, and their invite link: the only time anyone sees it."""
    _admin(request)
    body = parse(await read_body(request, MAX_FORM_BYTES), NewUser)
    user = await accounts_of(request).create_user(body.name, body.role)
    return JSON(await _invitation(request, user.id), 201)


@handles_domain_errors
async def change_user(request: Request) -> Response:
    _admin(request)
    body = parse(await read_body(request, MAX_FORM_BYTES), UserChange)
    return JSON((await accounts_of(request).change(_user_id(request), body.name, body.role)).view())


@handles_domain_errors
async def reinvite_user(request: Request) -> Response:
    _admin(request)
    return JSON(await _invitation(request, _user_id(request)), 201)


@handles_domain_errors
async def revoke_user(request: Request) -> Response:
    _admin(request)
    return JSON((await accounts_of(request).revoke(_user_id(request))).view())


@handles_domain_errors
async def user_limits(request: Request) -> Response:
    _admin(request)
    user = await accounts_of(request).existing_user(_user_id(request))
    return JSON(await quotas_of(request).view(user))


@handles_domain_errors
async def change_user_limits(request: Request) -> Response:
    """Raise (or lower) a user's limits, or bring them back to the server's defaults: in force
    at once on every process, on open live connections within the sign-in recheck period."""
    _admin(request)
    change = parse(await read_body(request, MAX_FORM_BYTES), LimitsChange)
    user = await accounts_of(request).set_limits(_user_id(request), change.applied_to)
    return JSON(await quotas_of(request).view(user))


@handles_domain_errors
async def list_grants(request: Request) -> Response:
    _admin(request)
    return JSON(await accounts_of(request).grants(report_id_of(request)))


@handles_domain_errors
async def put_grant(request: Request) -> Response:
    _admin(request)
    body = parse(await read_body(request, MAX_FORM_BYTES), Grant)
    report_id = report_id_of(request)
    await accounts_of(request).grant(report_id, _user_id(request), body.role)
    return JSON(await accounts_of(request).grants(report_id))


@handles_domain_errors
async def delete_grant(request: Request) -> Response:
    _admin(request)
    report_id = report_id_of(request)
    await accounts_of(request).grant(report_id, _user_id(request), None)
    return JSON(await accounts_of(request).grants(report_id))


routes = [
    Route("/signin", signin_page, methods=["GET"]),
    Route("/signin", signin, methods=["POST"]),
    Route("/api/signin", api_signin, methods=["POST"]),
    Route("/api/signout", signout, methods=["POST"]),
    Route("/api/me", me, methods=["GET"]),
    Route("/api/people", people, methods=["GET"]),
    Route("/api/users", list_users, methods=["GET"]),
    Route("/api/users", add_user, methods=["POST"]),
    Route("/api/users/{user_id}", change_user, methods=["PATCH"]),
    Route("/api/users/{user_id}", revoke_user, methods=["DELETE"]),
    Route("/api/users/{user_id}/invite", reinvite_user, methods=["POST"]),
    Route("/api/users/{user_id}/limits", user_limits, methods=["GET"]),
    Route("/api/users/{user_id}/limits", change_user_limits, methods=["PATCH"]),
    Route("/api/reports/{report_id}/roles", list_grants, methods=["GET"]),
    Route("/api/reports/{report_id}/roles/{user_id}", put_grant, methods=["PUT"]),
    Route("/api/reports/{report_id}/roles/{user_id}", delete_grant, methods=["DELETE"]),
]
