"""`--format json`: the finding model as JSON (format_version 1; see docs/json-format.md)."""

from __future__ import annotations

import json

from analyzer.model import ScanResult


def render(result: ScanResult) -> str:
    return json.dumps(result.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
