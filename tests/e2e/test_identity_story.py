"""Who did what, end to end: a fresh `rapporteur serve` prints its administrator's one-time
link; the administrator signs in with the CLI and invites a drafter and a chair; each signs
in with their own link; the drafter writes, and may not adopt; the chair adopts; the log
names the right person on every line; and a restart does not hand out a new admin link.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.processes import ROOT, ServerProcess

ADMIN_LINK = re.compile(r"Sign in as the administrator \(this link works once\): (http://\S+/signin\?invite=\S+)")
INVITE_LINK = re.compile(r"^\s+(http://\S+/signin\?invite=\S+)$", re.MULTILINE)


class Person:
    """Someone at their own terminal: the CLI with a credentials file of their own."""

    def __init__(self, home: Path, name: str) -> None:
        self.credentials = home / f"{name}.json"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "RAPPORTEUR_CREDENTIALS": str(self.credentials)}
        for inherited in ("RAPPORTEUR_URL", "RAPPORTEUR_TOKEN"):
            self.env.pop(inherited, None)

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        completed = subprocess.run(
            [sys.executable, "-m", "client.cli", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=60, check=False
        )
        if ok:
            assert completed.returncode == 0, completed.stderr
        return completed

    def say(self, *args: str) -> str:
        return self.run(*args).stdout


def _names_in(line: str) -> list[str]:
    """The people an `events` line names."""
    return [name for name in ("Dora Drafter", "Chiara Chair", "Administrator") if name in line]


def invite_link(printed: str) -> str:
    (link,) = INVITE_LINK.findall(printed)
    return link


def test_an_administrator_a_drafter_and_a_chair_each_sign_in_and_the_log_says_who_did_what(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = ServerProcess(data_dir=data).start()
    try:
        (admin_link,) = ADMIN_LINK.findall(server.output_so_far())
        assert admin_link.startswith(server.url)

        admin = Person(tmp_path, "admin")
        assert admin.say("login", admin_link).strip() == f"signed in to {server.url} as Administrator (admin)"
        saved = json.loads(admin.credentials.read_text())["tokens"][server.url]
        assert admin.credentials.stat().st_mode & 0o777 == 0o600
        whoami = admin.say("whoami")
        assert whoami.startswith("Administrator (admin) ") and saved not in whoami
        dora_link = invite_link(admin.say("user", "add", "Dora Drafter", "--role", "drafter"))
        chiara_link = invite_link(admin.say("user", "add", "Chiara Chair", "--role", "chair"))

        dora, chiara = Person(tmp_path, "dora"), Person(tmp_path, "chiara")
        assert "as Dora Drafter (drafter)" in dora.say("login", dora_link)
        assert "as Chiara Chair (chair)" in chiara.say("login", chiara_link)
        reused = Person(tmp_path, "someone-else").run("login", dora_link, ok=False)
        assert reused.returncode == 1 and "unauthenticated" in reused.stderr
        reused_admin = Person(tmp_path, "intruder").run("login", admin_link, ok=False)
        assert reused_admin.returncode == 1 and "unauthenticated" in reused_admin.stderr

        report_id = dora.say("create", "Projet de rapport").strip()
        dora.say("submit", report_id, '{"type": "AddChapter", "title": "Introduction"}')
        dora.say("participant", report_id, "party", "Argentine")

        refused = dora.run("adopt", report_id, "I", ok=False)
        assert refused.returncode == 1
        assert "forbidden" in refused.stderr and "AdoptChapter needs the chair role" in refused.stderr
        assert chiara.say("adopt", report_id, "I").strip() == "version 4: 1 event(s)"

        lines = admin.say("events", report_id).splitlines()
        expected = [
            (1, "Dora Drafter", "ReportCreated"),
            (2, "Dora Drafter", "ChapterAdded"),
            (3, "Dora Drafter", "ParticipantAdded"),
            (4, "Chiara Chair", "ChapterAdopted"),
        ]
        assert len(lines) == len(expected), lines
        for line, (version, name, event_type) in zip(lines, expected, strict=True):
            assert line.split()[0] == str(version), line
            assert event_type in line and _names_in(line) == [name], line
        assert [line.split()[0] for line in admin.say("events", report_id, "--actor", "chiara chair").splitlines()] == ["4"]
    finally:
        first_output = server.stop()
    assert len(ADMIN_LINK.findall(first_output)) == 1

    restarted = ServerProcess(data_dir=data, port=server.port).start()
    try:
        assert "signin?invite=" not in restarted.output_so_far()
        assert admin.say("whoami").startswith("Administrator (admin) ")
        assert "Chiara Chair" in admin.say("events", report_id)
    finally:
        second_output = restarted.stop()
    assert "Sign in as the administrator" not in second_output and "signin?invite=" not in second_output
