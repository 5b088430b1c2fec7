"""Registry readers: stream config (PHP checkout, older InitialiseSettings, API JSON), schema
repositories, privacy hints, and what bad input does. Fixtures: fixtures/_registry/."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from analyzer.cache import Cache
from analyzer.registry import RegistryPathError, load_registry
from analyzer.registry.phpvalues import PhpSource, Unknown
from analyzer.registry.privacy import load_privacy_rules_from
from analyzer.registry.schemas import load_schema_repository, parse_schema_uri
from analyzer.registry.streams import php_regex, read_stream_config, stream_config_files
from analyzer.ruleset import RuleError

REGISTRY = Path(__file__).resolve().parent.parent / "fixtures" / "_registry"
CHECKOUT = REGISTRY / "mediawiki-config"
STREAM_CONFIG_FILE = "wmf-config/ext-EventStreamConfig.php"
SCHEMAS = (REGISTRY / "schemas-secondary", REGISTRY / "schemas-primary")


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first line containing text (so tests do not hard-code lines)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


@pytest.fixture(scope="module")
def config():
    streams, diagnostics = read_stream_config([CHECKOUT])
    return streams, diagnostics


# --- PHP array evaluation ---------------------------------------------------------------------


def evaluate(php_expression: str) -> object:
    php = PhpSource(f"<?php\n$x = {php_expression};\n".encode())
    [(_, element)] = list(php.config_entries(frozenset({"x"})))
    return php.evaluate(element.value)


@pytest.mark.parametrize(("source", "value"), [
    (r"'a\\b\'c\.d'", "a\\b'c\\.d"),  # single quotes unescape only \\ and \'
    (r'"tab\there\x41\u{263A}\$"', "tab\there\x41\u263a$"),
    ("'mediawiki.' . 'job' . 2", "mediawiki.job2"),
    ("( 'a' )", "a"),
    ("-2.5", -2.5),
    ("0x1F", 31),
    ("0755", 493),
    ("1_000", 1000),
    ("0", 0),
    ("TRUE", True),
    ("null", None),
    ("[ 'a', 'b' ]", ["a", "b"]),
    ("array( 'k' => [ 'n' => 1 ], 3 => 'x', 'y' )", {"k": {"n": 1}, 3: "x", 4: "y"}),
    ("[ 'k' => 1, 'k' => 2 ]", {"k": 2}),
])
def test_php_literals_evaluate_like_php(source, value):
    assert evaluate(source) == value


@pytest.mark.parametrize("source", ['"hello $name"', "SOME_CONSTANT", "Foo::BAR", "getenv( 'X' )", "'a' . $b"])
def test_php_non_literals_are_unknown_with_their_text(source):
    assert evaluate(source) == Unknown(source)


def test_php_regex_literals_translate_to_python():
    assert php_regex("/^mediawiki\\.job\\..+/").search("mediawiki.job.refreshLinks")
    assert not php_regex("/^mediawiki\\.job\\..+/").search("mediawiki.jobs")
    assert php_regex("#^A#i").search("abc")
    assert php_regex("mediawiki.job") is None
    assert php_regex("/unclosed(/") is None


# --- stream config: mediawiki-config checkout -------------------------------------------------


def test_checkout_reads_both_files_and_every_entry_shape(config):
    streams, _ = config
    assert streams.sources == (
        "mediawiki-config/wmf-config/ext-EventStreamConfig.php",
        "mediawiki-config/wmf-config/ext-EventLogging.php",
    )
    assert list(streams.streams) == [
        "eventlogging_DemoLegacy", "mediawiki.demo_interaction", "mediawiki.demo_search",
        "mediawiki.demo_server", "mediawiki.demo_unused", "mediawiki.demo_no_title",
        "mediawiki.demo_constant", "mediawiki.demo_list_style", "mediawiki.demo_routed",
        "product_metrics.demo_base", "/^mediawiki\\.demo_job\\..+/", "mediawiki.demo_testwiki_only",
    ]


def test_stream_settings_are_read(config):
    streams, _ = config
    interaction = streams.streams["mediawiki.demo_interaction"]
    assert interaction.schema_title == "analytics/demo/interaction"
    assert interaction.destination_event_service == "eventgate-analytics-external"
    assert (interaction.sample.rate, interaction.sample.unit) == (0.25, "session")
    assert interaction.metrics_platform_client.provide_values == ("performer_session_id", "mediawiki_skin")
    assert interaction.consumers["analytics_hadoop_ingestion"] == {"job_name": "event_default", "enabled": True}
    routed = streams.streams["mediawiki.demo_routed"].metrics_platform_client
    assert (routed.events, routed.stream_name) == (("demo.",), "mediawiki.demo_routed")
    assert streams.streams["mediawiki.demo_search"].destination_event_service == "eventgate-analytics-external"


def test_every_stream_records_where_it_is_declared(config):
    streams, _ = config
    php = CHECKOUT / STREAM_CONFIG_FILE
    [where] = streams.streams["mediawiki.demo_unused"].locations
    assert (where.repository, where.path, where.line, where.wiki) == (
        "mediawiki-config", STREAM_CONFIG_FILE, line_of(php, "'mediawiki.demo_unused' =>"), "default")


def test_per_wiki_entries_merge_into_the_default_one(config):
    streams, _ = config
    interaction = streams.streams["mediawiki.demo_interaction"]
    assert interaction.wikis == ("default", "+testwiki")
    assert interaction.settings_for("testwiki")["sample"] == {"unit": "session", "rate": 1}
    assert interaction.settings_for("enwiki")["sample"] == {"unit": "session", "rate": 0.25}
    only_testwiki = streams.streams["mediawiki.demo_testwiki_only"]
    assert only_testwiki.wikis == ("+testwiki",)
    assert only_testwiki.schema_title == "analytics/demo/interaction"


def test_default_settings_fill_in_top_level_settings_a_stream_does_not_set(config):
    streams, _ = config
    legacy = streams.effective_settings(streams.streams["eventlogging_DemoLegacy"])
    assert legacy["topic_prefixes"] is None  # explicitly unset by the stream
    assert legacy["producers"]["eventgate"]["enrich_fields_from_http_headers"] == {
        "http.request_headers.user-agent": "user-agent"}  # replaced as a whole, not merged
    assert legacy["canary_events_enabled"] is True
    search = streams.effective_settings(streams.streams["mediawiki.demo_search"])
    assert search["topic_prefixes"] == ["eqiad.", "codfw."]
    headers = search["producers"]["eventgate"]["enrich_fields_from_http_headers"]
    assert headers["http.request_headers.user-agent"] is False


def test_list_style_entries_are_named_by_their_stream_setting(config):
    streams, _ = config
    listed = streams.streams["mediawiki.demo_list_style"]
    assert listed.schema_title == "analytics/demo/interaction"
    # the entry starts at its bracket, the line above its 'stream' setting
    stream_line = line_of(CHECKOUT / STREAM_CONFIG_FILE, "'stream' => 'mediawiki.demo_list_style'")
    assert listed.locations[0].line == stream_line - 1


def test_regex_stream_entries_match_stream_names(config):
    streams, _ = config
    job = streams.lookup("mediawiki.demo_job.refreshLinks")
    assert job.name == "/^mediawiki\\.demo_job\\..+/" and job.is_regex
    assert job.canary_events_enabled is False
    assert job.wikis == ("default", "+private")
    assert streams.lookup("mediawiki.demo_jobs") is None
    assert streams.lookup("mediawiki.demo_interaction").name == "mediawiki.demo_interaction"


def test_client_stream_names_are_read_per_wiki(config):
    streams, _ = config
    assert streams.client_registered("mediawiki.demo_interaction") is True
    assert streams.client_registered("mediawiki.demo_server") is False
    [where] = streams.client_streams["mediawiki.demo_testwiki_only"]
    assert where.wiki == "+testwiki" and where.path == "wmf-config/ext-EventLogging.php"
    assert "mediawiki.demo_client_only" in streams.client_streams  # listed but not declared
    assert streams.lookup("mediawiki.demo_client_only") is None


def test_metrics_platform_events_route_by_prefix(config):
    streams, _ = config
    assert [d.name for d in streams.routes_event("demo.button.click")] == ["mediawiki.demo_routed"]
    assert streams.routes_event("other.click") == []


def test_entry_problems_are_diagnostics_naming_file_and_entry(config):
    _, diagnostics = config
    php = CHECKOUT / STREAM_CONFIG_FILE
    found = {(d.code, d.path, d.span.line): d.message for d in diagnostics}
    no_title = found[("stream-without-schema-title", STREAM_CONFIG_FILE, line_of(php, "'mediawiki.demo_no_title'"))]
    assert "mediawiki.demo_no_title" in no_title
    constant = found[("registry-unknown-value", STREAM_CONFIG_FILE, line_of(php, "'mediawiki.demo_constant'"))]
    assert "DEMO_EVENT_SERVICE" in constant
    assert len(diagnostics) == 2


def test_an_empty_client_list_still_counts_as_read(tmp_path):
    php = tmp_path / "ext-EventLogging.php"
    php.write_text("<?php\nreturn [ 'wgEventLoggingStreamNames' => [ 'default' => [] ] ];\n")
    streams, diagnostics = read_stream_config([php])
    assert diagnostics == [] and streams.client_registered("mediawiki.demo_interaction") is False


def test_older_initialise_settings_layout_with_list_entries():
    streams, diagnostics = read_stream_config([REGISTRY / "old-mediawiki-config"])
    assert streams.sources == ("old-mediawiki-config/wmf-config/InitialiseSettings.php",)
    assert list(streams.streams) == ["eventlogging_DemoLegacy", "/^mediawiki\\.demo_job\\..+/"]
    assert streams.lookup("mediawiki.demo_job.x").schema_title == "mediawiki/job"
    assert streams.client_registered("eventlogging_DemoLegacy") is True
    [problem] = diagnostics
    assert problem.code == "stream-entry-without-name"
    assert problem.span.line == line_of(REGISTRY / "old-mediawiki-config/wmf-config/InitialiseSettings.php",
                                        "'schema_title' => 'analytics/demo/interaction'") - 1


def test_streamconfigs_api_json():
    streams, diagnostics = read_stream_config([REGISTRY / "streamconfigs.json"])
    assert diagnostics == []
    assert list(streams.streams) == [
        "eventlogging_DemoLegacy", "mediawiki.demo_interaction", "/^mediawiki\\.demo_job\\..+/"]
    assert streams.lookup("mediawiki.demo_job.x").destination_event_service == "eventgate-main"
    assert streams.streams["mediawiki.demo_interaction"].sample.rate == 0.25
    assert streams.streams["mediawiki.demo_interaction"].locations[0].line == line_of(
        REGISTRY / "streamconfigs.json", '"mediawiki.demo_interaction": {')
    assert streams.client_streams is None  # the API does not say which streams the browser gets
    assert streams.client_registered("mediawiki.demo_interaction") is None


def test_path_kinds_are_detected(tmp_path):
    assert [(s.path, kind) for s, kind in stream_config_files(CHECKOUT)] == [
        ("wmf-config/ext-EventStreamConfig.php", "php"), ("wmf-config/ext-EventLogging.php", "php")]
    [(source, kind)] = stream_config_files(CHECKOUT / STREAM_CONFIG_FILE)
    assert (source.repository, source.path, kind) == ("mediawiki-config", STREAM_CONFIG_FILE, "php")
    no_suffix = tmp_path / "saved-api-output"
    no_suffix.write_bytes((REGISTRY / "streamconfigs.json").read_bytes())
    [(source, kind)] = stream_config_files(no_suffix)
    assert (source.path, kind) == ("saved-api-output", "json")


@pytest.mark.parametrize("make", [
    lambda tmp: tmp / "missing",
    lambda tmp: tmp,  # a directory that is not a mediawiki-config checkout
    lambda tmp: (tmp / "notes.txt", (tmp / "notes.txt").write_text("streams: none\n"))[0],
])
def test_paths_that_are_not_stream_configs_raise(tmp_path, make):
    with pytest.raises(RegistryPathError):
        read_stream_config([make(tmp_path)])


def test_php_syntax_error_is_a_diagnostic_and_the_rest_is_read(tmp_path):
    broken = tmp_path / "ext-EventStreamConfig.php"
    broken.write_text(
        "<?php\nreturn [\n'wgEventStreams' => [\n\t'default' => [\n"
        "\t\t'mediawiki.before' => [ 'schema_title' => 'analytics/a' ],\n"
        "\t\t'mediawiki.broken' => [ 'schema_title' => ,, ],\n"
        "\t\t'mediawiki.after' => [ 'schema_title' => 'analytics/b' ],\n"
        "\t],\n],\n];\n"
    )
    streams, diagnostics = read_stream_config([broken])
    assert {"mediawiki.before", "mediawiki.after"} <= set(streams.streams)
    errors = [d for d in diagnostics if d.code == "registry-parse-error"]
    assert errors and errors[0].path == "ext-EventStreamConfig.php" and errors[0].span.line == 6


def test_php_file_without_stream_config_is_a_diagnostic(tmp_path):
    other = tmp_path / "CommonSettings.php"
    other.write_text("<?php\n$wgSitename = 'Demo';\n")
    streams, [problem] = read_stream_config([other])
    assert streams.streams == {} and problem.code == "no-stream-config"


def test_json_problems_are_diagnostics_and_the_rest_is_read(tmp_path):
    bad = tmp_path / "streams.json"
    bad.write_text('{"streams": {\n"a.ok": {"schema_title": "analytics/a"},\n"b.bad": ["list"]\n}}\n')
    streams, [problem] = read_stream_config([bad])
    assert list(streams.streams) == ["a.ok"]
    assert (problem.code, problem.span.line) == ("registry-unknown-value", 3)
    not_api = tmp_path / "other.json"
    not_api.write_text('{"name": "x"}')
    _, [problem] = read_stream_config([not_api])
    assert problem.code == "no-stream-config"


# --- schema repositories ----------------------------------------------------------------------


def test_schema_uris_parse_into_title_and_version():
    assert parse_schema_uri("/analytics/session_tick/2.0.0") == ("analytics/session_tick", "2.0.0")
    assert parse_schema_uri("/fragment/http/client_ip/1.0.0#") == ("fragment/http/client_ip", "1.0.0")
    assert parse_schema_uri("analytics/demo") == ("analytics/demo", None)


def test_schema_repository_index():
    repository, diagnostics = load_schema_repository(REGISTRY / "schemas-secondary")
    assert repository.name == "schemas-secondary"
    assert sorted(repository.titles) == [
        "analytics/demo/broken", "analytics/demo/interaction", "analytics/demo/search",
        "analytics/legacy/demolegacy", "analytics/mediawiki/client/metrics_event",
        "fragment/analytics/demo_common", "fragment/analytics/demo_session",
    ]
    interaction = repository.titles["analytics/demo/interaction"]
    assert interaction.versions == ("1.0.0", "1.9.0", "1.10.0", "2.0.0")  # semver order
    assert interaction.current_id == "/analytics/demo/interaction/2.0.0"
    assert interaction.newer_majors("1.10.0") == ("2.0.0",)
    search = repository.titles["analytics/demo/search"]  # only current.yaml: 1.0.0 not materialised
    assert search.versions == ("1.0.0",) and search.files["1.0.0"].name == "current.yaml"
    assert repository.titles["fragment/analytics/demo_common"].is_fragment
    assert not interaction.is_fragment
    [problem] = diagnostics
    assert (problem.code, problem.repository, problem.path, problem.severity) == (
        "schema-yaml-error", "schemas-secondary", "jsonschema/analytics/demo/broken/current.yaml", "error")
    assert problem.span.line == 5


def test_schema_paths_may_name_the_jsonschema_directory():
    repository, _ = load_schema_repository(REGISTRY / "schemas-primary" / "jsonschema")
    assert repository.name == "schemas-primary"
    assert sorted(repository.titles) == ["fragment/http/client_ip", "mediawiki/job"]


def test_paths_that_are_not_schema_repositories_raise(tmp_path):
    with pytest.raises(RegistryPathError):
        load_schema_repository(tmp_path / "missing")
    with pytest.raises(RegistryPathError):
        load_schema_repository(CHECKOUT)


def test_load_registry_combines_sources():
    registry, diagnostics = load_registry([CHECKOUT], SCHEMAS)
    assert registry.schemas.repositories == ("schemas-secondary", "schemas-primary")
    assert registry.schemas.title("/fragment/http/client_ip/").repository == "schemas-primary"
    assert registry.stream("mediawiki.demo_job.x").schema_title == "mediawiki/job"
    assert {d.code for d in diagnostics} == {
        "stream-without-schema-title", "registry-unknown-value", "schema-yaml-error"}


def test_load_registry_raises_for_a_missing_schema_path():
    with pytest.raises(RegistryPathError, match="does not exist"):
        load_registry([CHECKOUT], [REGISTRY / "no-such-repo"])


def test_a_broken_versioned_schema_is_reported_when_read(tmp_path):
    copy = tmp_path / "schemas"
    shutil.copytree(REGISTRY / "schemas-secondary", copy)
    (copy / "jsonschema/analytics/demo/interaction/2.0.0.yaml").write_text("properties: [unclosed\n")
    registry, _ = load_registry([CHECKOUT], [copy, REGISTRY / "schemas-primary"])
    hints = registry.privacy(registry.stream("mediawiki.demo_interaction"), "/analytics/demo/interaction/2.0.0")
    assert [d.code for d in registry.late_diagnostics] == ["schema-yaml-error"]
    assert registry.late_diagnostics[0].path == "jsonschema/analytics/demo/interaction/2.0.0.yaml"
    assert "client-ip" not in hints.categories


def _loaded(cache: Cache, schemas: Path) -> tuple:
    registry, diagnostics = load_registry([CHECKOUT], [schemas, REGISTRY / "schemas-primary"], cache)
    hints = registry.privacy(registry.stream("mediawiki.demo_interaction"), "/analytics/demo/interaction/2.0.0")
    return (registry.streams.exact_names(), sorted(registry.schemas.titles),
            [registry.schemas.titles[t].current_id for t in sorted(registry.schemas.titles)],
            sorted(hints.categories), [(d.code, d.path) for d in diagnostics])


def test_a_registry_read_before_is_not_parsed_again_and_an_edit_is(tmp_path, monkeypatch):
    """A rescan with a registry reads its files, but parses what it parsed before only when the
    bytes changed (parsing the schema YAML was most of such a rescan)."""
    from analyzer.registry import schemas, streams

    copy = tmp_path / "schemas"
    shutil.copytree(REGISTRY / "schemas-secondary", copy)
    first = _loaded(Cache(tmp_path / "cache"), copy)
    with monkeypatch.context() as patched:
        patched.setattr(schemas, "read_yaml", lambda text: pytest.fail("YAML parsed again"))
        patched.setattr(streams, "_read_php", lambda *args: pytest.fail("PHP read again"))
        assert _loaded(Cache(tmp_path / "cache"), copy) == first
    version = copy / "jsonschema/analytics/demo/interaction/2.0.0.yaml"
    version.write_text(version.read_text().replace("client_ip", "client_address"))
    edited = _loaded(Cache(tmp_path / "cache"), copy)
    assert edited != first and edited == _loaded(Cache(None), copy)


# --- privacy hints ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def registry():
    return load_registry([CHECKOUT], SCHEMAS)[0]


def test_privacy_follows_fragment_refs_across_repositories(registry):
    hints = registry.privacy(registry.stream("mediawiki.demo_search"), "/analytics/demo/search/1.0.0")
    assert hints.schema == "/analytics/demo/search/1.0.0"
    evidence = {(e.category, e.source, e.detail) for e in hints.evidence}
    assert evidence == {
        ("client-ip", "fragment", "/fragment/http/client_ip/1.0.0"),  # via demo_common, in the other repo
        ("client-ip", "field", "http.client_ip"),
        ("user-identity", "field", "performer.name"),
        ("session-token", "field", "session_id"),  # via demo_session, which refers back (a cycle)
        ("free-text", "field", "search_query"),
        ("geolocation", "field", "user_country"),
    }
    assert hints.notes == ()


def test_privacy_reads_materialised_versions_and_stream_settings(registry):
    hints = registry.privacy(registry.stream("mediawiki.demo_interaction"), "/analytics/demo/interaction/2.0.0")
    evidence = {(e.category, e.source, e.detail) for e in hints.evidence}
    assert ("client-ip", "field", "http.client_ip") in evidence
    assert ("session-token", "provide-values", "performer_session_id") in evidence
    assert not any(e.detail == "comment" for e in hints.evidence)  # a boolean carries no text
    assert "user-agent" not in hints.categories  # the default setting leaves user-agent off
    legacy = registry.privacy(registry.stream("eventlogging_DemoLegacy"), None)
    assert ("user-agent", "stream-config",
            "producers.eventgate.enrich_fields_from_http_headers.http.request_headers.user-agent") in {
        (e.category, e.source, e.detail) for e in legacy.evidence}
    assert {"client-ip", "session-token", "free-text"} <= set(legacy.categories)  # ip, pageViewId, message


def test_privacy_falls_back_to_the_newest_version_and_says_so(registry):
    hints = registry.privacy(None, "/analytics/demo/interaction/7.0.0")
    assert hints.schema == "/analytics/demo/interaction/2.0.0"
    assert hints.notes == (("schema analytics/demo/interaction: version 7.0.0 is not in the schema repositories; "
                           "read 2.0.0 instead"),)
    assert registry.privacy(None, "/analytics/nothing/1.0.0").notes == (
        "schema analytics/nothing is not in the schema repositories",)


def test_free_text_needs_an_unconstrained_string():
    rules = load_privacy_rules_from({"categories": {"free-text": {
        "title": "Free text", "fields": ["query"], "free_form_only": True}}})
    [category] = rules.categories
    assert category.matches_property("query", "query", {"type": "string"})
    assert category.matches_property("query", "query", {"type": ["string", "null"]})
    assert not category.matches_property("query", "query", {"type": "string", "maxLength": 64})
    assert not category.matches_property("query", "query", {"type": "string", "enum": ["a"]})


def test_privacy_rules_are_validated():
    with pytest.raises(RuleError, match=r"privacy\.yaml"):
        load_privacy_rules_from({"categories": {"client-ip": {"title": "Client IP"}}})  # matches nothing
    with pytest.raises(RuleError, match=r"privacy\.yaml"):
        load_privacy_rules_from({"categories": {"x": {"title": "Bad", "fields": ["(unclosed"]}}})


# --- the real registries (optional) -----------------------------------------------------------

def first_directory(*candidates: Path) -> Path:
    return next((path for path in candidates if path.is_dir()), candidates[0])


WORKSPACE = Path(__file__).resolve().parent.parent.parent  # the checkout's parent: corpus/ and shared/
REAL_CONFIG = first_directory(WORKSPACE / "corpus" / "operations-mediawiki-config",
                              Path("/work/corpus/operations-mediawiki-config"))
REAL_SCHEMAS = first_directory(WORKSPACE / "shared" / "registry", Path("/work/shared/registry"))


@pytest.mark.skipif(not (REAL_CONFIG.is_dir() and REAL_SCHEMAS.is_dir()),
                    reason="needs the mediawiki-config corpus export and shared/registry schema snapshots")
def test_real_registries_load_quickly_and_completely():
    started = time.perf_counter()
    registry, diagnostics = load_registry(
        [REAL_CONFIG], [REAL_SCHEMAS / "schemas-event-primary", REAL_SCHEMAS / "schemas-event-secondary"])
    elapsed = time.perf_counter() - started
    streams = registry.streams
    assert len(streams.streams) >= 200 and len(streams.client_streams) >= 50
    assert {"/^mediawiki\\.job\\..+/", "mediawiki.talk_page_edit"} <= set(streams.streams)  # regex, list style
    assert streams.lookup("mediawiki.job.refreshLinks").schema_title == "mediawiki/job"
    assert "+testwiki" in streams.streams["mediawiki.web_ui_actions"].wikis
    assert all(d.schema_title for d in streams.streams.values())
    assert len(registry.schemas.titles) >= 150
    assert registry.schemas.title("analytics/legacy/searchsatisfaction").latest is not None
    assert not [d for d in diagnostics if d.severity == "error"]
    assert elapsed < 5, f"loading the real registries took {elapsed:.2f}s"
    hints = registry.privacy(streams.lookup("eventlogging_SearchSatisfaction"), None)
    assert {"client-ip", "free-text", "session-token"} <= set(hints.categories)
