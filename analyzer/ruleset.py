"""Load the rule data in rules/ (families and API definitions), validated against the JSON
schemas shipped beside it, into typed, immutable objects.

Nothing about a particular API lives in code: adding one means adding an entry to a file in
rules/apis/ and a fixture.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.resources import default_cache_dir, read_yaml, remembered, rules_root


class RuleError(Exception):
    """A rule file is missing, malformed or inconsistent."""


@dataclass(frozen=True, slots=True)
class Family:
    key: str
    id: str
    name_kind: str
    title: str
    description: str
    help_uri: str | None = None


@dataclass(frozen=True, slots=True)
class ConstructorParam:
    """A value an object carries from its construction: what the object's class passes, through
    the superclass calls in class headers, to parameter `param` of the constructor of `cls` (a
    qualified name, or a short one that any package may declare). The object is the argument
    the spec reads, or with `object: this` the instance the call runs in."""

    cls: str
    param: str
    of_this: bool = False


@dataclass(frozen=True, slots=True)
class ClassAnnotation:
    """The argument `arg` of annotation `name` on the object's class or its nearest ancestor
    that has one (`@SerialName("/analytics/…")`)."""

    name: str
    arg: int = 0


@dataclass(frozen=True, slots=True)
class NameSpec:
    """Where a call carries its name and what kind of name it is."""

    arg: int | None = None
    named: tuple[str, ...] = ()  # the first of these named arguments the call passes
    kind: str | None = None
    default: str | None = None
    from_handle: bool = False
    by_arity: tuple[tuple[int, NameSpec], ...] = ()
    key: str | None = None  # the argument is a payload: the name is at this dotted key
    implicit_type: str | None = None  # the type of an implicit member argument (Swift `.case`)
    constructor_param: ConstructorParam | None = None  # the argument (or `this`) is an object

    def for_arity(self, count: int) -> NameSpec:
        """The spec for a call with `count` arguments: the overload with the most parameters
        that the call can fill, else the smallest one."""
        if not self.by_arity:
            return self
        fitting = [spec for arity, spec in self.by_arity if arity <= count]
        return fitting[-1] if fitting else self.by_arity[0][1]


@dataclass(frozen=True, slots=True)
class ValueSpec:
    """Where a call's event schema (or, for APIs whose name is not the stream, its stream)
    comes from. `arg`/`named` pick an argument; `key` reads a dotted key of it (a payload);
    `class_member`/`class_annotation` read the class of the object it denotes; `constant`
    names a library constant; `default` applies when nothing else gives a value."""

    arg: int | None = None
    named: tuple[str, ...] = ()  # the first of these named arguments the call passes
    payload_arg: int | None = None
    key: str | None = None
    implicit_type: str | None = None
    class_member: str | None = None
    class_annotation: ClassAnnotation | None = None
    constant: str | None = None
    default: str | None = None
    name_after_prefix: str | None = None
    capitalize: bool = False
    from_name: bool = False
    from_handle: bool = False
    by_arity: tuple[tuple[int, ValueSpec], ...] = ()
    first_of: tuple[ValueSpec, ...] = ()  # written as a list: the first that gives a value

    def for_arity(self, count: int) -> ValueSpec | None:
        if not self.by_arity:
            return self
        for arity, spec in self.by_arity:
            if arity == count:
                return spec
        return None


@dataclass(frozen=True, slots=True)
class ReceiverSpec:
    """What the object a method is called on must look like (any one test suffices)."""

    names: tuple[re.Pattern, ...] = ()
    types: tuple[re.Pattern, ...] = ()
    calls: frozenset[str] = frozenset()
    not_calls: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Evidence:
    """A test on an evaluated argument that makes a plain call (an HTTP POST) an API call:
    the argument is a payload with all of `keys` (dotted), or a text `pattern` is found in (its
    value, or when that is not known statically, the names it is read from)."""

    arg: int | None = None
    named: tuple[str, ...] = ()  # the first of these named arguments the call passes
    keys: tuple[str, ...] = ()
    pattern: re.Pattern | None = None


@dataclass(frozen=True, slots=True)
class MatchSpec:
    callee: frozenset[str] = frozenset()
    static: frozenset[str] = frozenset()  # "Class::method", matched on the class's short name
    function: frozenset[str] = frozenset()
    method: frozenset[str] = frozenset()
    handle: str | None = None
    new: bool | None = None
    receiver: ReceiverSpec | None = None
    in_class: str | None = None  # the call is made in this class or a subclass of it
    subclasses_only: bool = False  # … in a subclass, not in the class itself (`in_subclass`)
    evidence: tuple[Evidence, ...] = ()  # any one must hold (checked by the resolver)


@dataclass(frozen=True, slots=True)
class ApiRule:
    id: str
    languages: frozenset[str]
    families: tuple[tuple[str, str], ...]  # (name prefix, family); "" is the default
    match: MatchSpec
    name: NameSpec
    schema: ValueSpec | None = None
    stream: ValueSpec | None = None  # when the name is not the stream (an instrument's)
    returns: str | None = None
    fluent: frozenset[str] = frozenset()  # methods of the returned handle that return it again
    helper_calls: bool = False  # report the calls of helper functions around the call
    min_args: int = 0
    component_call: str | None = None
    component_arg: int = 0
    component_named: str | None = None
    qualified_name: str | None = None
    removed: str | None = None
    deprecated: str | None = None

    def family_for(self, name: str | None) -> str:
        """The family of a finding named `name` (a prefix of it decides, if the rule says so)."""
        default = self.families[-1][1]
        if name:
            for prefix, family in self.families[:-1]:
                if name.startswith(prefix):
                    return family
        return default

    @property
    def possible_families(self) -> tuple[str, ...]:
        return tuple(f for _, f in self.families)

    def dispatch_names(self) -> set[str]:
        """The last name segments of the callees this rule can match, for dispatch."""
        m = self.match
        names = {c.rsplit(".", 1)[-1] for c in m.callee}
        names |= {s.split("::", 1)[1] for s in m.static}
        return names | set(m.function) | set(m.method)


@dataclass(frozen=True, slots=True)
class ConfigGetter:
    """A call that reads a configuration value by key (`mw.config.get( 'wgKey' )`)."""

    languages: frozenset[str]
    match: MatchSpec
    key_arg: int
    strip_prefix: str = ""


@dataclass(frozen=True)
class RuleSet:
    families: dict[str, Family]
    apis: tuple[ApiRule, ...]
    aliases: dict[str, tuple[tuple[str, str], ...]]  # language → (prefix, canonical), longest first
    digest: str
    config_getters: tuple[ConfigGetter, ...] = ()
    global_config_prefixes: dict[str, str] = field(default_factory=dict)  # language → "$wg"
    inheritance_calls: dict[str, frozenset[str]] = field(default_factory=dict)  # language → callees
    passthrough_calls: dict[str, frozenset[str]] = field(default_factory=dict)  # language → callees
    triggers: dict[str, frozenset[str]] = field(default_factory=dict)  # language → prefilter strings
    property_messages: frozenset[str] = frozenset()  # languages where `[obj prop]` reads a property
    _by_name: dict[tuple[str, str], tuple[ApiRule, ...]] = field(default_factory=dict, repr=False)

    def candidates(self, language: str, last_name: str) -> tuple[ApiRule, ...]:
        """The rules of `language` that could match a call whose callee ends in `last_name`."""
        return self._by_name.get((language, last_name), ())

    def trigger_names(self) -> frozenset[str]:
        """Every name a matching call must mention (for cheap pre-filtering of files)."""
        return frozenset(name for _, name in self._by_name)

    def family(self, key: str) -> Family:
        return self.families[key]


def rules_dir():
    return rules_root()


def load_yaml(resource) -> object:
    import yaml  # only when rule data is read (see resources.remembered)

    try:
        data = read_yaml(resource.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise RuleError(f"{resource.name}: not valid YAML: {error}") from error
    # Through JSON so that the data is what the JSON schema describes (string keys only).
    return json.loads(json.dumps(data))


def validate(data: object, schema_name: str, where: str) -> None:
    """Check rule data against its JSON schema; raises RuleError naming the first problem.
    Data that passed once is remembered (a marker per digest of schema and data in the user's
    cache directory), so that a run on unchanged rules skips the validator and its import."""
    schema_text = rules_dir().joinpath("schema", schema_name).read_text(encoding="utf-8")
    marker = _validated_marker(schema_text, data)
    if marker is not None and marker.exists():
        return
    import jsonschema  # a tenth of a warm run's time, needed only here

    validator = jsonschema.Draft202012Validator(json.loads(schema_text), format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        location = "/".join(str(p) for p in first.absolute_path) or "(top level)"
        raise RuleError(f"{where}: {location}: {first.message}")
    if marker is not None:
        with contextlib.suppress(OSError):  # an unwritable cache only means validating again
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()


def _validated_marker(schema_text: str, data: object) -> Path | None:
    try:
        text = json.dumps(data, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return None
    digest = hashlib.sha256(f"{schema_text}\0{text}".encode()).hexdigest()[:32]
    return default_cache_dir() / "validated" / digest


def _names(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _name_spec(data: dict) -> NameSpec:
    built = data.get("constructor_param")
    return NameSpec(
        arg=data.get("arg"),
        named=_names(data.get("named")),
        kind=data.get("kind"),
        default=data.get("default"),
        from_handle=data.get("from_handle", False),
        by_arity=tuple(sorted((int(k), _name_spec(v)) for k, v in data.get("by_arity", {}).items())),
        key=data.get("key"),
        implicit_type=data.get("implicit_type"),
        constructor_param=(ConstructorParam(built["class"], built["param"], built.get("object") == "this")
                           if built else None),
    )


def _value_spec(data: dict | list | None) -> ValueSpec | None:
    if data is None:
        return None
    if isinstance(data, list):
        return ValueSpec(first_of=tuple(_value_spec(d) for d in data))
    annotation = data.get("class_annotation")
    return ValueSpec(
        arg=data.get("arg"),
        named=_names(data.get("named")),
        payload_arg=data.get("payload_arg"),
        key=data.get("key", "$schema" if "payload_arg" in data else None),
        implicit_type=data.get("implicit_type"),
        class_member=data.get("class_member"),
        class_annotation=ClassAnnotation(annotation["name"], annotation.get("arg", 0)) if annotation else None,
        constant=data.get("constant"),
        default=data.get("default"),
        name_after_prefix=data.get("name_after_prefix"),
        capitalize=data.get("capitalize", False),
        from_name=data.get("from_name", False),
        from_handle=data.get("from_handle", False),
        by_arity=tuple(sorted((int(k), _value_spec(v)) for k, v in data.get("by_arity", {}).items())),
    )


def _evidence(data: dict) -> Evidence:
    pattern = data.get("pattern")
    return Evidence(
        arg=data.get("arg"),
        named=_names(data.get("named")),
        keys=tuple(data.get("keys", ())),
        pattern=re.compile(pattern) if pattern else None,
    )


def _match_spec(data: dict) -> MatchSpec:
    receiver = data.get("receiver")
    return MatchSpec(
        callee=frozenset(data.get("callee", ())),
        static=frozenset(data.get("static", ())),
        function=frozenset(data.get("function", ())),
        method=frozenset(data.get("method", ())),
        handle=data.get("handle"),
        new=data.get("new"),
        receiver=ReceiverSpec(
            names=tuple(re.compile(p) for p in receiver.get("names", ())),
            types=tuple(re.compile(p) for p in receiver.get("types", ())),
            calls=frozenset(receiver.get("calls", ())),
            not_calls=frozenset(receiver.get("not_calls", ())),
            services=frozenset(receiver.get("services", ())),
        )
        if receiver is not None
        else None,
        in_class=data.get("in_class") or data.get("in_subclass"),
        subclasses_only="in_subclass" in data,
        evidence=tuple(_evidence(e) for e in data.get("evidence", ())),
    )


def _api_rule(data: dict, languages: frozenset[str]) -> ApiRule:
    family = data["family"]
    if isinstance(family, str):
        families: tuple[tuple[str, str], ...] = (("", family),)
    else:
        families = (*family["by_name_prefix"].items(), ("", family["default"]))
    component = data.get("component") or {}
    return ApiRule(
        id=data["id"],
        languages=languages,
        families=families,
        match=_match_spec(data["match"]),
        name=_name_spec(data["name"]),
        schema=_value_spec(data.get("schema")),
        stream=_value_spec(data.get("stream")),
        returns=data.get("returns"),
        fluent=frozenset(data.get("fluent", ())),
        helper_calls=data.get("helper_calls", False),
        min_args=data.get("min_args", 0),
        component_call=component.get("receiver_call"),
        component_arg=component.get("arg", 0),
        component_named=component.get("named"),
        qualified_name=data.get("qualified_name"),
        removed=data.get("removed"),
        deprecated=data.get("deprecated"),
    )


def _check_consistency(families: dict[str, Family], apis: list[ApiRule]) -> None:
    ids = [a.id for a in apis]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise RuleError(f"duplicate API rule ids: {', '.join(sorted(duplicates))}")
    family_ids = [f.id for f in families.values()]
    if len(set(family_ids)) != len(family_ids):
        raise RuleError("duplicate family ids in families.yaml")
    returned = {a.returns for a in apis if a.returns}
    for api in apis:
        for family in api.possible_families:
            if family not in families:
                raise RuleError(f"API rule {api.id}: unknown family {family!r}")
        if api.match.handle and api.match.handle not in returned:
            raise RuleError(f"API rule {api.id}: no rule returns the handle {api.match.handle!r}")
        if api.name.from_handle and not (api.match.handle or api.match.receiver):
            raise RuleError(f"API rule {api.id}: name.from_handle needs match.handle or match.receiver")
        if api.fluent and not api.returns:
            raise RuleError(f"API rule {api.id}: fluent needs returns")


def _wrapper_rules(wrappers, apis: list[ApiRule]) -> list[ApiRule]:
    """Rules for declared wrappers: the API they forward to, matched at the wrapper's name,
    with the name taken from the wrapper's argument."""
    by_id = {api.id: api for api in apis}
    derived = []
    for wrapper in wrappers:
        base = by_id.get(wrapper["api"])
        if base is None:
            raise RuleError(f"wrapper {wrapper.get('callee') or wrapper.get('method')}: unknown API {wrapper['api']!r}")
        if wrapper.get("callee"):
            match, label = MatchSpec(callee=frozenset({wrapper["callee"]})), wrapper["callee"]
        else:
            match, label = MatchSpec(method=frozenset({wrapper["method"]})), wrapper["method"]
        kind = base.name.for_arity(99).kind or base.name.kind
        schema = base.schema if base.schema and (base.schema.from_name or base.schema.name_after_prefix) else None
        derived.append(
            dataclasses.replace(
                base, id=f"{base.id} (via {label})", match=match, schema=schema, returns=None, fluent=frozenset(),
                helper_calls=False, name=NameSpec(arg=wrapper["name_arg"], kind=kind), min_args=0,
            )
        )
    return derived


