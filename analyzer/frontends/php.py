"""PHP frontend: lowers a tree-sitter-php tree into FileFacts.

It mirrors javascript.py: one query (rules/queries/php/facts.scm) captures the nodes that matter
(functions and classes, which open scopes, calls, assignments, and the `namespace`, `use` and
`const` statements); captures are visited outermost first while a stack of open scopes gives
each node its scope; expressions are lowered on demand, to a bounded depth.

PHP specifics: class, function and constant names are qualified through the file's `namespace`
and `use` statements (fully qualified, without the leading backslash); variables keep their `$`;
every `$x = …` is a "var" binding of the function it is in, since PHP has no declarations;
instance properties are named without `$` (`$this->x` is `Member(This, 'x')`) and static ones
with it (`self::$x` is `Member(ClassRef, '$x', static=True)`), class constants without.
"""

from __future__ import annotations

import re
from dataclasses import replace

import tree_sitter as ts

from analyzer.facts import (
    MODULE_SCOPE,
    Arr,
    Binding,
    Call,
    CallSite,
    ClassDef,
    ClassRef,
    Concat,
    Cond,
    Expr,
    FileFacts,
    Func,
    GlobalRef,
    Index,
    Lit,
    Member,
    MemberAssign,
    Obj,
    Ref,
    Scope,
    This,
    Unknown,
    concatenation,
)
from analyzer.frontends.treesitter import (
    SourceText,
    captures_in_order,
    field_ids,
    in_scopes,
    is_conditional,
    number_scopes,
    parser,
    query,
    syntax_problems,
)

MAX_EXPRESSION_DEPTH = 40

# A call's callee, positional arguments and named arguments, lowered.
CallParts = tuple[Expr, tuple[Expr, ...], tuple[tuple[str, Expr], ...]]

FUNCTION_NODES = frozenset({"function_definition", "method_declaration", "anonymous_function", "arrow_function"})
CLOSURE_NODES = frozenset({"anonymous_function", "arrow_function"})
# Statements whose contents run only sometimes (for the order of assignments and uses).
BRANCH_NODES = frozenset(
    {
        "if_statement", "else_clause", "else_if_clause", "for_statement", "foreach_statement",
        "while_statement", "do_statement", "switch_statement", "case_statement", "default_statement",
        "try_statement", "catch_clause", "finally_clause", "conditional_expression", "match_expression",
        "binary_expression",
    }
)
CLASS_KINDS = {
    "class_declaration": "class",
    "interface_declaration": "interface",
    "trait_declaration": "trait",
    "enum_declaration": "enum",
    "anonymous_class": "class",
}
CALL_NODES = frozenset(
    {
        "function_call_expression",
        "member_call_expression",
        "nullsafe_member_call_expression",
        "scoped_call_expression",
        "object_creation_expression",
    }
)
CLASS_BODY_NODES = frozenset({"declaration_list", "enum_declaration_list"})
CLASS_NAME_NODES = frozenset({"name", "qualified_name", "relative_name", "relative_scope"})
PARAMETER_NODES = frozenset({"simple_parameter", "variadic_parameter", "property_promotion_parameter"})
TYPE_LISTS = frozenset({"optional_type", "union_type", "intersection_type", "disjunctive_normal_form_type"})
# Wrappers that do not change the value of the expression inside them.
TRANSPARENT_NODES = frozenset({"parenthesized_expression", "error_suppression_expression", "by_ref"})
# The literal text of a string; every other child of a string is an interpolated expression.
STRING_PIECES = frozenset({"string_content", "escape_sequence", "nowdoc_string", "comment"})

_DOUBLE_QUOTED_ESCAPE = re.compile(
    r"\\(?:([nrtvef\\$\"])|([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|u\{([0-9A-Fa-f]+)\})"
)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "v": "\v", "e": "\x1b", "f": "\f", "\\": "\\", "$": "$", '"': '"'}
_SINGLE_QUOTED_ESCAPE = re.compile(r"\\([\\'])")
_NAME_NOISE = re.compile(r"\s+|/\*.*?\*/")  # whitespace and comments inside a name
_OCTAL_INTEGER = re.compile(r"0[0-7]+")
_INTEGER_KEY = re.compile(r"-?[1-9][0-9]*|0")  # a string key PHP stores as an integer


def unescape_single_quoted(text: str) -> str:
    """The value of a single-quoted string body: only `\\'` and `\\\\` are escapes."""
    if "\\" not in text:
        return text  # most strings have no escapes
    return _SINGLE_QUOTED_ESCAPE.sub(r"\1", text)


def unescape_double_quoted(text: str, heredoc: bool = False) -> str:
    """The value of the escape sequences in a double-quoted (or heredoc) string fragment.
    Unknown escapes keep their backslash; in a heredoc `\\"` is not an escape."""
    if "\\" not in text:
        return text

    def replace(match: re.Match) -> str:
        simple, octal, hexa, code = match.groups()
        if simple is not None:
            return match.group(0) if heredoc and simple == '"' else _SIMPLE_ESCAPES[simple]
        if octal is not None:
            return chr(int(octal, 8) & 0xFF)
        return chr(int(hexa or code, 16))

    return _DOUBLE_QUOTED_ESCAPE.sub(replace, text)


def compact(text: str) -> str:
    """A name as written, without the whitespace and comments PHP allows inside it."""
    if "/*" not in text and len(text.split()) == 1:
        return text  # most names are written without spaces or comments: no pattern to run
    return _NAME_NOISE.sub("", text)


class PhpFrontend:
    language = "php"
    grammar = "php"

    def lower(self, path: str, source: bytes) -> FileFacts:
        return lower_php(path, source)


def lower_php(path: str, source: bytes) -> FileFacts:
    tree = parser("php").parse(source)
    lowerer = _Lowerer(path, SourceText(source))
    lowerer.run(tree)
    return lowerer.facts(tree)


