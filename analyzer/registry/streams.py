"""Stream configuration: which streams exist (`wgEventStreams`), their settings and where they
are declared, and which are shipped to the browser (`wgEventLoggingStreamNames`).

Read statically from a mediawiki-config checkout (wmf-config/ext-EventStreamConfig.php and
ext-EventLogging.php, or InitialiseSettings.php before 2023), from any PHP file that sets these
variables, or from the JSON that the `action=streamconfigs` API returns, saved to a file.
Semantics follow the EventStreamConfig extension: an entry is keyed by its stream name or by a
regex ('/^mediawiki\\.job\\..+/') matched with preg_match, or (older list style) carries a
'stream' setting; default settings fill in the top-level settings an entry does not set.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from analyzer.cache import Cache, content_key
from analyzer.model import Diagnostic, Span
from analyzer.registry.base import Location, RegistryPathError, SourceFile, source_file
from analyzer.registry.phpvalues import Element, PhpSource, Unknown, unknowns

if TYPE_CHECKING:  # a stream configuration read before comes from the cache, without a parser
    import tree_sitter as ts

    from analyzer.frontends.treesitter import SourceText

STREAMS = "wgEventStreams"
DEFAULT_SETTINGS = "wgEventStreamsDefaultSettings"
CLIENT_STREAMS = "wgEventLoggingStreamNames"
CONFIG_NAMES = frozenset({STREAMS, DEFAULT_SETTINGS, CLIENT_STREAMS})
DEFAULT_WIKI = "default"

# In a mediawiki-config checkout: where the variables live now, and where they lived before 2023.
CHECKOUT_FILES = ("wmf-config/ext-EventStreamConfig.php", "wmf-config/ext-EventLogging.php")
OLDER_CHECKOUT_FILE = "wmf-config/InitialiseSettings.php"

_PHP_REGEX_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE, "u": 0, "D": 0, "U": 0}


@dataclass(frozen=True, slots=True)
class Sample:
    rate: float | None
    unit: str | None


@dataclass(frozen=True, slots=True)
class MetricsPlatformClient:
    """`producers.metrics_platform_client`: what the client adds to events, and routing."""

    provide_values: tuple[str, ...] = ()
    stream_name: str | None = None
    events: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class StreamDeclaration:
    """A `wgEventStreams` entry: its stream name (or regex), settings and where it is declared.

    `settings` is the entry under 'default' (or, for a stream only some wikis declare, the first
    entry); `wiki_settings` are the other entries, e.g. ('+testwiki', {'sample': {'rate': 1}}),
    which mediawiki-config merges into the default entry on those wikis.
    """

    name: str
    settings: Mapping[str, object]
    locations: tuple[Location, ...]
    wiki_settings: tuple[tuple[str, Mapping[str, object]], ...] = ()

    @property
    def is_regex(self) -> bool:
        return self.name.startswith("/")

    @property
    def wikis(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(loc.wiki for loc in self.locations if loc.wiki))

    @property
    def schema_title(self) -> str | None:
        for settings in (self.settings, *(s for _, s in self.wiki_settings)):
            title = settings.get("schema_title")
            if isinstance(title, str):
                return title
        return None

    @property
    def destination_event_service(self) -> str | None:
        return _text(self.settings.get("destination_event_service"))

    @property
    def canary_events_enabled(self) -> bool | None:
        value = self.settings.get("canary_events_enabled")
        return value if isinstance(value, bool) else None

    @property
    def sample(self) -> Sample | None:
        sample = self.settings.get("sample")
        if not isinstance(sample, Mapping):
            return None
        rate = sample.get("rate")
        return Sample(rate if isinstance(rate, (int, float)) and not isinstance(rate, bool) else None,
                      _text(sample.get("unit")))

    @property
    def producers(self) -> Mapping[str, object]:
        producers = self.settings.get("producers")
        return producers if isinstance(producers, Mapping) else {}

    @property
    def consumers(self) -> Mapping[str, object]:
        consumers = self.settings.get("consumers")
        return consumers if isinstance(consumers, Mapping) else {}

    @property
    def metrics_platform_client(self) -> MetricsPlatformClient | None:
        client = self.producers.get("metrics_platform_client")
        if not isinstance(client, Mapping):
            return None
        return MetricsPlatformClient(
            provide_values=_texts(client.get("provide_values")),
            stream_name=_text(client.get("stream_name")),
            events=_texts(client.get("events")),
        )

    def settings_for(self, wiki: str) -> dict:
        """The entry's settings on one wiki: the per-wiki entries for it merged in."""
        merged: dict = dict(self.settings)
        for key, settings in self.wiki_settings:
            if key.lstrip("+") == wiki:
                merged = _merge(merged, settings)
        return merged

    def matches(self, stream: str) -> bool:
        if not self.is_regex:
            return self.name == stream
        pattern = php_regex(self.name)
        return pattern is not None and pattern.search(stream) is not None


