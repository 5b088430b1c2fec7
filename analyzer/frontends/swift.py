"""Swift frontend: lowers a tree-sitter-swift tree into FileFacts.

The driver is the JavaScript frontend's: one query (rules/queries/swift/facts.scm) captures the
nodes that open scopes (functions, closures, accessors, types) and the nodes that become facts
(calls, declarations, assignments, conditional bindings, loops); captures are visited outermost
first while a stack of open scopes gives each node its scope.

How Swift maps onto the facts:
- Types are qualified by the types around them (`EventPlatformClient.Stream`). The members of an
  `extension X` belong to X: methods are named `X.method`, `self` is `This("X")`, and the
  extension becomes a ClassDef of kind "extension" named X (merged into X's ClassDef when X is
  declared in the same file).
- Enum cases and `static let` members are ClassDef.constants; an enum case carries its raw
  value: the written one, else the case name (String enums) or the next integer (Int enums).
  Other stored properties with an initial value are properties; declared types go to
  property_types. Members are also bound in the type's scope, since Swift names them without
  `self.`.
- A type named in code is a ClassRef: a top-level type of this file, an UpperCamelCase name the
  file does not declare (Swift's naming convention), `A.B` when B is UpperCamelCase, `Self`, and
  `super` (the superclass: `super.init(…)` is `Member(ClassRef(parent), "init")`). Nested types
  of this file are reached through their binding. A call of a type is a Call with new=True.
- An implicit member expression `.someCase` is `Member(ClassRef(T), "someCase")`, where T is the
  declared type of the property or parameter it initialises, or `ClassRef("")` when only the
  callee's parameter type can tell (`submit(stream: .x)`): the resolver supplies that type.
- Labelled call arguments go to CallSite.named; unlabelled ones and trailing closures to args.
- A parameter's default value is the value of its "param" binding; `let x = v` is a "const"
  binding, `var` a "var" one; a computed property is `Call(Func(getter))`.
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
    ClassDraft,
    ClassRef,
    Concat,
    Cond,
    Expr,
    FileFacts,
    Func,
    Index,
    Lit,
    Member,
    MemberAssign,
    Obj,
    ParseProblem,
    Ref,
    Scope,
    This,
    Unknown,
    concatenation,
)
from analyzer.frontends.treesitter import (
    SourceText,
    captures_in_order,
    in_scopes,
    number_scopes,
    parser,
    query,
    syntax_problems,
)

MAX_EXPRESSION_DEPTH = 40

#: the receiver of an implicit member expression whose type the context decides
IMPLICIT_TYPE = ClassRef("")

TYPE_BODIES = frozenset({"class_body", "enum_class_body", "protocol_body"})
COMMENTS = frozenset({"comment", "multiline_comment"})
# Wrappers that do not change the value of the expression inside them.
TRANSPARENT_NODES = frozenset(
    {"try_expression", "await_expression", "as_expression", "directly_assignable_expression", "postfix_expression"}
)
# Statements, as opposed to the expressions a single-expression body returns.
STATEMENT_NODES = frozenset(
    {
        "control_transfer_statement", "property_declaration", "assignment", "if_statement", "guard_statement",
        "switch_statement", "for_statement", "while_statement", "repeat_while_statement", "do_statement",
        "function_declaration", "class_declaration", "protocol_declaration", "typealias_declaration",
    }
)
CLASS_KINDS = {
    "class": "class", "actor": "class", "struct": "struct", "enum": "enum", "extension": "extension",
    "protocol": "interface",
}
PRIVATE = frozenset({"private", "fileprivate"})

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'"}
_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]+)\}|\\(.)", re.DOTALL)


def unescape_swift(text: str) -> str:
    """The value of the escape sequences in a Swift string fragment."""
    if "\\" not in text:
        return text

    def substitute(match: re.Match) -> str:
        if match.group(1):
            return chr(int(match.group(1), 16))
        return _ESCAPES.get(match.group(2), match.group(2))

    return _ESCAPE.sub(substitute, text)


def objc_names(annotations: tuple[tuple[str, tuple[Expr, ...]], ...]) -> tuple[str, ...]:
    """The name `@objc(WMFName)` gives a type in Objective-C."""
    return tuple(str(args[0].value) for name, args in annotations
                 if name == "objc" and len(args) == 1 and isinstance(args[0], Lit))


class SwiftFrontend:
    language = "swift"

    def lower(self, path: str, source: bytes) -> FileFacts:
        tree = parser("swift").parse(source)
        lowerer = _Lowerer(path, SourceText(source))
        lowerer.run(tree)
        return lowerer.facts(self.language, tree)


class _Lowerer:
    def __init__(self, path: str, source: SourceText):
        self.path = path
        self.src = source
        self.scopes: list[Scope] = [Scope(MODULE_SCOPE, None, "module")]
        self.scope_by_id: dict[int, Scope] = {MODULE_SCOPE: self.scopes[0]}
        self.scope_ids: dict[tuple[int, int], int] = {}
        self.types: dict[int, ClassDraft] = {}  # class scope id → its ClassDef builder
        self.bindings: list[Binding] = []
        self.member_assigns: list[MemberAssign] = []
        self.calls: list[CallSite] = []
        self.exports: list[tuple[str, Expr]] = []
        self.problems: list[ParseProblem] = []
        self.returns: dict[int, list[Expr]] = {}  # function scope id → values it returns
        self.result_types: dict[int, str] = {}  # function scope id → its declared result type
        self.function_names: set[str] = set()  # functions declared in this file (not types)
        self.top_level_types: set[str] = set()  # types this file declares outside any other type
        self.declared_names: set[str] = set()  # other names this file declares
        self.scope = MODULE_SCOPE

    # --- driver ------------------------------------------------------------------------------

    def run(self, tree: ts.Tree) -> None:
        captured = captures_in_order(query("swift", "facts"), tree.root_node)
        self.scope_ids = number_scopes(captured)
        for kind, node in captured:
            self.note_declared_name(kind, node)
        handlers = {
            "function": self.on_function,
            "class": self.on_class,
            "call": self.on_call,
            "declarator": self.on_declarator,
            "assign": self.on_assign,
            "conditional": self.on_conditional,
            "for_in": self.on_for_in,
            "return": self.on_return,
        }
        for kind, node, scope in in_scopes(captured, self.scope_ids):
            self.scope = scope
            handlers[kind](node)

    def note_declared_name(self, kind: str, node: ts.Node) -> None:
        """Names this file declares: they are looked up in scope rather than taken for types."""
        if kind == "declarator":
            for pattern in node.children_by_field_name("name"):
                bound = pattern.child_by_field_name("bound_identifier")
                if bound is not None:
                    self.declared_names.add(self.src.text(bound))
            return
        name = node.child_by_field_name("name")
        if name is None or node.type not in ("class_declaration", "protocol_declaration", "function_declaration"):
            return
        text = self.src.text(name)
        if node.type == "function_declaration":
            self.function_names.add(text)
        elif name.type != "type_identifier":
            return  # an extension declares no name
        elif node.parent is not None and node.parent.type == "source_file":
            self.top_level_types.add(text)
            return
        self.declared_names.add(text)

    def facts(self, language: str, tree: ts.Tree) -> FileFacts:
        self.problems.extend(syntax_problems(tree, self.src))
        scopes = [replace(s, returns=tuple(self.returns[s.id])) if s.id in self.returns else s for s in self.scopes]
        return FileFacts(
            path=self.path,
            language=language,
            scopes=tuple(sorted(scopes, key=lambda s: s.id)),
            bindings=tuple(self.bindings),
            member_assigns=tuple(self.member_assigns),
            classes=self.class_defs(),
            calls=tuple(self.calls),
            exports=tuple(self.exports),
            problems=tuple(self.problems),
        )

    def class_defs(self) -> tuple[ClassDef, ...]:
        declared = {b.name: b for b in self.types.values() if b.kind != "extension"}
        result = []
        for builder in self.types.values():
            if builder.kind == "extension" and builder.name in declared:
                declared[builder.name].absorb(builder)
            else:
                result.append(builder)
        return tuple(b.build() for b in result)

    # --- scopes ------------------------------------------------------------------------------

    def add_scope(self, scope: Scope) -> None:
        self.scopes.append(scope)
        self.scope_by_id[scope.id] = scope

    def scope_of(self, node: ts.Node) -> int:
        return self.scope_ids[(node.start_byte, node.end_byte)]

    def enclosing_type(self) -> str | None:
        """The type `self` refers to here: closures and nested functions keep their method's."""
        scope_id: int | None = self.scope
        while scope_id is not None:
            scope = self.scope_by_id[scope_id]
            if scope.kind == "class":
                return scope.cls
            scope_id = scope.parent
        return None

    def owner_type(self, member: ts.Node) -> ClassDraft | None:
        """The type a declaration is a member of, if it sits directly in a type's body."""
        parent = member.parent
        if parent is not None and parent.type in TYPE_BODIES:
            return self.types.get(self.scope)
        return None

    # --- types -------------------------------------------------------------------------------

    def on_class(self, node: ts.Node) -> None:
        scope_id = self.scope_of(node)
        line = node.start_point[0] + 1
        keyword = node.child_by_field_name("declaration_kind")
        kind = CLASS_KINDS.get(self.src.text(keyword), "class") if keyword is not None else "class"
        name_node = node.child_by_field_name("name")
        written = compact(self.src.text(name_node)) if name_node is not None else f"<type@{line}>"
        outer = self.owner_type(node)
        name = written if kind == "extension" or outer is None else f"{outer.name}.{written}"
        inherited = tuple(
            compact(self.src.text(t))
            for spec in node.children
            if spec.type == "inheritance_specifier"
            for t in [spec.child_by_field_name("inherits_from")]
            if t is not None
        )
        annotations = self.attributes(node)
        builder = ClassDraft(name, scope_id, kind, line, annotations=annotations, aliases=objc_names(annotations))
        if kind == "class" and inherited:
            builder.parent, builder.interfaces = inherited[0], list(inherited[1:])
        else:
            builder.interfaces = list(inherited)
        self.types[scope_id] = builder
        self.add_scope(Scope(scope_id, self.scope, "class", name=name, cls=name, line=line))
        body = node.child_by_field_name("body")
        if kind == "enum" and body is not None:
            builder.constants.extend(self.enum_cases(body, inherited[0] if inherited else None))
        if kind == "interface" and body is not None:
            builder.property_types.extend(self.protocol_property_types(body))
        if kind != "extension":
            self.bindings.append(Binding(written, self.scope, ClassRef(name), "class", line))
            if self.scope == MODULE_SCOPE and not self.is_private(node):
                self.exports.append((written, Ref(written, MODULE_SCOPE)))

    def enum_cases(self, body: ts.Node, raw_type: str | None) -> list[tuple[str, Expr]]:
        """Each case with its raw value (Swift's implicit raw values included)."""
        written: list[tuple[str, ts.Node | None]] = []
        for entry in (e for e in body.named_children if e.type == "enum_entry"):
            for index, child in enumerate(entry.children):
                fname = entry.field_name_for_child(index)
                if fname == "name":
                    written.append((self.src.text(child), None))
                elif fname == "raw_value" and written:
                    written[-1] = (written[-1][0], child)
        cases: list[tuple[str, Expr]] = []
        next_int = 0
        for name, raw in written:
            value: Expr
            if raw is not None:
                value = self.lower(raw)
            elif raw_type == "String":
                value = Lit(name)
            elif raw_type == "Int":
                value = Lit(next_int)
            else:
                value = Unknown("enum case without a raw value")
            if isinstance(value, Lit) and isinstance(value.value, int) and not isinstance(value.value, bool):
                next_int = value.value + 1
            cases.append((name, value))
        return cases

    def protocol_property_types(self, body: ts.Node) -> list[tuple[str, str]]:
        found = []
        for member in body.named_children:
            if member.type != "protocol_property_declaration":
                continue
            pattern = member.child_by_field_name("name")
            declared = self.declared_type(member)
            name = pattern.child_by_field_name("bound_identifier") if pattern is not None else None
            if name is not None and declared is not None:
                found.append((self.src.text(name), declared))
        return found

    def attributes(self, node: ts.Node) -> tuple[tuple[str, tuple[Expr, ...]], ...]:
        """`@objc(WMFName)` → ("objc", (Lit("WMFName"),)); identifiers are kept as written."""
        found = []
        for modifiers in (c for c in node.children if c.type == "modifiers"):
            for attribute in (c for c in modifiers.named_children if c.type == "attribute"):
                parts = [c for c in attribute.named_children if c.type not in COMMENTS]
                if not parts:
                    continue
                args = tuple(
                    Lit(self.src.text(p)) if p.type == "simple_identifier" else self.lower(p) for p in parts[1:]
                )
                found.append((compact(self.src.text(parts[0])), args))
        return tuple(found)

    def is_private(self, node: ts.Node) -> bool:
        for modifiers in (c for c in node.children if c.type == "modifiers"):
            for modifier in modifiers.named_children:
                if modifier.type == "visibility_modifier" and self.src.text(modifier).split("(")[0] in PRIVATE:
                    return True
        return False

    def is_static(self, node: ts.Node) -> bool:
        for modifiers in (c for c in node.children if c.type == "modifiers"):
            for modifier in modifiers.named_children:
                if modifier.type == "property_modifier" and self.src.text(modifier) in ("static", "class"):
                    return True
        return False

    # --- functions ---------------------------------------------------------------------------

    def on_function(self, node: ts.Node) -> None:
        scope_id = self.scope_of(node)
        line = node.start_point[0] + 1
        owner = self.owner_type(node)
        name = self.function_name(node, owner)
        params, param_types, defaults = self.parameters(node)
        self.add_scope(
            Scope(
                scope_id,
                self.scope,
                "function",
                name=name,
                params=tuple(params),
                cls=owner.name if owner is not None else None,
                line=line,
                param_types=tuple(param_types),
            )
        )
        for pname in params:
            self.bindings.append(Binding(pname, scope_id, defaults.get(pname), "param", line))
        result_type = self.result_type(node)
        if result_type is not None:
            self.result_types[scope_id] = result_type
        self.implicit_return(node, scope_id)
        name_node = node.child_by_field_name("name")
        if node.type != "function_declaration" or name_node is None:
            return
        short = self.src.text(name_node)
        if owner is not None:
            owner.methods.append((short, scope_id))
        self.bindings.append(Binding(short, self.scope, Func(scope_id), "function", line))
        if self.scope == MODULE_SCOPE and not self.is_private(node):
            self.exports.append((short, Ref(short, MODULE_SCOPE)))

    def implicit_return(self, node: ts.Node, scope_id: int) -> None:
        """A body that is a single expression returns it (closures, getters, and functions that
        declare a result type: the others return nothing)."""
        if node.type in ("init_declaration", "deinit_declaration", "willset_clause", "didset_clause"):
            return
        if node.type == "function_declaration" and not any(c.type == "->" for c in node.children):
            return
        body = node.child_by_field_name("body") or node
        if body.type == "computed_property":
            body = next((c for c in body.named_children if c.type == "computed_getter"), body)
        statements = next((c for c in body.named_children if c.type == "statements"), None)
        only = [c for c in statements.named_children if c.type not in COMMENTS] if statements else []
        if len(only) == 1 and only[0].type not in STATEMENT_NODES:
            previous, self.scope = self.scope, scope_id
            self.add_return(scope_id, self.lower(only[0]))
            self.scope = previous

    def on_return(self, node: ts.Node) -> None:
        if not self.src.text(node).startswith("return") or self.scope_by_id[self.scope].kind != "function":
            return
        result = node.child_by_field_name("result")
        self.add_return(self.scope, self.lower(result) if result is not None else Lit(None))

    def add_return(self, scope_id: int, value: Expr) -> None:
        """A returned value; `.someCase` takes the declared result type."""
        self.returns.setdefault(scope_id, []).append(with_expected_type(value, self.result_types.get(scope_id)))

    def result_type(self, node: ts.Node) -> str | None:
        """The declared result type of a function (after `->`) or computed property."""
        if node.type == "function_declaration":
            arrow = next((i for i, c in enumerate(node.children) if c.type == "->"), None)
            if arrow is not None and arrow + 1 < len(node.children):
                return type_name(self.src, node.children[arrow + 1])
            return None
        if node.type == "computed_property" and node.parent is not None and node.parent.type == "property_declaration":
            return self.declared_type(node.parent)
        return None

    def function_name(self, node: ts.Node, owner: ClassDraft | None) -> str:
        """`Type.method`, `Type.init`, `Type.property` (accessors) or a plain/closure name."""
        if node.type == "lambda_literal":
            return f"<closure@{node.start_point[0] + 1}>"
        if node.type in ("init_declaration", "deinit_declaration"):
            short = node.type.split("_")[0]
        elif node.type == "function_declaration":
            name_node = node.child_by_field_name("name")
            short = self.src.text(name_node) if name_node is not None else "<function>"
        else:
            return self.accessor_name(node)
        return f"{owner.name}.{short}" if owner is not None else short

    def accessor_name(self, node: ts.Node) -> str:
        """Computed properties and observers are named after their property."""
        holder = node.parent
        while holder is not None and holder.type not in ("property_declaration", "subscript_declaration"):
            holder = holder.parent
        if holder is None:
            return f"<accessor@{node.start_point[0] + 1}>"
        if holder.type == "subscript_declaration":
            short = "subscript"
        else:
            pattern = holder.child_by_field_name("name")
            bound = pattern.child_by_field_name("bound_identifier") if pattern is not None else None
            short = self.src.text(bound) if bound is not None else "<property>"
        owner = self.types.get(self.scope) if holder.parent is not None and holder.parent.type in TYPE_BODIES else None
        return f"{owner.name}.{short}" if owner is not None else short

    def parameters(self, node: ts.Node) -> tuple[list[str], list[tuple[str, str]], dict[str, Expr]]:
        """Parameter names (the names the body uses), their declared types, and default values."""
        holder = node
        if node.type == "computed_property" and node.parent is not None and node.parent.type == "subscript_declaration":
            holder = node.parent
        if node.type == "lambda_literal":
            kind = node.child_by_field_name("type")
            children = kind.named_children if kind else ()
            plist = next((c for c in children if c.type == "lambda_function_type_parameters"), None)
            holder = plist
        if holder is None or holder.type in ("computed_property", "willset_clause", "didset_clause"):
            return [], [], {}
        names: list[str] = []
        types: list[tuple[str, str]] = []
        defaults: dict[str, Expr] = {}
        for index, child in enumerate(holder.children):
            if child.type in ("parameter", "lambda_parameter"):
                parts = child.children_by_field_name("name")
                if not parts:
                    continue
                pname = self.src.text(parts[0])
                names.append(pname)
                if len(parts) > 1:
                    types.append((pname, type_name(self.src, parts[1]) or compact(self.src.text(parts[1]))))
            elif holder.field_name_for_child(index) == "default_value" and names:
                expected = dict(types).get(names[-1])
                defaults[names[-1]] = with_expected_type(self.lower(child), expected)
        return names, types, defaults

    # --- declarations and statements ---------------------------------------------------------

    def on_declarator(self, node: ts.Node) -> None:
        pattern_node = next((c for c in node.children if c.type == "value_binding_pattern"), None)
        mutability = pattern_node.child_by_field_name("mutability") if pattern_node is not None else None
        is_let = mutability is not None and self.src.text(mutability) == "let"
        owner = self.owner_type(node)
        static = self.is_static(node)
        line = node.start_point[0] + 1
        for target, declared, value_node, getter in self.declared_entries(node):
            value: Expr | None = None
            if value_node is not None:
                value = with_expected_type(self.lower(value_node), declared)
            elif getter is not None:
                value = Call(Func(self.scope_of(getter)))
            kind = "const" if is_let and value is not None else ("let" if is_let else "var")
            for name, part in self.pattern_names(target, value):
                self.bindings.append(Binding(name, self.scope, part, kind, line))
                if owner is not None:
                    self.add_member(owner, name, part, declared, constant=is_let and static)
                elif self.scope == MODULE_SCOPE and not self.is_private(node):
                    self.exports.append((name, Ref(name, MODULE_SCOPE)))

    def declared_entries(self, node: ts.Node) -> list[tuple[ts.Node, str | None, ts.Node | None, ts.Node | None]]:
        """(pattern, declared type, initial value, computed getter) for each name declared;
        `var a = 1, b: T = .x` declares two."""
        entries: list[list] = []
        for index, child in enumerate(node.children):
            fname = node.field_name_for_child(index)
            if fname == "name":
                entries.append([child, None, None, None])
            elif not entries:
                continue
            elif child.type == "type_annotation":
                entries[-1][1] = self.declared_type(node, child)
            elif fname == "value":
                entries[-1][2] = child
            elif fname == "computed_value":
                entries[-1][3] = child
        return [tuple(e) for e in entries]

    def declared_type(self, node: ts.Node, annotation: ts.Node | None = None) -> str | None:
        annotation = annotation or next((c for c in node.children if c.type == "type_annotation"), None)
        if annotation is None:
            return None
        inner = annotation.child_by_field_name("name")
        return type_name(self.src, inner) if inner is not None else None

    def pattern_names(self, pattern: ts.Node, value: Expr | None) -> list[tuple[str, Expr | None]]:
        """The names a pattern binds and the part of `value` each one gets."""
        bound = pattern.child_by_field_name("bound_identifier")
        if bound is not None:
            return [(self.src.text(bound), value)]
        if pattern.type == "simple_identifier":
            return [(self.src.text(pattern), value)]
        parts = [c for c in pattern.named_children if c.type in ("pattern", "simple_identifier")]
        if len(parts) == 1:
            return self.pattern_names(parts[0], value)
        names = []
        for index, part in enumerate(parts):
            names.extend(self.pattern_names(part, Index(value, Lit(index)) if value is not None else None))
        return names

    def add_member(self, owner: ClassDraft, name: str, value: Expr | None, declared: str | None,
                   constant: bool) -> None:
        if declared is not None:
            owner.property_types.append((name, declared))
        if value is None:
            return
        if constant:
            owner.constants.append((name, value))
        else:
            owner.properties.append((name, value))

    def on_call(self, node: ts.Node) -> None:
        call = self.call_of(node)
        if call is None:
            return
        self.note_superclass_initialiser(call)
        self.calls.append(
            CallSite(
                callee=call.callee,
                args=call.args,
                scope=self.scope,
                span=self.src.span(self.span_start(node.named_children[0]), node),
                named=call.named,
                new=call.new,
                snippet=self.src.first_line(node),
            )
        )

    def note_superclass_initialiser(self, call: Call) -> None:
        """`super.init(schema: …)` in an initialiser: what the type passes to its superclass's
        initialiser, as a Kotlin class header does (ClassDef.super_args / super_named)."""
        callee = call.callee
        if not (isinstance(callee, Member) and callee.prop == "init" and isinstance(callee.obj, ClassRef)):
            return
        owner = self.enclosing_type()
        builder = next((b for b in self.types.values() if b.name == owner), None) if owner else None
        if builder is None or builder.parent != callee.obj.name or builder.super_args or builder.super_named:
            return  # not the superclass's initialiser, or not the first call of one
        builder.super_args, builder.super_named = call.args, call.named

    def call_of(self, node: ts.Node, depth: int = 0) -> Call | None:
        """The call a call or constructor expression makes; None for a subscript (`dict["k"]`)."""
        suffix = node.named_children[-1] if len(node.named_children) > 1 else None
        if suffix is None or self.is_subscript(suffix):
            return None
        args, named = self.arguments(suffix)
        if node.type == "constructor_expression":
            return Call(self.type_expr(node.child_by_field_name("constructed_type")), args, named, new=True)
        callee = self.lower(node.named_children[0], depth)
        return Call(callee, args, named, new=self.constructs(callee))

    def constructs(self, callee: Expr) -> bool:
        """Whether a call builds a value: the callee is a type (Swift names types UpperCamelCase
        and functions lowerCamelCase; a function of this file is never a type)."""
        if isinstance(callee, ClassRef):
            return callee != IMPLICIT_TYPE
        if isinstance(callee, Ref):
            return callee.name[:1].isupper() and callee.name not in self.function_names
        if isinstance(callee, Member):
            return callee.prop[:1].isupper()
        return False

    def span_start(self, callee: ts.Node) -> ts.Node:
        """Where a finding for this call starts: the callee, or for a method called on the result
        of another call (a chain) the method name, so each link points at its own line."""
        if callee.type == "navigation_expression":
            target = callee.child_by_field_name("target")
            while target is not None and target.type in TRANSPARENT_NODES and target.named_children:
                target = target.named_children[0]
            suffix = callee.child_by_field_name("suffix")
            name = suffix.child_by_field_name("suffix") if suffix is not None else None
            if target is not None and target.type == "call_expression" and name is not None:
                return name
        return callee

    def is_subscript(self, suffix: ts.Node) -> bool:
        """`dict["k"]` parses as a call whose argument list is in brackets."""
        arguments = suffix.named_children[0] if suffix.named_children else None
        return (arguments is not None and arguments.type == "value_arguments"
                and self.src.text(arguments).startswith("["))

    def arguments(self, suffix: ts.Node) -> tuple[tuple[Expr, ...], tuple[tuple[str, Expr], ...]]:
        """Unlabelled arguments and trailing closures in order, and labelled ones by label."""
        args: list[Expr] = []
        named: list[tuple[str, Expr]] = []
        label: str | None = None
        for child in suffix.named_children:
            if child.type == "value_arguments":
                for argument in (a for a in child.named_children if a.type == "value_argument"):
                    name = argument.child_by_field_name("name")
                    value = self.lower(argument.child_by_field_name("value"))
                    if name is not None:
                        named.append((self.src.text(name).rstrip(":").strip(), value))
                    else:
                        args.append(value)
            elif child.type == "simple_identifier":
                label = self.src.text(child)  # the label of the next trailing closure
            elif child.type == "lambda_literal":
                if label is None:
                    args.append(self.lower(child))
                else:
                    named.append((label, self.lower(child)))
                label = None
        return tuple(args), tuple(named)

    def on_assign(self, node: ts.Node) -> None:
        target = node.child_by_field_name("target")
        result = node.child_by_field_name("result")
        operator = node.child_by_field_name("operator")
        if target is None or result is None:
            return
        inner = target.named_children[0] if target.named_children else target
        line = node.start_point[0] + 1
        compound = operator is not None and self.src.text(operator) != "="
        if inner.type == "simple_identifier":
            value = Unknown("changed by a compound assignment") if compound else self.lower(result)
            self.bindings.append(Binding(self.src.text(inner), self.scope, value, "assign", line))
        elif inner.type == "navigation_expression" and not compound:
            member = self.lower(inner)
            if isinstance(member, (Member, Index)):
                self.member_assigns.append(MemberAssign(member, self.lower(result), self.scope, line))

    def on_conditional(self, node: ts.Node) -> None:
        """`if let x = v`, `guard let x = v`, `while let x = v` bind x to v."""
        children = node.children
        line = node.start_point[0] + 1
        for index, child in enumerate(children):
            if node.field_name_for_child(index) != "bound_identifier":
                continue
            if index + 2 < len(children) and children[index + 1].type == "=":
                value = self.lower(children[index + 2])
                self.bindings.append(Binding(self.src.text(child), self.scope, value, "const", line))

    def on_for_in(self, node: ts.Node) -> None:
        item, collection = node.child_by_field_name("item"), node.child_by_field_name("collection")
        if item is None or collection is None:
            return
        items = self.lower(collection)
        value: Expr = Cond(items.items) if isinstance(items, Arr) and items.items else Unknown("loop variable")
        for name, part in self.pattern_names(item, value):
            self.bindings.append(Binding(name, self.scope, part, "loop", node.start_point[0] + 1))

    # --- expressions -------------------------------------------------------------------------

    def lower(self, node: ts.Node | None, depth: int = 0) -> Expr:
        if node is None:
            return Unknown("missing expression")
        if depth > MAX_EXPRESSION_DEPTH:
            return Unknown("expression nested too deeply")
        kind = node.type
        if kind in TRANSPARENT_NODES:
            inner = node.child_by_field_name("expr") or node.child_by_field_name("target")
            if inner is None:
                inner = next((c for c in node.named_children if c.type not in COMMENTS), None)
            return self.lower(inner, depth + 1) if inner is not None else Unknown(kind.replace("_", " "))
        handler = getattr(self, "lower_" + kind, None)
        if handler is not None:
            return handler(node, depth + 1)
        return Unknown(kind.replace("_", " "))

    def lower_simple_identifier(self, node: ts.Node, depth: int) -> Expr:
        """A name; a type (a top-level type of this file, or an UpperCamelCase name this file
        does not declare: Swift's naming convention) is a ClassRef."""
        name = self.src.text(node)
        if name == "Self":
            owner = self.enclosing_type()
            return ClassRef(owner) if owner else Unknown("Self outside a type")
        if name in self.top_level_types or (
            name[:1].isupper() and name not in self.declared_names and name not in self.function_names
        ):
            return ClassRef(name)
        return Ref(name, self.scope)

    def lower_self_expression(self, node: ts.Node, depth: int) -> Expr:
        return This(self.enclosing_type())

    def lower_super_expression(self, node: ts.Node, depth: int) -> Expr:
        """`super` is the superclass: `super.init(…)` is `Member(ClassRef(parent), "init")`."""
        owner = self.enclosing_type()
        parent = next((b.parent for b in self.types.values() if b.name == owner and b.parent), None)
        return ClassRef(parent) if parent else Unknown("super")

    def lower_navigation_expression(self, node: ts.Node, depth: int) -> Expr:
        target, suffix = node.child_by_field_name("target"), node.child_by_field_name("suffix")
        name = suffix.child_by_field_name("suffix") if suffix is not None else None
        if target is None or name is None:
            return Unknown("member expression")
        obj = self.lower(target, depth)
        if name.type == "integer_literal":
            return Index(obj, Lit(int(self.src.text(name))))
        member = self.src.text(name)
        if isinstance(obj, ClassRef) and obj != IMPLICIT_TYPE and member[:1].isupper():
            return ClassRef(f"{obj.name}.{member}")  # a nested type: `EventPlatformClient.Stream`
        return Member(obj, member)

    def lower_prefix_expression(self, node: ts.Node, depth: int) -> Expr:
        operation = node.child_by_field_name("operation")
        target = node.child_by_field_name("target")
        op = self.src.text(operation) if operation is not None else self.src.text(node)[:1]
        if op == "." and target is not None:
            return Member(IMPLICIT_TYPE, self.src.text(target))
        if op == "-" and target is not None:
            value = self.lower(target, depth)
            if isinstance(value, Lit) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
                return Lit(-value.value)
        return Unknown(f"'{op}' expression")

    def lower_call_expression(self, node: ts.Node, depth: int) -> Expr:
        callee_node = node.named_children[0]
        suffix = node.named_children[-1] if len(node.named_children) > 1 else None
        if suffix is None:
            return Unknown("call")
        if self.is_subscript(suffix):
            args, _ = self.arguments(suffix)
            key = args[0] if len(args) == 1 else Unknown("subscript")
            target = self.lower(callee_node, depth)
            if isinstance(key, Lit) and isinstance(key.value, str):
                return Member(target, key.value)
            return Index(target, key)
        if (callee_node.type == "lambda_literal"
                and not any(c.type == "value_arguments" and c.named_children for c in suffix.children)):
            return self.closure_result(callee_node, depth)
        return self.call_of(node, depth) or Unknown("call")

    def closure_result(self, closure: ts.Node, depth: int) -> Expr:
        """`{ expr }()` (a `lazy var` initialiser) is the value of its single expression."""
        statements = next((c for c in closure.named_children if c.type == "statements"), None)
        body = [c for c in statements.named_children if c.type not in COMMENTS] if statements else []
        if len(body) != 1:
            return Call(Func(self.scope_of(closure)))
        only = body[0]
        if only.type == "control_transfer_statement":
            result = only.child_by_field_name("result")
            return self.lower(result, depth) if result is not None else Unknown("empty return")
        return self.lower(only, depth)

    def lower_constructor_expression(self, node: ts.Node, depth: int) -> Expr:
        return self.call_of(node, depth) or Unknown("call")

    def type_expr(self, node: ts.Node | None) -> Expr:
        """A written type as an expression: `A.B<T>` → ClassRef("A.B") (a type declared in this
        file is looked up by its name, which may be nested in the enclosing type)."""
        if node is None:
            return Unknown("type")
        names = [self.src.text(c) for c in node.named_children if c.type == "type_identifier"] or [self.src.text(node)]
        if len(names) == 1 and names[0] in self.declared_names:
            return Ref(names[0], self.scope)
        return ClassRef(".".join(names))

    def lower_line_string_literal(self, node: ts.Node, depth: int) -> Expr:
        return self.string(node, depth, lambda text: text)

    def lower_multi_line_string_literal(self, node: ts.Node, depth: int) -> Expr:
        indent = self.closing_indent(node)

        def dedent(text: str) -> str:
            return text.replace("\n" + indent, "\n") if indent else text

        value = self.string(node, depth, dedent)
        return strip_outer_newlines(value)

    def lower_raw_string_literal(self, node: ts.Node, depth: int) -> Expr:
        opening = re.match(r'#+("""|")', self.src.text(node))
        delimiter = opening.group(0) if opening else '#"'
        closing = delimiter[::-1]

        def strip_delimiters(text: str) -> str:
            return text.removeprefix(delimiter).removesuffix(closing)

        value = self.string(node, depth, strip_delimiters, escapes=False)
        return strip_outer_newlines(value) if '"""' in delimiter else value

    def string(self, node: ts.Node, depth: int, clean, escapes: bool = True) -> Expr:
        """A string literal: Lit when it has no interpolation, else a template-literal Concat."""
        parts: list[Expr] = []
        for index, child in enumerate(node.children):
            fname = node.field_name_for_child(index)
            if fname == "text":
                text = clean(self.src.text(child))
                text = unescape_swift(text) if escapes else text
                if parts and isinstance(parts[-1], Lit):
                    parts[-1] = Lit(str(parts[-1].value) + text)
                else:
                    parts.append(Lit(text))
            elif fname == "interpolation":
                inner = child if child.type == "interpolated_expression" else child.child_by_field_name("interpolation")
                value = inner.child_by_field_name("value") if inner is not None else None
                parts.append(self.lower(value, depth) if value is not None else Unknown("interpolation"))
        parts = [p for p in parts if p != Lit("")]
        if not parts:
            return Lit("")
        if len(parts) == 1 and isinstance(parts[0], Lit):
            return parts[0]
        return Concat(tuple(parts), "template-literal")

    def closing_indent(self, node: ts.Node) -> str:
        """The indentation before a multi-line literal's closing quotes (stripped from each line)."""
        row = node.end_point[0]
        start = self.src.line_start(row)
        line = self.src.data[start : start + node.end_point[1]].decode("utf-8", errors="replace")
        prefix = line[: -3] if line.endswith('"""') else ""
        return prefix if prefix.strip() == "" else ""

    def lower_integer_literal(self, node: ts.Node, depth: int) -> Expr:
        text = self.src.text(node).replace("_", "").lower()
        base = {"0x": 16, "0o": 8, "0b": 2}.get(text[:2], 10)
        try:
            return Lit(int(text[2:] if base != 10 else text, base))
        except ValueError:
            return Unknown("number")

    lower_hex_literal = lower_oct_literal = lower_bin_literal = lower_integer_literal

    def lower_real_literal(self, node: ts.Node, depth: int) -> Expr:
        try:
            return Lit(float(self.src.text(node).replace("_", "")))
        except ValueError:
            return Unknown("number")

    def lower_boolean_literal(self, node: ts.Node, depth: int) -> Expr:
        return Lit(self.src.text(node) == "true")

    def lower_nil_literal(self, node: ts.Node, depth: int) -> Expr:
        return Lit(None)

    def lower_additive_expression(self, node: ts.Node, depth: int) -> Expr:
        op = node.child_by_field_name("op")
        if op is not None and self.src.text(op) != "+":
            return Unknown(f"'{self.src.text(op)}' expression")
        sides = (node.child_by_field_name("lhs"), node.child_by_field_name("rhs"))
        return concatenation(self.lower(side, depth) for side in sides)

    def lower_ternary_expression(self, node: ts.Node, depth: int) -> Expr:
        if_true, if_false = node.child_by_field_name("if_true"), node.child_by_field_name("if_false")
        return Cond((self.lower(if_true, depth), self.lower(if_false, depth)))

    def lower_nil_coalescing_expression(self, node: ts.Node, depth: int) -> Expr:
        value, if_nil = node.child_by_field_name("value"), node.child_by_field_name("if_nil")
        return Cond((self.lower(value, depth), self.lower(if_nil, depth)))

    def lower_dictionary_literal(self, node: ts.Node, depth: int) -> Expr:
        keys = node.children_by_field_name("key")
        values = node.children_by_field_name("value")
        entries = []
        # not strict: a dictionary with a syntax error may have a key without its value
        for key_node, value_node in zip(keys, values, strict=False):
            key = self.lower(key_node, depth)
            if isinstance(key, Lit) and isinstance(key.value, str):
                entries.append((key.value, self.lower(value_node, depth)))
        return Obj(tuple(entries))

    def lower_array_literal(self, node: ts.Node, depth: int) -> Expr:
        return Arr(tuple(self.lower(e, depth) for e in node.children_by_field_name("element")))

    def lower_tuple_expression(self, node: ts.Node, depth: int) -> Expr:
        values = node.children_by_field_name("value")
        if len(values) == 1:
            return self.lower(values[0], depth)  # a parenthesised expression
        return Arr(tuple(self.lower(v, depth) for v in values))

    def lower_lambda_literal(self, node: ts.Node, depth: int) -> Expr:
        return Func(self.scope_of(node))


