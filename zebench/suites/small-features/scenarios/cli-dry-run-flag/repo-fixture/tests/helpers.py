import os
import tempfile
import time
from pathlib import Path

DAY = 24 * 60 * 60


class TreeMixin:
    """Creates a temporary directory tree; ``make(path, age_days, size)`` adds a file."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self._tmp.cleanup)
        self.root = Path(self._tmp.name)

    def make(self, relative, age_days, size=10):
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * size)
        stamp = time.time() - age_days * DAY
        os.utime(path, (stamp, stamp))
        return path
