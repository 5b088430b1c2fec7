"""Benchmark instrumap against ripgrep and Semgrep on the same corpus.

    python benchmarks/run.py --corpus DIR [--runs N]     DIR holds one checkout per subdirectory
    python benchmarks/run.py [--files N]                 on a synthetic corpus (benchmarks/synthetic.py)
    python benchmarks/run.py --corpus DIR --scale        instrumap on 1x, 2x and 4x copies of DIR

Each round runs every tool once, in the same order (instrumap cold, instrumap warm, ripgrep,
Semgrep), so that drift on the machine spreads over all tools; medians are reported. ripgrep
searches the trigger tokens of instrumap's rules in the files instrumap's frontends claim;
Semgrep runs benchmarks/semgrep-rules.yaml, restricted to the languages instrumap has frontends
for. All tools skip the same dependency and build directories. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from analyzer.discover import SKIPPED_DIRECTORIES
from analyzer.frontends import FRONTENDS
from analyzer.ruleset import load_rules

BENCHMARKS = Path(__file__).resolve().parent
SEMGREP_RULES = BENCHMARKS / "semgrep-rules.yaml"
# The globs of analyzer.discover.MINIFIED_NAME, for the files instrumap's frontends claim.
MINIFIED_GLOBS = ("*.min.js", "*-min.js", "*.min.mjs", "*-min.mjs", "*.bundle.js")
# instrumap's language names → Semgrep's, for the languages Semgrep has a parser for.
SEMGREP_LANGUAGES = {
    "javascript": "javascript", "typescript": "typescript", "php": "php", "json": "json",
    "kotlin": "kotlin", "java": "java", "swift": "swift", "python": "python",
}
# instrumap's languages Semgrep cannot parse: their files are left out of its job.
NO_SEMGREP_PARSER = frozenset({"vue", "objc"})
MAX_TARGET_BYTES = 4 * 1024 * 1024
# Semgrep checks for a new version over the network unless told not to (`semgrep --version`
# waits ~100 s for it offline).
OFFLINE_ENV = dict(os.environ, SEMGREP_SEND_METRICS="off", SEMGREP_ENABLE_VERSION_CHECK="0")
SAMPLE_SECONDS = 0.02
MB = 1024 * 1024


# ---------------------------------------------------------------------------------------------
# Measuring one process tree
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Measurement:
    wall: float  # seconds
    cpu: float  # user + system seconds of the tree (waited-for descendants included)
    max_process_rss: int  # bytes: the highest peak RSS (VmHWM) of any single process of the tree
    peak_tree_rss: int  # bytes: the largest sum of RSS over the live tree, sampled
    returncode: int


class TreeSampler(threading.Thread):
    """Samples the memory of a process and its descendants every SAMPLE_SECONDS: the sum of
    their resident sets, and each one's own peak (VmHWM).

    ru_maxrss is no use here: a child started by fork/vfork inherits the peak RSS of the
    Python process that started it, so a 10 MB ripgrep would show run.py's size. VmHWM belongs
    to the memory of the executed program only. Processes are found through /proc/<pid>/stat
    parent links (this kernel has no /proc/<pid>/task/<tid>/children); each pid's parent is
    read once, when the pid first shows."""

    def __init__(self, root_pid: int):
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.parents: dict[int, int] = {}
        self.peak_tree = 0
        self.peak_process = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.sample()
            self.done.wait(SAMPLE_SECONDS)

    def sample(self) -> None:
        live = {int(name) for name in os.listdir("/proc") if name.isdigit()}
        for pid in live - self.parents.keys():
            self.parents[pid] = parent_of(pid)
        tree = {self.root_pid}
        grew = True
        while grew:
            children = {pid for pid in live if self.parents.get(pid) in tree} - tree
            tree |= children
            grew = bool(children)
        memory = [process_memory(pid) for pid in tree]
        self.peak_tree = max(self.peak_tree, sum(rss for rss, _ in memory))
        self.peak_process = max(self.peak_process, *(hwm for _, hwm in memory))


def parent_of(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return int(stat.read().rsplit(b")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def process_memory(pid: int) -> tuple[int, int]:
    """(current RSS, peak RSS) of a process in bytes; zeros once it is gone."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmRSS:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith(b"VmHWM:"):
                    hwm = int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return rss, hwm


