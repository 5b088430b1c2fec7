"""Reporters: pure functions from a ScanResult to the text of one output format.

The CLI looks the format up with `formatter`; reporters never read sources or see the engine.
A reporter's module is imported when its format is asked for (SARIF's loads the check data,
which a rescan that writes JSON never needs).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from analyzer.model import ScanResult

Formatter = Callable[[ScanResult], str]

# format → module of analyzer.report whose `render` writes it
FORMATS: dict[str, str] = {
    "text": "text_report",
    "json": "json_report",
    "sarif": "sarif_report",
    "csv": "csv_report",
}


@dataclass
class Report:
    """What a scan printed: the report's text, how many findings it has, and the checks that
    fired on each finding that fired one (with whether it is in test code). Kept in the cache
    for a rescan of unchanged roots (a class of its own module, so that `python -m analyzer.cli`
    and the `instrumap` script read each other's)."""

    text: str
    findings: int
    fired: list[tuple[tuple[str, ...], bool]]


def formatter(name: str) -> Formatter:
    return importlib.import_module(f"analyzer.report.{FORMATS[name]}").render
