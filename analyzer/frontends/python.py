"""Python frontend: lowers a libcst syntax tree into FileFacts.

libcst (not tree-sitter) parses Python here: it is exact for every Python 3 version and keeps
positions. It has no error recovery, so a file that does not parse is parsed again with its
broken top-level blocks blanked out (line numbers unchanged): the rest still reports.

One visitor walks the module once. Functions, lambdas and classes open scopes; calls, bindings,
member assignments and classes are recorded with the scope they are in; expressions are lowered
on demand, to a bounded depth.

How Python maps onto the facts:
- A function's scope sees the enclosing function or module, never a class body (Python's rule),
  so its parent is the nearest non-class scope; the first parameter of a method lowers to
  `This(cls)` (`ClassRef(cls)` in a classmethod).
- Every assignment is a "var" binding in the scope it assigns (or the module, after `global`);
  a parameter's default value is the value of its "param" binding.
- `import a.b as c` binds c to `GlobalRef("a.b")` and `from a.b import c` binds c to
  `GlobalRef("a.b.c")`: module paths are repository-wide names, so `requests.post` and
  `statsd.StatsClient` read as written. A relative import `from ..pkg.m import c` is
  `Member(Require("../pkg/m", path), "c")` (the module as a path, without `.py`).
- `return` values (and a lambda's body) are the function scope's `returns`.
- Class-body assignments are class attributes: ClassDef.properties (they are read through both
  `self.x` and `Cls.x`); annotations go to property_types. Module-level names are exports.
- Static string building is lowered: f-strings (template-literal), `%` and `str.format` with
  plain `%s`/`{}` fields (interpolation), `+` and implicit concatenation, `"sep".join([...])`.
  `dict(k=v)` and dict displays are Obj; keyword arguments go to CallSite.named.
"""

from __future__ import annotations

import re
import string
from dataclasses import replace

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

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
    GlobalRef,
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
)
from analyzer.model import Span

MAX_EXPRESSION_DEPTH = 40
MAX_SNIPPET = 200
# Lines that continue the top-level statement above them rather than start a new one.
CONTINUATION = re.compile(r"(else|elif|except|finally)\b|[)\]}@#]|\s|$")
NEWLINE = re.compile(r"\r\n?|\n")
PERCENT_FIELD = re.compile(r"%(?:\((\w+)\))?([-#0 +]*\d*(?:\.\d+)?)([a-z%])", re.IGNORECASE)


class PythonFrontend:
    language = "python"

    def lower(self, path: str, source: bytes) -> FileFacts:
        module, problems = parse_tolerantly(source)
        if module is None:
            return FileFacts(path=path, language=self.language, problems=tuple(problems))
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        lowerer = _Lowerer(path, split_lines(module.code), positions)
        module.visit(lowerer)
        return lowerer.facts(self.language, problems)


# --- parsing -----------------------------------------------------------------------------------


def parse_tolerantly(source: bytes) -> tuple[cst.Module | None, list[ParseProblem]]:
    """The module, or when it has syntax errors the module without its broken top-level blocks,
    with a problem saying which; None if even that does not parse."""
    try:
        return cst.parse_module(source), []
    except (cst.ParserSyntaxError, RecursionError):
        pass
    lines = split_lines(source.decode("utf-8", errors="replace"))
    broken = [(start, end) for start, end in top_level_blocks(lines) if not parses_alone(lines, start, end)]
    kept = list(lines)
    for start, end in broken:
        kept[start:end] = [""] * (end - start)
    first = broken[0][0] + 1 if broken else 1
    problem = ParseProblem(
        "parse-error",
        f"{len(broken)} top-level block(s) with syntax errors were skipped; "
        "the rest of the file was still analysed",
        Span(first, 1, first, 1),
    )
    try:
        return cst.parse_module("\n".join(kept) + "\n"), [problem]
    except (cst.ParserSyntaxError, RecursionError):
        return None, [ParseProblem("parse-error", "syntax error; the file was not analysed", Span(first, 1, first, 1))]


def split_lines(text: str) -> list[str]:
    """Lines as Python counts them (str.splitlines also splits at form feeds and other breaks)."""
    return NEWLINE.split(text)


