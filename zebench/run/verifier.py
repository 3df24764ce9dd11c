"""The verified copy: what scores a run, built from the fixture and the agent's changes, never the agent's live
workspace (docs/integrity.md).

After the agent stops, every regular file and symlink of its workspace is compared with the fixture (hidden files,
``__pycache__``, anything the displayed diff leaves out), and the changes are applied to a clean copy of the
fixture, except:

* folders that installs and tools make (``node_modules``, ``.venv``, ``.git``, caches) and compiled bytecode
  (``*.pyc``), which are never carried over: validation installs dependencies again from the manifests, and a
  planted ``.pyc`` is a flag on the run;
* protected paths (zebench.run.protection): the fixture's version stays, and the change is a blocking finding;
  protected entries of package.json files (the scripts validation runs) and test-runner tables of TOML/INI files
  are put back the same way, and so are dependencies the agent pointed at a local folder (``file:``, ``link:``);
* symlinks that lead out of the workspace (dropped, a flag).

Nothing else of the agent's run reaches the copy: validation and the evaluators run there in a fresh sandbox
(a new HOME and /tmp, no process of the agent's). A workspace too large to compare (``MAX_ENTRIES``,
``MAX_BYTES``, ``MAX_FILE_BYTES``, the run's deadline) is not compared partly: the run is flagged unverifiable
(a blocking finding) and the copy is the untouched fixture.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..catalog import Scenario
from .channel import JS_TEST_FILE_RE, count_js_tests
from .protection import (
    CHECK_SCRIPT,
    PACKAGE_MANAGER,
    SCENARIO,
    SHADOWING,
    STARTUP_HOOK,
    TEST_CONFIG,
    TEST_FILE,
    KeyRule,
    Protection,
)
from .workspace import (
    Tree,
    TreeTooLarge,
    copy_regular,
    copy_tree,
    list_tree,
    make_symlink,
    read_regular,
    remove_path,
    same_content,
    write_bytes,
)

#: Folders never carried over: what installs and tools make (validation makes them again).
DROPPED_DIRS = frozenset(
    {".git", "node_modules", ".venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".next", ".turbo"}
)
BYTECODE_SUFFIXES = (".pyc", ".pyo")
#: Entries of a workspace the verifier compares at most (a workspace past any limit is unverifiable).
MAX_ENTRIES = 50_000
#: Bytes of the workspace's regular files at most, and of one file.
MAX_BYTES = 1024 * 1024 * 1024
MAX_FILE_BYTES = 256 * 1024 * 1024
#: Largest structured file (package.json, pyproject.toml) whose protected entries are put back.
MAX_STRUCTURED_BYTES = 4 * 1024 * 1024
#: package.json sections whose entries name where a dependency comes from.
DEPENDENCY_SECTIONS = (
    "dependencies",
    "devDependencies",
    "optionalDependencies",
    "peerDependencies",
    "overrides",
    "resolutions",
    "pnpm.overrides",
)
LOCAL_SPEC_RE = re.compile(r"^(file:|link:|portal:|git\+file:|\.{1,2}/|/|~/)")

#: Finding kinds (docs/integrity.md). Blocking ones make the run unsuccessful.
KIND_BY_REASON = {
    TEST_FILE: "protected_changed",
    TEST_CONFIG: "protected_changed",
    CHECK_SCRIPT: "protected_changed",
    PACKAGE_MANAGER: "protected_changed",
    SCENARIO: "protected_changed",
    STARTUP_HOOK: "startup_hook",
    SHADOWING: "shadowed_module",
}


@dataclass
class Finding:
    """Something the agent did that the score must not reward: ``blocking`` ones make the run unsuccessful,
    the others are flags shown beside the score."""

    kind: str
    path: str | None
    message: str
    blocking: bool = True
    evidence: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "path": self.path, "message": self.message, "blocking": self.blocking}
        if self.evidence:
            out["evidence"] = self.evidence
        return out


@dataclass
class Change:
    path: str
    change: str  # added, modified, deleted


@dataclass
class Verification:
    """The verified copy of one run and what building it found."""

    root: Path
    findings: list[Finding] = field(default_factory=list)
    #: The agent's changes carried into the copy (complete: no display cap).
    changes: list[Change] = field(default_factory=list)
    #: Why the workspace could not be compared (the copy is then the untouched fixture), or None.
    unverifiable: str | None = None
    files_compared: int = 0
    bytes_copied: int = 0
    duration_ms: int = 0
    #: The fixture's files that are protected (relative): the copy holds the fixture's version of each.
    protected: list[str] = field(default_factory=list)
    #: Workspace paths compared with the fixture and found the same (content, executable bits, symlink target):
    #: the diff of the workspace does not read them again.
    same: set[str] = field(default_factory=set)

    def copy_unchanged(self) -> Callable[[str], bool]:
        """Whether a path of the copy is the fixture's, copied and left alone (no change was applied there): what
        the diff of the copy need not read again."""
        changed = {c.path for c in self.changes}
        return lambda rel: rel not in changed

    def protected_python(self) -> list[str]:
        """Absolute paths of the protected .py files in the copy (the result channels trust only these)."""
        return [str(self.root / rel) for rel in self.protected if rel.endswith(".py") and (self.root / rel).is_file()]

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def summary(self) -> dict[str, Any]:
        """What the run's metadata keeps of it."""
        return {
            "findings": [f.to_json() for f in self.findings],
            "blocking": len(self.blocking),
            "changesApplied": len(self.changes),
            "filesCompared": self.files_compared,
            "unverifiable": self.unverifiable,
            "durationMs": self.duration_ms,
        }


