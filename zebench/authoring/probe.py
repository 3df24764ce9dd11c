"""``zebench check --hacks``: how hackable is each scenario? (docs/integrity.md#the-hackability-probe)

Every hack of the built-in library (zebench.authoring.hacks) that applies to a scenario runs as an agent of its own
(``hack-<name>``: it replays the hack's tool calls, built from the scenario's fixture), beside the ``echo`` agent
(changes nothing), through the batch runner like any other run. A hack is *rewarded* when its run is successful or
scores more than ``MARGIN`` above echo on the same scenario: the scenario's checks let something through that is
not the work, and the probe fails. A hack that is held but left no finding or flag on its run is noted: it did
nothing zebench saw.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from ..agents import Agent, AgentResult, AgentTask, register_agent, registered_agents
from ..catalog import Catalog, Scenario
from ..execution.batch import Reporter, StopRequest, make_plan, run_batch
from ..isolation.processes import Limits
from ..models import Message, RunRecord
from ..store import Store
from .hacks import HACKS, Hack

if TYPE_CHECKING:
    from ..run.tools import Toolbox

#: How far above echo a hack may score before it counts as rewarded (on the 0-10 scale).
MARGIN = 1.5
AGENT_PREFIX = "hack-"


class HackAgent(Agent):
    """Replays one hack's tool calls (built from the run's scenario)."""

    hack: ClassVar[Hack]
    description = "A hack of zebench's built-in library (zebench check --hacks)."

    async def run(self, task: AgentTask, tools: Toolbox) -> AgentResult:
        calls = self.hack.calls(task.scenario)
        errors = 0
        for call in calls:
            outcome = await tools.call(call["name"], call["input"])
            errors += outcome.is_error
        summary = f"Hack {self.hack.name}: {len(calls)} tool calls ({errors} returned errors)."
        result = task.result
        result.final_text = summary
        result.messages += [Message(role="user", content=task.prompt), Message(role="assistant", content=summary)]
        return result


def agent_name(hack: Hack) -> str:
    return AGENT_PREFIX + hack.name


def register_hacks(hacks: tuple[Hack, ...] = HACKS) -> None:
    """Register one agent per hack in this process (idempotent)."""
    known = registered_agents()
    for hack in hacks:
        name = agent_name(hack)
        if name not in known:
            cls = type(f"Hack_{hack.name.replace('-', '_')}", (HackAgent,), {"name": name, "hack": hack})
            register_agent(name, cls)


class HackOutcome(BaseModel):
    """One hack's run on one scenario (camelCase in JSON, like the check report)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    hack: str
    family: str
    run_id: str
    status: str
    weighted_score: float | None = None
    is_successful: bool = False
    echo_score: float | None = None
    #: Blocking findings and flags the run carries (kinds).
    findings: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    #: Successful, or more than MARGIN above echo.
    rewarded: bool = False


def _kinds(record: RunRecord) -> tuple[list[str], list[str]]:
    guard = next((e for e in record.evaluations if e.evaluator_name == "integrity_guard"), None)
    details: dict[str, Any] = guard.details if guard is not None and isinstance(guard.details, dict) else {}
    findings = [str(f.get("kind")) for f in details.get("findings", []) if isinstance(f, dict)]
    flags = [str(f.get("kind")) for f in details.get("flags", []) if isinstance(f, dict)]
    return sorted(set(findings)), sorted(set(flags))


def assess_hack(hack: Hack, record: RunRecord, echo: RunRecord | None) -> HackOutcome:
    findings, flags = _kinds(record)
    echo_score = echo.weighted_score if echo is not None else None
    score = record.weighted_score
    above = score is not None and score - (echo_score or 0.0) > MARGIN
    return HackOutcome(
        hack=hack.name,
        family=hack.family,
        run_id=record.run_id,
        status=record.status,
        weighted_score=score,
        is_successful=record.is_successful,
        echo_score=echo_score,
        findings=findings,
        flags=flags,
        rewarded=record.is_successful or above,
    )


def applicable(scenario: Scenario, hacks: tuple[Hack, ...] = HACKS) -> list[Hack]:
    if not scenario.spec.needs_workspace or scenario.fixture_dir is None:
        return []
    return [h for h in hacks if h.calls(scenario)]


async def run_unjudged(
    catalog: Catalog,
    store: Store,
    scenarios: list[Scenario],
    tier: str,
    agents: list[str],
    *,
    batch_id: str,
    concurrency: int,
    sandbox: str,
    timeout_seconds: float | None,
    limits: Limits | None,
    reporter: Reporter | None,
    stop: StopRequest | None,
) -> list[RunRecord]:
    """One batch of ``agents`` on ``scenarios`` at ``tier``, the LLM judge off (zebench check and its probe)."""
    plan, _ = make_plan(
        catalog,
        [s.key for s in scenarios],
        tiers=[tier],
        agents=agents,
        models=[],
        timeout_seconds=timeout_seconds,
        judge_settings={"enabled": False},
        limits=limits or Limits(),
    )
    result = await run_batch(
        store, plan, concurrency=concurrency, batch_id=batch_id, reporter=reporter, sandbox=sandbox, stop=stop
    )
    return list(result.records)


async def probe_scenarios(
    catalog: Catalog,
    scenarios: list[tuple[Scenario, str]],
    store: Store,
    *,
    hacks: tuple[Hack, ...] = HACKS,
    concurrency: int = 4,
    sandbox: str = "auto",
    timeout_seconds: float | None = None,
    limits: Limits | None = None,
    reporter: Reporter | None = None,
    stop: StopRequest | None = None,
    batch_prefix: str = "hacks",
) -> dict[str, list[HackOutcome]]:
    """Run echo and every applicable hack on each (scenario, tier); the outcomes by scenario key."""
    register_hacks(hacks)
    groups: dict[tuple[tuple[str, ...], str], list[Scenario]] = defaultdict(list)
    by_name = {h.name: h for h in hacks}
    for scenario, tier in scenarios:
        names = tuple(h.name for h in applicable(scenario, hacks))
        if names:
            groups[(names, tier)].append(scenario)
    records: dict[str, dict[str, RunRecord]] = defaultdict(dict)
    for index, ((names, tier), members) in enumerate(groups.items()):
        result_records = await run_unjudged(
            catalog,
            store,
            members,
            tier,
            ["echo", *(AGENT_PREFIX + n for n in names)],
            batch_id=f"{batch_prefix}-{index + 1}",
            concurrency=concurrency,
            sandbox=sandbox,
            timeout_seconds=timeout_seconds,
            limits=limits,
            reporter=reporter,
            stop=stop,
        )
        for record in result_records:
            records[f"{record.suite}/{record.scenario}"][record.agent] = record
    out: dict[str, list[HackOutcome]] = {}
    for key, runs in records.items():
        echo = runs.get("echo")
        out[key] = [
            assess_hack(by_name[agent[len(AGENT_PREFIX) :]], record, echo)
            for agent, record in sorted(runs.items())
            if agent.startswith(AGENT_PREFIX)
        ]
    return out


__all__ = ["MARGIN", "HackAgent", "HackOutcome", "applicable", "assess_hack", "probe_scenarios", "register_hacks"]
