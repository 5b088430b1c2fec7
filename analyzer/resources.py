"""Where the rule data (rules/) is: inside the installed package as `analyzer.rules`, or
beside the package when instrumap runs from a source checkout."""

from __future__ import annotations

import functools
import importlib.resources
from importlib.abc import Traversable
from pathlib import Path


@functools.cache
def rules_root() -> Traversable:
    try:
        return importlib.resources.files("analyzer.rules")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "rules"
