"""Discovery: which files of a root are scanned, and which of them are test code.

In a git checkout the candidates are the files git knows (tracked, plus untracked files that
.gitignore does not exclude); elsewhere the tree is walked. Dependencies, build output,
third-party copies, minified or generated bundles and binary files are skipped by default;
test code is scanned but marked.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

from analyzer.model import TuplePickled, frozen_record

SKIPPED_DIRECTORIES = frozenset(
    {".git", ".hg", ".svn", "node_modules", "vendor", "dist", "bower_components", "__pycache__",
     ".tox", ".venv", "venv", ".gradle", ".idea", "coverage", ".nyc_output", "Pods", "Carthage"}
)
# A directory holding this file is a third-party copy (MediaWiki's foreign-resources convention).
THIRD_PARTY_MARKERS = ("foreign-resources.yaml",)
MINIFIED_NAME = re.compile(r"[.-]min\.(js|mjs|css)$|\.bundle\.js$", re.IGNORECASE)
TEST_DIRECTORIES = frozenset(
    {"tests", "test", "__tests__", "__mocks__", "qunit", "phpunit", "jest", "cypress", "selenium",
     "spec", "specs", "androidTest", "testFixtures", "UITests", "Tests"}
)
TEST_FILE = re.compile(
    r"\.(test|spec)\.[^/]+$|(^|/)jest\.setup\.[jt]s$|Test\.php$|Tests?\.(swift|kt|java|mm?)$|(^|/)test_[^/]*\.py$|_test\.py$"
)
# A path under one of those directories (each a whole path segment): one search per file.
TEST_DIRECTORY = re.compile("(?:^|/)(?:" + "|".join(map(re.escape, sorted(TEST_DIRECTORIES))) + ")/")
SKIPPED_DIRECTORY = re.compile("(?:^|/)(?:" + "|".join(map(re.escape, sorted(SKIPPED_DIRECTORIES))) + ")/")
GENERATED_MARKER = re.compile(rb"@generated\b")
MAX_FILE_BYTES = 4 * 1024 * 1024
# A change stamp this close to when it was read cannot vouch that nothing changed since: a file
# written again within the same tick keeps its stamp (FAT's ticks are 2 s apart; git's "racy
# clean" files are the same problem).
RACY_WINDOW_NS = 2_000_000_000


@frozen_record
class SourceFile(TuplePickled):  # a cached discovery holds thousands
    path: str  # POSIX, relative to the root
    absolute: str  # the file's path on disk (a string: thousands of Path objects cost start-up time)
    in_test: bool


@dataclass
class DiscoverOptions:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


Stamp = tuple[int, int] | None  # (mtime, ctime) in ns; None: could not be stat'ed


def stamp_of(path: str) -> Stamp:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_ctime_ns


def trusted_before(read_at_ns: int) -> int:
    """Stamps read at `read_at_ns` are old enough to tell a later change from none if earlier than this."""
    return read_at_ns - RACY_WINDOW_NS


def settled(stamp: Stamp, read_at_ns: int) -> bool:
    return stamp is None or max(stamp) < trusted_before(read_at_ns)


@dataclass
class TreeStamps:
    """What a walk read, so that a later scan can tell with one stat per directory that walking
    again would find the same files: adding, removing or renaming an entry changes its
    directory's stamp; a link's target can change without it, so links are checked one by one."""

    root: str
    read_at_ns: int
    directories: list[tuple[str, Stamp]] = field(default_factory=list)
    links: list[tuple[str, bool]] = field(default_factory=list)  # a link with a wanted name → is a file
    files: list[tuple[str, Stamp]] = field(default_factory=list)  # read by discovery (.gitattributes)

    def unchanged(self, listed: GitFiles | None) -> bool:
        """`listed`: what git lists for the root now (git_listing): a tree a work tree now holds
        (a parent may have become one) is git's to list."""
        return (
            listed is None
            and all(stamp_of(d) == stamp for d, stamp in self.directories)
            and all(stamp_of(f) == stamp for f, stamp in self.files)
            and all(os.path.isfile(link) == is_file for link, is_file in self.links)
        )

    def settled(self) -> bool:
        return all(settled(stamp, self.read_at_ns) for _, stamp in (*self.directories, *self.files))


@dataclass
class GitListing:
    """What git listed for a root, so that a later scan can tell by listing again, but without
    deciding about each file again, that discovery would give the same files."""

    root: str
    read_at_ns: int
    digest: str  # of the listing and HEAD
    missing: list[str] = field(default_factory=list)  # listed and claimed, but not a file (deleted, a submodule)
    files: list[tuple[str, Stamp]] = field(default_factory=list)  # read by discovery (.gitattributes)

    def unchanged(self, listed: GitFiles | None) -> bool:
        """`listed`: what git lists for the root now (git_listing). (The listed files that were
        there must still be: the caller checks them.)"""
        return (
            listed is not None
            and listed.digest == self.digest
            and not any(map(os.path.isfile, self.missing))
            and all(stamp_of(f) == stamp for f, stamp in self.files)
        )

    def settled(self) -> bool:
        return all(settled(stamp, self.read_at_ns) for _, stamp in self.files)


