"""Where the rule data (rules/) is: inside the installed package as `analyzer.rules`, or
beside the package when instrumap runs from a source checkout; a digest of the code and the
rules; and the rule data built once and remembered in the user's cache directory."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from analyzer import __version__

if TYPE_CHECKING:  # importlib.abc costs a rescan 5 ms
    from importlib.abc import Traversable

T = TypeVar("T")


@functools.cache
def rules_root() -> Traversable:
    package = Path(__file__).resolve().parent
    for folder in (package / "rules", package.parent / "rules"):  # installed; a source checkout
        if folder.is_dir():
            return folder
    import importlib.resources  # a package not on disk (a zip): asked only then, it costs start-up time

    return importlib.resources.files("analyzer.rules")


def read_yaml(text: str) -> object:
    """Plain data from YAML text (a safe loader: no tags that build objects; libyaml's parser
    when PyYAML was built with it, ~10x faster)."""
    import yaml  # imported when rule data is read, not on a run that finds it remembered

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@functools.cache
def code_digest() -> str:
    """What anything instrumap built depends on besides its input: the version, the code and
    the rule data (a digest of every file of the package and of rules/)."""
    package = Path(__file__).resolve().parent
    rules = Path(str(rules_root()))
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*.py")) + sorted(rules.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def remembered(name: str, build: Callable[[], T], kind: type) -> T:
    """`build()`, kept in the user's cache directory for as long as the code and the rules are
    unchanged: the shipped rule data is read, validated and compiled once, not on every run
    (reading it was a tenth of a rescan of an unchanged tree). A missing, unreadable or
    foreign entry is built again; only a file instrumap wrote is ever unpickled."""
    path = default_cache_dir() / "compiled" / f"{name}-{code_digest()}.pickle"
    with contextlib.suppress(OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
        with open(path, "rb") as handle:
            value = pickle.load(handle)
        if isinstance(value, kind):
            return value
    value = build()
    with contextlib.suppress(OSError):  # an unwritable cache only means building it again
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(temporary, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    return value


def default_cache_dir() -> Path:
    """Where instrumap keeps what it can reuse between runs ($XDG_CACHE_HOME/instrumap)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "instrumap"
