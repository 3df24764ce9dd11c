"""Command-line interface: tidy [options] DIRECTORY."""

import sys
from optparse import OptionParser
from pathlib import Path
from typing import List, Optional

from . import __version__
from .core import delete, find_stale


def build_parser() -> OptionParser:
    parser = OptionParser(
        usage="%prog [options] DIRECTORY",
        prog="tidy",
        version=f"%prog {__version__}",
        description="Delete stale files from DIRECTORY.",
    )
    parser.add_option("--older-than", type="float", default=30.0, metavar="DAYS",
                      help="only files last modified more than DAYS days ago [default: %default]")
    parser.add_option("--pattern", default="*", metavar="GLOB",
                      help="only files whose name matches GLOB [default: %default]")
    parser.add_option("-r", "--recursive", action="store_true", default=False,
                      help="descend into subdirectories")
    parser.add_option("-q", "--quiet", action="store_true", default=False,
                      help="print only the summary line")
    return parser


def _plural(count: int) -> str:
    return "file" if count == 1 else "files"


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    options, args = parser.parse_args(argv)
    if len(args) != 1:
        parser.error("expected exactly one DIRECTORY")
    directory = Path(args[0])
    if not directory.is_dir():
        print(f"tidy: no such directory: {directory}", file=sys.stderr)
        return 1
    if options.older_than < 0:
        parser.error("--older-than must not be negative")

    stale = find_stale(directory, options.older_than, options.pattern, options.recursive)
    freed = delete(stale)
    if not options.quiet:
        for item in stale:
            print(f"deleted {item.relative}")
    print(f"deleted {len(stale)} {_plural(len(stale))} ({freed} bytes)")
    return 0


def run() -> None:
    sys.exit(main())
