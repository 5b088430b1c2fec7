"""Where instrumap's time goes: one scan, with the time of each pipeline stage.

    python benchmarks/profile_stages.py ROOT... [--resolve full|literal] [--cprofile N]

The scan is analyzer.pipeline.scan itself; the functions of each stage are wrapped in
timers for the duration of this process (nothing in the package changes). Times are exclusive:
a stage called from inside another (a frontend's lower() inside the read step) is counted
only once, in its own row. With --cprofile N, a second scan runs under cProfile and the N
functions with the most internal time are listed (cProfile slows Python code, not the
tree-sitter parsers, so use its percentages only to rank functions).
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import functools
import io
import pstats
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from analyzer import extract, parse, pipeline, prefilter, symbols
from analyzer.extract import Extractor
from analyzer.frontends import FRONTENDS
from analyzer.prefilter import Prefilter
from analyzer.report import formatter
from analyzer.resolve import resolver
from analyzer.resolve.resolver import Resolver
from analyzer.ruleset import load_rules
from analyzer.symbols import RepoIndex

STAGES = ("load rules", "discover", "read", "prefilter", "parse+lower", "parse cache", "index", "symbols", "extract",
          "resolve", "report")


class StageClock:
    """Exclusive wall time per stage, for wrapped functions that may call one another."""

    def __init__(self) -> None:
        self.seconds: Counter = Counter()
        self.calls: Counter = Counter()
        self.by_language: dict[str, list[float]] = {}  # language → [files, bytes, seconds]
        self._stack: list[list[float]] = []  # [time spent in nested stages] per open call

    def wrap(self, stage: str, function: Callable) -> Callable:
        @functools.wraps(function)
        def timed(*args, **kwargs):
            self._stack.append([0.0])
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                nested = self._stack.pop()[0]
                self.seconds[stage] += elapsed - nested
                self.calls[stage] += 1
                if self._stack:
                    self._stack[-1][0] += elapsed

        return timed

    def wrap_lower(self, frontend) -> Callable:
        """A frontend's lower(), timed as parse+lower and tallied per language."""
        timed = self.wrap("parse+lower", frontend.lower)

        def lower(path: str, source: bytes):
            before = self.seconds["parse+lower"]
            try:
                return timed(path, source)
            finally:
                tally = self.by_language.setdefault(frontend.language, [0, 0, 0.0])
                tally[0] += 1
                tally[1] += len(source)
                tally[2] += self.seconds["parse+lower"] - before

        return lower


# Where each stage's functions are looked up, as the pipeline calls them. The pipeline is still
# changing: a name that is not there is reported and left out, never guessed.
STAGE_FUNCTIONS = (
    ("discover", pipeline, "discover"),
    ("read", pipeline, "read_sources"),
    # The pipeline imports the later stages where it uses them: wrapped in their own modules.
    ("prefilter", prefilter, "Prefilter"),
    ("prefilter", Prefilter, "wanted"),
    ("prefilter", prefilter, "mentioning"),
    ("prefilter", prefilter, "Definitions"),
    ("parse cache", parse, "parse_files"),  # content keys and cache look-ups; lower() is parse+lower
    ("index", symbols, "RepoIndex"),
    ("symbols", RepoIndex, "symbols"),
    ("extract", extract, "global_aliases"),
    ("extract", Extractor, "matches"),
    ("extract", resolver, "declaration_findings"),
    ("extract", pipeline, "declarations_of"),
    ("resolve", Resolver, "resolve"),
    ("resolve", pipeline, "apply_relays"),
    ("report", pipeline, "sorted_result"),
)


def instrument(clock: StageClock) -> list[str]:
    """Wrap the functions of each stage where the pipeline looks them up; returns the names
    that this version of the pipeline does not have."""
    missing = []
    for stage, owner, name in STAGE_FUNCTIONS:
        if hasattr(owner, name):
            setattr(owner, name, clock.wrap(stage, getattr(owner, name)))
        else:
            missing.append(f"{getattr(owner, '__name__', owner)}.{name}")
    for entry in FRONTENDS:
        frontend = entry.load()
        frontend.lower = clock.wrap_lower(frontend)
    return missing


