"""`--format json`: the finding model as JSON (format_version 1; see docs/json-format.md).

The top level is indented and every record (a finding, a declaration, a diagnostic, a root)
is one line: a sweep's report has tens of thousands of records, `grep` then shows a whole
record, a diff shows which ones changed, and each line is written by the C JSON encoder
(`json.dumps` with `indent` falls back to a pure-Python encoder, several times slower).
"""

from __future__ import annotations

import json
from typing import Any

from analyzer.model import ScanResult


def render(result: ScanResult) -> str:
    document = result.to_json()
    members = [f"  {_one_line(key)}: {_value(document[key])}" for key in sorted(document)]
    return "{\n" + ",\n".join(members) + "\n}\n"


def _value(value: Any) -> str:
    if isinstance(value, list) and value:
        return "[\n" + ",\n".join(f"    {_one_line(item)}" for item in value) + "\n  ]"
    return _one_line(value)


_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False)  # json.dumps with options builds one per call


def _one_line(value: Any) -> str:
    return _ENCODER.encode(value)
