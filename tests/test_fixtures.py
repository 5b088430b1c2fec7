"""Every fixture repo: its inline markers hold, and its findings equal its expected file."""

from __future__ import annotations

import pytest
from fixturelib import fixture_names, markers, read_expected, scan_fixture, snapshot


def _matches(marker, finding) -> bool:
    if finding.family != marker.family:
        return False
    if marker.name is None:
        return True
    shown = "?" if finding.name is None else finding.name
    return shown == marker.name


@pytest.mark.parametrize("name", fixture_names())
def test_markers(name):
    result = scan_fixture(name)
    by_line: dict[tuple[str, int], list] = {}
    for finding in result.findings:
        by_line.setdefault((finding.path, finding.span.line), []).append(finding)
    problems = []
    for path, file_markers in markers(name).items():
        announced = set()
        for marker in file_markers:
            here = by_line.get((path, marker.line), [])
            if marker.kind == "expect":
                hits = [f for f in here if _matches(marker, f) and id(f) not in announced]
                if hits:
                    announced.add(id(hits[0]))
                else:
                    found = [(f.family, f.name) for f in here]
                    problems.append(f"{path}:{marker.line}: expected {marker.family} {marker.name}, found {found}")
            elif marker.kind == "ok" and here:
                found = [(f.family, f.name) for f in here]
                problems.append(f"{path}:{marker.line}: expected no finding, found {found}")
            elif marker.kind == "todo" and any(_matches(marker, f) for f in here):
                problems.append(f"{path}:{marker.line}: todo {marker.family} {marker.name} now works: make it expect")
        for finding in result.findings:
            if finding.path == path and id(finding) not in announced:
                marked_lines = {m.line for m in file_markers if m.kind == "expect"}
                same_line = [m for m in file_markers if m.line == finding.span.line]
                if finding.span.line not in marked_lines or not any(_matches(m, finding) for m in same_line):
                    problems.append(f"{path}:{finding.span.line}: unannounced finding {finding.family} {finding.name}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", fixture_names())
def test_expected_file(name):
    expected = read_expected(name)
    assert expected is not None, f"fixtures/{name}/expected.json is missing: run python tests/regen_expected.py {name}"
    actual = snapshot(scan_fixture(name))
    for section in ("findings", "declarations", "diagnostics"):
        assert actual[section] == expected[section], (
            f"{section} differ from fixtures/{name}/expected.json; if the change is intended, run "
            f"python tests/regen_expected.py {name} and review the diff"
        )
