"""The real Pulumi CLI on a scratch copy of the project, with a file backend of its own.

Every command runs with its own ``PULUMI_HOME``, a ``file://`` backend, a passphrase, no
update check and no plugin download; results are read from the engine's event log
(``--event-log``) and ``pulumi stack export``, never from the text the CLI prints for people.
Every process a command starts is ended with it (the CLI's plugins outlive a killed CLI).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.program import copy_project

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "real-cli-tests-passphrase"
TYPE = "pulumi-python:dynamic/capillary:TargetGroup"
PLUGIN_TYPE = "capillary:index:TargetGroup"
TYPES = (TYPE, PLUGIN_TYPE)  # a milestone on either provider


def find_cli() -> Path | None:
    """The folder of the CLI ``make test`` found (``CAPILLARY_PULUMI_DIR``), else PATH's,
    else the pinned build if it was made (``make pulumi``)."""
    chosen = os.environ.get("CAPILLARY_PULUMI_DIR")
    if chosen and (Path(chosen) / "pulumi").exists():
        return Path(chosen)
    found = shutil.which("pulumi")
    if found:
        return Path(found).parent
    built = pinned_dir()
    return built if (built / "pulumi").exists() else None


def pinned_dir() -> Path:
    """Where ``tools/pulumi/build.sh`` puts (or put) the pinned CLI."""
    built = subprocess.run(
        ["bash", str(ROOT / "tools" / "pulumi" / "build.sh"), "--dir"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return Path(built)


@dataclass
class Run:
    """One CLI command: its exit code, output and the engine's events."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    events: list[dict[str, Any]]

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def ops(self) -> dict[str, str]:
        """Resource name → the step the engine took (``create``, ``update``, ``same``, ...)."""
        steps: dict[str, str] = {}
        for event in self.events:
            meta = event.get("resourcePreEvent", {}).get("metadata")
            if meta and meta.get("type") in TYPES:
                name = meta["urn"].rsplit("::", 1)[1]
                op = meta["op"]
                steps[name] = op if name not in steps else f"{steps[name]}+{op}"
        return steps

    def step_metadata(self, name: str) -> list[dict[str, Any]]:
        return [
            e["resourcePreEvent"]["metadata"]
            for e in self.events
            if e.get("resourcePreEvent", {})
            .get("metadata", {})
            .get("urn", "")
            .endswith("::" + name)
        ]

    def diagnostics(self, severity: str | None = None) -> list[str]:
        return [
            e["diagnosticEvent"]["message"]
            for e in self.events
            if "diagnosticEvent" in e
            and (severity is None or e["diagnosticEvent"].get("severity") == severity)
        ]

    def shown(self) -> list[str]:
        """The diagnostics a user sees (the provider's stderr arrives as ``info#err``)."""
        return [m for e in self.events if (m := _shown(e))]

    def summary(self) -> Counter[str]:
        for event in self.events:
            if "summaryEvent" in event:
                return Counter(event["summaryEvent"].get("resourceChanges") or {})
        return Counter()


def _environment(tmp_path: Path, cli: Path) -> dict[str, str]:
    """What every command runs with: its own Pulumi home and file backend, a passphrase, no
    update check and no plugin download."""
    home = tmp_path / "pulumi-home"
    state = tmp_path / "state"
    home.mkdir(exist_ok=True)
    state.mkdir(exist_ok=True)
    venv_bin = Path(sys.executable).parent
    base = {
        "PATH": f"{cli}:{venv_bin}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PULUMI_HOME": str(home),
        "PULUMI_BACKEND_URL": f"file://{state}",
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DEBUG_COMMANDS": "true",  # enables --event-log
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_PYTHON_CMD": sys.executable,
        "PYTHONDONTWRITEBYTECODE": "1",
        "LANG": "C.UTF-8",
    }
    for key in ("TMPDIR", "CI"):
        if key in os.environ:
            base[key] = os.environ[key]
    return base


def _shown(event: dict[str, Any]) -> str:
    diagnostic = event.get("diagnosticEvent") or {}
    return "" if diagnostic.get("severity") == "debug" else str(diagnostic.get("message", ""))


