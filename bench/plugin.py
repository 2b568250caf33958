"""The real ``pulumi preview`` of 10 and 100 milestones (fresh, and unchanged after an ``up``)
and ``pulumi up`` of 50, on the resource provider ``capillary``, against the dynamic provider
and a trivial Python resource provider (``_trivial_plugin.py``: the same SDK server, doing
nothing) in the same run. Several interleaved samples, medians. Goals: the plugin within 1.1×
the trivial plugin, and not slower than the dynamic provider. Needs the Pulumi CLI.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import _common  # noqa: F401 - puts the repository on sys.path
from _common import ROOT, EmulatorProcess, Stack, median, report
from tests.real_cli.harness import find_cli

SAMPLES = int(os.environ.get("BENCH_SAMPLES", "3"))
PROGRAMS = {
    "plugin": """
import json
import pulumi_capillary.plugin as capillary
body = json.load(open({seed!r}))
for i in range({count}):
    capillary.TargetGroup(f"m{{i}}", capillary.TargetGroupArgs.from_body(
        {{**body, "name": f"bench-{{{run!r}}}-{{i:03d}}"}}))
""",
    "dynamic": """
import json
from pulumi_capillary import TargetGroup, TargetGroupArgs
body = json.load(open({seed!r}))
for i in range({count}):
    TargetGroup(f"m{{i}}", TargetGroupArgs.from_body(
        {{**body, "name": f"bench-{{{run!r}}}-{{i:03d}}"}}))
""",
    "trivial": """
import json
import pulumi
body = json.load(open({seed!r}))
for i in range({count}):
    pulumi.CustomResource("trivial:index:Thing", f"m{{i}}", {{**body, "name": f"t-{{i:03d}}"}})
""",
}


def _trivial_plugin(base: Path) -> None:
    bin_dir = base / "bin"
    bin_dir.mkdir()
    script = bin_dir / "pulumi-resource-trivial"
    script.write_text(
        f'#!/bin/sh\nexec {sys.executable} {ROOT / "bench" / "_trivial_plugin.py"} "$@"\n'
    )
    script.chmod(0o755)


def _figures(name: str, timings: dict[str, list[float]]) -> None:
    for kind, values in timings.items():
        report(f"{name}.{kind}_s", f"min {min(values):.2f}, median {median(values):.2f}")
    for other, goal in (("trivial", "≤ 1.1"), ("dynamic", "≤ 1.0")):
        paired = sorted(p / o for p, o in zip(timings["plugin"], timings[other], strict=True))
        report(
            f"{name}.plugin_over_{other}",
            f"min {paired[0]:.2f}, median {median(paired):.2f} (goal: {goal})",
        )


def main() -> None:
    seed = str(ROOT / "tests" / "data" / "seed" / "be02.request.json")
    cli = find_cli()
    if cli is None:
        sys.exit("bench/plugin.py needs the Pulumi CLI: run `make pulumi` first")
    with EmulatorProcess() as emulator, tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        _trivial_plugin(base)
        env = {
            "PATH": f"{cli}:{Path(sys.executable).parent}:/usr/bin:/bin",
            "BENCH_CLI": str(cli / "pulumi"),
            "HOME": tmp,
            "PULUMI_CONFIG_PASSPHRASE": "bench",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_PYTHON_CMD": sys.executable,
            "CAPILLARY_BASE_URL": emulator.url,
            "CAPILLARY_USERNAME": emulator.username,
            "CAPILLARY_PASSWORD": emulator.password,
            "CAPILLARY_DELETION_POLICY": "delete",
        }
        plugins = {"capillary": Path(sys.executable).parent, "trivial": base / "bin"}
        for count in (10, 100):
            stacks = {
                kind: Stack(
                    base,
                    f"{kind}{count}",
                    text.format(seed=seed, count=count, run=kind),
                    env,
                    plugins,
                )
                for kind, text in PROGRAMS.items()
            }
            for moment in ("fresh", "no-change"):
                if moment == "no-change":
                    for stack in stacks.values():
                        stack.pulumi("up", "--yes", "--skip-preview")
                timings: dict[str, list[float]] = {kind: [] for kind in stacks}
                for _ in range(SAMPLES):  # interleaved: a noisy moment hits all three
                    for kind, stack in stacks.items():
                        timings[kind].append(stack.pulumi("preview"))
                _figures(f"plugin.preview_{count}_{moment}", timings)
            for stack in stacks.values():
                stack.pulumi("destroy", "--yes", "--skip-preview")
        timings = {kind: [] for kind in PROGRAMS}
        for sample in range(SAMPLES):
            for kind, text in PROGRAMS.items():
                program = text.format(seed=seed, count=50, run=f"{kind}{sample}")
                stack = Stack(base, f"up-{kind}-{sample}", program, env, plugins)
                timings[kind].append(stack.pulumi("up", "--yes", "--skip-preview"))
                stack.pulumi("destroy", "--yes", "--skip-preview")
        _figures("plugin.up_50", timings)


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
