"""Runs on other machines, whatever the engine: what travels to a worker and how a worker runs it.

A worker never reads the coordinator's files. It gets:

* each scenario's content (the scenario folder and its tiers' prompt files, as a tar archive) once, named by the
  scenario's content hash (``Scenario.content_hash``), and keeps it in its cache (``ZEBENCH_CACHE_DIR``, default
  ``~/.cache/zebench``, under ``scenarios/<hash>``) after checking that hash;
* one :class:`BatchPackage` per batch: the run settings (:class:`RemoteOptions`), the files that agent settings
  name (``Agent.file_settings``: a replay file), and the agents registered in the coordinator's process with
  ``register_agent`` (pickled by value with cloudpickle: a script's or a test's own agent runs on the workers);
* one small :class:`RemoteRun` per run: which scenario, tier, agent, model and repeat.

None of them carries a secret: API keys are read by the agents from the worker's own environment, and run_one
redacts the record on the worker with that environment's secrets (the store redacts again with the
coordinator's). The worker runs the whole run (workspace, agent, validation, evaluation) with run_one, so the
sandbox and the limits apply there as they do locally.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import secrets
import shutil
import tarfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ...agents import agent_class, register_agent, registered_agents
from ...catalog import IGNORED_DIRS, Scenario, load_spec, read_regular, special_file_error, special_file_kind
from ...isolation.processes import Limits
from ...isolation.toolchain import cache_dir
from ...models import RunRecord, SuitePolicy
from ...models.specialist import Specialist
from ..runner import BaselineCache, RunOptions


class RemoteError(Exception):
    """What a worker received cannot be used (content that does not match its hash...)."""


class RemoteOptions(BaseModel):
    """The RunOptions that travel: everything but the baseline cache (each worker keeps its own)."""

    model_config = ConfigDict(extra="forbid")

    timeout_seconds: float | None = None
    command_timeout: float = 60.0
    keep_workspaces: bool = False
    #: A path on the workers (created there when missing); None: their temp dir.
    workspace_root: str | None = None
    agent_settings: dict[str, Any] = Field(default_factory=dict)
    judge_settings: dict[str, Any] = Field(default_factory=dict)
    git_commit: str | None = None
    #: The mode asked for (auto, bwrap, none): each worker resolves it for itself.
    sandbox: str = "auto"
    agent_network: bool = False
    max_processes: int | None = None
    max_memory_bytes: int | None = None
    max_file_size_bytes: int | None = None

    @classmethod
    def of(cls, options: RunOptions) -> RemoteOptions:
        return cls(
            timeout_seconds=options.timeout_seconds,
            command_timeout=options.command_timeout,
            keep_workspaces=options.keep_workspaces,
            workspace_root=str(options.workspace_root) if options.workspace_root is not None else None,
            agent_settings=options.agent_settings,
            judge_settings=options.judge_settings,
            git_commit=options.git_commit,
            sandbox=options.sandbox,
            agent_network=options.agent_network,
            max_processes=options.limits.processes,
            max_memory_bytes=options.limits.memory_bytes,
            max_file_size_bytes=options.limits.file_size_bytes,
        )

    def run_options(self, agent_settings: dict[str, Any], baselines: BaselineCache | None) -> RunOptions:
        return RunOptions(
            timeout_seconds=self.timeout_seconds,
            command_timeout=self.command_timeout,
            keep_workspaces=self.keep_workspaces,
            workspace_root=Path(self.workspace_root) if self.workspace_root is not None else None,
            agent_settings=agent_settings,
            judge_settings=self.judge_settings,
            git_commit=self.git_commit,
            baselines=baselines,
            sandbox=self.sandbox,
            agent_network=self.agent_network,
            limits=Limits(
                processes=self.max_processes,
                memory_bytes=self.max_memory_bytes,
                file_size_bytes=self.max_file_size_bytes,
            ),
        )


class ShippedFile(BaseModel):
    """A file an agent setting names on the coordinator (``replay_file``), with its content."""

    model_config = ConfigDict(extra="forbid", ser_json_bytes="base64", val_json_bytes="base64")

    setting: str
    #: The path given on the coordinator: the run's manifest keeps it (the worker reads a copy).
    path: str
    sha256: str
    data: bytes


class BatchPackage(BaseModel):
    """What every run of a batch shares, sent once to each worker."""

    model_config = ConfigDict(extra="forbid", ser_json_bytes="base64", val_json_bytes="base64")

    batch_id: str
    zebench_version: str
    options: RemoteOptions
    agents: list[str]
    models: list[str] = Field(default_factory=list)
    files: list[ShippedFile] = Field(default_factory=list)
    #: cloudpickle of {name: Agent subclass} for the agents registered in the coordinator's process.
    agent_classes: bytes | None = None
    #: The LLM judge's key variables, each with the scenarios whose judge needs it: every worker must have them.
    judge_keys: dict[str, list[str]] = Field(default_factory=dict)

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> BatchPackage:
        return cls.model_validate_json(data)


class RemoteRun(BaseModel):
    """One run, as a worker gets it (a few hundred bytes: the content comes by hash)."""

    model_config = ConfigDict(extra="forbid")

    batch_id: str
    #: The engine's name for this attempt's task (unique per submission).
    task_key: str
    suite: str
    scenario: str
    tier: str
    agent: str
    model: str | None = None
    repeat_index: int = 0
    scenario_hash: str
    #: Prompt file names by tier (the files are in the scenario's archive).
    prompts: dict[str, str]
    warnings: list[str] = Field(default_factory=list)
    policy: SuitePolicy = Field(default_factory=SuitePolicy)
    #: The run's specialist, whole (templates travel as data; files its MCP entries name must exist there).
    specialist: Specialist | None = None


# --------------------------------------------------------------------------------------------------------------
# The coordinator's side
# --------------------------------------------------------------------------------------------------------------


def pack_scenario(scenario: Scenario) -> bytes:
    """The scenario folder (``scenario/``) and its prompt files (``prompts/<file>``) as a gzipped tar archive:
    folders, regular files with their modes and symlinks as links, skipping IGNORED_DIRS (as the content hash
    and the workspace copy do). Owners and times are not content: they are left out."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as tar:

        def add(path: Path, name: str) -> None:
            info = tar.gettarinfo(str(path), arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = 0
            if info.isreg():
                tar.addfile(info, io.BytesIO(read_regular(path)))  # never blocks on what became a FIFO
            elif info.isdir() or info.issym():
                tar.addfile(info)
            else:  # FIFOs, sockets and devices are not content: the catalog refuses them, so must this
                raise special_file_error(path, special_file_kind(os.lstat(path).st_mode) or "not a regular file")

        for dirpath, dirnames, filenames in os.walk(scenario.dir):
            base = Path(dirpath)
            rel = base.relative_to(scenario.dir).as_posix()
            prefix = "scenario" if rel == "." else f"scenario/{rel}"
            add(base, prefix)
            dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_DIRS)
            for d in list(dirnames):  # a symlink to a folder is a link, never followed
                if (base / d).is_symlink():
                    add(base / d, f"{prefix}/{d}")
                    dirnames.remove(d)
            for name in sorted(filenames):
                add(base / name, f"{prefix}/{name}")
        add_dir = tarfile.TarInfo("prompts")
        add_dir.type, add_dir.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(add_dir)
        for _, path in sorted(scenario.prompts.items()):
            add(path, f"prompts/{path.name}")
    return buffer.getvalue()


