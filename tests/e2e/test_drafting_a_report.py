"""The drafters' story, end to end, through the CLI and the HTTP API of a real server:
import the seed draft, record statements, fill its placeholders, adopt chapters I, II, IV
and V, run the checks, and download the result as text, HTML and DOCX. The secretariat signs
in with an API token (RAPPORTEUR_TOKEN for the CLI, a bearer token for the API)."""

import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import docx
import httpx
import pytest

from tests.conftest import People
from tests.processes import ROOT, ServerProcess

SEED = ROOT / "tests" / "events" / "data" / "seed_fr.txt"
SECRETARIAT = "Secrétariat"  # chairs: the story ends with adoptions


def run_cli(server: ServerProcess, token: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a signed-in user runs it: the token in RAPPORTEUR_TOKEN, no saved credentials."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RAPPORTEUR_TOKEN": token,
        "RAPPORTEUR_CREDENTIALS": os.devnull,  # never the tester's own saved tokens
    }
    return subprocess.run(
        [sys.executable, "-m", "client.cli", "--url", server.url, *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )


@pytest.fixture
def rapporteur(server: ServerProcess, people: People) -> Callable[..., str]:
    """`rapporteur("show", id)`: run the CLI as the secretariat, return what it printed."""

    def run(*args: str) -> str:
        completed = run_cli(server, people.token(SECRETARIAT, "chair"), *args)
        assert completed.returncode == 0, completed.stderr
        return completed.stdout

    return run


@pytest.fixture
def secretariat(people: People) -> dict[str, str]:
    """The secretariat's Authorization header, for the HTTP API."""
    return people.headers(SECRETARIAT, "chair")


@pytest.fixture
def imported(rapporteur: Callable[..., str]) -> str:
    return rapporteur("import", str(SEED)).strip()


def _codes(findings: str) -> list[str]:
    return [line.split()[0] for line in findings.splitlines()[:-1]]


def test_a_drafter_completes_and_adopts_the_seed_report(
    server: ServerProcess, people: People, rapporteur: Callable[..., str], secretariat: dict[str, str], imported: str, tmp_path: Path
) -> None:
    report_id = imported
    before = rapporteur("check", report_id)
    assert "participant_in_two_categories" in before and "Pakistan" in before
    assert "ordinal_inconsistent" in before
    assert _codes(before).count("unresolved_placeholder") == 8

    rapporteur("statement", report_id, "2", "party", "France")
    rapporteur("statement", report_id, "2", "party", "Argentine")
    text = " ".join(rapporteur("show", report_id).split())
    assert "suivantes : Argentine, Arménie, Australie," in text
    assert "États-Unis, France, Gambie" in text

    listed = httpx.get(f"{server.url}/api/reports/{report_id}/placeholders", headers=secretariat).json()
    assert [p["paragraph"] for p in listed] == [10, 10, 10, 10, 10, 11, 11, 16]
    values = {"[sa/ses 2e et 3e]": "ses 2e et 3e", "[s]": "s", "[12 et 13]": "12 et 13", "[4e]": "4e", "[13]": "13", "[…]": ""}
    for placeholder in listed:
        rapporteur("fill", report_id, placeholder["id"], values[placeholder["text"]])
    assert httpx.get(f"{server.url}/api/reports/{report_id}/placeholders", headers=secretariat).json() == []
    text = rapporteur("show", report_id)
    assert "À ses 2e et 3e séances, tenues les 12 et 13 octobre 2021" in " ".join(text.split())

    rapporteur("adopt", report_id, "I", "II", "IV", "V")
    after = rapporteur("check", report_id)
    assert "unresolved_placeholder" not in after and "adoption_mismatch" not in after
    refused = run_cli(server, people.token(SECRETARIAT), "statement", report_id, "2", "party", "Chili")
    assert refused.returncode == 1 and "chapter_adopted" in refused.stderr
    unsigned = run_cli(server, "", "show", report_id)
    assert unsigned.returncode == 1 and "unauthenticated" in unsigned.stderr

    html = httpx.get(f"{server.url}/api/reports/{report_id}/render", params={"format": "html"}, headers=secretariat)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "Argentine" in html.text and "<script" not in html.text
    rapporteur("render", report_id, "--format", "docx", "--output", str(tmp_path / "rapport.docx"))
    document = docx.Document(str(tmp_path / "rapport.docx"))
    numbered = [p for p in document.paragraphs if p.text.split(".")[0].isdigit()]
    outermost = min(p.paragraph_format.left_indent for p in numbered)
    paragraphs = [p.text for p in numbered if p.paragraph_format.left_indent == outermost]
    assert [int(t.split(".")[0]) for t in paragraphs] == list(range(1, 29))
    assert "Argentine, Arménie" in paragraphs[15]
    docx_bytes = httpx.get(f"{server.url}/api/reports/{report_id}/render", params={"format": "docx"}, headers=secretariat).content
    assert docx.Document(io.BytesIO(docx_bytes)).paragraphs


def test_an_import_of_something_else_creates_nothing(server: ServerProcess, secretariat: dict[str, str]) -> None:
    before = httpx.get(f"{server.url}/api/reports", headers=secretariat).json()
    draft = "Il était une fois un rapport.".encode()
    # A name in X-Drafter signed a drafter in once; now only a token does.
    named = httpx.post(f"{server.url}/api/reports/import", content=draft, headers={"X-Drafter": "secretariat", "Content-Type": "text/plain"})
    assert (named.status_code, named.json()["code"]) == (401, "unauthenticated")
    response = httpx.post(f"{server.url}/api/reports/import", content=draft, headers={**secretariat, "Content-Type": "text/plain"})
    assert (response.status_code, response.json()["code"]) == (422, "not_a_report")
    assert httpx.get(f"{server.url}/api/reports", headers=secretariat).json() == before


def test_renderings_of_a_past_version(server: ServerProcess, secretariat: dict[str, str], imported: str) -> None:
    first = httpx.get(f"{server.url}/api/reports/{imported}/render", params={"format": "md", "at": 1}, headers=secretariat)
    assert first.status_code == 200 and first.text.startswith("# ")
    unknown = httpx.get(f"{server.url}/api/reports/{imported}/render", params={"format": "pdf"}, headers=secretariat)
    assert (unknown.status_code, unknown.json()["code"]) == (400, "invalid_query")