class _Names:
    """The current namespace and `use` imports, and PHP's rules for qualifying names with them."""

    def __init__(self) -> None:
        self.namespace = ""
        # kind → alias → fully qualified name; class and function aliases are case-insensitive.
        self.imports: dict[str, dict[str, str]] = {"class": {}, "function": {}, "const": {}}
        self.namespaced_constants: set[str] = set()  # `const X` declared inside a namespace

    def enter_namespace(self, name: str) -> None:
        self.namespace = name
        for table in self.imports.values():
            table.clear()

    def add_import(self, kind: str, qualified: str, alias: str) -> None:
        self.imports[kind][alias if kind == "const" else alias.lower()] = qualified

    def qualify(self, name: str) -> str:
        """A name declared in the current namespace."""
        return f"{self.namespace}\\{name}" if self.namespace else name

    def resolve_class(self, name: str) -> str:
        if name.startswith("\\"):
            return name[1:]
        if name.lower().startswith("namespace\\"):
            return self.qualify(name[len("namespace\\") :])
        first, separator, rest = name.partition("\\")
        imported = self.imports["class"].get(first.lower())
        if imported is not None:
            return imported + separator + rest
        return self.qualify(name)

    def resolve_function(self, name: str) -> str:
        """Unqualified function names fall back to the global function at run time, so they
        stay as written unless a `use function` imports them."""
        if "\\" in name:
            return self.resolve_class(name)
        return self.imports["function"].get(name.lower(), name)

    def resolve_constant(self, name: str) -> str:
        if "\\" in name:
            return self.resolve_class(name)
        if name in self.imports["const"]:
            return self.imports["const"][name]
        namespaced = self.qualify(name)
        return namespaced if namespaced in self.namespaced_constants else name


