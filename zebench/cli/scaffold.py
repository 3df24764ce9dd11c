"""``zebench new-suite`` and ``zebench new-scenario``."""

from __future__ import annotations

from pathlib import Path

import click

from .options import fail, option, suites_dir_option


@click.command("new-suite")
@click.argument("name")
@suites_dir_option
def new_suite_command(name: str, suites_dir: Path | None) -> None:
    """Create an empty suite NAME (kebab-case) with scenarios/ and prompts/ folders (in ./data/suites unless
    ./suites exists or --suites-dir says otherwise); add scenarios with `zebench new-scenario NAME SCENARIO`.

    \b
    Examples:
      zebench new-suite my-suite
    """
    from ..catalog import CatalogError, new_suite, scaffold_dir

    try:
        path = new_suite(suites_dir or scaffold_dir(), name)
    except CatalogError as exc:
        fail(str(exc))
    click.echo(f"Created suite {path}. Add a scenario: zebench new-scenario {name} SCENARIO")


@click.command("new-scenario")
@click.argument("suite")
@click.argument("name")
@option(
    "--mcp",
    is_flag=True,
    help="The MCP example instead: a specialist template (the original's JSON5 format) whose MCP server, a small "
    "stdio server in the scenario folder, holds the data the agent needs.",
)
@suites_dir_option
def new_scenario_command(suite: str, name: str, mcp: bool, suites_dir: Path | None) -> None:
    """Scaffold scenario NAME in SUITE: a working example to replace with your task.

    It creates scenario.yaml (commented with what to replace), repo-fixture/ (a tiny Python module with a failing
    test), solution/ (the fix), checks/ (a hidden check script), oracle-answers.json and prompts L0-L2 that
    describe the task. As created it passes `zebench check SUITE/NAME`: the oracle scores 10/10, echo fails.

    \b
    Examples:
      zebench new-suite my-suite
      zebench new-scenario my-suite fix-the-parser
      zebench check my-suite/fix-the-parser
      zebench new-scenario my-suite look-up-prices --mcp
      zebench check my-suite/look-up-prices

    With --mcp: prices.json to fill in with prices only the scenario's MCP server knows; specialist.json5 declares
    the server (dependencies.mcps) and gives the persona and prompts; the oracle passes, echo fails.
    """
    from ..catalog import CatalogError, new_scenario, scaffold_dir

    root = suites_dir or scaffold_dir()
    try:
        path = new_scenario(root, suite, name, mcp=mcp)
    except CatalogError as exc:
        fail(str(exc))
    where = f" --suites-dir {root}" if suites_dir else ""
    if mcp:
        click.echo(
            f"Created {path}: an MCP example (prices.json to fill in from the catalog MCP server).\n"
            f"  specialist.json5  persona, prompts and the MCP server (dependencies.mcps); mcp-server/ the server\n"
            f"  scenario.yaml     the task, its commands and checks; repo-fixture/, solution/, checks/ as usual\n"
            f"It passes as created; check your changes with: zebench check {suite}/{name}{where}"
        )
        return
    click.echo(
        f"Created {path}: a working example (word_count with a failing test) to replace with your task.\n"
        f"  scenario.yaml   the task, its commands and checks; its comments say what to replace\n"
        f"  repo-fixture/   the starting repository; solution/ the solved files; checks/ hidden checks\n"
        f"  prompts         {root / suite / 'prompts' / name}/L0-minimal.md, L1-basic.md, L2-directed.md\n"
        f"It passes as created; check your changes with: zebench check {suite}/{name}{where}"
    )
