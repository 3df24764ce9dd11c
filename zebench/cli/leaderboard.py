"""``zebench leaderboard``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .options import alpha_option, db_option, fail, json_option, option, reading


@click.command("leaderboard")
@db_option
@option(
    "--filter",
    "filter_text",
    metavar="KEY=VALUE,...",
    help="Only runs matching agent, model, specialistName, specialistVersion, suite, scenario, tier, batchId, since, "
    "until (an empty value: runs without one, e.g. specialistName=).",
)
@alpha_option("Significance level of intervals and tie groups.")
@option(
    "--min-shared-items",
    type=click.IntRange(1),
    default=10,
    show_default=True,
    help='Fewest items two configurations must share to be compared for tie groups (below: "not comparable").',
)
@json_option()
def leaderboard_command(
    db_path: Path, filter_text: str | None, alpha: float, min_shared_items: int, as_json: bool
) -> None:
    """Configurations (agent, model and specialist) ranked by success rate, with intervals, pass@k, cost per solved
    task and tie groups.

    Intervals are clustered on the item when items were run more than once (Wilson for one run per item).
    pass@k and pass^k cover, for each k, the items with at least k runs (their number is shown). A tie group
    holds the configurations not significantly worse than its leader on the items both ran (paired tests of the
    items' success rates, Holm-adjusted); a pair sharing fewer than --min-shared-items items is not comparable.
    Denominators are explicit: runs, completed runs, agent and infrastructure failures, and success with and
    without the infrastructure failures. Beside each score, what the echo agent (it changes nothing) scores on the
    same items, from the selected echo runs or else every stored one; "none" when echo never ran them.
    See docs/statistics.md.

    When no run matches (an empty database, or filters that select nothing, such as a misspelt agent), it says
    so and exits with status 1 (--json prints []), so that a script does not mistake it for an empty ranking.
    An unknown filter key is an error (status 2) that lists the valid keys.

    \b
    Examples:
      zebench leaderboard                                 every run in data/zebench.db
      zebench leaderboard --filter suite=fix-tests,tier=L1 --json
      zebench leaderboard --filter agent=oracle,since=2026-01-01
    """
    from ..report.analysis import SelectionError, config_key, echo_baseline_of, leaderboard_of
    from ..report.tables import baseline_by_config, print_leaderboard

    with reading(db_path, quiet=as_json) as store:
        try:
            rows = leaderboard_of(store.conn, filter_text, alpha=alpha, min_shared_items=min_shared_items)
            baseline = echo_baseline_of(store.conn, filter_text)
        except (SelectionError, ValueError) as exc:
            fail(str(exc))
    if as_json:
        echo = baseline_by_config(baseline)
        for row in rows:  # what echo (doing nothing) scores on the row's items; None for echo itself
            row["echoBaseline"] = echo.get(config_key(row))
        click.echo(json.dumps(rows, indent=2))
    if not rows:
        click.secho(
            f"No runs match --filter {filter_text} in {db_path}"
            if filter_text
            else f"No runs in {db_path}: nothing to rank",
            fg="yellow",
            err=True,
        )
        sys.exit(1)
    if not as_json:
        print_leaderboard(
            rows,
            title=f"Leaderboard ({db_path}; {100 * (1 - alpha):g}% intervals)",
            min_shared_items=min_shared_items,
            baseline=baseline,
        )
