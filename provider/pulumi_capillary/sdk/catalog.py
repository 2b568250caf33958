"""The catalog's Pulumi part: a declaration made concrete for a stack, as ``TargetGroupArgs``.

Declarations stay environment-neutral; the stack supplies what differs between orgs (a
name prefix, the org's till). Reading the data files is the declaration's business
(``declaration/catalog.py``); this turns one into the resource's arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pulumi

from ..declaration.catalog import for_stack
from .args import TargetGroupArgs


@dataclass(frozen=True)
class StackSettings:
    """What differs between orgs: the stack supplies it, declarations never do. An adopted
    group's id belongs to one org, so adoptions are the stack's too: ``adopt_existing_ids``
    maps a milestone's key (its data file's name) to the id of its group in this org."""

    name_prefix: str = ""
    preferred_till_id: int | None = None
    adopt_existing_ids: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: pulumi.Config) -> StackSettings:
        """From the program's config: ``namePrefix``, ``preferredTillId``, and
        ``adoptExistingIds`` (an object: ``{"product-reviews": 2911}``)."""
        adopted = config.get_object("adoptExistingIds") or {}
        if not isinstance(adopted, dict):
            raise pulumi.RunError(
                f"{config.full_key('adoptExistingIds')} must be an object of milestone keys "
                'and group ids, such as {"product-reviews": 2911}.'
            )
        return cls(
            name_prefix=config.get("namePrefix") or "",
            preferred_till_id=config.get_int("preferredTillId"),
            adopt_existing_ids={str(k): int(v) for k, v in adopted.items()},
        )

    def apply(
        self, declaration: Mapping[str, Any] | TargetGroupArgs, key: str | None = None
    ) -> TargetGroupArgs:
        """A declaration (data-file mapping or args) made concrete for this stack; ``key``
        names it among the stack's adoptions."""
        args = (
            declaration
            if isinstance(declaration, TargetGroupArgs)
            else TargetGroupArgs.from_dict(declaration)
        )
        changes = for_stack(
            args.name, args.preferred_till_id, self.name_prefix, self.preferred_till_id
        )
        adopted = self.adopt_existing_ids.get(key) if key is not None else None
        if adopted is not None and args.adopt_existing_id is None:
            changes["adopt_existing_id"] = adopted
        return replace(args, **changes)
