"""The engine double held against the real engine: one scenario through both, and what the
provider receives compared.

The same recorder (``recording_server``) sits in front of the SDK's provider server under
the real CLI and under ``tests/engine.py``/``tests/program.py``. For every call that reaches
the provider (Configure, Check, Diff, Create, Update, Read, Delete) the values it is given
are compared: ``news`` of Check exactly, everything else by shape (keys at every depth and
the type of each value: a number is a float, an unknown is the engine's sentinel, a secret
is wrapped, ``__provider`` is present). Where they differ, the double is wrong.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.program import ProgramStack
from tests.real_cli.harness import ROOT, Project
from tests.support import SEED_NOW

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET_SIG = "4dabf18193072939515e22adb298388d"
# What the SDK's server hands the provider, per call (pulumi/dynamic/__main__.py).
GIVEN = {
    "Configure": ("args",),
    "Check": ("olds", "news"),
    "Diff": ("id", "olds", "news"),
    "Create": ("properties",),
    "Update": ("id", "olds", "news"),
    "Read": ("id", "properties", "inputs"),
    "Delete": ("id", "properties"),
}


FAST = {
    "capillary:retryBackoffSeconds": "0.01",
    "capillary:retryDeadlineSeconds": "20",
    "capillary:timeoutSeconds": "5",
}


def shape(value: Any) -> Any:
    """Keys and kinds, not values: what the double must reproduce of each value."""
    if isinstance(value, dict):
        if SECRET_SIG in value:
            return {"secret": shape(value.get("value"))}
        # a map keyed by ids (targetPeriodDefaultValuesMap): the ids depend on create order
        return {("<id>" if k.isdigit() else k): shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [shape(v) for v in value]
    if value == UNKNOWN:
        return "unknown"
    return type(value).__name__


def _calls(record: Path) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(method, resource name) → what the provider was given, call by call."""
    calls: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for line in record.read_text().splitlines():
        entry = json.loads(line)
        request = entry["request"]
        given = {k: request.get(k) for k in GIVEN[entry["method"]]}
        resource = "" if entry["method"] == "Configure" else request["urn"].rsplit("::", 1)[-1]
        calls.setdefault((entry["method"], resource), []).append(given)
    return calls


def _shapes(calls: list[dict[str, Any]]) -> list[str]:
    return sorted({json.dumps(shape(c), sort_keys=True) for c in calls})


def _differ(only_real: set[str], only_double: set[str]) -> list[str]:
    """The paths where the shapes seen only by one side differ (a readable assertion)."""

    def flat(value: Any, path: str = "") -> dict[str, Any]:
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for k, v in value.items():
                out.update(flat(v, f"{path}.{k}"))
            return out or {path: "{}"}
        if isinstance(value, list):
            out = {}
            for i, v in enumerate(value):
                out.update(flat(v, f"{path}[{i}]"))
            return out or {path: "[]"}
        return {path: value}

    real = [flat(json.loads(x)) for x in sorted(only_real)]
    double = [flat(json.loads(x)) for x in sorted(only_double)]
    found = []
    for r in real:
        for d in double:
            found += [
                f"{k}: real {r.get(k)} / double {d.get(k)}"
                for k in {*r, *d}
                if r.get(k) != d.get(k)
            ]
    return sorted(set(found))[:40]


def _edit(directory: Path) -> None:
    path = directory / "programs" / "milestones" / "milestones" / "product-reviews.yaml"
    data = yaml.safe_load(path.read_text())
    data["targets"][0]["default_values"] = [4]
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def _recording_python(tmp_path: Path) -> Path:
    """A ``PULUMI_PYTHON_CMD`` that starts the recorder where the CLI starts the provider."""
    wrapper = tmp_path / "python-recording"
    wrapper.write_text(
        "#!/bin/sh\n"  # pulumi-resource-pulumi-python runs: $PULUMI_PYTHON_CMD -u -m pulumi.dynamic
        'if [ "$1 $2 $3" = "-u -m pulumi.dynamic" ]; then\n'
        f'  shift 3; PYTHONPATH="{ROOT}" exec "{sys.executable}" -u -m '
        'tests.real_cli.recording_server "$@"\n'
        "fi\n"
        f'exec "{sys.executable}" "$@"\n'
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    return wrapper


def test_the_double_gives_the_provider_what_the_real_engine_gives(
    tmp_path, pulumi_cli, emulator_env
):
    from pulumi_capillary.emulator import EmulatorServer

    real_record, double_record = tmp_path / "real.jsonl", tmp_path / "double.jsonl"
    with EmulatorServer(now=SEED_NOW) as org:
        env = {
            **emulator_env(org),
            "CAPILLARY_RECORD": str(real_record),
            "PULUMI_PYTHON_CMD": str(_recording_python(tmp_path)),
        }
        (tmp_path / "real").mkdir()
        real = Project.copy(tmp_path / "real", pulumi_cli, env)
        real.init("dev")
        real.preview("dev")
        real.up("dev")
        _edit(real.directory)
        real.up("dev")
        real.refresh("dev")
        real.destroy("dev")

    with EmulatorServer(now=SEED_NOW) as org:
        (tmp_path / "double").mkdir()
        copy = Project.copy(tmp_path / "double", pulumi_cli).directory
        creds = org.credentials
        double = ProgramStack(
            copy,
            "dev",
            tmp_path / "double",
            overrides=FAST,
            env={
                "CAPILLARY_BASE_URL": org.url,
                "CAPILLARY_USERNAME": creds.username,
                "CAPILLARY_PASSWORD": creds.password,
                "CAPILLARY_RECORD": str(double_record),
                "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
            },
            provider_module="tests.real_cli.recording_server",
        )
        double.preview()
        double.up()
        _edit(copy)
        double.up()
        double.refresh()
        double.destroy()

    by_real, by_double = _calls(real_record), _calls(double_record)
    assert {m for m, _ in by_real} == set(GIVEN)  # every call, through the real engine
    assert set(by_double) == set(by_real)
    for (method, resource), calls in by_real.items():
        if method == "Configure":
            continue  # the double's stack config comes from its own overrides: below
        real_shapes, double_shapes = set(_shapes(calls)), set(_shapes(by_double[method, resource]))
        assert real_shapes == double_shapes, (
            method,
            resource,
            _differ(real_shapes - double_shapes, double_shapes - real_shapes),
        )
        if method == "Check":  # the program's inputs, value for value
            assert _values(calls, "news") == _values(by_double[method, resource], "news")
    real_config = next(c for (m, _), cs in by_real.items() if m == "Configure" for c in cs)
    double_config = next(c for (m, _), cs in by_double.items() if m == "Configure" for c in cs)
    # the whole stack config, project keys included; the double gets its fast retries as
    # config where the real run has them in the environment
    assert set(double_config["args"]) - set(real_config["args"]) == set(FAST)
    assert shape({k: v for k, v in double_config["args"].items() if k not in FAST}) == shape(
        real_config["args"]
    )


def _values(calls: list[dict[str, Any]], key: str) -> list[str]:
    return sorted({json.dumps(c[key], sort_keys=True) for c in calls})
