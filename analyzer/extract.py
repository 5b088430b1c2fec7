"""Extraction: match the call sites of a file against the API rules.

A call site is looked up by the last name of its callee (`track`, `submit`, `getCounter`) in
the rule index, then tested against each candidate rule: the canonical callee path for
`callee` rules, the class for `static` rules, the receiver for `method` rules, and for
`handle` rules the call that produced the object (`mw.testKitchen.getInstrument( … ).send()`).
The output is a list of Match records; names are evaluated later, by the resolver.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.facts import Call, CallSite, Expr, FileFacts, GlobalRef, Member, Ref, This
from analyzer.ruleset import ApiRule, MatchSpec, ReceiverSpec, RuleSet
from analyzer.symbols import MAX_DEPTH, FileSymbols, PathResolver, ReceiverInfo, names_class

PROMISE_METHODS = frozenset({"then", "done"})


@dataclass(frozen=True, slots=True)
class HandleOrigin:
    """The API call that produced the object a method is called on."""

    rule: ApiRule
    args: tuple[Expr, ...]
    named: tuple[tuple[str, Expr], ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    """A call site that matched an API rule."""

    rule: ApiRule
    call: CallSite
    path: str
    language: str
    origin: HandleOrigin | None = None
    receiver_calls: tuple[Call, ...] = ()


class Extractor:
    def __init__(self, rules: RuleSet, facts: FileFacts, symbols: FileSymbols,
                 global_aliases: dict[str, str] | None = None):
        self.rules = rules
        self.facts = facts
        self.symbols = symbols
        self.paths = PathResolver(symbols, rules.aliases.get(facts.language, ()), global_aliases)

    def matches(self) -> list[Match]:
        found = []
        for call in self.facts.calls:
            match = self.match_call(call)
            if match is not None:
                found.append(match)
        return found

    def match_call(self, call: CallSite) -> Match | None:
        result = self.first_matching_rule(call.callee, call.args, call.new)
        if result is None:
            return None
        rule, origin, receiver = result
        return Match(
            rule=rule,
            call=call,
            path=self.facts.path,
            language=self.facts.language,
            origin=origin,
            receiver_calls=tuple(receiver.call_exprs) if receiver else (),
        )

    def candidate_rules(self, callee: Expr) -> tuple[ApiRule, ...]:
        language = self.facts.language
        last = last_name(callee)
        rules = self.rules.candidates(language, last) if last else ()
        if not rules and isinstance(callee, Ref):
            # A local alias (`const log = mw.track`): look the rules up by what it names.
            path = self.paths.path(callee)
            if path and path != callee.name:
                rules = self.rules.candidates(language, path.rsplit(".", 1)[-1].rsplit("::", 1)[-1])
        return rules

    def first_matching_rule(
        self, callee: Expr, args: tuple[Expr, ...], new: bool, depth: int = 0
    ) -> tuple[ApiRule, HandleOrigin | None, ReceiverInfo | None] | None:
        rules = self.candidate_rules(callee)
        if not rules:
            return None
        path = None
        path_known = False
        for rule in rules:
            spec = rule.match
            if spec.new is not None and spec.new != new:
                continue
            if len(args) < rule.min_args:
                continue
            if spec.callee or spec.static or spec.function:
                if not path_known:
                    path, path_known = self.paths.path(callee), True
                if path is not None and path_matches(spec, path, callee) and self.in_class(spec, callee):
                    return rule, None, None
                if not spec.method:
                    continue
            if not isinstance(callee, Member) or callee.prop not in spec.method or not self.in_class(spec, callee):
                continue
            if spec.handle:
                origin = self.handle_origin(callee.obj, depth + 1)
                if origin is not None and origin.rule.returns == spec.handle:
                    return rule, origin, None
                continue
            if spec.receiver is None:
                return rule, None, None  # a declared wrapper method: any receiver
            info = self.paths.describe_receiver(callee.obj)
            if receiver_matches(spec.receiver, info):
                return rule, None, info
        return None

    def in_class(self, spec: MatchSpec, callee: Expr) -> bool:
        """Whether a call satisfies `in_class`: made in that class or a subclass of it."""
        if spec.in_class is None:
            return True
        klass = None
        if isinstance(callee, Ref):
            klass = self.symbols.enclosing_class(callee.scope)
        elif isinstance(callee, Member) and isinstance(callee.obj, This) and callee.obj.cls:
            klass = self.symbols.classes.get(callee.obj.cls)  # `[super initWithSchema:…]`, `this.log( … )`
        if klass is None or (spec.subclasses_only and names_class(klass.name, spec.in_class)):
            return False
        return self.symbols.inherits(klass, spec.in_class)

    def handle_origin(self, expr: Expr, depth: int = 0) -> HandleOrigin | None:
        """The API call whose result `expr` holds, if it holds one (also through the handle's
        fluent methods: `getInstrument( 'x' ).startFunnel( 'f' )`)."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, Call):
            result = self.first_matching_rule(expr.callee, expr.args, expr.new, depth + 1)
            if result is not None and result[0].returns:
                return HandleOrigin(result[0], expr.args, expr.named)
            if result is None and isinstance(expr.callee, Member):
                inner = self.handle_origin(expr.callee.obj, depth + 1)
                if inner is not None and expr.callee.prop in inner.rule.fluent:
                    return inner
            return None
        if isinstance(expr, Ref):
            found = self.symbols.lookup(expr.name, expr.scope)
            if found.kind == "param" and found.param_index == 0 and found.scope is not None:
                return self.callback_origin(found.scope, depth)
            for value in found.values[:4]:
                origin = self.handle_origin(value, depth + 1)
                if origin is not None:
                    return origin
            return None
        if isinstance(expr, Member) and isinstance(expr.obj, This):
            for value in self.symbols.this_members(expr.obj.cls, expr.prop)[:4]:
                origin = self.handle_origin(value, depth + 1)
                if origin is not None:
                    return origin
        return None

    def callback_origin(self, function_scope: int, depth: int) -> HandleOrigin | None:
        """For `producer.then( ( x ) => … )`: the handle the promise resolves to."""
        for call, index in self.symbols.passed_functions.get(function_scope, ()):
            callee = call.callee
            if index == 0 and isinstance(callee, Member) and callee.prop in PROMISE_METHODS:
                origin = self.handle_origin(callee.obj, depth + 1)
                if origin is not None:
                    return origin
        return None


