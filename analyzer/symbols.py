"""Symbol tables built once from file facts: name lookup through scopes, class tables, and the
two questions extraction asks about a callee: what API path does it name (following aliases
such as `const track = mw.track`), and what does the receiver of a method call look like."""

from __future__ import annotations

import json
import posixpath
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Protocol

from analyzer.facts import (
    MODULE_SCOPE,
    Binding,
    Call,
    CallSite,
    ClassDef,
    ClassRef,
    Cond,
    Expr,
    FileFacts,
    Func,
    GlobalRef,
    Lit,
    Member,
    MemberAssign,
    Ref,
    Scope,
    This,
)

MAX_DEPTH = 12
# Languages where a bare name in a method can be a member of its class, inherited ones included.
IMPLICIT_THIS = frozenset({"kotlin", "java", "swift"})
DECLARING_KINDS = frozenset({"const", "let", "var", "param", "function", "class", "import", "loop", "define"})


@dataclass(frozen=True, slots=True)
class Lookup:
    """What a name refers to at a point in the code."""

    kind: str  # "unbound" | "param" | "values"
    values: tuple[Expr, ...] = ()
    scope: int | None = None  # the scope that declares it
    param_index: int | None = None
    param_too: bool = False  # "values": the parameter's own value may also reach the use


UNBOUND = Lookup("unbound")


