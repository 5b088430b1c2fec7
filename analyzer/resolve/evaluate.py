"""Evaluate lowered expressions to string values, across the files of a repository.

An expression is always evaluated *at* a frame: the file it belongs to, plus the values bound to
the parameters of wrapper functions at the call site being resolved. `targets` follows
references (names, members, imports, class constants, configuration) to what they denote;
`values` turns what it reaches into strings with holes. Every reference followed adds its
resolution kind, so a name reports the weakest kind it was built from.

Level "literal" folds only what is written at the call (literals, concatenation, template
literals); level "full" follows references.
"""

from __future__ import annotations

import re
import weakref
from collections import defaultdict
from dataclasses import replace

from analyzer.extract import last_name, plain_call_matches
from analyzer.facts import (
    Arr,
    Call,
    ClassDef,
    ClassRef,
    Concat,
    Cond,
    Config,
    Expr,
    Func,
    GlobalRef,
    Index,
    Lit,
    Member,
    Obj,
    Ref,
    Require,
    This,
    Unknown,
)
from analyzer.resolve.es5 import Assignments, NamespaceT
from analyzer.resolve.receivers import Receivers
from analyzer.resolve.targets import (
    At,
    ClassT,
    FuncT,
    HandleT,
    HoleT,
    InstanceT,
    ModuleT,
    Target,
    hole,
)
from analyzer.resolve.values import NULL, Hole, Value, concat, union
from analyzer.ruleset import RuleSet
from analyzer.symbols import CONSTRUCTOR_NAMES, MAX_DEPTH, PathResolver, RepoIndex

CONCAT_KINDS = {
    "concatenation": "concatenation", "template-literal": "template-literal", "interpolation": "concatenation",
}
REFERENCES = (Ref, GlobalRef, Member, Index, Require, ClassRef, Func, Config, This)
LEVELS = ("literal", "full")
STEP_BUDGET = 4000  # references followed for one question before giving up (and saying so)
MAX_RETURN_DEPTH = 6  # how deep into the call chain function return values are followed
DEPTH_LIMIT = "resolution depth limit reached"
BUDGET_LIMIT = "resolution step budget exhausted"
CIRCULAR = "circular reference"
TRUNCATED = frozenset({DEPTH_LIMIT, BUDGET_LIMIT, CIRCULAR})


