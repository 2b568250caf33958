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
    """The package modules ``path`` imports (``_fields``, ``emulator._app``...)."""
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


def test_the_emulator_imports_nothing_from_the_provider_side():
    """It is the independent oracle: a mistake in the provider cannot hide behind it."""
    for path in (PACKAGE / "emulator").glob("*.py"):
        outside = {m for m in _imports(path) if not m.startswith("pulumi_capillary.emulator")}
        assert not outside, f"{path.name} imports {outside}"


def test_the_client_knows_neither_the_table_nor_the_plan():
    forbidden = {f"pulumi_capillary.{m}" for m in ("_fields", "_diff", "_plan", "_apply", "_spec")}
    assert not _imports(PACKAGE / "_client.py") & forbidden


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
from pulumi_capillary import TargetGroupProvider, TargetGroup, CapillaryClient
body = json.load(open('tests/data/seed/be01.request.json'))
result = TargetGroupProvider().check({}, body)
assert not result.failures, result.failures
from pulumi_capillary._cli import emulator
sys.exit(emulator([]))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1, result.stderr
    assert "pip install 'pulumi-capillary[emulator]'" in result.stderr
    assert "Traceback" not in result.stderr


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
