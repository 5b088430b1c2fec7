"""Reading a rule's specs at a call: the name (`name:`), the schema and stream (`schema:`,
`stream:`) and the evidence that makes a plain call an API call (`match.evidence`), each
evaluated in the frame of the call being resolved.

What a spec can read: an argument (by position or name), a dotted key of a payload argument,
an implicit member of a given type (Swift `.someCase`), the object an argument denotes (what
its class passes up to a root class's constructor parameter, a member or an annotation of its
class), a library constant, the handle the call is made on, and a default.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.extract import Match
from analyzer.facts import ClassRef, Expr, GlobalRef, Member
from analyzer.resolve.evaluate import Evaluator
from analyzer.resolve.objects import Built, Objects, with_implicit_type
from analyzer.resolve.targets import EMPTY, At, Frame, HandleT, HoleT
from analyzer.resolve.values import Summary, Value, summarize, union, unknown
from analyzer.ruleset import ApiRule, ConstructorParam, Evidence, NameSpec, ValueSpec

MAX_ORIGINS = 32  # handles a receiver may hold (one per activity that assigns it, …)


@dataclass(frozen=True, slots=True)
class ApiCall:
    """An API call a spec reads: the call being resolved, or the one that made the handle it
    is made on; its rule, arguments, file and frame."""

    rule: ApiRule
    args: tuple[Expr, ...]
    named: tuple[tuple[str, Expr], ...]
    path: str
    frame: Frame
    kinds: frozenset[str] = frozenset()  # the references followed from the call to the handle


def argument(args: tuple[Expr, ...], named: tuple[tuple[str, Expr], ...], index: int | None,
             names: tuple[str, ...] = ()) -> Expr | None:
    """The argument a spec reads: the first of `names` the call passes, else position `index`."""
    for name in names:
        for key, value in named:
            if key == name:
                return value
    if index is not None and index < len(args):
        return args[index]
    return None


class SpecReader:
    def __init__(self, evaluator: Evaluator):
        self.evaluator = evaluator
        self.objects = Objects(evaluator)
        self._origins: dict[tuple, list[ApiCall]] = {}

    # --- handles ----------------------------------------------------------------------------

    def origins(self, match: Match, frame: Frame) -> list[ApiCall]:
        """The calls that made the handle `match` is called on: found by extraction in the same
        file, else by evaluating the receiver (properties, extension properties, builders)."""
        if match.origin is not None:
            origin = match.origin
            return [ApiCall(origin.rule, origin.args, origin.named, match.path, frame)]
        callee = match.call.callee
        if not isinstance(callee, Member) or match.rule.match.receiver is None:
            return []
        key = (match.path, match.call.span, frame)
        if key not in self._origins:
            targets = self.evaluator.targets(At(callee.obj, match.path, frame))
            targets += [t for h in targets if isinstance(h, HoleT) for t in self._default(h)]
            handles = [t for t in targets if isinstance(t, HandleT)][:MAX_ORIGINS]
            self._origins[key] = [
                ApiCall(h.rule, h.call.expr.args, h.call.expr.named, h.call.path, h.call.frame, h.call.kinds)
                for h in handles
            ]
        return self._origins[key]

    def _default(self, unbound: HoleT) -> list:
        """What an unbound parameter holds when its caller passes nothing: its default value
        (`instrument: InstrumentImpl = …getInstrument(name: …)`)."""
        if unbound.hole.param is None or unbound.hole.param[2] is None:
            return []
        path, scope_id, index = unbound.hole.param
        symbols = self.evaluator.index.symbols(path)
        scope = symbols.scopes.get(scope_id)
        if scope is None or index >= len(scope.params):
            return []
        default = symbols.param_default(scope_id, scope.params[index])
        return self.evaluator.targets(At(default, path)) if default is not None else []

    # --- the name ---------------------------------------------------------------------------

    def name(self, match: Match, frame: Frame) -> tuple[NameSpec, tuple[Value, ...], Summary]:
        """The name spec that applies, the values of the name and their summary."""
        spec = match.rule.name.for_arity(len(match.call.args))
        if spec.from_handle:
            origins = self.origins(match, frame)
            if not origins:
                return spec, (), Summary(None, (), "dynamic",
                                         "the object it is called on is not traced to the call that made it")
            specs = [o.rule.name.for_arity(len(o.args)) for o in origins]
            groups = [self._name_values(s, o.args, o.named, o.path, o.frame, match, o.kinds)
                      for s, o in zip(specs, origins, strict=True)]
            values = union([g for g in groups if g is not None])
            return specs[0], values, summarize(values) if values else self._no_name(specs[0])
        values = self._name_values(spec, match.call.args, match.call.named, match.path, frame, match)
        return spec, values or (), summarize(values) if values is not None else self._no_name(spec)

    @staticmethod
    def _no_name(spec: NameSpec) -> Summary:
        if spec.default:
            return Summary(spec.default, (), "literal", None)
        return Summary(None, (), "dynamic", "no name argument")

    def _name_values(self, spec: NameSpec, args, named, path: str, frame: Frame, match: Match,
                     kinds: frozenset[str] = frozenset()) -> tuple[Value, ...] | None:
        """None when the call passes no name argument (and the name is not read from `this`)."""
        root = spec.constructor_param
        if root is not None and root.of_this:
            return self._constructed(self.objects.this(path, match.call.scope, frame), [], root)
        at = self._argument(args, named, spec.arg, spec.named, spec.implicit_type, path, frame, kinds)
        if at is None:
            return None
        if root is not None:
            return self._constructed(*self.objects.built(at), root)
        if spec.key:
            return self._payload_values(at, spec.key)
        return self.evaluator.values(at)

    def _constructed(self, built: list[Built], holes: list[HoleT], root: ConstructorParam) -> tuple[Value, ...]:
        groups = []
        for obj in built:
            value = self.objects.constructor_argument(obj, root)
            if value is not None:
                groups.append(self.evaluator.values(value))
        groups += [(Value((h.hole,), frozenset({"dynamic"})),) for h in holes]
        return union(groups) if groups else (unknown(f"not an object of a class derived from {root.cls}"),)

    # --- schema and stream ------------------------------------------------------------------

    def value(self, field: str, match: Match, frame: Frame, name: Summary) -> str | None:
        """The text the rule's `schema` or `stream` spec (`field`) gives at this call."""
        call = ApiCall(match.rule, match.call.args, match.call.named, match.path, frame)
        return self._value(getattr(match.rule, field), field, call, match, name)

    def _value(self, spec: ValueSpec | None, field: str, call: ApiCall, match: Match, name: Summary) -> str | None:
        if spec is None:
            return None
        if spec.first_of:
            return next((t for s in spec.first_of if (t := self._value(s, field, call, match, name))), None)
        if spec.from_handle:
            origins = self.origins(match, call.frame)
            return self._value(getattr(origins[0].rule, field), field, origins[0], match, name) if origins else None
        spec = spec.for_arity(len(call.args))
        if spec is None:
            return None
        if spec.from_name:
            return name.name if name.resolution != "dynamic" else None
        if spec.name_after_prefix:
            if name.name and name.name.startswith(spec.name_after_prefix) and name.resolution != "dynamic":
                schema = name.name[len(spec.name_after_prefix):]
                return schema[:1].upper() + schema[1:] if spec.capitalize else schema
            return None
        return self._read(spec, call) or spec.default

    def _read(self, spec: ValueSpec, call: ApiCall) -> str | None:
        if spec.constant:
            return self.text(At(constant(spec.constant), call.path, call.frame))
        index = spec.payload_arg if spec.payload_arg is not None else spec.arg
        at = self._argument(call.args, call.named, index, spec.named, spec.implicit_type, call.path, call.frame,
                            call.kinds)
        if at is None:
            return None
        if spec.key:
            return joined(self.text(v) for v in self._payload_entries(at, spec.key))
        if spec.class_member or spec.class_annotation:
            return joined(self.text(v) for v in self._class_values(spec, at))
        return self.text(at)

    def _class_values(self, spec: ValueSpec, at: At) -> list[At]:
        out = []
        for obj in self.objects.built(at)[0]:
            if spec.class_member:
                out.append(self.objects.member(obj, spec.class_member))
            elif spec.class_annotation:
                found = self.objects.annotation(obj, spec.class_annotation.name, spec.class_annotation.arg)
                if found is not None:
                    out.append(found)
        return out

    def text(self, at: At) -> str | None:
        return summarize(self.evaluator.values(at)).name

    # --- evidence ---------------------------------------------------------------------------

    def accepts(self, match: Match) -> bool:
        """Whether a call whose rule asks for evidence shows one (any one suffices)."""
        tests = match.rule.match.evidence
        return not tests or any(self._evident(match, test) for test in tests)

    def _evident(self, match: Match, test: Evidence) -> bool:
        at = self._argument(match.call.args, match.call.named, test.arg, test.named, None, match.path, EMPTY)
        if at is None:
            return False
        if test.keys:
            return all(self._payload_entries(at, key) for key in test.keys)
        texts = [v.text for v in self.evaluator.values(at)]
        names = self.evaluator.paths(at.path).describe_receiver(at.expr).names
        return any(test.pattern.search(t) for t in [*texts, *names])

    # --- helpers ----------------------------------------------------------------------------

    def _argument(self, args, named, index, names, implicit_type, path: str, frame: Frame,
                  kinds: frozenset[str] = frozenset()) -> At | None:
        expr = argument(args, named, index, names)
        if expr is None:
            return None
        return At(with_implicit_type(expr, implicit_type) if implicit_type else expr, path, frame, kinds)

    def _payload_entries(self, at: At, key: str) -> list[At]:
        """The values at a dotted key of the payload `at` denotes (`meta.stream`)."""
        current = [at]
        for part in key.split("."):
            current = [entry for payload in current for entry in self.evaluator.object_entries(payload, part)]
        return current

    def _payload_values(self, at: At, key: str) -> tuple[Value, ...]:
        entries = self._payload_entries(at, key)
        if entries:
            return union([self.evaluator.values(e) for e in entries])
        holes = [t for t in self.evaluator.targets(at) if isinstance(t, HoleT)]
        if holes:
            return tuple(Value((h.hole,), frozenset({"dynamic"})) for h in holes)
        return (unknown(f"the payload has no {key}"),)


def constant(qualified: str) -> Expr:
    """A constant named by its qualified name: a class constant (`a.b.Client.STREAM`) or a
    top-level one (`a.b.STREAM`)."""
    owner, _, name = qualified.rpartition(".")
    if owner and owner.rsplit(".", 1)[-1][:1].isupper():
        return Member(ClassRef(owner), name)
    return GlobalRef(qualified)


def joined(texts) -> str | None:
    """One text for the values several objects or entries give (`a | b` when they differ)."""
    found = sorted({t for t in texts if t})
    return " | ".join(found) if found else None