@dataclass
class Discovery:
    files: list[SourceFile]
    skipped: Counter = field(default_factory=Counter)
    vcs: str | None = None
    revision: str | None = None
    basis: TreeStamps | GitListing | None = None  # what it read: a walked tree, or git's listing

    def unchanged(self, listed: GitFiles | None) -> bool:
        """Whether discovering the same root with the same options would give these files again,
        `listed` being what git lists for it now (git_listing)."""
        if isinstance(self.basis, GitListing):  # git lists a deleted tracked file until it is staged
            return self.basis.unchanged(listed) and all(os.path.isfile(f.absolute) for f in self.files)
        return self.basis is not None and self.basis.unchanged(listed)


def glob_regex(pattern: str) -> re.Pattern:
    """A gitignore-style glob as a regex over POSIX paths: `*` stays within a path segment,
    `**` crosses segments; a pattern without `/` matches a name at any depth; a pattern that
    matches a directory matches everything under it."""
    pattern = pattern.strip().removeprefix("./")
    anchored = "/" in pattern.rstrip("/")
    pattern = pattern.strip("/")
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    body = "".join(out)
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(f"^{prefix}{body}(?:/.*)?$")


def matches_any(path: str, patterns: list[re.Pattern]) -> bool:
    return any(p.match(path) for p in patterns)


def is_test_path(path: str) -> bool:
    directory, _, name = path.rpartition("/")
    return directory_verdict(directory, [])[1] or TEST_FILE.search(name) is not None


def directory_verdict(directory: str, third_party_dirs: list[str]) -> tuple[str | None, bool]:
    """Why the files in `directory` are skipped (None: they are not), and whether it holds test
    code. The same for every file in it: discovery asks once per directory, not per file."""
    inside = directory + "/"
    if SKIPPED_DIRECTORY.search(inside):
        reason: str | None = "dependency or build directory"
    elif any(inside.startswith(d + "/") for d in third_party_dirs):
        reason = "third-party copy"
    else:
        reason = None
    return reason, TEST_DIRECTORY.search(inside) is not None


def looks_generated(head: bytes) -> str | None:
    """'binary', 'generated' or 'minified' when the start of a file says so, else None."""
    if b"\0" in head[:8192]:
        return "binary"
    if GENERATED_MARKER.search(head[:1024]):
        return "generated"
    if len(head) > 2048 and (len(head) / (head.count(b"\n") + 1) > 300 or has_long_line(head, 5000)):
        return "minified"
    return None


def has_long_line(data: bytes, limit: int) -> bool:
    """Whether a line of `data` is longer than `limit` bytes. Such a line holds a whole aligned
    block of limit/2 bytes without a newline, so lines are measured only where a block has none
    (splitting every file into lines cost as much as reading it)."""
    block = limit // 2
    for start in range(0, len(data) - block + 1, block):
        if data.find(b"\n", start, start + block) == -1:
            return max(map(len, data.split(b"\n"))) > limit
    return False


@dataclass
class GitFiles:
    paths: list[str]  # sorted, relative to the root
    revision: str | None  # HEAD
    digest: str  # of git's answers


def git_files(root: Path) -> GitFiles | None:
    """Tracked and not-ignored untracked files under `root`, if it is inside a git work tree."""
    import subprocess  # only for a git checkout: a rescan of walked trees never needs it

    try:
        listing = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            check=True,
            timeout=300,
        ).stdout
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], check=False, capture_output=True, timeout=60
        ).stdout.decode().strip()
    except (OSError, subprocess.SubprocessError):
        return None
    paths = sorted({p for p in listing.decode("utf-8", errors="surrogateescape").split("\0") if p})
    digest = hashlib.sha256(listing + b"\0" + head.encode()).hexdigest()
    return GitFiles(paths, head or None, digest)


