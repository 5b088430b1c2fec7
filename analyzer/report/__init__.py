"""Reporters: pure functions from a ScanResult to the text of one output format.

The CLI looks the format up in FORMATTERS; reporters never read sources or see the engine.
"""

from __future__ import annotations

from collections.abc import Callable

from analyzer.model import ScanResult
from analyzer.report import csv_report, json_report, sarif_report, text_report

Formatter = Callable[[ScanResult], str]

FORMATTERS: dict[str, Formatter] = {
    "text": text_report.render,
    "json": json_report.render,
    "sarif": sarif_report.render,
    "csv": csv_report.render,
}
