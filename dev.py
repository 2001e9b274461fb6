#!/usr/bin/env python3
"""Run Rapporteur from a fresh clone: `python3 dev.py serve` or `python3 dev.py test`.

Needs only Python 3.11+. Creates `.venv` beside this file on first use (and again when
pyproject.toml changes), installs the project with its test extras, then runs the
`rapporteur` command or pytest inside it. Extra arguments are passed on.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".rapporteur-installed"


def _python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _ensure_environment() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"Rapporteur needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and _python().exists():
        return
    if not _python().exists():
        print(f"creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    print("installing rapporteur and its dependencies into .venv", flush=True)
    subprocess.run([_python(), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([_python(), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"serve", "test", "bench"}:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    _ensure_environment()
    action, extra = sys.argv[1], sys.argv[2:]
    if action == "serve":
        command = [str(_python()), "-m", "client.cli", "serve", *extra]
    elif action == "test":
        command = [str(_python()), "-m", "pytest", *extra]
    else:
        command = [str(_python()), "-m", "tests.bench.append", *extra]
    # Replace this process, so that Ctrl-C reaches the server alone and it shuts down cleanly.
    os.chdir(ROOT)
    os.execv(command[0], command)


if __name__ == "__main__":
    sys.exit(main())