def is_bytecode(name: str) -> bool:
    return name.endswith(BYTECODE_SUFFIXES)


def _escapes(rel: str, target: str) -> bool:
    if os.path.isabs(target):
        return True
    joined = os.path.normpath(os.path.join(str(PurePosixPath(rel).parent), target))
    return joined == ".." or joined.startswith("../")


def _evidence(path: Path | None, limit: int = 400) -> str | None:
    """The start of a file the agent wrote, for the finding (bounded, regular files only)."""
    if path is None:
        return None
    data = read_regular(path, limit + 1)
    if data is None:
        return None
    text = data[:limit].decode("utf-8", "replace")
    return text + ("..." if len(data) > limit else "")


def build_verified_copy(
    fixture: Path | None,
    workspace: Path,
    dest: Path,
    protection: Protection,
    *,
    deadline: float | None = None,
    fixture_tree: Tree | None = None,
    copied: bool = False,
) -> Verification:
    """Fill the empty folder ``dest`` with the fixture and the agent's allowed changes (see the module
    docstring). Runs in a thread: it reads and writes files. ``fixture_tree``: the fixture as ``fixture_tree``
    lists it, when the caller has it already; ``copied``: ``dest`` already holds a copy of the fixture (made by
    ``copy_fixture`` while the agent worked) and nothing else."""
    started = time.monotonic()
    result = Verification(root=dest)
    if fixture_tree is None:
        fixture_tree = list_tree(fixture, drop_dirs=DROPPED_DIRS, drop_file=is_bytecode)
    result.protected = sorted(rel for rel in fixture_tree.files if protection.reason(rel) is not None)
    try:
        tree = list_tree(
            workspace, drop_dirs=DROPPED_DIRS, drop_file=is_bytecode, deadline=deadline, max_entries=MAX_ENTRIES
        )
        if tree.total_bytes > MAX_BYTES:
            raise TreeTooLarge(f"{tree.total_bytes} bytes of files, over {MAX_BYTES}")
        big = [rel for rel, (_, size) in tree.files.items() if size > MAX_FILE_BYTES]
        if big:
            raise TreeTooLarge(f"{big[0]} is larger than {MAX_FILE_BYTES} bytes")
    except TreeTooLarge as exc:
        return _unverifiable(result, fixture, dest, str(exc), started, copied)
    if fixture is not None and not copied:
        copy_tree(fixture, dest)
    try:
        _apply(result, fixture, fixture_tree, workspace, tree, dest, protection, deadline)
    except TreeTooLarge as exc:
        for child in dest.iterdir():
            remove_path(child)
        return _unverifiable(result, fixture, dest, str(exc), started)
    _flag_dropped(result, tree, fixture_tree)
    result.duration_ms = int((time.monotonic() - started) * 1000)
    return result


def _unverifiable(
    result: Verification, fixture: Path | None, dest: Path, why: str, started: float, copied: bool = False
) -> Verification:
    if fixture is not None and not copied:
        copy_tree(fixture, dest)
    result.unverifiable = why
    result.changes = []
    result.findings = [
        Finding(
            "unverifiable",
            None,
            f"the workspace is too large to compare with the fixture ({why}): nothing of it is scored, and the run "
            "cannot be successful",
        )
    ]
    result.duration_ms = int((time.monotonic() - started) * 1000)
    return result


