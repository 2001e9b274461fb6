"""What keeps text from becoming code or a key: the headers on every response, the editor's
page without inline script, the sign-in page's escaping, the session cookie's flags, and Redis
keys built only from ids of a known shape.

A Content-Security-Policy of `script-src 'self'` without 'unsafe-inline' means that markup a
drafter typed, should it ever reach a page unescaped, still cannot run; `frame-ancestors
'none'` that no other site can frame the editor to trick a click; `nosniff` that a browser
never reads a report's text as a script.
"""

import html.parser
import uuid
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from server import keys
from server.auth import SESSION_COOKIE
from server.static import WEB_DIR
from tests.conftest import People
from tests.processes import ServerProcess

ADMIN = "headers-admin"


@pytest.fixture
def http(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def _policy(response: httpx.Response) -> dict[str, list[str]]:
    """The Content-Security-Policy's directives, by name."""
    directives = {}
    for directive in response.headers["content-security-policy"].split(";"):
        name, *values = directive.split()
        directives[name.lower()] = values
    return directives


def _signed_in(people: People) -> dict[str, str]:
    return people.headers("headers-reader", "viewer")


RESPONSES: list[object] = [
    pytest.param("/", None, 200, "text/html", id="editor-page"),
    pytest.param("/web/app.js", None, 200, "text/javascript", id="editor-module"),
    pytest.param("/web/style.css", None, 200, "text/css", id="editor-styles"),
    pytest.param("/signin?invite=x", None, 401, "text/html", id="sign-in-page-with-a-bad-invite"),
    pytest.param("/api/me", _signed_in, 200, "application/json", id="api-answer"),
    pytest.param(f"/api/reports/{uuid.uuid4()}", _signed_in, 404, "application/json", id="api-error"),
    pytest.param("/api/reports", None, 401, "application/json", id="api-unauthenticated"),
    pytest.param("/api/health", None, 200, "application/json", id="health"),
    pytest.param("/nowhere", None, 404, "text/plain", id="no-such-page"),
]


@pytest.mark.parametrize(("path", "credentials", "status", "media_type"), RESPONSES)
def test_every_response_carries_the_security_headers(
    http: httpx.Client,
    people: People,
    path: str,
    credentials: Callable[[People], dict[str, str]] | None,
    status: int,
    media_type: str,
) -> None:
    response = http.get(path, headers=credentials(people) if credentials else None)
    assert response.status_code == status
    assert response.headers["content-type"].split(";")[0] == media_type
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'none'"]
    assert all("'unsafe-inline'" not in values and "'unsafe-eval'" not in values for values in policy.values())
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("format", ["html", "docx", "txt"])
def test_a_rendered_report_carries_the_security_headers(http: httpx.Client, people: People, format: str) -> None:
    """A report rendered as HTML holds what drafters typed: the policy applies there most of all."""
    headers = people.headers("headers-drafter", "drafter")
    report = http.post("/api/reports", json={"title": "<script>alert(1)</script>"}, headers=headers).json()["id"]
    response = http.get(f"/api/reports/{report}/render", params={"format": format}, headers=headers)
    assert response.status_code == 200
    policy = _policy(response)
    # Scripts from this site at most; without a script-src of its own, default-src decides.
    assert policy.get("script-src", policy["default-src"]) in (["'self'"], ["'none'"])
    assert all("'unsafe-inline'" not in values and "'unsafe-eval'" not in values for values in policy.values())
    assert policy["frame-ancestors"] == ["'none'"]
    assert response.headers["x-content-type-options"] == "nosniff"


class _Markup(html.parser.HTMLParser):
    """The scripts of a page and its inline event handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.inline_code: list[str] = []
        self.handlers: list[str] = []
        self.code_urls: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handlers += [f"<{tag} {name}>" for name, _ in attrs if name.startswith("on")]
        self.code_urls += [value for _, value in attrs if value and value.strip().lower().startswith("javascript:")]
        if tag == "script":
            self.scripts.append(dict(attrs))
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_code.append(data)


def _markup(page: str) -> _Markup:
    parser = _Markup()
    parser.feed(page)
    parser.close()
    return parser


def test_the_editor_page_has_no_inline_script_and_no_event_handler_attributes(http: httpx.Client) -> None:
    served = http.get("/").text
    assert served == (WEB_DIR / "index.html").read_text(encoding="utf-8")
    markup = _markup(served)
    assert markup.scripts, "the editor loads its modules with <script src>"
    assert all(script.get("src", "").startswith("/web/") for script in markup.scripts)
    assert markup.inline_code == []
    assert markup.handlers == []
    assert markup.code_urls == []


def _invite(http: httpx.Client, people: People, name: str) -> str:
    response = http.post("/api/users", json={"name": name, "role": "drafter"}, headers=people.headers(ADMIN, "admin"))
    assert response.status_code == 201, response.text
    return parse_qs(urlsplit(response.json()["url"]).query)["invite"][0]


def test_the_sign_in_page_shows_a_hostile_name_as_text(http: httpx.Client, people: People) -> None:
    name = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    page = http.get("/signin", params={"invite": _invite(http, people, name)})
    assert page.status_code == 200
    assert "&lt;script&gt;" in page.text
    markup = _markup(page.text)
    assert markup.scripts == [] and markup.handlers == []
    assert "<img" not in page.text
    assert _policy(page)["script-src"] == ["'self'"]


def test_the_session_cookie_is_out_of_reach_of_scripts_and_other_sites(http: httpx.Client, people: People) -> None:
    response = http.post("/signin", data={"invite": _invite(http, people, "Cookie Monster")})
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "httponly" in attributes
    assert attributes["samesite"].lower() == "samesite=strict"
    assert attributes["path"] == "Path=/"


# Redis keys


REPORT = "0b7e2a55-6c1d-4f4e-9a53-2f0d8a3c9b11"
DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
BAD_IDS = [
    pytest.param(REPORT + "\n", id="trailing-newline"),
    pytest.param("\n" + REPORT, id="leading-newline"),
    pytest.param(REPORT[:8] + "\r\n" + REPORT[10:], id="newline-inside"),
    pytest.param("{" + REPORT + "}", id="braces"),
    pytest.param(REPORT + "}:events", id="closing-brace"),
    pytest.param("*", id="wildcard"),
    pytest.param(REPORT[:-1] + "*", id="wildcard-inside"),
    pytest.param(REPORT.upper(), id="uppercase-uuid"),
    pytest.param(REPORT.replace("-", ""), id="uuid-without-dashes"),
    pytest.param("", id="empty"),
    pytest.param(" " + REPORT, id="leading-space"),
    pytest.param(REPORT + "\x00", id="nul"),
    pytest.param("rapporteur:users", id="another-key"),
]
REPORT_KEYS = [keys.events_key, keys.commands_key, keys.snapshots_key, keys.presence_key, keys.presence_channel, keys.roles_key]


@pytest.mark.parametrize("bad_id", BAD_IDS)
@pytest.mark.parametrize("key_of", [*REPORT_KEYS, keys.user_tokens_key], ids=lambda function: function.__name__)
def test_a_key_is_never_built_from_an_id_of_another_shape(key_of: Callable[[str], str], bad_id: str) -> None:
    with pytest.raises(ValueError):
        key_of(bad_id)


@pytest.mark.parametrize(
    "bad_digest",
    [
        pytest.param(DIGEST.upper(), id="uppercase"),
        pytest.param(DIGEST[:-1], id="too-short"),
        pytest.param(DIGEST + "0", id="too-long"),
        pytest.param(DIGEST + "\n", id="trailing-newline"),
        pytest.param(DIGEST[:-1] + "*", id="wildcard"),
        pytest.param("{" + DIGEST[2:] + "}", id="braces"),
        pytest.param("", id="empty"),
    ],
)
def test_a_token_key_is_never_built_from_anything_but_a_digest(bad_digest: str) -> None:
    with pytest.raises(ValueError):
        keys.token_key(bad_digest)


@pytest.mark.parametrize("not_text", [None, 42, REPORT.encode()], ids=["none", "number", "bytes"])
def test_a_key_is_never_built_from_a_value_that_is_not_text(not_text: object) -> None:
    for key_of in [*REPORT_KEYS, keys.user_tokens_key]:
        with pytest.raises(ValueError):
            key_of(not_text)  # type: ignore[arg-type]


def test_valid_ids_give_keys_that_name_them() -> None:
    """The other side of the refusals: a well-formed id makes its key, and can be read back."""
    assert keys.events_key(REPORT) == f"report:{{{REPORT}}}:events"
    assert keys.report_of_events_key(keys.events_key(REPORT).encode()) == REPORT
    assert keys.report_of_presence_channel(keys.presence_channel(REPORT)) == REPORT
    assert keys.user_tokens_key(REPORT) == f"rapporteur:user:{REPORT}:tokens"
    assert keys.token_key(DIGEST) == f"rapporteur:token:{DIGEST}"
