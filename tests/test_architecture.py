"""The pipeline flows one way: a module only imports modules of its own layer or below, and
each language frontend stands on its own (sharing only the common plumbing)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "analyzer"

# Top to bottom. A module may import from its own layer and the layers below it.
LAYERS = [
    {"cli"},
    {"pipeline", "docs", "config"},
    {"report"},
    {"classify", "checks", "registry"},
    {"resolve"},
    {"extract"},
    {"prefilter", "parse", "cache"},
    {"symbols"},
    {"frontends"},
    {"discover", "ruleset", "resources"},
    {"model", "facts"},
]
# Frontends may use these, and nothing of each other except as listed.
FRONTEND_COMMON = {"base", "treesitter"}
FRONTEND_SHARING = {"vue": {"javascript"}, "kotlin": {"jvm"}, "java": {"jvm"}}


def layer_of(module: str) -> int | None:
    top = module.split(".")[0]
    return next((i for i, layer in enumerate(LAYERS) if top in layer), None)


def imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analyzer."):
            found.append(node.module.removeprefix("analyzer."))
        elif isinstance(node, ast.Import):
            found += [a.name.removeprefix("analyzer.") for a in node.names if a.name.startswith("analyzer.")]
    return found


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).with_suffix("")
        name = ".".join(relative.parts).removesuffix(".__init__")
        if name != "__init__":
            yield name, path


def test_every_module_has_a_layer():
    assert [name for name, _ in modules() if layer_of(name) is None] == []


def test_imports_only_go_down():
    upward = []
    for name, path in modules():
        own = layer_of(name)
        for target in imports(path):
            if layer_of(target) is not None and layer_of(target) < own:
                upward.append(f"{name} imports {target}")
    assert upward == []


def test_frontends_are_independent():
    crossing = []
    for name, path in modules():
        parts = name.split(".")
        if parts[0] != "frontends" or len(parts) < 2:
            continue
        allowed = FRONTEND_COMMON | FRONTEND_SHARING.get(parts[1], set())
        for target in imports(path):
            target_parts = target.split(".")
            if target_parts[0] == "frontends" and len(target_parts) > 1 and target_parts[1] not in allowed | {parts[1]}:
                crossing.append(f"{name} imports {target}")
    assert crossing == []
