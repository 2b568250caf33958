"""Pulumi's bulk import file for groups that exist already (``pulumi import --file``).

``export --all -o DIR --import-file F`` writes each group's data file and this file, which
names each group by its data file (the catalog's resource names) as the resource provider's
``TargetGroup``: ``pulumi import --file F`` then records them all, and the catalog, on the
resource provider (``capillary-milestones:engine plugin``), plans nothing for them.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..sdk.types import PLUGIN_TYPE


def import_file(path: Path, written: dict[Path, int], stack: str | None) -> None:
    """The import file for the groups ``written`` (data file → group id). With ``--stack``,
    a group a stack of the project already manages is left out, and named: two stacks
    managing one group would each take the other's changes for drift."""
    from .org import notice
    from .stack import managed_groups

    managed = managed_groups() if stack else {}
    resources = []
    for file, group_id in sorted(written.items(), key=lambda item: item[0].stem):
        owner = managed.get(str(group_id))
        if owner is not None:
            notice(
                f"target group {group_id} ({file.stem}) is left out of {path}: {owner} "
                "manages it already."
            )
            continue
        resources.append({"type": PLUGIN_TYPE, "name": file.stem, "id": str(group_id)})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"resources": resources}, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}: {len(resources)} group(s) to import with `pulumi import --file {path}`")
