"""Accounts in the browser editor, in headless Chromium on a real server: the invite link signs
a browser in once, with an HttpOnly, SameSite=Strict session cookie, and signing out ends that
session; without one, the editor says how to sign in. Each person gets the report as their
role allows: a viewer reads it and cannot type; and what the page should not have offered (a
stale role) the server refuses, the page saying so, putting the text back, and laying itself
out for the role the server knows.
"""

import uuid
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from client.api import Api
from server.auth import SESSION_COOKIE
from tests.conftest import People
from tests.e2e.browser import (  # noqa: F401 (fixtures)
    Editor,
    browser,
    editors,
    invite_link,
    server_text,
    user_id,
)
from tests.processes import ServerProcess

pytestmark = pytest.mark.timeout(45)

Editors = Callable[[str | None], Editor]
SIGN_IN_HEADING = "Sign in with the invite link an administrator sent you"


def new_id() -> str:
    return str(uuid.uuid4())


def expect_signed_out(page: Page) -> None:
    expect(page.locator(".signed-out h2")).to_have_text(SIGN_IN_HEADING)
    expect(page.locator("main form, main input, main button")).to_have_count(0)
    expect(page.locator("#user")).to_be_empty()


def test_an_invite_link_signs_the_browser_in_once(editors: Editors, server: ServerProcess, people: People) -> None:
    sam = editors(None)
    page = sam.page
    link = invite_link(people, server, "Sam Okafor")
    page.goto(link)
    expect(page.locator("main.signin")).to_contain_text("Sam Okafor")
    with page.expect_navigation():
        page.locator("main.signin button[type=submit]").click()
    assert page.url == f"{server.url}/"
    expect(page.locator(".user-name")).to_have_text("Sam Okafor")
    expect(page.locator(".report-list")).to_be_visible()

    cookie = next(c for c in sam.context.cookies() if c["name"] == SESSION_COOKIE)
    assert (cookie["httpOnly"], cookie["sameSite"]) == (True, "Strict")
    assert page.evaluate("document.cookie") == ""  # no script on the page can read it
    me = httpx.get(f"{server.url}/api/me", cookies={SESSION_COOKIE: cookie["value"]})
    assert (me.status_code, me.json()["id"]) == (200, user_id(people, "Sam Okafor"))

    page.goto(link)  # the same link, a second time
    expect(page.locator("main.signin h1")).to_have_text("This sign-in link no longer works")
    expect(page.locator("main.signin form")).to_have_count(0)


def test_without_a_session_the_editor_says_how_to_sign_in_and_signing_out_ends_it(
    editors: Editors, server: ServerProcess, new_report: str
) -> None:
    nobody = editors(None)
    nobody.page.goto(f"{server.url}/#/reports/{new_report}")
    expect_signed_out(nobody.page)

    sam = editors("Sam Okafor")
    page = sam.page
    sam.open(new_report)
    expect(page.locator(".user-name")).to_have_text("Sam Okafor")
    session = next(c["value"] for c in sam.context.cookies() if c["name"] == SESSION_COOKIE)
    page.locator(".sign-out").click()
    expect_signed_out(page)
    assert [c for c in sam.context.cookies() if c["name"] == SESSION_COOKIE] == []
    gone = httpx.get(f"{server.url}/api/me", cookies={SESSION_COOKIE: session})
    assert (gone.status_code, gone.json()["code"]) == (401, "unauthenticated")
    page.goto(f"{server.url}/#/")
    expect_signed_out(page)


def test_a_viewer_reads_the_report_and_cannot_type_in_it(editors: Editors, api: Api, new_report: str) -> None:
    chapter, paragraph, item = new_id(), new_id(), new_id()
    text = "La réunion s’est tenue le [12] octobre."
    api.submit(new_report, {"type": "AddChapter", "chapter_id": chapter, "title": "Ouverture"})
    api.submit(new_report, {"type": "AddParagraph", "paragraph_id": paragraph, "chapter_id": chapter, "text": text})
    api.submit(new_report, {"type": "AddAgendaItem", "agenda_item_id": item, "title": "Ouverture de la session"})
    version = len(api.events(new_report))
    vera = editors("Vera Lind").open(new_report)
    page = vera.page

    expect(page.locator(".role-note")).to_have_text("Read-only: you are a viewer in this report.")
    expect(vera.textarea(paragraph)).not_to_be_editable()
    assert page.locator("[contenteditable]").count() == 0
    for control in (".chapter h2 button", ".add-chapter", ".adopt-report", ".record-statement", ".placeholder-list form"):
        expect(page.locator(f"{control}:visible")).to_have_count(0)
    expect(page.locator(".placeholder-list mark")).to_have_text(["[12]"])  # still listed, to read

    vera.put_caret(paragraph, "end")
    page.keyboard.type(" Ajout.")
    vera.textarea(paragraph).click()
    page.keyboard.press("Backspace")
    assert vera.text(paragraph) == text
    expect(vera.paragraph(paragraph).locator(".fill-bar")).to_be_hidden()
    vera.wait_until_settled()
    assert len(api.events(new_report)) == version
    assert server_text(api, new_report, paragraph) == text

    expect(page.locator(".history-entry")).to_have_count(version)  # the past is hers to read
    page.goto(f"{vera.server.url}/#/")
    expect(page.locator(".report-list")).to_be_visible()
    expect(page.locator(".new-report, .import-draft")).to_have_count(0)


def claim_role(page: Page, role: str) -> None:
    """The page is told, once, that the user has `role` in the report: a stale role, as if
    it had been taken away since. Later readings get the server's answer."""
    told = []

    def lie_once(route: Route) -> None:
        if told:
            route.continue_()
            return
        told.append(role)
        response = route.fetch()
        route.fulfill(response=response, json={**response.json(), "report_role": role})

    page.route(lambda url: "/api/me?report=" in url, lie_once)


def test_what_a_stale_role_offers_the_server_refuses_and_the_page_says_so(
    editors: Editors, api: Api, new_report: str
) -> None:
    chapter, paragraph = new_id(), new_id()
    text = "Le Groupe de travail a adopté son ordre du jour."
    api.submit(new_report, {"type": "AddChapter", "chapter_id": chapter, "title": "Organisation"})
    api.submit(new_report, {"type": "AddParagraph", "paragraph_id": paragraph, "chapter_id": chapter, "text": text})
    version = len(api.events(new_report))

    bruno = editors("Bruno Costa")  # a drafter, told he chairs
    claim_role(bruno.page, "chair")
    bruno.open(new_report)
    adopt = bruno.page.locator(f".chapter[data-id='{chapter}'] button.adopt")
    adopt.click()
    expect(bruno.page.locator(".toast")).to_contain_text("AdoptChapter needs the chair role in this report; you are a drafter here")
    expect(adopt).to_be_hidden()  # the role read again: a drafter's page
    expect(bruno.textarea(paragraph)).to_be_editable()

    vera = editors("Vera Lind")  # a viewer, told she drafts
    claim_role(vera.page, "drafter")
    vera.open(new_report)
    vera.put_caret(paragraph, "end")
    vera.page.keyboard.type(" Sans vote.")
    expect(vera.page.locator(".toast").first).to_contain_text("was refused: EditParagraphText needs the drafter role")
    vera.wait_for_text(paragraph, text)  # rolled back to the server's text
    expect(vera.textarea(paragraph)).not_to_be_editable()
    expect(vera.page.locator(".role-note")).to_be_visible()

    assert len(api.events(new_report)) == version
    assert server_text(api, new_report, paragraph) == text
    _, report = api.report(new_report)
    assert not report.chapters[0].adopted
