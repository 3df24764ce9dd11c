"""CSV export of invoice rows."""

from .export import COLUMNS, read_csv, to_csv, write_csv

__all__ = ["COLUMNS", "read_csv", "to_csv", "write_csv"]
