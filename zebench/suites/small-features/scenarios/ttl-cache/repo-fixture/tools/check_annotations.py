"""Project type-check gate: every function must annotate all parameters and its return type.

Usage: python tools/check_annotations.py PACKAGE_DIR [...]
(`self` and `cls` need no annotation; lambdas are ignored.)
"""

import ast
import sys
from pathlib import Path


def problems_in(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        where = f"{path}:{node.lineno} {node.name}()"
        args = node.args
        params = args.posonlyargs + args.args + args.kwonlyargs
        for index, arg in enumerate(params):
            if index == 0 and arg.arg in ("self", "cls"):
                continue
            if arg.annotation is None:
                found.append(f"{where}: parameter '{arg.arg}' is not annotated")
        for arg in (args.vararg, args.kwarg):
            if arg is not None and arg.annotation is None:
                found.append(f"{where}: parameter '{arg.arg}' is not annotated")
        if node.returns is None:
            found.append(f"{where}: missing return annotation")
    return found


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    problems: list[str] = []
    for root in argv:
        for path in sorted(Path(root).rglob("*.py")):
            problems.extend(problems_in(path))
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
