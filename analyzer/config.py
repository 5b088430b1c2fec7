"""Project configuration: `[tool.instrumap]` in pyproject.toml, or `.instrumap.toml`.

Read once, validated against rules/schema/config.schema.json (unknown keys are errors that name
the key), and turned into plain options plus extra rule data: custom APIs written like the
entries of rules/apis/*.yaml, and wrappers — functions the inference cannot see that forward a
name into a known API.

    [tool.instrumap]
    exclude = ["modules/lib/**"]
    stream-config = "../operations-mediawiki-config"   # paths relative to this file
    schemas = ["../schemas-event-secondary"]
    fail-on = "error"

    [[tool.instrumap.wrappers]]
    callee = "analytics.log"      # or: method = "logInteraction"
    api = "mw.track"              # the API it forwards to
    name-arg = 0

    [[tool.instrumap.apis]]
    id = "ourTracker.send"
    languages = ["javascript"]
    family = "track-other"
    match = { callee = ["ourTracker.send"] }
    name = { arg = 0, kind = "topic" }
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.resources import rules_root

CONFIG_FILES = (".instrumap.toml", "pyproject.toml")


class ConfigError(Exception):
    """The configuration file is invalid (exit code 2)."""


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    resolve: str | None = None
    custom_rules: dict[str, object] = field(default_factory=dict)  # extra rule files by name
    stream_config: tuple[Path, ...] = ()
    schemas: tuple[Path, ...] = ()
    fail_on: str | None = None
    fail_on_tests: bool = False

    @property
    def has_rules(self) -> bool:
        return bool(self.custom_rules)


def find_config(directory: Path) -> Path | None:
    """The configuration file in `directory`: .instrumap.toml, or a pyproject.toml that has
    a [tool.instrumap] table."""
    for name in CONFIG_FILES:
        candidate = directory / name
        if not candidate.is_file():
            continue
        if name == "pyproject.toml" and "instrumap" not in _read_toml(candidate).get("tool", {}):
            continue
        return candidate
    return None


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    data = _read_toml(path)
    table = data.get("tool", {}).get("instrumap", {}) if path.name == "pyproject.toml" else data
    import jsonschema  # only a scan with a config file needs it (its import is slow)

    validator = jsonschema.Draft202012Validator(config_schema())
    errors = sorted(validator.iter_errors(table), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = ".".join(str(p) for p in first.absolute_path) or "(top level)"
        raise ConfigError(f"{path}: {where}: {first.message}")
    base = path.parent
    return Config(
        path=path,
        include=tuple(table.get("include", ())),
        exclude=tuple(table.get("exclude", ())),
        resolve=table.get("resolve"),
        custom_rules=_custom_rules(table),
        stream_config=tuple(base / p for p in _as_list(table.get("stream-config", ()))),
        schemas=tuple(base / p for p in _as_list(table.get("schemas", ()))),
        fail_on=table.get("fail-on"),
        fail_on_tests=table.get("fail-on-tests", False),
    )


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def config_schema() -> dict:
    """rules/schema/config.schema.json, with the API rule definitions of apis.schema.json (one
    definition of the rules format, so custom APIs take every field the shipped rules take)."""
    schema_dir = rules_root().joinpath("schema")
    schema = json.loads(schema_dir.joinpath("config.schema.json").read_text(encoding="utf-8"))
    apis = json.loads(schema_dir.joinpath("apis.schema.json").read_text(encoding="utf-8"))
    definitions = dict(apis["$defs"])
    definitions["api"] = {k: v for k, v in definitions["api"].items() if k != "additionalProperties"}
    schema["$defs"] = definitions
    return schema


def _read_toml(path: Path) -> dict:
    import tomllib  # only when there is a configuration file

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from error


def _custom_rules(table: dict) -> dict[str, object]:
    """Custom APIs as rule files (one per entry, since each names its own languages), and
    wrappers as a list the rule loader expands from the API they forward to."""
    files: dict[str, object] = {}
    for index, api in enumerate(table.get("apis", ())):
        entry = {k: v for k, v in api.items() if k != "languages"}
        files[f"apis/config-{index}.yaml"] = {"languages": api["languages"], "apis": [entry]}
    wrappers = [
        {"callee": w.get("callee"), "method": w.get("method"), "api": w["api"], "name_arg": w.get("name-arg", 0)}
        for w in table.get("wrappers", ())
    ]
    if wrappers:
        files["wrappers"] = wrappers
    return files