@dataclass(frozen=True, eq=False)
class StreamConfig:
    streams: Mapping[str, StreamDeclaration]  # by declared name or regex, in declaration order
    default_settings: Mapping[str, object]
    client_streams: Mapping[str, tuple[Location, ...]] | None  # None: no source lists them
    sources: tuple[str, ...]
    roots: Mapping[str, str] = field(default_factory=dict)  # source name → its absolute directory

    def lookup(self, stream: str) -> StreamDeclaration | None:
        """The declaration that applies to a stream: its exact entry, else the first regex
        entry that matches it (as EventStreamConfig does)."""
        exact = self.streams.get(stream)
        if exact is not None:
            return exact
        return next((d for d in self.streams.values() if d.is_regex and d.matches(stream)), None)

    def effective_settings(self, declaration: StreamDeclaration, wiki: str = DEFAULT_WIKI) -> dict:
        """Settings as the extension serves them: default settings fill in the top-level
        settings the entry does not set (PHP `$settings + $defaultSettings`)."""
        return {**self.default_settings, **declaration.settings_for(wiki)}

    def client_registered(self, stream: str) -> bool | None:
        """Whether wgEventLoggingStreamNames lists the stream (None: no list was read)."""
        if self.client_streams is None:
            return None
        return stream in self.client_streams

    def routes_event(self, event_name: str) -> list[StreamDeclaration]:
        """Streams whose `producers.metrics_platform_client.events` prefixes take the event
        (the historic Metrics Platform `dispatch( eventName )` routing)."""
        routed = []
        for declaration in self.streams.values():
            client = declaration.metrics_platform_client
            if client and any(event_name.startswith(prefix) for prefix in client.events):
                routed.append(declaration)
        return routed

    def exact_names(self) -> list[str]:
        return [name for name, d in self.streams.items() if not d.is_regex]


@functools.lru_cache(maxsize=256)
def php_regex(pattern: str) -> re.Pattern | None:
    """A PHP (PCRE) regex literal '/…/flags' as a Python pattern; None if it is not one."""
    if len(pattern) < 2 or pattern[0].isalnum() or pattern[0] == "\\":
        return None
    delimiter = {"(": ")", "{": "}", "[": "]", "<": ">"}.get(pattern[0], pattern[0])
    end = pattern.rfind(delimiter)
    if end <= 0:
        return None
    flags = 0
    for flag in pattern[end + 1 :]:
        if flag not in _PHP_REGEX_FLAGS:
            return None
        flags |= _PHP_REGEX_FLAGS[flag]
    try:
        return re.compile(pattern[1:end], flags)
    except re.error:
        return None


