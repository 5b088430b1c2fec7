"""The registries instrumentation is checked against, read statically (no network, no PHP):
stream configuration (mediawiki-config `wgEventStreams` / `wgEventLoggingStreamNames`, or the
streamconfigs API JSON), schema repositories, and the privacy categories their schemas carry.

Every source is optional. A path that does not exist or is not a registry raises
RegistryPathError (a usage error); a problem inside a file becomes a Diagnostic and the rest of
the file is used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.cache import Cache
from analyzer.model import Diagnostic
from analyzer.registry.base import Location, RegistryPathError
from analyzer.registry.privacy import (
    PrivacyHints,
    PrivacyRules,
    load_privacy_rules,
    privacy_hints,
)
from analyzer.registry.schemas import (
    SchemaIndex,
    load_schema_repository,
    parse_schema_uri,
)
from analyzer.registry.streams import (
    StreamConfig,
    StreamDeclaration,
    read_stream_config,
)


@dataclass(eq=False)
class Registry:
    streams: StreamConfig | None = None
    schemas: SchemaIndex = field(default_factory=SchemaIndex)
    privacy_rules: PrivacyRules = field(default_factory=load_privacy_rules)
    _privacy: dict = field(default_factory=dict, repr=False)

    def stream(self, name: str) -> StreamDeclaration | None:
        return self.streams.lookup(name) if self.streams is not None else None

    def privacy(self, declaration: StreamDeclaration | None, schema_uri: str | None) -> PrivacyHints:
        """What events sent to a stream with a `$schema` can carry: the fields of the schema the
        stream declares (at the version sent, when the titles agree), and the stream's settings."""
        uri = self._privacy_schema(declaration, schema_uri)
        key = (declaration.name if declaration else None, uri)
        if key not in self._privacy:
            settings = self.streams.effective_settings(declaration) if declaration and self.streams else None
            self._privacy[key] = privacy_hints(self.privacy_rules, self.schemas, uri, settings)
        return self._privacy[key]

    def _privacy_schema(self, declaration: StreamDeclaration | None, schema_uri: str | None) -> str | None:
        title = declaration.schema_title.strip("/") if declaration and declaration.schema_title else None
        if title is None or (schema_uri and parse_schema_uri(schema_uri)[0] == title):
            return schema_uri
        entry = self.schemas.title(title)
        return entry.schema_id(entry.latest) if entry and entry.latest else f"/{title}"

    @property
    def late_diagnostics(self) -> list[Diagnostic]:
        """Problems found while reading schema documents on demand (after load_registry)."""
        return self.schemas.late_diagnostics


def load_registry(stream_config_paths: Sequence[Path] = (), schema_paths: Sequence[Path] = (),
                  cache: Cache | None = None) -> tuple[Registry, list[Diagnostic]]:
    """Read the registry sources (what was read from the same bytes before, from `cache`).
    Raises RegistryPathError for a path that is not one."""
    streams, diagnostics = read_stream_config([Path(p) for p in stream_config_paths], cache)
    schemas = SchemaIndex(cache=cache)
    for path in schema_paths:
        repository, problems = load_schema_repository(Path(path), cache)
        diagnostics += problems
        schemas.add(repository, diagnostics)
    return Registry(streams=streams, schemas=schemas), diagnostics


__all__ = [
    "Location",
    "PrivacyHints",
    "Registry",
    "RegistryPathError",
    "SchemaIndex",
    "StreamConfig",
    "StreamDeclaration",
    "load_registry",
]
