"""The command line: formats, output files, version, and exit codes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fixturelib import FIXTURES

import analyzer.cli
from analyzer import __version__
from analyzer.cli import main

FIXTURE = str(FIXTURES / "js-track-basic")


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_default_output_is_a_table_with_location_family_name_resolution():
    result = CliRunner().invoke(main, ["scan", "-q", FIXTURE])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["LOCATION", "FAMILY", "NAME", "RESOLUTION"]
    row = next(line for line in lines if "init.js:12:" in line)
    assert row.split() == ["js-track-basic/modules/ext.demo/init.js:12:3", "statsv-counter",
                           "counter.MediaWiki.demo.click", "literal"]
    assert lines[-1].startswith("24 findings (1 in tests) in 4 files of 1 root(s)")


def test_json_to_a_file(tmp_path):
    out = tmp_path / "findings.json"
    result = CliRunner().invoke(main, ["scan", "-q", FIXTURE, "--format", "json", "--output", str(out)])
    assert result.exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format_version"] == 1 and len(data["findings"]) == 24


def test_missing_path_is_a_usage_error():
    result = CliRunner().invoke(main, ["scan", "/no/such/directory"])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_unknown_format_is_a_usage_error():
    result = CliRunner().invoke(main, ["scan", FIXTURE, "--format", "yaml"])
    assert result.exit_code == 2


def test_internal_error_exits_3_with_a_message_not_a_traceback(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(analyzer.cli, "scan_with_signatures", broken)
    result = CliRunner().invoke(main, ["scan", "-q", "--no-cache", FIXTURE])  # a remembered report needs no scan
    assert result.exit_code == 3
    assert "internal error: RuntimeError: boom" in result.output
    assert "Traceback" not in result.output


def test_literal_resolution_level_leaves_references_unresolved():
    fixture = str(FIXTURES / "js-resolution")
    full = json.loads(CliRunner().invoke(main, ["scan", "-q", "-f", "json", fixture]).output)
    literal = json.loads(CliRunner().invoke(main, ["scan", "-q", "-f", "json", fixture, "--resolve", "literal"]).output)

    def kinds(data):
        return {f["resolution"] for f in data["findings"]}

    assert {"cross-file-constant", "config", "wrapper-argument"} <= kinds(full)
    assert kinds(literal) <= {"literal", "concatenation", "template-literal", "dynamic"}
    assert not any(f["via_wrapper"] for f in literal["findings"])


def test_a_rescan_of_unchanged_roots_prints_the_remembered_report_and_a_change_is_seen(tmp_path, monkeypatch):
    from fixturelib import aged

    from analyzer import discover

    monkeypatch.setattr(discover, "RACY_WINDOW_NS", 0)  # trust stamps from a moment ago
    root = tmp_path / "repo"
    (root / "modules").mkdir(parents=True)
    (root / "modules" / "a.js").write_text("var TOPIC = 'counter.a';\nmw.track( TOPIC );\n")
    aged(root)

    def instrumap(*args: str) -> str:
        result = CliRunner().invoke(main, ["scan", "-q", "--cache-dir", str(tmp_path / "cache"), *args, str(root)])
        assert result.exit_code == 0, result.output
        return result.output

    first = instrumap("-f", "json")
    with monkeypatch.context() as patched:
        patched.setattr(analyzer.cli, "scan_with_signatures", lambda *args: pytest.fail("scanned again"))
        assert instrumap("-f", "json") == first
    assert instrumap("-f", "csv") != first  # one report per format
    assert instrumap("-f", "json", "--resolve", "literal") != first  # and per root results
    assert instrumap("-f", "json", "--resolve", "literal") != first  # (remembered this time)
    assert instrumap("-f", "json") == first
    (root / "modules" / "b.js").write_text("mw.track( 'counter.b' );\n")
    names = [f["name"] for f in json.loads(instrumap("-f", "json"))["findings"]]
    assert names == ["counter.a", "counter.b"]


def test_no_report_is_remembered_with_a_registry(tmp_path, monkeypatch):
    streams = str(FIXTURES / "_registry" / "streamconfigs.json")
    command = ["scan", "-q", "--cache-dir", str(tmp_path / "cache"), "--stream-config", streams, FIXTURE]
    first = CliRunner().invoke(main, command).output
    monkeypatch.setattr(analyzer.cli, "remembered_report", lambda *args: pytest.fail("a remembered report"))
    assert CliRunner().invoke(main, command).output == first
