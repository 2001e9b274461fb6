"""Drafters in the browser editor, in headless Chromium, on a real server and a real Redis,
each signed in with their own session: two of them type in the same paragraph at once and end
with the same text as the server, their words coloured by who wrote them and labelled with
their names; each sees where the other is; what they type is shown as text, never run, in the
editor and in the HTML export; a chapter the chair adopts locks in every open tab; and what is
typed through a dropped connection arrives exactly once.
"""

import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from client.api import Api
from tests.conftest import People
from tests.e2e.browser import Editor, browser, editors, person, server_text  # noqa: F401 (fixtures)
from tests.processes import ServerProcess

pytestmark = pytest.mark.timeout(45)

Editors = Callable[[str], Editor]


def new_id() -> str:
    return str(uuid.uuid4())


def add_chapter(api: Api, report_id: str, title: str) -> str:
    chapter_id = new_id()
    api.submit(report_id, {"type": "AddChapter", "chapter_id": chapter_id, "title": title})
    return chapter_id


def add_paragraph(api: Api, report_id: str, chapter_id: str, text: str) -> str:
    paragraph_id = new_id()
    api.submit(report_id, {"type": "AddParagraph", "paragraph_id": paragraph_id, "chapter_id": chapter_id, "text": text})
    return paragraph_id


def test_two_drafters_typing_in_one_paragraph_end_with_the_same_text(
    editors: Editors, api: Api, server: ServerProcess, people: People, new_report: str, tmp_path: Path
) -> None:
    alice_api = person(people, server, "Alice Martin")
    chapter = add_chapter(alice_api, new_report, "Organisation de la réunion")
    opening = "Le Groupe de travail a tenu sa réunion à Vienne."
    paragraph = add_paragraph(alice_api, new_report, chapter, opening)
    alice, bruno = editors("Alice Martin").open(new_report), editors("Bruno Costa").open(new_report)
    alice.put_caret(paragraph, "end")
    bruno.put_caret(paragraph, "start")

    alice_words = [" Elle a", " adopté son", " ordre du jour", " 😀 sans vote."]
    bruno_words = ["À sa 1re", " séance,", " le 12 octobre", " 2021, "]
    for alice_typed, bruno_typed in zip(alice_words, bruno_words):
        alice.page.keyboard.type(alice_typed, delay=8)
        bruno.page.keyboard.type(bruno_typed, delay=8)

    expected = "".join(bruno_words) + opening + "".join(alice_words)
    for editor in (alice, bruno):
        editor.wait_until_settled()
        editor.wait_for_text(paragraph, expected)
    assert server_text(api, new_report, paragraph) == expected

    chiara = editors("Chiara Rossi").open(new_report)
    assert chiara.text(paragraph) == expected
    chiara.page.check("#show-authors")
    expect(chiara.page.locator(".legend li")).to_have_text(["Alice Martin", "Bruno Costa"])
    colours = chiara.paragraph(paragraph).locator(".backdrop .author").evaluate_all(
        "spans => spans.map(s => [s.textContent, s.style.getPropertyValue('--author')])"
    )
    by_colour: dict[str, str] = {}
    for text, colour in colours:
        by_colour[colour] = by_colour.get(colour, "") + text
    assert sorted(by_colour.values()) == sorted(["".join(bruno_words), opening + "".join(alice_words)])
    screenshot = tmp_path / "editor.png"
    chiara.page.screenshot(path=str(screenshot), full_page=True)
    print(f"screenshot of the co-edited paragraph: {screenshot}")


def test_a_drafter_sees_who_is_in_which_paragraph(editors: Editors, api: Api, new_report: str) -> None:
    chapter = add_chapter(api, new_report, "Ouverture")
    first = add_paragraph(api, new_report, chapter, "La réunion a été ouverte.")
    second = add_paragraph(api, new_report, chapter, "Des déclarations ont été faites.")
    alice, bruno = editors("Alice Martin").open(new_report), editors("Bruno Costa").open(new_report)

    bruno.put_caret(second, "end")
    expect(alice.paragraph(second).locator(".presence-tag")).to_have_text(["Bruno Costa"])
    expect(alice.paragraph(second).locator(".remote-caret")).to_have_attribute("data-name", "Bruno Costa")
    expect(alice.paragraph(first).locator(".presence-tag")).to_have_count(0)
    expect(alice.page.locator(".presence-list")).to_contain_text("Bruno Costa")
    expect(alice.page.locator(".presence-list")).to_contain_text("Alice Martin (you)")

    bruno.put_caret(first, "start")
    expect(alice.paragraph(first).locator(".presence-tag")).to_have_text(["Bruno Costa"])
    expect(alice.paragraph(second).locator(".presence-tag")).to_have_count(0)

    bruno.close()
    expect(alice.paragraph(first).locator(".presence-tag")).to_have_count(0)
    expect(alice.page.locator(".presence-list")).not_to_contain_text("Bruno Costa")