def top_level_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """(first, end) line indexes of each top-level statement with its decorators and clauses."""
    starts = [i for i, line in enumerate(lines) if not CONTINUATION.match(line)]
    decorated = []
    for start in starts:
        while start > 0 and lines[start - 1].startswith("@"):
            start -= 1
        decorated.append(start)
    ends = [*decorated[1:], len(lines)]
    # not strict: with no statement at all, ends still holds the end of the file
    return list(zip(decorated, ends, strict=False))


def parses_alone(lines: list[str], start: int, end: int) -> bool:
    try:
        cst.parse_module("\n".join(lines[start:end]) + "\n")
        return True
    except (cst.ParserSyntaxError, RecursionError):
        return False


# --- lowering ----------------------------------------------------------------------------------


class _Lowerer(cst.CSTVisitor):
    def __init__(self, path: str, lines: list[str], positions):
        super().__init__()
        self.path = path
        self.lines = lines
        self.positions = positions
        self.scopes: list[Scope] = [Scope(MODULE_SCOPE, None, "module")]
        self.scope_by_id: dict[int, Scope] = {MODULE_SCOPE: self.scopes[0]}
        self.function_ids: dict[int, int] = {}  # id(node) → scope id (a lambda is lowered before it is visited)
        self.classes: dict[int, ClassDraft] = {}  # class scope id → builder
        self.receivers: dict[int, tuple[str, Expr]] = {}  # method scope → (first parameter, what it is)
        self.globals: dict[int, set[str]] = {}  # function scope → names declared `global`
        self.bindings: list[Binding] = []
        self.member_assigns: list[MemberAssign] = []
        self.calls: list[CallSite] = []
        self.returns: dict[int, list[Expr]] = {}  # function scope id → values it returns
        self.scope = MODULE_SCOPE

    def facts(self, language: str, problems: list[ParseProblem]) -> FileFacts:
        exported: dict[str, Expr] = {}
        for binding in self.bindings:
            if binding.scope == MODULE_SCOPE:
                exported.setdefault(binding.name, Ref(binding.name, MODULE_SCOPE))
        scopes = [replace(s, returns=tuple(self.returns[s.id])) if s.id in self.returns else s for s in self.scopes]
        return FileFacts(
            path=self.path,
            language=language,
            scopes=tuple(sorted(scopes, key=lambda s: s.id)),
            bindings=tuple(self.bindings),
            member_assigns=tuple(self.member_assigns),
            classes=tuple(b.build() for b in self.classes.values()),
            calls=tuple(self.calls),
            exports=tuple(exported.items()),
            problems=tuple(problems),
        )

    # --- positions ---------------------------------------------------------------------------

    def line(self, node: cst.CSTNode) -> int:
        return self.positions[node].start.line

    def span(self, start: cst.CSTNode, end: cst.CSTNode) -> Span:
        first: CodeRange = self.positions[start]
        last: CodeRange = self.positions[end]
        return Span(first.start.line, first.start.column + 1, last.end.line, last.end.column + 1)

    def snippet(self, node: cst.CSTNode) -> str:
        where: CodeRange = self.positions[node]
        text = self.lines[where.start.line - 1] if where.start.line <= len(self.lines) else ""
        end = where.end.column if where.end.line == where.start.line else len(text)
        text = text[where.start.column : end].strip()
        return text if len(text) <= MAX_SNIPPET else text[: MAX_SNIPPET - 1] + "…"

    # --- scopes ------------------------------------------------------------------------------

    def add_scope(self, scope: Scope) -> None:
        self.scopes.append(scope)
        self.scope_by_id[scope.id] = scope

    def function_id(self, node: cst.CSTNode) -> int:
        """The scope id of a function or lambda, allocated the first time it is asked for."""
        return self.function_ids.setdefault(id(node), len(self.function_ids) + 1)

    def lexical_parent(self, scope_id: int) -> int:
        """The nearest enclosing scope whose names a nested function sees (not a class body)."""
        scope = self.scope_by_id[scope_id]
        while scope.kind == "class" and scope.parent is not None:
            scope = self.scope_by_id[scope.parent]
        return scope.id

    def owner_class(self) -> ClassDraft | None:
        """The class whose body is being visited, if the current scope is one."""
        return self.classes.get(self.scope)

    def binding_scope(self, name: str) -> int:
        """Where an assignment to `name` binds it: the current scope, or the module after `global`."""
        return MODULE_SCOPE if name in self.globals.get(self.scope, ()) else self.scope

    def within(self, scope_id: int, body: cst.CSTNode) -> None:
        previous, self.scope = self.scope, scope_id
        body.visit(self)
        self.scope = previous

    def lower_in(self, scope_id: int, node: cst.CSTNode) -> Expr:
        previous, self.scope = self.scope, scope_id
        value = self.lower(node)
        self.scope = previous
        return value

    # --- definitions -------------------------------------------------------------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        for decorator in node.decorators:
            decorator.visit(self)
        node.params.visit(self)  # default values are evaluated where the function is defined
        owner = self.owner_class()
        scope_id = self.function_id(node)
        name = node.name.value
        line = self.line(node)
        params, types, defaults = self.parameters(node.params)
        self.add_scope(
            Scope(
                scope_id,
                self.lexical_parent(self.scope),
                "function",
                name=f"{owner.name}.{name}" if owner else name,
                params=params,
                cls=owner.name if owner else None,
                line=line,
                param_types=types,
            )
        )
        if owner is not None:
            owner.methods.append((name, scope_id))
            self.note_receiver(node, scope_id, params, owner.name)
        for pname in params:
            self.bindings.append(Binding(pname.lstrip("*."), scope_id, defaults.get(pname), "param", line))
        self.bindings.append(Binding(name, self.binding_scope(name), Func(scope_id), "function", line))
        self.within(scope_id, node.body)
        return False

    def note_receiver(self, node: cst.FunctionDef, scope_id: int, params: tuple[str, ...], cls: str) -> None:
        decorators = {decorator_name(d) for d in node.decorators}
        if "staticmethod" in decorators or not params or params[0].startswith(("*", ".")):
            return
        receiver: Expr = ClassRef(cls) if "classmethod" in decorators else This(cls)
        self.receivers[scope_id] = (params[0], receiver)

    def parameters(
        self, params: cst.Parameters
    ) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...], dict[str, Expr]]:
        """Names in order (`...args` / `**kwargs` for the collecting ones), annotations, defaults."""
        names: list[str] = []
        types: list[tuple[str, str]] = []
        defaults: dict[str, Expr] = {}
        ordered = [(p, "") for p in (*params.posonly_params, *params.params)]
        if isinstance(params.star_arg, cst.Param):
            ordered.append((params.star_arg, "..."))
        ordered += [(p, "") for p in params.kwonly_params]
        if params.star_kwarg is not None:
            ordered.append((params.star_kwarg, "**"))
        for param, marker in ordered:
            pname = marker + param.name.value
            names.append(pname)
            if param.annotation is not None:
                types.append((param.name.value, annotation_text(param.annotation.annotation)))
            if param.default is not None:
                defaults[pname] = self.lower(param.default)
        return tuple(names), tuple(types), defaults

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        node.params.visit(self)
        scope_id = self.function_id(node)
        params, _types, defaults = self.parameters(node.params)
        line = self.line(node)
        self.add_scope(Scope(scope_id, self.lexical_parent(self.scope), "function", name=f"<lambda@{line}>",
                             params=params, line=line))
        for pname in params:
            self.bindings.append(Binding(pname.lstrip("*."), scope_id, defaults.get(pname), "param", line))
        self.returns.setdefault(scope_id, []).append(self.lower_in(scope_id, node.body))
        self.within(scope_id, node.body)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        for decorator in node.decorators:
            decorator.visit(self)
        for base in node.bases:
            base.visit(self)
        outer = self.owner_class()
        name = f"{outer.name}.{node.name.value}" if outer else node.name.value
        scope_id = self.function_id(node)
        line = self.line(node)
        bases = tuple(annotation_text(b.value) for b in node.bases if b.keyword is None)
        self.classes[scope_id] = ClassDraft(
            name,
            scope_id,
            "class",
            line,
            parent=bases[0] if bases else None,
            interfaces=list(bases[1:]),
            annotations=tuple((decorator_name(d), self.decorator_args(d)) for d in node.decorators),
        )
        self.add_scope(Scope(scope_id, self.lexical_parent(self.scope), "class", name=name, cls=name, line=line))
        self.bindings.append(Binding(node.name.value, self.binding_scope(node.name.value), ClassRef(name), "class",
                                     line))
        self.within(scope_id, node.body)
        return False

    def decorator_args(self, decorator: cst.Decorator) -> tuple[Expr, ...]:
        if isinstance(decorator.decorator, cst.Call):
            return tuple(self.lower(a.value) for a in decorator.decorator.args if a.keyword is None)
        return ()

    # --- bindings ----------------------------------------------------------------------------

    def visit_Assign(self, node: cst.Assign) -> None:
        value = self.lower(node.value)
        for target in node.targets:
            self.assign(target.target, value, self.line(node))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        declared = annotation_text(node.annotation.annotation)
        owner = self.owner_class()
        target = node.target
        if isinstance(target, cst.Name) and owner is not None:
            owner.property_types.append((target.value, declared))
        elif is_self_attribute(target, self.receivers.get(self.scope)):
            builder = self.class_of_method()
            if builder is not None:
                builder.property_types.append((target.attr.value, declared))
        if node.value is not None:
            self.assign(target, self.lower(node.value), self.line(node))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):
            name = node.target.value
            changed = Unknown("changed by an augmented assignment")
            self.bindings.append(Binding(name, self.binding_scope(name), changed, "var", self.line(node)))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.assign(node.target, self.lower(node.value), self.line(node))

    def visit_For(self, node: cst.For) -> None:
        items = self.lower(node.iter)
        value: Expr = Cond(items.items) if isinstance(items, Arr) and items.items else Unknown("loop variable")
        self.assign(node.target, value, self.line(node), "loop")

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self.assign(node.target, Unknown("comprehension variable"), self.line(node), "loop")

    def visit_WithItem(self, node: cst.WithItem) -> None:
        """`with client.pipeline() as pipe`: pipe is (usually) what the expression returns."""
        if node.asname is not None:
            self.assign(node.asname.name, self.lower(node.item), self.line(node))

    def visit_Return(self, node: cst.Return) -> None:
        if self.scope_by_id[self.scope].kind == "function":
            value = self.lower(node.value) if node.value is not None else Lit(None)
            self.returns.setdefault(self.scope, []).append(value)

    def visit_Global(self, node: cst.Global) -> None:
        self.globals.setdefault(self.scope, set()).update(n.name.value for n in node.names)

    def assign(self, target: cst.BaseExpression, value: Expr, line: int, kind: str = "var") -> None:
        if isinstance(target, cst.Name):
            name = target.value
            self.bindings.append(Binding(name, self.binding_scope(name), value, kind, line))
            owner = self.owner_class()
            if owner is not None and kind == "var":
                owner.properties.append((name, value))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for index, element in enumerate(target.elements):
                inner = element.value
                starred = isinstance(element, cst.StarredElement)
                part = Unknown("starred assignment") if starred else Index(value, Lit(index))
                self.assign(inner, part, line, kind)
        elif isinstance(target, (cst.Attribute, cst.Subscript)):
            member = self.lower(target)
            if isinstance(member, (Member, Index)):
                self.member_assigns.append(MemberAssign(member, value, self.scope, line))

    def class_of_method(self) -> ClassDraft | None:
        scope = self.scope_by_id.get(self.scope)
        if scope is None or scope.cls is None:
            return None
        return next((b for b in self.classes.values() if b.name == scope.cls), None)

    def visit_Import(self, node: cst.Import) -> None:
        line = self.line(node)
        for alias in node.names:
            dotted = dotted_name(alias.name)
            if alias.asname is not None:
                local, value = alias.asname.name.value, GlobalRef(dotted)
            else:
                local = dotted.split(".")[0]
                value = GlobalRef(local)
            self.bindings.append(Binding(local, self.binding_scope(local), value, "import", line))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        module = dotted_name(node.module) if node.module is not None else ""
        line = self.line(node)
        for alias in node.names:
            imported = dotted_name(alias.name)
            local = alias.asname.name.value if alias.asname is not None else imported
            value: Expr
            if node.relative:
                value = Member(Require(relative_module_path(len(node.relative), module), self.path), imported)
            else:
                value = GlobalRef(f"{module}.{imported}")
            self.bindings.append(Binding(local, self.binding_scope(local), value, "import", line))

    # --- calls -------------------------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        args, named = self.arguments(node.args)
        self.calls.append(
            CallSite(
                callee=self.lower(node.func),
                args=args,
                scope=self.scope,
                span=self.span(self.span_start(node.func), node),
                named=named,
                snippet=self.snippet(node),
            )
        )

    def span_start(self, func: cst.BaseExpression) -> cst.CSTNode:
        """A method called on the result of another call starts at its name (one line per link)."""
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call):
            return func.attr
        return func

    def arguments(self, arguments) -> tuple[tuple[Expr, ...], tuple[tuple[str, Expr], ...]]:
        args: list[Expr] = []
        named: list[tuple[str, Expr]] = []
        for arg in arguments:
            if arg.keyword is not None:
                named.append((arg.keyword.value, self.lower(arg.value)))
            elif arg.star == "*":
                args.append(Unknown("unpacked arguments"))
            elif arg.star != "**":
                args.append(self.lower(arg.value))
        return tuple(args), tuple(named)

    # --- expressions -------------------------------------------------------------------------

    def lower(self, node: cst.CSTNode | None, depth: int = 0) -> Expr:
        if node is None:
            return Unknown("missing expression")
        if depth > MAX_EXPRESSION_DEPTH:
            return Unknown("expression nested too deeply")
        handler = getattr(self, "lower_" + type(node).__name__, None)
        if handler is not None:
            return handler(node, depth + 1)
        return Unknown(describe_node(node))

    def lower_Name(self, node: cst.Name, depth: int) -> Expr:
        name = node.value
        if name in ("None", "True", "False"):
            return Lit(None if name == "None" else name == "True")
        receiver = self.receiver_named(name)
        return receiver if receiver is not None else Ref(name, self.scope)

    def receiver_named(self, name: str) -> Expr | None:
        """`self` / `cls` of the method around here, unless a closer scope rebinds the name."""
        scope_id: int | None = self.scope
        while scope_id is not None:
            receiver = self.receivers.get(scope_id)
            if receiver is not None and receiver[0] == name:
                return receiver[1]
            scope = self.scope_by_id[scope_id]
            if name in scope.params:
                return None
            scope_id = scope.parent
        return None

    def lower_Attribute(self, node: cst.Attribute, depth: int) -> Expr:
        return Member(self.lower(node.value, depth), node.attr.value)

    def lower_Subscript(self, node: cst.Subscript, depth: int) -> Expr:
        target = self.lower(node.value, depth)
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return Index(target, Unknown("slice"))
        key = self.lower(node.slice[0].slice.value, depth)
        if isinstance(key, Lit) and isinstance(key.value, str):
            return Member(target, key.value)
        return Index(target, key)

    def lower_SimpleString(self, node: cst.SimpleString, depth: int) -> Expr:
        value = node.evaluated_value
        return Lit(value) if isinstance(value, str) else Unknown("bytes literal")

    def lower_ConcatenatedString(self, node: cst.ConcatenatedString, depth: int) -> Expr:
        return join_parts([self.lower(node.left, depth), self.lower(node.right, depth)], "concatenation")

    def lower_FormattedString(self, node: cst.FormattedString, depth: int) -> Expr:
        raw = "r" in node.prefix.lower()
        parts: list[Expr] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                text = part.value if raw else unescape_python(part.value)
                parts.append(Lit(text.replace("{{", "{").replace("}}", "}")))
            elif part.format_spec or part.conversion in ("r", "a") or part.equal is not None:
                parts.append(Unknown("formatted value"))
            else:
                parts.append(as_text(self.lower(part.expression, depth)))
        return join_parts(parts, "template-literal")

    def lower_Integer(self, node: cst.Integer, depth: int) -> Expr:
        return Lit(node.evaluated_value)

    def lower_Float(self, node: cst.Float, depth: int) -> Expr:
        return Lit(node.evaluated_value)

    def lower_UnaryOperation(self, node: cst.UnaryOperation, depth: int) -> Expr:
        value = self.lower(node.expression, depth)
        if isinstance(node.operator, cst.Minus) and isinstance(value, Lit) and isinstance(value.value, (int, float)):
            return Lit(-value.value)
        return Unknown("unary expression")

    def lower_BinaryOperation(self, node: cst.BinaryOperation, depth: int) -> Expr:
        if isinstance(node.operator, cst.Add):
            return join_parts([self.lower(node.left, depth), self.lower(node.right, depth)], "concatenation")
        if isinstance(node.operator, cst.Modulo):
            template = self.lower(node.left, depth)
            if isinstance(template, Lit) and isinstance(template.value, str):
                return self.percent_format(template.value, self.lower(node.right, depth))
        return Unknown(f"{describe_node(node.operator)} expression")

    def percent_format(self, template: str, values: Expr) -> Expr:
        """`"%s.%s" % (a, b)` and `"%(k)s" % {"k": v}` with plain `%s`/`%d` fields."""
        positional = list(values.items) if isinstance(values, Arr) else [values]
        parts: list[Expr] = []
        position = 0
        last = 0
        for match in PERCENT_FIELD.finditer(template):
            parts.append(Lit(template[last : match.start()]))
            last = match.end()
            key, flags, conversion = match.groups()
            if conversion == "%":
                parts.append(Lit("%"))
                continue
            if flags or conversion.lower() not in ("s", "d", "i"):
                parts.append(Unknown("formatted value"))
            elif key is not None:
                parts.append(as_text(object_value(values, key)))
            else:
                given = position < len(positional)
                parts.append(as_text(positional[position]) if given else Unknown("missing % argument"))
                position += 1
        parts.append(Lit(template[last:]))
        return join_parts(parts, "interpolation")

    def lower_BooleanOperation(self, node: cst.BooleanOperation, depth: int) -> Expr:
        if isinstance(node.operator, cst.Or):
            return Cond((self.lower(node.left, depth), self.lower(node.right, depth)))
        return Unknown("'and' expression")

    def lower_IfExp(self, node: cst.IfExp, depth: int) -> Expr:
        return Cond((self.lower(node.body, depth), self.lower(node.orelse, depth)))

    def lower_Await(self, node: cst.Await, depth: int) -> Expr:
        return self.lower(node.expression, depth)

    def lower_NamedExpr(self, node: cst.NamedExpr, depth: int) -> Expr:
        return self.lower(node.value, depth)

    def lower_Dict(self, node: cst.Dict, depth: int) -> Expr:
        entries: list[tuple[str, Expr]] = []
        spreads: list[Expr] = []
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                spreads.append(self.lower(element.value, depth))
                continue
            key = self.lower(element.key, depth)
            if isinstance(key, Lit) and isinstance(key.value, str):
                entries.append((key.value, self.lower(element.value, depth)))
        return Obj(tuple(entries), tuple(spreads))

    def lower_List(self, node: cst.List | cst.Tuple | cst.Set, depth: int) -> Expr:
        return Arr(
            tuple(
                Unknown("starred element") if isinstance(e, cst.StarredElement) else self.lower(e.value, depth)
                for e in node.elements
            )
        )

    lower_Tuple = lower_Set = lower_List

    def lower_Lambda(self, node: cst.Lambda, depth: int) -> Expr:
        return Func(self.function_id(node))

    def lower_Call(self, node: cst.Call, depth: int) -> Expr:
        args, named = self.arguments(node.args)
        func = node.func
        if isinstance(func, cst.Name) and not any(a.star for a in node.args):
            if func.value == "dict" and not args:
                return Obj(named)
            if func.value == "str" and len(args) == 1 and not named:
                return args[0]
        if isinstance(func, cst.Attribute):
            owner = self.lower(func.value, depth)
            if isinstance(owner, Lit) and isinstance(owner.value, str):
                if func.attr.value == "format":
                    return self.str_format(owner.value, args, dict(named))
                if func.attr.value == "join" and len(args) == 1 and isinstance(args[0], Arr):
                    return join_with(owner.value, args[0].items)
        return Call(self.lower(func, depth), args, named)

    def str_format(self, template: str, args: tuple[Expr, ...], kwargs: dict[str, Expr]) -> Expr:
        """`"{}.{name}".format(a, name=b)` with plain fields (no conversion or format spec)."""
        parts: list[Expr] = []
        auto = 0
        try:
            fields = list(string.Formatter().parse(template))
        except ValueError:
            return Unknown("malformed format string")
        for literal, field_name, spec, conversion in fields:
            parts.append(Lit(literal))
            if field_name is None:
                continue
            if spec or conversion:
                parts.append(Unknown("formatted value"))
                continue
            head, _, rest = field_name.partition(".")
            if head == "":
                value = args[auto] if auto < len(args) else Unknown("missing format argument")
                auto += 1
            elif head.isdigit():
                value = args[int(head)] if int(head) < len(args) else Unknown("missing format argument")
            else:
                value = kwargs.get(head, Unknown(f"format argument {head}"))
            for attribute in filter(None, rest.split(".")):
                value = Member(value, attribute)
            parts.append(as_text(value))
        return join_parts(parts, "interpolation")


