"""Where `rapporteur login` keeps tokens: one per service, in a file only its owner can read,
which a damaged or hand-edited file must not turn into a crash of every command."""

import json
import stat
from pathlib import Path

import pytest

from client import credentials


@pytest.fixture
def saved_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config" / "credentials.json"
    monkeypatch.setenv("RAPPORTEUR_CREDENTIALS", str(path))
    return path


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_saved_token_is_the_one_for_its_service_whichever_way_its_url_is_written(saved_in: Path) -> None:
    credentials.save("http://127.0.0.1:8000/", "token-a")

    assert credentials.token_for("http://127.0.0.1:8000") == "token-a"
    assert credentials.token_for("http://127.0.0.1:8000/") == "token-a"
    assert credentials.token_for("http://127.0.0.1:9000") is None
    assert credentials.last_url() == "http://127.0.0.1:8000"


def test_each_service_keeps_its_own_token_and_the_last_one_signed_in_to_is_remembered(saved_in: Path) -> None:
    credentials.save("http://a.example", "token-a")
    credentials.save("http://b.example", "token-b")
    credentials.save("http://a.example", "token-a2")

    assert credentials.token_for("http://a.example") == "token-a2"
    assert credentials.token_for("http://b.example") == "token-b"
    assert credentials.last_url() == "http://a.example"


def test_forgetting_a_service_keeps_the_others(saved_in: Path) -> None:
    credentials.save("http://a.example", "token-a")
    credentials.save("http://b.example", "token-b")

    credentials.forget("http://a.example/")

    assert credentials.token_for("http://a.example") is None
    assert credentials.token_for("http://b.example") == "token-b"
    assert "token-a" not in saved_in.read_text()


def test_forgetting_with_nothing_saved_is_harmless(saved_in: Path) -> None:
    credentials.forget("http://a.example")

    assert credentials.token_for("http://a.example") is None


def test_nothing_saved_yet_means_no_token_and_no_last_url(saved_in: Path) -> None:
    assert credentials.token_for("http://a.example") is None
    assert credentials.last_url() is None
    assert not saved_in.exists()


def test_the_file_is_readable_by_its_owner_alone_even_when_it_was_not_before(saved_in: Path) -> None:
    saved_in.parent.mkdir()
    saved_in.write_text("{}")
    saved_in.chmod(0o644)
    saved_in.with_suffix(".tmp").write_text("left over from an interrupted save")
    saved_in.with_suffix(".tmp").chmod(0o644)

    credentials.save("http://a.example", "token-a")

    assert _mode(saved_in) == 0o600
    credentials.forget("http://a.example")
    assert _mode(saved_in) == 0o600


def test_a_missing_directory_is_created_for_its_owner_alone(saved_in: Path) -> None:
    credentials.save("http://a.example", "token-a")

    assert _mode(saved_in.parent) == 0o700
    assert _mode(saved_in) == 0o600


@pytest.mark.parametrize(
    "damaged",
    ["{not json", "", '["a list"]', '{"tokens": ["a list"], "last_url": 7}', '{"tokens": {"http://a.example": 42}}'],
    ids=["not-json", "empty", "a-list", "wrong-types", "token-not-a-string"],
)
def test_a_damaged_file_counts_as_no_token_and_the_next_login_replaces_it(saved_in: Path, damaged: str) -> None:
    saved_in.parent.mkdir()
    saved_in.write_text(damaged)

    assert credentials.token_for("http://a.example") is None
    assert credentials.last_url() is None
    credentials.forget("http://a.example")

    credentials.save("http://a.example", "token-a")
    assert credentials.token_for("http://a.example") == "token-a"
    assert json.loads(saved_in.read_text())["last_url"] == "http://a.example"


def test_without_an_explicit_file_the_tokens_go_to_the_users_config_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RAPPORTEUR_CREDENTIALS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    credentials.save("http://a.example", "token-a")
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    credentials.save("http://b.example", "token-b")

    assert "token-a" in (tmp_path / "xdg" / "rapporteur" / "credentials.json").read_text()
    assert "token-b" in (tmp_path / "home" / ".config" / "rapporteur" / "credentials.json").read_text()
