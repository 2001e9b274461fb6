"""Blame, diff and filtered history over HTTP, on a real server: three drafters write a report,
and the history says who did what, page after page."""

import functools
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import People
from tests.processes import ServerProcess

NAMES = ("alice", "bruno", "chiara")


class Story:
    """Chapter I « Introduction » with `decision` (alice) and `vienna` (bruno), chapter II
    « Recommandations » with `measures` (chiara); then bruno and chiara type into `decision` at
    once, chiara fills nothing but records a statement, and alice retitles chapter II.

    Events name their actor by user id; `named` shows it as the blame and history pages do,
    by the display name GET /api/people gives for that id."""

    def __init__(self, server: ServerProcess, people: People) -> None:
        self.server = server
        self.drafters = {name: people.api(server, name) for name in NAMES}
        self.ids = {name: people.id(name) for name in NAMES}
        self.headers = people.headers("alice")
        alice = self.drafters["alice"]
        self.report_id = alice.create_report("Projet de rapport")
        self.introduction = self.added("alice", {"type": "AddChapter", "title": "Introduction"}, "chapter_id")
        self.decision = self.added("alice", {"type": "AddParagraph", "chapter_id": self.introduction, "text": "Dans sa décision 4/4, la Conférence."}, "paragraph_id")
        self.vienna = self.added("bruno", {"type": "AddParagraph", "chapter_id": self.introduction, "text": "À Vienne le Groupe."}, "paragraph_id")
        self.recommendations = self.added("alice", {"type": "AddChapter", "title": "Recommandations"}, "chapter_id")
        self.measures = self.added("chiara", {"type": "AddParagraph", "chapter_id": self.recommendations, "text": "Les mesures suivantes."}, "paragraph_id")
        self.before_typing = self.version  # 6
        self.submit("bruno", {"type": "EditParagraphText", "paragraph_id": self.decision, "base_revision": 0, "ops": [8, {"d": 8}, "résolution"]})
        self.submit("chiara", {"type": "EditParagraphText", "paragraph_id": self.decision, "base_revision": 0, "ops": [17, {"d": 3}, "7/1"]})
        self.agenda_item = self.added("alice", {"type": "AddAgendaItem", "title": "Questions d’organisation"}, "agenda_item_id")
        self.submit("chiara", {"type": "RecordStatement", "agenda_item_id": self.agenda_item, "category": "party", "delegation": "Arménie"})
        self.submit("alice", {"type": "RetitleChapter", "chapter_id": self.recommendations, "title": "Recommandations générales"})

    @property
    def version(self) -> int:
        return self.drafters["alice"].report(self.report_id)[0]

    def submit(self, drafter: str, command: dict[str, Any]) -> dict[str, Any]:
        return self.drafters[drafter].submit(self.report_id, command)

    def added(self, drafter: str, command: dict[str, Any], field: str) -> str:
        return self.submit(drafter, command)["events"][0]["data"][field]

    def get(self, path: str, **params: Any) -> httpx.Response:
        """GET one of the report's pages, signed in as alice."""
        return httpx.get(f"{self.server.url}/api/reports/{self.report_id}/{path}", params=params, headers=self.headers)

    def history(self, **params: Any) -> dict[str, Any]:
        response = self.get("history", **params)
        assert response.status_code == 200, response.text
        return response.json()

    @functools.cached_property
    def display_names(self) -> dict[str, str]:
        response = httpx.get(f"{self.server.url}/api/people", headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()

    def named(self, actor: str) -> str:
        """The display name of a user id, from GET /api/people (a KeyError for anything else,
        so that an actor recorded as a name would not pass for a resolved one)."""
        return self.display_names[actor]


@pytest.fixture
def story(server: ServerProcess, people: People) -> Story:
    return Story(server, people)


def _versions(page: dict[str, Any]) -> list[int]:
    return [entry["event"]["version"] for entry in page["events"]]


# Blame

def test_blame_names_the_author_of_every_word_and_the_last_change_of_each_paragraph(story: Story) -> None:
    response = story.get("blame")

    assert response.status_code == 200
    blame = response.json()
    assert blame["version"] == 11 and blame["report_id"] == story.report_id
    decision, vienna, measures = blame["paragraphs"]
    assert [(p["number"], p["paragraph_id"]) for p in blame["paragraphs"]] == [(1, story.decision), (2, story.vienna), (3, story.measures)]
    alice, bruno, chiara = (story.ids[name] for name in NAMES)
    words = [(w["text"], w["author"]) for w in decision["words"] if w["text"].strip()]
    assert words == [("Dans", alice), ("sa", alice), ("résolution", bruno), ("7/1,", chiara), ("la", alice), ("Conférence.", alice)]
    assert [story.named(author) for _, author in words] == ["alice", "alice", "bruno", "chiara", "alice", "alice"]
    assert {k: decision["last_change"][k] for k in ("version", "actor", "type")} == {"version": 8, "actor": chiara, "type": "ParagraphTextEdited"}
    assert story.named(decision["last_change"]["actor"]) == "chiara"
    assert (vienna["last_change"]["actor"], measures["last_change"]["actor"]) == (bruno, chiara)
    (statement,) = blame["statements"]
    assert (statement["delegation"], statement["agenda_item"], statement["recorded"]["actor"]) == ("Arménie", "1", chiara)


def test_blame_at_a_past_version(story: Story) -> None:
    blame = story.get("blame", at=story.before_typing).json()

    assert blame["version"] == story.before_typing
    assert {w["author"] for w in blame["paragraphs"][0]["words"]} == {story.ids["alice"]}
    assert blame["statements"] == []


@pytest.mark.parametrize(("params", "status", "code"), [({"at": 99}, 404, "unknown_version"), ({"at": "x"}, 400, "invalid_query")])
def test_blame_refuses_a_version_it_cannot_show(story: Story, params: dict, status: int, code: str) -> None:
    response = story.get("blame", **params)

    assert (response.status_code, response.json()["code"]) == (status, code)


# Diff

def test_a_diff_lists_the_paragraphs_words_headings_and_facts_that_changed(story: Story) -> None:
    response = story.get("diff", **{"from": story.before_typing})

    assert response.status_code == 200
    diff = response.json()
    assert (diff["from_version"], diff["to_version"]) == (story.before_typing, 11)
    (changed,) = diff["paragraphs"]
    assert (changed["paragraph_id"], changed["status"], changed["number_before"], changed["number_after"]) == (story.decision, "changed", 1, 1)
    assert changed["deleted"] == [{"text": "décision 4/4,", "author": story.ids["alice"]}]
    assert changed["inserted"] == [{"text": "résolution", "author": story.ids["bruno"]}, {"text": "7/1,", "author": story.ids["chiara"]}]
    assert [story.named(words["author"]) for words in changed["inserted"]] == ["bruno", "chiara"]
    (heading,) = diff["headings"]
    assert (heading["kind"], heading["status"], heading["before"], heading["after"]) == ("chapter", "retitled", "Recommandations", "Recommandations générales")
    (fact,) = diff["facts"]
    assert (fact["kind"], fact["status"], fact["name"], fact["agenda_item"]) == ("statement", "added", "Arménie", "1")


def test_a_diff_to_a_given_version_and_from_the_empty_report(story: Story) -> None:
    between = story.get("diff", **{"from": 2, "to": 3}).json()
    everything = story.get("diff", **{"from": 0}).json()

    assert [(p["paragraph_id"], p["status"]) for p in between["paragraphs"]] == [(story.decision, "added")]
    assert between["to_version"] == 3
    assert [p["status"] for p in everything["paragraphs"]] == ["added"] * 3
    assert everything["headings"][0] == {
        "kind": "report", "id": story.report_id, "status": "retitled", "number_before": None, "number_after": None,
        "before": "", "after": "Projet de rapport",
    }


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"from": 5, "to": 3}, 400, "invalid_query"),
        ({"from": 12}, 400, "invalid_query"),
        ({}, 400, "invalid_query"),
        ({"from": "one"}, 400, "invalid_query"),
        ({"from": 1, "to": 99}, 404, "unknown_version"),
    ],
    ids=["from-after-to", "from-after-now", "no-from", "not-a-number", "unknown-version"],
)
def test_a_diff_refuses_versions_it_cannot_compare(story: Story, params: dict, status: int, code: str) -> None:
    response = story.get("diff", **params)

    assert (response.status_code, response.json()["code"]) == (status, code)


