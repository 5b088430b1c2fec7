"""JavaScript and TypeScript frontend: lowers a tree-sitter tree into FileFacts.

One query (rules/queries/<grammar>/facts.scm) captures the nodes that matter: functions and
classes (which open scopes), calls, declarations, assignments, imports and exports. Captures
are visited outermost first while a stack of open scopes gives each node its scope, so the
tree is never walked node by node in Python. Expressions are lowered on demand, to a bounded
depth.
"""

from __future__ import annotations

import functools
import operator
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import replace
from itertools import accumulate, repeat

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
    Index,
    Lit,
    Member,
    MemberAssign,
    Obj,
    ParseProblem,
    Ref,
    Require,
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
    language,
    number_scopes,
    parser,
    query,
    syntax_problems,
)
from analyzer.model import Span

MAX_EXPRESSION_DEPTH = 40

FUNCTION_NODES = frozenset(
    {
        "function_declaration",
        "generator_function_declaration",
        "function_expression",
        "generator_function",
        "arrow_function",
        "method_definition",
    }
)
CLASS_NODES = frozenset({"class_declaration", "abstract_class_declaration", "class"})
# Wrappers that do not change the value of the expression inside them.
TRANSPARENT_NODES = frozenset(
    {
        "parenthesized_expression",
        "await_expression",
        "as_expression",
        "satisfies_expression",
        "non_null_expression",
        "type_assertion",
        "instantiation_expression",
    }
)
PARAMETER_WRAPPERS = frozenset({"required_parameter", "optional_parameter"})
# Statements whose contents run only sometimes (for the order of assignments and uses).
BRANCH_NODES = frozenset(
    {
        "if_statement", "else_clause", "for_statement", "for_in_statement", "while_statement",
        "do_statement", "switch_case", "switch_default", "try_statement", "catch_clause",
        "finally_clause", "ternary_expression", "binary_expression",
    }
)

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_UNICODE_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]+)\}|\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})")


def unescape_js(text: str) -> str:
    """The value of the escape sequences in a JS string fragment."""
    if "\\" not in text:
        return text

    def unicode(match: re.Match) -> str:
        return chr(int(next(g for g in match.groups() if g), 16))

    text = _UNICODE_ESCAPE.sub(unicode, text)
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text, flags=re.DOTALL)


# The fields of nodes that the lowerer reads.
@functools.cache
def handlers_by_kind_id(grammar: str) -> dict[int, Callable[[_Lowerer, ts.Node, int], Expr]]:
    """_HANDLERS by the grammar's kind ids (every id of a name: aliases and keywords share names),
    for `lower` to dispatch on: `node.kind_id` is an int, where `node.type` builds a new string,
    whose hash is computed again for every look-up."""
    lang = language(grammar)
    kinds = ((i, lang.node_kind_for_id(i)) for i in range(lang.node_kind_count))
    return {i: _HANDLERS[name] for i, name in kinds if name in _HANDLERS}


class JavaScriptFrontend:
    language = "javascript"
    grammar = "javascript"

    def lower(self, path: str, source: bytes) -> FileFacts:
        return lower_script(path, source, self.grammar, self.language)


class TypeScriptFrontend(JavaScriptFrontend):
    language = "typescript"

    def lower(self, path: str, source: bytes) -> FileFacts:
        grammar = "tsx" if path.lower().endswith(".tsx") else "typescript"
        return lower_script(path, source, grammar, self.language)


def lower_script(path: str, source: bytes, grammar: str, language: str) -> FileFacts:
    """Parse `source` with `grammar` and lower it; `language` is what findings will report."""
    tree = parser(grammar).parse(source)
    lowerer = _Lowerer(path, SourceText(source), grammar)
    lowerer.run(tree)
    return lowerer.facts(language, tree)


