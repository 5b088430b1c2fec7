"""The benchmark's synthetic corpus has the promised shape, and instrumap finds exactly the
calls the generator planted in it. (No timing here: benchmarks/run.py measures, tests don't.)"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from analyzer.pipeline import scan
from analyzer.ruleset import load_rules

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def load_module(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


synthetic = load_module("synthetic")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return synthetic.generate(tmp_path_factory.mktemp("synthetic"), files=160, seed=7)


@pytest.fixture(scope="module")
def result(corpus):
    return scan([corpus.root / name for name in corpus.repositories])


def files_on_disk(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_corpus_has_the_measured_kinds_of_repositories(corpus):
    assert len(corpus.repositories) == len(synthetic.REPO_FILES["extension"]) + len(synthetic.REPO_FILES["app"])
    extensions = [name for name in corpus.repositories if (corpus.root / name / "extension.json").is_file()]
    assert len(extensions) == len(synthetic.REPO_FILES["extension"])
    app = corpus.root / next(name for name in corpus.repositories if name not in extensions)
    assert any(app.rglob("*.kt")) and not any(app.rglob("*.php"))


def test_file_counts_and_languages(corpus):
    on_disk = files_on_disk(corpus.root)
    assert len(on_disk) == sum(corpus.files.values())
    assert 160 <= len(on_disk) <= 160 * 1.25  # small repositories get a floor of files
    suffixes = Counter(p.suffix for p in on_disk)
    for suffix in (".js", ".ts", ".vue", ".php", ".kt", ".json", ".xml", ".png"):
        assert suffixes[suffix] > 0, suffix
    # i18n messages are the largest group of an extension, as in the measured repositories
    assert corpus.files["i18n"] == max(n for category, n in corpus.files.items() if category != "xml")


def test_planted_calls_are_on_the_lines_recorded(corpus):
    """Each recorded line calls a name the rules dispatch on (a manifest line declares a schema)."""
    names = load_rules().trigger_names()
    assert {p.language for p in corpus.planted} >= {"js", "ts", "vue", "php", "kotlin", "json"}
    for call in corpus.planted:
        line = (corpus.root / call.path).read_text(encoding="utf-8").splitlines()[call.line - 1]
        if call.language == "json":
            assert '"/analytics/legacy/' in line, (call, line)
        else:
            assert any(f"{name}(" in line.replace(" ", "") for name in names), (call, line)


def test_instrumap_finds_exactly_the_planted_calls(corpus, result):
    found = Counter((f"{f.repository}/{f.path}", f.span.line) for f in result.findings)
    planted = Counter((call.path, call.line) for call in corpus.planted)
    assert found == planted


def test_generated_code_parses_cleanly(result):
    assert [d for d in result.diagnostics if d.code == "parse-error"] == []


def test_generation_is_deterministic(tmp_path):
    def digest(root: Path) -> str:
        h = hashlib.sha256()
        for path in files_on_disk(root):
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
        return h.hexdigest()

    first = synthetic.generate(tmp_path / "a", files=60, seed=3)
    second = synthetic.generate(tmp_path / "b", files=60, seed=3)
    assert digest(first.root) == digest(second.root)
    assert [(p.path, p.line) for p in first.planted] == [(p.path, p.line) for p in second.planted]


def test_sizes_follow_the_measured_distribution():
    writer = synthetic.Writer(seed=1)
    sizes = sorted(writer.size("js") for _ in range(4000))
    table = dict(synthetic.SIZE_QUANTILES["js"])
    median = sizes[len(sizes) // 2]
    assert table[0.25] < median < table[0.75]
    assert table[0.0] <= sizes[0] and sizes[-1] <= table[1.0]


def test_semgrep_rules_cover_every_language_with_api_rules():
    """benchmarks/semgrep-rules.yaml must keep up with rules/apis/ (Vue and Objective-C aside: Semgrep
    cannot parse them)."""
    run = load_module("run")
    rules = yaml.safe_load((BENCHMARKS / "semgrep-rules.yaml").read_text(encoding="utf-8"))["rules"]
    covered = {language for rule in rules for language in rule["languages"]}
    needed = {run.SEMGREP_LANGUAGES[lang] for api in load_rules().apis for lang in api.languages
              if lang not in run.NO_SEMGREP_PARSER}
    assert needed <= covered
    assert all({"id", "languages", "message", "severity"} <= rule.keys() for rule in rules)
