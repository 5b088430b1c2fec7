"""The pipeline, one way: discover → parse (lower to facts) → extract → resolve → result.

Extraction and resolution work on a whole root at once: names resolve across its files.
The core never prints: progress goes through a callback, problems become Diagnostics, and a
file that cannot be read or parsed never stops the scan.

The stages after discovery are imported where a root is analysed: a rescan of unchanged roots
answers from the cache and never loads them (parsers, resolver, classifier).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from analyzer import __version__
from analyzer.cache import Cache, content_key
from analyzer.discover import (
    DiscoverOptions,
    Discovery,
    GitListing,
    SourceFile,
    TreeStamps,
    discover,
    git_listing,
    looks_generated,
    settled,
)
from analyzer.frontends import claims, family_of, language_of
from analyzer.model import (
    Declaration,
    Diagnostic,
    Finding,
    Root,
    ScanResult,
    sorted_result,
)
from analyzer.resolve.relays import Relay, apply_relays, load_relays
from analyzer.resources import remembered

if TYPE_CHECKING:
    from analyzer.facts import FileFacts
    from analyzer.registry import Registry
    from analyzer.ruleset import RuleSet
    from analyzer.symbols import RepoIndex

Progress = Callable[[str, int, int], None]  # (root name, files done, files total)


@dataclass(frozen=True)
class ScanOptions:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    resolve: str = "full"  # "literal": only what is written at the call; "full": follow references
    prefilter: bool = True  # parse only files with trigger strings, and what they need
    cache_dir: Path | None = None  # None: no cache
    jobs: int = 1  # processes scanning roots at the same time


@dataclass
class _RootOutput:
    root: Root
    findings: list[Finding]
    declarations: list[Declaration]
    diagnostics: list[Diagnostic]
    relays: list[Relay]
    signature: str | None = None  # the key it is cached under (content_signature); None: not cached


def scan(paths: list[Path], options: ScanOptions | None = None, progress: Progress | None = None,
         rules: RuleSet | None = None, registry: Registry | None = None,
         registry_diagnostics: list[Diagnostic] | None = None) -> ScanResult:
    """Scan the roots; with a registry, also cross-check what they send against it. `rules`:
    the shipped rules when None, loaded only if a root must be analysed or a registry checked."""
    return scan_with_signatures(paths, options, progress, rules, registry, registry_diagnostics)[0]


def scan_with_signatures(paths: list[Path], options: ScanOptions | None = None, progress: Progress | None = None,
                         rules: RuleSet | None = None, registry: Registry | None = None,
                         registry_diagnostics: list[Diagnostic] | None = None
                         ) -> tuple[ScanResult, list[str | None]]:
    """scan(), and the key each root's result is cached under (None: not cached). Without a
    registry, the same keys (in the same order, with the same options) give the same result."""
    options = options or ScanOptions()
    outputs = scan_roots(root_names(paths), options, rules, progress)
    return _combined(outputs, options, rules, registry, registry_diagnostics), [o.signature for o in outputs]


def unchanged_signatures(paths: list[Path], options: ScanOptions, rules: RuleSet | None) -> list[str] | None:
    """The key of every root's cached result, if no root changed since it was cached (what the
    fast path of scan_roots checks, without loading any result); None otherwise."""
    cache = Cache(options.cache_dir)
    signatures = []
    for path, name in root_names(paths):
        state = cache.get("state", state_key(root_settings(path, name, options, rules)))
        if not (isinstance(state, _RootState) and state.holds()):
            return None
        signatures.append(state.signature)
    return signatures


def _combined(outputs: list[_RootOutput], options: ScanOptions, rules: RuleSet | None, registry: Registry | None,
              registry_diagnostics: list[Diagnostic] | None) -> ScanResult:
    """The roots' results as one: relays applied, cross-checked against the registry, sorted."""
    roots = [o.root for o in outputs]
    findings = [f for o in outputs for f in o.findings]
    declarations = [d for o in outputs for d in o.declarations]
    diagnostics = [d for o in outputs for d in o.diagnostics] + list(registry_diagnostics or ())
    if options.resolve == "full":
        discovered = [r for o in outputs for r in o.relays]
        findings = apply_relays(findings, declarations, load_relays(), discovered)
    summary = None
    if registry is not None:
        from analyzer.classify import classify

        classified = classify(findings, declarations, registry, [r.name for r in roots], rules=rules or shipped_rules())
        findings = [*classified.findings, *classified.declaration_findings]
        summary = classified.summary
        diagnostics += classified.diagnostics
        roots += registry_roots(registry, {f.repository for f in findings} - {r.name for r in roots})
    return sorted_result(__version__, roots, findings, declarations, diagnostics, summary)


