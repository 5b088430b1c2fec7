"""What makes big scans fast must never change what they find: the prefilter, the cache and
parallel parsing are checked against the plain way."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from fixturelib import FIXTURES, aged, fixture_names, git, snapshot

from analyzer import discover as discover_stage
from analyzer import pipeline
from analyzer.cache import Cache
from analyzer.parse import parse_files
from analyzer.pipeline import ScanOptions, scan
from analyzer.prefilter import mentioning


@pytest.mark.parametrize("name", fixture_names())
def test_prefilter_finds_exactly_what_a_full_parse_finds(name):
    with_prefilter = snapshot(scan([FIXTURES / name], ScanOptions(prefilter=True)))
    without = snapshot(scan([FIXTURES / name], ScanOptions(prefilter=False)))
    assert with_prefilter["findings"] == without["findings"]


def test_prefilter_parses_fewer_files_and_pulls_in_what_resolution_needs(tmp_path):
    (tmp_path / "a.js").write_text("const { logAction } = require( './b.js' );\nlogAction( 'save' );\n")
    (tmp_path / "b.js").write_text(
        "const PREFIX = require( './names.js' ).PREFIX;\n"
        "function logAction( action ) { mw.track( PREFIX + action ); }\nmodule.exports = { logAction };\n"
    )
    (tmp_path / "names.js").write_text("module.exports = { PREFIX: 'counter.demo.' };\n")
    (tmp_path / "unrelated.js").write_text("console.log( 'nothing to see' );\n")
    result = scan([tmp_path], ScanOptions(prefilter=True))
    assert result.roots[0].files_scanned == 3  # b.js has the trigger; names.js and a.js are needed
    wrapper = next(f for f in result.findings if f.path == "a.js")
    assert (wrapper.name, wrapper.resolution) == ("counter.demo.save", "wrapper-argument")


def test_prefilter_follows_subclasses_of_what_this_reads_and_not_generic_names(tmp_path):
    (tmp_path / "logger.js").write_text(
        "class Logger {\n  constructor() { this.stream = 'demo.base'; }\n"
        "  click() { mw.eventLog.submit( this.stream, {} ); mw.track( 'counter.x.' + Date.now() ); }\n}\n"
        "module.exports = Logger;\n"
    )
    (tmp_path / "special.js").write_text(
        "const Logger = require( './logger.js' );\n"
        "class SpecialLogger extends Logger {\n  constructor() { super(); this.stream = 'demo.special'; }\n}\n"
    )
    # Mentions the name of the function around the calls, but neither calls it nor subclasses.
    (tmp_path / "button.js").write_text("$( '.x' ).on( 'click', function () {} );\n")
    result = scan([tmp_path], ScanOptions(prefilter=True))
    assert result.roots[0].files_scanned == 2
    submit = next(f for f in result.findings if f.api == "mw.eventLog.submit")
    assert sorted(submit.candidates) == ["demo.base", "demo.special"]


def test_subclasses_of_subclasses_are_pulled_in_before_the_root_is_analysed_again(tmp_path, monkeypatch):
    (tmp_path / "logger.js").write_text(
        "class Logger {\n  constructor() { this.stream = 'demo.base'; }\n"
        "  click() { mw.eventLog.submit( this.stream, {} ); }\n}\nmodule.exports = Logger;\n"
    )
    (tmp_path / "special.js").write_text(
        "const Logger = require( './logger.js' );\n"
        "class SpecialLogger extends Logger {}\nmodule.exports = SpecialLogger;\n"
    )
    # Only reachable through special.js: neither names Logger nor has a trigger.
    (tmp_path / "extra.js").write_text(
        "const SpecialLogger = require( './special.js' );\n"
        "class ExtraLogger extends SpecialLogger {\n  constructor() { super(); this.stream = 'demo.extra'; }\n}\n"
    )
    analyses = []
    analyze_root = pipeline.analyze_root
    monkeypatch.setattr(pipeline, "analyze_root", lambda index, *a: analyses.append(len(index.files)) or
                        analyze_root(index, *a))
    result = scan([tmp_path], ScanOptions(prefilter=True))
    submit = next(f for f in result.findings if f.api == "mw.eventLog.submit")
    assert sorted(submit.candidates) == ["demo.base", "demo.extra"]
    # One analysis with logger.js; then special.js (names Logger) is parsed, and extra.js (names
    # its subclass) with it, before the one analysis of all three.
    assert analyses == [1, 3]
    assert snapshot(result)["findings"] == snapshot(scan([tmp_path], ScanOptions(prefilter=False)))["findings"]


def test_a_learned_name_is_looked_for_only_in_the_languages_that_can_use_it(tmp_path):
    (tmp_path / "logger.js").write_text(
        "class Logger {\n  constructor() { this.stream = 'demo.base'; }\n"
        "  click() { mw.eventLog.submit( this.stream, {} ); }\n}\nmodule.exports = Logger;\n"
    )
    (tmp_path / "special.js").write_text("class SpecialLogger extends Logger {}\n")
    # Same words, other languages: no JavaScript class is constructed or subclassed here.
    (tmp_path / "tool.py").write_text("from logging import Logger\n\nlog = Logger('tool')\n")
    (tmp_path / "Logger.php").write_text("<?php\nclass FileLogger extends Logger {}\n")
    result = scan([tmp_path], ScanOptions(prefilter=True))
    assert result.roots[0].files_scanned == 2
    assert snapshot(result)["findings"] == snapshot(scan([tmp_path], ScanOptions(prefilter=False)))["findings"]


def test_callers_of_a_helper_are_found_by_a_call_of_it_not_a_mention(tmp_path):
    (tmp_path / "Funnel.kt").write_text(
        "package org.wikipedia.analytics.eventplatform\n\n"
        "sealed class Event(val stream: String)\n\n"
        "object Funnel {\n    fun log(action: String) {\n"
        "        EventPlatformClient.submit(ClickEvent(action))\n    }\n}\n\n"
        "@SerialName(\"/analytics/demo/click/1.0.0\")\n"
        "class ClickEvent(val action: String) : Event(\"demo.click\")\n"
    )
    # `log` is also a package here: the file is no caller, and is not parsed for it.
    (tmp_path / "Settings.kt").write_text(
        "package org.wikipedia.settings\n\nimport org.wikipedia.util.log.L\n\n"
        "class Settings { fun save() = L.d(\"saved\") }\n"
    )
    (tmp_path / "Page.kt").write_text(
        "package org.wikipedia.page\n\nimport org.wikipedia.analytics.eventplatform.Funnel\n\n"
        "class Page {\n    fun open() {\n        Funnel.log (\"open\")\n    }\n}\n"
    )
    result = scan([tmp_path], ScanOptions(prefilter=True))
    assert result.roots[0].files_scanned == 2
    caller = next(f for f in result.findings if f.path == "Page.kt")
    assert (caller.name, caller.schema) == ("demo.click", "/analytics/demo/click/1.0.0")
    assert snapshot(result)["findings"] == snapshot(scan([tmp_path], ScanOptions(prefilter=False)))["findings"]


def test_mentioning_finds_the_same_files_for_few_words_and_for_many():
    files = {
        "calls.js": b"funnel.logClick( 'x' );",
        "subclass.kt": b"class B : BaseActivity() {",
        "imports.kt": b"import org.wikipedia.activity.BaseActivity",
        "prefix.js": b"mylogClick( 'x' );",
        "other.js": b"nothing( 'here' );",
    }
    filler = [f"Unrelated{i}Name" for i in range(20)]  # more words than the substring search takes
    few = mentioning({"BaseActivity"}, files, calls={"logClick"})
    many = mentioning({"BaseActivity", *filler}, files, calls={"logClick", *filler})
    assert few == many == {"calls.js", "subclass.kt"}


@pytest.mark.parametrize("text, found", [
    ("funnel.logClick( 'x' );", True),
    ("funnel.logClick\n    ( 'x' );", True),
    ("logClick<T>( 'x' )", True),
    ("logClick { x }", True),
    ("[funnel logClickWithAction:x];", True),
    ("[funnel logClick];", True),
    ("logClick.call( this, 'x' );", True),
    ("funnel.logClick?.( 'x' );", True),
    ("import org.demo.logClick.Util", False),
    ("const logClicked = 1; mylogClick( 'x' );", False),
])
def test_mentioning_a_function_means_calling_it(text, found):
    assert bool(mentioning((), {"a": text.encode()}, calls={"logClick"})) is found


@pytest.mark.parametrize("text, found", [
    ("class B : BaseActivity() {", True),
    ("class B :\n    BaseActivity(),\n    Listener {", True),
    ("OO.inheritClass( X, mw.BaseActivity );", True),
    ("class B extends BaseActivity<T> implements I {", True),
    ("@interface WMFB : BaseActivity", True),
    ("extension BaseActivity {", True),
    ("fun BaseActivity.trackOpen() = Unit", True),
    ("val <T> BaseActivity.tracker: Tracker get() = Tracker(this)", True),
    ("val page = new BaseActivity;", True),
    ("import org.wikipedia.activity.BaseActivity", False),
    ("use MediaWiki\\Activity\\BaseActivity;", False),
    ("startActivity(BaseActivity.newIntent(context))", False),
    ("val c = BaseActivity::class.java", False),
    ("class B : MyBaseActivity()", False),
    (" * @param BaseActivity $page the page", False),
    ("// a BaseActivity subclass would go here", False),
    ("# BaseActivity", False),
    ("public function __construct( BaseActivity $page, BaseActivity &$other, BaseActivity ...$more ) {", False),
    ("#define WMFActivityClass BaseActivity", True),
    ("$page = new BaseActivity( $context ); // BaseActivity", True),
])
def test_mentioning_a_class_means_where_a_subclass_or_a_construction_could_name_it(text, found):
    assert bool(mentioning({"BaseActivity"}, {"a": text.encode()})) is found


def write_files(root: Path, count: int) -> dict[str, bytes]:
    data = {}
    for i in range(count):
        text = f"const TOPIC_{i} = 'counter.demo.{i}';\nmw.track( TOPIC_{i} );\n".encode()
        (root / f"f{i}.js").write_bytes(text)
        data[f"f{i}.js"] = text
    return data


def test_facts_cache_hits_on_the_same_content_only(tmp_path):
    data = write_files(tmp_path, 3)
    cold = Cache(tmp_path / "cache")
    first = parse_files(sorted(data), data, cold)
    assert (cold.hits, cold.misses) == (0, 3)
    warm = Cache(tmp_path / "cache")
    second = parse_files(sorted(data), {**data, "f0.js": b"mw.track( 'changed' );\n"}, warm)
    assert (warm.hits, warm.misses) == (2, 1)
    assert second.facts["f1.js"] == first.facts["f1.js"]
    assert second.facts["f0.js"] != first.facts["f0.js"]


def test_corrupt_cache_entries_are_misses_not_errors(tmp_path):
    data = write_files(tmp_path, 1)
    cache = Cache(tmp_path / "cache")
    parse_files(["f0.js"], data, cache)
    for entry in (tmp_path / "cache").rglob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    again = Cache(tmp_path / "cache")
    outcome = parse_files(["f0.js"], data, again)
    assert again.misses == 1 and "f0.js" in outcome.facts


def test_roots_scanned_in_parallel_give_the_same_result():
    roots = [FIXTURES / name for name in ("js-resolution", "php-resolution", "demo-extension")]
    serial = scan(roots, ScanOptions(jobs=1))
    parallel = scan(roots, ScanOptions(jobs=2))
    assert parallel == serial


def test_warm_scan_reuses_the_root_and_sees_changes(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "a.js").write_text("mw.track( 'counter.before' );\n")
    options = ScanOptions(cache_dir=tmp_path / "cache")
    assert [f.name for f in scan([root], options).findings] == ["counter.before"]
    assert [f.name for f in scan([root], options).findings] == ["counter.before"]
    (root / "a.js").write_text("mw.track( 'counter.after' );\n")
    later = time.time() + 5
    os.utime(root / "a.js", (later, later))
    assert [f.name for f in scan([root], options).findings] == ["counter.after"]


def cached(cache_dir: Path, kind: str) -> list[Path]:
    return list(cache_dir.glob(f"*/{kind}/*/*.pickle"))


def test_a_rescan_finds_a_file_added_since_the_last_scan(tmp_path, monkeypatch):
    """The last scan's file list is reused while no directory changed: a new file must still be
    found, although no file the last scan read has changed (the cached result would do)."""
    monkeypatch.setattr(discover_stage, "RACY_WINDOW_NS", 0)  # trust stamps from a moment ago
    root = tmp_path / "repo"
    (root / "modules" / "deep").mkdir(parents=True)
    (root / "modules" / "deep" / "a.js").write_text("mw.track( 'counter.a' );\n")
    aged(root)
    options = ScanOptions(cache_dir=tmp_path / "cache")
    assert [f.name for f in scan([root], options).findings] == ["counter.a"]
    assert cached(tmp_path / "cache", "discovery") and cached(tmp_path / "cache", "roots")
    (root / "modules" / "deep" / "b.js").write_text("mw.track( 'counter.b' );\n")
    assert [f.name for f in scan([root], options).findings] == ["counter.a", "counter.b"]


def test_a_rescan_of_an_unchanged_tree_skips_discovery_but_sees_an_edit_that_kept_size_and_mtime(
        tmp_path, monkeypatch):
    monkeypatch.setattr(discover_stage, "RACY_WINDOW_NS", 0)  # trust stamps from a moment ago
    root = tmp_path / "repo"
    (root / "modules").mkdir(parents=True)
    source = root / "modules" / "a.js"
    source.write_text("mw.track( 'counter.aaa' );\n")
    aged(root)
    options = ScanOptions(cache_dir=tmp_path / "cache")
    assert [f.name for f in scan([root], options).findings] == ["counter.aaa"]
    with monkeypatch.context() as patched:
        patched.setattr(pipeline, "discover_root", lambda *args: pytest.fail("discovered again"))
        assert [f.name for f in scan([root], options).findings] == ["counter.aaa"]
    before = source.stat()
    source.write_text("mw.track( 'counter.bbb' );\n")
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))  # only the change time tells
    assert [f.name for f in scan([root], options).findings] == ["counter.bbb"]


def test_parsed_files_are_kept_once_a_root_is_scanned_again(tmp_path, monkeypatch):
    """A first scan (each root of a sweep) does not write its parsed files; once a root is
    scanned again it is being worked on, and they are kept: the next edit parses one file."""
    from analyzer import parse

    monkeypatch.setattr(discover_stage, "RACY_WINDOW_NS", 0)  # trust stamps from a moment ago
    root = tmp_path / "repo"
    (root / "modules").mkdir(parents=True)
    for name in ("a", "b", "c"):
        (root / "modules" / f"{name}.js").write_text(f"mw.track( 'counter.{name}' );\n")
    aged(root)
    options = ScanOptions(cache_dir=tmp_path / "cache")
    scan([root], options)
    assert cached(tmp_path / "cache", "facts") == []
    (root / "modules" / "a.js").write_text("mw.track( 'counter.aa' );\n")
    scan([root], options)
    assert len(cached(tmp_path / "cache", "facts")) == 3
    lowered, lower_file = [], parse.lower_file
    monkeypatch.setattr(parse, "lower_file", lambda task: lowered.append(task[0]) or lower_file(task))
    (root / "modules" / "a.js").write_text("mw.track( 'counter.aaa' );\n")
    assert [f.name for f in scan([root], options).findings] == ["counter.aaa", "counter.b", "counter.c"]
    assert lowered == ["modules/a.js"]


def test_a_tree_changed_just_before_a_scan_is_not_trusted_to_be_unchanged_later(tmp_path, monkeypatch):
    """A file written again within the same tick of the clock keeps its modification time: what
    changed moments before a scan is never remembered as unchanged (git's racy-clean files).
    The result itself is remembered under its content, which needs no trust in stamps."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "a.js").write_text("mw.track( 'counter.a' );\n")
    options = ScanOptions(cache_dir=tmp_path / "cache")
    scan([root], options)
    assert cached(tmp_path / "cache", "discovery") == cached(tmp_path / "cache", "state") == []
    assert len(cached(tmp_path / "cache", "roots")) == 1
    monkeypatch.setattr(discover_stage, "RACY_WINDOW_NS", 0)
    scan([root], options)
    assert len(cached(tmp_path / "cache", "discovery")) == len(cached(tmp_path / "cache", "state")) == 1
    assert len(cached(tmp_path / "cache", "roots")) == 1  # the same content: the same entry


def test_a_fresh_copy_of_analysed_files_is_not_analysed_again(tmp_path, monkeypatch):
    """A new checkout of the same commit (new modification times, the same bytes: a CI run with
    its cache kept) is read, but not parsed or analysed again."""
    monkeypatch.setattr(discover_stage, "RACY_WINDOW_NS", 0)
    root = tmp_path / "repo"
    (root / "modules").mkdir(parents=True)
    (root / "modules" / "a.js").write_text("mw.track( 'counter.a' );\n")
    options = ScanOptions(cache_dir=tmp_path / "cache")
    first = scan([root], options)
    later = time.time() + 10
    for path in [root, *root.rglob("*")]:
        os.utime(path, (later, later))
    monkeypatch.setattr(pipeline, "analyse_in_rounds", lambda *args: pytest.fail("analysed again"))
    assert scan([root], options) == first


def test_a_commit_that_changes_no_file_still_changes_the_reported_revision(tmp_path, monkeypatch):
    monkeypatch.setattr(discover_stage, "RACY_WINDOW_NS", 0)
    root = tmp_path / "repo"
    root.mkdir()
    (root / "a.js").write_text("mw.track( 'counter.a' );\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "one")
    aged(root)
    options = ScanOptions(cache_dir=tmp_path / "cache")
    before = scan([root], options).roots[0].revision
    git(root, "commit", "-q", "--allow-empty", "-m", "two")
    after = scan([root], options).roots[0].revision
    assert before and after and before != after


def test_a_rescan_of_an_unchanged_root_loads_no_parser_and_no_resolver(tmp_path):
    """The cached path must stay cheap to start: a warm scan imports neither tree-sitter, nor
    a frontend, nor the resolver, nor even the rules (each costs start-up time on every CI run)."""
    import subprocess
    import sys

    probe = (
        "import sys, pathlib\n"
        "from analyzer.pipeline import ScanOptions, scan\n"
        "options = ScanOptions(cache_dir=pathlib.Path(sys.argv[2]))\n"
        "result = scan([pathlib.Path(sys.argv[1])], options)\n"
        "heavy = ['tree_sitter', 'libcst', 'analyzer.frontends.javascript', 'analyzer.resolve.resolver',\n"
        "         'analyzer.facts', 'analyzer.classify', 'analyzer.ruleset', 'yaml']\n"
        "print(len(result.findings), ' '.join(m for m in heavy if m in sys.modules))\n"
    )
    command = [sys.executable, "-c", probe, str(FIXTURES / "js-track-basic"), str(tmp_path)]
    # Files changed moments ago are rescanned, not trusted (a checkout made just before the tests).
    newest = max(p.stat().st_ctime for p in [FIXTURES / "js-track-basic", *(FIXTURES / "js-track-basic").rglob("*")])
    time.sleep(max(0.0, newest + discover_stage.RACY_WINDOW_NS / 1e9 + 0.1 - time.time()))
    cold = subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()
    warm = subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()
    assert "tree_sitter" in cold and "analyzer.resolve.resolver" in cold  # the probe sees imports
    assert warm == [cold[0]]


def test_the_frontend_table_agrees_with_the_frontends():
    from analyzer.frontends import FRONTENDS, entry_for, language_of

    for entry in FRONTENDS:
        assert entry.load().language == entry.language
    expected = {
        "a.js": "javascript", "b.MJS": "javascript", "c.ts": "typescript", "c.tsx": "typescript", "types.d.ts": None,
        "x.d.mts": None, "v.vue": "vue", "p.php": "php", "includes/Hooks.PHP": "php", "extension.json": "json",
        "skin/skin.json": "json", "i18n/en.json": None, "A.kt": "kotlin", "B.KT": "kotlin",
        "build.gradle.kts": None, "C.java": "java", "D.swift": "swift", "E.m": "objc", "E.mm": "objc",
        "F.h": "objc", "g.py": "python", "h.pyc": None, "README.md": None,
    }
    assert {path: language_of(path) for path in expected} == expected
    assert entry_for("types.d.ts") is None and entry_for("i18n/en.json") is None


def test_definitions_are_found_in_the_bytes_of_every_language():
    from analyzer.prefilter import defined_names

    source = (
        b"class Logger {}\ninterface Sink\nabstract class BaseEvent\nenum Kind\nobject Funnel\n"
        b"define( 'METRIC_PREFIX', 'x' );\nconst STREAM = 'a';\nconst val SCHEMA = \"b\"\n"
        b"#define WMFSchema @\"c\"\n@objc(WMFFunnel)\n@implementation WMFSearchFunnel\nstruct Payload {}\n"
        b"subclass NotOne; myclass NotTwo; class\nconst Four\n/**\n * @class mw.libs.ge.FiltersStore\n */\n"
        b"extension WMFArticle.Section {}\n"
    )
    assert defined_names(source) == {
        "Logger", "Sink", "BaseEvent", "Kind", "Funnel", "METRIC_PREFIX", "STREAM", "SCHEMA", "WMFSchema",
        "WMFFunnel", "WMFSearchFunnel", "Payload", "const", "Four", "mw.libs.ge.FiltersStore", "FiltersStore",
        "WMFArticle.Section", "Section",
    }


def test_a_namespace_is_not_a_class_to_load_every_file_named_after(tmp_path):
    """`ve.ui.FooWidget.js` is named after the class ve.ui.FooWidget, not after `ve`: resolving
    `ve.track( … )` must not parse every `ve.*.js` file of the repository."""
    (tmp_path / "ve.track.js").write_text(
        "ve.track = function ( topic, data ) {\n\tmw.track( 've.' + topic, data );\n};\n"
    )
    (tmp_path / "ve.ui.FooWidget.js").write_text(
        "ve.ui.FooWidget = function VeUiFooWidget() {};\n"
        "ve.ui.FooWidget.prototype.onClick = function () {\n\tve.track( 'activity.foo', { action: 'click' } );\n};\n"
    )
    for index in range(5):
        (tmp_path / f"ve.ui.Bar{index}Widget.js").write_text(f"ve.ui.Bar{index}Widget = function () {{}};\n")
    result = scan([tmp_path], ScanOptions(prefilter=True))
    assert result.roots[0].files_scanned == 2
    assert {f.name for f in result.findings if f.path == "ve.ui.FooWidget.js"} == {"activity.foo"}
    assert snapshot(result)["findings"] == snapshot(scan([tmp_path], ScanOptions(prefilter=False)))["findings"]


def test_files_are_named_after_their_class_not_their_namespace():
    from analyzer.prefilter import file_stems

    assert file_stems("includes/Hooks/PageHooks.php") == {"PageHooks"}
    assert file_stems("modules/ve.ui.FooWidget.js") == {"ve.ui.FooWidget", "FooWidget"}
    assert "ve" not in file_stems("modules/ve.init.Target.js")


def test_a_nested_class_is_looked_up_in_its_outer_class_file_only():
    """`Outer.Callback` (same package, no import) is found in Outer.kt, without parsing every
    file that declares some other `Callback`."""
    from analyzer.cache import Cache
    from analyzer.frontends import frontend_for
    from analyzer.pipeline import _Loader
    from analyzer.symbols import RepoIndex

    sources = {
        "app/Page.kt": "package org.demo.page\n\nclass Page : Outer.Callback {\n    override fun done() {}\n}\n",
        "app/Outer.kt": (
            "package org.demo.page\n\nclass Outer {\n    interface Callback {\n        fun done()\n    }\n}\n"
        ),
    }
    for index in range(6):
        sources[f"app/Other{index}.kt"] = (
            f"package org.demo.other\n\nclass Other{index} {{\n    interface Callback {{\n        fun x()\n    }}\n}}\n"
        )
    data = {path: text.encode() for path, text in sources.items()}
    lowered = {"app/Page.kt": frontend_for("app/Page.kt").lower("app/Page.kt", data["app/Page.kt"])}
    index = RepoIndex(list(lowered.values()), loader=_Loader(data, lowered, Cache(None), "demo", []))
    found = index.find_classes("Outer.Callback", "app/Page.kt")
    assert [(path, klass.name) for path, klass in found] == [("app/Outer.kt", "org.demo.page.Outer.Callback")]
    assert sorted(lowered) == ["app/Outer.kt", "app/Page.kt"]


@pytest.mark.parametrize("name", ["js-resolution", "php-resolution", "android-eventplatform", "ios-legacy-funnels"])
def test_a_scanned_root_is_freed_by_reference_counting(name, monkeypatch):
    """The cycle collector is off while a root is analysed (it would walk the heap of facts
    again and again); that stays cheap only if no reference cycle holds the root's facts."""
    import gc

    from analyzer import pipeline
    from analyzer.facts import FileFacts

    monkeypatch.setattr(pipeline.gc, "collect", lambda *args: 0)  # see what refcounting alone frees
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        result = scan([FIXTURES / name], ScanOptions())
        alive = [o for o in gc.get_objects() if isinstance(o, FileFacts)]
    finally:
        if was_enabled:
            gc.enable()
    assert result.findings
    assert alive == []


def test_shipped_rule_data_is_built_once_and_a_broken_copy_is_rebuilt(tmp_path):
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from analyzer.checks import load_checks\n"
        "from analyzer.resolve.relays import load_relays\n"
        "from analyzer.ruleset import load_rules\n"
        "rules, checks, relays = load_rules(), load_checks(), load_relays()\n"
        "print(len(rules.apis), len(checks.checks), len(relays), 'yaml' in sys.modules)\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    run = lambda: subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,  # noqa: E731
                                 env=env).stdout.split()
    first = run()
    assert first[-1] == "True" and int(first[0]) > 0
    assert run() == [*first[:-1], "False"]  # read back: no YAML parsed
    for entry in (tmp_path / "instrumap" / "compiled").iterdir():
        entry.write_bytes(b"not a pickle")
    assert run() == first
