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
    from ..models.shapes import BatchListRowDict, EchoBaselineDict, RunDetailDict, UnsuccessfulRowDict


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


def first_line(text: str | None, limit: int = 100) -> str:
    """The first non-blank line of a message, cut to ``limit`` characters (a table cell; the whole text is in
    --json and on the run's page)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > 1 and len(lines[0]) < 20:  # "exit code 1": what the command said comes next
        lines[:2] = [f"{lines[0]}: {lines[1]}"]
    line = lines[0] if lines else ""
    more = len(lines) > 1 or len(line) > limit
    return (line[: limit - 1] + "…") if len(line) > limit else line + (" …" if more else "")


# --------------------------------------------------------------------------------------------------------------
# What echo (doing nothing) scores on the same items


def baseline_by_config(baseline: list[EchoBaselineDict]) -> dict[tuple[str, ...], EchoBaselineDict]:
    """The echo baseline by configuration (analysis.config_key)."""
    from .analysis import config_key

    return {config_key(b): b for b in baseline}


def baseline_cell(b: EchoBaselineDict | None, agent: str) -> str:
    """Echo's mean score on a configuration's items: "4.40", "4.40 (30/39)" when echo ran only 30 of its 39 items,
    "none"."""
    if agent == "echo":
        return "baseline"
    if b is None or not b["echoItems"] or b["echoMeanScore"] is None:
        return "none"
    cover = "" if b["echoItems"] == b["items"] else f" ({b['echoItems']}/{b['items']})"
    return f"{b['echoMeanScore']:.2f}{cover}"


def baseline_note(baseline: list[EchoBaselineDict]) -> str:
    """What the echo column means, or that there is no baseline at all."""
    if not any(b["echoItems"] for b in baseline):
        return (
            "No echo baseline: no echo run on these items, so nothing shows what doing nothing scores here "
            "(zebench run -a echo on the same scenarios and tiers gives one)."
        )
    source = (
        "the echo runs among the runs ranked"
        if baseline[0]["source"] == "selection"
        else "every stored echo run (none among the runs ranked)"
    )
    return (
        "echo /10: what the echo agent (it changes nothing) scores on the same items (of them, how many echo ran when "
        f"not all), the mean over those items of {source}; a score near it is not much better than doing nothing."
    )


def print_leaderboard(
    rows: list[dict[str, Any]],
    *,
    title: str,
    min_shared_items: int,
    baseline: list[EchoBaselineDict] | None = None,
) -> None:
    """The leaderboard's rows (zebench.analysis.leaderboard) as a table, then why a configuration has no tie
    group. ``baseline``: echo's score on each configuration's items (a column and a note)."""
    from rich.table import Table

    from .analysis import config_key

    table = Table(title=title)
    configuration = configuration_columns(rows)
    echo_by_config = baseline_by_config(baseline or [])
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
        "echo /10",
        "pass@k (items)",
        "cost/solved",
    ):
        # fold, never crop: a configuration cut short could read as another one; the configuration's own columns
        # are never folded either (other columns give way first), so "claude-sonnet-4-5" stays on one line
        whole = next((key for header, key in configuration if header == col), None)
        table.add_column(
            col,
            overflow="fold",
            justify="right" if col in ("#", "items", "runs", "findings") else "left",
            no_wrap=whole is not None,
            min_width=max((len(r[whole] or "") for r in rows), default=None) if whole else None,
        )
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
        echo = echo_by_config.get(config_key(r))
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
            baseline_cell(echo, r["agent"]),
            pass_at_k_text(r),
            cost,
        )
    console = wide_console()
    console.print(table)
    if baseline is not None:
        console.print(baseline_note(baseline), soft_wrap=True, highlight=False)
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
# zebench batches


def when(iso: str | None) -> str:
    """A stored UTC time to the minute ("2026-12-07 00:51 UTC")."""
    if not iso:
        return "-"
    return iso[:16].replace("T", " ") + " UTC"


def print_batches(rows: list[BatchListRowDict], *, title: str) -> None:
    from rich.table import Table

    from .analysis import config_name

    table = Table(title=title)
    for col in ("batch", "created", "configurations", "runs stored", "successful", "status"):
        table.add_column(col, overflow="fold", justify="right" if col in ("runs stored", "successful") else "left")
    style = {"complete": "green", "running": "cyan", "incomplete": "yellow"}
    for r in rows:
        expected = r["expectedRuns"]
        table.add_row(
            r["batchId"],
            when(r["createdAt"]),
            ", ".join(config_name(c["agent"] or "", c["model"]) for c in r["configurations"]) or "-",
            f"{r['runs']:,} of {expected:,}" if expected is not None else f"{r['runs']:,}",
            f"{r['successfulRuns']:,}",
            f"[{style.get(r['status'], 'white')}]{r['status']}[/]",
        )
    console = wide_console()
    console.print(table)
    console.print(
        "running: not complete, a run stored or started in the last hour; incomplete: stopped or killed "
        "(zebench run --resume BATCH_ID finishes it). zebench summary BATCH_ID shows one.",
        soft_wrap=True,
        highlight=False,
    )


# --------------------------------------------------------------------------------------------------------------
# zebench show


def causes_lines(causes: list[UnsuccessfulRowDict]) -> list[str]:
    """Each cause of unsuccessful runs as a line: what it is, and one of its messages."""
    what = {
        "failure": "the run failed: {name}",
        "error": "evaluator {name} failed (error)",
        "gate": "gate {name} did not hold",
        "score": "{name} below its full score",
        "check": "heuristic check {name} failed",
    }
    return [
        what.get(c["kind"], "{name}").format(name=c["name"]) + (f": {first_line(c['example'])}" if c["example"] else "")
        for c in causes
    ]


def _evaluation_result(e: Any) -> tuple[str, str, str]:
    """An evaluation's result, score (0-1) and message, as `zebench show` lists them."""
    details = e["details"] if isinstance(e["details"], dict) else {}
    if e["error"]:
        return "[red]error[/]", "-", first_line(e["error"])
    if not e["applicable"]:
        return "n/a", "-", first_line(str(details.get("reason", "")))
    score = None if e["score"] is None else e["score"] / (e["maxScore"] or 1.0)
    state = "[green]pass[/]" if score == 1 else "[red]fail[/]" if not score else "[yellow]partial[/]"
    if "command" in details:
        message = f"{details['command']}: {details.get('status')}"
    elif isinstance(details.get("findings"), list):
        message = "; ".join(f"{f.get('message')} ({f.get('path')})" for f in details["findings"] if isinstance(f, dict))
    elif isinstance(details.get("checks"), list):
        message = f"{sum(1 for c in details['checks'] if c.get('passed'))} of {len(details['checks'])} checks passed"
    elif unmet := [
        f"{i.get('name') or i.get('rule')}: {i.get('message')}"
        for key in ("required", "optional", "rules")
        for i in details.get(key) or []
        if isinstance(i, dict) and (i.get("passed") is False or i.get("satisfied") is False)
    ]:  # the dependency evaluators: each target or rule not met
        message = "; ".join(unmet)
    else:
        message = first_line(str(details.get("overallAssessment") or details.get("reason") or ""))
    return state, "-" if score is None else f"{score:.2f}", message


