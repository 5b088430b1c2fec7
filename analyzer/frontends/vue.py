"""Vue single-file components: the `<script>` and `<script setup>` blocks, parsed as JavaScript
or TypeScript (`lang="ts"`), plus template event handlers that call a function
(`@click="logClick( 'x' )"`), so that calls of wrapper functions from templates are found.

Everything outside the script blocks is blanked out (newlines kept, other bytes turned into
spaces) before parsing, so byte offsets, lines and columns in the tree are those of the .vue
file itself and need no mapping back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from analyzer.facts import FileFacts
from analyzer.frontends.javascript import lower_script

# A script block runs from its opening tag to the first closing tag after it, the template from
# the first opening tag to the last closing tag (templates nest). The tags are searched for on
# their own: one expression spanning a block would step through its content byte by byte.
SCRIPT_START = re.compile(rb"<script\b([^>]*)>", re.IGNORECASE)
SCRIPT_END = re.compile(rb"</script\s*>", re.IGNORECASE)
TEMPLATE_START = re.compile(rb"<template\b[^>]*>", re.IGNORECASE)
TEMPLATE_END = re.compile(rb"</template\s*>", re.IGNORECASE)
# `@click="track( 'x' )"` / `v-on:submit="…"`: an event handler that calls a function.
HANDLER_CALL = re.compile(rb"""(?:@|v-on:)[\w.:-]+\s*=\s*(["'])(\s*[A-Za-z_$][\w$.]*\s*\((?:(?!\1).)*\)\s*)\1""",
                          re.DOTALL)
LANG_ATTRIBUTE = re.compile(rb"""\blang\s*=\s*["']?([a-z]+)""", re.IGNORECASE)
# A bytes.translate table that turns every byte but the newline into a space.
BLANK_BUT_NEWLINES = bytes(byte if byte == ord("\n") else ord(" ") for byte in range(256))


def script_blocks(source: bytes) -> Iterator[tuple[bytes, int, int]]:
    """The attributes and the content's byte range of each `<script …>…</script>` block."""
    position = 0
    while opening := SCRIPT_START.search(source, position):
        closing = SCRIPT_END.search(source, opening.end())
        if closing is None:
            return
        yield opening.group(1), opening.end(), closing.start()
        position = closing.end()


def template_range(source: bytes) -> tuple[int, int] | None:
    """The byte range of the template's content, if there is a template."""
    opening = TEMPLATE_START.search(source)
    if opening is None:
        return None
    closings = [closing.start() for closing in TEMPLATE_END.finditer(source, opening.end())]
    return (opening.end(), closings[-1]) if closings else None


def script_only(source: bytes) -> tuple[bytes, str]:
    """The file with only its script blocks left in place, and the grammar they need."""
    blank = bytearray(source.translate(BLANK_BUT_NEWLINES))
    grammar = "javascript"
    for attributes, start, end in script_blocks(source):
        lang = LANG_ATTRIBUTE.search(attributes)
        if lang:
            value = lang.group(1).decode("ascii").lower()
            if value == "tsx":
                grammar = "tsx"
            elif value == "ts" and grammar != "tsx":
                grammar = "typescript"
        blank[start:end] = source[start:end]
    template = template_range(source)
    if template is not None:
        for handler in HANDLER_CALL.finditer(source, *template):
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
