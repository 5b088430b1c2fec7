"""The `instrumap` command line. Only this module talks to the terminal.

Exit codes: 0 the scan ran (and no check at or above --fail-on fired), 1 a check at or above
--fail-on fired, 2 usage or configuration error, 3 internal error.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from analyzer import __version__
from analyzer.cache import Cache, content_key
from analyzer.config import Config, ConfigError, find_config, load_config
from analyzer.model import ScanResult
from analyzer.pipeline import ScanOptions, default_jobs, scan_with_signatures, unchanged_signatures
from analyzer.report import FORMATS, Report, formatter
from analyzer.resources import default_cache_dir

if TYPE_CHECKING:
    from analyzer.ruleset import RuleSet

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
SEVERITY_ORDER = ("note", "warning", "error")


class _Progress:
    """A rich progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self._progress = None
        self._tasks: dict[str, object] = {}

    def __enter__(self):
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=Console(stderr=True), transient=True,
            )
            self._progress.__enter__()
        return self

    def __exit__(self, *exc):
        if self._progress is not None:
            self._progress.__exit__(*exc)

    def __call__(self, root: str, done: int, total: int) -> None:
        if self._progress is None:
            return
        task = self._tasks.get(root)
        if task is None:
            task = self._tasks[root] = self._progress.add_task(f"scanning {root}", total=total)
        self._progress.update(task, completed=done)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="instrumap")
def main() -> None:
    """Find, resolve and audit analytics instrumentation in MediaWiki and Wikipedia app code."""


@main.command("scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "-f", "output_format", type=click.Choice(sorted(FORMATS)), default="text",
              show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the report to this file instead of standard output.")
@click.option("--include", multiple=True, metavar="GLOB",
              help="Only scan paths matching GLOB (repeatable); also scans matching paths that are skipped by default.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Also skip paths matching GLOB (repeatable).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Configuration file (default: .instrumap.toml or pyproject.toml [tool.instrumap] in the "
                   "scanned directory when there is one, else in the current directory).")
@click.option("--resolve", type=click.Choice(["literal", "full"]),
              help="How far names are resolved: 'literal' only folds what is written at the call; "
                   "'full' (default) follows constants, imports, config and wrappers.")
@click.option("--stream-config", multiple=True, type=click.Path(path_type=Path), metavar="PATH",
              help="Stream configuration to check against: a mediawiki-config checkout, its "
                   "ext-EventStreamConfig.php, or saved action=streamconfigs JSON (repeatable).")
@click.option("--schemas", multiple=True, type=click.Path(path_type=Path), metavar="PATH",
              help="A schema repository checkout (schemas/event/primary or secondary) (repeatable).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "note", "never"]),
              help="Exit with 1 when a check of this severity or higher fires outside test code (default: error).")
@click.option("--fail-on-tests", is_flag=True, default=None,
              help="Let findings in test code fail the run too.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=default_jobs, show_default="CPU count",
              help="Roots scanned at the same time, each in its own process.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=default_cache_dir,
              show_default="$XDG_CACHE_HOME/instrumap", help="Where parse results and unchanged roots are cached.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--no-prefilter", is_flag=True,
              help="Parse every file, not only those with instrumentation trigger strings (slower; same findings).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def scan_command(paths: tuple[Path, ...], output_format: str, output: Path | None, include: tuple[str, ...],
                 exclude: tuple[str, ...], config_path: Path | None, resolve: str | None,
                 stream_config: tuple[Path, ...], schemas: tuple[Path, ...], fail_on: str | None,
                 fail_on_tests: bool | None, jobs: int, cache_dir: Path, no_cache: bool, no_prefilter: bool,
                 quiet: bool) -> None:
    """Scan repositories (or any directories) for instrumentation calls."""
    try:
        config = load_config(config_path or find_config(paths[0] if len(paths) == 1 else Path.cwd()))
        rules = custom_rules(config)
    except ConfigError as error:
        click.echo(f"instrumap: configuration error: {error}", err=True)
        sys.exit(EXIT_USAGE)
    registry, registry_diagnostics = None, []
    stream_paths = stream_config or config.stream_config
    schema_paths = schemas or config.schemas
    if stream_paths or schema_paths:
        # Imported only when asked for (its readers load a PHP parser and YAML when they parse).
        from analyzer.registry import RegistryPathError, load_registry

        try:
            registry, registry_diagnostics = load_registry(stream_paths, schema_paths,
                                                           Cache(None if no_cache else cache_dir))
        except RegistryPathError as error:
            click.echo(f"instrumap: registry error: {error}", err=True)
            sys.exit(EXIT_USAGE)
    options = dataclasses.replace(
        scan_options(config, include, exclude, resolve),
        jobs=jobs, cache_dir=None if no_cache else cache_dir, prefilter=not no_prefilter,
    )
    try:
        report = remembered_report(list(paths), options, rules, output_format) if registry is None else None
        if report is None:
            with _Progress(enabled=not quiet) as progress:
                result, signatures = scan_with_signatures(list(paths), options, progress, rules, registry,
                                                          registry_diagnostics)
            report = Report(formatter(output_format)(result), len(result.findings), fired_checks(result))
            if registry is None:
                remember_report(report, signatures, options, output_format)
    except Exception as error:  # noqa: BLE001 - reported, never a traceback
        click.echo(f"instrumap: internal error: {type(error).__name__}: {error}", err=True)
        sys.exit(EXIT_INTERNAL)
    if output is None:
        click.echo(report.text, nl=False)
    else:
        output.write_text(report.text, encoding="utf-8")
        click.echo(f"instrumap: wrote {report.findings} findings to {output}", err=True)
    threshold = fail_on or config.fail_on or "error"
    include_tests = fail_on_tests if fail_on_tests is not None else config.fail_on_tests
    failing = failing_findings(report.fired, threshold, include_tests)
    if failing:
        click.echo(f"instrumap: {failing} finding(s) with checks at or above '{threshold}'", err=True)
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)