def remote_run(
    scenario: Scenario,
    *,
    batch_id: str,
    task_key: str,
    tier: str,
    agent: str,
    model: str | None,
    repeat_index: int,
    specialist: Specialist | None = None,
) -> RemoteRun:
    return RemoteRun(
        batch_id=batch_id,
        task_key=task_key,
        suite=scenario.suite,
        scenario=scenario.name,
        tier=tier,
        agent=agent,
        model=model,
        repeat_index=repeat_index,
        scenario_hash=scenario.content_hash,
        prompts={t: p.name for t, p in scenario.prompts.items()},
        warnings=list(scenario.warnings),
        policy=scenario.policy,
        specialist=specialist,
    )


def batch_package(
    batch_id: str,
    options: RunOptions,
    agents: list[str],
    models: list[str],
    scenarios: Iterable[Scenario] = (),
) -> BatchPackage:
    """The batch's settings, the files its agents' settings name (read now, on this machine), the agents
    registered in this process and the judge's keys the ``scenarios`` need. Raises OSError when such a file cannot
    be read."""
    import cloudpickle  # type: ignore[import-untyped]  # a dependency of dask (and of every remote engine we know); imported only here

    from ...constants import zebench_version
    from ...evaluators.judge import missing_judge_keys

    files: list[ShippedFile] = []
    for name in agents:
        for setting in agent_class(name).file_settings:
            value = options.agent_settings.get(setting)
            if value and all(f.setting != setting for f in files):
                data = Path(value).read_bytes()
                files.append(
                    ShippedFile(setting=setting, path=str(value), sha256=hashlib.sha256(data).hexdigest(), data=data)
                )
    local = {n: c for n, c in registered_agents().items() if n in agents}
    classes = None
    if local:
        # By value: the workers need not be able to import the module that defines them (a script, a test).
        import sys

        modules = {sys.modules[c.__module__] for c in local.values() if c.__module__ in sys.modules}
        for module in modules:
            cloudpickle.register_pickle_by_value(module)
        try:
            classes = cloudpickle.dumps(local)
        finally:
            for module in modules:
                cloudpickle.unregister_pickle_by_value(module)
    return BatchPackage(
        batch_id=batch_id,
        zebench_version=zebench_version(),
        options=RemoteOptions.of(options),
        agents=list(agents),
        models=list(models),
        files=files,
        agent_classes=classes,
        judge_keys={
            key: [name for name, _ in needs]
            for key, needs in missing_judge_keys(
                {s.key: s.spec.llm_judge for s in scenarios}, options.judge_settings, environ={}
            ).items()
        },
    )


# --------------------------------------------------------------------------------------------------------------
# The worker's side
# --------------------------------------------------------------------------------------------------------------