class FileSymbols:
    """Name lookup inside one file."""

    def __init__(self, facts: FileFacts, repo: RepoIndex | None = None):
        self.facts = facts
        self.repo = repo  # the repository, for the questions that cross files (a class's ancestors)
        self.scopes: dict[int, Scope] = {s.id: s for s in facts.scopes}
        self._declared: dict[tuple[int, str], list[Binding]] = defaultdict(list)
        self._assigned: dict[str, list[Binding]] = defaultdict(list)
        for binding in facts.bindings:
            if binding.kind in DECLARING_KINDS:
                self._declared[(binding.scope, binding.name)].append(binding)
            else:
                self._assigned[binding.name].append(binding)
        self.member_assigns: dict[str, list[MemberAssign]] = defaultdict(list)
        for assign in facts.member_assigns:
            if isinstance(assign.target, Member):
                self.member_assigns[assign.target.prop].append(assign)
        self.classes: dict[str, ClassDef] = {c.name: c for c in facts.classes}
        # What later stages derive from this file alone, kept as long as the table is.
        self.derived: dict[object, object] = {}
        self._lookups: dict[tuple[str, int, int], Lookup] = {}
        # Functions passed as arguments: scope id → [(call, argument index)], for callbacks.
        self.passed_functions: dict[int, list[tuple[CallSite, int]]] = defaultdict(list)
        for call in facts.calls:
            for index, arg in enumerate(call.args):
                if isinstance(arg, Func):
                    self.passed_functions[arg.id].append((call, index))

    def chain(self, scope: int | None):
        """The scope and its ancestors, innermost first."""
        seen = 0
        while scope is not None and seen < 200:
            yield scope
            parent = self.scopes.get(scope)
            scope = parent.parent if parent else None
            seen += 1

    def lookup(self, name: str, scope: int, line: int = 0) -> Lookup:
        """What `name` used in `scope` refers to. With the `line` of the use, assignments in
        the same function that come before it decide: the last one that always runs, plus
        the branches after it (straight-line flow; a loop or a closure sees them all).
        Answered from the file alone, so each answer is kept (as long as the table is)."""
        key = (name, scope, line)
        found = self._lookups.get(key)
        if found is None:
            found = self._lookups[key] = self._lookup(name, scope, line)
        return found

    def _lookup(self, name: str, scope: int, line: int) -> Lookup:
        for candidate in self.chain(scope):
            declared = self._declared.get((candidate, name))
            if not declared:
                continue
            is_param = any(b.kind == "param" for b in declared)
            events = [b for b in declared if b.kind != "param" and b.value is not None]
            if any(b.kind in ("let", "var") for b in declared) or is_param:
                events += [b for b in self._assigned.get(name, ())
                           if b.value is not None and candidate in self.chain(b.scope)]
            values, param_too = self._reaching(events, candidate, line, is_param)
            index = self._param_index(candidate, name) if param_too else None
            if param_too and not values:
                return Lookup("param", scope=candidate, param_index=index)
            return Lookup("values", tuple(b.value for b in values), scope=candidate, param_index=index,
                          param_too=param_too)
        # Assignment to an undeclared name (sloppy-mode global or PHP variable).
        visible = set(self.chain(scope))
        assigned = [b.value for b in self._assigned.get(name, ()) if b.value is not None and b.scope in visible]
        if assigned:
            return Lookup("values", tuple(assigned), scope=scope)
        return UNBOUND

    @staticmethod
    def _reaching(events: list[Binding], scope: int, line: int, is_param: bool) -> tuple[list[Binding], bool]:
        """The assignments whose value can reach a use at `line`, and whether the parameter's
        own value can."""
        if line <= 0 or any(b.line <= 0 for b in events):
            return events, is_param
        before = sorted((b for b in events if b.scope == scope and b.line < line), key=lambda b: b.line)
        elsewhere = [b for b in events if b.scope != scope]  # closures may run at any time
        always = [b for b in before if not b.conditional]
        if always:
            last = always[-1]
            return [last, *(b for b in before if b.conditional and b.line > last.line), *elsewhere], False
        if before or elsewhere or is_param:
            return before + elsewhere, is_param
        return events, is_param  # used before any assignment (a loop, a hoisted function)

    def _param_index(self, scope_id: int, name: str) -> int | None:
        owner = self.scopes.get(scope_id)
        if owner is None:
            return None
        for i, param in enumerate(owner.params):
            if param == name or param == "..." + name:
                return i
        return None

    def param_default(self, scope: int, name: str) -> Expr | None:
        for binding in self._declared.get((scope, name), ()):
            if binding.kind == "param":
                return binding.value
        return None

    def this_members(self, cls: str | None, prop: str) -> list[Expr]:
        """Values assigned to `this.prop` anywhere in class `cls` (and class field initialisers)."""
        values = [
            a.value
            for a in self.member_assigns.get(prop, ())
            if isinstance(a.target.obj, This) and a.target.obj.cls == cls
        ]
        klass = self.classes.get(cls) if cls else None
        if klass is not None:
            values += [v for name, v in klass.properties if name == prop]
        return values

    def enclosing_class(self, scope: int) -> ClassDef | None:
        """The class whose code `scope` is (a method, or a lambda inside one)."""
        for candidate in self.chain(scope):
            current = self.scopes.get(candidate)
            if current is not None and current.cls:
                return self.classes.get(current.cls)
        return None

    def inherits(self, klass: ClassDef, name: str) -> bool:
        """Whether `klass` is class `name` or inherits from it (across files, when the
        repository is known; else from what this file declares)."""
        if self.repo is not None:
            chain = [c for _, c in self.repo.lineage(self.facts.path, klass)]
        else:
            chain = [klass, *(c for c in (self.classes.get(p) for p in (klass.parent, *klass.interfaces) if p) if c)]
        return any(names_class(c.name, name) for c in chain) or names_class(klass.parent or "", name)

    def declares(self, name: str, scope: int) -> bool:
        """Whether `name` is declared in `scope` or a scope around it."""
        return any((candidate, name) in self._declared for candidate in self.chain(scope))

    def is_variable_member(self, name: str, scope: int | None) -> bool:
        """Whether `name` is a mutable property declared in class scope `scope` (its value is
        whatever code of the class or a subclass assigns last)."""
        owner = self.scopes.get(scope) if scope is not None else None
        return (owner is not None and owner.kind == "class"
                and any(b.kind == "var" for b in self._declared.get((scope, name), ())))

    def context_name(self, scope: int) -> str | None:
        """The name of the innermost named function or class around `scope`."""
        for candidate in self.chain(scope):
            current = self.scopes.get(candidate)
            if current and current.name and not current.name.startswith("<"):
                return current.name
        return None


