"""The ``zebench`` command line: a thin click layer, one module per command, each calling one library function.

Exit codes: 0 success; 1 a finished job with failed runs (status failed or timeout; an unsuccessful score is not
a failure), a scenario that fails `check`, or nothing matching a listing's filters; 2 bad usage or bad input
(nothing was run or written); 130 interrupted by SIGINT (Ctrl-C) and 143 by SIGTERM (resume with --resume).

Adding a command: a module here with a ``click.command`` whose options come from ``options`` (shared ones are
declared there once; ``options.option`` gives each option its ZEBENCH_<COMMAND>_<OPTION> variable), imported
and added below. Heavy libraries are imported inside the command, so that ``zebench --help`` starts quickly.
"""

from __future__ import annotations

import click

from .batches import batches_command
from .build_site import build_site_command
from .check import check_command
from .compare import compare_command
from .export import export_command
from .import_ import import_command
from .ingest import ingest_command
from .leaderboard import leaderboard_command
from .listing import list_command
from .migrate import migrate_command
from .options import GROUP_CONTEXT_SETTINGS
from .run import run_command
from .scaffold import new_scenario_command, new_suite_command
from .serve import serve_command
from .show import show_command
from .submit import submit_command
from .summary import summary_command


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from ..constants import zebench_version

    click.echo(f"zebench, version {zebench_version()}")
    ctx.exit()


@click.group(context_settings=GROUP_CONTEXT_SETTINGS)
@click.option(
    "-V",
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    allow_from_autoenv=False,
    help="Show the version and exit.",
)
def main() -> None:
    """zebench: run AI coding agents on benchmark scenarios and store every run in SQLite.

    \b
    Quick start (offline, no API key):
      zebench list                         suites, scenarios and their tiers
      zebench run --agent echo --agent oracle
      zebench leaderboard
      sqlite3 data/zebench.db 'select agent, model, count(*), sum(successful) from runs_counted group by agent, model'

    \b
    Writing a suite:
      zebench new-suite my-suite
      zebench new-scenario my-suite fix-the-parser
      zebench check my-suite

    Every option can also be set with an environment variable ZEBENCH_<COMMAND>_<OPTION>, e.g.
    ZEBENCH_RUN_MAX_TURNS=20 for `zebench run --max-turns 20`; the shared ones (ZEBENCH_DB, ZEBENCH_SUITES_DIR,
    ZEBENCH_CONCURRENCY, ZEBENCH_SANDBOX...) are listed with their options.
    """


for _command in (
    list_command,
    new_suite_command,
    new_scenario_command,
    check_command,
    run_command,
    serve_command,
    build_site_command,
    ingest_command,
    import_command,
    export_command,
    submit_command,
    leaderboard_command,
    compare_command,
    summary_command,
    batches_command,
    show_command,
    migrate_command,
):
    main.add_command(_command)

__all__ = ["main"]
