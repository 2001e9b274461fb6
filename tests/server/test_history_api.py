"""Blame, diff and filtered history over HTTP, on a real server: three drafters write a report,
and the history says who did what, page after page."""

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from client.api import Api
from tests.processes import ServerProcess


class Story:
    """Chapter I « Introduction » with `decision` (alice) and `vienna` (bruno), chapter II
    « Recommandations » with `measures` (chiara); then bruno and chiara type into `decision` at
    once, chiara fills nothing but records a statement, and alice retitles chapter II."""

    def __init__(self, server: ServerProcess) -> None:
        self.drafters = {name: Api(server.url, name) for name in ("alice", "bruno", "chiara")}
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


@pytest.fixture
def story(server: ServerProcess) -> Story:
    return Story(server)


def _get(server: ServerProcess, report_id: str, path: str, **params: Any) -> httpx.Response:
    return httpx.get(f"{server.url}/api/reports/{report_id}/{path}", params=params)


def _history(server: ServerProcess, report_id: str, **params: Any) -> dict[str, Any]:
    response = _get(server, report_id, "history", **params)
    assert response.status_code == 200, response.text
    return response.json()


def _versions(page: dict[str, Any]) -> list[int]:
    return [entry["event"]["version"] for entry in page["events"]]


# Blame

def test_blame_names_the_author_of_every_word_and_the_last_change_of_each_paragraph(server: ServerProcess, story: Story) -> None:
    response = _get(server, story.report_id, "blame")

    assert response.status_code == 200
    blame = response.json()
    assert blame["version"] == 11 and blame["report_id"] == story.report_id
    decision, vienna, measures = blame["paragraphs"]
    assert [(p["number"], p["paragraph_id"]) for p in blame["paragraphs"]] == [(1, story.decision), (2, story.vienna), (3, story.measures)]
    words = [(w["text"], w["author"]) for w in decision["words"] if w["text"].strip()]
    assert words == [("Dans", "alice"), ("sa", "alice"), ("résolution", "bruno"), ("7/1,", "chiara"), ("la", "alice"), ("Conférence.", "alice")]
    assert {k: decision["last_change"][k] for k in ("version", "actor", "type")} == {"version": 8, "actor": "chiara", "type": "ParagraphTextEdited"}
    assert (vienna["last_change"]["actor"], measures["last_change"]["actor"]) == ("bruno", "chiara")
    (statement,) = blame["statements"]
    assert (statement["delegation"], statement["agenda_item"], statement["recorded"]["actor"]) == ("Arménie", "1", "chiara")


def test_blame_at_a_past_version(server: ServerProcess, story: Story) -> None:
    blame = _get(server, story.report_id, "blame", at=story.before_typing).json()

    assert blame["version"] == story.before_typing
    assert {w["author"] for w in blame["paragraphs"][0]["words"]} == {"alice"}
    assert blame["statements"] == []


@pytest.mark.parametrize(("params", "status", "code"), [({"at": 99}, 404, "unknown_version"), ({"at": "x"}, 400, "invalid_query")])
def test_blame_refuses_a_version_it_cannot_show(server: ServerProcess, story: Story, params: dict, status: int, code: str) -> None:
    response = _get(server, story.report_id, "blame", **params)

    assert (response.status_code, response.json()["code"]) == (status, code)


# Diff

def test_a_diff_lists_the_paragraphs_words_headings_and_facts_that_changed(server: ServerProcess, story: Story) -> None:
    response = _get(server, story.report_id, "diff", **{"from": story.before_typing})

    assert response.status_code == 200
    diff = response.json()
    assert (diff["from_version"], diff["to_version"]) == (story.before_typing, 11)
    (changed,) = diff["paragraphs"]
    assert (changed["paragraph_id"], changed["status"], changed["number_before"], changed["number_after"]) == (story.decision, "changed", 1, 1)
    assert changed["deleted"] == [{"text": "décision 4/4,", "author": "alice"}]
    assert changed["inserted"] == [{"text": "résolution", "author": "bruno"}, {"text": "7/1,", "author": "chiara"}]
    (heading,) = diff["headings"]
    assert (heading["kind"], heading["status"], heading["before"], heading["after"]) == ("chapter", "retitled", "Recommandations", "Recommandations générales")
    (fact,) = diff["facts"]
    assert (fact["kind"], fact["status"], fact["name"], fact["agenda_item"]) == ("statement", "added", "Arménie", "1")


def test_a_diff_to_a_given_version_and_from_the_empty_report(server: ServerProcess, story: Story) -> None:
    between = _get(server, story.report_id, "diff", **{"from": 2, "to": 3}).json()
    everything = _get(server, story.report_id, "diff", **{"from": 0}).json()

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
def test_a_diff_refuses_versions_it_cannot_compare(server: ServerProcess, story: Story, params: dict, status: int, code: str) -> None:
    response = _get(server, story.report_id, "diff", **params)

    assert (response.status_code, response.json()["code"]) == (status, code)


