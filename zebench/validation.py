"""Validation commands: ``install`` first, then test, lint, typecheck and build concurrently.

Each command is an async subprocess with its own time limit; its exit code, duration and output tail are kept.
When install fails (or times out) the others are recorded as ``skipped``: their results would mean nothing.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from .models import ValidationCommands, ValidationResult
from .processes import run_command, safe_env

#: Output kept per validation command (the end is where test runners print their verdict).
OUTPUT_TAIL_BYTES = 8 * 1024


async def _run_one(kind: str, command: str, workspace: Path, timeout: float, env: dict[str, str]) -> ValidationResult:
    result = await run_command(command, workspace, timeout=timeout, head_bytes=0, tail_bytes=OUTPUT_TAIL_BYTES, env=env)
    if result.timed_out:
        status = "timeout"
    else:
        status = "passed" if result.exit_code == 0 else "failed"
    return ValidationResult(
        kind=kind, command=command, status=status, exit_code=result.exit_code,
        duration_ms=result.duration_ms, output_tail=result.output,
    )


async def run_validation(
    commands: ValidationCommands, workspace: Path, *, timeout: float, env: dict[str, str] | None = None
) -> list[ValidationResult]:
    env = env if env is not None else safe_env()
    items = commands.items()
    results: list[ValidationResult] = []
    install = next((cmd for kind, cmd in items if kind == "install"), None)
    rest = [(kind, cmd) for kind, cmd in items if kind != "install"]
    if install is not None:
        first = await _run_one("install", install, workspace, timeout, env)
        results.append(first)
        if first.status != "passed":
            results.extend(
                ValidationResult(kind=k, command=c, status="skipped", output_tail=f"skipped: install {first.status}")
                for k, c in rest
            )
            return results
    results.extend(await asyncio.gather(*(_run_one(k, c, workspace, timeout, env) for k, c in rest)))
    return results