class Evaluator:
    def __init__(self, index: RepoIndex, rules: RuleSet, level: str = "full"):
        if level not in LEVELS:
            raise ValueError(f"unknown resolution level {level!r}")
        self.index = index
        self.rules = rules
        self.level = level
        self._paths: dict[str, PathResolver] = {}
        self._values: dict[At, tuple[Value, ...]] = {}
        self._targets: dict[At, list[Target]] = {}
        self._steps = 0
        self.bounds_hit = 0  # times a depth or step bound cut an evaluation short
        self._active: set[At] = set()  # evaluations in progress, to stop at cycles
        # Classes whose instance members (`this.x`) an evaluation read, with a file of their
        # code: a subclass, maybe in a file not parsed yet, can change those.
        self.instance_classes: set[tuple[str, str]] = set()
        # The classes found among them, as (file asking, name): their subclasses parsed later
        # are instance classes too (pipeline: follows them before analysing again).
        self.instance_bases: set[tuple[str, str]] = set()
        self._es5_parents: dict[tuple[str, int], list[At]] | None = None
        self._es5_children: dict[FuncT, list[FuncT]] | None = None
        self._assignments: Assignments | None = None
        self._fluent: frozenset[str] | None = None
        self.receivers = Receivers(weakref.proxy(self))  # a back-reference, not a cycle to collect

    # --- entry points ------------------------------------------------------------------------

    def values(self, at: At, depth: int = 0) -> tuple[Value, ...]:
        if depth == 0:
            self._steps = 0
        cached = self._values.get(at)
        if cached is None:
            cached = self._values[at] = self._compute_values(at, depth)
        return cached

    def paths(self, path: str) -> PathResolver:
        resolver = self._paths.get(path)
        if resolver is None:
            language = self.index.files[path].language
            resolver = self._paths[path] = PathResolver(self.index.symbols(path), self.rules.aliases.get(language, ()))
        return resolver

    def object_entries(self, at: At, key: str, depth: int = 0) -> list[At]:
        """The values `key` has in the object `at` denotes: literal entries, spreads, and
        `obj.key = …` / `$obj['key'] = …` assignments to the same variable."""
        found: list[At] = []
        if isinstance(at.expr, Ref) and self.level == "full":
            symbols = self.index.symbols(at.path)
            declared = symbols.lookup(at.expr.name, at.expr.scope).scope
            for assign in symbols.member_assigns.get(key, ()):
                target = assign.target.obj
                if (isinstance(target, Ref) and target.name == at.expr.name
                        and symbols.lookup(target.name, target.scope).scope == declared):
                    found.append(at.to(assign.value))
        for target in self.targets(at, depth):
            if isinstance(target, At) and isinstance(target.expr, Obj):
                found.extend(self._obj_entry(target, key, depth))
        return found

    # --- values ------------------------------------------------------------------------------

    def _compute_values(self, at: At, depth: int) -> tuple[Value, ...]:
        if depth > MAX_DEPTH:
            return (self._hole_value(hole(DEPTH_LIMIT), at),)
        expr = at.expr
        if isinstance(expr, Lit):
            return (self._literal(expr, at),)
        if isinstance(expr, Concat):
            kind = CONCAT_KINDS.get(expr.style, "concatenation")
            return concat([self.values(at.to(p), depth + 1) for p in expr.parts], kind)
        if isinstance(expr, Cond):
            return union([self.values(at.to(o), depth + 1) for o in expr.options])
        if isinstance(expr, Call) and not expr.new:
            built = self._string_call(at, depth)
            if built is not None:
                return built
        if isinstance(expr, (REFERENCES, Call)):
            groups = []
            for target in self.targets(at, depth + 1):
                if isinstance(target, At):
                    groups.append(self.values(target, depth + 1))
                elif isinstance(target, HoleT):
                    groups.append((self._hole_value(target, at),))
                else:
                    groups.append((self._hole_value(hole(describe_target(target)), at),))
            return union(groups) if groups else (self._hole_value(hole("no value"), at),)
        if isinstance(expr, Unknown):
            return (self._hole_value(hole(expr.reason), at),)
        return (self._hole_value(hole(describe(expr)), at),)

    def _literal(self, lit: Lit, at: At) -> Value:
        value = lit.value
        if value is None:
            return Value((NULL,), frozenset({"dynamic"}), at.config_key)
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))
        else:
            text = str(value)
        return Value((text,), at.kinds | {"literal"}, at.config_key)

    def _hole_value(self, target: HoleT, at: At) -> Value:
        return Value((target.hole,), frozenset({"dynamic"}), at.config_key)

    def _string_call(self, at: At, depth: int) -> tuple[Value, ...] | None:
        """Values of string-building calls whose parts are known: join/implode, sprintf,
        replace, case changes; and configuration reads."""
        expr: Call = at.expr  # type: ignore[assignment]
        callee = expr.callee

        def sub(e: Expr) -> tuple[Value, ...]:
            return self.values(at.to(e), depth + 1)

        if self.level == "full":
            key = self._config_key(at)
            if key is not None:
                return self.values(at.to(Config(key)), depth + 1)
        name = callee.prop if isinstance(callee, Member) else getattr(callee, "name", "")
        name = name.lstrip("\\")
        args = expr.args
        if isinstance(callee, Member):
            receiver = at.to(callee.obj)
            if name == "join" and isinstance(callee.obj, Arr):
                separator = sub(args[0]) if args else (_text(","),)
                return _joined([sub(i) for i in callee.obj.items], separator)
            if name in ("replace", "replaceAll") and len(args) == 2:
                return _mapped(self.values(receiver, depth + 1), sub(args[0]), sub(args[1]), name == "replaceAll")
            if name in ("toLowerCase", "toUpperCase", "lowercase", "uppercase", "lower", "upper", "trim"):
                return _case(self.values(receiver, depth + 1), name)
            if name == "concat":
                return concat([self.values(receiver, depth + 1), *[sub(a) for a in args]], "concatenation")
            return None
        if name in ("implode", "join") and len(args) == 2:
            items = self._array_items(at.to(args[1]), depth)
            if items is None:
                return None
            return _joined([self.values(i, depth + 1) for i in items], sub(args[0]))
        if name == "sprintf" and args:
            return _sprintf(sub(args[0]), [sub(a) for a in args[1:]])
        string_functions = ("strtolower", "strtoupper", "ucfirst", "lcfirst", "String", "strval", "str", "trim")
        if name in string_functions and len(args) == 1:
            return _case(sub(args[0]), name)
        return None

    def _array_items(self, at: At, depth: int) -> list[At] | None:
        for target in self.targets(at, depth + 1):
            if isinstance(target, At) and isinstance(target.expr, Arr):
                return [target.to(i) for i in target.expr.items]
        return None

    def _config_key(self, at: At) -> str | None:
        """The key a configuration-reading call reads (`mw.config.get( 'wgFoo' )` → `Foo`)."""
        expr: Call = at.expr  # type: ignore[assignment]
        language = self.index.files[at.path].language
        for getter in self.rules.config_getters:
            if language not in getter.languages or getter.key_arg >= len(expr.args):
                continue
            if not plain_call_matches(getter.match, expr.callee, self.paths(at.path)):
                continue
            keys = self.values(At(expr.args[getter.key_arg], at.path, at.frame), 1)
            if len(keys) == 1 and keys[0].exact:
                return keys[0].text.removeprefix(getter.strip_prefix) if getter.strip_prefix else keys[0].text
        return None

    # --- targets -----------------------------------------------------------------------------

    def targets(self, at: At, depth: int = 0) -> list[Target]:
        """What an expression denotes, following references. Each question from outside
        (depth 0) gets a budget of steps; results in the empty frame are remembered."""
        if depth == 0:
            self._steps = 0
        self._steps += 1
        if depth > MAX_DEPTH or self._steps > STEP_BUDGET:
            self.bounds_hit += 1
            return [hole(DEPTH_LIMIT if depth > MAX_DEPTH else BUDGET_LIMIT)]
        cacheable = not at.frame.bindings
        if cacheable:
            cached = self._targets.get(at)
            if cached is not None:
                return cached
        if at in self._active:
            return [hole(CIRCULAR)]  # `a = b; b = a`: nothing more to learn on this path
        self._active.add(at)
        try:
            found = self._compute_targets(at, depth)
        finally:
            self._active.discard(at)
        if cacheable and not any(isinstance(t, HoleT) and t.hole.reason in TRUNCATED for t in found):
            self._targets[at] = found  # a result cut short by a bound (or a cycle) is not the answer
        return found

    def _compute_targets(self, at: At, depth: int) -> list[Target]:
        expr = at.expr
        if self.level == "literal" and isinstance(expr, REFERENCES):
            return [hole(describe(expr))]
        if isinstance(expr, Ref):
            return self._ref_targets(at, depth)
        if isinstance(expr, Member):
            bases = self.targets(at.to(expr.obj), depth + 1)
            if expr.prop == "default" and isinstance(expr.obj, Require):
                # `import X from './commonjs.js'` is the whole `module.exports` value.
                return [b for b in bases if not isinstance(b, ModuleT)] + [
                    t for b in bases if isinstance(b, ModuleT) for t in self.member(b, "default", at, depth + 1)
                ]
            found = [t for base in bases for t in self.member(base, expr.prop, at, depth + 1)]
            if all(isinstance(t, HoleT) for t in found):
                return self.receivers.extension(at, depth) or found
            return found
        if isinstance(expr, Index):
            return self._index_targets(at, depth)
        if isinstance(expr, GlobalRef):
            return self._global_targets(at, expr.name, depth)
        if isinstance(expr, Require):
            return self._module_targets(at, expr)
        if isinstance(expr, ClassRef):
            classes = self.index.find_classes(expr.name, at.path)
            return [ClassT(p, c) for p, c in classes[:1]] or [hole(f"class {expr.name} is not in the repository")]
        if isinstance(expr, Func):
            return [FuncT(at.path, expr.id)]
        if isinstance(expr, Config):
            return self._config_targets(at, expr.key)
        if isinstance(expr, This):
            return self.receivers.this(at, expr, depth) if expr.cls else [hole("this outside a class")]
        if isinstance(expr, Call):
            return self._call_targets(at, depth)
        return [at]

    def _ref_targets(self, at: At, depth: int) -> list[Target]:
        ref: Ref = at.expr  # type: ignore[assignment]
        symbols = self.index.symbols(at.path)
        found = symbols.lookup(ref.name, ref.scope, ref.line)
        out: list[Target] = []
        if found.kind == "param" or found.param_too:
            bound = at.frame.bound(at.path, found.scope, ref.name)
            if bound is not None:
                kinds = bound.kinds | at.kinds | {"wrapper-argument"}
                out.extend(self.targets(replace(bound, kinds=kinds), depth + 1))
            else:
                out.append(hole(describe(ref, symbols), (at.path, found.scope, found.param_index), at.frame))
        if found.kind == "values":
            base = self.receivers.with_this(at, ref) if any(isinstance(v, GlobalRef) for v in found.values) else at
            for value in found.values[:16]:
                out.extend(self.targets(base.to(value, add="same-file-constant"), depth + 1))
            out.extend(self.receivers.member_variable(at, found, depth))
            return out or [hole(f"variable {ref.name} has no value")]
        if found.kind == "param":
            return out
        prefix = self.rules.global_config_prefixes.get(self.index.files[at.path].language)
        if prefix and ref.name.startswith(prefix):
            return self._config_targets(at, ref.name[len(prefix):])
        classes = self.index.find_classes(ref.name, at.path)
        local = [c for c in classes if c[0] == at.path or self.index.in_package(c[1], at.path)]
        if local:
            return [ClassT(*local[0])]
        members = self.receivers.unbound(at, depth)
        if members:
            return members
        if self.assignments().is_namespace(None, ref.name) or self.assignments().lookup(None, ref.name):
            return [NamespaceT(None, ref.name)]
        return [hole(f"global {ref.name}")]

    def _global_targets(self, at: At, name: str, depth: int) -> list[Target]:
        name = name.lstrip("\\")
        defined = self.index.defined(name)
        out: list[Target] = []
        for path, value in defined[:4]:
            kind = "same-file-constant" if path == at.path else "cross-file-constant"
            out.extend(self.targets(at.to(value, path, add=kind), depth + 1))
        if out:
            return out
        declared = self.receivers.package_member(at, name, depth)
        if declared:
            return declared
        classes = self.index.find_classes(name, at.path)
        if classes:
            return [ClassT(*classes[0])]
        return [hole(f"constant {name} is not defined in the repository")]

    def _config_targets(self, at: At, key: str) -> list[Target]:
        defaults = self.index.config.get(key)
        if not defaults:
            return [hole(f"configuration {key} has no default in extension.json")]
        return [at.to(value, path, add="config", config_key=key) for path, value in defaults[:4]]

    def _module_targets(self, at: At, module: Require) -> list[Target]:
        spec = module.module
        path = self.index.module_path(spec, module.from_path or at.path) if spec.startswith(".") else None
        if path is None and spec in self.index.virtual:
            return self._virtual(at, spec)
        if path is None:
            return [hole(f"module {spec} is outside the repository")]
        if path in self.index.virtual:
            return self._virtual(at, path)
        if path in self.index.files:
            whole = [value for name, value in self.index.files[path].exports if name == "*"]
            if whole:  # CommonJS `module.exports = …`: the module is that value
                return self.targets(at.to(whole[-1], path, add="cross-file-constant"), 1)
            return [ModuleT(path)]
        data = self.index.json_file(path)
        if data is None:
            return [hole(f"module {spec} could not be read")]
        return [at.to(json_expr(data), path, add="cross-file-constant")]

    def _virtual(self, at: At, spec: str) -> list[Target]:
        value = self.index.virtual[spec]
        if isinstance(value, Require):
            return self._module_targets(at.to(value), value)
        return [at.to(value)]

    def _index_targets(self, at: At, depth: int) -> list[Target]:
        expr: Index = at.expr  # type: ignore[assignment]
        keys = self.values(at.to(expr.key), depth + 1)
        bases = self.targets(at.to(expr.obj), depth + 1)
        if all(k.exact for k in keys):
            return [t for base in bases for k in keys for t in self.member(base, k.text, at, depth + 1)]
        # An unknown key into a literal map: the name is one of the map's values.
        out: list[Target] = []
        for base in bases:
            if isinstance(base, At) and isinstance(base.expr, (Obj, Arr)):
                items = base.expr.items if isinstance(base.expr, Arr) else [v for _, v in base.expr.entries]
                out.extend(base.to(v, add=at.kinds) for v in items)
        return out or [hole("computed key")]

    def _call_targets(self, at: At, depth: int) -> list[Target]:
        expr: Call = at.expr  # type: ignore[assignment]
        if self.level == "full" and not expr.new:
            key = self._config_key(at)
            if key is not None:
                return self._config_targets(at, key)
        handles = self._handles_made(at, depth)
        if handles:
            return handles
        passed = self._passed_through(at)
        if passed is not None:
            return self.targets(passed, depth + 1)
        callee_targets = self.targets(at.to(expr.callee), depth + 1)
        if not expr.new:
            returned = [t for f in callee_targets if isinstance(f, FuncT) for t in self._returned(f, at, depth)]
            if not returned and not expr.args and self.index.files[at.path].language in self.rules.property_messages:
                # `[Funnel shared]`: a message without arguments also reads a property.
                returned = [t for t in callee_targets if not isinstance(t, (FuncT, HoleT))]
            return returned or [hole(describe(expr))]
        if expr.new:
            out: list[Target] = []
            for target in callee_targets:
                if isinstance(target, ClassT):
                    out.append(InstanceT(target.path, target.cls.name, at))
                elif isinstance(target, FuncT):
                    scope = self.index.symbols(target.path).scopes.get(target.scope)
                    if scope is not None and scope.cls:
                        out.append(InstanceT(target.path, scope.cls))
            return out or [hole("object of an unknown class")]
        return [hole(describe(expr))]

    def _handles_made(self, at: At, depth: int) -> list[Target]:
        """The handle an API call returns (a rule with `returns` matches the call), or that a
        fluent method of a handle returns again (`getInstrument( 'x' ).startFunnel( 'f' )`)."""
        expr: Call = at.expr  # type: ignore[assignment]
        last = last_name(expr.callee)
        if last is None:
            return []
        language = self.index.files[at.path].language
        for rule in self.rules.candidates(language, last):
            if (rule.returns and rule.match.new in (None, expr.new) and len(expr.args) >= rule.min_args
                    and plain_call_matches(rule.match, expr.callee, self.paths(at.path))):
                return [HandleT(rule, at)]
        if isinstance(expr.callee, Member) and last in self._fluent_names():
            bases = self.targets(at.to(expr.callee.obj), depth + 1)
            return [b for b in bases if isinstance(b, HandleT) and last in b.rule.fluent]
        return []

    def _fluent_names(self) -> frozenset[str]:
        if self._fluent is None:
            self._fluent = frozenset(m for rule in self.rules.apis for m in rule.fluent)
        return self._fluent

    def _passed_through(self, at: At) -> At | None:
        """`json.dumps( payload )` and other calls the rules say return their argument in
        another form: the argument."""
        expr: Call = at.expr  # type: ignore[assignment]
        calls = self.rules.passthrough_calls.get(self.index.files[at.path].language)
        if not calls or not expr.args or last_name(expr.callee) not in {c.rsplit(".", 1)[-1] for c in calls}:
            return None
        return at.to(expr.args[0]) if self.paths(at.path).path(expr.callee) in calls else None

    def _returned(self, function: FuncT, call: At, depth: int) -> list[Target]:
        """What a repository function returns for this call (its parameters bound to the
        call's arguments); nothing when it has no `return` with a value."""
        symbols = self.index.symbols(function.path)
        scope = symbols.scopes.get(function.scope)
        if scope is None or not scope.returns or depth > MAX_RETURN_DEPTH:
            return []
        expr: Call = call.expr  # type: ignore[assignment]
        offset = argument_offset(expr.callee)
        args = [call.to(a) for a in expr.args[offset:]]
        defaults = {p: At(d, function.path, call.frame) for p in scope.params
                    if (d := symbols.param_default(function.scope, p)) is not None}
        frame = call.frame.with_call(function.path, function.scope, scope.params, args, defaults)
        receiver = self.receivers.receiver(function, call)
        if receiver is not None:
            frame = frame.with_this(function.path, receiver)
        kind = "same-file-constant" if function.path == call.path else "cross-file-constant"
        kinds = call.kinds | {kind}
        out: list[Target] = []
        for value in scope.returns[:8]:
            out.extend(self.targets(At(value, function.path, frame, kinds, call.config_key), depth + 1))
        return out

    # --- members -----------------------------------------------------------------------------

    def member(self, base: Target, prop: str, via: At, depth: int) -> list[Target]:
        """The targets of `base.prop`; `via` is the member expression (frame and kinds)."""
        if isinstance(base, HoleT):
            return [base]
        if isinstance(base, At):
            return self._value_member(base, prop, depth)
        if isinstance(base, ModuleT):
            return self._export(base.path, prop, via, depth)
        if isinstance(base, ClassT):
            return self._class_member(base.path, base.cls, prop, via, depth)
        if isinstance(base, InstanceT):
            return self._instance_member(base, prop, via, depth)
        if isinstance(base, HandleT):
            return [hole(f"property {prop} of the object {base.rule.id} returns")]
        if isinstance(base, NamespaceT):
            return self._namespace_member(base, prop, via, depth)
        return self._function_member(base, prop, via, depth)

    def _value_member(self, base: At, prop: str, depth: int) -> list[Target]:
        expr = base.expr
        if isinstance(expr, Obj):
            entries = self._obj_entry(base, prop, depth)
            return [t for e in entries for t in self.targets(e, depth + 1)] or [hole(f"no property {prop}")]
        if isinstance(expr, Arr) and prop.isdigit() and int(prop) < len(expr.items):
            return self.targets(base.to(expr.items[int(prop)]), depth + 1)
        if isinstance(expr, (REFERENCES, Call)):
            return [t for inner in self.targets(base, depth + 1) for t in self.member(inner, prop, base, depth + 1)]
        return [hole(f"property {prop} of {describe(expr)}")]

    def _obj_entry(self, base: At, key: str, depth: int) -> list[At]:
        obj: Obj = base.expr  # type: ignore[assignment]
        for name, value in reversed(obj.entries):
            if name == key:
                return [base.to(value)]
        found: list[At] = []
        for spread in obj.spreads:
            for target in self.targets(base.to(spread), depth + 1):
                if isinstance(target, At) and isinstance(target.expr, Obj):
                    found.extend(self._obj_entry(target, key, depth + 1))
        return found

    def _export(self, path: str, name: str, via: At, depth: int) -> list[Target]:
        facts = self.index.files[path]
        for export, value in facts.exports:
            if export == name:
                return self.targets(via.to(value, path, add="cross-file-constant"), depth + 1)
        whole = [value for export, value in facts.exports if export in ("*", "default")]
        out: list[Target] = []
        for value in whole:
            inner = via.to(value, path, add="cross-file-constant")
            for target in self.targets(inner, depth + 1):
                out.extend(self.member(target, name, inner, depth + 1))
        return out or [hole(f"{path} exports no {name}")]

    def _class_member(self, path: str, cls: ClassDef, prop: str, via: At, depth: int) -> list[Target]:
        for owner_path, owner in self.index.lineage(path, cls):
            constant = "same-file-constant" if owner_path == via.path else "cross-file-constant"
            kind = "enum" if owner.kind == "enum" else constant
            for name, value in (*owner.constants, *owner.properties):
                if name.lstrip("$") == prop.lstrip("$"):
                    return self.targets(via.to(value, owner_path, add=kind), depth + 1)
            for name, scope in owner.methods:
                if name == prop:
                    return [FuncT(owner_path, scope)]
        statics = self._static_assignments(path, cls.name, prop, via, depth)
        return statics or [hole(f"{cls.name} has no constant {prop}")]

    def _static_assignments(self, path: str, cls: str, prop: str, via: At, depth: int) -> list[Target]:
        """`Cls.prop = …`, `Cls.static.prop = …` and `Cls.prototype.prop = …`, where `Cls` is
        a global name (`ve.ui.Foo`) or one local to `path`."""
        out: list[Target] = []
        for middle in ("", "static.", "prototype."):
            for owner_path, value in self.assignments().either(path, f"{cls}.{middle}{prop}"):
                kind = "same-file-constant" if owner_path == via.path else "cross-file-constant"
                out.extend(self.targets(via.to(value, owner_path, add=kind), depth + 1))
        return out

    def _instance_member(self, base: InstanceT, prop: str, via: At, depth: int) -> list[Target]:
        """`this.prop` / `$obj->prop`: what the class, its ancestors and subclasses assign."""
        classes = self.index.find_classes(base.cls, base.path)
        owners: list[tuple[str, ClassDef | None, str]]
        if classes:
            path, cls = classes[0]
            descendants = self.index.descendants(cls)
            owners = [(p, c, c.name) for p, c in self.index.lineage(path, cls) + descendants]
            # A subclass not parsed yet names the class or one of its known subclasses; the
            # ancestors are found by name on demand, and their other subclasses are no owners.
            self.instance_classes.update((p, c.name) for p, c in descendants)
            self.instance_bases.add((base.path, base.cls))
        else:
            owners = [(p, None, n) for p, n in self.es5_family(base.path, base.cls)]
            self.instance_classes.update((p, name) for p, _, name in owners)
        self.instance_classes.add((base.path, base.cls))
        if prop == "constructor":
            constructors = [f for p, _, n in owners if (f := self.es5_constructor(p, n)) is not None]
            return constructors or [hole("constructor unknown")]
        out: list[Target] = []
        types: list[str] = []
        for owner_path, owner, name in owners:
            kind = "same-file-constant" if owner_path == via.path else "cross-file-constant"
            if owner is not None:
                for constant, value in owner.constants:
                    if constant == prop:
                        return self.targets(via.to(value, owner_path, add=kind), depth + 1)
            for value_path, value in self.assignments().this_values.get((name, prop), [])[:8]:
                value_kind = "same-file-constant" if value_path == via.path else "cross-file-constant"
                out.extend(self.targets(via.to(value, value_path, add=value_kind), depth + 1))
            if owner is not None:
                out.extend(FuncT(owner_path, scope) for method, scope in owner.methods if method == prop)
                for field_name, value in owner.properties:
                    if field_name == prop:
                        out.extend(self.targets(via.to(value, owner_path, add=kind), depth + 1))
                types += [t for p, t in owner.property_types if p.lstrip("$") == prop.lstrip("$")]
            out.extend(self._prototype_members(owner_path, name, prop, via, depth))
        if not out and types:
            return [InstanceT(base.path, types[0])]
        return out or [hole(f"property this.{prop}")]

    def _prototype_members(self, path: str, cls: str, prop: str, via: At, depth: int) -> list[Target]:
        out: list[Target] = []
        for owner_path, value in self.assignments().either(path, f"{cls}.prototype.{prop}"):
            out.extend(self.targets(via.to(value, owner_path, add="same-file-constant"), depth + 1))
        return out

    def _function_member(self, base: FuncT, prop: str, via: At, depth: int) -> list[Target]:
        """Members of a function: an ES5 class's `super`/`parent`, `prototype` and statics."""
        if prop in ("super", "parent"):
            parents = self.es5_parents().get((base.path, base.scope), [])
            return [t for p in parents for t in self.targets(p, depth + 1)] or [hole("parent class unknown")]
        scope = self.index.symbols(base.path).scopes.get(base.scope)
        name = (scope.cls or scope.name) if scope is not None else None
        if name is None:
            return [hole(f"property {prop} of an anonymous function")]
        if prop == "prototype":
            return [InstanceT(base.path, name)]
        direct = self.assignments().either(base.path, f"{name}.{prop}")
        if direct:
            return [t for p, v in direct for t in self.targets(via.to(v, p, add="same-file-constant"), depth + 1)]
        for owner in (None, base.path):
            if self.assignments().is_namespace(owner, f"{name}.{prop}"):
                return [NamespaceT(owner, f"{name}.{prop}")]
        return [hole(f"property {prop} of {name}")]

    def _namespace_member(self, base: NamespaceT, prop: str, via: At, depth: int) -> list[Target]:
        name = f"{base.name}.{prop}"
        out: list[Target] = []
        for owner_path, value in self.assignments().lookup(base.owner, name)[:8]:
            kind = "same-file-constant" if owner_path == via.path else "cross-file-constant"
            out.extend(self.targets(via.to(value, owner_path, add=kind), depth + 1))
        if out:
            return out
        if self.assignments().is_namespace(base.owner, name):
            return [NamespaceT(base.owner, name)]
        return [hole(f"global {name}")]

    def assignments(self) -> Assignments:
        if self._assignments is None:
            self._assignments = Assignments(self.index)
        return self._assignments

    def es5_parents(self) -> dict[tuple[str, int], list[At]]:
        """Constructor function → its parent, from `OO.inheritClass( Child, Parent )` calls."""
        if self._es5_parents is None:
            parents: dict[tuple[str, int], list[At]] = {}
            for path, facts in self.index.files.items():
                helpers = self.rules.inheritance_calls.get(facts.language)
                if not helpers:
                    continue
                names = {h.rsplit(".", 1)[-1] for h in helpers}
                for call in facts.calls:
                    if len(call.args) < 2 or not isinstance(call.callee, Member) or call.callee.prop not in names:
                        continue
                    if self.paths(path).path(call.callee) not in helpers:
                        continue
                    for child in self.targets(At(call.args[0], path), 1):
                        if isinstance(child, FuncT):
                            parents.setdefault((child.path, child.scope), []).append(At(call.args[1], path))
            self._es5_parents = parents
        return self._es5_parents

    def es5_constructor(self, path: str, name: str) -> FuncT | None:
        """The constructor function of an ES5 class named `name` (global, or local to `path`)."""
        if "." not in name:
            found = self.index.symbols(path).lookup(name, 0)
            for value in found.values:
                if isinstance(value, Func):
                    return FuncT(path, value.id)
        for owner_path, value in self.assignments().either(path, name):
            for target in self.targets(At(value, owner_path), 1):
                if isinstance(target, FuncT):
                    return target
        return None

    def _class_name(self, function: FuncT) -> str | None:
        scope = self.index.symbols(function.path).scopes.get(function.scope)
        return (scope.cls or scope.name) if scope is not None and (scope.cls or scope.name) else None

    def es5_family(self, path: str, name: str, limit: int = 12) -> list[tuple[str, str]]:
        """An ES5 class, its ancestors and its subclasses, by (path, name)."""
        family = self.es5_ancestors(path, name, limit)
        constructor = self.es5_constructor(path, name)
        if constructor is not None:
            queue = [constructor]
            while queue and len(family) < limit * 3:
                for child in self.es5_children().get(queue.pop(0), []):
                    child_name = self._class_name(child)
                    if child_name and (child.path, child_name) not in family:
                        family.append((child.path, child_name))
                        queue.append(child)
        return family

    def es5_ancestors(self, path: str, name: str, limit: int = 12) -> list[tuple[str, str]]:
        chain = [(path, name)]
        while len(chain) < limit:
            constructor = self.es5_constructor(*chain[-1])
            if constructor is None:
                break
            step = None
            for parent in self.es5_parents().get((constructor.path, constructor.scope), []):
                for target in self.targets(parent, 1):
                    if isinstance(target, FuncT):
                        parent_name = self._class_name(target)
                        if parent_name and (target.path, parent_name) not in chain:
                            step = (target.path, parent_name)
                            break
                if step:
                    break
            if step is None:
                break
            chain.append(step)
        return chain

    def es5_children(self) -> dict[FuncT, list[FuncT]]:
        if self._es5_children is None:
            children: dict[FuncT, list[FuncT]] = defaultdict(list)
            for (path, scope), parents in self.es5_parents().items():
                for parent in parents:
                    for target in self.targets(parent, 1):
                        if isinstance(target, FuncT):
                            children[target].append(FuncT(path, scope))
            self._es5_children = children
        return self._es5_children

    # --- calls to repository functions -------------------------------------------------------

    def callee_function(self, path: str, callee: Expr, new: bool, arity: int | None = None) -> FuncT | None:
        """The repository function (or constructor) a call invokes, if it can be told: of
        several (overloads), the one whose parameters fit the call's `arity`.
        `f.call( thisArg, … )` invokes `f` (see `argument_offset`). A question of its own."""
        self._steps = 0
        if isinstance(callee, Member) and callee.prop in ("call", "apply"):
            callee = callee.obj
        functions: list[FuncT] = []
        for target in self.targets(At(callee, path), 1):
            if isinstance(target, FuncT):
                functions.append(target)
            elif isinstance(target, ClassT) and new and not functions:
                return self.constructor(target.path, target.cls)
        return self._fitting(functions, arity) if functions else None

    def _fitting(self, functions: list[FuncT], arity: int | None) -> FuncT:
        if arity is None or len(functions) == 1:
            return functions[0]

        def params(function: FuncT) -> tuple[str, ...]:
            scope = self.index.symbols(function.path).scopes.get(function.scope)
            return scope.params if scope is not None else ()

        exact = [f for f in functions if len(params(f)) == arity]
        wider = [f for f in functions if len(params(f)) > arity or any(p.startswith("...") for p in params(f))]
        return (exact or wider or functions)[0]

    def constructor(self, path: str, cls: ClassDef) -> FuncT | None:
        for owner_path, owner in self.index.lineage(path, cls):
            for name, scope in owner.methods:
                if name in CONSTRUCTOR_NAMES:
                    return FuncT(owner_path, scope)
            scope = self.index.symbols(owner_path).scopes.get(owner.scope)
            if scope is not None and scope.params:
                return FuncT(owner_path, owner.scope)  # a primary constructor (Kotlin)
        return None


