"""A synthetic corpus of realistic shape for benchmarks/run.py, so that anyone can run the
benchmark without checking out real repositories.

Every file is written here from templates of the real shapes (ResourceLoader CommonJS modules,
Vue single-file components, TypeScript, PHP classes with an injected StatsFactory, Kotlin event
classes, extension.json, i18n messages, Android XML) plus plenty of non-instrumented filler;
nothing is copied from real code. How many files of each kind, how big, and how many carry
instrumentation calls follows the parameters below, measured on real snapshots.

    python benchmarks/synthetic.py OUT_DIR [--files N] [--seed S]   write a corpus
    python benchmarks/synthetic.py --measure REPO_DIR...                re-measure the parameters
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import os
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

# ---------------------------------------------------------------------------------------------
# Measured parameters.
#
# Measured with `python benchmarks/synthetic.py --measure /work/corpus/{WikimediaEvents,
# GrowthExperiments,MobileFrontend,VisualEditor,EventLogging,TestKitchen,apps-android-wikipedia}`
# (snapshots of 2026-07/08; see measure() below): every file outside dependency/build directories
# is put in a category by suffix (JSON under an `i18n/` directory is its own category), sizes are
# file sizes in bytes, "instrumented" means at least one match of CALL_SHAPE_PATTERNS (call
# sites of the APIs in rules/apis/, approximated by regex; the mixes count matches per shape),
# "mentioned" a match of MENTION_PATTERNS (an API's name anywhere, calls included), and a
# repository is an app when it has more Kotlin/Swift/Java than PHP files. The six MediaWiki
# extensions and the Android app are kept apart because their file mixes have nothing in common.
# ---------------------------------------------------------------------------------------------

#: files per repository, as measured (scaled to the requested corpus size)
REPO_FILES = {"extension": (248, 2277, 844, 1731, 225, 120), "app": (2626,)}
#: share of each category among the files of a kind of repository
CATEGORY_SHARE = {
    "extension": {
        "i18n": 0.5287, "php": 0.1693, "js": 0.1614, "less": 0.04, "json": 0.0244, "svg": 0.0244, "text": 0.0226,
        "vue": 0.0136, "md": 0.0064, "ts": 0.005, "image": 0.0026, "xml": 0.0011, "css": 0.0004,
    },
    "app": {
        "kotlin": 0.417, "xml": 0.401, "text": 0.0807, "image": 0.0685, "json": 0.0305, "md": 0.0019, "svg": 0.0004,
    },
}
#: file size in bytes by category: (cumulative probability, size) points of the measured distribution
SIZE_QUANTILES = {
    "json": ((0.0, 2), (0.1, 82), (0.25, 229), (0.5, 865), (0.75, 5052), (0.9, 24332), (0.99, 621759), (1.0, 1195667)),
    "text": ((0.0, 0), (0.1, 10), (0.25, 43), (0.5, 326), (0.75, 2203), (0.9, 6467), (0.99, 64049), (1.0, 114960)),
    "xml": ((0.0, 119), (0.1, 343), (0.25, 536), (0.5, 1891), (0.75, 4213), (0.9, 55313), (0.99, 245714),
            (1.0, 348643)),
    "md": ((0.0, 0), (0.1, 116), (0.25, 135), (0.5, 951), (0.75, 2544), (0.9, 7819), (0.99, 13289), (1.0, 13289)),
    "js": ((0.0, 49), (0.1, 700), (0.25, 1217), (0.5, 2642), (0.75, 5491), (0.9, 10344), (0.99, 37069), (1.0, 115687)),
    "php": ((0.0, 87), (0.1, 671), (0.25, 1220), (0.5, 2452), (0.75, 5020), (0.9, 9060), (0.99, 25036), (1.0, 49601)),
    "i18n": ((0.0, 89), (0.1, 161), (0.25, 345), (0.5, 1065), (0.75, 5138), (0.9, 23732), (0.99, 80689), (1.0, 175171)),
    "ts": ((0.0, 36), (0.1, 254), (0.25, 555), (0.5, 1253), (0.75, 2916), (0.9, 3530), (0.99, 7708), (1.0, 7708)),
    "vue": ((0.0, 360), (0.1, 781), (0.25, 1166), (0.5, 2473), (0.75, 4452), (0.9, 7761), (0.99, 11391), (1.0, 11391)),
    "less": ((0.0, 64), (0.1, 260), (0.25, 411), (0.5, 814), (0.75, 1663), (0.9, 3235), (0.99, 8564), (1.0, 18194)),
    "svg": ((0.0, 136), (0.1, 209), (0.25, 389), (0.5, 1933), (0.75, 5252), (0.9, 9389), (0.99, 16810), (1.0, 37380)),
    "image": ((0.0, 81), (0.1, 3922), (0.25, 34172), (0.5, 98338), (0.75, 507758), (0.9, 940136), (0.99, 1976238),
              (1.0, 3291691)),
    "css": ((0.0, 438), (0.1, 438), (0.25, 438), (0.5, 3610), (0.75, 3610), (0.9, 3610), (0.99, 3610), (1.0, 3610)),
    "kotlin": ((0.0, 49), (0.1, 391), (0.25, 907), (0.5, 2440), (0.75, 5715), (0.9, 12552), (0.99, 36667),
               (1.0, 65834)),
}
#: share of the files of a category with at least one instrumentation call
INSTRUMENTED_SHARE = {"js": 0.102, "php": 0.067, "kotlin": 0.039, "ts": 0.037, "vue": 0.027}
#: share of the files of a category that name an API (MENTION_PATTERNS), calls included
MENTIONED_SHARE = {"js": 0.152, "php": 0.189, "kotlin": 0.069, "ts": 0.074, "vue": 0.135}
#: mean number of call shapes in an instrumented file
CALLS_PER_INSTRUMENTED_FILE = {"js": 3.4, "php": 1.9, "kotlin": 1.8, "ts": 1.0, "vue": 1.5}
#: share of the files of a category that live in test directories
TEST_SHARE = {"json": 0.47, "text": 0.04, "md": 0.05, "js": 0.2, "php": 0.34, "ts": 0.67, "kotlin": 0.14}
#: how often each call shape occurs (matches of CALL_SHAPE_PATTERNS)
JS_CALL_MIX = {
    "track-other": 104, "track-stats": 47, "track-counter": 15, "track-event": 9, "track-timing": 2,
    "track-subscribe": 33, "testkitchen-experiment": 33, "testkitchen-instrument": 16, "error-logger": 28,
    "eventlog-submit": 9, "eventlog-logevent": 6, "eventlog-schema": 3, "eventlog-interaction": 1,
}
# No legacy statsd call is left in the measured extensions (0 matches); it keeps a small weight,
# not measured, so that the shape is still exercised.
PHP_CALL_MIX = {
    "statslib": 71, "eventlogging-submit": 18, "testkitchen-experiment": 13, "event-submitter": 11,
    "testkitchen-instrument": 6, "statsd": 3,
}
KOTLIN_CALL_MIX = {"event-platform": 50, "testkitchen": 28}

#: call shapes of the APIs in rules/apis/, by category, as regexes over file contents (for --measure)
CALL_SHAPE_PATTERNS = {
    "js": {
        "track-stats": rb"mw\.track\(\s*['\"]stats\.",
        "track-counter": rb"mw\.track\(\s*['\"]counter\.",
        "track-event": rb"mw\.track\(\s*['\"]event\.",
        "track-timing": rb"mw\.track\(\s*['\"]timing\.",
        "track-other": rb"mw\.track\(\s*(?!['\"](?:stats|counter|event|timing)\.)",
        "track-subscribe": rb"mw\.trackSubscribe\s*\(",
        "eventlog-submit": rb"mw\.eventLog\.submit\s*\(",
        "eventlog-logevent": rb"mw\.eventLog\.logEvent\s*\(",
        "eventlog-schema": rb"new\s+mw\.eventLog\.Schema\b",
        "eventlog-interaction": rb"mw\.eventLog\.submitInteraction\s*\(",
        "testkitchen-experiment": rb"\.getExperiment(?:sByPrefix)?\s*\(",
        "testkitchen-instrument": rb"\.getInstrument\s*\(",
        "error-logger": rb"mw\.errorLogger\.logError\s*\(",
    },
    "php": {
        "statslib": rb"->(?:getCounter|getGauge|getTiming|getHistogram)\s*\(",
        "statsd": rb"[Ss]tatsd\w*(?:\(\))?->(?:increment|decrement|timing|gauge|updateCount)\s*\(|wfIncrStats\s*\(",
        "testkitchen-experiment": rb"->getExperiment\s*\(",
        "testkitchen-instrument": rb"->getInstrument\s*\(",
        "eventlogging-submit": rb"EventLogging::(?:submit|logEvent)\s*\(",
        "event-submitter": rb"[Ss]ubmitter(?:\(\))?->submit\s*\(",
    },
    "kotlin": {
        "event-platform": rb"EventPlatformClient\.submit\s*\(",
        "testkitchen": rb"\.getInstrument\s*\(",
    },
}
CALL_SHAPE_PATTERNS["ts"] = CALL_SHAPE_PATTERNS["vue"] = CALL_SHAPE_PATTERNS["js"]
#: names of the APIs, by category: a file that names one without calling it (an import, a type,
#: a test stub, a comment) still has to be read by a scanner that prefilters on names
MENTION_PATTERNS = {
    "js": rb"mw\.track|eventLog|testKitchen|xLab|errorLogger",
    "php": rb"StatsFactory|EventLogging|EventSubmitter|ExperimentManager|InstrumentManager|MetricsClient|[Ss]tatsd",
    "kotlin": rb"EventPlatformClient|TestKitchen|MetricsPlatform|submitInteraction|getInstrument",
}
MENTION_PATTERNS["ts"] = MENTION_PATTERNS["vue"] = MENTION_PATTERNS["js"]

SUFFIX_CATEGORY = {
    ".js": "js", ".mjs": "js", ".cjs": "js", ".ts": "ts", ".vue": "vue", ".php": "php", ".kt": "kotlin",
    ".json": "json", ".xml": "xml", ".less": "less", ".css": "css", ".svg": "svg", ".md": "md",
    ".png": "image", ".jpg": "image", ".gif": "image", ".webp": "image",
}
SKIPPED_DIRECTORIES = frozenset({".git", "node_modules", "vendor", "dist", ".gradle", ".idea", "build"})
TEST_DIRECTORY_NAMES = frozenset({"tests", "test", "qunit", "phpunit", "jest", "cypress", "selenium", "androidTest"})

DEFAULT_FILES = sum(REPO_FILES["extension"]) + sum(REPO_FILES["app"])


# ---------------------------------------------------------------------------------------------
# Measuring real repositories
# ---------------------------------------------------------------------------------------------

def category_of(relative: PurePosixPath) -> str:
    category = SUFFIX_CATEGORY.get(relative.suffix.lower(), "text")
    return "i18n" if category == "json" and "i18n" in relative.parts[:-1] else category


def quantiles(values: list[int]) -> tuple[tuple[float, int], ...]:
    ordered = sorted(values)
    points = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0)
    return tuple((p, ordered[min(len(ordered) - 1, int(p * len(ordered)))]) for p in points)


def measure(repos: Iterable[Path]) -> dict:
    """The parameters above, measured on real repositories (printed by --measure)."""
    compiled = {c: {shape: re.compile(p) for shape, p in shapes.items()} for c, shapes in CALL_SHAPE_PATTERNS.items()}
    files: dict[str, list[int]] = {"extension": [], "app": []}
    categories: dict[str, Counter] = {"extension": Counter(), "app": Counter()}
    sizes: dict[str, list[int]] = {}
    instrumented, mentioned, calls, tests = Counter(), Counter(), Counter(), Counter()
    mixes: dict[str, Counter] = {"js": Counter(), "php": Counter(), "kotlin": Counter()}
    for repo in repos:
        counts = Counter()
        for path in walk(repo):
            relative = PurePosixPath(path.relative_to(repo).as_posix())
            category = category_of(relative)
            data = path.read_bytes()
            counts[category] += 1
            sizes.setdefault(category, []).append(len(data))
            tests[category] += any(part in TEST_DIRECTORY_NAMES for part in relative.parts[:-1])
            found = Counter({shape: len(p.findall(data)) for shape, p in compiled.get(category, {}).items()})
            instrumented[category] += found.total() > 0
            mentioned[category] += (category in MENTION_PATTERNS
                                    and re.search(MENTION_PATTERNS[category], data) is not None)
            calls[category] += found.total()
            if found:
                mixes["js" if category in ("ts", "vue") else category] += found
        kind = "app" if counts["kotlin"] > counts["php"] else "extension"
        files[kind].append(sum(counts.values()))
        categories[kind] += counts
    return {
        "REPO_FILES": files,
        "CATEGORY_SHARE": {
            kind: {c: round(n / counts.total(), 4) for c, n in counts.most_common()}
            for kind, counts in categories.items() if counts
        },
        "SIZE_QUANTILES": {c: quantiles(v) for c, v in sizes.items()},
        "INSTRUMENTED_SHARE": {c: round(instrumented[c] / len(sizes[c]), 3) for c in CALL_SHAPE_PATTERNS if c in sizes},
        "CALLS_PER_INSTRUMENTED_FILE": {
            c: round(calls[c] / instrumented[c], 1) for c in CALL_SHAPE_PATTERNS if instrumented[c]
        },
        "TEST_SHARE": {c: round(tests[c] / len(sizes[c]), 2) for c in sizes},
        "MENTIONED_SHARE": {c: round(mentioned[c] / len(sizes[c]), 3) for c in MENTION_PATTERNS if c in sizes},
        "JS_CALL_MIX": dict(mixes["js"]),
        "PHP_CALL_MIX": dict(mixes["php"]),
        "KOTLIN_CALL_MIX": dict(mixes["kotlin"]),
    }


def walk(root: Path) -> Iterable[Path]:
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED_DIRECTORIES)
        for name in sorted(names):
            path = Path(directory, name)
            if path.is_file() and not path.is_symlink():
                yield path


# ---------------------------------------------------------------------------------------------
# Generating
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlantedCall:
    """An instrumentation call site the generator wrote, where instrumap should report it."""

    path: str  # relative to the corpus root: <repository>/<path in repository>
    line: int
    language: str
    shape: str


@dataclass
class SyntheticCorpus:
    root: Path
    repositories: list[str] = field(default_factory=list)
    files: Counter = field(default_factory=Counter)  # category → count
    bytes: int = 0
    planted: list[PlantedCall] = field(default_factory=list)


class Source:
    """Lines of a file being written, remembering the lines that carry planted calls."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.calls: list[tuple[int, str]] = []  # (1-based line, shape)
        self.size = 0

    def add(self, *lines: str) -> None:
        for line in lines:
            self.lines.append(line)
            self.size += len(line) + 1

    def call(self, shape: str, line: str, sites: int = 1) -> None:
        """Add a line on which `sites` instrumentation calls start."""
        self.add(line)
        self.calls.extend([(len(self.lines), shape)] * sites)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