def print_run(detail: RunDetailDict, causes: list[UnsuccessfulRowDict], pages: dict[str, str | None]) -> None:
    """A stored run as `zebench show` prints it: what it is, its outcome and why, its stages, its evaluators and
    checks, its validation commands, its findings and where its page is."""
    from rich.table import Table

    console = wide_console()
    run, telemetry = detail["run"], detail["telemetry"]
    model = f" [{run['model']}]" if run["model"] else ""

    def say(text: str) -> None:
        console.print(text, soft_wrap=True, highlight=False)

    say(
        f"[bold]Run {run['runId']}[/]: {run['suite']}/{run['scenario']} {run['tier']}, {run['agent']}{model}, "
        f"batch {run['batchId'] or '-'}, repeat {run['repeatIndex'] if run['repeatIndex'] is not None else '-'}"
    )
    score = "-" if run["weightedScore"] is None else f"{run['weightedScore']:.2f}/10"
    metric = "-" if run["successMetric"] is None else f"{run['successMetric']:.2f}"
    took = f" · {telemetry['durationMs'] / 1000:.1f} s" if telemetry and telemetry["durationMs"] is not None else ""
    outcome = "[green]successful[/]" if run["successful"] else "[red]not successful[/]"
    say(
        f"Status {run['status']} · {outcome} · score {score} · success metric {metric} · "
        f"started {when(run['startedAt'])}{took}"
    )
    if run["failureCategory"] or run["error"]:
        say(f"[red]Failure[/]: {run['failureCategory'] or '-'} in the {run['failureStage'] or '?'} stage")
        if run["error"]:
            say(run["error"].rstrip())
    if causes:
        say("Why it is not successful:")
        for line in causes_lines(causes):
            say(f"  - {line}")
    stages = (telemetry["stageMs"] if telemetry else None) or {}
    if stages:
        table = Table(title="Stages")
        table.add_column("stage")
        table.add_column("time", justify="right")
        for name, ms in stages.items():
            table.add_row(name, f"{ms / 1000:.2f} s")
        console.print(table)
    _print_evaluations(console, detail)
    _print_validation(console, detail)
    findings = [
        f
        for e in detail["evaluations"]
        if isinstance(e["details"], dict)
        for f in (e["details"].get("findings") or [])
        if isinstance(f, dict)
    ]
    say(f"Findings ({len(findings)}): " + ("none" if not findings else ""))
    for f in findings:
        say(f"  - {f.get('kind')}: {f.get('message')} ({f.get('path') or '-'})")
    say("Its page: " + (pages["site"] or f"not in {pages['siteDir']} yet (zebench build-site builds it)"))
    say(f"Served: {pages['served']} (with zebench serve --site) · the API: {pages['api']}")


