"""A content-addressed cache of parse results, and of whole-root results for unchanged trees.

- Facts: a file's FileFacts, keyed by the hash of its bytes, its language and the code that
  lowers it (instrumap version plus a digest of the frontends and queries), so an edit to either
  misses. Parsing is the expensive stage; a warm cache skips it. Written once a root is scanned
  a second time (pickling them was an eighth of a cold scan, and most roots of a sweep are
  scanned once).
- Roots: the analysed result of a root, keyed by what it is computed from: every discovered
  file's path, test mark and bytes, the revision and skip counts discovery reported, the rules,
  the options and the code. A fresh checkout of analysed files (a CI run that keeps its cache)
  is read and hashed, but not parsed or analysed again.
- Discovery: a root's discovered files, with what discovery read to find them (every walked
  directory's stamps, or git's listing), reused while that is unchanged.
- State: per root and settings, what its cached result saw (what discovery read, every file's
  size and stamps) and that result's key: while a stat of each agrees, a rescan neither
  discovers nor reads a file.
- YAML and streams: the registry's parsed schema documents and stream configuration, keyed by
  the bytes they were read from.
- Reports: the text the CLI printed, keyed by the format and the keys of the root results it
  was made from (scans without a registry): a rescan of unchanged roots loads no result.

Stamps written within RACY_WINDOW_NS of being read are never trusted to vouch for anything
(a file written again within the same clock tick keeps its mtime): discovery and state are
not remembered for such a tree (its result is: content needs no trust in stamps).

Entries are pickles written to a temporary file and renamed into place, so concurrent scans
(a sweep's workers) never see half-written entries; a corrupt or unreadable entry is a miss.
Only data instrumap itself produced is ever unpickled, from the user's own cache directory.
"""

from __future__ import annotations

import copy
import hashlib
import os
import pickle
import threading
from pathlib import Path

from analyzer.resources import code_digest

CACHE_FORMAT = 1


def content_key(language: str, data: bytes) -> str:
    return hashlib.sha256(language.encode() + b"\0" + data).hexdigest()


class Cache:
    """A directory of pickled entries; a disabled cache never hits and never writes."""

    def __init__(self, directory: Path | None):
        self.directory = directory / f"v{CACHE_FORMAT}-{code_digest()}" if directory is not None else None
        self.unwritten: frozenset[str] = frozenset()  # kinds of entries read but not written (reading_only)
        self.hits = 0
        self.misses = 0
        self._made: set[str] = set()  # directories known to exist (a cold scan writes ~1,000 entries)

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    def reading_only(self, *kinds: str) -> Cache:
        """This cache, with entries of `kinds` still read but no longer written."""
        view = copy.copy(self)
        view.unwritten = self.unwritten | frozenset(kinds)
        return view

    def _file(self, kind: str, key: str) -> Path:
        return self.directory / kind / key[:2] / f"{key}.pickle"

    def get(self, kind: str, key: str):
        if self.directory is None:
            return None
        try:
            with open(self._file(kind, key), "rb") as handle:
                value = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, IndexError, TypeError):
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, kind: str, key: str, value) -> None:
        if self.directory is None or kind in self.unwritten:
            return
        folder = os.path.join(self.directory, kind, key[:2])
        target = os.path.join(folder, f"{key}.pickle")
        # Unique per writer: concurrent scans writing the same entry each rename a whole file.
        temporary = os.path.join(folder, f".{key}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            if folder not in self._made:
                os.makedirs(folder, exist_ok=True)
                self._made.add(folder)
            with open(temporary, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, target)
        except OSError:
            pass  # a cache that cannot be written only costs time