class _Lowerer:
    def __init__(self, path: str, source: SourceText, grammar: str):
        self.path = path
        self.src = source
        self.grammar = grammar
        self.field = field_ids(grammar)
        self.line_starts = line_starts(source.data)
        self.handlers = handlers_by_kind_id(grammar)
        self.scopes: list[Scope] = [Scope(MODULE_SCOPE, None, "module")]
        self.scope_ids: dict[tuple[int, int], int] = {}
        self.class_names: dict[int, str] = {}  # class scope id → class name
        self.class_parents: dict[int, str] = {}  # class scope id → its `extends` expression
        self.bindings: list[Binding] = []
        self.member_assigns: list[MemberAssign] = []
        self.classes: list[ClassDef] = []
        self.calls: list[CallSite] = []
        self.exports: list[tuple[str, Expr]] = []
        self.problems: list[ParseProblem] = []
        self.scope = MODULE_SCOPE
        self.scope_by_id: dict[int, Scope] = {MODULE_SCOPE: self.scopes[0]}
        self.arrow_scopes: set[int] = set()
        self.function_nodes: dict[int, ts.Node] = {}  # function scope id → its node
        self.returns: dict[int, list[Expr]] = {}
        self.lowered_calls: dict[tuple[int, int, int, int], tuple[Expr, tuple[Expr, ...]]] = {}

    # --- driver ------------------------------------------------------------------------------

    def run(self, tree: ts.Tree) -> None:
        query_dir = "javascript" if self.grammar == "javascript" else "typescript"
        self.root: ts.Node = tree.root_node  # where `conditional` starts outside functions
        captured = captures_in_order(query(self.grammar, "facts", query_dir), tree.root_node)
        self.scope_ids = number_scopes(captured)
        handlers = {
            "function": self.on_function,
            "class": self.on_class,
            "enum": self.on_enum,
            "call": self.on_call,
            "declarator": self.on_declarator,
            "assign": self.on_assign,
            "augmented": self.on_augmented,
            "for_in": self.on_for_in,
            "import": self.on_import,
            "export": self.on_export,
            "return": self.on_return,
        }
        for kind, node, scope in in_scopes(captured, self.scope_ids):
            self.scope = scope
            handlers[kind](node)

    def facts(self, language: str, tree: ts.Tree) -> FileFacts:
        self.problems.extend(syntax_problems(tree, self.src))
        scopes = [replace(s, returns=tuple(self.returns[s.id])) if s.id in self.returns else s for s in self.scopes]
        return FileFacts(
            path=self.path,
            language=language,
            scopes=tuple(sorted(scopes, key=lambda s: s.id)),
            bindings=tuple(self.bindings),
            member_assigns=tuple(self.member_assigns),
            classes=tuple(self.classes),
            calls=tuple(self.calls),
            exports=tuple(self.exports),
            problems=tuple(self.problems),
        )

    # Lines and spans are found from byte offsets in a table of line starts: a node's
    # start_point and end_point are Python-level named tuples, which cost more to build.

    def line(self, node: ts.Node) -> int:
        """The 1-based line the node starts on: `node.start_point[0] + 1`."""
        return bisect_right(self.line_starts, node.start_byte)

    def span(self, start: ts.Node, end: ts.Node) -> Span:
        """`self.src.span(start, end)`."""
        start_byte, end_byte = start.start_byte, end.end_byte
        start_row = bisect_right(self.line_starts, start_byte) - 1
        end_row = bisect_right(self.line_starts, end_byte) - 1
        column = self.src.column
        return Span(start_row + 1, column(start_row, start_byte - self.line_starts[start_row]),
                    end_row + 1, column(end_row, end_byte - self.line_starts[end_row]))

    # --- scopes ------------------------------------------------------------------------------

    def add_scope(self, scope: Scope) -> None:
        self.scopes.append(scope)
        self.scope_by_id[scope.id] = scope

    def scope_of(self, node: ts.Node) -> int:
        return self.scope_ids[(node.start_byte, node.end_byte)]

    def enclosing_class(self) -> str | None:
        """The class `this` refers to here: arrows inherit it, plain functions have their own."""
        scope_id: int | None = self.scope
        while scope_id is not None and scope_id in self.scope_by_id:
            scope = self.scope_by_id[scope_id]
            if scope.cls or scope.kind == "class":
                return scope.cls
            if scope.kind == "function" and scope_id not in self.arrow_scopes:
                return None
            scope_id = scope.parent
        return None

    def on_function(self, node: ts.Node) -> None:
        scope_id = self.scope_of(node)
        self.function_nodes[scope_id] = node
        name, cls = self.function_name(node)
        params, destructured, defaults = self.parameters(node, scope_id)
        line = self.line(node)
        self.add_scope(Scope(scope_id, self.scope, "function", name=name, params=params, cls=cls, line=line))
        if node.type == "arrow_function":
            self.arrow_scopes.add(scope_id)
            body = node.child_by_field_id(self.field.body)
            if body is not None and body.type != "statement_block":
                previous, self.scope = self.scope, scope_id
                self.returns.setdefault(scope_id, []).append(self.lower(body))
                self.scope = previous
        for pname, _index in params_index(params):
            default = defaults.get(pname)
            self.bindings.append(Binding(pname, scope_id, default, "param", line))
        self.bindings.extend(destructured)
        if node.type in ("function_declaration", "generator_function_declaration"):
            fname = node.child_by_field_id(self.field.name)
            if fname is not None:
                self.bindings.append(Binding(self.src.text(fname), self.scope, Func(scope_id), "function", line))

    def function_name(self, node: ts.Node) -> tuple[str, str | None]:
        """A readable name for the function and the class its `this` refers to, if known."""
        fname = node.child_by_field_id(self.field.name)
        if node.type == "method_definition":
            method = self.src.text(fname) if fname is not None else "<method>"
            owner = self.class_names.get(self.scope)
            if owner:
                return f"{owner}.{method}", owner
            return self.object_owner_name(node.parent, method), None
        if fname is not None and node.type in ("function_declaration", "generator_function_declaration"):
            name = self.src.text(fname)
            # A capitalised function declaration is an ES5 constructor: `this` is its instance.
            return name, name if name[:1].isupper() else None
        parent = node.parent
        while parent is not None and parent.type in TRANSPARENT_NODES:
            parent = parent.parent
        if parent is not None:
            if parent.type == "variable_declarator":
                target = parent.child_by_field_id(self.field.name)
                if target is not None and target.type == "identifier":
                    name = self.src.text(target)
                    return name, name if name[:1].isupper() and node.type != "arrow_function" else None
            elif parent.type == "assignment_expression":
                left = parent.child_by_field_id(self.field.left)
                if left is not None:
                    text = compact(self.src.text(left))
                    if ".prototype." in text:
                        return text.replace(".prototype.", "."), text.split(".prototype.")[0]
                    # `ns.Foo = function () {…}`: a constructor hung on a namespace.
                    is_constructor = node.type != "arrow_function" and text.rsplit(".", 1)[-1][:1].isupper()
                    return text, text if is_constructor else None
            elif parent.type == "pair":
                key = parent.child_by_field_id(self.field.key)
                if key is not None:
                    return self.object_owner_name(parent.parent, self.property_key(key) or "<key>"), None
        kind = "<arrow" if node.type == "arrow_function" else "<anonymous"
        return f"{kind}@{self.line(node)}>", None

    def object_owner_name(self, obj: ts.Node | None, member: str) -> str:
        """`owner.member` for a method or function property of an object literal."""
        parent = obj.parent if obj is not None else None
        while parent is not None and parent.type in TRANSPARENT_NODES:
            parent = parent.parent
        if parent is not None and parent.type == "variable_declarator":
            target = parent.child_by_field_id(self.field.name)
            if target is not None:
                return f"{self.src.text(target)}.{member}"
        if parent is not None and parent.type == "pair":
            key = parent.child_by_field_id(self.field.key)
            if key is not None:
                return self.object_owner_name(parent.parent, f"{self.property_key(key)}.{member}")
        if parent is not None and parent.type == "assignment_expression":
            left = parent.child_by_field_id(self.field.left)
            if left is not None:
                return f"{compact(self.src.text(left))}.{member}"
        return member

    def parameters(self, node: ts.Node, scope_id: int) -> tuple[tuple[str, ...], list[Binding], dict[str, Expr]]:
        """Parameter names in order, bindings for the names destructured parameters introduce
        (they get a synthetic `#paramN` name), and default values by parameter name."""
        single = node.child_by_field_id(self.field.parameter)
        if single is not None:
            return (self.src.text(single),), [], {}
        plist = node.child_by_field_id(self.field.parameters)
        if plist is None:
            return (), [], {}
        names: list[str] = []
        extra: list[Binding] = []
        defaults: dict[str, Expr] = {}
        for index, param in enumerate(c for c in plist.named_children if c.type != "comment"):
            pattern = param
            default_node = None
            if param.type in PARAMETER_WRAPPERS:
                pattern = param.child_by_field_id(self.field.pattern) or param
                default_node = param.child_by_field_id(self.field.value)
            if pattern.type == "assignment_pattern":
                default_node = pattern.child_by_field_id(self.field.right)
                pattern = pattern.child_by_field_id(self.field.left) or pattern
            if default_node is not None and pattern.type == "identifier":
                previous, self.scope = self.scope, scope_id
                defaults[self.src.text(pattern)] = self.lower(default_node)
                self.scope = previous
            if pattern.type == "rest_pattern":
                inner = pattern.named_children[0] if pattern.named_children else pattern
                names.append("..." + self.src.text(inner))
            elif pattern.type in ("identifier", "this"):
                names.append(self.src.text(pattern))
            else:
                synthetic = f"#param{index}"
                names.append(synthetic)
                extra.extend(self.destructure(pattern, Ref(synthetic, scope_id), scope_id, "param", node))
        return tuple(names), extra, defaults

    def on_class(self, node: ts.Node) -> None:
        scope_id = self.scope_of(node)
        name_node = node.child_by_field_id(self.field.name)
        name = (self.src.text(name_node) if name_node is not None
                else self.assigned_name(node) or f"<class@{self.line(node)}>")
        self.class_names[scope_id] = name
        self.add_scope(Scope(scope_id, self.scope, "class", name=name, cls=name, line=self.line(node)))
        parent = None
        for child in node.named_children:
            if child.type == "class_heritage":
                heritage = child.named_children[0] if child.named_children else None
                if heritage is not None and heritage.type == "extends_clause":
                    heritage = heritage.child_by_field_id(self.field.value)
                if heritage is not None:
                    parent = compact(self.src.text(heritage))
                    self.class_parents[scope_id] = parent
        properties: list[tuple[str, Expr]] = []
        methods: list[tuple[str, int]] = []
        body = node.child_by_field_id(self.field.body)
        previous, self.scope = self.scope, scope_id
        for member in body.named_children if body is not None else ():
            if member.type in ("field_definition", "public_field_definition"):
                key = member.child_by_field_id(self.field.property) or member.child_by_field_id(self.field.name)
                value = member.child_by_field_id(self.field.value)
                if key is not None:
                    properties.append((self.src.text(key), self.lower(value) if value is not None else Lit(None)))
            elif member.type == "method_definition":
                key = member.child_by_field_id(self.field.name)
                if key is not None:
                    methods.append((self.src.text(key), self.scope_of(member)))
        self.scope = previous
        self.classes.append(
            ClassDef(
                name=name,
                scope=scope_id,
                parent=parent,
                properties=tuple(properties),
                methods=tuple(methods),
                line=self.line(node),
            )
        )
        if node.type != "class" and name_node is not None:
            self.bindings.append(Binding(name, self.scope, ClassRef(name), "class", self.line(node)))

    def on_enum(self, node: ts.Node) -> None:
        name_node = node.child_by_field_id(self.field.name)
        body = node.child_by_field_id(self.field.body)
        if name_node is None or body is None:
            return
        name = self.src.text(name_node)
        constants: list[tuple[str, Expr]] = []
        for member in body.named_children:
            if member.type == "enum_assignment":
                key, value = member.child_by_field_id(self.field.name), member.child_by_field_id(self.field.value)
                if key is not None:
                    constants.append((self.property_key(key) or "", self.lower(value) if value else Lit(None)))
            elif member.type in ("property_identifier", "string"):
                key = self.property_key(member) or ""
                constants.append((key, Lit(len(constants))))
        self.classes.append(
            ClassDef(name=name, scope=self.scope, kind="enum", constants=tuple(constants), line=self.line(node))
        )
        self.bindings.append(Binding(name, self.scope, ClassRef(name), "class", self.line(node)))

    def assigned_name(self, node: ts.Node) -> str | None:
        parent = node.parent
        if parent is not None and parent.type == "variable_declarator":
            target = parent.child_by_field_id(self.field.name)
            return self.src.text(target) if target is not None else None
        return None

    # --- statements --------------------------------------------------------------------------

    def on_call(self, node: ts.Node) -> None:
        is_new = node.type == "new_expression"
        callee_node = node.child_by_field_id(self.field.constructor if is_new else self.field.function)
        args_node = node.child_by_field_id(self.field.arguments)
        if callee_node is None:
            return
        if args_node is not None and args_node.type != "arguments":
            return  # a tagged template literal, not a call with arguments
        callee, args = self.call_parts(node, callee_node, args_node)
        if isinstance(callee, Require):
            return
        self.calls.append(
            CallSite(
                callee=callee,
                args=args,
                scope=self.scope,
                span=self.span(self.span_start(callee_node), node),
                new=is_new or callee_node.type == "super",
                snippet=self.src.first_line(node),
            )
        )

    def span_start(self, callee: ts.Node) -> ts.Node:
        """Where a finding for this call starts: the callee, or for a call on the result of
        another call (a chain) the method name, so each link points at its own line."""
        inner = callee
        while inner.type in TRANSPARENT_NODES and inner.named_children:
            inner = inner.named_children[0]
        if inner.type == "member_expression":
            obj = inner.child_by_field_id(self.field.object)
            while obj is not None and obj.type in TRANSPARENT_NODES and obj.named_children:
                obj = obj.named_children[0]
            if obj is not None and obj.type in ("call_expression", "new_expression"):
                prop = inner.child_by_field_id(self.field.property)
                if prop is not None:
                    return prop
        return callee

    def call_parts(self, call: ts.Node, callee: ts.Node | None, args: ts.Node | None,
                   depth: int = 0) -> tuple[Expr, tuple[Expr, ...]]:
        """The lowered callee and arguments of a call. A call nested in an expression is lowered
        with it, and is a call site of its own, visited after it: the parts are kept (per
        scope, like all lowering) for the call site to take instead of lowering them again."""
        key = (call.start_byte, call.end_byte, call.kind_id, self.scope)
        parts = self.lowered_calls.get(key)
        if parts is None:
            lowered_args = tuple(self.lower(a, depth) for a in self.argument_nodes(args))
            parts = self.lower(callee, depth), lowered_args
            # Parts cut off by the depth limit are not what the call site, lowering from depth
            # 0, would get.
            if depth <= MAX_EXPRESSION_DEPTH:
                self.lowered_calls[key] = parts
        return parts

    def argument_nodes(self, args: ts.Node | None) -> list[ts.Node]:
        if args is None:
            return []
        return [a for a in args.named_children if a.type != "comment"]

    def on_declarator(self, node: ts.Node) -> None:
        target = node.child_by_field_id(self.field.name)
        value_node = node.child_by_field_id(self.field.value)
        if target is None:
            return
        kind = "var"
        parent = node.parent
        if parent is not None and parent.type == "lexical_declaration":
            kind_node = parent.child_by_field_id(self.field.kind)
            kind = self.src.text(kind_node) if kind_node is not None else "let"
        value = self.lower(value_node) if value_node is not None else Lit(None)
        line = self.line(node)
        if target.type == "identifier":
            self.bindings.append(Binding(self.src.text(target), self.scope, value, kind, line, self.conditional(node)))
        else:
            self.bindings.extend(self.destructure(target, value, self.scope, kind, node))

    def destructure(self, pattern: ts.Node, value: Expr, scope: int, kind: str, at: ts.Node) -> list[Binding]:
        """Bindings for the names an object or array pattern introduces from `value`."""
        line = self.line(at)
        out: list[Binding] = []
        if pattern.type == "identifier":
            return [Binding(self.src.text(pattern), scope, value, kind, line)]
        if pattern.type == "assignment_pattern":
            left, right = pattern.child_by_field_id(self.field.left), pattern.child_by_field_id(self.field.right)
            if left is None:
                return []
            default = self.lower(right) if right is not None else Lit(None)
            return self.destructure(left, Cond((value, default)), scope, kind, at)
        if pattern.type == "object_pattern":
            for part in pattern.named_children:
                if part.type == "shorthand_property_identifier_pattern":
                    name = self.src.text(part)
                    out.append(Binding(name, scope, Member(value, name), kind, line))
                elif part.type == "pair_pattern":
                    key, inner = part.child_by_field_id(self.field.key), part.child_by_field_id(self.field.value)
                    prop = self.property_key(key) if key is not None else None
                    if inner is not None:
                        sub = Member(value, prop) if prop is not None else Unknown("computed key")
                        out.extend(self.destructure(inner, sub, scope, kind, at))
                elif part.type == "object_assignment_pattern":
                    left, right = part.child_by_field_id(self.field.left), part.child_by_field_id(self.field.right)
                    if left is not None:
                        name = self.src.text(left)
                        default = self.lower(right) if right is not None else Lit(None)
                        out.append(Binding(name, scope, Cond((Member(value, name), default)), kind, line))
                elif part.type == "rest_pattern" and part.named_children:
                    rest = self.src.text(part.named_children[0])
                    out.append(Binding(rest, scope, Unknown("rest element"), kind, line))
        elif pattern.type == "array_pattern":
            for index, part in enumerate(c for c in pattern.named_children if c.type != "comment"):
                if part.type == "rest_pattern":
                    if part.named_children:
                        rest = self.src.text(part.named_children[0])
                        out.append(Binding(rest, scope, Unknown("rest element"), kind, line))
                    continue
                out.extend(self.destructure(part, Index(value, Lit(index)), scope, kind, at))
        return out

    def on_assign(self, node: ts.Node) -> None:
        left, right = node.child_by_field_id(self.field.left), node.child_by_field_id(self.field.right)
        if left is None or right is None:
            return
        while left.type == "parenthesized_expression" and left.named_children:
            left = left.named_children[0]
        value = self.lower(right)
        line = self.line(node)
        if left.type == "identifier":
            self.bindings.append(Binding(self.src.text(left), self.scope, value, "assign", line,
                                         self.conditional(node)))
            return
        if left.type in ("object_pattern", "array_pattern"):
            self.bindings.extend(self.destructure(left, value, self.scope, "assign", node))
            return
        target = self.lower(left)
        export = exported_name(target)
        if export is not None:
            self.exports.append((export, value))
            return
        if isinstance(target, (Member, Index)):
            self.member_assigns.append(MemberAssign(target, value, self.scope, line))

    def on_augmented(self, node: ts.Node) -> None:
        left = node.child_by_field_id(self.field.left)
        if left is not None and left.type == "identifier":
            self.bindings.append(
                Binding(self.src.text(left), self.scope, Unknown("changed by an augmented assignment"), "assign",
                        self.line(node), self.conditional(node))
            )

    def on_for_in(self, node: ts.Node) -> None:
        left, right = node.child_by_field_id(self.field.left), node.child_by_field_id(self.field.right)
        if left is None or right is None:
            return
        operator = node.child_by_field_id(self.field.operator)
        is_of = operator is not None and self.src.text(operator) == "of"
        items = self.lower(right)
        value: Expr
        if is_of:
            # Each element in turn: one of the iterable's items when they are known.
            value = Index(items, Unknown("each element of the loop"))
        elif isinstance(items, Obj) and items.entries:
            value = Cond(tuple(Lit(k) for k, _ in items.entries))
        else:
            value = Unknown("loop variable")
        self.bindings.extend(self.destructure(left, value, self.scope, "loop", node))

    def on_return(self, node: ts.Node) -> None:
        if self.scope == MODULE_SCOPE:
            return
        values = [c for c in node.named_children if c.type != "comment"]
        self.returns.setdefault(self.scope, []).append(self.lower(values[0]) if values else Lit(None))

    def on_import(self, node: ts.Node) -> None:
        source = node.child_by_field_id(self.field.source)
        if source is None:
            return
        module = Require(self.string_value(source) or "", self.path)
        line = self.line(node)
        for clause in node.named_children:
            if clause.type != "import_clause":
                continue
            for part in clause.named_children:
                if part.type == "identifier":
                    default = Member(module, "default")
                    self.bindings.append(Binding(self.src.text(part), MODULE_SCOPE, default, "import", line))
                elif part.type == "namespace_import" and part.named_children:
                    alias = self.src.text(part.named_children[-1])
                    self.bindings.append(Binding(alias, MODULE_SCOPE, module, "import", line))
                elif part.type == "named_imports":
                    for spec in part.named_children:
                        if spec.type != "import_specifier":
                            continue
                        name, alias = spec.child_by_field_id(self.field.name), spec.child_by_field_id(self.field.alias)
                        if name is None:
                            continue
                        imported = self.property_key(name) or self.src.text(name)
                        local = self.src.text(alias) if alias is not None else imported
                        self.bindings.append(Binding(local, MODULE_SCOPE, Member(module, imported), "import", line))

    def on_export(self, node: ts.Node) -> None:
        source = node.child_by_field_id(self.field.source)
        module = Require(self.string_value(source) or "", self.path) if source is not None else None
        declaration = node.child_by_field_id(self.field.declaration)
        value = node.child_by_field_id(self.field.value)
        if declaration is not None:
            for name in self.declared_names(declaration):
                self.exports.append((name, Ref(name, MODULE_SCOPE)))
            return
        if value is not None:
            self.exports.append(("default", self.lower(value)))
            return
        for clause in node.named_children:
            if clause.type == "export_clause":
                for spec in clause.named_children:
                    if spec.type != "export_specifier":
                        continue
                    name, alias = spec.child_by_field_id(self.field.name), spec.child_by_field_id(self.field.alias)
                    if name is None:
                        continue
                    local = self.src.text(name)
                    exported = self.src.text(alias) if alias is not None else local
                    origin: Expr = Member(module, local) if module is not None else Ref(local, MODULE_SCOPE)
                    self.exports.append((exported, origin))
            elif clause.type == "namespace_export" and module is not None:
                self.exports.append((self.src.text(clause.named_children[-1]), module))

    def declared_names(self, declaration: ts.Node) -> list[str]:
        name = declaration.child_by_field_id(self.field.name)
        if name is not None:
            return [self.src.text(name)]
        names = []
        for child in declaration.named_children:
            if child.type == "variable_declarator":
                target = child.child_by_field_id(self.field.name)
                if target is not None and target.type == "identifier":
                    names.append(self.src.text(target))
        return names

    # --- expressions -------------------------------------------------------------------------

    def lower(self, node: ts.Node | None, depth: int = 0) -> Expr:
        """The expression a node denotes. Results are not kept per node: a node is lowered once,
        as part of the expression around it, but for the parts of a nested call (kept by
        call_parts for its own call site) and computed object keys (lowered again for the name
        of a function value, from depth 0 each time, so to the same value)."""
        if node is None:
            return Unknown("missing expression")
        if depth > MAX_EXPRESSION_DEPTH:
            return Unknown("expression nested too deeply")
        handler = self.handlers.get(node.kind_id)
        if handler is None:
            return Unknown(node.type.replace("_", " "))
        return handler(self, node, depth + 1)

    def wrapped_value(self, node: ts.Node, depth: int) -> Expr:
        """The value inside a transparent wrapper (parentheses, `await`, `as T`, …)."""
        inner = [c for c in node.named_children if c.type != "comment"]
        return self.lower(inner[0], depth) if inner else Unknown(node.type)

    def function_value(self, node: ts.Node, depth: int) -> Expr:
        return Func(self.scope_of(node))

    def lower_string(self, node: ts.Node, depth: int) -> Expr:
        return Lit(self.string_value(node) or "")

    def lower_template_string(self, node: ts.Node, depth: int) -> Expr:
        parts: list[Expr] = []
        for child in node.named_children:
            if child.type in ("string_fragment", "escape_sequence"):
                text = unescape_js(self.src.text(child))
                if parts and isinstance(parts[-1], Lit) and isinstance(parts[-1].value, str):
                    parts[-1] = Lit(parts[-1].value + text)
                else:
                    parts.append(Lit(text))
            elif child.type == "template_substitution":
                inner = [c for c in child.named_children if c.type != "comment"]
                parts.append(self.lower(inner[0], depth) if inner else Lit(""))
        return Concat(tuple(parts) or (Lit(""),), "template-literal")

    def lower_number(self, node: ts.Node, depth: int) -> Expr:
        text = self.src.text(node).replace("_", "")
        try:
            return Lit(int(text, 0) if re.fullmatch(r"0[xob][0-9a-f]+|\d+", text, re.IGNORECASE) else float(text))
        except ValueError:
            return Unknown("number")

    def lower_true(self, node: ts.Node, depth: int) -> Expr:
        return Lit(True)

    def lower_false(self, node: ts.Node, depth: int) -> Expr:
        return Lit(False)

    def lower_null(self, node: ts.Node, depth: int) -> Expr:
        return Lit(None)

    def lower_undefined(self, node: ts.Node, depth: int) -> Expr:
        return Lit(None)

    def lower_identifier(self, node: ts.Node, depth: int) -> Expr:
        name = self.src.text(node)
        if name == "undefined":
            return Lit(None)
        return Ref(name, self.scope, self.line(node))

    def conditional(self, node: ts.Node) -> bool:
        """Whether `node` runs only sometimes within its function: what treesitter.is_conditional
        finds walking up from the node, found walking down from the function (or the file) to
        the node. Asked for a node's parent, tree-sitter walks down from the root to it, so
        each step up costs as much as this whole walk down."""
        ancestor = self.function_nodes.get(self.enclosing_function(), self.root)
        while True:
            ancestor = ancestor.child_with_descendant(node)
            if ancestor is None or ancestor == node:
                return False
            if ancestor.type in BRANCH_NODES:
                return True

    def enclosing_function(self) -> int:
        """The innermost function scope around this one (or the module scope)."""
        scope = self.scope_by_id[self.scope]
        while scope.kind == "class" and scope.parent is not None:
            scope = self.scope_by_id[scope.parent]
        return scope.id

    def lower_this(self, node: ts.Node, depth: int) -> Expr:
        return This(self.enclosing_class())

    def lower_super(self, node: ts.Node, depth: int) -> Expr:
        """`super` is the parent class: `super( … )` constructs it, `super.m()` calls its method."""
        scope_id: int | None = self.scope
        while scope_id is not None and scope_id in self.scope_by_id:
            if self.scope_by_id[scope_id].kind == "class":
                parent = self.class_parents.get(scope_id)
                return ClassRef(parent) if parent else Unknown("super without a known parent class")
            scope_id = self.scope_by_id[scope_id].parent
        return Unknown("super outside a class")

    def lower_member_expression(self, node: ts.Node, depth: int) -> Expr:
        obj, prop = node.child_by_field_id(self.field.object), node.child_by_field_id(self.field.property)
        if obj is None or prop is None:
            return Unknown("member expression")
        return Member(self.lower(obj, depth), self.src.text(prop))

    def lower_subscript_expression(self, node: ts.Node, depth: int) -> Expr:
        obj, index = node.child_by_field_id(self.field.object), node.child_by_field_id(self.field.index)
        if obj is None or index is None:
            return Unknown("computed member")
        key = self.lower(index, depth)
        target = self.lower(obj, depth)
        if isinstance(key, Lit) and isinstance(key.value, str):
            return Member(target, key.value)
        return Index(target, key)

    def lower_call_expression(self, node: ts.Node, depth: int) -> Expr:
        callee_node = node.child_by_field_id(self.field.function)
        args_node = node.child_by_field_id(self.field.arguments)
        if callee_node is None or args_node is None or args_node.type != "arguments":
            return Unknown("call")
        callee, args = self.call_parts(node, callee_node, args_node, depth)
        is_require = callee_node.type == "identifier" and self.src.text(callee_node) == "require"
        if is_require and args and isinstance(args[0], Lit) and isinstance(args[0].value, str):
            return Require(args[0].value, self.path)
        if is_object_freeze(callee) and args:
            return args[0]  # Object.freeze( { … } ) is the object itself
        return Call(callee, args)

    def lower_new_expression(self, node: ts.Node, depth: int) -> Expr:
        callee, args = self.call_parts(node, node.child_by_field_id(self.field.constructor),
                                       node.child_by_field_id(self.field.arguments), depth)
        return Call(callee, args, new=True)

    def lower_binary_expression(self, node: ts.Node, depth: int) -> Expr:
        operator = node.child_by_field_id(self.field.operator)
        op = self.src.text(operator) if operator is not None else ""
        left, right = node.child_by_field_id(self.field.left), node.child_by_field_id(self.field.right)
        if op == "+":
            return concatenation(self.lower(side, depth) for side in (left, right))
        if op in ("||", "??"):
            return Cond((self.lower(left, depth), self.lower(right, depth)))
        return Unknown(f"'{op}' expression")

    def lower_ternary_expression(self, node: ts.Node, depth: int) -> Expr:
        return Cond(
            (
                self.lower(node.child_by_field_id(self.field.consequence), depth),
                self.lower(node.child_by_field_id(self.field.alternative), depth),
            )
        )

    def lower_sequence_expression(self, node: ts.Node, depth: int) -> Expr:
        inner = [c for c in node.named_children if c.type != "comment"]
        return self.lower(inner[-1], depth) if inner else Unknown("sequence")

    def lower_object(self, node: ts.Node, depth: int) -> Expr:
        entries: list[tuple[str, Expr]] = []
        spreads: list[Expr] = []
        for child in node.named_children:
            if child.type == "pair":
                key = self.property_key(child.child_by_field_id(self.field.key))
                if key is not None:
                    entries.append((key, self.lower(child.child_by_field_id(self.field.value), depth)))
            elif child.type == "shorthand_property_identifier":
                name = self.src.text(child)
                entries.append((name, Ref(name, self.scope, self.line(child))))
            elif child.type == "method_definition":
                key = self.property_key(child.child_by_field_id(self.field.name))
                if key is not None:
                    entries.append((key, Func(self.scope_of(child))))
            elif child.type == "spread_element" and child.named_children:
                spreads.append(self.lower(child.named_children[0], depth))
        return Obj(tuple(entries), tuple(spreads))

    def lower_array(self, node: ts.Node, depth: int) -> Expr:
        items = []
        for child in node.named_children:
            if child.type == "comment":
                continue
            if child.type == "spread_element":
                items.append(Unknown("spread element"))
            else:
                items.append(self.lower(child, depth))
        return Arr(tuple(items))

    def property_key(self, key: ts.Node | None) -> str | None:
        """The name of an object key, or None when it is computed from an expression."""
        if key is None:
            return None
        if key.type in ("property_identifier", "identifier", "private_property_identifier",
                        "shorthand_property_identifier"):
            return self.src.text(key)
        if key.type == "string":
            return self.string_value(key)
        if key.type == "number":
            return self.src.text(key)
        if key.type == "computed_property_name" and key.named_children:
            value = self.lower(key.named_children[0])
            if isinstance(value, Lit) and isinstance(value.value, str):
                return value.value
        return None

    def string_value(self, node: ts.Node) -> str | None:
        if node.type != "string":
            return None
        parts = node.named_children
        if len(parts) == 1 and parts[0].type == "string_fragment":  # most strings: no join
            return unescape_js(self.src.text(parts[0]))
        return "".join(
            unescape_js(self.src.text(c))
            for c in parts if c.type in ("string_fragment", "escape_sequence")
        )


