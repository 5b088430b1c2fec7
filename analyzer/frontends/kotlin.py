"""Kotlin frontend: lowers a tree-sitter-kotlin tree into FileFacts.

It mirrors the JavaScript frontend: one query (rules/queries/kotlin/facts.scm) captures the
nodes that open scopes or state facts, captures are visited outermost first with a stack of
open scopes, and expressions are lowered on demand to a bounded depth. What Kotlin adds:

- Names are qualified by package and imports (jvm.TypeNames). A class the file declares or
  imports is lowered to a ClassRef carrying its FQN; a call of a class is a Call with new=True
  (for a name the file does not know, an UpperCamelCase name is taken for a class: Kotlin's
  naming convention, broken mainly by Compose functions). A class of the same package declared
  in another file keeps its simple name (a Ref); the module scope is named after the package.
- A class records its primary-constructor parameters as its scope's params (param bindings
  carry the default value), the arguments of the superclass constructor call in its header
  (`super_args`, lowered in the class scope), its annotations with their arguments, and the
  members of its companion object as its own. Members are also bound in the class scope,
  since a method reaches them by simple name.
- Calls record named arguments separately (`named`); a trailing lambda is the last positional
  argument.

Quirks of tree-sitter-kotlin 1.1 handled here: a short string template `$name` in a plain
string is parsed as text (split out again below); annotations above a class sometimes come out
as a separate `annotated_expression` statement just before it; and a Kotlin 2.1 multi-dollar
string (`$$"$schema"`) derails the parse of the rest of the file, so such a file is parsed
again with the `$` prefixes blanked out (and gets a diagnostic).
"""

from __future__ import annotations

import re

import tree_sitter as ts

from analyzer.facts import (
    MODULE_SCOPE,
    Arr,
    Binding,
    Call,
    CallSite,
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
    ParseProblem,
    Ref,
    This,
    Unknown,
    concatenation,
)
from analyzer.frontends.jvm import (
    COMMENTS,
    ScopedLowerer,
    TypeNames,
    bare_type,
    child_of_type,
    code_children,
    compact,
    has_child,
    import_value,
    is_constant_value,
    key,
    last_named_child,
    looks_like_class,
    snippet,
    unescape,
)
from analyzer.frontends.treesitter import SourceText, parser
from analyzer.model import Span

TYPE_NODES = frozenset({"user_type", "nullable_type", "function_type", "parenthesized_type", "non_nullable_type"})
# What a lambda's last statement is not: its parameters, its label or a comment.
LAMBDA_HEAD = COMMENTS | {"lambda_parameters", "label"}
SIMPLE_TEMPLATE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# Kotlin 2.1 multi-dollar strings (`$$"$schema"`, `$$"""…"""`): the `$` run before the quote,
# where an expression can start (never inside another string).
MULTI_DOLLAR = re.compile(rb'(?:(?<=[\s(\[{=,:+])|^)(\$\$+)(?="|""")', re.MULTILINE)


class KotlinFrontend:
    language = "kotlin"

    def lower(self, path: str, source: bytes) -> FileFacts:
        tree = parser("kotlin").parse(source)
        multi_dollar: dict[int, int] = {}
        if tree.root_node.has_error:
            # The grammar predates multi-dollar strings and loses the rest of the file at the
            # first one. Blank out their `$` prefixes (offsets unchanged) and parse again.
            multi_dollar = {m.end(1): len(m.group(1)) for m in MULTI_DOLLAR.finditer(source)}
            if multi_dollar:
                masked = MULTI_DOLLAR.sub(lambda m: b" " * len(m.group(1)), source)
                tree = parser("kotlin").parse(masked)
        lowerer = _KotlinLowerer(path, SourceText(source), multi_dollar)
        lowerer.run(tree)
        return lowerer.facts(self.language, tree)


