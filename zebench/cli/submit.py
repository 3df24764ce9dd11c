"""``zebench submit``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..constants import DEFAULT_SPOOL, URL_ENVS, plural
from .options import option


@click.command("submit")
@option(
    "--spool",
    type=click.Path(path_type=Path, dir_okay=False),
    default=DEFAULT_SPOOL,
    show_default=True,
    help="Spool file written by `zebench run --submit`.",
)
@option(
    "--url",
    envvar=list(URL_ENVS),
    show_envvar=True,
    required=True,
    help="Server base URL (the runs go to URL/api/results).",
)
@option(
    "--retries",
    type=click.IntRange(0),
    default=4,
    show_default=True,
    help="Retries per request (exponential backoff from 0.5 s).",
)
def submit_command(spool: Path, url: str, retries: int) -> None:
    """Deliver the runs waiting in a spool file, then remove them from it.

    The token comes from ZEBENCH_API_KEY (or ZE_BENCHMARKS_API_KEY). The server stores each runId once, so
    delivering a run again (after a crash half way) does not duplicate it. Safe while `zebench run --submit`
    appends to the same spool: runs appended during the delivery stay for the next time. Exit status 1 when runs
    remain in the spool.
    """
    import asyncio

    from ..constants import client_token
    from ..io.submit import Submitter, deliver_spool

    if not spool.exists():
        click.echo(f"{spool}: nothing to deliver")
        return
    submitter = Submitter(url, client_token(url), spool=spool, retries=retries)
    report = asyncio.run(deliver_spool(submitter))
    click.echo(
        f"Delivered {plural(report.delivered, 'run')} to {url}; {report.remaining} "
        f"{'remains' if report.remaining == 1 else 'remain'} in {spool}"
    )
    for error in report.errors:
        click.secho(f"  {error}", fg="red", err=True)
    if report.remaining:
        sys.exit(1)
