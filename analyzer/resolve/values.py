"""The values the resolver computes: strings with unknown parts (holes), and sets of them.

An expression evaluates to a tuple of alternatives (a ternary has two). Each alternative is a
sequence of known text and holes; `summarize` turns the alternatives into what a finding
reports: a name (or a `*` pattern), candidates, the resolution kind and why it is not exact.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.model import weakest_resolution

MAX_ALTERNATIVES = 32


@dataclass(frozen=True, slots=True)
class Hole:
    """An unknown part of a string, and why it is unknown. A hole that comes from a function
    parameter records which one — (path, function scope, parameter index) — and the frame it
    was unbound in, so that the callers of the function can fill it (wrapper inference)."""

    reason: str
    param: tuple[str, int, int | None] | None = None
    frame: object = None


@dataclass(frozen=True, slots=True)
class Value:
    parts: tuple[str | Hole, ...]
    kinds: frozenset[str]
    config_key: str | None = None

    @property
    def exact(self) -> bool:
        return not any(isinstance(p, Hole) for p in self.parts)

    @property
    def text(self) -> str:
        """The string, with `*` for each unknown part."""
        return "".join("*" if isinstance(p, Hole) else p for p in self.parts)

    def holes(self) -> list[Hole]:
        return [p for p in self.parts if isinstance(p, Hole)]


NULL = Hole("null value")


def known(text: str, kind: str = "literal") -> Value:
    return Value((text,), frozenset({kind}))


def unknown(reason: str) -> Value:
    return Value((Hole(reason),), frozenset({"dynamic"}))


def concat(values: list[tuple[Value, ...]], kind: str) -> tuple[Value, ...]:
    """All combinations of the parts' alternatives, joined (bounded by MAX_ALTERNATIVES)."""
    results: list[Value] = [Value((), frozenset({kind}))]
    for alternatives in values:
        if len(results) * len(alternatives) > MAX_ALTERNATIVES:
            alternatives = (unknown("too many alternatives to list"),)
        results = [_join(left, right) for left in results for right in alternatives]
    return tuple(results)


def _join(left: Value, right: Value) -> Value:
    parts = list(left.parts)
    for part in right.parts:
        if parts and isinstance(part, str) and isinstance(parts[-1], str):
            parts[-1] = parts[-1] + part
        elif parts and isinstance(part, Hole) and isinstance(parts[-1], Hole):
            continue  # one `*` stands for adjacent unknown parts
        elif part != "":
            parts.append(part)
    return Value(tuple(parts), left.kinds | right.kinds, left.config_key or right.config_key)


def union(groups: list[tuple[Value, ...]]) -> tuple[Value, ...]:
    seen: dict[Value, None] = {}
    for group in groups:
        for value in group:
            seen.setdefault(value, None)
    values = tuple(seen)
    if len(values) > MAX_ALTERNATIVES:
        return (unknown("too many alternatives to list"),)
    return values


@dataclass(frozen=True, slots=True)
class Summary:
    """What a finding reports about an evaluated name."""

    name: str | None
    candidates: tuple[str, ...]
    resolution: str
    reason: str | None
    config_key: str | None = None


SEPARATORS = "._-/:"


def common_pattern(texts: list[str]) -> str:
    """One `*` pattern covering all texts: their common prefix and suffix around a `*`, cut
    at name separators (`counter.a.x`, `counter.b.x` → `counter.*.x`, not `counter.*x`)."""
    if len(set(texts)) == 1:
        return texts[0]
    prefix = _common_prefix(texts)
    if "*" not in prefix[-1:]:
        prefix = prefix[: max(prefix.rfind(c) for c in SEPARATORS + "*") + 1]
    rests = [t[len(prefix) :] for t in texts]
    suffix = _common_prefix([r[::-1] for r in rests])[::-1]
    if suffix and suffix[0] not in SEPARATORS + "*":
        cut = [i for i, c in enumerate(suffix) if c in SEPARATORS + "*"]
        suffix = suffix[cut[0]:] if cut else ""
    return f"{prefix}*{suffix}".replace("**", "*")


def _common_prefix(texts: list[str]) -> str:
    shortest = min(texts, key=len)
    for i, char in enumerate(shortest):
        if any(t[i] != char for t in texts):
            return shortest[:i]
    return shortest


def summarize(values: tuple[Value, ...]) -> Summary:
    # `$map[$key] ?? null`: a null alternative means "no event", not an unknown name.
    named = tuple(v for v in values if v.parts != (NULL,))
    values = named or values
    if not values:
        return Summary(None, (), "dynamic", "no value")
    config_key = next((v.config_key for v in values if v.config_key), None)
    kinds = [k for v in values for k in v.kinds]
    if all(v.exact for v in values):
        texts = sorted({v.text for v in values})
        if len(texts) == 1:
            return Summary(texts[0], (), weakest_resolution(kinds or ["literal"]), None, config_key)
        return Summary(common_pattern(texts), tuple(texts), weakest_resolution(kinds), None, config_key)
    # Some alternative has an unknown part: no candidate list, since it would be incomplete.
    holes = [h for v in values for h in v.holes()]
    pattern = common_pattern([v.text for v in values])
    name = pattern if pattern.strip("*") else None
    return Summary(name, (), "dynamic", holes[0].reason, config_key)
