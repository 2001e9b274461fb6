"""Looking back in the browser editor, in headless Chromium on a real server: the time slider
shows the report at any version exactly as the server folds it (dragged, typed, stepped, from
the first version to the last), outlines each change in its author's colour, colours the past
by author too, follows new events and returns to the live report; the history panel lists
the events newest first with the server's summaries, a page at a time, filtered by drafter
and, in one click on a paragraph, by paragraph. Drafters are user ids in the events and shown
by their display names everywhere; an actor from before accounts is shown as it was recorded.
"""

import uuid
from dataclasses import dataclass

import httpx
import pytest
import redis.asyncio as aioredis
from playwright.sync_api import expect

from client.api import Api
from events.access import Actor
from events.commands import RetitleReport
from server.service import ReportService
from server.store import EventStore
from tests.conftest import People, run_apart
from tests.e2e.browser import Editor, browser, editors, person, user_id  # noqa: F401 (fixtures)
from tests.processes import ServerProcess

pytestmark = pytest.mark.timeout(30)


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class Story:
    """A report written by three drafters, one version at a time."""

    report_id: str
    opening: str  # the paragraph all three edit
    statements: str
    latest: int


@pytest.fixture
def story(server: ServerProcess, people: People) -> Story:
    alice, bruno, chiara = (person(people, server, name) for name in ("Alice Martin", "Bruno Costa", "Chiara Rossi"))
    report_id = alice.create_report("Projet de rapport")  # 1
    chapter, opening, statements = new_id(), new_id(), new_id()
    alice.submit(report_id, {"type": "AddChapter", "chapter_id": chapter, "title": "Organisation de la réunion"})  # 2
    alice.submit(report_id, {"type": "AddParagraph", "paragraph_id": opening, "chapter_id": chapter, "text": "La réunion a été ouverte."})  # 3
    bruno.submit(report_id, {"type": "AddParagraph", "paragraph_id": statements, "chapter_id": chapter, "text": "Des déclarations ont été faites."})  # 4
    bruno.submit(report_id, {"type": "EditParagraphText", "paragraph_id": opening, "base_revision": 0, "ops": [24, " le 12 octobre 2021"]})  # 5
    chiara.submit(report_id, {"type": "ReplaceParagraphText", "paragraph_id": statements, "text": "Des déclarations liminaires ont été faites."})  # 6
    alice.submit(report_id, {"type": "EditParagraphText", "paragraph_id": opening, "base_revision": 1, "ops": [{"d": 2}, "Cette"]})  # 7
    chiara.submit(report_id, {"type": "EditParagraphText", "paragraph_id": opening, "base_revision": 2, "ops": [27, " à Vienne"]})  # 8
    adoption = new_id()
    bruno.submit(report_id, {"type": "AddChapter", "chapter_id": adoption, "title": "Adoption du rapport"})  # 9
    chiara.submit(report_id, {"type": "AddParagraph", "paragraph_id": new_id(), "chapter_id": adoption, "text": "Le rapport a été adopté."})  # 10
    return Story(report_id, opening, statements, latest=10)


def server_paragraphs(api: Api, report_id: str, version: int) -> list[tuple[str, str]]:
    """(id, text) of each paragraph in reading order, at `version`, as GET ?at= folds it."""
    _, report = api.report(report_id, at=version)
    return [(p.id, p.text) for p in report.all_paragraphs()]


def shown_paragraphs(editor: Editor, version: int) -> list[tuple[str, str]]:
    """(id, text) of each paragraph the slider shows, once it shows `version`."""
    editor.page.wait_for_selector(f".replay-document[data-version='{version}']")
    shown = editor.page.eval_on_selector_all(
        ".replay-document .replay-paragraph",
        "ps => ps.map(p => [p.dataset.id, p.querySelector('.replay-text').textContent])",
    )
    return [tuple(pair) for pair in shown]


def open_slider(editor: Editor) -> None:
    editor.page.click(".timeline-open")
    editor.page.wait_for_selector(".timeline-bar[aria-busy=false]")