def read_stream_config(paths: Sequence[Path], cache: Cache | None = None
                       ) -> tuple[StreamConfig | None, list[Diagnostic]]:
    """Read every given stream config source (checkout, PHP file or API JSON) into one; from
    `cache` when the same files held the same bytes before."""
    if not paths:
        return None, []
    files = [entry for path in paths for entry in stream_config_files(path)]
    key = _sources_key(files) if cache is not None and cache.enabled else None
    cached = cache.get("streams", key) if key else None
    if isinstance(cached, tuple) and len(cached) == 2:
        return cached
    builder = _Builder()
    for source, kind in files:
        builder.sources.append(f"{source.repository}/{source.path}")
        builder.roots[source.repository] = source.absolute.as_posix().removesuffix("/" + source.path)
        if kind == "json":
            _read_json(source, builder)
        else:
            _read_php(source, builder)
    result = builder.build(), builder.diagnostics
    if key:
        cache.put("streams", key, result)
    return result


def _sources_key(files: list[tuple[SourceFile, str]]) -> str | None:
    """The files' names, kinds and bytes, as one key (None if one cannot be read)."""
    parts = []
    for source, kind in files:
        try:
            data = source.absolute.read_bytes()
        except OSError:
            return None
        parts.append(f"{source.repository}\0{source.path}\0{source.absolute}\0{kind}\0".encode() + data)
    return content_key("streams", b"\0\0".join(parts))


def stream_config_files(path: Path) -> list[tuple[SourceFile, str]]:
    """The files to read for a `--stream-config` path, with their kind ('php' or 'json')."""
    if not path.exists():
        raise RegistryPathError(f"stream config path does not exist: {path}")
    if path.is_dir():
        return _checkout_files(path)
    kind = _file_kind(path)
    parent = path.absolute().parent
    root = parent.parent if parent.name == "wmf-config" else parent
    return [(source_file(path, root), kind)]


def _checkout_files(root: Path) -> list[tuple[SourceFile, str]]:
    files = [root / name for name in CHECKOUT_FILES if (root / name).is_file()]
    older = root / OLDER_CHECKOUT_FILE
    if older.is_file() and any(f"'{name}'".encode() in older.read_bytes() for name in (STREAMS, CLIENT_STREAMS)):
        files.append(older)
    if not files:
        raise RegistryPathError(
            f"{root} is not a mediawiki-config checkout: it has none of {', '.join(CHECKOUT_FILES)} "
            f"and no {OLDER_CHECKOUT_FILE} that sets {STREAMS}"
        )
    return [(source_file(f, root), "php") for f in files]


def _file_kind(path: Path) -> str:
    if path.suffix == ".json":
        return "json"
    if path.suffix == ".php":
        return "php"
    head = path.read_bytes()[:64].lstrip()
    if head.startswith(b"{"):
        return "json"
    if head.startswith(b"<?php"):
        return "php"
    raise RegistryPathError(f"{path} is neither a PHP stream config file nor streamconfigs API JSON")


@dataclass(frozen=True, slots=True)
class _Entry:
    wiki: str
    settings: Mapping[str, object]
    location: Location


class _Builder:
    """Collects entries from every source file, then builds one StreamConfig."""

    def __init__(self):
        self.entries: dict[str, list[_Entry]] = {}
        self.default_settings: dict = {}
        self.client_streams: dict[str, list[Location]] | None = None
        self.sources: list[str] = []
        self.roots: dict[str, str] = {}
        self.diagnostics: list[Diagnostic] = []

    def add_stream(self, name: str, wiki: str, settings: Mapping[str, object], location: Location) -> None:
        self.entries.setdefault(name, []).append(_Entry(wiki, settings, location))

    def add_client_stream(self, name: str, location: Location) -> None:
        self.read_client_list()
        self.client_streams.setdefault(name, []).append(location)

    def read_client_list(self) -> None:
        """A client list was found (even an empty one): registration can be checked."""
        if self.client_streams is None:
            self.client_streams = {}

    def build(self) -> StreamConfig:
        streams = {}
        for name, entries in self.entries.items():
            base = next((e for e in entries if e.wiki == DEFAULT_WIKI), entries[0])
            declaration = StreamDeclaration(
                name=name,
                settings=base.settings,
                locations=tuple(e.location for e in entries),
                wiki_settings=tuple((e.wiki, e.settings) for e in entries if e is not base),
            )
            self._check(declaration, base.location)
            streams[name] = declaration
        clients = None
        if self.client_streams is not None:
            clients = {name: tuple(locations) for name, locations in self.client_streams.items()}
        return StreamConfig(streams, self.default_settings, clients, tuple(self.sources), dict(self.roots))

    def _check(self, declaration: StreamDeclaration, where: Location) -> None:
        def report(code: str, message: str) -> None:
            self.diagnostics.append(Diagnostic(where.repository, where.path, code, message, "warning",
                                               _line_span(where.line)))

        if declaration.schema_title is None:
            report("stream-without-schema-title",
                   f"stream entry '{declaration.name}' has no schema_title: EventGate cannot validate its events, "
                   "and the schema sent to it cannot be checked")
        if declaration.is_regex and php_regex(declaration.name) is None:
            report("invalid-stream-regex",
                   f"stream entry '{declaration.name}' looks like a regex but is not a valid one")


