"""Runs the real milestones program as ``pulumi preview/up/refresh/destroy`` would.

The program runs under ``pulumi.runtime.set_mocks``; every ``TargetGroup`` registration is
turned by the engine double (``tests/engine.py``) into the engine's calls on a real provider
server. One provider process per engine run, as the CLI does (``up`` is a preview run, then
an update run). Stack config comes from the project's own ``Pulumi.<stack>.yaml``, with
overrides (the emulator's URL) as ``pulumi config set`` would make them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import runpy
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml

from tests.engine import ROOT, TYPE, CheckFailed, Engine, ProviderError, ProviderProcess, Step

PROJECT = "capillary-milestones"


class RunEnded(Exception):
    """A registration the runtime started after its run had already failed."""


class _AlreadyReported(logging.Filter):
    """A run raises the first error its registrations met; the futures pulumi's runtime left
    holding those errors are collected later, and asyncio would log each as never retrieved."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, (ProviderError, CheckFailed, RunEnded))


logging.getLogger("asyncio").addFilter(_AlreadyReported())


def copy_project(destination: Path) -> Path:
    """A scratch copy of the project (program, data files, stack files) to edit freely."""
    for name in (
        "Pulumi.yaml",
        "Pulumi.dev.yaml",
        "Pulumi.uat.yaml",
        "Pulumi.prod-eu.yaml",
        "Pulumi.prod-us.yaml",
    ):
        shutil.copy(ROOT / name, destination / name)
    shutil.copytree(
        ROOT / "programs", destination / "programs", ignore=shutil.ignore_patterns("__pycache__")
    )
    return destination


def scratch_checkout(destination: Path) -> Path:
    """A copy of the checkout that ``make`` and ``programs/dev.sh`` can run in: their state
    (``.emulator``, ``.pulumi``, stack files) lands there, never in the user's working tree.
    Its ``.venv`` is this suite's own, and its ``pyproject.toml`` is older: ``make`` never
    rebuilds it."""
    import sys

    destination.mkdir(parents=True, exist_ok=True)
    import os

    for name in ("Makefile", "pyproject.toml"):
        shutil.copy2(ROOT / name, destination / name)
    os.utime(destination / "pyproject.toml", (0, 0))  # older than the venv: never rebuilt
    copy_project(destination)
    shutil.copytree(ROOT / "tools", destination / "tools", ignore=shutil.ignore_patterns("bin"))
    (destination / ".venv").symlink_to(Path(sys.executable).parent.parent)
    return destination


class _EngineMocks(pulumi.runtime.Mocks):
    def __init__(self, engine: Engine, preview: bool) -> None:
        self.engine = engine
        self.preview = preview
        self.steps: list[Step] = []
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._in_flight = 0
        self._ended = False

    def settle(self, timeout: float = 60) -> None:
        """A failed run: registrations still running finish, as the engine lets in-flight
        steps finish, before the provider process is stopped; later ones are not started."""
        with self._idle:
            self._idle.wait_for(lambda: self._in_flight == 0, timeout)
            self._ended = True

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[Any, dict]:
        if args.typ != TYPE:
            return f"{args.name}-id", dict(args.inputs)
        inputs = {k: v for k, v in args.inputs.items() if k != "__provider"}
        with self._lock:
            if self._ended:
                raise RunEnded(args.name)
            self._in_flight += 1
        try:
            step = self.engine.register(args.name, inputs, preview=self.preview)
        except BaseException as error:
            with self._lock:
                self.errors.append(error)
            raise
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()
        with self._lock:
            self.steps.append(step)
        stored = self.engine.resources.get(args.name)
        if self.preview or stored is None:
            return (stored or {}).get("id"), step.inputs or {}
        return stored["id"], stored["outputs"]

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:
        return {}


@dataclass
class Run:
    steps: list[Step]
    outputs: dict[str, Any] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    stderr: str = ""

    def ops(self) -> dict[str, str]:
        return {s.name: s.op for s in self.steps}

    def changes(self) -> dict[str, str]:
        return {name: op for name, op in self.ops().items() if op != "same"}


class ProgramStack:
    """One stack of the project: its config file, its state file, its provider processes."""

    def __init__(
        self,
        project: Path,
        stack: str,
        state_dir: Path,
        overrides: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
        provider_module: str = "pulumi.dynamic",
    ):
        self.provider_module = provider_module
        self.project = project
        self.stack = stack
        self.state_file = state_dir / f"{stack}.json"
        self.env = env or {}
        config_file = project / f"Pulumi.{stack}.yaml"
        declared = yaml.safe_load((project / "Pulumi.yaml").read_text()).get("config") or {}
        # the project's declared defaults, then the stack file, as the engine merges them
        self.config = {
            k: v["default"] for k, v in declared.items() if isinstance(v, dict) and "default" in v
        }
        self.config.update(yaml.safe_load(config_file.read_text())["config"])
        self.config.update(overrides or {})

    @contextlib.contextmanager
    def _engine(self) -> Iterator[Engine]:
        process = ProviderProcess(env=self.env, cwd=self.project, module=self.provider_module)
        with process:
            # Configure receives the whole stack configuration, project keys included
            # (held against the real engine in tests/real_cli/test_double.py)
            process.configure({k: str(v) for k, v in self.config.items()})
            yield Engine(process, self.state_file, stack=self.stack)

    def _run_program(self, engine: Engine, preview: bool) -> Run:
        mocks = _EngineMocks(engine, preview)
        pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=self.stack, preview=preview)
        pulumi.runtime.set_all_config(
            {k: str(v) for k, v in self.config.items() if k.startswith(PROJECT + ":")}
        )
        outputs: dict[str, Any] = {}
        program = self.project / "programs" / "milestones" / "__main__.py"

        @pulumi.runtime.test
        def run() -> Any:
            runpy.run_path(str(program), run_name="__main__")
            root = pulumi.runtime.get_root_resource()
            return pulumi.Output.from_input(root.outputs).apply(outputs.update)

        try:
            run()
        except BaseException:
            mocks.settle()
            if mocks.errors:
                raise mocks.errors[0] from None
            raise
        if mocks.errors:
            raise mocks.errors[0]
        registered = {step.name for step in mocks.steps}
        deleted = [name for name in engine.resources if name not in registered]
        for name in deleted:
            engine.remove(name, preview=preview)
        return Run(mocks.steps, outputs, deleted, engine.provider.stderr())

    def preview(self) -> Run:
        with self._engine() as engine:
            return self._run_program(engine, preview=True)

    def up(self, skip_preview: bool = False) -> Run:
        if not skip_preview:
            self.preview()
        with self._engine() as engine:
            return self._run_program(engine, preview=False)

    def refresh(self) -> list[Step]:
        with self._engine() as engine:
            return engine.refresh()

    def destroy(self) -> tuple[list[Step], str]:
        with self._engine() as engine:
            return engine.destroy(), engine.provider.stderr()

    @property
    def resources(self) -> dict[str, dict]:
        if not self.state_file.exists():
            return {}
        return json.loads(self.state_file.read_text())["resources"]