def test_the_time_slider_shows_each_version_exactly_as_the_server_folds_it(
    editors, api: Api, story: Story
) -> None:
    dora = editors("Dora Weiss").open(story.report_id)
    page = dora.page
    open_slider(dora)
    expect(page.locator(".timeline-total")).to_have_text(f" of {story.latest}")
    assert shown_paragraphs(dora, story.latest) == server_paragraphs(api, story.report_id, story.latest)
    expect(page.locator(".document[aria-busy]")).to_be_hidden()  # the live, editable report
    assert page.locator(".replay-document textarea, .replay-document [contenteditable]").count() == 0

    def shows(version: int) -> None:
        assert shown_paragraphs(dora, version) == server_paragraphs(api, story.report_id, version), f"version {version}"

    page.locator(".timeline-range").fill("5")  # dragged to the middle
    shows(5)
    expect(page.locator(f".replay-paragraph.changed[data-id='{story.opening}'] .change-tag")).to_have_text("Bruno Costa")
    expect(page.locator(".replay-paragraph.changed")).to_have_count(1)
    expect(page.locator(".timeline-actor")).to_have_text("Bruno Costa")
    expect(page.locator(".replay-paragraph.changed .inserted")).to_have_text(" le 12 octobre 2021")

    page.locator(".timeline-version").fill("3")  # typed
    page.locator(".timeline-version").press("Enter")
    shows(3)
    page.click(".timeline-first")
    shows(1)
    expect(page.locator(".replay-document .replay-title")).to_have_text("Projet de rapport")
    expect(page.locator(".timeline-back")).to_be_disabled()
    for version in (2, 3, 4):
        page.click(".timeline-forward")
        shows(version)
    page.locator(".timeline-range").press("ArrowRight")
    shows(5)
    page.click(".timeline-last")
    shows(story.latest)
    expect(page.locator(".timeline-forward")).to_be_disabled()
    for version in (9, 8, 7, 6):
        page.click(".timeline-back")
        shows(version)
    expect(page.locator(f".replay-paragraph.changed[data-id='{story.statements}'] .change-tag")).to_have_text("Chiara Rossi")

    track = page.locator(".timeline-range").bounding_box()  # a real drag, right to left
    middle = track["y"] + track["height"] / 2
    page.mouse.move(track["x"] + track["width"] - 2, middle)
    page.mouse.down()
    page.mouse.move(track["x"] + 1, middle, steps=8)
    page.mouse.up()
    shows(1)

    page.click(".timeline-play")  # plays to the end, then stops
    shows(story.latest)
    expect(page.locator(".timeline-play")).to_have_text("▶ Play")
    page.click(".timeline-close")
    expect(page.locator(".replay-document")).to_be_hidden()
    assert dora.text(story.opening) == "Cette réunion a été ouverte à Vienne le 12 octobre 2021."
    assert dora.textarea(story.opening).is_editable()


def test_the_slider_colours_the_past_by_author_and_follows_new_events(
    editors, server: ServerProcess, people: People, story: Story
) -> None:
    dora = editors("Dora Weiss").open(story.report_id)
    page = dora.page
    open_slider(dora)
    page.locator(".timeline-range").fill("7")
    opening = page.locator(f".replay-paragraph[data-id='{story.opening}'] .replay-text")
    authors = "spans => spans.map(s => [s.textContent, s.style.getPropertyValue('--author'), getComputedStyle(s).backgroundColor])"

    page.uncheck("#show-authors")
    assert {background for _, _, background in opening.locator(".author").evaluate_all(authors)} == {"rgba(0, 0, 0, 0)"}
    page.check("#show-authors")
    runs = opening.locator(".author").evaluate_all(authors)
    assert "".join(text for text, _, _ in runs) == "Cette réunion a été ouverte le 12 octobre 2021."
    assert all(background != "rgba(0, 0, 0, 0)" for _, _, background in runs)
    by_colour = {colour: text for text, colour, _ in runs}
    assert len(by_colour) == 2  # Alice's words and Bruno's
    expect(page.locator(".legend li")).to_have_text(["Alice Martin", "Bruno Costa", "Chiara Rossi"])
    names = {text: title for text, title in opening.locator(".author").evaluate_all("spans => spans.map(s => [s.textContent, s.title])")}
    assert names[" le 12 octobre 2021"] == "Bruno Costa"

    page.click(".timeline-first")  # the legend follows the version shown
    expect(page.locator(".legend li")).to_have_count(0)

    person(people, server, "Bruno Costa").submit(story.report_id, {"type": "ReplaceParagraphText", "paragraph_id": story.statements, "text": "Aucune déclaration."})
    expect(page.locator(".timeline-total")).to_have_text(f" of {story.latest + 1}")
    page.click(".timeline-last")
    assert shown_paragraphs(dora, story.latest + 1)[1] == (story.statements, "Aucune déclaration.")
    page.click(".timeline-close")
    dora.wait_for_text(story.statements, "Aucune déclaration.")