# History

def test_history_lists_every_event_with_a_summary_in_the_reports_language(story: Story) -> None:
    page = story.history()

    assert _versions(page) == list(range(1, 12)) and page["next_after"] is None
    assert page["events"][0]["event"]["type"] == "ReportCreated"
    assert page["events"][0]["summary"] == "a créé « Projet de rapport »"
    assert page["events"][9]["summary"].startswith("a enregistré une déclaration (Arménie, État partie)")


def test_history_summaries_follow_the_report_into_english(story: Story) -> None:
    story.submit("alice", {"type": "SetReportDetails", "details": {"language": "en"}})

    page = story.history(limit=1)

    assert page["events"][0]["summary"] == "created « Projet de rapport »"


def test_history_filters_by_actor_type_paragraph_and_chapter(story: Story) -> None:
    assert _versions(story.history(actor="bruno")) == [4, 7]
    assert _versions(story.history(actor="BRUNO")) == [4, 7], "a display name in any case"
    assert _versions(story.history(actor=story.ids["bruno"])) == [4, 7], "or the user's id"
    assert _versions(story.history(type="ParagraphTextEdited")) == [7, 8]
    assert _versions(story.history(type="ChapterAdded,ChapterRetitled")) == [2, 5, 11]
    by_repeat = httpx.get(
        f"{story.server.url}/api/reports/{story.report_id}/history",
        params=[("type", "ChapterAdded"), ("type", "ChapterRetitled")],
        headers=story.headers,
    ).json()
    assert _versions(by_repeat) == [2, 5, 11]
    assert _versions(story.history(paragraph=story.decision)) == [3, 7, 8]
    assert _versions(story.history(paragraph=story.decision, actor="chiara")) == [8]
    assert _versions(story.history(chapter=story.recommendations)) == [5, 6, 11]
    assert _versions(story.history(chapter=story.introduction)) == [2, 3, 4, 7, 8]