def _read_php(source: SourceFile, builder: _Builder) -> None:
    try:
        php = PhpSource(source.absolute.read_bytes())
    except OSError as error:
        message = f"cannot read stream config: {error.strerror or error}"
        builder.diagnostics.append(source.diagnostic("read-error", message, "error"))
        return
    from analyzer.frontends.treesitter import error_spans

    spans = error_spans(php.tree, php.text, limit=1)
    if spans:
        builder.diagnostics.append(source.diagnostic(
            "registry-parse-error", "PHP syntax error; entries near it may be missing", "error", spans[0]))
    reader = _PhpReader(php, source, builder)
    found = False
    for name, element in php.config_entries(CONFIG_NAMES):
        found = True
        # `'wgX' => [ 'default' => …, '+wiki' => … ]` is keyed by wiki; `$wgX = …` is not.
        by_wiki = element.node.type != "assignment_expression"
        if name == STREAMS:
            reader.streams(element, by_wiki)
        elif name == DEFAULT_SETTINGS:
            reader.default_settings(element, by_wiki)
        else:
            reader.client_streams(element, by_wiki)
    if not found:
        builder.diagnostics.append(source.diagnostic(
            "no-stream-config", f"sets none of {', '.join(sorted(CONFIG_NAMES))}"))


class _PhpReader:
    def __init__(self, php: PhpSource, source: SourceFile, builder: _Builder):
        self.php = php
        self.source = source
        self.builder = builder

    def report(self, node: ts.Node, code: str, message: str, severity: str = "warning") -> None:
        self.builder.diagnostics.append(self.source.diagnostic(code, message, severity, self.php.text.span(node)))

    def by_wiki(self, element: Element, keyed: bool) -> list[tuple[str, ts.Node]]:
        """The arrays of a setting per wiki key (just 'default' when it is not keyed by wiki)."""
        if element.value.type != "array_creation_expression":
            self.report(element.value, "registry-unknown-value",
                        f"{element.key} is not an array literal: {self.php.text.first_line(element.value)}")
            return []
        if not keyed:
            return [(DEFAULT_WIKI, element.value)]
        arrays = []
        for wiki in self.php.elements(element.value):
            if not isinstance(wiki.key, str) or wiki.value.type != "array_creation_expression":
                self.report(wiki.node, "registry-unknown-value",
                            f"{element.key}: entry is not a wiki key with an array: "
                            f"{self.php.text.first_line(wiki.node)}")
                continue
            arrays.append((wiki.key, wiki.value))
        return arrays

    def streams(self, element: Element, keyed: bool) -> None:
        for wiki, array in self.by_wiki(element, keyed):
            for entry in self.php.elements(array):
                self.stream_entry(entry, wiki)

    def stream_entry(self, entry: Element, wiki: str) -> None:
        settings = self.php.evaluate(entry.value)
        if settings == []:
            settings = {}
        if not isinstance(settings, dict):
            self.report(entry.node, "registry-unknown-value",
                        f"stream entry is not an array literal: {self.php.text.first_line(entry.node)}")
            return
        if isinstance(entry.key, Unknown):
            self.report(entry.node, "registry-unknown-value", f"stream name is not a literal: {entry.key.text}")
            return
        # Older list-style entries are not keyed by name but carry it in 'stream'.
        name = entry.key if isinstance(entry.key, str) else settings.get("stream")
        if not isinstance(name, str):
            self.report(entry.node, "stream-entry-without-name",
                        f"stream entry under '{wiki}' has neither a name key nor a 'stream' setting")
            return
        for unknown in unknowns(settings):
            self.report(entry.node, "registry-unknown-value",
                        f"stream '{name}': a setting is not literal data and is recorded as unknown: {unknown.text}",
                        "note")
        self.builder.add_stream(name, wiki, settings, self.source.location(self.php.line(entry.node), wiki))

    def default_settings(self, element: Element, keyed: bool) -> None:
        for wiki, array in self.by_wiki(element, keyed):
            if wiki == DEFAULT_WIKI:
                settings = self.php.evaluate(array)
                if isinstance(settings, dict):
                    self.builder.default_settings.update(settings)

    def client_streams(self, element: Element, keyed: bool) -> None:
        self.builder.read_client_list()
        for wiki, array in self.by_wiki(element, keyed):
            for entry in self.php.elements(array):
                name = self.php.evaluate(entry.value)
                if isinstance(name, str):
                    self.builder.add_client_stream(name, self.source.location(self.php.line(entry.node), wiki))
                else:
                    self.report(entry.node, "registry-unknown-value",
                                f"{CLIENT_STREAMS}: not a literal stream name: {self.php.text.first_line(entry.node)}")


