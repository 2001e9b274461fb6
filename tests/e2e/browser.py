"""Drafters at their browsers: Debian's headless Chromium driven by Playwright.

The browser is the system's (`/usr/bin/chromium`); Playwright's own downloads are never used.
Each test gets its own browser, closed when it ends, and opens one tab (context) per drafter;
the `editors` fixture closes them all too, pass or fail.
"""

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, sync_playwright

from client.api import Api
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


@pytest.fixture
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
    """One drafter's tab on the editor, signed in under their name."""

    def __init__(self, browser: Browser, server: ServerProcess, drafter: str) -> None:
        self.server = server
        self.drafter = drafter
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.add_init_script(RECORD_SOCKETS)
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(STEP_TIMEOUT_MS)
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, report_id: str) -> "Editor":
        """Go to the report, give the drafter's name as a newcomer does, wait for the report."""
        self.page.goto(f"{self.server.url}/#/reports/{report_id}")
        self.page.fill("#drafter-name", self.drafter)
        self.page.click(".name-form button[type=submit]")
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
def editors(browser: Browser, server: ServerProcess) -> Iterator[Callable[[str], Editor]]:
    """`editors("alice")`: a new tab for that drafter; all closed at the end of the test."""
    opened: list[Editor] = []

    def open_editor(drafter: str) -> Editor:
        editor = Editor(browser, server, drafter)
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
