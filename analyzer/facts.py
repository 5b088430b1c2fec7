"""What a language frontend hands to the rest of the pipeline: the facts of one file.

Frontends lower syntax trees into this small, language-neutral form, once per file. Everything
after parsing (extraction, resolution, classification) works on these records only, never on
tree-sitter nodes, so the stages are language-neutral and a file's facts can be cached.

Expressions (the `Expr` union) are the part of the language the resolver understands: literals,
string building, names, member access, calls, object and array literals, a choice of values,
and `Unknown` with the reason for anything else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from analyzer.model import Span, TuplePickled, frozen_record

MODULE_SCOPE = 0


# --- expressions -----------------------------------------------------------------------------


@frozen_record
class Lit(TuplePickled):
    """A literal value: string, number, boolean or null."""

    value: str | int | float | bool | None


@frozen_record
class Concat(TuplePickled):
    """String building: `a + b`, `` `x${y}` ``, PHP `"x{$y}"` / `$a . $b`."""

    parts: tuple[Expr, ...]
    style: str  # "concatenation" | "template-literal" | "interpolation"


def concatenation(values: Iterable[Expr]) -> Concat:
    """`a + b + c` as one Concat: the parts of nested concatenations are taken in place."""
    parts: list[Expr] = []
    for value in values:
        if isinstance(value, Concat) and value.style == "concatenation":
            parts.extend(value.parts)
        else:
            parts.append(value)
    return Concat(tuple(parts), "concatenation")


@frozen_record
class Ref(TuplePickled):
    """A name as written, looked up from `scope` outwards through the scope chain. `line`
    (0 when unknown) lets the lookup see which assignments come before the use."""

    name: str
    scope: int
    line: int = 0


@frozen_record
class GlobalRef(TuplePickled):
    """A name with repository-wide meaning (a PHP constant, a Kotlin top-level `const val`)."""

    name: str


@frozen_record
class Member(TuplePickled):
    """`obj.prop`, `$obj->prop`; `static` for `Class::CONST`."""

    obj: Expr
    prop: str
    static: bool = False


@frozen_record
class Index(TuplePickled):
    """`obj[key]` with a key that is itself an expression."""

    obj: Expr
    key: Expr


@frozen_record
class Call(TuplePickled):
    """A call nested inside an expression (`mw.config.get( 'x' )`, `sprintf( … )`)."""

    callee: Expr
    args: tuple[Expr, ...] = ()
    named: tuple[tuple[str, Expr], ...] = ()
    new: bool = False


@frozen_record
class Require(TuplePickled):
    """A module loaded by path: CommonJS `require( './x.js' )` or an ES `import` source."""

    module: str
    from_path: str


@frozen_record
class Obj(TuplePickled):
    """An object literal or PHP associative array; `spreads` are `...x` entries."""

    entries: tuple[tuple[str, Expr], ...]
    spreads: tuple[Expr, ...] = ()


@frozen_record
class Arr(TuplePickled):
    items: tuple[Expr, ...]


@frozen_record
class Cond(TuplePickled):
    """One of several values: a ternary, `a || b`, a `switch` that assigns in every branch."""

    options: tuple[Expr, ...]


@frozen_record
class This(TuplePickled):
    """`this` / `$this` / `self` inside class `cls` (qualified name), or None outside a class."""

    cls: str | None


@frozen_record
class ClassRef(TuplePickled):
    """A class named in code, already qualified by the frontend (PHP namespaces and `use`)."""

    name: str


@frozen_record
class Func(TuplePickled):
    """A function used as a value; `id` is its scope id in the same file."""

    id: int


@frozen_record
class Config(TuplePickled):
    """A MediaWiki configuration value (`$wgKey`, extension.json `config` default) by key."""

    key: str


@frozen_record
class Unknown(TuplePickled):
    """Anything the resolver cannot evaluate; `reason` says why (shown to users)."""

    reason: str


Expr = (Lit | Concat | Ref | GlobalRef | Member | Index | Call | Require | Obj | Arr | Cond | This | ClassRef | Func
        | Config | Unknown)


# --- file structure --------------------------------------------------------------------------


@frozen_record
class Scope(TuplePickled):
    """A lexical scope. Scope 0 is the module; functions and classes open their own."""

    id: int
    parent: int | None
    kind: str  # module | function | class
    name: str | None = None
    params: tuple[str, ...] = ()
    cls: str | None = None  # the enclosing class, for methods
    line: int = 0
    param_types: tuple[tuple[str, str], ...] = ()  # declared types, e.g. ("$stats", "StatsFactory")
    returns: tuple[Expr, ...] = ()  # the values of the function's `return` statements


@frozen_record
class Binding(TuplePickled):
    """A name bound in a scope: declaration, parameter, import, or (re-)assignment.
    For a parameter, `value` is its default value, if it has one."""

    name: str
    scope: int
    value: Expr | None
    kind: str  # const | let | var | param | function | class | import | assign | define
    line: int = 0
    conditional: bool = False  # inside an if, loop, switch, try … of its function


@frozen_record
class MemberAssign(TuplePickled):
    """`target.prop = value` (`this.stream = …`, `ve.track = mw.track`, `Foo.prototype.x = …`)."""

    target: Expr
    value: Expr
    scope: int
    line: int = 0


@frozen_record
class ClassDef(TuplePickled):
    name: str  # qualified (PHP FQN without leading backslash)
    scope: int
    kind: str = "class"  # class | interface | trait | enum | object
    parent: str | None = None
    interfaces: tuple[str, ...] = ()
    constants: tuple[tuple[str, Expr], ...] = ()
    properties: tuple[tuple[str, Expr], ...] = ()
    property_types: tuple[tuple[str, str], ...] = ()
    methods: tuple[tuple[str, int], ...] = ()  # method name → function scope id
    annotations: tuple[tuple[str, tuple[Expr, ...]], ...] = ()
    super_args: tuple[Expr, ...] = ()
    line: int = 0
    super_named: tuple[tuple[str, Expr], ...] = ()  # named arguments of the superclass call (Kotlin)
    aliases: tuple[str, ...] = ()  # other names code uses for the class (Swift `@objc(WMFName)`)


@dataclass
class ClassDraft:
    """A ClassDef under construction, for frontends: members arrive while the class body is
    visited; `build` freezes it."""

    name: str
    scope: int
    kind: str
    line: int
    parent: str | None = None
    interfaces: list[str] = field(default_factory=list)
    annotations: Sequence[tuple[str, tuple[Expr, ...]]] = ()
    constants: list[tuple[str, Expr]] = field(default_factory=list)
    properties: list[tuple[str, Expr]] = field(default_factory=list)
    property_types: list[tuple[str, str]] = field(default_factory=list)
    methods: list[tuple[str, int]] = field(default_factory=list)
    super_args: tuple[Expr, ...] = ()
    super_named: tuple[tuple[str, Expr], ...] = ()
    aliases: tuple[str, ...] = ()

    def absorb(self, part: ClassDraft) -> None:
        """Take over the members of another part of this class declared in the same file (a
        Swift extension)."""
        self.interfaces += [i for i in part.interfaces if i not in self.interfaces]
        self.constants += part.constants
        self.properties += part.properties
        self.property_types += part.property_types
        self.methods += part.methods

    def build(self) -> ClassDef:
        return ClassDef(
            name=self.name,
            scope=self.scope,
            kind=self.kind,
            parent=self.parent,
            interfaces=tuple(self.interfaces),
            constants=tuple(self.constants),
            properties=tuple(self.properties),
            property_types=tuple(self.property_types),
            methods=tuple(self.methods),
            annotations=tuple(self.annotations),
            super_args=self.super_args,
            line=self.line,
            super_named=self.super_named,
            aliases=self.aliases,
        )


@frozen_record
class CallSite(TuplePickled):
    """A call or `new` expression, with the callee and arguments lowered to expressions."""

    callee: Expr
    args: tuple[Expr, ...]
    scope: int
    span: Span
    named: tuple[tuple[str, Expr], ...] = ()
    new: bool = False
    snippet: str = ""


@frozen_record
class DeclarationFact(TuplePickled):
    """A declaration found in the file itself (extension.json schemas, stream-name config)."""

    kind: str
    name: str
    span: Span
    value: str | None = None
    config_key: str | None = None


@frozen_record
class ParseProblem(TuplePickled):
    code: str
    message: str
    span: Span | None = None
    severity: str = "warning"


@frozen_record
class FileFacts(TuplePickled):
    """Everything the later stages need to know about one file."""

    path: str
    language: str
    scopes: tuple[Scope, ...] = (Scope(MODULE_SCOPE, None, "module"),)
    bindings: tuple[Binding, ...] = ()
    member_assigns: tuple[MemberAssign, ...] = ()
    classes: tuple[ClassDef, ...] = ()
    calls: tuple[CallSite, ...] = ()
    exports: tuple[tuple[str, Expr], ...] = ()
    config: tuple[tuple[str, Expr], ...] = ()
    declarations: tuple[DeclarationFact, ...] = ()
    problems: tuple[ParseProblem, ...] = ()
    # Modules that exist only at run time (ResourceLoader packageFiles generated from config,
    # module names): specifier (root-relative path or module name) → value.
    virtual_modules: tuple[tuple[str, Expr], ...] = ()


__all__ = [
    "MODULE_SCOPE",
    "Arr",
    "Binding",
    "Call",
    "CallSite",
    "ClassDef",
    "ClassDraft",
    "ClassRef",
    "Concat",
    "Cond",
    "Config",
    "DeclarationFact",
    "Expr",
    "FileFacts",
    "Func",
    "GlobalRef",
    "Index",
    "Lit",
    "Member",
    "MemberAssign",
    "Obj",
    "ParseProblem",
    "Ref",
    "Require",
    "Scope",
    "This",
    "Unknown",
    "concatenation",
]
