"""The resources a program declares with the resource provider ``capillary``.

``TargetGroup`` takes the same arguments (``TargetGroupArgs``, or the same fields as keyword
arguments) and has the same outputs as the dynamic ``TargetGroup``; its type is
``capillary:index:TargetGroup``. ``Provider`` is an explicit provider for one org, to manage
several orgs from one program (the stack's ``capillary:`` keys configure the default one).
"""

from __future__ import annotations

from typing import Any

import pulumi

from ..sdk.args import ProviderArgs, TargetGroupArgs
from ..sdk.args_base import resource_inputs
from ..sdk.outputs import RecordedOutputs, moved_from
from ..sdk.types import DYNAMIC_TYPE, PLUGIN_TYPE

PACKAGE = "capillary"


class TargetGroup(RecordedOutputs, pulumi.CustomResource):
    """A Capillary milestone (target group), type ``capillary:index:TargetGroup``.

    Outputs (``pulumi.Output``): ``target_group_id``, ``period_ids``, ``target_ids``, and the
    recorded ``name``, ``periods``, ``targets``, dates and settings.
    """

    def __init__(
        self,
        resource_name: str,
        args: TargetGroupArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        """Declare a milestone.

        :param resource_name: the resource's name in the stack (not the milestone's name).
        :param args: the milestone as ``TargetGroupArgs``, or the same fields as keyword
            arguments (mappings in either spelling where a part is expected: the code
            ``pulumi import`` writes gives them in snake_case).
        :param opts: Pulumi's resource options: ``provider`` for another org's provider;
            ``opts.id`` alone reads an existing group (see :meth:`get`).
        """
        props = resource_inputs(resource_name, args, opts, kwargs)
        super().__init__(PLUGIN_TYPE, resource_name, props, opts)


def moved_from_dynamic(opts: pulumi.ResourceOptions | None = None) -> pulumi.ResourceOptions:
    """``opts`` with an alias from the dynamic ``TargetGroup`` of the same name: a stack made
    on the dynamic provider moves to this one without replacing anything."""
    return moved_from(DYNAMIC_TYPE, opts)


class Provider(pulumi.ProviderResource):
    """An explicit provider for one Capillary org: its region or base URL, its credentials
    (kept secret) and its policies, as ``ProviderArgs`` or the same fields as keywords::

        prod_eu = capillary.Provider("prod-eu", region="eu", oauth_key="...",
                                     oauth_secret=config.require_secret("prodEuSecret"))
        capillary.TargetGroup("reviews", args, opts=pulumi.ResourceOptions(provider=prod_eu))

    Pointing a provider at another org (region or base URL) is refused at preview.
    """

    def __init__(
        self,
        resource_name: str,
        args: ProviderArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        if args is not None and kwargs:
            raise TypeError("pass either args=ProviderArgs(...) or keyword arguments, not both")
        settings = args if args is not None else ProviderArgs(**kwargs)
        super().__init__(PACKAGE, resource_name, settings.to_inputs(), opts)