def argument_offset(callee: Expr) -> int:
    """How many leading arguments are not the function's parameters (`f.call( this, … )`)."""
    return 1 if isinstance(callee, Member) and callee.prop == "call" else 0


# --- string helpers --------------------------------------------------------------------------


def _text(text: str) -> Value:
    return Value((text,), frozenset({"literal"}))


def _joined(items: list[tuple[Value, ...]], separator: tuple[Value, ...]) -> tuple[Value, ...]:
    parts: list[tuple[Value, ...]] = []
    for i, item in enumerate(items):
        if i:
            parts.append(separator)
        parts.append(item)
    return concat(parts, "concatenation") if parts else (_text(""),)


def _mapped(subjects: tuple[Value, ...], olds: tuple[Value, ...], news: tuple[Value, ...],
            every: bool) -> tuple[Value, ...] | None:
    if not all(v.exact for v in (*subjects, *olds, *news)) or len(olds) != 1 or len(news) != 1:
        return None
    old, new = olds[0].text, news[0].text
    return tuple(
        Value((s.text.replace(old, new) if every else s.text.replace(old, new, 1),),
              s.kinds | {"concatenation"}, s.config_key)
        for s in subjects
    )


def _case(values: tuple[Value, ...], name: str) -> tuple[Value, ...] | None:
    change = {
        "toLowerCase": str.lower, "lowercase": str.lower, "strtolower": str.lower, "lower": str.lower,
        "toUpperCase": str.upper, "uppercase": str.upper, "strtoupper": str.upper, "upper": str.upper,
        "ucfirst": lambda s: s[:1].upper() + s[1:], "lcfirst": lambda s: s[:1].lower() + s[1:],
        "trim": str.strip, "String": str, "strval": str, "str": str,
    }[name]
    out = []
    for value in values:
        if not value.exact:
            if name in ("String", "strval", "str"):
                out.append(value)
                continue
            return None
        out.append(Value((change(value.text),), value.kinds, value.config_key))
    return tuple(out)


