#!/usr/bin/env python3
"""What an MCP server costs a run (issue 24): the reference time server (mcp-server-time, the test extra) over
stdio in the run's sandbox. Prints medians over the repetitions, per sandbox mode:

1. start: spawn in the sandbox, the MCP handshake and tools/list, until the tools can be offered;
2. call: one get_current_time call through the Toolbox (recorded in the transcript as the agent's calls are);
3. stop: close stdin, the server exits, nothing of it left (zebench.processes' proof);
4. a bare loop for comparison: `python -m mcp_server_time` started with the SDK's own stdio client (no sandbox,
   no reaper) and the same handshake, call and exit.

Usage: python scripts/bench/mcp_servers.py [--repeats N] [--calls N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from zebench.isolation.sandbox import Sandbox, bwrap_problem
from zebench.models.specialist import McpServerSpec
from zebench.run.mcp import start_servers
from zebench.run.tools import Toolbox

SERVER = McpServerSpec(name="time", command=sys.executable, args=["-m", "mcp_server_time", "--local-timezone", "UTC"])


async def zebench_once(mode: str, calls: int) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory(prefix="zebench-bench-mcp-") as tmp:
        workspace = Path(tmp) / "ws"
        workspace.mkdir()
        async with Sandbox(workspace, mode=mode, scratch_root=Path(tmp)) as box:  # type: ignore[arg-type]
            t0 = time.perf_counter()
            servers = await start_servers(
                [SERVER.model_copy(update={"required": True})], sandbox=box, workspace=workspace, reserved=[]
            )
            t1 = time.perf_counter()
            toolbox = Toolbox(workspace, sandbox=box, mcp=servers)
            for _ in range(calls):
                outcome = await toolbox.call("get_current_time", {"timezone": "UTC"})
                assert not outcome.is_error, outcome.output
            t2 = time.perf_counter()
            await servers.close()
            t3 = time.perf_counter()
    return t1 - t0, (t2 - t1) / calls, t3 - t2


async def bare_once(calls: int) -> tuple[float, float, float]:
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(command=sys.executable, args=["-m", "mcp_server_time", "--local-timezone", "UTC"])
    t0 = time.perf_counter()
    async with Client(params, cache=None) as client:
        await client.list_tools()
        t1 = time.perf_counter()
        for _ in range(calls):
            await client.call_tool("get_current_time", {"timezone": "UTC"})
        t2 = time.perf_counter()
    t3 = time.perf_counter()
    return t1 - t0, (t2 - t1) / calls, t3 - t2


def report(name: str, samples: list[tuple[float, float, float]]) -> None:
    start, call, stop = (statistics.median(s[i] for s in samples) for i in range(3))
    print(f"{name:28} start {start * 1000:7.0f} ms   call {call * 1000:6.1f} ms   stop {stop * 1000:6.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    modes = ["none"] + (["bwrap"] if bwrap_problem() is None else [])
    for mode in modes:
        report(f"zebench, --sandbox {mode}", [asyncio.run(zebench_once(mode, args.calls)) for _ in range(args.repeats)])
    report("SDK stdio_client, bare", [asyncio.run(bare_once(args.calls)) for _ in range(args.repeats)])


if __name__ == "__main__":
    main()
