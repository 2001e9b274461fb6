"""Drafters in the browser editor, in headless Chromium, on a real server and a real Redis:
two of them type in the same paragraph at once and end with the same text as the server;
each sees where the other is; what they type is shown as text, never run; an adopted chapter
locks in every open tab; and what is typed through a dropped connection arrives exactly once.
"""

import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from client.api import Api
from tests.e2e.browser import Editor, browser, editors, server_text  # noqa: F401 (fixtures)
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
    editors: Editors, api: Api, new_report: str, tmp_path: Path
) -> None:
    chapter = add_chapter(api, new_report, "Organisation de la réunion")
    opening = "Le Groupe de travail a tenu sa réunion à Vienne."
    paragraph = add_paragraph(api, new_report, chapter, opening)
    alice, bruno = editors("alice").open(new_report), editors("bruno").open(new_report)
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

    chiara = editors("chiara").open(new_report)
    assert chiara.text(paragraph) == expected
    chiara.page.check("#show-authors")
    expect(chiara.page.locator(".legend li")).to_have_text(["alice", "bruno"])
    screenshot = tmp_path / "editor.png"
    chiara.page.screenshot(path=str(screenshot), full_page=True)
    print(f"screenshot of the co-edited paragraph: {screenshot}")


def test_a_drafter_sees_who_is_in_which_paragraph(editors: Editors, api: Api, new_report: str) -> None:
    chapter = add_chapter(api, new_report, "Ouverture")
    first = add_paragraph(api, new_report, chapter, "La réunion a été ouverte.")
    second = add_paragraph(api, new_report, chapter, "Des déclarations ont été faites.")
    alice, bruno = editors("alice").open(new_report), editors("bruno").open(new_report)

    bruno.put_caret(second, "end")
    expect(alice.paragraph(second).locator(".presence-tag")).to_have_text(["bruno"])
    expect(alice.paragraph(first).locator(".presence-tag")).to_have_count(0)
    expect(alice.page.locator(".presence-list")).to_contain_text("bruno")

    bruno.put_caret(first, "start")
    expect(alice.paragraph(first).locator(".presence-tag")).to_have_text(["bruno"])
    expect(alice.paragraph(second).locator(".presence-tag")).to_have_count(0)

    bruno.close()
    expect(alice.paragraph(first).locator(".presence-tag")).to_have_count(0)
    expect(alice.page.locator(".presence-list")).not_to_contain_text("bruno")


def test_markup_typed_by_a_drafter_is_shown_as_text(editors: Editors, api: Api) -> None:
    title = '<img src=x onerror="alert(1)">Rapport'
    report_id = api.create_report(title)
    chapter = add_chapter(api, report_id, "<b onmouseover=alert(2)>Chapitre</b>")
    script = "<script>alert(1)</script> et [<img src=x onerror=alert(3)>]"
    paragraph = add_paragraph(api, report_id, chapter, script)
    dialogs: list[str] = []

    alice = editors("<i>alice</i>")
    alice.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    alice.open(report_id)
    alice.put_caret(paragraph, "end")
    alice.page.keyboard.type(" <svg onload=alert(4)>")
    alice.wait_until_settled()

    assert alice.text(paragraph) == script + " <svg onload=alert(4)>"
    expect(alice.page.locator(".report-title")).to_have_text(title)
    expect(alice.page.locator(".chapter h2 .title")).to_have_text("<b onmouseover=alert(2)>Chapitre</b>")
    expect(alice.page.locator(".placeholder-list mark")).to_have_text(["[<img src=x onerror=alert(3)>]"])
    assert alice.page.locator("main img, main script:not([src]), main svg, main b").count() == 0
    alice.page.goto(f"{alice.server.url}/#/")
    expect(alice.page.locator(".report-list")).to_contain_text(title)
    assert dialogs == []


def test_an_adopted_chapter_is_locked_in_every_open_editor(editors: Editors, api: Api, new_report: str) -> None:
    adopted = add_chapter(api, new_report, "Organisation de la réunion")
    still_open = add_chapter(api, new_report, "Recommandations")
    frozen = add_paragraph(api, new_report, adopted, "La réunion a été ouverte.")
    editable = add_paragraph(api, new_report, still_open, "Le Groupe de travail a recommandé")
    alice, bruno = editors("alice").open(new_report), editors("bruno").open(new_report)
    assert bruno.textarea(frozen).is_editable()

    alice.page.locator(f".chapter[data-id='{adopted}'] button.adopt").click()

    expect(bruno.textarea(frozen)).not_to_be_editable()
    expect(bruno.page.locator(f".chapter[data-id='{adopted}'] .badge")).to_be_visible()
    expect(bruno.textarea(editable)).to_be_editable()
    bruno.textarea(frozen).click()
    bruno.page.keyboard.type("ajout")
    bruno.put_caret(editable, "end")
    bruno.page.keyboard.type(" ce qui suit.")
    bruno.wait_until_settled()
    assert server_text(api, new_report, frozen) == "La réunion a été ouverte."
    assert server_text(api, new_report, editable) == "Le Groupe de travail a recommandé ce qui suit."


def test_what_is_typed_through_a_dropped_connection_arrives_once(editors: Editors, api: Api, new_report: str) -> None:
    chapter = add_chapter(api, new_report, "Adoption du rapport")
    paragraph = add_paragraph(api, new_report, chapter, "Le rapport a été adopté")
    alice = editors("alice").open(new_report)
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
    alice = editors("alice").open(new_report)

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
