"""Delete stale files from scratch and log directories."""

__version__ = "1.2.0"
