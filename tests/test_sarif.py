"""The SARIF reporter: valid against the official OASIS schema, and faithful to the findings."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import jsonschema
import pytest
from click.testing import CliRunner
from fixturelib import FIXTURES, fixture_names, scan_fixture

from analyzer.checks import load_checks
from analyzer.cli import main
from analyzer.model import (
    Diagnostic,
    Finding,
    Root,
    ScanResult,
    Span,
    ViaWrapper,
    sorted_result,
)
from analyzer.pipeline import scan
from analyzer.registry import load_registry
from analyzer.report import sarif_report
from analyzer.report.sarif_report import (
    FINGERPRINT_KEY,
    RuleDescriptor,
    reporting_descriptor,
)
from analyzer.ruleset import load_rules

SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
# RFC 3986 characters; anything else in a URI must be percent-encoded.
URI_CHARACTERS = re.compile(r"^[A-Za-z0-9\-._~%!$&'()*+,;=:@/?#\[\]]+$")


def validate(result: ScanResult) -> dict:
    """Render, check against the SARIF schema and GitHub's constraints, and return the log."""
    log = json.loads(sarif_report.render(result))
    validator = jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]
    assert not errors, "\n".join(errors)
    for run in log["runs"]:
        assert run["tool"]["driver"]["name"] == "instrumap"
        for rule in run["tool"]["driver"]["rules"]:
            assert len(rule["id"]) <= 255 and len(rule["name"]) <= 255
            assert 0 < len(rule["shortDescription"]["text"]) <= 1024
            assert 0 < len(rule["fullDescription"]["text"]) <= 1024
            assert rule["help"]["text"]
        for result_ in run["results"]:
            assert result_["message"]["text"]
            assert result_["partialFingerprints"][FINGERPRINT_KEY]
            for location in result_["locations"] + result_.get("relatedLocations", []):
                uri = location["physicalLocation"]["artifactLocation"]["uri"]
                assert URI_CHARACTERS.match(uri) and not urlsplit(uri).scheme, uri
    return log


def finding(repository: str, path: str, span: Span, family: str = "statsv-counter", **fields) -> Finding:
    values = {
        "repository": repository, "path": path, "span": span, "language": "javascript", "family": family,
        "api": "mw.track", "name": "counter.MediaWiki.demo.click", "name_kind": "topic", "resolution": "literal",
        "fingerprint": "0123456789abcdef0123456789abcdef", "snippet": "mw.track( 'counter.MediaWiki.demo.click' )",
        "message": "mw.track: topic 'counter.MediaWiki.demo.click' (statsv-counter)",
    }
    values.update(fields)
    return Finding(**values)


def two_root_result() -> ScanResult:
    """Two roots, a unicode path, a wrapper, a multi-line call and diagnostics of every shape."""
    return sorted_result(
        "0.1.0",
        [Root("Wiki-Ext", "/srv/checkouts/Wiki Ext", 3, "git", "abc123"), Root("ünï", "/srv/ünï", 1)],
        [
            finding("Wiki-Ext", "modules/ünïcode/träck.js", Span(3, 9, 3, 50),
                    via_wrapper=ViaWrapper("logClick", "modules/util.js", 12)),
            finding("Wiki-Ext", "modules/multi.js", Span(5, 2, 9, 4), family="statsv-stats",
                    name="stats.mediawiki_demo_total", snippet="mw.track(", message=""),
            finding("ünï", "a b/#c.js", Span(1, 1, 1, 42), family="event-platform-submit",
                    api="mw.eventLog.submit", name="mediawiki.demo", name_kind="stream",
                    schema="/analytics/demo/1.0.0", in_test=True),
        ],
        [],
        [
            Diagnostic("Wiki-Ext", "modules/broken.js", "parse-error", "1 syntax error(s)", "warning",
                       Span(2, 4, 2, 5)),
            Diagnostic("Wiki-Ext", "modules/gone.js", "read-error", "cannot read file: Permission denied", "error"),
            Diagnostic("ünï", "", "internal-error", "instrumap resolution failed on this root", "error"),
        ],
    )


