"""Finding and deleting stale files."""

import fnmatch
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Optional

DAY = 24 * 60 * 60


@dataclass(frozen=True)
class StaleFile:
    path: Path
    relative: str
    size: int


def find_stale(
    directory: Path,
    older_than_days: float,
    pattern: str = "*",
    recursive: bool = False,
    now: Optional[float] = None,
) -> List[StaleFile]:
    """Regular files under ``directory`` not modified for ``older_than_days`` days, sorted by path."""
    cutoff = (time.time() if now is None else now) - older_than_days * DAY
    candidates = directory.rglob("*") if recursive else directory.iterdir()
    found = []
    for path in candidates:
        if not path.is_file() or path.is_symlink() or not fnmatch.fnmatch(path.name, pattern):
            continue
        stat = path.stat()
        if stat.st_mtime < cutoff:
            found.append(StaleFile(path, path.relative_to(directory).as_posix(), stat.st_size))
    return sorted(found, key=lambda f: f.relative)


def delete(files: Iterable[StaleFile]) -> int:
    """Delete ``files``; return the number of bytes freed."""
    freed = 0
    for stale in files:
        os.remove(stale.path)
        freed += stale.size
    return freed
