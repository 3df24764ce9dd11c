"""Find suites, scenarios and tiers on disk; load and validate scenario.yaml.

Layout (the original project's):
``<suites-dir>/<suite>/scenarios/<scenario>/{scenario.yaml, repo-fixture/ | repo/, oracle-answers.json, solution/}``
and ``<suites-dir>/<suite>/prompts/<scenario>/<Tier>-<name>.md``.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from . import plugins
from .models import (
    KEBAB_RE,
    ORIGINAL_EVALUATOR_NAMES,
    ORIGINAL_METRICS,
    TIER_FILE_RE,
    ScenarioSpec,
    SuitePolicy,
    TierPolicy,
)

#: Suites bundled with zebench (inside the package, so `pip install` carries them).
BUNDLED_SUITES_DIR = Path(__file__).resolve().parent / "suites"
#: Where suites are looked for in the current directory, in order: zebench's layout, then the original's.
LOCAL_SUITES_DIRS = (Path("data/suites"), Path("suites"))


def default_suites_dir() -> Path:
    """``./data/suites`` or ``./suites`` when the current directory has one, else the bundled suites."""
    for candidate in LOCAL_SUITES_DIRS:
        if candidate.is_dir() and any((p / "scenarios").is_dir() for p in candidate.iterdir()):
            return candidate
    return BUNDLED_SUITES_DIR


def scaffold_dir() -> Path:
    """Where new suites go by default: the current directory's suites folder (never the bundled one)."""
    return next((c for c in LOCAL_SUITES_DIRS if c.is_dir()), LOCAL_SUITES_DIRS[0])


