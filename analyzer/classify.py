"""Classification: compare what code sends with what the registries declare, in both directions.

`classify` is a pure function of the findings, the declarations found in the scanned repos,
the registry and the scan's scope. Every finding gets a status and the ids of the checks
(rules/checks.yaml) that fired on it; declarations nobody uses become declaration-level
findings. What a finding was matched with (stream config entry, schema `$id`, privacy
categories) is returned beside it as a RegistryMatch, in the same order.

Statuses: `declared` (the stream exists and takes the `$schema` sent), or the `finding_status`
of the most severe check that fired (STATUS_PRECEDENCE); None when the stream could not be
checked because no stream config was given.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from analyzer.checks import Check, CheckSet, load_checks
from analyzer.model import (
    ClassificationSummary,
    Declaration,
    Diagnostic,
    Finding,
    FiredCheck,
    RegistryMatch,
    Span,
    StreamMatch,
    fingerprint,
)
from analyzer.registry import Registry, StreamDeclaration
from analyzer.registry.privacy import Evidence
from analyzer.registry.schemas import parse_schema_uri
from analyzer.ruleset import RuleSet, load_rules

DECLARED = "declared"
# Most severe first: a finding on which several checks fired gets the first of their statuses.
STATUS_PRECEDENCE = (
    "undeclared-stream",
    "unregistered-client-stream",
    "schema-mismatch",
    "unused-schema-declaration",
    "dead-stream",
    "deprecated-graphite",
    "legacy-eventlogging",
    "unresolved",
    "shadow",
)
STATUSES = (DECLARED, *STATUS_PRECEDENCE)
# The family and API of declaration-level findings about wgEventStreams entries.
STREAM_DECLARATION_FAMILY = "stream-declaration"
STREAM_DECLARATION_API = "wgEventStreams"
LEGACY_STREAM_PREFIX = "eventlogging_"
# Streams with this producer setting are chosen by Test Kitchen's remote configuration, so any
# instrument or experiment in the scan may send to them.
REMOTE_CONFIG_PRODUCER = "test_kitchen"
REMOTE_CONFIG_NAME_KINDS = frozenset({"instrument", "experiment"})
SCHEMA_DECLARATION_KIND = "eventlogging-schema"
SCHEMA_DECLARATION_FAMILY = "schema-declaration"
STREAM_CONFIG_KEY_KIND = "stream-config-key"

# Why a finding whose name is not a stream cannot be checked, by name kind.
_UNRESOLVED_WHY = {
    "instrument": "an instrument name does not say which stream it sends to: Test Kitchen (or, historically, "
                  "the Metrics Platform stream config) decides that outside the code",
    "experiment": "an experiment name does not say which stream it sends to: Test Kitchen decides that "
                  "outside the code",
    "topic": "the mw.track topic is not relayed to a known stream",
    "event": "the event name is not known statically",
}


@dataclass(frozen=True)
class ClassifyOptions:
    """Overrides of check options (None: the default in checks.yaml)."""

    strict_schema_versions: bool | None = None
    dead_stream_client_streams_only: bool | None = None


@dataclass(frozen=True)
class Classification:
    findings: tuple[Finding, ...]  # with status, rule_ids and registry set
    declaration_findings: tuple[Finding, ...]
    summary: ClassificationSummary
    diagnostics: tuple[Diagnostic, ...]  # registry problems met while classifying


def classify(
    findings: Sequence[Finding],
    declarations: Sequence[Declaration],
    registry: Registry,
    scope: Sequence[str],
    checks: CheckSet | None = None,
    options: ClassifyOptions | None = None,
    rules: RuleSet | None = None,
) -> Classification:
    already_reported = len(registry.late_diagnostics)
    classifier = _Classifier(registry, checks or load_checks(), options or ClassifyOptions(), declarations)
    verdicts = [classifier.finding(f) for f in findings]
    usage = _Usage.of(verdicts, declarations, frozenset(api.id for api in (rules or load_rules()).apis))
    for verdict in verdicts:
        classifier.check_use(verdict, usage, scope)
    dead = classifier.dead_streams(usage, scope)
    classified = [v.result() for v in verdicts] + [v.result() for v in dead]
    split = len(verdicts)
    all_findings = [f for f, _ in classified]
    return Classification(
        findings=tuple(all_findings[:split]),
        declaration_findings=tuple(all_findings[split:]),
        summary=_summary(classified, scope, classifier.limits()),
        diagnostics=tuple(registry.late_diagnostics[already_reported:]),
    )


@dataclass
class _Verdict:
    """What the checks found on one finding, turned into a status at the end."""

    finding: Finding
    fired: list[tuple[Check, str, bool]] = field(default_factory=list)  # (check, reason, sets status)
    streams: list[StreamMatch] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stream_checked: bool = False
    legacy_schema: str | None = None
    schema: str | None = None
    schema_id: str | None = None
    schema_file: str | None = None
    privacy: tuple[Evidence, ...] = ()

    def fire(self, check: Check, reason: str, sets_status: bool = True) -> None:
        self.fired.append((check, reason, sets_status))

    def status(self) -> str | None:
        statuses = {check.finding_status for check, _, sets in self.fired if sets}
        for status in STATUS_PRECEDENCE:
            if status in statuses:
                return status
        return DECLARED if self.stream_checked else None

    def result(self) -> tuple[Finding, RegistryMatch]:
        rule_ids = tuple(sorted({check.id for check, _, _ in self.fired}))
        match = RegistryMatch(
            streams=tuple(self.streams),
            schema=self.schema,
            schema_id=self.schema_id,
            schema_file=self.schema_file,
            privacy=tuple(sorted({e.category for e in self.privacy})),
            privacy_evidence=self.privacy,
            checks=tuple(FiredCheck(check.id, reason) for check, reason, _ in self.fired),
            notes=tuple(self.notes),
        )
        finding = dataclasses.replace(self.finding, status=self.status(), rule_ids=rule_ids, registry=match)
        return finding, match


@dataclass
class _Usage:
    """What the scanned code uses, for the reverse direction (dead streams, unused schemas)."""

    streams: set[str]
    patterns: list[str]  # partly known stream names ('mediawiki.*_interaction')
    legacy_schemas: set[str]
    config_streams: set[str]
    remote_config_senders: bool = False  # instruments/experiments whose stream Test Kitchen picks

    @classmethod
    def of(cls, verdicts: list[_Verdict], declarations: Sequence[Declaration], api_ids: frozenset[str]) -> _Usage:
        usage = cls(set(), [], set(), {d.name for d in declarations if d.kind == STREAM_CONFIG_KEY_KIND})
        for verdict in verdicts:
            finding = verdict.finding
            if finding.family == SCHEMA_DECLARATION_FAMILY:
                continue  # a declaration sends nothing
            usage.streams |= {m.stream for m in verdict.streams}
            usage.remote_config_senders |= finding.name_kind in REMOTE_CONFIG_NAME_KINDS and not verdict.streams
            if verdict.legacy_schema:
                usage.legacy_schemas.add(verdict.legacy_schema)
            name = _sent_stream(finding)
            # Inside the implementation of an API (EventLogging::logEvent submitting to
            # 'eventlogging_' . $schemaName) a pattern stands for the API's callers, which are
            # findings of their own: it would otherwise match every stream of its kind.
            if name and "*" in name and finding.context not in api_ids:
                usage.patterns.append(name)
        return usage

    def sends_to(self, stream: str, declaration: StreamDeclaration | None = None) -> bool:
        if self.remote_config_senders and declaration is not None and REMOTE_CONFIG_PRODUCER in declaration.producers:
            return True
        return (stream in self.streams or stream in self.config_streams
                or any(fnmatch.fnmatchcase(stream, pattern) for pattern in self.patterns))


class _Classifier:
    def __init__(self, registry: Registry, checks: CheckSet, options: ClassifyOptions,
                 declarations: Sequence[Declaration]):
        self.registry = registry
        self.check = checks.by_name
        strict = options.strict_schema_versions
        self.strict_versions = self.check("unknown-schema-version").option("strict") if strict is None else strict
        client_only = options.dead_stream_client_streams_only
        self.dead_client_only = (self.check("dead-stream").option("client_streams_only")
                                 if client_only is None else client_only)
        config = registry.streams
        self.declared_titles = ({d.schema_title.strip("/") for d in config.streams.values() if d.schema_title}
                                if config is not None else set())
        self.legacy_uris: dict[str, list[Declaration]] = defaultdict(list)
        for declaration in declarations:
            if declaration.kind == SCHEMA_DECLARATION_KIND and _is_uri(declaration.value):
                self.legacy_uris[declaration.name].append(declaration)

    def applies(self, name: str, finding: Finding) -> bool:
        return self.check(name).applies_to.accepts(finding.family, finding.language)

    # --- one finding ------------------------------------------------------------------------

    def finding(self, finding: Finding) -> _Verdict:
        verdict = _Verdict(finding)
        if self.applies("legacy-eventlogging", finding):
            self.legacy(verdict)
            return verdict
        streams, why = _target_streams(finding)
        if streams:
            self.send(verdict, streams, finding.final_schema or finding.schema)
        elif finding.name_kind == "event" and finding.name and "*" not in finding.name:
            self.routed_event(verdict, finding.name)
        elif self.applies("shadow-instrumentation", finding):
            self.shadow(verdict)
        else:
            verdict.fire(self.check("unresolved-name"), why)
        return verdict

    def send(self, verdict: _Verdict, streams: list[str], schema: str | None) -> None:
        """Checks for events sent to streams with a `$schema`."""
        config = self.registry.streams
        declared: StreamDeclaration | None = None
        for stream in streams:
            declaration = config.lookup(stream) if config is not None else None
            registered = config.client_registered(stream) if config is not None else None
            verdict.streams.append(_stream_match(stream, declaration, registered))
            if config is None:
                continue
            verdict.stream_checked = True
            if declaration is None:
                verdict.fire(self.check("undeclared-stream"),
                             f"sends to stream '{stream}', which no stream config declares "
                             f"({', '.join(config.sources)})")
                continue
            declared = declared or declaration
            if stream.startswith(LEGACY_STREAM_PREFIX) and not self.applies("legacy-eventlogging", verdict.finding):
                verdict.fire(self.check("legacy-eventlogging"), f"sends to the legacy EventLogging stream '{stream}'")
            if registered is False and self.applies("unregistered-client-stream", verdict.finding):
                verdict.fire(self.check("unregistered-client-stream"),
                             f"stream '{stream}' is declared ({_where(declaration)}) "
                             "but not in wgEventLoggingStreamNames: "
                             "the browser client has no config for it and drops its events")
        if _is_uri(schema):
            self.schema(verdict, schema, declared)
        elif verdict.stream_checked:
            verdict.notes.append("the $schema sent is not known statically: only the stream was checked")
        self.privacy(verdict, declared, schema if _is_uri(schema) else None)

    def schema(self, verdict: _Verdict, uri: str, declaration: StreamDeclaration | None) -> None:
        title, version = parse_schema_uri(uri)
        verdict.schema = uri
        if declaration is not None and declaration.schema_title and declaration.schema_title.strip("/") != title:
            verdict.fire(self.check("schema-title-mismatch"),
                         f"$schema '{uri}' has title '{title}', but stream '{declaration.name}' takes "
                         f"schema_title '{declaration.schema_title}' ({_where(declaration)})")
        index = self.registry.schemas
        if not index:
            return
        entry = index.title(title)
        if entry is None and title in self.declared_titles:
            verdict.fire(self.check("unknown-schema-version"),
                         f"schema title '{title}' is in none of the schema repositories, but the stream config "
                         "declares it: the schema repositories are probably older than the stream config",
                         sets_status=self.strict_versions)
            return
        if entry is None or entry.is_fragment:
            why = "is a fragment, never an event schema" if entry else "is in none of the schema repositories"
            verdict.fire(self.check("unknown-schema"),
                         f"schema title '{title}' {why} ({', '.join(index.repositories)})")
            return
        if version is None or not entry.has_version(version):
            verdict.fire(self.check("unknown-schema-version"),
                         f"version {version or '(none)'} of '{title}' is not in the schema repositories "
                         f"(newest there: {entry.latest}); an older snapshot than the code would explain it",
                         sets_status=self.strict_versions)
            return
        verdict.schema_id = entry.schema_id(version)
        verdict.schema_file = index.display(entry.files[version])
        newer = entry.newer_majors(version)
        if newer:
            verdict.fire(self.check("outdated-schema-major"),
                         f"'{title}' has a newer major version ({newer[-1]}) than the {version} sent")

    def privacy(self, verdict: _Verdict, declaration: StreamDeclaration | None, schema: str | None) -> None:
        if declaration is None and schema is None:
            return
        hints = self.registry.privacy(declaration, schema)
        verdict.privacy = hints.evidence
        verdict.notes += [f"privacy: {note}" for note in hints.notes]

    def legacy(self, verdict: _Verdict) -> None:
        """Legacy EventLogging: the schema name maps to stream eventlogging_<Name> and to the
        `$schema` URI an extension.json declares for it."""
        finding = verdict.finding
        declaration_site = finding.family == SCHEMA_DECLARATION_FAMILY
        name = finding.name if declaration_site else _legacy_schema_name(finding)
        verdict.legacy_schema = name
        stream = finding.final_stream or finding.stream or (f"{LEGACY_STREAM_PREFIX}{name}" if _known(name) else None)
        uri, source = self.legacy_uri(finding, name)
        maps_to = f"stream '{stream}'" if stream else "a stream not known statically"
        via = f" with $schema '{uri}'" + (f" ({source})" if source else "") if uri else ""
        verdict.fire(self.check("legacy-eventlogging"), f"legacy EventLogging schema '{name or '?'}' → {maps_to}{via}")
        if declaration_site:
            self.legacy_declaration(verdict, stream, uri)
        elif stream is None:
            verdict.fire(self.check("unresolved-name"),
                         finding.unresolved_reason or "the legacy schema name is not known statically")
        else:
            if uri is None:
                verdict.notes.append(f"no scanned extension.json declares schema '{name}' with a $schema URI: "
                                     "unless another extension does, its events are not sent to Event Platform")
            self.send(verdict, [stream], uri)

    def legacy_declaration(self, verdict: _Verdict, stream: str | None, uri: str | None) -> None:
        """An extension.json schema declaration sends nothing itself: check its `$schema`."""
        config = self.registry.streams
        declaration = config.lookup(stream) if config is not None and stream else None
        if stream:
            registered = config.client_registered(stream) if config else None
            verdict.streams.append(_stream_match(stream, declaration, registered))
        if uri is None:
            verdict.notes.append("declared with an on-wiki revision number: not sent through Event Platform")
            return
        self.schema(verdict, uri, declaration)
        self.privacy(verdict, declaration, uri)

    def legacy_uri(self, finding: Finding, name: str | None) -> tuple[str | None, str | None]:
        """The `$schema` of a legacy call: set by the resolver, else the extension.json entry
        (of the same repository first)."""
        if finding.family == SCHEMA_DECLARATION_FAMILY:
            return (finding.schema, f"{finding.path}:{finding.span.line}") if _is_uri(finding.schema) else (None, None)
        for candidate in (finding.final_schema, finding.schema):
            if _is_uri(candidate):
                return candidate, None  # resolved before classification
        declarations = sorted(self.legacy_uris.get(name or "", ()), key=lambda d: d.repository != finding.repository)
        if not declarations:
            return None, None
        first = declarations[0]
        return first.value, f"{first.repository}:{first.path}:{first.span.line}"

    def routed_event(self, verdict: _Verdict, event: str) -> None:
        """Metrics Platform `dispatch( eventName )`: streams take events by name prefix."""
        config = self.registry.streams
        if config is None:
            return
        verdict.stream_checked = True
        routed = config.routes_event(event)
        if not routed:
            verdict.fire(self.check("undeclared-stream"),
                         f"event '{event}' is routed to no stream: no stream's "
                         "producers.metrics_platform_client.events has a prefix of it")
        verdict.streams += [_stream_match(d.name, d, config.client_registered(d.name)) for d in routed]

    def shadow(self, verdict: _Verdict) -> None:
        finding = verdict.finding
        what = finding.qualified_name or finding.name or "(name not known statically)"
        verdict.fire(self.check("shadow-instrumentation"),
                     f"{finding.name_kind} '{what}' ({finding.family}) has no stream or schema declaration")
        if self.applies("deprecated-graphite", finding):
            verdict.fire(self.check("deprecated-graphite"),
                         f"'{what}' is a Graphite metric; Graphite is being retired: use StatsLib (Prometheus)")

    # --- the reverse direction -------------------------------------------------------------

    def check_use(self, verdict: _Verdict, usage: _Usage, scope: Sequence[str]) -> None:
        """An extension.json schema declaration that no scanned code uses."""
        finding = verdict.finding
        if finding.family != SCHEMA_DECLARATION_FAMILY or not finding.name:
            return
        stream = f"{LEGACY_STREAM_PREFIX}{finding.name}"
        if finding.name in usage.legacy_schemas or usage.sends_to(stream):
            return
        verdict.fire(self.check("unused-schema-declaration"),
                     f"schema '{finding.name}' is declared, but no code in the scanned repositories "
                     f"({', '.join(scope) or 'none'}) logs it or sends to '{stream}'")

    def dead_streams(self, usage: _Usage, scope: Sequence[str]) -> list[_Verdict]:
        config = self.registry.streams
        if config is None or not scope:
            return []
        check = self.check("dead-stream")
        verdicts = []
        for name in config.exact_names():
            if self.dead_client_only and config.client_registered(name) is False:
                continue
            declaration = config.streams[name]
            if usage.sends_to(name, declaration):
                continue
            verdict = _Verdict(_stream_declaration_finding(declaration))
            verdict.streams.append(_stream_match(name, declaration, config.client_registered(name)))
            verdict.fire(check, f"stream '{name}' is declared ({_where(declaration)}) but none of the scanned "
                                f"repositories ({', '.join(scope)}) sends to it; it is only unused if they "
                                "contain all of its producers")
            verdicts.append(verdict)
        return verdicts

    def limits(self) -> tuple[str, ...]:
        limits = []
        config = self.registry.streams
        if config is None:
            limits.append("no stream config given: streams were not checked (their findings have no status)")
        elif config.client_streams is None:
            limits.append("the stream config lists no wgEventLoggingStreamNames (API JSON?): "
                          "unregistered-client-stream was not checked")
        if not self.registry.schemas:
            limits.append("no schema repositories given: schema titles and versions were not checked")
        return tuple(limits)


def _target_streams(finding: Finding) -> tuple[list[str], str]:
    """The streams a finding sends to (several when its name is one of candidates), or why
    none is known."""
    if finding.final_stream or finding.stream:
        return [finding.final_stream or finding.stream], ""
    if finding.name_kind == "stream":
        if finding.candidates:
            return list(finding.candidates), ""
        if finding.name and "*" not in finding.name:
            return [finding.name], ""
        partly = f" (only '{finding.name}' is known)" if finding.name else ""
        return [], f"the stream name is not known statically{partly}: {finding.unresolved_reason or 'dynamic'}"
    why = _UNRESOLVED_WHY.get(finding.name_kind, f"a {finding.name_kind} name does not say which stream it goes to")
    return [], why


def _sent_stream(finding: Finding) -> str | None:
    return finding.final_stream or finding.stream or (finding.name if finding.name_kind == "stream" else None)


def _legacy_schema_name(finding: Finding) -> str | None:
    """The legacy schema name of a call: the resolver's `schema` when it is a name (not a
    URI), else the finding's name when it names a schema."""
    if finding.schema and not _is_uri(finding.schema):
        return finding.schema
    return finding.name if finding.name_kind == "schema" else None


