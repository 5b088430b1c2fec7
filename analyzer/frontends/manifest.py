"""extension.json / skin.json: EventLogging schema declarations, config defaults and config
keys that hold stream names, with exact locations (parsed with tree-sitter-json)."""

from __future__ import annotations

import json
import re

import tree_sitter as ts

from analyzer.facts import Arr, DeclarationFact, Expr, FileFacts, Lit, Obj, ParseProblem, Unknown
from analyzer.frontends.treesitter import SourceText, error_spans, parser

MANIFEST_NAMES = ("extension.json", "skin.json")
# Config keys whose values are stream names (EventLoggingStreamNames, …StreamName, …Streams).
STREAM_CONFIG_KEY = re.compile(r"Stream(Name)?s?$|StreamNames$")


class ManifestFrontend:
    language = "json"
    suffixes = MANIFEST_NAMES

    def claims(self, path: str) -> bool:
        return path.rsplit("/", 1)[-1] in MANIFEST_NAMES

    def lower(self, path: str, source: bytes) -> FileFacts:
        tree = parser("json").parse(source)
        src = SourceText(source)
        problems = []
        spans = error_spans(tree, src)
        if spans:
            problems.append(ParseProblem("parse-error", "invalid JSON; entries after the error may be missing", spans[0]))
        top = _top_object(tree.root_node)
        if top is None:
            if not problems:
                problems.append(ParseProblem("parse-error", "not a JSON object"))
            return FileFacts(path=path, language=self.language, problems=tuple(problems))
        reader = _Reader(src)
        declarations: list[DeclarationFact] = []
        config: list[tuple[str, Expr]] = []
        attributes = reader.member(top, "attributes")
        eventlogging = reader.member(attributes, "EventLogging") if attributes is not None else None
        schemas = reader.member(eventlogging, "Schemas") if eventlogging is not None else None
        declarations += self.schema_declarations(reader, schemas)
        # Manifest version 1 kept the same map at the top level.
        declarations += self.schema_declarations(reader, reader.member(top, "EventLoggingSchemas"))
        for key, pair, value in reader.pairs(reader.member(top, "config")):
            # Manifest v2 wraps each default as {"value": …, "description": …}.
            if value.type == "object" and reader.member(value, "value") is not None:
                value = reader.member(value, "value")
            expr = reader.expr(value)
            config.append((key, expr))
            if STREAM_CONFIG_KEY.search(key):
                for stream_node in _strings(value):
                    declarations.append(
                        DeclarationFact("stream-config-key", reader.string(stream_node), src.span(stream_node), None, key)
                    )
        return FileFacts(
            path=path,
            language=self.language,
            config=tuple(config),
            declarations=tuple(declarations),
            problems=tuple(problems),
        )

    def schema_declarations(self, reader: _Reader, schemas: ts.Node | None) -> list[DeclarationFact]:
        out = []
        for name, pair, value in reader.pairs(schemas):
            literal = reader.expr(value)
            text = str(literal.value) if isinstance(literal, Lit) and literal.value is not None else None
            out.append(DeclarationFact("eventlogging-schema", name, reader.src.span(pair), text))
        return out


def _top_object(root: ts.Node) -> ts.Node | None:
    for child in root.named_children:
        if child.type == "object":
            return child
    return None


def _strings(node: ts.Node) -> list[ts.Node]:
    if node.type == "string":
        return [node]
    if node.type == "array":
        return [c for c in node.named_children if c.type == "string"]
    return []


class _Reader:
    def __init__(self, src: SourceText):
        self.src = src

    def string(self, node: ts.Node) -> str:
        try:
            return json.loads(self.src.text(node))
        except ValueError:
            return self.src.text(node).strip('"')

    def pairs(self, obj: ts.Node | None):
        if obj is None or obj.type != "object":
            return
        for pair in obj.named_children:
            if pair.type != "pair":
                continue
            key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
            if key is not None and value is not None:
                yield self.string(key), pair, value

    def member(self, obj: ts.Node | None, name: str) -> ts.Node | None:
        for key, _, value in self.pairs(obj):
            if key == name:
                return value
        return None

    def expr(self, node: ts.Node, depth: int = 0) -> Expr:
        """A JSON value as an expression, so config defaults resolve like code constants."""
        if depth > 20:
            return Unknown("JSON nested too deeply")
        if node.type == "string":
            return Lit(self.string(node))
        if node.type == "number":
            text = self.src.text(node)
            try:
                return Lit(int(text))
            except ValueError:
                return Lit(float(text))
        if node.type in ("true", "false"):
            return Lit(node.type == "true")
        if node.type == "null":
            return Lit(None)
        if node.type == "array":
            return Arr(tuple(self.expr(c, depth + 1) for c in node.named_children if c.type != "comment"))
        if node.type == "object":
            return Obj(tuple((k, self.expr(v, depth + 1)) for k, _, v in self.pairs(node)))
        return Unknown("JSON value")