WORDS = (
    "article", "banner", "button", "cache", "campaign", "card", "config", "dialog", "draft", "edit", "editor",
    "entry", "feed", "filter", "help", "history", "homepage", "impact", "item", "link", "list", "mentor",
    "menu", "module", "notice", "overlay", "page", "panel", "preview", "query", "reader", "recent", "result",
    "revision", "search", "section", "session", "suggestion", "summary", "survey", "tab", "task", "title",
    "toolbar", "topic", "user", "view", "watch", "widget", "wiki",
)
ACTIONS = ("click", "impression", "init", "save", "abort", "open", "close", "submit", "toggle", "hover")
LANGUAGE_CODES = ("en", "qqq", "de", "fr", "es", "it", "ja", "ru", "zh-hans", "pt-br", "ar", "he", "fa", "nl", "pl",
                  "sv", "uk", "ko", "id", "tr", "cs", "fi", "hu", "vi", "ro", "ca", "da", "nb", "el", "bn")


class Writer:
    """Draws names, sizes and call shapes from one seeded random generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def word(self) -> str:
        return self.rng.choice(WORDS)

    def camel(self, parts: int = 2) -> str:
        return "".join(self.word().capitalize() for _ in range(parts))

    def lower_camel(self, parts: int = 2) -> str:
        name = self.camel(parts)
        return name[0].lower() + name[1:]

    def snake(self, parts: int = 2) -> str:
        return "_".join(self.word() for _ in range(parts))

    def size(self, category: str) -> int:
        """A file size drawn from the measured distribution (interpolated in log space)."""
        table = SIZE_QUANTILES[category]
        u = self.rng.random()
        probabilities = [p for p, _ in table]
        i = max(1, bisect.bisect_left(probabilities, u))
        (p0, s0), (p1, s1) = table[i - 1], table[i]
        t = 0.0 if p1 == p0 else (u - p0) / (p1 - p0)
        return int(math.exp(math.log(max(s0, 1)) + t * (math.log(max(s1, 1)) - math.log(max(s0, 1)))))

    def calls_in_file(self, category: str) -> int:
        """How many call sites an instrumented file gets: 1 + Poisson(mean - 1)."""
        mean = CALLS_PER_INSTRUMENTED_FILE[category] - 1
        count, threshold, product = 0, math.exp(-mean), self.rng.random()
        while product > threshold:
            count += 1
            product *= self.rng.random()
        return 1 + count

    def shape(self, mix: dict[str, int]) -> str:
        return self.rng.choices(list(mix), weights=list(mix.values()))[0]


# --- JavaScript, TypeScript and Vue ----------------------------------------------------------

def js_call(w: Writer, src: Source, shape: str, ext: str, indent: str) -> None:
    """Write one instrumentation call site of `shape` (a key of JS_CALL_MIX) at `indent`."""
    key = ext.lower()
    if shape == "track-stats":
        src.call(shape, f"{indent}mw.track( 'stats.mediawiki_{key}_{w.snake()}_total', 1, "
                        f"{{ wiki: mw.config.get( 'wgDBname' ) }} );")
    elif shape == "track-counter":
        src.call(shape, f"{indent}mw.track( 'counter.MediaWiki.{ext}.{w.lower_camel()}.{w.rng.choice(ACTIONS)}', 1 );")
    elif shape == "track-timing":
        src.call(shape, f"{indent}mw.track( 'timing.MediaWiki.{ext}.{w.lower_camel()}', mw.now() - startTime );")
    elif shape == "track-event":
        src.call(shape, f"{indent}mw.track( 'event.{w.camel()}', {{")
        src.add(f"{indent}\taction: '{w.rng.choice(ACTIONS)}',", f"{indent}\t{w.lower_camel()}Count: items.length",
                f"{indent}}} );")
    elif shape == "track-other":
        src.call(shape, f"{indent}mw.track( '{key}.{w.lower_camel()}', {{ action: '{w.rng.choice(ACTIONS)}' }} );")
    elif shape == "track-subscribe":
        src.call(shape, f"{indent}mw.trackSubscribe( '{key}.{w.word()}.', ( topic, data ) => {{")
        src.add(f"{indent}\tpending.push( {{ topic: topic, data: data }} );", f"{indent}}} );")
    elif shape == "eventlog-submit":
        src.call(shape, f"{indent}mw.eventLog.submit( 'mediawiki.{key}_{w.snake()}', {{")
        src.add(f"{indent}\t$schema: '/analytics/mediawiki/{key}/{w.word()}/1.{w.rng.randint(0, 4)}.0',",
                f"{indent}\taction: '{w.rng.choice(ACTIONS)}'", f"{indent}}} );")
    elif shape == "eventlog-logevent":
        src.call(shape, f"{indent}mw.eventLog.logEvent( '{w.camel()}', {{ action: '{w.rng.choice(ACTIONS)}' }} );")
    elif shape == "eventlog-schema":
        src.call(shape, f"{indent}const schema = new mw.eventLog.Schema( '{w.camel()}' );")
        src.call(shape, f"{indent}schema.log( {{ action: '{w.rng.choice(ACTIONS)}' }} );")
    elif shape == "eventlog-interaction":
        src.call(shape, f"{indent}mw.eventLog.submitInteraction( 'mediawiki.product_metrics.{key}_{w.word()}',")
        src.add(f"{indent}\t'/analytics/product_metrics/web/base/1.3.0', '{w.rng.choice(ACTIONS)}', "
                f"{{ action_source: '{w.word()}' }} );")
    elif shape == "testkitchen-experiment":
        src.call(shape, f"{indent}const experiment = mw.testKitchen.getExperiment( '{key}-{w.word()}-{w.word()}' );")
        src.add(f"{indent}if ( experiment.isAssignedGroup( 'treatment' ) ) {{")
        src.call(shape, f"{indent}\texperiment.send( '{w.rng.choice(ACTIONS)}', {{ action_source: '{w.word()}' }} );")
        src.add(f"{indent}}}")
    elif shape == "testkitchen-instrument":
        src.call(shape, f"{indent}const instrument = mw.testKitchen.getInstrument( '{key}-{w.word()}' );")
        src.call(shape, f"{indent}instrument.send( '{w.rng.choice(ACTIONS)}', {{ action_subtype: '{w.word()}' }} );")
    elif shape == "error-logger":
        src.call(shape, f"{indent}mw.errorLogger.logError( new Error( '{w.word()} failed' ), 'error.{key}' );")
    else:
        raise ValueError(f"unknown JavaScript call shape {shape!r}")


def js_filler(w: Writer, src: Source, cls: str, indent: str = "") -> None:
    """One method of ordinary, non-instrumented code."""
    method, field_name, other = w.lower_camel(), w.lower_camel(1), w.lower_camel(1)
    variant = w.rng.randrange(5)
    src.add(f"{indent}/**", f"{indent} * Update the {w.word()} {w.word()} when the {w.word()} changes.",
            f"{indent} *", f"{indent} * @param {{Object}} {other}", f"{indent} * @return {{jQuery.Promise}}",
            f"{indent} */")
    src.add(f"{indent}{cls}.prototype.{method} = function ( {other} ) {{")
    if variant == 0:
        src.add(f"{indent}\tconst items = this.{field_name}.filter( "
                f"( item ) => item.{w.word()} !== {other}.{w.word()} );",
                f"{indent}\tif ( !items.length ) {{", f"{indent}\t\treturn $.Deferred().resolve().promise();",
                f"{indent}\t}}", f"{indent}\tthis.{field_name} = items;")
    elif variant == 1:
        src.add(f"{indent}\tconst api = new mw.Api();",
                f"{indent}\treturn api.postWithToken( 'csrf', {{", f"{indent}\t\taction: '{w.word()}',",
                f"{indent}\t\ttitle: {other}.title,", f"{indent}\t\tformatversion: 2",
                f"{indent}\t}} ).then( ( data ) => {{", f"{indent}\t\tthis.model.set( '{w.word()}', data.{w.word()} );",
                f"{indent}\t\treturn data;", f"{indent}\t}} );")
    elif variant == 2:
        src.add(f"{indent}\tthis.$element.find( '.mw-{w.word()}-{w.word()}' ).toggleClass( 'is-active', !!{other} );",
                f"{indent}\tthis.${field_name}.on( 'click', this.on{w.camel()}Click.bind( this ) );",
                f"{indent}\tmw.log.warn( 'The {w.word()} {w.word()} is deprecated.' );")
    elif variant == 3:
        src.add(f"{indent}\tfor ( let i = 0; i < {other}.length; i++ ) {{",
                f"{indent}\t\tconst key = mw.util.escapeIdForAttribute( {other}[ i ].{w.word()} );",
                f"{indent}\t\tthis.{field_name}[ key ] = ( this.{field_name}[ key ] || 0 ) + 1;", f"{indent}\t}}")
    else:
        src.add(f"{indent}\tconst message = mw.message( '{w.word()}-{w.word()}-{w.word()}', {other} ).parse();",
                f"{indent}\treturn new OO.ui.MessageDialog().open( {{ message: message, size: 'medium' }} );")
    src.add(f"{indent}\treturn this;" if variant in (0, 2, 3) else f"{indent}\t// {w.word()} {w.word()}",
            f"{indent}}};", "")


def javascript_file(w: Writer, ext: str, size: int, calls: int) -> Source:
    """A ResourceLoader CommonJS module: a constructor, prototype methods, module.exports."""
    src = Source()
    cls = w.camel()
    dependency = w.camel()
    src.add("'use strict';", "", f"const {dependency} = require( './{dependency}.js' );", "",
            "/**", f" * {w.word().capitalize()} {w.word()} for the {ext} {w.word()}.", " *", " * @class", " */",
            f"function {cls}( config ) {{", "\tconfig = config || {};", f"\t{dependency}.call( this, config );",
            f"\tthis.{w.lower_camel(1)} = config.{w.word()} || [];", "}", "",
            f"OO.inheritClass( {cls}, {dependency} );", "")
    slots = sorted(w.rng.sample(range(max(calls, size // 700 + 1)), calls)) if calls else []
    block = 0
    while src.size < size or slots:
        if slots and slots[0] == block:
            slots.pop(0)
            src.add(f"{cls}.prototype.log{w.camel()} = function ( items ) {{", "\tconst startTime = mw.now();")
            js_call(w, src, w.shape(JS_CALL_MIX), ext, "\t")
            src.add("};", "")
        else:
            js_filler(w, src, cls)
        block += 1
    src.add(f"module.exports = {cls};")
    return src


def typescript_file(w: Writer, ext: str, size: int, calls: int) -> Source:
    src = Source()
    iface = w.camel()
    src.add(f"import type {{ {w.camel()} }} from './{w.word()}';", "", f"export interface {iface} {{",
            f"\t{w.lower_camel()}: string;", f"\t{w.lower_camel()}?: number;", "}", "")
    remaining = calls
    while src.size < size or remaining:
        name = w.lower_camel()
        src.add(f"export function {name}( {w.word()}: {iface}[], limit = {w.rng.randint(2, 50)} ): string[] {{",
                "\tconst seen = new Set<string>();")
        if remaining:
            js_call(w, src, w.shape(JS_CALL_MIX), ext, "\t")
            remaining -= 1
        src.add("\treturn Array.from( seen ).slice( 0, limit );", "}", "")
    return src


def vue_file(w: Writer, ext: str, size: int, calls: int) -> Source:
    """A Vue single-file component (Options API, as MediaWiki writes them) with Codex markup."""
    src = Source()
    component = w.camel()
    src.add("<template>", f"\t<div class=\"ext-{ext.lower()}-{w.word()}\">")
    target_template = size // 2
    while src.size < target_template:
        src.add(f"\t\t<cdx-button v-if=\"{w.lower_camel(1)}\" action=\"progressive\" @click=\"on{w.camel()}\">",
                f"\t\t\t{{{{ $i18n( '{ext.lower()}-{w.word()}-{w.word()}' ).text() }}}}", "\t\t</cdx-button>")
    src.add("\t</div>", "</template>", "", "<script>", "const { defineComponent, ref } = require( 'vue' );",
            "const { CdxButton } = require( '@wikimedia/codex' );", "", "// @vue/component",
            "module.exports = exports = defineComponent( {", f"\tname: '{component}',", "\tcomponents: { CdxButton },",
            "\tsetup() {", f"\t\tconst {w.lower_camel(1)} = ref( false );", "\t\treturn {};", "\t},", "\tmethods: {")
    remaining = calls
    while src.size < size or remaining:
        src.add(f"\t\ton{w.camel()}() {{", "\t\t\tconst startTime = mw.now();", "\t\t\tconst items = [];")
        if remaining:
            js_call(w, src, w.shape(JS_CALL_MIX), ext, "\t\t\t")
            remaining -= 1
        src.add(f"\t\t\tthis.$emit( '{w.word()}', items );", "\t\t},")
    src.add("\t}", "} );", "</script>", "", "<style lang=\"less\">", "@import 'mediawiki.skin.variables.less';",
            f".ext-{ext.lower()}-{w.word()} {{", "\tpadding: @spacing-50;", "}", "</style>")
    return src


# --- PHP -------------------------------------------------------------------------------------

def php_call(w: Writer, src: Source, shape: str, ext: str) -> None:
    key = ext.lower()
    if shape == "statslib":
        src.call(shape, f"\t\t$this->statsFactory->getCounter( '{w.snake()}_total' )")
        src.add("\t\t\t->setLabel( 'wiki', $this->wikiId )", f"\t\t\t->setLabel( 'action', '{w.rng.choice(ACTIONS)}' )",
                "\t\t\t->increment();")
    elif shape == "statsd":
        src.call(shape, f"\t\t$this->statsdDataFactory->increment( 'MediaWiki.{ext}.{w.lower_camel()}' );")
    elif shape == "eventlogging-submit":
        src.call(shape, f"\t\tEventLogging::submit( 'mediawiki.{key}_{w.snake()}', [")
        src.add(f"\t\t\t'$schema' => '/analytics/mediawiki/{key}/{w.word()}/1.0.0',",
                f"\t\t\t'action' => '{w.rng.choice(ACTIONS)}',", "\t\t\t'database' => $this->wikiId,", "\t\t] );")
    elif shape == "event-submitter":
        src.call(shape, f"\t\t$this->eventSubmitter->submit( 'mediawiki.{key}_{w.word()}', [")
        src.add(f"\t\t\t'$schema' => '/analytics/mediawiki/{key}/{w.word()}/1.1.0',",
                "\t\t\t'user_id' => $user->getId(),", "\t\t] );")
    elif shape == "testkitchen-experiment":
        src.call(shape, f"\t\t$experiment = $this->experimentManager->getExperiment( '{key}-{w.word()}' );")
        src.add("\t\tif ( $experiment->isAssignedGroup( 'treatment' ) ) {")
        src.call(shape, f"\t\t\t$experiment->send( '{w.rng.choice(ACTIONS)}', [ 'action_source' => '{w.word()}' ] );")
        src.add("\t\t}")
    elif shape == "testkitchen-instrument":
        src.call(shape, f"\t\t$instrument = $this->instrumentManager->getInstrument( '{key}-{w.word()}' );")
        src.call(shape, f"\t\t$instrument->send( '{w.rng.choice(ACTIONS)}', [ 'action_subtype' => '{w.word()}' ] );")
    else:
        raise ValueError(f"unknown PHP call shape {shape!r}")


#: (type, property, class to import) of the services a PHP class gets injected
FILLER_SERVICES = (
    ("IConnectionProvider", "connectionProvider", "Wikimedia\\Rdbms\\IConnectionProvider"),
    ("ServiceOptions", "options", "MediaWiki\\Config\\ServiceOptions"),
    ("WANObjectCache", "cache", "Wikimedia\\ObjectCache\\WANObjectCache"),
    ("LoggerInterface", "logger", "Psr\\Log\\LoggerInterface"),
)
#: the service each PHP call shape is made on (EventLogging::submit is static: an import only)
SHAPE_SERVICES = {
    "statslib": ("StatsFactory", "statsFactory", "Wikimedia\\Stats\\StatsFactory"),
    "statsd": ("StatsdDataFactoryInterface", "statsdDataFactory",
               "Liuggio\\StatsdClient\\Factory\\StatsdDataFactoryInterface"),
    "event-submitter": ("EventSubmitter", "eventSubmitter",
                        "MediaWiki\\Extension\\EventBus\\Adapters\\EventLogging\\EventSubmitter"),
    "testkitchen-experiment": ("ExperimentManager", "experimentManager",
                               "MediaWiki\\Extension\\TestKitchen\\Sdk\\ExperimentManager"),
    "testkitchen-instrument": ("InstrumentManager", "instrumentManager",
                               "MediaWiki\\Extension\\TestKitchen\\Sdk\\InstrumentManager"),
}


def php_filler(w: Writer, src: Source) -> None:
    method, arg = w.lower_camel(), w.lower_camel(1)
    variant = w.rng.randrange(4)
    src.add("\t/**", f"\t * Load the {w.word()} {w.word()} of the given {w.word()}.", "\t *",
            f"\t * @param array ${arg}", "\t * @return array", "\t */",
            f"\tpublic function {method}( array ${arg} ): array {{")
    if variant == 0:
        src.add("\t\t$dbr = $this->connectionProvider->getReplicaDatabase();",
                "\t\t$rows = $dbr->newSelectQueryBuilder()",
                f"\t\t\t->select( [ '{w.word()}_id', '{w.word()}_timestamp' ] )",
                f"\t\t\t->from( '{w.word()}' )", f"\t\t\t->where( [ '{w.word()}_user' => ${arg}['user'] ?? 0 ] )",
                "\t\t\t->caller( __METHOD__ )", "\t\t\t->fetchResultSet();", "\t\t$result = [];",
                "\t\tforeach ( $rows as $row ) {", f"\t\t\t$result[] = (int)$row->{w.word()}_id;", "\t\t}",
                "\t\treturn $result;")
    elif variant == 1:
        src.add(f"\t\tif ( !$this->options->get( '{w.camel()}Enabled' ) ) {{", "\t\t\treturn [];", "\t\t}",
                "\t\treturn $this->cache->getWithSetCallback(",
                f"\t\t\t$this->cache->makeKey( '{w.word()}', ${arg}['id'] ?? 0 ),",
                "\t\t\tExpirationAwareness::TTL_HOUR,",
                f"\t\t\tfn () => $this->{w.lower_camel()}Lookup->fetch( ${arg} )", "\t\t);")
    elif variant == 2:
        src.add("\t\t$status = StatusValue::newGood();", f"\t\tforeach ( ${arg} as $key => $value ) {{",
                "\t\t\tif ( !is_string( $value ) ) {",
                f"\t\t\t\t$status->fatal( '{w.word()}-{w.word()}-invalid', $key );", "\t\t\t}", "\t\t}",
                "\t\t$this->logger->debug( __METHOD__ . ': checked {count} values', "
                "[ 'count' => count( $" + arg + " ) ] );",
                "\t\treturn $status->isOK() ? $" + arg + " : [];")
    else:
        src.add(f"\t\t$title = Title::newFromText( ${arg}['title'] ?? '' );", "\t\tif ( !$title ) {",
                f"\t\t\tthrow new InvalidArgumentException( 'No {w.word()} title' );", "\t\t}",
                "\t\treturn [ 'url' => $title->getFullURL(), 'text' => $title->getPrefixedText() ];")
    src.add("\t}", "")


def php_file(w: Writer, ext: str, size: int, calls: int, test: bool) -> Source:
    """A PHP class with its services injected through the constructor; only a class that makes
    instrumentation calls gets (and imports) the services they need."""
    src = Source()
    cls = w.camel() + ("Test" if test else "")
    namespace = f"MediaWiki\\Extension\\{ext}\\" + ("Tests\\" if test else "") + w.camel(1)
    shapes = [w.shape(PHP_CALL_MIX) for _ in range(calls)]
    services = list(FILLER_SERVICES) + sorted({SHAPE_SERVICES[s] for s in shapes if s in SHAPE_SERVICES})
    uses = {qualified for _, _, qualified in services} | {
        "MediaWiki\\Title\\Title", "StatusValue", "InvalidArgumentException",
        "Wikimedia\\LightweightObjectStore\\ExpirationAwareness",
    }
    if "eventlogging-submit" in shapes:
        uses.add("MediaWiki\\Extension\\EventLogging\\EventLogging")
    if shapes:
        uses.add("MediaWiki\\User\\UserIdentity")
    src.add("<?php", "", f"namespace {namespace};", "", *(f"use {u};" for u in sorted(uses)), "",
            "/**", f" * {w.word().capitalize()} {w.word()} service.", " */", f"class {cls} {{", "")
    for type_name, prop, _ in services:
        src.add(f"\tprivate {type_name} ${prop};")
    src.add("\tprivate string $wikiId;", "", "\tpublic function __construct(")
    src.add(*(f"\t\t{type_name} ${prop}," for type_name, prop, _ in services), "\t\tstring $wikiId", "\t) {")
    for type_name, prop, _ in services:
        value = f"${prop}->withComponent( '{ext}' )" if type_name == "StatsFactory" else f"${prop}"
        src.add(f"\t\t$this->{prop} = {value};")
    src.add("\t\t$this->wikiId = $wikiId;", "\t}", "")
    slots = sorted(w.rng.sample(range(max(calls, size // 900 + 1)), calls)) if calls else []
    block = 0
    while src.size < size or slots:
        if slots and slots[0] == block:
            slots.pop(0)
            src.add(f"\tpublic function record{w.camel()}( UserIdentity $user ): void {{")
            php_call(w, src, shapes.pop(), ext)
            src.add("\t}", "")
        else:
            php_filler(w, src)
        block += 1
    src.add("}")
    return src


# --- Kotlin ----------------------------------------------------------------------------------

def kotlin_call(w: Writer, src: Source, shape: str, event_class: str) -> None:
    if shape == "event-platform":
        src.call(shape, f"            EventPlatformClient.submit({event_class}(action, \"{w.word()}\", "
                        f"WikipediaApp.instance.appOrSystemLanguageCode))")
    elif shape == "testkitchen":
        # The instrument and its submitInteraction are two call sites on one line.
        src.call(shape, f"            TestKitchenAdapter.client.getInstrument(\"apps-{w.word()}\")"
                        f".submitInteraction(action = \"{w.rng.choice(ACTIONS)}\", actionSource = \"{w.word()}\")",
                 sites=2)
    else:
        raise ValueError(f"unknown Kotlin call shape {shape!r}")


def kotlin_filler(w: Writer, src: Source) -> None:
    fn, arg = w.lower_camel(), w.lower_camel(1)
    if w.rng.randrange(2):
        src.add(f"    fun {fn}({arg}: String, limit: Int = {w.rng.randint(2, 50)}) {{",
                "        viewModelScope.launch {",
                f"            val response = ServiceFactory.get(WikipediaApp.instance.wikiSite)"
                f".get{w.camel()}({arg}, limit)",
                f"            _uiState.value = Resource.Success(response.query?.{w.word()}s.orEmpty()"
                f".filter {{ it.{w.word()} != null }})",
                "        }", "    }", "")
    else:
        src.add(f"    private fun {fn}({arg}: List<String>, limit: Int = {w.rng.randint(2, 50)}): Map<String, Int> {{",
                f"        return {arg}.take(limit).groupingBy {{ it.substringBefore(':') }}.eachCount()", "    }", "")


def kotlin_file(w: Writer, size: int, calls: int, test: bool) -> Source:
    """An event class (schema in @SerialName, stream in a companion constant) or a ViewModel."""
    src = Source()
    name = w.camel()
    if calls and not test:
        event = f"{name}Event"
        src.add("package org.wikipedia.analytics.eventplatform", "", "import kotlinx.serialization.SerialName",
                "import kotlinx.serialization.Serializable", "import org.wikipedia.WikipediaApp",
                "import org.wikipedia.analytics.testkitchen.TestKitchenAdapter", "",
                "@Suppress(\"unused\")", "@Serializable",
                f"@SerialName(\"/analytics/mobile_apps/android_{w.snake()}/1.0.0\")",
                f"class {event}(", "    private val action: String,", "    private val source: String,",
                "    private val primary_language: String", ") : MobileAppsEvent(STREAM_NAME) {", "",
                "    companion object {",
                f"        private const val STREAM_NAME = \"android.{w.snake()}\"", "")
        for _ in range(calls):
            src.add(f"        fun log{w.camel()}(action: String) {{")
            kotlin_call(w, src, w.shape(KOTLIN_CALL_MIX), event)
            src.add("        }", "")
        src.add("    }", "")
    else:
        package = "org.wikipedia." + w.word()
        src.add(f"package {package}", "", "import androidx.lifecycle.ViewModel",
                "import androidx.lifecycle.viewModelScope",
                "import kotlinx.coroutines.flow.MutableStateFlow", "import kotlinx.coroutines.launch", "",
                f"class {name}{'Test' if test else 'ViewModel'} : ViewModel() {{",
                f"    private val _uiState = MutableStateFlow<Resource<List<{w.camel(1)}>>>(Resource.Loading())", "")
    while src.size < size:
        kotlin_filler(w, src)
    src.add("}")
    return src


# --- Everything else ---------------------------------------------------------------------------

def i18n_file(w: Writer, ext: str, size: int) -> str:
    messages: dict[str, object] = {"@metadata": {"authors": [w.camel(1) for _ in range(w.rng.randint(1, 4))]}}
    used = 0
    while used < size:
        key = f"{ext.lower()}-{w.word()}-{w.word()}-{w.word()}"
        value = " ".join(w.word() for _ in range(w.rng.randint(2, 16))).capitalize() + "."
        messages[key] = value
        used += len(key) + len(value) + 8
    return json.dumps(messages, indent="\t", ensure_ascii=False) + "\n"


def json_file(w: Writer, size: int) -> str:
    """A package.json-like head followed by fixture records, as test data files are."""
    data: dict[str, object] = {"name": w.lower_camel(), "private": True, "scripts": {"test": "grunt test"}}
    records: list[dict[str, object]] = []
    used = 80
    while used < size:
        record = {"id": len(records), "title": f"{w.word().capitalize()} {w.word()}",
                  w.lower_camel(1): w.rng.randint(0, 10**6)}
        records.append(record)
        used += 70
    data["records"] = records
    return json.dumps(data, indent="\t") + "\n"


def xml_file(w: Writer, size: int) -> str:
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<LinearLayout xmlns:android="http://schemas.android.com/apk/res/android"',
             '    android:layout_width="match_parent"', '    android:layout_height="wrap_content"',
             '    android:orientation="vertical">']
    while sum(len(line) + 1 for line in lines) < size:
        lines += ["    <TextView", f'        android:id="@+id/{w.snake()}"',
                  '        android:layout_width="wrap_content"', '        android:layout_height="wrap_content"',
                  f'        android:text="@string/{w.snake()}" />']
    return "\n".join([*lines, "</LinearLayout>"]) + "\n"


def less_file(w: Writer, size: int) -> str:
    out = ["@import 'mediawiki.skin.variables.less';", ""]
    while sum(len(line) + 1 for line in out) < size:
        out += [f".mw-{w.word()}-{w.word()} {{", f"\tcolor: @color-{w.rng.choice(('base', 'subtle', 'progressive'))};",
                f"\tmargin: {w.rng.randint(0, 16)}px 0;", "}", ""]
    return "\n".join(out)


def svg_file(w: Writer, size: int) -> str:
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" viewBox="0 0 20 20">']
    while sum(len(line) + 1 for line in out) < size:
        points = " ".join(f"{w.rng.randint(0, 20)} {w.rng.randint(0, 20)}" for _ in range(6))
        out.append(f'\t<path d="M{points}z"/>')
    return "\n".join([*out, "</svg>"]) + "\n"


def prose(w: Writer, size: int) -> str:
    out = []
    while sum(len(line) + 1 for line in out) < size:
        out.append(" ".join(w.word() for _ in range(w.rng.randint(4, 14))).capitalize() + ".")
    return "\n".join(out) + "\n"


def image_bytes(w: Writer, size: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + w.rng.randbytes(max(0, size - 8))


# --- Repositories ------------------------------------------------------------------------------

def apportion(total: int, shares: dict[str, float], at_least_one: Iterable[str] = ()) -> Counter:
    """Split `total` files over categories by share (largest remainder), giving each category in
    `at_least_one` one file so that small corpora still contain every code shape."""
    exact = {c: total * s for c, s in shares.items()}
    counts = Counter({c: int(v) for c, v in exact.items()})
    for c in sorted(exact, key=lambda c: exact[c] - int(exact[c]), reverse=True)[: total - sum(counts.values())]:
        counts[c] += 1
    for c in at_least_one:
        if c in shares and counts[c] == 0:
            counts[c] = 1
    return counts


class RepositoryWriter:
    def __init__(self, w: Writer, corpus: SyntheticCorpus, name: str):
        self.w = w
        self.corpus = corpus
        self.name = name
        self.root = corpus.root / name
        self.used: set[str] = set()

    def unique(self, path: str) -> str:
        stem, dot, suffix = path.rpartition(".")
        candidate, n = path, 1
        while candidate in self.used:
            n += 1
            candidate = f"{stem}{n}.{suffix}" if dot else f"{path}{n}"
        self.used.add(candidate)
        return candidate

    def write(self, relative: str, content: str | bytes | Source, category: str, language: str | None = None) -> str:
        relative = self.unique(relative)
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Source):
            for line, shape in content.calls:
                self.corpus.planted.append(PlantedCall(f"{self.name}/{relative}", line, language or category, shape))
            content = content.text()
        data = content.encode("utf-8") if isinstance(content, str) else content
        target.write_bytes(data)
        self.corpus.files[category] += 1
        self.corpus.bytes += len(data)
        return relative

    def instrumented(self, category: str, count: int) -> list[int]:
        """For each of `count` files, how many call sites it gets (0 for most)."""
        marked = max(1, round(count * INSTRUMENTED_SHARE[category])) if count else 0
        chosen = set(self.w.rng.sample(range(count), marked))
        return [self.w.calls_in_file(category) if i in chosen else 0 for i in range(count)]

    def in_test(self, category: str) -> bool:
        return self.w.rng.random() < TEST_SHARE.get(category, 0.0)


CODE_CATEGORIES = ("js", "ts", "vue", "php", "kotlin")
MENTIONS = {
    "js": ("mw.track", "mw.eventLog", "mw.testKitchen", "mw.errorLogger"),
    "php": ("StatsFactory", "EventLogging", "EventSubmitter", "ExperimentManager"),
    "kotlin": ("EventPlatformClient", "TestKitchenAdapter"),
}


def mention_api(w: Writer, source: Source, category: str) -> None:
    """Name an API in a comment under the first line of a file without calls, as often as real
    code names one without calling it (so that a name prefilter meets the measured share)."""
    instrumented = INSTRUMENTED_SHARE[category]
    if w.rng.random() >= (MENTIONED_SHARE[category] - instrumented) / (1 - instrumented):
        return
    name = w.rng.choice(MENTIONS["js" if category in ("ts", "vue") else category])
    comment = "<!-- {} -->" if category == "vue" else "// {}"
    source.lines.insert(1, comment.format(f"Analytics for this {w.word()} are sent by the caller, see {name}."))


def write_extension(w: Writer, corpus: SyntheticCorpus, name: str, total: int) -> None:
    repo = RepositoryWriter(w, corpus, name)
    counts = apportion(max(total - 1, 1), CATEGORY_SHARE["extension"], at_least_one=CODE_CATEGORIES)
    modules = [f"ext.{name[0].lower() + name[1:]}.{w.lower_camel(1)}" for _ in range(max(1, counts["js"] // 12))]
    scripts: dict[str, list[str]] = {m: [] for m in modules}
    for category in ("js", "ts", "vue"):
        for calls in repo.instrumented(category, counts[category]):
            module = w.rng.choice(modules)
            writer = {"js": javascript_file, "ts": typescript_file, "vue": vue_file}[category]
            source = writer(w, name, w.size(category), calls)
            if not calls:
                mention_api(w, source, category)
            suffix = {"js": "js", "ts": "ts", "vue": "vue"}[category]
            if repo.in_test(category):
                repo.write(f"tests/jest/{module}/{w.lower_camel()}.test.{suffix}", source, category)
            else:
                scripts[module].append(repo.write(f"modules/{module}/{w.lower_camel()}.{suffix}", source, category))
    for calls in repo.instrumented("php", counts["php"]):
        test = repo.in_test("php")
        source = php_file(w, name, w.size("php"), calls, test)
        if not calls:
            mention_api(w, source, "php")
        folder = "tests/phpunit/integration" if test else "includes"
        repo.write(f"{folder}/{w.camel(1)}/{w.camel()}{'Test' if test else ''}.php", source, "php")
    schemas = sorted({f"{w.camel()}" for _ in range(w.rng.randint(0, 3))})
    repo.write("extension.json", extension_manifest(name, scripts, schemas), "json")
    corpus.planted.extend(schema_declarations(name, repo))
    for i in range(counts["i18n"]):
        folder = "i18n" if i < len(LANGUAGE_CODES) else f"i18n/{w.word()}"
        language = LANGUAGE_CODES[i % len(LANGUAGE_CODES)]
        repo.write(f"{folder}/{language}.json", i18n_file(w, name, w.size("i18n")), "i18n")
    write_other_files(w, repo, counts, ("json", "less", "css", "svg", "md", "text", "image", "xml"))


def extension_manifest(name: str, scripts: dict[str, list[str]], schemas: list[str]) -> str:
    manifest: dict[str, object] = {
        "name": name,
        "author": ["Synthetic Benchmark"],
        "license-name": "GPL-2.0-or-later",
        "requires": {"MediaWiki": ">= 1.45"},
        "MessagesDirs": {name: ["i18n"]},
        "ResourceModules": {
            module: {"localBasePath": f"modules/{module}", "remoteExtPath": f"{name}/modules/{module}",
                     "packageFiles": [p.split("/", 2)[2] for p in files]}
            for module, files in scripts.items() if files
        },
        "config": {
            f"{name}Enabled": {"value": True},
            f"{name}StreamName": {"value": f"mediawiki.{name.lower()}_interaction"},
        },
        "manifest_version": 2,
    }
    if schemas:
        manifest["attributes"] = {
            "EventLogging": {"Schemas": {s: f"/analytics/legacy/{s.lower()}/1.0.0" for s in schemas}}
        }
    return json.dumps(manifest, indent="\t") + "\n"


def schema_declarations(name: str, repo: RepositoryWriter) -> list[PlantedCall]:
    """Each `"Schema": "/analytics/legacy/…"` line of the manifest just written is a declaration."""
    lines = (repo.root / "extension.json").read_text(encoding="utf-8").splitlines()
    return [
        PlantedCall(f"{name}/extension.json", i, "json", "schema-declaration")
        for i, line in enumerate(lines, 1)
        if '"/analytics/legacy/' in line
    ]


def write_other_files(w: Writer, repo: RepositoryWriter, counts: Counter, categories: Iterable[str]) -> None:
    for category in categories:
        for _ in range(counts[category]):
            size = w.size(category)
            if category == "json":
                repo.write(f"{w.word()}/{w.lower_camel()}.json", json_file(w, size), category)
            elif category in ("less", "css"):
                repo.write(f"resources/{w.word()}/{w.lower_camel()}.{category}", less_file(w, size), category)
            elif category == "svg":
                repo.write(f"images/{w.word()}-{w.word()}.svg", svg_file(w, size), category)
            elif category == "md":
                repo.write(f"docs/{w.word()}.md", prose(w, size), category)
            elif category == "image":
                repo.write(f"images/{w.word()}-{w.word()}.png", image_bytes(w, size), category)
            elif category == "xml":
                repo.write(f"res/layout/{w.snake()}.xml", xml_file(w, size), category)
            else:
                directory = w.rng.choice(("sql", "metadata", "maintenance"))
                repo.write(f"{directory}/{w.snake()}.txt", prose(w, size), category)


def write_app(w: Writer, corpus: SyntheticCorpus, name: str, total: int) -> None:
    repo = RepositoryWriter(w, corpus, name)
    counts = apportion(total, CATEGORY_SHARE["app"], at_least_one=("kotlin",))
    for calls in repo.instrumented("kotlin", counts["kotlin"]):
        test = repo.in_test("kotlin") and not calls
        folder = "app/src/test/java/org/wikipedia" if test else "app/src/main/java/org/wikipedia"
        package = "analytics/eventplatform" if calls else w.word()
        source = kotlin_file(w, w.size("kotlin"), calls, test)
        if not calls:
            mention_api(w, source, "kotlin")
        repo.write(f"{folder}/{package}/{w.camel()}{'Test' if test else ''}.kt", source, "kotlin")
    write_other_files(w, repo, counts, ("xml", "image", "text", "json", "md", "svg"))


def generate(root: Path, files: int = DEFAULT_FILES, seed: int = 0) -> SyntheticCorpus:
    """Write a corpus of about `files` files under `root` (created if missing)."""
    w = Writer(seed)
    corpus = SyntheticCorpus(root)
    scale = files / DEFAULT_FILES
    kinds: list[tuple[str, int, Callable]] = [
        *(("extension", n, write_extension) for n in REPO_FILES["extension"]),
        *(("app", n, write_app) for n in REPO_FILES["app"]),
    ]
    for index, (kind, measured, write) in enumerate(kinds):
        name = f"Synthetic{w.camel(1)}{index}" if kind == "extension" else f"synthetic-app-{index}"
        corpus.repositories.append(name)
        write(w, corpus, name, max(12, round(measured * scale)))
    return corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, help="directory to write the corpus into")
    parser.add_argument("--files", type=int, default=DEFAULT_FILES, help="about how many files (default %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--measure", nargs="+", type=Path, metavar="REPO",
                        help="print the parameters measured on these repositories")
    args = parser.parse_args(argv)
    if args.measure:
        for key, value in measure(args.measure).items():
            print(f"{key} = {value!r}")
        return 0
    if args.out is None:
        parser.error("give an output directory or --measure")
    corpus = generate(args.out, args.files, args.seed)
    print(f"wrote {sum(corpus.files.values())} files ({corpus.bytes / 1e6:.1f} MB) in {len(corpus.repositories)} "
          f"repositories under {corpus.root}; {len(corpus.planted)} planted call sites")
    print("files by category: " + ", ".join(f"{c} {n}" for c, n in corpus.files.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