def _sprintf(formats: tuple[Value, ...], args: list[tuple[Value, ...]]) -> tuple[Value, ...] | None:
    if len(formats) != 1 or not formats[0].exact:
        return None
    pieces = re.split(r"(%(?:\d+\$)?[-+ 0']*\d*(?:\.\d+)?[sdfuxXbceEgGo%])", formats[0].text)
    parts: list[tuple[Value, ...]] = []
    position = 0
    for piece in pieces:
        if not piece:
            continue
        if piece == "%%":
            parts.append((_text("%"),))
        elif piece.startswith("%") and len(piece) > 1:
            explicit = re.match(r"%(\d+)\$", piece)
            index = int(explicit.group(1)) - 1 if explicit else position
            position += 0 if explicit else 1
            if index < len(args):
                parts.append(args[index])
            else:
                parts.append((Value((Hole("missing sprintf argument"),), frozenset({"dynamic"})),))
        else:
            parts.append((_text(piece),))
    result = concat(parts, "concatenation")
    return tuple(Value(v.parts, v.kinds | formats[0].kinds, v.config_key) for v in result)


def json_expr(data: object) -> Expr:
    """A JSON value (a packageFiles data file) as an expression."""
    if isinstance(data, dict):
        return Obj(tuple((str(k), json_expr(v)) for k, v in data.items()))
    if isinstance(data, list):
        return Arr(tuple(json_expr(v) for v in data))
    if isinstance(data, (str, int, float, bool)) or data is None:
        return Lit(data)
    return Unknown("JSON value")


