"""What the Pulumi program declares for a stack, without the engine or the state.

The audit audits the program, not a folder of files: its data files *and* the milestones it
declares in Python. The program runs under Pulumi's mocks (``pulumi.runtime.set_mocks``,
as a preview), with the stack's configuration (``Pulumi.yaml``'s defaults, then
``Pulumi.<stack>.yaml``); every ``TargetGroup`` it registers is recorded with the inputs
the provider would check. Nothing is sent anywhere.
"""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path
from typing import Any

from ..exceptions import CapillaryError
from ..sdk.types import TYPES


def _project(root: Path) -> tuple[str, Path, dict[str, Any]]:
    """The project's name, its program folder and its declared config defaults."""
    import yaml

    path = root / "Pulumi.yaml"
    try:
        project = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CapillaryError(f"cannot read {path} ({exc}); run from the project's root.") from None
    declared = project.get("config") or {}
    defaults = {
        k: v["default"] for k, v in declared.items() if isinstance(v, dict) and "default" in v
    }
    return str(project["name"]), root / str(project.get("main", ".")), defaults


def declared_by_program(
    root: Path, stack: str, stack_config: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Resource name → the inputs of every milestone the program registers for ``stack``."""
    import pulumi

    name, program, defaults = _project(root)
    registered: dict[str, dict[str, Any]] = {}

    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
            if args.typ in TYPES:
                registered[args.name] = dict(args.inputs)
            return f"{args.name}-id", dict(args.inputs)

        def call(
            self, args: pulumi.runtime.MockCallArgs
        ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
            return {}, None

    config = {**defaults, **stack_config}
    pulumi.runtime.set_mocks(Mocks(), project=name, stack=stack, preview=True)
    pulumi.runtime.set_all_config(
        {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
    )

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def run() -> None:
        runpy.run_path(str(program / "__main__.py"), run_name="__main__")

    sys.path.insert(0, str(program))
    try:
        run()
    except pulumi.RunError as error:  # the program names a broken data file
        raise CapillaryError(f"the program failed for stack {stack}: {error}") from None
    finally:
        sys.path.remove(str(program))
    return registered