def _read_json(source: SourceFile, builder: _Builder) -> None:
    try:
        data = source.absolute.read_bytes()
    except OSError as error:
        message = f"cannot read stream config: {error.strerror or error}"
        builder.diagnostics.append(source.diagnostic("read-error", message, "error"))
        return
    from analyzer.frontends.treesitter import SourceText, error_spans, parser

    tree = parser("json").parse(data)
    text = SourceText(data)
    spans = error_spans(tree, text, limit=1)
    if spans:
        builder.diagnostics.append(source.diagnostic(
            "registry-parse-error", "invalid JSON; entries near the error may be missing", "error", spans[0]))
    streams = _json_member(_json_top(tree.root_node), "streams", text)
    if streams is None or streams.type != "object":
        builder.diagnostics.append(source.diagnostic(
            "no-stream-config", "not streamconfigs API output: no top-level \"streams\" object", "error"))
        return
    for pair in streams.named_children:
        key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
        if pair.type != "pair" or key is None or value is None:
            continue
        try:
            name, settings = json.loads(text.text(key)), json.loads(text.text(value))
        except ValueError:
            builder.diagnostics.append(source.diagnostic(
                "registry-parse-error", f"stream entry is not valid JSON: {text.first_line(pair)}", "error",
                text.span(pair)))
            continue
        if not isinstance(settings, dict):
            builder.diagnostics.append(source.diagnostic(
                "registry-unknown-value", f"stream '{name}': settings are not an object", "warning", text.span(pair)))
            continue
        builder.add_stream(name, DEFAULT_WIKI, settings, source.location(pair.start_point[0] + 1, DEFAULT_WIKI))


def _json_top(root: ts.Node) -> ts.Node | None:
    return next((c for c in root.named_children if c.type == "object"), None)


def _json_member(obj: ts.Node | None, name: str, text: SourceText) -> ts.Node | None:
    if obj is None:
        return None
    for pair in obj.named_children:
        key = pair.child_by_field_name("key") if pair.type == "pair" else None
        if key is not None and text.text(key).strip('"') == name:
            return pair.child_by_field_name("value")
    return None


def _merge(base: object, override: object) -> object:
    """mediawiki-config's '+wiki' merge: nested arrays merge, the more specific value wins."""
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    return override


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _texts(value: object) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _line_span(line: int) -> Span:
    return Span(line, 1, line, 1)
