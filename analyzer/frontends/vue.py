"""Vue single-file components: the `<script>` and `<script setup>` blocks, parsed as JavaScript
or TypeScript (`lang="ts"`), plus template event handlers that call a function
(`@click="logClick( 'x' )"`), so that calls of wrapper functions from templates are found.

Everything outside the script blocks is blanked out (newlines kept, other bytes turned into
spaces) before parsing, so byte offsets, lines and columns in the tree are those of the .vue
file itself and need no mapping back.
"""

from __future__ import annotations

import re

from analyzer.facts import FileFacts
from analyzer.frontends.javascript import lower_script

SCRIPT_BLOCK = re.compile(rb"<script\b([^>]*)>(.*?)</script\s*>", re.DOTALL | re.IGNORECASE)
TEMPLATE_BLOCK = re.compile(rb"<template\b[^>]*>(.*)</template\s*>", re.DOTALL | re.IGNORECASE)
# `@click="track( 'x' )"` / `v-on:submit="…"`: an event handler that calls a function.
HANDLER_CALL = re.compile(rb"""(?:@|v-on:)[\w.:-]+\s*=\s*(["'])(\s*[A-Za-z_$][\w$.]*\s*\((?:(?!\1).)*\)\s*)\1""",
                          re.DOTALL)
LANG_ATTRIBUTE = re.compile(rb"""\blang\s*=\s*["']?([a-z]+)""", re.IGNORECASE)
NOT_NEWLINE = re.compile(rb"[^\n]")


def script_only(source: bytes) -> tuple[bytes, str]:
    """The file with only its script blocks left in place, and the grammar they need."""
    blank = bytearray(NOT_NEWLINE.sub(b" ", source))
    grammar = "javascript"
    for block in SCRIPT_BLOCK.finditer(source):
        lang = LANG_ATTRIBUTE.search(block.group(1))
        if lang:
            value = lang.group(1).decode("ascii").lower()
            if value == "tsx":
                grammar = "tsx"
            elif value == "ts" and grammar != "tsx":
                grammar = "typescript"
        start, end = block.span(2)
        blank[start:end] = source[start:end]
    for template in TEMPLATE_BLOCK.finditer(source):
        for handler in HANDLER_CALL.finditer(source, *template.span(1)):
            start, end = handler.span(2)
            # Kept in place as a statement of its own (the closing quote becomes its `;`),
            # so its location is the template's.
            blank[start:end] = source[start:end]
            blank[end:end + 1] = b";"
    return bytes(blank), grammar


class VueFrontend:
    language = "vue"

    def lower(self, path: str, source: bytes) -> FileFacts:
        script, grammar = script_only(source)
        return lower_script(path, script, grammar, self.language)