def walk_files(root: Path, prune: bool = True, keep: Callable[[str], bool] | None = None,
               stamps: TreeStamps | None = None) -> list[str]:
    """Every regular file under `root` (a link to a file counts, a linked directory is not
    entered) whose name `keep` accepts, in sorted order; skipped directories are not entered unless
    `prune` is off (when --include may ask for something inside them). os.scandir's entries know
    their type, so a walk of a large tree costs one directory read per directory and no stat
    per file. `stamps` records what the walk read (each directory is stamped before it is read,
    so a change during the walk shows as a changed stamp)."""
    found: list[str] = []
    pending = [(os.fspath(root), "")]
    while pending:
        directory, prefix = pending.pop()
        if stamps is not None:
            stamps.directories.append((directory, stamp_of(directory)))
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=attrgetter("name"))
        except OSError:
            continue
        subdirectories = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):  # a linked directory is not entered
                    if entry.name != ".git" and not (prune and entry.name in SKIPPED_DIRECTORIES):
                        subdirectories.append((entry.path, f"{prefix}{entry.name}/"))
                elif keep is None or keep(entry.name):
                    is_file = entry.is_file()
                    if is_file:
                        found.append(prefix + entry.name)
                    if stamps is not None and entry.is_symlink():
                        stamps.links.append((entry.path, is_file))
            except OSError:
                continue
        pending.extend(reversed(subdirectories))
    return found


def gitattribute_patterns(root: Path, stamps: TreeStamps | GitListing) -> list[re.Pattern]:
    """Paths .gitattributes marks as vendored or generated (or excluded from diffs)."""
    marked = []
    path = os.path.join(root, ".gitattributes")
    stamps.files.append((path, stamp_of(path)))
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 2 or line.lstrip().startswith("#"):
            continue
        attrs = fields[1:]
        if any(a in ("linguist-vendored", "linguist-generated", "-diff", "linguist-vendored=true",
                     "linguist-generated=true") for a in attrs):
            marked.append(glob_regex(fields[0]))
    return marked


def skip_reason(path: str, directory_reason: str | None, marked: list[re.Pattern]) -> str | None:
    """Why `path` is not scanned (None: it is), given its directory's reason (directory_verdict)."""
    if directory_reason:
        return directory_reason
    if MINIFIED_NAME.search(path, path.rfind("/") + 1):
        return "minified"
    if marked and matches_any(path, marked):
        return "marked vendored or generated in .gitattributes"
    return None


def discover(root: Path, claims: Callable[[str], bool], options: DiscoverOptions | None = None,
             previous: Discovery | None = None) -> Discovery:
    """The files under `root` that a frontend claims and that are worth scanning: `previous`
    (the same root's discovery with the same claims and options) if nothing it read changed."""
    options = options or DiscoverOptions()
    root = Path(os.path.abspath(root))  # what is remembered must not depend on the working directory
    read_at_ns = time.time_ns()
    listed = git_listing(root)  # asked once: it also tells whether `previous` still holds
    if previous is not None and previous.unchanged(listed):
        return previous
    include = [glob_regex(p) for p in options.include]
    exclude = [glob_regex(p) for p in options.exclude]
    top = os.fspath(root)
    basis: TreeStamps | GitListing
    if listed:
        candidates, vcs, revision = listed.paths, "git", listed.revision
        basis = GitListing(top, read_at_ns, listed.digest)
    else:  # only what a frontend claims, or marks a third-party copy, is of use below
        wanted = lambda name: claims(name) or name in THIRD_PARTY_MARKERS  # noqa: E731 - claims go by the name
        basis = TreeStamps(top, read_at_ns)
        candidates, vcs, revision = walk_files(root, not include, wanted, basis), None, None
    third_party = sorted(
        {p.rsplit("/", 1)[0] for p in candidates if p.rsplit("/", 1)[-1] in THIRD_PARTY_MARKERS and "/" in p}
    )
    marked = gitattribute_patterns(root, basis)
    result = Discovery([], Counter(), vcs, revision, basis)
    verdicts: dict[str, tuple[str | None, bool]] = {}  # directory → directory_verdict
    for path in candidates:
        if not claims(path):
            continue
        forced = bool(include) and matches_any(path, include)
        if include and not forced:
            result.skipped["not included"] += 1
            continue
        if exclude and matches_any(path, exclude):
            result.skipped["excluded"] += 1
            continue
        directory, _, name = path.rpartition("/")
        verdict = verdicts.get(directory)
        if verdict is None:
            verdict = verdicts[directory] = directory_verdict(directory, third_party)
        reason = None if forced else skip_reason(path, verdict[0], marked)
        if reason:
            result.skipped[reason] += 1
            continue
        absolute = os.path.join(top, path)
        if listed and not os.path.isfile(absolute):
            basis.missing.append(absolute)  # listed by git but deleted, or a submodule
            continue
        result.files.append(SourceFile(path, absolute, verdict[1] or TEST_FILE.search(name) is not None))
    return result


def git_listing(root: Path) -> GitFiles | None:
    """What git lists for `root` (None: it is not in a git work tree, or git failed)."""
    return git_files(root) if in_git_work_tree(root) else None


def in_git_work_tree(root: Path) -> bool:
    if (root / ".git").exists():
        return True
    current = root.resolve()
    return any((parent / ".git").exists() for parent in (current, *current.parents))