def _print_evaluations(console: Console, detail: RunDetailDict) -> None:
    from rich.table import Table

    table = Table(title="Evaluators")
    for col in ("result", "evaluator", "kind", "weight", "score 0-1", "message"):
        table.add_column(col, overflow="fold")
    checks: list[Any] = []
    for e in detail["evaluations"]:
        state, score, message = _evaluation_result(e)
        table.add_row(state, e["evaluatorName"], e["kind"] or "", f"{e['weight'] or 0:g}", score, message)
        details = e["details"] if isinstance(e["details"], dict) else {}
        if e["evaluatorName"] == "heuristic_checks" and isinstance(details.get("checks"), list):
            checks = details["checks"]
    console.print(table)
    if checks:
        table = Table(title="Heuristic checks")
        for col in ("result", "check", "type", "weight", "message"):
            table.add_column(col, overflow="fold")
        for c in checks:
            table.add_row(
                "[green]pass[/]" if c.get("passed") else "[red]fail[/]",
                str(c.get("name")),
                str(c.get("type")),
                f"{c.get('weight', 0):g}",
                first_line(str(c.get("message", ""))),
            )
        console.print(table)


def _print_validation(console: Console, detail: RunDetailDict) -> None:
    from rich.table import Table

    if not detail["validationResults"]:
        return
    table = Table(title="Validation commands")
    for col in ("kind", "command", "status", "exit", "time", "baseline", "output (last line)"):
        table.add_column(col, overflow="fold")
    for v in detail["validationResults"]:
        tail = [line for line in (v["outputTail"] or "").splitlines() if line.strip()]
        table.add_row(
            v["kind"],
            v["command"],
            v["status"],
            "-" if v["exitCode"] is None else str(v["exitCode"]),
            "-" if v["durationMs"] is None else f"{v['durationMs'] / 1000:.1f} s",
            v.get("baselineStatus") or "-",
            first_line(tail[-1] if tail else ""),
        )
    console.print(table)


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
