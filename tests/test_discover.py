"""Discovery: git-tracked files or a walk, default skips, globs, test code, generated files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from fixturelib import aged, git

from analyzer import discover as discover_stage
from analyzer.discover import (
    DiscoverOptions,
    GitListing,
    TreeStamps,
    discover,
    glob_regex,
    has_long_line,
    is_test_path,
    looks_generated,
)
from analyzer.frontends import claims


def tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return root


def paths(root: Path, options: DiscoverOptions | None = None) -> list[str]:
    return [f.path for f in discover(root, claims, options).files]


@pytest.mark.parametrize(
    "pattern, matching, not_matching",
    [
        ("*.min.js", ["a.min.js", "x/y/a.min.js"], ["a.js", "min.js.map"]),
        ("modules/lib/**", ["modules/lib/a.js", "modules/lib/x/y.js"], ["lib/a.js", "modules/libs/a.js"]),
        ("lib", ["lib/a.js", "x/lib/a.js"], ["library/a.js"]),
        ("/tests", ["tests/a.js"], ["x/tests/a.js"]),
        ("src/**/*.vue", ["src/a.vue", "src/x/y/a.vue"], ["src/a.js", "other/src/a.vue"]),
        ("a?c.js", ["abc.js"], ["ac.js", "abbc.js"]),
    ],
)
def test_globs_behave_like_gitignore(pattern, matching, not_matching):
    regex = glob_regex(pattern)
    assert all(regex.match(p) for p in matching), pattern
    assert not any(regex.match(p) for p in not_matching), pattern


def test_default_skips_and_claims(tmp_path):
    root = tree(tmp_path, {
        "modules/a.js": "mw.track( 'x' );",
        "node_modules/pkg/index.js": "mw.track( 'x' );",
        "vendor/lib/A.php": "<?php",
        "resources/dist/bundle.js": "x",
        "modules/b.min.js": "x",
        "modules/lib/foreign-resources.yaml": "x",
        "modules/lib/thirdparty/c.js": "x",
        "README.md": "mw.track",
        "includes/Hooks.php": "<?php",
        "extension.json": "{}",
        "i18n/en.json": "{}",
    })
    assert paths(root) == ["extension.json", "includes/Hooks.php", "modules/a.js"]


def test_a_walked_tree_follows_links_to_files_but_not_into_linked_directories(tmp_path):
    root = tree(tmp_path / "repo", {
        "modules/a.js": "mw.track( 'x' );",
        "modules/b.js": "mw.track( 'y' );",
    })
    outside = tree(tmp_path / "outside", {"c.js": "mw.track( 'z' );"})
    (root / "modules" / "linked.js").symlink_to(root / "modules" / "b.js")
    (root / "modules" / "broken.js").symlink_to(root / "modules" / "missing.js")
    (root / "elsewhere").symlink_to(outside, target_is_directory=True)
    (root / "loop").symlink_to(root, target_is_directory=True)
    assert paths(root) == ["modules/a.js", "modules/b.js", "modules/linked.js"]


def test_gitattributes_marks_vendored_and_generated(tmp_path):
    root = tree(tmp_path, {
        ".gitattributes": "resources/built/* -diff\nmodules/copy/** linguist-vendored\n"
                          "*.gen.js linguist-generated=true\n",
        "resources/built/a.js": "x", "modules/copy/b.js": "x", "modules/c.gen.js": "x", "modules/d.js": "x",
    })
    assert paths(root) == ["modules/d.js"]


def test_include_restricts_and_can_scan_a_default_skip(tmp_path):
    root = tree(tmp_path, {"modules/a.js": "x", "resources/dist/b.js": "x", "tests/c.js": "x"})
    assert paths(root, DiscoverOptions(include=("resources/dist/**",))) == ["resources/dist/b.js"]
    assert paths(root, DiscoverOptions(exclude=("tests",))) == ["modules/a.js"]


def test_git_checkout_uses_tracked_and_unignored_files(tmp_path):
    root = tree(tmp_path, {"a.js": "x", "ignored/b.js": "x", "c.js": "x", ".gitignore": "ignored/\n"})
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "a.js", ".gitignore"], check=True)
    found = discover(root, claims)
    assert [f.path for f in found.files] == ["a.js", "c.js"]
    assert found.vcs == "git"


def walked_tree(tmp_path: Path) -> Path:
    root = tree(tmp_path / "repo", {
        "modules/a.js": "mw.track( 'x' );",
        "modules/deep/er/b.js": "mw.track( 'y' );",
        "includes/Hooks.php": "<?php",
        "gen/c.js": "x",
        "README.md": "x",
    })
    (root / "modules" / "link.js").symlink_to(tmp_path / "outside" / "target.js")  # dangling for now
    return aged(root)


def checkout(tmp_path: Path) -> Path:
    """The same tree as a git checkout, everything committed."""
    root = walked_tree(tmp_path)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    return aged(root)


def test_an_unchanged_walked_tree_is_not_walked_again(tmp_path, monkeypatch):
    root = walked_tree(tmp_path)
    first = discover(root, claims)
    assert isinstance(first.basis, TreeStamps)
    monkeypatch.setattr(discover_stage, "walk_files", lambda *args: pytest.fail("walked again"))
    assert discover(root, claims, DiscoverOptions(), first) is first


def test_an_unchanged_checkout_is_listed_but_its_files_are_not_decided_on_again(tmp_path, monkeypatch):
    root = checkout(tmp_path)
    first = discover(root, claims)
    assert isinstance(first.basis, GitListing) and first.revision
    monkeypatch.setattr(discover_stage, "directory_verdict", lambda *args: pytest.fail("decided again"))
    assert discover(root, claims, DiscoverOptions(), first) is first


def test_a_new_commit_is_a_new_revision_for_the_same_files(tmp_path):
    root = checkout(tmp_path)
    first = discover(root, claims)
    git(root, "commit", "-q", "--allow-empty", "-m", "next")
    again = discover(root, claims, DiscoverOptions(), first)
    assert again.revision != first.revision and again.files == first.files


def _add_nested(root: Path) -> None:
    (root / "modules/deep/er/new.js").write_text("mw.track( 'new' );")


def _add_directory(root: Path) -> None:
    tree(root, {"modules/fresh/d.js": "x"})


def _remove(root: Path) -> None:
    (root / "modules/deep/er/b.js").unlink()


def _rename(root: Path) -> None:
    (root / "modules/a.js").rename(root / "modules/renamed.js")


def _mark_generated(root: Path) -> None:
    (root / ".gitattributes").write_text("gen/** linguist-generated\nmodules/a.js -diff\n")


def _create_link_target(root: Path) -> None:
    tree(root.parent / "outside", {"target.js": "mw.track( 'z' );"})


def _ignore_a_new_file(root: Path) -> None:
    (root / "modules/ignored.js").write_text("x")
    _remove(root)
    (root / ".gitignore").write_text("ignored.js\n")


@pytest.mark.parametrize("change", [_add_nested, _add_directory, _remove, _rename, _mark_generated,
                                    _create_link_target, _ignore_a_new_file])
@pytest.mark.parametrize("make", [walked_tree, checkout])
def test_a_rescan_sees_every_change_to_which_files_there_are(tmp_path, make, change):
    root = make(tmp_path)
    (root / ".gitattributes").write_text("gen/** linguist-generated\n")
    aged(root)
    first = discover(root, claims)
    change(root)
    again = discover(root, claims, DiscoverOptions(), first)
    assert again is not first
    assert [f.path for f in again.files] == paths(root) != [f.path for f in first.files]


def test_a_git_checkout_is_listed_again_even_when_its_directories_are_unchanged(tmp_path):
    root = walked_tree(tmp_path)
    first = discover(root, claims)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)  # a parent becomes a work tree
    again = discover(root, claims, DiscoverOptions(), first)
    assert again.vcs == "git" and isinstance(again.basis, GitListing)


@pytest.mark.parametrize(
    "path, expected",
    [
        ("tests/qunit/a.test.js", True), ("modules/x.spec.ts", True), ("tests/phpunit/FooTest.php", True),
        ("app/src/test/java/org/x/FooTest.kt", True), ("jest.setup.js", True), ("cypress/support/e2e.ts", True),
        ("app/src/androidTest/X.kt", True), ("WikipediaUnitTests/Foo.swift", False), ("includes/Testing.php", False),
        ("modules/attest.js", False), ("tools/test_stream.py", True),
    ],
)
def test_test_code_is_recognised(path, expected):
    assert is_test_path(path) is expected


@pytest.mark.parametrize("before", [0, 1, 2499, 2500, 2501, 3333])
@pytest.mark.parametrize("length, long", [(4999, False), (5000, False), (5001, True), (7500, True)])
def test_one_long_line_anywhere_makes_a_file_minified(before, length, long):
    short_lines = b"var a = 1;\n" * 300
    head = b"x" * before + b"\n" + short_lines + b"y" * length + b"\n" + short_lines
    assert has_long_line(head, 5000) is long
    assert (looks_generated(head) == "minified") is long


def test_generated_binary_and_minified_content():
    assert looks_generated(b"\0\1\2" * 100) == "binary"
    assert looks_generated(b"/* @generated by a tool */\nvar a = 1;\n") == "generated"
    assert looks_generated(b"var a=1;" * 2000) == "minified"
    normal = b"\n".join(b"    mw.track( 'counter.x', 1 );" for _ in range(500))
    assert looks_generated(normal) is None
