"""The CSV audit spreadsheet: one row per finding, readable back with the csv module, and safe to
open in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest
from fixturelib import scan_fixture

from analyzer.model import Finding, Root, ScanResult, Span, ViaWrapper
from analyzer.report import csv_report, formatter
from analyzer.report.csv_report import COLUMNS


def read_rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return list(reader.fieldnames or []), list(reader)


def finding(**fields) -> Finding:
    values = {
        "repository": "Demo", "path": "modules/ext.demo/init.js", "span": Span(12, 3, 12, 48), "language": "javascript",
        "family": "statsv-counter", "api": "mw.track", "name": "counter.MediaWiki.demo.click", "name_kind": "topic",
        "resolution": "literal", "fingerprint": "0123456789abcdef0123456789abcdef",
        "message": "mw.track: topic 'counter.MediaWiki.demo.click' (statsv-counter)",
    }
    values.update(fields)
    return Finding(**values)


def render(*findings: Finding) -> str:
    return csv_report.render(ScanResult("0.1.0", (Root("Demo", "/srv/Demo"),), findings))


def test_fixture_round_trips_through_dict_reader():
    result = scan_fixture("js-track-basic")
    header, rows = read_rows(csv_report.render(result))
    assert header == list(COLUMNS)
    assert len(rows) == len(result.findings) > 0
    for row, found in zip(rows, result.findings, strict=True):
        assert row["repository"] == found.repository
        assert row["path"] == found.path
        assert (int(row["line"]), int(row["column"])) == (found.span.line, found.span.column)
        assert row["family"] == found.family
        assert row["api"] == found.api
        assert row["name"] == (found.name or "")
        assert row["candidates"].split("|") == (list(found.candidates) or [""])
        assert row["schema"] == (found.schema or "")
        assert row["resolution"] == found.resolution
        assert row["in_test"] == ("true" if found.in_test else "false")
        assert row["message"] == found.message
        assert row["fingerprint"] == found.fingerprint


def test_columns_follow_the_audit_order():
    assert COLUMNS[:4] == ("repository", "path", "line", "column")
    assert COLUMNS[-3:] == ("via_wrapper", "message", "fingerprint")
    assert formatter("csv") is csv_report.render


def test_optional_fields_candidates_and_wrapper():
    text = render(finding(
        name="timing.MediaWiki.demo.*", resolution="dynamic", candidates=("timing.a", "timing.b"),
        unresolved_reason="parameter action of onClick", context="onClick", in_test=True,
        via_wrapper=ViaWrapper("logTiming", "modules/util.js", 7),
    ))
    (row,) = read_rows(text)[1]
    assert row["candidates"] == "timing.a|timing.b"
    assert row["via_wrapper"] == "logTiming@modules/util.js:7"
    assert row["unresolved_reason"] == "parameter action of onClick"
    assert row["in_test"] == "true"
    assert row["schema"] == row["component"] == row["status"] == ""


@pytest.mark.parametrize("dangerous", ["=HYPERLINK(\"https://example.org\",\"x\")", "+1+1", "-2+3", "@SUM(A1)",
                                       "\tx", "\rx"])
def test_formula_like_cells_are_shown_as_text(dangerous):
    (row,) = read_rows(render(finding(name=dangerous, context=dangerous, message=dangerous)))[1]
    assert row["name"] == row["context"] == row["message"] == "'" + dangerous


def test_formula_guard_reaches_every_text_column():
    text = render(finding(
        repository="=repo", path="=a.js", candidates=("@a", "b"), schema="+s", component="-c",
        via_wrapper=ViaWrapper("=f", "lib.js", 1),
    ))
    (row,) = read_rows(text)[1]
    assert row["repository"] == "'=repo" and row["path"] == "'=a.js"
    assert row["candidates"] == "'@a|b"
    assert row["schema"] == "'+s" and row["component"] == "'-c"
    assert row["via_wrapper"] == "'=f@lib.js:1"
    assert row["line"] == "12"


def test_harmless_text_is_unchanged():
    (row,) = read_rows(render(finding(name="a=b", message="counter -1 @home")))[1]
    assert row["name"] == "a=b"
    assert row["message"] == "counter -1 @home"


def test_quoting_line_breaks_and_unicode_round_trip():
    message = 'topic "größe", with comma\nand a second line,\ra third\r\nand a fourth'
    text = render(finding(message=message, name="counter.Größe.€"))
    (row,) = read_rows(text)[1]
    assert row["message"] == message
    assert row["name"] == "counter.Größe.€"
    assert text.count("\r\n") == 1  # only the one inside the message: rows end with \n


def test_no_findings_gives_the_header_only():
    assert render() == ",".join(f'"{column}"' for column in COLUMNS) + "\n"
