"""Where `rapporteur login` keeps API tokens: one per service URL, in a file only its owner
can read (`$RAPPORTEUR_CREDENTIALS`, else `~/.config/rapporteur/credentials.json`)."""

import json
import os
from pathlib import Path


def _path() -> Path:
    explicit = os.environ.get("RAPPORTEUR_CREDENTIALS")
    if explicit:
        return Path(explicit)
    config = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(config) / "rapporteur" / "credentials.json"


def _load() -> dict:
    try:
        stored = json.loads(_path().read_text())
    except (OSError, ValueError):
        return {}
    return stored if isinstance(stored, dict) else {}


def _store(stored: dict) -> None:
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_suffix(".tmp")
    # Created unreadable by others before the token is written into it: afresh, since O_CREAT
    # would keep the mode of a temporary file an interrupted save left behind.
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(stored, file, indent=2)
    temporary.replace(path)


def _tokens(stored: dict) -> dict:
    """The tokens by service; a hand-edited file may hold anything there."""
    tokens = stored.get("tokens")
    return tokens if isinstance(tokens, dict) else {}


def _key(url: str) -> str:
    return url.rstrip("/")


def save(url: str, token: str) -> None:
    stored = _load()
    stored["tokens"] = {**_tokens(stored), _key(url): token}
    stored["last_url"] = _key(url)
    _store(stored)


def forget(url: str) -> None:
    stored = _load()
    stored["tokens"] = {key: value for key, value in _tokens(stored).items() if key != _key(url)}
    _store(stored)


def token_for(url: str) -> str | None:
    token = _tokens(_load()).get(_key(url))
    return token if isinstance(token, str) else None


def last_url() -> str | None:
    url = _load().get("last_url")
    return url if isinstance(url, str) else None
