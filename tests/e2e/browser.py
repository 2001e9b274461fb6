"""Drafters at their browsers: Debian's headless Chromium driven by Playwright.

The browser is the system's (`/usr/bin/chromium`); Playwright's own downloads are never used.
One browser serves a whole test file; each drafter gets a context of their own (their own
cookies, so their own session), and the `editors` fixture closes every context a test opened,
pass or fail.

A drafter is signed in as the editor's users are: by the session cookie an invite link gives.
The tests mint that session with the same `Accounts` code the server uses (an invite, redeemed
for a session) and put it in the context's cookie jar; the invite link itself, clicked in the
browser, has a test of its own (test_browser_accounts.py).
"""

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from playwright.sync_api import Browser, Locator, Page, sync_playwright

from client.api import Api
from events.access import Role
from server.accounts import Accounts
from server.auth import SESSION_COOKIE
from tests.conftest import People, run_apart
from tests.processes import ServerProcess

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STEP_TIMEOUT_MS = 10_000

# The people of the browser tests and their default roles. `people` makes one user per name for
# the whole session, with the role of its first use: keeping the roles here keeps them the same
# in every file (and apart from the names other tests use).
CAST: dict[str, Role] = {
    "Alice Martin": "chair",
    "Bruno Costa": "drafter",
    "Chiara Rossi": "drafter",
    "Dora Weiss": "drafter",
    "Vera Lind": "viewer",
    "Sam Okafor": "drafter",
    "<i>Ines</i> & Co": "drafter",
}

# Every WebSocket the page opens, kept where a test can reach it (to drop the connection as a
# network would). Playwright injects it before the page's own scripts; the CSP does not apply.
RECORD_SOCKETS = """
window.__sockets = [];
const PageWebSocket = window.WebSocket;
window.WebSocket = class extends PageWebSocket {
  constructor(...args) { super(...args); window.__sockets.push(this); }
};
"""

SETTLED = """() => {
  const status = document.querySelector('#status');
  return status.dataset.state === 'connected' && status.dataset.unsent === '0';
}"""


async def _minted(redis_url: str, user_id: str, kind: str) -> str:
    client = aioredis.Redis.from_url(redis_url)
    try:
        accounts = Accounts(client)
        invite, _ = await accounts.invite(user_id)
        if kind == "invite":
            return invite
        _, token = await accounts.redeem(invite, "session")
        return token
    finally:
        await client.aclose()


def user_id(people: People, name: str) -> str:
    """The id of the cast member `name`, created with their role on first use."""
    return people.id(name, CAST[name])


def person(people: People, server: ServerProcess, name: str) -> Api:
    """The API as the cast member `name`."""
    return people.api(server, name, CAST[name])


def session_token(people: People, name: str) -> str:
    """A new browser session of `name`: an invite redeemed for a session, as POST /signin does."""
    return run_apart(_minted(people.redis_url, user_id(people, name), "session"))


def invite_link(people: People, server: ServerProcess, name: str) -> str:
    """A new one-time sign-in link for `name`, as an administrator sends it."""
    invite = run_apart(_minted(people.redis_url, user_id(people, name), "invite"))
    return f"{server.url}/signin?invite={invite}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"the browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Editor:
    """One drafter's tab on the editor; signed in with a session cookie when given a token."""

    def __init__(self, browser: Browser, server: ServerProcess, drafter: str, token: str | None = None) -> None:
        self.server = server
        self.drafter = drafter
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        if token is not None:
            self.context.add_cookies([
                {"name": SESSION_COOKIE, "value": token, "url": server.url, "httpOnly": True, "sameSite": "Strict"}
            ])
        self.context.add_init_script(RECORD_SOCKETS)
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(STEP_TIMEOUT_MS)
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, report_id: str) -> "Editor":
        """Go to the report and wait until it is on screen, laid out for the drafter's role."""
        self.page.goto(f"{self.server.url}/#/reports/{report_id}")
        self.page.wait_for_selector(".document[aria-busy=false]")
        self.wait_until_settled()
        return self

    def paragraph(self, paragraph_id: str) -> Locator:
        return self.page.locator(f".paragraph[data-id='{paragraph_id}']")

    def textarea(self, paragraph_id: str) -> Locator:
        return self.paragraph(paragraph_id).locator("textarea")

    def text(self, paragraph_id: str) -> str:
        return self.textarea(paragraph_id).input_value()

    def put_caret(self, paragraph_id: str, where: str) -> None:
        """Click into the paragraph and put the caret at its "start" or "end"."""
        self.textarea(paragraph_id).click()
        self.page.keyboard.press("Control+Home" if where == "start" else "Control+End")

    def status(self) -> dict[str, str]:
        return self.page.eval_on_selector("#status", "s => ({state: s.dataset.state, unsent: s.dataset.unsent})")

    def wait_until_settled(self) -> None:
        """Connected, with every edit sent and acknowledged."""
        self.page.wait_for_function(SETTLED)

    def wait_for_text(self, paragraph_id: str, text: str) -> None:
        self.page.wait_for_function(
            "([id, text]) => document.querySelector(`.paragraph[data-id='${id}'] textarea`)?.value === text",
            arg=[paragraph_id, text],
        )

    def drop_connection(self) -> None:
        """Close the live WebSocket from the browser's side, as a dropped network does."""
        self.page.evaluate("window.__sockets.filter(s => s.readyState === WebSocket.OPEN).forEach(s => s.close())")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def editors(browser: Browser, server: ServerProcess, people: People) -> Iterator[Callable[..., Editor]]:
    """`editors("Alice Martin")`: a new tab, signed in as that member of the CAST;
    `editors(None)`: a tab signed in as nobody. All closed at the end of the test."""
    opened: list[Editor] = []

    def open_editor(drafter: str | None) -> Editor:
        token = None if drafter is None else session_token(people, drafter)
        editor = Editor(browser, server, drafter or "(signed out)", token)
        opened.append(editor)
        return editor

    yield open_editor
    for editor in opened:
        editor.close()
    errors = [f"{editor.drafter}: {error}" for editor in opened for error in editor.errors]
    assert not errors, f"errors in the pages: {json.dumps(errors, ensure_ascii=False)}"


def server_text(api: Api, report_id: str, paragraph_id: str) -> str:
    """The paragraph's text in the server's projection (GET /api/reports/{id})."""
    _, report = api.report(report_id)
    return next(p.text for p in report.all_paragraphs() if p.id == paragraph_id)
