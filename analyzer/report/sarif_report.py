"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning, the VS Code SARIF viewer and other
SARIF consumers.

A small emitter of plain dicts. Choices and the constraints behind them:

- One run per scanned root; its artifact URIs are relative to the root (`uriBaseId`
  `%SRCROOT%`, mapped to the root's absolute `file:` URI in `originalUriBaseIds`). GitHub reads
  relative URIs as relative to the repository checkout, so upload the output of a scan of the
  repository's root directory.
- GitHub rejects a file holding several runs of one tool in one analysis category, and fills in
  `automationDetails` (the category) only for runs that lack it. So a single run leaves it to the
  uploader (the `category` input of upload-sarif), and several runs each get their own category
  `instrumap/<root name>/`. GitHub accepts at most 20 runs per file and 25,000 results per run
  (and shows 5,000): scan at most 20 roots per upload.
- Every run lists every family as a rule, sorted by id, whatever was found: GitHub expects the
  rule list to change only when the tool does, and `ruleIndex` stays the same across scans.
- Families are inventory entries, not problems: their rules and results have level `note`, no
  `precision`, `problem.severity` or `security-severity`. Lint checks (IM1xx, rules/checks.yaml)
  are rules too, at the level of their severity; each check that fired on a finding is its own
  result, at the finding's location, with the check's reason as the message.
- `partialFingerprints` carries the finding's own fingerprint (which leaves line numbers out)
  under `instrumapFingerprint/v1`. It does not fill GitHub's `primaryLocationLineHash`: the
  upload-sarif action computes that one from the sources and warns on every result whose given
  value differs from its own.
- Columns count Unicode code points (`columnKind`), as the finding model's do; `endColumn` is
  exclusive in both.
- Keys are sorted and nothing depends on the clock, so the same scan gives the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from analyzer.checks import Check, CheckSet, load_checks
from analyzer.model import (
    Diagnostic,
    Finding,
    FiredCheck,
    Root,
    ScanResult,
    Span,
    ViaWrapper,
)
from analyzer.ruleset import Family, load_rules

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "instrumap"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "instrumapFingerprint/v1"
INTERNAL_ERROR = "internal-error"
GITHUB_TEXT_LIMIT = 1024  # GitHub's limit on shortDescription and fullDescription

# Finding fields copied into each result's property bag (the rest are in the result itself).
RESULT_PROPERTIES = (
    "family", "api", "name", "name_kind", "candidates", "schema", "resolution", "unresolved_reason",
    "in_test", "component", "qualified_name", "stream", "final_stream", "final_schema", "status",
    "context", "config_key", "language",
)


@dataclass(frozen=True, slots=True)
class RuleDescriptor:
    """What SARIF says about one rule; families are one kind of rule, lint checks another."""

    id: str
    name: str
    short_description: str
    full_description: str
    help_text: str
    help_markdown: str
    level: str
    tags: tuple[str, ...]
    help_uri: str | None = None


def family_descriptors(families: dict[str, Family]) -> list[RuleDescriptor]:
    """Every family as a rule, sorted by id."""
    return [_family_descriptor(family) for family in sorted(families.values(), key=lambda f: f.id)]


def _family_descriptor(family: Family) -> RuleDescriptor:
    plain = family.description.replace("`", "")
    link = f"\n\nDocumentation: {family.help_uri}" if family.help_uri else ""
    markdown_link = f"\n\n[Documentation]({family.help_uri})" if family.help_uri else ""
    return RuleDescriptor(
        id=family.id,
        name=family.key,
        short_description=family.title,
        full_description=plain,
        help_text=f"{family.title}\n\n{plain}{link}",
        help_markdown=f"**{family.title}**\n\n{family.description}{markdown_link}",
        level="note",
        tags=("instrumentation", "inventory", family.name_kind),
        help_uri=family.help_uri,
    )


def check_descriptors(checks: CheckSet) -> list[RuleDescriptor]:
    """Every lint check as a rule, sorted by id, at the level of its severity."""
    return [_check_descriptor(check) for check in sorted(checks.checks, key=lambda c: c.id)]


def _check_descriptor(check: Check) -> RuleDescriptor:
    sections = dict(check.docs)
    what = " ".join(sections["What it does"].replace("`", "").split())
    return RuleDescriptor(
        id=check.id,
        name=check.name,
        short_description=check.title,
        full_description=what,
        help_text=check.markdown().replace("`", ""),
        help_markdown=check.markdown(),
        level=check.severity,
        tags=("instrumentation", "registry", check.status),
    )


def check_result(finding: Finding, fired: FiredCheck, rule_index: int, rule: RuleDescriptor) -> dict[str, Any]:
    """The result for a check that fired on a finding: the problem, where the call is."""
    data = finding.to_json()
    return {
        "ruleId": rule.id,
        "ruleIndex": rule_index,
        "level": rule.level,
        "message": {"text": f"{rule.short_description}: {fired.reason}"},
        "locations": [_location(finding.path, _region(finding.span, finding.snippet))],
        "partialFingerprints": {FINGERPRINT_KEY: f"{finding.fingerprint}/{rule.id}"},
        "properties": {key: data[key] for key in RESULT_PROPERTIES},
    }


def reporting_descriptor(rule: RuleDescriptor) -> dict[str, Any]:
    descriptor = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": _limit(rule.short_description)},
        "fullDescription": {"text": _limit(rule.full_description)},
        "help": {"text": rule.help_text, "markdown": rule.help_markdown},
        "defaultConfiguration": {"level": rule.level},
        "properties": {"tags": list(rule.tags)},
    }
    if rule.help_uri:
        descriptor["helpUri"] = rule.help_uri
    return descriptor


