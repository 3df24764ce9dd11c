"""Writes Inspect AI logs with inspect-ai itself (run as a script: ``python inspect_log.py OUT_DIR``): one task,
three samples x three epochs with mixed scores, a tool call, a sample error, a host path and a key-shaped secret in
the transcripts; then the same log converted to Inspect's chunked sample layout (OUT_DIR/chunked/).

The mock model is given its token usage, so that inspect-ai never counts tokens (that would download tiktoken's
encoding file: no network in tests)."""

from __future__ import annotations

import sys

from inspect_ai import Task, eval
from inspect_ai.dataset import Sample
from inspect_ai.log._recorders.chunked import convert_eval_logs_to_chunked
from inspect_ai.model import ModelOutput, ModelUsage, get_model
from inspect_ai.scorer import match
from inspect_ai.solver import Generate, TaskState, generate, solver, use_tools
from inspect_ai.tool import tool

#: Per (sample, epoch): the final answer ("boom" fails on epoch 2).
ANSWERS = {
    ("a", 1): "2",
    ("a", 2): "2",
    ("a", 3): "2",
    (7, 1): "4",
    (7, 2): "5",
    (7, 3): "5",
    ("boom", 1): "0",
    ("boom", 2): None,
    ("boom", 3): "1",
}


@tool
def add():  # type: ignore[no-untyped-def]
    async def execute(x: int, y: int) -> int:
        """Add two numbers.

        Args:
            x: First number.
            y: Second number.
        """
        return x + y

    return execute


@solver
def explode():  # type: ignore[no-untyped-def]
    async def solve(state: TaskState, generate: Generate) -> TaskState:
        if state.sample_id == "boom" and state.epoch == 2:
            raise RuntimeError("sandbox exploded while reading /home/alice/secret-project/notes.txt")
        return state

    return solve


def usage(output: ModelOutput) -> ModelOutput:
    output.usage = ModelUsage(input_tokens=100, output_tokens=20, total_tokens=120)
    return output


def main(out: str) -> None:
    outputs = []
    # max_samples=1 and one epoch after another: the outputs are consumed in dataset x epoch order
    for epoch in (1, 2, 3):
        for sid in ("a", 7, "boom"):
            answer = ANSWERS[(sid, epoch)]
            if answer is None:
                continue
            outputs.append(
                usage(
                    ModelOutput.for_tool_call(model="mockllm/model", tool_name="add", tool_arguments={"x": 1, "y": 1})
                )
            )
            outputs.append(
                usage(
                    ModelOutput.from_content(model="mockllm/model", content=f"{answer} (key sk-ant-api03-{'x' * 40})")
                )
            )
    model = get_model("mockllm/model", custom_outputs=outputs)
    task = Task(
        dataset=[
            Sample(id="a", input="1+1? see /home/alice/secret-project/a.py", target="2"),
            Sample(id=7, input="2+2?", target="4"),
            Sample(id="boom", input="0+1?", target="1"),
        ],
        solver=[explode(), use_tools(add()), generate()],
        scorer=match(location="begin"),
        epochs=3,
        name="arith",
    )
    logs = eval(task, model=model, log_dir=out, display="none", max_samples=1, fail_on_error=False)
    assert logs[0].status == "success", logs[0].error
    convert_eval_logs_to_chunked(out, f"{out}/chunked", overwrite=True, chunk_size=2)


if __name__ == "__main__":
    main(sys.argv[1])
