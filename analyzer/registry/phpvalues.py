"""Static evaluation of PHP array literals (config files that `return [ … ]`), read with
tree-sitter-php and never executed.

Only literal data is evaluated: strings, numbers, booleans, null, nested arrays and `.`
concatenations of those. Anything else (constants, variables, calls, heredocs) becomes an
`Unknown` that keeps its source text, so a reader can report it instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the parser is imported when a PHP file is read, not with the values it gave
    import tree_sitter as ts


MAX_DEPTH = 64

_DOUBLE_QUOTED_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "v": "\v", "e": "\x1b", "f": "\f",
                          "\\": "\\", "$": "$", '"': '"'}
_DOUBLE_QUOTED_ESCAPE = re.compile(r"\\(u\{[0-9A-Fa-f]+\}|x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|.)", re.DOTALL)
_SINGLE_QUOTED_ESCAPE = re.compile(r"\\([\\'])")


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value that is not literal data (a constant, a variable, a call …)."""

    text: str


@dataclass(frozen=True, slots=True)
class Element:
    """One `key => value` (or bare `value`) of an array literal, with its nodes for locations."""

    key: str | int | Unknown
    value: ts.Node
    node: ts.Node


class PhpSource:
    """A parsed PHP file and the evaluation of the array literals in it."""

    def __init__(self, data: bytes):
        from analyzer.frontends.treesitter import SourceText, parser

        self.tree = parser("php").parse(data)
        self.text = SourceText(data)

    def line(self, node: ts.Node) -> int:
        return node.start_point[0] + 1

    def config_entries(self, names: frozenset[str]) -> Iterator[tuple[str, Element]]:
        """Every `'name' => value` array element and `$name = value` assignment for the names,
        anywhere in the file, in document order."""
        cursor = self.tree.walk()
        while True:
            node = cursor.node
            found = self._named_entry(node, names)
            if found is not None:
                yield found
            elif cursor.goto_first_child():
                continue
            while not cursor.goto_next_sibling():
                if not cursor.goto_parent():
                    return

    def _named_entry(self, node: ts.Node, names: frozenset[str]) -> tuple[str, Element] | None:
        if node.type == "array_element_initializer":
            element = self.element(node, 0)
            if isinstance(element.key, str) and element.key in names:
                return element.key, element
        elif node.type == "assignment_expression":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is not None and right is not None and left.type == "variable_name":
                name = self.text.text(left).lstrip("$")
                if name in names:
                    return name, Element(name, right, node)
        return None

    def elements(self, array: ts.Node) -> list[Element]:
        """The elements of an array literal; bare values get PHP's next integer key."""
        elements = []
        next_index = 0
        for child in array.named_children:
            if child.type != "array_element_initializer":
                continue
            element = self.element(child, next_index)
            if isinstance(element.key, int):
                next_index = max(next_index, element.key + 1)
            elements.append(element)
        return elements

    def element(self, node: ts.Node, next_index: int) -> Element:
        parts = [c for c in node.named_children if c.type != "comment"]
        has_key = any(c.type == "=>" for c in node.children)
        if has_key and len(parts) >= 2:
            key = self.evaluate(parts[0])
            if isinstance(key, bool) or not isinstance(key, (str, int, Unknown)):
                key = Unknown(self.text.text(parts[0]))
            return Element(key, parts[-1], node)
        return Element(next_index, parts[-1] if parts else node, node)

    def evaluate(self, node: ts.Node, depth: int = 0) -> object:
        """The value of a literal expression: str, int, float, bool, None, dict (any explicit
        key) or list (only bare values), with Unknown for whatever is not literal data."""
        if depth > MAX_DEPTH:
            return Unknown("(nested too deeply)")
        kind = node.type
        if kind == "array_creation_expression":
            return self._array(node, depth)
        if kind == "string":
            return self._single_quoted(node)
        if kind == "encapsed_string":
            return self._double_quoted(node)
        if kind == "integer":
            number = _integer(self.text.text(node))
            return Unknown(self.text.text(node)) if number is None else number
        if kind == "float":
            return float(self.text.text(node).replace("_", ""))
        if kind == "boolean":
            return self.text.text(node).lower() == "true"
        if kind == "null":
            return None
        if kind == "parenthesized_expression" and node.named_child_count == 1:
            return self.evaluate(node.named_children[0], depth + 1)
        if kind == "unary_op_expression":
            return self._signed(node, depth)
        if kind == "binary_expression":
            return self._concatenation(node, depth)
        return Unknown(self.text.text(node))

    def _array(self, node: ts.Node, depth: int) -> dict | list:
        elements = self.elements(node)
        values = [(e.key, self.evaluate(e.value, depth + 1)) for e in elements]
        if all(isinstance(key, int) for key, _ in values) and [k for k, _ in values] == list(range(len(values))):
            return [value for _, value in values]
        result: dict = {}
        for key, value in values:
            result[key] = value  # later keys win, as in PHP
        return result

    def _single_quoted(self, node: ts.Node) -> str | Unknown:
        raw = self.text.text(node)
        if not raw.endswith("'") or "'" not in raw[:2]:
            return Unknown(raw)
        body = raw[raw.index("'") + 1 : -1]
        return _SINGLE_QUOTED_ESCAPE.sub(r"\1", body)

    def _double_quoted(self, node: ts.Node) -> str | Unknown:
        if any(c.type not in ("string_content", "escape_sequence") for c in node.named_children):
            return Unknown(self.text.text(node))  # interpolates a variable or an expression
        raw = self.text.text(node)
        body = raw[raw.index('"') + 1 : -1]
        return _DOUBLE_QUOTED_ESCAPE.sub(_double_quoted_escape, body)

    def _signed(self, node: ts.Node, depth: int) -> object:
        operator = node.child_by_field_name("operator")
        argument = node.child_by_field_name("argument")
        value = self.evaluate(argument, depth + 1) if argument is not None else None
        sign = self.text.text(operator) if operator is not None else ""
        if sign in ("-", "+") and isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value if sign == "-" else value
        return Unknown(self.text.text(node))

    def _concatenation(self, node: ts.Node, depth: int) -> str | Unknown:
        operator = node.child_by_field_name("operator")
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if operator is None or self.text.text(operator) != "." or left is None or right is None:
            return Unknown(self.text.text(node))
        parts = [self.evaluate(left, depth + 1), self.evaluate(right, depth + 1)]
        if all(isinstance(p, (str, int)) and not isinstance(p, bool) for p in parts):
            return "".join(str(p) for p in parts)
        return Unknown(self.text.text(node))


def _integer(text: str) -> int | None:
    digits = text.replace("_", "").lower()
    try:
        if re.fullmatch(r"0[0-7]+", digits):
            return int(digits, 8)  # PHP's legacy octal literal
        return int(digits, 0)
    except ValueError:
        return None


def _double_quoted_escape(match: re.Match) -> str:
    code = match.group(1)
    if code.startswith("u{"):
        return chr(int(code[2:-1], 16))
    if code[0] == "x" and len(code) > 1:
        return chr(int(code[1:], 16))
    if code[0] in "01234567":
        return chr(int(code, 8) & 0xFF)
    return _DOUBLE_QUOTED_ESCAPES.get(code, match.group(0))


def unknowns(value: object) -> list[Unknown]:
    """Every Unknown inside an evaluated value."""
    if isinstance(value, Unknown):
        return [value]
    if isinstance(value, dict):
        return [u for v in value.values() for u in unknowns(v)] + [k for k in value if isinstance(k, Unknown)]
    if isinstance(value, list):
        return [u for v in value for u in unknowns(v)]
    return []
