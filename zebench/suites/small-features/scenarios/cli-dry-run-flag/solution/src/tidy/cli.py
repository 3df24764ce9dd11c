"""Command-line interface: tidy [options] DIRECTORY."""

import argparse
import sys
from pathlib import Path
from typing import List, Optional

from . import __version__
from .core import delete, find_stale


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tidy",
        description="Delete stale files from DIRECTORY.",
    )
    parser.add_argument("directory", metavar="DIRECTORY", type=Path, help="directory to clean up")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--older-than", type=float, default=30.0, metavar="DAYS",
                        help="only files last modified more than DAYS days ago (default: %(default)s)")
    parser.add_argument("--pattern", default="*", metavar="GLOB",
                        help="only files whose name matches GLOB (default: %(default)s)")
    parser.add_argument("-r", "--recursive", action="store_true",
                        help="descend into subdirectories")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="print only the summary line")
    parser.add_argument("-n", "--dry-run", action="store_true",
                        help="list the files that would be deleted, but delete nothing")
    return parser


def _plural(count: int) -> str:
    return "file" if count == 1 else "files"


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    options = parser.parse_args(argv)
    directory: Path = options.directory
    if not directory.is_dir():
        print(f"tidy: no such directory: {directory}", file=sys.stderr)
        return 1
    if options.older_than < 0:
        parser.error("--older-than must not be negative")

    stale = find_stale(directory, options.older_than, options.pattern, options.recursive)
    if options.dry_run:
        verb = "would delete"
        freed = sum(item.size for item in stale)
    else:
        verb = "deleted"
        freed = delete(stale)
    if not options.quiet:
        for item in stale:
            print(f"{verb} {item.relative}")
    print(f"{verb} {len(stale)} {_plural(len(stale))} ({freed} bytes)")
    return 0


def run() -> None:
    sys.exit(main())
