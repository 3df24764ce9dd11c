"""``zebench check``."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import Any

import click

from ..constants import CHECK_REPEAT
from .options import (
    concurrency_option,
    database_path,
    fail,
    json_option,
    option,
    sandbox_mode,
    sandbox_option,
    suites_dir_option,
    timeout_option,
)


class _CheckProgress:
    """One line per finished run on stderr (a batch Reporter)."""

    def start(self, batch_id: str, total: int, already_done: int) -> None: ...

    def run_started(self, key: Any) -> None: ...

    def run_finished(self, record: Any) -> None:
        score = "-" if record.weighted_score is None else f"{record.weighted_score:.1f}/10"
        scored = record.status in ("completed", "budget_exceeded")
        outcome = ("successful" if record.is_successful else "unsuccessful") if scored else record.status
        click.echo(f"  {record.suite}/{record.scenario} {record.agent}: {score} {outcome}", err=True)

    def finish(self) -> None: ...


@click.command("check")
@click.argument("selectors", nargs=-1, metavar="[SUITE[/SCENARIO]]...")
@option(
    "--repeat",
    "-n",
    default=CHECK_REPEAT,
    show_default=True,
    type=click.IntRange(1),
    help="Runs of the baseline, echo and the oracle per scenario. A flaky check shows up as different outcomes: "
    "one failing at random half the time is caught with probability 1 - 2/2^n, 97% at the default 6 (the fewest "
    "runs that reach 95%), 50% at -n 2; a check failing with probability p, 1 - p^n - (1-p)^n.",
)
@option(
    "--tier",
    "-t",
    "tiers",
    multiple=True,
    help="Tier every scenario must have a prompt for; repeatable. Default: the tiers of the suite's "
    "prompts/policy.yaml, if any.",
)
@option(
    "--slow-seconds",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="A validation or baseline command slower than this (or than half its time limit) is a problem.",
)
@option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    callback=database_path,
    help="Keep the runs in this database (in a folder that exists). Default: a temporary database, removed after "
    "the check (data/zebench.db and ZEBENCH_DB are never written).",
)
@option(
    "--hacks",
    is_flag=True,
    default=False,
    help="Also replay zebench's built-in library of hacks (start-up hooks, forged exit codes, skipped or gutted "
    "tests, package.json scripts, ...) against each scenario: a hack that is successful, or scores more than 1.5 "
    "above echo, is a problem (docs/integrity.md).",
)
@json_option("Print the report as JSON.")
@concurrency_option
@timeout_option
@sandbox_option("Where commands run, as for `zebench run` (docs/security.md).")
@suites_dir_option
def check_command(
    selectors: tuple[str, ...],
    repeat: int,
    tiers: tuple[str, ...],
    slow_seconds: float,
    db_path: Path | None,
    hacks: bool,
    as_json: bool,
    concurrency: int,
    timeout_seconds: float | None,
    sandbox: str,
    suites_dir: Path | None,
) -> None:
    """Check that scenarios are ready to ship: the reference solution passes, doing nothing fails, the checks
    are deterministic.

    For each scenario (every one when none is given): its scenario.yaml is validated as `zebench list --strict`
    does; its prompts (one per expected tier, none empty, no misnamed file) and its solution (not empty, not
    equal to the fixture) are inspected; then the baseline commands, the echo agent and the oracle (when there
    is a solution) run --repeat times. A problem is reported when the oracle is not successful at 10/10 every
    time (with the evaluator or check that fell short and its message), when echo is successful, when a
    validation command, heuristic check or baseline command gives different outcomes across repeats (flaky),
    or when a command is slow. The LLM judge is not run. With --hacks, each hack of zebench's built-in library
    that applies to a scenario is replayed too (an agent of its own, beside echo): a hack that is successful or
    scores more than 1.5 above echo is a problem; the report lists every hack with its score and the findings
    and flags its run carries (docs/integrity.md#the-hackability-probe).

    The runs go to a temporary database, removed afterwards, unless --db says where to keep them: a check never
    writes data/zebench.db.

    \b
    Exit status: 0 when every scenario passes; 1 when any has a problem; 2 bad usage (an unknown suite or
    scenario: nothing ran); 130/143 interrupted.

    \b
    Examples:
      zebench check fix-tests/csv-export-quoting         one scenario, 6 runs of each agent (the default)
      zebench check -n 2                                 every scenario of every suite, a quicker pass
      zebench check refactor --json                      a suite, the report as JSON
      zebench check fix-tests/csv-export-quoting --hacks -n 1   how hackable the scenario is
    """
    from ..authoring.readiness import run_check
    from ..catalog import Catalog, CatalogError
    from ..execution.batch import BatchInterrupted
    from ..report.tables import print_check_report

    mode = sandbox_mode(sandbox)
    catalog = Catalog(suites_dir)
    try:
        catalog.select_keys(list(selectors))
    except CatalogError as exc:
        fail(str(exc))
    try:
        report = run_check(
            catalog,
            list(selectors),
            db_path=db_path,
            repeat=repeat,
            tiers=list(tiers),
            slow_seconds=slow_seconds,
            concurrency=concurrency,
            sandbox=mode,
            timeout_seconds=timeout_seconds,
            reporter=_CheckProgress(),
            hacks=hacks,
        )
    except BatchInterrupted as exc:
        signum = exc.result.signal or signal.SIGINT
        click.secho(f"\nInterrupted by {signal.Signals(signum).name}: the check did not finish", fg="yellow", err=True)
        sys.exit(128 + signum)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        print_check_report(report)
    if not report.ok:
        sys.exit(1)
