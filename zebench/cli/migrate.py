"""``zebench migrate``."""

from __future__ import annotations

from pathlib import Path

import click

from .options import db_option


@click.command("migrate")
@db_option
def migrate_command(db_path: Path) -> None:
    """Bring the database's schema up to date (creating the file when it does not exist).

    Commands that write (run, ingest, check --db, serve --create) migrate on their own; the ones that only read
    (leaderboard, compare, summary, build-site, serve) never change the file: they read a database from an
    older zebench through an up-to-date copy, or (serve) ask for this command first.

    \b
    Examples:
      zebench migrate                                    data/zebench.db
    """
    from ..store import migrate_database

    applied = migrate_database(db_path)
    if applied:
        click.echo(
            f"{db_path}: applied {len(applied)} migration{'s' if len(applied) > 1 else ''} ({', '.join(applied)})"
        )
    else:
        click.echo(f"{db_path}: schema up to date")
