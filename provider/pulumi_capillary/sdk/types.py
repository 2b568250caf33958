"""The type tokens of a milestone: one per provider that can manage it."""

DYNAMIC_TYPE = "pulumi-python:dynamic/capillary:TargetGroup"  # the dynamic provider's
PLUGIN_TYPE = "capillary:index:TargetGroup"  # the resource provider ``capillary``'s
TYPES = (DYNAMIC_TYPE, PLUGIN_TYPE)
