"""Applies the scenario's reference solution through the same tools an LLM agent uses.

``solution/`` holds the solved repository's files that differ from the fixture; ``solution/.deleted`` lists
paths to delete. Files are written with writeFile, deletions go through runCommand, so the oracle exercises the
tool layer, its path rules and its transcript exactly like a model would.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from ..catalog import iter_files
from ..models import Message
from . import Agent, AgentError, AgentResult, AgentTask

if TYPE_CHECKING:
    from ..tools import Toolbox

DELETED_LIST = ".deleted"


class OracleAgent(Agent):
    name = "oracle"
    description = "Applies the scenario's reference solution (offline); should score 10/10."

    async def run(self, task: AgentTask, tools: "Toolbox") -> AgentResult:
        solution = task.scenario.solution_dir
        if solution is None:
            raise AgentError(f"scenario {task.scenario.key} has no reference solution (solution/ folder)")
        written = deleted = 0
        for file in sorted(iter_files(solution)):
            rel = file.relative_to(solution).as_posix()
            if rel == DELETED_LIST:
                continue
            try:
                content = file.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise AgentError(f"solution file {rel} is not UTF-8 text; writeFile cannot write it") from None
            outcome = await tools.call("writeFile", {"path": rel, "content": content})
            if outcome.is_error:
                raise AgentError(f"writeFile {rel}: {outcome.output}")
            written += 1
        deleted_list = solution / DELETED_LIST
        if deleted_list.is_file():
            for line in deleted_list.read_text(encoding="utf-8").splitlines():
                rel = line.strip()
                if not rel or rel.startswith("#"):
                    continue
                outcome = await tools.call(
                    "runCommand", {"command": f"rm -rf -- {shlex.quote(rel)}", "description": f"delete {rel}"}
                )
                if outcome.is_error or not outcome.output.startswith("Exit code: 0"):
                    raise AgentError(f"deleting {rel}: {outcome.output}")
                deleted += 1
        summary = f"Applied the reference solution: {written} files written, {deleted} deleted."
        result = task.result
        result.final_text = summary
        result.messages += [Message(role="user", content=task.prompt), Message(role="assistant", content=summary)]
        return result
