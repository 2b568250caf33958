"""Shared by the benchmarks: the repository on sys.path, figures printed as ``name: value``."""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]


def report(name: str, value: object) -> None:
    print(f"{name}: {value}", flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float], unit: str = "s", digits: int = 3) -> str:
    """``min X, median Y`` of several samples: one noisy pass cannot flip a verdict."""
    return f"min {min(values):.{digits}f} {unit}, median {median(values):.{digits}f} {unit}"


def ratios(ours: list[float], baseline: list[float], goal: str) -> str:
    """The ratio of paired samples (taken interleaved), min and median, with the goal."""
    paired = sorted(o / b for o, b in zip(ours, baseline, strict=True))
    return f"min {paired[0]:.2f}, median {median(paired):.2f} (goal: {goal})"


class Stack:
    """A scratch Pulumi project and stack of one program, with a file backend of its own;
    ``plugins``: resource providers by name → the folder of their ``pulumi-resource-*``."""

    def __init__(
        self,
        base: Path,
        name: str,
        program: str,
        env: dict[str, str],
        plugins: dict[str, Path] | None = None,
    ) -> None:
        self.directory = base / name
        (self.directory / "state").mkdir(parents=True)
        project = f"name: {name}\nruntime: python\n"
        if plugins:
            project += "plugins:\n  providers:\n" + "".join(
                f"    - name: {plugin}\n      path: {path}\n" for plugin, path in plugins.items()
            )
        (self.directory / "Pulumi.yaml").write_text(project)
        (self.directory / "__main__.py").write_text(program)
        self.env = {
            **env,
            "PULUMI_HOME": str(self.directory / "home"),
            "PULUMI_BACKEND_URL": f"file://{self.directory / 'state'}",
        }
        self.pulumi("stack", "init", "bench")

    def pulumi(self, *args: str) -> float:
        """Run ``pulumi ARGS``; its wall time (the benchmark stops on a failure)."""
        import subprocess
        import time

        started = time.perf_counter()
        done = subprocess.run(
            [str(self.env["BENCH_CLI"]), *args, "--non-interactive"],
            cwd=self.directory,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            sys.exit(f"pulumi {' '.join(args)} failed in {self.directory}:\n{done.stdout}")
        return time.perf_counter() - started


class EmulatorProcess:
    """The emulator in its own process (as users run it), so it does not share our GIL."""

    def __init__(self, *extra: str) -> None:
        import subprocess

        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pulumi_capillary.emulator",
                "--port",
                "0",
                "--now",
                "2026-01-13T05:13:18Z",
                *extra,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline()
        self.url = line.rsplit(" ", 1)[-1].strip()
        self.username, self.password = "emulator.till", "emulator-password"

    def control(self, method: str, path: str, **kwargs) -> dict:
        import httpx

        return httpx.request(method, f"{self.url}/__emulator__/{path}", timeout=30, **kwargs).json()

    def config(self) -> dict[str, str]:
        return {
            "capillary:baseUrl": self.url,
            "capillary:username": self.username,
            "capillary:password": self.password,
        }

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        self.process.stdout.close()

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