def load_rules_from(files: dict[str, object]) -> RuleSet:
    """Build a RuleSet from already-read rule data: {"families.yaml": …, "apis/x.yaml": …}."""
    family_data = files.get("families.yaml")
    validate(family_data, "families.schema.json", "families.yaml")
    families = {
        key: Family(key=key, id=f["id"], name_kind=f["name_kind"], title=f["title"],
                    description=" ".join(f["description"].split()), help_uri=f.get("help_uri"))
        for key, f in family_data["families"].items()
    }
    apis: list[ApiRule] = []
    aliases: dict[str, dict[str, str]] = defaultdict(dict)
    getters: list[ConfigGetter] = []
    prefixes: dict[str, str] = {}
    inheritance: dict[str, set[str]] = defaultdict(set)
    passthrough: dict[str, set[str]] = defaultdict(set)
    triggers: dict[str, set[str]] = defaultdict(set)
    property_messages: set[str] = set()
    for name, data in sorted(files.items()):
        if not name.startswith("apis/"):
            continue
        validate(data, "apis.schema.json", name)
        languages = frozenset(data["languages"])
        for language in languages:
            aliases[language].update(data.get("receiver_aliases", {}))
            if "global_config_prefix" in data:
                prefixes[language] = data["global_config_prefix"]
            inheritance[language].update(data.get("inheritance_calls", ()))
            passthrough[language].update(data.get("passthrough_calls", ()))
            if data.get("messages_read_properties"):
                property_messages.add(language)
        file_apis = [_api_rule(entry, languages) for entry in data["apis"]]
        apis.extend(file_apis)
        tokens = data.get("triggers") or [n for a in file_apis if not a.match.handle for n in a.dispatch_names()]
        for language in languages:
            triggers[language].update(tokens)
        getters.extend(
            ConfigGetter(languages, _match_spec(g["match"]), g["key_arg"], g.get("strip_prefix", ""))
            for g in data.get("config_getters", ())
        )
    wrappers = _wrapper_rules(files.get("wrappers", ()), apis)
    apis.extend(wrappers)
    for wrapper in wrappers:
        for language in wrapper.languages:
            triggers[language].update(wrapper.dispatch_names())
    _check_consistency(families, apis)
    by_name: dict[tuple[str, str], list[ApiRule]] = defaultdict(list)
    for api in apis:
        for language in api.languages:
            for name in api.dispatch_names():
                by_name[(language, name)].append(api)
    digest = hashlib.sha256(json.dumps(files, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return RuleSet(
        families=families,
        apis=tuple(apis),
        aliases={
            lang: tuple(sorted(table.items(), key=lambda item: -len(item[0])))
            for lang, table in aliases.items()
        },
        digest=digest,
        config_getters=tuple(getters),
        global_config_prefixes=prefixes,
        inheritance_calls={lang: frozenset(calls) for lang, calls in inheritance.items() if calls},
        passthrough_calls={lang: frozenset(calls) for lang, calls in passthrough.items() if calls},
        triggers={lang: frozenset(tokens) for lang, tokens in triggers.items()},
        property_messages=frozenset(property_messages),
        _by_name={key: tuple(value) for key, value in by_name.items()},
    )


@functools.cache
def _shipped_files() -> tuple[tuple[str, object], ...]:
    root = rules_dir()
    files: dict[str, object] = {"families.yaml": load_yaml(root.joinpath("families.yaml"))}
    for entry in sorted(root.joinpath("apis").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            files[f"apis/{entry.name}"] = load_yaml(entry)
    return tuple(files.items())


@functools.cache
def load_rules() -> RuleSet:
    """The rules shipped with instrumap (built once per version of the code and rules)."""
    return remembered("rules", lambda: load_rules_from(dict(_shipped_files())), RuleSet)


def load_rules_with(custom: dict[str, object]) -> RuleSet:
    """The shipped rules plus a project's own (custom APIs, declared wrappers)."""
    if not custom:
        return load_rules()
    return load_rules_from({**dict(_shipped_files()), **custom})
