"""The package as shipped: its import graph, its extras, its data files."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.engine import ROOT

PACKAGE = ROOT / "provider" / "pulumi_capillary"


def _imports(path: Path, top_level_only: bool = False) -> set[str]:
    """The package modules ``path`` imports (``fields``, ``emulator._app``...)."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    package = path.parent.relative_to(PACKAGE.parent).parts  # ("pulumi_capillary", ...)
    found = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {m for m in found if m.startswith("pulumi_capillary")}


def _name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(
        ".__init__"
    )


def test_the_layers_hold(tmp_path):
    """import-linter's contracts (pyproject.toml): data flows one way, the client decides
    nothing, the emulator is an independent oracle."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_no_provider_side_function_is_above_grade_c():
    """radon's cyclomatic complexity: D and worse are refused outside the emulator."""
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "radon"),
            "cc",
            "-n",
            "D",
            "-s",
            "-e",
            "*/emulator/*",
            str(PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout


def test_no_module_is_over_400_lines():
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 400
    }
    assert not long


def test_the_public_surface_is_small_and_read_from_one_table():
    import pulumi_capillary

    assert len(pulumi_capillary.__all__) <= 20
    assert pulumi_capillary.__all__ == sorted(pulumi_capillary._PUBLIC)
    for name in pulumi_capillary.__all__:
        assert getattr(pulumi_capillary, name) is not None


def test_a_provider_pickled_by_an_older_version_still_loads():
    """States written before the package's folders name ``pulumi_capillary._provider``."""
    import base64

    import dill
    from pulumi.dynamic.dynamic import serialize_provider

    from pulumi_capillary import TargetGroupProvider

    old = (  # the __provider of every resource created before
        "gASVPAAAAAAAAACMGnB1bHVtaV9jYXBpbGxhcnkuX3Byb3ZpZGVylIwTVGFyZ2V0R3JvdXBQcm92aWRlcpSTlCmBlH2UYi4="
    )
    assert isinstance(dill.loads(base64.b64decode(old)), TargetGroupProvider)
    new = base64.b64decode(serialize_provider(TargetGroupProvider()))
    assert b"pulumi_capillary\x94\x8c\x13TargetGroupProvider" in new  # its public name


def test_the_import_graph_has_no_circle():
    graph = {_name(p): _imports(p, top_level_only=True) for p in PACKAGE.rglob("*.py")}
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(module: str, trail: list[str]) -> None:
        assert module not in visiting, " → ".join([*trail, module])
        if module in done or module not in graph:
            return
        visiting.add(module)
        for imported in graph[module]:
            if imported != "pulumi_capillary":
                visit(imported, [*trail, module])
        visiting.discard(module)
        done.add(module)

    for module in graph:
        visit(module, [])


def test_the_provider_runs_without_the_emulator_extra():
    script = """
import sys
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('starlette', 'uvicorn'):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Blocker())
import json
from pulumi_capillary import TargetGroupProvider, TargetGroup
from pulumi_capillary.api.client import CapillaryClient
body = json.load(open('tests/data/seed/be01.request.json'))
result = TargetGroupProvider().check({}, body)
assert not result.failures, result.failures
from pulumi_capillary.cli.main import emulator
sys.exit(emulator([]))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1, result.stderr
    assert "pip install 'pulumi-capillary[emulator]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_program_and_a_diff_without_immutable_changes_never_load_the_settings():
    """The program process never reads the settings, nor does a provider whose checks and
    diffs need no policy (pydantic-settings is most of our start-up); a refusal does."""
    script = """
import json, sys
from pulumi.dynamic import ConfigureRequest
from pulumi_capillary import TargetGroup, TargetGroupArgs, TargetGroupProvider
from pulumi_capillary.plugin import TargetGroup as PluginTargetGroup, Provider
from pulumi_capillary.operations import outputs
assert 'pydantic_settings' not in sys.modules, 'the program loaded the settings'
def sent(value):  # as the engine sends them: every number a float, at every depth
    if isinstance(value, dict):
        return {k: sent(v) for k, v in value.items()}
    if isinstance(value, list):
        return [sent(v) for v in value]
    return float(value) if type(value) is int else value
body = sent(json.load(open('tests/data/seed/be01.request.json')))
provider = TargetGroupProvider()
provider.configure(ConfigureRequest({'capillary:region': 'eu'}))
inputs = sent(provider.check({}, body).inputs)
assert not provider.check(inputs, body).failures
record = {**inputs, 'id': 7, 'periods': [{**p, 'id': i} for i, p in enumerate(inputs['periods'])]}
outs = {**sent(outputs(record, {}, inputs)), '__provider': 'pickled'}  # as the server adds it
assert not provider.diff('7', outs, inputs).changes
assert 'pydantic_settings' not in sys.modules and 'httpx' not in sys.modules, 'loaded'
failures = provider.check(inputs, {**body, 'active': False}).failures
assert failures and 'onImmutableChange' in failures[0].reason, failures
assert 'pydantic_settings' in sys.modules
"""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(out)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("*.whl")
    return zipfile.ZipFile(built)


def test_the_wheel_tells_pulumi_it_is_not_a_resource_plugin(wheel):
    """pulumi/pulumi#8011: without it the language host reports a plugin "capillary" and
    `pulumi install` tries to download one."""
    plugin = json.loads(wheel.read("pulumi_capillary/pulumi-plugin.json"))
    assert plugin == {"resource": False}
    assert "pulumi_capillary/py.typed" in wheel.namelist()


def test_the_emulators_server_is_an_extra(wheel):
    (metadata,) = [n for n in wheel.namelist() if n.endswith("METADATA")]
    requires = [
        line for line in wheel.read(metadata).decode().splitlines() if line.startswith("Requires")
    ]
    for server in ("starlette", "uvicorn"):
        (line,) = [r for r in requires if f"Requires-Dist: {server}" in r]
        assert 'extra == "emulator"' in line
    assert any("LICENSE" in n for n in wheel.namelist())
