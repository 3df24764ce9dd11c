"""Opening a database for reading without ever changing it.

Read-only commands (leaderboard, compare, summary, build-site, serve --immutable) never run migrations: the file
is opened with SQLite's ``mode=ro``, so its bytes stay as they were. A database whose schema is older than this
zebench (pending migrations) is read through an up-to-date copy in a temporary file, removed afterwards; the
caller is told (``on_outdated``) so it can suggest ``zebench migrate`` to avoid the copy.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import sqlite_utils

from .core import Store, pending_migrations
from .queries import is_zebench_database


class NotReadable(Exception):
    """The database does not exist, is not a zebench database, or SQLite cannot read it."""


def _connect_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, check_same_thread=False, timeout=30)


class ReadOnlyStore(Store):
    """A Store whose connection cannot write: the queries and reads of Store, never a migration."""

    def __init__(self, path: Path | str) -> None:  # not Store.__init__: that creates the file and migrates
        self.path = Path(path)
        self.conn = _connect_read_only(self.path)
        self.conn.execute("PRAGMA busy_timeout = 30000")
        self.db = sqlite_utils.Database(self.conn)


@contextmanager
def open_for_reading(db_path: Path, *, on_outdated: Callable[[str], None] | None = None) -> Iterator[Store]:
    """A Store to read ``db_path`` with; the file is never written. Raises NotReadable when it is missing or not a
    zebench database. With pending migrations, a migrated temporary copy is read instead (``on_outdated`` gets a
    note saying so)."""
    if not db_path.exists():
        raise NotReadable(f"database {db_path} does not exist")
    try:
        store = ReadOnlyStore(db_path)
        if not is_zebench_database(store.conn):
            store.close()
            raise NotReadable(f"{db_path} is not a zebench database (no benchmark_runs table)")
        pending = pending_migrations(store.conn)
    except sqlite3.DatabaseError as exc:
        raise NotReadable(f"cannot read {db_path}: {exc}") from None
    if not pending:
        try:
            yield store
        finally:
            store.close()
        return
    if on_outdated is not None:
        on_outdated(
            f"{db_path} has an older schema ({len(pending)} migration{'s' if len(pending) > 1 else ''} "
            f"pending); reading an up-to-date copy, the file is left as it is. Upgrade it once with: "
            f"zebench migrate --db {db_path}"
        )
    with tempfile.TemporaryDirectory(prefix="zebench-read-") as tmp:
        copy = Path(tmp) / db_path.name
        target = sqlite3.connect(copy)
        try:
            store.conn.backup(target)  # a consistent snapshot, WAL content included
        finally:
            target.close()
            store.close()
        with Store(copy) as migrated:
            yield migrated


def migrate_database(db_path: Path) -> list[str]:
    """Bring ``db_path``'s schema up to date (creating the file when missing); returns the migrations applied."""
    with Store(db_path, migrate=False) as store:
        pending = pending_migrations(store.conn)
        store.migrate()
    return pending


__all__ = ["NotReadable", "ReadOnlyStore", "migrate_database", "open_for_reading"]
