"""Dependency evaluators: version targets, constraints (blocklist, namespace migrations, companions), lockfiles."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from ..catalog import iter_files
from ..run.manifests import Declared, canonical, declared_version, find_manifests, satisfies
from ..run.workspace import declared_in
from . import EvaluationContext, Evaluator, Verdict

#: Lockfile names per package manager. pip has none of its own; it only forbids the others'.
LOCKFILES: dict[str, tuple[str, ...]] = {
    "npm": ("package-lock.json", "npm-shrinkwrap.json"),
    "pnpm": ("pnpm-lock.yaml",),
    "yarn": ("yarn.lock",),
    "bun": ("bun.lockb", "bun.lock"),
    "pip": (),
    "uv": ("uv.lock",),
    "poetry": ("poetry.lock",),
    "pdm": ("pdm.lock",),
    "pipenv": ("Pipfile.lock",),
}


def workspace_declarations(root: Path) -> list[Declared]:
    return declared_in(root, find_manifests(root))


def _by_name(decls: list[Declared], name: str) -> list[Declared]:
    return [d for d in decls if d.key == canonical(name, d.ecosystem)]


def _describe(d: Declared) -> dict[str, Any]:
    return {"manifest": d.manifest, "section": d.section, "spec": d.spec}


class DependencyTargetsEvaluator(Evaluator):
    name = "dependency_targets"
    kind = "task"
    default_weight = 2.0
    description = "Share of required targets whose declared version (pin or lower bound) satisfies the range."

    async def evaluate(self, ctx: EvaluationContext) -> Verdict:
        targets = ctx.scenario.spec.targets
        if not targets.required and not targets.optional:
            return Verdict.not_applicable("the scenario has no dependency targets")
        decls = await asyncio.to_thread(workspace_declarations, ctx.workspace)

        def check(name: str, rng: str) -> dict[str, Any]:
            found = _by_name(decls, name)
            out: dict[str, Any] = {"name": name, "to": rng, "declared": [_describe(d) for d in found]}
            if not found:
                return out | {"satisfied": False, "message": "not declared in any manifest"}
            bad: list[str] = []
            for d in found:
                version = declared_version(d.spec, d.ecosystem)
                try:
                    ok = version is not None and satisfies(version, rng, d.ecosystem)
                except InvalidSpecifier:
                    return out | {"satisfied": False, "message": f"invalid target range {rng!r}"}
                if not ok:
                    bad.append(f"{d.manifest} declares {d.spec or '(any version)'}")
            return out | {"satisfied": not bad, "message": "; ".join(bad) or "satisfied"}

        required = [check(t.name, t.to) for t in targets.required]
        optional = [check(t.name, t.to) for t in targets.optional]
        details = {"required": required, "optional": optional}
        if not required:
            return Verdict.not_applicable("only optional targets", **details)
        return Verdict(score=sum(r["satisfied"] for r in required) / len(required), details=details)


#: The original project's wordings of the companion rules (its scenario files write "major must match").
RULE_WORDINGS = {
    "major must match": "same-major",
    "minor must match": "same-minor",
    "version must match": "same-version",
}


def _companion_ok(main: Version, companion: Version, rule: str, ecosystem: str) -> bool:
    rule = RULE_WORDINGS.get(" ".join(rule.lower().split()), rule)
    if rule == "same-major":
        return companion.major == main.major
    if rule == "same-minor":
        return (companion.major, companion.minor) == (main.major, main.minor)
    if rule == "same-version":
        return companion == main
    return satisfies(companion, rule, ecosystem)


class DependencyConstraintsEvaluator(Evaluator):
    name = "dependency_constraints"
    kind = "task"
    default_weight = 1.0
    description = "Share of blocklist, namespace-migration and companion-version rules the manifests satisfy."

    async def evaluate(self, ctx: EvaluationContext) -> Verdict:
        spec = ctx.scenario.spec.constraints
        if not (spec.blocklist or spec.namespace_migrations or spec.companion_versions):
            return Verdict.not_applicable("the scenario has no dependency constraints")
        decls = await asyncio.to_thread(workspace_declarations, ctx.workspace)
        fixture_decls = await asyncio.to_thread(workspace_declarations, ctx.fixture) if ctx.fixture else []
        rules: list[dict[str, Any]] = []

        for entry in spec.blocklist:
            violations = []
            for d in _by_name(decls, entry.name):
                if entry.versions is None:
                    violations.append(f"{d.manifest} declares {entry.name}")
                    continue
                version = declared_version(d.spec, d.ecosystem)
                try:
                    blocked = SpecifierSet(entry.versions) if d.ecosystem == "python" else None
                    hit = version is None or (
                        blocked.contains(version, prereleases=True)
                        if blocked is not None
                        else satisfies(version, entry.versions, d.ecosystem)
                    )
                except InvalidSpecifier:
                    hit = True
                if hit:
                    violations.append(f"{d.manifest} declares {entry.name} {d.spec or '(any version)'}")
            rules.append(
                {
                    "rule": "blocklist",
                    "name": entry.name,
                    "versions": entry.versions,
                    "reason": entry.reason,
                    "passed": not violations,
                    "message": "; ".join(violations) or "ok",
                }
            )

        for migration in spec.namespace_migrations:
            old_left = _by_name(decls, migration.from_)
            had_old = bool(_by_name(fixture_decls, migration.from_))
            has_new = bool(_by_name(decls, migration.to))
            passed = not old_left and (has_new or not had_old)
            message = (
                f"{migration.from_} still declared"
                if old_left
                else f"{migration.to} not declared"
                if not passed
                else "ok"
            )
            rules.append(
                {
                    "rule": "namespace_migration",
                    "from": migration.from_,
                    "to": migration.to,
                    "passed": passed,
                    "message": message,
                }
            )

        for group in spec.companion_versions:
            mains = _by_name(decls, group.main)
            main_version = declared_version(mains[0].spec, mains[0].ecosystem) if mains else None
            for comp in group.companions:
                for d in _by_name(decls, comp.name):
                    version = declared_version(d.spec, d.ecosystem)
                    if main_version is None or version is None:
                        passed, message = False, f"cannot tell the versions of {group.main} and {comp.name}"
                    else:
                        try:
                            passed = _companion_ok(main_version, version, comp.rule, d.ecosystem)
                            message = f"{comp.name} {version} vs {group.main} {main_version} ({comp.rule})"
                        except InvalidSpecifier:
                            passed, message = False, f"invalid rule {comp.rule!r}"
                    rules.append(
                        {
                            "rule": "companion",
                            "main": group.main,
                            "name": comp.name,
                            "ruleText": comp.rule,
                            "passed": passed,
                            "message": message,
                        }
                    )
                if not _by_name(decls, comp.name):
                    rules.append(
                        {
                            "rule": "companion",
                            "main": group.main,
                            "name": comp.name,
                            "ruleText": comp.rule,
                            "passed": True,
                            "message": f"{comp.name} not declared",
                        }
                    )
        return Verdict(score=sum(r["passed"] for r in rules) / len(rules), details={"rules": rules})


class PackageManagerEvaluator(Evaluator):
    name = "package_manager"
    kind = "hygiene"
    default_weight = 1.0
    description = "No lockfile of a package manager that is not allowed; the allowed manager's lockfile kept."

    async def evaluate(self, ctx: EvaluationContext) -> Verdict:
        spec = ctx.scenario.spec
        allowed = (
            spec.constraints.managers_allowed
            or spec.workspace.managers_allowed
            or ([spec.workspace.manager] if spec.workspace.manager else [])
        )
        if not allowed:
            return Verdict.not_applicable("the scenario names no package manager")
        unknown = [m for m in allowed if m not in LOCKFILES]
        allowed_locks = {name for m in allowed for name in LOCKFILES.get(m, ())}
        foreign = {name: m for m, names in LOCKFILES.items() if m not in allowed for name in names}

        def scan(root: Path | None) -> set[str]:
            if root is None:
                return set()
            return {
                p.relative_to(root).as_posix() for p in iter_files(root) if p.name in foreign or p.name in allowed_locks
            }

        now, before = await asyncio.to_thread(scan, ctx.workspace), await asyncio.to_thread(scan, ctx.fixture)
        findings = [
            f"{path} belongs to {foreign[Path(path).name]}, not allowed"
            for path in sorted(now)
            if Path(path).name in foreign
        ]
        findings += [
            f"{path} of the allowed manager was deleted"
            for path in sorted(before - now)
            if Path(path).name in allowed_locks
        ]
        details = {"allowed": allowed, "lockfiles": sorted(now), "findings": findings}
        if unknown:
            details["unknownManagers"] = unknown
        return Verdict(score=0.0 if findings else 1.0, details=details)
