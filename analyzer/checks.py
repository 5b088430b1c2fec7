"""Lint checks (rules/checks.yaml): the problems the registry cross-check reports, with ids,
default severities and documentation, validated against rules/schema/checks.schema.json.

The documentation of a check has four sections (What it does / Why it matters / Example / Use
instead); `instrumap explain`, generated docs and SARIF help all render them with `markdown()`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from analyzer.resources import remembered
from analyzer.ruleset import RuleError, load_rules, load_yaml, rules_dir, validate

DOC_SECTIONS = (
    ("what_it_does", "What it does"),
    ("why_it_matters", "Why it matters"),
    ("example", "Example"),
    ("use_instead", "Use instead"),
)


@dataclass(frozen=True, slots=True)
class AppliesTo:
    families: frozenset[str] = frozenset()
    exclude_families: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()

    def accepts(self, family: str, language: str) -> bool:
        return (
            (not self.families or family in self.families)
            and family not in self.exclude_families
            and (not self.languages or language in self.languages)
        )


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    name: str
    title: str
    severity: str
    status: str
    finding_status: str
    scope: str
    docs: tuple[tuple[str, str], ...]  # (section title, Markdown), in DOC_SECTIONS order
    applies_to: AppliesTo = AppliesTo()
    options: tuple[tuple[str, object], ...] = ()  # option name → default

    def option(self, name: str) -> object:
        return dict(self.options)[name]

    def markdown(self) -> str:
        """The check's documentation: its sections under `##` headings."""
        parts = [f"# {self.id} {self.name}", self.title]
        parts += [f"## {title}\n\n{text.strip()}" for title, text in self.docs]
        return "\n\n".join(parts) + "\n"


@dataclass(frozen=True)
class CheckSet:
    checks: tuple[Check, ...]

    @functools.cached_property
    def _by_name(self) -> dict[str, Check]:
        return {c.name: c for c in self.checks}

    @functools.cached_property
    def _by_id(self) -> dict[str, Check]:
        return {c.id: c for c in self.checks}

    def by_name(self, name: str) -> Check:
        return self._by_name[name]

    def by_id(self, check_id: str) -> Check:
        return self._by_id[check_id]


def load_checks_from(data: object, families: Iterable[str]) -> CheckSet:
    """Build the checks from already-read checks.yaml data; `families` are the known families."""
    validate(data, "checks.schema.json", "checks.yaml")
    checks = tuple(_check(entry) for entry in data["checks"])
    _check_consistency(checks, frozenset(families))
    return CheckSet(checks)


@functools.cache
def load_checks() -> CheckSet:
    """The checks shipped with instrumap (built once per version of the code and rules)."""
    return remembered(
        "checks", lambda: load_checks_from(load_yaml(rules_dir().joinpath("checks.yaml")), load_rules().families),
        CheckSet,
    )


def _check(entry: Mapping) -> Check:
    applies = entry.get("applies_to", {})
    return Check(
        id=entry["id"],
        name=entry["name"],
        title=entry["title"],
        severity=entry["severity"],
        status=entry["status"],
        finding_status=entry["finding_status"],
        scope=entry["scope"],
        docs=tuple((title, entry["docs"][key]) for key, title in DOC_SECTIONS),
        applies_to=AppliesTo(
            families=frozenset(applies.get("families", ())),
            exclude_families=frozenset(applies.get("exclude_families", ())),
            languages=frozenset(applies.get("languages", ())),
        ),
        options=tuple((name, option["default"]) for name, option in sorted(entry.get("options", {}).items())),
    )


def _check_consistency(checks: tuple[Check, ...], families: frozenset[str]) -> None:
    for attribute in ("id", "name"):
        seen: set[str] = set()
        for check in checks:
            value = getattr(check, attribute)
            if value in seen:
                raise RuleError(f"checks.yaml: duplicate check {attribute} {value!r}")
            seen.add(value)
    for check in checks:
        unknown = (check.applies_to.families | check.applies_to.exclude_families) - families
        if unknown:
            raise RuleError(f"checks.yaml: {check.id} applies to unknown families {sorted(unknown)}")
