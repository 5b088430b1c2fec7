"""The interface every language frontend implements. Which files it reads is not part of it:
that is declared, as data, in frontends/__init__.py:FRONTENDS."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the facts model is only needed once a file is lowered
    from analyzer.facts import FileFacts

#: the manifests the JSON frontend reads, by file name
MANIFEST_NAMES = ("extension.json", "skin.json")


class Frontend(Protocol):
    """Turns the bytes of one file into its facts. Never raises on bad input: problems become
    `FileFacts.problems`, and whatever parsed is still lowered."""

    #: the language reported on findings (javascript, typescript, vue, php, json, …)
    language: str

    def lower(self, path: str, source: bytes) -> FileFacts:
        """The facts of one file; `path` is only recorded, never opened."""
        ...
