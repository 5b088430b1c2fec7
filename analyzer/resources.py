"""Where the rule data (rules/) is: inside the installed package as `analyzer.rules`, or
beside the package when instrumap runs from a source checkout."""

from __future__ import annotations

import functools
import importlib.resources
import os
from importlib.abc import Traversable
from pathlib import Path

import yaml

# libyaml's parser when PyYAML was built with it: rules load on every run, and it is ~10x faster.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def rules_root() -> Traversable:
    try:
        return importlib.resources.files("analyzer.rules")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "rules"


def read_yaml(text: str) -> object:
    """Plain data from YAML text (a safe loader: no tags that build objects)."""
    return yaml.load(text, Loader=YAML_LOADER)


def default_cache_dir() -> Path:
    """Where instrumap keeps what it can reuse between runs ($XDG_CACHE_HOME/instrumap)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "instrumap"
