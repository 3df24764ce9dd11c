"""Validation commands: ``install`` first, then test, lint, typecheck and build concurrently; and the scenario's
baseline commands, run once per batch on an untouched copy of the fixture.

Each command runs in the run's sandbox (zebench.sandbox, policy "validation": with the network, for package
installs) with its own time limit; its exit code, duration and output tail are kept. When install fails (or times
out) the others are recorded as ``skipped``: their results would mean nothing.
A validation command that passed at baseline and fails after the agent is a regression.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
from pathlib import Path

from ..isolation import layers
from ..isolation.processes import Limits
from ..isolation.sandbox import DEFAULT_LIMITS, SANDBOX_GID, Policy, Purpose, Sandbox, command_path
from ..models import (
    BaselineCommand,
    ValidationCommands,
    ValidationResult,
    ValidationStatus,
)
from .channel import Inventory, ScoringChannels, list_tests, parse_python
from .workspace import empty_folder, finish_in_thread, fresh_workspace, install_inputs, own_folder

#: Output kept per validation command (the end is where test runners print their verdict).
OUTPUT_TAIL_BYTES = 8 * 1024


async def run_validation_command(
    kind: str,
    command: str,
    sandbox: Sandbox,
    *,
    timeout: float,
    policy: Policy | None = None,
    channels: ScoringChannels | None = None,
) -> ValidationResult:
    """Run one scenario command (validation, baseline) in the sandbox and describe how it went. With
    ``channels`` (a run's scoring commands), a Python command's outcome comes from its result channel
    (zebench.run.channel), not from its exit code alone."""
    chosen = policy if policy is not None else sandbox.policy("validation")
    if channels is not None:
        result, passed = await channels.run(
            sandbox,
            command,
            policy=chosen,
            timeout=timeout,
            tail_bytes=OUTPUT_TAIL_BYTES,
            collect=kind == "test",
        )
    else:
        result = await sandbox.run(command, policy=chosen, timeout=timeout, head_bytes=0, tail_bytes=OUTPUT_TAIL_BYTES)
        passed = result.exit_code == 0
    status: ValidationStatus
    if result.timed_out:
        status = "timeout"
    else:
        status = "passed" if passed else "failed"
    return ValidationResult(
        kind=kind,
        command=command,
        status=status,
        exit_code=result.exit_code,
        duration_ms=result.duration_ms,
        output_tail=result.output,
    )


def _install_key(sandbox: Sandbox, command: str, policy: Policy) -> str | None:
    """What the install ``command`` of this workspace depends on (zebench.isolation.layers), or None when its
    node_modules cannot be prepared (not a single package, or no copy-on-write views here)."""
    if not sandbox.layered or not policy.layered_paths:
        return None
    inputs = install_inputs(sandbox.workspace)
    return None if inputs is None else layers.install_key(inputs, command, command_path(sandbox.mode, policy))


async def use_prepared_install(sandbox: Sandbox, command: str, policy: Policy) -> str | None:
    """Before an install: the prepared node_modules of the workspace's install inputs, when one was published,
    seen in the workspace through a copy-on-write view of this sandbox (the install then finds it complete).
    Returns the inputs' key (None when they cannot have one)."""

    def prepare() -> str | None:
        key = _install_key(sandbox, command, policy)
        tree = layers.prepared(policy.layered_paths[0].parent, key) if key is not None else None
        if tree is not None:
            mountpoint = empty_folder(sandbox.workspace, "node_modules", sandbox.owner)
            if mountpoint is not None:
                sandbox.use_prepared(tree, mountpoint)
        return key

    return await asyncio.to_thread(prepare)


async def run_validation(
    commands: ValidationCommands,
    sandbox: Sandbox,
    *,
    timeout: float,
    policy: Policy | None = None,
    channels: ScoringChannels | None = None,
) -> list[ValidationResult]:
    items = commands.items()
    results: list[ValidationResult] = []
    install = next((cmd for kind, cmd in items if kind == "install"), None)
    rest = [(kind, cmd) for kind, cmd in items if kind != "install"]
    if install is not None:
        await use_prepared_install(sandbox, install, policy or sandbox.policy("validation"))
        first = await run_validation_command(
            "install", install, sandbox, timeout=timeout, policy=policy, channels=channels
        )
        results.append(first)
        if first.status != "passed":
            results.extend(
                ValidationResult(kind=k, command=c, status="skipped", output_tail=f"skipped: install {first.status}")
                for k, c in rest
            )
            return results
    results.extend(
        await asyncio.gather(
            *(run_validation_command(k, c, sandbox, timeout=timeout, policy=policy, channels=channels) for k, c in rest)
        )
    )
    return results


async def run_baseline(
    commands: list[BaselineCommand],
    fixture: Path | None,
    validation: ValidationCommands,
    *,
    timeout: float,
    sandbox_mode: str = "none",
    policies: dict[Purpose, Policy] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    workspace_root: Path | None = None,
) -> list[ValidationResult]:
    """Run the baseline commands in order on a fresh copy of the fixture (removed afterwards), in a sandbox of
    its own (``sandbox_mode``, ``policies``, ``limits`` as the runs'; policy "validation"); each is recorded
    whatever its outcome (a failing test at baseline is what the scenario is about). A baseline command whose
    text is one of the validation commands takes that command's kind, so before and after can be compared."""
    if not commands:
        return []
    kinds = {cmd.strip(): kind for kind, cmd in validation.items()}
    async with fresh_workspace(fixture, workspace_root, "zebench-baseline-") as workspace:
        async with Sandbox(
            workspace,
            mode=sandbox_mode,  # type: ignore[arg-type]
            policies=policies,
            limits=limits,
            scratch_root=workspace_root,
        ) as sandbox:
            results = []
            key: str | None = None
            for command in commands:
                kind = kinds.get(command.cmd.strip(), "baseline")
                if kind == "install" and key is None:
                    key = await use_prepared_install(sandbox, command.cmd, sandbox.policy("validation"))
                results.append(
                    await run_validation_command(kind, command.cmd, sandbox, timeout=command.timeout_seconds or timeout)
                )
            if sandbox.layered:
                installed = any(r.kind == "install" and r.status == "passed" for r in results)
                policy = sandbox.policy("validation")
                # To its end: it reads the workspace, which a cancelled baseline then removes.
                await finish_in_thread(
                    lambda: _publish_baseline(sandbox, policy, workspace, key if installed else None)
                )
            return results


def _publish_baseline(sandbox: Sandbox, policy: Policy, workspace: Path, key: str | None) -> None:
    """The baseline ran on an untouched copy of the fixture (trusted): what it added to the shared caches becomes
    their new layers, and its node_modules (when the install passed and none was prepared yet) the prepared tree
    of these install inputs (zebench.isolation.layers). The runs then install from them, each through its own
    copy-on-write view."""
    sandbox.publish()
    if key is None or sandbox.uses_prepared or not policy.layered_paths:
        return
    base = policy.layered_paths[0].parent
    folder = own_folder(workspace, "node_modules")
    if folder is not None and layers.prepared(base, key) is None:
        layers.publish_prepared(folder, base, key, SANDBOX_GID)


async def list_required_tests(
    command: str,
    fixture: Path | None,
    protected: list[str],
    *,
    timeout: float,
    sandbox_mode: str = "none",
    policies: dict[Purpose, Policy] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    workspace_root: Path | None = None,
) -> Inventory:
    """The tests a ``python -m unittest`` command must pass: those the protected test files (``protected``,
    relative) of the fixture define, listed on a fresh copy of it in a sandbox of its own (zebench.run.channel).
    (None, why) when the command is not one or the listing failed."""
    parsed = parse_python(command)
    if parsed is None or not parsed.is_unittest or not protected:
        return None, None
    async with fresh_workspace(fixture, workspace_root, "zebench-tests-") as workspace:
        async with Sandbox(
            workspace,
            mode=sandbox_mode,  # type: ignore[arg-type]
            policies=policies,
            limits=limits,
            scratch_root=workspace_root,
        ) as sandbox:
            return await list_tests(sandbox, parsed, protected, policy=sandbox.policy("validation"), timeout=timeout)


def compare_with_baseline(results: list[ValidationResult], baseline: list[ValidationResult]) -> list[str]:
    """Set each validation result's ``baseline_status`` (the same command's status at baseline) and return the
    kinds of the regressions: commands that passed at baseline and fail (or time out) after the agent."""
    before = {b.command.strip(): b.status for b in baseline}
    regressions = []
    for result in results:
        result.baseline_status = before.get(result.command.strip())
        if result.baseline_status == "passed" and result.status in ("failed", "timeout"):
            regressions.append(result.kind)
    return regressions


#: Words a POSIX shell runs itself: never looked up on PATH.
SHELL_WORDS = frozenset(
    "! { } ( ) [ . : alias break case cd command continue echo eval exec exit export false for if printf pwd read "
    "return set shift test times trap true type ulimit umask unset until wait while".split()
)
#: How to get the tools scenario commands commonly need.
INSTALL_HINTS = {
    "pnpm": "run scripts/install-node.sh (or: npm install -g pnpm@9)",
    "node": "run scripts/install-node.sh (or: apt-get install nodejs npm)",
    "npm": "run scripts/install-node.sh (or: apt-get install nodejs npm)",
    "npx": "run scripts/install-node.sh (or: apt-get install nodejs npm)",
    "yarn": "npm install -g yarn (or: corepack enable)",
    "bun": "see https://bun.sh",
}


def missing_tools(commands: list[str], env: dict[str, str]) -> dict[str, str]:
    """Programs the commands start (their first word) that are not on the environment's PATH: name -> the first
    command that needs it. Commands whose first word is a shell word, a path or a variable are not checked."""
    missing: dict[str, str] = {}
    for command in commands:
        try:
            words = shlex.split(command)
        except ValueError:
            continue
        while words and "=" in words[0] and not words[0].startswith("="):
            words = words[1:]  # VAR=value prefixes
        if not words:
            continue
        program = words[0]
        if program in SHELL_WORDS or "/" in program or "$" in program or program in missing:
            continue
        if shutil.which(program, path=env.get("PATH", os.defpath)) is None:
            missing[program] = command
    return missing


def missing_tools_message(missing: dict[str, str]) -> str:
    parts = [
        f"{name} is not installed (needed by `{command}`)"
        + (f": {INSTALL_HINTS[name]}" if name in INSTALL_HINTS else "")
        for name, command in missing.items()
    ]
    return "; ".join(parts)
