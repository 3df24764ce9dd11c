"""``zebench batches``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .options import db_option, fail, json_option, option, reading


@click.command("batches")
@db_option
@option(
    "--filter",
    "filter_text",
    metavar="KEY=VALUE,...",
    help="Only batches with runs matching agent, model, suite, scenario, tier, batchId; since, until compare the "
    "batch's creation time (ISO dates, as the leaderboard's).",
)
@option(
    "--limit",
    type=click.IntRange(0),
    default=30,
    show_default=True,
    help="The newest N batches (0: all of them).",
)
@json_option("Print the batches as JSON (the same rows, all fields).")
def batches_command(db_path: Path, filter_text: str | None, limit: int, as_json: bool) -> None:
    """The stored batches, newest first: id, when it was created, its configurations (agent and model), runs
    stored of expected, successful runs and its status: complete (every run of its matrix stored), running (not
    complete, a run stored or started in the last hour) or incomplete (stopped or killed: `zebench run --resume
    BATCH_ID` finishes it).

    When no batch matches it says so and exits with status 1 (--json prints []). An unknown filter key is an
    error (status 2) that lists the valid keys.

    \b
    Examples:
      zebench batches                                   the newest 30 in data/zebench.db
      zebench batches --filter agent=oracle,since=2026-01-01 --limit 0
      zebench batches --json
    """
    from ..report.analysis import SelectionError, parse_selection
    from ..report.tables import print_batches
    from ..store import query_batch_list

    with reading(db_path, quiet=as_json) as store:
        filters: dict[str, str] = {}
        since = until = None
        if filter_text:
            try:
                filters, since, until, _ = parse_selection(store.conn, filter_text)
            except SelectionError as exc:
                fail(str(exc))
        try:
            rows = query_batch_list(store.conn, filters, since=since, until=until, limit=limit or None)
        except ValueError as exc:
            fail(str(exc))
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    if not rows:
        where = f"matching --filter {filter_text} " if filter_text else ""
        click.secho(f"No batches {where}in {db_path}", fg="yellow", err=True)
        sys.exit(1)
    if not as_json:
        shown = f"the newest {len(rows)}" if limit and len(rows) == limit else f"{len(rows)}"
        print_batches(rows, title=f"Batches in {db_path} ({shown}, newest first)")