def scan_options(resolve: str, prefilter: bool) -> pipeline.ScanOptions:
    """Options for one in-process scan: parsing in this process (workers would take the
    frontends' time out of sight) and no cache, as far as this version has those options."""
    wanted = {"resolve": resolve, "jobs": 1, "cache_dir": None, "prefilter": prefilter}
    known = {f.name for f in dataclasses.fields(pipeline.ScanOptions)}
    return pipeline.ScanOptions(**{k: v for k, v in wanted.items() if k in known})


def timed_scan(roots: list[Path], options: pipeline.ScanOptions, clock: StageClock) -> tuple[float, int, int]:
    """Scan with the stage clock running; (total seconds, files scanned, findings)."""
    start = time.perf_counter()
    rules = clock.wrap("load rules", load_rules)()
    result = pipeline.scan(roots, options, rules=rules)
    clock.wrap("report", formatter("json"))(result)
    total = time.perf_counter() - start
    return total, sum(r.files_scanned for r in result.roots), len(result.findings)


def stage_table(clock: StageClock, total: float) -> list[str]:
    lines = [f"{'stage':12} {'seconds':>8} {'share':>6} {'calls':>7} {'ms/call':>8}"]
    for stage in STAGES:
        seconds, calls = clock.seconds[stage], clock.calls[stage]
        per_call = seconds / calls * 1000 if calls else 0.0
        lines.append(f"{stage:12} {seconds:8.2f} {seconds / total:6.1%} {calls:7} {per_call:8.3f}")
    other = total - sum(clock.seconds.values())
    lines.append(f"{'other':12} {other:8.2f} {other / total:6.1%}  (loops, progress, diagnostics: not in a stage)")
    lines.append(f"{'total':12} {total:8.2f}")
    return lines


def language_table(clock: StageClock) -> list[str]:
    lines = [f"{'language':10} {'files':>6} {'MB':>7} {'seconds':>8} {'ms/file':>8} {'MB/s':>6}"]
    for language, (files, size, seconds) in sorted(clock.by_language.items(), key=lambda item: -item[1][2]):
        lines.append(f"{language:10} {files:6} {size / 1e6:7.1f} {seconds:8.2f} {seconds / files * 1000:8.2f} "
                     f"{size / 1e6 / seconds if seconds else 0:6.1f}")
    return lines


def cprofile_top(roots: list[Path], options: pipeline.ScanOptions, count: int) -> str:
    profiler = cProfile.Profile()
    profiler.runcall(pipeline.scan, roots, options)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(count)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("roots", nargs="+", type=Path, help="repositories to scan, as for `instrumap scan`")
    parser.add_argument("--resolve", choices=("full", "literal"), default="full")
    parser.add_argument("--no-prefilter", action="store_true",
                        help="parse every file (when the pipeline has a prefilter)")
    parser.add_argument("--cprofile", type=int, metavar="N",
                        help="also list the N functions with the most internal time")
    args = parser.parse_args(argv)
    options = scan_options(args.resolve, not args.no_prefilter)
    clock = StageClock()
    missing = instrument(clock)
    total, scanned, findings = timed_scan(args.roots, options, clock)
    print(f"instrumap stages on {len(args.roots)} roots: {scanned} files scanned, {findings} findings; {options}\n")
    print("\n".join(stage_table(clock, total)))
    if missing:
        print(f"(not in this version of the pipeline, so not timed: {', '.join(missing)})")
    print("\nparse+lower by frontend language (inside parse+lower):")
    print("\n".join(language_table(clock)))
    if args.cprofile:
        print(f"\ncProfile of a second scan, top {args.cprofile} functions by internal time:")
        print(cprofile_top(args.roots, options, args.cprofile))
    return 0


if __name__ == "__main__":
    sys.exit(main())
