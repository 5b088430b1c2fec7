"""The command line: formats, output files, version, and exit codes."""

from __future__ import annotations

import json

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

    monkeypatch.setattr(analyzer.cli, "scan", broken)
    result = CliRunner().invoke(main, ["scan", "-q", FIXTURE])
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