def test_markup_typed_by_a_drafter_is_shown_as_text(editors: Editors, api: Api) -> None:
    title = '<img src=x onerror="alert(1)">Rapport'
    report_id = api.create_report(title)
    chapter = add_chapter(api, report_id, "<b onmouseover=alert(2)>Chapitre</b>")
    script = "<script>alert(1)</script> et [<img src=x onerror=alert(3)>]"
    paragraph = add_paragraph(api, report_id, chapter, script)
    dialogs: list[str] = []

    ines = editors("<i>Ines</i> & Co")
    ines.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    ines.open(report_id)
    ines.put_caret(paragraph, "end")
    ines.page.keyboard.type(" <svg onload=alert(4)>")
    ines.wait_until_settled()

    assert ines.text(paragraph) == script + " <svg onload=alert(4)>"
    expect(ines.page.locator(".report-title")).to_have_text(title)
    expect(ines.page.locator(".chapter h2 .title")).to_have_text("<b onmouseover=alert(2)>Chapitre</b>")
    expect(ines.page.locator(".placeholder-list mark")).to_have_text(["[<img src=x onerror=alert(3)>]"])
    expect(ines.page.locator(".user-name")).to_have_text("<i>Ines</i> & Co")
    expect(ines.page.locator(".presence-list")).to_contain_text("<i>Ines</i> & Co (you)")
    ines.page.check("#show-authors")
    expect(ines.page.locator(".legend li")).to_contain_text(["<i>Ines</i> & Co"])
    assert ines.page.locator("body img, body script:not([src]), body svg, body b, body i").count() == 0
    ines.page.goto(f"{ines.server.url}/#/")
    expect(ines.page.locator(".report-list")).to_contain_text(title)
    assert dialogs == []


def test_the_chair_adopts_a_chapter_and_it_locks_in_every_open_editor(editors: Editors, api: Api, new_report: str) -> None:
    adopted = add_chapter(api, new_report, "Organisation de la réunion")
    still_open = add_chapter(api, new_report, "Recommandations")
    frozen = add_paragraph(api, new_report, adopted, "La réunion a été ouverte.")
    editable = add_paragraph(api, new_report, still_open, "Le Groupe de travail a recommandé")
    alice, bruno = editors("Alice Martin").open(new_report), editors("Bruno Costa").open(new_report)
    assert bruno.textarea(frozen).is_editable()
    # Bruno drafts; adopting is for the chair: he is offered no adoption at all.
    expect(bruno.page.locator(".chapter h2 button.adopt")).to_have_count(2)
    expect(bruno.page.locator(".chapter h2 button.adopt:visible, .adopt-report:visible")).to_have_count(0)
    expect(alice.page.locator(".chapter h2 button.adopt:visible")).to_have_count(2)
    expect(alice.page.locator(".adopt-report")).to_be_visible()

    alice.page.locator(f".chapter[data-id='{adopted}'] button.adopt").click()

    expect(bruno.textarea(frozen)).not_to_be_editable()
    expect(bruno.page.locator(f".chapter[data-id='{adopted}'] .badge")).to_be_visible()
    expect(alice.page.locator(f".chapter[data-id='{adopted}'] button.reopen")).to_be_visible()
    expect(bruno.page.locator(".chapter h2 button.reopen:visible")).to_have_count(0)
    expect(bruno.textarea(editable)).to_be_editable()
    bruno.textarea(frozen).click()
    bruno.page.keyboard.type("ajout")
    bruno.put_caret(editable, "end")
    bruno.page.keyboard.type(" ce qui suit.")
    bruno.wait_until_settled()
    assert server_text(api, new_report, frozen) == "La réunion a été ouverte."
    assert server_text(api, new_report, editable) == "Le Groupe de travail a recommandé ce qui suit."

    alice.page.click(".adopt-report")  # asked twice: an adopted report can no longer change
    alice.page.check(".adopt-report-confirm input[name=ad_referendum]")
    alice.page.click(".adopt-report-confirm button[type=submit]")
    expect(bruno.page.locator(".report-adopted")).to_have_text("The report was adopted ad referendum.")
    expect(bruno.textarea(editable)).not_to_be_editable()
    expect(alice.page.locator(".adopt-report:visible, .chapter h2 button:visible")).to_have_count(0)
    _, report = api.report(new_report)
    assert (report.adopted, report.ad_referendum) == (True, True)