class _KotlinLowerer(ScopedLowerer):
    grammar = "kotlin"

    def __init__(self, path: str, source: SourceText, multi_dollar: dict[int, int] | None = None):
        super().__init__(path, source)
        self.function_names: set[str] = set()
        self.merged_calls: set[tuple[int, int]] = set()  # inner calls of `f(x) { … }`
        self.multi_dollar = multi_dollar or {}  # opening quote offset → number of `$`
        if self.multi_dollar:
            self.problems.append(multi_dollar_problem(source, self.multi_dollar))

    # --- before the captures -----------------------------------------------------------------

    def prepare(self, root: ts.Node, captured: list[tuple[str, ts.Node]]) -> None:
        top_level = root.named_children
        package = next((self.dotted(c) for c in top_level if c.type == "package_header"), "")
        self.names = TypeNames(package)
        for child in top_level:
            if child.type == "import":
                self.read_import(child)
        for kind, node in captured:
            if kind == "class" and node.type != "object_literal":
                name = node.child_by_field_id(self.field.name)
                if name is not None:
                    outer = self.outer_class_name(node)
                    self.class_names[key(node)] = self.names.qualify_declared(outer, self.src.text(name))
            elif kind == "function" and node.type == "function_declaration":
                name = node.child_by_field_id(self.field.name)
                if name is not None:
                    self.function_names.add(self.src.text(name))

    def dotted(self, node: ts.Node) -> str:
        ident = child_of_type(node, "qualified_identifier")
        return compact(self.src.text(ident)) if ident is not None else ""

    def read_import(self, node: ts.Node) -> None:
        # One pass over the children for the path, the `*` and the alias (`import a.B as C`);
        # the grammar has no unnamed token called identifier or qualified_identifier.
        path: ts.Node | None = None
        alias: ts.Node | None = None
        star = False
        for child in node.children:
            kind = child.type
            if kind == "qualified_identifier" and path is None:
                path = child
            elif kind == "identifier" and alias is None:
                alias = child
            elif kind == "*":
                star = True
        fqn = compact(self.src.text(path)) if path is not None else ""
        if not fqn or star:
            return  # a star import names nothing by itself
        local = self.src.text(alias) if alias is not None else fqn.rsplit(".", 1)[-1]
        value = import_value(fqn)
        if isinstance(value, ClassRef):
            self.names.add_import(local, fqn)
        self.bindings.append(Binding(local, MODULE_SCOPE, value, "import", self.line(node)))

    # --- classes -----------------------------------------------------------------------------

    def on_class(self, node: ts.Node) -> None:
        scope_id = self.scope_of(node)
        line = self.line(node)
        if node.type == "object_literal":
            # An anonymous object: its members get a scope, but there is no class to name.
            self.add_scope(scope_id, self.scope, "class", name=f"<object@{line}>", line=line)
            return
        fqn = self.class_names.get(key(node))
        if fqn is None:
            return
        record = ClassDraft(fqn, scope_id, class_kind(node), line)
        self.records[scope_id] = record
        self.add_scope(scope_id, self.scope, "class", name=self.display_name(fqn), cls=fqn, line=line)
        self.bindings.append(Binding(fqn.rsplit(".", 1)[-1], self.scope, ClassRef(fqn), "class", line))
        record.annotations = self.detached_annotations(node) + self.annotations(node)
        previous, self.scope = self.scope, scope_id
        self.primary_constructor(node, record)
        self.supertypes(node, record)
        self.enum_entries(node, record)
        self.scope = previous

    def primary_constructor(self, node: ts.Node, record: ClassDraft) -> None:
        constructor = child_of_type(node, "primary_constructor")
        parameters = child_of_type(constructor, "class_parameters") if constructor is not None else None
        names: list[str] = []
        types: list[tuple[str, str]] = []
        for param in parameters.named_children if parameters is not None else ():
            if param.type != "class_parameter":
                continue
            name_node = child_of_type(param, "identifier")
            if name_node is None:
                continue
            name = self.src.text(name_node)
            names.append(name)
            type_node = type_child(param)
            if type_node is not None:
                types.append((name, self.qualify(self.src.text(type_node))))
            default = value_after(param, "=")
            default_value = self.lower(default) if default is not None else None
            self.bindings.append(Binding(name, record.scope, default_value, "param", self.line(param)))
            if has_child(param, "val", "var"):
                record.properties.append((name, Ref(name, record.scope)))
                if type_node is not None:
                    record.property_types.append(types[-1])
        self.set_parameters(record.scope, tuple(names), tuple(types))

    def supertypes(self, node: ts.Node, record: ClassDraft) -> None:
        """The superclass (the supertype called as a constructor) with its arguments, and the
        interfaces."""
        specifiers = child_of_type(node, "delegation_specifiers")
        for spec in specifiers.named_children if specifiers is not None else ():
            inner = spec.named_children[0] if spec.named_children else None
            if inner is None:
                continue
            if inner.type == "constructor_invocation" and record.parent is None:
                type_node = child_of_type(inner, "user_type")
                record.parent = self.qualify(self.src.text(type_node)) if type_node is not None else None
                record.super_args, record.super_named = self.arguments(child_of_type(inner, "value_arguments"), None)
            elif inner.type in ("user_type", "explicit_delegation", "constructor_invocation"):
                type_node = inner if inner.type == "user_type" else child_of_type(inner, "user_type")
                if type_node is not None:
                    record.interfaces.append(self.qualify(self.src.text(type_node)))

    def enum_entries(self, node: ts.Node, record: ClassDraft) -> None:
        """Each entry of an enum class is an instance built with the entry's arguments."""
        body = child_of_type(node, "enum_class_body")
        for entry in body.named_children if body is not None else ():
            if entry.type != "enum_entry":
                continue
            name = child_of_type(entry, "identifier")
            if name is None:
                continue
            args, named = self.arguments(child_of_type(entry, "value_arguments"), None)
            record.constants.append((self.src.text(name), Call(ClassRef(record.name), args, named, new=True)))

    def annotations(self, node: ts.Node) -> list[tuple[str, tuple[Expr, ...]]]:
        modifiers = child_of_type(node, "modifiers")
        found = []
        for child in modifiers.named_children if modifiers is not None else ():
            if child.type == "annotation":
                found.append(self.annotation(child))
        return found

    def annotation(self, node: ts.Node) -> tuple[str, tuple[Expr, ...]]:
        invocation = child_of_type(node, "constructor_invocation")
        type_node = child_of_type(invocation or node, "user_type")
        name = compact(self.src.text(type_node)) if type_node is not None else ""
        args = child_of_type(invocation, "value_arguments")
        values = [code_children(a)[-1] for a in (args.named_children if args is not None else ()) if code_children(a)]
        return name, tuple(self.lower(v) for v in values)  # in written order, named or not

    def detached_annotations(self, node: ts.Node) -> list[tuple[str, tuple[Expr, ...]]]:
        """Annotations the grammar parsed as an `annotated_expression` statement right before
        the class: `@A @B("x") class C` can come out as `@A @B ("x")` followed by `class C`."""
        previous = node.prev_named_sibling
        if previous is None or previous.type != "annotated_expression":
            return []
        if self.src.data[previous.end_byte : node.start_byte].strip():
            return []
        found: list[tuple[str, tuple[Expr, ...]]] = []
        current = previous
        while current.type == "annotated_expression":
            annotation = child_of_type(current, "annotation")
            if annotation is not None:
                found.append(self.annotation(annotation))
            current = current.named_children[-1]
        if current.type == "parenthesized_expression" and found and not found[-1][1]:
            inner = [c for c in current.named_children if c.type not in COMMENTS]
            found[-1] = (found[-1][0], tuple(self.lower(c) for c in inner))
        return found

    # --- functions ---------------------------------------------------------------------------

    def on_function(self, node: ts.Node) -> None:
        if node.type == "lambda_literal":
            self.on_lambda(node)
            return
        scope_id = self.scope_of(node)
        line = self.line(node)
        record = self.member_of(node)
        name, cls = self.function_name(node, record)
        self.add_scope(scope_id, self.scope, "function", name=name, cls=cls, line=line)
        declaring, self.scope = self.scope, scope_id
        params, types = self.parameters(child_of_type(node, "function_value_parameters"), scope_id)
        self.set_parameters(scope_id, params, types)
        if node.type == "secondary_constructor":
            self.constructor_delegation(node, record or self.records.get(declaring))
        self.implicit_return(node, scope_id)
        self.scope = declaring
        if node.type == "function_declaration":
            self.declare_function(node, scope_id, record)

    def on_lambda(self, node: ts.Node) -> None:
        """A lambda has no name, is never a member (so its parent, which tree-sitter finds by a
        walk down from the root, is not asked for) and has parameters of its own form."""
        scope_id = self.scope_of(node)
        line = self.line(node)
        self.add_scope(scope_id, self.scope, "function", name=f"<lambda@{line}>", cls=None, line=line)
        declaring, self.scope = self.scope, scope_id
        params, types = self.lambda_parameters(node, scope_id)
        self.set_parameters(scope_id, params, types)
        self.implicit_return(node, scope_id)
        self.scope = declaring

    def function_name(self, node: ts.Node, record: ClassDraft | None) -> tuple[str, str | None]:
        """A readable name (`BreadCrumbLogEvent.logClick`, `Context.instrument`) and the class
        `this` is inside it: the class of a member, the receiver type of an extension."""
        owner = record or self.records.get(self.scope)
        prefix = self.owner_prefix(owner)
        cls = owner.name if owner is not None else None
        if node.type == "function_declaration":
            fname = node.child_by_field_id(self.field.name)
            receiver = self.receiver_type(node)
            base = (f"{receiver}." if receiver else "") + (self.src.text(fname) if fname is not None else "<fun>")
            if record is not None:
                return prefix + base, cls
            return base, self.qualify(receiver) if receiver else None
        if node.type == "secondary_constructor":
            return prefix + "constructor", cls
        if node.type == "anonymous_initializer":
            return prefix + "init", cls
        if node.type in ("getter", "setter") and node.parent is not None:
            prop = node.parent
            variable = child_of_type(prop, "variable_declaration")
            pname = self.src.text(child_of_type(variable, "identifier")) if variable is not None else "<property>"
            member = self.member_of(prop)
            receiver = self.receiver_type(prop)
            base = (f"{receiver}." if receiver else "") + pname + ("" if node.type == "getter" else ".set")
            if member is not None:
                return self.owner_prefix(member) + base, member.name
            return base, self.qualify(receiver) if receiver else None
        return f"<function@{self.line(node)}>", None

    def receiver_type(self, node: ts.Node) -> str:
        """`Context` for an extension (`fun Context.foo()`, `val Context.instrument`), else ""."""
        for child in node.children:
            if child.type in ("identifier", "variable_declaration", "function_value_parameters"):
                return ""
            if child.type in TYPE_NODES:
                return bare_type(self.src.text(child))
        return ""

    def parameters(self, params: ts.Node | None, scope_id: int) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
        """Parameter names (`...name` for a vararg) and types; each parameter is bound in the
        function scope with its default value."""
        names: list[str] = []
        types: list[tuple[str, str]] = []
        vararg = False
        children = params.children if params is not None else []
        for index, child in enumerate(children):
            if child.type == "parameter_modifiers":
                vararg = "vararg" in self.src.text(child)
            elif child.type == "parameter":
                name_node = child_of_type(child, "identifier")
                if name_node is None:
                    continue
                name = self.src.text(name_node)
                names.append(("..." if vararg else "") + name)
                vararg = False
                type_node = type_child(child)
                if type_node is not None:
                    types.append((name, self.qualify(self.src.text(type_node))))
                default = default_after(children, index)
                value = self.lower(default) if default is not None else None
                self.bindings.append(Binding(name, scope_id, value, "param", self.line(child)))
        return tuple(names), tuple(types)

    def lambda_parameters(self, node: ts.Node, scope_id: int) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
        """`{ a, (b, c) -> … }`; a lambda without parameters has the implicit `it`."""
        params = child_of_type(node, "lambda_parameters")
        if params is None:
            self.bindings.append(Binding("it", scope_id, None, "param", self.line(node)))
            return ("it",), ()
        names: list[str] = []
        for index, param in enumerate(c for c in params.named_children if c.type not in COMMENTS):
            if param.type == "variable_declaration":
                name = self.src.text(child_of_type(param, "identifier") or param)
                names.append(name)
                self.bindings.append(Binding(name, scope_id, None, "param", self.line(param)))
            else:
                synthetic = f"#param{index}"
                names.append(synthetic)
                self.bindings.extend(self.destructure(param, Ref(synthetic, scope_id), scope_id, "param"))
        return tuple(names), ()

    def implicit_return(self, node: ts.Node, scope_id: int) -> None:
        """What a function returns without `return`: an expression body (`fun f() = x`) or
        a lambda's last expression."""
        if node.type == "lambda_literal":
            last = last_named_child(node, LAMBDA_HEAD)
            if last is not None:
                self.add_return(scope_id, self.lower(last))
            return
        body = child_of_type(node, "function_body")
        if body is not None and has_child(body, "=") and body.named_children:
            self.add_return(scope_id, self.lower(body.named_children[-1]))

    def on_return(self, node: ts.Node) -> None:
        """`return x` leaves the nearest `fun` (lambdas are inlined), `return@label x` the
        lambda it is written in."""
        label = node.child_by_field_id(self.field.label)
        values = [c for c in code_children(node) if label is None or key(c) != key(label)]
        value = self.lower(values[-1]) if values else Lit(None)
        scope_id: int | None = self.scope
        while label is None and scope_id is not None and scope_id in self.scope_by_id:
            scope = self.scope_by_id[scope_id]
            if not (scope.name or "").startswith("<lambda@"):
                break
            scope_id = scope.parent
        if scope_id is not None:
            self.add_return(scope_id, value)

    def constructor_delegation(self, node: ts.Node, record: ClassDraft | None) -> None:
        """`constructor(…) : super(…)` gives the superclass arguments when the header has none."""
        delegation = child_of_type(node, "constructor_delegation_call")
        if record is None or delegation is None or record.super_args or record.super_named:
            return
        if not has_child(delegation, "super"):
            return
        record.super_args, record.super_named = self.arguments(child_of_type(delegation, "value_arguments"), None)
        if record.parent is None and record.interfaces:
            record.parent = record.interfaces.pop(0)

    def declare_function(self, node: ts.Node, scope_id: int, record: ClassDraft | None) -> None:
        fname = node.child_by_field_id(self.field.name)
        if fname is None:
            return
        name = self.src.text(fname)
        self.bindings.append(Binding(name, self.scope, Func(scope_id), "function", self.line(node)))
        if record is not None:
            record.methods.append((name, scope_id))
        elif node.parent is not None and node.parent.type == "source_file" and not is_private(node):
            receiver = self.receiver_type(node)
            self.exports.append(((f"{receiver}." if receiver else "") + name, Func(scope_id)))

    # --- properties and assignments ----------------------------------------------------------

    def on_property(self, node: ts.Node) -> None:
        line = self.line(node)
        mutable = has_child(node, "var")
        value = self.property_value(node)
        variable = child_of_type(node, "variable_declaration")
        if variable is None:
            destructured = child_of_type(node, "multi_variable_declaration")
            if destructured is not None and value is not None:
                self.bindings.extend(self.destructure(destructured, value, self.scope, "var" if mutable else "const"))
            return
        name = self.src.text(child_of_type(variable, "identifier") or variable)
        type_node = type_child(variable)
        receiver = self.receiver_type(node)
        top_level = node.parent is not None and node.parent.type == "source_file"
        if receiver:
            # An extension property is reached as `x.name`, never by its bare name.
            if top_level and not is_private(node):
                exported = value if value is not None else Unknown("extension property")
                self.exports.append((f"{receiver}.{name}", exported))
            return
        record = self.member_of(node)
        if record is not None:
            self.add_member(node, record, name, value, type_node, mutable)
        kind = "var" if mutable or value is None else ("define" if top_level else "const")
        self.bindings.append(Binding(name, self.scope, value, kind, line))
        if top_level and not is_private(node):
            self.exports.append((name, Ref(name, MODULE_SCOPE)))

    def add_member(self, node: ts.Node, record: ClassDraft, name: str, value: Expr | None,
                   type_node: ts.Node | None, mutable: bool) -> None:
        """A `const val`, or a `val` of a companion or object with a constant initialiser, is a
        constant of the class; anything else is a property."""
        static = record.kind == "object" or in_companion(node)
        is_const = has_modifier(node, self.src, "const") or (static and not mutable and is_constant_value(value))
        if is_const and value is not None:
            record.constants.append((name, value))
        else:
            record.properties.append((name, value if value is not None else Lit(None)))
        if type_node is not None:
            record.property_types.append((name, self.qualify(self.src.text(type_node))))

    def property_value(self, node: ts.Node) -> Expr | None:
        """The initialiser; for `by lazy { … }` the lambda's result; for a property with only an
        expression-bodied getter, that expression (a block-bodied getter is a function)."""
        initialiser = value_after(node, "=")
        if initialiser is not None:
            return self.lower(initialiser)
        delegate = child_of_type(node, "property_delegate")
        if delegate is not None:
            return self.delegate_value(delegate)
        getter = child_of_type(node, "getter")
        if getter is not None:
            body = child_of_type(getter, "function_body")
            if body is not None and has_child(body, "="):
                return self.lower(body.named_children[-1]) if body.named_children else None
            return Call(Func(self.scope_of(getter)))  # reading the property runs its getter
        return None

    def delegate_value(self, delegate: ts.Node) -> Expr:
        call = child_of_type(delegate, "call_expression")
        if call is not None and call.named_children and self.src.text(call.named_children[0]) == "lazy":
            lam = child_of_type(child_of_type(call, "annotated_lambda") or call, "lambda_literal")
            statements = code_children(lam) if lam is not None else []
            if statements:
                return self.lower(statements[-1])
        return Unknown("delegated property")

    def destructure(self, pattern: ts.Node, value: Expr, scope: int, kind: str) -> list[Binding]:
        """`val (a, b) = pair`: each name is the component at its position."""
        out = []
        for index, part in enumerate(c for c in pattern.named_children if c.type == "variable_declaration"):
            name = child_of_type(part, "identifier")
            if name is not None and self.src.text(name) != "_":
                out.append(Binding(self.src.text(name), scope, Index(value, Lit(index)), kind, self.line(part)))
        return out

    def on_for_in(self, node: ts.Node) -> None:
        line = self.line(node)
        for child in node.named_children:
            if child.type == "variable_declaration":
                name = child_of_type(child, "identifier")
                if name is not None:
                    self.bindings.append(Binding(self.src.text(name), self.scope, Unknown("loop variable"), "loop",
                                                 line))
            elif child.type == "multi_variable_declaration":
                self.bindings.extend(self.destructure(child, Unknown("loop variable"), self.scope, "loop"))

    # --- calls -------------------------------------------------------------------------------

    def on_call(self, node: ts.Node) -> None:
        if key(node) in self.merged_calls:
            return
        callee_node, args_node, lambda_node, inner = self.call_parts(node)
        if callee_node is None:
            return
        if inner is not None:
            self.merged_calls.add(key(inner))
        call = self.call_value(node, callee_node, args_node, lambda_node)
        start = self.span_start(callee_node)
        self.calls.append(
            CallSite(
                callee=call.callee,
                args=call.args,
                scope=self.scope,
                span=self.src.span(start, node),
                named=call.named,
                new=call.new,
                snippet=snippet(self.src, start, node),
            )
        )

    def call_value(self, node: ts.Node, callee_node: ts.Node, args_node: ts.Node | None,
                   lambda_node: ts.Node | None) -> Call:
        """The call lowered in this scope. Most calls sit inside an expression visited before
        them (a chain, an argument, an initialiser), which lowered them already."""
        known = self.lowered_before(node)
        if isinstance(known, Call):
            return known
        args, named = self.arguments(args_node, lambda_node)
        callee = self.lower(callee_node)
        return Call(callee, args, named, new=self.constructs(callee))

    def call_parts(self, node: ts.Node) -> tuple[ts.Node | None, ts.Node | None, ts.Node | None, ts.Node | None]:
        """(callee, value_arguments, trailing lambda, merged inner call). The grammar parses
        `f(x) { … }` as a call of `f(x)` with a lambda; that is one call of `f`."""
        callee: ts.Node | None = None
        args: ts.Node | None = None
        trailing: ts.Node | None = None
        for child in node.named_children:  # one pass: each access of named_children builds all the nodes
            kind = child.type
            if callee is None and kind not in COMMENTS:
                callee = child
            if kind == "value_arguments" and args is None:
                args = child
            elif kind == "annotated_lambda" and trailing is None:
                trailing = child
        if callee is None:
            return None, None, None, None
        if callee.type == "call_expression" and args is None and trailing is not None:
            inner_callee, inner_args, inner_trailing, _ = self.call_parts(callee)
            if inner_trailing is None and inner_args is not None:
                return inner_callee, inner_args, trailing, callee
        return callee, args, trailing, None

    def arguments(self, args_node: ts.Node | None,
                  trailing: ts.Node | None) -> tuple[tuple[Expr, ...], tuple[tuple[str, Expr], ...]]:
        """Positional and named arguments. Kotlin allows a positional argument after named
        ones only when those are in their own positions, so every argument up to the last
        positional one is listed by position (named ones also by name)."""
        items: list[tuple[str | None, Expr]] = []
        for arg in args_node.named_children if args_node is not None else ():
            if arg.type != "value_argument":
                continue
            parts, assigned = parts_and_token(arg, "=")
            if not parts:
                continue
            value_node = parts[-1]
            name = self.src.text(parts[0]) if len(parts) > 1 and assigned else None
            value = Unknown("spread argument") if value_node.type == "spread_expression" else self.lower(value_node)
            items.append((name, value))
        named = tuple([item for item in items if item[0] is not None])
        end = len(items)  # by position: all up to the last argument without a name
        while end and items[end - 1][0] is not None:
            end -= 1
        args = [value for _, value in items[:end]]
        if trailing is not None:
            args.append(self.lower(trailing))
        return tuple(args), named

    def constructs(self, callee: Expr) -> bool:
        """Whether a call builds an object: the callee is a known class, or an unknown
        UpperCamelCase name that is not a function of this file."""
        if isinstance(callee, ClassRef):
            return True
        if isinstance(callee, Ref):
            return looks_like_class(callee.name) and callee.name not in self.function_names
        if isinstance(callee, Member):
            return looks_like_class(callee.prop)
        return False

    def span_start(self, callee: ts.Node) -> ts.Node:
        """For a call on the result of another call (`getInstrument(…)\\n.submitInteraction(…)`)
        the finding starts at the method name, so each link points at its own line."""
        if callee.type == "navigation_expression":
            parts = code_children(callee)
            if len(parts) >= 2 and parts[0].type == "call_expression":
                return parts[-1]
        return callee

    # --- expressions -------------------------------------------------------------------------

    def lower_parenthesized_expression(self, node: ts.Node, depth: int) -> Expr:
        """`(x)`, `@Ann x` and `label@ x` are x."""
        inner = code_children(node)
        return self.lower(inner[-1], depth) if inner else Unknown(node.type)

    lower_annotated_expression = lower_labeled_expression = lower_parenthesized_expression

    def lower_lambda_literal(self, node: ts.Node, depth: int) -> Expr:
        """A function value; its body is lowered when its own capture is visited."""
        return Func(self.scope_of(node))

    lower_anonymous_function = lower_lambda_literal

    def lower_string_literal(self, node: ts.Node, depth: int) -> Expr:
        if node.start_byte in self.multi_dollar:
            return self.multi_dollar_string(node)
        raw = node.type == "multiline_string_literal"
        parts: list[Expr] = []
        text_run: list[str] = []

        def flush() -> None:
            if text_run:
                parts.extend(self.template_text("".join(text_run), raw))
                text_run.clear()

        for child in node.named_children:
            if child.type == "string_content":
                text_run.append(self.src.text(child))
            elif child.type == "escape_sequence":
                flush()
                parts.append(Lit(unescape(self.src.text(child))))
            elif child.type == "interpolation":
                flush()
                inner = code_children(child)
                parts.append(self.lower(inner[0], depth) if inner else Lit(""))
        flush()
        return string_value(parts)

    lower_multiline_string_literal = lower_string_literal

    def multi_dollar_string(self, node: ts.Node) -> Expr:
        """`$$"…"`: a single `$` is text; templates need as many `$` as the prefix has."""
        quote = '"""' if node.type == "multiline_string_literal" else '"'
        text = self.src.text(node)[len(quote) : -len(quote)]
        dollars = "$" * self.multi_dollar[node.start_byte]
        if re.search(re.escape(dollars) + r"[A-Za-z_{]", text):
            return Unknown("multi-dollar string template")
        return Lit(text if quote == '"""' else unescape(text))

    def template_text(self, text: str, raw: bool) -> list[Expr]:
        """Literal text, with the `$name` templates the grammar leaves inside it as Refs."""
        parts: list[Expr] = []
        position = 0
        for match in SIMPLE_TEMPLATE.finditer(text):
            if match.start() > position:
                parts.append(Lit(self.literal_text(text[position : match.start()], raw)))
            parts.append(self.name_value(match.group(1)))
            position = match.end()
        if position < len(text):
            parts.append(Lit(self.literal_text(text[position:], raw)))
        return parts

    @staticmethod
    def literal_text(text: str, raw: bool) -> str:
        return text if raw else unescape(text)

    def lower_character_literal(self, node: ts.Node, depth: int) -> Expr:
        return Lit(unescape(self.src.text(node)[1:-1]))

    def lower_number_literal(self, node: ts.Node, depth: int) -> Expr:
        text = self.src.text(node).replace("_", "").rstrip("uUlL")
        try:
            return Lit(int(text, 0))
        except ValueError:
            return Unknown("number")

    def lower_float_literal(self, node: ts.Node, depth: int) -> Expr:
        try:
            return Lit(float(self.src.text(node).replace("_", "").rstrip("fFdD")))
        except ValueError:
            return Unknown("number")

    def lower_identifier(self, node: ts.Node, depth: int) -> Expr:
        return self.name_value(self.src.text(node))

    def name_value(self, name: str) -> Expr:
        if name in ("true", "false"):
            return Lit(name == "true")
        if name == "null":
            return Lit(None)
        if looks_like_class(name):
            known = self.class_ref(name)
            if known is not None:
                return known
        return Ref(name, self.scope)

    def lower_as_expression(self, node: ts.Node, depth: int) -> Expr:
        """`x as T` is x; `this as? T` is `this` seen as a T (its members are T's)."""
        value = self.lower(node.child_by_field_id(self.field.left), depth)
        target = next((c for c in reversed(node.named_children) if c.type in TYPE_NODES), None)
        if isinstance(value, This) and target is not None:
            return This(self.qualify(bare_type(self.src.text(target))))
        return value

    def lower_this_expression(self, node: ts.Node, depth: int) -> Expr:
        label = child_of_type(node, "identifier")
        if label is not None:
            wanted = self.src.text(label)
            scope_id: int | None = self.scope
            while scope_id is not None and scope_id in self.scope_by_id:
                scope = self.scope_by_id[scope_id]
                if scope.kind == "class" and scope.cls and scope.cls.rsplit(".", 1)[-1] == wanted:
                    return This(scope.cls)
                scope_id = scope.parent
        return This(self.enclosing_class())

    def lower_navigation_expression(self, node: ts.Node, depth: int) -> Expr:
        parts, reference = parts_and_token(node, "::")
        if len(parts) < 2:
            return Unknown("member access")
        if reference:
            return Unknown("class or callable reference")
        obj = self.lower(parts[0], depth)
        prop = self.src.text(parts[-1])
        if isinstance(obj, ClassRef) and looks_like_class(prop):
            return ClassRef(f"{obj.name}.{prop}")  # a nested class: `Outer.Inner`
        return Member(obj, prop)

    def lower_call_expression(self, node: ts.Node, depth: int) -> Expr:
        callee_node, args_node, lambda_node, _ = self.call_parts(node)
        if callee_node is None:
            return Unknown("call")
        args, named = self.arguments(args_node, lambda_node)
        callee = self.lower(callee_node, depth)
        return Call(callee, args, named, new=self.constructs(callee))

    def lower_index_expression(self, node: ts.Node, depth: int) -> Expr:
        parts = code_children(node)
        if len(parts) < 2:
            return Unknown("index")
        target, index = self.lower(parts[0], depth), self.lower(parts[1], depth)
        if isinstance(index, Lit) and isinstance(index.value, str):
            return Member(target, index.value)
        return Index(target, index)

    def lower_binary_expression(self, node: ts.Node, depth: int) -> Expr:
        operator = node.child_by_field_id(self.field.operator)
        op = self.src.text(operator) if operator is not None else ""
        left, right = node.child_by_field_id(self.field.left), node.child_by_field_id(self.field.right)
        if op == "+":
            return concatenation(self.lower(side, depth) for side in (left, right))
        if op == "?:":
            return Cond((self.lower(left, depth), self.lower(right, depth)))
        return Unknown(f"'{op}' expression")

    def lower_infix_expression(self, node: ts.Node, depth: int) -> Expr:
        parts = code_children(node)
        if len(parts) == 3 and self.src.text(parts[1]) == "to":
            return Arr((self.lower(parts[0], depth), self.lower(parts[2], depth)))  # a Pair
        return Unknown("infix call")

    def lower_unary_expression(self, node: ts.Node, depth: int) -> Expr:
        operator = node.child_by_field_id(self.field.operator)
        argument = node.child_by_field_id(self.field.argument)
        op = self.src.text(operator) if operator is not None else ""
        if op == "!!":
            return self.lower(argument, depth)
        value = self.lower(argument, depth)
        if (op == "-" and isinstance(value, Lit) and isinstance(value.value, (int, float))
                and not isinstance(value.value, bool)):
            return Lit(-value.value)
        return Unknown(f"'{op}' expression")

    def lower_if_expression(self, node: ts.Node, depth: int) -> Expr:
        condition = node.child_by_field_id(self.field.condition)
        branches = [c for c in code_children(node) if condition is None or key(c) != key(condition)]
        return Cond(tuple(self.branch_value(b, depth) for b in branches) or (Unknown("if"),))

    def lower_when_expression(self, node: ts.Node, depth: int) -> Expr:
        values = []
        for entry in node.named_children:
            if entry.type != "when_entry":
                continue
            conditions = {key(c) for i, c in enumerate(entry.children) if entry.field_name_for_child(i) == "condition"}
            bodies = [c for c in code_children(entry) if key(c) not in conditions]
            if bodies:
                values.append(self.branch_value(bodies[-1], depth))
        return Cond(tuple(values)) if values else Unknown("when")

    def lower_try_expression(self, node: ts.Node, depth: int) -> Expr:
        blocks = [child_of_type(c, "block") if c.type == "catch_block" else c
                  for c in code_children(node) if c.type in ("block", "catch_block")]
        return Cond(tuple(self.branch_value(b, depth) for b in blocks if b is not None)) if blocks else Unknown("try")

    def branch_value(self, node: ts.Node, depth: int) -> Expr:
        """The value of an `if`/`when` branch: a block's last expression."""
        if node.type == "block":
            last = last_named_child(node, COMMENTS)
            return self.lower(last, depth) if last is not None else Lit(None)
        return self.lower(node, depth)

    def lower_collection_literal(self, node: ts.Node, depth: int) -> Expr:
        return Arr(tuple(self.lower(c, depth) for c in code_children(node)))

    def lower_annotated_lambda(self, node: ts.Node, depth: int) -> Expr:
        lam = child_of_type(node, "lambda_literal")
        return Func(self.scope_of(lam)) if lam is not None else Unknown("lambda")

    def lower_super_expression(self, node: ts.Node, depth: int) -> Expr:
        """`super` is the superclass: `super.m()` calls its method."""
        return self.superclass()

    def lower_object_literal(self, node: ts.Node, depth: int) -> Expr:
        return Unknown("anonymous object")