class ScenarioCache:
    """Scenario content on a worker, by content hash: ``<root>/<hash>/{scenario,prompts}``. Safe for the runs of
    one process (a lock per hash) and for several processes sharing the folder (a finished folder appears by an
    atomic rename, after its hash was checked)."""

    def __init__(self, root: Path | None = None):
        self.root = root or cache_dir() / "scenarios"
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def path(self, content_hash: str) -> Path:
        return self.root / content_hash

    def ensure(self, run: RemoteRun, archive: bytes) -> Path:
        """The folder holding ``run``'s scenario content, unpacked from ``archive`` if this machine lacks it.
        Blocking (call it in a thread)."""
        content_hash = run.scenario_hash
        if len(content_hash) != 64 or not all(c in "0123456789abcdef" for c in content_hash):
            raise RemoteError(f"not a content hash: {content_hash!r}")
        final = self.path(content_hash)
        if final.is_dir():
            return final
        with self._guard:
            lock = self._locks.setdefault(content_hash, threading.Lock())
        with lock:
            if final.is_dir():
                return final
            self.root.mkdir(parents=True, exist_ok=True)
            tmp = self.root / f".unpack-{content_hash[:16]}-{secrets.token_hex(4)}"
            try:
                with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
                    # "tar": no absolute names, nothing outside the folder (also through an unpacked link), no
                    # set-id bits; links inside the content keep their targets, as the fixture has them.
                    tar.extractall(tmp, filter="tar")
                found = self._scenario(run, tmp).content_hash
                if found != content_hash:
                    raise RemoteError(
                        f"the content of {run.suite}/{run.scenario} does not match its hash "
                        f"({found} instead of {content_hash})"
                    )
                try:
                    os.rename(tmp, final)
                except OSError:
                    if not final.is_dir():  # another process got there first: theirs is as good
                        raise
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            return final

    @staticmethod
    def _scenario(run: RemoteRun, root: Path) -> Scenario:
        return Scenario(
            suite=run.suite,
            name=run.scenario,
            dir=root / "scenario",
            spec=load_spec(root / "scenario" / "scenario.yaml"),
            prompts={tier: root / "prompts" / name for tier, name in run.prompts.items()},
            warnings=list(run.warnings),
            policy=run.policy,
        )

    def scenario(self, run: RemoteRun, root: Path) -> Scenario:
        """The Scenario of ``run`` over its unpacked content (its hash already checked: not computed again)."""
        scenario = self._scenario(run, root)
        scenario.__dict__["content_hash"] = run.scenario_hash  # the cached_property's slot
        return scenario


class PreparedBatch:
    """A batch package made ready on a worker: its files written to the cache, its agents registered."""

    def __init__(self, package: BatchPackage, files_root: Path | None = None):
        self.package = package
        root = files_root or cache_dir() / "files"
        settings = dict(package.options.agent_settings)
        for shipped in package.files:
            if hashlib.sha256(shipped.data).hexdigest() != shipped.sha256:
                raise RemoteError(f"the content of {shipped.setting} does not match its hash")
            path = root / shipped.sha256
            if not path.is_file():
                root.mkdir(parents=True, exist_ok=True)
                tmp = root / f".{shipped.sha256[:16]}-{secrets.token_hex(4)}"
                tmp.write_bytes(shipped.data)
                os.replace(tmp, path)
            settings[shipped.setting] = str(path)
        #: The agent settings of the runs here: file settings point at the local copies.
        self.agent_settings = settings
        self.agent_classes: dict[str, Any] = pickle.loads(package.agent_classes) if package.agent_classes else {}

    def register_agents(self) -> None:
        for name, cls in self.agent_classes.items():
            register_agent(name, cls)

    def options(self, baselines: BaselineCache | None) -> RunOptions:
        return self.package.options.run_options(self.agent_settings, baselines)

    def as_given(self, record: RunRecord) -> RunRecord:
        """The record with the file settings in its manifest as the coordinator gave them (the run read a copy
        with the same content)."""
        if self.package.files and record.manifest is not None:
            agent_settings = record.manifest.settings.get("agentSettings")
            if isinstance(agent_settings, dict):
                for shipped in self.package.files:
                    if shipped.setting in agent_settings:
                        agent_settings[shipped.setting] = shipped.path
        return record

    def check_agents(self) -> list[str]:
        """What keeps this machine from running the batch's agents (a missing API key, a missing CLI)."""
        from ...agents import AgentConfigError

        problems = []
        for name in self.package.agents:
            try:
                agent_class(name).check_settings(self.agent_settings, self.package.models)
            except AgentConfigError as exc:
                problems.append(f"agent {name}: {exc}")
        for key, scenarios in self.package.judge_keys.items():
            if not os.environ.get(key):  # the judge reads its key here, where the runs are evaluated
                problems.append(
                    f"the LLM judge needs {key}, which is not set in this worker's environment "
                    f"({', '.join(scenarios[:5])}{' ...' if len(scenarios) > 5 else ''} enable it); set it there, or "
                    "run without the judge: --no-judge (ZEBENCH_RUN_JUDGE=0 makes --no-judge the default)"
                )
        return problems
