"""Resolution: turn matched call sites into findings with their names evaluated.

Each Match starts one work item: the API call, evaluated in its own file. When the name still
depends on a parameter of the function around the call, that function is a wrapper: every call
of it in the repository becomes a new work item, evaluated with the wrapper's parameters bound
to that call's arguments, and reported at that call with `via_wrapper`. Wrappers of wrappers
follow the same way, up to MAX_WRAPPER_DEPTH levels. For a rule with `helper_calls`, the calls
from other files of the helper functions around the sink are reported the same way even when
the name does not depend on their parameters (an app's `logClick( … )` helpers).

How a rule's name, schema and stream are read at a call is in specs.py.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from analyzer.extract import Match
from analyzer.facts import CallSite, Expr, FileFacts, Member, Ref, Scope
from analyzer.frontends import family_of
from analyzer.model import Diagnostic, Finding, ViaWrapper, fingerprint
from analyzer.resolve.evaluate import Evaluator, argument_offset
from analyzer.resolve.relays import Relay, relay_to
from analyzer.resolve.specs import SpecReader, argument
from analyzer.resolve.targets import EMPTY, At, Frame, FuncT, bind_named
from analyzer.resolve.values import Hole, Summary, Value, summarize
from analyzer.ruleset import ApiRule, RuleSet
from analyzer.symbols import CONSTRUCTOR_NAMES, PathResolver, RepoIndex

MAX_WRAPPER_DEPTH = 6
MAX_SITES_PER_SINK = 400


@dataclass(frozen=True)
class Item:
    """One place a sink's name is resolved at: the API call itself, or a wrapper call."""

    match: Match
    frame: Frame
    site_path: str
    site: CallSite
    via: ViaWrapper | None = None
    depth: int = 0
    inner: bool = False  # a helper call in the sink's own file: followed further, not reported