# --- helpers -----------------------------------------------------------------------------------


def join_parts(parts: list[Expr], style: str) -> Expr:
    """Parts as one expression: adjacent literal text merged, nested concatenations flattened,
    and a single part as itself."""
    flat: list[Expr] = []
    for part in parts:
        inner = part.parts if isinstance(part, Concat) and part.style in (style, "concatenation") else (part,)
        for item in inner:
            if (isinstance(item, Lit) and isinstance(item.value, str)
                    and flat and isinstance(flat[-1], Lit) and isinstance(flat[-1].value, str)):
                flat[-1] = Lit(flat[-1].value + item.value)
            elif item != Lit(""):
                flat.append(item)
    if not flat:
        return Lit("")
    if len(flat) == 1:
        return flat[0]
    return Concat(tuple(flat), style)


def as_text(value: Expr) -> Expr:
    """A number formatted into a string is its decimal text."""
    if isinstance(value, Lit) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
        return Lit(str(value.value))
    return value


def join_with(separator: str, items: tuple[Expr, ...]) -> Expr:
    """`sep.join([a, b])` → a + sep + b."""
    parts: list[Expr] = []
    for index, item in enumerate(items):
        if index:
            parts.append(Lit(separator))
        parts.append(item)
    return join_parts(parts, "concatenation")


