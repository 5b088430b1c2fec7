"""Objects and the classes that build them, for languages whose classes receive their values as
constructor parameters and pass them up to a superclass in the class header (Kotlin
`class A(s: String) : Base(s)`, Java `super( … )`, Swift `super.init( … )`):

- `built(at)`: the objects an expression denotes, each with the frame that binds its class's
  constructor parameters to the arguments of the call that built it (or unbound, for `this`
  and for objects whose construction is not in view);
- `constructor_argument(obj, root, param)`: up the superclass calls, binding each parent's
  constructor parameters in turn, to what the root class's parameter receives;
- `annotation(obj, name, arg)` and `member(obj, name)`: what the object's class (or its nearest
  ancestor) declares about it.

A value found in a class header is reported as a constant of that class (same-file or
cross-file, seen from the call); one passed at the call keeps the kinds of the argument.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from analyzer.facts import (
    Call,
    ClassDef,
    ClassRef,
    Cond,
    Expr,
    Member,
    Ref,
    This,
    Unknown,
)
from analyzer.resolve.evaluate import Evaluator
from analyzer.resolve.targets import EMPTY, At, Frame, HoleT, InstanceT, bind_named
from analyzer.ruleset import ConstructorParam
from analyzer.symbols import CONSTRUCTOR_NAMES, names_class, short_name

MAX_CLASS_STEPS = 12  # superclass calls followed from an object's class to the root class
MAX_OBJECTS = 8  # objects an expression may denote (branches, several assignments)


@dataclass(frozen=True, slots=True)
class Built:
    """An object of class `cls` (declared in `path`). `frame` binds the parameters of the
    constructor `scope` that built it; `site` is the expression it was reached from."""

    path: str
    cls: ClassDef
    scope: int | None
    frame: Frame
    site: At


class Objects:
    def __init__(self, evaluator: Evaluator):
        self.evaluator = evaluator
        self.index = evaluator.index

    # --- which objects ----------------------------------------------------------------------

    def built(self, at: At) -> tuple[list[Built], list[HoleT]]:
        """The objects `at` denotes (built by a constructor call in view, `this`, or a parameter
        whose declared type is a class of the repository), and why others are not known."""
        out: list[Built] = []
        holes: list[HoleT] = []
        for target in self.evaluator.targets(at)[:MAX_OBJECTS]:
            if isinstance(target, InstanceT):
                found = self.index.find_classes(target.cls, target.path)
                if found:
                    out.append(self.bind(*found[0], target.made, at))
            elif isinstance(target, HoleT):
                holes.append(target)
                if target.hole.param is not None:
                    out.extend(self.declared(at))
        return out, holes

    def this(self, path: str, scope: int, frame: Frame) -> list[Built]:
        """The instance code in `scope` runs in: of the innermost enclosing class."""
        symbols = self.index.symbols(path)
        for candidate in symbols.chain(scope):
            owner = symbols.scopes.get(candidate)
            if owner is not None and owner.cls:
                return self.built(At(This(owner.cls), path, frame))[0]
        return []

    def declared(self, at: At) -> list[Built]:
        """An unbound parameter of a declared class type (`func log(_ event: SessionEvent)`)."""
        if not isinstance(at.expr, Ref):
            return []
        symbols = self.index.symbols(at.path)
        found = symbols.lookup(at.expr.name, at.expr.scope)
        scope = symbols.scopes.get(found.scope) if found.kind == "param" and found.scope is not None else None
        types = [t for p, t in (scope.param_types if scope else ()) if p == at.expr.name]
        classes = self.index.find_classes(types[0], at.path) if types else []
        return [self.bind(*classes[0], None, at)] if classes else []

    # --- constructors -----------------------------------------------------------------------

    def bind(self, path: str, cls: ClassDef, made: At | None, site: At) -> Built:
        """The object with its constructor's parameters bound to the call `made`; unbound when
        there is none (a parameter then stays a hole that callers of the constructor fill)."""
        if made is None or not isinstance(made.expr, Call):
            return Built(path, cls, self.constructor_scope(path, cls, 0, {}), site.frame, site)
        args = [made.to(a) for a in made.expr.args]
        named = {k: made.to(v) for k, v in made.expr.named}
        return self._with_constructor(path, cls, args, named, made.frame, site)

    def _with_constructor(self, path: str, cls: ClassDef, args: list[At], named: dict[str, At], frame: Frame,
                          site: At) -> Built:
        scope = self.constructor_scope(path, cls, len(args), named)
        if scope is None:
            return Built(path, cls, None, frame, site)
        symbols = self.index.symbols(path)
        params = symbols.scopes[scope].params
        defaults = {p: At(d, path, frame) for p in params if (d := symbols.param_default(scope, p)) is not None}
        bound = frame.with_call(path, scope, params, bind_named(params, args, named), defaults)
        return Built(path, cls, scope, bound, site)

    def constructor_scope(self, path: str, cls: ClassDef, count: int, named: dict) -> int | None:
        """The constructor a call with `count` positional and `named` arguments runs: the
        primary constructor (the class scope's parameters) or the `constructor`/`init` whose
        parameters fit, the one with exactly as many preferred."""
        scopes = self.index.symbols(path).scopes
        candidates = [scope for name, scope in cls.methods if name in CONSTRUCTOR_NAMES and scope in scopes]
        own = scopes.get(cls.scope)
        if own is not None and (own.params or not candidates):
            candidates.insert(0, cls.scope)

        def fits(scope: int) -> bool:
            params = scopes[scope].params
            variadic = any(p.startswith("...") for p in params)
            return (count <= len(params) or variadic) and all(n in params for n in named)

        fitting = [s for s in candidates if fits(s)]
        exact = [s for s in fitting if len(scopes[s].params) == count + len(named)]
        return (exact or fitting or candidates or [None])[0]

    def parent(self, obj: Built) -> Built | None:
        """The object's superclass part: the parent's constructor bound to the arguments of
        the superclass call in the class header (evaluated where the header is). A class
        declared in parts (an Objective-C header and implementation, Swift extensions) may
        name its superclass in one part and call the superclass's initialiser in another."""
        parts = [(obj.path, obj.cls), *self.index.parts(obj.path, obj.cls)]
        parent = next((c.parent for _, c in parts if c.parent), None)
        found = self.index.find_classes(parent, obj.path) if parent else []
        if not found or found[0][1] is obj.cls:
            return None
        target = next(((p, c) for p, c in [found[0], *self.index.parts(*found[0])]
                       if any(name in CONSTRUCTOR_NAMES for name, _ in c.methods)), found[0])
        path, cls = next(((p, c) for p, c in parts if c.super_args or c.super_named), (obj.path, obj.cls))
        kind = "same-file-constant" if path == obj.site.path else "cross-file-constant"
        header = At(Call(ClassRef(target[1].name)), path, obj.frame, obj.site.kinds | {kind}, obj.site.config_key)
        args = [header.to(a) for a in cls.super_args]
        named = {k: header.to(v) for k, v in cls.super_named}
        return self._with_constructor(*target, args, named, obj.frame, obj.site)

    def constructor_argument(self, obj: Built, root: ConstructorParam) -> At | None:
        """What the constructor parameter `root.param` of class `root.cls` receives when `obj`
        is built (an unknown when that is out of view); None when the class does not derive
        from it."""
        current: Built | None = obj
        constructors: set[tuple[str, int]] = set()
        for _ in range(MAX_CLASS_STEPS):
            if current is None:
                return None
            if current.scope is not None:
                constructors.add((current.path, current.scope))
            if names_class(current.cls.name, root.cls):
                value = (current.frame.bound(current.path, current.scope, root.param)
                         if current.scope is not None else None)
                if value is None:
                    missing = f"{root.param} of {short_name(current.cls.name)} is not given where the object is built"
                    return At(Unknown(missing), current.path)
                return self._forwarded(value, constructors)
            current = self.parent(current)
        return None

    def _forwarded(self, at: At, constructors: set[tuple[str, int]]) -> At:
        """A constructor parameter handed on unchanged (`: Base(stream)`) is the value it was
        bound to, without counting the step as a wrapper argument."""
        for _ in range(MAX_CLASS_STEPS):
            if not isinstance(at.expr, Ref):
                return at
            found = self.index.symbols(at.path).lookup(at.expr.name, at.expr.scope)
            if found.kind != "param" or (at.path, found.scope) not in constructors:
                return at
            bound = at.frame.bound(at.path, found.scope, at.expr.name)
            if bound is None:
                return at
            at = bound
        return at

    # --- what the class declares ------------------------------------------------------------

    def annotation(self, obj: Built, name: str, arg: int) -> At | None:
        """Argument `arg` of annotation `name` on the object's class or its nearest ancestor."""
        for path, cls in self.index.lineage(obj.path, obj.cls):
            for annotation, args in cls.annotations:
                if short_name(annotation) == name and arg < len(args):
                    return At(args[arg], path, EMPTY, obj.site.kinds | {"annotation"})
        return None

    def member(self, obj: Built, name: str) -> At:
        """Member `name` of the object's class (a static constant or property), evaluated as
        the site reads it."""
        return replace(obj.site, expr=Member(ClassRef(obj.cls.name), name), frame=EMPTY)


def with_implicit_type(expr: Expr, type_name: str) -> Expr:
    """An implicit member (Swift `.someCase`, lowered with an unnamed type) read as a member of
    `type_name`, also in each branch of a choice."""
    if isinstance(expr, Member) and isinstance(expr.obj, ClassRef) and not expr.obj.name:
        return Member(ClassRef(type_name), expr.prop, expr.static)
    if isinstance(expr, Cond):
        return Cond(tuple(with_implicit_type(o, type_name) for o in expr.options))
    return expr
