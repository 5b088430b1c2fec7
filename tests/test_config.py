"""Project configuration: custom APIs, declared wrappers, include/exclude, and precise errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.config import ConfigError, find_config, load_config


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def scan_json(root: Path, *args: str) -> dict:
    result = CliRunner().invoke(main, ["scan", "-q", "-f", "json", str(root), *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


CODE = """\
analytics.log( 'counter.custom.wrapper' );
this.helper.logInteraction( 'click', 'mediawiki.custom.stream' );
ourTracker.send( 'custom.api.topic' );
"""

CONFIG = """\
exclude = ["generated/**"]

[[wrappers]]
callee = "analytics.log"
api = "mw.track"

[[wrappers]]
method = "logInteraction"
api = "mw.eventLog.submit"
name-arg = 1

[[apis]]
id = "ourTracker.send"
languages = ["javascript"]
family = "track-other"
match = { callee = ["ourTracker.send"] }
name = { arg = 0, kind = "topic" }
"""


def test_declared_wrappers_and_custom_apis_are_found(tmp_path):
    root = write(tmp_path, {".instrumap.toml": CONFIG, "modules/a.js": CODE,
                            "generated/b.js": "ourTracker.send( 'excluded' );"})
    findings = scan_json(root)["findings"]
    got = {(f["line"], f["family"], f["api"], f["name"], f["name_kind"]) for f in findings}
    assert got == {
        (1, "statsv-counter", "mw.track (via analytics.log)", "counter.custom.wrapper", "topic"),
        (2, "event-platform-submit", "mw.eventLog.submit (via logInteraction)", "mediawiki.custom.stream", "stream"),
        (3, "track-other", "ourTracker.send", "custom.api.topic", "topic"),
    }


def test_without_configuration_the_custom_calls_are_not_instrumentation(tmp_path):
    root = write(tmp_path, {"modules/a.js": CODE})
    assert scan_json(root)["findings"] == []


def test_pyproject_table_is_read_and_other_tables_ignored(tmp_path):
    write(tmp_path, {"pyproject.toml": '[project]\nname = "x"\n\n[tool.instrumap]\nresolve = "literal"\n'})
    config = load_config(find_config(tmp_path))
    assert config.resolve == "literal"
    write(tmp_path / "other", {"pyproject.toml": '[project]\nname = "y"\n'})
    assert find_config(tmp_path / "other") is None


@pytest.mark.parametrize(
    "text, message",
    [
        ("unknown-key = 1\n", "'unknown-key' was unexpected"),
        ('resolve = "sometimes"\n', "resolve: 'sometimes' is not one of"),
        ('[[wrappers]]\ncallee = "x.y"\n', "wrappers.0: 'api' is a required property"),
        ("exclude = [", "not valid TOML"),
    ],
)
def test_invalid_configuration_names_the_problem(tmp_path, text, message):
    path = write(tmp_path, {".instrumap.toml": text}) / ".instrumap.toml"
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("[", r"\[")):
        load_config(path)


def test_invalid_configuration_is_a_usage_error(tmp_path):
    write(tmp_path, {".instrumap.toml": "bogus = true\n", "a.js": "mw.track( 'x' );"})
    result = CliRunner().invoke(main, ["scan", "-q", str(tmp_path)])
    assert result.exit_code == 2
    assert "configuration error" in result.output and "bogus" in result.output


def test_wrapper_of_an_unknown_api_is_a_usage_error(tmp_path):
    write(tmp_path, {".instrumap.toml": '[[wrappers]]\ncallee = "a.b"\napi = "no.such.api"\n', "a.js": ""})
    result = CliRunner().invoke(main, ["scan", "-q", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown API 'no.such.api'" in result.output


def test_command_line_include_replaces_and_exclude_adds(tmp_path):
    root = write(tmp_path, {
        ".instrumap.toml": 'exclude = ["b/**"]\n',
        "a/x.js": "mw.track( 'counter.a' );",
        "b/x.js": "mw.track( 'counter.b' );",
        "c/x.js": "mw.track( 'counter.c' );",
    })

    def names(data):
        return sorted(f["name"] for f in data["findings"])

    assert names(scan_json(root)) == ["counter.a", "counter.c"]
    assert names(scan_json(root, "--exclude", "c/**")) == ["counter.a"]
    assert names(scan_json(root, "--include", "c/**")) == ["counter.c"]
