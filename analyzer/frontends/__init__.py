"""Language frontends, one module each, all behind the interface in base.py.

To add a language: write a module with a class that has `language`, `suffixes`,
`claims(path)` and `lower(path, source) -> FileFacts`, and list an instance here.
"""

from __future__ import annotations

from analyzer.frontends.base import Frontend
from analyzer.frontends.java import JavaFrontend
from analyzer.frontends.javascript import JavaScriptFrontend, TypeScriptFrontend
from analyzer.frontends.kotlin import KotlinFrontend
from analyzer.frontends.manifest import ManifestFrontend
from analyzer.frontends.php import PhpFrontend
from analyzer.frontends.python import PythonFrontend
from analyzer.frontends.swift import SwiftFrontend
from analyzer.frontends.vue import VueFrontend

FRONTENDS: tuple[Frontend, ...] = (
    JavaScriptFrontend(),
    TypeScriptFrontend(),
    VueFrontend(),
    PhpFrontend(),
    ManifestFrontend(),
    KotlinFrontend(),
    JavaFrontend(),
    SwiftFrontend(),
    PythonFrontend(),
)


def frontend_for(path: str) -> Frontend | None:
    for frontend in FRONTENDS:
        if frontend.claims(path):
            return frontend
    return None


def claims(path: str) -> bool:
    return frontend_for(path) is not None
