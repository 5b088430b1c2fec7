"""The object code runs on, in languages where members are reached without naming it (Kotlin,
Java, Swift; symbols.IMPLICIT_THIS):

- `this` in a method is the object the method was called on, which the call binds in the frame
  (`Frame.with_this`); without one, any instance of the method's class;
- a bare name in a method can be a member the class declares or inherits (`submitEvent( … )`
  in a subclass, `_instrument` of a base activity);
- a mutable property is also whatever the class or a subclass assigns to it, by bare name too
  (es5.Assignments indexes those assignments);
- a top-level declaration of a package is reached by its qualified name (an import), and an
  extension property or function (`val Context.instrument`) runs on the object it is read from,
  or, read by bare name, on the object the reading code runs on.
"""

from __future__ import annotations

from dataclasses import replace

from analyzer.facts import MODULE_SCOPE, Call, ClassRef, GlobalRef, Member, Ref, This
from analyzer.resolve.targets import At, FuncT, HoleT, InstanceT, Target
from analyzer.symbols import IMPLICIT_THIS, Lookup, names_class

MAX_DECLARATIONS = 4  # files declaring one top-level name (flavour source sets repeat them)


class Receivers:
    def __init__(self, evaluator):
        self.evaluator = evaluator
        self.index = evaluator.index

    def applies(self, path: str) -> bool:
        return self.index.files[path].language in IMPLICIT_THIS

    # --- this ---------------------------------------------------------------------------------

    def this(self, at: At, expr: This, depth: int) -> list[Target]:
        """`this` of class `expr.cls` in file `at.path`: the object the frame binds, when it is
        of that class (or the class is not in the repository: an extension's receiver type)."""
        bound = at.frame.this(at.path)
        if bound is not None:
            found = [t for t in self.evaluator.targets(bound, depth + 1)
                     if isinstance(t, InstanceT) and self._is_a(t, expr.cls)]
            if found:
                return found
        return [InstanceT(at.path, expr.cls)]

    def _is_a(self, instance: InstanceT, cls: str) -> bool:
        classes = self.index.find_classes(instance.cls, instance.path)
        if not classes:
            return False
        if not any(names_class(c.name, cls) for _, c in self.index.find_classes(cls, instance.path)):
            return True  # a type outside the repository: nothing says it is not
        return any(names_class(c.name, cls) for _, c in self.index.lineage(*classes[0]))

    def receiver(self, function: FuncT, call: At) -> At | None:
        """The object a call of method `function` runs on: what it is called on, or for a call
        by bare name, the caller's own object."""
        if not self.applies(function.path):
            return None
        scope = self.index.symbols(function.path).scopes.get(function.scope)
        expr = call.expr
        if scope is None or not scope.cls or not isinstance(expr, Call):
            return None
        callee = expr.callee
        if isinstance(callee, Member):
            return None if isinstance(callee.obj, ClassRef) else call.to(callee.obj)
        bound = call.frame.this(call.path)
        if bound is not None or not isinstance(callee, Ref) or not self.applies(call.path):
            return bound
        klass = self.index.symbols(call.path).enclosing_class(callee.scope)
        return call.to(This(klass.name)) if klass is not None else None

    # --- members by bare name ---------------------------------------------------------------

    def unbound(self, at: At, depth: int) -> list[Target]:
        """A bare name no scope declares, inside a class: a member of the object."""
        ref: Ref = at.expr  # type: ignore[assignment]
        if not self.applies(at.path):
            return []
        klass = self.index.symbols(at.path).enclosing_class(ref.scope)
        return self._member_of_this(at, klass.name, ref.name, depth) if klass is not None else []

    def member_variable(self, at: At, found: Lookup, depth: int) -> list[Target]:
        """A mutable property read by bare name (`_instrument`): also what the object's class,
        its ancestors and subclasses assign to it."""
        ref: Ref = at.expr  # type: ignore[assignment]
        symbols = self.index.symbols(at.path)
        if not self.applies(at.path) or not symbols.is_variable_member(ref.name, found.scope):
            return []
        return self._member_of_this(at, symbols.scopes[found.scope].cls, ref.name, depth)

    def _member_of_this(self, at: At, cls: str | None, name: str, depth: int) -> list[Target]:
        if not cls:
            return []
        found = [t for base in self.this(at, This(cls), depth)
                 for t in self.evaluator.member(base, name, at, depth + 1)]
        return [t for t in found if not isinstance(t, HoleT)]

    def with_this(self, at: At, ref: Ref) -> At:
        """`at` with the object the code around `ref` runs on bound, for a top-level name read
        bare that may be an extension of that object (`instrument` in an activity)."""
        if not self.applies(at.path) or at.frame.this(at.path) is not None:
            return at
        klass = self.index.symbols(at.path).enclosing_class(ref.scope)
        if klass is None:
            return at
        return replace(at, frame=at.frame.with_this(at.path, At(This(klass.name), at.path, at.frame)))

    # --- top-level declarations and extensions ----------------------------------------------

    def package_member(self, at: At, qualified: str, depth: int) -> list[Target]:
        """A top-level declaration named by its qualified name (`org.x.NAME`, `org.x.instrument`)."""
        package, _, name = qualified.rpartition(".")
        out: list[Target] = []
        for path, receiver_type, value in self.index.package_exports.get((package, name), [])[:MAX_DECLARATIONS]:
            out.extend(self._declared(at, path, receiver_type, value, at.frame.this(at.path), depth))
        return out

    def extension(self, at: At, depth: int) -> list[Target]:
        """`x.name` where `name` is an extension of the file's package or imported into it:
        it runs on x."""
        expr: Member = at.expr  # type: ignore[assignment]
        if not self.applies(at.path):
            return []
        packages = {self.index.package_of(at.path)}
        imported = self.index.symbols(at.path).lookup(expr.prop, MODULE_SCOPE)
        packages |= {v.name.rpartition(".")[0] for v in imported.values if isinstance(v, GlobalRef)}
        out: list[Target] = []
        for package in sorted(p for p in packages if p):
            exports = self.index.package_exports.get((package, expr.prop), [])
            for path, receiver_type, value in exports[:MAX_DECLARATIONS]:
                if receiver_type:
                    out.extend(self._declared(at, path, receiver_type, value, at.to(expr.obj), depth))
        return out

    def _declared(self, at: At, path: str, receiver_type: str, value, receiver: At | None, depth: int) -> list[Target]:
        kind = "same-file-constant" if path == at.path else "cross-file-constant"
        target = at.to(value, path, add=kind)
        if receiver_type and receiver is not None:
            target = replace(target, frame=target.frame.with_this(path, receiver))
        return self.evaluator.targets(target, depth + 1)
