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
    checked = result.summary is not None
    header = ("LOCATION", "FAMILY", "NAME", "RESOLUTION") + (("STATUS",) if checked else ())
    rows = []
    for f in result.findings:
        location = f"{f.repository}/{f.path}:{f.span.line}:{f.span.column}"
        test = " [test]" if f.in_test else ""
        status = (f"{f.status or '-'}" + (f" ({', '.join(f.rule_ids)})" if f.rule_ids else ""),) if checked else ()
        rows.append((location, f.family, _name(f) + test, f.resolution, *status))
    lines = []
    if rows:
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
        for row in [header, *rows]:
            lines.append("  ".join(c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1])
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
    if result.summary is not None:
        lines += _summary(result)
    return "\n".join(lines) + "\n"


def _summary(result: ScanResult) -> list[str]:
    summary = result.summary
    lines = ["status: " + ", ".join(f"{status} {count}" for status, count in summary.by_status.items())]
    if summary.by_check:
        lines.append("checks: " + ", ".join(f"{check} {count}" for check, count in summary.by_check.items()))
    private = {stream: cats for stream, cats in summary.privacy_by_stream.items() if cats}
    if private:
        lines.append("privacy review (streams whose schemas carry sensitive data):")
        lines += [f"  {stream}: {', '.join(cats)}" for stream, cats in private.items()]
    lines += [f"not checked: {limit}" for limit in summary.limits]
    return lines
