"""Imports run in a worker process with a budget, against real server processes: a costly
draft is refused with `import_too_costly` and creates nothing, the others are served
meanwhile, and the server stops on SIGTERM in the middle of one.

Before (main at 629a0f0), the import ran in a thread of the server process: a regex holds the
GIL, so the 60 KB draft below kept every other request waiting 15 s (load 6–8), and a long import was
never refused.
"""

import concurrent.futures
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import People
from tests.events.hostile_drafts import long_report
from tests.processes import ServerProcess

TEXT = {"Content-Type": "text/plain; charset=utf-8"}


def _children(pid: int) -> set[int]:
    """Every process descended from `pid` (the fork server and the workers among them)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture(scope="module")
def thrifty_server(redis_url: str) -> Iterator[ServerProcess]:
    """A server that gives each import one second."""
    with ServerProcess(redis_url, env={"RAPPORTEUR_IMPORT_SECONDS": "1"}) as process:
        yield process


def test_an_import_past_its_budget_is_refused_and_creates_nothing(thrifty_server: ServerProcess, people: People) -> None:
    with httpx.Client(base_url=thrifty_server.url, headers=people.headers("alice"), timeout=60) as http:
        reports_before = http.get("/api/reports").json()

        refused = http.post("/api/reports/import", content=long_report(4_000_000, width=400).encode(), headers=TEXT)

        assert (refused.status_code, refused.json()["code"]) == (422, "import_too_costly")
        assert "budget of 1 s" in refused.json()["message"]
        assert http.get("/api/reports").json() == reports_before
        # The killed worker is replaced: a small draft goes through.
        small = http.post("/api/reports/import", content=long_report(2_000).encode(), headers=TEXT)
        assert small.status_code == 201, small.text
        assert http.get(f"/api/reports/{small.json()['id']}").json()["report"]["chapters"][0]["title"] == "Chapitre 1"


def test_a_draft_that_is_not_a_report_is_refused_by_its_worker(thrifty_server: ServerProcess, people: People) -> None:
    with httpx.Client(base_url=thrifty_server.url, headers=people.headers("alice"), timeout=60) as http:
        refused = http.post("/api/reports/import", content="Une lettre.\n".encode(), headers=TEXT)

        assert (refused.status_code, refused.json()["code"]) == (422, "not_a_report")
        assert "expected chapter headings" in refused.json()["message"]


def test_an_imported_draft_is_held_to_the_limits_of_commands(thrifty_server: ServerProcess, people: People) -> None:
    """A paragraph of 150,000 characters, which no command may write, is refused as it would be
    in a command (it was imported as is before, and could then not be edited)."""
    draft = "Projet de rapport\n\nI. Introduction\n\n1. " + "Le Groupe de travail a pris note. " * 4_500 + "\n"
    with httpx.Client(base_url=thrifty_server.url, headers=people.headers("alice"), timeout=60) as http:
        reports_before = http.get("/api/reports").json()

        refused = http.post("/api/reports/import", content=draft.encode(), headers=TEXT)

        assert (refused.status_code, refused.json()["code"]) == (422, "invalid_text")
        assert "length <= 100000, in text of AddParagraph « Le Groupe de travail" in refused.json()["message"]
        assert http.get("/api/reports").json() == reports_before


def test_other_users_are_answered_while_a_draft_is_imported(server: ServerProcess, people: People) -> None:
    """A draft whose list took one regex 15 s on the server’s GIL before, followed by a long
    report so that the import lasts a while in its worker: meanwhile another user's requests are
    answered within a generous 0.5 s (they waited as long as the regex before)."""
    draft = long_report(600_000, lead="a : " * 15_000)
    with httpx.Client(base_url=server.url, headers=people.headers("alice"), timeout=60) as http:
        report_id = http.post("/api/reports", json={"title": "Pendant l’import"}).json()["id"]
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            importing = pool.submit(http.post, "/api/reports/import", content=draft.encode(), headers=TEXT)
            waits = []
            while not importing.done():
                started = time.monotonic()
                assert http.get(f"/api/reports/{report_id}").status_code == 200
                waits.append(time.monotonic() - started)
                time.sleep(0.01)
            imported = importing.result()

    assert imported.status_code == 201, imported.text
    assert len(waits) >= 5, "the import was over before anyone asked"
    assert max(waits) < 0.5, f"another user waited {max(waits):.2f} s"


def test_the_server_stops_on_sigterm_in_the_middle_of_an_import(redis_url: str, people: People) -> None:
    """The draft takes minutes (of a regex, before): the server and its workers are gone within
    seconds of SIGTERM all the same."""
    with ServerProcess(redis_url, env={"RAPPORTEUR_IMPORT_SECONDS": "600"}) as server:
        assert server.process is not None
        with httpx.Client(base_url=server.url, headers=people.headers("alice"), timeout=60) as http:
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                pool.submit(_post_quietly, http, long_report(5_000_000, width=400).replace("\n\n", "\n"))
                deadline = time.monotonic() + 10
                while not (workers := _children(server.process.pid)) and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert workers, "no worker started"
                time.sleep(0.5)
                started = time.monotonic()
                server.stop(timeout=20, signum=signal.SIGTERM)
                stopped = time.monotonic() - started

    assert stopped < 10, f"the server took {stopped:.1f} s to stop"
    assert server.process.returncode is not None
    deadline = time.monotonic() + 5
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if _alive(pid)], "workers outlived the server"


def _post_quietly(http: httpx.Client, draft: str) -> None:
    """The import of a draft the server will not finish: the connection drops when it stops."""
    try:
        http.post("/api/reports/import", content=draft.encode(), headers=TEXT)
    except httpx.HTTPError:
        pass


def test_the_budget_variable_must_be_a_positive_number() -> None:
    from server.importing import BUDGET_VARIABLE, budget_seconds

    for wrong in ("soon", "0", "-1"):
        os.environ[BUDGET_VARIABLE] = wrong
        try:
            with pytest.raises(ValueError, match=BUDGET_VARIABLE):
                budget_seconds()
        finally:
            del os.environ[BUDGET_VARIABLE]
