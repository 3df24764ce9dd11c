"""Validation commands: ``install`` first, then test, lint, typecheck and build concurrently.

Each command runs in the run's sandbox (zebench.sandbox, policy "validation": with the network, for package
installs) with its own time limit; its exit code, duration and output tail are kept. When install fails (or times
out) the others are recorded as ``skipped``: their results would mean nothing.
"""

from __future__ import annotations

import asyncio

from .models import ValidationCommands, ValidationResult, ValidationStatus
from .sandbox import Policy, Sandbox

#: Output kept per validation command (the end is where test runners print their verdict).
OUTPUT_TAIL_BYTES = 8 * 1024


async def run_validation_command(
    kind: str, command: str, sandbox: Sandbox, *, timeout: float, policy: Policy | None = None
) -> ValidationResult:
    """Run one scenario command (validation, baseline) in the sandbox and describe how it went."""
    result = await sandbox.run(command, purpose="validation", policy=policy, timeout=timeout, head_bytes=0,
                               tail_bytes=OUTPUT_TAIL_BYTES)
    status: ValidationStatus
    if result.timed_out:
        status = "timeout"
    else:
        status = "passed" if result.exit_code == 0 else "failed"
    return ValidationResult(
        kind=kind, command=command, status=status, exit_code=result.exit_code,
        duration_ms=result.duration_ms, output_tail=result.output,
    )


async def run_validation(
    commands: ValidationCommands, sandbox: Sandbox, *, timeout: float, policy: Policy | None = None
) -> list[ValidationResult]:
    items = commands.items()
    results: list[ValidationResult] = []
    install = next((cmd for kind, cmd in items if kind == "install"), None)
    rest = [(kind, cmd) for kind, cmd in items if kind != "install"]
    if install is not None:
        first = await run_validation_command("install", install, sandbox, timeout=timeout, policy=policy)
        results.append(first)
        if first.status != "passed":
            results.extend(
                ValidationResult(kind=k, command=c, status="skipped", output_tail=f"skipped: install {first.status}")
                for k, c in rest
            )
            return results
    results.extend(await asyncio.gather(
        *(run_validation_command(k, c, sandbox, timeout=timeout, policy=policy) for k, c in rest)
    ))
    return results
