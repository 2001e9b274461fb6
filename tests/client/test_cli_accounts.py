"""The CLI's accounts, as people at a terminal use them against a real server: signing in
with an invite link, who am I, and an administrator adding, renaming and revoking users and
granting roles per report."""

import json
import re
import stat
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.client import run_rapporteur
from tests.conftest import People
from tests.processes import ServerProcess

_LINK = re.compile(r"^\s+(http://\S+/signin\?invite=\S+)$", re.MULTILINE)


def unique(name: str) -> str:
    """A display name no other test uses: the user database is shared by the whole session."""
    return f"{name} {uuid.uuid4().hex[:6]}"


class Terminal:
    """Someone's shell: their own credentials file, and nothing else of the machine's."""

    def __init__(self, credentials: Path) -> None:
        self.credentials = credentials

    def run(self, *args: str, token: str | None = None, ok: bool | None = True) -> subprocess.CompletedProcess[str]:
        """`rapporteur ARGS`, with RAPPORTEUR_TOKEN set to `token` when one is given."""
        env = {"RAPPORTEUR_TOKEN": token} if token is not None else {}
        return run_rapporteur(*args, credentials=self.credentials, env=env, ok=ok)

    def saved_token(self) -> str:
        (token,) = json.loads(self.credentials.read_text())["tokens"].values()
        return token


@pytest.fixture
def drafter_terminal(tmp_path: Path) -> Terminal:
    return Terminal(tmp_path / "drafter" / "credentials.json")


class Admin:
    """An administrator at the terminal, signed in by RAPPORTEUR_TOKEN."""

    def __init__(self, server: ServerProcess, terminal: Terminal, token: str) -> None:
        self.server, self.terminal, self.token = server, terminal, token

    def run(self, *args: str, ok: bool | None = True) -> subprocess.CompletedProcess[str]:
        return self.terminal.run("--url", self.server.url, *args, token=self.token, ok=ok)

    def add_user(self, name: str, role: str = "drafter") -> str:
        """`rapporteur user add`; the one-time link it prints."""
        printed = self.run("user", "add", name, "--role", role).stdout
        (link,) = _LINK.findall(printed)
        return link


@pytest.fixture
def admin(server: ServerProcess, people: People, tmp_path: Path) -> Admin:
    return Admin(server, Terminal(tmp_path / "admin" / "credentials.json"), people.token("cli-admin-ada", role="admin"))


def logged_in(terminal: Terminal, admin: Admin, name: str, role: str = "drafter") -> str:
    """A new user, signed in at `terminal` with `rapporteur login`; their id."""
    terminal.run("login", admin.add_user(name, role))
    return terminal.run("whoami").stdout.split()[-1]


def test_login_saves_the_token_where_only_its_owner_reads_it_and_later_commands_use_it(
    server: ServerProcess, admin: Admin, drafter_terminal: Terminal
) -> None:
    name = unique("Dora")
    link = admin.add_user(name)

    said = drafter_terminal.run("login", link).stdout

    assert said.strip() == f"signed in to {server.url} as {name} (drafter)"
    assert stat.S_IMODE(drafter_terminal.credentials.stat().st_mode) == 0o600
    # Neither --url nor --token from now on: the service signed in to last, its saved token.
    whoami = drafter_terminal.run("whoami").stdout.split()
    assert " ".join(whoami[:-1]) == f"{name} (drafter)"
    report_id = drafter_terminal.run("create", "Projet de rapport").stdout.strip()
    assert report_id in drafter_terminal.run("reports").stdout
    in_report = drafter_terminal.run("whoami", "--report", report_id).stdout
    assert in_report.startswith(f"{name} (drafter, drafter in this report) ")


def test_an_invite_link_signs_in_once(admin: Admin, drafter_terminal: Terminal, tmp_path: Path) -> None:
    link = admin.add_user(unique("Émile"))
    drafter_terminal.run("login", link)

    again = Terminal(tmp_path / "someone-else.json").run("login", link, ok=False)

    assert again.returncode == 1
    assert "unauthenticated" in again.stderr and "ask an administrator for a new one" in again.stderr
    assert not (tmp_path / "someone-else.json").exists()


def test_whoami_without_signing_in_says_so(server: ServerProcess, drafter_terminal: Terminal) -> None:
    refused = drafter_terminal.run("--url", server.url, "whoami", ok=False)

    assert refused.returncode == 1 and "unauthenticated" in refused.stderr


def test_user_list_shows_each_user_with_their_role(admin: Admin) -> None:
    name = unique("Fatou")
    admin.add_user(name, "chair")

    listed = admin.run("user", "list").stdout.splitlines()

    (line,) = [line for line in listed if line.endswith(name)]
    user_id, role, *_ = line.split()
    assert role == "chair" and len(user_id) == 36


def test_a_renamed_user_appears_under_their_new_name_in_all_their_past_events(
    admin: Admin, drafter_terminal: Terminal
) -> None:
    before, after = unique("Gaspard"), unique("Gaspard Dupont")
    user_id = logged_in(drafter_terminal, admin, before)
    report_id = drafter_terminal.run("create", "Projet de rapport").stdout.strip()
    chapter_id = str(uuid.uuid4())
    drafter_terminal.run("submit", report_id, json.dumps({"type": "AddChapter", "chapter_id": chapter_id, "title": "Introduction"}))
    drafter_terminal.run("submit", report_id, json.dumps({"type": "AddParagraph", "chapter_id": chapter_id, "text": "Le Groupe."}))
    assert before in admin.run("events", report_id).stdout

    changed = admin.run("user", "change", before, "--name", after).stdout

    assert changed.split() == [user_id, "drafter", *after.split()]
    events = admin.run("events", report_id).stdout
    assert len(events.splitlines()) == 3
    assert all(after in line for line in events.splitlines()) and before not in events
    blame = admin.run("blame", report_id).stdout
    assert f"last changed v3 by {after} at " in blame and f"{after}: Le Groupe." in blame and before not in blame
    assert admin.run("events", report_id, "--actor", after).stdout == events
    assert admin.run("events", report_id, "--actor", before).stdout == ""


