"""Shared tree-sitter plumbing: grammars, parsers and queries loaded once per process, and
source positions converted to 1-based lines and code-point columns."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterator
from types import SimpleNamespace

import tree_sitter as ts

from analyzer.facts import MODULE_SCOPE, ParseProblem
from analyzer.model import Span
from analyzer.resources import rules_root

# grammar name → (module, function returning the language pointer)
GRAMMARS: dict[str, tuple[str, str]] = {
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "php": ("tree_sitter_php", "language_php"),
    "json": ("tree_sitter_json", "language"),
    "kotlin": ("tree_sitter_kotlin", "language"),
    "java": ("tree_sitter_java", "language"),
    "swift": ("tree_sitter_swift", "language"),
    "objc": ("tree_sitter_objc", "language"),
}


@functools.cache
def language(grammar: str) -> ts.Language:
    module_name, function_name = GRAMMARS[grammar]
    module = importlib.import_module(module_name)
    return ts.Language(getattr(module, function_name)())


@functools.cache
def parser(grammar: str) -> ts.Parser:
    return ts.Parser(language(grammar))


@functools.cache
def field_ids(grammar: str) -> SimpleNamespace:
    """The grammar's field ids, as attributes named after the fields. Nodes are asked for a field
    by id (`node.child_by_field_id(self.field.name)`): asked by name, tree-sitter compares the
    name with all the grammar's field names on every call (Java has 40), which costs more than
    finding the child."""
    grammar_language = language(grammar)
    return SimpleNamespace(**{
        grammar_language.field_name_for_id(field_id): field_id
        for field_id in range(1, grammar_language.field_count + 1)
    })


@functools.cache
def query(grammar: str, name: str, query_dir: str | None = None) -> ts.Query:
    """Compile rules/queries/<query_dir or grammar>/<name>.scm for `grammar`, once per process."""
    folder = query_dir or grammar
    text = rules_root().joinpath("queries", folder, f"{name}.scm").read_text()
    return ts.Query(language(grammar), text)


def captures_in_order(q: ts.Query, node: ts.Node) -> list[tuple[str, ts.Node]]:
    """All captures of `q` under `node`, outermost first, in document order."""
    found = [(name, n) for name, nodes in ts.QueryCursor(q).captures(node).items() for n in nodes]
    found.sort(key=lambda item: (item[1].start_byte, -item[1].end_byte))
    return found


#: the captures of the facts queries that open a scope
SCOPE_CAPTURES = frozenset({"function", "class"})


def number_scopes(captured: list[tuple[str, ts.Node]],
                  opening: frozenset[str] = SCOPE_CAPTURES) -> dict[tuple[int, int], int]:
    """Scope ids 1, 2, … (0 is the module) for the captures that open a scope, in document
    order, by the node's byte range."""
    ranges = [(node.start_byte, node.end_byte) for kind, node in captured if kind in opening]
    return {byte_range: number for number, byte_range in enumerate(ranges, start=1)}


def in_scopes(captured: list[tuple[str, ts.Node]], scope_ids: dict[tuple[int, int], int],
              opening: frozenset[str] = SCOPE_CAPTURES) -> Iterator[tuple[str, ts.Node, int]]:
    """The driver loop of the query-based frontends: each capture (outermost first) with the id
    of the innermost scope around it. A capture that opens a scope lies in the scope around it;
    what follows inside it lies in its own."""
    open_scopes: list[tuple[int, int]] = []  # (end_byte, scope id)
    for kind, node in captured:
        while open_scopes and open_scopes[-1][0] <= node.start_byte:
            open_scopes.pop()
        yield kind, node, open_scopes[-1][1] if open_scopes else MODULE_SCOPE
        if kind in opening:
            open_scopes.append((node.end_byte, scope_ids[(node.start_byte, node.end_byte)]))


class SourceText:
    """The bytes of a file, with positions converted the way findings report them."""

    def __init__(self, data: bytes):
        self.data = data
        self._ascii = data.isascii()
        self._line_starts: list[int] | None = None

    def text(self, node: ts.Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", errors="replace")

    def column(self, row: int, byte_column: int) -> int:
        """1-based column in code points for a 0-based row and byte offset within the row."""
        if self._ascii:
            return byte_column + 1
        start = self.line_start(row)
        return len(self.data[start : start + byte_column].decode("utf-8", errors="replace")) + 1

    def line_start(self, row: int) -> int:
        if self._line_starts is None:
            starts = [0]
            find = self.data.find
            pos = find(b"\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find(b"\n", pos + 1)
            self._line_starts = starts
        return self._line_starts[min(row, len(self._line_starts) - 1)]

    def span(self, start: ts.Node, end: ts.Node | None = None) -> Span:
        """The region from the start of `start` to the end of `end` (default: `start`)."""
        end = end or start
        (srow, scol), (erow, ecol) = start.start_point, end.end_point
        return Span(srow + 1, self.column(srow, scol), erow + 1, self.column(erow, ecol))

    def first_line(self, node: ts.Node, limit: int = 200) -> str:
        """The node's text up to the end of its first line, whitespace-trimmed, for snippets."""
        end = self.data.find(b"\n", node.start_byte, node.end_byte)
        end = node.end_byte if end == -1 else end
        text = self.data[node.start_byte : end].decode("utf-8", errors="replace").strip()
        return text if len(text) <= limit else text[: limit - 1] + "…"


def error_spans(tree: ts.Tree, source: SourceText, limit: int = 5) -> list[Span]:
    """Where the parser had to recover (ERROR or MISSING nodes), at most `limit` of them."""
    if not tree.root_node.has_error:
        return []
    spans: list[Span] = []
    cursor = tree.walk()
    while len(spans) < limit:
        node = cursor.node
        if node.is_error or node.is_missing:
            spans.append(source.span(node))
        elif node.has_error and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return spans
    return spans


def syntax_problems(tree: ts.Tree, source: SourceText) -> list[ParseProblem]:
    """A diagnostic for a file the parser had to recover in, at its first error."""
    spans = error_spans(tree, source)
    if not spans:
        return []
    count = f"{len(spans)}{'+' if len(spans) >= 5 else ''}"
    return [ParseProblem("parse-error", f"{count} syntax error(s); the rest of the file was still analysed", spans[0])]


def is_conditional(node: ts.Node, function_types: frozenset[str], branch_types: frozenset[str]) -> bool:
    """Whether `node` runs only sometimes within its function: it sits in a branch, a loop or
    a try block before the function (or the file) is reached."""
    parent = node.parent
    while parent is not None and parent.type not in function_types:
        if parent.type in branch_types:
            return True
        parent = parent.parent
    return False
