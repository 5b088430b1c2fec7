"""Language frontends, one module each, all behind the interface in base.py.

To add a language: write a module with a class that has `language`, `suffixes`,
`claims(path)` and `lower(path, source) -> FileFacts`, and list an instance here.
"""

from __future__ import annotations

import importlib

from analyzer.facts import FileFacts
from analyzer.frontends.base import Frontend
from analyzer.frontends.java import JavaFrontend
from analyzer.frontends.javascript import JavaScriptFrontend, TypeScriptFrontend
from analyzer.frontends.kotlin import KotlinFrontend
from analyzer.frontends.manifest import ManifestFrontend
from analyzer.frontends.objc import ObjcFrontend
from analyzer.frontends.php import PhpFrontend
from analyzer.frontends.swift import SwiftFrontend
from analyzer.frontends.vue import VueFrontend


class _Deferred:
    """A frontend whose module (and its parser library) is imported on first use: libcst
    alone doubles instrumap's start-up time, and most scans never meet a Python file."""

    def __init__(self, language: str, suffixes: tuple[str, ...], module: str, name: str):
        self.language = language
        self.suffixes = suffixes
        self._where = (module, name)
        self._frontend: Frontend | None = None

    def claims(self, path: str) -> bool:
        return path.lower().endswith(self.suffixes)

    def lower(self, path: str, source: bytes) -> FileFacts:
        if self._frontend is None:
            module, name = self._where
            self._frontend = getattr(importlib.import_module(module), name)()
        return self._frontend.lower(path, source)


FRONTENDS: tuple[Frontend, ...] = (
    JavaScriptFrontend(),
    TypeScriptFrontend(),
    VueFrontend(),
    PhpFrontend(),
    ManifestFrontend(),
    KotlinFrontend(),
    JavaFrontend(),
    SwiftFrontend(),
    ObjcFrontend(),
    _Deferred("python", (".py",), "analyzer.frontends.python", "PythonFrontend"),
)
# Frontends by the file name's last extension (".js"), so most paths are decided by one lookup.
_BY_EXTENSION: dict[str, tuple[Frontend, ...]] = {}
for _frontend in FRONTENDS:
    for _suffix in _frontend.suffixes:
        _extension = "." + _suffix.rsplit(".", 1)[-1].lower()
        _BY_EXTENSION[_extension] = (*_BY_EXTENSION.get(_extension, ()), _frontend)


def frontend_for(path: str) -> Frontend | None:
    dot = path.rfind(".")
    for frontend in _BY_EXTENSION.get(path[dot:].lower() if dot >= 0 else "", ()):
        if frontend.claims(path):
            return frontend
    return None


def claims(path: str) -> bool:
    return frontend_for(path) is not None
