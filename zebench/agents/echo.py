"""The baseline: does nothing. Every scenario's fixture must score as unsuccessful under it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..models import Message
from . import Agent, AgentResult, AgentTask

if TYPE_CHECKING:
    from ..run.tools import Toolbox


class EchoAgent(Agent):
    name = "echo"
    description = "Baseline that changes nothing (offline)."

    async def run(self, task: AgentTask, tools: Toolbox) -> AgentResult:
        result = task.result
        result.final_text = "(echo) I made no changes."
        result.messages += [
            Message(role="user", content=task.prompt),
            Message(role="assistant", content=result.final_text),
        ]
        return result
