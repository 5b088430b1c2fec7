"""Schema repositories (checkouts of schemas/event/primary and secondary): which schema titles
and versions exist, indexed from the directory layout, with documents parsed only on demand.

Layout: `jsonschema/<title>/current.yaml` (the editable source, `$id: /<title>/<version>`, may
`$ref` fragments) and `jsonschema/<title>/<version>.yaml` (materialised, fragments inlined;
`.json` twins and `<version>` / `latest` symlinks beside them, or, checked out without symlink
support, small files naming their target: aliases, not read). `jsonschema/fragment/**` are
fragments, never a `$schema` target.

Only the current.yaml files are parsed up front (to learn each title's newest `$id` and report
YAML errors early); versioned documents are parsed when privacy hints ask for them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.cache import Cache, content_key
from analyzer.model import Diagnostic, Span
from analyzer.registry.base import RegistryPathError, SourceFile, source_file
from analyzer.resources import read_yaml

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
_VERSION_FILE = re.compile(r"^(\d+\.\d+\.\d+)\.(yaml|json)$")
FRAGMENT_PREFIX = "fragment/"


def semver_key(version: str) -> tuple[int, int, int]:
    match = _VERSION.match(version)
    return tuple(int(g) for g in match.groups()) if match else (-1, -1, -1)  # type: ignore[return-value]


def parse_schema_uri(uri: str) -> tuple[str, str | None]:
    """'/analytics/session_tick/2.0.0#' → ('analytics/session_tick', '2.0.0'); a URI without
    a trailing version gives (title, None)."""
    path = uri.strip().split("#", 1)[0].strip("/")
    head, _, last = path.rpartition("/")
    if head and _VERSION.match(last):
        return head, last
    return path, None


@dataclass(frozen=True, eq=False)
class SchemaTitle:
    """One schema title in one repository, and the files of its versions."""

    title: str
    repository: str
    directory: Path
    files: Mapping[str, Path]  # version → the file to read for it
    current: Path | None = None
    current_id: str | None = None

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(sorted(self.files, key=semver_key))

    @property
    def latest(self) -> str | None:
        versions = self.versions
        return versions[-1] if versions else None

    @property
    def is_fragment(self) -> bool:
        return self.title.startswith(FRAGMENT_PREFIX)

    def has_version(self, version: str) -> bool:
        return version in self.files

    def newer_majors(self, version: str) -> tuple[str, ...]:
        major = semver_key(version)[0]
        return tuple(v for v in self.versions if semver_key(v)[0] > major)

    def schema_id(self, version: str) -> str:
        return f"/{self.title}/{version}"


@dataclass(eq=False)
class SchemaIndex:
    """The titles of every schema repository given, and their documents, parsed on demand."""

    titles: dict[str, SchemaTitle] = field(default_factory=dict)
    repositories: tuple[str, ...] = ()
    _documents: dict[Path, object] = field(default_factory=dict)
    _sources: dict[Path, SourceFile] = field(default_factory=dict)
    late_diagnostics: list[Diagnostic] = field(default_factory=list)
    cache: Cache | None = field(default=None, repr=False)  # parsed documents, by content

    def __bool__(self) -> bool:
        return bool(self.repositories)

    def title(self, title: str) -> SchemaTitle | None:
        return self.titles.get(title.strip("/"))

    def file_for(self, uri: str) -> tuple[SchemaTitle | None, str | None, Path | None]:
        """The title, version and file a `$schema` / `$id` / `$ref` URI names (file None when
        that version is not in the repositories)."""
        title, version = parse_schema_uri(uri)
        entry = self.title(title)
        if entry is None or version is None:
            return entry, version, None
        return entry, version, entry.files.get(version)

    def document(self, path: Path) -> object:
        """The parsed YAML/JSON document at path (None, with a diagnostic, if it does not parse)."""
        if path not in self._documents:
            self._documents[path] = self._parse(path)
        return self._documents[path]

    def display(self, path: Path) -> str:
        source = self._sources.get(path)
        return f"{source.repository}/{source.path}" if source else str(path)

    def _parse(self, path: Path) -> object:
        source = self._sources.get(path) or source_file(path, path.parent)
        document, problem = parse_yaml(path, source, self.cache)
        if problem is not None:
            self.late_diagnostics.append(problem)
        return document

    def add(self, repository: SchemaRepository, diagnostics: list[Diagnostic]) -> None:
        self.repositories += (repository.name,)
        for title, entry in repository.titles.items():
            if title in self.titles:
                diagnostics.append(Diagnostic(
                    repository.name, f"jsonschema/{title}", "duplicate-schema-title",
                    f"schema title '{title}' is also in {self.titles[title].repository}; that one is used", "note"))
                continue
            self.titles[title] = entry
        self._sources.update(repository.sources)
        self._documents.update(repository.documents)


@dataclass(eq=False)
class SchemaRepository:
    name: str
    root: Path
    titles: dict[str, SchemaTitle]
    sources: dict[Path, SourceFile]
    documents: dict[Path, object]  # the current.yaml documents parsed while indexing


def load_schema_repository(path: Path, cache: Cache | None = None) -> tuple[SchemaRepository, list[Diagnostic]]:
    """Index a schema repository checkout (or its jsonschema/ directory)."""
    if not path.exists():
        raise RegistryPathError(f"schema repository path does not exist: {path}")
    if (path / "jsonschema").is_dir():
        repository_root, root = path, path / "jsonschema"
    else:
        repository_root, root = (path.absolute().parent if path.name == "jsonschema" else path), path
    if not _has_schema_files(root):
        raise RegistryPathError(f"{path} is not a schema repository: no jsonschema/<title>/<version>.yaml files")
    name = Path(os.path.abspath(repository_root)).name
    diagnostics: list[Diagnostic] = []
    titles: dict[str, SchemaTitle] = {}
    sources: dict[Path, SourceFile] = {}
    documents: dict[Path, object] = {}
    for directory, entries in _title_directories(root):
        title = directory.relative_to(root).as_posix()
        files = _version_files(directory, entries)
        current = directory / "current.yaml" if "current.yaml" in entries else None
        current_id = None
        if current is not None:
            source = source_file(current, repository_root)
            sources[current] = source
            document, problem = parse_yaml(current, source, cache)
            documents[current] = document
            if problem is not None:
                diagnostics.append(problem)
            current_id = _schema_id(document)
            _, version = parse_schema_uri(current_id) if current_id else (None, None)
            if version is not None and version not in files:
                files[version] = current  # bumped in current.yaml, not materialised yet
        for file in files.values():
            sources.setdefault(file, source_file(file, repository_root))
        titles[title] = SchemaTitle(title, name, directory, files, current, current_id)
    return SchemaRepository(name, root, titles, sources, documents), diagnostics


def parse_yaml(path: Path, source: SourceFile, cache: Cache | None = None) -> tuple[object, Diagnostic | None]:
    """The document in a schema file; from `cache` when the same bytes were parsed before
    (parsing the YAML of a schema repository was most of a rescan's time with a registry)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, source.diagnostic("read-error", f"cannot read schema file: {error}", "error")
    key = content_key("yaml", data) if cache is not None and cache.enabled else None
    parsed = cache.get("yaml", key) if key else None
    if not (isinstance(parsed, tuple) and len(parsed) == 2):
        parsed = _parsed_yaml(text)
        if key:
            cache.put("yaml", key, parsed)
    document, syntax_error = parsed
    if syntax_error is not None:
        problem, span = syntax_error
        return None, source.diagnostic("schema-yaml-error", f"YAML syntax error: {problem}; this file is skipped",
                                       "error", span)
    return document, None


def _parsed_yaml(text: str) -> tuple[object, tuple[str, Span | None] | None]:
    """(document, None), or (None, (what is wrong, where)) for a YAML syntax error."""
    import yaml  # only when a document was not parsed before

    try:
        return read_yaml(text), None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        span = Span(mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 1) if mark else None
        return None, (getattr(error, "problem", None) or str(error).splitlines()[0], span)


def _has_schema_files(root: Path) -> bool:
    return root.is_dir() and any(True for _ in _title_directories(root))


def _title_directories(root: Path):
    """Directories that hold a schema (a current.yaml or version files), with their entries."""
    for directory, subdirectories, files in os.walk(root):
        subdirectories.sort()
        entries = set(files) | set(subdirectories)
        if "current.yaml" in entries or any(_VERSION_FILE.match(e) for e in entries):
            yield Path(directory), entries


def _version_files(directory: Path, entries: set[str]) -> dict[str, Path]:
    """version → file: `<v>.yaml`, else `<v>.json`. The `<v>` and `latest` entries beside
    them are links to these files (or, checked out without symlinks, files naming them)."""
    files: dict[str, Path] = {}
    for entry in sorted(entries, key=lambda e: e.endswith(".json")):
        match = _VERSION_FILE.match(entry)
        if match:
            files.setdefault(match.group(1), directory / entry)
    return files


def _schema_id(document: object) -> str | None:
    if isinstance(document, dict) and isinstance(document.get("$id"), str):
        return document["$id"]
    return None