# History

def test_history_lists_every_event_with_a_summary_in_the_reports_language(server: ServerProcess, story: Story) -> None:
    page = _history(server, story.report_id)

    assert _versions(page) == list(range(1, 12)) and page["next_after"] is None
    assert page["events"][0]["event"]["type"] == "ReportCreated"
    assert page["events"][0]["summary"] == "a créé « Projet de rapport »"
    assert page["events"][9]["summary"].startswith("a enregistré une déclaration (Arménie, État partie)")


def test_history_summaries_follow_the_report_into_english(server: ServerProcess, story: Story) -> None:
    story.submit("alice", {"type": "SetReportDetails", "details": {"language": "en"}})

    page = _history(server, story.report_id, limit=1)

    assert page["events"][0]["summary"] == "created « Projet de rapport »"


def test_history_filters_by_actor_type_paragraph_and_chapter(server: ServerProcess, story: Story) -> None:
    assert _versions(_history(server, story.report_id, actor="bruno")) == [4, 7]
    assert _versions(_history(server, story.report_id, type="ParagraphTextEdited")) == [7, 8]
    assert _versions(_history(server, story.report_id, type="ChapterAdded,ChapterRetitled")) == [2, 5, 11]
    by_repeat = httpx.get(
        f"{server.url}/api/reports/{story.report_id}/history", params=[("type", "ChapterAdded"), ("type", "ChapterRetitled")]
    ).json()
    assert _versions(by_repeat) == [2, 5, 11]
    assert _versions(_history(server, story.report_id, paragraph=story.decision)) == [3, 7, 8]
    assert _versions(_history(server, story.report_id, paragraph=story.decision, actor="chiara")) == [8]
    assert _versions(_history(server, story.report_id, chapter=story.recommendations)) == [5, 6, 11]
    assert _versions(_history(server, story.report_id, chapter=story.introduction)) == [2, 3, 4, 7, 8]


def test_history_filters_by_time(server: ServerProcess, story: Story) -> None:
    events = _history(server, story.report_id)["events"]
    at = {entry["event"]["version"]: datetime.fromisoformat(entry["event"]["at"]) for entry in events}

    since = _history(server, story.report_id, since=at[9].isoformat())
    until = _history(server, story.report_id, until=(at[1] + timedelta(microseconds=1)).isoformat())

    assert _versions(since) == [v for v in range(1, 12) if at[v] >= at[9]]
    assert _versions(until) == [v for v in range(1, 12) if at[v] <= at[1]]
    assert 1 in _versions(until) and 11 not in _versions(until)


def test_history_pages_continue_from_next_after_until_the_end(server: ServerProcess, story: Story) -> None:
    seen: list[int] = []
    after: int | None = 0
    pages = 0
    while after is not None:
        page = _history(server, story.report_id, actor="alice", after=after, limit=2)
        assert len(page["events"]) <= 2
        seen += _versions(page)
        after = page["next_after"]
        pages += 1

    assert seen == _versions(_history(server, story.report_id, actor="alice")) == [1, 2, 3, 5, 9, 11]
    assert pages == 3


def test_history_stops_at_the_limit_and_says_where_to_continue(server: ServerProcess, story: Story) -> None:
    first = _history(server, story.report_id, type="ParagraphAdded", limit=2)
    rest = _history(server, story.report_id, type="ParagraphAdded", after=first["next_after"])

    assert (_versions(first), first["next_after"]) == ([3, 4], 4)
    assert (_versions(rest), rest["next_after"]) == ([6], None)
    assert _history(server, story.report_id, actor="nobody") == {"events": [], "next_after": None}


def test_history_through_the_python_client(server: ServerProcess, story: Story) -> None:
    events, next_after = story.drafters["bruno"].history(story.report_id, types=["ParagraphTextEdited"], limit=1)

    assert [(e.version, e.actor, e.type) for e, _ in events] == [(7, "bruno", "ParagraphTextEdited")]
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
def test_history_refuses_bad_filters(server: ServerProcess, story: Story, params: dict, code: str) -> None:
    response = _get(server, story.report_id, "history", **params)

    assert (response.status_code, response.json()["code"]) == (400, code)


@pytest.mark.parametrize("path", ["history", "blame", "diff?from=0"])
def test_an_unknown_report_has_no_history(server: ServerProcess, path: str) -> None:
    response = httpx.get(f"{server.url}/api/reports/00000000-0000-4000-8000-000000000000/{path}")

    assert (response.status_code, response.json()["code"]) == (404, "unknown_report")
