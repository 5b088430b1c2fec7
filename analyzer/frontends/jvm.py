"""What the Kotlin and Java frontends share: package-qualified names, imports, and the record of
a class that is filled in while its members are visited.

Both languages name classes by package (`org.wikipedia.analytics.eventplatform.BreadCrumbLogEvent`,
nested classes as `Outer.Inner`). A file only knows the classes it declares and the ones it
imports; a class of the same package declared in another file keeps the simple name it is
written with, and the resolver matches it by that name and the file's package (the name of the
module scope).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import tree_sitter as ts

from analyzer.facts import (
    MODULE_SCOPE,
    Arr,
    Binding,
    CallSite,
    ClassDraft,
    ClassRef,
    Concat,
    Cond,
    Expr,
    FileFacts,
    GlobalRef,
    Index,
    Lit,
    Member,
    MemberAssign,
    ParseProblem,
    Ref,
    Scope,
    Unknown,
)
from analyzer.frontends.treesitter import (
    SourceText,
    captures_in_order,
    field_ids,
    in_scopes,
    language,
    number_scopes,
    query,
    syntax_problems,
)

MAX_EXPRESSION_DEPTH = 40
COMMENTS = frozenset({"line_comment", "block_comment"})
# The bodies whose declarations are members of the class around them.
CLASS_BODIES = frozenset({"class_body", "enum_class_body", "enum_body", "interface_body", "enum_body_declarations"})
TYPE_ARGUMENTS = re.compile(r"<.*>", re.DOTALL)
WHITESPACE = re.compile(r"\s+")
STRING_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "'": "'", '"': '"', "\\": "\\", "$": "$"}
ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\(.)", re.DOTALL)


@functools.lru_cache(maxsize=8192)  # asked for every name lowered; a file repeats its names
def looks_like_class(name: str) -> bool:
    """Kotlin and Java name classes in UpperCamelCase (or a single letter, like Android's `R`)
    and constants and enum entries in SCREAMING_SNAKE_CASE (`STREAM_NAME`, `DONATE`)."""
    return name[:1].isupper() and (len(name) == 1 or name.upper() != name)


def import_value(fqn: str) -> Expr:
    """What an imported name stands for, from the shape of its qualified name: a class
    (`a.b.Foo`, `a.b.Outer.Inner`), a member of a class (`a.b.Foo.Companion.X`, `a.b.Foo.bar`)
    or a top-level declaration of a package (`a.b.someFunction`, `a.b.TOP_CONSTANT`)."""
    segments = fqn.split(".")
    class_end = 0  # segments[:class_end] name the innermost class on the path
    for index, segment in enumerate(segments):
        if looks_like_class(segment) and segment != "Companion":
            class_end = index + 1
        elif class_end:
            break
    if class_end == len(segments):
        return ClassRef(fqn)
    if class_end:
        owner = ".".join(segments[:class_end])
        return Member(ClassRef(owner), segments[-1])
    return GlobalRef(fqn)


def is_constant_value(expr: Expr | None) -> bool:
    """A value fixed at compile time: literals, names of other constants, and strings built
    from them (the initialisers worth listing among a class's constants)."""
    if isinstance(expr, Lit):
        return True
    if isinstance(expr, (Ref, GlobalRef)):
        return True
    if isinstance(expr, Member):
        return is_constant_value(expr.obj) or isinstance(expr.obj, ClassRef)
    if isinstance(expr, Concat):
        return all(is_constant_value(p) for p in expr.parts)
    if isinstance(expr, Cond):
        return all(is_constant_value(o) for o in expr.options)
    if isinstance(expr, Arr):
        return all(is_constant_value(i) for i in expr.items)
    return False


@functools.lru_cache(maxsize=8192)
def bare_type(text: str) -> str:
    """A written type without nullability, type arguments or whitespace: `List<String>?` → `List`."""
    return WHITESPACE.sub("", TYPE_ARGUMENTS.sub("", text)).rstrip("?!")


@dataclass(frozen=True)
class DeclaredClass:
    fqn: str
    outer: str  # the FQN of the enclosing class, or the package for a top-level class


class TypeNames:
    """Qualifies class names written in a file: classes the file declares (innermost enclosing
    first, as Kotlin and Java look them up), then explicit imports; anything else is kept as
    written."""

    def __init__(self, package: str):
        self.package = package
        self.imports: dict[str, str] = {}
        self.declared: dict[str, list[DeclaredClass]] = {}

    def qualify_declared(self, outer: str | None, simple: str) -> str:
        """The FQN of a class declared in this file inside `outer` (None: at the top level)."""
        container = outer or self.package
        fqn = f"{container}.{simple}" if container else simple
        self.declared.setdefault(simple, []).append(DeclaredClass(fqn, container))
        return fqn

    def add_import(self, local: str, fqn: str) -> None:
        self.imports[local] = fqn

    def lookup(self, simple: str, context: str | None) -> str | None:
        """The FQN `simple` names as seen from inside class `context` (None: top level)."""
        best: DeclaredClass | None = None
        for candidate in self.declared.get(simple, ()):
            visible = candidate.outer == self.package or (
                context is not None and (context == candidate.outer or context.startswith(candidate.outer + "."))
            )
            if visible and (best is None or len(candidate.outer) > len(best.outer)):
                best = candidate
        if best is not None:
            return best.fqn
        return self.imports.get(simple)

    def qualify(self, written: str, context: str | None) -> str:
        """`Outer.Inner` / `Foo` / `a.b.Foo` as the FQN this file knows, else as written."""
        known = self.known(written, context)
        return bare_type(written) if known is None else known

    def known(self, written: str, context: str | None) -> str | None:
        """The FQN of `written` if the file knows its first name (declares or imports it)."""
        first, _, rest = bare_type(written).partition(".")
        known = self.lookup(first, context)
        if known is None:
            return None
        return f"{known}.{rest}" if rest else known


@functools.cache
def handlers_by_kind_id(lowerer: type[ScopedLowerer]) -> dict[int, Callable[..., Expr]]:
    """A lowerer's expression handlers by the grammar's id of their node type (a node's kind_id
    is an int; its type is a string built anew on every access)."""
    grammar = language(lowerer.grammar)
    table: dict[int, Callable[..., Expr]] = {}
    for kind, handler in lowerer.expression_handlers.items():
        kind_id = grammar.id_for_node_kind(kind, True)
        if kind_id is not None:
            table[kind_id] = handler
    return table


class ScopedLowerer:
    """The driver both frontends share, with the structure of the JavaScript frontend's: one
    query per grammar captures the nodes that matter, captures are visited outermost first, and
    a stack of open scopes gives each node its scope. Subclasses name the grammar, the
    handler of each capture (`on_<capture>`) and that of each expression (`lower_<node type>`)."""

    grammar = ""
    # The handlers `lower_<node type>(node, depth)` by node type, collected once per class:
    # lowering a node looks its handler up instead of building the name and calling getattr.
    expression_handlers: ClassVar[dict[str, Callable[..., Expr]]] = {}
    # The same for the handlers `on_<capture>(node)` by capture name.
    capture_handlers: ClassVar[dict[str, Callable[..., None]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.expression_handlers = {
            name.removeprefix("lower_"): getattr(cls, name)
            for name in dir(cls)
            if name.startswith("lower_")
        }
        cls.capture_handlers = {
            name.removeprefix("on_"): getattr(cls, name)
            for name in dir(cls)
            if name.startswith("on_")
        }

    def __init__(self, path: str, source: SourceText):
        self.path = path
        self.src = source
        self.field = field_ids(self.grammar)
        self.handlers_by_id = handlers_by_kind_id(type(self))
        self.scope_by_id: dict[int, Scope] = {MODULE_SCOPE: Scope(MODULE_SCOPE, None, "module")}
        self.scope_ids: dict[tuple[int, int], int] = {}
        self.scope_arguments: dict[int, tuple[int, str, dict[str, Any]]] = {}  # what add_scope was given
        self.records: dict[int, ClassDraft] = {}  # class scope id → the class being built
        self.class_names: dict[tuple[int, int], str] = {}  # class node (byte range) → FQN
        self.bindings: list[Binding] = []
        self.member_assigns: list[MemberAssign] = []
        self.calls: list[CallSite] = []
        self.exports: list[tuple[str, Expr]] = []
        self.problems: list[ParseProblem] = []
        self.scope = MODULE_SCOPE
        self.names = TypeNames("")
        self.returns: dict[int, list[Expr]] = {}  # function scope id → values it returns
        # scope id → its parameters' names and types, read after the scope was opened
        self.parameter_lists: dict[int, tuple[tuple[str, ...], tuple[tuple[str, str], ...]]] = {}
        # Expressions met again by another handler (a call lowered inside an outer expression,
        # then visited itself): remember the values.
        self.lowered: dict[tuple[int, int, int, int], Expr] = {}  # by byte range, kind id, scope
        self.truncated = 0  # how many expressions hit the depth limit so far

    # --- driver ------------------------------------------------------------------------------

    def run(self, tree: ts.Tree) -> None:
        captured = captures_in_order(query(self.grammar, "facts"), tree.root_node)
        self.scope_ids = number_scopes(captured)
        self.prepare(tree.root_node, captured)
        handlers = self.capture_handlers
        for kind, node, scope in in_scopes(captured, self.scope_ids):
            self.scope = scope
            handlers[kind](self, node)

    def prepare(self, root: ts.Node, captured: list[tuple[str, ts.Node]]) -> None:
        """Before the captures: read the package, the imports and the names the file declares."""
        raise NotImplementedError

    def outer_class_name(self, node: ts.Node) -> str | None:
        """The FQN of the class declared around `node` (classes are named outermost first)."""
        parent = node.parent
        while parent is not None:
            if key(parent) in self.class_names:
                return self.class_names[key(parent)]
            parent = parent.parent
        return None

    def facts(self, language: str, tree: ts.Tree) -> FileFacts:
        self.problems.extend(syntax_problems(tree, self.src))
        # The module scope is named after the package, so that the resolver can find
        # same-package classes and top-level constants of other files.
        self.scope_by_id[MODULE_SCOPE] = Scope(MODULE_SCOPE, None, "module", name=self.names.package or None)
        scopes = [self.finished_scope(s) for s in self.scope_by_id.values()]
        return FileFacts(
            path=self.path,
            language=language,
            scopes=tuple(sorted(scopes, key=lambda s: s.id)),
            bindings=tuple(self.bindings),
            member_assigns=tuple(self.member_assigns),
            classes=tuple(record.build() for record in self.records.values()),
            calls=tuple(self.calls),
            exports=tuple(self.exports),
            problems=tuple(self.problems),
        )

    def finished_scope(self, scope: Scope) -> Scope:
        """`scope` with what was learnt after it was opened: its parameters and returns (built
        again from the arguments it was opened with: dataclasses.replace costs three times as
        much)."""
        learnt: dict[str, Any] = {}
        if scope.id in self.parameter_lists:
            learnt["params"], learnt["param_types"] = self.parameter_lists[scope.id]
        if scope.id in self.returns:
            learnt["returns"] = tuple(self.returns[scope.id])
        if not learnt:
            return scope
        parent, kind, fields = self.scope_arguments[scope.id]
        return Scope(scope.id, parent, kind, **fields, **learnt)

    # --- expressions -------------------------------------------------------------------------

    def lower(self, node: ts.Node | None, depth: int = 0) -> Expr:
        """The expression `node` stands for, in the current scope, to a bounded depth."""
        if node is None:
            return Unknown("missing expression")
        kind_id = node.kind_id  # an int: node.type builds a new string, hashed in the key
        key = (node.start_byte, node.end_byte, kind_id, self.scope)
        known = self.lowered.get(key)
        if known is not None:
            return known
        if depth > MAX_EXPRESSION_DEPTH:
            self.truncated += 1
            return Unknown("expression nested too deeply")
        truncated = self.truncated
        handler = self.handlers_by_id.get(kind_id)
        value = handler(self, node, depth + 1) if handler is not None else Unknown(node.type.replace("_", " "))
        if self.truncated == truncated:  # a cut-off value would be wrong at a shallower depth
            self.lowered[key] = value
        return value

    def lowered_before(self, node: ts.Node) -> Expr | None:
        """The value `lower` already found for `node` in this scope (the same key as there)."""
        return self.lowered.get((node.start_byte, node.end_byte, node.kind_id, self.scope))

    # --- scopes ------------------------------------------------------------------------------

    def on_assign(self, node: ts.Node) -> None:
        """`x = v` (a binding), `obj.x = v` and `a[k] = v` (member assignments); both grammars
        name the sides and the operator the same way."""
        left, right = node.child_by_field_id(self.field.left), node.child_by_field_id(self.field.right)
        operator = node.child_by_field_id(self.field.operator)
        if left is None or right is None:
            return
        line = self.line(node)
        plain = operator is None or self.src.text(operator) == "="
        value = self.lower(right) if plain else Unknown("changed by an augmented assignment")
        if left.type == "identifier":
            self.bindings.append(Binding(self.src.text(left), self.scope, value, "assign", line))
            return
        target = self.lower(left)
        if isinstance(target, (Member, Index)):
            self.member_assigns.append(MemberAssign(target, value, self.scope, line))

    def add_return(self, scope_id: int, value: Expr) -> None:
        if scope_id != MODULE_SCOPE:
            self.returns.setdefault(scope_id, []).append(value)

    def add_scope(self, scope_id: int, parent: int, kind: str, **fields: Any) -> None:
        """Open a scope; what is learnt about it later is kept aside until the facts are built."""
        self.scope_by_id[scope_id] = Scope(scope_id, parent, kind, **fields)
        self.scope_arguments[scope_id] = (parent, kind, fields)

    def set_parameters(self, scope_id: int, names: tuple[str, ...], types: tuple[tuple[str, str], ...]) -> None:
        """The parameters of an open scope (read inside it: their defaults and types may need
        it), filled in when the facts are built."""
        if names or types:
            self.parameter_lists[scope_id] = (names, types)

    def scope_of(self, node: ts.Node) -> int:
        return self.scope_ids[(node.start_byte, node.end_byte)]

    def enclosing_class(self, scope_id: int | None = None) -> str | None:
        """The class `this` refers to: the nearest class around, through methods, local
        functions and lambdas (None inside an anonymous object)."""
        current: int | None = self.scope if scope_id is None else scope_id
        while current is not None and current in self.scope_by_id:
            scope = self.scope_by_id[current]
            if scope.kind == "class" or scope.cls:
                return scope.cls
            current = scope.parent
        return None

    def superclass(self) -> Expr:
        """What `super` names here: the superclass of the nearest class."""
        scope_id: int | None = self.scope
        while scope_id is not None and scope_id in self.scope_by_id:
            if scope_id in self.records:
                parent = self.records[scope_id].parent
                return ClassRef(parent) if parent else Unknown("super without a known superclass")
            scope_id = self.scope_by_id[scope_id].parent
        return Unknown("super outside a class")

    def member_of(self, node: ts.Node) -> ClassDraft | None:
        """The class whose body declares `node` directly (a member), if any."""
        parent = node.parent
        if parent is None or parent.type not in CLASS_BODIES:
            return None
        return self.records.get(self.scope)

    def display_name(self, fqn: str) -> str:
        """A class name without its package, as shown in contexts: `BreadCrumbLogEvent`."""
        package = self.names.package
        return fqn[len(package) + 1 :] if package and fqn.startswith(package + ".") else fqn

    def owner_prefix(self, record: ClassDraft | None) -> str:
        return f"{self.display_name(record.name)}." if record is not None else ""

    def class_ref(self, written: str) -> ClassRef | None:
        """A ClassRef for a class name this file knows (declared here or imported)."""
        known = self.names.known(written, self.enclosing_class())
        return ClassRef(known) if known is not None else None

    def qualify(self, written: str) -> str:
        return self.names.qualify(written, self.enclosing_class())

    def line(self, node: ts.Node) -> int:
        return node.start_point[0] + 1




def snippet(source: SourceText, start: ts.Node, end: ts.Node, limit: int = 200) -> str:
    """The code from `start` to the end of its line (at most to the end of `end`), trimmed."""
    data = source.data
    stop = data.find(b"\n", start.start_byte, end.end_byte)
    stop = end.end_byte if stop == -1 else stop
    text = data[start.start_byte : stop].decode("utf-8", errors="replace").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def compact(text: str) -> str:
    """A dotted name without the whitespace inside it."""
    return WHITESPACE.sub("", text)


def key(node: ts.Node) -> tuple[int, int]:
    return node.start_byte, node.end_byte


def child_of_type(node: ts.Node | None, kind: str) -> ts.Node | None:
    if node is None:
        return None
    for child in node.named_children:  # a plain loop: next() over a generator costs more
        if child.type == kind:
            return child
    return None


def has_child(node: ts.Node, *kinds: str) -> bool:
    """Whether a child of `node` (a token too: `=`, `var`, `::`) is of one of the `kinds`."""
    for child in node.children:  # noqa: SIM110 - any() over a generator costs more
        if child.type in kinds:
            return True
    return False


def last_named_child(node: ts.Node, skipped: frozenset[str]) -> ts.Node | None:
    """The last named child of `node` not of a `skipped` type, found from the end: listing the
    children (of a block, a lambda) would build a node object for each statement."""
    for index in range(node.named_child_count - 1, -1, -1):
        child = node.named_child(index)
        if child is not None and child.type not in skipped:
            return child
    return None


def code_children(node: ts.Node) -> list[ts.Node]:
    return [c for c in node.named_children if c.type not in COMMENTS]


def unescape(text: str) -> str:
    """The value of a Kotlin or Java string fragment with escapes (`\\n`, `\\u0041`, Kotlin's `\\$`)."""
    if "\\" not in text:
        return text

    def one(match: re.Match) -> str:
        if match.group(1):
            return chr(int(match.group(1), 16))
        return STRING_ESCAPES.get(match.group(2), match.group(2))

    return ESCAPE.sub(one, text)