def test_the_history_panel_lists_events_newest_first_filtered_by_drafter_and_paragraph(
    editors, api: Api, server: ServerProcess, people: People, story: Story
) -> None:
    # Many more edits to another paragraph, so that the opening paragraph's events lie far back.
    bruno = person(people, server, "Bruno Costa")
    for revision in range(1, 41):
        bruno.submit(story.report_id, {"type": "EditParagraphText", "paragraph_id": story.statements, "base_revision": revision, "ops": ["·"]})
    latest = story.latest + 40
    response = httpx.get(
        f"{server.url}/api/reports/{story.report_id}/history", params={"limit": 1000}, headers=people.headers("alice")
    )
    summaries = {entry["event"]["version"]: entry["summary"] for entry in response.json()["events"]}
    events = {event.version: event for event in api.events(story.report_id)}
    assert sorted(summaries) == list(range(1, latest + 1))

    dora = editors("Dora Weiss").open(story.report_id)
    page = dora.page
    entries = page.locator(".history-list .history-entry")

    def listed() -> list[int]:
        return [int(version) for version in entries.evaluate_all("items => items.map(i => i.dataset.version)")]

    expect(entries).to_have_count(25)
    assert listed() == list(range(latest, latest - 25, -1))
    first = entries.first
    expect(first.locator(".history-summary")).to_have_text(summaries[latest])
    expect(first.locator(".history-actor-name")).to_have_text("Bruno Costa")
    page.click(".history-more")
    expect(entries).to_have_count(latest)
    assert listed() == list(range(latest, 0, -1))
    texts = entries.locator(".history-summary").all_text_contents()
    assert texts == [summaries[version] for version in range(latest, 0, -1)]
    expect(page.locator(".history-more")).to_be_hidden()

    chiara = user_id(people, "Chiara Rossi")
    page.select_option(".history-actor", label="Chiara Rossi")
    expect(page.locator(".history-actor")).to_have_value(chiara)
    expect(entries).to_have_count(3)
    assert listed() == [v for v in range(latest, 0, -1) if events[v].actor == chiara]

    page.select_option(".history-actor", "")
    dora.paragraph(story.opening).hover()
    dora.paragraph(story.opening).locator(".paragraph-history").click()
    about_opening = [v for v in range(latest, 0, -1) if getattr(events[v].data, "paragraph_id", None) == story.opening]
    assert about_opening == [8, 7, 5, 3]
    expect(entries).to_have_count(len(about_opening))
    assert listed() == about_opening
    expect(page.locator(".history-paragraph")).to_have_value(story.opening)

    entries.filter(has_text="v5").locator("button").click()  # to the slider, at that version
    shown = shown_paragraphs(dora, 5)
    assert shown == server_paragraphs(api, story.report_id, 5)
    expect(page.locator(".history-entry.current")).to_have_attribute("data-version", "5")

    api.submit(story.report_id, {"type": "ReplaceParagraphText", "paragraph_id": story.opening, "text": "La séance est ouverte."})
    expect(entries.first).to_have_attribute("data-version", str(latest + 1))
    expect(entries.first.locator(".history-actor-name")).to_have_text("alice")  # the `api` fixture's user


OLD_ACTOR = "Secrétariat (avant les comptes)"


async def _as_before_accounts(redis_url: str, report_id: str, title: str) -> None:
    """Append an event whose actor is a bare name, as events were recorded before accounts
    (the service itself, on the test Redis: no request can choose its actor any more)."""
    client = aioredis.Redis.from_url(redis_url)
    store = EventStore(client)
    try:
        await ReportService(store).handle_all(
            report_id, str(uuid.uuid4()), [RetitleReport(title=title)], Actor(id=OLD_ACTOR, role="chair")
        )
    finally:
        await store.aclose()
        await client.aclose()


def test_every_event_in_the_history_names_its_drafter(
    editors, api: Api, server: ServerProcess, people: People, story: Story
) -> None:
    run_apart(_as_before_accounts(people.redis_url, story.report_id, "Projet de rapport révisé"))
    events = {event.version: event for event in api.events(story.report_id)}
    names = api.names()
    assert {event.actor for event in events.values()} == {
        user_id(people, "Alice Martin"), user_id(people, "Bruno Costa"), user_id(people, "Chiara Rossi"), OLD_ACTOR
    }

    dora = editors("Dora Weiss").open(story.report_id)
    page = dora.page
    entries = page.locator(".history-list .history-entry")
    expect(entries).to_have_count(len(events))
    shown = entries.evaluate_all(
        "items => items.map(i => [Number(i.dataset.version), i.querySelector('.history-actor-name').textContent])"
    )
    assert shown == [[v, names.get(events[v].actor, events[v].actor)] for v in sorted(events, reverse=True)]
    assert shown[0][1] == OLD_ACTOR and {name for _, name in shown} == {"Alice Martin", "Bruno Costa", "Chiara Rossi", OLD_ACTOR}
    options = page.locator(".history-actor option").evaluate_all("os => os.map(o => [o.value, o.textContent])")
    assert dict(options) == {
        "": "All drafters",
        user_id(people, "Alice Martin"): "Alice Martin",
        user_id(people, "Bruno Costa"): "Bruno Costa",
        user_id(people, "Chiara Rossi"): "Chiara Rossi",
        user_id(people, "Dora Weiss"): "Dora Weiss",
        OLD_ACTOR: OLD_ACTOR,
    }

    open_slider(dora)
    for version in sorted(events, reverse=True):
        page.locator(".timeline-version").fill(str(version))
        page.locator(".timeline-version").press("Enter")
        page.wait_for_selector(f".replay-document[data-version='{version}']")
        expect(page.locator(".timeline-actor")).to_have_text(names.get(events[version].actor, events[version].actor))
