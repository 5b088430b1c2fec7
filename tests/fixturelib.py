"""Shared helpers for fixture tests: scan a fixture repo, read its inline markers, and project
findings onto the fields an expected file records.

Markers are comments in fixture sources, on the line(s) just above the code they describe:

    // instrumap: expect <family> [<name>]   the next code line has this finding
    // instrumap: ok                         the next code line has no finding
    // instrumap: todo <family> [<name>]     a known gap: not found yet (flip to expect when fixed)

In a file with markers, every finding must be announced by an `expect` marker.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from analyzer.model import Finding, ScanResult
from analyzer.pipeline import ScanOptions, scan

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXPECTED = "expected.json"
MARKER = re.compile(r"(?://|#|\*|<!--)\s*instrumap:\s*(expect|ok|todo)\b(.*?)(?:-->)?\s*$")

# Finding fields recorded in expected files (everything but derived text).
PROJECTED = (
    "path", "line", "column", "end_line", "end_column", "language", "family", "api", "name",
    "name_kind", "resolution", "candidates", "schema", "in_test", "unresolved_reason", "context",
    "config_key", "via_wrapper", "component", "qualified_name", "stream", "final_stream",
    "final_schema", "status", "rule_ids",
)


@dataclass(frozen=True)
class Marker:
    path: str
    line: int  # the code line the marker describes
    kind: str
    family: str | None
    name: str | None


def aged(root: Path) -> Path:
    """Every directory, file and link under `root` last modified an hour ago, as a tree is
    between two scans (stamps written just before a walk cannot vouch for anything)."""
    past = time.time() - 3600
    for path in [root, *root.rglob("*")]:
        os.utime(path, (past, past), follow_symlinks=False)
    return root


def git(root: Path, *args: str) -> None:
    """Run git in `root` as a throwaway identity, whatever the machine's git configuration."""
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "-C", str(root), *identity, *args], check=True, capture_output=True)


def fixture_names() -> list[str]:
    return sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def scan_fixture(name: str, options: ScanOptions | None = None) -> ScanResult:
    return scan([FIXTURES / name], options)


def project(finding: Finding) -> dict:
    data = finding.to_json()
    return {key: data[key] for key in PROJECTED}


def snapshot(result: ScanResult) -> dict:
    return {
        "findings": [project(f) for f in result.findings],
        "declarations": [
            {k: v for k, v in d.to_json().items() if k != "repository"} for d in result.declarations
        ],
        "diagnostics": [
            {"path": d.path, "code": d.code, "line": d.span.line if d.span else None} for d in result.diagnostics
        ],
    }


def read_expected(name: str) -> dict | None:
    path = FIXTURES / name / EXPECTED
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def write_expected(name: str, result: ScanResult) -> None:
    text = json.dumps(snapshot(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    (FIXTURES / name / EXPECTED).write_text(text, encoding="utf-8")


def markers(name: str) -> dict[str, list[Marker]]:
    """Markers per file (POSIX path relative to the fixture root)."""
    root = FIXTURES / name
    found: dict[str, list[Marker]] = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name == EXPECTED:
            continue
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (UnicodeDecodeError, OSError):
            continue
        pending: list[tuple[str, str | None, str | None]] = []
        rel = path.relative_to(root).as_posix()
        for number, text in enumerate(lines, 1):
            hit = MARKER.search(text)
            if hit:
                words = hit.group(2).split()
                pending.append((hit.group(1), words[0] if words else None, " ".join(words[1:]) or None))
                continue
            if pending and text.strip() and not text.strip().startswith(("//", "#", "*", "/*")):
                found.setdefault(rel, []).extend(Marker(rel, number, k, f, n) for k, f, n in pending)
                pending = []
    return found
