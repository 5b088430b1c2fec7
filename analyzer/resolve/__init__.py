"""Resolution: turn matched call sites into findings with their names evaluated.

For each Match the rule says which argument carries the name and where the schema comes from;
the Evaluator computes their values, and `summarize` reports them honestly (a name, a `*`
pattern with candidates, or nothing, with the reason).
"""

from __future__ import annotations

import re
from collections import Counter

from analyzer.extract import Match
from analyzer.facts import Expr, FileFacts, Member
from analyzer.model import Finding, fingerprint
from analyzer.resolve.evaluate import Evaluator
from analyzer.resolve.values import Summary, summarize
from analyzer.ruleset import NameSpec, RuleSet, SchemaSpec
from analyzer.symbols import FileSymbols


def resolve_file(
    matches: list[Match],
    symbols: FileSymbols,
    rules: RuleSet,
    repository: str,
    in_test: bool,
    evaluator: Evaluator | None = None,
) -> list[Finding]:
    evaluator = evaluator or Evaluator(symbols)
    seen: Counter = Counter()
    findings = []
    for match in matches:
        context = symbols.context_name(match.call.scope)
        key = (match.rule.id, context, _normalized(match.call.snippet))
        seen[key] += 1
        findings.append(
            _finding(match, evaluator, rules, repository, in_test, context, fingerprint(match.path, *key, seen[key]))
        )
    return findings


def _normalized(snippet: str) -> str:
    return re.sub(r"\s+", "", snippet)


def _argument(args: tuple[Expr, ...], named: tuple[tuple[str, Expr], ...], index: int | None, name: str | None) -> Expr | None:
    if name is not None:
        for key, value in named:
            if key == name:
                return value
    if index is not None and index < len(args):
        return args[index]
    return None


def _name_spec(match: Match) -> tuple[NameSpec, tuple[Expr, ...], tuple]:
    """The name spec that applies, and the arguments it reads (the handle's, for handles)."""
    rule = match.rule
    if rule.name.from_handle and match.origin is not None:
        origin = match.origin
        return origin.rule.name.for_arity(len(origin.args)), origin.args, origin.named
    return rule.name.for_arity(len(match.call.args)), match.call.args, match.call.named


def _evaluate_name(match: Match, evaluator: Evaluator) -> tuple[Summary, str]:
    spec, args, named = _name_spec(match)
    kind = spec.kind or match.rule.name.kind or "topic"
    expr = _argument(args, named, spec.arg, spec.named)
    if expr is None:
        if spec.default is not None:
            return Summary(spec.default, (), "literal", None), kind
        return Summary(None, (), "dynamic", "no name argument"), kind
    return summarize(evaluator.evaluate(expr)), kind


def _evaluate_schema(match: Match, name: Summary, evaluator: Evaluator) -> str | None:
    rule = match.rule
    spec: SchemaSpec | None = rule.schema
    args, named = match.call.args, match.call.named
    if spec is not None and spec.from_handle and match.origin is not None:
        spec, args, named = match.origin.rule.schema, match.origin.args, match.origin.named
    if spec is None:
        return None
    spec = spec.for_arity(len(args))
    if spec is None:
        return None
    if spec.from_name:
        return name.name
    if spec.name_after_prefix:
        if name.name and name.name.startswith(spec.name_after_prefix):
            schema = name.name[len(spec.name_after_prefix) :]
            return schema[:1].upper() + schema[1:] if spec.capitalize else schema
        return None
    if spec.arg is not None:
        return _schema_text(_argument(args, named, spec.arg, None), evaluator)
    if spec.payload_arg is not None:
        payload = _argument(args, named, spec.payload_arg, None)
        return _schema_text(evaluator.object_entry(payload, spec.key), evaluator)
    return None


def _schema_text(expr: Expr | None, evaluator: Evaluator) -> str | None:
    if expr is None:
        return None
    return summarize(evaluator.evaluate(expr)).name


def _component(match: Match, evaluator: Evaluator) -> str | None:
    rule = match.rule
    if not rule.component_call:
        return None
    for call in match.receiver_calls:
        if isinstance(call.callee, Member) and call.callee.prop == rule.component_call:
            if rule.component_arg < len(call.args):
                return summarize(evaluator.evaluate(call.args[rule.component_arg])).name
    return None


def _finding(
    match: Match,
    evaluator: Evaluator,
    rules: RuleSet,
    repository: str,
    in_test: bool,
    context: str | None,
    print_: str,
) -> Finding:
    rule = match.rule
    name, name_kind = _evaluate_name(match, evaluator)
    family = rule.family_for(name.name)
    schema = _evaluate_schema(match, name, evaluator)
    component = _component(match, evaluator)
    qualified = None
    if rule.qualified_name and component and name.name:
        qualified = rule.qualified_name.format(component=component, name=name.name)
    return Finding(
        repository=repository,
        path=match.path,
        span=match.call.span,
        language=match.language,
        family=family,
        api=rule.id,
        name=name.name,
        name_kind=name_kind,
        resolution=name.resolution,
        fingerprint=print_,
        candidates=name.candidates,
        schema=schema,
        in_test=in_test,
        unresolved_reason=name.reason,
        context=context,
        snippet=match.call.snippet,
        message=_message(rule.id, name_kind, name, family),
        config_key=name.config_key,
        component=component,
        qualified_name=qualified,
    )


def _message(api: str, kind: str, name: Summary, family: str) -> str:
    if name.resolution != "dynamic" and not name.candidates:
        return f"{api}: {kind} '{name.name}' ({family})"
    if name.candidates:
        return f"{api}: {kind} is one of {', '.join(repr(c) for c in name.candidates)} ({family})"
    if name.name:
        return f"{api}: {kind} matches '{name.name}'; part of it is not known statically: {name.reason} ({family})"
    return f"{api}: {kind} not known statically: {name.reason} ({family})"



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