def string_value(parts: list[Expr]) -> Expr:
    """One Lit for plain text, else a template Concat (adjacent text merged)."""
    merged: list[Expr] = []
    for part in parts:
        if merged and isinstance(part, Lit) and isinstance(merged[-1], Lit):
            merged[-1] = Lit(f"{merged[-1].value}{part.value}")
        else:
            merged.append(part)
    if not merged:
        return Lit("")
    if len(merged) == 1 and isinstance(merged[0], Lit):
        return merged[0]
    return Concat(tuple(merged), "template-literal")


def multi_dollar_problem(source: SourceText, strings: dict[int, int]) -> ParseProblem:
    """The diagnostic of a file whose multi-dollar strings were read as plain text."""
    quote = min(strings)
    start = quote - strings[quote]
    row = source.data.count(b"\n", 0, start)
    column = source.column(row, start - source.line_start(row))
    return ParseProblem(
        "parse-error",
        f"{len(strings)} multi-dollar string(s) ($$\"…\", Kotlin 2.1) are newer than the grammar; "
        "they were read as plain text and the rest of the file was still analysed",
        Span(row + 1, column, row + 1, column),
    )


def parts_and_token(node: ts.Node, token: str) -> tuple[list[ts.Node], bool]:
    """The code children of `node` and whether the unnamed `token` is among its children, in one
    pass: for navigations (`A::b`) and arguments (`name = value`), the most frequent nodes after
    names (each list of children builds new node objects)."""
    parts: list[ts.Node] = []
    found = False
    for child in node.children:
        if child.is_named:
            if child.type not in COMMENTS:
                parts.append(child)
        elif child.type == token:
            found = True
    return parts, found