def _limit(text: str, limit: int = GITHUB_TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _artifact_location(path: str) -> dict[str, Any]:
    """A root-relative POSIX path as a relative URI reference (percent-encoded UTF-8)."""
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _region(span: Span, snippet: str = "") -> dict[str, Any]:
    region: dict[str, Any] = {
        "startLine": span.line,
        "startColumn": span.column,
        "endLine": span.end_line,
        "endColumn": span.end_column,
    }
    if _covers(span, snippet):
        region["snippet"] = {"text": snippet}
    return region


def _covers(span: Span, snippet: str) -> bool:
    """Whether the snippet is exactly the region's text, as SARIF requires (a finding's snippet
    is the first line of a call over several lines)."""
    return bool(snippet) and span.line == span.end_line and len(snippet) == span.end_column - span.column


def _location(path: str, region: dict[str, Any] | None = None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": _artifact_location(path)}
    if region is not None:
        physical["region"] = region
    return {"physicalLocation": physical}


def inventory_result(finding: Finding, rule_index: int, rule: RuleDescriptor) -> dict[str, Any]:
    """The result for one finding, under the rule of its family."""
    data = finding.to_json()
    result: dict[str, Any] = {
        "ruleId": rule.id,
        "ruleIndex": rule_index,
        "level": rule.level,
        "message": {"text": finding.message or f"{finding.api}: {finding.name_kind} {finding.name or '?'}"},
        "locations": [_location(finding.path, _region(finding.span, finding.snippet))],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {key: data[key] for key in RESULT_PROPERTIES},
    }
    if finding.via_wrapper is not None:
        result["relatedLocations"] = [_wrapper_location(finding.via_wrapper)]
    return result


def _wrapper_location(wrapper: ViaWrapper) -> dict[str, Any]:
    """Where the wrapper a finding was reached through makes the instrumentation call."""
    location = _location(wrapper.path, {"startLine": wrapper.line})
    location["id"] = 1
    location["message"] = {"text": f"the call inside the wrapper {wrapper.function}"}
    return location


def _notification(diagnostic: Diagnostic) -> dict[str, Any]:
    notification: dict[str, Any] = {
        "level": diagnostic.severity,
        "message": {"text": diagnostic.message},
        "descriptor": {"id": diagnostic.code},
    }
    if diagnostic.path:
        region = _region(diagnostic.span) if diagnostic.span else None
        notification["locations"] = [_location(diagnostic.path, region)]
    return notification


def _invocation(diagnostics: list[Diagnostic]) -> dict[str, Any]:
    return {
        "executionSuccessful": not any(d.code == INTERNAL_ERROR for d in diagnostics),
        "toolExecutionNotifications": [_notification(d) for d in diagnostics],
    }


def _root_base(root: Root) -> dict[str, Any]:
    """%SRCROOT% as the root's absolute file URI; a relative root path cannot be made one
    without the file system, so it is then only described."""
    path = PurePath(root.path)
    description = {"text": f"the scanned root {root.name}"}
    if not path.is_absolute():
        return {"description": description}
    uri = path.as_uri()
    return {"uri": uri if uri.endswith("/") else uri + "/", "description": description}


def _driver(tool_version: str, rules: list[RuleDescriptor]) -> dict[str, Any]:
    return {
        "name": TOOL_NAME,
        "version": tool_version,
        "semanticVersion": tool_version,
        "rules": [reporting_descriptor(rule) for rule in rules],
    }


def sarif_run(
    root: Root,
    tool_version: str,
    rules: list[RuleDescriptor],
    results: list[dict[str, Any]],
    diagnostics: list[Diagnostic],
    category: str | None,
) -> dict[str, Any]:
    run: dict[str, Any] = {
        "tool": {"driver": _driver(tool_version, rules)},
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {SRCROOT: _root_base(root)},
        "invocations": [_invocation(diagnostics)],
        "results": results,
        "properties": {"root": root.to_json()},
    }
    if category is not None:
        run["automationDetails"] = {"id": f"{category}/"}
    return run


def sarif_log(result: ScanResult) -> dict[str, Any]:
    # Families first, then lint checks: every finding is an inventory result under its family,
    # and each check that fired on it is a result of its own at the check's level.
    rules = family_descriptors(load_rules().families) + check_descriptors(load_checks())
    index = {rule.id: i for i, rule in enumerate(rules)}
    family_index = {rule.name: i for i, rule in enumerate(rules)}
    several = len(result.roots) > 1
    runs = []
    for root in result.roots:
        results = []
        for f in result.findings:
            if f.repository != root.name:
                continue
            results.append(inventory_result(f, family_index[f.family], rules[family_index[f.family]]))
            for fired in f.registry.checks if f.registry else ():
                results.append(check_result(f, fired, index[fired.id], rules[index[fired.id]]))
        diagnostics = [d for d in result.diagnostics if d.repository == root.name]
        category = f"{TOOL_NAME}/{root.name}" if several else None
        runs.append(sarif_run(root, result.tool_version, rules, results, diagnostics, category))
    return {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": runs}


def render(result: ScanResult) -> str:
    return json.dumps(sarif_log(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
