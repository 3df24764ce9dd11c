"""``zebench export``: stored runs as ATIF trajectories."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..constants import plural
from .options import db_option, fail, option, reading


@click.command("export")
@click.argument("ids", nargs=-1, required=True)
@db_option
@option(
    "--out",
    "-o",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("trajectories"),
    show_default=True,
    help="The folder the trajectories are written to, one <run-id>.json each.",
)
@option("--format", "fmt", type=click.Choice(["atif"]), default="atif", show_default=True, help="The format.")
def export_command(ids: tuple[str, ...], db_path: Path, out: Path, fmt: str) -> None:
    """Export runs as ATIF trajectories (the Agent Trajectory Interchange Format Harbor and its tools read).

    Each ID is a run id or a batch id (every run of the batch). Each run is written to OUT/<run-id>.json: its
    messages as steps, its tool calls with their outputs as observations, its tokens and cost as final metrics,
    and its identity and verdict under extra.zebench. The database is only read.

    \b
    Examples:
      zebench export RUN_ID                 one run: trajectories/<run-id>.json
      zebench export BATCH_ID -o out        every run of a batch into out/
    """
    from ..io.importers.atif import run_to_atif

    with reading(db_path) as store:
        run_ids: list[str] = []
        for given in ids:
            found = store.run_ids(given) if store.get_batch(given) is not None else []
            if found:
                run_ids.extend(found)
            elif store.get_run(given) is not None:
                run_ids.append(given)
            else:
                fail(f"{given}: no run or batch with that id in {db_path}")
        out.mkdir(parents=True, exist_ok=True)
        for run_id in dict.fromkeys(run_ids):
            run = store.get_run(run_id)
            if run is None:
                continue
            (out / f"{_file_name(run_id)}.json").write_text(
                json.dumps(run_to_atif(run), ensure_ascii=False, indent=2), encoding="utf-8"
            )
    click.echo(f"{plural(len(dict.fromkeys(run_ids)), 'trajectory', 'trajectories')} ({fmt}) written to {out}")


def _file_name(run_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in run_id)[:200]