def describe_target(target: Target) -> str:
    if isinstance(target, FuncT):
        return "a function, not a string"
    if isinstance(target, (ClassT, InstanceT)):
        name = target.cls.name if isinstance(target, ClassT) else target.cls
        return f"an object of class {name}, not a string"
    if isinstance(target, ModuleT):
        return f"the module {target.path}, not a string"
    if isinstance(target, HandleT):
        return f"the object {target.rule.id} returns, not a string"
    if isinstance(target, NamespaceT):
        return f"the namespace {target.name}, not a string"
    return "unsupported value"


def describe(expr: Expr, symbols=None) -> str:
    """Why an expression has no static value, in words a user understands."""
    if isinstance(expr, Ref):
        if symbols is not None:
            found = symbols.lookup(expr.name, expr.scope)
            if found.kind == "param":
                owner = symbols.scopes.get(found.scope) if found.scope is not None else None
                where = f" of {owner.name}" if owner and owner.name and not owner.name.startswith("<") else ""
                return f"parameter {expr.name}{where}"
        return f"variable {expr.name}"
    if isinstance(expr, GlobalRef):
        return f"constant {expr.name}"
    if isinstance(expr, Member):
        if isinstance(expr.obj, This):
            return f"property this.{expr.prop}"
        if isinstance(expr.obj, ClassRef):
            return f"class constant {expr.obj.name}::{expr.prop}"
        return f"property .{expr.prop}"
    if isinstance(expr, Index):
        return "computed key"
    if isinstance(expr, Call):
        callee = expr.callee
        name = callee.prop if isinstance(callee, Member) else getattr(callee, "name", "a function")
        return f"return value of {name}()"
    if isinstance(expr, Unknown):
        return expr.reason
    if isinstance(expr, (Obj, Arr)):
        return "object or array, not a string"
    if isinstance(expr, Func):
        return "function, not a string"
    if isinstance(expr, Require):
        return f"module {expr.module}"
    if isinstance(expr, Config):
        return f"configuration {expr.key}"
    if isinstance(expr, This):
        return "this"
    if isinstance(expr, ClassRef):
        return f"class {expr.name}"
    return "unsupported expression"