def test_history_filters_by_time(story: Story) -> None:
    events = story.history()["events"]
    at = {entry["event"]["version"]: datetime.fromisoformat(entry["event"]["at"]) for entry in events}

    since = story.history(since=at[9].isoformat())
    until = story.history(until=(at[1] + timedelta(microseconds=1)).isoformat())

    assert _versions(since) == [v for v in range(1, 12) if at[v] >= at[9]]
    assert _versions(until) == [v for v in range(1, 12) if at[v] <= at[1]]
    assert 1 in _versions(until) and 11 not in _versions(until)


def test_history_pages_continue_from_next_after_until_the_end(story: Story) -> None:
    seen: list[int] = []
    after: int | None = 0
    pages = 0
    while after is not None:
        page = story.history(actor="alice", after=after, limit=2)
        assert len(page["events"]) <= 2
        seen += _versions(page)
        after = page["next_after"]
        pages += 1

    assert seen == _versions(story.history(actor="alice")) == [1, 2, 3, 5, 9, 11]
    assert pages == 3


def test_history_stops_at_the_limit_and_says_where_to_continue(story: Story) -> None:
    first = story.history(type="ParagraphAdded", limit=2)
    rest = story.history(type="ParagraphAdded", after=first["next_after"])

    assert (_versions(first), first["next_after"]) == ([3, 4], 4)
    assert (_versions(rest), rest["next_after"]) == ([6], None)
    assert story.history(actor="nobody") == {"events": [], "next_after": None}


def test_history_through_the_python_client(story: Story) -> None:
    bruno = story.drafters["bruno"]
    events, next_after = bruno.history(story.report_id, types=["ParagraphTextEdited"], limit=1)

    assert [(e.version, e.actor, e.type) for e, _ in events] == [(7, story.ids["bruno"], "ParagraphTextEdited")]
    assert bruno.name_of(events[0][0].actor) == "bruno"
    assert events[0][1].startswith("a saisi dans le paragraphe") and next_after == 7


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"type": "Typing"}, "invalid_query"),
        ({"since": "yesterday"}, "invalid_query"),
        ({"limit": 0}, "invalid_query"),
        ({"after": -1}, "invalid_query"),
    ],
    ids=["unknown-type", "bad-time", "zero-limit", "negative-after"],
)
def test_history_refuses_bad_filters(story: Story, params: dict, code: str) -> None:
    response = story.get("history", **params)

    assert (response.status_code, response.json()["code"]) == (400, code)


@pytest.mark.parametrize("path", ["history", "blame", "diff?from=0"])
def test_an_unknown_report_has_no_history(server: ServerProcess, people: People, path: str) -> None:
    response = httpx.get(f"{server.url}/api/reports/00000000-0000-4000-8000-000000000000/{path}", headers=people.headers("alice"))

    assert (response.status_code, response.json()["code"]) == (404, "unknown_report")
