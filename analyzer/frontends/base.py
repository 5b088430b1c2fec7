"""The interface every language frontend implements."""

from __future__ import annotations

from typing import Protocol

from analyzer.facts import FileFacts


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
