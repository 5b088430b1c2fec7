"""The interface every language frontend implements."""

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
    #: file name endings this frontend claims (documentation; `claims` decides)
    suffixes: tuple[str, ...]

    def claims(self, path: str) -> bool:
        """Whether this frontend reads the file at `path` (POSIX, relative to the root)."""
        ...

    def lower(self, path: str, source: bytes) -> FileFacts:
        """The facts of one file; `path` is only recorded, never opened."""
        ...
