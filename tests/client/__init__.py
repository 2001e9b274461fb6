"""Tests of the Python client: the live client, the paragraph editor and the `rapporteur` CLI."""

import os
import subprocess
import sys
from pathlib import Path

from tests.processes import ROOT

# Variables of the CLI's that the environment the tests run in must not leak into them.
_CLI_VARIABLES = ("RAPPORTEUR_URL", "RAPPORTEUR_TOKEN", "RAPPORTEUR_CREDENTIALS", "XDG_CONFIG_HOME")


def run_rapporteur(
    *args: str, credentials: Path | None = None, env: dict[str, str] | None = None, ok: bool | None = True
) -> subprocess.CompletedProcess[str]:
    """`rapporteur ARGS` in a child process, as a drafter's shell runs it.

    Its saved credentials are the file `credentials` (never the ~/.config of whoever runs the
    tests; none at all when not given), `env` adds variables such as RAPPORTEUR_TOKEN. With
    `ok`, the command must succeed (True) or fail (False); None checks nothing."""
    environment = {key: value for key, value in os.environ.items() if key not in _CLI_VARIABLES}
    environment["PYTHONPATH"] = str(ROOT)
    environment["RAPPORTEUR_CREDENTIALS"] = str(credentials) if credentials is not None else os.devnull
    environment.update(env or {})
    completed = subprocess.run(
        [sys.executable, "-m", "client.cli", *args],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )
    if ok is not None:
        assert (completed.returncode == 0) == ok, f"exit {completed.returncode}: {completed.stdout}{completed.stderr}"
    return completed
