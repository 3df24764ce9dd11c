"""Find suites, scenarios and tiers on disk; load and validate scenario.yaml.

Layout (the original project's):
``<suites-dir>/<suite>/scenarios/<scenario>/{scenario.yaml, repo-fixture/ | repo/, oracle-answers.json, solution/}``
and ``<suites-dir>/<suite>/prompts/<scenario>/<Tier>-<name>.md``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .models import KEBAB_RE, TIER_FILE_RE, ScenarioSpec

DEFAULT_SUITES_DIR = Path("data/suites")
#: Directories never copied into a workspace, never hashed, never diffed.
IGNORED_DIRS = frozenset({".git", "node_modules", "__pycache__", ".venv", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
DEFAULT_ANSWER = "Proceed with your best judgment based on the constraints provided."


class CatalogError(Exception):
    """A suite or scenario cannot be used. ``str()`` names the file and, when known, the key path."""

    def __init__(self, message: str, path: Path | None = None, problems: list[str] | None = None):
        self.path = path
        self.problems = problems or []
        text = f"{path}: {message}" if path else message
        if self.problems:
            text += "".join(f"\n  - {p}" for p in self.problems)
        super().__init__(text)


def _key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def load_spec(path: Path) -> ScenarioSpec:
    """Parse one scenario.yaml, raising CatalogError with one line per bad key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogError(f"cannot read: {exc.strerror}", path) from None
    except yaml.YAMLError as exc:
        raise CatalogError(f"invalid YAML: {exc}", path) from None
    if not isinstance(data, dict):
        raise CatalogError("expected a mapping of keys at the top level", path)
    try:
        return ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        problems = [f"{_key_path(e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise CatalogError("invalid scenario file", path, problems) from None


@dataclass
class Scenario:
    suite: str
    name: str
    dir: Path
    spec: ScenarioSpec
    prompts: dict[str, Path]
    warnings: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.suite}/{self.name}"

    @property
    def fixture_dir(self) -> Path | None:
        for candidate in ("repo-fixture", "repo"):
            if (self.dir / candidate).is_dir():
                return self.dir / candidate
        return None

    @property
    def solution_dir(self) -> Path | None:
        path = self.dir / "solution"
        return path if path.is_dir() else None

    @property
    def tiers(self) -> list[str]:
        return sorted(self.prompts, key=tier_sort_key)

    def prompt(self, tier: str) -> str:
        if tier not in self.prompts:
            raise CatalogError(f"scenario {self.key} has no prompt for tier {tier} (it has: {', '.join(self.tiers)})")
        return self.prompts[tier].read_text(encoding="utf-8")

    @cached_property
    def oracle_answers(self) -> dict[str, str]:
        path = self.dir / self.spec.oracle.answers_file
        if not path.is_file():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise CatalogError(f"invalid JSON: {exc}", path) from None
        if not isinstance(data, dict):
            raise CatalogError("expected an object mapping questions to answers", path)
        return {str(k): str(v) for k, v in data.items()}

    @cached_property
    def content_hash(self) -> str:
        """sha256 over the scenario folder and its prompts: changes whenever anything a run depends on changes."""
        digest = hashlib.sha256()
        roots = [("scenario", self.dir)] + [(f"prompt:{t}", p) for t, p in sorted(self.prompts.items())]
        for label, root in roots:
            files = [root] if root.is_file() else sorted(iter_files(root))
            for file in files:
                rel = file.name if root.is_file() else file.relative_to(root).as_posix()
                digest.update(f"{label}:{rel}\0".encode())
                digest.update(file.read_bytes() if not file.is_symlink() else os.readlink(file).encode())
                digest.update(b"\0")
        return digest.hexdigest()


def iter_files(root: Path) -> list[Path]:
    """Every file under root (symlinks included, not followed), skipping IGNORED_DIRS."""
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in IGNORED_DIRS]
        base = Path(dirpath)
        out.extend(base / name for name in filenames)
        # Symlinks to directories are listed by os.walk as dirnames; keep them as entries, do not descend.
        for d in list(dirnames):
            if (base / d).is_symlink():
                out.append(base / d)
                dirnames.remove(d)
    return out


def tier_sort_key(tier: str) -> tuple[int, int]:
    return (1, 0) if tier == "Lx" else (0, int(tier[1:]))


def tier_of(filename: str) -> str | None:
    match = TIER_FILE_RE.match(filename)
    return match.group(1) if match else None


