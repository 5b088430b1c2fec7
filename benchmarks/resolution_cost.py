"""What full name resolution costs over literal-only resolution, on real repositories.

    python benchmarks/resolution_cost.py REPO [REPO ...] [--runs 5]

Runs `instrumap scan --no-cache --resolve literal` and `--resolve full` on each repository,
alternating (ABAB…) so that machine load affects both alike, and prints the median wall time
of each, their ratio, and how many findings had each resolution kind under each level.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path


def scan(repo: Path, level: str) -> tuple[float, dict]:
    command = [sys.executable, "-m", "analyzer.cli", "scan", "--quiet", "--no-cache", "--format", "json",
               "--resolve", level, str(repo)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"instrumap failed on {repo}: {done.stderr}")
    return elapsed, json.loads(done.stdout)


def kinds(data: dict) -> Counter:
    return Counter(f["resolution"] for f in data["findings"] if f["family"] != "schema-declaration")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{'repository':24} {'literal s':>9} {'full s':>9} {'ratio':>6}  resolution kinds (literal → full)")
    for repo in args.repos:
        times: dict[str, list[float]] = {"literal": [], "full": []}
        results: dict[str, dict] = {}
        for _ in range(args.runs):
            for level in ("literal", "full"):
                elapsed, results[level] = scan(repo, level)
                times[level].append(elapsed)
        literal, full = statistics.median(times["literal"]), statistics.median(times["full"])
        before, after = kinds(results["literal"]), kinds(results["full"])
        wrappers = sum(1 for f in results["full"]["findings"] if f["via_wrapper"])
        print(f"{repo.name:24} {literal:9.2f} {full:9.2f} {full / literal:6.2f}  "
              f"{dict(sorted(before.items()))} → {dict(sorted(after.items()))}; wrapper call sites {wrappers}")


if __name__ == "__main__":
    main()
