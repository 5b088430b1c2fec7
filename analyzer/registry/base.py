"""What every registry reader shares: where a declaration is, the error for a path that cannot
be a registry, and problems reported as Diagnostics (never raised)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from analyzer.model import DeclaredAt as Location
from analyzer.model import Diagnostic, Span


class RegistryPathError(Exception):
    """A registry path given by the user does not exist or is not a registry (a usage error)."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A registry file, named as reports show it: the source's directory name and a path
    relative to it (e.g. operations-mediawiki-config, wmf-config/ext-EventStreamConfig.php)."""

    absolute: Path
    repository: str
    path: str

    def diagnostic(self, code: str, message: str, severity: str = "warning", span: Span | None = None) -> Diagnostic:
        return Diagnostic(self.repository, self.path, code, message, severity, span)

    def location(self, line: int, wiki: str | None = None) -> Location:
        return Location(self.repository, self.path, line, wiki)


def source_file(path: Path, root: Path) -> SourceFile:
    """Name a file by the directory it was found under."""
    root = Path(os.path.abspath(root))
    absolute = Path(os.path.abspath(path))
    return SourceFile(absolute, root.name or str(root), absolute.relative_to(root).as_posix())