def compact(text: str) -> str:
    """Source text of a dotted name or type without whitespace and comments."""
    return re.sub(r"\s+|/\*.*?\*/|//[^\n]*", "", text)


def type_name(src: SourceText, node: ts.Node) -> str | None:
    """A declared type as written, without optional markers (`Stream?` → `Stream`), for the
    simple nominal types the resolver can look up; None for function, tuple and collection types."""
    while node.type in ("optional_type", "implicitly_unwrapped_type"):
        wrapped = node.child_by_field_name("wrapped") or (node.named_children[0] if node.named_children else None)
        if wrapped is None:
            return None
        node = wrapped
    if node.type in ("user_type", "type_identifier"):
        return compact(src.text(node))
    return None


def with_expected_type(expr: Expr, expected: str | None) -> Expr:
    """Give implicit member expressions (`.x`, `.init(…)`) the type their context declares."""
    if expected is None:
        return expr
    if isinstance(expr, Member) and expr.obj == IMPLICIT_TYPE:
        return Member(ClassRef(expected), expr.prop)
    if isinstance(expr, Call) and isinstance(expr.callee, Member) and expr.callee.obj == IMPLICIT_TYPE:
        return Call(Member(ClassRef(expected), expr.callee.prop), expr.args, expr.named)
    if isinstance(expr, Cond):
        return Cond(tuple(with_expected_type(option, expected) for option in expr.options))
    return expr


def strip_outer_newlines(value: Expr) -> Expr:
    """A multi-line literal starts after the newline that follows its opening quotes and ends
    before the newline that precedes its closing quotes."""
    if isinstance(value, Lit) and isinstance(value.value, str):
        text = value.value
        return Lit(text[1:-1] if text.startswith("\n") and text.endswith("\n") and len(text) > 1 else text.strip("\n"))
    if isinstance(value, Concat):
        parts = list(value.parts)
        if isinstance(parts[0], Lit) and isinstance(parts[0].value, str):
            parts[0] = Lit(parts[0].value.removeprefix("\n"))
        if isinstance(parts[-1], Lit) and isinstance(parts[-1].value, str):
            parts[-1] = Lit(parts[-1].value.removesuffix("\n"))
        return Concat(tuple(p for p in parts if p != Lit("")), value.style)
    return value