@dataclass
class ReceiverInfo:
    """What is known about the object a method is called on."""

    names: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)
    call_exprs: list[Call] = field(default_factory=list)
    services: set[str] = field(default_factory=set)


class PathResolver:
    """Answers "which API path does this callee name?" for one file."""

    def __init__(self, symbols: FileSymbols, aliases: tuple[tuple[str, str], ...],
                 global_aliases: dict[str, str] | None = None):
        self.symbols = symbols
        self.aliases = aliases
        self.global_aliases = global_aliases or {}

    def canonical(self, path: str | None) -> str | None:
        """Rewrite a dotted path through the receiver aliases (`window.mw.track` → `mw.track`)."""
        for _ in range(4):
            if path is None:
                return None
            rewritten = self._rewrite_once(path)
            if rewritten == path:
                break
            path = rewritten
        return path

    def _rewrite_once(self, path: str) -> str:
        for prefix, canonical in self.aliases:
            if path == prefix or path.startswith(prefix + "."):
                return canonical + path[len(prefix) :]
        for prefix, canonical in self.global_aliases.items():
            if path == prefix or path.startswith(prefix + "."):
                return canonical + path[len(prefix) :]
        return path

    def path(self, expr: Expr, depth: int = 0) -> str | None:
        """The dotted path an expression names, following single-valued local aliases."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, Ref):
            found = self.symbols.lookup(expr.name, expr.scope)
            if found.kind in ("unbound", "param"):
                return self.canonical(expr.name)
            if len(found.values) == 1:
                return self.path(found.values[0], depth + 1)
            return None
        if isinstance(expr, GlobalRef):
            return self.canonical(expr.name)
        if isinstance(expr, Member):
            if isinstance(expr.obj, This):
                assigned = self.symbols.this_members(expr.obj.cls, expr.prop)
                if len(assigned) == 1:
                    aliased = self.path(assigned[0], depth + 1)
                    if aliased is not None:
                        return aliased
            base = self.path(expr.obj, depth + 1)
            if base is None:
                return None
            return self.canonical(f"{base}{'::' if expr.static else '.'}{expr.prop}")
        if isinstance(expr, This):
            return "this"
        if isinstance(expr, ClassRef):
            return expr.name
        return None

    def describe_receiver(self, expr: Expr, depth: int = 0, info: ReceiverInfo | None = None) -> ReceiverInfo:
        """Names, declared types and producing calls of a method call's receiver."""
        info = info if info is not None else ReceiverInfo()
        if depth > MAX_DEPTH:
            return info
        if isinstance(expr, Ref):
            info.names.add(expr.name.lstrip("$"))
            found = self.symbols.lookup(expr.name, expr.scope)
            if found.kind == "param" and found.scope is not None:
                scope = self.symbols.scopes.get(found.scope)
                info.types.update(t for p, t in (scope.param_types if scope else ()) if p == expr.name)
            for value in found.values[:4]:
                self.describe_receiver(value, depth + 1, info)
        elif isinstance(expr, Member):
            info.names.add(expr.prop.lstrip("$"))
            if isinstance(expr.obj, This):
                klass = self.symbols.classes.get(expr.obj.cls) if expr.obj.cls else None
                if klass is not None:
                    info.types.update(t for p, t in klass.property_types if p.lstrip("$") == expr.prop.lstrip("$"))
                for value in self.symbols.this_members(expr.obj.cls, expr.prop)[:4]:
                    self.describe_receiver(value, depth + 1, info)
        elif isinstance(expr, Call):
            callee = expr.callee
            if expr.new:
                if isinstance(callee, (ClassRef, Ref)):
                    info.types.add(callee.name)
                return info
            if isinstance(callee, Member):
                info.calls.append(callee.prop)
                info.call_exprs.append(expr)
                if callee.prop == "getService" and expr.args and isinstance(expr.args[0], Lit):
                    info.services.add(str(expr.args[0].value))
                self.describe_receiver(callee.obj, depth + 1, info)
            elif isinstance(callee, (Ref, GlobalRef)):
                info.calls.append(callee.name)
                info.call_exprs.append(expr)
        elif isinstance(expr, Cond):
            for option in expr.options[:4]:
                self.describe_receiver(option, depth + 1, info)
        elif isinstance(expr, ClassRef):
            info.types.add(expr.name)
        return info