def _refuse(result: Verification, rel: str, change: str, reason: str, evidence: str | None = None) -> None:
    kind = KIND_BY_REASON.get(reason, "protected_changed")
    verb = {"added": "added", "modified": "changed", "deleted": "deleted"}[change]
    result.add(Finding(kind, rel, f"{verb} {reason}; the fixture's version is scored", evidence=evidence))


def _apply(
    result: Verification,
    fixture: Path | None,
    fixture_tree: Tree,
    workspace: Path,
    tree: Tree,
    dest: Path,
    protection: Protection,
    deadline: float | None,
) -> None:
    kept: set[str] = set()  # protected fixture paths kept although the agent changed or removed them
    # Deletions first (a file may become a folder and the other way round).
    fixture_entries = set(fixture_tree.files) | set(fixture_tree.links)
    for rel in sorted(fixture_entries - set(tree.files) - set(tree.links)):
        reason = protection.reason(rel)
        if reason is not None:
            _refuse(result, rel, "deleted", reason)
            kept.add(rel)
            continue
        remove_path(dest / rel)
        result.changes.append(Change(rel, "deleted"))
    for rel, (mode, _) in sorted(tree.files.items()):
        result.files_compared += 1
        old = fixture_tree.files.get(rel)
        if old is not None and fixture is not None:
            if old[0] & 0o111 == mode & 0o111 and same_content(fixture / rel, workspace / rel, deadline):
                result.same.add(rel)
                continue
            change = "modified"
        else:
            change = "added"
        reason = protection.reason(rel)
        if reason is not None:
            _refuse(result, rel, change, reason, _evidence(workspace / rel))
            if old is not None:
                kept.add(rel)
            continue
        if _blocked_by(rel, kept, dest):
            result.add(Finding("protected_changed", rel, "replaces a protected path of the fixture; not scored"))
            continue
        if copy_regular(workspace / rel, dest / rel, mode):
            result.changes.append(Change(rel, change))
            result.bytes_copied += tree.files[rel][1]
            if change == "modified":
                _restore_entries(result, fixture, workspace, dest, rel, protection)
            _local_dependencies(result, fixture if change == "modified" else None, dest, rel)
    for rel, target in sorted(tree.links.items()):
        if fixture_tree.links.get(rel) == target:
            result.same.add(rel)
            continue
        change = "modified" if rel in fixture_entries else "added"
        reason = protection.reason(rel)
        if reason is not None:
            _refuse(result, rel, change, reason, f"symlink to {target}")
            continue
        if _escapes(rel, target):
            result.add(
                Finding("symlink_dropped", rel, f"a symlink out of the workspace ({target}) is not carried over", False)
            )
            continue
        if _blocked_by(rel, kept, dest):
            result.add(Finding("protected_changed", rel, "replaces a protected path of the fixture; not scored"))
            continue
        make_symlink(target, dest / rel)
        result.changes.append(Change(rel, change))


def _blocked_by(rel: str, kept: set[str], dest: Path) -> bool:
    """Whether writing ``rel`` would remove a protected path kept from the fixture (one of its parents is one, or
    it is a folder still holding one)."""
    parts = rel.split("/")
    if any("/".join(parts[:i]) in kept for i in range(1, len(parts))):
        return True
    target = dest / rel
    return target.is_dir() and not target.is_symlink() and any(k.startswith(rel + "/") for k in kept)


# -- entries of structured files ---------------------------------------------------------------------------------


def _load_json(path: Path) -> Any:
    data = read_regular(path, MAX_STRUCTURED_BYTES + 1)
    if data is None or len(data) > MAX_STRUCTURED_BYTES:
        return None
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None


_MISSING = object()


def _get(data: Any, dotted: str) -> Any:
    node = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = data
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            if value is _MISSING:
                return
            child = node[part] = {}
        node = child
    if value is _MISSING:
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = value


def _json_keys(rules: list[KeyRule], *docs: Any) -> list[tuple[KeyRule, str]]:
    """Concrete keys the rules cover in either document (a rule on ``scripts`` covers each script)."""
    out: list[tuple[KeyRule, str]] = []
    for rule in rules:
        keys = {rule.key}
        for doc in docs:
            value = _get(doc, rule.key)
            if isinstance(value, dict) and rule.key.count(".") == 0 and rule.key == "scripts":
                keys |= {f"scripts.{name}" for name in value}
        out += [(rule, key) for key in sorted(keys)]
    return out


