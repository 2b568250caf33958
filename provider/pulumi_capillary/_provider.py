"""The name the pickled provider in older stacks' states references.

Every resource's state carries the provider pickled by reference to its class. States
written before the package was arranged in folders name ``pulumi_capillary._provider``;
this keeps them readable (refresh and destroy unpickle it). New pickles name the public
``pulumi_capillary.TargetGroupProvider``, which no internal move can break.
"""

from .dynamic.provider import TargetGroupProvider

__all__ = ["TargetGroupProvider"]
