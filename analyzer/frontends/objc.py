"""Objective-C frontend: lowers a tree-sitter-objc tree (.m, .mm, .h) into FileFacts.

The Wikipedia iOS app's Objective-C sends nothing itself: legacy EventLogging funnels name
their schema in `[super initWithSchema:@"X" version:N]`, and the rest calls `@objc` methods of
Swift funnels (`[[WMFNavigationEventsFunnel shared] logTappedExplore]`). So this frontend lowers
what those two need, named the way Swift names the same things, so that one rule and one
resolver serve both languages:

- A message `[receiver sel1:a sel2:b]` is a CallSite whose callee is `Member(receiver, name)`,
  where `name` is the method name Swift sees: the first selector piece without a trailing
  `With<Label>` (`initWithSchema:version:` is Swift's `init(schema:version:)`,
  `logOpenHistoryWithUrl:` is `logOpenHistory(url:)`). Arguments are positional, in selector
  order, which is also the order of the method's parameters. `[[X alloc] init…]` and `[X new]`
  construct an X (`new=True`).
- `self` and `super` are `This(class)`: `super` runs a superclass method, but on this object.
- `@implementation X` and `@interface X : Parent` of the same file become one ClassDef. An
  implementation whose interface is in another file (its .h) is of kind "extension", like a
  Swift extension: its superclass is whatever the declaration says (RepoIndex.lineage).
- Constants: `static NSString *const k = @"…"` is a file constant; a file-level constant that
  is not static (`NSString *const WMFX = @"…"`, declared `extern` in a header) and
  `#define K @"…"` are repository-wide ("define"). A name the file does not declare is a
  GlobalRef (a C global, an enum value or a class); the receiver of a message, when
  capitalised, is a class.
- `@"…"` strings and adjacent literals, numbers, `@{…}` dictionaries, `@[…]` arrays, `@(x)`
  boxing, `a ? b : c` and `a ?: b`, casts, and blocks (`^{ … }`, a function scope).
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
    ClassDraft,
    ClassRef,
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
    ParseProblem,
    Ref,
    Scope,
    This,
    Unknown,
)
from analyzer.frontends.treesitter import SourceText, is_conditional, parser, syntax_problems

# Syntax nesting followed (statements and expressions together; real files reach ~35). Deeper
# code is reported, not lowered: each level costs Python stack frames.
MAX_DEPTH = 150

# `@interface X : Parent <Protocols>` and `@protocol P <Protocols>`.
PROTOCOL_LISTS = frozenset({"parameterized_arguments", "protocol_reference_list"})
CLASS_NODES = frozenset({"class_interface", "class_implementation", "protocol_declaration"})
FUNCTION_NODES = frozenset({"method_definition", "function_definition", "block_literal"})
# Statements whose bodies run only sometimes.
BRANCH_NODES = frozenset(
    {"if_statement", "for_statement", "for_in_statement", "while_statement", "do_statement", "switch_statement",
     "case_statement", "try_statement", "catch_clause", "conditional_expression"}
)
CONSTRUCTORS = frozenset({"alloc", "new", "allocWithZone"})
LITERAL_WORDS: dict[str, Lit] = {
    "nil": Lit(None), "Nil": Lit(None), "NULL": Lit(None), "YES": Lit(True), "NO": Lit(False),
    "true": Lit(True), "false": Lit(False),
}
_C_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'"}
_WITH_LABEL = re.compile(r"^(.+?)With[A-Z]")
_STRING_DEFINE = re.compile(r'^@?"((?:[^"\\]|\\.)*)"$', re.DOTALL)
_NUMBER = re.compile(r"^-?\d+$")


def swift_name(selector_piece: str) -> str:
    """The method name Swift gives a selector whose first piece is `selector_piece`:
    `initWithSchema` → `init`, `logOpenHistoryWithUrl` → `logOpenHistory`, `log` → `log`."""
    match = _WITH_LABEL.match(selector_piece)
    return match.group(1) if match else selector_piece


# Foundation and libextobjc macros the grammar cannot parse (it does not run the preprocessor),
# each rewritten to plain Objective-C of the same length, so every offset stays where it was.
_BLANKED_MACROS = re.compile(
    rb"\bNS_(?:ASSUME_NONNULL_BEGIN|ASSUME_NONNULL_END|TYPED_ENUM|TYPED_EXTENSIBLE_ENUM|STRING_ENUM"
    rb"|EXTENSIBLE_STRING_ENUM)\b"
)
_ENUM_MACRO = re.compile(
    rb"\btypedef[ \t]+NS_(?:ENUM|OPTIONS|CLOSED_ENUM|ERROR_ENUM)[ \t]*\([ \t]*(\w+)[ \t]*,[ \t]*(\w+)[ \t]*\)"
)
_SCOPE_MACRO = re.compile(rb"@(?:weakify|strongify)[ \t]*\([^)\n]*\)")
_ON_EXIT = re.compile(rb"@onExit\b")


def without_framework_macros(source: bytes) -> bytes:
    """`NS_ASSUME_NONNULL_BEGIN` and the `NS_…_ENUM` attributes (as spaces),
    `typedef NS_ENUM(T, Name)` (as `enum Name : T`),
    `@weakify(x)`/`@strongify(x)` and `@onExit { … }` (as a block) in parseable form."""
    if b"NS_" not in source and b"@" not in source:
        return source

    def blank(match: re.Match) -> bytes:
        return b" " * len(match.group(0))

    def enum(match: re.Match) -> bytes:
        written = b"enum " + match.group(2) + b" : " + match.group(1)
        return written.ljust(len(match.group(0)))

    source = _BLANKED_MACROS.sub(blank, source)
    source = _ENUM_MACRO.sub(enum, source)
    source = _SCOPE_MACRO.sub(blank, source)
    return _ON_EXIT.sub(lambda m: b"^".ljust(len(m.group(0))), source)


def line_of(node: ts.Node) -> int:
    return node.start_point[0] + 1


def unescape_c(text: str) -> str:
    if "\\" not in text:
        return text
    return re.sub(r"\\(.)", lambda m: _C_ESCAPES.get(m.group(1), m.group(1)), text, flags=re.DOTALL)


class ObjcFrontend:
    language = "objc"

    def lower(self, path: str, source: bytes) -> FileFacts:
        tree = parser("objc").parse(without_framework_macros(source))
        lowerer = _Lowerer(path, SourceText(source))
        lowerer.visit(tree.root_node)
        return lowerer.facts(self.language, tree)


class _Lowerer:
    def __init__(self, path: str, source: SourceText):
        self.path = path
        self.src = source
        self.scopes: list[Scope] = [Scope(MODULE_SCOPE, None, "module")]
        self.declared: dict[int, set[str]] = {MODULE_SCOPE: set()}
        self.classes: dict[str, ClassDraft] = {}
        self.bindings: list[Binding] = []
        self.member_assigns: list[MemberAssign] = []
        self.calls: list[CallSite] = []
        self.returns: dict[int, list[Expr]] = {}
        self.problems: list[ParseProblem] = []
        self.string_constants: dict[str, str] = {}  # file constants, for dictionary keys
        self.scope = MODULE_SCOPE
        self.cls: str | None = None  # the class whose code is being visited

    # --- statements ---------------------------------------------------------------------------

    def visit(self, node: ts.Node, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            self.too_deep(node)
            return
        kind = node.type
        if kind in CLASS_NODES:
            self.on_class(node, depth)
        elif kind in ("method_definition", "function_definition"):
            self.on_function(node, depth)
        elif kind == "method_declaration":
            return  # a header's declaration: nothing runs
        elif kind == "property_declaration":
            self.on_property(node)
        elif kind == "preproc_def":
            self.on_define(node)
        elif kind == "declaration":
            self.on_declaration(node, depth)
        elif kind == "return_statement":
            value = node.named_children[0] if node.named_children else None
            if value is not None and self.scope != MODULE_SCOPE:
                self.returns.setdefault(self.scope, []).append(self.lower(value, depth + 1))
        elif kind in ("expression_statement", "parenthesized_expression"):
            for child in node.named_children:
                self.lower(child, depth + 1)
        elif kind in ("message_expression", "call_expression", "assignment_expression", "block_literal"):
            self.lower(node, depth + 1)
        else:
            for child in node.named_children:
                self.visit(child, depth + 1)

    def on_class(self, node: ts.Node, depth: int) -> None:
        name_node = next((c for i, c in enumerate(node.children)
                          if c.type == "identifier" and node.field_name_for_child(i) is None), None)
        if name_node is None:
            return
        name = self.src.text(name_node)
        builder = self.classes.get(name)
        if builder is None:
            scope_id = self.new_scope("class", name=name, cls=name, line=line_of(node), parent=MODULE_SCOPE)
            builder = self.classes[name] = ClassDraft(name, scope_id, "extension", line_of(node))
            self.bindings.append(Binding(name, MODULE_SCOPE, ClassRef(name), "class", builder.line))
        superclass = node.child_by_field_name("superclass")
        if node.type == "protocol_declaration":
            builder.kind = "interface"
        if superclass is not None:  # only the declaration names it (`@interface X ()` extends X)
            builder.kind, builder.parent = "class", self.src.text(superclass)
        for listed in (c for c in node.named_children if c.type in PROTOCOL_LISTS):
            names = (self.src.text(t) for t in listed.named_children)
            builder.interfaces += [n for n in names if n not in builder.interfaces]
        outer = (self.scope, self.cls)
        self.scope, self.cls = builder.scope, name
        for child in node.named_children:
            if child.type == "implementation_definition":
                for member in child.named_children:
                    self.visit(member, depth + 1)
            elif child.type != "identifier" and child.type not in PROTOCOL_LISTS:
                self.visit(child, depth + 1)
        self.scope, self.cls = outer

    def on_property(self, node: ts.Node) -> None:
        builder = self.classes.get(self.cls) if self.cls else None
        if builder is None:
            return
        for declaration in (c for c in node.named_children if c.type == "struct_declaration"):
            type_node = declaration.child_by_field_name("type") or next(
                (c for c in declaration.named_children if c.type in ("type_identifier", "generic_type")), None)
            for declarator in (c for c in declaration.named_children if c.type == "struct_declarator"):
                name = self.declarator_name(declarator)
                if name and type_node is not None:
                    builder.property_types.append((name, self.src.text(type_node)))

    def on_function(self, node: ts.Node, depth: int) -> None:
        line = line_of(node)
        if node.type == "method_definition":
            pieces = [c for c in node.named_children if c.type == "identifier"]
            short = swift_name(self.src.text(pieces[0])) if pieces else "<method>"
            params, types = self.method_parameters(node)
            name = f"{self.cls}.{short}" if self.cls else short
        else:
            declarator = node.child_by_field_name("declarator")
            short = self.declarator_name(declarator) if declarator is not None else None
            short = short or f"<function@{line}>"
            params, types = self.function_parameters(declarator)
            name = short
        scope_id = self.new_scope("function", name=name, cls=self.cls, line=line, params=tuple(params),
                                  param_types=tuple(types))
        builder = self.classes.get(self.cls) if self.cls and node.type == "method_definition" else None
        if builder is not None:
            builder.methods.append((short, scope_id))
        elif node.type == "function_definition":
            self.declared[self.scope].add(short)
            self.bindings.append(Binding(short, self.scope, Func(scope_id), "function", line))
        body = node.child_by_field_name("body") or next(
            (c for c in node.named_children if c.type == "compound_statement"), None)
        if body is not None:
            previous, self.scope = self.scope, scope_id
            self.visit(body, depth + 1)
            self.scope = previous

    def method_parameters(self, node: ts.Node) -> tuple[list[str], list[tuple[str, str]]]:
        params: list[str] = []
        types: list[tuple[str, str]] = []
        for parameter in (c for c in node.named_children if c.type == "method_parameter"):
            name_node = next((c for c in reversed(parameter.named_children) if c.type == "identifier"), None)
            if name_node is None:
                continue
            name = self.src.text(name_node)
            params.append(name)
            kind = self.type_of(parameter)
            if kind:
                types.append((name, kind))
        return params, types

    def function_parameters(self, declarator: ts.Node | None) -> tuple[list[str], list[tuple[str, str]]]:
        while declarator is not None and declarator.type != "function_declarator":
            declarator = declarator.child_by_field_name("declarator")
        plist = declarator.child_by_field_name("parameters") if declarator is not None else None
        params: list[str] = []
        for parameter in plist.named_children if plist is not None else ():
            inner = parameter.child_by_field_name("declarator")
            name = self.declarator_name(inner) if inner is not None else None
            if name:
                params.append(name)
        return params, []

    def type_of(self, node: ts.Node) -> str | None:
        """The class name of a declared type (`NSString *` → NSString)."""
        for child in node.named_children:
            if child.type in ("method_type", "type_name"):
                return self.type_of(child)
            if child.type in ("type_identifier", "generic_type"):
                return self.src.text(child).split("<")[0].strip()
        return None

    def declarator_name(self, node: ts.Node | None) -> str | None:
        """The identifier a (pointer, init, function, array…) declarator declares."""
        for _ in range(12):
            if node is None:
                return None
            if node.type in ("identifier", "field_identifier", "type_identifier"):
                return self.src.text(node)
            inner = node.child_by_field_name("declarator")
            node = inner if inner is not None else next(
                (c for c in node.named_children if c.type.endswith("declarator") or c.type == "identifier"), None)
        return None

    def on_define(self, node: ts.Node) -> None:
        """`#define kName @"value"` (or a number): a repository-wide constant."""
        name_node, value_node = node.child_by_field_name("name"), node.child_by_field_name("value")
        if name_node is None or value_node is None:
            return
        text = self.src.text(value_node).strip()
        string = _STRING_DEFINE.match(text)
        value: Lit | None = None
        if string:
            value = Lit(unescape_c(string.group(1)))
        elif _NUMBER.match(text):
            value = Lit(int(text))
        if value is not None:
            name = self.src.text(name_node)
            self.declared[MODULE_SCOPE].add(name)
            self.bindings.append(Binding(name, MODULE_SCOPE, value, "define", line_of(node)))
            if isinstance(value.value, str):
                self.string_constants[name] = value.value

    def on_declaration(self, node: ts.Node, depth: int) -> None:
        at_file_level = self.scope == MODULE_SCOPE or self.scopes[self.scope].kind == "class"
        static = any(c.type == "storage_class_specifier" and self.src.text(c) == "static" for c in node.named_children)
        extern = any(c.type == "storage_class_specifier" and self.src.text(c) == "extern" for c in node.named_children)
        for declarator in node.children_by_field_name("declarator"):
            name = self.declarator_name(declarator)
            if not name:
                continue
            line = line_of(declarator)
            value_node = declarator.child_by_field_name("value") if declarator.type == "init_declarator" else None
            scope = MODULE_SCOPE if at_file_level else self.scope
            self.declared.setdefault(scope, set()).add(name)
            if value_node is None:
                if not extern and not at_file_level:
                    self.bindings.append(Binding(name, scope, None, "var", line))
                continue
            value = self.lower(value_node, depth + 1)
            kind = "define" if at_file_level and not static else ("const" if at_file_level else "var")
            self.bindings.append(Binding(name, scope, value, kind, line, self.conditional(node)))
            if at_file_level and isinstance(value, Lit) and isinstance(value.value, str):
                self.string_constants[name] = value.value

    # --- expressions --------------------------------------------------------------------------

    def lower(self, node: ts.Node, depth: int = 0) -> Expr:
        if depth > MAX_DEPTH:
            self.too_deep(node)
            return Unknown("expression nested too deeply")
        kind = node.type
        if kind in ("string_literal", "concatenated_string"):
            return Lit(self.string_value(node))
        if kind == "number_literal":
            text = self.src.text(node).rstrip("uUlLfF")
            return Lit(int(text)) if _NUMBER.match(text) else Unknown("number")
        if kind in ("true", "false", "null", "nil"):
            return LITERAL_WORDS.get(self.src.text(node), Lit(None))
        if kind == "identifier":
            return self.name(self.src.text(node), node)
        if kind == "self":
            return This(self.cls)
        if kind in ("parenthesized_expression", "at_expression", "cast_expression"):
            inner = node.child_by_field_name("value") or (node.named_children[-1] if node.named_children else None)
            return self.lower(inner, depth + 1) if inner is not None else Unknown(kind)
        if kind == "conditional_expression":
            condition = node.child_by_field_name("condition")
            consequence, alternative = node.child_by_field_name("consequence"), node.child_by_field_name("alternative")
            first = consequence if consequence is not None else condition  # `a ?: b` is `a ? a : b`
            options = [self.lower(n, depth + 1) for n in (first, alternative) if n is not None]
            if condition is not None and consequence is not None:
                self.visit(condition, depth + 1)
            return Cond(tuple(options))
        if kind == "field_expression":
            obj, prop = node.child_by_field_name("argument"), node.child_by_field_name("field")
            if obj is None or prop is None:
                return Unknown(kind)
            return Member(self.lower(obj, depth + 1), self.src.text(prop))
        if kind == "subscript_expression":
            obj, key = node.child_by_field_name("argument"), node.child_by_field_name("index")
            if obj is None or key is None:
                return Unknown(kind)
            return Index(self.lower(obj, depth + 1), self.lower(key, depth + 1))
        if kind == "dictionary_literal":
            return self.dictionary(node, depth)
        if kind == "array_literal":
            return Arr(tuple(self.lower(c, depth + 1) for c in node.named_children if c.type != "comment"))
        if kind == "message_expression":
            return self.message(node, depth)
        if kind == "call_expression":
            return self.c_call(node, depth)
        if kind == "assignment_expression":
            return self.assignment(node, depth)
        if kind == "block_literal":
            return self.block(node, depth)
        for child in node.named_children:
            self.visit(child, depth + 1)
        return Unknown(f"{kind.replace('_', ' ')}")

    def string_value(self, node: ts.Node) -> str:
        """The text of `@"…"` (and of adjacent literals, which the compiler joins)."""
        parts: list[str] = []
        pieces = node.named_children if node.type == "concatenated_string" else [node]
        for piece in pieces:
            for child in piece.named_children:
                text = self.src.text(child)
                parts.append(unescape_c(text) if child.type == "escape_sequence" else text)
        return "".join(parts)

    def name(self, text: str, node: ts.Node) -> Expr:
        if text in LITERAL_WORDS:
            return LITERAL_WORDS[text]
        if text in ("self", "super"):
            return This(self.cls)
        if self.is_declared(text):
            return Ref(text, self.scope, line_of(node))
        return GlobalRef(text)

    def is_declared(self, text: str) -> bool:
        scope: int | None = self.scope
        while scope is not None:
            if text in self.declared.get(scope, ()):
                return True
            scope = self.scopes[scope].parent
        return False

    def dictionary(self, node: ts.Node, depth: int) -> Expr:
        entries: list[tuple[str, Expr]] = []
        for pair in (c for c in node.named_children if c.type == "dictionary_pair"):
            parts = [c for c in pair.named_children if c.type != "comment"]
            if len(parts) != 2:
                continue
            key = self.lower(parts[0], depth + 1)
            value = self.lower(parts[1], depth + 1)
            if isinstance(key, Lit) and isinstance(key.value, str):
                entries.append((key.value, value))
            elif isinstance(key, Ref) and key.name in self.string_constants:
                entries.append((self.string_constants[key.name], value))
        return Obj(tuple(entries))

    def message(self, node: ts.Node, depth: int) -> Expr:
        """`[receiver piece:arg piece:arg]` as a Call of `receiver.<Swift name>`; also a CallSite."""
        receiver_node = node.child_by_field_name("receiver")
        pieces = node.children_by_field_name("method")
        if receiver_node is None or not pieces:
            return Unknown("message")
        first = self.src.text(pieces[0])
        args = tuple(
            self.lower(child, depth + 1)
            for index, child in enumerate(node.children)
            if child.is_named and child.type != "comment"
            and node.field_name_for_child(index) not in ("receiver", "method")
        )
        constructed = self.constructed_class(receiver_node)
        if constructed is not None and (first == "init" or first.startswith("initWith")):
            call = Call(ClassRef(constructed), args, new=True)  # [[X alloc] initWith…]
        elif first == "new" and (made := self.class_named_by(receiver_node)) is not None:
            call = Call(ClassRef(made), args, new=True)
        else:
            receiver = self.receiver(receiver_node, depth)
            call = Call(Member(receiver, swift_name(first)), args)
            if first.startswith("initWith") and self.src.text(receiver_node) in ("super", "self"):
                self.note_superclass_initialiser(args)
        self.calls.append(CallSite(call.callee, call.args, self.scope, self.src.span(node), new=call.new,
                                   snippet=self.src.first_line(node)))
        return call

    def note_superclass_initialiser(self, args: tuple[Expr, ...]) -> None:
        """`self = [super initWithSchema:… version:…]` (or `[self initWith…]`, an inherited
        initialiser) in an initialiser: what the class passes to its superclass's initialiser,
        as a Kotlin class header does (ClassDef.super_args)."""
        method = self.scopes[self.scope]
        builder = self.classes.get(self.cls) if self.cls else None
        if builder is not None and (method.name or "").startswith(f"{self.cls}.init") and not builder.super_args:
            builder.super_args = args

    def constructed_class(self, receiver: ts.Node) -> str | None:
        """X, for the receiver `[X alloc]` of an initialiser."""
        if receiver.type != "message_expression":
            return None
        inner = receiver.child_by_field_name("receiver")
        pieces = receiver.children_by_field_name("method")
        if inner is None or len(pieces) != 1 or self.src.text(pieces[0]) not in CONSTRUCTORS:
            return None
        return self.class_named_by(inner)

    def class_named_by(self, receiver: ts.Node) -> str | None:
        """The class a constructing message goes to: `WMFFunnel`, or `self` in a class method
        (`shared = [self new]`; in an instance method `self` would be an object, never sent
        `new` or `alloc`)."""
        if receiver.type != "identifier":
            return None
        if self.src.text(receiver) == "self":
            return self.cls
        return self.src.text(receiver) if self.is_class_name(receiver) else None

    def receiver(self, node: ts.Node, depth: int) -> Expr:
        if node.type == "identifier" and self.is_class_name(node):
            return ClassRef(self.src.text(node))
        return self.lower(node, depth + 1)

    def is_class_name(self, node: ts.Node) -> bool:
        text = self.src.text(node)
        return text[:1].isupper() and not self.is_declared(text)

    def c_call(self, node: ts.Node, depth: int) -> Expr:
        function = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        callee = self.lower(function, depth + 1) if function is not None else Unknown("call")
        args = tuple(self.lower(a, depth + 1) for a in arguments.named_children if a.type != "comment") \
            if arguments is not None else ()
        self.calls.append(CallSite(callee, args, self.scope, self.src.span(node), snippet=self.src.first_line(node)))
        return Call(callee, args)

    def assignment(self, node: ts.Node, depth: int) -> Expr:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return Unknown("assignment")
        value = self.lower(right, depth + 1)
        operator = node.child_by_field_name("operator")
        if operator is not None and self.src.text(operator) != "=":
            return value
        line = line_of(node)
        if left.type == "identifier":
            name = self.src.text(left)
            if name.startswith("_") and self.cls and not self.is_declared(name):
                # An instance variable backing a property (`_appInstallId = …`).
                self.member_assigns.append(MemberAssign(Member(This(self.cls), name[1:]), value, self.scope, line))
            elif name != "self":
                self.bindings.append(Binding(name, self.scope, value, "assign", line, self.conditional(node)))
        elif left.type == "field_expression":
            target = self.lower(left, depth + 1)
            if isinstance(target, Member):
                self.member_assigns.append(MemberAssign(target, value, self.scope, line))
        return value

    def block(self, node: ts.Node, depth: int) -> Expr:
        line = line_of(node)
        plist = next((c for c in node.named_children if c.type == "parameter_list"), None)
        params = [n for p in (plist.named_children if plist is not None else ())
                  if (n := self.declarator_name(p.child_by_field_name("declarator")))]
        scope_id = self.new_scope("function", name=f"<block@{line}>", cls=self.cls, line=line, params=tuple(params))
        body = next((c for c in node.named_children if c.type == "compound_statement"), None)
        if body is not None:
            previous, self.scope = self.scope, scope_id
            self.visit(body, depth + 1)
            self.scope = previous
        return Func(scope_id)

    # --- bookkeeping --------------------------------------------------------------------------

    def too_deep(self, node: ts.Node) -> None:
        """Say (once) that code nested deeper than MAX_DEPTH was not analysed."""
        if not any(p.code == "nesting-limit" for p in self.problems):
            self.problems.append(ParseProblem(
                "nesting-limit", f"code nested more than {MAX_DEPTH} levels deep was not analysed",
                self.src.span(node)))

    def new_scope(self, kind: str, name: str | None, cls: str | None, line: int, params: tuple[str, ...] = (),
                  param_types: tuple[tuple[str, str], ...] = (), parent: int | None = None) -> int:
        """A new scope (its id is its index in self.scopes), its parameters bound in it."""
        scope_id = len(self.scopes)
        parent = self.scope if parent is None else parent
        self.scopes.append(Scope(scope_id, parent, kind, name=name, params=params, cls=cls, line=line,
                                 param_types=param_types))
        self.declared[scope_id] = set(params)
        self.bindings.extend(Binding(param, scope_id, None, "param", line) for param in params)
        return scope_id

    def conditional(self, node: ts.Node) -> bool:
        return is_conditional(node, FUNCTION_NODES, BRANCH_NODES)

    def facts(self, language: str, tree: ts.Tree) -> FileFacts:
        problems = [*syntax_problems(tree, self.src), *self.problems]
        scopes = tuple(replace(s, returns=tuple(self.returns[s.id])) if s.id in self.returns else s
                       for s in self.scopes)
        return FileFacts(
            path=self.path,
            language=language,
            scopes=scopes,
            bindings=tuple(self.bindings),
            member_assigns=tuple(self.member_assigns),
            classes=tuple(b.build() for b in self.classes.values()),
            calls=tuple(self.calls),
            problems=tuple(problems),
        )
