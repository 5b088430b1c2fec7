"""Java frontend: lowers a tree-sitter-java tree into FileFacts.

Same structure as the Kotlin frontend (the driver is jvm.ScopedLowerer): package and imports
qualify class names, a class the file declares or imports is lowered to a ClassRef with its
FQN, and a class records its `static final` constants, its fields, its methods, its
annotations and the arguments of the `super(…)` call of its first constructor that makes one
(`super_args`, lowered in that constructor's scope: `super(app, SCHEMA_NAME, REV_ID)`). The
entries of an enum are constants whose value is the construction with the entry's arguments.
"""

from __future__ import annotations

import tree_sitter as ts

from analyzer.facts import (
    MODULE_SCOPE,
    Arr,
    Binding,
    Call,
    CallSite,
    ClassDraft,
    ClassRef,
    Cond,
    Expr,
    FileFacts,
    Func,
    Index,
    Lit,
    Member,
    Ref,
    This,
    Unknown,
    concatenation,
)
from analyzer.frontends.jvm import (
    ScopedLowerer,
    TypeNames,
    bare_type,
    child_of_type,
    code_children,
    compact,
    import_value,
    is_constant_value,
    key,
    looks_like_class,
    snippet,
    unescape,
)
from analyzer.frontends.treesitter import SourceText, parser

CLASS_KINDS = {
    "class_declaration": "class",
    "interface_declaration": "interface",
    "enum_declaration": "enum",
    "record_declaration": "class",
    "annotation_type_declaration": "interface",
}


class JavaFrontend:
    language = "java"

    def lower(self, path: str, source: bytes) -> FileFacts:
        tree = parser("java").parse(source)
        lowerer = _JavaLowerer(path, SourceText(source))
        lowerer.run(tree)
        return lowerer.facts(self.language, tree)


