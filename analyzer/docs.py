"""Documentation of families and checks, generated from the rule data: `instrumap rules`,
`instrumap explain ID`, and docs/rules.md (`instrumap rules --format markdown`)."""

from __future__ import annotations

from analyzer.checks import Check, load_checks
from analyzer.ruleset import Family, load_rules


def family_markdown(family: Family) -> str:
    link = f"\n\nDocumentation: <{family.help_uri}>" if family.help_uri else ""
    return (
        f"# {family.id} {family.key}\n\n{family.title}\n\n"
        f"Inventory family (SARIF level `note`); names are of kind `{family.name_kind}`.\n\n"
        f"{family.description}{link}\n"
    )


def explain(rule: str) -> str | None:
    """The documentation of a family or check, by id or name (case-insensitive)."""
    wanted = rule.strip().lower()
    for check in load_checks().checks:
        if wanted in (check.id.lower(), check.name):
            return check.markdown().replace(f"\n\n{check.title}\n\n",
                                            f"\n\n{check.title}\n\n{_check_meta(check)}\n\n", 1)
    for family in load_rules().families.values():
        if wanted in (family.id.lower(), family.key):
            return family_markdown(family)
    return None


def _check_meta(check: Check) -> str:
    return f"Severity: {check.severity} · status: {check.status} · finding status: `{check.finding_status}`"


def rules_listing(output_format: str = "text") -> str:
    families = sorted(load_rules().families.values(), key=lambda f: f.id)
    checks = sorted(load_checks().checks, key=lambda c: c.id)
    if output_format == "markdown":
        return _markdown(families, checks)
    lines = ["FAMILIES (inventory entries, SARIF level note)"]
    width = max(len(f.key) for f in families)
    lines += [f"  {f.id}  {f.key.ljust(width)}  {f.title}" for f in families]
    lines += ["", "CHECKS (registry cross-check; `instrumap explain ID` for details)"]
    width = max(len(c.name) for c in checks)
    lines += [f"  {c.id}  {c.name.ljust(width)}  {c.severity:<7}  {c.status:<7}  {c.title}" for c in checks]
    return "\n".join(lines) + "\n"


def _markdown(families: list[Family], checks: list[Check]) -> str:
    parts = [
        "# instrumap rules",
        ("Generated from rules/families.yaml and rules/checks.yaml by "
        "`instrumap rules --format markdown`; do not edit by hand."),
        "## Families",
        "| id | family | name kind | title |\n|---|---|---|---|\n"
        + "\n".join(f"| {f.id} | `{f.key}` | {f.name_kind} | {f.title} |" for f in families),
        "## Checks",
        "| id | check | severity | status | title |\n|---|---|---|---|---|\n"
        + "\n".join(f"| {c.id} | `{c.name}` | {c.severity} | {c.status} | {c.title} |" for c in checks),
    ]
    parts += [family_markdown(f).replace("# ", "### ", 1).strip() for f in families]
    parts += [c.markdown().replace("## ", "#### ").replace("# ", "### ", 1).strip() for c in checks]
    return "\n\n".join(parts) + "\n"
