"""``zebench list``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .options import fail, json_option, option, suites_dir_option


@click.command("list")
@suites_dir_option
@json_option("Print JSON instead of a table.")
@option(
    "--strict",
    is_flag=True,
    help="Treat warnings (unknown keys, weights for no evaluator...) as errors: for your own suites. The original "
    "ze-benchmarks suites carry keys and weights the original accepted and ignored; zebench warns about them and "
    "runs them all the same, so --strict refuses many of them (not a problem to fix there).",
)
def list_command(suites_dir: Path | None, as_json: bool, strict: bool) -> None:
    """List suites, scenarios and the tiers each scenario has prompts for.

    Every scenario.yaml is loaded and validated. Keys zebench does not know are warnings that name the file, the
    key and the nearest known key (--strict: errors, for checking your own suites; the original project's
    suites load and run with their warnings). Every broken file is reported with its path and key path, then
    the command exits with status 2.
    """
    from ..catalog import Catalog, CatalogError
    from ..report.tables import print_scenarios

    catalog = Catalog(suites_dir, strict=strict)
    try:
        scenarios, errors = catalog.load_all()
    except CatalogError as exc:
        fail(str(exc))
    if as_json:
        click.echo(json.dumps([s.listing() for s in scenarios], indent=2))
    else:
        print_scenarios(catalog.root, scenarios, len(errors))
    if errors:
        for error in errors:
            click.secho(f"Error: {error}", fg="red", err=True)
        sys.exit(2)
