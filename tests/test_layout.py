"""The package's layout shows its architecture (docs/development.md#layout): packages by layer, each importing only
from the layers below it, no import cycles between files (imports inside functions included; ``TYPE_CHECKING``
blocks aside), few modules at the top level, and nothing inside zebench importing through an old path."""

from __future__ import annotations

import ast
from pathlib import Path

from zebench._compat import MOVED

PACKAGE = Path(__file__).resolve().parent.parent / "zebench"
#: Lowest first. A module may import from its own layer's package and from the layers below.
LAYERS: list[set[str]] = [
    {"constants", "prices", "plugins", "_compat"},
    {"models"},
    {"isolation"},
    {"catalog"},
    {"store"},
    {"io"},
    {"run"},
    {"agents"},
    {"evaluators"},
    {"execution"},
    {"authoring", "testing"},
    {"report"},
    {"api", "site"},
    {"cli"},
    {"__init__", "__main__"},
]
TOP_LEVEL_MODULES_MAX = 12


def _sources() -> list[Path]:
    return [
        p
        for p in PACKAGE.rglob("*.py")
        if not {"suites", "scaffold", "site_templates"} & set(p.relative_to(PACKAGE).parts)
    ]


def _module_name(path: Path) -> str:
    parts = ["zebench", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in _sources()}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path) -> set[str]:
    """The zebench modules a file imports (a name imported from a package that is one of its modules counts as
    that module), at any depth but inside ``if TYPE_CHECKING:``."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for branch in node.orelse:
                visit(branch)
            return
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] == "zebench":
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    found.add(sub if sub in MODULES else target)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "zebench")
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text()))
    found.discard(name)
    return found


GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def _layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else "__init__"
    for i, names in enumerate(LAYERS):
        if top in names:
            return i
    raise AssertionError(f"{module}: its package {top!r} is in no layer of tests/test_layout.py")


def test_at_most_twelve_modules_at_the_top_level() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= TOP_LEVEL_MODULES_MAX, top


def test_every_package_has_a_layer() -> None:
    for module in MODULES:
        _layer(module)


def test_no_upward_imports() -> None:
    upward = [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if target in MODULES and _layer(target) > _layer(module)
    ]
    assert upward == []


def test_nothing_imports_through_an_old_path() -> None:
    old = [f"{module} imports {target}" for module, targets in GRAPH.items() for target in targets if target in MOVED]
    assert old == []
    unknown = [f"{module} imports {t}" for module, targets in GRAPH.items() for t in targets if t not in MODULES]
    assert unknown == []


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one file (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH.get(v, ()):
            if w not in MODULES:
                continue
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(MODULES):
        if v not in index:
            connect(v)
    return out


def test_no_import_cycles() -> None:
    assert _cycles() == []


def test_the_old_import_paths_still_work() -> None:
    import importlib

    for old, new in MOVED.items():
        assert importlib.import_module(old) is importlib.import_module(new), old


#: The longest a function may be, from its ``def`` line to its last line (decorators aside: a command's options are
#: declarations), docstring and comments included. Nested functions count in their parent too.
FUNCTION_LINES_MAX = 100
#: Functions allowed over FUNCTION_LINES_MAX because they are literal tables, whose length is their data; each stays
#: a declaration (no loop, try or with statement: tested).
LITERAL_TABLES = {
    "zebench.models.openapi.openapi_document": "the OpenAPI document: one literal per endpoint, its parameters and "
    "responses",
}
#: Functions over FUNCTION_LINES_MAX that other open work is splitting, with that work. Each must still be over the
#: limit: remove its entry when the work lands (none now).
BEING_SPLIT: dict[str, str] = {}


Function = ast.FunctionDef | ast.AsyncFunctionDef
_CONTROL_FLOW = (ast.For, ast.AsyncFor, ast.While, ast.Try, ast.With, ast.AsyncWith, ast.Match)


def _functions(tree: ast.AST, module: str) -> dict[str, Function]:
    """Every function and method of a module by qualified name (nested ones under their parent's name)."""
    found: dict[str, Function] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found[f"{prefix}.{child.name}"] = child
                visit(child, f"{prefix}.{child.name}")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}.{child.name}")
            else:
                visit(child, prefix)

    visit(tree, module)
    return found


def _lines(node: Function) -> int:
    assert node.end_lineno is not None
    return node.end_lineno - node.lineno + 1


def _too_long(functions: dict[str, Function]) -> set[str]:
    return {
        f"{name}: {_lines(node)} lines"
        for name, node in functions.items()
        if _lines(node) > FUNCTION_LINES_MAX and name not in LITERAL_TABLES and name not in BEING_SPLIT
    }


FUNCTIONS = {
    name: node
    for module, path in MODULES.items()
    for name, node in _functions(ast.parse(path.read_text()), module).items()
}


def test_no_function_is_over_a_hundred_lines() -> None:
    assert _too_long(FUNCTIONS) == set(), "split them (a literal table goes into LITERAL_TABLES, with its reason)"


def test_the_long_functions_allowed_are_literal_tables_and_still_long() -> None:
    for name in LITERAL_TABLES:
        statements = {type(n).__name__ for n in ast.walk(FUNCTIONS[name]) if isinstance(n, _CONTROL_FLOW)}
        assert statements == set(), f"{name} is no longer a literal table"
    for name in [*LITERAL_TABLES, *BEING_SPLIT]:
        assert name in FUNCTIONS, f"{name} is gone: remove its entry"
        assert _lines(FUNCTIONS[name]) > FUNCTION_LINES_MAX, f"{name} is no longer long: remove its entry"


def test_the_function_size_check_finds_long_methods_and_nested_functions() -> None:
    """Measured from ``def`` to the last line: a method's decorators do not count, its nested functions do."""
    filler = "".join(f"            x{i} = {i}\n" for i in range(FUNCTION_LINES_MAX - 2))
    source = (
        "class A:\n"
        "    @staticmethod\n"
        "    def method():\n"
        "        def inner():\n"
        f"{filler}"
        "            return x0\n"
        "        return inner\n"
        "    def short(self):\n"
        "        return 1\n"
    )
    functions = _functions(ast.parse(source), "m")
    assert sorted(functions) == ["m.A.method", "m.A.method.inner", "m.A.short"]
    assert _lines(functions["m.A.method.inner"]) == FUNCTION_LINES_MAX
    assert _too_long(functions) == {f"m.A.method: {FUNCTION_LINES_MAX + 2} lines"}
