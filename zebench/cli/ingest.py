"""``zebench ingest``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .options import db_option, fail, json_option, option


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
@option(
    "--skip-invalid",
    is_flag=True,
    help="Store the valid records of files that have bad ones (default: such a file is not loaded at all).",
)
@json_option("Print the report as JSON.")
def ingest_command(paths: tuple[Path, ...], db_path: Path, skip_invalid: bool, as_json: bool) -> None:
    """Merge result files (JSONL from `zebench run --output`, JSON arrays, original-format payloads) into the database.

    Folders are searched for *.jsonl and *.json. Every bad record is reported as file:line with its reason (not
    JSON, a value out of range such as an integer beyond 64 bits or NaN, nesting too deep, a lone surrogate, a
    field the record refuses) and reading goes on with the next record and the next file. Each file is
    all-or-nothing: a file with a bad record is not loaded (nothing of it is written), unless --skip-invalid,
    which stores its valid records. A truncated last line (a writer that crashed) is reported and skipped.
    Secrets are redacted from every record stored.

    Each file and the whole ingest say how many runs were new, updated (a run with the same runId stored
    before with other content: rewritten) and unchanged (already stored exactly so: left alone, so re-ingesting
    the same files changes nothing), and how many records were rejected.

    \b
    Exit status: 0 when everything was stored, or with --skip-invalid when only bad records were skipped;
    1 when a file was left out or a last line was cut (without --skip-invalid), or when a file could not be
    read or stored, or no record was valid at all; 2 when a path does not exist.

    \b
    Examples:
      zebench run fix-tests -a oracle --shard 1/2 -o shard-1.jsonl --db shard-1.db    on one machine
      zebench run fix-tests -a oracle --shard 2/2 -o shard-2.jsonl --db shard-2.db    on another
      zebench ingest shard-1.jsonl shard-2.jsonl         both into data/zebench.db: every run new
      zebench ingest . --skip-invalid --json             every *.jsonl and *.json below .: all unchanged now
    """
    from ..io.ingest import IngestError, expand, ingest_paths
    from ..store import Store

    try:
        expand(list(paths))
    except IngestError as exc:
        fail(str(exc))
    with Store(db_path) as store:
        report = ingest_paths(store, list(paths), skip_invalid=skip_invalid)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        for f in report.files:
            click.echo(f"{f.path}: {f.describe(skip_invalid)}")
            for problem in f.problems:
                click.secho(f"  {problem}", fg="red", err=True)
        click.echo(f"{report.summary()} (database {db_path})")
    if report.failed:
        sys.exit(1)
