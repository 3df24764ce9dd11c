"""``zebench compare``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .options import alpha_option, db_option, fail, json_option, option, reading


@click.command("compare")
@click.argument("baseline")
@click.argument("candidate")
@db_option
@alpha_option("Significance level.")
@json_option("Print the full result as JSON.")
@option(
    "--markdown",
    "markdown_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write a pull-request comment in Markdown to this file.",
)
@option(
    "--junit",
    "junit_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write JUnit XML to this file: one case per paired item, failed when it regressed (significantly or "
    "not: the failure's message says which; with one run per item no single item can be significant), and one "
    "overall case, failed on a significant overall regression (what --fail-on-regression gates on).",
)
@option(
    "--fail-on-regression",
    is_flag=True,
    help="Exit 1 when the candidate is significantly worse (overall or on an item).",
)
@option(
    "--pool",
    is_flag=True,
    help="Allow a side that holds several configurations (agents, models, specialists): their runs "
    "are counted together, and the report says so.",
)
def compare_command(
    baseline: str,
    candidate: str,
    db_path: Path,
    alpha: float,
    as_json: bool,
    markdown_file: Path | None,
    junit_file: Path | None,
    fail_on_regression: bool,
    pool: bool,
) -> None:
    """Compare CANDIDATE with BASELINE over the items (suite/scenario/tier) both ran.

    Each side is one configuration: a batch id or filters KEY=VALUE,... (agent, model, specialistName,
    specialistVersion, suite, scenario, tier, batchId, since, until), e.g.
    `zebench compare batch-123 agent=anthropic,model=claude-sonnet-4-6,since=2026-11-01`. A side holding several
    configurations is refused unless --pool. Items are paired: success is compared with the exact McNemar test
    when each item ran once per side, else with a sign-flip test of the items' success rates; scores with a paired
    bootstrap; each item's change with Fisher's exact test (Holm-corrected). Items are listed as regressed,
    improved, stayed solved or stayed failed; items only one side ran are not compared. JUnit: one case per item
    (failed when it regressed) and one for the overall test. With --fail-on-regression the exit status is 1 only
    on a significant regression, 0 otherwise.
    """
    from ..report.analysis import SelectionError, compare, junit_report, markdown_report

    with reading(db_path, quiet=as_json) as store:
        try:
            result = compare(store.conn, baseline, candidate, alpha=alpha, pool=pool)
        except (SelectionError, ValueError) as exc:
            fail(str(exc))
    if markdown_file:
        markdown_file.write_text(markdown_report(result))
    if junit_file:
        junit_file.write_text(junit_report(result))
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        click.echo(markdown_report(result))
    if fail_on_regression and result["significantRegression"]:
        sys.exit(1)