class _JavaLowerer(ScopedLowerer):
    grammar = "java"

    def __init__(self, path: str, source: SourceText):
        super().__init__(path, source)

    # --- before the captures -----------------------------------------------------------------

    def prepare(self, root: ts.Node, captured: list[tuple[str, ts.Node]]) -> None:
        package = next((self.declared_name(c) for c in root.named_children if c.type == "package_declaration"), "")
        self.names = TypeNames(package)
        for child in root.named_children:
            if child.type == "import_declaration":
                self.read_import(child)
        for kind, node in captured:
            if kind == "class" and node.type in CLASS_KINDS:
                name = node.child_by_field_id(self.field.name)
                if name is not None:
                    outer = self.outer_class_name(node)
                    self.class_names[key(node)] = self.names.qualify_declared(outer, self.src.text(name))

    def declared_name(self, node: ts.Node) -> str:
        name = next((c for c in node.named_children if c.type in ("scoped_identifier", "identifier")), None)
        return compact(self.src.text(name)) if name is not None else ""

    def read_import(self, node: ts.Node) -> None:
        fqn = self.declared_name(node)
        if not fqn or child_of_type(node, "asterisk") is not None:
            return  # an on-demand import names nothing by itself
        if any(c.type == "static" for c in node.children):
            owner, _, member = fqn.rpartition(".")
            value: Expr = Member(ClassRef(owner), member)
        else:
            value = import_value(fqn)
        local = fqn.rsplit(".", 1)[-1]
        if isinstance(value, ClassRef):
            self.names.add_import(local, fqn)
        self.bindings.append(Binding(local, MODULE_SCOPE, value, "import", self.line(node)))

    # --- classes -----------------------------------------------------------------------------

    def on_class(self, node: ts.Node) -> None:
        scope_id = self.scope_of(node)
        line = self.line(node)
        if node.type == "class_body":
            # The body of an anonymous class: a scope, but no class to name.
            self.add_scope(scope_id, self.scope, "class", name=f"<object@{line}>", line=line)
            return
        fqn = self.class_names.get(key(node))
        if fqn is None:
            return
        record = ClassDraft(fqn, scope_id, CLASS_KINDS[node.type], line)
        self.records[scope_id] = record
        self.add_scope(scope_id, self.scope, "class", name=self.display_name(fqn), cls=fqn, line=line)
        self.bindings.append(Binding(fqn.rsplit(".", 1)[-1], self.scope, ClassRef(fqn), "class", line))
        previous, self.scope = self.scope, scope_id
        record.annotations = self.annotations(node)
        self.supertypes(node, record)
        self.record_components(node, record)
        self.enum_constants(node, record)
        self.scope = previous

    def supertypes(self, node: ts.Node, record: ClassDraft) -> None:
        superclass = node.child_by_field_id(self.field.superclass)
        if superclass is not None and superclass.named_children:
            record.parent = self.qualify(self.src.text(superclass.named_children[0]))
        # `implements` of a class or enum, `extends` of an interface
        listing = node.child_by_field_id(self.field.interfaces) or child_of_type(node, "extends_interfaces")
        types = child_of_type(listing, "type_list") if listing is not None else None
        if types is not None:
            record.interfaces.extend(self.qualify(self.src.text(t)) for t in code_children(types))

    def record_components(self, node: ts.Node, record: ClassDraft) -> None:
        """A record's components are its constructor parameters and its properties."""
        if node.type != "record_declaration":
            return
        names, types = self.parameters(node.child_by_field_id(self.field.parameters), record.scope)
        for name in names:
            record.properties.append((name, Ref(name, record.scope)))
        record.property_types.extend(types)
        self.set_parameters(record.scope, names, types)

    def enum_constants(self, node: ts.Node, record: ClassDraft) -> None:
        body = node.child_by_field_id(self.field.body) if node.type == "enum_declaration" else None
        for constant in body.named_children if body is not None else ():
            if constant.type != "enum_constant":
                continue
            name = constant.child_by_field_id(self.field.name)
            if name is None:
                continue
            args = self.arguments(constant.child_by_field_id(self.field.arguments))
            record.constants.append((self.src.text(name), Call(ClassRef(record.name), args, new=True)))

    def annotations(self, node: ts.Node) -> list[tuple[str, tuple[Expr, ...]]]:
        modifiers = child_of_type(node, "modifiers")
        found = []
        for child in modifiers.named_children if modifiers is not None else ():
            if child.type not in ("annotation", "marker_annotation"):
                continue
            name = child.child_by_field_id(self.field.name)
            arguments = child.child_by_field_id(self.field.arguments)
            values = []
            for arg in code_children(arguments) if arguments is not None else ():
                value = arg.child_by_field_id(self.field.value) if arg.type == "element_value_pair" else arg
                values.append(self.lower(value))
            found.append((compact(self.src.text(name)) if name is not None else "", tuple(values)))
        return found

    # --- methods and constructors ------------------------------------------------------------

    def on_function(self, node: ts.Node) -> None:
        scope_id = self.scope_of(node)
        line = self.line(node)
        record = self.member_of(node)
        prefix = self.owner_prefix(record)
        cls = record.name if record is not None else None
        if node.type == "lambda_expression":
            name = f"<lambda@{line}>"
        elif node.type in ("constructor_declaration", "compact_constructor_declaration"):
            name = prefix + "constructor"
        else:
            method = node.child_by_field_id(self.field.name)
            name = prefix + (self.src.text(method) if method is not None else "<method>")
        self.add_scope(scope_id, self.scope, "function", name=name, cls=cls, line=line)
        declaring, self.scope = self.scope, scope_id
        params, types = self.parameters(node.child_by_field_id(self.field.parameters), scope_id)
        self.set_parameters(scope_id, params, types)
        if node.type == "constructor_declaration" and record is not None:
            self.super_call(node, record)
            record.methods.append(("constructor", scope_id))
        body = node.child_by_field_id(self.field.body)
        if node.type == "lambda_expression" and body is not None and body.type != "block":
            self.add_return(scope_id, self.lower(body))  # `x -> expression`
        self.scope = declaring
        if node.type == "method_declaration":
            method = node.child_by_field_id(self.field.name)
            if method is not None:
                self.bindings.append(Binding(self.src.text(method), declaring, Func(scope_id), "function", line))
                if record is not None:
                    record.methods.append((self.src.text(method), scope_id))

    def parameters(self, params: ts.Node | None, scope_id: int) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
        """Names (`...name` for varargs) and declared types, each parameter bound in the scope."""
        if params is None:
            return (), ()
        params_list = [params] if params.type == "identifier" else code_children(params)  # `x -> …`
        names: list[str] = []
        types: list[tuple[str, str]] = []
        for param in params_list:
            if param.type == "identifier":
                name, type_node, spread = self.src.text(param), None, False
            elif param.type == "formal_parameter":
                name_node = param.child_by_field_id(self.field.name)
                name = self.src.text(name_node) if name_node else ""
                type_node, spread = param.child_by_field_id(self.field.type), False
            elif param.type == "spread_parameter":
                declarator = child_of_type(param, "variable_declarator")
                name_node = declarator.child_by_field_id(self.field.name) if declarator is not None else None
                type_node = next((c for c in param.named_children if c.type != "variable_declarator"), None)
                name, spread = (self.src.text(name_node) if name_node else ""), True
            else:
                continue
            if not name:
                continue
            names.append(("..." if spread else "") + name)
            if type_node is not None:
                types.append((name, self.qualify(self.src.text(type_node))))
            self.bindings.append(Binding(name, scope_id, None, "param", self.line(param)))
        return tuple(names), tuple(types)

    def super_call(self, node: ts.Node, record: ClassDraft) -> None:
        """`super(app, SCHEMA_NAME, REV_ID)`: the first constructor that makes one gives the
        superclass arguments, lowered in that constructor's scope."""
        body = node.child_by_field_id(self.field.body)
        invocation = child_of_type(body, "explicit_constructor_invocation") if body is not None else None
        if invocation is None or record.super_args:
            return
        target = invocation.child_by_field_id(self.field.constructor)
        if target is not None and target.type == "super":
            record.super_args = self.arguments(invocation.child_by_field_id(self.field.arguments))

    # --- fields, variables and assignments ---------------------------------------------------

    def on_field(self, node: ts.Node) -> None:
        record = self.member_of(node)
        modifiers = child_of_type(node, "modifiers")
        words = set(self.src.text(modifiers).split()) if modifiers is not None else set()
        static_final = {"static", "final"} <= words or node.type == "constant_declaration" or (
            record is not None and record.kind == "interface"
        )
        type_node = node.child_by_field_id(self.field.type)
        for name, value in self.declarators(node):
            if record is not None:
                if static_final and is_constant_value(value):
                    record.constants.append((name, value))
                else:
                    record.properties.append((name, value))
                if type_node is not None:
                    record.property_types.append((name, self.qualify(self.src.text(type_node))))
            kind = "const" if "final" in words or static_final else "var"
            self.bindings.append(Binding(name, self.scope, value, kind, self.line(node)))

    def on_local(self, node: ts.Node) -> None:
        modifiers = child_of_type(node, "modifiers")
        kind = "const" if modifiers is not None and "final" in self.src.text(modifiers).split() else "var"
        for name, value in self.declarators(node):
            self.bindings.append(Binding(name, self.scope, value, kind, self.line(node)))

    def declarators(self, node: ts.Node) -> list[tuple[str, Expr]]:
        found = []
        for declarator in node.children_by_field_id(self.field.declarator):
            name = declarator.child_by_field_id(self.field.name)
            value = declarator.child_by_field_id(self.field.value)
            if name is not None:
                found.append((self.src.text(name), self.lower(value) if value is not None else Lit(None)))
        return found

    def on_return(self, node: ts.Node) -> None:
        values = code_children(node)
        self.add_return(self.scope, self.lower(values[0]) if values else Lit(None))

    def on_for_in(self, node: ts.Node) -> None:
        name = node.child_by_field_id(self.field.name)
        if name is not None:
            self.bindings.append(Binding(self.src.text(name), self.scope, Unknown("loop variable"), "loop",
                                         self.line(node)))

    # --- calls -------------------------------------------------------------------------------

    def on_call(self, node: ts.Node) -> None:
        # Most calls sit inside an expression visited before them, which lowered them already.
        known = self.lowered_before(node)
        if isinstance(known, Call) and node.type == "method_invocation":
            callee, args, start = known.callee, known.args, self.method_start(node)
        else:
            callee, start = self.callee(node)
            if callee is None:
                return
            arguments = node.child_by_field_id(self.field.arguments)
            args = known.args if isinstance(known, Call) else self.arguments(arguments)
        self.calls.append(
            CallSite(
                callee=callee,
                args=args,
                scope=self.scope,
                span=self.src.span(start, node),
                new=node.type == "object_creation_expression",
                snippet=snippet(self.src, start, node),
            )
        )

    def callee(self, node: ts.Node) -> tuple[Expr | None, ts.Node]:
        """The lowered callee and where a finding starts: the method name for a call on the
        result of another call (a chain), so that each link points at its own line."""
        if node.type == "object_creation_expression":
            type_node = node.child_by_field_id(self.field.type)
            return (self.type_value(type_node) if type_node is not None else None), node
        name = node.child_by_field_id(self.field.name)
        if name is None:
            return None, node
        obj = node.child_by_field_id(self.field.object)
        callee = Ref(self.src.text(name), self.scope) if obj is None else Member(self.lower(obj), self.src.text(name))
        return callee, self.method_start(node)

    def method_start(self, node: ts.Node) -> ts.Node:
        """Where the finding of a method call starts: its name for a call on the result of
        another call (a chain), so that each link points at its own line; else its receiver."""
        name = node.child_by_field_id(self.field.name)
        obj = node.child_by_field_id(self.field.object)
        if name is None:
            return node
        if obj is None or obj.type in ("method_invocation", "object_creation_expression"):
            return name
        return obj

    def arguments(self, args: ts.Node | None) -> tuple[Expr, ...]:
        # tuple() of a list: feeding it a generator costs more (arguments are lowered per call)
        return tuple([self.lower(a) for a in code_children(args)]) if args is not None else ()

    def type_value(self, node: ts.Node) -> Expr:
        """A type named in `new X(…)`: a ClassRef when this file knows the class."""
        written = bare_type(self.src.text(node))
        known = self.class_ref(written)
        if known is not None:
            return known
        first, *rest = written.split(".")
        expr: Expr = Ref(first, self.scope)
        for part in rest:
            expr = Member(expr, part)
        return expr

    # --- expressions -------------------------------------------------------------------------

    def lower_parenthesized_expression(self, node: ts.Node, depth: int) -> Expr:
        """`(x)` is x, and so is the cast `(T) x`."""
        inner = code_children(node)
        return self.lower(inner[0], depth) if inner else Unknown(node.type)

    def lower_cast_expression(self, node: ts.Node, depth: int) -> Expr:
        return self.lower(node.child_by_field_id(self.field.value), depth)

    def lower_lambda_expression(self, node: ts.Node, depth: int) -> Expr:
        return Func(self.scope_of(node))

    def lower_decimal_integer_literal(self, node: ts.Node, depth: int) -> Expr:
        text = self.src.text(node).replace("_", "").rstrip("lL")
        if len(text) > 1 and text.startswith("0") and text[1:].isdigit():
            text = "0o" + text[1:]  # a Java octal literal
        try:
            return Lit(int(text, 0))
        except ValueError:
            return Unknown("number")

    lower_hex_integer_literal = lower_decimal_integer_literal
    lower_octal_integer_literal = lower_binary_integer_literal = lower_decimal_integer_literal

    def lower_decimal_floating_point_literal(self, node: ts.Node, depth: int) -> Expr:
        try:
            return Lit(float(self.src.text(node).replace("_", "").rstrip("fFdD")))
        except ValueError:
            return Unknown("number")

    def lower_string_literal(self, node: ts.Node, depth: int) -> Expr:
        text = []
        for child in node.named_children:
            if child.type in ("string_fragment", "multiline_string_fragment", "escape_sequence"):
                text.append(unescape(self.src.text(child)))
        return Lit("".join(text))

    def lower_character_literal(self, node: ts.Node, depth: int) -> Expr:
        return Lit(unescape(self.src.text(node)[1:-1]))

    def lower_true(self, node: ts.Node, depth: int) -> Expr:
        return Lit(True)

    def lower_false(self, node: ts.Node, depth: int) -> Expr:
        return Lit(False)

    def lower_null_literal(self, node: ts.Node, depth: int) -> Expr:
        return Lit(None)

    def lower_identifier(self, node: ts.Node, depth: int) -> Expr:
        name = self.src.text(node)
        if looks_like_class(name):
            known = self.class_ref(name)
            if known is not None:
                return known
        return Ref(name, self.scope)

    def lower_this(self, node: ts.Node, depth: int) -> Expr:
        return This(self.enclosing_class())

    def lower_super(self, node: ts.Node, depth: int) -> Expr:
        """`super` is the superclass: `super.m()` calls its method."""
        return self.superclass()

    def lower_field_access(self, node: ts.Node, depth: int) -> Expr:
        obj, field = node.child_by_field_id(self.field.object), node.child_by_field_id(self.field.field)
        if obj is None or field is None:
            return Unknown("field access")
        target = self.lower(obj, depth)
        name = self.src.text(field)
        if isinstance(target, ClassRef) and looks_like_class(name):
            return ClassRef(f"{target.name}.{name}")  # a nested class: `Outer.Inner`
        return Member(target, name)

    def lower_method_invocation(self, node: ts.Node, depth: int) -> Expr:
        callee, _ = self.callee(node)
        if callee is None:
            return Unknown("call")
        arguments = code_children(node.child_by_field_id(self.field.arguments))
        return Call(callee, tuple([self.lower(a, depth) for a in arguments]))

    def lower_object_creation_expression(self, node: ts.Node, depth: int) -> Expr:
        callee, _ = self.callee(node)
        args_node = node.child_by_field_id(self.field.arguments)
        args = tuple([self.lower(a, depth) for a in code_children(args_node)]) if args_node is not None else ()
        return Call(callee or Unknown("anonymous class"), args, new=True)

    def lower_array_access(self, node: ts.Node, depth: int) -> Expr:
        target = self.lower(node.child_by_field_id(self.field.array), depth)
        index = self.lower(node.child_by_field_id(self.field.index), depth)
        if isinstance(index, Lit) and isinstance(index.value, str):
            return Member(target, index.value)
        return Index(target, index)

    def lower_binary_expression(self, node: ts.Node, depth: int) -> Expr:
        operator = node.child_by_field_id(self.field.operator)
        op = self.src.text(operator) if operator is not None else ""
        left, right = node.child_by_field_id(self.field.left), node.child_by_field_id(self.field.right)
        if op != "+":
            return Unknown(f"'{op}' expression")
        return concatenation(self.lower(side, depth) for side in (left, right))

    def lower_ternary_expression(self, node: ts.Node, depth: int) -> Expr:
        return Cond(
            (
                self.lower(node.child_by_field_id(self.field.consequence), depth),
                self.lower(node.child_by_field_id(self.field.alternative), depth),
            )
        )

    def lower_array_initializer(self, node: ts.Node, depth: int) -> Expr:
        return Arr(tuple(self.lower(c, depth) for c in code_children(node)))

    def lower_array_creation_expression(self, node: ts.Node, depth: int) -> Expr:
        initializer = node.child_by_field_id(self.field.value)
        return self.lower_array_initializer(initializer, depth) if initializer is not None else Unknown("new array")
