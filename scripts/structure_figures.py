#!/usr/bin/env python3
"""Structure figures of a zebench source tree (issue 22's before/after): where the run's columns are spelled, which
files a run's weighted score passes through, and the largest functions.

Usage: python scripts/structure_figures.py [ROOT]   (ROOT: a checkout; default this one)

- places a run column is spelled: for each column of benchmark_runs, the top-level definitions (a function, a
  class, a constant) of zebench/ that spell its name or its API key as a string or a name, frozen migrations
  (store/schema.py) and generated files (models/shapes.py) aside;
- files a weighted score passes through: the files of zebench/ and site_templates/ that name it or a figure made
  of it (weighted_score, weightedScore, sum_weighted, avgWeightedScore, meanScore, mean_weighted_score);
- the largest functions of zebench/ (lines), and those of models/, store/ and api/.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

COLUMNS = (
    "run_id batch_id suite scenario tier agent model status started_at completed_at total_score weighted_score "
    "is_successful success_metric specialist_enabled specialist_name specialist_version repeat_index "
    "failure_category failure_stage error cost_usd evaluator_errors metadata has_diff has_transcript"
).split()
SKIPPED = ("store/schema.py", "models/shapes.py")
WEIGHTED = re.compile(r"weighted_score|weightedScore|sum_weighted|avgWeightedScore|meanScore|mean_weighted_score")


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def sources(root: Path) -> list[Path]:
    return [p for p in (root / "zebench").rglob("*.py") if not {"suites", "scaffold"} & set(p.parts)]


def spelled_in(node: ast.AST, words: set[str]) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub.value in words:
            return True
        if isinstance(sub, ast.Name) and sub.id in words:
            return True
        if isinstance(sub, ast.Attribute) and sub.attr in words:
            return True
        if isinstance(sub, (ast.arg, ast.keyword)) and (sub.arg or "") in words:
            return True
    return False


def column_places(root: Path) -> dict[str, int]:
    trees = [
        (p, ast.parse(p.read_text()))
        for p in sources(root)
        if not any(str(p.relative_to(root / "zebench")) == s for s in SKIPPED)
    ]
    out = {}
    for column in COLUMNS:
        words = {column, camel(column)}
        out[column] = sum(1 for _, tree in trees for node in tree.body if spelled_in(node, words))
    return out


def weighted_files(root: Path) -> list[str]:
    files = [*sources(root), *(p for p in (root / "site_templates").rglob("*") if p.is_file())]
    return sorted(str(p.relative_to(root)) for p in files if WEIGHTED.search(p.read_text(errors="ignore")))


def functions(root: Path) -> list[tuple[int, str]]:
    sizes = []
    for path in sources(root):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno is not None:
                sizes.append((node.end_lineno - node.lineno + 1, f"{path.relative_to(root)}:{node.name}"))
    return sorted(sizes, reverse=True)


def main(root: Path) -> None:
    places = column_places(root)
    print(f"places a run column is spelled (mean over {len(places)} columns): {sum(places.values()) / len(places):.1f}")
    print("  " + ", ".join(f"{c} {n}" for c, n in places.items()))
    files = weighted_files(root)
    print(f"files naming a run's weighted score or a figure of it: {len(files)}")
    print("  " + " ".join(files))
    sizes = functions(root)
    print("largest functions: " + ", ".join(f"{name} {n}" for n, name in sizes[:6]))
    area = [(n, name) for n, name in sizes if name.split("/")[1] in ("models", "store", "api")]
    print("largest in models/, store/, api/: " + ", ".join(f"{name} {n}" for n, name in area[:6]))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