def class_kind(node: ts.Node) -> str:
    if node.type == "object_declaration":
        return "object"
    if has_child(node, "interface"):
        return "interface"
    modifiers = child_of_type(node, "modifiers")
    for modifier in modifiers.named_children if modifiers is not None else ():
        if modifier.type == "class_modifier":
            word = modifier.children[0].type if modifier.children else ""
            if word in ("enum", "sealed"):
                return word
    return "class"


def type_child(node: ts.Node) -> ts.Node | None:
    """The written type among the children of a parameter or a variable declaration."""
    for child in node.named_children:
        if child.type in TYPE_NODES:
            return child
    return None


def value_after(node: ts.Node, token: str) -> ts.Node | None:
    """The first named child after the unnamed `token` child (`= value`)."""
    seen = False
    for child in node.children:
        if seen and child.is_named and child.type not in COMMENTS:
            return child
        if child.type == token and not child.is_named:
            seen = True
    return None


def default_after(children: list[ts.Node], index: int) -> ts.Node | None:
    """The default value of the parameter at `children[index]`: `= value` right after it."""
    if index + 2 < len(children) and children[index + 1].type == "=":
        return children[index + 2]
    return None


def has_modifier(node: ts.Node, source: SourceText, word: str) -> bool:
    modifiers = child_of_type(node, "modifiers")
    return modifiers is not None and word in source.text(modifiers).split()


def is_private(node: ts.Node) -> bool:
    modifiers = child_of_type(node, "modifiers")
    return modifiers is not None and any(
        c.type == "visibility_modifier" and c.children and c.children[0].type == "private"
        for c in modifiers.named_children
    )


def in_companion(node: ts.Node) -> bool:
    body = node.parent
    return body is not None and body.parent is not None and body.parent.type == "companion_object"
