"""`--format text` (the default): one line per finding, then a summary."""

from __future__ import annotations

from collections import Counter

from analyzer.model import Finding, ScanResult


def _name(finding: Finding) -> str:
    name = finding.name if finding.name is not None else "?"
    if finding.candidates:
        name += " {" + ", ".join(finding.candidates) + "}"
    return name


def render(result: ScanResult) -> str:
    rows = []
    for f in result.findings:
        location = f"{f.repository}/{f.path}:{f.span.line}:{f.span.column}"
        test = " [test]" if f.in_test else ""
        rows.append((location, f.family, _name(f) + test, f.resolution))
    lines = []
    if rows:
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        header = ("LOCATION", "FAMILY", "NAME", "RESOLUTION")
        widths = [max(w, len(h)) for w, h in zip(widths, header)]
        for row in [header, *rows]:
            lines.append("  ".join(c.ljust(w) for c, w in zip(row[:3], widths)) + "  " + row[3])
        lines.append("")
    for d in result.diagnostics:
        where = f":{d.span.line}:{d.span.column}" if d.span else ""
        lines.append(f"{d.severity}: {d.repository}/{d.path}{where}: {d.message} [{d.code}]")
    if result.diagnostics:
        lines.append("")
    families = Counter(f.family for f in result.findings)
    summary = ", ".join(f"{family} {count}" for family, count in sorted(families.items()))
    files = sum(r.files_scanned for r in result.roots)
    tests = sum(1 for f in result.findings if f.in_test)
    lines.append(
        f"{len(result.findings)} findings ({tests} in tests) in {files} files of "
        f"{len(result.roots)} root(s)" + (f": {summary}" if summary else "")
    )
    if result.diagnostics:
        lines.append(f"{len(result.diagnostics)} diagnostics")
    return "\n".join(lines) + "\n"
