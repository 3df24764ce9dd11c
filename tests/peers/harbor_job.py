"""Writes a Harbor job folder (run as a script: ``python harbor_job.py OUT_DIR``): config.json, result.json and one
folder per trial with result.json and agent/trajectory.json. With Harbor installed (it needs Python >= 3.12: the
tests run this script in a separate interpreter that has it), every document is built and serialised by Harbor's
own models (JobResult, TrialResult, Trajectory); without it, the same documents are written as Harbor's schema
documents them, and ``HARBOR_MODELS`` in the job's config says which.

Trials: task hello x 2 attempts (reward 1.0, then 0.0 after an AgentTimeoutError, which Harbor grades), task fix
(reward 1.0), task env (SandboxBuildFailedError: no reward), task limit (ApiRateLimitError: no reward)."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Any

JOB_ID = "8c0a8f3e-8a43-4c3a-9d1e-1d2a3b4c5d6e"
T0 = "2026-11-30T10:00:00+00:00"


def timing(start: str, end: str) -> dict[str, str]:
    return {"started_at": f"2026-11-30T10:{start}+00:00", "finished_at": f"2026-11-30T10:{end}+00:00"}


def trajectory(task: str) -> dict[str, Any]:
    return {
        "schema_version": "ATIF-v1.4",
        "session_id": f"session-{task}",
        "agent": {"name": "terminus-2", "version": "2.0.0", "model_name": "anthropic/claude-sonnet-4-6"},
        "steps": [
            {"step_id": 1, "source": "user", "message": f"Solve {task} in /home/bob/work/{task}"},
            {
                "step_id": 2,
                "source": "agent",
                "message": "Listing files.",
                "reasoning_content": "Look first.",
                "tool_calls": [{"tool_call_id": "c1", "function_name": "bash", "arguments": {"command": "ls"}}],
                "observation": {"results": [{"source_call_id": "c1", "content": "main.py\nREADME.md"}]},
                "metrics": {"prompt_tokens": 1200, "completion_tokens": 80, "cached_tokens": 200},
            },
            {
                "step_id": 3,
                "source": "agent",
                "message": "Done.",
                "metrics": {"prompt_tokens": 1400, "completion_tokens": 40},
            },
        ],
        "final_metrics": {
            "total_prompt_tokens": 2600,
            "total_completion_tokens": 120,
            "total_cached_tokens": 200,
            "total_steps": 3,
        },
    }


def trial(task: str, attempt: int, reward: float | None, exception: str | None, minute: int) -> dict[str, Any]:
    name = f"{task}__{'abcdefg'[attempt]}{task[:3]}"
    start, end = f"{minute:02d}:00", f"{minute:02d}:50"
    doc: dict[str, Any] = {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, name)),
        "task_name": task,
        "trial_name": name,
        "trial_uri": f"file:///home/bob/jobs/job/{name}",
        "task_id": {"path": f"/home/bob/tasks/{task}"},
        "source": "demo-dataset",
        "task_checksum": "0" * 16,
        "config": {
            "task": {"path": f"/home/bob/tasks/{task}"},
            "trial_name": name,
            "agent": {"name": "terminus-2", "model_name": "anthropic/claude-sonnet-4-6", "kwargs": {"max_turns": 30}},
        },
        "agent_info": {
            "name": "terminus-2",
            "version": "2.0.0",
            "model_info": {"name": "claude-sonnet-4-6", "provider": "anthropic"},
        },
        "agent_result": {"n_input_tokens": 2600, "n_cache_tokens": 200, "n_output_tokens": 120, "cost_usd": 0.0123},
        "verifier_result": None if reward is None else {"rewards": {"reward": reward}},
        "started_at": f"2026-11-30T10:{start}+00:00",
        "finished_at": f"2026-11-30T10:{end}+00:00",
        "environment_setup": timing(f"{minute:02d}:00", f"{minute:02d}:10"),
        "agent_setup": timing(f"{minute:02d}:10", f"{minute:02d}:15"),
        "agent_execution": timing(f"{minute:02d}:15", f"{minute:02d}:40"),
        "verifier": timing(f"{minute:02d}:40", f"{minute:02d}:50"),
    }
    if exception:
        doc["exception_info"] = {
            "exception_type": exception,
            "exception_message": f"{exception} in /home/bob/x",
            "exception_traceback": "Traceback ...",
            "occurred_at": f"2026-11-30T10:{end}+00:00",
        }
    return doc


TRIALS = [
    ("hello", 0, 1.0, None, 1),
    ("hello", 1, 0.0, "AgentTimeoutError", 2),
    ("fix", 0, 1.0, None, 3),
    ("env", 0, None, "SandboxBuildFailedError", 4),
    ("limit", 0, None, "ApiRateLimitError", 5),
]


def main(out: str) -> None:
    try:
        from harbor.models.job.result import JobResult, JobStats
        from harbor.models.trajectories import Trajectory
        from harbor.models.trial.result import TrialResult
    except ImportError:
        models = False
    else:
        models = True
    job = Path(out)
    job.mkdir(parents=True, exist_ok=True)
    results = []
    for task, attempt, reward, exception, minute in TRIALS:
        doc = trial(task, attempt, reward, exception, minute)
        folder = job / doc["trial_name"]
        (folder / "agent").mkdir(parents=True, exist_ok=True)
        traj = trajectory(task)
        if models:
            result = TrialResult.model_validate(doc)
            results.append(result)
            text = result.model_dump_json(indent=2)
            traj_text = Trajectory.model_validate(traj).model_dump_json(indent=2, exclude_none=True)
        else:
            text, traj_text = json.dumps(doc, indent=2), json.dumps(traj, indent=2)
        (folder / "result.json").write_text(text)
        (folder / "agent" / "trajectory.json").write_text(traj_text)
    config = {"job_name": "demo-job", "n_attempts": 2, "HARBOR_MODELS": models}
    (job / "config.json").write_text(json.dumps(config, indent=2))
    job_doc: dict[str, Any] = {
        "id": JOB_ID,
        "started_at": T0,
        "finished_at": "2026-11-30T10:59:00+00:00",
        "n_total_trials": len(TRIALS) + 1,
        "stats": {},
    }
    if models:
        stats = JobStats.from_trial_results(results, n_total_trials=len(TRIALS) + 1)
        job_doc["stats"] = json.loads(stats.model_dump_json())
        text = JobResult.model_validate(job_doc).model_dump_json(indent=2)
    else:
        text = json.dumps(job_doc, indent=2)
    (job / "result.json").write_text(text)


if __name__ == "__main__":
    main(sys.argv[1])
