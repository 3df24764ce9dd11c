"""Dependency manifests: package.json, pyproject.toml ([project] and Poetry), requirements*.txt.

One reader for the diff's dependency delta and for the dependency evaluators, so they agree on what a
workspace declares.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from ..catalog import iter_files

NODE_SECTIONS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")
REQUIREMENTS_RE = re.compile(r"^requirements([-_.][\w.-]*)?\.(txt|in)$")


@dataclass(frozen=True)
class Declared:
    """One declared dependency: where, which section, and the version text as written."""

    manifest: str
    section: str
    name: str
    spec: str
    ecosystem: str  # "python" or "node"

    @property
    def key(self) -> str:
        return canonical(self.name, self.ecosystem)


def canonical(name: str, ecosystem: str) -> str:
    return canonicalize_name(name) if ecosystem == "python" else name.lower()


def is_manifest(rel_path: str) -> bool:
    name = rel_path.rsplit("/", 1)[-1]
    return name in ("package.json", "pyproject.toml") or bool(REQUIREMENTS_RE.match(name))


def _python_requirement(manifest: str, section: str, line: str) -> Declared | None:
    try:
        req = Requirement(line)
    except InvalidRequirement:
        return None
    return Declared(manifest, section, req.name, str(req.specifier), "python")


def parse_manifest(rel_path: str, text: str) -> list[Declared]:
    """Dependencies declared by one manifest; an unparsable manifest declares nothing (the install check fails)."""
    name = rel_path.rsplit("/", 1)[-1]
    out: list[Declared] = []
    if name == "package.json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return []
        for section in NODE_SECTIONS:
            deps = data.get(section) if isinstance(data, dict) else None
            if isinstance(deps, dict):
                out.extend(Declared(rel_path, section, n, str(v), "node") for n, v in deps.items())
    elif name == "pyproject.toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return []
        project = data.get("project", {})
        for line in project.get("dependencies", []) or []:
            if isinstance(line, str) and (d := _python_requirement(rel_path, "dependencies", line)):
                out.append(d)
        for extra, lines in (project.get("optional-dependencies", {}) or {}).items():
            for line in lines or []:
                if isinstance(line, str) and (
                    d := _python_requirement(rel_path, f"optional-dependencies.{extra}", line)
                ):
                    out.append(d)
        for group, lines in (data.get("dependency-groups", {}) or {}).items():
            for line in lines or []:
                if isinstance(line, str) and (d := _python_requirement(rel_path, f"dependency-groups.{group}", line)):
                    out.append(d)
        poetry = data.get("tool", {}).get("poetry", {})
        for dep, value in (poetry.get("dependencies", {}) or {}).items():
            if dep.lower() == "python":
                continue
            version = value.get("version", "") if isinstance(value, dict) else str(value)
            out.append(Declared(rel_path, "tool.poetry.dependencies", dep, version, "python"))
    elif REQUIREMENTS_RE.match(name):
        for raw in text.splitlines():
            line = raw.split(" #", 1)[0].strip()
            if not line or line.startswith(("#", "-")):
                continue
            if d := _python_requirement(rel_path, "requirements", line):
                out.append(d)
    return out


def find_manifests(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in iter_files(root) if is_manifest(p.name) and p.is_file())


# --------------------------------------------------------------------------------------------------------------
# Versions: what version does a declaration stand for, and does it satisfy a range?
# --------------------------------------------------------------------------------------------------------------

_NODE_VERSION_RE = re.compile(r"(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?")


def declared_version(spec: str, ecosystem: str) -> Version | None:
    """The version a declaration stands for: the pin (==, npm exact) or the lower bound (>=, ~=, ^, ~)."""
    spec = spec.strip()
    if ecosystem == "python":
        try:
            specifiers = SpecifierSet(spec)
        except InvalidSpecifier:
            return None
        for s in specifiers:
            if s.operator in ("==", "===", ">=", "~=") and "*" not in s.version:
                try:
                    return Version(s.version)
                except InvalidVersion:
                    return None
        return None
    match = _NODE_VERSION_RE.search(spec.split("||")[0])
    if not match:
        return None
    parts = [p if p and p.isdigit() else "0" for p in match.groups()]
    return Version(".".join(parts))


def node_range_to_specifier(rng: str) -> SpecifierSet:
    """Translate the common npm ranges (^, ~, >=, <, exact, x) into a PEP 440 specifier set."""
    clauses: list[str] = []
    for token in rng.replace(", ", " ").split():
        op_match = re.match(r"^(\^|~|>=|<=|>|<|=)?v?(.+)$", token)
        if not op_match:
            raise InvalidSpecifier(rng)
        op, ver = op_match.groups()
        nums = [n for n in re.split(r"[.]", ver) if n not in ("x", "*", "")]
        if not nums or not all(n.isdigit() for n in nums):
            raise InvalidSpecifier(rng)
        major = int(nums[0])
        full = ".".join((nums + ["0", "0"])[:3])
        if op == "^":
            upper = f"{major + 1}.0.0" if major > 0 else f"0.{int((nums + ['0'])[1]) + 1}.0"
            clauses += [f">={full}", f"<{upper}"]
        elif op == "~" or (op in (None, "=") and len(nums) < 3):
            if len(nums) == 1:
                clauses += [f">={full}", f"<{major + 1}.0.0"]
            else:
                clauses += [f">={full}", f"<{major}.{int(nums[1]) + 1}.0"]
        elif op in (None, "="):
            clauses.append(f"=={full}")
        else:
            clauses.append(f"{op}{full}")
    return SpecifierSet(",".join(clauses))


def range_specifier(rng: str, ecosystem: str) -> SpecifierSet:
    return SpecifierSet(rng) if ecosystem == "python" else node_range_to_specifier(rng)


def satisfies(version: Version, rng: str, ecosystem: str) -> bool:
    return range_specifier(rng, ecosystem).contains(version, prereleases=True)
