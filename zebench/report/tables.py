"""Terminal rendering of the CLI's reports: the suites listing, the leaderboard and the check report (the
batch summary is zebench.progress.print_batch_summary). Tables are drawn with rich, imported here only when one
is printed, so that the CLI starts quickly. Machine-readable output (--json) never comes through here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..constants import plural

if TYPE_CHECKING:
    from rich.console import Console

    from ..authoring.readiness import CheckReport
    from ..catalog import Scenario


def wide_console() -> Console:
    """A console for tables: the terminal's width, or 200 columns in logs and pipes (never squeezed into 80)."""
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(width=200)


def configuration_columns(rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """The columns of the configuration a table shows, as (header, API key): models.run.CONFIGURATION, the first two
    (agent and model) always, each other one (the specialist's name and version) when a row has a value."""
    from ..models.run import CONFIGURATION, RUNS

    columns = [(name.replace("_", " "), RUNS.column(name).key) for name in CONFIGURATION]
    return [c for i, c in enumerate(columns) if i < 2 or any(r.get(c[1]) for r in rows)]


def pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


# --------------------------------------------------------------------------------------------------------------
# zebench list


def print_scenarios(root: Path, scenarios: list[Scenario], broken: int, console: Console | None = None) -> None:
    """The suites table, then each scenario's warnings and a count line (``broken``: files that did not load).

    Suite and scenario names are what one types (``zebench run SUITE/SCENARIO``): they are never cut or wrapped,
    whatever the terminal's width. The other columns give way: the title wraps, then the warnings column (the
    warnings are listed below the table anyway) and the difficulty are left out; names longer than the terminal
    still print whole (the terminal wraps the line)."""
    from rich.measure import Measurement
    from rich.table import Table

    console = console or wide_console()
    tiers = [" ".join(s.tiers) for s in scenarios]
    values: dict[str, list[str]] = {
        "suite": [s.suite for s in scenarios],
        "scenario": [s.name for s in scenarios],
        "tiers": tiers,
        "difficulty": [s.spec.difficulty or "" for s in scenarios],
        "title": [s.spec.title or "" for s in scenarios],
        "warnings": [f"[yellow]{len(s.warnings)}[/]" if s.warnings else "" for s in scenarios],
    }
    whole = ("suite", "scenario", "tiers")
    for dropped in ((), ("warnings",), ("warnings", "difficulty")):
        table = Table(title=f"Suites in {root}", show_lines=False)
        columns = [c for c in values if c not in dropped]
        for col in columns:
            if col in whole:
                table.add_column(col, no_wrap=True, min_width=max(map(len, [col, *values[col]])), overflow="ignore")
            else:
                table.add_column(col, min_width=10 if col == "title" else None, overflow="fold")
        for i in range(len(scenarios)):
            table.add_row(*(values[c][i] for c in columns))
        needed = Measurement.get(console, console.options.update_width(10_000), table).minimum
        if needed <= console.width:
            break
    width = console.width
    console.width = max(width, needed)
    try:
        console.print(table, crop=False)
    finally:
        console.width = width
    for s in scenarios:
        for warning in s.warnings:
            console.print(
                f"[yellow]warning:[/] {s.dir / 'scenario.yaml'}: {warning}",
                soft_wrap=True,
                markup=True,
                highlight=False,
            )
    suites = len({s.suite for s in scenarios})
    console.print(
        f"{plural(suites, 'suite')}, {plural(len(scenarios), 'scenario')}, "
        f"{plural(sum(len(s.tiers) for s in scenarios), 'prompt')}"
        + (f", {plural(broken, 'broken scenario file')}" if broken else "")
    )


# --------------------------------------------------------------------------------------------------------------
# zebench leaderboard


def pass_at_k_text(row: dict[str, Any]) -> str:
    """pass@1, pass@2 and pass@(largest k) with the items each covers; "-" when no item has two runs."""
    ks = sorted(int(k) for k in row["passAtKItems"])
    if not ks or ks[-1] < 2:
        return "- (one run per item)"
    shown = sorted({1, 2, ks[-1]})
    return " ".join(f"@{k}={row['passAtK'][f'pass@{k}']:.2f} ({row['passAtKItems'][str(k)]})" for k in shown)


def print_leaderboard(rows: list[dict[str, Any]], *, title: str, min_shared_items: int) -> None:
    """The leaderboard's rows (zebench.analysis.leaderboard) as a table, then why a configuration has no tie
    group."""
    from rich.table import Table

    table = Table(title=title)
    configuration = configuration_columns(rows)
    for col in (
        "#",
        "tie group",
        *(header for header, _ in configuration),
        "items",
        "runs",
        "runs/item",
        "fail agent/infra",
        "findings",
        "success (interval)",
        "excl. infra",
        "score /10 (interval)",
        "pass@k (items)",
        "cost/solved",
    ):
        # fold, never crop: a configuration cut short could read as another one
        table.add_column(col, overflow="fold", justify="right" if col in ("#", "items", "runs", "findings") else "left")
    for r in rows:
        cost = (
            ("unknown" if r["costUnknownRuns"] else "-")
            if r["costPerSolvedUsd"] is None
            else f"${r['costPerSolvedUsd']:.4f}"
        )
        score = (
            "-"
            if r["meanScore"] is None
            else f"{r['meanScore']:.2f}"
            + ("" if r["meanScoreLow"] is None else f" ({r['meanScoreLow']:.2f}-{r['meanScoreHigh']:.2f})")
        )
        runs_per_item = (
            str(r["runsPerItemMax"])
            if r["runsPerItemMin"] == r["runsPerItemMax"]
            else f"{r['runsPerItemMin']}-{r['runsPerItemMax']}"
        )
        tie = "not comparable" if r["tieGroup"] is None else str(r["tieGroup"])
        table.add_row(
            str(r["rank"]),
            tie,
            *(r[key] or "" for _, key in configuration),
            str(r["items"]),
            str(r["runs"]),
            runs_per_item,
            f"{r['agentFailures']}/{r['infraFailures']}",
            str(r["findingRuns"] or 0),  # runs with blocking findings: counted, never successful
            f"{pct(r['successRate'])} ({pct(r['successRateLow'])}-{pct(r['successRateHigh'])})",
            pct(r["successRateExclInfra"]),
            score,
            pass_at_k_text(r),
            cost,
        )
    console = wide_console()
    console.print(table)
    notes = [
        f"{r['configuration']}: not comparable with {', '.join(r['notComparableWith'])} (fewer than "
        f"{plural(min_shared_items, 'shared item')})"
        for r in rows
        if r["notComparableWith"]
    ]
    notes += [
        f"{r['configuration']}: no tie group, only {r['items']} item{'s' if r['items'] != 1 else ''} (fewer than "
        f"{min_shared_items})"
        for r in rows
        if r["tieGroup"] is None
    ]
    for line in notes:
        console.print(line, soft_wrap=True, highlight=False)


# --------------------------------------------------------------------------------------------------------------
# zebench check


def print_check_report(report: CheckReport) -> None:
    """One row per scenario (a column per kind of problem), then each problem and note in full."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from ..authoring.readiness import PROBLEM_KINDS

    console = Console()
    if not console.is_terminal:
        console = Console(width=160)
    table = Table(title=f"zebench check ({report.repeat} run{'s' if report.repeat != 1 else ''} of each agent)")
    for col in ("scenario", *PROBLEM_KINDS, "result"):
        table.add_column(col)

    def scores(check: Any, agent: str) -> str:
        runs = [r for r in check.runs if r.agent == agent]
        if not runs:
            return "-"
        return " ".join("-" if r.weighted_score is None else f"{r.weighted_score:.1f}" for r in runs)

    for check in report.scenarios:
        cells = []
        for kind in PROBLEM_KINDS:
            problems = check.problems_of(kind)
            mark = f"✗{len(problems) if len(problems) > 1 else ''}"
            if kind in ("oracle", "echo"):
                text = scores(check, kind)
            elif kind == "baseline":
                text = ", ".join(dict.fromkeys(f"{b.kind} {b.status}" for b in check.baseline)) or "-"
            elif kind == "solution" and not problems and not any(r.agent == "oracle" for r in check.runs):
                text = "-"  # none, or not run (a problem or a note says why)
            elif kind == "hack":
                held = sum(not h.rewarded for h in check.hacks)
                text = f"{held}/{len(check.hacks)} held" if check.hacks else "-"
            else:
                text = ""
            cells.append(
                f"[red]{escape(text)} {mark}[/]".replace("[red] ", "[red]") if problems else escape(text or "ok")
            )
        count = len(check.problems)
        result = "[green]ok[/]" if check.ok else f"[red]{count} problem{'s' if count > 1 else ''}[/]"
        table.add_row(escape(check.key), *cells, result)
    console.print(table)
    for check in report.scenarios:
        if not check.problems and not check.notes:
            continue
        console.print(f"[bold]{escape(check.key)}[/]", highlight=False)
        for problem in check.problems:
            text = problem.message.replace("\n", "\n      ")
            console.print(f"  [red]{problem.kind}:[/] {escape(text)}", highlight=False, soft_wrap=True)
        for note in check.notes:
            console.print(f"  [dim]note: {escape(note)}[/]", highlight=False, soft_wrap=True)
    failing = sum(not c.ok for c in report.scenarios)
    where = (
        f"runs stored in {report.database}"
        if report.database
        else "runs were made in a temporary database, now removed (--db keeps them)"
    )
    console.print(
        f"{len(report.scenarios)} scenario{'s' if len(report.scenarios) != 1 else ''} checked: "
        + (f"[red]{failing} with problems[/]" if failing else "[green]all ready[/]")
        + f"; {where}",
        highlight=False,
    )


__all__ = ["pass_at_k_text", "pct", "print_check_report", "print_leaderboard", "print_scenarios", "wide_console"]