def test_what_is_typed_through_a_dropped_connection_arrives_once(editors: Editors, api: Api, new_report: str) -> None:
    chapter = add_chapter(api, new_report, "Adoption du rapport")
    paragraph = add_paragraph(api, new_report, chapter, "Le rapport a été adopté")
    alice = editors("Alice Martin").open(new_report)
    alice.put_caret(paragraph, "end")

    alice.context.set_offline(True)
    expect(alice.page.locator("#status")).to_have_attribute("data-state", "offline")
    alice.page.keyboard.type(" le 13 octobre", delay=5)
    expect(alice.page.locator("#status")).not_to_have_attribute("data-unsent", "0")
    assert server_text(api, new_report, paragraph) == "Le rapport a été adopté"
    alice.context.set_offline(False)
    alice.wait_until_settled()
    assert server_text(api, new_report, paragraph) == "Le rapport a été adopté le 13 octobre"

    # Sent, then the connection drops before the acknowledgement: the retry (same command_id)
    # must not apply it twice.
    alice.page.keyboard.type(" 2021")
    alice.drop_connection()
    alice.page.keyboard.type(".")
    alice.wait_until_settled()
    expected = "Le rapport a été adopté le 13 octobre 2021."
    assert server_text(api, new_report, paragraph) == expected
    assert alice.text(paragraph) == expected
    edits = [e for e in api.events(new_report) if e.type == "ParagraphTextEdited"]
    assert len({e.command_id for e in edits}) == len(edits)


def test_a_placeholder_is_filled_in_one_click_and_a_statement_joins_its_list(
    editors: Editors, api: Api, new_report: str
) -> None:
    chapter = add_chapter(api, new_report, "Résumé des délibérations")
    meeting = add_paragraph(api, new_report, chapter, "À sa 1re séance, tenue le [12] octobre 2021, le Groupe a siégé.")
    item = new_id()
    api.submit(new_report, {"type": "AddAgendaItem", "agenda_item_id": item, "title": "Questions d’organisation"})
    statements = new_id()
    api.submit(new_report, {
        "type": "AddParagraph", "paragraph_id": statements, "chapter_id": chapter, "text": "",
        "listing": {"kind": "statements", "agenda_item_id": item, "category": "party"},
    })
    alice = editors("Alice Martin").open(new_report)

    placeholder = alice.paragraph(meeting).locator(".backdrop .placeholder")
    expect(placeholder).to_have_text("[12]")
    box = placeholder.bounding_box()
    alice.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    alice.paragraph(meeting).locator(".fill-bar button[type=submit]").click()
    alice.wait_for_text(meeting, "À sa 1re séance, tenue le 12 octobre 2021, le Groupe a siégé.")
    expect(alice.page.locator(".placeholder-list")).to_contain_text("None left")

    alice.page.select_option("select[name=agenda_item]", item)
    alice.page.select_option("select[name=category]", "party")
    alice.page.fill("input[name=delegation]", "Arménie")
    alice.page.click(".statement-form button[type=submit]")
    expect(alice.paragraph(statements).locator(".listing-preview")).to_contain_text("suivants : Arménie.")
    alice.wait_until_settled()
    assert server_text(api, new_report, meeting) == "À sa 1re séance, tenue le 12 octobre 2021, le Groupe a siégé."
    _, report = api.report(new_report)
    assert [s.delegation for s in report.statements] == ["Arménie"]


def script_sources(policy: str) -> list[str]:
    """Where a Content-Security-Policy lets scripts come from (script-src, else default-src)."""
    directives = {name: sources for name, *sources in (d.split() for d in policy.split(";") if d.strip())}
    return directives.get("script-src", directives.get("default-src", ["*"]))


PAYLOAD = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def test_a_script_in_a_paragraph_runs_neither_in_the_editor_nor_in_the_html_export(
    editors: Editors, api: Api, server: ServerProcess, new_report: str
) -> None:
    chapter = add_chapter(api, new_report, "Ouverture")
    paragraph = add_paragraph(api, new_report, chapter, PAYLOAD)
    dora = editors("Dora Weiss").open(new_report)
    page = dora.page

    assert dora.text(paragraph) == PAYLOAD
    drawn = dora.paragraph(paragraph).locator(".backdrop").evaluate("b => b.textContent.replace('\u200b', '')")
    assert drawn == PAYLOAD
    assert page.locator("body img, body script:not([src])").count() == 0
    assert page.evaluate("window.__pwned") is None

    export = page.goto(f"{server.url}/api/reports/{new_report}/render?format=html")  # with the session cookie
    assert export is not None and export.status == 200
    assert export.headers["content-type"].startswith("text/html")
    assert script_sources(export.headers["content-security-policy"]) in (["'self'"], ["'none'"])
    expect(page.locator("p.numbered")).to_contain_text([PAYLOAD])
    assert page.locator("img, script").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_the_editor_is_served_under_a_policy_that_runs_no_inline_script(server: ServerProcess) -> None:
    page = httpx.get(f"{server.url}/")
    module = httpx.get(f"{server.url}/web/app.js")
    for response in (page, module):
        assert response.status_code == 200
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
    assert page.headers["content-type"].startswith("text/html")
    assert module.headers["content-type"].startswith("text/javascript")
    assert httpx.get(f"{server.url}/web/vendor/ot-text-unicode.js").headers["content-type"].startswith("text/javascript")
    assert httpx.get(f"{server.url}/web/../../server/app.py").status_code == 404