class _Lowerer:
    def __init__(self, path: str, source: SourceText):
        self.path = path
        self.src = source
        self.field = field_ids("php")
        self.names = _Names()
        self.scopes: list[Scope] = [Scope(MODULE_SCOPE, None, "module")]
        self.scope_by_id: dict[int, Scope] = {MODULE_SCOPE: self.scopes[0]}
        self.scope_ids: dict[tuple[int, int], int] = {}
        self.closure_scopes: set[int] = set()
        self.class_names: dict[int, tuple[str, str]] = {}  # class scope id → (short name, FQN)
        self.class_parents: dict[str, str] = {}  # class FQN → parent class FQN
        self.bindings: list[Binding] = []
        self.member_assigns: list[MemberAssign] = []
        self.classes: list[ClassDef] = []
        self.calls: list[CallSite] = []
        self.lowered_calls: dict = {}
        self.returns: dict[int, list[Expr]] = {}  # function scope id → returned values
        self.scope = MODULE_SCOPE

    # --- driver ------------------------------------------------------------------------------

    def run(self, tree: ts.Tree) -> None:
        captured = captures_in_order(query("php", "facts"), tree.root_node)
        self.prepare(captured)
        handlers = {
            "function": self.on_function,
            "class": self.on_class,
            "call": self.on_call,
            "assign": self.on_assign,
            "augmented": self.on_augmented,
            "foreach": self.on_foreach,
            "static_variable": self.on_static_variable,
            "return": self.on_return,
            "namespace": self.on_namespace,
            "use": self.on_use,
            "const": self.on_const,
        }
        for kind, node, scope in in_scopes(captured, self.scope_ids):
            self.scope = scope
            handlers[kind](node)

    def prepare(self, captured: list[tuple[str, ts.Node]]) -> None:
        """Number the scopes in document order, and note the constants declared inside a
        namespace: an unqualified constant names one of them only if it exists."""
        self.scope_ids = number_scopes(captured)
        namespace = ""
        for kind, node in captured:
            if kind == "namespace":
                namespace = self.namespace_name(node)
            elif kind == "const" and namespace and not self.is_class_member(node):
                self.names.namespaced_constants.update(f"{namespace}\\{name}" for name, _ in self.const_nodes(node))

    def facts(self, tree: ts.Tree) -> FileFacts:
        problems = syntax_problems(tree, self.src)
        scopes = [replace(s, returns=tuple(self.returns[s.id])) if s.id in self.returns else s for s in self.scopes]
        return FileFacts(
            path=self.path,
            language="php",
            scopes=tuple(sorted(scopes, key=lambda s: s.id)),
            bindings=tuple(self.bindings),
            member_assigns=tuple(self.member_assigns),
            classes=tuple(self.classes),
            calls=tuple(self.calls),
            problems=tuple(problems),
        )

    # --- scopes and names --------------------------------------------------------------------

    def add_scope(self, scope: Scope) -> None:
        self.scopes.append(scope)
        self.scope_by_id[scope.id] = scope

    def scope_of(self, node: ts.Node) -> int:
        return self.scope_ids[(node.start_byte, node.end_byte)]

    def enclosing_class(self) -> str | None:
        """The class `$this` and `self` refer to here: closures inherit it, named functions
        have none."""
        scope_id: int | None = self.scope
        while scope_id is not None and scope_id in self.scope_by_id:
            scope = self.scope_by_id[scope_id]
            if scope.kind == "class" or scope.cls:
                return scope.cls
            if scope.kind == "function" and scope_id not in self.closure_scopes:
                return None
            scope_id = scope.parent
        return None

    def class_name(self, node: ts.Node) -> str | None:
        """The FQN a class name in code refers to; None for `self` outside a class."""
        name = compact(self.src.text(node))
        lowered = name.lower()
        if lowered in ("self", "static", "parent"):
            cls = self.enclosing_class()
            if lowered == "parent":
                return self.class_parents.get(cls) if cls else None
            return cls
        return self.names.resolve_class(name)

    def type_names(self, node: ts.Node | None) -> list[str]:
        """The types a declared type names (each member of a union), classes qualified."""
        if node is None:
            return []
        if node.type == "named_type":
            inner = node.named_children[0] if node.named_children else None
            qualified = self.class_name(inner) if inner is not None else None
            return [qualified] if qualified else []
        if node.type == "primitive_type":
            return [self.src.text(node)]
        if node.type in TYPE_LISTS:
            return [name for child in node.named_children for name in self.type_names(child)]
        return []

    def namespace_name(self, node: ts.Node) -> str:
        name = node.child_by_field_id(self.field.name)
        return compact(self.src.text(name)) if name is not None else ""

    # --- namespaces, imports, constants ------------------------------------------------------

    def on_namespace(self, node: ts.Node) -> None:
        self.names.enter_namespace(self.namespace_name(node))

    def on_use(self, node: ts.Node) -> None:
        declared_kind = node.child_by_field_id(self.field.type)
        default_kind = self.src.text(declared_kind) if declared_kind is not None else "class"
        prefix = ""
        clauses = [c for c in node.named_children if c.type == "namespace_use_clause"]
        group = node.child_by_field_id(self.field.body)
        if group is not None:
            prefix_node = next((c for c in node.named_children if c.type == "namespace_name"), None)
            prefix = compact(self.src.text(prefix_node)) + "\\" if prefix_node is not None else ""
            clauses = [c for c in group.named_children if c.type == "namespace_use_clause"]
        for clause in clauses:
            kind_node = clause.child_by_field_id(self.field.type)
            kind = self.src.text(kind_node) if kind_node is not None else default_kind
            alias = clause.child_by_field_id(self.field.alias)
            imported = next(
                (c for c in clause.named_children if c.type in ("name", "qualified_name") and c != alias), None
            )
            if imported is None:
                continue
            qualified = (prefix + compact(self.src.text(imported))).lstrip("\\")
            local = self.src.text(alias) if alias is not None else qualified.rsplit("\\", 1)[-1]
            self.names.add_import(kind, qualified, local)

    def on_const(self, node: ts.Node) -> None:
        if self.is_class_member(node):
            return  # class constants belong to their ClassDef
        line = node.start_point[0] + 1
        for name, value in self.const_nodes(node):
            self.bindings.append(Binding(self.names.qualify(name), MODULE_SCOPE, self.lower(value), "define", line))

    def is_class_member(self, node: ts.Node) -> bool:
        return node.parent is not None and node.parent.type in CLASS_BODY_NODES

    def const_nodes(self, declaration: ts.Node) -> list[tuple[str, ts.Node | None]]:
        """(name, value node) for each `NAME = value` of a const declaration."""
        found = []
        for element in declaration.named_children:
            if element.type != "const_element":
                continue
            parts = [c for c in element.named_children if c.type != "comment"]
            if parts and parts[0].type == "name":
                found.append((self.src.text(parts[0]), parts[-1] if len(parts) > 1 else None))
        return found

    # --- functions ---------------------------------------------------------------------------

    def on_function(self, node: ts.Node) -> None:
        scope_id = self.scope_of(node)
        line = node.start_point[0] + 1
        name, cls = self.function_name(node, line)
        params = self.parameter_nodes(node)
        param_types = tuple(
            (p, t) for p, param in params for t in self.type_names(param.child_by_field_id(self.field.type))
        )
        self.add_scope(
            Scope(
                scope_id,
                self.scope,
                "function",
                name=name,
                params=tuple("..." + p if param.type == "variadic_parameter" else p for p, param in params),
                cls=cls,
                line=line,
                param_types=param_types,
            )
        )
        if node.type in CLOSURE_NODES:
            self.closure_scopes.add(scope_id)
        self.bindings.extend(self.closure_uses(node, scope_id, line))
        if node.type == "function_definition":
            self.bindings.append(Binding(name, MODULE_SCOPE, Func(scope_id), "function", line))
        # Default values and an arrow function's result are evaluated inside the function.
        previous, self.scope = self.scope, scope_id
        for pname, param in params:
            default = param.child_by_field_id(self.field.default_value)
            value = self.lower(default) if default is not None else None
            self.bindings.append(Binding(pname, scope_id, value, "param", line))
        body = node.child_by_field_id(self.field.body)
        if node.type == "arrow_function" and body is not None:
            self.returns.setdefault(scope_id, []).append(self.lower(body))
        self.scope = previous

    def function_name(self, node: ts.Node, line: int) -> tuple[str, str | None]:
        """A readable name for the function, and the class FQN of a method."""
        name_node = node.child_by_field_id(self.field.name)
        if node.type == "method_declaration" and name_node is not None:
            method = self.src.text(name_node)
            owner = self.class_names.get(self.scope)
            return (f"{owner[0]}::{method}", owner[1]) if owner else (method, None)
        if node.type == "function_definition" and name_node is not None:
            return self.src.text(name_node), None
        return (f"<arrow@{line}>" if node.type == "arrow_function" else f"<closure@{line}>"), None

    def parameter_nodes(self, node: ts.Node) -> list[tuple[str, ts.Node]]:
        """Each parameter's name (`$x`) and node, in order."""
        plist = node.child_by_field_id(self.field.parameters)
        found = []
        for param in plist.named_children if plist is not None else ():
            variable = param.child_by_field_id(self.field.name) if param.type in PARAMETER_NODES else None
            if variable is not None:
                found.append((self.src.text(variable), param))
        return found

    def closure_uses(self, node: ts.Node, scope_id: int, line: int) -> list[Binding]:
        """`function () use ( $a, &$b )`: the closure sees the outer `$a` and `$b`."""
        if node.type != "anonymous_function":
            return []  # only a closure has a `use` clause: the others' children are not searched
        uses = next((c for c in node.named_children if c.type == "anonymous_function_use_clause"), None)
        found = []
        for item in uses.named_children if uses is not None else ():
            variable = item.named_children[0] if item.type == "by_ref" and item.named_children else item
            if variable.type == "variable_name":
                name = self.src.text(variable)
                found.append(Binding(name, scope_id, Ref(name, self.scope), "var", line))
        return found

    # --- classes -----------------------------------------------------------------------------

    def on_class(self, node: ts.Node) -> None:
        scope_id = self.scope_of(node)
        line = node.start_point[0] + 1
        kind = CLASS_KINDS[node.type]
        name_node = node.child_by_field_id(self.field.name)
        short = self.src.text(name_node) if name_node is not None else anonymous_class_name(node)
        qualified = self.names.qualify(short) if name_node is not None else short
        self.class_names[scope_id] = (short, qualified)
        self.add_scope(Scope(scope_id, self.scope, "class", name=short, cls=qualified, line=line))
        parent, interfaces = self.heritage(node, kind)
        if parent is not None:
            self.class_parents[qualified] = parent
        previous, self.scope = self.scope, scope_id
        members = _ClassMembers()
        body = node.child_by_field_id(self.field.body)
        for member in body.named_children if body is not None else ():
            self.class_member(member, qualified, members)
        self.scope = previous
        self.classes.append(
            ClassDef(
                name=qualified,
                scope=scope_id,
                kind=kind,
                parent=parent,
                interfaces=tuple(interfaces),
                constants=tuple(members.constants),
                properties=tuple(members.properties),
                property_types=tuple(members.property_types),
                methods=tuple(members.methods),
                line=line,
            )
        )

    def heritage(self, node: ts.Node, kind: str) -> tuple[str | None, list[str]]:
        """The parent class and the interfaces (an interface's `extends` lists interfaces)."""
        bases: list[str] = []
        interfaces: list[str] = []
        for child in node.named_children:
            if child.type in ("base_clause", "class_interface_clause"):
                target = bases if child.type == "base_clause" and kind != "interface" else interfaces
                target.extend(
                    name for c in child.named_children if c.type in CLASS_NAME_NODES and (name := self.class_name(c))
                )
        return (bases[0] if bases else None), interfaces

    def class_member(self, member: ts.Node, cls: str, members: _ClassMembers) -> None:
        if member.type == "const_declaration":
            members.constants.extend((name, self.lower(value)) for name, value in self.const_nodes(member))
        elif member.type == "enum_case":
            name, value = member.child_by_field_id(self.field.name), member.child_by_field_id(self.field.value)
            if name is not None:
                lowered = self.lower(value) if value is not None else Unknown("enum case without a value")
                members.constants.append((self.src.text(name), lowered))
        elif member.type == "property_declaration":
            self.property_declaration(member, members)
        elif member.type == "method_declaration":
            name = member.child_by_field_id(self.field.name)
            if name is None:
                return
            method_scope = self.scope_of(member)
            method = self.src.text(name)
            members.methods.append((method, method_scope))
            if method.lower() == "__construct":
                self.promoted_properties(member, cls, method_scope, members)

    def property_declaration(self, declaration: ts.Node, members: _ClassMembers) -> None:
        """Typed properties and default values; static ones are named with their `$`."""
        static = any(c.type == "static_modifier" for c in declaration.named_children)
        types = self.type_names(declaration.child_by_field_id(self.field.type))
        for element in declaration.named_children:
            if element.type != "property_element":
                continue
            variable = element.child_by_field_id(self.field.name)
            if variable is None:
                continue
            name = self.src.text(variable) if static else self.src.text(variable).removeprefix("$")
            members.property_types.extend((name, t) for t in types)
            default = element.child_by_field_id(self.field.default_value)
            if default is not None:
                members.properties.append((name, self.lower(default)))

    def promoted_properties(self, constructor: ts.Node, cls: str, scope_id: int, members: _ClassMembers) -> None:
        """`__construct( private StatsFactory $stats )` declares the property and assigns it."""
        plist = constructor.child_by_field_id(self.field.parameters)
        line = constructor.start_point[0] + 1
        for param in plist.named_children if plist is not None else ():
            if param.type != "property_promotion_parameter":
                continue
            variable = param.child_by_field_id(self.field.name)
            if variable is None:
                continue
            name = self.src.text(variable)
            prop = name.removeprefix("$")
            members.property_types.extend((prop, t) for t in self.type_names(param.child_by_field_id(self.field.type)))
            self.member_assigns.append(MemberAssign(Member(This(cls), prop), Ref(name, scope_id), scope_id, line))

    # --- statements --------------------------------------------------------------------------

    def on_call(self, node: ts.Node) -> None:
        parts = self.call_parts(node, 0)
        if parts is None:
            return  # `strlen( ... )` makes a closure; nothing is called
        callee, args, named = parts
        self.calls.append(
            CallSite(
                callee=callee,
                args=args,
                scope=self.scope,
                span=self.src.span(self.span_start(node), node),
                named=named,
                new=node.type == "object_creation_expression",
                snippet=self.src.first_line(node),
            )
        )
        # The name is compared first: building a Ref for every call costs more.
        if isinstance(callee, Ref) and callee.name == "define" and callee == Ref("define", self.scope):
            self.define(args, node.start_point[0] + 1)

    def define(self, args: tuple[Expr, ...], line: int) -> None:
        """`define( 'NAME', value )` declares a global constant."""
        if args and isinstance(args[0], Lit) and isinstance(args[0].value, str):
            value = args[1] if len(args) > 1 else Unknown("define without a value")
            self.bindings.append(Binding(args[0].value.lstrip("\\"), MODULE_SCOPE, value, "define", line))

    def span_start(self, node: ts.Node) -> ts.Node:
        """Where a finding for this call starts: the callee (the class of a `new`), or for a
        call on the result of another call (a chain) the method name, so each link points at
        its own line."""
        kind = node.type
        if kind == "object_creation_expression":
            return next((c for c in node.named_children if c.type != "comment"), node)
        if kind == "function_call_expression":
            return node  # no receiver
        receiver = node.child_by_field_id(self.field.object) or node.child_by_field_id(self.field.scope)
        while receiver is not None and receiver.type in TRANSPARENT_NODES and receiver.named_children:
            receiver = receiver.named_children[0]
        if receiver is not None and receiver.type in CALL_NODES:
            name = node.child_by_field_id(self.field.name)
            if name is not None:
                return name
        return node

    def on_assign(self, node: ts.Node) -> None:
        left, right = node.child_by_field_id(self.field.left), node.child_by_field_id(self.field.right)
        if left is None or right is None:
            return
        value = self.lower(right)
        line = node.start_point[0] + 1
        if left.type == "variable_name":
            name = self.src.text(left)
            if name != "$this":
                self.bindings.append(Binding(name, self.scope, value, "var", line, self.conditional(node)))
            return
        if left.type in ("list_literal", "array_creation_expression"):
            self.bindings.extend(self.destructure(left, value, "var", line))
            return
        target = self.lower(left)
        if isinstance(target, (Member, Index)):
            self.member_assigns.append(MemberAssign(target, value, self.scope, line))

    def on_augmented(self, node: ts.Node) -> None:
        left, right = node.child_by_field_id(self.field.left), node.child_by_field_id(self.field.right)
        operator = node.child_by_field_id(self.field.operator)
        if left is None or left.type != "variable_name":
            return
        # `$x ??= v` adds one more possible value; any other operator changes it unknowably.
        if operator is not None and self.src.text(operator) == "??=":
            value = self.lower(right)
        else:
            value = Unknown("changed by an augmented assignment")
        self.bindings.append(Binding(self.src.text(left), self.scope, value, "var", node.start_point[0] + 1, True))

    def on_foreach(self, node: ts.Node) -> None:
        body = node.child_by_field_id(self.field.body)
        parts = [c for c in node.named_children if c.type != "comment" and c != body]
        if len(parts) < 2:
            return
        items, target = self.lower(parts[0]), parts[1]
        key_target = None
        if target.type == "pair" and len(target.named_children) >= 2:
            key_target, target = target.named_children[0], target.named_children[-1]
        # Each element in turn: one of the array's values when they are known.
        values = Index(items, Unknown("each element of the loop"))
        keys: Expr = Unknown("loop key")
        if isinstance(items, Obj) and items.entries:
            keys = Cond(tuple(Lit(k) for k, _ in items.entries))
        line = node.start_point[0] + 1
        if key_target is not None:
            self.bindings.extend(self.destructure(key_target, keys, "loop", line))
        self.bindings.extend(self.destructure(target, values, "loop", line))

    def on_return(self, node: ts.Node) -> None:
        if self.scope_by_id[self.scope].kind != "function":
            return  # a file's own `return [ … ];` (ServiceWiring, config) is not a function result
        values = [c for c in node.named_children if c.type != "comment"]
        self.returns.setdefault(self.scope, []).append(self.lower(values[0]) if values else Lit(None))

    def on_static_variable(self, node: ts.Node) -> None:
        name, value = node.child_by_field_id(self.field.name), node.child_by_field_id(self.field.value)
        if name is not None:
            lowered = self.lower(value) if value is not None else Lit(None)
            self.bindings.append(Binding(self.src.text(name), self.scope, lowered, "var", node.start_point[0] + 1))

    def destructure(self, pattern: ts.Node, value: Expr, kind: str, line: int) -> list[Binding]:
        """Bindings for `$x`, `[ $a, $b ]`, `list( 'k' => $v )` assigned from `value`."""
        while pattern.type == "by_ref" and pattern.named_children:
            pattern = pattern.named_children[0]
        if pattern.type == "variable_name":
            return [Binding(self.src.text(pattern), self.scope, value, kind, line)]
        if pattern.type not in ("list_literal", "array_creation_expression"):
            return []
        found: list[Binding] = []
        for position, group in enumerate(list_groups(pattern)):
            if len(group) == 1:
                found.extend(self.destructure(group[0], Index(value, Lit(position)), kind, line))
            elif len(group) == 2:
                key = self.lower(group[0])
                literal = isinstance(key, Lit) and isinstance(key.value, str)
                part = Member(value, key.value) if literal else Index(value, key)
                found.extend(self.destructure(group[1], part, kind, line))
        return found

    # --- expressions -------------------------------------------------------------------------

    def lower(self, node: ts.Node | None, depth: int = 0) -> Expr:
        if node is None:
            return Unknown("missing expression")
        if depth > MAX_EXPRESSION_DEPTH:
            return Unknown("expression nested too deeply")
        kind = node.type
        handler = _HANDLERS.get(kind)
        if handler is not None:
            return handler(self, node, depth + 1)
        if kind in TRANSPARENT_NODES:
            inner = [c for c in node.named_children if c.type != "comment"]
            return self.lower(inner[-1], depth + 1) if inner else Unknown(kind.replace("_", " "))
        if kind in FUNCTION_NODES:
            return Func(self.scope_of(node))
        return Unknown(kind.replace("_", " "))

    def lower_cast_expression(self, node: ts.Node, depth: int) -> Expr:
        return self.lower(node.child_by_field_id(self.field.value), depth)

    def lower_assignment_expression(self, node: ts.Node, depth: int) -> Expr:
        return self.lower(node.child_by_field_id(self.field.right), depth)

    lower_reference_assignment_expression = lower_assignment_expression

    # strings

    def lower_string(self, node: ts.Node, depth: int) -> Expr:
        text = self.src.text(node)
        body = text[text.index("'") + 1 : -1] if "'" in text else ""
        return Lit(unescape_single_quoted(body))

    def lower_encapsed_string(self, node: ts.Node, depth: int) -> Expr:
        text = self.src.text(node)
        opening = len(text[: text.find('"')].encode()) + 1
        return self.interpolation(node, node.start_byte + opening, node.end_byte - 1, depth)

    def lower_heredoc(self, node: ts.Node, depth: int) -> Expr:
        body = node.child_by_field_id(self.field.value)
        if body is None:
            return Lit("")
        start = body.start_byte + len(leading_newline(self.src.data, body.start_byte))
        return self.interpolation(body, start, body.end_byte, depth, heredoc_indent(self.src, node))

    def lower_nowdoc(self, node: ts.Node, depth: int) -> Expr:
        body = node.child_by_field_id(self.field.value)
        if body is None:
            return Lit("")
        start = body.start_byte + len(leading_newline(self.src.data, body.start_byte))
        text = self.src.data[start : body.end_byte].decode("utf-8", errors="replace")
        return Lit(dedent(text, heredoc_indent(self.src, node), True))

    def interpolation(self, container: ts.Node, start: int, end: int, depth: int, indent: int | None = None) -> Expr:
        """A double-quoted string or heredoc body: literal text between interpolated
        expressions (`$x`, `{$this->y}`, `$a[k]`). `indent` is a heredoc's closing indentation,
        removed from each line."""
        parts: list[Expr] = []
        position = start
        for child in container.named_children:
            if child.type in STRING_PIECES or child.start_byte < start or child.end_byte > end:
                continue
            before, after = child.prev_sibling, child.next_sibling
            outer_start = before.start_byte if before is not None and before.type == "{" else child.start_byte
            outer_end = after.end_byte if after is not None and after.type == "}" else child.end_byte
            self.add_text(parts, self.src.data[position:outer_start], indent, position == start)
            parts.append(self.interpolated_value(child, depth))
            position = outer_end
        self.add_text(parts, self.src.data[position:end], indent, position == start)
        if all(isinstance(p, Lit) for p in parts):
            return Lit("".join(str(p.value) for p in parts))
        return Concat(tuple(parts), "interpolation")

    def add_text(self, parts: list[Expr], raw: bytes, indent: int | None, at_line_start: bool) -> None:
        if not raw:
            return
        text = raw.decode("utf-8", errors="replace")
        if indent is not None:
            text = dedent(text, indent, at_line_start)
        parts.append(Lit(unescape_double_quoted(text, heredoc=indent is not None)))

    def interpolated_value(self, node: ts.Node, depth: int) -> Expr:
        """An expression inside a string; simple syntax `"$a[key]"` and `"${name}"` differ
        from the same text in code."""
        parts = [c for c in node.named_children if c.type != "comment"]
        if node.type == "subscript_expression" and len(parts) == 2 and parts[1].type == "name":
            return Member(self.lower(parts[0], depth), self.src.text(parts[1]))
        if node.type == "dynamic_variable_name" and len(parts) == 1 and parts[0].type == "name":
            return Ref("$" + self.src.text(parts[0]), self.scope)
        return self.lower(node, depth)

    # literals and names

    def lower_integer(self, node: ts.Node, depth: int) -> Expr:
        text = self.src.text(node).replace("_", "").lower()
        try:
            if _OCTAL_INTEGER.fullmatch(text):
                return Lit(int(text, 8))
            return Lit(int(text, 0))
        except ValueError:
            return Unknown("number")

    def lower_float(self, node: ts.Node, depth: int) -> Expr:
        try:
            return Lit(float(self.src.text(node).replace("_", "")))
        except ValueError:
            return Unknown("number")

    def lower_boolean(self, node: ts.Node, depth: int) -> Expr:
        return Lit(self.src.text(node).lower() == "true")

    def lower_null(self, node: ts.Node, depth: int) -> Expr:
        return Lit(None)

    def lower_name(self, node: ts.Node, depth: int) -> Expr:
        name = self.src.text(node)
        magic = name.upper()
        if magic == "__CLASS__":
            return Lit(self.enclosing_class() or "")
        if magic == "__NAMESPACE__":
            return Lit(self.names.namespace)
        if magic.startswith("__") and magic.endswith("__"):
            return Unknown(f"magic constant {magic}")
        return GlobalRef(self.names.resolve_constant(name))

    def lower_qualified_name(self, node: ts.Node, depth: int) -> Expr:
        return GlobalRef(self.names.resolve_constant(compact(self.src.text(node))))

    lower_relative_name = lower_qualified_name

    def lower_variable_name(self, node: ts.Node, depth: int) -> Expr:
        name = self.src.text(node)
        if name == "$this":
            return This(self.enclosing_class())
        return Ref(name, self.scope, node.start_point[0] + 1)

    def conditional(self, node: ts.Node) -> bool:
        return is_conditional(node, FUNCTION_NODES, BRANCH_NODES)

    def lower_dynamic_variable_name(self, node: ts.Node, depth: int) -> Expr:
        return Unknown("variable variable")

    # members

    def member(self, node: ts.Node, depth: int) -> Expr:
        """`$obj->name` (or `$obj->$name`, `$obj->{'name'}`) of a member access or call."""
        obj = node.child_by_field_id(self.field.object)
        name = node.child_by_field_id(self.field.name)
        if name is None:
            name = next(
                (c for c in node.named_children if c != obj and c.type not in ("arguments", "comment")), None
            )
        if obj is None or name is None:
            return Unknown("member access")
        target = self.lower(obj, depth)
        if name.type == "name":
            return Member(target, self.src.text(name))
        key = self.lower(name, depth)
        if isinstance(key, Lit) and isinstance(key.value, str):
            return Member(target, key.value)
        return Index(target, key)

    lower_member_access_expression = member
    lower_nullsafe_member_access_expression = member

    def lower_subscript_expression(self, node: ts.Node, depth: int) -> Expr:
        parts = [c for c in node.named_children if c.type != "comment"]
        if len(parts) < 2:
            return Unknown("array append")
        target, key = self.lower(parts[0], depth), self.lower(parts[1], depth)
        if isinstance(key, Lit) and isinstance(key.value, str):
            return Member(target, key.value)
        return Index(target, key)

    def lower_class_constant_access_expression(self, node: ts.Node, depth: int) -> Expr:
        parts = [c for c in node.named_children if c.type != "comment"]
        if len(parts) < 2:
            return Unknown("class constant")
        scope, constant = parts[0], self.src.text(parts[-1])
        if constant.lower() == "class":
            if scope.type in CLASS_NAME_NODES:
                qualified = self.class_name(scope)
                return Lit(qualified) if qualified else Unknown("self::class outside a class")
            return Unknown("class of an object")
        return Member(self.class_expr(scope, depth), constant, static=True)

    def lower_scoped_property_access_expression(self, node: ts.Node, depth: int) -> Expr:
        scope, name = node.child_by_field_id(self.field.scope), node.child_by_field_id(self.field.name)
        if scope is None or name is None:
            return Unknown("static property")
        return Member(self.class_expr(scope, depth), self.src.text(name), static=True)

    def class_expr(self, node: ts.Node, depth: int) -> Expr:
        """The class before `::`: a class name, `self`/`static`/`parent`, or an object."""
        if node.type in CLASS_NAME_NODES:
            qualified = self.class_name(node)
            return ClassRef(qualified) if qualified else Unknown(f"{self.src.text(node)} outside a class")
        return self.lower(node, depth)

    # calls

    def call_parts(self, node: ts.Node, depth: int) -> CallParts | None:
        """Callee, arguments and named arguments of a call — lowered once per call: a call in
        another call's arguments or chain is also a call site of its own. None for first-class
        callable syntax, `strlen( ... )`, which makes a closure and calls nothing."""
        key = (node.start_byte, node.end_byte, self.scope)
        if key in self.lowered_calls:
            return self.lowered_calls[key]
        parts = self.lowered_calls[key] = self._call_parts(node, depth)
        return parts

    def _call_parts(self, node: ts.Node, depth: int) -> CallParts | None:
        kind = node.type
        if kind == "object_creation_expression":
            callee, args_node = self.created_class(node, depth)
            args, named = self.arguments(args_node.named_children if args_node is not None else [], depth)
            return callee, args, named
        args_node = node.child_by_field_id(self.field.arguments)
        # The argument nodes are fetched once: building the list costs more than reading it.
        arg_nodes = args_node.named_children if args_node is not None else []
        for arg in arg_nodes:
            if arg.type == "variadic_placeholder":
                return None
        if kind == "function_call_expression":
            callee = self.function_ref(node.child_by_field_id(self.field.function), depth)
        elif kind == "scoped_call_expression":
            scope, name = node.child_by_field_id(self.field.scope), node.child_by_field_id(self.field.name)
            if scope is None or name is None:
                callee = Unknown("static call")
            else:
                callee = Member(self.class_expr(scope, depth), self.src.text(name), static=True)
        else:
            callee = self.member(node, depth)
        args, named = self.arguments(arg_nodes, depth)
        return callee, args, named

    def function_ref(self, node: ts.Node | None, depth: int) -> Expr:
        if node is not None and node.type in ("name", "qualified_name", "relative_name"):
            return Ref(self.names.resolve_function(compact(self.src.text(node))), self.scope)
        return self.lower(node, depth)

    def created_class(self, node: ts.Node, depth: int) -> tuple[Expr, ts.Node | None]:
        """The class a `new` expression instantiates, and its argument list."""
        parts = [c for c in node.named_children if c.type not in ("comment", "attribute_list")]
        if not parts:
            return Unknown("new"), None
        target = parts[0]
        if target.type == "anonymous_class":
            args = next((c for c in target.named_children if c.type == "arguments"), None)
            return ClassRef(anonymous_class_name(target)), args
        args = next((c for c in parts[1:] if c.type == "arguments"), None)
        return self.class_expr(target, depth), args

    def arguments(self, arg_nodes: list[ts.Node], depth: int) -> tuple[tuple[Expr, ...], tuple[tuple[str, Expr], ...]]:
        """Positional and named (`name: $x`) arguments; a spread `...$xs` is unknown."""
        positional: list[Expr] = []
        named: list[tuple[str, Expr]] = []
        for arg in arg_nodes:
            if arg.type != "argument":
                continue
            name = arg.child_by_field_id(self.field.name)
            value_node = argument_value(arg, name)
            if value_node is None:
                continue
            if value_node.type == "variadic_unpacking":
                positional.append(Unknown("spread argument"))
                continue
            value = self.lower(value_node, depth)
            if name is not None:
                named.append((self.src.text(name), value))
            else:
                positional.append(value)
        return tuple(positional), tuple(named)

    def call(self, node: ts.Node, depth: int) -> Expr:
        parts = self.call_parts(node, depth)
        if parts is None:
            return Unknown("first-class callable")
        callee, args, named = parts
        return Call(callee, args, named, new=node.type == "object_creation_expression")

    lower_function_call_expression = call
    lower_member_call_expression = call
    lower_nullsafe_member_call_expression = call
    lower_scoped_call_expression = call
    lower_object_creation_expression = call

    # operators

    def lower_binary_expression(self, node: ts.Node, depth: int) -> Expr:
        operator = node.child_by_field_id(self.field.operator)
        op = self.src.text(operator) if operator is not None else ""
        left, right = node.child_by_field_id(self.field.left), node.child_by_field_id(self.field.right)
        if op == ".":
            return concatenation(self.lower(side, depth) for side in (left, right))
        if op == "??":
            return Cond((self.lower(left, depth), self.lower(right, depth)))
        return Unknown(f"'{op}' expression")

    def lower_conditional_expression(self, node: ts.Node, depth: int) -> Expr:
        # `a ?: b` yields a
        chosen = node.child_by_field_id(self.field.body) or node.child_by_field_id(self.field.condition)
        return Cond((self.lower(chosen, depth), self.lower(node.child_by_field_id(self.field.alternative), depth)))

    def lower_unary_op_expression(self, node: ts.Node, depth: int) -> Expr:
        operator = next((c for c in node.children if not c.is_named), None)
        op = self.src.text(operator) if operator is not None else ""
        value = self.lower(node.child_by_field_id(self.field.argument), depth)
        if op in ("-", "+") and isinstance(value, Lit) and type(value.value) in (int, float):
            return Lit(-value.value if op == "-" else value.value)
        return Unknown(f"'{op}' expression")

    def lower_match_expression(self, node: ts.Node, depth: int) -> Expr:
        body = node.child_by_field_id(self.field.body)
        arms = [
            self.lower(arm.child_by_field_id(self.field.return_expression), depth)
            for arm in (body.named_children if body is not None else ())
            if arm.type in ("match_conditional_expression", "match_default_expression")
        ]
        return Cond(tuple(arms)) if arms else Unknown("match expression")

    def lower_array_creation_expression(self, node: ts.Node, depth: int) -> Expr:
        """A list is an Arr; an array with keys is an Obj (entries with computed keys are left
        out, positional entries get their implicit index)."""
        items: list[Expr] = []
        entries: list[tuple[str, Expr]] = []
        spreads: list[Expr] = []
        keyed = False
        next_index = 0
        for element in node.named_children:
            if element.type != "array_element_initializer":
                continue
            parts = [c for c in element.named_children if c.type != "comment"]
            if not parts:
                continue
            if parts[0].type == "variadic_unpacking":
                inner = parts[0].named_children
                spreads.append(self.lower(inner[0], depth) if inner else Unknown("spread element"))
                items.append(Unknown("spread element"))
                continue
            if len(parts) >= 2:
                keyed = True
                key = array_key(self.lower(parts[0], depth))
                if isinstance(key, int):
                    next_index = max(next_index, key + 1)
                if key is not None:
                    entries.append((str(key), self.lower(parts[-1], depth)))
                continue
            value = self.lower(parts[0], depth)
            items.append(value)
            entries.append((str(next_index), value))
            next_index += 1
        if keyed:
            return Obj(tuple(entries), tuple(spreads))
        return Arr(tuple(items))


