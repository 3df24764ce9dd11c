"""Inputs for the import tests, made with the peers' own code where it installs from the package registries:
Inspect AI logs by inspect-ai (inspect_log.py), Harbor jobs by Harbor's models in a Python >= 3.12 interpreter
(harbor_job.py), SWE-bench reports by swebench's grading and reporting functions; Terminal-Bench runs (its
package needs Python >= 3.12 and imports Docker's SDK, its CLI and more) from its documented models
(terminal_bench.harness.models: RunMetadata, TrialResults, BenchmarkResults)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
#: What Harbor's models import, installed beside it (harbor itself with --no-deps: its CLI and cloud clients are
#: not needed to build its documents).
HARBOR_REQUIREMENTS = ["harbor==0.26.0", "pydantic>=2.14", "shortuuid", "toml", "pathspec", "packaging"]


def python312() -> str | None:
    """An interpreter for Harbor (Python >= 3.12): ZEBENCH_PYTHON312, else python3.13/python3.12 on PATH or
    pyenv's."""
    candidates = [os.environ.get("ZEBENCH_PYTHON312") or ""]
    candidates += [shutil.which(n) or "" for n in ("python3.13", "python3.12")]
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if root.is_dir():
        candidates += [str(p) for p in sorted(root.glob("3.1[2-9]*/bin/python3"), reverse=True)]
    for c in candidates:
        if not c:
            continue
        try:
            out = subprocess.run(
                [c, "-c", "import sys; print(sys.version_info >= (3, 12))"], capture_output=True, text=True, timeout=30
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if out.stdout.strip() == "True":
            return c
    return None


def harbor_python(cache: Path) -> str | None:
    """A virtual environment with Harbor's models (made once per machine under ``cache``); None when no Python
    >= 3.12 is here."""
    base = python312()
    if base is None:
        return None
    venv = cache / "harbor-py312"
    python = venv / "bin" / "python"
    marker = venv / ".ready"
    if not marker.exists():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([base, "-m", "venv", str(venv)], check=True, timeout=300)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--no-deps", *HARBOR_REQUIREMENTS[:1]], check=True, timeout=600
        )
        subprocess.run([str(python), "-m", "pip", "install", "-q", *HARBOR_REQUIREMENTS[1:]], check=True, timeout=600)
        marker.write_text("ok")
    return str(python)


def harbor_job(out: Path, cache: Path) -> bool:
    """A Harbor job folder at ``out``; True when Harbor's own models wrote it."""
    python = harbor_python(cache) or sys.executable
    subprocess.run([python, str(HERE / "harbor_job.py"), str(out)], check=True, timeout=300)
    return bool(json.loads((out / "config.json").read_text())["HARBOR_MODELS"])


def inspect_logs(out: Path) -> None:
    env = {**os.environ, "HOME": str(out.parent / "home"), "INSPECT_LOG_DIR": str(out)}
    subprocess.run([sys.executable, str(HERE / "inspect_log.py"), str(out)], check=True, timeout=600, env=env)


# -- Terminal-Bench (its documented models) -----------------------------------------------------------------------


def tb_trial(
    task: str,
    attempt: int,
    of: int,
    run_id: str,
    resolved: bool | None,
    mode: str,
    tests: dict[str, str] | None,
    minute: int,
) -> dict[str, Any]:
    """A TrialResults document (terminal_bench.harness.models.TrialResults)."""
    at = f"2025-08-01T12:{minute:02d}"
    return {
        "id": f"00000000-0000-4000-8000-{minute:012d}",
        "trial_name": f"{task}.{attempt}-of-{of}.{run_id}",
        "task_id": task,
        "instruction": f"Do {task} in /home/carol/tb/{task}",
        "is_resolved": resolved,
        "failure_mode": mode,
        "parser_results": tests,
        "recording_path": f"{run_id}/{task}/{task}.{attempt}-of-{of}.{run_id}/sessions/agent.cast",
        "total_input_tokens": 5000,
        "total_output_tokens": 700,
        "trial_started_at": f"{at}:00.000000+00:00",
        "trial_ended_at": f"{at}:50.000000+00:00",
        "agent_started_at": f"{at}:05.000000+00:00",
        "agent_ended_at": f"{at}:35.000000+00:00",
        "test_started_at": f"{at}:36.000000+00:00",
        "test_ended_at": f"{at}:49.000000+00:00",
    }


TB_RUN_ID = "2025-08-01__12-00-00"


def tb_trials() -> list[dict[str, Any]]:
    ok = {"test_a": "passed", "test_b": "passed"}
    bad = {"test_a": "passed", "test_b": "failed"}
    return [
        tb_trial("hello-world", 1, 2, TB_RUN_ID, True, "none", ok, 1),
        tb_trial("hello-world", 2, 2, TB_RUN_ID, False, "none", bad, 2),
        # the agent ran out of time, yet the tests passed: resolved, as Terminal-Bench counts it
        tb_trial("fix-git", 1, 2, TB_RUN_ID, True, "agent_timeout", ok, 3),
        tb_trial("fix-git", 2, 2, TB_RUN_ID, False, "agent_timeout", bad, 4),
        tb_trial("broken-tests", 1, 2, TB_RUN_ID, None, "test_timeout", None, 5),
        tb_trial("broken-tests", 2, 2, TB_RUN_ID, False, "none", bad, 6),
    ]


