"""Minimal offline linter: syntax errors, unused imports, lines over 120 characters, tabs.

Usage: python tools/lint.py PATH [...]
An import is "used" if its name appears anywhere else in the module (including __all__).
"""

import ast
import sys
from pathlib import Path

MAX_LINE = 120


def lint(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        return [f"{path}:{exc.lineno}: syntax error: {exc.msg}"]
    problems = []
    for number, line in enumerate(source.splitlines(), start=1):
        if len(line) > MAX_LINE:
            problems.append(f"{path}:{number}: line too long ({len(line)} > {MAX_LINE})")
        if "\t" in line:
            problems.append(f"{path}:{number}: tab character")
    imported = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                imported[(alias.asname or alias.name).split(".")[0]] = node.lineno
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name != "*":
                    imported[alias.asname or alias.name] = node.lineno
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            used.add(node.value)  # names listed in __all__ or string annotations
    is_package_init = path.name == "__init__.py"
    for name, lineno in sorted(imported.items(), key=lambda item: item[1]):
        if name not in used and not is_package_init:
            problems.append(f"{path}:{lineno}: '{name}' imported but unused")
    return problems


def main(argv: list[str]) -> int:
    problems = []
    for root in argv or ["."]:
        root_path = Path(root)
        files = [root_path] if root_path.is_file() else sorted(root_path.rglob("*.py"))
        for path in files:
            problems.extend(lint(path))
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
