"""The catalog's Pulumi part: a declaration made concrete for a stack, as ``TargetGroupArgs``.

Declarations stay environment-neutral; the stack supplies what differs between orgs (a
name prefix, the org's till). Reading the data files is the declaration's business
(``declaration/catalog.py``); this turns one into the resource's arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..declaration.catalog import for_stack
from .args import TargetGroupArgs


@dataclass(frozen=True)
class StackSettings:
    """What differs between orgs: the stack supplies it, declarations never do."""

    name_prefix: str = ""
    preferred_till_id: int | None = None

    def apply(self, declaration: Mapping[str, Any] | TargetGroupArgs) -> TargetGroupArgs:
        """A declaration (data-file mapping or args) made concrete for this stack."""
        args = (
            declaration
            if isinstance(declaration, TargetGroupArgs)
            else TargetGroupArgs.from_dict(declaration)
        )
        changes = for_stack(
            args.name, args.preferred_till_id, self.name_prefix, self.preferred_till_id
        )
        return replace(args, **changes)