def test_the_official_schema_is_draft_04_and_catches_broken_logs():
    validator_class = jsonschema.validators.validator_for(SARIF_SCHEMA)
    assert validator_class is jsonschema.Draft4Validator
    log = json.loads(sarif_report.render(scan_fixture("js-track-basic")))
    first = log["runs"][0]["results"][0]
    first["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    del first["message"]
    log["runs"][0]["columnKind"] = "bytes"
    assert len(list(validator_class(SARIF_SCHEMA).iter_errors(log))) == 3


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_sarif_is_valid_and_matches_findings(name):
    result = scan_fixture(name)
    log = validate(result)
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == len(result.findings)
    for sarif, found in zip(run["results"], result.findings, strict=True):
        rule = rules[sarif["ruleIndex"]]
        assert sarif["ruleId"] == rule["id"] == load_rules().families[found.family].id
        assert rule["name"] == found.family
        assert sarif["level"] == "note"
        assert sarif["message"]["text"] == found.message
        location = sarif["locations"][0]["physicalLocation"]
        # URIs are percent-encoded: the iOS app's paths have spaces ("WMF Framework/…").
        assert location["artifactLocation"] == {"uri": quote(found.path), "uriBaseId": "%SRCROOT%"}
        region = location["region"]
        assert (region["startLine"], region["startColumn"], region["endLine"], region["endColumn"]) == (
            found.span.line, found.span.column, found.span.end_line, found.span.end_column)
        assert sarif["partialFingerprints"] == {FINGERPRINT_KEY: found.fingerprint}
        assert sarif["properties"]["family"] == found.family
        assert sarif["properties"]["name"] == found.name
        assert sarif["properties"]["candidates"] == list(found.candidates)
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (FIXTURES / name).as_uri() + "/"
    assert run["columnKind"] == "unicodeCodePoints"
    assert "automationDetails" not in run


def test_single_line_snippets_are_kept_and_partial_ones_dropped():
    log = validate(scan_fixture("js-track-basic"))
    regions = {
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["properties"]["name"]):
            r["locations"][0]["physicalLocation"]["region"]
        for r in log["runs"][0]["results"]
    }
    click = regions[("modules/ext.demo/init.js", "counter.MediaWiki.demo.click")]
    assert click["snippet"]["text"] == "mw.track( 'counter.MediaWiki.demo.click', 1 )"
    multi_line = regions[("modules/ext.demo/init.js", "stats.mediawiki_demo_click_total")]
    assert multi_line["endLine"] > multi_line["startLine"] and "snippet" not in multi_line


def test_every_family_then_every_check_is_a_rule_sorted_by_id():
    families = load_rules().families
    checks = load_checks().checks
    log = validate(scan_fixture("js-track-basic"))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(f.id for f in families.values()) + sorted(c.id for c in checks)
    for rule in rules[len(families):]:
        check = load_checks().by_id(rule["id"])
        assert rule["name"] == check.name and rule["shortDescription"]["text"] == check.title
        assert rule["defaultConfiguration"] == {"level": check.severity}
        assert "## Why it matters" in rule["help"]["markdown"]
    for rule in rules[: len(families)]:
        family = families[rule["name"]]
        assert rule["id"] == family.id
        assert rule["shortDescription"]["text"] == family.title
        assert rule["defaultConfiguration"] == {"level": "note"}
        assert rule["helpUri"] == family.help_uri
        assert family.help_uri in rule["help"]["markdown"] and family.title in rule["help"]["text"]
        assert "`" not in rule["fullDescription"]["text"]
        assert family.name_kind in rule["properties"]["tags"]
        assert not {"precision", "problem.severity", "security-severity"} & set(rule["properties"])


