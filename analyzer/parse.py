"""Parse: lower files to facts, from the cache when their content was seen before.

Parsing runs in the process that analyses the root: shipping facts between processes costs
about as much as lowering them (measured: no gain from a per-file pool on 2 cores), so
parallelism is across roots instead (pipeline.scan)."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.cache import Cache, content_key
from analyzer.facts import FileFacts
from analyzer.frontends import frontend_for


@dataclass
class ParseOutcome:
    facts: dict[str, FileFacts] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)  # path → what went wrong


def lower_file(task: tuple[str, bytes]) -> tuple[str, FileFacts | None, str | None]:
    """(path, facts, None), or (path, None, why) when the frontend failed on the file."""
    path, data = task
    frontend = frontend_for(path)
    if frontend is None:
        return path, None, "no frontend claims this file"
    try:
        return path, frontend.lower(path, data), None
    except Exception as error:  # noqa: BLE001 - a frontend bug must not lose the rest of the scan
        where = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
        origin = f" at {Path(where.filename).name}:{where.lineno}" if where else ""
        return path, None, f"{type(error).__name__}: {error}{origin}"


def parse_files(paths: list[str], data: dict[str, bytes], cache: Cache) -> ParseOutcome:
    outcome = ParseOutcome()
    todo: list[tuple[str, bytes]] = []
    keys: dict[str, str] = {}
    for path in paths:
        frontend = frontend_for(path)
        if frontend is None:
            continue
        keys[path] = content_key(frontend.language, data[path])
        cached = cache.get("facts", keys[path])
        if isinstance(cached, FileFacts) and cached.path == path:
            outcome.facts[path] = cached
        else:
            todo.append((path, data[path]))
    for path, facts, failure in map(lower_file, todo):
        if facts is None:
            outcome.failures[path] = failure or "unknown failure"
            continue
        outcome.facts[path] = facts
        cache.put("facts", keys[path], facts)
    return outcome
