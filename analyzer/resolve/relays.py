"""Where `mw.track` topics and legacy EventLogging calls really end up.

- Legacy forms map by rule: `logEvent( 'X' )`, `new mw.eventLog.Schema( 'X' )` and
  `mw.track( 'event.X' )` go to the stream `eventlogging_X` with the `$schema` URI that some
  extension.json declares for `X`.
- Relays: a topic whose subscriber re-submits it (`mw.trackSubscribe( prefix, handler )` with a
  sink in the handler, found in any scanned repository, or a well-known relay from
  rules/relays.yaml) gets `final_stream` / `final_schema`.
"""

from __future__ import annotations

import functools
from dataclasses import replace

from analyzer.model import Declaration, Finding, TuplePickled, frozen_record
from analyzer.resources import read_yaml, remembered, rules_root

LEGACY_STREAM_PREFIX = "eventlogging_"
LEGACY_DIRECT_FAMILIES = frozenset({"eventlogging-legacy"})
RELAYED_FAMILIES = frozenset({"track-other", "error-logger"})
MAX_HOPS = 3


@frozen_record
class Relay(TuplePickled):
    """Topics starting with `prefix` go to `stream` (or are re-fired as `topic`)."""

    prefix: str
    subscriber: str
    stream: str | None = None
    schema: str | None = None
    legacy: str | None = None
    topic: str | None = None


@functools.cache
def load_relays() -> tuple[Relay, ...]:
    return remembered("relays", _read_relays, tuple)


def _read_relays() -> tuple[Relay, ...]:
    from analyzer.ruleset import validate  # only when the remembered relays are missing

    data = read_yaml(rules_root().joinpath("relays.yaml").read_text(encoding="utf-8"))
    validate(data, "relays.schema.json", "relays.yaml")
    return tuple(Relay(**entry) for entry in data["relays"])


def legacy_schema_uris(declarations: list[Declaration]) -> dict[str, dict[str, str]]:
    """Legacy schema name → {repository: the `$schema` URI its extension.json declares}."""
    uris: dict[str, dict[str, str]] = {}
    for declaration in declarations:
        if declaration.kind == "eventlogging-schema" and declaration.value and declaration.value.startswith("/"):
            uris.setdefault(declaration.name, {})[declaration.repository] = declaration.value
    return uris


def _uri_for(name: str, repository: str, uris: dict[str, dict[str, str]]) -> str | None:
    declared = uris.get(name)
    if not declared:
        return None
    return declared.get(repository) or min(declared.values())


def map_legacy(finding: Finding, uris: dict[str, dict[str, str]]) -> Finding:
    if finding.resolution == "dynamic":
        return finding
    if finding.family in LEGACY_DIRECT_FAMILIES and finding.name and not finding.api.startswith("extension.json"):
        uri = _uri_for(finding.name, finding.repository, uris)
        return replace(finding, stream=LEGACY_STREAM_PREFIX + finding.name, schema=uri or finding.schema)
    if finding.family == "track-event" and finding.schema:
        uri = _uri_for(finding.schema, finding.repository, uris)
        return replace(finding, final_stream=LEGACY_STREAM_PREFIX + finding.schema, final_schema=uri)
    return finding


def _topic_prefix(finding: Finding) -> str | None:
    """The part of a topic known for sure: all of it, or what precedes the first `*`."""
    if not finding.name:
        return None
    return finding.name.split("*", 1)[0] if finding.resolution == "dynamic" else finding.name


def _find(topic: str, relays: list[Relay], uris: dict[str, dict[str, str]],
          repository: str) -> tuple[str | None, str | None]:
    for _ in range(MAX_HOPS):
        candidates = [r for r in relays if topic.startswith(r.prefix)]
        if not candidates:
            return None, None
        best = max(len(r.prefix) for r in candidates)
        chosen = [r for r in candidates if len(r.prefix) == best]
        if all(r.topic for r in chosen):
            topic = chosen[0].topic or ""
            continue
        streams = sorted({r.stream for r in chosen if r.stream})
        schemas = sorted({s for r in chosen
                          if (s := r.schema or (_uri_for(r.legacy, repository, uris) if r.legacy else None))})
        return " | ".join(streams) or None, " | ".join(schemas) or None
    return None, None


def apply_relays(findings: list[Finding], declarations: list[Declaration], relays: tuple[Relay, ...],
                 discovered: list[Relay] | None = None) -> list[Finding]:
    """Findings with legacy streams and relay destinations filled in."""
    uris = legacy_schema_uris(declarations)
    findings = [map_legacy(f, uris) for f in findings]
    table = list(discovered or ()) + list(relays)
    # Subscribers found in code win over the built-in list for the same prefix.
    found_prefixes = {r.prefix for r in discovered or ()}
    table = [r for r in table if r in (discovered or ()) or r.prefix not in found_prefixes]
    out = []
    for finding in findings:
        topic = _topic_prefix(finding) if finding.family in RELAYED_FAMILIES else None
        if topic:
            stream, schema = _find(topic, table, uris, finding.repository)
            if stream:
                finding = replace(finding, final_stream=stream, final_schema=schema)
        out.append(finding)
    return out


def relay_to(sink: Finding, prefix: str, subscriber: str) -> Relay | None:
    """The relay a subscriber forms when its handler contains the call `sink`."""
    if sink.resolution == "dynamic" or not sink.name:
        return None
    if sink.family in ("event-platform-submit", "metrics-platform") and sink.name_kind == "stream":
        return Relay(prefix, subscriber, stream=sink.name, schema=sink.schema)
    if sink.family == "eventlogging-legacy":
        return Relay(prefix, subscriber, stream=LEGACY_STREAM_PREFIX + sink.name, legacy=sink.name)
    if sink.family == "track-event" and sink.schema:
        return Relay(prefix, subscriber, stream=LEGACY_STREAM_PREFIX + sink.schema, legacy=sink.schema)
    if sink.family in RELAYED_FAMILIES and sink.name != prefix:
        return Relay(prefix, subscriber, topic=sink.name)
    return None
