"""Language frontends, one module each, all behind the interface in base.py.

Which files a frontend reads is declared here, as data, so that deciding it imports no parser:
a scan that finds every root unchanged in the cache never loads a frontend (tree-sitter, its
grammars, libcst). The module of a frontend is imported the first time `frontend_for` is
asked for a file of its language.

To add a language: write a module with a class that has `language` and
`lower(path, source) -> FileFacts`, and declare it in FRONTENDS with the files it reads (a
test checks that the entry names the class's language).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field

from analyzer.frontends.base import MANIFEST_NAMES, Frontend


@dataclass(eq=False)
class FrontendEntry:
    """A frontend as the scan sees it before it is loaded: its language and what it claims."""

    language: str
    suffixes: tuple[str, ...]
    module: str
    class_name: str
    # The languages whose code can call, construct or subclass each other's (Kotlin and Java,
    # Swift and Objective-C): where a name learned in a file of this one is looked for.
    family: str
    by_file_name: bool = False  # the suffixes are whole file names (extension.json)
    unless: re.Pattern | None = None  # paths with a claimed suffix that it does not read
    _loaded: Frontend | None = field(default=None, repr=False)

    def claims(self, path: str) -> bool:
        if self.by_file_name:
            return path.rsplit("/", 1)[-1] in self.suffixes
        lowered = path.lower()
        return lowered.endswith(self.suffixes) and not (self.unless and self.unless.search(lowered))

    def load(self) -> Frontend:
        if self._loaded is None:
            self._loaded = getattr(importlib.import_module(self.module), self.class_name)()
        return self._loaded


FRONTENDS: tuple[FrontendEntry, ...] = (
    FrontendEntry("javascript", (".js", ".mjs", ".cjs", ".jsx"), "analyzer.frontends.javascript", "JavaScriptFrontend",
                  family="web"),
    # Declaration files (.d.ts) describe APIs; they never call them.
    FrontendEntry("typescript", (".ts", ".mts", ".cts", ".tsx"), "analyzer.frontends.javascript", "TypeScriptFrontend",
                  family="web", unless=re.compile(r"\.d\.[mc]?ts$")),
    FrontendEntry("vue", (".vue",), "analyzer.frontends.vue", "VueFrontend", family="web"),
    FrontendEntry("php", (".php",), "analyzer.frontends.php", "PhpFrontend", family="php"),
    FrontendEntry("json", MANIFEST_NAMES, "analyzer.frontends.manifest", "ManifestFrontend", family="json",
                  by_file_name=True),
    FrontendEntry("kotlin", (".kt",), "analyzer.frontends.kotlin", "KotlinFrontend", family="jvm"),
    FrontendEntry("java", (".java",), "analyzer.frontends.java", "JavaFrontend", family="jvm"),
    FrontendEntry("swift", (".swift",), "analyzer.frontends.swift", "SwiftFrontend", family="apple"),
    FrontendEntry("objc", (".m", ".mm", ".h"), "analyzer.frontends.objc", "ObjcFrontend", family="apple"),
    FrontendEntry("python", (".py",), "analyzer.frontends.python", "PythonFrontend", family="python"),
)
# Entries by the file name's last extension (".js"), and by whole file name (extension.json), so
# that every path is decided by a lookup or two: discovery asks about every file of every root.
_BY_EXTENSION: dict[str, tuple[FrontendEntry, ...]] = {}
_BY_NAME: dict[str, FrontendEntry] = {}
for _entry in FRONTENDS:
    for _suffix in _entry.suffixes:
        if _entry.by_file_name:
            _BY_NAME[_suffix] = _entry
        else:
            _extension = "." + _suffix.rsplit(".", 1)[-1].lower()
            _BY_EXTENSION[_extension] = (*_BY_EXTENSION.get(_extension, ()), _entry)


def entry_for(path: str) -> FrontendEntry | None:
    named = _BY_NAME.get(path[path.rfind("/") + 1 :])
    if named is not None:
        return named
    dot = path.rfind(".")
    for entry in _BY_EXTENSION.get(path[dot:].lower() if dot >= 0 else "", ()):
        if entry.claims(path):
            return entry
    return None


def claims(path: str) -> bool:
    return entry_for(path) is not None


def language_of(path: str) -> str | None:
    entry = entry_for(path)
    return entry.language if entry is not None else None


def family_of(path: str) -> str | None:
    """The languages `path`'s code can call or subclass (FrontendEntry.family)."""
    entry = entry_for(path)
    return entry.family if entry is not None else None


def frontend_for(path: str) -> Frontend | None:
    """The frontend that reads `path` (its module imported now if it was not yet)."""
    entry = entry_for(path)
    return entry.load() if entry is not None else None
