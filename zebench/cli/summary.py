"""``zebench summary``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .options import db_option, fail, json_option, reading


@click.command("summary")
@click.argument("batch_id")
@db_option
@json_option("Print the batch's detail as JSON (the same document as GET /api/v2/batches/BATCH_ID?runs=0).")
def summary_command(batch_id: str, db_path: Path, as_json: bool) -> None:
    """The summary of a stored batch, as `zebench run` prints it at the end: one row per configuration (agent and
    model), runs, completed runs, agent and infrastructure failures, evaluator errors, cancelled attempts and
    whether the batch is complete."""
    from ..report.progress import print_batch_summary
    from ..store import query_batch_detail

    with reading(db_path, quiet=as_json) as store:
        detail = query_batch_detail(store.conn, batch_id, runs_limit=0)
        if detail is None:
            fail(f"no batch {batch_id!r} in {db_path}")
        if as_json:
            click.echo(json.dumps(detail, indent=2))
        else:
            print_batch_summary(store, batch_id, db_path=db_path)
