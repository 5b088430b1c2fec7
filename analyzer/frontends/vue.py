"""Vue single-file components: the `<script>` and `<script setup>` blocks, parsed as JavaScript
or TypeScript (`lang="ts"`).

Everything outside the script blocks is blanked out (newlines kept, other bytes turned into
spaces) before parsing, so byte offsets, lines and columns in the tree are those of the .vue
file itself and need no mapping back.
"""

from __future__ import annotations

import re

from analyzer.facts import FileFacts
from analyzer.frontends.javascript import lower_script

SCRIPT_BLOCK = re.compile(rb"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
LANG_ATTRIBUTE = re.compile(rb"""\blang\s*=\s*["']?([a-z]+)""", re.I)
NOT_NEWLINE = re.compile(rb"[^\n]")


def script_only(source: bytes) -> tuple[bytes, str]:
    """The file with only its script blocks left in place, and the grammar they need."""
    blank = bytearray(NOT_NEWLINE.sub(b" ", source))
    grammar = "javascript"
    for block in SCRIPT_BLOCK.finditer(source):
        lang = LANG_ATTRIBUTE.search(block.group(1))
        if lang:
            value = lang.group(1).lower()
            if value == "tsx":
                grammar = "tsx"
            elif value == "ts" and grammar != "tsx":
                grammar = "typescript"
        start, end = block.span(2)
        blank[start:end] = source[start:end]
    return bytes(blank), grammar


class VueFrontend:
    language = "vue"
    suffixes = (".vue",)

    def claims(self, path: str) -> bool:
        return path.lower().endswith(self.suffixes)

    def lower(self, path: str, source: bytes) -> FileFacts:
        script, grammar = script_only(source)
        return lower_script(path, script, grammar, self.language)
