"""The command line with a registry: exit codes, the failure threshold, rule documentation."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from analyzer.checks import load_checks
from analyzer.cli import main
from analyzer.ruleset import load_rules

REPO = Path(__file__).resolve().parent.parent
STREAMS = str(REPO / "fixtures" / "_registry" / "streamconfigs.json")


def repo(tmp_path: Path, files: dict[str, str]) -> str:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return str(tmp_path)


UNDECLARED = "mw.eventLog.submit( 'mediawiki.nowhere', { $schema: '/analytics/x/1.0.0' } );\n"


def test_an_error_check_fails_the_run_with_exit_1(tmp_path):
    result = CliRunner().invoke(main, ["scan", "-q", "--stream-config", STREAMS, repo(tmp_path, {"a.js": UNDECLARED})])
    assert result.exit_code == 1
    assert "1 finding(s) with checks at or above 'error'" in result.output
    assert "undeclared-stream (IM101)" in result.output


def test_fail_on_never_and_test_code(tmp_path):
    root = repo(tmp_path, {"tests/qunit/a.test.js": UNDECLARED})
    assert CliRunner().invoke(main, ["scan", "-q", "--stream-config", STREAMS, root]).exit_code == 0
    assert CliRunner().invoke(main, ["scan", "-q", "--stream-config", STREAMS, "--fail-on-tests", root]).exit_code == 1
    never = CliRunner().invoke(main, ["scan", "-q", "--stream-config", STREAMS, "--fail-on", "never",
                                      "--fail-on-tests", root])
    assert never.exit_code == 0


def test_warning_threshold_counts_warnings(tmp_path):
    root = repo(tmp_path, {"a.js": "mw.track( 'counter.MediaWiki.demo.click' );\n"})
    assert CliRunner().invoke(main, ["scan", "-q", "--stream-config", STREAMS, root]).exit_code == 0
    warning = CliRunner().invoke(main, ["scan", "-q", "--stream-config", STREAMS, "--fail-on", "warning", root])
    assert warning.exit_code == 1


def test_without_a_registry_no_status_and_exit_0(tmp_path):
    result = CliRunner().invoke(main, ["scan", "-q", "-f", "json", repo(tmp_path, {"a.js": UNDECLARED})])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["summary"] is None and data["findings"][0]["status"] is None


def test_registry_from_the_configuration_file(tmp_path):
    root = repo(tmp_path, {"a.js": UNDECLARED, ".instrumap.toml": f'stream-config = "{STREAMS}"\nfail-on = "never"\n'})
    result = CliRunner().invoke(main, ["scan", "-q", "-f", "json", root])
    assert result.exit_code == 0
    (submit,) = [f for f in json.loads(result.output)["findings"] if f["family"] == "event-platform-submit"]
    assert submit["status"] == "undeclared-stream"


def test_missing_registry_path_is_a_usage_error(tmp_path):
    root = repo(tmp_path, {"a.js": ""})
    result = CliRunner().invoke(main, ["scan", "-q", "--stream-config", str(tmp_path / "nope"), root])
    assert result.exit_code == 2
    assert "registry error" in result.output and "does not exist" in result.output


def test_rules_lists_every_family_and_check():
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0
    for family in load_rules().families.values():
        assert f"{family.id}  {family.key}" in result.output
    for check in load_checks().checks:
        assert check.id in result.output and check.name in result.output


def test_explain_by_id_and_name():
    by_id = CliRunner().invoke(main, ["explain", "IM101"])
    by_name = CliRunner().invoke(main, ["explain", "undeclared-stream"])
    assert by_id.exit_code == by_name.exit_code == 0
    assert by_id.output == by_name.output
    for section in ("## What it does", "## Why it matters", "## Example", "## Use instead", "Severity: error"):
        assert section in by_id.output
    family = CliRunner().invoke(main, ["explain", "statsv-counter"])
    assert "# IM002 statsv-counter" in family.output
    assert CliRunner().invoke(main, ["explain", "IM999"]).exit_code == 2


def test_generated_rules_reference_is_current():
    current = CliRunner().invoke(main, ["rules", "--format", "markdown"]).output
    committed = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == current, "docs/rules.md is stale: run `instrumap rules --format markdown > docs/rules.md`"


def test_the_installed_command_keeps_its_exit_status_and_its_output(tmp_path):
    """`instrumap` (cli.run) exits without tearing the interpreter down: what it printed and
    the status main() gave must still reach the caller."""
    import subprocess
    import sys

    def instrumap(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "analyzer.cli", *args], capture_output=True, text=True,
                              cwd=tmp_path)

    root = repo(tmp_path / "repo", {"a.js": UNDECLARED})
    failing = instrumap("scan", "--no-cache", "-q", "-f", "json", "--stream-config", STREAMS, root)
    assert failing.returncode == 1
    assert "mediawiki.nowhere" in {f["name"] for f in json.loads(failing.stdout)["findings"]}  # all of it, flushed
    assert "1 finding(s) with checks at or above 'error'" in failing.stderr
    assert instrumap("scan", "--no-cache", "-q", "--fail-on", "never", "--stream-config", STREAMS, root).returncode == 0
    assert instrumap("scan", str(tmp_path / "missing")).returncode == 2
    assert instrumap("--version").stdout.startswith("instrumap")