@dataclass
class Project:
    """A scratch copy of the project and the environment the real CLI runs it in."""

    directory: Path
    cli: Path
    env: dict[str, str] = field(default_factory=dict)
    timeout: float = 240
    engine: str = "dynamic"  # the catalog's provider: "dynamic" or "plugin"

    @classmethod
    def copy(
        cls,
        tmp_path: Path,
        cli: Path,
        env: dict[str, str] | None = None,
        engine: str = "dynamic",
    ) -> Project:
        directory = tmp_path / "project"
        directory.mkdir()
        copy_project(directory)
        # Pulumi.yaml finds the resource provider `capillary` in the project's .venv/bin
        (directory / ".venv").symlink_to(Path(sys.executable).parent.parent)
        for stack_file in directory.glob("Pulumi.*.yaml"):  # salts of this test's passphrase
            lines = stack_file.read_text().splitlines(keepends=True)
            stack_file.write_text("".join(x for x in lines if not x.startswith("encryptionsalt:")))
        return cls(directory, cli, {**_environment(tmp_path, cli), **(env or {})}, engine=engine)

    @classmethod
    def new(cls, tmp_path: Path, cli: Path, files: dict[str, str], env: dict[str, str]) -> Project:
        """A project of a user's own: these files, and its ``venv`` (this suite's, with the
        package installed); the program runs with that venv's python, as Pulumi.yaml says."""
        directory = tmp_path / "own-project"
        directory.mkdir()
        for name, text in files.items():
            (directory / name).write_text(text)
        (directory / "venv").symlink_to(Path(sys.executable).parent.parent)
        environment = {**_environment(tmp_path, cli), **env}
        environment.pop("PULUMI_PYTHON_CMD")
        return cls(directory, cli, environment)

    @property
    def data_dir(self) -> Path:
        return self.directory / "programs" / "milestones" / "milestones"

    def run(
        self,
        *args: str,
        check: bool = True,
        events: bool = True,
        env: dict[str, str] | None = None,
        stdin: str | None = None,
    ) -> Run:
        """``pulumi ARGS --non-interactive`` (with an event log for the engine's commands)."""
        argv = [str(self.cli / "pulumi"), *args, "--non-interactive"]
        log = self.directory / f".events-{time.monotonic_ns()}.jsonl"
        if events:
            argv += ["--event-log", str(log)]
        process = subprocess.Popen(
            argv,
            cwd=self.directory,
            env={**self.env, **(env or {})},
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(stdin, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            end_tree(process)
            stdout, stderr = process.communicate()
            raise AssertionError(f"pulumi {' '.join(args)} took over {self.timeout} s") from None
        finally:
            end_tree(process)
        found = []
        if log.exists():
            found = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
            log.unlink()
        run = Run(list(args), process.returncode, stdout, stderr, found)
        if check and run.returncode != 0:
            command = " ".join(args)
            raise AssertionError(f"pulumi {command} failed ({run.returncode}):\n{run.output}")
        return run

    # -- the commands the tests use --------------------------------------------------------
    @property
    def type(self) -> str:
        """The milestones' type token on this project's provider."""
        return PLUGIN_TYPE if self.engine == "plugin" else TYPE

    def init(self, stack: str, config: dict[str, str] | None = None) -> None:
        """A new stack; the catalog on this project's provider (``engine``)."""
        self.run("stack", "init", stack, events=False)
        if self.engine != "dynamic":
            config = {"capillary-milestones:engine": self.engine, **(config or {})}
        for key, value in (config or {}).items():
            self.run("config", "set", "--stack", stack, key, value, events=False)

    def set_secret(self, stack: str, key: str, value: str) -> None:
        """``pulumi config set --secret`` with the value on stdin (never in argv)."""
        self.run("config", "set", "--secret", "--stack", stack, key, events=False, stdin=value)

    def preview(
        self, stack: str, *extra: str, check: bool = True, env: dict[str, str] | None = None
    ) -> Run:
        return self.run("preview", "--stack", stack, *extra, check=check, env=env)

    def up(
        self, stack: str, *extra: str, check: bool = True, env: dict[str, str] | None = None
    ) -> Run:
        return self.run("up", "--yes", "--stack", stack, *extra, check=check, env=env)

    def refresh(
        self, stack: str, *extra: str, check: bool = True, env: dict[str, str] | None = None
    ) -> Run:
        return self.run("refresh", "--yes", "--stack", stack, *extra, check=check, env=env)

    def destroy(
        self, stack: str, *extra: str, check: bool = True, env: dict[str, str] | None = None
    ) -> Run:
        return self.run("destroy", "--yes", "--stack", stack, *extra, check=check, env=env)

    def export(self, stack: str) -> dict[str, Any]:
        run = self.run("stack", "export", "--stack", stack, events=False)
        exported: dict[str, Any] = json.loads(run.stdout)
        return exported

    def resources(self, stack: str) -> dict[str, dict[str, Any]]:
        """Our resources in the stack's state, by resource name."""
        deployment = self.export(stack)["deployment"]
        return {
            r["urn"].rsplit("::", 1)[1]: r
            for r in deployment.get("resources") or []
            if r.get("type") in TYPES
        }


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``, read from /proc (the CLI's plugins and the program)."""
    tree, found, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def end_tree(process: subprocess.Popen[str]) -> None:
    """End a CLI and everything it started: its plugins survive it otherwise."""
    kill(descendants(process.pid))
    if process.poll() is None:
        kill([process.pid])
        process.wait()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # anything left in its session
