"""The real ``pulumi preview`` of 10 and 100 milestones, against as many trivial resources.

Both programs register the same request body per resource (the seed page's BE02, a name
each); one through ``TargetGroup`` and our provider, one through a dynamic provider that does
nothing (``_trivial.py``). Two previews each: a fresh stack (every resource a create: Check
only) and, after an ``up``, a preview with no change (Check and Diff). Several samples, the
median ratio printed (goal ≤ 1.2×). Needs the Pulumi CLI: ``make pulumi`` builds it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import _common  # noqa: F401 - puts the repository on sys.path
from _common import ROOT, EmulatorProcess, Stack, median, report
from tests.real_cli.harness import find_cli

SAMPLES = int(os.environ.get("BENCH_SAMPLES", "5"))
OURS = """
import json
from pulumi_capillary import TargetGroup, TargetGroupArgs
body = json.load(open({seed!r}))
for i in range({count}):
    TargetGroup(f"m{{i}}", TargetGroupArgs.from_body({{**body, "name": f"bench-{{i:03d}}"}}))
"""
TRIVIAL = """
import json
from _trivial import Trivial
body = json.load(open({seed!r}))
for i in range({count}):
    Trivial(f"m{{i}}", {{**body, "name": f"bench-{{i:03d}}"}})
"""


def cli() -> Path:
    found = find_cli()
    if found is None:
        sys.exit("bench/engine.py needs the Pulumi CLI: run `make pulumi` first")
    return found


def main() -> None:
    seed = str(ROOT / "tests" / "data" / "seed" / "be02.request.json")
    with EmulatorProcess() as emulator, tempfile.TemporaryDirectory() as tmp:
        env = {
            "PATH": f"{cli()}:{Path(sys.executable).parent}:/usr/bin:/bin",
            "BENCH_CLI": str(cli() / "pulumi"),
            "HOME": tmp,
            "PULUMI_CONFIG_PASSPHRASE": "bench",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_PYTHON_CMD": sys.executable,
            "PYTHONPATH": str(ROOT / "bench"),
            "CAPILLARY_BASE_URL": emulator.url,
            "CAPILLARY_USERNAME": emulator.username,
            "CAPILLARY_PASSWORD": emulator.password,
            "CAPILLARY_DELETION_POLICY": "delete",
        }
        for count in (10, 100):
            ours = Stack(Path(tmp), f"ours{count}", OURS.format(seed=seed, count=count), env)
            base = Stack(Path(tmp), f"trivial{count}", TRIVIAL.format(seed=seed, count=count), env)
            for kind in ("fresh", "no-change"):
                if kind == "no-change":
                    ours.pulumi("up", "--yes", "--skip-preview")
                    base.pulumi("up", "--yes", "--skip-preview")
                timings = {"ours": [], "trivial": []}
                for _ in range(SAMPLES):  # interleaved: a noisy moment hits both
                    timings["trivial"].append(base.pulumi("preview"))
                    timings["ours"].append(ours.pulumi("preview"))
                ratios = sorted(
                    o / t for o, t in zip(timings["ours"], timings["trivial"], strict=True)
                )
                name = f"engine.preview_{count}_{kind}"
                report(
                    f"{name}.trivial_s",
                    f"min {min(timings['trivial']):.2f}, median {median(timings['trivial']):.2f}",
                )
                report(
                    f"{name}.ours_s",
                    f"min {min(timings['ours']):.2f}, median {median(timings['ours']):.2f}",
                )
                report(
                    f"{name}.ratio",
                    f"min {ratios[0]:.2f}, median {median(ratios):.2f} (goal: ≤ 1.2)",
                )
            ours.pulumi("destroy", "--yes", "--skip-preview")


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