# --- the repository --------------------------------------------------------------------------

CONSTRUCTOR_NAMES = ("constructor", "__construct", "init")
MODULE_SUFFIXES = ("", ".js", ".json", ".ts", ".vue", ".mjs", ".cjs", "/index.js", "/index.ts", ".py", "/__init__.py")


def outermost_class(name: str) -> str | None:
    """The outermost class of a nested class's dotted name (`org.app.Dialog.Callback` →
    `Dialog`), by the convention that packages are lower case; None for a top-level name."""
    parts = name.split(".")[:-1]
    return next((part for part in parts if part[:1].isupper()), None)


def short_name(name: str) -> str:
    """`A\\B\\C` → `C`, `a.b.C` → `C`."""
    return name.rsplit("\\", 1)[-1].rsplit(".", 1)[-1]


def names_class(qualified: str, name: str) -> bool:
    """Whether the class called `qualified` is the one `name` (qualified, or short) means."""
    return qualified == name or qualified.endswith("." + name) or short_name(qualified) == name


class Loader(Protocol):
    """Parses the repository's other files when the analysis needs them (see LazyFiles)."""

    known: set[str]

    def load(self, path: str) -> FileFacts: ...

    def defining(self, name: str) -> list[str]: ...


class LazyFiles(dict):
    """The facts of parsed files by path; a file of the repository that was not parsed yet is
    parsed when it is first asked for (a module a parsed file loads, a class it names).
    Iterating gives the files parsed so far."""

    def __init__(self, facts: list[FileFacts], loader: Loader | None, on_load):
        super().__init__((f.path, f) for f in facts)
        self.loader = loader
        self.on_load = on_load

    def __contains__(self, path: object) -> bool:
        return dict.__contains__(self, path) or (self.loader is not None and path in self.loader.known)

    # Snapshots: reading a file's facts may parse another one mid-iteration.
    def items(self):
        return list(dict.items(self))

    def values(self):
        return list(dict.values(self))

    def keys(self):
        return list(dict.keys(self))

    def __iter__(self):
        return iter(list(dict.keys(self)))

    def __missing__(self, path: str) -> FileFacts:
        if self.loader is None or path not in self.loader.known:
            raise KeyError(path)
        facts = self.loader.load(path)
        self[path] = facts
        self.on_load()(facts)
        return facts


