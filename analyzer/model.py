"""The finding model: the one contract every stage, reporter and user relies on.

Everything here is a frozen dataclass. Stages never mutate a record; a later stage that learns
more (the resolver, the classifier) builds a new record with `dataclasses.replace`. The JSON
form (`to_json`) is what `--format json` prints; it is versioned by FORMAT_VERSION and changes
within a version are additive only (see docs/json-format.md and rules/schema/findings.schema.json).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

FORMAT_VERSION = 1

NAME_KINDS = ("stream", "schema", "metric", "topic", "instrument", "experiment", "event")

# Ordered from strongest to weakest: a name built from several kinds reports the weakest.
RESOLUTION_KINDS = (
    "literal",
    "template-literal",
    "concatenation",
    "same-file-constant",
    "cross-file-constant",
    "enum",
    "annotation",
    "config",
    "wrapper-argument",
    "dynamic",
)


def weakest_resolution(kinds: list[str]) -> str:
    """The weakest of several resolution kinds (the order of RESOLUTION_KINDS)."""
    if not kinds:
        return "dynamic"
    return max(kinds, key=RESOLUTION_KINDS.index)


def frozen_record(cls=None, /, *, eq: bool = True, order: bool = False):
    """`@dataclass(frozen=True, slots=True, eq=eq, order=order)`, with its methods generated
    here, all in one piece of source compiled once per class (dataclass compiles each method on
    its own: creating the record classes was a tenth of a rescan's start-up).

    - `__init__` calls each slot's own setter instead of `object.__setattr__` (Member: 870 ->
      420 ns; lowering builds hundreds of thousands of records per scan). The class stays
      frozen: assigning to a field afterwards raises FrozenInstanceError.
    - `__reduce__`, for a TuplePickled class: (class, field values), read by one generated
      function (pickling the facts cache: 30 % faster than a generic reader per object).
    - `__repr__`, `__eq__`, `__hash__` and the order methods behave as dataclass's do, and a
      method the class defines itself is kept, as dataclass keeps it."""

    def wrap(klass: type) -> type:
        # Fields and slots from dataclass; the methods below.
        klass = dataclass(init=False, repr=False, eq=False, slots=True)(klass)
        _add_record_methods(klass, eq, order)
        return klass

    return wrap if cls is None else wrap(cls)


class TuplePickled:
    """A frozen record (see frozen_record) that pickles as (class, field values) and is
    unpickled by calling the class. The default for slotted dataclasses runs a Python
    __getstate__/__setstate__ per object, which made writing the parse cache twice as slow (a
    file's facts are thousands of small objects)."""

    __slots__ = ()


def _add_record_methods(cls: type, eq: bool, order: bool) -> None:
    fields = dataclasses.fields(cls)
    own = cls.__dict__
    namespace: dict[str, Any] = {
        "_cls": cls, "_MISSING": dataclasses.MISSING, "_Frozen": dataclasses.FrozenInstanceError,
        "_names": frozenset(f.name for f in fields),
    }
    for index, f in enumerate(fields):
        namespace[f"_set{index}"] = getattr(cls, f.name).__set__
    methods = {"__init__": _init_source(fields, namespace, hasattr(cls, "__post_init__")), **_frozen_sources(own)}
    if "__repr__" not in own:
        shown = ", ".join(f"{f.name}={{self.{f.name}!r}}" for f in fields if f.repr)
        methods["__repr__"] = [f'    return f"{{self.__class__.__qualname__}}({shown})"']
    compared = _tuple_of("self", [f.name for f in fields if f.compare])
    other = _tuple_of("other", [f.name for f in fields if f.compare])
    if eq and "__eq__" not in own:
        methods["__eq__"] = _comparison("==", compared, other)
    for name, operator in (("__lt__", "<"), ("__le__", "<="), ("__gt__", ">"), ("__ge__", ">=")) if order else ():
        if name in own:
            raise TypeError(f"{cls.__name__} defines {name}: frozen_record(order=True) would replace it")
        methods[name] = _comparison(operator, compared, other)
    explicit_hash = own.get("__hash__", dataclasses.MISSING) not in (dataclasses.MISSING, None)
    if eq and not explicit_hash:
        hashed = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
        methods["__hash__"] = [f"    return hash({_tuple_of('self', hashed)})"]
    if issubclass(cls, TuplePickled):
        methods["__reduce__"] = [f"    return _cls, {_tuple_of('self', [f.name for f in fields])}"]
    else:  # what dataclass gives a frozen slotted class (setting a slot directly: it is frozen)
        methods["__getstate__"] = [f"    return [{', '.join(f'self.{f.name}' for f in fields)}]"]
        methods["__setstate__"] = ["(state)", *(f"    _set{i}(self, state[{i}])" for i in range(len(fields)))]
    for name, method in _compiled_methods(cls, methods, namespace).items():
        setattr(cls, name, method)
    cls.__init__.__annotations__ = {**{f.name: f.type for f in fields if f.init}, "return": None}


def _init_source(fields: tuple[dataclasses.Field, ...], namespace: dict[str, Any], post_init: bool) -> list[str]:
    """An `__init__` taking the dataclass's parameters (defaults, default factories, fields left
    out of `__init__`, `__post_init__`) that sets the slots; its first line is its header."""
    parameters, body = [], []
    for index, f in enumerate(fields):
        has_factory = f.default_factory is not dataclasses.MISSING
        if has_factory:
            namespace[f"_factory{index}"] = f.default_factory
            default = f"_factory{index}()"
        elif f.default is not dataclasses.MISSING:
            namespace[f"_default{index}"] = f.default
            default = f"_default{index}"
        else:
            default = None
        if not f.init:
            value = default
        elif has_factory:
            parameters.append(f"{f.name}=_MISSING")
            value = f"{default} if {f.name} is _MISSING else {f.name}"
        else:
            parameters.append(f.name if default is None else f"{f.name}={default}")
            value = f.name
        if value is not None:
            body.append(f"    _set{index}(self, {value})")
    if post_init:
        body.append("    self.__post_init__()")
    return [f"({', '.join(parameters)})", *body]


def _frozen_sources(own: Mapping[str, Any]) -> dict[str, list[str]]:
    for name in ("__setattr__", "__delattr__"):
        if name in own:
            raise TypeError(f"a frozen record cannot define {name}")
    refuse = ["    if type(self) is _cls or name in _names:",
              "        raise _Frozen(f'cannot assign to field {name!r}')"]
    return {
        "__setattr__": ["(name, value)", *refuse, "    super(_cls, self).__setattr__(name, value)"],
        "__delattr__": ["(name)", *refuse, "    super(_cls, self).__delattr__(name)"],
    }


def _comparison(operator: str, mine: str, theirs: str) -> list[str]:
    return ["(other)", "    if other.__class__ is self.__class__:", f"        return {mine} {operator} {theirs}",
            "    return NotImplemented"]


def _tuple_of(name: str, fields: list[str]) -> str:
    return "(" + "".join(f"{name}.{field}, " for field in fields) + ")"


def _compiled_methods(cls: type, methods: dict[str, list[str]], namespace: dict[str, Any]) -> dict[str, Any]:
    """The methods of `cls` from generated source, compiled in one go. Each is a list of lines:
    the parameters after `self` when the first line starts with "(", then the body."""
    source = []
    for name, lines in methods.items():
        parameters = lines[0][1:-1] if lines and lines[0].startswith("(") else ""
        body = lines[1:] if lines and lines[0].startswith("(") else lines
        source.append(f"def {name}(self{', ' if parameters else ''}{parameters}):")
        source.extend(body or ["    pass"])
    exec("\n".join(source), namespace)
    compiled = {}
    for name in methods:
        method = namespace[name]
        method.__qualname__ = f"{cls.__qualname__}.{name}"
        compiled[name] = method
    return compiled


@frozen_record(order=True)
class Span(TuplePickled):
    """A region of a file: 1-based lines and columns, end_column exclusive (as in SARIF).

    Columns count Unicode code points, not bytes.
    """

    line: int
    column: int
    end_line: int
    end_column: int


@frozen_record
class ViaWrapper(TuplePickled):
    """The wrapper function a finding was reached through, and where its inner call is."""

    function: str
    path: str
    line: int


@frozen_record
class DeclaredAt(TuplePickled):
    """Where a registry entry is declared: a file of a registry source (named by its
    directory, e.g. operations-mediawiki-config), a line, and for per-wiki configuration the
    wiki key it sits under ('default', '+testwiki', …)."""

    repository: str
    path: str
    line: int
    wiki: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        return f"{where} [{self.wiki}]" if self.wiki else where


@frozen_record
class StreamMatch(TuplePickled):
    """The stream configuration entry a finding's stream matched (or that it matched none)."""

    stream: str
    declared_as: str | None = None  # the entry's key: the stream name or a regex
    schema_title: str | None = None
    destination_event_service: str | None = None
    declared_at: tuple[DeclaredAt, ...] = ()
    client_registered: bool | None = None  # in wgEventLoggingStreamNames (None: list not read)


@frozen_record(order=True)
class PrivacyEvidence(TuplePickled):
    """Why a privacy category applies: a schema field (its dotted path), a fragment `$ref`, a
    Metrics Platform provide_values entry or a stream config setting."""

    category: str
    source: str  # field | fragment | provide-values | stream-config
    detail: str


@frozen_record
class FiredCheck(TuplePickled):
    """A lint check that fired on a finding, and why (one sentence)."""

    id: str
    reason: str


@frozen_record
class RegistryMatch(TuplePickled):
    """What the registry cross-check found for a finding."""

    streams: tuple[StreamMatch, ...] = ()
    schema: str | None = None  # the $schema URI checked
    schema_id: str | None = None  # its $id in the schema repositories, when that version exists
    schema_file: str | None = None
    privacy: tuple[str, ...] = ()  # privacy categories (rules/privacy.yaml)
    privacy_evidence: tuple[PrivacyEvidence, ...] = ()
    checks: tuple[FiredCheck, ...] = ()  # the checks that fired, in the order they did
    notes: tuple[str, ...] = ()  # what could not be checked, and other remarks


@frozen_record
class Finding(TuplePickled):
    """One instrumentation call site."""

    repository: str
    path: str
    span: Span
    language: str
    family: str
    api: str
    name: str | None
    name_kind: str
    resolution: str
    fingerprint: str
    candidates: tuple[str, ...] = ()
    schema: str | None = None
    in_test: bool = False
    unresolved_reason: str | None = None
    context: str | None = None
    snippet: str = ""
    message: str = ""
    config_key: str | None = None
    via_wrapper: ViaWrapper | None = None
    component: str | None = None
    qualified_name: str | None = None
    stream: str | None = None
    final_stream: str | None = None
    final_schema: str | None = None
    status: str | None = None
    rule_ids: tuple[str, ...] = ()
    registry: RegistryMatch | None = None

    @property
    def sort_key(self) -> tuple:
        return (self.repository, self.path, self.span, self.api, self.name or "")

    def to_json(self) -> dict[str, Any]:
        data = _plain(self)
        span = data.pop("span")
        data.update(span)
        return data


@frozen_record
class Declaration(TuplePickled):
    """Something that declares a name: a schema in extension.json, a stream config key, …"""

    repository: str
    path: str
    span: Span
    kind: str
    name: str
    value: str | None = None
    config_key: str | None = None
    in_test: bool = False

    @property
    def sort_key(self) -> tuple:
        return (self.repository, self.path, self.span, self.kind, self.name)

    def to_json(self) -> dict[str, Any]:
        data = _plain(self)
        data.update(data.pop("span"))
        return data


@frozen_record
class Diagnostic(TuplePickled):
    """A problem with the input (unreadable file, parse error, bad config), never fatal."""

    repository: str
    path: str
    code: str
    message: str
    severity: str = "warning"  # error | warning | note
    span: Span | None = None

    @property
    def sort_key(self) -> tuple:
        return (self.repository, self.path, self.span or Span(0, 0, 0, 0), self.code, self.message)

    def to_json(self) -> dict[str, Any]:
        data = _plain(self)
        span = data.pop("span")
        if span:
            data.update(span)
        return data


@frozen_record
class Root(TuplePickled):
    """A scanned root (one repository or directory)."""

    name: str
    path: str
    files_scanned: int = 0
    vcs: str | None = None
    revision: str | None = None
    skipped: tuple[tuple[str, int], ...] = ()  # (reason, number of files)

    def to_json(self) -> dict[str, Any]:
        data = _plain(self)
        data["skipped"] = dict(self.skipped)
        return data


@dataclass(frozen=True)
class ClassificationSummary:
    """Counts of the registry cross-check, for reports and the audit."""

    by_status: Mapping[str, int]
    by_family: Mapping[str, Mapping[str, int]]  # family → status → count
    by_check: Mapping[str, int]  # check id → findings it fired on
    privacy_by_stream: Mapping[str, tuple[str, ...]]  # stream → privacy categories
    scope: tuple[str, ...]  # the repositories the scan covered
    limits: tuple[str, ...]  # what could not be checked, and why

    def to_json(self) -> dict[str, Any]:
        return {
            "by_status": dict(self.by_status),
            "by_family": {k: dict(v) for k, v in self.by_family.items()},
            "by_check": dict(self.by_check),
            "privacy_by_stream": {k: list(v) for k, v in self.privacy_by_stream.items()},
            "scope": list(self.scope),
            "limits": list(self.limits),
        }


@frozen_record
class ScanResult:
    tool_version: str
    roots: tuple[Root, ...]
    findings: tuple[Finding, ...]
    declarations: tuple[Declaration, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    summary: ClassificationSummary | None = None  # set when a registry was given

    def to_json(self) -> dict[str, Any]:
        return {
            "tool": {"name": "instrumap", "version": self.tool_version},
            "format_version": FORMAT_VERSION,
            "roots": [r.to_json() for r in self.roots],
            "findings": [f.to_json() for f in self.findings],
            "declarations": [d.to_json() for d in self.declarations],
            "diagnostics": [d.to_json() for d in self.diagnostics],
            "summary": self.summary.to_json() if self.summary else None,
        }


def sorted_result(
    tool_version: str,
    roots: list[Root],
    findings: list[Finding],
    declarations: list[Declaration],
    diagnostics: list[Diagnostic],
    summary: ClassificationSummary | None = None,
) -> ScanResult:
    """Build a ScanResult whose order does not depend on scheduling or file-system order."""
    return ScanResult(
        tool_version=tool_version,
        roots=tuple(sorted(roots, key=lambda r: r.name)),
        findings=tuple(sorted(findings, key=lambda f: f.sort_key)),
        declarations=tuple(sorted(declarations, key=lambda d: d.sort_key)),
        diagnostics=tuple(sorted(diagnostics, key=lambda d: d.sort_key)),
        summary=summary,
    )


def fingerprint(*parts: str | int | None) -> str:
    """A short stable hash of the parts that identify a finding without its line numbers."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain(obj: Any) -> Any:
    """Dataclasses to dicts, tuples to lists; keeps None so every key is always present.
    (Scalars, most of a report, are passed through without a call each.)"""
    convert = _converter(type(obj))
    if convert is not None:
        return convert(obj)
    if isinstance(obj, (list, tuple)):
        return [x if type(x) in _SCALARS else _plain(x) for x in obj]
    return obj


@functools.cache
def _converter(cls: type):
    """For a dataclass type, a function from a record to its dict, generated once (a report has
    thousands of findings: a generic loop over the fields cost a tenth of a rescan); else None."""
    if not dataclasses.is_dataclass(cls):
        return None
    items = "".join(f"{f.name!r}: v if type(v := obj.{f.name}) in _SCALARS else _plain(v), "
                    for f in dataclasses.fields(cls))
    namespace = {"_SCALARS": _SCALARS, "_plain": _plain}
    exec(f"def convert(obj):\n    return {{{items}}}", namespace)
    return namespace["convert"]


__all__ = [
    "FORMAT_VERSION",
    "NAME_KINDS",
    "RESOLUTION_KINDS",
    "ClassificationSummary",
    "Declaration",
    "DeclaredAt",
    "Diagnostic",
    "Finding",
    "FiredCheck",
    "PrivacyEvidence",
    "RegistryMatch",
    "Root",
    "ScanResult",
    "Span",
    "StreamMatch",
    "ViaWrapper",
    "fingerprint",
    "sorted_result",
    "weakest_resolution",
]
