"""The browser's text operations agree with Python's: the shared vectors, run in node."""

import shutil
import subprocess

import pytest

from tests.processes import ROOT


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_javascript_side_passes_the_shared_vectors() -> None:
    completed = subprocess.run(["node", "--test", "tests/js/"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stdout + completed.stderr