# The expression lowering functions by node kind (plain functions, called with the lowerer:
# bound methods kept on the instance would tie it into a reference cycle).
_HANDLERS = {name[len("lower_"):]: getattr(_Lowerer, name) for name in dir(_Lowerer) if name.startswith("lower_")}


class _ClassMembers:
    """What a class body declares, gathered while its members are read."""

    def __init__(self) -> None:
        self.constants: list[tuple[str, Expr]] = []
        self.properties: list[tuple[str, Expr]] = []
        self.property_types: list[tuple[str, str]] = []
        self.methods: list[tuple[str, int]] = []


def anonymous_class_name(node: ts.Node) -> str:
    return f"<class@{node.start_point[0] + 1}>"


def argument_value(arg: ts.Node, name: ts.Node | None) -> ts.Node | None:
    """The value of an argument: its last named child that is not its `name:`, a comment or `&`.
    Searched from the end, where it is, without building a filtered list."""
    for child in reversed(arg.named_children):
        if child.type not in ("comment", "reference_modifier") and child != name:
            return child
    return None


def array_key(key: Expr) -> str | int | None:
    """The key of an array entry as PHP stores it, or None when it is computed."""
    if isinstance(key, Lit):
        if isinstance(key.value, bool):
            return int(key.value)
        if isinstance(key.value, int):
            return key.value
        if isinstance(key.value, str):
            return int(key.value) if _INTEGER_KEY.fullmatch(key.value) else key.value
    return None


