"""JavaScript's pre-`class` idioms, which most MediaWiki front-end code still uses:

- objects and constructors hung on global namespaces (`ve.init.mw.ArticleTarget = function …`,
  `mw.libs.ge.HelpPanelLogger = HelpPanelLogger`), read back from any file;
- prototype methods and statics (`Foo.prototype.log = function …`, `Foo.static.name = 'x'`);
- `this.x = …` assignments, which belong to a class wherever its methods are defined (and, in
  languages with an implicit `this`, assignments of a member by its bare name);
- OOjs inheritance, `OO.inheritClass( Child, Parent )` (the calls are listed in rule data).

`Assignments` indexes all of that once per repository; the evaluator asks it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from analyzer.facts import Expr, FileFacts, Member, Ref, This
from analyzer.symbols import IMPLICIT_THIS, RepoIndex

NOT_NAMESPACES = frozenset({"module", "exports", "window", "globalThis", "self"})


@dataclass(frozen=True, slots=True)
class NamespaceT:
    """A dotted name that code assigns members to: a global namespace (`ve.init.mw`, owner
    None) or the statics of a constructor local to file `owner` (`Foo.static`)."""

    owner: str | None
    name: str


def dotted(expr: Expr) -> tuple[Ref, str] | None:
    """`a.b.c` as its root name and the whole dotted text, without following any binding."""
    parts = []
    while isinstance(expr, Member):
        parts.append(expr.prop)
        expr = expr.obj
    if not isinstance(expr, Ref) or not parts:
        return None
    return expr, ".".join([expr.name, *reversed(parts)])


class Assignments:
    """Every `a.b.c = value` and `this.x = value` in the repository."""

    def __init__(self, index: RepoIndex):
        self.values: dict[tuple[str | None, str], list[tuple[str, Expr]]] = defaultdict(list)
        self.prefixes: set[tuple[str | None, str]] = set()
        self.this_values: dict[tuple[str, str], list[tuple[str, Expr]]] = defaultdict(list)
        for path, facts in index.files.items():
            if facts.language in IMPLICIT_THIS:
                self._bare_member_assignments(path, facts, index)
            if not facts.member_assigns:
                continue
            symbols = index.symbols(path)
            for assign in facts.member_assigns:
                target = assign.target
                if isinstance(target, Member) and isinstance(target.obj, This) and target.obj.cls:
                    self.this_values[(target.obj.cls, target.prop)].append((path, assign.value))
                    continue
                found = dotted(target)
                if found is None or found[0].name in NOT_NAMESPACES:
                    continue
                root, name = found
                owner = None if symbols.lookup(root.name, root.scope).kind == "unbound" else path
                self.values[(owner, name)].append((path, assign.value))
                parts = name.split(".")
                self.prefixes.update((owner, ".".join(parts[:n])) for n in range(1, len(parts)))

    def _bare_member_assignments(self, path: str, facts: FileFacts, index: RepoIndex) -> None:
        """`x = value` in a method, where no scope declares x: `this.x = value` (Kotlin, Java,
        Swift assign an inherited property by its bare name)."""
        symbols = index.symbols(path)
        for binding in facts.bindings:
            if (binding.kind == "assign" and binding.value is not None
                    and not symbols.declares(binding.name, binding.scope)):
                klass = symbols.enclosing_class(binding.scope)
                if klass is not None:
                    self.this_values[(klass.name, binding.name)].append((path, binding.value))

    def lookup(self, owner: str | None, name: str) -> list[tuple[str, Expr]]:
        return self.values.get((owner, name), [])

    def is_namespace(self, owner: str | None, name: str) -> bool:
        return (owner, name) in self.prefixes

    def either(self, path: str, name: str) -> list[tuple[str, Expr]]:
        """Values of a dotted name as a global, else as a name local to `path`."""
        return self.lookup(None, name) or self.lookup(path, name)