# The expression lowering functions by node kind (plain functions, called with the lowerer:
# bound methods kept on the instance would tie it into a reference cycle, which only the cycle
# collector frees, holding every file's lowered expressions until it runs).
_HANDLERS = {name[len("lower_"):]: getattr(_Lowerer, name) for name in dir(_Lowerer) if name.startswith("lower_")}
_HANDLERS.update(dict.fromkeys(TRANSPARENT_NODES, _Lowerer.wrapped_value))
_HANDLERS.update(dict.fromkeys(FUNCTION_NODES, _Lowerer.function_value))


def is_object_freeze(callee: Expr) -> bool:
    return (isinstance(callee, Member) and callee.prop == "freeze"
            and isinstance(callee.obj, Ref) and callee.obj.name == "Object")


def compact(text: str) -> str:
    """Source text of a dotted name without the whitespace and comments around its dots."""
    return re.sub(r"\s+|/\*.*?\*/", "", text)


def line_starts(data: bytes) -> list[int]:
    """The byte offset each line starts at (lines end at a newline, as tree-sitter's rows do),
    and one past the end. Summed from the lines' lengths, so no Python code runs per line."""
    line_sizes = map(operator.add, map(len, data.split(b"\n")), repeat(1))
    return [0, *accumulate(line_sizes)]


def params_index(params: tuple[str, ...]) -> list[tuple[str, int]]:
    return [(name.removeprefix("..."), i) for i, name in enumerate(params)]


def exported_name(target: Expr) -> str | None:
    """The export a CommonJS assignment target defines: `module.exports` → '*',
    `module.exports.X` / `exports.X` → 'X'."""
    if is_module_exports(target):
        return "*"
    if isinstance(target, Member):
        obj = target.obj
        if is_module_exports(obj) or (isinstance(obj, Ref) and obj.name == "exports"):
            return target.prop
    return None


def is_module_exports(expr: Expr) -> bool:
    return (
        isinstance(expr, Member)
        and expr.prop == "exports"
        and isinstance(expr.obj, Ref)
        and expr.obj.name == "module"
    )
