#!/usr/bin/env python3
"""`zebench import` against `zebench ingest` of the same runs (issue 23; target: import within 1.5x of ingest).

Writes one Inspect AI ``.eval`` log (deflate, Inspect's own layout: header.json, samples/<id>_epoch_<n>.json) of
N trials, each with a realistic transcript (a system prompt, the task, 4 assistant turns with tool calls, their
tool results: about 6 KB of text), imports it into an empty database, writes the stored runs as results JSONL
(the same runs), ingests that into another empty database, and prints both wall times and their ratio
(medians of --repeats). Timed: the command's work (reading, converting, validating, storing), in process.

Usage: python scripts/bench/import_.py [--trials 100000] [--repeats 1] [--dir DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

from zebench.io.importers import import_paths
from zebench.io.ingest import ingest_paths
from zebench.store import Store

WORDS = "the a file test function returns value error import module class method fix update check path".split()


def text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def sample(i: int, epoch: int, rng: random.Random) -> dict[str, object]:
    messages: list[dict[str, object]] = [
        {"role": "system", "content": text(rng, 120)},
        {"role": "user", "content": f"Task {i}: " + text(rng, 60)},
    ]
    for turn in range(4):
        call = f"call_{i}_{epoch}_{turn}"
        messages.append(
            {
                "role": "assistant",
                "content": text(rng, 40),
                "tool_calls": [
                    {"id": call, "function": "bash", "arguments": {"cmd": f"cat src/mod_{turn}.py"}, "type": "function"}
                ],
            }
        )
        messages.append({"role": "tool", "tool_call_id": call, "function": "bash", "content": text(rng, 150)})
    messages.append({"role": "assistant", "content": text(rng, 30)})
    correct = rng.random() < 0.6
    return {
        "id": f"task-{i}",
        "epoch": epoch,
        "input": messages[1]["content"],
        "target": "x",
        "messages": messages,
        "scores": {"match": {"value": "C" if correct else "I", "answer": "x", "explanation": text(rng, 10)}},
        "model_usage": {
            "anthropic/claude-sonnet-4-6": {"input_tokens": 9000, "output_tokens": 600, "total_tokens": 9600}
        },
        "started_at": "2026-11-30T10:00:00+00:00",
        "completed_at": "2026-11-30T10:01:00+00:00",
        "total_time": 60.0,
        "working_time": 55.0,
    }


def write_log(path: Path, trials: int, epochs: int = 5) -> None:
    rng = random.Random(0)
    items = trials // epochs
    header = {
        "version": 2,
        "status": "success",
        "eval": {
            "eval_id": "bench",
            "run_id": "bench",
            "created": "2026-11-30T10:00:00+00:00",
            "task": "bench-task",
            "dataset": {"samples": items},
            "model": "anthropic/claude-sonnet-4-6",
            "solver": "react",
            "config": {"epochs": epochs},
            "packages": {"inspect_ai": "0.3.285"},
        },
        "results": {"total_samples": trials, "completed_samples": trials, "scores": []},
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("header.json", json.dumps(header))
        for i in range(items):
            for epoch in range(1, epochs + 1):
                z.writestr(f"samples/task-{i}_epoch_{epoch}.json", json.dumps(sample(i, epoch, rng)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="zebench-import-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    log = work / "bench.eval"
    made = work / "bench.eval.trials"  # a log of the same size left in --dir by an earlier run is reused
    if log.exists() and made.exists() and made.read_text() == str(args.trials):
        print(f"reusing {log} ({args.trials:,} trials)")
    else:
        started = time.perf_counter()
        write_log(log, args.trials)
        made.write_text(str(args.trials))
        took = time.perf_counter() - started
        print(f"wrote {args.trials:,} trials ({log.stat().st_size / 1e6:.0f} MB) in {took:.0f} s")
    imports, ingests = [], []
    for r in range(args.repeats):
        db = work / f"import-{r}.db"
        db.unlink(missing_ok=True)
        with Store(db) as store:
            t = time.perf_counter()
            report = import_paths(store, [log])
            imports.append(time.perf_counter() - t)
            assert report.counts.new == args.trials, report.summary()
            if r == 0:  # the same runs as results JSONL (not timed)
                jsonl = work / "runs.jsonl"
                with jsonl.open("w") as f:
                    for run_id in store.run_ids():
                        run = store.get_run(run_id)
                        assert run is not None
                        f.write(json.dumps(run.to_json_dict()) + "\n")
        target = work / f"ingest-{r}.db"
        target.unlink(missing_ok=True)
        with Store(target) as store:
            t = time.perf_counter()
            ingested = ingest_paths(store, [work / "runs.jsonl"])
            ingests.append(time.perf_counter() - t)
            assert ingested.counts.new == args.trials, ingested.summary()
    imp, ing = statistics.median(imports), statistics.median(ingests)
    print(
        f"import: {imp:.1f} s ({args.trials / imp:,.0f} trials/s); ingest of the same runs as JSONL: {ing:.1f} s "
        f"({(work / 'runs.jsonl').stat().st_size / 1e6:.0f} MB); import / ingest = {imp / ing:.2f} (target <= 1.5)"
    )


if __name__ == "__main__":
    main()