def test_a_revoked_users_token_no_longer_signs_them_in(admin: Admin, drafter_terminal: Terminal) -> None:
    name = unique("Hugo")
    logged_in(drafter_terminal, admin, name)

    said = admin.run("user", "revoke", name).stdout

    assert said.startswith(f"revoked {name} ")
    refused = drafter_terminal.run("whoami", ok=False)
    assert refused.returncode == 1
    assert refused.stderr.startswith("rapporteur: unauthenticated: ")
    assert "HTTP 401" in refused.stderr and "sign in again" in refused.stderr
    assert "revoked" in next(line for line in admin.run("user", "list").stdout.splitlines() if name in line)


def test_a_grant_lowers_a_drafter_to_viewer_in_that_report_only(admin: Admin, drafter_terminal: Terminal) -> None:
    name = unique("Inès")
    user_id = logged_in(drafter_terminal, admin, name)
    lowered = drafter_terminal.run("create", "Projet de rapport").stdout.strip()
    other = drafter_terminal.run("create", "Autre rapport").stdout.strip()

    granted = admin.run("grant", lowered, name, "viewer").stdout

    assert granted.split() == [user_id, "viewer", *name.split()]
    assert admin.run("roles", lowered).stdout == granted
    assert admin.run("roles", other).stdout == ""
    refused = drafter_terminal.run("participant", lowered, "observer_state", "Arménie", ok=False)
    assert refused.returncode == 1
    assert "forbidden" in refused.stderr and "HTTP 403" in refused.stderr
    assert "Arménie" not in drafter_terminal.run("show", lowered).stdout  # reading is still allowed
    assert drafter_terminal.run("participant", other, "observer_state", "Arménie").stdout.startswith("version 2")
    assert drafter_terminal.run("whoami", "--report", lowered).stdout.startswith(f"{name} (drafter, viewer in this report) ")

    admin.run("grant", lowered, user_id, "none")

    assert admin.run("roles", lowered).stdout == ""
    assert drafter_terminal.run("participant", lowered, "observer_state", "Arménie").stdout.startswith("version 2")


def test_an_administrator_raises_a_drafters_limits_and_brings_one_back_to_the_default(
    admin: Admin, drafter_terminal: Terminal
) -> None:
    name = unique("Jules")
    logged_in(drafter_terminal, admin, name)
    drafter_terminal.run("create", "Projet de rapport")

    raised = admin.run("user", "limits", name, "--reports", "500", "--connections", "40").stdout

    assert [line.split() for line in raised.splitlines()] == [
        ["reports", "500", "(default", "200)"],
        ["connections", "40", "(default", "20)"],
        ["requests_per_second", "100", "(default)"],
        ["mib_per_minute", "16", "(default)"],
        ["reports", "created", "1"],
    ]
    again = admin.run("user", "limits", name, "--reports", "default").stdout
    assert again.splitlines()[:2] == [f"{'reports':<20} {200:>8} (default)", f"{'connections':<20} {40:>8} (default 20)"]
    assert admin.run("user", "limits", name).stdout == again
    refused = drafter_terminal.run("user", "limits", name, "--reports", "10000", ok=False)
    assert refused.returncode == 1 and "forbidden" in refused.stderr
    wrong = admin.run("user", "limits", name, "--reports", "many", ok=False)
    assert wrong.returncode == 2 and "a whole number, or `default`" in wrong.stderr


def test_only_an_administrator_adds_users(admin: Admin, drafter_terminal: Terminal) -> None:
    logged_in(drafter_terminal, admin, unique("Jeanne"), "chair")
    name = unique("Karim")

    refused = drafter_terminal.run("user", "add", name, "--role", "drafter", ok=False)

    assert refused.returncode == 1 and "forbidden" in refused.stderr and "HTTP 403" in refused.stderr
    assert name not in admin.run("user", "list").stdout


def test_logout_makes_the_saved_token_stop_working(server: ServerProcess, admin: Admin, drafter_terminal: Terminal) -> None:
    logged_in(drafter_terminal, admin, unique("Lina"))
    token = drafter_terminal.saved_token()

    said = drafter_terminal.run("logout").stdout

    assert said.strip() == f"signed out of {server.url}"
    assert token not in drafter_terminal.credentials.read_text()
    assert drafter_terminal.run("whoami", ok=False).returncode == 1
    refused = drafter_terminal.run("--url", server.url, "whoami", token=token, ok=False)
    assert refused.returncode == 1 and "unauthenticated" in refused.stderr


def test_logout_forgets_a_token_the_service_no_longer_knows(server: ServerProcess, admin: Admin, drafter_terminal: Terminal) -> None:
    name = unique("Marc")
    logged_in(drafter_terminal, admin, name)
    token = drafter_terminal.saved_token()
    admin.run("user", "revoke", name)

    said = drafter_terminal.run("logout").stdout

    assert said.strip() == f"signed out of {server.url}"
    assert token not in drafter_terminal.credentials.read_text()
