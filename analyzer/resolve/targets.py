"""What the evaluator works with: expressions of a file evaluated in a frame (`At`), the
frames that bind function parameters (and the object code runs on) at the call being resolved,
and the targets references lead to (functions, classes, instances, API handles, modules, holes).
"""

from __future__ import annotations

from dataclasses import field

from analyzer.facts import ClassDef, Expr, Unknown
from analyzer.model import frozen_record
from analyzer.resolve.es5 import NamespaceT
from analyzer.resolve.values import Hole
from analyzer.ruleset import ApiRule

THIS = "this"  # under this name a frame binds the object the code of a file runs on


@frozen_record(eq=False)
class Frame:
    """The arguments bound to wrapper parameters at the call being resolved, keyed by
    (file, function scope, parameter name). The empty frame binds nothing."""

    bindings: tuple[tuple[tuple[str, int, str], At], ...] = ()
    # Frames nest (a bound argument is evaluated in the frame of its own call), so a hash
    # computed on demand would walk every frame below; it is computed once instead.
    _hash: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash(self.bindings))

    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, Frame) and self._hash == other._hash
                                 and self.bindings == other.bindings)

    def __hash__(self) -> int:
        return self._hash

    def bound(self, path: str, scope: int, name: str) -> At | None:
        for key, value in reversed(self.bindings):  # the innermost call wins
            if key == (path, scope, name):
                return value
        return None

    def with_call(self, path: str, scope: int, params: tuple[str, ...], args: list, defaults: dict[str, At]) -> Frame:
        """This frame plus the parameters of function `scope` bound to a call's arguments
        (None or a missing argument: the parameter's default, else an explicit unknown)."""
        added = []
        for index, param in enumerate(params):
            if param.startswith("..."):
                break
            value = args[index] if index < len(args) else None
            value = value or defaults.get(param) or At(Unknown(f"no argument passed for {param}"), path)
            added.append(((path, scope, param), value))
        return Frame(self.bindings + tuple(added))

    def with_this(self, path: str, value: At) -> Frame:
        """This frame with `value` as the object the code of file `path` runs on (the object a
        method is called on, an extension's receiver)."""
        return Frame((*self.bindings, ((path, -1, THIS), value)))

    def this(self, path: str) -> At | None:
        return self.bound(path, -1, THIS)


EMPTY = Frame()


def bind_named(params: tuple[str, ...], args: list[At], named: dict[str, At]) -> list[At | None]:
    """Positional arguments with named ones (`f( stream: x )`, PHP/Kotlin/Swift) put in place;
    None where nothing is passed (the parameter's default applies)."""
    out: list[At | None] = list(args)
    for index, param in enumerate(params):
        value = named.get(param) or named.get(param.lstrip("$"))
        if value is not None:
            out.extend([None] * (index + 1 - len(out)))
            out[index] = value
    return out


@frozen_record(eq=False)
class At:
    """An expression of file `path`, evaluated in `frame`, with the kinds of references
    followed so far.

    Two Ats are equal when they are the same expression *node* (not merely an equal tree) in
    equal contexts: a node is a place in the code, and hashing a node by identity keeps the
    evaluator's memo and cycle checks from re-hashing whole expression trees on every lookup.
    """

    expr: Expr
    path: str
    frame: Frame = EMPTY
    kinds: frozenset[str] = frozenset()
    config_key: str | None = None
    _hash: int = field(default=0, init=False, repr=False)  # computed on first use (asked ~4 times)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, At) and self.expr is other.expr and self.path == other.path
                and self.frame == other.frame and self.kinds == other.kinds and self.config_key == other.config_key)

    def __hash__(self) -> int:
        if not self._hash:
            object.__setattr__(self, "_hash", hash((id(self.expr), self.path, self.frame, self.kinds, self.config_key)))
        return self._hash

    def to(self, expr: Expr, path: str | None = None, add: str | frozenset[str] | None = None,
           config_key: str | None = None) -> At:
        """Another expression reached from this one (in `path`, if it is in another file)."""
        kinds = self.kinds | ({add} if isinstance(add, str) else (add or frozenset()))
        return At(expr, path or self.path, self.frame, kinds, config_key or self.config_key)


@frozen_record
class FuncT:
    path: str
    scope: int


@frozen_record
class ClassT:
    path: str
    cls: ClassDef


@frozen_record
class InstanceT:
    """An instance of the class named `cls` (declared with `class`, or an ES5 constructor);
    `made` is the constructor call that built it, when known (its arguments bind the
    constructor's parameters: see objects.py)."""

    path: str
    cls: str
    made: At | None = None


@frozen_record
class HandleT:
    """The object an API call returns (`getInstrument( 'x' )`): its rule and the call."""

    rule: ApiRule
    call: At


@frozen_record
class ModuleT:
    path: str


@frozen_record
class HoleT:
    hole: Hole


Target = At | FuncT | ClassT | InstanceT | HandleT | ModuleT | NamespaceT | HoleT


def hole(reason: str, param: tuple[str, int, int] | None = None, frame: Frame | None = None) -> HoleT:
    return HoleT(Hole(reason, param, frame))