def tb_run(out: Path, *, trial_files: bool = True, run_files: bool = True) -> list[dict[str, Any]]:
    """A ``tb run`` output folder: run_metadata.json and results.json (the run level), and
    ``<task>/<trial>/results.json`` per trial; either level can be left out (the leaderboard's layouts)."""
    trials = tb_trials()
    out.mkdir(parents=True, exist_ok=True)
    if run_files:
        resolved = [t for t in trials if t["is_resolved"]]
        metadata = {
            "run_id": TB_RUN_ID,
            "uuid": "4d5c1b0e-0000-4000-8000-000000000001",
            "dataset_path": "/home/carol/tasks",
            "dataset_name": "terminal-bench-core",
            "dataset_version": "0.1.1",
            "output_path": "/home/carol/runs",
            "agent_name": "terminus",
            "no_rebuild": False,
            "cleanup": True,
            "log_level": 20,
            "n_tasks": 3,
            "n_concurrent_trials": 4,
            "n_attempts": 2,
            "dataset_size": 3,
            "accuracy": len(resolved) / len(trials),
            "model_name": "anthropic/claude-sonnet-4-6",
            "start_time": "2025-08-01T12:00:00.000000+00:00",
            "end_time": "2025-08-01T12:59:00.000000+00:00",
            "commit_hash": "abc123",
            "username": "carol",
            "agent_kwargs": {"no_rebuild": False},
            "pass_at_k": {"2": 2 / 3},
        }
        (out / "run_metadata.json").write_text(json.dumps(metadata, indent=4))
        results = {
            "id": "4d5c1b0e-0000-4000-8000-000000000002",
            "results": trials,
            "pass_at_k": {"2": 2 / 3},
            "n_resolved": len(resolved),
            "n_unresolved": len(trials) - len(resolved),
            "resolved_ids": [t["task_id"] for t in resolved],
            "unresolved_ids": [t["task_id"] for t in trials if not t["is_resolved"]],
            "accuracy": len(resolved) / len(trials),
        }
        (out / "results.json").write_text(json.dumps(results, indent=4))
    if trial_files:
        for t in trials:
            folder = out / t["task_id"] / t["trial_name"]
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "results.json").write_text(json.dumps(t, indent=4))
    return trials


# -- SWE-bench (its grading and reporting functions) -------------------------------------------------------------

SWE_INSTANCES = {
    # instance: (FAIL_TO_PASS, PASS_TO_PASS, statuses in the test log, patch)
    "demo__repo-1": (
        ["tests/test_a.py::test_fix"],
        ["tests/test_a.py::test_old"],
        {"tests/test_a.py::test_fix": "PASSED", "tests/test_a.py::test_old": "PASSED"},
        True,
    ),
    "demo__repo-2": (
        ["tests/test_b.py::test_fix"],
        ["tests/test_b.py::test_old"],
        {"tests/test_b.py::test_fix": "FAILED", "tests/test_b.py::test_old": "PASSED"},
        True,
    ),
    "demo__repo-3": (["tests/test_c.py::test_fix"], ["tests/test_c.py::test_old"], {}, True),  # no test output
}
SWE_RUN, SWE_MODEL = "demo-run", "org/demo-model"


def swebench_run(root: Path) -> Path:
    """``logs/run_evaluation/<run>/<model>/<instance>/`` with report.json (get_eval_report on a test log),
    patch.diff and run_instance.log, and the run's summary ``<model>.<run>.json`` (make_run_report) in ``root``."""
    from swebench.harness import grading, reporting
    from swebench.harness.constants import END_TEST_OUTPUT, START_TEST_OUTPUT
    from swebench.types import TestSpec

    model_dir = root / "logs" / "run_evaluation" / SWE_RUN / SWE_MODEL.replace("/", "__")
    predictions: dict[str, dict[str, Any]] = {}
    for instance, (f2p, p2p, statuses, _has_patch) in SWE_INSTANCES.items():
        folder = model_dir / instance
        folder.mkdir(parents=True)
        patch = (
            f"diff --git a/src/{instance}.py b/src/{instance}.py\n--- a/src/{instance}.py\n"
            f"+++ b/src/{instance}.py\n@@ -1 +1 @@\n-x = 1\n+x = 2  # /home/dave/fix\n"
        )
        (folder / "patch.diff").write_text(patch)
        (folder / "run_instance.log").write_text("2025-07-01 09:30:00,123 - INFO - Creating container\n")
        body = "\n".join(f"{status} {test}" for test, status in statuses.items())
        log = folder / "test_output.txt"
        log.write_text(
            f"{START_TEST_OUTPUT}\n{body}\n{END_TEST_OUTPUT}\n"
            if statuses
            else "Cannot connect to the Docker daemon at unix:///var/run/docker.sock\n"
        )
        spec = TestSpec(
            instance_id=instance,
            image="demo",
            eval_script_list=[],
            repo="demo/repo",
            version="1.0",
            FAIL_TO_PASS=f2p,
            PASS_TO_PASS=p2p,
            log_parser="parse_log_pytest",
            eval_type="pass_and_fail",
        )
        prediction = {"instance_id": instance, "model_name_or_path": SWE_MODEL, "model_patch": patch}
        report = grading.get_eval_report(spec, prediction, str(log), include_tests_status=True)
        (folder / "report.json").write_text(json.dumps(report, indent=4))
        predictions[instance] = prediction
    predictions["demo__repo-4"] = {"instance_id": "demo__repo-4", "model_name_or_path": SWE_MODEL, "model_patch": ""}
    dataset = [{"instance_id": i} for i in [*SWE_INSTANCES, "demo__repo-4", "demo__repo-5"]]
    cwd = os.getcwd()
    os.chdir(root)  # make_run_report reads logs/run_evaluation/ relative to the working folder
    try:
        reporting.make_run_report(predictions, dataset, SWE_RUN, report_dir=str(root))
    finally:
        os.chdir(cwd)
    return model_dir
