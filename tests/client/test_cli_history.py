"""`rapporteur blame`, `rapporteur diff` and `rapporteur events` with filters, run as a drafter
runs them, against a real server."""

import subprocess
from typing import Any

import pytest

from tests.client import run_rapporteur
from tests.conftest import People
from tests.processes import ServerProcess


class Cli:
    """`rapporteur ARGS` against the test server, signed in as alice by her API token."""

    def __init__(self, server: ServerProcess, token: str) -> None:
        self.server, self.token = server, token

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        return run_rapporteur("--url", self.server.url, "--token", self.token, *args, ok=ok)

    def lines(self, *args: str) -> list[str]:
        """What it prints, having succeeded."""
        return self.run(*args).stdout.splitlines()


@pytest.fixture
def cli(server: ServerProcess, people: People) -> Cli:
    return Cli(server, people.token("alice"))


class Drafted:
    """I « Introduction »: 1 `decision` (alice, then typed into by bruno and chiara at once),
    2 `vienna` (bruno); II « Recommandations »: 3 `measures` (chiara). Versions 1-8."""

    def __init__(self, server: ServerProcess, people: People) -> None:
        self.drafters = {name: people.api(server, name) for name in ("alice", "bruno", "chiara")}
        self.report_id = self.drafters["alice"].create_report("Projet de rapport")
        self.introduction = self.added("alice", {"type": "AddChapter", "title": "Introduction"}, "chapter_id")
        self.decision = self.added("alice", {"type": "AddParagraph", "chapter_id": self.introduction, "text": "Dans sa décision 4/4, la Conférence."}, "paragraph_id")
        self.vienna = self.added("bruno", {"type": "AddParagraph", "chapter_id": self.introduction, "text": "À Vienne le Groupe."}, "paragraph_id")
        self.recommendations = self.added("alice", {"type": "AddChapter", "title": "Recommandations"}, "chapter_id")
        self.measures = self.added("chiara", {"type": "AddParagraph", "chapter_id": self.recommendations, "text": "Les mesures suivantes."}, "paragraph_id")
        self.submit("bruno", {"type": "EditParagraphText", "paragraph_id": self.decision, "base_revision": 0, "ops": [8, {"d": 8}, "résolution"]})
        self.submit("chiara", {"type": "EditParagraphText", "paragraph_id": self.decision, "base_revision": 0, "ops": [17, {"d": 3}, "7/1"]})

    def submit(self, drafter: str, command: dict[str, Any]) -> dict[str, Any]:
        return self.drafters[drafter].submit(self.report_id, command)

    def added(self, drafter: str, command: dict[str, Any], field: str) -> str:
        return self.submit(drafter, command)["events"][0]["data"][field]


@pytest.fixture
def drafted(server: ServerProcess, people: People) -> Drafted:
    return Drafted(server, people)


def _versions(lines: list[str]) -> list[int]:
    return [int(line.split()[0]) for line in lines]


def test_blame_shows_each_paragraph_with_its_last_change_and_its_words_by_author(cli: Cli, drafted: Drafted) -> None:
    lines = cli.lines("blame", drafted.report_id)

    assert lines[0] == "version 8"
    assert lines[1].startswith("   1. last changed v8 by chiara at ") and lines[1].endswith("(ParagraphTextEdited)")
    assert lines[2].strip() == "alice: Dans sa | bruno: résolution | chiara: 7/1, | alice: la Conférence."
    assert lines[3].startswith("   2. last changed v4 by bruno at ")
    assert lines[4].strip() == "bruno: À Vienne le Groupe."
    assert lines[6].strip() == "chiara: Les mesures suivantes."


def test_blame_at_a_past_version(cli: Cli, drafted: Drafted) -> None:
    lines = cli.lines("blame", drafted.report_id, "--at", "6")

    assert lines[0] == "version 6"
    assert lines[2].strip() == "alice: Dans sa décision 4/4, la Conférence."


def test_blame_shows_who_recorded_statements_and_adoptions(cli: Cli, drafted: Drafted) -> None:
    item = drafted.added("alice", {"type": "AddAgendaItem", "title": "Questions d’organisation"}, "agenda_item_id")
    drafted.submit("bruno", {"type": "RecordStatement", "agenda_item_id": item, "category": "party", "delegation": "Arménie"})
    drafted.submit("chiara", {"type": "AdoptChapter", "chapter_id": drafted.recommendations})

    lines = cli.lines("blame", drafted.report_id)

    assert any(line.startswith("statement: Arménie (party), agenda item 1: v10 by bruno at ") for line in lines)
    assert any(line.startswith("ChapterAdopted: chapter II: v11 by chiara at ") for line in lines)