def object_value(values: Expr, key: str) -> Expr:
    if isinstance(values, Obj):
        for name, value in reversed(values.entries):
            if name == key:
                return value
    return Unknown(f"format argument {key}")


def unescape_python(text: str) -> str:
    """The value of the escape sequences in a (non-raw) Python string fragment."""
    if "\\" not in text:
        return text
    try:
        return text.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except UnicodeDecodeError:
        return text


def relative_module_path(dots: int, module: str) -> str:
    """`from ..pkg.mod import x` → "../pkg/mod": a path relative to the importing file's
    directory, without the `.py` / `/__init__.py` ending."""
    up = "." if dots == 1 else "/".join([".."] * (dots - 1))
    return up + ("/" + module.replace(".", "/") if module else "")


def dotted_name(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{dotted_name(node.value)}.{node.attr.value}"
    return cst.Module([]).code_for_node(node)


def annotation_text(node: cst.BaseExpression) -> str:
    """A type annotation or base class as written (quotes of string annotations removed)."""
    if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
        return node.evaluated_value
    return re.sub(r"\s+", "", cst.Module([]).code_for_node(node))


def decorator_name(decorator: cst.Decorator) -> str:
    target = decorator.decorator
    return annotation_text(target.func if isinstance(target, cst.Call) else target)


def is_self_attribute(target: cst.BaseExpression, receiver: tuple[str, Expr] | None) -> bool:
    return (
        receiver is not None
        and isinstance(receiver[1], This)
        and isinstance(target, cst.Attribute)
        and isinstance(target.value, cst.Name)
        and target.value.value == receiver[0]
    )


def describe_node(node: cst.CSTNode) -> str:
    """`ListComp` → "list comp": the reason shown for an expression that is not lowered."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", type(node).__name__).lower()
