"""The drafters' story, end to end, through the CLI and the HTTP API of a real server:
import the seed draft, record statements, fill its placeholders, adopt chapters I, II, IV
and V, run the checks, and download the result as text, HTML and DOCX."""

import io
import os
import subprocess
import sys
from pathlib import Path

import docx
import httpx
import pytest

from tests.processes import ROOT, ServerProcess

SEED = ROOT / "tests" / "events" / "data" / "seed_fr.txt"


def rapporteur(server: ServerProcess, *args: str) -> str:
    """Run the CLI as a drafter would, and return what it printed."""
    completed = subprocess.run(
        [sys.executable, "-m", "client.cli", "--url", server.url, "--as", "Secrétariat", *args],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


@pytest.fixture
def imported(server: ServerProcess) -> str:
    return rapporteur(server, "import", str(SEED)).strip()


def _codes(findings: str) -> list[str]:
    return [line.split()[0] for line in findings.splitlines()[:-1]]


def test_a_drafter_completes_and_adopts_the_seed_report(server: ServerProcess, imported: str, tmp_path: Path) -> None:
    report_id = imported
    before = rapporteur(server, "check", report_id)
    assert "participant_in_two_categories" in before and "Pakistan" in before
    assert "ordinal_inconsistent" in before
    assert _codes(before).count("unresolved_placeholder") == 8

    rapporteur(server, "statement", report_id, "2", "party", "France")
    rapporteur(server, "statement", report_id, "2", "party", "Argentine")
    text = " ".join(rapporteur(server, "show", report_id).split())
    assert "suivantes : Argentine, Arménie, Australie," in text
    assert "États-Unis, France, Gambie" in text

    listed = httpx.get(f"{server.url}/api/reports/{report_id}/placeholders").json()
    assert [p["paragraph"] for p in listed] == [10, 10, 10, 10, 10, 11, 11, 16]
    values = {"[sa/ses 2e et 3e]": "ses 2e et 3e", "[s]": "s", "[12 et 13]": "12 et 13", "[4e]": "4e", "[13]": "13", "[…]": ""}
    for placeholder in listed:
        rapporteur(server, "fill", report_id, placeholder["id"], values[placeholder["text"]])
    assert httpx.get(f"{server.url}/api/reports/{report_id}/placeholders").json() == []
    text = rapporteur(server, "show", report_id)
    assert "À ses 2e et 3e séances, tenues les 12 et 13 octobre 2021" in " ".join(text.split())

    rapporteur(server, "adopt", report_id, "I", "II", "IV", "V")
    after = rapporteur(server, "check", report_id)
    assert "unresolved_placeholder" not in after and "adoption_mismatch" not in after
    refused = subprocess.run(
        [sys.executable, "-m", "client.cli", "--url", server.url, "statement", report_id, "2", "party", "Chili"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=60,
    )
    assert refused.returncode == 1 and "chapter_adopted" in refused.stderr

    html = httpx.get(f"{server.url}/api/reports/{report_id}/render", params={"format": "html"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "Argentine" in html.text and "<script" not in html.text
    rapporteur(server, "render", report_id, "--format", "docx", "--output", str(tmp_path / "rapport.docx"))
    document = docx.Document(str(tmp_path / "rapport.docx"))
    numbered = [p for p in document.paragraphs if p.text.split(".")[0].isdigit()]
    outermost = min(p.paragraph_format.left_indent for p in numbered)
    paragraphs = [p.text for p in numbered if p.paragraph_format.left_indent == outermost]
    assert [int(t.split(".")[0]) for t in paragraphs] == list(range(1, 29))
    assert "Argentine, Arménie" in paragraphs[15]
    docx_bytes = httpx.get(f"{server.url}/api/reports/{report_id}/render", params={"format": "docx"}).content
    assert docx.Document(io.BytesIO(docx_bytes)).paragraphs


def test_an_import_of_something_else_creates_nothing(server: ServerProcess) -> None:
    before = httpx.get(f"{server.url}/api/reports").json()
    response = httpx.post(
        f"{server.url}/api/reports/import", content="Il était une fois un rapport.".encode(), headers={"X-Drafter": "a", "Content-Type": "text/plain"}
    )
    assert (response.status_code, response.json()["code"]) == (422, "not_a_report")
    assert httpx.get(f"{server.url}/api/reports").json() == before


def test_renderings_of_a_past_version(server: ServerProcess, imported: str) -> None:
    first = httpx.get(f"{server.url}/api/reports/{imported}/render", params={"format": "md", "at": 1})
    assert first.status_code == 200 and first.text.startswith("# ")
    unknown = httpx.get(f"{server.url}/api/reports/{imported}/render", params={"format": "pdf"})
    assert (unknown.status_code, unknown.json()["code"]) == (400, "invalid_query")