class RepoIndex:
    """Symbol tables for every file of one root, built once: classes by name, repository-wide
    constants, configuration defaults and modules. Per-file tables are built on first use; with
    a loader, files that were not parsed are parsed when a module, class or constant they
    define is asked for."""

    def __init__(self, facts: list[FileFacts], root=None, in_test: dict[str, bool] | None = None,
                 loader: Loader | None = None, symbol_tables: dict[str, FileSymbols] | None = None):
        self.root = root
        self.loader = loader
        # Weak back-references (the file table's callback, the per-file tables' `repo`): an
        # index tied into reference cycles keeps all facts alive until the cycle collector runs.
        self.files: LazyFiles = LazyFiles(facts, loader, weakref.WeakMethod(self._register))
        self.in_test = in_test or {}
        # A file's table depends only on its facts, so an index built again over more files
        # (the pipeline's next round) may take over the tables of the last one.
        self._symbols: dict[str, FileSymbols] = symbol_tables if symbol_tables is not None else {}
        for table in self._symbols.values():
            table.repo = weakref.proxy(self)
        self.classes: dict[str, list[tuple[str, ClassDef]]] = defaultdict(list)
        self.defines: dict[str, list[tuple[str, Expr]]] = defaultdict(list)
        self.config: dict[str, list[tuple[str, Expr]]] = defaultdict(list)
        self.virtual: dict[str, Expr] = {}
        self.subclasses: dict[str, list[tuple[str, ClassDef]]] = defaultdict(list)
        # Top-level declarations by (package, name): (path, receiver type of an extension, value).
        self.package_exports: dict[tuple[str, str], list[tuple[str, str, Expr]]] = defaultdict(list)
        self._json_cache: dict[str, object] = {}
        self._asked: set[str] = set()
        # Class lookups and lineages, asked again and again for the same few classes (30,490
        # lookups of 1,401 names on the bench corpus); a file parsed later may change them.
        self._class_answers: dict[tuple, list[tuple[str, ClassDef]]] = {}
        self._files_registered = 0
        for f in facts:
            self._register(f)

    def _register(self, f: FileFacts) -> None:
        self._class_answers.clear()
        self._files_registered += 1
        for klass in f.classes:
            self.classes[klass.name].append((f.path, klass))
            if short_name(klass.name) != klass.name:
                self.classes[short_name(klass.name)].append((f.path, klass))
            for alias in klass.aliases:
                self.classes[alias].append((f.path, klass))
            if klass.parent:
                self.subclasses[short_name(klass.parent)].append((f.path, klass))
        for binding in f.bindings:
            if binding.kind == "define" and binding.value is not None:
                self.defines[binding.name.lstrip("\\")].append((f.path, binding.value))
        for key, value in f.config:
            self.config[key].append((f.path, value))
        for spec, value in f.virtual_modules:
            self.virtual.setdefault(spec, value)
        package = f.scopes[0].name if f.scopes and f.scopes[0].id == MODULE_SCOPE else None
        for export, value in f.exports if package else ():
            receiver, _, name = export.rpartition(".")
            self.package_exports[(package, name)].append((f.path, receiver, value))

    def load_defining(self, name: str) -> None:
        """Parse the files that define `name` (once per name), if a loader can."""
        if self.loader is None or name in self._asked:
            return
        self._asked.add(name)
        for path in self.loader.defining(name):
            if not dict.__contains__(self.files, path):
                self.files[path]

    def defined(self, name: str) -> list[tuple[str, Expr]]:
        """Values of a repository-wide constant (PHP define / const, Kotlin const val)."""
        name = name.lstrip("\\")
        found = self.defines.get(name) or self.defines.get(name.rsplit("\\", 1)[-1])
        if not found:
            self.load_defining(name.rsplit("\\", 1)[-1])
            found = self.defines.get(name) or self.defines.get(name.rsplit("\\", 1)[-1])
        return found or []

    def symbols(self, path: str) -> FileSymbols:
        table = self._symbols.get(path)
        if table is None or table.facts is not self.files[path]:
            table = self._symbols[path] = FileSymbols(self.files[path], weakref.proxy(self))
        return table

    def find_classes(self, name: str, from_path: str | None = None) -> list[tuple[str, ClassDef]]:
        """Classes called `name`: an exact qualified match (also relative to the package of the
        file asking), else by short name, preferring the file asking."""
        return self._remembered(("find", name, from_path), lambda: self._find_classes(name, from_path))

    def _find_classes(self, name: str, from_path: str | None) -> list[tuple[str, ClassDef]]:
        name = name.lstrip("\\")
        short = short_name(name)
        package = self.package_of(from_path) if from_path is not None else None
        found = self._qualified(name, package)
        outer = outermost_class(name)
        if not found and outer is not None:
            self.load_defining(outer)  # a nested class is in its outer class's file
            found = self._qualified(name, package)
        if not found:
            found = self.classes.get(short)
            if not found or (package and not any(self.in_package(c, from_path) for _, c in found)):
                self.load_defining(short)
                found = self._qualified(name, package) or self.classes.get(short)
        found = found or []
        if from_path is not None:
            found = sorted(found, key=lambda item: (item[0] != from_path, not self.in_package(item[1], from_path)))
        return found

    def _qualified(self, name: str, package: str | None) -> list[tuple[str, ClassDef]]:
        """The classes `name` denotes exactly: as a qualified name, or relative to `package`
        (Kotlin and Java reach `Outer.Inner` of their own package without an import)."""
        found = self.classes.get(name) if name != short_name(name) else None
        if not found and package:
            found = self.classes.get(f"{package}.{name}")
        return found or []

    def package_of(self, path: str) -> str | None:
        """The package a file declares (Kotlin, Java), which names the module scope."""
        module = self.symbols(path).scopes.get(MODULE_SCOPE)
        return module.name if module is not None else None

    def in_package(self, klass: ClassDef, path: str) -> bool:
        """Whether `klass` is a top-level class of the package of file `path`, which that file
        reaches by its simple name without an import."""
        package = self.package_of(path)
        return bool(package) and klass.name == f"{package}.{short_name(klass.name)}"

    def lineage(self, path: str, klass: ClassDef, limit: int = 16) -> list[tuple[str, ClassDef]]:
        """The class and its ancestors that the repository defines — parent classes first,
        then interfaces — nearest first, each with its parts declared in other files."""
        # Keyed by id: hashing a ClassDef hashes all its members. The answer starts with
        # `klass` itself, which keeps it alive, so no other object can take its id meanwhile.
        return self._remembered(("lineage", path, id(klass), limit), lambda: self._lineage(path, klass, limit))

    def _remembered(self, key: tuple, compute) -> list[tuple[str, ClassDef]]:
        """The answer about classes kept from an earlier call, else `compute`d. An answer is
        kept only while no file has been parsed since: one computed across a load saw part of
        the repository before it, and asking again gives the answer for the files now known."""
        answer = self._class_answers.get(key)
        if answer is None:
            registered = self._files_registered
            answer = compute()
            if registered == self._files_registered:
                self._class_answers[key] = answer
        return list(answer)

    def _lineage(self, path: str, klass: ClassDef, limit: int) -> list[tuple[str, ClassDef]]:
        chain = [(path, klass), *self.parts(path, klass)]
        seen = {klass.name}
        position = 0
        while position < len(chain) and len(chain) < limit:
            current_path, current = chain[position]
            position += 1
            for parent in ([current.parent] if current.parent else []) + list(current.interfaces):
                candidates = self.find_classes(parent, current_path)
                if candidates and candidates[0][1].name not in seen:
                    seen.add(candidates[0][1].name)
                    chain.append(candidates[0])
                    chain.extend(self.parts(*candidates[0]))
        return chain

    def parts(self, path: str, klass: ClassDef) -> list[tuple[str, ClassDef]]:
        """The other declarations of the same class: Swift extensions in other files, an
        Objective-C implementation and the interface in its header."""
        if klass.kind == "extension":
            self.load_defining(short_name(klass.name))
        found = [(p, c) for p, c in self.classes.get(klass.name, ()) if p != path and c.name == klass.name]
        if klass.kind != "extension":
            found = [(p, c) for p, c in found if c.kind == "extension"]
        return found

    def descendants(self, klass: ClassDef, limit: int = 50) -> list[tuple[str, ClassDef]]:
        out: list[tuple[str, ClassDef]] = []
        queue = [short_name(klass.name)]
        seen = {klass.name}
        while queue and len(out) < limit:
            for path, sub in self.subclasses.get(queue.pop(0), []):
                if sub.name not in seen:
                    seen.add(sub.name)
                    out.append((path, sub))
                    queue.append(short_name(sub.name))
        return out

    def module_path(self, spec: str, from_path: str) -> str | None:
        """The repository file a module specifier names, relative to the importing file."""
        if not spec.startswith("."):
            return None
        base = posixpath.normpath(posixpath.join(posixpath.dirname(from_path), spec))
        for suffix in MODULE_SUFFIXES:
            candidate = base + suffix
            if candidate in self.files or candidate in self.virtual or self._exists(candidate):
                return candidate
        return None

    def _exists(self, path: str) -> bool:
        return self.root is not None and path.endswith(".json") and (self.root / path).is_file()

    def json_file(self, path: str) -> object:
        """A JSON data file of the repository (ResourceLoader packageFiles), read on demand."""
        if path not in self._json_cache:
            try:
                self._json_cache[path] = json.loads((self.root / path).read_text(encoding="utf-8"))
            except (OSError, ValueError, TypeError):
                self._json_cache[path] = None
        return self._json_cache[path]
