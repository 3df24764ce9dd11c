"""Experiment configuration stored as YAML."""

import copy
from pathlib import Path
from typing import Any, Dict, List, Union

import yaml

DEFAULTS: Dict[str, Any] = {
    "experiment": "unnamed",
    "seed": 0,
    "features": {"tenure_buckets": [12, 24], "drop_columns": []},
    "model": {"C": 1.0, "max_iter": 100},
}

PathLike = Union[str, Path]


def _merge(base: Dict[str, Any], override: Dict[str, Any]) -> Dict[str, Any]:
    result = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _merge(result[key], value)
        else:
            result[key] = value
    return result


def load_config(path: PathLike) -> Dict[str, Any]:
    """Load one experiment config and fill in defaults for missing keys."""
    with open(path, encoding="utf-8") as fh:
        data = yaml.load(fh) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return _merge(DEFAULTS, data)


def load_sweep(path: PathLike) -> List[Dict[str, Any]]:
    """Load a multi-document YAML file: one experiment config per document."""
    with open(path, encoding="utf-8") as fh:
        documents = [doc for doc in yaml.load_all(fh) if doc]
    return [_merge(DEFAULTS, doc) for doc in documents]


def dump_config(config: Dict[str, Any]) -> str:
    return yaml.safe_dump(config, sort_keys=True)
