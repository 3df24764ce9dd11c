"""The prose that states what the code does, checked against the code: the evaluators table of docs/scoring.md
(names, kinds, default weights, the gates and the success threshold) and the response keys that docs/api.md lists
for each read (against the OpenAPI document, itself generated from the models every response is validated
against)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from zebench.evaluators import registry
from zebench.models import GATE_EVALUATORS, RubricOverrides
from zebench.models.openapi import openapi_document

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _table(text: str, header: str) -> list[list[str]]:
    """The rows (cells stripped) of the markdown table whose header line starts with ``header``."""
    lines = text[text.index(header) :].splitlines()
    rows = []
    for line in lines[2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def test_the_evaluators_table_of_scoring_md_is_the_registry() -> None:
    text = (DOCS / "scoring.md").read_text()
    rows = {row[0].strip("`"): row for row in _table(text, "| name | kind | default weight |")}
    evaluators = registry()
    assert set(rows) == set(evaluators)
    for name, cls in evaluators.items():
        _, kind, weight, *_ = rows[name]
        assert kind == cls.kind, name
        assert float(weight) == cls.default_weight, name


def test_scoring_md_names_the_gates_and_the_threshold() -> None:
    text = (DOCS / "scoring.md").read_text()
    gates = re.search(r"as a gate \(([^)]*)\)", text)
    assert gates is not None
    assert set(re.findall(r"`(\w+)`", gates.group(1))) == set(GATE_EVALUATORS)
    threshold = re.search(r"success_threshold\s+\(default ([\d.]+)\)", text)
    assert threshold is not None
    assert float(threshold.group(1)) == RubricOverrides().success_threshold


def _top_level_keys(literal: str) -> set[str]:
    """The keys of a documented shape such as ``{status: "ok", timestamp}`` or ``[{seq, role, content}]``."""
    body = literal.strip("`")
    body = body[body.index("{") + 1 :]
    keys, depth, current = set(), 0, ""
    for ch in body:
        if depth == 0 and ch in ",}":
            keys.add(current.split(":")[0].strip())
            current = ""
            if ch == "}":
                break
            continue
        depth += ch in "[{"
        depth -= ch in "]}"
        current += ch
    return keys


def _properties(doc: dict[str, Any], path: str) -> set[str]:
    schemas = doc["components"]["schemas"]
    schema = doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    while True:
        if "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
        elif schema.get("type") == "array":
            schema = schema["items"]
        elif "anyOf" in schema:
            schema = next(s for s in schema["anyOf"] if s.get("type") != "null")
        else:
            return set(schema.get("properties", {}))


def _documented_reads() -> dict[str, str]:
    """Each read of docs/api.md's table (its OpenAPI path) and what the doc says it returns."""
    text = (DOCS / "api.md").read_text()
    reads = {}
    for row in _table(text, "| original path"):
        for path_cell, what in zip(row[0::2], row[1::2], strict=True):
            found = re.match(r"`GET (/[^`?]*)", path_cell)
            if found:
                reads["/api" + found.group(1)] = what
    return reads


def test_the_response_keys_api_md_lists_are_those_served() -> None:
    doc = openapi_document()
    reads = _documented_reads()
    checked = []
    for path, what in reads.items():
        if not re.match(r"`?\[?\{", what) or path == "/api/health":  # /health is not a model (a literal answer)
            continue
        assert _top_level_keys(what) == _properties(doc, path), path
        checked.append(path)
    # zebench's runs: the original's keys plus those the doc lists
    plus = re.search(r"plus `([^`]*)`", reads["/api/v2/runs"])
    assert plus is not None
    extra = {k.strip() for k in plus.group(1).split(",")}
    assert _properties(doc, "/api/v2/runs") == _top_level_keys(reads["/api/runs"]) | extra
    # every read whose keys the doc spells out is checked (a new one is checked by being listed)
    assert len(checked) >= 10
