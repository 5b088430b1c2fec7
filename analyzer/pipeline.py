"""The pipeline, one way: discover → parse (lower to facts) → extract → resolve → result.

Extraction and resolution work on a whole root at once: names resolve across its files.
The core never prints: progress goes through a callback, problems become Diagnostics, and a
file that cannot be read or parsed never stops the scan.
"""

from __future__ import annotations

import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analyzer import __version__
from analyzer.discover import DiscoverOptions, SourceFile, discover, looks_generated
from analyzer.classify import classify
from analyzer.extract import Extractor, Match, global_aliases
from analyzer.facts import FileFacts
from analyzer.frontends import claims, frontend_for
from analyzer.model import Declaration, Diagnostic, Finding, Root, ScanResult, sorted_result
from analyzer.registry import Registry
from analyzer.resolve import Resolver, declaration_findings
from analyzer.resolve.relays import Relay, apply_relays, load_relays
from analyzer.ruleset import RuleSet, load_rules
from analyzer.symbols import RepoIndex

Progress = Callable[[str, int, int], None]  # (root name, files done, files total)


@dataclass(frozen=True)
class ScanOptions:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    resolve: str = "full"  # "literal": only what is written at the call; "full": follow references


@dataclass
class _RootOutput:
    root: Root
    findings: list[Finding]
    declarations: list[Declaration]
    diagnostics: list[Diagnostic]
    relays: list[Relay]


def scan(paths: list[Path], options: ScanOptions | None = None, progress: Progress | None = None,
         rules: RuleSet | None = None, registry: Registry | None = None,
         registry_diagnostics: list[Diagnostic] | None = None) -> ScanResult:
    """Scan the roots; with a registry, also cross-check what they send against it."""
    options = options or ScanOptions()
    rules = rules or load_rules()
    outputs = [scan_root(path, name, options, rules, progress) for path, name in root_names(paths)]
    roots = [o.root for o in outputs]
    findings = [f for o in outputs for f in o.findings]
    declarations = [d for o in outputs for d in o.declarations]
    diagnostics = [d for o in outputs for d in o.diagnostics] + list(registry_diagnostics or ())
    if options.resolve == "full":
        discovered = [r for o in outputs for r in o.relays]
        findings = apply_relays(findings, declarations, load_relays(), discovered)
    summary = None
    if registry is not None:
        classified = classify(findings, declarations, registry, [r.name for r in roots], rules=rules)
        findings = [*classified.findings, *classified.declaration_findings]
        summary = classified.summary
        diagnostics += classified.diagnostics
        roots += registry_roots(registry, {f.repository for f in findings} - {r.name for r in roots})
    return sorted_result(__version__, roots, findings, declarations, diagnostics, summary)


def registry_roots(registry: Registry, names: set[str]) -> list[Root]:
    """Roots for registry sources that findings point into (a declared stream no code uses)."""
    known = registry.streams.roots if registry.streams is not None else {}
    return [Root(name=name, path=known[name]) for name in sorted(names) if name in known]


def root_names(paths: list[Path]) -> list[tuple[Path, str]]:
    """Each root with a unique display name (its directory name, suffixed when repeated)."""
    seen: Counter = Counter()
    named = []
    for path in paths:
        base = path.resolve().name or str(path.resolve())
        seen[base] += 1
        named.append((path, base if seen[base] == 1 else f"{base}-{seen[base]}"))
    return named


def scan_root(path: Path, name: str, options: ScanOptions, rules: RuleSet, progress: Progress | None) -> _RootOutput:
    discovery = discover(path, claims, DiscoverOptions(options.include, options.exclude))
    diagnostics: list[Diagnostic] = []
    skipped = Counter(discovery.skipped)
    all_facts: list[FileFacts] = []
    in_test: dict[str, bool] = {}
    total = len(discovery.files)
    for done, source in enumerate(discovery.files, 1):
        facts = read_and_lower(source, name, diagnostics, skipped)
        if facts is not None:
            all_facts.append(facts)
            in_test[facts.path] = source.in_test
            diagnostics.extend(problems_of(facts, name))
        if progress is not None:
            progress(name, done, total)
    index = RepoIndex(all_facts, path, in_test)
    findings, declarations, relays = analyze_root(index, rules, name, options, diagnostics)
    root = Root(
        name=name,
        path=str(path.resolve()),
        files_scanned=len(all_facts),
        vcs=discovery.vcs,
        revision=discovery.revision,
        skipped=tuple(sorted(skipped.items())),
    )
    return _RootOutput(root, findings, declarations, diagnostics, relays)


def analyze_root(index: RepoIndex, rules: RuleSet, name: str, options: ScanOptions,
                 diagnostics: list[Diagnostic]) -> tuple[list[Finding], list[Declaration], list[Relay]]:
    """Extract and resolve every file of a root; a failure in one file is a diagnostic."""
    aliases = global_aliases(list(index.files.values()), index.symbols, rules) if options.resolve == "full" else {}
    matches: list[Match] = []
    findings: list[Finding] = []
    declarations: list[Declaration] = []
    for facts in index.files.values():
        in_test = index.in_test.get(facts.path, False)
        try:
            matches.extend(Extractor(rules, facts, index.symbols(facts.path), aliases).matches())
            findings.extend(declaration_findings(facts, name, in_test))
            declarations.extend(declarations_of(facts, name, in_test))
        except Exception as error:  # a bug on one file must not lose the others
            diagnostics.append(internal_error(name, facts.path, "extraction", error))
    resolver = Resolver(index, rules, name, options.resolve)
    try:
        findings.extend(resolver.resolve(matches))
    except Exception as error:
        diagnostics.append(internal_error(name, "", "resolution", error))
    diagnostics.extend(resolver.diagnostics)
    return findings, declarations, resolver.relays


def read_and_lower(source: SourceFile, repository: str, diagnostics: list[Diagnostic], skipped: Counter) -> FileFacts | None:
    try:
        data = source.absolute.read_bytes()
    except OSError as error:
        diagnostics.append(Diagnostic(repository, source.path, "read-error", f"cannot read file: {error.strerror or error}", "error"))
        return None
    generated = looks_generated(data[:65536])
    if generated:
        skipped[generated] += 1
        return None
    frontend = frontend_for(source.path)
    if frontend is None:
        return None
    try:
        return frontend.lower(source.path, data)
    except Exception as error:  # a frontend bug must not lose the rest of the scan
        diagnostics.append(internal_error(repository, source.path, "frontend", error))
        return None


def internal_error(repository: str, path: str, stage: str, error: Exception) -> Diagnostic:
    where = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    origin = f" at {Path(where.filename).name}:{where.lineno}" if where else ""
    return Diagnostic(
        repository, path, "internal-error",
        f"instrumap {stage} failed on this file ({type(error).__name__}: {error}{origin}); "
        "the rest of the scan is unaffected — please report this",
        "error",
    )


def problems_of(facts: FileFacts, repository: str) -> list[Diagnostic]:
    return [Diagnostic(repository, facts.path, p.code, p.message, p.severity, p.span) for p in facts.problems]


def declarations_of(facts: FileFacts, repository: str, in_test: bool) -> list[Declaration]:
    return [
        Declaration(repository, facts.path, d.span, d.kind, d.name, d.value, d.config_key, in_test)
        for d in facts.declarations
    ]
