"""``zebench build-site``."""

from __future__ import annotations

from pathlib import Path

import click

from ..constants import plural
from .options import db_option, fail, option


@click.command("build-site")
@db_option
@option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("site"),
    show_default=True,
    help="Folder to write the site into (netlify.toml publishes site/).",
)
@option(
    "--base-url",
    metavar="URL",
    help="Public URL the site is served from (canonical links and sitemap.xml); "
    "pages link relatively, so it is optional.",
)
@option("--full", is_flag=True, help="Rebuild every file, not only what changed since the last build.")
@option("--quiet", "-q", is_flag=True, help="Print only errors.")
def build_site_command(db_path: Path, out_dir: Path, base_url: str | None, full: bool, quiet: bool) -> None:
    """Build the static report site and the static JSON mirror of the API from the database.

    \b
    Pages: dashboard, runs (filter, sort, search), run view, batches, agents, scenarios,
    evaluators, costs, compare; charts drawn by a local copy of Vega (no request leaves the
    site; it works from file:// and any static host). site/api/ holds the API's JSON shapes.
    Incremental: only the files whose data changed are rewritten; --full forces all.
    The database is only read (an older schema is read through an up-to-date copy).
    Deploying: docs/deploy.md.
    """
    from ..site import SiteError, build_site

    progress = None if quiet else (lambda step: click.echo(f"  {step}...", err=True))
    try:
        report = build_site(db_path, out_dir, base_url=base_url, full=full, progress=progress)
    except SiteError as exc:
        fail(str(exc))
    if not quiet:
        index = (report.out / "index.html").resolve()
        click.echo(
            f"Built {report.out}/ in {report.seconds:.1f} s from {plural(report.runs, 'run')} and "
            f"{plural(report.batches, 'batch', 'batches')}: {plural(len(report.written), 'file')} written, "
            f"{report.unchanged:,} unchanged, {len(report.removed):,} removed "
            f"({'full' if report.full else 'incremental'} build); {plural(report.files, 'file')}, "
            f"{report.bytes / 1e6:.1f} MB."
        )
        click.echo(
            f"Open {index.as_uri()} in a browser, or serve the folder: python -m http.server -d {report.out} 8000"
        )
