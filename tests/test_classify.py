"""Classification against the fixture registries (fixtures/_registry/): every status and check,
in both directions, plus the check metadata in rules/checks.yaml."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from analyzer.checks import DOC_SECTIONS, load_checks, load_checks_from
from analyzer.classify import STATUSES, ClassifyOptions, classify
from analyzer.model import Declaration, Finding, Span, fingerprint
from analyzer.pipeline import scan
from analyzer.registry import Registry, load_registry
from analyzer.ruleset import RuleError, load_rules

REGISTRY = Path(__file__).resolve().parent.parent / "fixtures" / "_registry"
RULES = Path(__file__).resolve().parent.parent / "rules"
SCOPE = ("demo",)


@pytest.fixture(scope="module")
def registry() -> Registry:
    schemas = [REGISTRY / "schemas-secondary", REGISTRY / "schemas-primary"]
    return load_registry([REGISTRY / "mediawiki-config"], schemas)[0]


def finding(family: str, name: str | None, name_kind: str = "stream", *, api: str = "mw.eventLog.submit",
            language: str = "javascript", schema: str | None = None, line: int = 1, **fields) -> Finding:
    path = "includes/Demo.php" if language == "php" else "modules/demo.js"
    return Finding(
        repository="demo", path=path, span=Span(line, 1, line, 40), language=language, family=family, api=api,
        name=name, name_kind=name_kind, resolution="literal" if name and "*" not in name else "dynamic",
        fingerprint=fingerprint(path, api, name, line), schema=schema, **fields,
    )


def submit(stream: str | None, schema: str | None = None, **fields) -> Finding:
    return finding("event-platform-submit", stream, schema=schema, **fields)


def schema_declaration(name: str, value: str, line: int = 7) -> tuple[Finding, Declaration]:
    span = Span(line, 5, line, 50)
    declared = Finding(
        repository="demo", path="extension.json", span=span, language="json", family="schema-declaration",
        api="extension.json#attributes.EventLogging.Schemas", name=name, name_kind="schema", resolution="literal",
        fingerprint=fingerprint("extension.json", name), schema=value)
    return declared, Declaration("demo", "extension.json", span, "eventlogging-schema", name, value)


def one(registry: Registry, item: Finding, declarations=(), **options):
    result = classify([item], list(declarations), registry, SCOPE, options=ClassifyOptions(**options))
    [classified] = result.findings
    match = classified.registry
    return classified, match


# --- declared, and the problems a stream send can have ----------------------------------------


def test_declared_stream_and_schema(registry):
    classified, match = one(registry, submit("mediawiki.demo_interaction", "/analytics/demo/interaction/2.0.0"))
    assert (classified.status, classified.rule_ids) == ("declared", ())
    [stream] = match.streams
    assert (stream.declared_as, stream.schema_title, stream.client_registered) == (
        "mediawiki.demo_interaction", "analytics/demo/interaction", True)
    assert stream.declared_at[0].path == "wmf-config/ext-EventStreamConfig.php"
    assert match.schema_id == "/analytics/demo/interaction/2.0.0"
    assert match.schema_file == "schemas-secondary/jsonschema/analytics/demo/interaction/2.0.0.yaml"
    assert match.privacy == ("client-ip", "session-token", "user-identity")


def test_undeclared_stream(registry):
    classified, match = one(registry, submit("mediawiki.demo_typo", "/analytics/demo/interaction/2.0.0"))
    assert (classified.status, classified.rule_ids) == ("undeclared-stream", ("IM101",))
    assert match.streams[0].declared_as is None
    assert "no stream config declares" in match.checks[0].reason


def test_regex_declarations_count(registry):
    classified, match = one(registry, submit("mediawiki.demo_job.refreshLinks", "/mediawiki/job/1.0.0", language="php"))
    assert (classified.status, classified.rule_ids) == ("declared", ())
    assert match.streams[0].declared_as == "/^mediawiki\\.demo_job\\..+/"


def test_stream_declared_only_for_one_wiki_counts(registry):
    classified, match = one(registry, submit("mediawiki.demo_testwiki_only", "/analytics/demo/interaction/2.0.0"))
    assert classified.status == "declared"
    assert match.streams[0].declared_at[0].wiki == "+testwiki"


def test_schema_title_mismatch(registry):
    classified, match = one(registry, submit("mediawiki.demo_interaction", "/analytics/demo/search/1.0.0"))
    assert (classified.status, classified.rule_ids) == ("schema-mismatch", ("IM103",))
    assert "schema_title 'analytics/demo/interaction'" in match.checks[0].reason


@pytest.mark.parametrize("schema", ["/analytics/demo/typo/1.0.0", "/fragment/http/client_ip/1.0.0"])
def test_unknown_schema_title_or_fragment(registry, schema):
    classified, _ = one(registry, submit("mediawiki.demo_typo_free", schema, final_stream="mediawiki.demo_interaction"))
    assert (classified.status, set(classified.rule_ids)) == ("schema-mismatch", {"IM103", "IM104"})


def test_title_missing_from_old_schema_snapshot_but_declared_by_a_stream_is_a_note(registry):
    call = submit("mediawiki.demo_routed", "/analytics/mediawiki/client/metrics_event/3.0.0")
    classified, match = one(registry, call)
    assert (classified.status, classified.rule_ids) == ("declared", ("IM106",))
    registry_without_title = load_registry([REGISTRY / "mediawiki-config"], [REGISTRY / "schemas-primary"])[0]
    call = submit("mediawiki.demo_routed", "/analytics/mediawiki/client/metrics_event/2.1.0")
    classified, match = one(registry_without_title, call)
    assert classified.rule_ids == ("IM106",) and "probably older than the stream config" in match.checks[0].reason


def test_unknown_schema_version_is_a_note_unless_strict(registry):
    sent = submit("mediawiki.demo_interaction", "/analytics/demo/interaction/9.9.9")
    classified, match = one(registry, sent)
    assert (classified.status, classified.rule_ids) == ("declared", ("IM106",))
    assert "newest there: 2.0.0" in match.checks[0].reason
    strict, _ = one(registry, sent, strict_schema_versions=True)
    assert (strict.status, strict.rule_ids) == ("schema-mismatch", ("IM106",))


def test_outdated_major_version(registry):
    classified, match = one(registry, submit("mediawiki.demo_interaction", "/analytics/demo/interaction/1.10.0"))
    assert (classified.status, classified.rule_ids) == ("schema-mismatch", ("IM105",))
    assert "newer major version (2.0.0)" in match.checks[0].reason


def test_unknown_schema_is_not_checked_but_said(registry):
    classified, match = one(registry, submit("mediawiki.demo_interaction"))
    assert (classified.status, classified.rule_ids) == ("declared", ())
    assert "only the stream was checked" in match.notes[0]


def test_unregistered_client_stream_only_for_browser_code_through_eventlogging(registry):
    browser, match = one(registry, submit("mediawiki.demo_server", "/analytics/demo/interaction/2.0.0"))
    assert (browser.status, browser.rule_ids) == ("unregistered-client-stream", ("IM102",))
    assert "not in wgEventLoggingStreamNames" in match.checks[0].reason
    server, _ = one(registry, submit("mediawiki.demo_server", "/analytics/demo/interaction/2.0.0", language="php"))
    assert (server.status, server.rule_ids) == ("declared", ())
    error_report = finding("error-logger", "error.demo", "topic", api="mw.errorLogger.logError",
                           final_stream="mediawiki.demo_server", final_schema="/analytics/demo/interaction/2.0.0")
    relayed, _ = one(registry, error_report)
    assert (relayed.status, relayed.rule_ids) == ("declared", ())


def test_candidate_streams_are_each_checked(registry):
    call = submit("mediawiki.demo_*", candidates=("mediawiki.demo_interaction", "mediawiki.demo_typo"))
    classified, match = one(registry, call)
    assert (classified.status, classified.rule_ids) == ("undeclared-stream", ("IM101",))
    assert [s.declared_as for s in match.streams] == ["mediawiki.demo_interaction", None]


# --- legacy EventLogging ----------------------------------------------------------------------


def test_legacy_topic_maps_to_stream_and_declared_schema(registry):
    _declared, declaration = schema_declaration("DemoLegacy", "/analytics/legacy/demolegacy/1.2.0")
    topic = finding("track-event", "event.DemoLegacy", "topic", api="mw.track", schema="DemoLegacy")
    classified, match = one(registry, topic, [declaration])
    assert (classified.status, classified.rule_ids) == ("legacy-eventlogging", ("IM107",))
    assert match.streams[0].declared_as == "eventlogging_DemoLegacy"
    assert match.schema == "/analytics/legacy/demolegacy/1.2.0"
    assert "extension.json:7" in match.checks[0].reason
    assert {"client-ip", "free-text", "session-token", "user-agent"} <= set(match.privacy)


def test_legacy_call_to_an_undeclared_stream(registry):
    call = finding("eventlogging-legacy", "DemoMissing", "schema", api="mw.eventLog.logEvent", schema="DemoMissing")
    classified, match = one(registry, call)
    assert (classified.status, classified.rule_ids) == ("undeclared-stream", ("IM101", "IM107"))
    assert match.streams[0].stream == "eventlogging_DemoMissing"
    assert any("no scanned extension.json declares schema 'DemoMissing'" in r for r in match.notes)


def test_relay_to_a_legacy_stream_is_legacy(registry):
    relay = finding("track-other", "demoAttemptStep", "topic", api="mw.track",
                    final_stream="eventlogging_DemoLegacy", final_schema="/analytics/legacy/demolegacy/1.2.0")
    classified, _ = one(registry, relay)
    assert (classified.status, classified.rule_ids) == ("legacy-eventlogging", ("IM107",))


def test_dynamic_legacy_schema_is_legacy_and_unresolved(registry):
    call = finding("eventlogging-legacy", None, "schema", api="mw.eventLog.logEvent",
                   unresolved_reason="parameter name")
    classified, match = one(registry, call)
    assert (classified.status, classified.rule_ids) == ("legacy-eventlogging", ("IM107", "IM110"))
    assert "parameter name" in [c.reason for c in match.checks]


def test_schema_declarations_used_and_unused(registry):
    used, used_declaration = schema_declaration("DemoLegacy", "/analytics/legacy/demolegacy/1.2.0", line=7)
    stale, stale_declaration = schema_declaration("DemoStale", "/analytics/legacy/demolegacy/1.2.0", line=8)
    revision, revision_declaration = schema_declaration("DemoRevision", "12345678", line=9)
    call = finding("eventlogging-legacy", "DemoLegacy", "schema", api="mw.eventLog.logEvent", schema="DemoLegacy")
    result = classify([used, stale, revision, call], [used_declaration, stale_declaration, revision_declaration],
                      registry, SCOPE)
    statuses = {f.name: (f.status, f.rule_ids) for f in result.findings}
    assert statuses["DemoLegacy"] == ("legacy-eventlogging", ("IM107",))
    assert statuses["DemoStale"] == ("unused-schema-declaration", ("IM107", "IM112"))
    assert statuses["DemoRevision"] == ("unused-schema-declaration", ("IM107", "IM112"))
    stale_match = result.findings[1].registry
    assert "no code in the scanned repositories (demo)" in stale_match.checks[-1].reason
    assert "on-wiki revision number" in " ".join(result.findings[2].registry.notes)


def test_schema_declaration_checks_its_schema(registry):
    declared, declaration = schema_declaration("DemoLegacy", "/analytics/legacy/demolegacy/9.0.0")
    classified, _ = one(registry, declared, [declaration])
    assert classified.rule_ids == ("IM106", "IM107", "IM112")


# --- shadow, graphite, unresolved, routed events ----------------------------------------------


@pytest.mark.parametrize(("family", "name", "language", "status", "rule_ids"), [
    ("statsv-stats", "stats.mediawiki_demo_click_total", "javascript", "shadow", ("IM108",)),
    ("statslib", "click_total", "php", "shadow", ("IM108",)),
    ("track-other", "demo.internalSignal", "javascript", "shadow", ("IM108",)),
    ("track-subscribe", "demo.", "javascript", "shadow", ("IM108",)),
    ("statsv-counter", "counter.MediaWiki.demo.click", "javascript", "deprecated-graphite", ("IM108", "IM109")),
    ("statsv-gauge", "gauge.MediaWiki.demo.size", "javascript", "deprecated-graphite", ("IM108", "IM109")),
    ("statsd-legacy", "demo.click", "php", "deprecated-graphite", ("IM108", "IM109")),
])
def test_shadow_and_graphite_metrics(registry, family, name, language, status, rule_ids):
    classified, _ = one(registry, finding(family, name, "metric", api="x", language=language))
    assert (classified.status, classified.rule_ids) == (status, rule_ids)


@pytest.mark.parametrize(("item", "why"), [
    (submit("mediawiki.*_interaction", unresolved_reason="parameter feature"),
     "only 'mediawiki.*_interaction' is known"),
    (submit(None, unresolved_reason="return value of getStream()"), "return value of getStream()"),
    (finding("testkitchen-instrument", "demo-instrument", "instrument", api="mw.testKitchen.getInstrument"),
     "Test Kitchen"),
    (finding("error-logger", "error.demo", "topic", api="mw.errorLogger.logError"), "not relayed to a known stream"),
])
def test_unresolved_names_are_said_not_guessed(registry, item, why):
    classified, match = one(registry, item)
    assert (classified.status, classified.rule_ids) == ("unresolved", ("IM110",))
    assert why in match.checks[0].reason


def test_test_kitchen_with_a_known_stream_is_checked(registry):
    instrument = finding("testkitchen-instrument", "demo-instrument", "instrument",
                         api="mw.testKitchen.Instrument#send",
                         final_stream="product_metrics.demo_base", final_schema="/analytics/demo/interaction/2.0.0")
    classified, _ = one(registry, instrument)
    assert (classified.status, classified.rule_ids) == ("declared", ())


def test_dispatched_events_are_routed_by_prefix(registry):
    routed, match = one(registry, finding("metrics-platform", "demo.button.click", "event", api="mw.eventLog.dispatch"))
    assert (routed.status, routed.rule_ids) == ("declared", ())
    assert [s.stream for s in match.streams] == ["mediawiki.demo_routed"]
    lost, match = one(registry, finding("metrics-platform", "other.click", "event", api="mw.eventLog.dispatch"))
    assert (lost.status, lost.rule_ids) == ("undeclared-stream", ("IM101",))
    assert "routed to no stream" in match.checks[0].reason


# --- the reverse direction: dead streams -------------------------------------------------------


def dead_streams(registry, findings, declarations=(), scope=SCOPE, **options) -> dict[str, Finding]:
    result = classify(findings, list(declarations), registry, scope, options=ClassifyOptions(**options))
    return {f.name: f for f in result.declaration_findings}


def test_dead_streams_are_declared_streams_nobody_sends_to(registry):
    dead = dead_streams(registry, [submit("mediawiki.demo_interaction", "/analytics/demo/interaction/2.0.0")])
    unused = dead["mediawiki.demo_unused"]
    assert (unused.status, unused.rule_ids, unused.family, unused.stream) == (
        "dead-stream", ("IM111",), "stream-declaration", "mediawiki.demo_unused")
    assert (unused.repository, unused.path, unused.language) == (
        "mediawiki-config", "wmf-config/ext-EventStreamConfig.php", "php")
    assert "mediawiki.demo_interaction" not in dead
    assert "mediawiki.demo_server" not in dead  # not a client stream: out of scope by default
    assert "/^mediawiki\\.demo_job\\..+/" not in dead  # regex entries are never dead


def test_dead_stream_message_names_the_scope(registry):
    result = classify([], [], registry, ("WikimediaEvents", "GrowthExperiments"))
    unused = next(f.registry for f in result.declaration_findings if f.name == "mediawiki.demo_unused")
    assert ("none of the scanned repositories (WikimediaEvents, GrowthExperiments) sends to it"
            in unused.checks[0].reason)


def test_what_keeps_a_stream_alive(registry):
    config_key = Declaration("demo", "extension.json", Span(3, 1, 3, 30), "stream-config-key", "mediawiki.demo_unused")
    assert "mediawiki.demo_unused" not in dead_streams(registry, [], [config_key])
    assert "mediawiki.demo_unused" not in dead_streams(registry, [submit("mediawiki.demo_un*")])
    # …but not a pattern inside the implementation of an API, which stands for its callers
    implementation = finding("event-platform-submit", "mediawiki.demo_*", api="EventLogging::submit",
                             language="php", context="EventLogging::logEvent")
    assert "mediawiki.demo_unused" in dead_streams(registry, [implementation])
    legacy = finding("track-event", "event.DemoLegacy", "topic", api="mw.track", schema="DemoLegacy")
    assert "eventlogging_DemoLegacy" not in dead_streams(registry, [legacy])
    instrument = finding("testkitchen-instrument", "demo-instrument", "instrument", api="mw.testKitchen.getInstrument")
    assert "product_metrics.demo_base" in dead_streams(registry, [])
    assert "product_metrics.demo_base" not in dead_streams(registry, [instrument])


def test_dead_stream_options_and_scope(registry):
    assert "mediawiki.demo_server" in dead_streams(registry, [], dead_stream_client_streams_only=False)
    assert dead_streams(registry, [], scope=()) == {}


# --- without some registries ------------------------------------------------------------------


def test_without_stream_config_streams_are_not_classified(registry):
    schemas_only = Registry(schemas=registry.schemas)
    result = classify([submit("mediawiki.demo_typo", "/analytics/demo/typo/1.0.0"),
                       finding("statsv-stats", "stats.x_total", "metric", api="mw.track")], [], schemas_only, SCOPE)
    assert [(f.status, f.rule_ids) for f in result.findings] == [
        ("schema-mismatch", ("IM104",)), ("shadow", ("IM108",))]
    assert result.declaration_findings == ()
    assert result.summary.limits == (
        "no stream config given: streams were not checked (their findings have no status)",)
    nothing = classify([submit("mediawiki.demo_typo")], [], Registry(), SCOPE)
    assert nothing.findings[0].status is None and nothing.summary.by_status == {"unchecked": 1}


def test_api_json_registry_skips_the_client_list_check():
    api_registry = load_registry([REGISTRY / "streamconfigs.json"])[0]
    classified, match = one(api_registry, submit("mediawiki.demo_interaction"))
    assert classified.status == "declared" and match.streams[0].client_registered is None
    [limit] = classify([], [], api_registry, SCOPE).summary.limits[:1]
    assert "unregistered-client-stream was not checked" in limit


# --- summary, and the pipeline end to end ------------------------------------------------------


def test_summary_counts_statuses_families_checks_and_privacy(registry):
    items = [
        submit("mediawiki.demo_interaction", "/analytics/demo/interaction/2.0.0", line=1),
        submit("mediawiki.demo_typo", line=2),
        finding("statsv-counter", "counter.x", "metric", api="mw.track", line=3),
    ]
    summary = classify(items, [], registry, SCOPE).summary
    assert summary.by_family["event-platform-submit"] == {"declared": 1, "undeclared-stream": 1}
    assert summary.by_family["statsv-counter"] == {"deprecated-graphite": 1}
    assert summary.by_check["IM101"] == 1 and summary.by_check["IM109"] == 1
    assert summary.privacy_by_stream == {"mediawiki.demo_interaction": ("client-ip", "session-token", "user-identity")}
    assert summary.scope == SCOPE
    assert summary.by_status["dead-stream"] >= 1


def test_scanned_fixture_extension_end_to_end(registry):
    result = scan([REGISTRY / "demo-extension"])
    classified = classify(result.findings, result.declarations, registry, [r.name for r in result.roots])
    by_place = {(f.path, f.span.line, f.api): (f.status, f.rule_ids) for f in classified.findings}
    assert by_place[("modules/demo.js", 3, "mw.eventLog.submit")] == ("declared", ())
    assert by_place[("modules/demo.js", 10, "mw.eventLog.submit")] == ("undeclared-stream", ("IM101",))
    assert by_place[("modules/demo.js", 16, "mw.eventLog.submit")] == ("unregistered-client-stream", ("IM102",))
    assert by_place[("includes/DemoLogger.php", 13, "EventLogging::submit")] == ("schema-mismatch", ("IM105",))
    assert by_place[("modules/demo.js", 21, "mw.track")] == ("legacy-eventlogging", ("IM107",))
    # DemoStale is unused and its schema does not exist: the more severe status wins
    assert by_place[("extension.json", 8, "extension.json#attributes.EventLogging.Schemas")] == (
        "schema-mismatch", ("IM104", "IM107", "IM112"))
    assert {f.status for f in classified.findings} >= {"deprecated-graphite", "shadow", "unresolved"}
    assert all(f.status in STATUSES for f in classified.findings + classified.declaration_findings)


# --- the checks themselves --------------------------------------------------------------------


def scenario_rule_ids(registry) -> set[str]:
    """Every check fired by a scenario above, to show each one is exercised."""
    legacy, legacy_declaration = schema_declaration("DemoStale", "/analytics/legacy/demolegacy/1.2.0")
    items = [
        submit("mediawiki.demo_typo", line=1),
        submit("mediawiki.demo_server", "/analytics/demo/search/1.0.0", line=2),
        submit("mediawiki.demo_interaction", "/analytics/demo/typo/1.0.0", line=3),
        submit("mediawiki.demo_interaction", "/analytics/demo/interaction/1.10.0", line=4),
        submit("mediawiki.demo_interaction", "/analytics/demo/interaction/9.0.0", line=5),
        finding("statsv-counter", "counter.x", "metric", api="mw.track", line=6),
        submit(None, line=7),
        legacy,
    ]
    result = classify(items, [legacy_declaration], registry, SCOPE)
    return {rule for f in result.findings + result.declaration_findings for rule in f.rule_ids}


def test_every_check_is_exercised(registry):
    assert scenario_rule_ids(registry) == {c.id for c in load_checks().checks}


def test_checks_have_unique_ids_names_and_complete_docs():
    checks = load_checks().checks
    assert len({c.id for c in checks}) == len({c.name for c in checks}) == len(checks) == 12
    for check in checks:
        text = check.markdown()
        assert [line for line in text.splitlines() if line.startswith("## ")] == [f"## {t}" for _, t in DOC_SECTIONS]
        assert check.finding_status in STATUSES
    assert load_checks().by_id("IM101").name == "undeclared-stream"


@pytest.fixture(scope="module")
def checks_data() -> dict:
    return yaml.safe_load((RULES / "checks.yaml").read_text(encoding="utf-8"))


def test_a_missing_docs_section_fails_validation(checks_data):
    for key, _ in DOC_SECTIONS:
        broken = copy.deepcopy(checks_data)
        del broken["checks"][0]["docs"][key]
        with pytest.raises(RuleError, match=key):
            load_checks_from(broken, load_rules().families)


@pytest.mark.parametrize(("change", "message"), [
    (lambda data: data["checks"][1].update(id=data["checks"][0]["id"]), "duplicate check id"),
    (lambda data: data["checks"][1].update(name=data["checks"][0]["name"]), "duplicate check name"),
    (lambda data: data["checks"][0].update(name="UndeclaredStream"), "does not match"),
    (lambda data: data["checks"][0].update(severity="fatal"), "is not one of"),
    (lambda data: data["checks"][6]["applies_to"].update(families=["no-such-family"]), "unknown families"),
])
def test_bad_check_data_is_rejected(checks_data, change, message):
    broken = copy.deepcopy(checks_data)
    change(broken)
    with pytest.raises(RuleError, match=message):
        load_checks_from(broken, load_rules().families)