def registry_roots(registry: Registry, names: set[str]) -> list[Root]:
    """Roots for registry sources that findings point into (a declared stream no code uses)."""
    known = registry.streams.roots if registry.streams is not None else {}
    return [Root(name=name, path=known[name]) for name in sorted(names) if name in known]


def scan_roots(roots: list[tuple[Path, str]], options: ScanOptions, rules: RuleSet | None,
               progress: Progress | None) -> list[_RootOutput]:
    """Each root in turn, or several at once in worker processes (a root's result is small;
    its parsed files, which would cost as much to ship as to parse, stay in its worker)."""
    cache = Cache(options.cache_dir)
    outputs: dict[str, _RootOutput] = {}
    todo = []
    for path, name in roots:
        settings = root_settings(path, name, options, rules)
        key = state_key(settings)
        state = cache.get("state", key)
        cached = unchanged_output(cache, state)
        if cached is not None:
            outputs[name] = cached  # nothing it saw has changed: not even discovery is needed
            continue
        discovery = discover_root(path, DiscoverOptions(options.include, options.exclude), cache)
        stamps = FileStamps.of(discovery.files)  # before the files are read
        todo.append(RootJob(path, name, discovery, settings, key, stamps, seen=state is not None))
    # Largest first: a big root started last would run alone at the end while the other workers idle.
    todo.sort(key=lambda job: -job.stamps.size)
    if todo:
        rules = rules or shipped_rules()
    if options.jobs <= 1 or len(todo) <= 1:
        for job in todo:
            outputs[job.name] = scan_root(job, options, rules, progress, cache)
    else:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        # The rule set goes to each worker once, when it starts, not with every root.
        with ProcessPoolExecutor(max_workers=min(options.jobs, len(todo)), initializer=_keep_worker_rules,
                                 initargs=(rules,)) as pool:
            pending = {pool.submit(_scan_root_in_worker, job, options): job.name for job in todo}
            for done, future in enumerate(as_completed(pending), 1):
                outputs[pending[future]] = future.result()
                if progress is not None:
                    progress("all roots", done, len(pending))
    return [outputs[name] for _, name in roots]


@dataclass
class RootJob:
    """A root whose result is not known from its stamps: to be read (and analysed unless its
    content was analysed before)."""

    path: Path
    name: str
    discovery: Discovery
    settings: tuple  # root_settings
    state_key: str
    stamps: FileStamps
    seen: bool  # scanned before with these settings (its state was remembered)


_worker_rules: list[RuleSet] = []  # in a worker process: the rule set it was started with


def _keep_worker_rules(rules: RuleSet) -> None:
    _worker_rules[:] = [rules]


def _scan_root_in_worker(job: RootJob, options: ScanOptions) -> _RootOutput:
    return scan_root(job, options, _worker_rules[0], None, Cache(options.cache_dir))


def default_jobs() -> int:
    """The CPUs this process may run on: how many roots to scan at once by default."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def root_names(paths: list[Path]) -> list[tuple[Path, str]]:
    """Each root with a unique display name (its directory name, suffixed when repeated)."""
    seen: Counter = Counter()
    named = []
    for path in paths:
        base = path.resolve().name or str(path.resolve())
        seen[base] += 1
        named.append((path, base if seen[base] == 1 else f"{base}-{seen[base]}"))
    return named


MAX_ROUNDS = 4  # rounds of "parse what the parsed files need" (each one is rarely needed)


@contextlib.contextmanager
def cycles_collected_at_the_end():
    """Python's cycle collector off while a root is analysed, and run once after it. Left on,
    it walks the growing heap of parsed facts again and again: a quarter of a cold scan's CPU
    time (bench corpus, one process: 9.5 s with it, 7.2 s without). A root's objects rarely
    form cycles, and the few they form are freed when the root is done, so memory stays
    bounded by the largest root."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        # Everything the root allocated is still in the youngest generation (nothing ran to
        # promote it): collecting that one finds the root's cycles without walking the rest of
        # the heap (1 ms instead of 11 per root).
        gc.collect(0)