def test_diff_shows_the_words_deleted_and_inserted_by_each_drafter(cli: Cli, drafted: Drafted) -> None:
    drafted.submit("alice", {"type": "RetitleChapter", "chapter_id": drafted.recommendations, "title": "Recommandations générales"})

    lines = cli.lines("diff", drafted.report_id, "--from", "6")

    assert lines == [
        "from version 6 to version 9",
        "chapter II: retitled « Recommandations » -> « Recommandations générales »",
        "paragraph 1: changed",
        "  - alice: décision 4/4,",
        "  + bruno: résolution",
        "  + chiara: 7/1,",
    ]


def test_diff_between_two_given_versions(cli: Cli, drafted: Drafted) -> None:
    lines = cli.lines("diff", drafted.report_id, "--from", "3", "--to", "4")

    assert lines == ["from version 3 to version 4", "paragraph 2: added", "  + bruno: À Vienne le Groupe."]


def test_diff_refuses_versions_in_the_wrong_order(cli: Cli, drafted: Drafted) -> None:
    refused = cli.run("diff", drafted.report_id, "--from", "5", "--to", "2", ok=False)

    assert refused.returncode == 1 and "invalid_query" in refused.stderr


def test_events_lists_every_event_with_a_summary_in_the_reports_language(cli: Cli, drafted: Drafted) -> None:
    lines = cli.lines("events", drafted.report_id)

    assert _versions(lines) == list(range(1, 9))
    assert lines[0].split()[3:5] == ["alice", "ReportCreated"]
    assert lines[0].endswith("a créé « Projet de rapport »")


@pytest.mark.parametrize(
    ("filters", "versions"),
    [
        (["--actor", "bruno"], [4, 7]),
        (["--type", "ParagraphTextEdited"], [7, 8]),
        (["--type", "ChapterAdded", "--type", "ParagraphAdded"], [2, 3, 4, 5, 6]),
        (["--paragraph", "1"], [3, 7, 8]),
        (["--paragraph", "3"], [6]),
        (["--chapter", "I"], [2, 3, 4, 7, 8]),
        (["--chapter", "ii"], [5, 6]),
        (["--chapter", "I", "--actor", "chiara"], [8]),
        (["--after", "4", "--limit", "2"], [5, 6]),
        (["--actor", "alice", "--limit", "2"], [1, 2]),
    ],
    ids=["actor", "type", "types", "paragraph-number", "last-paragraph", "chapter", "chapter-lowercase", "chapter-and-actor", "after-and-limit", "actor-and-limit"],
)
def test_events_filters(cli: Cli, drafted: Drafted, filters: list[str], versions: list[int]) -> None:
    assert _versions(cli.lines("events", drafted.report_id, *filters)) == versions


def test_events_of_a_drafter_named_by_their_user_id_or_their_name_in_any_case(cli: Cli, drafted: Drafted, people: People) -> None:
    by_id = cli.lines("events", drafted.report_id, "--actor", people.id("bruno"))
    by_name = cli.lines("events", drafted.report_id, "--actor", "BRUNO")

    assert _versions(by_id) == _versions(by_name) == [4, 7]
    assert {line.split()[3] for line in by_id} == {"bruno"}  # shown by name, not by id


def test_events_of_a_paragraph_named_by_its_id_even_once_removed(cli: Cli, drafted: Drafted) -> None:
    drafted.submit("alice", {"type": "RemoveParagraph", "paragraph_id": drafted.vienna})

    lines = cli.lines("events", drafted.report_id, "--paragraph", drafted.vienna)

    assert _versions(lines) == [4, 9]
    assert lines[-1].endswith(f"a supprimé le paragraphe {drafted.vienna[:8]}")


def test_events_in_a_time_window(cli: Cli, drafted: Drafted) -> None:
    events = drafted.drafters["alice"].events(drafted.report_id)
    seventh = events[6].at.isoformat()

    since = cli.lines("events", drafted.report_id, "--since", seventh)
    until = cli.lines("events", drafted.report_id, "--until", seventh)

    assert _versions(since) == [e.version for e in events if e.at >= events[6].at]
    assert _versions(until) == [e.version for e in events if e.at < events[6].at]


@pytest.mark.parametrize(
    ("filters", "said"),
    [(["--paragraph", "12"], "no paragraph 12"), (["--chapter", "VII"], "no chapter VII"), (["--type", "Typing"], "invalid_query")],
    ids=["no-such-paragraph", "no-such-chapter", "no-such-type"],
)
def test_events_refuses_what_it_cannot_resolve(cli: Cli, drafted: Drafted, filters: list[str], said: str) -> None:
    refused = cli.run("events", drafted.report_id, *filters, ok=False)

    assert said in refused.stderr