class Catalog:
    """The suites under one directory. Loading is lazy and cached per scenario."""

    def __init__(self, suites_dir: Path | str = DEFAULT_SUITES_DIR):
        self.root = Path(suites_dir)
        self._cache: dict[tuple[str, str], Scenario] = {}

    def check_root(self) -> None:
        if not self.root.is_dir():
            raise CatalogError(
                "suites directory not found (set --suites-dir or ZEBENCH_SUITES_DIR, or run from the repository root)",
                self.root,
            )

    def suite_names(self) -> list[str]:
        self.check_root()
        return sorted(p.name for p in self.root.iterdir() if (p / "scenarios").is_dir())

    def scenario_names(self, suite: str) -> list[str]:
        base = self.root / suite / "scenarios"
        if not base.is_dir():
            raise CatalogError(f"unknown suite {suite!r} (known: {', '.join(self.suite_names()) or 'none'})")
        return sorted(p.name for p in base.iterdir() if (p / "scenario.yaml").is_file())

    def scenario(self, suite: str, name: str) -> Scenario:
        key = (suite, name)
        if key in self._cache:
            return self._cache[key]
        directory = self.root / suite / "scenarios" / name
        yaml_path = directory / "scenario.yaml"
        if not yaml_path.is_file():
            known = ", ".join(self.scenario_names(suite)) or "none"
            raise CatalogError(f"unknown scenario {suite}/{name} (scenarios of {suite}: {known})")
        spec = load_spec(yaml_path)
        warnings: list[str] = []
        if spec.id != name:
            warnings.append(f"id {spec.id!r} differs from the folder name {name!r}; the folder name is used")
        if spec.suite != suite:
            warnings.append(f"suite {spec.suite!r} differs from the folder name {suite!r}; the folder name is used")
        if spec.llm_judge.enabled and not spec.llm_judge.categories:
            warnings.append("llm_judge is enabled without categories: the judge is not applicable")
        if spec.warmup.enabled and spec.warmup.type == "agent":
            warnings.append("warmup type 'agent' is not supported; the warmup is skipped")
        prompts: dict[str, Path] = {}
        prompt_dir = self.root / suite / "prompts" / name
        if prompt_dir.is_dir():
            for file in sorted(prompt_dir.iterdir()):
                tier = tier_of(file.name)
                if tier is None or not file.is_file():
                    continue
                if tier in prompts:
                    warnings.append(f"tier {tier} has several prompt files; using {prompts[tier].name}")
                    continue
                prompts[tier] = file
        if not prompts:
            warnings.append(f"no prompt files in {prompt_dir}")
        scenario = Scenario(suite=suite, name=name, dir=directory, spec=spec, prompts=prompts, warnings=warnings)
        if spec.workspace.required and scenario.fixture_dir is None:
            raise CatalogError("workspace.required is true but there is no repo-fixture/ (or repo/) folder", yaml_path)
        self._cache[key] = scenario
        return scenario

    def all_scenarios(self) -> list[Scenario]:
        return [self.scenario(s, n) for s in self.suite_names() for n in self.scenario_names(s)]

    def select(self, selectors: list[str] | tuple[str, ...]) -> list[Scenario]:
        """``SUITE`` or ``SUITE/SCENARIO`` selectors (none = everything), de-duplicated, in catalog order."""
        if not selectors:
            return self.all_scenarios()
        chosen: dict[str, Scenario] = {}
        for selector in selectors:
            suite, _, name = selector.strip("/").partition("/")
            if suite not in self.suite_names():
                raise CatalogError(f"unknown suite {suite!r} in {selector!r} (known: {', '.join(self.suite_names())})")
            names = [name] if name else self.scenario_names(suite)
            for n in names:
                scenario = self.scenario(suite, n)
                chosen.setdefault(scenario.key, scenario)
        return list(chosen.values())


# --------------------------------------------------------------------------------------------------------------
# Scaffolding
# --------------------------------------------------------------------------------------------------------------

_SCENARIO_TEMPLATE = """\
# The reference solution lives in solution/: the files of the solved repository that differ from
# repo-fixture/, at the same relative paths; solution/.deleted lists paths to delete, one per line.
id: {name}
suite: {suite}
title: "{title}"
description: |
  Describe the task: what the starting repository is and what a successful change looks like.
timeout_minutes: 10
difficulty: medium
tags: []

workspace:
  required: true

validation:
  commands:
    test: "python -m unittest discover -s tests -t . -q"

oracle:
  answers_file: oracle-answers.json

heuristic_checks:
  enabled: false
  commands: []
  files: []
  patterns: []

llm_judge:
  enabled: false
  categories: []
"""

_PROMPT_STUBS = {
    "L0-minimal.md": "# {title}\n\nA one-line request with almost no context.\n",
    "L1-basic.md": "# {title}\n\nThe typical request a developer would write.\n",
    "L2-directed.md": "# {title}\n\nStep-by-step instructions with explicit constraints.\n",
}


def require_kebab(name: str, what: str) -> None:
    if not KEBAB_RE.match(name):
        raise CatalogError(f"{what} name {name!r} must be kebab-case (lowercase letters, digits and single hyphens)")


def new_suite(root: Path, name: str) -> Path:
    require_kebab(name, "suite")
    path = root / name
    if path.exists():
        raise CatalogError("already exists", path)
    (path / "scenarios").mkdir(parents=True)
    (path / "prompts").mkdir()
    return path


def new_scenario(root: Path, suite: str, name: str) -> Path:
    require_kebab(suite, "suite")
    require_kebab(name, "scenario")
    if not (root / suite / "scenarios").is_dir():
        raise CatalogError(f"unknown suite {suite!r}; create it first with `zebench new-suite {suite}`", root / suite)
    path = root / suite / "scenarios" / name
    if path.exists():
        raise CatalogError("already exists", path)
    title = name.replace("-", " ").capitalize()
    (path / "repo-fixture").mkdir(parents=True)
    (path / "solution").mkdir()
    (path / "scenario.yaml").write_text(_SCENARIO_TEMPLATE.format(name=name, suite=suite, title=title))
    (path / "oracle-answers.json").write_text("{}\n")
    (path / "repo-fixture" / "README.md").write_text(f"# {title}\n\nThe starting repository of the scenario.\n")
    prompts = root / suite / "prompts" / name
    prompts.mkdir(parents=True, exist_ok=True)
    for filename, text in _PROMPT_STUBS.items():
        (prompts / filename).write_text(text.format(title=title))
    return path
