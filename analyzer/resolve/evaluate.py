"""Evaluate lowered expressions to string values.

The evaluator is where names get resolved. At level "literal" it folds what is written at the
call: string literals, concatenation and template literals of literals, and choices between
them; anything else becomes a hole with the reason it is unknown.
"""

from __future__ import annotations

from analyzer.facts import (
    Arr,
    Call,
    ClassRef,
    Concat,
    Cond,
    Expr,
    Func,
    GlobalRef,
    Index,
    Lit,
    Member,
    Obj,
    Ref,
    Require,
    This,
    Unknown,
)
from analyzer.resolve.values import Value, concat, known, union, unknown
from analyzer.symbols import MAX_DEPTH, FileSymbols

CONCAT_KINDS = {"concatenation": "concatenation", "template-literal": "template-literal", "interpolation": "concatenation"}


class Evaluator:
    def __init__(self, symbols: FileSymbols):
        self.symbols = symbols

    def evaluate(self, expr: Expr | None, depth: int = 0) -> tuple[Value, ...]:
        if expr is None:
            return (unknown("missing argument"),)
        if depth > MAX_DEPTH:
            return (unknown("resolution depth limit reached"),)
        if isinstance(expr, Lit):
            return (literal_value(expr),)
        if isinstance(expr, Concat):
            kind = CONCAT_KINDS.get(expr.style, "concatenation")
            return concat([self.evaluate(p, depth + 1) for p in expr.parts], kind)
        if isinstance(expr, Cond):
            return union([self.evaluate(option, depth + 1) for option in expr.options])
        return (unknown(describe(expr, self.symbols)),)

    def object_entry(self, expr: Expr | None, key: str, depth: int = 0) -> Expr | None:
        """The value of `key` in an object literal (or PHP array) expression."""
        if isinstance(expr, Obj):
            for name, value in reversed(expr.entries):
                if name == key:
                    return value
        return None


def literal_value(lit: Lit) -> Value:
    value = lit.value
    if isinstance(value, str):
        return known(value)
    if isinstance(value, bool):
        return known("true" if value else "false")
    if value is None:
        return unknown("null value")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return known(str(value))


def describe(expr: Expr, symbols: FileSymbols | None = None) -> str:
    """Why an expression has no static value, in words a user understands."""
    if isinstance(expr, Ref):
        if symbols is not None:
            found = symbols.lookup(expr.name, expr.scope)
            if found.kind == "param":
                owner = symbols.scopes.get(found.scope) if found.scope is not None else None
                where = f" of {owner.name}" if owner and owner.name and not owner.name.startswith("<") else ""
                return f"parameter {expr.name}{where}"
        return f"variable {expr.name}"
    if isinstance(expr, GlobalRef):
        return f"constant {expr.name}"
    if isinstance(expr, Member):
        if isinstance(expr.obj, This):
            return f"property this.{expr.prop}"
        if isinstance(expr.obj, ClassRef):
            return f"class constant {expr.obj.name}::{expr.prop}"
        return f"property .{expr.prop}"
    if isinstance(expr, Index):
        return "computed key"
    if isinstance(expr, Call):
        callee = expr.callee
        name = callee.prop if isinstance(callee, Member) else getattr(callee, "name", "a function")
        return f"return value of {name}()"
    if isinstance(expr, Unknown):
        return expr.reason
    if isinstance(expr, (Obj, Arr)):
        return "object or array, not a string"
    if isinstance(expr, Func):
        return "function, not a string"
    if isinstance(expr, Require):
        return f"module {expr.module}"
    if isinstance(expr, This):
        return "this"
    if isinstance(expr, ClassRef):
        return f"class {expr.name}"
    return "unsupported expression"
