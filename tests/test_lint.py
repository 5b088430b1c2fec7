"""The code stays clean under the ruff configuration in pyproject.toml (CI runs this test)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINTED = ("analyzer", "tests", "benchmarks")


def test_ruff_check_finds_nothing():
    # Fail, not skip: the test extras install ruff, so a missing ruff is a broken set-up.
    if importlib.util.find_spec("ruff") is None:
        pytest.fail("ruff is not installed: install the test extras (pip install -e '.[test]')", pytrace=False)
    result = subprocess.run([sys.executable, "-m", "ruff", "check", *LINTED],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"ruff check {' '.join(LINTED)}:\n{result.stdout}{result.stderr}"