def path_matches(spec: MatchSpec, path: str, callee: Expr) -> bool:
    """Whether a callee path satisfies a `callee`, `static` or `function` match."""
    if path in spec.callee:
        return True
    if spec.static and "::" in path:
        cls, method = path.rsplit("::", 1)
        short = cls.rsplit("\\", 1)[-1].rsplit(".", 1)[-1]
        return f"{short}::{method}" in spec.static
    if spec.function and isinstance(callee, (Ref, GlobalRef)):
        return path.lstrip("\\").rsplit("\\", 1)[-1] in spec.function
    return False


def plain_call_matches(spec: MatchSpec, callee: Expr, paths: PathResolver) -> bool:
    """Whether a call matches a spec that needs no handle (callee path or method + receiver)."""
    if spec.callee or spec.static or spec.function:
        path = paths.path(callee)
        return path is not None and path_matches(spec, path, callee)
    if isinstance(callee, Member) and callee.prop in spec.method and spec.receiver is not None:
        return receiver_matches(spec.receiver, paths.describe_receiver(callee.obj))
    return False


def last_name(callee: Expr) -> str | None:
    if isinstance(callee, Member):
        return callee.prop
    if isinstance(callee, (Ref, GlobalRef)):
        return callee.name.lstrip("\\").rsplit("\\", 1)[-1]
    return None


def receiver_matches(spec: ReceiverSpec, info: ReceiverInfo) -> bool:
    calls = set(info.calls)
    if calls & spec.not_calls:
        return False
    if calls & spec.calls or info.services & spec.services:
        return True
    if any(p.search(name) for p in spec.names for name in info.names):
        return True
    return any(p.search(t) for p in spec.types for t in info.types)


def global_aliases(files: list[FileFacts], symbols_of, rules: RuleSet) -> dict[str, str]:
    """Global names assigned an API in some file (`ve.track = mw.track`), so that calls
    through them in any file of the repository match that API."""
    api_paths: set[str] = set()
    for rule in rules.apis:
        for path in rule.match.callee:
            parts = path.split(".")
            api_paths.update(".".join(parts[:n]) for n in range(2, len(parts) + 1))
    aliases: dict[str, str] = {}
    for facts in files:
        if not facts.member_assigns:
            continue
        paths = PathResolver(symbols_of(facts.path), rules.aliases.get(facts.language, ()))
        for assign in facts.member_assigns:
            value = paths.path(assign.value)
            if value not in api_paths:
                continue
            target = paths.path(assign.target)
            if target and not target.startswith("this.") and target != value and "." in target:
                aliases[target] = value
    return aliases