class Resolver:
    def __init__(self, index: RepoIndex, rules: RuleSet, repository: str, level: str = "full"):
        self.index = index
        self.rules = rules
        self.repository = repository
        self.level = level
        self.evaluator = Evaluator(index, rules, level)
        self.reader = SpecReader(self.evaluator)
        self.diagnostics: list[Diagnostic] = []
        self.relays: list[Relay] = []
        # What the prefilter should look for in files not parsed yet: classes whose subclasses,
        # extensions or constructions may matter, and functions whose callers are findings; each
        # name with the family of languages that can name it (frontends.FrontendEntry.family).
        self.learned_classes: set[tuple[str, str]] = set()
        self.learned_callees: set[tuple[str, str]] = set()
        self._callers: dict[tuple[str, int], list[tuple[str, CallSite]]] = {}
        self._calls_by_name: dict[str, list[tuple[str, CallSite]]] | None = None

    # --- driver ------------------------------------------------------------------------------

    def resolve(self, matches: list[Match]) -> list[Finding]:
        matches = [m for m in matches if self.reader.accepts(m)]
        self.direct_sites = {(m.path, m.call.span) for m in matches}
        work = [Item(m, EMPTY, m.path, m.call) for m in matches]
        if self.level == "full":
            work += [Item(m, EMPTY, m.path, m.call) for m in self.higher_order_matches()]
        findings: list[Finding] = []
        resolved: list[tuple[Item, Finding]] = []
        seen: set[tuple] = set()
        per_sink: Counter = Counter()
        occurrences: Counter = Counter()
        while work:
            item = work.pop(0)
            key = (item.match.path, item.match.call.span, item.site_path, item.site.span, item.frame)
            if key in seen:
                continue
            seen.add(key)
            finding, name_values = self.finding(item, occurrences)
            if not item.inner:
                findings.append(finding)
                resolved.append((item, finding))
            if self.level != "full" or item.depth >= MAX_WRAPPER_DEPTH:
                if self.level == "full" and _param_holes(name_values):
                    self.note_bound(item, "wrapper depth limit")
                continue
            for next_item in self.wrapper_sites(item, name_values) or self.helper_sites(item):
                sink = (item.match.path, item.match.call.span)
                per_sink[sink] += 1
                if per_sink[sink] > MAX_SITES_PER_SINK:
                    self.note_bound(item, f"more than {MAX_SITES_PER_SINK} wrapper call sites")
                    break
                work.append(next_item)
        if self.level == "full":
            self.relays = self.discover_relays(resolved)
        # Subclasses of the classes whose `this.x` was read can change what a call sends: their
        # names send the prefilter to files that may declare such subclasses. (A name waiting on
        # a caller is a parameter: wrapper_sites and helper_sites learn those functions' names.)
        for path, cls in self.evaluator.instance_classes:
            self.learned_classes |= names_in_family(path, cls)
        if self.evaluator.bounds_hit:
            self.diagnostics.append(Diagnostic(
                self.repository, "", "resolution-bound",
                f"name resolution stopped at a depth or step bound {self.evaluator.bounds_hit} time(s); "
                "names reported as such, and wrapper calls reached through those paths, may be missing",
                "note",
            ))
        return findings

    def note_bound(self, item: Item, what: str) -> None:
        self.diagnostics.append(
            Diagnostic(
                self.repository, item.match.path, "resolution-bound",
                f"stopped following wrappers of this call ({what}); some call sites may be missing",
                "note", item.match.call.span,
            )
        )

    # --- one finding -------------------------------------------------------------------------

    def finding(self, item: Item, occurrences: Counter) -> tuple[Finding, tuple[Value, ...]]:
        match, rule = item.match, item.match.rule
        spec, values, name = self.reader.name(match, item.frame)
        kind = spec.kind or rule.name.kind or "topic"
        family = rule.family_for(name.name)
        schema = self.reader.value("schema", match, item.frame, name)
        if rule.stream is not None:
            stream = self.reader.value("stream", match, item.frame, name)
        else:
            stream = name.name if kind == "stream" and name.resolution != "dynamic" and not name.candidates else None
        component = self.component(item)
        qualified = None
        if rule.qualified_name and component and name.name:
            qualified = rule.qualified_name.format(component=component, name=name.name)
        symbols = self.index.symbols(item.site_path)
        context = symbols.context_name(item.site.scope)
        key = (rule.id, context, re.sub(r"\s+", "", item.site.snippet), item.via.function if item.via else "")
        occurrences[(item.site_path, key)] += 1
        return (
            Finding(
                repository=self.repository,
                path=item.site_path,
                span=item.site.span,
                language=self.index.files[item.site_path].language,
                family=family,
                api=rule.id,
                name=name.name,
                name_kind=kind,
                resolution=name.resolution,
                fingerprint=fingerprint(item.site_path, *key, occurrences[(item.site_path, key)]),
                candidates=name.candidates,
                schema=schema,
                in_test=self.index.in_test.get(item.site_path, False),
                unresolved_reason=name.reason,
                context=context,
                snippet=item.site.snippet,
                message=message(rule.id, kind, name, family, item.via),
                config_key=name.config_key,
                via_wrapper=item.via,
                component=component,
                qualified_name=qualified,
                stream=stream,
            ),
            values,
        )

    def text(self, at: At) -> str | None:
        summary = summarize(self.evaluator.values(at))
        return summary.name

    def component(self, item: Item) -> str | None:
        """The StatsLib component: `withComponent( 'X' )` on the receiver chain, or on the
        factory a constructor received (`new Foo( $services->getStatsFactory()->withComponent( 'X' ) )`)."""
        rule = item.match.rule
        if not rule.component_call:
            return None
        for call in item.match.receiver_calls:
            if _last_name(call.callee) == rule.component_call:
                index = None if rule.component_named else rule.component_arg
                value = argument(call.args, call.named, index, (rule.component_named,) if rule.component_named else ())
                if value is not None:
                    return self.text(At(value, item.match.path, item.frame))
        if self.level == "full":
            return self.component_from_constructor(item)
        return None

    def component_from_constructor(self, item: Item) -> str | None:
        callee = item.match.call.callee
        if not isinstance(callee, Member):
            return None
        symbols = self.index.symbols(item.match.path)
        receiver = callee.obj
        values = []
        if isinstance(receiver, Member) and hasattr(receiver.obj, "cls"):
            values = symbols.this_members(receiver.obj.cls, receiver.prop)
        elif isinstance(receiver, Ref):
            values = [receiver]
        rule = item.match.rule
        for value in values[:4]:
            if not isinstance(value, Ref):
                continue
            found = symbols.lookup(value.name, value.scope)
            if found.kind != "param" or found.scope is None or found.param_index is None:
                continue
            for caller_path, call in self.callers_of(item.match.path, found.scope)[:8]:
                if found.param_index >= len(call.args):
                    continue
                info = self.evaluator.paths(caller_path).describe_receiver(call.args[found.param_index])
                for inner in info.call_exprs:
                    if isinstance(inner.callee, Member) and inner.callee.prop == rule.component_call and inner.args:
                        return self.text(At(inner.args[rule.component_arg], caller_path))
        return None

    # --- wrappers ----------------------------------------------------------------------------

    def callers_of(self, path: str, scope_id: int) -> list[tuple[str, CallSite]]:
        """The calls in the repository of the function (or constructor) `scope_id` of `path`:
        calls ending in its name (or, for a constructor, its class's) whose callee resolves to it."""
        key = (path, scope_id)
        if key not in self._callers:
            scope = self.index.symbols(path).scopes.get(scope_id)
            names = short_names(scope.name, scope.cls)
            if scope and scope.cls:
                names |= {"super", "parent", "__construct"}
            found = []
            for caller_path, call in (c for name in sorted(names) for c in self.calls_named().get(name, ())):
                arity = len(call.args) + len(call.named)
                target = self.evaluator.callee_function(caller_path, call.callee, call.new, arity)
                if target is not None and (target.path, target.scope) == key:
                    found.append((caller_path, call))
            self._callers[key] = found
        return self._callers[key]

    def calls_named(self) -> dict[str, list[tuple[str, CallSite]]]:
        """Every call of the parsed files by the last name of its callee (`f.call( … )` by f's)."""
        if self._calls_by_name is None:
            index: dict[str, list[tuple[str, CallSite]]] = defaultdict(list)
            for path in self.index.files:
                for last, calls in self._file_calls_named(path).items():
                    index[last].extend(calls)
            self._calls_by_name = index
        return self._calls_by_name

    def _file_calls_named(self, path: str) -> dict[str, list[tuple[str, CallSite]]]:
        """The calls of one file by last name, kept with its symbol table (later rounds reuse it)."""
        derived = self.index.symbols(path).derived
        if "calls-by-name" not in derived:
            by_name: dict[str, list[tuple[str, CallSite]]] = defaultdict(list)
            for call in self.index.files[path].calls:
                callee = call.callee
                if isinstance(callee, Member) and callee.prop in ("call", "apply"):
                    callee = callee.obj
                last = _last_name(callee)
                if last is not None:
                    by_name[last].append((path, call))
            derived["calls-by-name"] = dict(by_name)
        return derived["calls-by-name"]

    def learn_callers_of(self, path: str, scope: Scope) -> None:
        """Remember what calls of the function `scope` of `path` end in, for the files not
        parsed yet: a constructor's class (a construction may not look like a call: `new Cls;`),
        else the function's name (looked for as a call)."""
        constructs = scope.kind == "class" or short_names(scope.name) <= set(CONSTRUCTOR_NAMES)
        learned = self.learned_classes if constructs else self.learned_callees
        learned |= names_in_family(path, *names_calls_end_in(scope))

    def wrapper_sites(self, item: Item, values: tuple[Value, ...]) -> list[Item]:
        out: list[Item] = []
        for hole in _param_holes(values):
            path, scope_id, _ = hole.param
            scope = self.index.symbols(path).scopes.get(scope_id)
            if scope is None:
                continue
            self.learn_callers_of(path, scope)
            via = ViaWrapper(function=scope.name or "<anonymous>", path=item.match.path, line=item.match.call.span.line)
            symbols = self.index.symbols(path)
            for caller_path, call in self.callers_of(path, scope_id):
                if (caller_path, call.span) in self.direct_sites:
                    continue  # an API call in its own right (an API implemented in this repository)
                args = [At(a, caller_path) for a in call.args[argument_offset(call.callee):]]
                named = {k: At(v, caller_path) for k, v in call.named}
                defaults = {p: At(d, path) for p in scope.params
                            if (d := symbols.param_default(scope_id, p)) is not None}
                args = bind_named(scope.params, args, named)
                bound = hole.frame.with_call(path, scope_id, scope.params, args, defaults)
                frame = rebind(item.frame, hole.frame, bound)
                out.append(Item(item.match, frame, caller_path, call, via, item.depth + 1))
        return out

    def helper_sites(self, item: Item) -> list[Item]:
        """For a rule with `helper_calls`, the calls of the named function around the call (or
        around a helper call in the same file): from the sink's own file they are helpers of
        helpers, followed further; from other files they are reported, and not followed."""
        if not item.match.rule.helper_calls or (item.via is not None and not item.inner):
            return []
        symbols = self.index.symbols(item.site_path)
        scope_id = next((s for s in symbols.chain(item.site.scope) if symbols.scopes[s].kind == "function"), None)
        scope = symbols.scopes.get(scope_id) if scope_id is not None else None
        if scope is None or not scope.name or scope.name.startswith("<"):
            return []  # a callback runs when whatever it is handed to calls it
        self.learn_callers_of(item.site_path, scope)
        via = ViaWrapper(function=scope.name, path=item.match.path, line=item.match.call.span.line)
        out = []
        for caller_path, call in self.callers_of(item.site_path, scope_id):
            if (caller_path, call.span) in self.direct_sites:
                continue
            args = [At(a, caller_path) for a in call.args[argument_offset(call.callee):]]
            named = {k: At(v, caller_path) for k, v in call.named}
            defaults = {p: At(d, item.site_path) for p in scope.params
                        if (d := symbols.param_default(scope_id, p)) is not None}
            args = bind_named(scope.params, args, named)
            frame = item.frame.with_call(item.site_path, scope_id, scope.params, args, defaults)
            inner = caller_path == item.match.path
            out.append(Item(item.match, frame, caller_path, call, via, item.depth + 1, inner))
        return out

    # --- subscribers -------------------------------------------------------------------------

    def discover_relays(self, resolved: list[tuple[Item, Finding]]) -> list[Relay]:
        """`mw.trackSubscribe( prefix, handler )` whose handler (or a function it calls)
        contains an event submission or re-fires a topic."""
        sinks_by_path: dict[str, list[tuple[Item, Finding]]] = defaultdict(list)
        for item, finding in resolved:
            if item.via is None:
                sinks_by_path[item.match.path].append((item, finding))
        relays = []
        for item, finding in resolved:
            if item.match.rule.id != "mw.trackSubscribe" or item.via is not None:
                continue
            if finding.resolution == "dynamic" or not finding.name:
                continue
            handler_expr = argument(item.match.call.args, item.match.call.named, 1)
            if handler_expr is None:
                continue
            handler_at = At(handler_expr, item.match.path, item.frame)
            handlers = [t for t in self.evaluator.targets(handler_at) if isinstance(t, FuncT)]
            scopes = {(h.path, h.scope) for h in handlers}
            scopes |= {called for h in handlers for called in self.functions_called_in(h)}
            subscriber = f"{self.repository} {item.match.path}:{item.match.call.span.line}"
            for path in {p for p, _ in scopes}:
                symbols = self.index.symbols(path)
                for sink_item, sink in sinks_by_path.get(path, []):
                    if sink_item is item:
                        continue
                    if any((path, s) in scopes for s in symbols.chain(sink_item.match.call.scope)):
                        relay = relay_to(sink, finding.name, subscriber)
                        if relay is not None:
                            relays.append(relay)
        return relays

    def functions_called_in(self, function: FuncT) -> set[tuple[str, int]]:
        symbols = self.index.symbols(function.path)
        called = set()
        for call in self.index.files[function.path].calls:
            if function.scope in symbols.chain(call.scope):
                target = self.evaluator.callee_function(function.path, call.callee, call.new)
                if target is not None:
                    called.add((target.path, target.scope))
        return called

    # --- APIs passed around as values --------------------------------------------------------

    def higher_order_matches(self) -> list[Match]:
        """Calls through a parameter that receives an API function: `init( mw.track )` with
        `function init( track ) { track( 'x' ) }` makes `track( 'x' )` an mw.track call."""
        found: list[Match] = []
        for path in self.index.files:
            for call, index, rule in self.api_arguments(path):
                target = self.evaluator.callee_function(path, call.callee, call.new)
                if target is not None:
                    found.extend(self.calls_through_parameter(target, index, rule))
        return found

    def api_arguments(self, path: str) -> list[tuple[CallSite, int, ApiRule]]:
        """The arguments of the calls of file `path` that are an API function (`mw.track`).
        Found from the file alone, so kept with its symbol table, which later rounds reuse."""
        symbols = self.index.symbols(path)
        key = ("api-arguments", self.rules.digest)
        if key not in symbols.derived:
            facts = self.index.files[path]
            api_paths = {callee: rule for rule in self.rules.apis for callee in rule.match.callee}
            paths = PathResolver(symbols, self.rules.aliases.get(facts.language, ()))
            symbols.derived[key] = [
                (call, index, rule)
                for call in facts.calls
                for index, arg in enumerate(call.args)
                if isinstance(arg, (Member, Ref))
                and (rule := api_paths.get(paths.path(arg) or "")) is not None
                and facts.language in rule.languages
            ]
        return symbols.derived[key]

    def calls_through_parameter(self, target: FuncT, index: int, rule: ApiRule) -> list[Match]:
        symbols = self.index.symbols(target.path)
        scope = symbols.scopes.get(target.scope)
        if scope is None or index >= len(scope.params):
            return []
        param = scope.params[index]
        facts = self.index.files[target.path]
        out = []
        for call in facts.calls:
            callee = call.callee
            if isinstance(callee, Ref) and callee.name == param:
                found = symbols.lookup(param, callee.scope)
                if found.kind == "param" and found.scope == target.scope:
                    out.append(Match(rule, call, target.path, facts.language))
        return out


