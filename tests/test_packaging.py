"""The wheel holds every subpackage and the rule data (rules/ ships as analyzer.rules)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "analyzer").rglob("__init__.py")
    } | {"analyzer.rules"}
    assert found == listed


def test_wheel_contains_rule_data(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path),
         str(ROOT)],
        check=True, capture_output=True,
    )
    wheel = next(tmp_path.glob("instrumap-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for data in (ROOT / "rules").rglob("*"):
        if data.is_file() and data.suffix in (".yaml", ".json", ".scm"):
            assert f"analyzer/rules/{data.relative_to(ROOT / 'rules').as_posix()}" in names, data
    assert "analyzer/resolve/evaluate.py" in names