#: Directories never copied into a workspace, never hashed, never diffed.
IGNORED_DIRS = frozenset(
    {".git", "node_modules", "__pycache__", ".venv", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
)
DEFAULT_ANSWER = "Proceed with your best judgment based on the constraints provided."
#: In solution/: paths the reference solution deletes, one per line.
DELETED_LIST = ".deleted"


class CatalogError(Exception):
    """A suite or scenario cannot be used. ``str()`` names the file and, when known, the key path."""

    def __init__(self, message: str, path: Path | None = None, problems: list[str] | None = None):
        self.path = path
        self.problems = problems or []
        text = f"{path}: {message}" if path else message
        if self.problems:
            text += "".join(f"\n  - {p}" for p in self.problems)
        super().__init__(text)


def special_file_kind(mode: int) -> str | None:
    """What a file that is not content is (a FIFO, a socket, a device), or None for a regular file, a folder or a
    symlink. Reading a FIFO blocks until something writes to it: zebench never opens one."""
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return None


def special_file_error(path: Path, kind: str) -> CatalogError:
    return CatalogError(
        f"{kind}: a scenario may hold only regular files, folders and symlinks (remove it; zebench never reads one)",
        path,
    )


def check_regular_files(root: Path) -> None:
    """CatalogError naming the first FIFO, socket or device under root (IGNORED_DIRS skipped, symlinks not
    followed): what `zebench list` reports and what every reader of scenario files (the content hash, the
    workspace copy, `zebench check`, the archives sent to remote workers) refuses before opening anything."""
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            raise CatalogError(f"cannot read: {exc.strerror}", folder) from None
        for entry in entries:
            if entry.is_symlink():
                continue
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in IGNORED_DIRS:
                    stack.append(Path(entry.path))
            elif not entry.is_file(follow_symlinks=False):
                kind = special_file_kind(entry.stat(follow_symlinks=False).st_mode) or "not a regular file"
                raise special_file_error(Path(entry.path), kind)


def read_regular(path: Path) -> bytes:
    """A regular file's bytes, never blocking: opened without following a symlink and without waiting for a
    writer, checked with fstat (a FIFO put in place after the listing is refused, not read)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise special_file_error(path, special_file_kind(mode) or "not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    finally:
        os.close(fd)


def _key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogError(f"cannot read: {exc.strerror}", path) from None
    except UnicodeDecodeError:
        raise CatalogError("not UTF-8 text", path) from None
    except yaml.YAMLError as exc:
        raise CatalogError(f"invalid YAML: {exc}", path) from None
    except RecursionError:  # PyYAML composes nested collections recursively
        raise CatalogError("invalid YAML: nested too deeply", path) from None


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models a field annotation holds directly (``Model``, ``Model | None``, ``list[Model]``...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def _is_mapping_of_models(annotation: Any) -> bool:
    return get_origin(annotation) is dict or any(
        _is_mapping_of_models(a) for a in get_args(annotation) if get_origin(a) is dict
    )


def unknown_keys(model: type[BaseModel], data: Any, loc: tuple[Any, ...] = ()) -> list[tuple[str, str | None]]:
    """Keys of ``data`` that ``model`` (recursively) does not declare: (key path, nearest known key or None).

    Models that accept extra keys on purpose (the artifact block) are not searched."""
    if not isinstance(data, dict) or model.model_config.get("extra") == "allow":
        return []
    fields = model.model_fields
    known: dict[str, str] = {}
    for name, info in fields.items():
        known[name] = name
        if info.alias:
            known[info.alias] = name
    found: list[tuple[str, str | None]] = []
    for key, value in data.items():
        if not isinstance(key, str) or key not in known:
            close = difflib.get_close_matches(str(key), list(known), n=1, cutoff=0.6)
            found.append((_key_path((*loc, key)), close[0] if close else None))
            continue
        annotation = fields[known[key]].annotation
        for sub in _models_in(annotation):
            if _is_mapping_of_models(annotation) and isinstance(value, dict):
                for k, v in value.items():
                    found += unknown_keys(sub, v, (*loc, key, k))
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    found += unknown_keys(sub, item, (*loc, key, i))
            else:
                found += unknown_keys(sub, value, (*loc, key))
    return found


def unknown_key_warnings(model: type[BaseModel], data: Any) -> list[str]:
    return [
        f"unknown key {path}" + (f" (did you mean {near}?)" if near else "") + "; ignored"
        for path, near in unknown_keys(model, data)
    ]


def load_spec_with_warnings(path: Path) -> tuple[ScenarioSpec, list[str]]:
    """Parse one scenario.yaml: the spec and its warnings (unknown keys); CatalogError with one line per bad key."""
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise CatalogError("expected a mapping of keys at the top level", path)
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        problems = [f"{_key_path(e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise CatalogError("invalid scenario file", path, problems) from None
    return spec, unknown_key_warnings(ScenarioSpec, data)


def load_spec(path: Path) -> ScenarioSpec:
    """Parse one scenario.yaml, raising CatalogError with one line per bad key (unknown keys are not errors)."""
    return load_spec_with_warnings(path)[0]


def load_policy(path: Path) -> tuple[SuitePolicy, list[str]]:
    """Parse a suite's ``prompts/policy.yaml``: the policy and its warnings."""
    data = _read_yaml(path)
    if data is None:
        return SuitePolicy(), []
    if not isinstance(data, dict):
        raise CatalogError("expected a mapping of keys at the top level", path)
    try:
        policy = SuitePolicy.model_validate(data)
    except ValidationError as exc:
        problems = [f"{_key_path(e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise CatalogError("invalid policy file", path, problems) from None
    return policy, unknown_key_warnings(SuitePolicy, data)


@dataclass
class Scenario:
    suite: str
    name: str
    dir: Path
    spec: ScenarioSpec
    prompts: dict[str, Path]
    warnings: list[str] = field(default_factory=list)
    #: The suite's prompts/policy.yaml (empty when the suite has none).
    policy: SuitePolicy = field(default_factory=SuitePolicy)

    @property
    def key(self) -> str:
        return f"{self.suite}/{self.name}"

    @property
    def fixture_dir(self) -> Path | None:
        """The starting repository; None for scenarios without a workspace (they run in an empty one)."""
        if not self.spec.needs_workspace:
            return None
        for candidate in ("repo-fixture", "repo"):
            if (self.dir / candidate).is_dir():
                return self.dir / candidate
        return None

    @property
    def solution_dir(self) -> Path | None:
        path = self.dir / "solution"
        return path if path.is_dir() else None

    def solution_changes(self) -> tuple[list[str], list[str]]:
        """The reference solution: the files it writes (relative paths, sorted) and the paths its
        ``solution/.deleted`` lists (blank lines and ``#`` comments skipped); both empty without a solution."""
        solution = self.solution_dir
        if solution is None:
            return [], []
        written = sorted(f.relative_to(solution).as_posix() for f in iter_files(solution))
        written = [rel for rel in written if rel != DELETED_LIST]
        deleted_list = solution / DELETED_LIST
        deleted = []
        if deleted_list.is_file():
            lines = deleted_list.read_text(encoding="utf-8").splitlines()
            deleted = [rel for line in lines if (rel := line.strip()) and not rel.startswith("#")]
        return written, deleted

    @property
    def has_solution(self) -> bool:
        """A solution/ folder that changes something (an empty one is a scaffold left unfinished)."""
        return any(self.solution_changes())

    @property
    def tiers(self) -> list[str]:
        return sorted(self.prompts, key=tier_sort_key)

    def listing(self) -> dict[str, Any]:
        """What `zebench list --json` shows of the scenario (camelCase keys)."""
        return {
            "suite": self.suite,
            "scenario": self.name,
            "id": self.spec.id,
            "title": self.spec.title,
            "tiers": self.tiers,
            "tierDescriptions": {t: p.description for t in self.tiers if (p := self.tier_policy(t)) and p.description},
            "difficulty": self.spec.difficulty,
            "tags": self.spec.tags,
            "estimatedTime": self.spec.estimated_time,
            "workspace": self.spec.needs_workspace,
            "artifact": self.spec.artifact.fields() if self.spec.artifact else None,
            "baselineCommands": [c.cmd for c in self.spec.baseline.run],
            "hasSolution": self.has_solution,
            "warnings": self.warnings,
        }

    def prompt(self, tier: str) -> str:
        """The tier's prompt as the agent gets it: the prompt file, plus the artifact's fields for artifact
        scenarios (the original appends an "Artifact Information" section)."""
        if tier not in self.prompts:
            raise CatalogError(f"scenario {self.key} has no prompt for tier {tier} (it has: {', '.join(self.tiers)})")
        text = self.prompts[tier].read_text(encoding="utf-8")
        if self.spec.artifact is not None:
            text = text.rstrip("\n") + "\n\n" + artifact_section(self.spec.artifact.fields())
        return text

    def tier_policy(self, tier: str) -> TierPolicy | None:
        return self.policy.tiers.get(tier)

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
                digest.update(read_regular(file) if not file.is_symlink() else os.readlink(file).encode())
                digest.update(b"\0")
        return digest.hexdigest()


_ACRONYMS = {"id": "ID", "url": "URL", "api": "API", "uri": "URI"}


def artifact_section(fields: dict[str, Any]) -> str:
    """Markdown listing an artifact's fields, e.g. ``**Figma File ID**: 6vcQ...``."""
    lines = ["## Artifact Information", ""]
    for key, value in fields.items():
        label = " ".join(_ACRONYMS.get(w.lower(), w.capitalize()) for w in str(key).split("_"))
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        lines.append(f"**{label}**: {text}")
    return "\n".join(lines) + "\n"


def _rubric_warnings(spec: ScenarioSpec) -> list[str]:
    known = set(plugins.names(plugins.EVALUATORS))
    unknown, unjudged, unscored = [], [], []
    for name in spec.rubric_overrides.weights:
        if name in known or ORIGINAL_EVALUATOR_NAMES.get(name) in known:
            continue
        metric = ORIGINAL_METRICS.get(name)
        if metric is None:
            close = difflib.get_close_matches(
                name, sorted(known | set(ORIGINAL_EVALUATOR_NAMES) | set(ORIGINAL_METRICS)), n=1, cutoff=0.8
            )
            unknown.append(name + (f" (did you mean {close[0]}?)" if close else ""))
        elif metric.evaluator is None:
            unscored.append(name)
        elif metric.evaluator == "llm_judge" and metric.judged_by(spec.llm_judge.categories) is None:
            unjudged.append(name)
    warnings = []
    if unknown:
        warnings.append(
            f"rubric_overrides.weights: no evaluator named {', '.join(unknown)}; "
            f"{'this weight is' if len(unknown) == 1 else 'these weights are'} ignored"
        )
    if unjudged:
        warnings.append(
            f"rubric_overrides.weights: {', '.join(unjudged)} would count for llm_judge, but no judge category is "
            f"named for {'it' if len(unjudged) == 1 else 'them'} (docs/scoring.md); ignored"
        )
    if unscored:
        warnings.append(
            f"rubric_overrides.weights: {', '.join(unscored)} is not scored (zebench reports cost, tokens and time "
            "beside the score; docs/scoring.md); ignored"
        )
    return warnings


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

    def __init__(self, suites_dir: Path | str | None = None, *, strict: bool = False):
        self.root = Path(suites_dir) if suites_dir is not None else default_suites_dir()
        #: Warnings (unknown keys...) are errors: for suite authors (``zebench list --strict``).
        self.strict = strict
        self._cache: dict[tuple[str, str], Scenario] = {}
        self._policies: dict[str, tuple[SuitePolicy, list[str]]] = {}

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

    def policy(self, suite: str) -> tuple[SuitePolicy, list[str]]:
        """The suite's prompts/policy.yaml and its warnings (an empty policy when there is none)."""
        if suite not in self._policies:
            path = self.root / suite / "prompts" / "policy.yaml"
            self._policies[suite] = load_policy(path) if path.is_file() else (SuitePolicy(), [])
        return self._policies[suite]

    def scenario(self, suite: str, name: str) -> Scenario:
        key = (suite, name)
        if key in self._cache:
            return self._cache[key]
        directory = self.root / suite / "scenarios" / name
        yaml_path = directory / "scenario.yaml"
        if not yaml_path.is_file():
            known = ", ".join(self.scenario_names(suite)) or "none"
            raise CatalogError(f"unknown scenario {suite}/{name} (scenarios of {suite}: {known})")
        spec, warnings = load_spec_with_warnings(yaml_path)
        policy, policy_warnings = self.policy(suite)
        warnings += [f"prompts/policy.yaml: {w}" for w in policy_warnings]
        # The original addresses scenarios by folder; its real files often use another id (ZE_nextjs_...), which
        # is kept as ${scenario.id} and in the run metadata. Only a different suite name is worth a warning.
        if spec.suite != suite:
            warnings.append(f"suite {spec.suite!r} differs from the folder name {suite!r}; the folder name is used")
        if spec.llm_judge.enabled and not spec.llm_judge.categories:
            warnings.append("llm_judge is enabled without categories: the judge is not applicable")
        if spec.warmup.enabled and spec.warmup.type == "agent":
            warnings.append("warmup type 'agent' is not supported; the warmup is skipped")
        warnings += _rubric_warnings(spec)
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
        solution = directory / "solution"
        if solution.is_dir() and not any(iter_files(solution)):
            warnings.append(
                "solution/ is empty: the oracle would change nothing (add the solved files, or remove the folder)"
            )
        scenario = Scenario(
            suite=suite, name=name, dir=directory, spec=spec, prompts=prompts, warnings=warnings, policy=policy
        )
        if spec.needs_workspace and scenario.fixture_dir is None:
            raise CatalogError("workspace.required is true but there is no repo-fixture/ (or repo/) folder", yaml_path)
        check_regular_files(directory)  # a FIFO would hang the content hash, the workspace copy...
        if self.strict and warnings:
            raise CatalogError("warnings are errors (--strict)", yaml_path, warnings)
        self._cache[key] = scenario
        return scenario

    def all_scenarios(self) -> list[Scenario]:
        return [self.scenario(s, n) for s in self.suite_names() for n in self.scenario_names(s)]

    def load_all(self) -> tuple[list[Scenario], list[CatalogError]]:
        """Every scenario that loads, and the error of every one that does not (all of them, not the first)."""
        scenarios: list[Scenario] = []
        errors: list[CatalogError] = []
        for suite in self.suite_names():
            for name in self.scenario_names(suite):
                try:
                    scenarios.append(self.scenario(suite, name))
                except CatalogError as exc:
                    errors.append(exc)
        return scenarios, errors

    def select_keys(self, selectors: list[str] | tuple[str, ...]) -> list[tuple[str, str]]:
        """(suite, scenario) of ``SUITE`` or ``SUITE/SCENARIO`` selectors (none = everything), de-duplicated,
        without loading them; CatalogError naming an unknown suite or scenario."""
        if not selectors:
            return [(s, n) for s in self.suite_names() for n in self.scenario_names(s)]
        chosen: dict[tuple[str, str], None] = {}
        for selector in selectors:
            suite, _, name = selector.strip("/").partition("/")
            if suite not in self.suite_names():
                raise CatalogError(f"unknown suite {suite!r} in {selector!r} (known: {', '.join(self.suite_names())})")
            known = self.scenario_names(suite)
            if name and name not in known:
                raise CatalogError(
                    f"unknown scenario {suite}/{name} (scenarios of {suite}: {', '.join(known) or 'none'})"
                )
            for n in [name] if name else known:
                chosen.setdefault((suite, n), None)
        return list(chosen)

    def select(self, selectors: list[str] | tuple[str, ...]) -> list[Scenario]:
        """``SUITE`` or ``SUITE/SCENARIO`` selectors (none = everything), de-duplicated, in catalog order."""
        return [self.scenario(s, n) for s, n in self.select_keys(selectors)]


# --------------------------------------------------------------------------------------------------------------
# Scaffolding
# --------------------------------------------------------------------------------------------------------------

#: The scaffold ``zebench new-scenario`` copies: a working example (a tiny Python fixture with a failing test, the
#: solution that fixes it, a hidden check script, prompts L0-L2) that passes ``zebench check`` as created, its
#: scenario.yaml commented with what to replace. ``__SUITE__``, ``__SCENARIO__`` and ``__TITLE__`` are filled in.
SCAFFOLD_DIR = Path(__file__).resolve().parent / "scaffold"


def _fill(text: str, **values: str) -> str:
    for key, value in values.items():
        text = text.replace(f"__{key.upper()}__", value)
    return text


def _copy_template(source: Path, target: Path, values: dict[str, str]) -> None:
    for file in sorted(iter_files(source)):
        dest = target / file.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(_fill(file.read_text(encoding="utf-8"), **values), encoding="utf-8")


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


def new_scenario(root: Path, suite: str, name: str, *, mcp: bool = False) -> Path:
    """Scaffold a scenario; ``mcp``: the example whose agent must use an MCP server (a specialist template and a
    small stdio server in the scenario folder)."""
    require_kebab(suite, "suite")
    require_kebab(name, "scenario")
    if not (root / suite / "scenarios").is_dir():
        raise CatalogError(f"unknown suite {suite!r}; create it first with `zebench new-suite {suite}`", root / suite)
    path = root / suite / "scenarios" / name
    if path.exists():
        raise CatalogError("already exists", path)
    prompts = root / suite / "prompts" / name
    taken = [p.name for p in prompts.iterdir() if tier_of(p.name)] if prompts.is_dir() else []
    if taken:
        raise CatalogError(
            f"already holds prompt files ({', '.join(sorted(taken))}); remove them or choose another scenario name",
            prompts,
        )
    values = {"suite": suite, "scenario": name, "title": name.replace("-", " ").capitalize()}
    _copy_template(SCAFFOLD_DIR / ("mcp-scenario" if mcp else "scenario"), path, values)
    _copy_template(SCAFFOLD_DIR / ("mcp-prompts" if mcp else "prompts"), prompts, values)
    return path