# --- helpers ---------------------------------------------------------------------------------


def rebind(frame: Frame, old: object, new: Frame) -> Frame:
    """`frame` with every occurrence of the frame `old` (where a parameter was unbound)
    replaced by `new`, which binds it."""
    if frame == old:
        return new
    changed = tuple((key, replace(at, frame=rebind(at.frame, old, new))) for key, at in frame.bindings)
    return Frame(changed)


def _param_holes(values: tuple[Value, ...]) -> list[Hole]:
    seen = []
    for value in values:
        for hole in value.holes():
            if hole.param is not None and hole.param[2] is not None and hole not in seen:
                seen.append(hole)
    return seen


def names_calls_end_in(scope: Scope) -> set[str]:
    """What a call of this function ends in: its name, or its class's for a constructor
    (`new Cls(…)`, Kotlin's `Cls(…)`); what the prefilter looks for to find its callers."""
    if scope.kind == "class":
        return short_names(scope.cls, scope.name)
    if scope.name and short_names(scope.name) <= set(CONSTRUCTOR_NAMES):
        return short_names(scope.cls)
    return short_names(scope.name)


def names_in_family(path: str, *names: str | None) -> set[tuple[str, str]]:
    """The short names, each with the family of languages of `path` (frontends.family_of): what
    the prefilter looks for, and in which files."""
    family = family_of(path) or ""
    return {(family, name) for name in short_names(*names)}