def test_driver_and_log_header():
    log = validate(scan_fixture("js-track-basic"))
    assert log["version"] == "2.1.0"
    assert log["$schema"] == SARIF_SCHEMA["id"]
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["version"] == driver["semanticVersion"] == scan_fixture("js-track-basic").tool_version
    assert "informationUri" not in driver  # the project has no public home yet; never invent one


def test_several_roots_get_one_run_and_category_each():
    log = validate(two_root_result())
    assert [run["properties"]["root"]["name"] for run in log["runs"]] == ["Wiki-Ext", "ünï"]
    assert [run["automationDetails"]["id"] for run in log["runs"]] == ["instrumap/Wiki-Ext/", "instrumap/ünï/"]
    assert [len(run["results"]) for run in log["runs"]] == [2, 1]
    bases = [run["originalUriBaseIds"]["%SRCROOT%"]["uri"] for run in log["runs"]]
    assert bases == ["file:///srv/checkouts/Wiki%20Ext/", "file:///srv/%C3%BCn%C3%AF/"]


def test_paths_are_percent_encoded_relative_uris():
    log = validate(two_root_result())
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for run in log["runs"] for r in run["results"]
    ]
    assert uris == ["modules/multi.js", "modules/%C3%BCn%C3%AFcode/tr%C3%A4ck.js", "a%20b/%23c.js"]
    assert [unquote(u) for u in uris] == ["modules/multi.js", "modules/ünïcode/träck.js", "a b/#c.js"]


def test_wrapper_is_a_related_location_and_multi_line_regions_have_no_snippet():
    log = validate(two_root_result())
    multi, wrapped = log["runs"][0]["results"]
    related = wrapped["relatedLocations"][0]
    assert related["physicalLocation"] == {
        "artifactLocation": {"uri": "modules/util.js", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 12},
    }
    assert "logClick" in related["message"]["text"]
    assert "relatedLocations" not in multi
    assert "snippet" not in multi["locations"][0]["physicalLocation"]["region"]
    assert multi["message"]["text"] == "mw.track: topic stats.mediawiki_demo_total"


def test_diagnostics_become_notifications_and_internal_errors_fail_the_run():
    log = validate(two_root_result())
    first, second = (run["invocations"] for run in log["runs"])
    assert first[0]["executionSuccessful"] is True
    assert second[0]["executionSuccessful"] is False
    parse, read = first[0]["toolExecutionNotifications"]
    assert parse["level"] == "warning" and parse["descriptor"] == {"id": "parse-error"}
    assert parse["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "modules/broken.js", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 2, "startColumn": 4, "endLine": 2, "endColumn": 5},
    }
    assert read["level"] == "error" and read["message"]["text"] == "cannot read file: Permission denied"
    assert "region" not in read["locations"][0]["physicalLocation"]
    (root_wide,) = second[0]["toolExecutionNotifications"]
    assert root_wide["descriptor"] == {"id": "internal-error"} and "locations" not in root_wide


def test_zero_findings_still_lists_every_rule():
    log = validate(ScanResult("0.1.0", (Root("empty", "/srv/empty", 0),), ()))
    (run,) = log["runs"]
    assert run["results"] == []
    assert len(run["tool"]["driver"]["rules"]) == len(load_rules().families) + len(load_checks().checks)
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]


def test_relative_root_path_declares_the_base_without_a_uri():
    log = validate(ScanResult("0.1.0", (Root("here", "checkouts/here", 0),), ()))
    assert "uri" not in log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]


def test_descriptors_for_other_rules_keep_their_level_and_fit_github_limits():
    lint_rule = RuleDescriptor(
        id="IM101", name="undeclared-stream", short_description="A stream that is not declared",
        full_description="x" * 3000, help_text="What it does …", help_markdown="## What it does",
        level="warning", tags=("instrumentation", "correctness"),
    )
    descriptor = reporting_descriptor(lint_rule)
    assert descriptor["defaultConfiguration"] == {"level": "warning"}
    assert len(descriptor["fullDescription"]["text"]) == 1024
    assert "helpUri" not in descriptor