def scan_root(job: RootJob, options: ScanOptions, rules: RuleSet, progress: Progress | None,
              cache: Cache) -> _RootOutput:
    """Read one root's discovered files; analyse them unless the same content was analysed
    before (with the same settings); remember the result under the content's signature and,
    when the stamps can vouch for it, what the files looked like. Parsed files are cached
    only for a root scanned before (see below)."""
    diagnostics: list[Diagnostic] = []
    skipped = Counter(job.discovery.skipped)
    data = read_sources(job.discovery.files, job.name, diagnostics, skipped)
    # An unreadable file may read differently next time: such a root is not remembered.
    cacheable = cache.enabled and not diagnostics
    signature = content_signature(job.settings, job.discovery, skipped, data) if cacheable else None
    output = cache.get("roots", signature) if signature else None
    if not isinstance(output, _RootOutput):
        # A root's parsed files are worth keeping once it is scanned again (it is being worked
        # on): a first scan, such as each root of a sweep, does not write them (a cold scan
        # spent an eighth of its time pickling them).
        analysis_cache = cache if job.seen else cache.reading_only("facts")
        with cycles_collected_at_the_end():
            output = analyse_in_rounds(job.path, job.name, job.discovery, data, skipped, diagnostics, options,
                                       rules, progress, analysis_cache)
        if signature:
            output.signature = signature
            cache.put("roots", signature, output)
    if signature:
        remember_state(cache, job.state_key, job.discovery, job.stamps, signature)
    return output


def content_signature(settings: tuple, discovery: Discovery, skipped: Counter, data: dict[str, bytes]) -> str:
    """A key for a root's result made of what it is computed from: the settings (root_settings;
    the code is the cache's namespace), what discovery reports (VCS, revision, skip counts), and
    every file's path, test mark and bytes."""
    digest = hashlib.sha256(repr((settings, discovery.vcs, discovery.revision, sorted(skipped.items()))).encode())
    for source in discovery.files:
        content = data.get(source.path)
        if content is not None:
            digest.update(f"\0{source.path}\0{source.in_test}\0{len(content)}\0".encode())
            digest.update(content)
    return digest.hexdigest()


def analyse_in_rounds(path: Path, name: str, discovery: Discovery, data: dict[str, bytes], skipped: Counter,
                      diagnostics: list[Diagnostic], options: ScanOptions, rules: RuleSet,
                      progress: Progress | None, cache: Cache) -> _RootOutput:
    """Parse what the prefilter (and then resolution) asks for, and analyse it, round by round."""
    from analyzer.prefilter import Prefilter
    from analyzer.symbols import RepoIndex

    in_test = {s.path: s.in_test for s in discovery.files}
    prefilter = Prefilter(rules) if options.prefilter else None
    seeds = [p for p in data if prefilter is None or prefilter.wanted(p, language_of(p), data[p])]
    lowered: dict[str, FileFacts] = {}
    parse_more(seeds, data, lowered, name, diagnostics, cache, progress)
    loader = _Loader(data, lowered, cache, name, diagnostics)
    symbol_tables: dict = {}

    def parse(paths: set[str]) -> None:
        parse_more(sorted(paths), data, lowered, name, diagnostics, cache, progress)

    def index_now() -> RepoIndex:
        return RepoIndex(list(lowered.values()), path, in_test, loader, symbol_tables)

    searched_classes: set[tuple[str, str]] = set()
    searched_callees: set[tuple[str, str]] = set()
    learned = Learned()
    for _ in range(MAX_ROUNDS):
        index = index_now()
        while prefilter is not None and learned.instance_bases:
            # The subclasses parsed last round of the classes whose members the analysis read:
            # the next analysis would learn their names, so their files are looked for now
            # (one analysis of the whole root fewer, on the Android app).
            subclasses = subclass_names(index, learned.instance_bases) - searched_classes
            searched_classes |= subclasses
            more = files_mentioning(subclasses, set(), data, lowered)
            if not more:
                break
            parse(more)
            index = index_now()
        findings, declarations, relays, learned, analysis_problems = analyze_root(index, rules, name, options)
        # A name searched in an earlier round found its files then (they are parsed now): only
        # the names learned since can find more.
        classes, callees = learned.classes - searched_classes, learned.callees - searched_callees
        searched_classes |= classes
        searched_callees |= callees
        more = files_mentioning(classes, callees, data, lowered) if prefilter is not None else set()
        if not more:
            break
        parse(more)
    diagnostics += analysis_problems
    for facts in lowered.values():
        diagnostics.extend(problems_of(facts, name))
    root = Root(
        name=name,
        path=str(path.resolve()),
        files_scanned=len(lowered),
        vcs=discovery.vcs,
        revision=discovery.revision,
        skipped=tuple(sorted(skipped.items())),
    )
    return _RootOutput(root, findings, declarations, diagnostics, relays)


