"""Applies the scenario's reference solution through the same tools an LLM agent uses.

``solution/`` holds the solved repository's files that differ from the fixture; ``solution/.deleted`` lists
paths to delete. Files are written with writeFile, deletions go through runCommand, so the oracle exercises the
tool layer, its path rules and its transcript exactly like a model would.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from ..models import Message
from . import Agent, AgentError, AgentResult, AgentTask

if TYPE_CHECKING:
    from ..run.tools import Toolbox


class OracleAgent(Agent):
    name = "oracle"
    description = "Applies the scenario's reference solution (offline); should score 10/10."

    async def run(self, task: AgentTask, tools: Toolbox) -> AgentResult:
        solution = task.scenario.solution_dir
        if solution is None:
            raise AgentError(f"scenario {task.scenario.key} has no reference solution (solution/ folder)")
        files, deletions = task.scenario.solution_changes()
        for rel in files:
            try:
                content = (solution / rel).read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise AgentError(f"solution file {rel} is not UTF-8 text; writeFile cannot write it") from None
            outcome = await tools.call("writeFile", {"path": rel, "content": content})
            if outcome.is_error:
                raise AgentError(f"writeFile {rel}: {outcome.output}")
        for rel in deletions:
            outcome = await tools.call(
                "runCommand", {"command": f"rm -rf -- {shlex.quote(rel)}", "description": f"delete {rel}"}
            )
            if outcome.is_error or not outcome.output.startswith("Exit code: 0"):
                raise AgentError(f"deleting {rel}: {outcome.output}")
        summary = f"Applied the reference solution: {len(files)} files written, {len(deletions)} deleted."
        result = task.result
        result.final_text = summary
        result.messages += [Message(role="user", content=task.prompt), Message(role="assistant", content=summary)]
        return result
