"""Prefilter: which files are worth parsing.

Most files contain no instrumentation. A file is parsed when its bytes contain one of its
language's trigger strings (rule data: `triggers` in rules/apis/*.yaml) or it is a manifest.
Recall must not suffer, so what the parsed files need is parsed too, round by round:

- during resolution, the modules they load (`require( './x.js' )`, ES imports, ResourceLoader
  module names) and the files defining the classes and constants they use, found by file name
  (PSR-4, Kotlin, Java, Swift conventions) or by a definition in the bytes (symbols.LazyFiles);
- after resolution, the files that mention a wrapper the resolver found (their calls of it are
  findings) or a class around instrumentation (subclasses can change what it sends).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from analyzer.frontends.base import MANIFEST_NAMES
from analyzer.ruleset import RuleSet

IDENTIFIER = re.compile(r"^[A-Za-z_$][\w$]*$")
IDENTIFIER_BYTE = re.compile(rb"[\w$]")
WORD_BYTE = re.compile(rb"\w")
# Where names are defined, in every supported language: classes and their kin, PHP define()
# and const, Kotlin const val, Swift `@objc(Name)` aliases, Objective-C `@implementation` and
# `#define`. Found in the bytes, so unparsed files can be asked.
DEFINITION = re.compile(
    rb"(?:(?:class|interface|trait|enum|object|struct|extension|protocol|implementation)\s+"
    rb"|define\(\s*['\"]|#define\s+|@objc\(\s*|const\s+(?:val\s+)?)([A-Za-z_][\w.]*)"
)
# The words a definition starts with. Each is found with bytes.find (a fast substring search)
# and DEFINITION is tried there only: 4x faster than letting the regex engine try an
# alternation of keywords at every position of every file.
DEFINITION_WORDS = (b"class", b"interface", b"trait", b"enum", b"object", b"struct", b"extension", b"protocol",
                    b"implementation", b"define", b"const", b"@objc")
# Up to how many words mentioning() looks for with a substring search before the regex.
MAX_SUBSTRING_WORDS = 16
# Objective-C spells a call of Swift's `logFoo(bar:)` as `logFooWithBar:`.
SELECTOR_LABEL = rb"(?:With[A-Z]\w*)?"


class Prefilter:
    def __init__(self, rules: RuleSet):
        self.tokens = {language: tuple(t.encode() for t in sorted(tokens))
                       for language, tokens in rules.triggers.items()}

    def wanted(self, path: str, language: str, data: bytes) -> bool:
        if path.rsplit("/", 1)[-1] in MANIFEST_NAMES:
            return True
        return any(token in data for token in self.tokens.get(language, ()))


# What follows a function's name where it is called, in every supported language: `f(`,
# `f<T>(`, a trailing lambda or closure `f {`, a tagged template, JS `f?.(` and `f.call(` /
# `f.apply(`, an Objective-C message `[x f:…]` / `[x f]`.
CALL_SHAPE = rb"\s*(?:[(<{:\]`]|\?\.\(|\.(?:call|apply)\b)"


# A class named where a subclass, an extension or a constructor call could name it is not in an
# import line or a comment line, not a parameter's type (`Searcher $searcher`), and not followed
# by a member access (`Page.newIntent(…)`, `Page::class`) unless it is the receiver of a Kotlin
# extension (`fun Page.track()`).
IMPORT_OR_COMMENT_LINE = re.compile(rb"\s*(?:import|use|package|from|#import|@import|\*|/[/*]|#(?![a-z]))")
MEMBER_ACCESS = re.compile(rb"\s*(?:\.|::)|\s+&?(?:\.\.\.)?\$")
EXTENSION_RECEIVER = re.compile(rb"\b(?:fun|val|var)\s+(?:<[^>]*>\s*)?[\w.]*$")


def mentioning(names: Iterable[str], candidates: dict[str, bytes], calls: Iterable[str] = ()) -> set[str]:
    """The candidate files that may declare a subclass or extension of one of the classes
    `names` or call its constructor, or that call one of the functions `calls` (whole
    identifiers only). A name alone is not enough: `log` is also a package (`util.log.L`), and
    a file that only imports `PageActivity` or calls `PageActivity.newIntent(…)` holds neither."""
    found: set[str] = set()
    for words, after, accept in ((names, rb"(?![\w$])", _names_class), (calls, rb"(?![\w$])" + CALL_SHAPE, None)):
        wanted = sorted({n for n in words if len(n) >= 3 and IDENTIFIER.match(n)})
        if not wanted:
            continue
        # No lookbehind in front: a pattern that starts with the words lets the regex engine
        # skip ahead to their first bytes (4x faster); the start of a match is checked here.
        encoded = [n.encode() for n in wanted]
        pattern = re.compile(trie_pattern(encoded) + SELECTOR_LABEL + after)
        # When the words start with different letters the regex engine tries every position
        # (about 85 MB/s); a substring search runs at about 2 GB/s per word, so for a few words
        # it first tells which files contain one at all (the match starts with one).
        anchors = encoded if len(encoded) <= MAX_SUBSTRING_WORDS else ()
        found |= {path for path, data in candidates.items()
                  if path not in found and (not anchors or any(word in data for word in anchors))
                  and _matches(pattern, data, accept)}
    return found


def _matches(pattern: re.Pattern, data: bytes, accept=None) -> bool:
    """Whether `pattern` matches `data` at the start of an identifier (and `accept` agrees)."""
    match = pattern.search(data)
    while match is not None:
        start = match.start()
        if (start == 0 or not IDENTIFIER_BYTE.match(data, start - 1)) and (accept is None or accept(data, match)):
            return True
        match = pattern.search(data, start + 1)  # another match may begin inside this one
    return False


def _names_class(data: bytes, match: re.Match) -> bool:
    line = data[data.rfind(b"\n", 0, match.start()) + 1 : match.start()]
    if IMPORT_OR_COMMENT_LINE.match(line):
        return False
    return not MEMBER_ACCESS.match(data, match.end()) or EXTENSION_RECEIVER.search(line) is not None


def trie_pattern(words: list[bytes]) -> bytes:
    """One regex alternative for many words, shaped as a trie (`ab(?:c|d)`), which the regex
    engine matches far faster than a flat `abc|abd|…` over large inputs."""
    trie: dict = {}
    for word in words:
        node = trie
        for byte in word:
            node = node.setdefault(byte, {})
        node[None] = True

    def render(node: dict) -> bytes:
        children = sorted((k, v) for k, v in node.items() if k is not None)
        branches = [re.escape(bytes([b])) + render(child) for b, child in children]
        if not branches:
            return b""
        body = branches[0] if len(branches) == 1 else b"(?:" + b"|".join(branches) + b")"
        return b"(?:" + body + b")?" if None in node else body

    return render(trie)


class Definitions:
    """Which files define which names, by file name (PSR-4, Kotlin, Java, Swift conventions)
    and, for names no file is named after, by a definition found in the bytes."""

    def __init__(self, data: dict[str, bytes]):
        self.data = data
        self.stems: dict[str, list[str]] = {}
        for path in data:
            for stem in file_stems(path):
                self.stems.setdefault(stem, []).append(path)
        self._defined: dict[str, list[str]] | None = None

    def files_defining(self, name: str) -> list[str]:
        short = name.replace("::", ".").lstrip("\\").rsplit("\\", 1)[-1].split(".")[0]
        by_stem = self.stems.get(short)
        if by_stem:
            return by_stem
        if self._defined is None:
            self._defined = {}
            for path, content in self.data.items():
                for found in defined_names(content):
                    self._defined.setdefault(found, []).append(path)
        return self._defined.get(short, [])


def defined_names(content: bytes) -> set[str]:
    """The names that `content` appears to define (DEFINITION at the start of a word). A dotted
    name (`@class mw.libs.ge.FiltersStore` in a doc comment, Swift `extension Outer.Inner`)
    defines itself and its last part, never its first: `mw` is a namespace."""
    names = set()
    for word in DEFINITION_WORDS:
        position = content.find(word)
        while position != -1:
            start = position - 1 if word == b"define" and content[position - 1 : position] == b"#" else position
            if start == 0 or content[start : start + 1] in (b"#", b"@") or not WORD_BYTE.match(content, start - 1):
                match = DEFINITION.match(content, start)
                if match is not None:
                    name = match.group(1).decode().rstrip(".")
                    names.update((name, name.rsplit(".", 1)[-1]))
            position = content.find(word, position + 1)
    return names


def file_stems(path: str) -> set[str]:
    """The class names a file is named after: `Foo` for Foo.php, Foo.kt or Foo.swift, and for a
    namespaced script `ve.ui.FooWidget.js` its full name and `FooWidget`. (Never its first
    part: `ve` is a namespace, and asking for it must not load every `ve.*.js` file.)"""
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return {stem, stem.rsplit(".", 1)[-1]}
