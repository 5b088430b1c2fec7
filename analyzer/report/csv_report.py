"""`--format csv`: the audit spreadsheet, one row per finding under a header row.

Written with the csv module with `\\n` line endings (the CLI writes UTF-8). Candidates, check ids,
declared streams, schema titles and privacy categories are joined with `|`, a wrapper is shown as
`function@path:line`, booleans as `true`/`false` and missing values as empty cells. Every text
cell is quoted: with `\\n` line endings the csv module leaves a bare carriage return unquoted,
and a reader would break the row there.

Spreadsheet formula injection: a scanned repository controls names, messages and paths, and a
spreadsheet would evaluate a cell such as `=HYPERLINK(…)`. Every text cell that starts with `=`,
`+`, `-`, `@`, a tab or a carriage return therefore gets a leading `'`, so it is shown as text.
Such a cell no longer round-trips exactly: strip the `'` when reading the file back as data.
"""

from __future__ import annotations

import csv
import io

from analyzer.model import Finding, ScanResult

COLUMNS = (
    "repository", "path", "line", "column", "family", "api", "name", "name_kind", "candidates",
    "schema", "stream", "final_stream", "final_schema", "resolution", "unresolved_reason",
    "component", "qualified_name", "in_test", "status", "rule_ids", "declared_stream",
    "schema_title", "privacy", "checks", "context", "via_wrapper", "message", "fingerprint",
)
CANDIDATE_SEPARATOR = "|"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def guard_formula(text: str) -> str:
    """The text of a cell that a spreadsheet shows as text, never evaluates."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _cell(value: object) -> str | int:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value
    return guard_formula(str(value))


def row(finding: Finding) -> dict[str, str | int]:
    data = finding.to_json()
    data["candidates"] = CANDIDATE_SEPARATOR.join(finding.candidates)
    wrapper = finding.via_wrapper
    data["via_wrapper"] = f"{wrapper.function}@{wrapper.path}:{wrapper.line}" if wrapper else None
    data["rule_ids"] = CANDIDATE_SEPARATOR.join(finding.rule_ids)
    data.update(_registry_columns(finding))
    return {column: _cell(data[column]) for column in COLUMNS}


def _registry_columns(finding: Finding) -> dict[str, str | None]:
    """The registry cross-check, flattened: declared entries, schema titles, privacy, reasons."""
    match = finding.registry
    if match is None:
        return {"declared_stream": None, "schema_title": None, "privacy": None, "checks": None}
    return {
        "declared_stream": CANDIDATE_SEPARATOR.join(s.declared_as for s in match.streams if s.declared_as),
        "schema_title": CANDIDATE_SEPARATOR.join(s.schema_title for s in match.streams if s.schema_title),
        "privacy": CANDIDATE_SEPARATOR.join(match.privacy),
        "checks": " ".join(f"{c.id}: {c.reason}" for c in match.checks),
    }


def render(result: ScanResult) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writeheader()
    writer.writerows(row(f) for f in result.findings)
    return out.getvalue()