@main.command("rules")
@click.option("--format", "-f", "output_format", type=click.Choice(["text", "markdown"]), default="text",
              show_default=True, help="A table for the terminal, or the Markdown reference (docs/rules.md).")
def rules_command(output_format: str) -> None:
    """List the instrumentation families (IM0xx) and lint checks (IM1xx)."""
    from analyzer.docs import rules_listing

    click.echo(rules_listing(output_format), nl=False)


@main.command("explain")
@click.argument("rule")
def explain_command(rule: str) -> None:
    """Explain a family or check, by id (IM101) or name (undeclared-stream)."""
    from analyzer.docs import explain

    text = explain(rule)
    if text is None:
        click.echo(f"instrumap: no family or check called {rule!r}; see `instrumap rules`", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(text, nl=False)


def custom_rules(config: Config) -> RuleSet | None:
    """The shipped rules plus the project's own, checked now (None: the shipped rules only,
    loaded by the scan only if a root must be analysed)."""
    if not config.custom_rules:
        return None
    from analyzer.ruleset import RuleError, load_rules_with

    try:
        return load_rules_with(config.custom_rules)
    except RuleError as error:
        raise ConfigError(str(error)) from error


def scan_options(config: Config, include: tuple[str, ...], exclude: tuple[str, ...],
                 resolve: str | None) -> ScanOptions:
    """Command-line options over the configuration file: --include replaces, --exclude adds."""
    return ScanOptions(
        include=include or config.include,
        exclude=config.exclude + exclude,
        resolve=resolve or config.resolve or "full",
    )


def fired_checks(result: ScanResult) -> list[tuple[tuple[str, ...], bool]]:
    return [(f.rule_ids, f.in_test) for f in result.findings if f.rule_ids]


def remembered_report(paths: list[Path], options: ScanOptions, rules: RuleSet | None,
                      output_format: str) -> Report | None:
    """The report of the last scan with these roots and options, if no root changed since (a
    rescan of an unchanged tree then loads no result and renders nothing). Not with a
    registry: the report depends on it too."""
    signatures = unchanged_signatures(paths, options, rules)
    if signatures is None:
        return None
    report = Cache(options.cache_dir).get("reports", report_key(signatures, output_format))
    return report if isinstance(report, Report) else None


def remember_report(report: Report, signatures: list[str | None], options: ScanOptions, output_format: str) -> None:
    """Keep the report under the keys of the root results it was made from (all of them cached)."""
    if all(signatures):
        Cache(options.cache_dir).put("reports", report_key(signatures, output_format), report)


def report_key(signatures: list[str | None], output_format: str) -> str:
    # The roots' results decide the report (their keys cover the roots' names and the options);
    # the relays' data and the code are the cache's namespace.
    return content_key("report", repr((output_format, signatures)).encode())


def failing_findings(fired: list[tuple[tuple[str, ...], bool]], threshold: str, include_tests: bool) -> int:
    """How many findings have a check at or above `threshold` (test code only if asked)."""
    if threshold == "never":
        return 0
    counted = [rule_ids for rule_ids, in_test in fired if include_tests or not in_test]
    if not counted:
        return 0  # without a registry no check fires: the check data is not even loaded
    from analyzer.checks import load_checks

    minimum = SEVERITY_ORDER.index(threshold)
    checks = load_checks()
    return sum(1 for rule_ids in counted
               if any(SEVERITY_ORDER.index(checks.by_id(rule).severity) >= minimum for rule in rule_ids))


def run() -> None:
    """The `instrumap` command: `main`, then an exit that skips tearing the interpreter down.
    Freeing every object one by one at exit was ~8 % of a rescan of an unchanged tree; the
    report is written and the output streams flushed first, and the exit status is the one
    `sys.exit` would give."""
    try:
        main()
        status: object = 0
    except SystemExit as stop:
        status = stop.code
    if status is not None and not isinstance(status, int):
        print(status, file=sys.stderr)  # what sys.exit("message") prints
        status = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more can be said
            stream.flush()
    os._exit(status or 0)


if __name__ == "__main__":
    run()
