"""Output is deterministic by construction: the same scan prints the same bytes, whatever the
string hash seed (set and dict orders) and however many processes parse."""

from __future__ import annotations

import os
import subprocess
import sys

from fixturelib import FIXTURES

ROOTS = [str(FIXTURES / name)
         for name in ("js-resolution", "php-resolution", "android-eventplatform", "ios-eventplatform")]


def run(seed: str, jobs: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    command = [sys.executable, "-m", "analyzer.cli", "scan", "-q", "--no-cache", "-j", jobs, "-f", "json", *ROOTS]
    return subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout


def test_same_bytes_across_hash_seeds_and_job_counts():
    first = run("1", "1")
    assert '"findings"' in first
    assert run("2", "1") == first
    assert run("3", "2") == first
