"""Privacy hints: which sensitive data a stream's events can carry (client IP, user identity,
user agent, session tokens, geolocation, free text), read from the schema the stream declares,
following `$ref`ed fragments through the schema repositories, and from the stream's config.

The categories are data (rules/privacy.yaml); this module only walks schemas and settings.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from analyzer.model import PrivacyEvidence as Evidence
from analyzer.registry.schemas import SchemaIndex, parse_schema_uri
from analyzer.resources import remembered

MAX_SCHEMA_NODES = 50_000
MAX_REF_DEPTH = 16
_FREE_FORM_EXCLUDING = ("enum", "const", "format", "pattern", "maxLength")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@dataclass(frozen=True, slots=True)
class PrivacyCategory:
    key: str
    title: str
    fields: tuple[re.Pattern, ...] = ()
    paths: tuple[re.Pattern, ...] = ()
    fragments: frozenset[str] = frozenset()
    provide_values: frozenset[str] = frozenset()
    stream_settings: tuple[tuple[str, ...], ...] = ()
    free_form_only: bool = False

    def matches_property(self, name: str, path: str, schema: Mapping) -> bool:
        if self.free_form_only and not _free_form_string(schema):
            return False
        return any(p.fullmatch(name) for p in self.fields) or any(p.fullmatch(path) for p in self.paths)


@dataclass(frozen=True, slots=True)
class PrivacyRules:
    categories: tuple[PrivacyCategory, ...]
    ignore_types: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class PrivacyHints:
    schema: str | None  # the schema document the fields were read from ($id), if any
    evidence: tuple[Evidence, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(sorted({e.category for e in self.evidence}))


def load_privacy_rules_from(data: object) -> PrivacyRules:
    from analyzer.ruleset import validate  # only when the rules are built, not when remembered

    validate(data, "privacy.schema.json", "privacy.yaml")
    categories = tuple(
        PrivacyCategory(
            key=key,
            title=entry["title"],
            fields=tuple(re.compile(p) for p in entry.get("fields", ())),
            paths=tuple(re.compile(p) for p in entry.get("paths", ())),
            fragments=frozenset(entry.get("fragments", ())),
            provide_values=frozenset(entry.get("provide_values", ())),
            stream_settings=tuple(tuple(keys) for keys in entry.get("stream_settings", ())),
            free_form_only=entry.get("free_form_only", False),
        )
        for key, entry in data["categories"].items()
    )
    return PrivacyRules(categories, frozenset(data.get("ignore_types", ())))


@functools.cache
def load_privacy_rules() -> PrivacyRules:
    """The privacy categories shipped with instrumap (rules/privacy.yaml), built once per
    version of the code and rules."""
    return remembered("privacy", _read_privacy_rules, PrivacyRules)


def _read_privacy_rules() -> PrivacyRules:
    from analyzer.ruleset import load_yaml, rules_dir

    return load_privacy_rules_from(load_yaml(rules_dir().joinpath("privacy.yaml")))


def privacy_hints(rules: PrivacyRules, schemas: SchemaIndex, schema_uri: str | None,
                  stream_settings: Mapping[str, object] | None) -> PrivacyHints:
    """The sensitive data events of a schema (and a stream's effective settings) carry."""
    evidence: set[Evidence] = set()
    notes: list[str] = []
    schema_id = None
    if schema_uri and schemas:
        walker = _SchemaWalker(rules, schemas)
        schema_id = walker.walk_schema(schema_uri)
        evidence |= walker.evidence
        notes += walker.notes
    if stream_settings:
        evidence |= _settings_evidence(rules, stream_settings)
    return PrivacyHints(schema_id, tuple(sorted(evidence)), tuple(notes))


def _settings_evidence(rules: PrivacyRules, settings: Mapping[str, object]) -> set[Evidence]:
    found = set()
    client = _get(settings, ("producers", "metrics_platform_client", "provide_values"))
    provided = {v for v in client if isinstance(v, str)} if isinstance(client, list) else set()
    for category in rules.categories:
        for value in sorted(provided & category.provide_values):
            found.add(Evidence(category.key, "provide-values", value))
        for keys in category.stream_settings:
            if _get(settings, keys):  # e.g. 'user-agent': the header to copy; false: disabled
                found.add(Evidence(category.key, "stream-config", ".".join(keys)))
    return found


def _get(settings: Mapping[str, object], keys: tuple[str, ...]) -> object:
    value: object = settings
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


class _SchemaWalker:
    """Walks a schema document and the fragments it `$ref`s (bounded), collecting evidence."""

    def __init__(self, rules: PrivacyRules, schemas: SchemaIndex):
        self.rules = rules
        self.schemas = schemas
        self.evidence: set[Evidence] = set()
        self.notes: list[str] = []
        self.visited: set = set()
        self.nodes = 0

    def walk_schema(self, uri: str) -> str | None:
        """Walk the schema a `$schema` URI names; its `$id` as read (None if not found)."""
        title, _ = parse_schema_uri(uri)
        document, schema_id = self.load(uri, f"schema {title}")
        if document is None:
            return None
        self.walk(document)
        return schema_id

    def load(self, uri: str, what: str) -> tuple[object, str | None]:
        entry, version, path = self.schemas.file_for(uri)
        if entry is None:
            self.notes.append(f"{what} is not in the schema repositories")
            return None, None
        if path is None and entry.latest is not None:
            self.notes.append(f"{what}: version {version or '(none)'} is not in the schema repositories; "
                              f"read {entry.latest} instead")
            version, path = entry.latest, entry.files[entry.latest]
        if path is None or path in self.visited:
            return None, None
        self.visited.add(path)
        return self.schemas.document(path), entry.schema_id(version)

    def walk(self, document: object, prefix: str = "", depth: int = 0) -> None:
        stack = [(document, prefix, depth)]
        while stack:
            node, prefix, depth = stack.pop()
            if not isinstance(node, Mapping):
                continue
            self.nodes += 1
            if self.nodes > MAX_SCHEMA_NODES:
                self.notes.append(f"schema too large: stopped after {MAX_SCHEMA_NODES} nodes")
                return
            reference = node.get("$ref")
            if isinstance(reference, str) and not reference.startswith("#"):
                stack.extend(self.follow(reference, prefix, depth))
            properties = node.get("properties")
            if isinstance(properties, Mapping):
                for name, schema in properties.items():
                    path = prefix + _snake(str(name))
                    self.match_property(_snake(str(name)), path, schema)
                    stack.append((schema, path + ".", depth))
            for combinator in ("allOf", "anyOf", "oneOf"):
                branches = node.get(combinator)
                if isinstance(branches, list):
                    stack.extend((branch, prefix, depth) for branch in branches)
            if isinstance(node.get("items"), Mapping):
                stack.append((node["items"], (prefix[:-1] if prefix else "") + "[].", depth))
            if isinstance(node.get("additionalProperties"), Mapping):
                stack.append((node["additionalProperties"], prefix + "*.", depth))

    def follow(self, reference: str, prefix: str, depth: int) -> list[tuple[object, str, int]]:
        """A `$ref` to another schema (a fragment): its evidence, and its document to walk."""
        title, _ = parse_schema_uri(reference)
        for category in self.rules.categories:
            if title in category.fragments:
                self.evidence.add(Evidence(category.key, "fragment", reference.split("#", 1)[0]))
        if depth >= MAX_REF_DEPTH:
            self.notes.append(f"$ref {reference}: references nested deeper than {MAX_REF_DEPTH}; not followed")
            return []
        document, _ = self.load(reference, f"$ref {reference}")
        return [] if document is None else [(document, prefix, depth + 1)]

    def match_property(self, name: str, path: str, schema: object) -> None:
        if not isinstance(schema, Mapping) or (_types(schema) and _types(schema) <= self.rules.ignore_types):
            return
        for category in self.rules.categories:
            if category.matches_property(name, path, schema):
                self.evidence.add(Evidence(category.key, "field", path))


def _snake(name: str) -> str:
    """pageViewId → page_view_id, user-agent → user_agent: how category regexes see names."""
    return _CAMEL_BOUNDARY.sub("_", name).replace("-", "_").lower()


def _types(schema: Mapping) -> frozenset[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return frozenset({declared})
    if isinstance(declared, list):
        return frozenset(t for t in declared if isinstance(t, str))
    return frozenset()


def _free_form_string(schema: Mapping) -> bool:
    return "string" in _types(schema) and not any(key in schema for key in _FREE_FORM_EXCLUDING)
