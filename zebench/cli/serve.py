"""``zebench serve``."""

from __future__ import annotations

from pathlib import Path

import click

from ..constants import plural
from .options import db_option, fail, option


@click.command("serve")
@db_option
@option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (0.0.0.0 for all).")
@option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@option("--immutable", is_flag=True, help="Serve read-only: writes refused, exact counts, safe long caching.")
@option(
    "--create", is_flag=True, help="Create the database when it does not exist (otherwise a missing file is an error)."
)
@option(
    "--site",
    "site",
    is_flag=False,
    flag_value="site",
    default=None,
    metavar="[DIR]",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also build the report site into DIR (default: site) and serve it at /-/site/, following the database: "
    "pages are rebuilt before they are served when the data changed, and the folder when a batch starts or ends.",
)
def serve_command(db_path: Path, host: str, port: int, immutable: bool, create: bool, site: Path | None) -> None:
    """Serve the database with Datasette: the JSON API and Datasette's table and SQL pages.

    \b
    /api/* answers in the original ze-benchmarks shapes (its dashboard and client work unchanged);
    /api/v2/* in zebench's richer ones. A missing --db file is an error unless --create; a database
    with an older schema is an error until `zebench migrate` (serving never migrates).
    Reads are public. POST /api/results and /api/results/batch need
    Authorization: Bearer <token> with the token in ZEBENCH_API_KEY (or ZE_BENCHMARKS_API_KEY, or
    the original server's API_SECRET_KEY) on the server. Without any of them, a server on loopback
    (the default --host) accepts the original's local development key dev-local-key, which any
    local process knows (a warning says so at start-up); on another --host, writes are refused.
    The API is described at /api/openapi.json (also docs/openapi.json).
    With --site, the report site is built (incrementally) and served at /-/site/: the
    local development setup of the original (dashboard and API in one command). Served live,
    a page is built again before it is served when the database changed (its figures agree
    with /api/v2/stats and /api/v2/batches; a new batch has its page at once), open pages
    fetch themselves again when the data moved on, and the folder is rebuilt when a batch
    starts or finishes (docs/deploy.md).
    """
    from ..constants import SITE_PREFIX
    from ..io.serve import NoDatabase, make_datasette, serve
    from ..site import SiteError, build_site

    try:
        if site is not None:
            make_datasette(db_path, immutable=immutable, create=create)  # the database's problems come first
            report = build_site(db_path, site)
            click.echo(
                f"Report site in {site}/: {plural(len(report.written), 'file')} written, "
                f"{report.unchanged:,} unchanged ({report.seconds:.1f} s); live at http://{host}:{port}{SITE_PREFIX}"
            )
        serve(db_path, host, port, immutable=immutable, create=create, site=site)
    except (NoDatabase, SiteError) as exc:
        fail(str(exc))