def measure(command: Sequence[str], stdout: Path, env: dict[str, str] | None = None) -> Measurement:
    """Run `command` with its output in `stdout` (stderr beside it, as .err) and measure it."""
    with open(stdout, "wb") as out, open(stdout.with_suffix(".err"), "wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        sampler = TreeSampler(process.pid)
        sampler.start()
        # wait4 for the CPU time of this child alone (with the descendants it reaped).
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    return Measurement(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        max_process_rss=sampler.peak_process,
        peak_tree_rss=sampler.peak_tree,
        returncode=process.returncode,
    )


# ---------------------------------------------------------------------------------------------
# The tools
# ---------------------------------------------------------------------------------------------

@dataclass
class Tool:
    """One way of scanning the corpus: how to run it once, and how to read what it found."""

    name: str
    command: Callable[[Path], list[str]]  # output file → command
    found: Callable[[Path], str]  # output file → a short summary of what was found
    prepare: Callable[[], None] = lambda: None  # before each timed run, untimed
    env: dict[str, str] | None = None
    runs: list[Measurement] = field(default_factory=list)
    summary: str = ""


def cli_options(command: Sequence[str]) -> str:
    return subprocess.run([*command, "scan", "--help"], capture_output=True, text=True, check=True).stdout


def instrumap_command() -> list[str]:
    # -P: the current directory is not put on sys.path, so that run from the checkout this
    # Python's installed instrumap is measured, not the checkout's analyzer/ beside it.
    return [sys.executable, "-P", "-m", "analyzer.cli"]


def compile_instrumap() -> str:
    """pip writes an installed package's bytecode; an editable install run with
    PYTHONDONTWRITEBYTECODE does not, and every run would compile all of instrumap again (~0.4 s).
    Compile it once, so the runs measure what users run. Also says which install is measured:
    an editable one (this checkout) starts slower than `pip install .` gives users, since every
    start of Python loads pip's finder for editable packages."""
    package = Path(importlib.util.find_spec("analyzer").origin).parent
    compileall.compile_dir(package, quiet=1)
    if package.resolve() == (BENCHMARKS.parent / "analyzer").resolve():
        install = ("an editable install of this checkout (each start also loads the editable finder; "
                   "run this script with the Python of a venv made by `pip install .` to measure what users run)")
    else:
        install = "a regular install (pip install .), as users have it"
    return f"instrumap measured: {package}, {install}; bytecode compiled before the runs, as pip install does"


class CacheMode:
    """How to get a cold and a warm instrumap scan from the installed CLI.

    With --cache-dir, cold runs use a fresh empty directory and warm runs reuse the one the
    cold run of the same round filled. With only --no-cache, cold runs pass it and warm runs use
    the default cache (filled by a first, untimed run). Without either there is no cache, and
    cold and warm are the same scan."""

    def __init__(self, help_text: str, scratch: Path):
        self.has_cache_dir = "--cache-dir" in help_text
        self.has_no_cache = "--no-cache" in help_text
        self.scratch = scratch
        self.current: Path | None = None
        self.rounds = 0
        self.primed = False

    @property
    def supported(self) -> bool:
        return self.has_cache_dir or self.has_no_cache

    def describe(self) -> str:
        if self.has_cache_dir:
            return "cold = fresh --cache-dir per round, warm = second run on the same cache"
        if self.has_no_cache:
            return "cold = --no-cache, warm = default cache (filled by an untimed run first)"
        return "this instrumap has no cache option: cold and warm are the same scan"

    def new_cold_cache(self) -> None:
        if self.has_cache_dir:
            self.rounds += 1
            self.current = self.scratch / f"cache-{self.rounds}"
            shutil.rmtree(self.current, ignore_errors=True)

    def cold_options(self) -> list[str]:
        if self.has_cache_dir:
            return ["--cache-dir", str(self.current)]
        return ["--no-cache"] if self.has_no_cache else []

    def warm_options(self) -> list[str]:
        if self.has_cache_dir:
            return ["--cache-dir", str(self.current)]
        return []


def instrumap_tools(roots: list[Path], cache: CacheMode, scratch: Path, extra: Sequence[str] = ()) -> list[Tool]:
    base = [*instrumap_command(), "scan", "--quiet", "--format", "json", *extra]

    def prime_default_cache() -> None:
        if cache.has_no_cache and not cache.has_cache_dir and not cache.primed:
            subprocess.run([*base, "--output", str(scratch / "prime.json"), *map(str, roots)], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            cache.primed = True

    cold = Tool(
        "instrumap cold",
        lambda out: [*base, *cache.cold_options(), "--output", str(out), *map(str, roots)],
        instrumap_found,
        prepare=cache.new_cold_cache,
    )
    if not cache.supported:
        return [cold]
    warm = Tool(
        "instrumap warm",
        lambda out: [*base, *cache.warm_options(), "--output", str(out), *map(str, roots)],
        instrumap_found,
        prepare=prime_default_cache,
    )
    return [cold, warm]


def instrumap_found(output: Path) -> str:
    result = json.loads(output.read_text(encoding="utf-8"))
    scanned = sum(root["files_scanned"] for root in result["roots"])
    return f"{len(result['findings'])} findings in {scanned} files scanned"


def frontend_globs() -> list[str]:
    """ripgrep globs for the files instrumap's frontends claim."""
    globs = []
    for frontend in FRONTENDS:
        for suffix in frontend.suffixes:
            globs.append(f"*{suffix}" if suffix.startswith(".") else suffix)
    return sorted(set(globs))


def exclusion_globs() -> list[str]:
    return [f"!{name}/" for name in sorted(SKIPPED_DIRECTORIES)] + [f"!{glob}" for glob in MINIFIED_GLOBS]


def trigger_tokens() -> list[str]:
    """What a prefilter must look for: every last name a rule dispatches on, plus the full API
    names (callee paths, Class::method, functions) the rules spell out."""
    rules = load_rules()
    tokens = set(rules.trigger_names())
    for api in rules.apis:
        tokens |= set(api.match.callee) | set(api.match.static) | set(api.match.function)
    return sorted(tokens)


def ripgrep_base(rg: str) -> list[str]:
    # --hidden and --no-ignore-dot: instrumap's tree walk reads hidden files and ignores .ignore
    # files; .gitignore still applies inside git checkouts, as instrumap uses `git ls-files` there.
    command = [rg, "--hidden", "--no-ignore-dot", "--no-messages"]
    for glob in frontend_globs():
        command += ["--iglob", glob]
    for glob in exclusion_globs():
        command += ["--glob", glob]
    return command


def ripgrep_tool(rg: str, roots: list[Path]) -> Tool:
    tokens = [arg for token in trigger_tokens() for arg in ("-e", token)]
    return Tool(
        "ripgrep",
        lambda out: [*ripgrep_base(rg), "--count", "--fixed-strings", *tokens, *map(str, roots)],
        ripgrep_found,
    )


def ripgrep_found(output: Path) -> str:
    lines = [line for line in output.read_text(encoding="utf-8", errors="replace").splitlines() if line]
    matched = sum(int(line.rsplit(":", 1)[1]) for line in lines)
    return f"{matched} matching lines in {len(lines)} files"


def ripgrep_file_count(rg: str, roots: list[Path]) -> int:
    listing = subprocess.run([*ripgrep_base(rg), "--files", *map(str, roots)], capture_output=True, check=False).stdout
    return listing.count(b"\n")


def semgrep_config(scratch: Path) -> tuple[Path, list[str]]:
    """benchmarks/semgrep-rules.yaml without the rules for languages instrumap cannot read, so
    that both do the same job; returns the file and the ids of the rules left out."""
    wanted = {SEMGREP_LANGUAGES[f.language] for f in FRONTENDS if f.language in SEMGREP_LANGUAGES}
    data = yaml.safe_load(SEMGREP_RULES.read_text(encoding="utf-8"))
    kept = [r for r in data["rules"] if set(r["languages"]) & wanted]
    left_out = [r["id"] for r in data["rules"] if r not in kept]
    config = scratch / "semgrep-rules.yaml"
    config.write_text(yaml.safe_dump({"rules": kept}, sort_keys=False), encoding="utf-8")
    return config, left_out


def semgrep_tool(semgrep: str, config: Path, roots: list[Path]) -> Tool:
    command = [semgrep, "scan", "--config", str(config), "--metrics=off", "--disable-version-check",
               "--no-git-ignore", "--quiet", "--json", "--max-target-bytes", str(MAX_TARGET_BYTES),
               # Without a .semgrepignore, Semgrep applies a default one that also skips tests/;
               # instrumap scans tests, so Semgrep is told to skip only what instrumap skips.
               "--x-ignore-semgrepignore-files"]
    for name in sorted(SKIPPED_DIRECTORIES):
        command += ["--exclude", name]
    for glob in MINIFIED_GLOBS:
        command += ["--exclude", glob]
    return Tool(
        "semgrep",
        lambda out: [*command, "--output", str(out), *map(str, roots)],
        semgrep_found,
        env=OFFLINE_ENV,
    )


def semgrep_found(output: Path) -> str:
    result = json.loads(output.read_text(encoding="utf-8"))
    scanned = len(result.get("paths", {}).get("scanned", []))
    errors = len(result.get("errors", []))
    return f"{len(result['results'])} matches in {scanned} files scanned, {errors} errors"


def source_state() -> str:
    """The commit of the instrumap checkout being measured, and whether its code has local changes."""
    checkout = Path(__file__).resolve().parent.parent

    def git(*arguments: str) -> str:
        return subprocess.run(["git", "-C", str(checkout), *arguments], capture_output=True, text=True,
                              timeout=60, check=False).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        changes = git("status", "--porcelain", "--", "analyzer", "rules")
    except (OSError, subprocess.SubprocessError):
        head = ""
    if not head:
        return "not a git checkout"
    return f"git {head}" + (" with uncommitted changes to analyzer/ or rules/" if changes else "")


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def version(command: Sequence[str]) -> str:
    try:
        text = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=120,
                              env=OFFLINE_ENV, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return "?"
    return text.strip().splitlines()[0] if text.strip() else "?"


# ---------------------------------------------------------------------------------------------
# Running and reporting
# ---------------------------------------------------------------------------------------------

def run_rounds(tools: list[Tool], runs: int, warmup: int, scratch: Path) -> None:
    """Run each tool once per round, `warmup` untimed rounds first, failing on any error."""
    for round_index in range(warmup + runs):
        timed = round_index >= warmup
        for tool in tools:
            tool.prepare()
            output = scratch / f"{tool.name.replace(' ', '-')}-{round_index}.out"
            result = measure(tool.command(output), output, tool.env)
            if result.returncode != 0:
                error = output.with_suffix(".err").read_text(errors="replace")[-2000:]
                raise SystemExit(f"{tool.name} failed with exit code {result.returncode}:\n{error}")
            if timed:
                tool.runs.append(result)
            tool.summary = tool.found(output)
            print(f"  round {round_index + 1 - warmup if timed else 'warm-up'}: {tool.name:15} {result.wall:8.2f} s",
                  file=sys.stderr)


def median(tool: Tool, key: Callable[[Measurement], float]) -> float:
    return statistics.median(key(m) for m in tool.runs)


def megabytes(size: int) -> str:
    """Bytes as MB; '-' when the process ended before the first sample."""
    return f"{size / MB:.0f}" if size else "-"


def report(tools: list[Tool], header: list[str], notes: list[str]) -> str:
    lines = [*header, ""]
    lines.append(f"{'tool':16} {'median s':>9} {'min s':>7} {'max s':>7} {'CPU s':>7} {'tree RSS MB':>12} "
                 f"{'proc RSS MB':>12}  found")
    for tool in tools:
        walls = [m.wall for m in tool.runs]
        lines.append(
            f"{tool.name:16} {statistics.median(walls):9.2f} {min(walls):7.2f} {max(walls):7.2f} "
            f"{median(tool, lambda m: m.cpu):7.2f} {megabytes(max(m.peak_tree_rss for m in tool.runs)):>12} "
            f"{megabytes(max(m.max_process_rss for m in tool.runs)):>12}  {tool.summary}"
        )
    by_name = {t.name: median(t, lambda m: m.wall) for t in tools}
    lines.append("")
    for mine in ("instrumap cold", "instrumap warm"):
        for other in ("semgrep", "ripgrep"):
            if mine in by_name and other in by_name:
                lines.append(f"{mine} / {other}: {by_name[mine] / by_name[other]:.3f}"
                             f"  ({other} takes {by_name[other] / by_name[mine]:.2f}x instrumap's time)")
    if "instrumap warm" in by_name:
        lines.append(f"instrumap cold / warm: {by_name['instrumap cold'] / by_name['instrumap warm']:.2f}")
    return "\n".join([*lines, "", *notes])


MEMORY_NOTE = (
    "tree RSS: the largest sum of resident memory over the tool's live process tree, sampled every "
    f"{int(SAMPLE_SECONDS * 1000)} ms (an upper bound for forked workers, whose shared pages count "
    "once per process; a spike shorter than the interval can be missed). proc RSS: the highest peak "
    "RSS (VmHWM) of any one process of the tree, as last sampled. CPU s: user + system time of the "
    "whole tree (wait4)."
)


def count_files(roots: list[Path]) -> int:
    return sum(len(files) for root in roots for _, _, files in os.walk(root))


def corpus_roots(corpus: Path) -> list[Path]:
    roots = sorted(p for p in corpus.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not roots:
        raise SystemExit(f"{corpus}: no repository directories in it")
    return roots


def find_tool(name: str, given: str | None) -> str | None:
    if given:
        return given
    return shutil.which(name)


def benchmark(args: argparse.Namespace, corpus: Path, scratch: Path) -> str:
    roots = corpus_roots(corpus)
    cache = CacheMode(cli_options(instrumap_command()), scratch)
    tools = instrumap_tools(roots, cache, scratch, args.instrumap_option)
    options = f"; extra options: {' '.join(args.instrumap_option)}" if args.instrumap_option else ""
    notes = [f"instrumap: {cache.describe()}{options}", compile_instrumap(), MEMORY_NOTE]
    rg = find_tool("rg", args.rg)
    if rg:
        tools.append(ripgrep_tool(rg, roots))
        notes.append(f"ripgrep: rg --count --fixed-strings with {len(trigger_tokens())} tokens from the rule data, "
                     f"in {', '.join(frontend_globs())}; files searched: {ripgrep_file_count(rg, roots)}")
    else:
        notes.append("ripgrep: not found (install it: apt-get install ripgrep); not measured")
    semgrep = find_tool("semgrep", args.semgrep)
    if semgrep and not args.no_semgrep:
        config, left_out = semgrep_config(scratch)
        tools.append(semgrep_tool(semgrep, config, roots))
        without = f" without {', '.join(left_out)} (no instrumap frontend)" if left_out else ""
        notes.append(f"semgrep: {SEMGREP_RULES.name}{without}; "
                     "no .vue or Objective-C files (Semgrep has no parser for them)")
    else:
        not_found = "" if args.no_semgrep else " (not found: pip install semgrep, see README)"
        notes.append("semgrep: not measured" + not_found)
    versions = [f"instrumap {version(instrumap_command()).split()[-1]} ({source_state()})"]
    versions += [version([rg])] if rg else []
    versions += [f"semgrep {version([semgrep])}"] if semgrep and not args.no_semgrep else []
    header = [
        f"corpus: {corpus} — {len(roots)} repositories, {count_files(roots)} files",
        (f"machine: {os.cpu_count()} cores (os.cpu_count()), {platform.system()} {platform.release()}, "
         f"Python {platform.python_version()}"),
        f"versions: {', '.join(versions)}",
        (f"runs: {args.runs} timed rounds after {args.warmup} warm-up round(s); each round runs "
         f"{', '.join(t.name for t in tools)} in turn"),
    ]
    header.append(f"load average (1, 5, 15 min) before: {load_average()}")
    print("\n".join(header), file=sys.stderr)
    run_rounds(tools, args.runs, args.warmup, scratch)
    header.append(f"load average after: {load_average()} (includes the benchmark itself)")
    return report(tools, header, notes)


def copy_with_marker(source: Path, target: Path, marker: bytes) -> None:
    """Copy a tree, appending `marker` to every file, so that no file's content repeats
    another copy's (a content-addressed cache must not make copies free)."""
    for directory, _, files in os.walk(source):
        relative = Path(directory).relative_to(source)
        (target / relative).mkdir(parents=True, exist_ok=True)
        for name in files:
            origin = Path(directory, name)
            if origin.is_symlink() or not origin.is_file():
                continue
            (target / relative / name).write_bytes(origin.read_bytes() + marker)


def scale(args: argparse.Namespace, corpus: Path, scratch: Path) -> str:
    """instrumap (cold) on 1x, 2x and 4x the corpus, rounds alternating between the sizes."""
    roots = corpus_roots(corpus)
    copies = [roots]
    for index in range(1, 4):
        target = scratch / f"copy-{index}"
        for root in roots:
            copy_with_marker(root, target / root.name, b"\n" * index)
        copies.append(corpus_roots(target))
    cache = CacheMode(cli_options(instrumap_command()), scratch)
    tools = []
    for factor in (1, 2, 4):
        scaled_roots = [root for copy in copies[:factor] for root in copy]
        tool = instrumap_tools(scaled_roots, cache, scratch, args.instrumap_option)[0]
        tool.name = f"instrumap {factor}x"
        tools.append(tool)
    bytecode = compile_instrumap()
    run_rounds(tools, args.runs, args.warmup, scratch)
    lines = [f"scaling of instrumap (cold) on {corpus}, {os.cpu_count()} cores; {cache.describe()}", "",
             f"{'size':5} {'files scanned':>14} {'median s':>9} {'ms per file':>12} {'vs 1x':>6} {'tree RSS MB':>12}"]
    points = []
    for factor, tool in zip((1, 2, 4), tools, strict=True):
        scanned = int(re.search(r"in (\d+) files scanned", tool.summary).group(1))
        wall = median(tool, lambda m: m.wall)
        points.append((scanned, wall))
        per_file = wall / max(scanned, 1) * 1000
        per_file_1x = points[0][1] / max(points[0][0], 1) * 1000
        lines.append(f"{factor}x{'':3} {scanned:14} {wall:9.2f} {per_file:12.3f} {per_file / per_file_1x:6.2f} "
                     f"{megabytes(max(m.peak_tree_rss for m in tool.runs)):>12}")
    (files_1x, wall_1x), (files_4x, wall_4x) = points[0], points[-1]
    marginal = (wall_4x - wall_1x) / max(files_4x - files_1x, 1)
    lines += ["", (f"marginal time per file from 1x to 4x: {marginal * 1000:.3f} ms; fixed cost (start-up, "
                   f"rules) by extrapolation to 0 files: {wall_1x - marginal * files_1x:.2f} s"),
              ("Linear scaling keeps 'ms per file' flat (vs 1x near 1.00) once the fixed cost is small "
               "beside the total.")]
    return "\n".join([*lines, bytecode, MEMORY_NOTE])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="directory with one repository checkout per subdirectory "
                        "(default: a synthetic corpus written to a temporary directory)")
    parser.add_argument("--runs", type=int, default=3, help="timed rounds (default %(default)s)")
    parser.add_argument("--warmup", type=int, default=1,
                        help="untimed rounds first, to fill the OS page cache (default %(default)s)")
    parser.add_argument("--scale", action="store_true", help="measure instrumap on 1x, 2x and 4x copies of the corpus")
    parser.add_argument("--files", type=int,
                        help="size of the synthetic corpus (default: as measured on the real repositories)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic corpus")
    parser.add_argument("--instrumap-option", action="append", default=[], metavar="ARG",
                        help="pass ARG to `instrumap scan` (repeatable), e.g. --instrumap-option=--jobs=2")
    parser.add_argument("--rg", help="ripgrep executable (default: rg on PATH)")
    parser.add_argument("--semgrep", help="semgrep executable (default: semgrep on PATH)")
    parser.add_argument("--no-semgrep", action="store_true", help="do not run Semgrep")
    parser.add_argument("--output", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be at least 1 and --warmup at least 0")
    with tempfile.TemporaryDirectory(prefix="instrumap-bench-") as temporary:
        scratch = Path(temporary)
        corpus = args.corpus
        if corpus is None:
            import synthetic

            corpus = scratch / "corpus"
            generated = synthetic.generate(corpus, args.files or synthetic.DEFAULT_FILES, args.seed)
            print(f"synthetic corpus: {sum(generated.files.values())} files, "
                  f"{len(generated.planted)} planted call sites", file=sys.stderr)
        text = scale(args, corpus.resolve(), scratch) if args.scale else benchmark(args, corpus.resolve(), scratch)
    print(text)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
