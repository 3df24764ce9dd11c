"""``zebench import``: runs from other harnesses' logs (Inspect AI, Harbor, Terminal-Bench, SWE-bench)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..constants import plural
from .options import db_option, fail, json_option, option

FORMAT_NAMES = ("inspect", "harbor", "terminal-bench", "swe-bench")


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
@option("--from", "fmt", type=click.Choice(FORMAT_NAMES), help="The format of every path (default: detected).")
@option("--tier", help="The tier of the imported runs (default: '-'; a mapping file can give one).")
@option(
    "--mapping",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A YAML or JSON file mapping source ids onto a zebench suite's scenarios (and tier, agent, model).",
)
@option(
    "--scorer", help="Inspect: the scorer whose value is the verdict, SCORER or SCORER:KEY (default: the headline)."
)
@option(
    "--threshold",
    type=float,
    help="Numeric scores and rewards: a run is successful when its value reaches this (default 1.0).",
)
@json_option("Print the report as JSON.")
def import_command(
    paths: tuple[Path, ...],
    db_path: Path,
    fmt: str | None,
    tier: str | None,
    mapping: Path | None,
    scorer: str | None,
    threshold: float | None,
    as_json: bool,
) -> None:
    """Import runs from other harnesses' logs: Inspect AI (.eval, .json), Harbor job folders, Terminal-Bench run
    folders, SWE-bench evaluation logs and run summaries.

    Each path is a log file, a job or run folder, or a folder searched for them; the format is detected (--from
    forces one). Each source (a log, a job, a run) becomes a batch, each trial (a sample x epoch, a trial, an
    instance) a run with its verdict as the source gave it, its failure category, tokens, cost, stage times and
    transcript, and its provenance in metadata.source. Importing the same files again changes nothing; a trial
    that changed is updated. A file that cannot be read (corrupt, truncated) is named and nothing of it is
    stored; the other files are. Transcripts are redacted, host paths scrubbed and long texts capped.
    docs/import.md has each format's mapping and which zebench figure equals the source's own.

    \b
    Exit status: 0 when every file was imported; 1 when a file could not be; 2 for bad usage (a path that does
    not exist or holds no known source, a bad mapping file).

    \b
    Examples:
      zebench import runs/tb-run                    a Terminal-Bench run folder: its trials as runs
      zebench import runs/tb-run --json             again: every run unchanged
      zebench import runs --tier L1 --db other.db   every source below runs/, tier L1, into another database
    """
    from ..io.importers import ImportOptions, Mapping, UsageError, discover, import_paths
    from ..store import Store

    try:
        options = ImportOptions(
            tier=tier, scorer=scorer, threshold=threshold, mapping=Mapping.load(mapping) if mapping else None
        )
        discover(list(paths), fmt)
    except UsageError as exc:
        fail(str(exc))
    progress = _progress(as_json)
    with Store(db_path) as store:
        report = import_paths(store, list(paths), options, forced=fmt, progress=progress)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        for s in report.sources:
            click.echo(f"{s.path} ({s.format}): {s.describe()}")
            if s.reported:
                click.echo(f"  the source's own figures: {_figures(s.reported)}")
            for problem in s.problems:
                click.secho(f"  {problem}", fg="red", err=True)
        click.echo(f"{report.summary()} (database {db_path})")
    if report.failed:
        sys.exit(1)


def _figures(reported: dict[str, Any]) -> str:
    return ", ".join(f"{k} {json.dumps(v)}" for k, v in reported.items() if v not in (None, [], {}))[:400]


def _progress(quiet: bool) -> Any:
    """Sources done, on stderr when it is a terminal (long imports)."""
    if quiet or not sys.stderr.isatty():
        return None
    done = [0, 0]

    def tick(entry: Any) -> None:
        done[0] += 1
        done[1] += entry.runs
        click.echo(f"\r{plural(done[0], 'source')}, {plural(done[1], 'run')} imported", nl=False, err=True)

    return tick
