"""Offline stand-in for `pip install -r`: validate a requirements file without the network.

Every line must be a valid PEP 508 requirement pinned with `==` (project policy), and no package
may appear twice.
"""

import sys
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name


def check(path: Path) -> list[str]:
    errors: list[str] = []
    seen: dict[str, int] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        return [f"{path}: {exc}"]
    for number, raw in enumerate(lines, start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-"):
            errors.append(f"{path}:{number}: pip options are not allowed here: {line}")
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement as exc:
            errors.append(f"{path}:{number}: invalid requirement {line!r}: {exc}")
            continue
        name = canonicalize_name(req.name)
        if name in seen:
            errors.append(f"{path}:{number}: {req.name} already declared on line {seen[name]}")
        seen[name] = number
        specs = list(req.specifier)
        if len(specs) != 1 or specs[0].operator != "==":
            errors.append(f"{path}:{number}: {req.name} must be pinned with a single '=='")
    return errors


def main() -> int:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "requirements.txt")
    errors = check(path)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if errors:
        return 1
    print(f"{path}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
