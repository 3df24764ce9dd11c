"""Offline stand-in for `pip install`: validate pyproject.toml without touching the network.

Checks that the manifest parses, that every requirement is a valid PEP 508 string, that no
package is declared twice in the same group and that every declared specifier can be satisfied.
"""

import sys
import tomllib
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name


def check(path: Path) -> list[str]:
    errors: list[str] = []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return [f"{path}: cannot parse: {exc}"]

    project = data.get("project")
    if not isinstance(project, dict):
        return [f"{path}: missing [project] table"]
    for key in ("name", "version", "dependencies"):
        if key not in project:
            errors.append(f"[project] is missing '{key}'")

    groups = {"dependencies": project.get("dependencies", [])}
    for extra, reqs in project.get("optional-dependencies", {}).items():
        groups[f"optional-dependencies.{extra}"] = reqs

    for group, reqs in groups.items():
        if not isinstance(reqs, list):
            errors.append(f"{group}: must be a list of requirement strings")
            continue
        seen: set[str] = set()
        for raw in reqs:
            try:
                req = Requirement(raw)
            except InvalidRequirement as exc:
                errors.append(f"{group}: invalid requirement {raw!r}: {exc}")
                continue
            name = canonicalize_name(req.name)
            if name in seen:
                errors.append(f"{group}: {req.name} is declared more than once")
            seen.add(name)
            pins = [s for s in req.specifier if s.operator in ("==", "===")]
            for pin in pins:
                if not req.specifier.contains(pin.version, prereleases=True):
                    errors.append(f"{group}: {raw!r} can never be satisfied")
    return errors


def main() -> int:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "pyproject.toml")
    errors = check(path)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if errors:
        return 1
    print(f"{path}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