def write_repo(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


TRACKING = """( function () {
\tfunction onSave( action ) {
\t\tmw.track( 'counter.MediaWiki.demo.save', 1 );
\t\tmw.track( 'counter.MediaWiki.demo.save', 1 );
\t}
}() );
"""


def sarif_results(root: Path) -> list[dict]:
    return validate(scan([root]))["runs"][0]["results"]


def test_fingerprints_survive_lines_inserted_above(tmp_path):
    before = sarif_results(write_repo(tmp_path / "v1" / "ext", {"modules/save.js": TRACKING}))
    shifted = "// A comment added later.\nvar unrelated = 1;\n\n" + TRACKING
    after = sarif_results(write_repo(tmp_path / "v2" / "ext", {"modules/save.js": shifted}))
    assert len(before) == len(after) == 2
    for old, new in zip(before, after, strict=True):
        old_region = old["locations"][0]["physicalLocation"]["region"]
        new_region = new["locations"][0]["physicalLocation"]["region"]
        assert new_region["startLine"] == old_region["startLine"] + 3
        assert new["partialFingerprints"] == old["partialFingerprints"]
    # Identical calls are told apart, and a different call gets a different fingerprint.
    assert before[0]["partialFingerprints"] != before[1]["partialFingerprints"]
    renamed = TRACKING.replace("demo.save", "demo.store", 1)
    other = sarif_results(write_repo(tmp_path / "v3" / "ext", {"modules/save.js": renamed}))
    assert other[0]["partialFingerprints"] != before[0]["partialFingerprints"]


def test_unicode_file_names_and_columns_from_a_real_scan(tmp_path):
    line = "var label = 'Größe €'; mw.track( 'counter.MediaWiki.demo.größe', 1 );"
    root = write_repo(tmp_path / "ext", {"modules/größe/ünï.js": line + "\n"})
    (result,) = sarif_results(root)
    location = result["locations"][0]["physicalLocation"]
    assert unquote(location["artifactLocation"]["uri"]) == "modules/größe/ünï.js"
    region = location["region"]
    expected_column = line.index("mw.track") + 1
    assert expected_column != line.encode("utf-8").index(b"mw.track") + 1  # code points, not bytes
    assert region["startColumn"] == expected_column
    assert region["endColumn"] == len(line) + 1 - len(";")
    assert region["snippet"]["text"] == "mw.track( 'counter.MediaWiki.demo.größe', 1 )"


def test_output_is_byte_identical_across_scans():
    assert sarif_report.render(scan_fixture("js-track-basic")) == sarif_report.render(scan_fixture("js-track-basic"))


def test_cli_writes_sarif():
    outcome = CliRunner().invoke(main, ["scan", "--format", "sarif", "--quiet", str(FIXTURES / "js-track-basic")])
    assert outcome.exit_code == 0, outcome.output
    assert json.loads(outcome.output)["runs"][0]["results"]


def test_fired_checks_are_results_at_their_severity(tmp_path):
    """A scan checked against a registry: an undeclared stream is an error result beside the
    inventory note, with the check's reason as its message."""
    (tmp_path / "a.js").write_text("mw.eventLog.submit( 'mediawiki.nowhere', { $schema: '/analytics/x/1.0.0' } );\n")
    config = Path(__file__).resolve().parent.parent / "fixtures" / "_registry" / "streamconfigs.json"
    registry, problems = load_registry([config], [])
    log = validate(scan([tmp_path], registry=registry, registry_diagnostics=problems))
    (run,) = [r for r in log["runs"] if r["properties"]["root"]["name"] == tmp_path.name]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert by_rule["IM009"]["level"] == "note"
    problem = by_rule["IM101"]
    assert problem["level"] == "error"
    assert problem["message"]["text"].startswith(load_checks().by_id("IM101").title + ": ")
    assert "mediawiki.nowhere" in problem["message"]["text"]
    assert problem["locations"] == by_rule["IM009"]["locations"]
    assert problem["partialFingerprints"]["instrumapFingerprint/v1"].endswith("/IM101")