def _restore_entries(
    result: Verification, fixture: Path | None, workspace: Path, dest: Path, rel: str, protection: Protection
) -> None:
    """Put back the protected entries of a structured file the agent modified."""
    rules = protection.protected_keys(rel, in_fixture=True)
    if not rules or fixture is None:
        return
    name = PurePosixPath(rel).name
    if name.endswith(".json"):
        _restore_json(result, fixture / rel, dest / rel, rel, rules, protection)
    elif name.endswith((".toml", ".cfg", ".ini")):
        _restore_sections(result, fixture / rel, dest / rel, rel, rules, protection)


def _restore_json(
    result: Verification, before: Path, after: Path, rel: str, rules: list[KeyRule], protection: Protection
) -> None:
    old, new = _load_json(before), _load_json(after)
    if not isinstance(old, dict):
        return
    if not isinstance(new, dict):
        # Unreadable: its protected entries cannot be told apart, so the fixture's file is scored.
        copy_regular(before, after)
        result.add(Finding("protected_changed", rel, "not valid JSON any more: the fixture's version is scored"))
        return
    changed = False
    for rule, key in _json_keys(rules, old, new):
        if protection.key_allowed(rel, key):
            continue
        was, now = _get(old, key), _get(new, key)
        if was == now:
            continue
        _set(new, key, was)
        changed = True
        what = "added" if was is _MISSING else "removed" if now is _MISSING else "changed"
        shown = json.dumps(now) if now is not _MISSING else None
        result.add(
            Finding(
                "protected_changed",
                f"{rel}#{key}",
                f"{what} {rule.reason} ({key}); the fixture's entry is scored",
                evidence=shown,
            )
        )
    if changed:
        write_bytes(after, (json.dumps(new, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


_SECTION_RE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:[#;].*)?$")


def _sections(text: str) -> list[tuple[str | None, str]]:
    """A TOML or INI file cut at its table headers: (header name or None for the top, text)."""
    out: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in text.splitlines(keepends=True):
        match = _SECTION_RE.match(line)
        if match:
            out.append((match[1].strip().strip("\"'"), [line]))
        else:
            out[-1][1].append(line)
    return [(name, "".join(lines)) for name, lines in out]


def _restore_sections(
    result: Verification, before: Path, after: Path, rel: str, rules: list[KeyRule], protection: Protection
) -> None:
    old_data, new_data = read_regular(before, MAX_STRUCTURED_BYTES), read_regular(after, MAX_STRUCTURED_BYTES)
    if old_data is None or new_data is None:
        return
    old, new = _sections(old_data.decode("utf-8", "replace")), _sections(new_data.decode("utf-8", "replace"))
    prefixes = [r.key for r in rules if not protection.key_allowed(rel, r.key)]

    def covered(name: str | None) -> bool:
        return name is not None and any(name == p or name.startswith(p + ".") for p in prefixes)

    if [s for s in old if covered(s[0])] == [s for s in new if covered(s[0])]:
        return
    kept = [s for s in new if not covered(s[0])] + [s for s in old if covered(s[0])]
    text = "".join(body if body.endswith("\n") or not body else body + "\n" for _, body in kept)
    write_bytes(after, text.encode("utf-8"))
    tables = sorted({s[0] for s in old + new if covered(s[0]) and s[0] is not None})
    result.add(
        Finding(
            "protected_changed",
            f"{rel}#{tables[0] if tables else prefixes[0]}",
            f"changed {TEST_CONFIG} ([{'], ['.join(tables)}]); the fixture's tables are scored",
        )
    )


def _local_dependencies(result: Verification, fixture: Path | None, dest: Path, rel: str) -> None:
    """Dependencies a package.json now takes from a local folder (a fake test runner installed from the
    workspace): put back to the fixture's entry (or removed) and a blocking finding."""
    if PurePosixPath(rel).name != "package.json":
        return
    new = _load_json(dest / rel)
    if not isinstance(new, dict):
        return
    old = _load_json(fixture / rel) if fixture is not None else None
    old = old if isinstance(old, dict) else {}
    changed = False
    for section in DEPENDENCY_SECTIONS:
        entries = _get(new, section)
        if not isinstance(entries, dict):
            continue
        before = _get(old, section)
        before = before if isinstance(before, dict) else {}
        for name, spec in list(entries.items()):
            if isinstance(spec, str) and LOCAL_SPEC_RE.match(spec) and before.get(name) != spec:
                if name in before:
                    entries[name] = before[name]
                else:
                    del entries[name]
                changed = True
                result.add(
                    Finding(
                        "local_dependency",
                        f"{rel}#{section}.{name}",
                        f"{name} now comes from a local folder ({spec}); the fixture's entry is scored",
                    )
                )
    if changed:
        write_bytes(dest / rel, (json.dumps(new, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def _flag_dropped(result: Verification, tree: Tree, fixture_tree: Tree) -> None:
    planted = [rel for rel in tree.dropped if rel.endswith(BYTECODE_SUFFIXES) or rel.endswith("__pycache__/")]
    planted = [rel for rel in planted if rel not in fixture_tree.dropped]
    if planted:
        shown = ", ".join(planted[:5]) + (f" and {len(planted) - 5} more" if len(planted) > 5 else "")
        result.add(
            Finding(
                "bytecode_dropped",
                planted[0].rstrip("/"),
                f"compiled bytecode is never scored (Python compiles the sources again): {shown}",
                blocking=False,
            )
        )


# -- the run's copy ------------------------------------------------------------------------------------------------


def declared_js_tests(fixture: Path | None, protected: list[str]) -> int | None:
    """Test cases the fixture's protected JavaScript/TypeScript test files declare (zebench.run.channel)."""
    if fixture is None:
        return None
    texts = []
    for rel in protected:
        if JS_TEST_FILE_RE.search(rel):
            data = read_regular(fixture / rel, MAX_STRUCTURED_BYTES)
            if data is not None:
                texts.append(data.decode("utf-8", "replace"))
    return count_js_tests(texts) if texts else None


def fixture_tree(fixture: Path | None) -> Tree:
    """The fixture as the verifier compares it (dropped folders and bytecode left out)."""
    return list_tree(fixture, drop_dirs=DROPPED_DIRS, drop_file=is_bytecode)


def fixture_files(fixture: Path | None) -> set[str]:
    tree = fixture_tree(fixture)
    return set(tree.files) | set(tree.links)


def protection_for(scenario: Scenario, tree: Tree | None = None) -> Protection:
    """The scenario's protected paths; ``tree``: its fixture's listing (``fixture_tree``) when the caller has it."""
    tree = tree if tree is not None else fixture_tree(scenario.fixture_dir)
    return Protection.for_spec(scenario.spec, set(tree.files) | set(tree.links))


def copy_fixture(scenario: Scenario, *, base_dir: Path | None = None, prefix: str = "zebench-verified-") -> Path:
    """A new folder next to the run's workspace holding a copy of the fixture: what ``verify_workspace`` turns into
    the verified copy (made ahead, while the agent works, where the agent cannot reach it). In a thread."""
    if base_dir is not None:
        base_dir.mkdir(parents=True, exist_ok=True)
    dest = Path(tempfile.mkdtemp(prefix=prefix, dir=base_dir))
    if scenario.fixture_dir is not None:
        try:
            copy_tree(scenario.fixture_dir, dest)
        except BaseException:
            remove_path(dest)
            raise
    return dest


def verify_workspace(
    scenario: Scenario,
    workspace: Path,
    *,
    base_dir: Path | None = None,
    prefix: str = "zebench-verified-",
    deadline: float | None = None,
    copied: Path | None = None,
) -> Verification:
    """The run's verified copy, in a new folder next to its workspace (the caller removes it), or in ``copied``
    (``copy_fixture``'s folder, untouched since). In a thread."""
    if copied is not None:
        dest = copied
    else:
        if base_dir is not None:
            base_dir.mkdir(parents=True, exist_ok=True)
        dest = Path(tempfile.mkdtemp(prefix=prefix, dir=base_dir))
    tree = fixture_tree(scenario.fixture_dir)  # listed once: for the protected paths and the copy
    return build_verified_copy(
        scenario.fixture_dir,
        workspace,
        dest,
        protection_for(scenario, tree),
        deadline=deadline,
        fixture_tree=tree,
        copied=copied is not None,
    )


__all__ = [
    "DROPPED_DIRS",
    "Change",
    "Finding",
    "Verification",
    "build_verified_copy",
    "copy_fixture",
    "declared_js_tests",
    "protection_for",
    "verify_workspace",
]