@dataclass
class Learned:
    """What an analysis learned that files not parsed yet may matter for: classes (where a
    subclass, extension or construction names them) and functions (calls of them), each name
    with the family of languages that can name it (FrontendEntry.family); and the classes whose
    instance members it read (file asking, class name), whose subclasses count too."""

    classes: set[tuple[str, str]] = field(default_factory=set)
    callees: set[tuple[str, str]] = field(default_factory=set)
    instance_bases: set[tuple[str, str]] = field(default_factory=set)


def subclass_names(index: RepoIndex, bases: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The short names of the known subclasses of `bases` (as the resolver learns them)."""
    from analyzer.resolve.resolver import names_in_family

    names: set[tuple[str, str]] = set()
    for from_path, cls in sorted(bases):
        found = index.find_classes(cls, from_path)
        if found:
            for path, sub in index.descendants(found[0][1]):
                names |= names_in_family(path, sub.name)
    return names


def files_mentioning(classes: set[tuple[str, str]], callees: set[tuple[str, str]], data: dict[str, bytes],
                     lowered: dict[str, FileFacts]) -> set[str]:
    """The files not parsed yet that may subclass, extend or construct one of `classes` or call
    one of `callees` (prefilter.mentioning), each name looked for in the files of its family
    only: a Python script that says `Schema(` constructs no JavaScript class."""
    from analyzer.prefilter import mentioning

    found: set[str] = set()
    for family in sorted({f for f, _ in classes | callees}):
        candidates = {p: d for p, d in data.items() if p not in lowered and family_of(p) == family}
        found |= mentioning({n for f, n in classes if f == family}, candidates,
                            calls={n for f, n in callees if f == family})
    return found


def parse_more(paths: list[str], data: dict[str, bytes], lowered: dict[str, FileFacts], repository: str,
               diagnostics: list[Diagnostic], cache: Cache, progress: Progress | None) -> None:
    """Parse `paths` into `lowered`."""
    from analyzer.facts import FileFacts
    from analyzer.parse import parse_files

    outcome = parse_files([p for p in paths if p not in lowered], data, cache)
    for failed, why in outcome.failures.items():
        diagnostics.append(internal_failure(repository, failed, "frontend", why))
        lowered[failed] = FileFacts(path=failed, language=language_of(failed))
    lowered.update(outcome.facts)
    if progress is not None:
        progress(repository, len(lowered), len(data))


class _Loader:
    """Parses, one at a time, the files the analysis asks for that the prefilter passed over:
    a module a parsed file loads, the file defining a class or constant it names."""

    def __init__(self, data: dict[str, bytes], lowered: dict[str, FileFacts], cache: Cache, repository: str,
                 diagnostics: list[Diagnostic]):
        self.known = set(data)
        self.data = data
        self.lowered = lowered
        self.cache = cache
        self.repository = repository
        self.diagnostics = diagnostics
        from analyzer.prefilter import Definitions

        self.definitions = Definitions(data)

    def load(self, path: str) -> FileFacts:
        if path not in self.lowered:
            parse_more([path], self.data, self.lowered, self.repository, self.diagnostics, self.cache, None)
        return self.lowered[path]

    def defining(self, name: str) -> list[str]:
        return self.definitions.files_defining(name)


def discover_root(path: Path, settings: DiscoverOptions, cache: Cache) -> Discovery:
    """The root's files: the last scan's discovery again when nothing it read has changed."""
    key = content_key("discovery", repr((str(path.resolve()), settings)).encode())
    previous = cache.get("discovery", key)
    discovery = discover(path, claims, settings, previous if isinstance(previous, Discovery) else None)
    if discovery is not previous and discovery.basis is not None and discovery.basis.settled():
        cache.put("discovery", key, discovery)
    return discovery


def root_settings(path: Path, name: str, options: ScanOptions, rules: RuleSet | None) -> tuple:
    """What a root's result depends on besides its files (the code: see Cache)."""
    return (name, str(path.resolve()), options.resolve, options.prefilter, options.include, options.exclude,
            rules_digest(rules))


def state_key(settings: tuple) -> str:
    """Where a root's state (_RootState) is remembered, for the root_settings it was scanned with."""
    return content_key("state", repr(settings).encode())


def shipped_rules() -> RuleSet:
    from analyzer.ruleset import load_rules  # a rescan of unchanged roots needs only their digest

    return load_rules()


def rules_digest(rules: RuleSet | None) -> str:
    """The digest of `rules`, or of the shipped rules (None)."""
    return rules.digest if rules is not None else _shipped_rules_digest()


@functools.cache
def _shipped_rules_digest() -> str:
    # Remembered beside the rules, and read once per process (every root's settings ask for it).
    return remembered("rules-digest", lambda: shipped_rules().digest, str)


@dataclass
class FileStamps:
    """Every discovered file's (size, mtime, ctime), taken before the files are read."""

    stamps: list[tuple[int, int, int]] | None  # None when a file could not be stat'ed
    size: int  # bytes in all
    settled: bool  # all written long enough before they were stamped (see discover.settled)

    @classmethod
    def of(cls, files: list[SourceFile]) -> FileStamps:
        read_at_ns = time.time_ns()
        stamps: list[tuple[int, int, int]] | None = []
        size = 0
        all_settled = True
        for source in files:
            try:
                stat = os.stat(source.absolute)
            except OSError:
                stamps = None
                continue
            size += stat.st_size
            if stamps is not None:
                stamps.append((stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns))
            all_settled = all_settled and settled((stat.st_mtime_ns, stat.st_ctime_ns), read_at_ns)
        return cls(stamps, size, all_settled)


@dataclass
class _RootState:
    """A root as its cached result saw it: what its discovery read (the directories it walked, or
    git's listing), and the size and change stamps of every file it found. While they all still
    hold (a stat each), so does the result: no discovery, and no file is read."""

    basis: TreeStamps | GitListing
    files: list[str]  # absolute paths, in discovery's order
    stamps: list[tuple[int, int, int]]  # (size, mtime, ctime) of each file
    signature: str  # the key of the root's result

    def holds(self) -> bool:
        try:
            now = [(s.st_size, s.st_mtime_ns, s.st_ctime_ns) for s in map(os.stat, self.files)]
        except OSError:
            return False
        return now == self.stamps and self.basis.unchanged(git_listing(Path(self.basis.root)))


def remember_state(cache: Cache, state_key: str, discovery: Discovery, stamps: FileStamps, signature: str) -> None:
    """What the files looked like when the result `signature` was computed from them, if their
    stamps can vouch that a later scan seeing the same stamps would read the same."""
    if stamps.stamps is not None and stamps.settled and discovery.basis is not None and discovery.basis.settled():
        files = [f.absolute for f in discovery.files]
        cache.put("state", state_key, _RootState(discovery.basis, files, stamps.stamps, signature))


def unchanged_output(cache: Cache, state: object) -> _RootOutput | None:
    """The root's cached result, if nothing the scan that made it (`state`) saw has changed since."""
    if not (isinstance(state, _RootState) and state.holds()):
        return None
    output = cache.get("roots", state.signature)
    return output if isinstance(output, _RootOutput) else None


def read_sources(files: list[SourceFile], repository: str, diagnostics: list[Diagnostic],
                 skipped: Counter) -> dict[str, bytes]:
    """The bytes of every file worth analysing (read once; generated and binary files skipped)."""
    data = {}
    for source in files:
        try:
            with open(source.absolute, "rb") as handle:
                content = handle.read()
        except OSError as error:
            message = f"cannot read file: {error.strerror or error}"
            diagnostics.append(Diagnostic(repository, source.path, "read-error", message, "error"))
            continue
        generated = looks_generated(content[:65536])
        if generated:
            skipped[generated] += 1
            continue
        if claims(source.path):
            data[source.path] = content
    return data


def analyze_root(index: RepoIndex, rules: RuleSet, name: str, options: ScanOptions
                 ) -> tuple[list[Finding], list[Declaration], list[Relay], Learned, list[Diagnostic]]:
    """Extract and resolve every file of a root; a failure in one file is a diagnostic. Also
    returns what the resolver learned that files not parsed yet may matter for."""
    from analyzer.extract import Extractor, Match, global_aliases
    from analyzer.resolve.resolver import Resolver, declaration_findings

    aliases = global_aliases(list(index.files.values()), index.symbols, rules) if options.resolve == "full" else {}
    matches: list[Match] = []
    findings: list[Finding] = []
    declarations: list[Declaration] = []
    round_diagnostics: list[Diagnostic] = []
    # A file's matches depend on it and on the global aliases only: a later round whose files
    # add no alias reuses them (kept with the file's symbol table).
    reuse_key = ("matches", rules.digest, tuple(sorted(aliases.items())))
    for facts in index.files.values():
        in_test = index.in_test.get(facts.path, False)
        try:
            symbols = index.symbols(facts.path)
            if reuse_key not in symbols.derived:
                symbols.derived[reuse_key] = Extractor(rules, facts, symbols, aliases).matches()
            matches.extend(symbols.derived[reuse_key])
            findings.extend(declaration_findings(facts, name, in_test))
            declarations.extend(declarations_of(facts, name, in_test))
        except Exception as error:  # noqa: BLE001 - a bug on one file must not lose the others
            round_diagnostics.append(internal_error(name, facts.path, "extraction", error))
    resolver = Resolver(index, rules, name, options.resolve)
    try:
        findings.extend(resolver.resolve(matches))
    except Exception as error:  # noqa: BLE001 - a resolver bug must not lose the findings
        round_diagnostics.append(internal_error(name, "", "resolution", error))
    learned = Learned(resolver.learned_classes, resolver.learned_callees, resolver.evaluator.instance_bases)
    return findings, declarations, resolver.relays, learned, round_diagnostics + resolver.diagnostics


def internal_error(repository: str, path: str, stage: str, error: Exception) -> Diagnostic:
    import traceback  # only for an internal error

    where = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    origin = f" at {Path(where.filename).name}:{where.lineno}" if where else ""
    return internal_failure(repository, path, stage, f"{type(error).__name__}: {error}{origin}")


def internal_failure(repository: str, path: str, stage: str, why: str) -> Diagnostic:
    return Diagnostic(
        repository, path, "internal-error",
        f"instrumap {stage} failed on this file ({why}); the rest of the scan is unaffected — please report this",
        "error",
    )


def problems_of(facts: FileFacts, repository: str) -> list[Diagnostic]:
    return [Diagnostic(repository, facts.path, p.code, p.message, p.severity, p.span) for p in facts.problems]


def declarations_of(facts: FileFacts, repository: str, in_test: bool) -> list[Declaration]:
    return [
        Declaration(repository, facts.path, d.span, d.kind, d.name, d.value, d.config_key, in_test)
        for d in facts.declarations
    ]
