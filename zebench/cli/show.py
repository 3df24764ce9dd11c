"""``zebench show``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .options import db_option, fail, json_option, option, reading


@click.command("show")
@click.argument("run_id")
@db_option
@option(
    "--site",
    "site_dir",
    default="site",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The built report site to point at (zebench build-site --out, zebench serve --site).",
)
@option(
    "--url",
    default="http://127.0.0.1:8001",
    show_default=True,
    help="Where `zebench serve` answers, for the run's served page and API path.",
)
@json_option("Print the run as JSON: its detail (as GET /api/v2/runs/RUN_ID), why it is not successful, its pages.")
def show_command(run_id: str, db_path: Path, site_dir: Path, url: str, as_json: bool) -> None:
    """One stored run: what it is and its outcome, why it is not successful (each failure, evaluator error, gate,
    evaluator below its full score or heuristic check, as the batch summary counts them), its stages with their
    times, its evaluators and heuristic checks with their messages, its validation commands, the integrity guard's
    findings, and where its page is (in the built site, and served by `zebench serve --site`).

    \b
    Examples:
      zebench show RUN_ID                               a run id as `zebench summary` and the site show them
      zebench show RUN_ID --json
      zebench show RUN_ID --site public --url http://reports.example:8001
    """
    from ..report.tables import print_run
    from ..site.builder import built_runs, run_view
    from ..store import query_run_detail, query_unsuccessful

    with reading(db_path, quiet=as_json) as store:
        detail = query_run_detail(store.conn, run_id)
        if detail is None:
            fail(f"no run {run_id!r} in {db_path} (zebench batches, then zebench summary BATCH_ID, list runs)")
        causes = query_unsuccessful(store.conn, run_id=run_id)
    view = run_view(run_id, detail["run"]["id"])
    newest = built_runs(site_dir)
    base = url.rstrip("/")
    pages = {
        "siteDir": str(site_dir),
        # a site built from the run's data or later has it
        "site": str(site_dir / view) if newest is not None and newest >= detail["run"]["id"] else None,
        "served": f"{base}/-/site/{view}",
        "api": f"{base}/api/v2/runs/{run_id}",
    }
    if as_json:
        click.echo(json.dumps({**detail, "unsuccessful": causes, "pages": pages}, indent=2, default=str))
        return
    print_run(detail, causes, pages)