def _known(name: str | None) -> bool:
    return bool(name) and "*" not in name


def _is_uri(value: str | None) -> bool:
    """A `$schema` URI or title ('/analytics/x/1.0.0'), not a legacy schema name ('HelpPanel')
    or an on-wiki revision number ('12345678'): schema titles always have a '/'."""
    return bool(value) and "/" in value


def _where(declaration: StreamDeclaration) -> str:
    return str(declaration.locations[0]) if declaration.locations else "?"


def _stream_match(stream: str, declaration: StreamDeclaration | None, registered: bool | None) -> StreamMatch:
    if declaration is None:
        return StreamMatch(stream, client_registered=registered)
    return StreamMatch(
        stream=stream,
        declared_as=declaration.name,
        schema_title=declaration.schema_title,
        destination_event_service=declaration.destination_event_service,
        declared_at=declaration.locations,
        client_registered=registered,
    )


def _stream_declaration_finding(declaration: StreamDeclaration) -> Finding:
    where = declaration.locations[0]
    title = declaration.schema_title
    return Finding(
        repository=where.repository,
        path=where.path,
        span=Span(where.line, 1, where.line, 1),
        language="json" if PurePosixPath(where.path).suffix == ".json" else "php",
        family=STREAM_DECLARATION_FAMILY,
        api=STREAM_DECLARATION_API,
        name=declaration.name,
        name_kind="stream",
        resolution="literal",
        fingerprint=fingerprint(where.path, STREAM_DECLARATION_API, declaration.name),
        schema=title,
        snippet=f"'{declaration.name}' => [ 'schema_title' => '{title}', … ]",
        message=f"stream '{declaration.name}' declared in {STREAM_DECLARATION_API}",
        stream=declaration.name,
    )


def _summary(classified: list[tuple[Finding, RegistryMatch]], scope: Sequence[str],
             limits: tuple[str, ...]) -> ClassificationSummary:
    by_status: Counter = Counter()
    by_family: dict[str, Counter] = defaultdict(Counter)
    by_check: Counter = Counter()
    privacy: dict[str, set[str]] = defaultdict(set)
    for finding, match in classified:
        status = finding.status or "unchecked"
        by_status[status] += 1
        by_family[finding.family][status] += 1
        by_check.update(finding.rule_ids)
        for stream in match.streams:
            if stream.declared_as is not None and finding.family != STREAM_DECLARATION_FAMILY:
                privacy[stream.stream] |= set(match.privacy)
    return ClassificationSummary(
        by_status=dict(sorted(by_status.items())),
        by_family={family: dict(sorted(counts.items())) for family, counts in sorted(by_family.items())},
        by_check=dict(sorted(by_check.items())),
        privacy_by_stream={stream: tuple(sorted(categories)) for stream, categories in sorted(privacy.items())},
        scope=tuple(scope),
        limits=limits,
    )