def short_names(*names: str | None) -> set[str]:
    """`ve.init.mw.ArticleTarget.track` → {'track'}; `Logger::log` → {'log'}."""
    return {re.split(r"[.:\\]+", name)[-1] for name in names if name and not name.startswith("<")}


def _last_name(callee: Expr) -> str | None:
    if isinstance(callee, Member):
        return callee.prop
    name = getattr(callee, "name", None)
    return re.split(r"[\\.]", name)[-1] if isinstance(name, str) else None


def message(api: str, kind: str, name: Summary, family: str, via: ViaWrapper | None) -> str:
    through = f" via {via.function}()" if via else ""
    if name.resolution != "dynamic" and not name.candidates:
        return f"{api}{through}: {kind} '{name.name}' ({family})"
    if name.candidates:
        return f"{api}{through}: {kind} is one of {', '.join(repr(c) for c in name.candidates)} ({family})"
    if name.name:
        return (f"{api}{through}: {kind} matches '{name.name}'; "
                f"part of it is not known statically: {name.reason} ({family})")
    return f"{api}{through}: {kind} not known statically: {name.reason} ({family})"


# Declarations in manifests that are also inventory entries: declaration kind → (family, api).
DECLARATION_FAMILIES = {
    "eventlogging-schema": ("schema-declaration", "extension.json#attributes.EventLogging.Schemas"),
}


def declaration_findings(facts: FileFacts, repository: str, in_test: bool) -> list[Finding]:
    """Findings for declarations that the inventory lists beside call sites."""
    findings = []
    for declaration in facts.declarations:
        family_api = DECLARATION_FAMILIES.get(declaration.kind)
        if family_api is None:
            continue
        family, api = family_api
        findings.append(
            Finding(
                repository=repository,
                path=facts.path,
                span=declaration.span,
                language=facts.language,
                family=family,
                api=api,
                name=declaration.name,
                name_kind="schema",
                resolution="literal",
                fingerprint=fingerprint(facts.path, api, declaration.name),
                schema=declaration.value,
                in_test=in_test,
                snippet=f'"{declaration.name}": "{declaration.value}"',
                message=f"EventLogging schema '{declaration.name}' declared as {declaration.value}",
            )
        )
    return findings