def list_groups(pattern: ts.Node) -> list[list[ts.Node]]:
    """The entries of a `list( … )` / `[ … ]` pattern, one per comma-separated slot:
    [] for a skipped slot, [target] or [key, target]."""
    groups: list[list[ts.Node]] = [[]]
    for child in pattern.children:
        if child.type == ",":
            groups.append([])
        elif child.is_named and child.type != "comment":
            groups[-1].append(child)
    if groups and not groups[-1]:
        groups.pop()
    return groups


def leading_newline(data: bytes, start: int) -> bytes:
    """The line break that follows `<<<ID`: it is not part of the heredoc's value."""
    if data.startswith(b"\r\n", start):
        return b"\r\n"
    return b"\n" if data.startswith(b"\n", start) else b""


def heredoc_indent(src: SourceText, node: ts.Node) -> int:
    """The closing marker's indentation, which PHP removes from every line of the body."""
    end = node.child_by_field_id(field_ids("php").end_tag)
    if end is None:
        return 0
    row, column = end.start_point
    line_start = src.line_start(row)
    before = src.data[line_start : line_start + column]
    return column if not before.strip(b" \t") else 0


def dedent(text: str, indent: int, at_line_start: bool) -> str:
    if indent <= 0:
        return text
    pattern = rf"(^|\n)[ \t]{{0,{indent}}}" if at_line_start else rf"(\n)[ \t]{{0,{indent}}}"
    return re.sub(pattern, r"\1", text)
