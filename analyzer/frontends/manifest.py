"""extension.json / skin.json: EventLogging schema declarations, config defaults and config
keys that hold stream names, with exact locations (parsed with tree-sitter-json)."""

from __future__ import annotations

import json
import posixpath
import re

import tree_sitter as ts

from analyzer.facts import (
    Arr,
    Config,
    DeclarationFact,
    Expr,
    FileFacts,
    Lit,
    Obj,
    ParseProblem,
    Require,
    Unknown,
)
from analyzer.frontends.treesitter import SourceText, error_spans, parser

# Config keys whose values are stream names (EventLoggingStreamNames, …StreamName, …Streams).
STREAM_CONFIG_KEY = re.compile(r"Stream(Name)?s?$|StreamNames$")


class ManifestFrontend:
    language = "json"

    def lower(self, path: str, source: bytes) -> FileFacts:
        tree = parser("json").parse(source)
        src = SourceText(source)
        problems = []
        spans = error_spans(tree, src)
        if spans:
            problems.append(ParseProblem("parse-error", "invalid JSON; entries after the error may be missing",
                                         spans[0]))
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
        for key, _, value in reader.pairs(reader.member(top, "config")):
            # Manifest v2 wraps each default as {"value": …, "description": …}.
            if value.type == "object" and reader.member(value, "value") is not None:
                value = reader.member(value, "value")
            expr = reader.expr(value)
            config.append((key, expr))
            if STREAM_CONFIG_KEY.search(key):
                for stream_node in _strings(value):
                    stream = reader.string(stream_node)
                    declarations.append(DeclarationFact("stream-config-key", stream, src.span(stream_node), None, key))
        return FileFacts(
            path=path,
            language=self.language,
            config=tuple(config),
            declarations=tuple(declarations),
            problems=tuple(problems),
            virtual_modules=tuple(resource_modules(reader, top, posixpath.dirname(path))),
        )

    def schema_declarations(self, reader: _Reader, schemas: ts.Node | None) -> list[DeclarationFact]:
        out = []
        for name, pair, value in reader.pairs(schemas):
            literal = reader.expr(value)
            text = str(literal.value) if isinstance(literal, Lit) and literal.value is not None else None
            out.append(DeclarationFact("eventlogging-schema", name, reader.src.span(pair), text))
        return out


def resource_modules(reader: _Reader, top: ts.Node, manifest_dir: str) -> list[tuple[str, Expr]]:
    """Modules that ResourceLoader builds at run time: packageFiles JSON made from config keys
    (`{"name": "config.json", "config": [ "Key" ]}`), literal `content`, and each module's name
    standing for its main file, so `require( 'ext.foo' )` and `require( './config.json' )` resolve."""
    defaults = reader.member(top, "ResourceFileModulePaths")
    default_base = _string_member(reader, defaults, "localBasePath") or ""
    out: list[tuple[str, Expr]] = []
    for module_name, _, module in reader.pairs(reader.member(top, "ResourceModules")):
        base = _string_member(reader, module, "localBasePath")
        base = posixpath.normpath(posixpath.join(manifest_dir, base if base is not None else default_base))
        files = reader.member(module, "packageFiles")
        if files is None or files.type != "array":
            continue
        main = None
        for entry in files.named_children:
            name, value, is_main = _package_file(reader, entry)
            if name is None:
                continue
            file_path = posixpath.normpath(posixpath.join(base, name)).removeprefix("./")
            if value is not None:
                out.append((file_path, value))
            if main is None or is_main:
                main = file_path
        if main is not None:
            out.append((module_name, Require(main, "")))
    return out


def _package_file(reader: _Reader, entry: ts.Node) -> tuple[str | None, Expr | None, bool]:
    """(name, generated value or None for a real file, is it the main file) of one entry."""
    if entry.type == "string":
        return reader.string(entry), None, False
    if entry.type != "object":
        return None, None, False
    name = _string_member(reader, entry, "name") or _string_member(reader, entry, "file")
    is_main = reader.member(entry, "main") is not None and reader.member(entry, "main").type == "true"
    config = reader.member(entry, "config")
    if config is not None and config.type == "array":
        keys = [reader.string(k) for k in config.named_children if k.type == "string"]
        return name, Obj(tuple((k, Config(k)) for k in keys)), is_main
    if config is not None and config.type == "object":
        aliases = [(alias, Config(reader.string(v))) for alias, _, v in reader.pairs(config) if v.type == "string"]
        return name, Obj(tuple(aliases)), is_main
    content = reader.member(entry, "content")
    if content is not None:
        return name, reader.expr(content), is_main
    callback = reader.member(entry, "callback") or reader.member(entry, "versionCallback")
    if callback is not None and not (name or "").endswith((".js", ".vue")):
        # Scripts behind a callback are real files in the repository; data behind one is not.
        described = reader.string(callback) if callback.type == "string" else compact_json(reader.src.text(callback))
        return name, Unknown(f"computed at run time by ResourceLoader callback {described}"), is_main
    return name, None, is_main


def compact_json(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _string_member(reader: _Reader, obj: ts.Node | None, key: str) -> str | None:
    value = reader.member(obj, key) if obj is not None else None
    return reader.string(value) if value is not None and value.type == "string" else None


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
