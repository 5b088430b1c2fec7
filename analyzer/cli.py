"""The `instrumap` command line. Only this module talks to the terminal.

Exit codes: 0 the scan ran, 2 usage or configuration error, 3 internal error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from analyzer import __version__
from analyzer.config import Config, ConfigError, find_config, load_config
from analyzer.pipeline import ScanOptions, scan
from analyzer.report import FORMATTERS
from analyzer.ruleset import RuleError, load_rules_with

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class _Progress:
    """A rich progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self._progress = None
        self._tasks: dict[str, object] = {}

    def __enter__(self):
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            from rich.console import Console

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
@click.option("--format", "-f", "output_format", type=click.Choice(sorted(FORMATTERS)), default="text",
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
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def scan_command(paths: tuple[Path, ...], output_format: str, output: Path | None, include: tuple[str, ...],
                 exclude: tuple[str, ...], config_path: Path | None, resolve: str | None, quiet: bool) -> None:
    """Scan repositories (or any directories) for instrumentation calls."""
    try:
        config = load_config(config_path or find_config(paths[0] if len(paths) == 1 else Path.cwd()))
        rules = load_rules_with(config.custom_rules)
    except (ConfigError, RuleError) as error:
        click.echo(f"instrumap: configuration error: {error}", err=True)
        sys.exit(EXIT_USAGE)
    options = scan_options(config, include, exclude, resolve)
    try:
        with _Progress(enabled=not quiet) as progress:
            result = scan(list(paths), options, progress, rules)
        text = FORMATTERS[output_format](result)
    except Exception as error:  # reported, never a traceback
        click.echo(f"instrumap: internal error: {type(error).__name__}: {error}", err=True)
        sys.exit(EXIT_INTERNAL)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"instrumap: wrote {len(result.findings)} findings to {output}", err=True)
    sys.exit(EXIT_OK)


def scan_options(config: Config, include: tuple[str, ...], exclude: tuple[str, ...], resolve: str | None) -> ScanOptions:
    """Command-line options over the configuration file: --include replaces, --exclude adds."""
    return ScanOptions(
        include=include or config.include,
        exclude=config.exclude + exclude,
        resolve=resolve or config.resolve or "full",
    )


if __name__ == "__main__":
    main()
