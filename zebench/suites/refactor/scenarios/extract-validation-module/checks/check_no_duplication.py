"""Hidden structural checks for the validation extraction (run with cwd = workspace).

Usage: check_no_duplication.py [GROUP ...]   (default: all groups)
  structure       shop/validation.py defines is_valid_email, is_valid_postcode and normalize_phone,
                  and customers.py, orders.py and suppliers.py each import from it
  no-copies       no module other than validation.py compiles regexes or defines the dial-code table
  no-duplicates   no two functions in shop/ have structurally identical bodies (copy-paste)
"""

import ast
import sys
from pathlib import Path

PACKAGE = Path("shop")
USERS = ["customers.py", "orders.py", "suppliers.py"]
REQUIRED = {"is_valid_email", "is_valid_postcode", "normalize_phone"}
failures = []
trees = {path.name: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(PACKAGE.glob("*.py"))}


def imports_validation(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module == "validation":
                return True
            if node.level == 0 and node.module == "shop.validation":
                return True
            if node.module in (None, "shop") and any(a.name == "validation" for a in node.names):
                return True
        if isinstance(node, ast.Import) and any(a.name == "shop.validation" for a in node.names):
            return True
    return False


def check_structure() -> None:
    if "validation.py" not in trees:
        failures.append("shop/validation.py does not exist")
        return
    defined = {n.name for n in trees["validation.py"].body if isinstance(n, ast.FunctionDef)}
    missing = REQUIRED - defined
    if missing:
        failures.append(f"validation.py does not define {sorted(missing)}")
    for name in USERS:
        tree = trees.get(name)
        if tree is None:
            failures.append(f"shop/{name} is missing")
        elif not imports_validation(tree):
            failures.append(f"shop/{name} does not import from shop.validation")


def check_no_copies() -> None:
    if "validation.py" not in trees:
        failures.append("shop/validation.py does not exist")
    for name, tree in trees.items():
        if name == "validation.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "compile":
                failures.append(f"shop/{name}:{node.lineno} still compiles a regular expression")
            if isinstance(node, ast.Dict):
                values = {v.value for v in node.values if isinstance(v, ast.Constant)}
                if {"44", "31", "49"} <= values:
                    failures.append(f"shop/{name}:{node.lineno} still defines a dial-code table")


def check_no_duplicates() -> None:
    bodies = {}
    for name, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and len(node.body) >= 2:
                # Compare structure only: identifiers are renamed away.
                clone = ast.parse(ast.unparse(node)).body[0]
                for sub in ast.walk(clone):
                    for attr in ("id", "arg", "attr"):
                        if isinstance(getattr(sub, attr, None), str):
                            setattr(sub, attr, "_")
                key = ast.dump(ast.Module(body=clone.body, type_ignores=[]))
                bodies.setdefault(key, []).append(f"{name}:{node.name}")
    for places in bodies.values():
        if len(places) > 1:
            failures.append("duplicated function bodies: " + ", ".join(places))


GROUPS = {"structure": check_structure, "no-copies": check_no_copies, "no-duplicates": check_no_duplicates}

for group in sys.argv[1:] or list(GROUPS):
    try:
        GROUPS[group]()
    except Exception as exc:
        failures.append(f"{group}: raised {exc!r}")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("ok")
