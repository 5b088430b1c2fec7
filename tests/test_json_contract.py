"""The `--format json` contract: the output, docs/json-format.md and
rules/schema/findings.schema.json describe the same fields, and format_version 1 only grows.

tests/golden/json-format-v1-keys.json freezes the fields of format_version 1 as first published.
Fields may be added to it (with docs and schema), never removed or renamed: a rename fails here.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import jsonschema
import pytest
from fixturelib import scan_fixture

from analyzer.model import (
    NAME_KINDS,
    RESOLUTION_KINDS,
    ClassificationSummary,
    DeclaredAt,
    Diagnostic,
    FiredCheck,
    PrivacyEvidence,
    RegistryMatch,
    ScanResult,
    Span,
    StreamMatch,
    ViaWrapper,
    sorted_result,
)
from analyzer.report import json_report

REPO = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((REPO / "rules" / "schema" / "findings.schema.json").read_text(encoding="utf-8"))
GOLDEN = json.loads((Path(__file__).parent / "golden" / "json-format-v1-keys.json").read_text(encoding="utf-8"))
DOC_SECTIONS = {
    "Top level": "top", "Tool": "tool", "Root": "root", "Finding": "finding",
    "ViaWrapper": "via_wrapper", "Declaration": "declaration", "Diagnostic": "diagnostic",
    "RegistryMatch": "registry", "StreamMatch": "stream_match", "DeclaredAt": "declared_at",
    "PrivacyEvidence": "privacy_evidence", "Summary": "summary", "FiredCheck": "fired_check",
}
SCHEMA_DEFINITIONS = {
    "root", "finding", "via_wrapper", "declaration", "diagnostic", "registry", "stream_match",
    "declared_at", "privacy_evidence", "summary", "fired_check",
}


def validator() -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    return jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def errors(data: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(data)]


def output(result: ScanResult) -> dict:
    return json.loads(json_report.render(result))


def documented_fields() -> dict[str, set[str]]:
    """The field names in the tables of docs/json-format.md, per record."""
    fields: dict[str, set[str]] = {}
    section = None
    for line in (REPO / "docs" / "json-format.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = DOC_SECTIONS.get(line[3:].strip())
        row = re.match(r"^\| `([a-z_]+)` \|", line)
        if section and row:
            fields.setdefault(section, set()).add(row.group(1))
    return fields


def with_diagnostics_and_wrapper(result: ScanResult) -> ScanResult:
    """The fixture's result plus what the fixture lacks: diagnostics with and without a position,
    a finding reached through a wrapper, a registry match and a classification summary."""
    wrapped = dataclasses.replace(result.findings[0], via_wrapper=ViaWrapper("logClick", "modules/util.js", 12))
    declared = DeclaredAt("operations-mediawiki-config", "wmf-config/ext-EventStreamConfig.php", 40, "default")
    checked = dataclasses.replace(
        result.findings[1], status="declared", rule_ids=("IM108",),
        registry=RegistryMatch(
            streams=(StreamMatch("mediawiki.demo", "mediawiki.demo", "analytics/demo", "eventgate-analytics-external",
                                 (declared,), True),),
            schema="/analytics/demo/1.0.0", schema_id="/analytics/demo/1.0.0",
            schema_file="schemas/jsonschema/analytics/demo/1.0.0.yaml",
            privacy=("user-agent",),
            privacy_evidence=(PrivacyEvidence("user-agent", "field", "http.request_headers.user-agent"),),
            checks=(FiredCheck("IM108", "metric with no stream or schema declaration"),),
            notes=("the $schema sent is not known statically",),
        ),
    )
    summary = ClassificationSummary({"declared": 1}, {"statsv-counter": {"declared": 1}}, {"IM108": 1},
                                    {"mediawiki.demo": ("user-agent",)}, ("js-track-basic",), ())
    root = result.roots[0].name
    return sorted_result(
        result.tool_version, list(result.roots), [*result.findings[2:], wrapped, checked], list(result.declarations),
        [
            Diagnostic(root, "modules/broken.js", "parse-error", "1 syntax error(s)", "warning", Span(2, 4, 2, 5)),
            Diagnostic(root, "modules/gone.js", "read-error", "cannot read file: Permission denied", "error"),
        ],
        summary,
    )


def actual_keys(data: dict) -> dict[str, set[str]]:
    wrappers = [f["via_wrapper"] for f in data["findings"] if f["via_wrapper"]]
    registries = [f["registry"] for f in data["findings"] if f["registry"]]
    streams = [s for r in registries for s in r["streams"]]
    records = {
        "top": [data], "tool": [data["tool"]], "root": data["roots"], "finding": data["findings"],
        "via_wrapper": wrappers, "declaration": data["declarations"],
        "registry": registries, "stream_match": streams, "declared_at": [a for s in streams for a in s["declared_at"]],
        "privacy_evidence": [e for r in registries for e in r["privacy_evidence"]],
        "fired_check": [c for r in registries for c in r["checks"]],
        "summary": [data["summary"]] if data["summary"] else [],
        # A diagnostic without a position lacks the position fields: take the union.
        "diagnostic": data["diagnostics"],
    }
    keys = {}
    for name, items in records.items():
        assert items, f"no {name} record to check"
        keys[name] = set().union(*(item.keys() for item in items))
    return keys


@pytest.fixture(scope="module")
def basic() -> ScanResult:
    result = scan_fixture("js-track-basic")
    assert result.findings and result.declarations
    return result


def test_real_output_validates(basic):
    assert errors(output(basic)) == []


def test_diagnostics_and_wrappers_validate(basic):
    assert errors(output(with_diagnostics_and_wrapper(basic))) == []


def test_schema_rejects_a_finding_without_a_required_field(basic):
    data = output(basic)
    del data["findings"][0]["fingerprint"]
    assert errors(data) == ["findings/0: 'fingerprint' is a required property"]


def test_schema_rejects_unknown_fields_and_values(basic):
    data = output(basic)
    data["findings"][0]["fingerprints"] = data["findings"][0].pop("fingerprint")
    data["findings"][1]["resolution"] = "guessed"
    data["findings"][2]["column"] = 0
    found = errors(data)
    assert len(found) == 4, found  # the renamed field is both missing and unknown


def test_schema_rejects_a_partial_diagnostic_position(basic):
    data = output(with_diagnostics_and_wrapper(basic))
    positioned = next(d for d in data["diagnostics"] if "line" in d)
    del positioned["end_column"]
    assert errors(data)


def test_output_has_exactly_the_documented_fields(basic):
    actual = actual_keys(output(with_diagnostics_and_wrapper(basic)))
    documented = documented_fields()
    assert set(documented) == set(actual)
    for record, keys in actual.items():
        assert keys == documented[record], f"{record}: undocumented {keys - documented[record]}, " \
                                           f"documented but absent {documented[record] - keys}"


def test_format_version_1_fields_are_never_removed_or_renamed(basic):
    actual = actual_keys(output(with_diagnostics_and_wrapper(basic)))
    for record, frozen in GOLDEN.items():
        assert set(frozen) <= actual[record], f"{record}: format_version 1 lost {set(frozen) - actual[record]}"


def test_schema_describes_the_documented_fields():
    documented = documented_fields()
    definitions = SCHEMA["$defs"]
    schema_fields = {name: set(definitions[name]["properties"]) for name in SCHEMA_DEFINITIONS}
    schema_fields["top"] = set(SCHEMA["properties"])
    schema_fields["tool"] = set(SCHEMA["properties"]["tool"]["properties"])
    assert schema_fields == documented
    for name in SCHEMA_DEFINITIONS:
        assert definitions[name]["additionalProperties"] is False
        assert set(definitions[name]["required"]) <= set(GOLDEN[name])


def test_schema_enumerations_match_the_model():
    finding = SCHEMA["$defs"]["finding"]["properties"]
    assert finding["name_kind"]["enum"] == list(NAME_KINDS)
    assert finding["resolution"]["enum"] == list(RESOLUTION_KINDS)
    assert SCHEMA["properties"]["format_version"]["const"] == output(ScanResult("0.1.0", (), ()))["format_version"]


def test_empty_scan_validates():
    assert errors(output(ScanResult("0.1.0", (), ()))) == []


def test_every_record_is_one_line_of_the_output(basic):
    text = json_report.render(basic)
    assert json.loads(text) == basic.to_json()
    lines = text.splitlines()
    for finding in basic.to_json()["findings"]:
        assert sum(f'"fingerprint": "{finding["fingerprint"]}"' in line for line in lines) == 1
    records = len(basic.findings) + len(basic.declarations) + len(basic.diagnostics) + len(basic.roots)
    assert sum(line.startswith("    {") for line in lines) == records
