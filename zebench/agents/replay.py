"""Replays a recorded list of tool calls on a fresh workspace (offline).

With ``--from-run RUN_ID`` the calls come from a stored run's transcript instead (setting ``replay_calls``).
The file (setting ``replay_file``, CLI ``--replay-file``) holds a JSON array, JSON Lines, or an object with a
``toolCalls`` array (a stored transcript). Each call is ``{"name": TOOL, "input": {...}}``; ``tool`` and
``arguments`` are accepted as spellings of the same keys.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..models import Message
from . import Agent, AgentConfigError, AgentResult, AgentTask

if TYPE_CHECKING:
    from ..run.tools import Toolbox


def load_calls(path: Path) -> list[tuple[str, dict[str, Any]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AgentConfigError(f"{path}: cannot read replay file: {exc.strerror}") from None
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError:
        data = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    data.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise AgentConfigError(f"{path}:{number}: invalid JSON: {exc.msg}") from None
    if isinstance(data, dict):
        data = data.get("toolCalls", data.get("tool_calls"))
    if not isinstance(data, list):
        raise AgentConfigError(f"{path}: expected a list of tool calls")
    calls: list[tuple[str, dict[str, Any]]] = []
    for index, item in enumerate(data):
        name = item.get("name", item.get("tool")) if isinstance(item, dict) else None
        args = item.get("input", item.get("arguments", {})) if isinstance(item, dict) else None
        if not isinstance(name, str) or not isinstance(args, dict):
            raise AgentConfigError(f"{path}: call [{index}] needs a string 'name' and an object 'input'")
        calls.append((name, args))
    return calls


class ReplayAgent(Agent):
    name = "replay"
    description = "Replays recorded tool calls from --replay-file (offline)."
    file_settings = ("replay_file",)

    @classmethod
    def check_settings(cls, settings: dict[str, Any], models: list[str] | None = None) -> None:
        if "replay_calls" in settings:
            return
        if not settings.get("replay_file"):
            raise AgentConfigError("the replay agent needs --replay-file PATH or --from-run RUN_ID")
        load_calls(Path(settings["replay_file"]))

    async def run(self, task: AgentTask, tools: Toolbox) -> AgentResult:
        if "replay_calls" in self.settings:  # --from-run: the calls of a stored run, carried in the plan
            calls = [(c["name"], c["input"]) for c in self.settings["replay_calls"]]
        else:
            calls = load_calls(Path(self.settings["replay_file"]))
        errors = 0
        for name, args in calls:
            outcome = await tools.call(name, args)
            errors += outcome.is_error
        summary = f"Replayed {len(calls)} tool calls ({errors} returned errors)."
        result = task.result
        result.final_text = summary
        result.messages += [Message(role="user", content=task.prompt), Message(role="assistant", content=summary)]
        return result
