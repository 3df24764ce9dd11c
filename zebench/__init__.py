"""zebench: a benchmark harness and reporting platform for AI coding agents.

The public API is small on purpose: load suites with ``Catalog``, run a batch with ``run_batch``, read results
with ``Store``. Everything else is internal and may change.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("zebench")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
